"""Funding and rolls inside a backtest: what the hedge received or paid, and what rolling cost.

``run_backtest`` hands each underlying's held positions as *segments*
(first point, point after the last, signed units: coins for linear
contracts, USD face for inverse, and the legs' weighted fee rate). Then:

* **funding** (perpetual hedges, from the stored history of the hedge's
  contract): at each funding time inside the period the position held at
  the last price point at or before it pays ``units × F × rate`` (linear)
  or ``units × rate`` (inverse, USD face): a short receives a positive
  rate. Funding times before the history starts, after it ends or inside
  its gaps pay nothing, and the notes say so; a perpetual hedge without any
  stored funding says so too (never a silent zero).
* **rolls** (dated hedges with an expiry calendar): on each roll date of
  the calendar the position is closed and reopened in the next contract at
  the same price point (an imported futures series is taken to be the
  contract held), paying the fee rate on both legs.

All vectorised: a funding time or a roll costs a binary search, so a
five-year minute history stays well within the backtest's budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from hedger.core.analytics.series import NS_PER_DAY, FloatArray, IntArray, ns_to_iso
from hedger.core.calendar import CalendarError, Calendars, roll_plan
from hedger.core.catalog import Contract
from hedger.core.funding import FundingHistory

NS_PER_MS = 1_000_000

#: One held position: first point, the point after the last, signed units, fee rate.
Segment = tuple[int, int, float, float]


@dataclass(frozen=True)
class BacktestCarry:
    """What the backtest needs to count funding and rolls; ``None`` parts are left out."""

    funding: Mapping[str, FundingHistory]  # by contract id
    calendars: Calendars | None = None
    roll_days: int | None = None


@dataclass(frozen=True)
class CarryOutcome:
    funding_steps: FloatArray  # per point: funding received (+) or paid (−) there
    roll_fee_steps: FloatArray  # per point: roll fees paid there
    payments: int
    rolls: int
    notes: tuple[str, ...]


def _arrays(segments: Sequence[Segment]) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    seg = np.array(segments, dtype=np.float64).reshape(-1, 4)
    return (
        seg[:, 0].astype(np.int64),
        seg[:, 1].astype(np.int64),
        seg[:, 2],
        seg[:, 3],
    )


def _units_at(segments: Sequence[Segment], idx: IntArray) -> tuple[FloatArray, FloatArray]:
    """Signed units and fee rate held at each point index (0 outside every segment)."""
    starts, stops, units, fees = _arrays(segments)
    s = np.searchsorted(starts, idx, side="right") - 1
    ok = (s >= 0) & (idx < stops[np.clip(s, 0, None)])
    s = np.clip(s, 0, None)
    return np.where(ok, units[s], 0.0), np.where(ok, fees[s], 0.0)


def hedge_carry(
    contract: Contract,
    segments: Sequence[Segment],
    timeline: IntArray,
    futures: FloatArray,
    carry: BacktestCarry,
) -> CarryOutcome:
    """Funding and roll fees of one underlying's hedge over the backtest's points."""
    n = timeline.size
    funding = np.zeros(n, dtype=np.float64)
    roll_fees = np.zeros(n, dtype=np.float64)
    notes: list[str] = []
    payments = rolls = 0
    if not segments or n < 2:
        return CarryOutcome(funding, roll_fees, 0, 0, ())
    inverse = contract.kind == "inverse"
    if contract.expiry == "perpetual":
        history = carry.funding.get(contract.id)
        if history is None or not len(history):
            notes.append(
                f"No funding history for {contract.id}: funding is not counted "
                f"(hedger funding download {contract.id})."
            )
        else:
            payments = _funding(history, segments, timeline, futures, inverse, funding, notes)
    elif carry.calendars is not None:
        rolls = _rolls(contract, segments, timeline, futures, inverse, carry, roll_fees, notes)
    return CarryOutcome(funding, roll_fees, payments, rolls, tuple(notes))


def _funding(
    history: FundingHistory,
    segments: Sequence[Segment],
    timeline: IntArray,
    futures: FloatArray,
    inverse: bool,
    out: FloatArray,
    notes: list[str],
) -> int:
    times = np.asarray(history.times_ms, dtype=np.int64) * NS_PER_MS
    rates = np.asarray([float(r) for r in history.rates], dtype=np.float64)
    first, last = int(timeline[0]), int(timeline[-1])
    inside = (times > first) & (times <= last)
    times, rates = times[inside], rates[inside]
    idx = np.searchsorted(timeline, times, side="right") - 1
    units, _fees = _units_at(segments, idx)
    notional = units if inverse else units * futures[idx]
    # A short (units < 0) receives a positive rate: payment = −units × price × rate.
    pay = -notional * rates
    out += np.bincount(idx, weights=pay, minlength=timeline.size)
    _coverage_notes(history, first, last, notes)
    return int(np.count_nonzero(units))


def _coverage_notes(history: FundingHistory, first: int, last: int, notes: list[str]) -> None:
    cid = history.contract_id
    h_first = (history.first_ms or 0) * NS_PER_MS
    h_last = (history.last_ms or 0) * NS_PER_MS
    if h_first > first + NS_PER_DAY:
        notes.append(
            f"Funding history of {cid} starts {ns_to_iso(h_first, date_only=True)}: "
            "no funding is counted before."
        )
    if h_last < last - NS_PER_DAY:
        notes.append(
            f"Funding history of {cid} ends {ns_to_iso(h_last, date_only=True)}: "
            "no funding is counted after."
        )
    gaps = [
        g
        for g in history.gaps()
        if g.before_ms * NS_PER_MS > first and g.after_ms * NS_PER_MS < last
    ]
    if gaps:
        longest = max(gaps, key=lambda g: g.hours)
        notes.append(
            f"Funding history of {cid} has {len(gaps)} gap(s) in the period (longest "
            f"{longest.hours} h after {ns_to_iso(longest.after_ms * NS_PER_MS)}): "
            "nothing is counted there."
        )


def _rolls(
    contract: Contract,
    segments: Sequence[Segment],
    timeline: IntArray,
    futures: FloatArray,
    inverse: bool,
    carry: BacktestCarry,
    out: FloatArray,
    notes: list[str],
) -> int:
    assert carry.calendars is not None
    cal = carry.calendars.for_contract(contract.id, contract.venue, contract.expiry)
    if cal.rule is None:
        notes.append(f"No expiry calendar for {contract.id}: rolls are not counted.")
        return 0
    start = datetime.fromtimestamp(int(timeline[0]) / 1e9, UTC).date()
    end = datetime.fromtimestamp(int(timeline[-1]) / 1e9, UTC).date()
    try:
        plan = roll_plan(cal.rule, start, (end - start).days, carry.roll_days)
    except CalendarError as exc:
        notes.append(f"Rolls of {contract.id} are not counted: {exc}.")
        return 0
    if not plan.rolls:
        return 0
    # A roll happens at the start of its day (UTC), at the first point from then on.
    roll_ns = np.array(
        [(r.day - start).days * NS_PER_DAY + _day_ns(int(timeline[0])) for r in plan.rolls],
        dtype=np.int64,
    )
    idx = np.searchsorted(timeline, roll_ns, side="left")
    idx = idx[idx < timeline.size]
    units, fee_rates = _units_at(segments, idx)
    notional = np.abs(units) if inverse else np.abs(units) * futures[idx]
    out += np.bincount(idx, weights=2.0 * notional * fee_rates, minlength=timeline.size)
    return int(np.count_nonzero(units))


def _day_ns(ns: int) -> int:
    return ns - ns % NS_PER_DAY
