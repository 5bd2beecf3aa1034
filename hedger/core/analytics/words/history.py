"""Stored price history in words: how much there is, and whether it is enough.

"BTC, ETH and SOL have 2 years of daily closes: enough for betas, backtest and
risk." A year or more gives steady estimates; risk needs at least 30 days of
daily returns; a coin the portfolio needs without any history is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hedger.core.analytics.links import PortfolioLinks
from hedger.core.analytics.risk import MIN_DAYS
from hedger.core.analytics.series import NS_PER_DAY
from hedger.core.analytics.words.amounts import listing, span

#: From this span on, betas and risk rest on a full year of market moods.
FULL_DAYS = 330


class HistoryFacts(Protocol):
    """What the words need of a stored history (``HistoryInfo`` has it)."""

    @property
    def symbol(self) -> str: ...

    @property
    def first_ns(self) -> int | None: ...

    @property
    def last_ns(self) -> int | None: ...

    @property
    def rows(self) -> int: ...


def step_words(facts: HistoryFacts) -> str:
    """The spacing of the closes: "daily", "hourly", "minute", "weekly"."""
    if facts.rows < 2 or facts.first_ns is None or facts.last_ns is None:
        return "scattered"
    step_s = (facts.last_ns - facts.first_ns) / (facts.rows - 1) / 1e9
    for limit, name in ((90, "minute"), (5400, "hourly"), (100_000, "daily"), (800_000, "weekly")):
        if step_s < limit:
            return name
    return "scattered"


def _days(facts: HistoryFacts) -> float:
    if facts.first_ns is None or facts.last_ns is None:
        return 0.0
    return (facts.last_ns - facts.first_ns) / NS_PER_DAY


def _enough(days: float) -> str:
    if days >= FULL_DAYS:
        return "enough for betas, backtest and risk"
    if days > MIN_DAYS:
        return "enough to start; a year or more gives steadier betas and risk"
    return f"too short for risk, which needs {MIN_DAYS} days"


def needed_symbols(links: PortfolioLinks) -> list[str]:
    """The histories a portfolio's analytics use: each holding's own and each hedge's."""
    out: dict[str, None] = {}
    for h in links.holdings:
        out[h.holding.symbol] = None
        out[h.hedge_series] = None
    return list(out)


def history_lead(stored: Sequence[HistoryFacts], needed: Sequence[str]) -> str:
    """The History view's lead: what the portfolio's coins have, and what is missing.

    ``needed``: the symbols the portfolio uses (``needed_symbols``); empty, the
    sentence describes what is stored.
    """
    by_symbol = {f.symbol: f for f in stored if f.rows}
    wanted = list(needed) or list(by_symbol)
    if not by_symbol:
        return ""
    groups: dict[tuple[str, str, str], list[str]] = {}
    missing: list[str] = []
    for symbol in wanted:
        facts = by_symbol.get(symbol)
        if facts is None:
            missing.append(symbol)
            continue
        key = (span(int(_days(facts) * NS_PER_DAY)), step_words(facts), _enough(_days(facts)))
        groups.setdefault(key, []).append(symbol)
    parts = []
    for (length, step, enough), symbols in groups.items():
        verb = "has" if len(symbols) == 1 else "have"
        parts.append(f"{listing(symbols)} {verb} {length} of {step} closes: {enough}")
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        parts.append(f"{listing(missing)} {verb} none yet: download or import it")
        if len(missing) > 1:
            parts[-1] = parts[-1].removesuffix("it") + "them"
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "."
