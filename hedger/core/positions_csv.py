"""Futures positions from pasted rows or a CSV file, and back.

Columns, in this order unless a header names them: ``contract, quantity,
entry_price[, margin_mode, collateral_usd, account, expiry]``. Tabs (a
spreadsheet's clipboard), commas or semicolons separate them. Every row is
checked; a bad row is named with its reason and nothing of it is taken.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import NamedTuple

from pydantic import ValidationError

from hedger.core.decimals import fmt_decimal
from hedger.core.models import MAX_POSITIONS, Position

COLUMNS = (
    "contract",
    "quantity",
    "entry_price",
    "margin_mode",
    "collateral_usd",
    "account",
    "expiry",
)
_ALIASES = {
    "entry": "entry_price",
    "price": "entry_price",
    "contracts": "quantity",
    "collateral": "collateral_usd",
    "margin": "margin_mode",
    "mode": "margin_mode",
}
MAX_TEXT = 2_000_000


class ParsedPositions(NamedTuple):
    positions: tuple[Position, ...]
    problems: tuple[str, ...]


def parse_positions_text(text: str) -> ParsedPositions:
    """Rows of positions; problems name the row (1-based, as in the text) and field."""
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
    out: list[Position] = []
    problems: list[str] = []
    for n, row in enumerate(rows[start:], start + 1):
        if len(out) >= MAX_POSITIONS:
            problems.append(f"more than {MAX_POSITIONS:,} positions: the rest were not read")
            break
        data = {
            col: cell.strip()
            for col, cell in zip(columns, row, strict=False)
            if col in COLUMNS and cell.strip()
        }
        if "contract" in data:
            venue, sep, symbol = data["contract"].partition(":")
            data["contract"] = f"{venue.upper()}:{symbol}" if sep else data["contract"]
        try:
            out.append(Position.model_validate(data))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err.get("loc", ()))
            msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append(f"row {n}: {where}: {msg}" if where else f"row {n}: {msg}")
    return ParsedPositions(tuple(out), tuple(problems))


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
