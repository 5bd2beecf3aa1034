"""What the history-based commands (``beta``, ``backtest``, ``risk``) share.

The portfolio arguments, loading the portfolio with the histories it needs,
and how floats from the simulations are shown. numpy and the analytics code
are imported inside the commands, so ``--help`` stays fast.
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


def usd(value: float) -> str | None:
    """A USD amount for JSON: 2 decimals, or null when not finite."""
    return f"{value:.2f}" if math.isfinite(value) else None


def pct(value: float) -> str | None:
    """A share as a JSON percentage: 0.1234 -> "12.34", or null when not finite."""
    return f"{value * 100:.2f}" if math.isfinite(value) else None


def money_text(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "—"


def pct_text(value: float) -> str:
    return f"{value * 100:.2f} %" if math.isfinite(value) else "—"
