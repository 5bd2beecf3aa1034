"""Backtest: hedged vs unhedged value over history, with liquidation, fees, re-sizing."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from hedger.core.analytics.backtest import BacktestConfig, run_backtest
from hedger.core.analytics.links import AnalyticsError
from hedger.core.analytics.performance import figures
from hedger.core.analytics.series import NS_PER_DAY, NS_PER_MINUTE, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio

DAY0 = int(np.datetime64("2024-01-01", "ns").astype(np.int64))
CATALOG = builtin_catalog()
QUIET = BacktestConfig(model_liquidation=False, include_fees=False)


def path(symbol: str, closes: list[float] | np.ndarray, step: int = NS_PER_DAY) -> PriceSeries:
    arr = np.asarray(closes, dtype=np.float64)
    return PriceSeries(symbol, DAY0 + np.arange(arr.size, dtype=np.int64) * step, arr)


def btc_portfolio(qty: str = "1", family: str = "GENERIC-BTC", leverage: int = 10) -> Portfolio:
    return Portfolio(
        name="t",
        holdings=(Holding(symbol="BTC", quantity=Decimal(qty), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": family}, leverage=Decimal(leverage)),
    )


def random_walk(n: int, start: float = 70000.0, vol: float = 0.03, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(np.concatenate([[0.0], rng.normal(0, vol, n - 1)])))


def test_linear_hedge_of_the_same_coin_holds_value() -> None:
    p = btc_portfolio("1")
    closes = random_walk(300)
    r = run_backtest(p, plan_portfolio(p, CATALOG), CATALOG, {"BTC": path("BTC", closes)}, QUIET)
    assert r.unhedged[-1] == pytest.approx(closes[-1])
    # 1 BTC short against 1 BTC held: flat at the starting value.
    assert np.allclose(r.hedged, closes[0])
    assert r.hedged_figures.volatility == pytest.approx(0.0, abs=1e-9)
    assert r.unhedged_figures.volatility > 0.3
    assert r.underlyings[0].opening == "short 1 × BTC-STD"


def test_inverse_hedge_keeps_usd_value_when_started_at_the_plan_price() -> None:
    # Domain §8: 0.5 BTC at 70,000 with Deribit (10 USD) is 3,500 contracts.
    p = btc_portfolio("0.5", family="DERIBIT-BTC")
    closes = np.array([70000.0, 60000.0, 80000.0, 35000.0, 70000.0])
    plan = plan_portfolio(p, CATALOG)
    r = run_backtest(p, plan, CATALOG, {"BTC": path("BTC", closes)}, QUIET)
    assert "3,500" in r.underlyings[0].opening
    assert np.allclose(r.hedged, 35000.0)


def test_figures_return_drawdown_and_worst_day() -> None:
    ts = DAY0 + np.arange(5, dtype=np.int64) * NS_PER_DAY
    values = np.array([100.0, 120.0, 90.0, 99.0, 110.0])
    f = figures(ts, values, 100.0)
    assert f.total_return == pytest.approx(0.10)
    assert f.max_drawdown == pytest.approx(90 / 120 - 1)
    assert f.worst_day == pytest.approx(90 / 120 - 1)
    assert f.worst_day_ns == DAY0 + 2 * NS_PER_DAY


def test_worst_day_of_intraday_data_is_a_calendar_day() -> None:
    minutes = np.full(3 * 1440, 100.0)
    minutes[1440:] = 95.0  # day 2 opens 5 % down and stays there
    minutes[1440 + 600] = 80.0  # a dip inside day 2 does not count as the close
    ts = DAY0 + np.arange(minutes.size, dtype=np.int64) * NS_PER_MINUTE
    f = figures(ts, minutes, 100.0)
    assert f.worst_day == pytest.approx(-0.05)
    assert f.max_drawdown == pytest.approx(-0.20)


def test_short_hedge_is_liquidated_on_a_rally() -> None:
    p = btc_portfolio("1", leverage=10)
    closes = [70000.0, 74000.0, 80000.0, 90000.0, 70000.0]
    plan = plan_portfolio(p, CATALOG)
    cfg = BacktestConfig(model_liquidation=True, include_fees=False)
    r = run_backtest(p, plan, CATALOG, {"BTC": path("BTC", closes)}, cfg)
    liq = 70000 * (1 + 0.1 - 0.005)  # domain §4.10: 76,650
    loss = -(liq - 70000.0)
    assert r.underlyings[0].liquidations == 1
    assert [e.kind for e in r.events] == ["open", "liquidation"]
    assert r.events[1].ns == DAY0 + 2 * NS_PER_DAY
    # Frozen at the liquidation loss; the holding then rides unhedged.
    assert r.hedge_pnl[2:].tolist() == pytest.approx([loss] * 3)
    assert r.hedged[-1] == pytest.approx(70000.0 + loss)


def test_fees_are_charged_on_opening() -> None:
    p = btc_portfolio("1")
    closes = [70000.0, 70000.0, 70000.0]
    r = run_backtest(
        p,
        plan_portfolio(p, CATALOG),
        CATALOG,
        {"BTC": path("BTC", closes)},
        BacktestConfig(model_liquidation=False),
    )
    fee = 70000 * 0.0005
    assert r.fees[-1] == pytest.approx(fee)
    assert r.hedged[-1] == pytest.approx(70000 - fee)


def test_weekly_resizing_follows_a_proxied_altcoin() -> None:
    # 5,000 USD of an altcoin with beta 2 and no history of its own.
    p = Portfolio(
        name="t",
        holdings=(
            Holding(
                symbol="ALT",
                quantity=Decimal(1000),
                price=Decimal(5),
                beta=Decimal(2),
                hedge_with="BTC",
            ),
            Holding(symbol="BTC", quantity=Decimal("0.001"), price=Decimal(70000)),
        ),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )
    closes = np.linspace(70000, 50000, 60)
    plan = plan_portfolio(p, CATALOG)
    fixed = run_backtest(p, plan, CATALOG, {"BTC": path("BTC", closes)}, QUIET)
    weekly = run_backtest(
        p,
        plan,
        CATALOG,
        {"BTC": path("BTC", closes)},
        BacktestConfig(rebalance="weekly", model_liquidation=False, include_fees=True),
    )
    assert fixed.proxied == ("ALT",)
    assert fixed.underlyings[0].resizes == 0
    assert weekly.underlyings[0].resizes >= 3  # 14 -> 10 hundredths of a BTC
    assert any(e.kind == "resize" for e in weekly.events)
    assert weekly.fees[-1] > 0
    # Re-sizing as the altcoin falls keeps the hedge closer to the exposure.
    assert abs(weekly.hedged[-1] - weekly.hedged[0]) < abs(fixed.hedged[-1] - fixed.hedged[0])


def test_monthly_boundaries_are_calendar_months() -> None:
    p = btc_portfolio("1")
    closes = random_walk(100, vol=0.0)
    r = run_backtest(
        p,
        plan_portfolio(p, CATALOG),
        CATALOG,
        {"BTC": path("BTC", closes)},
        BacktestConfig(rebalance="monthly", include_fees=False),
    )
    assert r.underlyings[0].resizes == 0  # same size every month: no trade, no event
    assert r.hedged.tolist() == pytest.approx([70000.0] * 100)


def test_period_and_missing_history_errors() -> None:
    p = btc_portfolio("1")
    plan = plan_portfolio(p, CATALOG)
    hist = {"BTC": path("BTC", random_walk(30))}
    with pytest.raises(AnalyticsError, match="no price history for BTC"):
        run_backtest(p, plan, CATALOG, {}, QUIET)
    late = BacktestConfig(start_ns=DAY0 + 400 * NS_PER_DAY)
    with pytest.raises(AnalyticsError, match="do not overlap"):
        run_backtest(p, plan, CATALOG, hist, late)
    cut = BacktestConfig(start_ns=DAY0 - 10 * NS_PER_DAY, end_ns=DAY0 + 9 * NS_PER_DAY)
    r = run_backtest(p, plan, CATALOG, hist, cut)
    assert r.timestamps.size == 10
    assert any("when the BTC history begins" in n for n in r.notes)


def test_daily_interval_resamples_intraday_history() -> None:
    p = btc_portfolio("1")
    closes = random_walk(3 * 1440, vol=0.001)
    hist = {"BTC": path("BTC", closes, step=NS_PER_MINUTE)}
    r = run_backtest(
        p, plan_portfolio(p, CATALOG), CATALOG, hist, BacktestConfig(interval_ns=NS_PER_DAY)
    )
    assert r.timestamps.size == 3
