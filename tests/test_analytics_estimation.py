"""Beta, correlation, h* and ρ² from price history (domain.md §3)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from hedger.core.analytics.estimation import (
    Window,
    aligned_returns,
    estimate_holdings,
    estimate_pair,
)
from hedger.core.analytics.links import AnalyticsError
from hedger.core.analytics.series import NS_PER_DAY, NS_PER_HOUR, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio

DAY0 = int(np.datetime64("2023-01-01", "ns").astype(np.int64))


def series_from_returns(
    symbol: str, returns: np.ndarray, start: float = 100.0, step: int = NS_PER_DAY
) -> PriceSeries:
    closes = start * np.cumprod(np.concatenate([[1.0], 1.0 + returns]))
    ts = DAY0 + np.arange(closes.size, dtype=np.int64) * step
    return PriceSeries(symbol, ts, closes)


def pair(
    beta: float, noise: float, n: int = 500, seed: int = 1, vol: float = 0.03
) -> tuple[PriceSeries, PriceSeries]:
    rng = np.random.default_rng(seed)
    rf = rng.normal(0, vol, n)
    rs = beta * rf + rng.normal(0, noise, n)
    return series_from_returns("SOL", rs, 20.0), series_from_returns("BTC", rf, 30000.0)


def test_exact_relation_gives_exact_figures() -> None:
    sol, btc = pair(2.0, 0.0)
    e = estimate_pair(sol, btc, Window(lookback_days=None))
    assert e.beta == pytest.approx(2.0, abs=1e-9)
    assert e.correlation == pytest.approx(1.0, abs=1e-9)
    assert e.effectiveness == pytest.approx(1.0, abs=1e-9)
    assert e.observations == 500


def test_noisy_relation_recovers_beta_and_h_star() -> None:
    sol, btc = pair(1.5, 0.02, n=2000)
    e = estimate_pair(sol, btc, Window(lookback_days=None))
    assert e.beta == pytest.approx(1.5, abs=0.05)
    # h* = ρ σS/σF is the regression slope: the same number by two routes.
    assert e.hedge_ratio == pytest.approx(e.beta, rel=1e-9)
    assert e.effectiveness == pytest.approx(e.correlation**2)
    expected_rho = 1.5 * 0.03 / np.sqrt((1.5 * 0.03) ** 2 + 0.02**2)
    assert e.correlation == pytest.approx(expected_rho, abs=0.02)
    assert e.sigma_f_annual == pytest.approx(0.03 * np.sqrt(365), rel=0.05)


def test_window_limits_the_observations() -> None:
    sol, btc = pair(1.2, 0.01)
    assert estimate_pair(sol, btc, Window(lookback_days=90)).observations == 90
    weekly = estimate_pair(sol, btc, Window(lookback_days=None, interval="week"))
    assert 70 <= weekly.observations <= 72
    end = DAY0 + 200 * NS_PER_DAY
    e = estimate_pair(sol, btc, Window(lookback_days=30, end_ns=end))
    assert e.last_ns == end and e.observations == 30


def test_hourly_and_daily_series_line_up_by_time() -> None:
    rng = np.random.default_rng(4)
    hourly_r = rng.normal(0, 0.005, 24 * 120)
    btc = series_from_returns("BTC", hourly_r, 30000.0, step=NS_PER_HOUR)
    # SOL only has daily closes; its daily return is exactly 2x BTC's.
    _, btc_daily = btc.resample_last(NS_PER_DAY)
    sol_closes = 20.0 * (1.0 + 2.0 * (btc_daily / btc_daily[0] - 1.0))
    sol_r = sol_closes[1:] / sol_closes[:-1] - 1.0
    btc_r = btc_daily[1:] / btc_daily[:-1] - 1.0
    ts = btc.resample_last(NS_PER_DAY)[0]
    sol = PriceSeries("SOL", ts, sol_closes)
    r = aligned_returns(sol, btc, Window(lookback_days=None))
    assert np.allclose(r.first, sol_r) and np.allclose(r.second, btc_r)


def test_too_little_overlap_is_explained() -> None:
    sol, btc = pair(1.0, 0.01, n=5)
    with pytest.raises(AnalyticsError, match="only 5 daily returns"):
        estimate_pair(sol, btc, Window())


def test_holdings_table_with_problems_and_suggestions() -> None:
    sol, btc = pair(1.5, 0.0001, n=400)
    portfolio = Portfolio(
        name="t",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),
            Holding(symbol="SOL", quantity=Decimal(10), price=Decimal(150), hedge_with="BTC"),
            Holding(symbol="DOGE", quantity=Decimal(100), price=Decimal("0.1"), hedge_with="BTC"),
            Holding(symbol="USDT", quantity=Decimal(100), price=Decimal(1)),
        ),
    )
    rows = estimate_holdings(
        portfolio, builtin_catalog(), {"SOL": sol, "BTC": btc}, Window(lookback_days=365)
    )
    by = {r.symbol: r for r in rows}
    assert set(by) == {"BTC", "SOL", "DOGE"}  # cash is not estimated
    assert by["BTC"].problem is not None and "itself" in by["BTC"].problem
    assert by["DOGE"].problem == "no price history for DOGE"
    sol_row = by["SOL"]
    assert sol_row.row == 1 and sol_row.user_beta is None
    assert sol_row.suggested_beta == Decimal("1.50")
    assert sol_row.differs  # unset counts as 1


def test_hedge_series_override_uses_futures_history() -> None:
    _, btc = pair(1.0, 0.001, n=200)
    perp = PriceSeries("BTC-PERP", btc.timestamps, btc.closes * 1.001)
    portfolio = Portfolio(
        name="t", holdings=(Holding(symbol="BTC", quantity=Decimal(1), price=Decimal(70000)),)
    )
    rows = estimate_holdings(
        portfolio,
        builtin_catalog(),
        {"BTC": btc, "BTC-PERP": perp},
        Window(),
        hedge_series={"BTC": "BTC-PERP"},
    )
    assert rows[0].hedge_series == "BTC-PERP"
    assert rows[0].estimate is not None
    assert rows[0].estimate.hedge_ratio == pytest.approx(1.0, abs=1e-6)


def test_suggested_beta_stays_within_the_model_limit() -> None:
    sol, btc = pair(40.0, 0.0, n=100, vol=0.002)
    portfolio = Portfolio(
        name="t",
        holdings=(Holding(symbol="SOL", quantity=Decimal(1), price=Decimal(1), hedge_with="BTC"),),
    )
    [row] = estimate_holdings(portfolio, builtin_catalog(), {"SOL": sol, "BTC": btc}, Window())
    assert row.suggested_beta == Decimal(20)
