"""hedger.services.history and .analytics: importing histories, the cache, and the analytics."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from hedger.core.analytics.backtest import BacktestConfig
from hedger.core.analytics.estimation import Window
from hedger.core.analytics.risk import RiskConfig
from hedger.core.analytics.series import PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.resources import resource_path
from hedger.services import analytics, history
from hedger.services.catalog import UnknownFamily
from hedger.services.portfolios import open_portfolio

SAMPLE = resource_path("samples", "core-stack.json")


def write_daily(path: Path, closes: np.ndarray, bad_rows: int = 0) -> Path:
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2023-01-01") + closes.size)
    rows = "".join(f"{d},{c:.6f}\n" for d, c in zip(days, closes, strict=True))
    path.write_text("date,close\n" + rows + "2023-xx-01,abc\n" * bad_rows, encoding="utf-8")
    return path


@pytest.fixture
def stored(tmp_path: Path) -> None:
    """BTC, ETH and SOL daily closes for the sample portfolio."""
    rng = np.random.default_rng(8)
    rb = rng.normal(0, 0.03, 400)
    series = {
        "BTC": 30000 * np.exp(np.cumsum(rb)),
        "ETH": 2000 * np.exp(np.cumsum(1.1 * rb + rng.normal(0, 0.01, 400))),
        "SOL": 20 * np.exp(np.cumsum(1.4 * rb + rng.normal(0, 0.02, 400))),
    }
    for sym, closes in series.items():
        done = history.import_history(write_daily(tmp_path / f"{sym}.csv", closes), sym)
        assert done.outcome is not None


# --------------------------------------------------------------------------- history


def test_import_list_and_delete(tmp_path: Path) -> None:
    done = history.import_history(write_daily(tmp_path / "b.csv", np.linspace(1, 2, 30)), "BTC")
    assert done.outcome is not None and done.outcome.stats.added == 30
    assert not done.partial_refused and done.problem is None
    infos, damaged = history.list_histories()
    assert [(i.symbol, i.rows) for i in infos] == [("BTC", 30)] and damaged == []
    history.delete_history("BTC")
    assert history.list_histories() == ([], [])
    with pytest.raises(history.HistoryStoreError):
        history.delete_history("BTC")


def test_bad_rows_need_consent(tmp_path: Path) -> None:
    f = write_daily(tmp_path / "s.csv", np.linspace(1, 2, 10), bad_rows=1)
    refused = history.import_history(f, "SOL")
    assert refused.partial_refused and refused.outcome is None
    assert refused.report.bad_count == 1
    taken = history.import_history(f, "SOL", accept_partial=True)
    assert taken.outcome is not None and taken.outcome.info.rows == 10


def test_a_file_that_is_no_history_at_all(tmp_path: Path) -> None:
    with pytest.raises(history.HistoryFileError, match=r"missing\.csv"):
        history.import_history(tmp_path / "missing.csv", "BTC")


def test_the_cache_keeps_series_until_a_change(tmp_path: Path, stored: None) -> None:
    cache = history.HistoryCache()
    assert cache.symbols() == frozenset({"BTC", "ETH", "SOL"})
    first = cache.series(["BTC", "XRP"])
    assert list(first) == ["BTC"]
    assert cache.series(["BTC"])["BTC"] is first["BTC"]
    generation = cache.generation
    extra = PriceSeries("XRP", np.array([1, 2], dtype=np.int64) * 86_400 * 10**9, np.ones(2))
    assert cache.merge(extra).info.rows == 2
    assert cache.generation == generation + 1
    assert "XRP" in cache.symbols()
    assert cache.series(["BTC"])["BTC"] is not first["BTC"]
    cache.delete("XRP")
    assert "XRP" not in cache.symbols()


# --------------------------------------------------------------------------- analytics


def test_estimate_backtest_and_simulate(stored: None) -> None:
    portfolio = open_portfolio(SAMPLE)
    catalog = builtin_catalog()
    histories = analytics.load_histories(portfolio, catalog)
    assert set(histories) == {"BTC", "ETH", "SOL"}
    estimates = analytics.estimate_betas(portfolio, catalog, histories, Window(365, "day"))
    sol = next(e for e in estimates if e.symbol == "SOL")
    assert sol.estimate is not None and 1.0 < sol.estimate.beta < 1.8
    # CME's real maintenance margin liquidates the sample's 2x hedge on a 14 % rally,
    # which this synthetic history has: compare the hedge with its margin topped up.
    config = BacktestConfig(model_liquidation=False)
    result = analytics.backtest(portfolio, catalog, histories, config)
    assert result.hedged_figures.volatility < result.unhedged_figures.volatility
    risk = analytics.simulate(portfolio, catalog, histories, RiskConfig(paths=500, seed=1))
    assert risk.seed == 1 and risk.paths == 500


def test_histories_for_a_cache_and_cancelling(stored: None) -> None:
    portfolio = open_portfolio(SAMPLE)
    cache = history.HistoryCache()
    loaded = analytics.histories_for(portfolio, builtin_catalog(), cache)
    assert set(loaded) == {"BTC", "ETH", "SOL"}
    with pytest.raises(analytics.Cancelled):
        analytics.histories_for(portfolio, builtin_catalog(), cache, cancelled=lambda: True)


def test_missing_or_damaged_histories(data_dir: Path, stored: None) -> None:
    portfolio = open_portfolio(SAMPLE)
    catalog = builtin_catalog()
    (data_dir / "history" / "SOL.npz").write_bytes(b"junk")
    warnings: list[str] = []
    loaded = analytics.load_histories(portfolio, catalog, on_warning=warnings.append)
    assert "SOL" not in loaded and len(warnings) == 1 and "SOL.npz" in warnings[0]
    (data_dir / "history" / "BTC.npz").write_bytes(b"junk")
    with pytest.raises(analytics.AnalyticsInputError, match=r"BTC\.npz"):
        analytics.load_histories(portfolio, catalog)
    with pytest.raises(analytics.AnalyticsInputError, match="no price history for BTC"):
        analytics.backtest(portfolio, catalog, {}, BacktestConfig())


def test_size_a_trade_with_the_default_or_a_named_family() -> None:
    catalog = builtin_catalog()
    request = analytics.SizingRequest(
        equity=Decimal(1000), risk_percent=Decimal(1), entry=Decimal(100), stop=Decimal(90)
    )
    sized = analytics.size_trade(catalog, request)
    assert sized.family.underlying == "BTC" and sized.result.recommended is not None
    named = replace(request, family_id="CME-ETH")
    assert analytics.size_trade(catalog, named).family.id == "CME-ETH"
    with pytest.raises(UnknownFamily):
        analytics.size_trade(catalog, replace(request, family_id="X"))
    with pytest.raises(analytics.AnalyticsInputError):
        analytics.size_trade(catalog, replace(request, stop=Decimal(100)))
