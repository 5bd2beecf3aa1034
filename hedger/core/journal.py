"""The hedge journal: each accepted change of a held position, with time, prices and counts.

Two things write it: the person marks the orders of a gap as placed
(``mark_placed``: the positions move to where the orders take them, entries
appended), and an import finds a position changed (``import_entries``).
``journal_csv`` exports it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from hedger.core.decimals import fmt_decimal
from hedger.core.models import MAX_JOURNAL, JournalEntry, MarginMode, Portfolio, Position
from hedger.core.position_gap import GapOrder, PositionGap

ZERO = Decimal(0)
CSV_COLUMNS = (
    "time",
    "kind",
    "underlying",
    "contract",
    "account",
    "change",
    "before",
    "after",
    "futures_price",
    "spot_price",
    "text",
)


def mark_placed(
    portfolio: Portfolio,
    gap: PositionGap,
    now: datetime,
    *,
    spot_price: Decimal | None = None,
    margin_mode: MarginMode = "isolated",
) -> Portfolio:
    """``portfolio`` with ``gap``'s orders filled at its futures price: positions
    moved to where the orders take them, one journal entry per order."""
    if not gap.orders:
        return portfolio
    positions = list(portfolio.positions)
    entries: list[JournalEntry] = []
    price = gap.futures_price
    for order in gap.orders:
        contract = order.ticket.contract.id
        account = _account_of(positions, contract)
        positions = _apply(positions, order, price, margin_mode)
        entries.append(
            JournalEntry(
                at=now,
                kind="placed",
                underlying=gap.underlying,
                contract=contract,
                change=order.change,
                before=order.held,
                after=order.after,
                futures_price=price,
                spot_price=spot_price,
                account=account,
                text=order.text[:400],
            )
        )
    return portfolio.model_copy(
        update={"positions": tuple(positions), "journal": _appended(portfolio.journal, entries)}
    )


def _account_of(positions: Sequence[Position], contract: str) -> str | None:
    return next((p.account for p in positions if p.contract == contract), None)


def _apply(
    positions: list[Position], order: GapOrder, price: Decimal, mode: MarginMode
) -> list[Position]:
    """The positions after ``order`` (one contract) is filled at ``price``."""
    cid = order.ticket.contract.id
    mine = [p for p in positions if p.contract == cid]
    rest = [p for p in positions if p.contract != cid]
    change = order.change
    if order.after == 0:
        return rest
    if order.action in ("add", "open") and mine:
        first = mine[0]
        size = abs(first.quantity) + abs(change)
        entry = (abs(first.quantity) * first.entry_price + abs(change) * price) / size
        updated = first.model_copy(
            update={"quantity": first.quantity + change, "entry_price": _price(entry)}
        )
        return [*_before(positions, cid), updated, *mine[1:], *_after(positions, cid)]
    if order.action == "reduce":
        left = abs(change)
        kept: list[Position] = []
        for p in mine:
            take = min(left, abs(p.quantity)) if p.quantity * change < 0 else ZERO
            left -= take
            q = p.quantity + (take if p.quantity < 0 else -take)
            if q:
                kept.append(p.model_copy(update={"quantity": q}))
        return [*_before(positions, cid), *kept, *_after(positions, cid)]
    # open on a contract not held, or a flip: one new position at the fill price
    template = mine[0] if mine else None
    new = Position(
        contract=cid,
        quantity=order.after,
        entry_price=price,
        margin_mode=template.margin_mode if template else mode,
        account=template.account if template else None,
    )
    return [*_before(positions, cid), new, *_after(positions, cid)]


def _before(positions: Sequence[Position], cid: str) -> list[Position]:
    """Positions listed before the first one on ``cid`` (all of them if none is)."""
    out = []
    for p in positions:
        if p.contract == cid:
            break
        out.append(p)
    return out


def _after(positions: Sequence[Position], cid: str) -> list[Position]:
    """Positions on other contracts listed after the first one on ``cid``."""
    seen = False
    out = []
    for p in positions:
        if p.contract == cid:
            seen = True
        elif seen:
            out.append(p)
    return out


def _price(value: Decimal) -> Decimal:
    # An average entry keeps cents of a cent, not 28 digits.
    return value.quantize(Decimal("0.0001")).normalize()


def _appended(
    journal: tuple[JournalEntry, ...], new: Sequence[JournalEntry]
) -> tuple[JournalEntry, ...]:
    merged = (*journal, *new)
    # The file refuses more than MAX_JOURNAL entries: keep the newest.
    return merged[-MAX_JOURNAL:]


PriceOf = Callable[[str], Decimal | None]


def import_entries(
    old: Iterable[Position],
    new: Iterable[Position],
    now: datetime,
    underlying_of: Callable[[str], str | None],
    price_of: PriceOf,
    source: str,
) -> list[JournalEntry]:
    """One entry per (contract, account) whose held quantity an import changed.

    ``price_of(contract)`` is today's futures price of its underlying, where
    known; else the entry price of the position as imported stands in.
    """
    before = _totals(old)
    after = _totals(new)
    entries = []
    for key in dict.fromkeys([*before, *after]):
        b, a = before.get(key, (ZERO, None))[0], after.get(key, (ZERO, None))[0]
        if a == b:
            continue
        contract, account = key
        under = underlying_of(contract)
        entry_price = (after.get(key) or before.get(key) or (ZERO, None))[1]
        price = price_of(contract) or entry_price
        if under is None or price is None:
            continue
        entries.append(
            JournalEntry(
                at=now,
                kind="import",
                underlying=under,
                contract=contract,
                change=a - b,
                before=b,
                after=a,
                futures_price=price,
                account=account,
                text=f"Imported from {source}: {fmt_decimal(b)} -> {fmt_decimal(a)} contracts",
            )
        )
    return entries


def _totals(
    positions: Iterable[Position],
) -> dict[tuple[str, str | None], tuple[Decimal, Decimal | None]]:
    out: dict[tuple[str, str | None], tuple[Decimal, Decimal | None]] = {}
    for p in positions:
        key = (p.contract, p.account)
        total = out.get(key, (ZERO, None))[0]
        out[key] = (total + p.quantity, p.entry_price)
    return out


def with_import(
    portfolio: Portfolio, entries: Sequence[JournalEntry], positions: Sequence[Position]
) -> Portfolio:
    return portfolio.model_copy(
        update={"positions": tuple(positions), "journal": _appended(portfolio.journal, entries)}
    )


def journal_csv(entries: Iterable[JournalEntry]) -> str:
    """The journal as CSV (a header row, then one row per entry, oldest first)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow(
            [
                e.at.isoformat(),
                e.kind,
                e.underlying,
                e.contract,
                e.account or "",
                fmt_decimal(e.change),
                fmt_decimal(e.before),
                fmt_decimal(e.after),
                fmt_decimal(e.futures_price),
                "" if e.spot_price is None else fmt_decimal(e.spot_price),
                _csv_safe(e.text),
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
