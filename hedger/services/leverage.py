"""The leverage warning with the volatility of the user's own history.

``hedger.core.leverage`` warns above the leverage where a one-day move of
three daily standard deviations reaches liquidation. Here the daily
volatility comes from stored price history (``hedger.core.analytics.volatility``:
the last 90 days of the underlying's history, or of the series standing for
its futures); without enough history the core's documented default is used
(4 % a day for BTC, 5 % for ETH, 8 % for other coins).

Used by the desktop app (the hedge panel's leverage field) with the history
cache it already holds; ``hedger plan`` keeps to the defaults so that it
starts without numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from hedger.core.leverage import LeverageAdvice, leverage_advice
from hedger.core.liquidation import Side

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio
    from hedger.services.analytics import SeriesSource

DailyVols = dict[str, tuple[Decimal, str]]


def measured_daily_vols(
    underlyings: Iterable[str],
    source: SeriesSource,
    hedge_series: Mapping[str, str] | None = None,
    lookback_days: int = 90,
) -> DailyVols:
    """(daily volatility, where it came from) per underlying that has enough history.

    Pass the result to ``plan_portfolio(..., daily_vols=...)``.
    """
    from hedger.core.analytics.volatility import daily_volatility

    series_of = dict(hedge_series or {})
    wanted = {u: series_of.get(u, u) for u in underlyings}
    available = source.symbols()
    loaded = source.series([s for s in set(wanted.values()) if s in available])
    out: DailyVols = {}
    for underlying, symbol in wanted.items():
        series = loaded.get(symbol)
        vol = daily_volatility(series, lookback_days) if series is not None else None
        if vol is not None:
            text = f"{symbol} history, last {lookback_days} days"
            out[underlying] = (Decimal(repr(round(vol, 6))), text)
    return out


def leverage_advice_for(
    portfolio: Portfolio,
    catalog: Catalog,
    underlying: str,
    leverage: Decimal,
    source: SeriesSource | None = None,
    hedge_series: Mapping[str, str] | None = None,
) -> LeverageAdvice | None:
    """The advice for one underlying at ``leverage`` (e.g. as the user types it), with
    its family from the portfolio (or the catalog's default); None without a family."""
    settings = portfolio.hedge
    family_id = settings.families.get(underlying) or catalog.default_family_for(underlying)
    if family_id is None or family_id not in catalog.families:
        return None
    contracts = catalog.family_contracts(family_id)
    vols = measured_daily_vols([underlying], source, hedge_series) if source else {}
    vol, text = vols.get(underlying, (None, ""))
    side: Side = "long" if _exposure(portfolio, underlying) < 0 else "short"
    return leverage_advice(underlying, leverage, contracts, side, vol, text, settings.account)


def _exposure(portfolio: Portfolio, underlying: str) -> Decimal:
    return sum(
        (h.quantity * h.price for h in portfolio.holdings if h.symbol == underlying), Decimal(0)
    )
