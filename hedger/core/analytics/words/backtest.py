"""A backtest in words: the worst week with and without the hedge, and why it did worse.

"Hedging with 5 × MBT would have cut your worst week from −4,210 to −907 USD."
The period is a UTC week (Monday to Sunday) when the data spans a month or
more, a UTC day for shorter runs, and a calendar month for sparse data (points
more than a week apart). Each book's worst is its own: the hedged book's worst
week may be another week than the unhedged one's.

When the hedge did not soften the worst period (or deepened the largest
fall), a second sentence says why, from the result's own fields: liquidations (which hedge,
when, near which price, and whether it reopened), funding paid, fees,
holdings hedged with another coin's futures, a hedge never re-sized.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hedger.core.analytics.backtest import BacktestEvent, BacktestResult, UnderlyingResult
from hedger.core.analytics.links import PortfolioLinks
from hedger.core.analytics.series import NS_PER_DAY, FloatArray, IntArray, ns_to_iso
from hedger.core.analytics.words.amounts import amount, listing, plural, usd

Unit = Literal["day", "week", "month"]
#: A change within this share of the unhedged worst reads "about the same".
SAME_SHARE = 0.05
#: Fees or funding below this share of the start value are not a reason.
NOTABLE_COST = 0.005
#: Liquidations named one by one in the "why" sentence.
NAMED_LIQUIDATIONS = 3


@dataclass(frozen=True)
class WorstPeriod:
    """The worst change over one period of each book, in USD (negative: a loss)."""

    unit: Unit
    unhedged: float
    unhedged_ns: int  # the start of that period
    hedged: float
    hedged_ns: int


@dataclass(frozen=True)
class BacktestWords:
    lead: str  # the one sentence the view leads with
    why: str  # why the hedge did worse, or what happened to it; "" if nothing to say
    worse: bool  # the hedge did not soften the worst period, or deepened the largest fall


def period_unit(timestamps: IntArray) -> Unit:
    """Weeks when the data spans four weeks or more; days for shorter runs; months
    when the points are more than a week apart."""
    if timestamps.size < 2:
        return "day"
    step = float(np.median(np.diff(timestamps[: min(timestamps.size, 10_001)])))
    if step > 7 * NS_PER_DAY:
        return "month"
    if int(timestamps[-1]) - int(timestamps[0]) >= 28 * NS_PER_DAY:
        return "week"
    return "day"


def _buckets(timestamps: IntArray, unit: Unit) -> IntArray:
    days = timestamps // NS_PER_DAY
    if unit == "day":
        return days
    if unit == "week":
        # 1970-01-01 was a Thursday: +3 makes weeks start on Monday.
        out: IntArray = (days + 3) // 7
        return out
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _worst(values: FloatArray, last: IntArray) -> tuple[float, int]:
    """The most negative change from one period's close to the next (the first from the
    opening value), and the index of that period."""
    closes = values[last]
    previous = np.concatenate([values[:1], closes[:-1]])
    change = closes - previous
    i = int(np.argmin(change))
    return float(change[i]), i


def worst_period(r: BacktestResult) -> WorstPeriod | None:
    """Each book's worst period; None with fewer than two periods (nothing to compare)."""
    ts = r.timestamps
    unit = period_unit(ts)
    bucket = _buckets(ts, unit)
    starts = np.concatenate([[0], np.flatnonzero(bucket[1:] != bucket[:-1]) + 1])
    if starts.size < 2:
        return None
    last = np.append(starts[1:] - 1, ts.size - 1)
    u, iu = _worst(r.unhedged, last)
    h, ih = _worst(r.hedged, last)
    return WorstPeriod(unit, u, int(ts[starts[iu]]), h, int(ts[starts[ih]]))


def hedge_names(underlyings: Sequence[UnderlyingResult]) -> list[str]:
    """The contracts each hedge opened with: "5 × MBT", "40 × MET"."""
    out = []
    for u in underlyings:
        if u.option is None or u.opening in ("no hedge", "no contracts"):
            continue
        verb, _, legs = u.opening.partition(" ")
        out.append(legs if verb in ("short", "long") else u.opening)
    return out


def _side(underlyings: Sequence[UnderlyingResult]) -> str:
    return "long" if any(u.opening.startswith("long ") for u in underlyings) else "short"


def cross_hedged(links: PortfolioLinks) -> list[tuple[str, str]]:
    """Holdings with a history of their own hedged with another coin's futures, each with
    the history standing for those futures: [("SOL", "BTC")]."""
    pairs = (
        (h.holding.symbol, h.hedge_series)
        for h in links.holdings
        if h.own_series is not None and h.holding.symbol != h.hedge_series
    )
    return list(dict.fromkeys(pairs))


def backtest_words(
    r: BacktestResult, rebalance: str = "none", cross: Sequence[tuple[str, str]] = ()
) -> BacktestWords:
    """The lead sentence of a backtest and, when there is one, the "why" after it.

    ``rebalance``: "none", "weekly" or "monthly" (as run); ``cross``: holdings
    hedged with another coin's futures (``cross_hedged``).
    """
    names = hedge_names(r.underlyings)
    worst = worst_period(r)
    hedge = listing(names)
    if worst is None:
        lead = _whole_period(r, hedge)
        worse = bool(names) and r.hedged_figures.pnl_usd < r.unhedged_figures.pnl_usd
    else:
        lead, worse = _lead(worst, hedge)
    if names:
        deeper = r.hedged_figures.max_drawdown_usd < r.unhedged_figures.max_drawdown_usd
        worse = worse or deeper
    why = _why(r, rebalance, cross, worse) if names else ""
    return BacktestWords(lead, why, worse)


