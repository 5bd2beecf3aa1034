"""Which price history values each holding and each hedge.

A holding is valued from its own history when there is one; otherwise it is
a *proxy*: each of its returns is ``beta`` times its hedge underlying's, the
assumption the hedge plan makes. Compounded over a path that is
``value × (F/F0)^beta`` (``proxy_factor``): it never goes below zero, and its
exposure stays ``beta × value`` at every step, as the planner computes it.

A hedge is valued from the history of its underlying, or of another symbol
the user names for it (e.g. imported futures prices, ``BTC -> BTC-PERP``),
which is where basis shows up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from hedger.core.analytics.series import FloatArray, PriceSeries
from hedger.core.catalog import Catalog
from hedger.core.models import Holding, Portfolio
from hedger.core.planner import resolve_underlying


class AnalyticsError(ValueError):
    """Inputs that cannot give a result; the message is one line for the user."""


@dataclass(frozen=True)
class HoldingLink:
    row: int
    holding: Holding
    underlying: str
    hedge_series: str  # history symbol standing for the underlying's futures
    beta: Decimal  # effective beta (1 when not given)
    own_series: str | None  # history symbol of the holding itself, if stored

    @property
    def value(self) -> Decimal:
        return self.holding.quantity * self.holding.price


@dataclass(frozen=True)
class PortfolioLinks:
    holdings: tuple[HoldingLink, ...]
    cash_usd: Decimal  # stablecoins: constant in every scenario

    def for_underlying(self, underlying: str) -> list[HoldingLink]:
        return [h for h in self.holdings if h.underlying == underlying]

    @property
    def proxied(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.holding.symbol for h in self.holdings if h.own_series is None))

    def series_needed(self) -> set[str]:
        needed = {h.hedge_series for h in self.holdings}
        needed.update(h.own_series for h in self.holdings if h.own_series)
        return needed


def proxy_factor(price_ratio: FloatArray, beta: float) -> FloatArray:
    """Value relative of a proxied holding when its hedge series moved by ``price_ratio``."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out: FloatArray = np.power(np.maximum(price_ratio, 0.0), beta)
    return out


def hedge_series_symbol(underlying: str, overrides: Mapping[str, str] | None) -> str:
    if overrides and underlying in overrides:
        return overrides[underlying]
    return underlying


def link_portfolio(
    portfolio: Portfolio,
    catalog: Catalog,
    available: Mapping[str, PriceSeries] | set[str] | frozenset[str],
    hedge_series: Mapping[str, str] | None = None,
) -> PortfolioLinks:
    """Map each holding to its underlying, hedge history and own history."""
    families = dict(portfolio.hedge.families)
    links: list[HoldingLink] = []
    cash = Decimal(0)
    for row, h in enumerate(portfolio.holdings):
        if h.is_stablecoin:
            cash += h.quantity * h.price
            continue
        underlying, _ = resolve_underlying(h, catalog, families)
        hs = hedge_series_symbol(underlying, hedge_series)
        own = h.symbol if h.symbol in available else None
        links.append(HoldingLink(row, h, underlying, hs, h.effective_beta, own))
    return PortfolioLinks(tuple(links), cash)


def require_series(
    links: PortfolioLinks, histories: Mapping[str, PriceSeries]
) -> dict[str, PriceSeries]:
    """The histories the links need; a missing hedge history is an AnalyticsError."""
    out: dict[str, PriceSeries] = {}
    for h in links.holdings:
        if h.hedge_series not in histories or not len(histories[h.hedge_series]):
            raise AnalyticsError(
                f"no price history for {h.hedge_series}, which values the {h.underlying} "
                f"hedge; import one with 'hedger history import FILE --symbol {h.hedge_series}'"
            )
        out[h.hedge_series] = histories[h.hedge_series]
        if h.own_series is not None:
            out[h.own_series] = histories[h.own_series]
    return out
