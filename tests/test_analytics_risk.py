"""Risk simulation: reproducible paths, VaR/ES, hedged vs unhedged distributions."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from hedger.core.analytics.links import AnalyticsError
from hedger.core.analytics.risk import RiskConfig, simulate_risk, summarise
from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio

DAY0 = int(np.datetime64("2023-01-01", "ns").astype(np.int64))
CATALOG = builtin_catalog()


def walk(symbol: str, n: int, vol: float, seed: int, start: float = 70000.0) -> PriceSeries:
    rng = np.random.default_rng(seed)
    closes = start * np.exp(np.cumsum(np.concatenate([[0.0], rng.normal(0, vol, n - 1)])))
    return PriceSeries(symbol, DAY0 + np.arange(n, dtype=np.int64) * NS_PER_DAY, closes)


def one_btc() -> Portfolio:
    return Portfolio(
        name="t",
        holdings=(Holding(symbol="BTC", quantity=Decimal(1), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )


def run(portfolio: Portfolio, hist: dict[str, PriceSeries], **kw: object):  # type: ignore[no-untyped-def]
    config = RiskConfig(**kw)  # type: ignore[arg-type]
    return simulate_risk(portfolio, plan_portfolio(portfolio, CATALOG), CATALOG, hist, config)


def test_same_seed_same_numbers_and_seed_is_reported() -> None:
    hist = {"BTC": walk("BTC", 400, 0.03, 1)}
    a = run(one_btc(), hist, paths=2000, seed=123)
    b = run(one_btc(), hist, paths=2000, seed=123)
    c = run(one_btc(), hist, paths=2000, seed=124)
    assert a.seed == 123 and np.array_equal(a.unhedged_pnl, b.unhedged_pnl)
    assert not np.array_equal(a.unhedged_pnl, c.unhedged_pnl)
    fresh = run(one_btc(), hist, paths=500)
    again = run(one_btc(), hist, paths=500, seed=fresh.seed)
    assert np.array_equal(fresh.hedged_pnl, again.hedged_pnl)


def test_full_hedge_removes_the_risk() -> None:
    hist = {"BTC": walk("BTC", 400, 0.03, 1)}
    r = run(one_btc(), hist, paths=5000, seed=1, horizon_days=30, model_liquidation=False)
    assert r.unhedged.tail(0.95).var > 5000
    assert np.allclose(r.hedged_pnl, 0.0, atol=1e-6)
    assert r.hedged.tail(0.99).es == pytest.approx(0.0, abs=1e-6)


def test_normal_var_matches_the_lognormal_formula() -> None:
    hist = {"BTC": walk("BTC", 2000, 0.02, 5)}
    r = run(one_btc(), hist, paths=200_000, seed=9, horizon_days=10, lookback_days=None)
    sigma = float(np.std(np.diff(np.log(hist["BTC"].closes)), ddof=1))
    expected = 70000 * (1 - math.exp(-1.6448536 * sigma * math.sqrt(10)))
    assert r.unhedged.tail(0.95).var == pytest.approx(expected, rel=0.02)
    assert r.observations == 1999


def test_bootstrap_only_replays_historical_days() -> None:
    # Every day of history is +1 %: every path gains exactly (1.01^h - 1).
    closes = 100 * 1.01 ** np.arange(60)
    hist = {"BTC": PriceSeries("BTC", DAY0 + np.arange(60) * NS_PER_DAY, closes)}
    p = Portfolio(
        name="t", holdings=(Holding(symbol="BTC", quantity=Decimal(1), price=Decimal(100)),)
    )
    r = run(p, hist, method="bootstrap", paths=1000, seed=3, horizon_days=5)
    assert np.allclose(r.unhedged_pnl, 100 * (1.01**5 - 1))


def test_liquidated_paths_are_counted() -> None:
    hist = {"BTC": walk("BTC", 400, 0.05, 2)}
    p = one_btc().model_copy(
        update={"hedge": HedgeSettings(families={"BTC": "GENERIC-BTC"}, leverage=Decimal(20))}
    )
    r = run(p, hist, paths=5000, seed=4, horizon_days=30)
    assert 0.2 < r.liquidated_share < 1.0
    calm = run(p, hist, paths=5000, seed=4, horizon_days=30, model_liquidation=False)
    assert calm.liquidated_share == 0.0


def test_altcoin_with_own_history_and_a_proxy() -> None:
    rng = np.random.default_rng(11)
    rb = rng.normal(0, 0.03, 300)
    btc = PriceSeries("BTC", DAY0 + np.arange(300) * NS_PER_DAY, 70000 * np.exp(np.cumsum(rb)))
    sol = PriceSeries(
        "SOL",
        DAY0 + np.arange(300) * NS_PER_DAY,
        150 * np.exp(np.cumsum(1.5 * rb + rng.normal(0, 0.01, 300))),
    )
    p = Portfolio(
        name="t",
        holdings=(
            Holding(
                symbol="SOL",
                quantity=Decimal(100),
                price=Decimal(150),
                beta=Decimal("1.5"),
                hedge_with="BTC",
            ),
            Holding(
                symbol="ALT",
                quantity=Decimal(1000),
                price=Decimal(1),
                beta=Decimal(2),
                hedge_with="BTC",
            ),
            Holding(symbol="USDC", quantity=Decimal(500), price=Decimal(1)),
        ),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )
    unpriced = run(p, {"BTC": btc, "SOL": sol}, paths=1000, seed=5)
    assert any("BTC is not hedged: no price for BTC" in n for n in unpriced.notes)
    p = p.model_copy(
        update={
            "hedge": HedgeSettings(
                families={"BTC": "GENERIC-BTC"}, futures_prices={"BTC": Decimal(70000)}
            )
        }
    )
    r = run(p, {"BTC": btc, "SOL": sol}, paths=20_000, seed=5, model_liquidation=False)
    assert r.proxied == ("ALT",)
    assert r.start_value == pytest.approx(15000 + 1000 + 500)
    assert r.hedged.tail(0.95).var < 0.5 * r.unhedged.tail(0.95).var


def test_var_and_es_definitions() -> None:
    pnl = np.arange(-99.0, 1.0)  # 100 outcomes: -99 .. 0
    s = summarise(pnl)
    t95, t99 = s.tail(0.95), s.tail(0.99)
    assert t95.var == 95.0  # 5th worst outcome
    assert t95.es == pytest.approx(np.mean([99, 98, 97, 96, 95]))
    assert t99.var == 99.0 and t99.es == 99.0
    assert s.p_loss == 0.99


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"horizon_days": 0}, "horizon"),
        ({"horizon_days": 200}, "horizon"),
        ({"paths": 10}, "paths"),
        ({"lookback_days": 5}, "window"),
    ],
)
def test_bad_settings_are_refused(kw: dict[str, int], message: str) -> None:
    hist = {"BTC": walk("BTC", 400, 0.03, 1)}
    with pytest.raises(AnalyticsError, match=message):
        run(one_btc(), hist, **kw)


def test_short_history_is_refused() -> None:
    with pytest.raises(AnalyticsError, match="at least 30"):
        run(one_btc(), {"BTC": walk("BTC", 10, 0.03, 1)})
