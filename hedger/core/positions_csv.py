"""Futures positions from pasted rows or a CSV file, and back.

Columns, in this order unless a header names them: ``contract, contracts,
entry_price[, margin_mode, collateral_usd, account, expiry]``. Tabs (a
spreadsheet's clipboard), commas or semicolons separate them. Every row is
checked; a bad row is named with its reason and nothing of it is taken.

The quantity is contracts (a ``quantity`` or ``contracts`` column), unless the
cell says its unit (``-0.6 BTC``, ``-30000 USD``) or a ``unit`` column does.
With the catalog at hand every quantity is checked against the venue's step
and minimum (``hedger.core.held_quantity``), and a contract the catalog does
not know is named.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from hedger.core.decimals import fmt_decimal
from hedger.core.held_quantity import HeldQuantityError, parse_held, read_unit
from hedger.core.models import MAX_POSITIONS, Position

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog

COLUMNS = (
    "contract",
    "contracts",
    "entry_price",
    "margin_mode",
    "collateral_usd",
    "account",
    "expiry",
)
_ALIASES = {
    "entry": "entry_price",
    "price": "entry_price",
    "quantity": "contracts",
    "qty": "contracts",
    "collateral": "collateral_usd",
    "margin": "margin_mode",
    "mode": "margin_mode",
}
MAX_TEXT = 2_000_000


class ParsedPositions(NamedTuple):
    positions: tuple[Position, ...]
    problems: tuple[str, ...]


def parse_positions_text(text: str, catalog: Catalog | None = None) -> ParsedPositions:
    """Rows of positions; problems name the row (1-based, as in the text) and field.
    With ``catalog``, contracts must be in it and quantities on their venue's step."""
    if len(text) > MAX_TEXT:
        return ParsedPositions((), ("the text is too large for a list of positions",))
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return ParsedPositions((), ("no rows",))
    delimiter = (
        "\t" if "\t" in lines[0] else (";" if lines[0].count(";") > lines[0].count(",") else ",")
    )
    rows = list(csv.reader(lines, delimiter=delimiter))
    columns = list(COLUMNS)
    start = 0
    header = [_column(cell) for cell in rows[0]]
    if "contract" in header:
        columns, start = header, 1
    wanted = (*COLUMNS, "unit")
    out: list[Position] = []
    problems: list[str] = []
    for n, row in enumerate(rows[start:], start + 1):
        if len(out) >= MAX_POSITIONS:
            problems.append(f"more than {MAX_POSITIONS:,} positions: the rest were not read")
            break
        data = {
            col: cell.strip()
            for col, cell in zip(columns, row, strict=False)
            if col in wanted and cell.strip()
        }
        try:
            out.append(_position(data, catalog))
        except ValueError as exc:
            problems.append(f"row {n}: {exc}")
    return ParsedPositions(tuple(out), tuple(problems))


def _position(data: dict[str, str], catalog: Catalog | None) -> Position:
    """One row as a Position; ValueError with the field and a reason a person reads."""
    if "contract" in data:
        venue, sep, symbol = data["contract"].partition(":")
        data["contract"] = f"{venue.upper()}:{symbol}" if sep else data["contract"]
    fields: dict[str, Any] = {k: v for k, v in data.items() if k in COLUMNS}
    quantity = fields.pop("contracts", None)
    unit = data.get("unit")
    if catalog is not None and "contract" in fields:
        c = catalog.contracts.get(fields["contract"])
        if c is None:
            raise ValueError(f"unknown contract {fields['contract']} (see the contract list)")
        if quantity is not None:
            try:
                held_unit = read_unit(c, unit) if unit else "contracts"
                quantity = parse_held(c, quantity, held_unit)
            except HeldQuantityError as exc:
                raise ValueError(str(exc)) from None
    fields["quantity"] = quantity
    try:
        return Position.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise ValueError(_readable(where, err)) from None


_FIELD_WORDS = {"quantity": "contracts", "entry_price": "entry price"}


def _readable(where: str, err: Any) -> str:
    """A pydantic error in words: ``contract: not a contract id such as CME:MBT``."""
    name = _FIELD_WORDS.get(where, where.replace("_", " "))
    kind = str(err.get("type", ""))
    if kind == "missing" or (where == "quantity" and err.get("input") is None):
        return f"{name}: missing"
    if where == "contract" and kind == "string_pattern_mismatch":
        return f"{name}: not a contract id such as CME:MBT"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{name}: {msg}" if where else msg


def _column(cell: str) -> str:
    name = cell.strip().lower().replace(" ", "_")
    return _ALIASES.get(name, name)


def positions_csv(positions: Iterable[Position]) -> str:
    """Positions as CSV with a header row (what copy and export write)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for p in positions:
        w.writerow(
            [
                p.contract,
                fmt_decimal(p.quantity),
                fmt_decimal(p.entry_price),
                p.margin_mode,
                "" if p.collateral_usd is None else fmt_decimal(p.collateral_usd),
                p.account or "",
                "" if p.expiry is None else p.expiry.isoformat(),
            ]
        )
    return out.getvalue()