def _lead(w: WorstPeriod, hedge: str) -> tuple[str, bool]:
    unit = w.unit
    if not hedge:
        return (
            f"The plan opens no futures, so there is nothing to compare: your worst {unit} "
            f"was {usd(w.unhedged, signed=True)}.",
            False,
        )
    if w.unhedged >= 0:
        if w.hedged >= 0:
            return f"Your holdings never lost over a {unit} in this period, hedged or not.", False
        return (
            f"Your holdings never lost over a {unit} in this period, but hedged with {hedge} "
            f"the worst {unit} was {usd(w.hedged, signed=True)}.",
            True,
        )
    if w.hedged >= 0:
        return (
            f"Hedging with {hedge} would have left you without a losing {unit}; unhedged, "
            f"your worst {unit} was {usd(w.unhedged, signed=True)}.",
            False,
        )
    gap = w.hedged - w.unhedged  # > 0: the hedge helped
    if amount(w.hedged) == amount(w.unhedged):
        return (
            f"Hedging with {hedge} would not have softened your worst {unit}: "
            f"{usd(w.unhedged, signed=True)} either way.",
            True,
        )
    if abs(gap) <= SAME_SHARE * abs(w.unhedged):
        return (
            f"Hedging with {hedge} would have left your worst {unit} about the same: "
            f"{usd(w.unhedged, signed=True)} unhedged, {usd(w.hedged, signed=True)} hedged.",
            True,
        )
    if gap > 0:
        return (
            f"Hedging with {hedge} would have cut your worst {unit} from "
            f"{amount(w.unhedged, signed=True)} to {usd(w.hedged, signed=True)}.",
            False,
        )
    return (
        f"Hedging with {hedge} would have made your worst {unit} worse: "
        f"{usd(w.hedged, signed=True)} instead of {usd(w.unhedged, signed=True)} unhedged.",
        True,
    )


def _whole_period(r: BacktestResult, hedge: str) -> str:
    u, h = r.unhedged_figures.pnl_usd, r.hedged_figures.pnl_usd
    if not hedge:
        return f"The plan opens no futures: over this period your holdings made {usd(u, True)}."
    return (
        f"Over this short period your holdings made {usd(u, True)} unhedged and "
        f"{usd(h, True)} hedged with {hedge}."
    )


def _why(r: BacktestResult, rebalance: str, cross: Sequence[tuple[str, str]], worse: bool) -> str:
    """Why the hedge did worse (or, when it did not, that it was liquidated on the way)."""
    liquidated = [e for e in r.events if e.kind == "liquidation"]
    advice = " A lower leverage or more margin keeps a hedge open." if liquidated else ""
    if not worse:
        if not liquidated:
            return ""
        return f"On the way, {_liquidation_words(r, liquidated, rebalance)}.{advice}"
    reasons = [_liquidation_words(r, liquidated, rebalance)] if liquidated else []
    start = abs(r.unhedged_figures.start_value) or 1.0
    funding = float(r.funding[-1]) if r.funding is not None else 0.0
    if funding < 0 and -funding >= NOTABLE_COST * start:
        reasons.append(f"funding cost {usd(-funding)}")
    fees = float(r.fees[-1])
    if fees >= NOTABLE_COST * start:
        reasons.append(f"fees cost {usd(fees)}")
    if not liquidated:
        # Without a liquidation to blame, what is left is how the hedge was built.
        reasons += [
            f"{symbol} is hedged with {series} futures and did not always move with them"
            for symbol, series in cross
        ]
        if rebalance == "none":
            reasons.append("the hedge was sized for the prices at the start and never re-sized")
    if not reasons:
        reasons.append("the futures' gains and losses did not line up with your holdings'")
    return f"Why: {'; '.join(reasons)}.{advice}"


def _liquidation_words(r: BacktestResult, events: Sequence[BacktestEvent], rebalance: str) -> str:
    """ "both hedges were liquidated as prices rose (ETH on 2023-12-22 near 2,690, BTC on
    2024-04-02 near 50,208) and stayed closed for the rest of the period, so ..."."""
    first = {e.underlying: e for e in reversed(events)}
    hit = sorted(first, key=lambda u: first[u].ns)
    hedged = [u.underlying for u in r.underlyings if u.option is not None]
    if len(hit) == 1:
        who = f"the {hit[0]} hedge was"
    elif len(hit) == len(hedged):
        who = "both hedges were" if len(hit) == 2 else f"all {len(hit)} hedges were"
    else:
        who = f"the {listing(hit)} hedges were"
    total = sum(u.liquidations for u in r.underlyings)
    times = f" {plural(total, 'time')} in all" if total > len(hit) else ""
    direction = "rose" if _side(r.underlyings) == "short" else "fell"
    named = [_event_words(first[u]) for u in hit[:NAMED_LIQUIDATIONS]]
    when = f"first {', '.join(named)}" if times else ", ".join(named)
    if rebalance == "none":
        after = "stayed closed for the rest of the period, so the moves after that were not hedged"
    else:
        after = f"each time stayed closed until the next {rebalance} re-sizing"
    return f"{who} liquidated{times} as prices {direction} ({when}) and {after}"


def _event_words(e: BacktestEvent) -> str:
    day = ns_to_iso(e.ns, date_only=True)
    near = f" near {e.price:,.0f}" if e.price is not None else ""
    return f"{e.underlying} on {day}{near}"
