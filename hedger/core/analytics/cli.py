"""Command line for the analytics: ``history``, ``beta``, ``backtest``, ``risk``, ``size``.

``hedger.cli`` imports this module only when one of these commands (or
``--help``) is asked for, and calls ``register(subparsers)``. numpy and the
analytics modules are imported inside the commands so ``--help`` stays fast.
Bad input ends as one line on stderr and exit status 2 (``CliError``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli import EXIT_BAD_INPUT, EXIT_OK, CliError

if TYPE_CHECKING:
    from hedger.core.analytics.backtest import BacktestConfig, BacktestResult, Figures
    from hedger.core.analytics.estimation import HoldingEstimate, Window
    from hedger.core.analytics.history import ImportReport
    from hedger.core.analytics.position_sizing import SizedOption, SizingResult
    from hedger.core.analytics.risk import PnlSummary, RiskResult
    from hedger.core.analytics.series import PriceSeries
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio
    from hedger.store.history import HistoryInfo, ImportOutcome

SHOWN_ERRORS_JSON = 20
_DAYS = re.compile(r"^\s*(\d+)\s*([dwmy]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


# --------------------------------------------------------------------------- registration


def register(sub: argparse._SubParsersAction[Any]) -> None:
    _add_history(sub)
    _add_beta(sub)
    _add_backtest(sub)
    _add_risk(sub)
    _add_size(sub)


def _add_history(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "history",
        help="import and list price histories",
        description=(
            "Price histories (daily or intraday closes) are stored in the data folder "
            "and shared by every portfolio."
        ),
    )
    hsub = p.add_subparsers(dest="history_command", metavar="ACTION", parser_class=type(p))
    imp = hsub.add_parser(
        "import",
        help="import a CSV of prices for a symbol",
        description=(
            "Import closes from a CSV: date,close / timestamp,price, a CoinGecko or Yahoo "
            "Finance export, or a Binance kline file. Re-importing merges and de-duplicates. "
            "A file with bad rows is refused unless --accept-partial is given."
        ),
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--symbol", required=True, type=_symbol_arg, help="e.g. BTC")
    imp.add_argument("--source", help="where the data came from (default: the file name)")
    imp.add_argument(
        "--accept-partial",
        action="store_true",
        help="import the good rows even if some rows are bad",
    )
    imp.add_argument("--json", action="store_true", help="machine-readable output")
    imp.set_defaults(func=cmd_history_import)
    lst = hsub.add_parser("list", help="list stored histories")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=cmd_history_list)
    rm = hsub.add_parser("delete", help="delete the stored history of a symbol")
    rm.add_argument("symbol", type=_symbol_arg, metavar="SYMBOL")
    rm.set_defaults(func=cmd_history_delete)
    p.set_defaults(func=_history_usage)


def _add_portfolio_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    p.add_argument(
        "--hedge-series",
        action="append",
        default=[],
        type=_pair_arg,
        metavar="UNDERLYING=SYMBOL",
        help="history standing for an underlying's futures, e.g. BTC=BTC-PERP (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _add_beta(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "beta",
        help="estimate betas and hedge ratios from price history",
        description=(
            "For each holding with a history of its own and of its hedge underlying: beta "
            "(regression of returns), correlation, the minimum-variance hedge ratio "
            "h* = rho*sigmaS/sigmaF and hedge effectiveness rho^2."
        ),
    )
    _add_portfolio_args(p)
    p.add_argument(
        "--window", type=_window_arg, default=365, help="days of history (e.g. 90, 1y, all)"
    )
    p.add_argument("--interval", choices=("hour", "day", "week"), default="day")
    p.set_defaults(func=cmd_beta)


def _add_backtest(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "backtest",
        help="hedged versus unhedged value over past prices",
        description=(
            "Value the portfolio and its current hedge over stored price history: held "
            "fixed, or re-sized weekly or monthly. Figures: return, volatility, maximum "
            "drawdown, worst day."
        ),
    )
    _add_portfolio_args(p)
    p.add_argument("--start", type=_date_arg, help="first day, YYYY-MM-DD (default: all)")
    p.add_argument("--end", type=_date_arg, help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--rebalance", choices=("none", "weekly", "monthly"), default="none")
    p.add_argument(
        "--interval",
        choices=("native", "hour", "day"),
        default="native",
        help="price points used (default: every stored point)",
    )
    p.add_argument(
        "--no-liquidation",
        action="store_true",
        help="assume margin is topped up (no liquidation)",
    )
    p.add_argument("--no-fees", action="store_true", help="leave trading fees out")
    p.set_defaults(func=cmd_backtest)


def _add_risk(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "risk",
        help="simulate hedged and unhedged P&L: value at risk, expected shortfall",
        description=(
            "Monte Carlo of the P&L over a horizon from the volatility and correlation "
            "in the history (normal) or by resampling historical days (bootstrap)."
        ),
    )
    _add_portfolio_args(p)
    p.add_argument(
        "--horizon", type=_horizon_arg, default=7, help="1 day to 3 months: 1, 7d, 2w, 1m, 3m"
    )
    p.add_argument("--method", choices=("normal", "bootstrap"), default="normal")
    p.add_argument("--paths", type=_int_arg, default=10_000, help="number of paths")
    p.add_argument("--seed", type=_seed_arg, help="random seed, 0 to 2^63-1, to reproduce a result")
    p.add_argument(
        "--window", type=_window_arg, default=365, help="days of history (e.g. 365, 2y, all)"
    )
    p.add_argument("--drift", action="store_true", help="keep the history's mean return")
    p.add_argument("--no-liquidation", action="store_true", help="assume margin is topped up")
    p.set_defaults(func=cmd_risk)


def _add_size(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "size",
        help="contracts per tier that risk a share of your equity",
        description=(
            "contracts = floor(equity x risk% / (|entry - stop| x multiplier)), per contract "
            "of a family, with the real loss at the stop, the margin and warnings."
        ),
    )
    p.add_argument("--equity", required=True, type=_money_arg, help="account equity, USD")
    p.add_argument("--risk", required=True, type=_percent_arg, help="risk per trade: 1 or 1%%")
    p.add_argument("--entry", required=True, type=_money_arg, help="entry price")
    p.add_argument("--stop", required=True, type=_money_arg, help="stop-loss price")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--family", type=str.upper, help="contract family, e.g. CME-BTC")
    group.add_argument("--underlying", type=_symbol_arg, help="use its default family")
    p.add_argument("--leverage", type=_money_arg, default=Decimal(10), help="default 10")
    p.add_argument("--fees", action="store_true", help="count fees against the risk")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_size)


# --------------------------------------------------------------------------- argument types


def _symbol_arg(text: str) -> str:
    from hedger.core.models import normalise_symbol

    try:
        return normalise_symbol(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pair_arg(text: str) -> tuple[str, str]:
    left, sep, right = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected UNDERLYING=SYMBOL like BTC=BTC-PERP: {text!r}")
    return _symbol_arg(left), _symbol_arg(right)


def _decimal(text: str, what: str) -> Decimal:
    from hedger.core.decimals import DecimalParseError, parse_decimal

    try:
        return parse_decimal(text, what=what)
    except DecimalParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _money_arg(text: str) -> Decimal:
    value = _decimal(text, "value")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text.strip()}")
    return value


def _percent_arg(text: str) -> Decimal:
    raw = text.strip().removesuffix("%")
    value = _decimal(raw, "risk")
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"risk must be above 0 and at most 100 %, got {text}")
    return value


def _int_arg(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _seed_arg(text: str) -> int:
    from hedger.core.analytics.risk import MAX_SEED

    value = _int_arg(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed must be at most {MAX_SEED} (2^63-1), got {text}")
    return value


def parse_days(text: str) -> int:
    """``90``, ``90d``, ``2w``, ``3m`` (30-day months), ``1y`` -> days."""
    m = _DAYS.match(text)
    if not m:
        raise ValueError(f"expected days like 90, 2w, 3m or 1y, got {text!r}")
    return int(m.group(1)) * _UNIT_DAYS[m.group(2).lower()]


def _window_arg(text: str) -> int | None:
    if text.strip().lower() == "all":
        return None
    try:
        days = parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if days < 1:
        raise argparse.ArgumentTypeError("the window must be at least 1 day")
    return days


def _horizon_arg(text: str) -> int:
    try:
        days = parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 1 <= days <= 92:
        raise argparse.ArgumentTypeError(f"horizon must be 1 day to 3 months, got {text}")
    return days


def parse_date_ns(text: str, *, end_of_day: bool = False) -> int:
    """``YYYY-MM-DD`` (or an ISO time) -> ns UTC; a date as end bound covers the whole day."""
    from datetime import UTC, datetime

    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a date like 2024-01-31, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    ns = int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1000
    if end_of_day and len(raw) <= 10:
        ns += 86_400 * 1_000_000_000 - 1
    return ns


def _date_arg(text: str) -> str:
    try:
        parse_date_ns(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


# --------------------------------------------------------------------------- history


def _history_usage(args: argparse.Namespace) -> int:
    raise CliError("history needs an action: import, list or delete (see 'hedger history --help')")


def cmd_history_import(args: argparse.Namespace) -> int:
    from hedger.core.analytics.history import HistoryImportError, read_price_file
    from hedger.store.history import HistoryStore, HistoryStoreError, PartialImportRefused

    try:
        report = read_price_file(args.file, args.symbol, args.source)
    except HistoryImportError as exc:
        raise CliError(str(exc)) from None
    store = HistoryStore()
    outcome: ImportOutcome | None = None
    refused: str | None = None
    try:
        outcome = store.import_report(report, accept_partial=args.accept_partial)
    except PartialImportRefused:
        bad = report.bad_count
        refused = (
            f"{report.source_name}: {bad:,} bad row{'s' if bad != 1 else ''}; nothing imported "
            f"(re-run with --accept-partial to import the {report.good_rows:,} good rows)"
        )
    except HistoryStoreError as exc:
        refused = str(exc)
    if args.json:
        _write_json(_import_to_dict(args.symbol, report, outcome))
    else:
        _write(_render_import(args.symbol, report, outcome))
    if refused:
        raise CliError(refused)
    return EXIT_OK


def _import_to_dict(
    symbol: str, report: ImportReport, outcome: ImportOutcome | None
) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    s = report.series
    out: dict[str, Any] = {
        "symbol": symbol,
        "file": report.source_name,
        "format": report.layout.format_name,
        "time_column": report.layout.time_name,
        "price_column": report.layout.price_name,
        "rows_read": report.rows_read,
        "good_rows": report.good_rows,
        "bad_rows": report.bad_count,
        "duplicates": report.duplicates,
        "errors": [{"row": e.row, "reason": e.reason} for e in report.bad_rows[:SHOWN_ERRORS_JSON]],
        "first": ns_to_iso(s.first_ns) if s.first_ns is not None else None,
        "last": ns_to_iso(s.last_ns) if s.last_ns is not None else None,
        "notes": list(report.notes),
        "imported": outcome is not None,
    }
    if outcome is not None:
        out["added"] = outcome.stats.added
        out["replaced"] = outcome.stats.replaced
        out["unchanged"] = outcome.stats.unchanged
        out["stored"] = outcome.info.to_dict()
        out["damaged_kept_as"] = outcome.set_aside
    return out


def _render_import(symbol: str, report: ImportReport, outcome: ImportOutcome | None) -> str:
    lines = [report.summary()]
    if outcome is not None:
        st, info = outcome.stats, outcome.info
        lines.append(
            f"Imported into {symbol}: {st.added:,} new rows, {st.replaced:,} replaced, "
            f"{st.unchanged:,} unchanged; {symbol} now holds {info.rows:,} rows "
            f"({_info_span(info)})."
        )
        aside = outcome.set_aside_message()
        if aside:
            lines.append(aside)
    else:
        lines.append(f"Nothing imported into {symbol}.")
    return "\n".join(lines) + "\n"


def _info_span(info: HistoryInfo) -> str:
    from hedger.core.analytics.series import ns_to_iso

    if info.first_ns is None or info.last_ns is None:
        return "empty"
    return f"{ns_to_iso(info.first_ns)} to {ns_to_iso(info.last_ns)}"


def cmd_history_list(args: argparse.Namespace) -> int:
    from hedger.store.history import HistoryStore

    infos, damaged = HistoryStore().scan()
    if args.json:
        _write_json(
            {
                "histories": [i.to_dict() for i in infos],
                "damaged": [d.to_dict() for d in damaged],
            }
        )
        return EXIT_OK
    if not infos and not damaged:
        _write(
            "No price histories yet. Import one with 'hedger history import FILE --symbol SYM'.\n"
        )
        return EXIT_OK
    lines: list[str] = []
    if infos:
        rows = [["symbol", "rows", "from", "to", "sources"]]
        for i in infos:
            span = _info_span(i).split(" to ")
            rows.append(
                [i.symbol, f"{i.rows:,}", span[0], span[-1], ", ".join(i.sources[-3:]) or "—"]
            )
        lines.extend(_align(rows, "lrlll"))
    else:
        lines.append("No readable price histories.")
    lines.extend(f"damaged: {d.message()}" for d in damaged)
    _write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_history_delete(args: argparse.Namespace) -> int:
    from hedger.store.history import HistoryStore, HistoryStoreError

    try:
        HistoryStore().delete(args.symbol)
    except HistoryStoreError as exc:
        raise CliError(str(exc)) from None
    _write(f"Deleted the price history of {args.symbol}.\n")
    return EXIT_OK


# --------------------------------------------------------------------------- shared loading


def _load(args: argparse.Namespace) -> tuple[Portfolio, Catalog, dict[str, PriceSeries]]:
    from hedger.cli import load_catalog, load_portfolio_arg
    from hedger.core.analytics.links import link_portfolio
    from hedger.store.history import HistoryStore, HistoryStoreError

    catalog = load_catalog()
    portfolio = load_portfolio_arg(args.file)
    overrides = dict(args.hedge_series)
    store = HistoryStore()
    try:
        infos, damaged = store.scan()
        available = frozenset(i.symbol for i in infos)
        links = link_portfolio(portfolio, catalog, available, overrides)
        needed = links.series_needed() | {h.holding.symbol for h in links.holdings}
        hedges = {h.hedge_series for h in links.holdings}
        for d in damaged:
            if d.symbol in hedges:
                # Without it there is nothing to compute: say why, not "import one".
                raise CliError(d.message())
            if d.symbol in needed:
                _warn(d.message())
        histories = store.load_many(links.series_needed() & available)
    except HistoryStoreError as exc:
        raise CliError(str(exc)) from None
    return portfolio, catalog, histories


def _warn(text: str) -> None:
    sys.stderr.write(f"hedger: warning: {text}\n")
    sys.stderr.flush()


def _analytics_error(exc: Exception) -> CliError:
    return CliError(str(exc), EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- beta


def cmd_beta(args: argparse.Namespace) -> int:
    from hedger.core.analytics.estimation import Window, estimate_holdings

    portfolio, catalog, histories = _load(args)
    window = Window(lookback_days=args.window, interval=args.interval)
    estimates = estimate_holdings(portfolio, catalog, histories, window, dict(args.hedge_series))
    if args.json:
        _write_json(
            {
                "portfolio": portfolio.name,
                "window": {"lookback_days": args.window, "interval": args.interval},
                "holdings": [_estimate_to_dict(e) for e in estimates],
            }
        )
    else:
        _write(_render_beta(portfolio.name, window, estimates))
    return EXIT_OK


def _f(value: float, places: int = 4) -> str | None:
    return f"{value:.{places}f}" if math.isfinite(value) else None


def _estimate_to_dict(e: HoldingEstimate) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.decimals import fmt_decimal

    est = e.estimate
    out: dict[str, Any] = {
        "row": e.row,
        "symbol": e.symbol,
        "underlying": e.underlying,
        "hedge_series": e.hedge_series,
        "user_beta": fmt_decimal(e.user_beta) if e.user_beta is not None else None,
        "suggested_beta": fmt_decimal(e.suggested_beta) if e.suggested_beta is not None else None,
        "problem": e.problem,
    }
    if est is not None:
        out.update(
            beta=_f(est.beta),
            correlation=_f(est.correlation),
            hedge_ratio=_f(est.hedge_ratio),
            effectiveness=_f(est.effectiveness),
            sigma_holding_annual=_f(est.sigma_s_annual),
            sigma_hedge_annual=_f(est.sigma_f_annual),
            observations=est.observations,
            first=ns_to_iso(est.first_ns),
            last=ns_to_iso(est.last_ns),
        )
    return out


def _render_beta(name: str, window: Window, estimates: Sequence[HoldingEstimate]) -> str:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.decimals import fmt_decimal

    lines = [f"{name}: {window.describe()}", ""]
    rows = [["holding", "hedge", "your β", "est. β", "h*", "ρ", "ρ²", "σ hold", "σ hedge", "obs"]]
    problems = []
    for e in estimates:
        user = fmt_decimal(e.user_beta) if e.user_beta is not None else "(1)"
        est = e.estimate
        if est is None:
            rows.append([e.symbol, e.hedge_series, user, "—", "—", "—", "—", "—", "—", "—"])
            problems.append(f"  {e.symbol}: {e.problem}")
            continue
        rows.append(
            [
                e.symbol,
                e.hedge_series,
                user,
                f"{est.beta:.2f}",
                f"{est.hedge_ratio:.2f}",
                f"{est.correlation:.2f}",
                f"{est.effectiveness:.2f}",
                f"{est.sigma_s_annual * 100:.0f} %",
                f"{est.sigma_f_annual * 100:.0f} %",
                f"{est.observations:,}",
            ]
        )
    lines += _align(rows, "llrrrrrrrr")
    with_est = [e for e in estimates if e.estimate is not None]
    if with_est:
        first = min(e.estimate.first_ns for e in with_est if e.estimate)
        last = max(e.estimate.last_ns for e in with_est if e.estimate)
        lines += [
            "",
            f"History used: {ns_to_iso(first, date_only=True)} to "
            f"{ns_to_iso(last, date_only=True)}. σ annualised; ρ² is the share of variance "
            "the hedge removes.",
        ]
    if problems:
        lines += ["", "Not estimated:", *problems]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- backtest


def cmd_backtest(args: argparse.Namespace) -> int:
    from hedger.core.analytics.backtest import BacktestConfig, run_backtest
    from hedger.core.analytics.links import AnalyticsError
    from hedger.core.analytics.series import NS_PER_DAY, NS_PER_HOUR
    from hedger.core.planner import plan_portfolio

    portfolio, catalog, histories = _load(args)
    plan = plan_portfolio(portfolio, catalog)
    start = parse_date_ns(args.start) if args.start else None
    end = parse_date_ns(args.end, end_of_day=True) if args.end else None
    if start is not None and end is not None and end <= start:
        raise CliError("--end must be after --start")
    interval = {"native": None, "hour": NS_PER_HOUR, "day": NS_PER_DAY}[args.interval]
    config = BacktestConfig(
        start_ns=start,
        end_ns=end,
        rebalance=args.rebalance,
        model_liquidation=not args.no_liquidation,
        include_fees=not args.no_fees,
        interval_ns=interval,
    )
    try:
        result = run_backtest(portfolio, plan, catalog, histories, config, dict(args.hedge_series))
    except AnalyticsError as exc:
        raise _analytics_error(exc) from None
    if args.json:
        _write_json(_backtest_to_dict(portfolio.name, result, config.rebalance, config))
    else:
        _write(_render_backtest(portfolio.name, result, config.rebalance))
    return EXIT_OK


def _pct(value: float) -> str | None:
    return f"{value * 100:.2f}" if math.isfinite(value) else None


def _usd(value: float) -> str | None:
    return f"{value:.2f}" if math.isfinite(value) else None


def _figures_to_dict(f: Figures) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "start_value": _usd(f.start_value),
        "end_value": _usd(f.end_value),
        "return_pct": _pct(f.total_return),
        "volatility_pct": _pct(f.volatility),
        "max_drawdown_pct": _pct(f.max_drawdown),
        "worst_day_pct": _pct(f.worst_day),
        "worst_day": ns_to_iso(f.worst_day_ns, date_only=True) if f.worst_day_ns else None,
        "pnl_usd": _usd(f.pnl_usd),
        "volatility_usd": _usd(f.volatility_usd),
        "max_drawdown_usd": _usd(f.max_drawdown_usd),
        "worst_day_usd": _usd(f.worst_day_usd),
        "worst_day_usd_date": (
            ns_to_iso(f.worst_day_usd_ns, date_only=True) if f.worst_day_usd_ns else None
        ),
    }


def _backtest_to_dict(
    name: str, r: BacktestResult, rebalance: str, config: BacktestConfig
) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "portfolio": name,
        "period": {
            "start": ns_to_iso(int(r.timestamps[0])),
            "end": ns_to_iso(int(r.timestamps[-1])),
            "points": int(r.timestamps.size),
        },
        "rebalance": rebalance,
        "liquidation": config.model_liquidation,
        "fees": config.include_fees,
        "unhedged": _figures_to_dict(r.unhedged_figures),
        "hedged": _figures_to_dict(r.hedged_figures),
        "hedge_pnl_usd": _usd(float(r.hedge_pnl[-1])),
        "fees_usd": _usd(float(r.fees[-1])),
        "underlyings": [
            {
                "underlying": u.underlying,
                "hedge_series": u.hedge_series,
                "option": u.option,
                "opening": u.opening,
                "pnl_usd": _usd(u.pnl_usd),
                "fees_usd": _usd(u.fees_usd),
                "liquidations": u.liquidations,
                "resizes": u.resizes,
            }
            for u in r.underlyings
        ],
        "events": [
            {"time": ns_to_iso(e.ns), "underlying": e.underlying, "kind": e.kind, "text": e.text}
            for e in r.events
        ],
        "proxied": list(r.proxied),
        "notes": list(r.notes),
    }


def _render_backtest(name: str, r: BacktestResult, rebalance: str) -> str:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.decimals import fmt_money

    start, end = int(r.timestamps[0]), int(r.timestamps[-1])
    held = "held fixed" if rebalance == "none" else f"re-sized {rebalance}"
    lines = [
        f"{name}: {ns_to_iso(start, date_only=True)} to {ns_to_iso(end, date_only=True)} "
        f"({r.timestamps.size:,} points), hedge {held}",
        "",
    ]
    rows = [["", "start USD", "end USD", "return", "volatility", "max drawdown", "worst day"]]
    usd = [["", "P&L USD", "volatility USD", "max drawdown USD", "worst day USD"]]
    for label, f in (("unhedged", r.unhedged_figures), ("hedged", r.hedged_figures)):
        rows.append(
            [
                label,
                _money_text(f.start_value),
                _money_text(f.end_value),
                _pct_text(f.total_return),
                _pct_text(f.volatility),
                _pct_text(f.max_drawdown),
                _pct_text(f.worst_day)
                + (f" ({ns_to_iso(f.worst_day_ns, date_only=True)})" if f.worst_day_ns else ""),
            ]
        )
        usd.append(
            [
                label,
                _money_text(f.pnl_usd),
                _money_text(f.volatility_usd),
                _money_text(f.max_drawdown_usd),
                _money_text(f.worst_day_usd)
                + (
                    f" ({ns_to_iso(f.worst_day_usd_ns, date_only=True)})"
                    if f.worst_day_usd_ns
                    else ""
                ),
            ]
        )
    lines += _align(rows, "lrrrrrr")
    lines.append("")
    if not all(f.percentages_defined for f in (r.unhedged_figures, r.hedged_figures)):
        lines.append("Percentages need a positive start value (net short here); in USD:")
    lines += _align(usd, "lrrrr")
    lines += [
        "",
        f"Hedge P&L {fmt_money(Decimal(repr(float(r.hedge_pnl[-1]))))} USD, "
        f"fees {fmt_money(Decimal(repr(float(r.fees[-1]))))} USD",
    ]
    for u in r.underlyings:
        extra = []
        if u.resizes:
            extra.append(f"{u.resizes} re-sizings")
        if u.liquidations:
            extra.append(f"liquidated {u.liquidations}×")
        tail = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"  {u.underlying} via {u.hedge_series}: {u.opening}{tail}")
    liq = [e for e in r.events if e.kind == "liquidation"]
    if liq:
        lines += ["", "Liquidations:"]
        lines += [f"  {ns_to_iso(e.ns)}  {e.text}" for e in liq[:10]]
        if len(liq) > 10:
            lines.append(f"  … and {len(liq) - 10} more")
    if r.proxied:
        lines.append(
            f"No own history for {', '.join(r.proxied)}: moved with beta × the hedge series."
        )
    lines += list(r.notes)
    return "\n".join(lines) + "\n"


def _money_text(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "—"


def _pct_text(value: float) -> str:
    return f"{value * 100:.2f} %" if math.isfinite(value) else "—"


# --------------------------------------------------------------------------- risk


def cmd_risk(args: argparse.Namespace) -> int:
    from hedger.core.analytics.links import AnalyticsError
    from hedger.core.analytics.risk import RiskConfig, simulate_risk
    from hedger.core.planner import plan_portfolio

    portfolio, catalog, histories = _load(args)
    plan = plan_portfolio(portfolio, catalog)
    config = RiskConfig(
        horizon_days=args.horizon,
        method=args.method,
        paths=args.paths,
        seed=args.seed,
        lookback_days=args.window,
        drift=args.drift,
        model_liquidation=not args.no_liquidation,
    )
    try:
        result = simulate_risk(portfolio, plan, catalog, histories, config, dict(args.hedge_series))
    except AnalyticsError as exc:
        raise _analytics_error(exc) from None
    if args.json:
        _write_json(_risk_to_dict(portfolio.name, result))
    else:
        _write(_render_risk(portfolio.name, result))
    return EXIT_OK


def _summary_to_dict(s: PnlSummary) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mean_usd": _usd(s.mean),
        "std_usd": _usd(s.std),
        "p_loss_pct": _pct(s.p_loss),
        "worst_usd": _usd(s.worst),
        "best_usd": _usd(s.best),
    }
    for t in s.tails:
        level = round(t.level * 100)
        out[f"var_{level}_usd"] = _usd(t.var)
        out[f"es_{level}_usd"] = _usd(t.es)
    return out


def _risk_to_dict(name: str, r: RiskResult) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "portfolio": name,
        "method": r.method,
        "horizon_days": r.horizon_days,
        "paths": r.paths,
        "seed": r.seed,
        "history": {
            "days": r.observations,
            "first": ns_to_iso(r.first_ns, date_only=True),
            "last": ns_to_iso(r.last_ns, date_only=True),
        },
        "start_value_usd": _usd(r.start_value),
        "unhedged": _summary_to_dict(r.unhedged),
        "hedged": _summary_to_dict(r.hedged),
        "liquidated_paths_pct": _pct(r.liquidated_share),
        "proxied": list(r.proxied),
        "notes": list(r.notes),
    }


def _render_risk(name: str, r: RiskResult) -> str:
    from hedger.core.analytics.series import ns_to_iso

    days = "day" if r.horizon_days == 1 else "days"
    lines = [
        f"{name}: P&L over {r.horizon_days} {days}, {r.paths:,} paths ({r.method}), seed {r.seed}",
        f"From {r.observations:,} daily returns, {ns_to_iso(r.first_ns, date_only=True)} to "
        f"{ns_to_iso(r.last_ns, date_only=True)}; value now {r.start_value:,.2f} USD",
        "",
    ]
    rows = [["", "VaR 95 %", "ES 95 %", "VaR 99 %", "ES 99 %", "mean", "P(loss)"]]
    for label, s in (("unhedged", r.unhedged), ("hedged", r.hedged)):
        rows.append(
            [
                label,
                _money_text(s.tail(0.95).var),
                _money_text(s.tail(0.95).es),
                _money_text(s.tail(0.99).var),
                _money_text(s.tail(0.99).es),
                _money_text(s.mean),
                _pct_text(s.p_loss),
            ]
        )
    lines += _align(rows, "lrrrrrr")
    lines += ["", "VaR and ES are losses in USD (positive = money lost)."]
    if r.liquidated_share > 0:
        lines.append(
            f"A hedge was liquidated in {r.liquidated_share * 100:.1f} % of paths "
            "(isolated margin, no top-up)."
        )
    if r.proxied:
        lines.append(
            f"No own history for {', '.join(r.proxied)}: moved with beta × the hedge series."
        )
    lines += list(r.notes)
    lines.append(f"Reproduce with --seed {r.seed} --paths {r.paths}.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- size


def cmd_size(args: argparse.Namespace) -> int:
    from hedger.cli import load_catalog
    from hedger.core.analytics.position_sizing import PositionSizingError, size_position
    from hedger.core.catalog import CatalogError

    catalog = load_catalog()
    family_id = args.family
    if family_id is None:
        underlying = args.underlying or "BTC"
        family_id = catalog.default_family_for(underlying)
        if family_id is None:
            raise CliError(f"no contract family for {underlying} (see 'hedger contracts')")
    try:
        family = catalog.family(family_id)
        contracts = catalog.family_contracts(family_id)
    except CatalogError as exc:
        raise CliError(f"{exc} (see 'hedger contracts')") from None
    try:
        result = size_position(
            args.equity,
            args.risk,
            args.entry,
            args.stop,
            contracts,
            args.leverage,
            include_fees=args.fees,
        )
    except PositionSizingError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        _write_json(_sizing_to_dict(family.id, result))
    else:
        _write(_render_sizing(family.id, family.name, result))
    return EXIT_OK


def _m(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value, 2)


def _sized_to_dict(o: SizedOption, recommended: str | None) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "name": o.name,
        "recommended": o.name == recommended,
        "contracts": o.contracts,
        "legs": [
            {"contract": leg.contract.id, "name": leg.contract.name, "contracts": leg.contracts}
            for leg in o.legs
        ],
        "loss_per_contract_usd": _m(o.loss_per_contract) if o.loss_per_contract else None,
        "loss_at_stop_usd": _m(o.loss_at_stop),
        "fees_usd": _m(o.fees),
        "loss_with_fees_usd": _m(o.loss_with_fees),
        "notional_usd": _m(o.notional),
        "margin_usd": _m(o.margin),
        "effective_leverage": fmt_decimal(o.effective_leverage, 2),
        "liquidation_price": _m(o.liquidation_price) if o.liquidation_price else None,
        "risk_used_pct": _m(o.risk_used_pct),
        "order": o.order_text(),
        "warnings": list(o.warnings),
    }


def _sizing_to_dict(family_id: str, r: SizingResult) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "family": family_id,
        "equity_usd": _m(r.equity),
        "risk_pct": fmt_decimal(r.risk_percent),
        "risk_usd": _m(r.risk_usd),
        "entry": fmt_decimal(r.entry),
        "stop": fmt_decimal(r.stop),
        "side": r.side,
        "stop_distance": fmt_decimal(r.stop_distance),
        "stop_pct": _m(r.stop_percent),
        "leverage": fmt_decimal(r.leverage),
        "recommended": r.recommended,
        "options": [_sized_to_dict(o, r.recommended) for o in r.options],
        "warnings": list(r.warnings),
    }


def _render_sizing(family_id: str, family_name: str, r: SizingResult) -> str:
    from hedger.core.decimals import fmt_decimal, fmt_money

    lines = [
        f"Risk {fmt_decimal(r.risk_percent)} % of {fmt_money(r.equity)} USD = "
        f"{fmt_money(r.risk_usd)} USD; {r.side} at {fmt_money(r.entry)}, stop "
        f"{fmt_money(r.stop)} ({fmt_money(r.stop_percent)} % away); "
        f"leverage {fmt_decimal(r.leverage)}x",
        f"{family_id} — {family_name}",
        "",
    ]
    rows = [
        [
            "",
            "option",
            "contracts",
            "loss/contract",
            "loss at stop",
            "fees",
            "margin",
            "liquidation",
            "risk used",
        ]
    ]
    for o in r.options:
        rows.append(
            [
                "*" if o.name == r.recommended else "",
                o.name,
                f"{o.contracts:,}",
                fmt_money(o.loss_per_contract) if o.loss_per_contract is not None else "—",
                fmt_money(o.loss_at_stop),
                fmt_money(o.fees),
                fmt_money(o.margin),
                fmt_money(o.liquidation_price, 0) if o.liquidation_price is not None else "—",
                f"{fmt_money(o.risk_used_pct, 0)} %",
            ]
        )
    lines += _align(rows, "llrrrrrrr")
    mix = r.option("mix")
    if mix is not None and mix.contracts:
        # The mix's order is a sentence: below the table, not in its contracts column.
        lines.append(f"   mix = {mix.order_text()}")
    if r.recommended:
        rec = r.option(r.recommended)
        assert rec is not None
        lines += ["", f"* {rec.order_text()}: loses {fmt_money(rec.loss_at_stop)} USD at the stop"]
    else:
        lines += ["", "No contract of this family fits the risk budget."]
    warnings = list(r.warnings)
    for o in r.options:
        warnings += [f"{o.name}: {w}" for w in o.warnings if o.contracts or o.name != "mix"]
    if warnings:
        lines += ["", "Warnings:", *(f"  ! {w}" for w in warnings)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- output


def _align(rows: list[list[str]], align: str) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(align))]
    out = []
    for r in rows:
        cells = [
            cell.rjust(w) if a == "r" else cell.ljust(w)
            for cell, w, a in zip(r, widths, align, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _write_json(doc: Mapping[str, Any]) -> None:
    _write(json.dumps(doc, indent=2, ensure_ascii=True) + "\n")
