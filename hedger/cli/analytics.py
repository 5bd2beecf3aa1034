"""What the history-based commands (``beta``, ``backtest``, ``risk``) share.

The portfolio arguments, loading the portfolio with the histories it needs,
how floats from the simulations are shown (never ``-0.00``), and the
conventions every analytics command states in its ``--help``. numpy and the
analytics code are imported inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hedger.cli.args import series_pair_arg
from hedger.cli.output import warn

if TYPE_CHECKING:
    from hedger.core.analytics.series import PriceSeries
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio


# How each analytics command reads prices (README "Analytics conventions"):
# shown at the end of its --help (an epilog: argparse does not %-format it).
SHARES = "Percent options: 50% is fifty per cent, a bare number is a fraction (0.5)."
CONVENTIONS = {
    "beta": (
        "Conventions: simple returns between the last prices of consecutive UTC hours, "
        "days or weeks (--interval); the holding and its hedge series are aligned on the "
        "intervals where both have a price, the others are dropped; volatilities are "
        "annualised with 365 days a year (daily x sqrt(365), hourly x sqrt(8760), weekly x "
        "sqrt(365/7)). " + SHARES
    ),
    "backtest": (
        "Conventions: every stored price point (or the last of each hour or day with "
        "--interval) on the hedge series' timestamps; a series with no point at that "
        "moment uses its last earlier price. Figures use simple returns; volatility comes "
        "from the last value of each UTC day, annualised x sqrt(365) (crypto trades every "
        "day). " + SHARES
    ),
    "risk": (
        "Conventions: daily log returns between the last prices of consecutive UTC days, "
        "over the days every series involved has a price (the others are dropped); the "
        "horizon is in calendar days and nothing is annualised. " + SHARES
    ),
    "size": "Conventions: no price history is used. " + SHARES,
}


def add_portfolio_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    p.add_argument(
        "--hedge-series",
        action="append",
        default=[],
        type=series_pair_arg,
        metavar="UNDERLYING=SYMBOL",
        help="history standing for an underlying's futures, e.g. BTC=BTC-PERP (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


@dataclass(frozen=True)
class Inputs:
    portfolio: Portfolio
    catalog: Catalog
    histories: dict[str, PriceSeries]
    hedge_series: dict[str, str]  # underlying -> history symbol standing for its futures


def load_inputs(args: argparse.Namespace) -> Inputs:
    """The catalog, the portfolio file and the stored histories it needs."""
    from hedger.cli.loading import load_catalog, load_portfolio
    from hedger.services.analytics import load_histories

    catalog = load_catalog()
    portfolio = load_portfolio(args.file)
    hedge_series = dict(args.hedge_series)
    histories = load_histories(portfolio, catalog, hedge_series, on_warning=warn)
    return Inputs(portfolio, catalog, histories, hedge_series)


def fixed(value: float, places: int = 2, grouped: bool = False) -> str | None:
    """``value`` with ``places`` decimals, or None when not finite; never ``-0.00``
    (a tiny negative that rounds to zero prints as zero)."""
    if not math.isfinite(value):
        return None
    text = f"{value:,.{places}f}" if grouped else f"{value:.{places}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text


def usd(value: float) -> str | None:
    """A USD amount for JSON: 2 decimals, or null when not finite."""
    return fixed(value)


def pct(value: float) -> str | None:
    """A share as a JSON percentage: 0.1234 -> "12.34", or null when not finite."""
    return fixed(value * 100) if math.isfinite(value) else None


def money_text(value: float) -> str:
    return fixed(value, grouped=True) or "—"


def pct_text(value: float) -> str:
    text = fixed(value * 100) if math.isfinite(value) else None
    return f"{text} %" if text is not None else "—"
