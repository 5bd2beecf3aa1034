"""Asking the venues for prices, phase by phase, under one time limit.

A refresh asks in three phases: spot prices; the hedge's own contract where
its venue is a source (OKX's inverse swap for an OKX inverse family); the
perpetual futures, which stand in for every other contract. Within a phase
each later source is asked only for what is still unpriced, and a venue that
could not be reached is not asked again. Every answer is validated as it
arrives, against the recent and typed prices the caller hands in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from hedger.core.catalog import Catalog, Contract
from hedger.core.models import Portfolio, Quote
from hedger.live.age import FUTURES_PREFIX, INSTRUMENT_SEPARATOR, futures_key
from hedger.live.http import (
    PriceSourceError,
    RefreshStopped,
    RefreshTimeLimit,
    RequestBudget,
    VenueUnreachable,
    clip,
    request_budget,
)
from hedger.live.validate import Plausibility, validate_prices
from hedger.live.venues.base import PriceSource, SourceAnswer

Kind = Literal["spot", "futures"]
# "contract": the hedge's own contract where its venue is a source, asked
# before the perpetuals.
Phase = Literal["spot", "contract", "futures"]
# Ranks of the reasons a price is missing: a rejected answer explains more
# than "not listed".
REJECTED = 0
UNLISTED = 1


@dataclass(frozen=True, slots=True)
class PhaseRequest:
    phase: Phase
    symbols: tuple[str, ...]  # underlyings for the futures phases
    sources: tuple[PriceSource, ...]  # in fallback order


@dataclass(frozen=True, slots=True)
class RequestPlan:
    phases: tuple[PhaseRequest, ...]
    hedge: dict[str, Contract]  # underlying -> the contract it is hedged with

    @property
    def total(self) -> int:
        """Steps of the progress bar: one per source asked in a phase."""
        return sum(len(p.sources) for p in self.phases)


def plan_requests(
    portfolio: Portfolio,
    catalog: Catalog,
    spot: tuple[str, ...],
    futures: tuple[str, ...],
    sources: Sequence[PriceSource],
) -> RequestPlan:
    """Which sources each phase asks, for which symbols."""
    spot_sources = tuple(sources) if spot else ()
    futures_sources = tuple(s for s in sources if s.has_futures) if futures else ()
    hedge = _hedge_contracts(portfolio, catalog, futures)
    contract_sources = tuple(
        s
        for s in futures_sources
        if any(c.venue.upper() in s.contract_venues for c in hedge.values())
    )
    phases = (
        PhaseRequest("spot", spot, spot_sources),
        PhaseRequest("contract", tuple(hedge), contract_sources),
        PhaseRequest("futures", futures, futures_sources),
    )
    return RequestPlan(phases, hedge)


def _hedge_contracts(
    portfolio: Portfolio, catalog: Catalog, underlyings: Sequence[str]
) -> dict[str, Contract]:
    """The contract each underlying is hedged with (its family's largest)."""
    out: dict[str, Contract] = {}
    for u in underlyings:
        fid = portfolio.hedge.families.get(u) or catalog.default_family_for(u)
        if fid is None or fid not in catalog.families:
            continue
        members = catalog.family_contracts(fid)
        if members:
            out[u] = members[0]
    return out


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    """What every answer is validated against, and the time its quotes carry."""

    now: datetime
    last: dict[str, Decimal]  # recent fetched prices by quote key
    typed: dict[str, Decimal]  # prices the person typed, by quote key
    plausibility: Plausibility


@dataclass(slots=True)
class Collected:
    """What the venues answered so far, validated."""

    quotes: dict[str, Quote] = field(default_factory=dict)  # accepted, by quote key
    jumps: dict[str, Quote] = field(default_factory=dict)  # rejected only for the move
    problems: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (rank, why)
    errors: list[str] = field(default_factory=list)  # venue errors, in order
    unreachable: set[int] = field(default_factory=set)  # id() of sources not to ask again
    stopped: bool = False
    timed_out: bool = False

    def record(self, source: str, kind: Phase, answer: SourceAnswer, check: AnswerCheck) -> None:
        """Validate one source's answer and keep what it says."""
        p = check.plausibility
        result = validate_prices(
            source,
            _keyed(kind, answer.prices),
            check.last,
            p.max_factor,
            typed=check.typed,
            typed_factor=p.typed_factor,
            check_jumps=p.check_jumps,
        )
        for sym in answer.prices:
            key = _key(kind, sym)
            label = _source_label(source, kind, answer, sym)
            if key in result.accepted:
                self.quotes[key] = Quote(
                    price=result.accepted[key],
                    source=label,
                    fetched_at=check.now,
                    kind=_quote_kind(kind),
                )
            elif key in result.jumps:
                self.jumps.setdefault(
                    key,
                    Quote(
                        price=result.jumps[key],
                        source=label,
                        fetched_at=check.now,
                        kind=_quote_kind(kind),
                    ),
                )
        for sym, msg in answer.problems.items():
            rank = REJECTED if sym in answer.unreadable else UNLISTED
            self.problems.setdefault(_key(kind, sym), []).append((rank, msg))
        for key, msg in result.rejected.items():
            self.problems.setdefault(key, []).append(
                (REJECTED, msg.replace(key, key_label(key), 1))
            )


def ask_venues(
    plan: RequestPlan,
    check: AnswerCheck,
    *,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    time_limit: float | None,
    on_source: Callable[[str, str], None] | None = None,
) -> Collected:
    """Ask the plan's sources phase by phase until all is priced, stopped or out of time.

    Blocks for as long as the venues take, and never longer than
    ``time_limit`` seconds in all. ``should_stop`` is checked before every
    request; ``on_source(name, kind)`` is told which venue is being asked.
    """
    if progress is not None:
        progress(0, plan.total)
    with request_budget(time_limit, should_stop or (lambda: False)) as budget:
        asker = _Asker(plan, check, budget, progress, on_source)
        for index in range(len(plan.phases)):
            asker.ask_phase(index)
            if asker.out.stopped or asker.out.timed_out:
                break
    return asker.out


class _Asker:
    """One refresh's walk over the phases and their sources."""

    def __init__(
        self,
        plan: RequestPlan,
        check: AnswerCheck,
        budget: RequestBudget,
        progress: Callable[[int, int], None] | None,
        on_source: Callable[[str, str], None] | None,
    ) -> None:
        self.plan = plan
        self.check = check
        self.budget = budget
        self.progress = progress
        self.on_source = on_source
        self.out = Collected()
        self.done = 0

    def tick(self, steps: int = 1) -> None:
        self.done = min(self.plan.total, self.done + steps)
        if self.progress is not None:
            self.progress(self.done, self.plan.total)

    def ask_phase(self, index: int) -> None:
        out = self.out
        request = self.plan.phases[index]
        kind, sources = request.phase, request.sources
        remaining = [s for s in request.symbols if _key(kind, s) not in out.quotes]
        for i, source in enumerate(sources):
            if not remaining:
                self.tick(len(sources) - i)
                break
            asked = remaining
            if kind == "contract":
                hedge = self.plan.hedge
                asked = [u for u in remaining if hedge[u].venue.upper() in source.contract_venues]
            if id(source) in out.unreachable or not asked:
                self.tick()
                continue
            try:
                self.budget.check(source.name)
            except RefreshStopped:
                out.stopped = True
                break
            except RefreshTimeLimit as exc:
                out.timed_out = True
                out.errors.append(self._not_asked(exc, index, i))
                break
            if self.on_source is not None:
                self.on_source(source.name, kind)
            answer, failure = _ask(source, kind, asked, self.plan.hedge)
            if isinstance(failure, RefreshStopped):
                out.stopped = True
                break
            if failure is not None:
                out.errors.append(str(failure))
                if isinstance(failure, VenueUnreachable | RefreshTimeLimit):
                    out.unreachable.add(id(source))
                out.timed_out = out.timed_out or isinstance(failure, RefreshTimeLimit)
            out.record(source.name, kind, answer, self.check)
            remaining = [s for s in remaining if _key(kind, s) not in out.quotes]
            self.tick()

    def _not_asked(self, exc: RefreshTimeLimit, index: int, i: int) -> str:
        """Why the sources from the ``i``-th of phase ``index`` on were not asked."""
        phases = self.plan.phases
        left: list[tuple[Phase, PriceSource]] = [
            *((phases[index].phase, src) for src in phases[index].sources[i:]),
            *((p.phase, src) for p in phases[index + 1 :] for src in p.sources),
        ]
        return _time_limit_message(exc, left, self.out.unreachable)


def _ask(
    source: PriceSource, kind: Phase, symbols: list[str], hedge: dict[str, Contract]
) -> tuple[SourceAnswer, PriceSourceError | None]:
    try:
        if kind == "spot":
            return source.fetch_spot(symbols), None
        if kind == "contract":
            return source.fetch_contracts({u: hedge[u] for u in symbols}), None
        return source.fetch_futures(symbols), None
    except PriceSourceError as exc:
        return SourceAnswer(), exc
    except Exception as exc:
        # A source is network code fed by strangers (or an optional library):
        # whatever it throws must not take down the app's refresh.
        failure = PriceSourceError(f"{source.name} failed: {type(exc).__name__}: {clip(exc, 80)}")
        return SourceAnswer(), failure


def _quote_kind(phase: Phase) -> Kind:
    return "spot" if phase == "spot" else "futures"


def _source_label(name: str, kind: Phase, answer: SourceAnswer, symbol: str) -> str:
    """The venue, and for a futures price its instrument: "Binance · BTCUSDT perpetual"."""
    instrument = answer.instruments.get(symbol) if kind != "spot" else None
    if not instrument:
        return name
    return f"{name}{INSTRUMENT_SEPARATOR}{instrument}"[:80]


def _time_limit_message(
    exc: RefreshTimeLimit, left: Sequence[tuple[Phase, PriceSource]], skipped: set[int]
) -> str:
    """'OKX (spot) and Binance (futures) not asked: the refresh's 20 s time limit …'."""
    names = [f"{s.name} ({_quote_kind(kind)})" for kind, s in left if id(s) not in skipped]
    return f"{' and '.join(dict.fromkeys(names))} not asked: {exc.reason}"


def _key(kind: Phase, symbol: str) -> str:
    return symbol if kind == "spot" else futures_key(symbol)


def _keyed(kind: Phase, prices: dict[str, Decimal]) -> dict[str, Decimal]:
    return {_key(kind, s): v for s, v in prices.items()}


def key_label(key: str) -> str:
    """'BTC' or 'BTC futures' for a quote key."""
    if key.startswith(FUTURES_PREFIX):
        return f"{key.removeprefix(FUTURES_PREFIX)} futures"
    return key
