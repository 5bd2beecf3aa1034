"""Backtest with real carry: funding at each funding time, calendar rolls, separate lines."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from hedger.core.analytics.backtest import BacktestConfig, run_backtest
from hedger.core.analytics.funding import BacktestCarry
from hedger.core.analytics.series import NS_PER_HOUR, PriceSeries
from hedger.core.calendar import builtin_calendars
from hedger.core.catalog import builtin_catalog
from hedger.core.funding import FundingHistory
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio
from hedger.store.funding import FundingStore
from hedger.store.history import HistoryStore

CATALOG = builtin_catalog()
H_MS = 3_600_000
T0_MS = 1_767_225_600_000  # 2026-01-01
QUIET = BacktestConfig(model_liquidation=False, include_fees=False)


def book(family: str) -> Portfolio:
    return Portfolio(
        name="carry",
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": family}, leverage=Decimal(2)),
    )


def hourly(days: int, price: float = 70000.0) -> PriceSeries:
    n = days * 24 + 1
    ts = (T0_MS + np.arange(n, dtype=np.int64) * H_MS) * 1_000_000
    return PriceSeries("BTC", ts, np.full(n, price))


def funding(cid: str, rate: str, days: int, step_h: int = 8) -> FundingHistory:
    n = days * 24 // step_h + 1
    times = tuple(T0_MS + i * step_h * H_MS for i in range(n))
    return FundingHistory(cid, times, (Decimal(rate),) * n)


def test_constant_funding_on_a_35000_usd_short_receives_945_in_90_days() -> None:
    p = book("OKX-BTC")
    carry = BacktestCarry({"OKX:BTC-USDT-SWAP": funding("OKX:BTC-USDT-SWAP", "0.0001", 90)})
    r = run_backtest(
        p, plan_portfolio(p, CATALOG), CATALOG, {"BTC": hourly(90)}, QUIET, None, carry
    )
    assert r.funding is not None
    # 270 funding times after the start, each 35,000 × 0.0001 = 3.5 USD.
    assert float(r.funding[-1]) == pytest.approx(945.0)
    assert r.underlyings[0].funding_usd == pytest.approx(945.0)
    assert float(r.hedged[-1] - r.unhedged[-1]) == pytest.approx(945.0)
    assert r.spot_pnl == 0.0


def test_funding_follows_the_price_and_the_side() -> None:
    p = book("OKX-BTC")
    prices = hourly(10)
    prices = PriceSeries("BTC", prices.timestamps, np.linspace(70000, 77000, prices.closes.size))
    carry = BacktestCarry({"OKX:BTC-USDT-SWAP": funding("OKX:BTC-USDT-SWAP", "-0.0001", 10)})
    r = run_backtest(p, plan_portfolio(p, CATALOG), CATALOG, {"BTC": prices}, QUIET, None, carry)
    assert r.funding is not None
    ts = prices.timestamps
    pay_idx = np.searchsorted(ts, (np.arange(1, 31) * 8 * H_MS + T0_MS) * 1_000_000)
    expected = -sum(0.5 * prices.closes[i] * 0.0001 for i in pay_idx)
    assert float(r.funding[-1]) == pytest.approx(expected)


def test_missing_and_gappy_funding_is_said_not_silently_zero() -> None:
    p = book("BYBIT-BTC")
    plan = plan_portfolio(p, CATALOG)
    r = run_backtest(p, plan, CATALOG, {"BTC": hourly(30)}, QUIET, None, BacktestCarry({}))
    assert any("No funding history for BYBIT:BTCUSDT" in n for n in r.notes)
    h = funding("BYBIT:BTCUSDT", "0.0001", 30)
    kept = [i for i, t in enumerate(h.times_ms) if not 30 <= i < 40]
    gappy = FundingHistory(
        h.contract_id, tuple(h.times_ms[i] for i in kept), tuple(h.rates[i] for i in kept)
    )
    r = run_backtest(
        p, plan, CATALOG, {"BTC": hourly(30)}, QUIET, None, BacktestCarry({"BYBIT:BTCUSDT": gappy})
    )
    assert any("1 gap(s)" in n for n in r.notes)
    assert r.funding is not None and float(r.funding[-1]) == pytest.approx(3.5 * 80)


def test_dated_hedge_rolls_on_the_cme_calendar_and_pays_both_legs() -> None:
    p = book("CME-BTC")
    plan = plan_portfolio(p, CATALOG)
    cfg = BacktestConfig(model_liquidation=False, include_fees=True)
    carry = BacktestCarry({}, builtin_calendars(), None)
    # 2026-01-01 + 90 days: rolls 5 business days before 30 Jan, 27 Feb, 26 Mar 2026.
    r = run_backtest(p, plan, CATALOG, {"BTC": hourly(90)}, cfg, None, carry)
    (u,) = r.underlyings
    assert u.rolls == 3
    # Open 5 MBT = 35,000 USD at 0.02 %: 7 USD; each roll 14 USD.
    assert u.fees_usd == pytest.approx(7 + 3 * 14)
    assert float(r.fees[-1]) == pytest.approx(49.0)
    plain = run_backtest(p, plan, CATALOG, {"BTC": hourly(90)}, cfg)
    assert plain.funding is None and float(plain.fees[-1]) == pytest.approx(7.0)


def test_hedger_backtest_prints_spot_hedge_funding_and_fees_apart(
    data_dir: Path, tmp_path: Path
) -> None:
    HistoryStore().save(hourly(60))
    FundingStore().save(funding("OKX:BTC-USDT-SWAP", "0.0001", 60))
    path = tmp_path / "book.json"
    path.write_text(book("OKX-BTC").model_dump_json(), encoding="utf-8")
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "hedger", "backtest", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(ln.startswith("Spot P&L") and "0.00 USD" in ln for ln in lines)
    assert any(ln.startswith("Hedge P&L") for ln in lines)
    assert any(ln.startswith("Funding") and "630.00 USD  received" in ln for ln in lines)
    assert any(ln.startswith("Fees") and "-17.50 USD" in ln for ln in lines)


def test_funding_steps_land_on_the_points_at_or_before_each_funding_time() -> None:
    p = book("OKX-BTC")
    series = hourly(2)
    # Points every 3 h only: a funding time at 08:00 is paid at the 06:00 point.
    sparse = PriceSeries("BTC", series.timestamps[::3], series.closes[::3])
    carry = BacktestCarry({"OKX:BTC-USDT-SWAP": funding("OKX:BTC-USDT-SWAP", "0.0001", 2)})
    r = run_backtest(p, plan_portfolio(p, CATALOG), CATALOG, {"BTC": sparse}, QUIET, None, carry)
    assert r.funding is not None
    steps = np.diff(np.concatenate([[0.0], r.funding]))
    paid_at = sparse.timestamps[steps > 0]
    assert ((paid_at // 1_000_000 - T0_MS) // H_MS).tolist() == [6, 15, 24, 30, 39, 48]
    assert int(NS_PER_HOUR) == H_MS * 1_000_000
