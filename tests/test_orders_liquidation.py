"""Two computation bugs of issue 11: an impossible liquidation is "none" everywhere,
and the backtest counts its re-sized contracts in Decimal.

* An inverse short at 0.5x (Deribit) cannot be liquidated: the plan, the JSON, the
  backtest, the risk simulation, the position sizing and the scenarios agree.
* 0.29 BTC hedged weekly with rounding ``down`` stays 2 mini + 9 micro: one opening,
  no re-sizes (float 0.29 × price / price is 0.28999... and flipped to 8 micros).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from hedger.cli import main
from hedger.core.analytics.backtest import BacktestConfig, run_backtest
from hedger.core.analytics.position_sizing import size_position
from hedger.core.analytics.risk import RiskConfig, simulate_risk
from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio
from hedger.core.scenarios import scenario_for

D = Decimal
CATALOG = builtin_catalog()
DAY0 = int(np.datetime64("2024-01-01", "ns").astype(np.int64))


def series(symbol: str, closes: np.ndarray) -> PriceSeries:
    return PriceSeries(symbol, DAY0 + np.arange(closes.size, dtype=np.int64) * NS_PER_DAY, closes)


def deribit_half_x() -> Portfolio:
    return Portfolio(
        name="inverse at 0.5x",
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "DERIBIT-BTC"}, leverage=D("0.5")),
    )


def test_plan_shows_none() -> None:
    u = plan_portfolio(deribit_half_x(), CATALOG).underlying("BTC")
    assert u is not None
    o = u.recommended_option
    assert o is not None and o.contracts == 3500
    assert o.liquidation_price is None and o.trades
    assert not any("Liquidation near" in w for w in o.warnings)
    assert o.collateral is not None and o.collateral.posted_liquidation is None


def test_plan_table_and_json_say_none(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "name": "half",
                "holdings": [{"symbol": "BTC", "quantity": "0.5", "price": "70000"}],
                "hedge": {"leverage": "0.5", "families": {"BTC": "DERIBIT-BTC"}},
            }
        )
    )
    assert main(["plan", str(path), "--json"]) == 0
    [opt] = json.loads(capsys.readouterr().out)["underlyings"][0]["options"]
    assert opt["liquidation_price"] == "none"
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.lstrip().startswith("*  mini"))
    assert row.split()[-1] == "none"
    assert "Liquidation: none: with the posted margin this position cannot be liquidated" in out
    assert " 0.00\n" not in out.replace("fee USD", "")


def test_scenarios_have_no_liquidation_move() -> None:
    plan = plan_portfolio(deribit_half_x(), CATALOG)
    sc = scenario_for(plan, "BTC", np.array([-0.5, 0.0, 1.0, 3.0]))
    [opt] = sc.options.values()
    assert opt.liquidation_move is None
    # The hedge keeps paying off past any move: the short's USD P&L is 35,000 × (1 − P1/P0).
    np.testing.assert_allclose(opt.pnl, 35000 * -np.array([-0.5, 0.0, 1.0, 3.0]))


def test_backtest_never_liquidates_it() -> None:
    p = deribit_half_x()
    closes = np.linspace(70000, 350000, 120)  # a fivefold rally
    r = run_backtest(p, plan_portfolio(p, CATALOG), CATALOG, {"BTC": series("BTC", closes)})
    [u] = r.underlyings
    assert u.liquidations == 0
    assert not [e for e in r.events if e.kind == "liquidation"]
    # The hedged value stays the USD value of 0.5 BTC at the start (less fees).
    assert r.hedged[-1] == pytest.approx(35000.0 - r.fees[-1], rel=1e-9)


def test_risk_marks_no_path_liquidated() -> None:
    p = deribit_half_x()
    rng = np.random.default_rng(3)
    closes = 70000 * np.exp(np.cumsum(rng.normal(0, 0.08, 200)))
    result = simulate_risk(
        p,
        plan_portfolio(p, CATALOG),
        CATALOG,
        {"BTC": series("BTC", closes)},
        RiskConfig(horizon_days=90, paths=2000, seed=7),
    )
    assert result.liquidated_share == 0
    # Hedged 1:1 with an inverse short: the USD value hardly moves.
    assert all(abs(t.var) < 1.0 for t in result.hedged.tails)


def test_sizing_does_not_advise_lowering_the_leverage() -> None:
    contracts = CATALOG.family_contracts("DERIBIT-BTC")
    r = size_position(D(100000), D(1), D(70000), D(72000), contracts, D("0.5"))
    o = r.option(r.recommended or "")
    assert o is not None and o.contracts > 0
    assert o.liquidation_price is None
    assert not any("lower the leverage" in w for w in o.warnings)


def test_size_command_says_none(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["size", "--equity", "100000", "--risk", "1%", "--entry", "70000", "--stop", "72000"]
    argv += ["--family", "DERIBIT-BTC", "--leverage", "0.5", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    traded = [o for o in doc["options"] if o["contracts"]]
    assert traded and all(o["liquidation_price"] == "none" for o in traded)


def test_weekly_backtest_of_029_btc_opens_once_and_never_resizes() -> None:
    p = Portfolio(
        name="0.29",
        holdings=(Holding(symbol="BTC", quantity=D("0.29"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}, rounding="down", leverage=D(2)),
    )
    plan = plan_portfolio(p, CATALOG)
    u = plan.underlying("BTC")
    assert u is not None and u.recommended_option is not None
    counts = {leg.contract.symbol: leg.contracts for leg in u.recommended_option.legs}
    assert counts == {"BTC-STD": 0, "BTC-MINI": 2, "BTC-MICRO": 9}
    rng = np.random.default_rng(11)
    closes = 70000 * np.exp(np.cumsum(rng.normal(0, 0.02, 180)))
    config = BacktestConfig(rebalance="weekly", model_liquidation=False)
    r = run_backtest(p, plan, CATALOG, {"BTC": series("BTC", closes)}, config)
    [res] = r.underlyings
    assert res.resizes == 0
    assert [e.kind for e in r.events] == ["open"]
    # Fees were paid once, for the opening.
    assert res.fees_usd == pytest.approx(0.29 * closes[0] * 0.0005)
