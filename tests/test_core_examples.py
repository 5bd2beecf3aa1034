"""The worked examples of domain.md section 4, with exact Decimal figures."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import pytest

from hedger.core.catalog import Catalog, Contract, builtin_catalog
from hedger.core.models import ROUNDINGS, HedgeSettings, Holding, Portfolio, Rounding
from hedger.core.planner import (
    HedgeOption,
    Plan,
    UnderlyingPlan,
    build_options,
    liquidation_price,
    plan_portfolio,
)
from hedger.core.scenarios import scenario_for
from hedger.core.sizing import best_mix, round_count

D = Decimal
BTC_PRICE = D(70000)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return builtin_catalog()


def generic_btc(catalog: Catalog) -> list[Contract]:
    return catalog.family_contracts("GENERIC-BTC")


def plan_of(
    holdings: Sequence[Mapping[str, object]],
    catalog: Catalog,
    **settings: object,
) -> Plan:
    # The worked examples use the article's family (domain.md §1), no longer
    # the default family of a new portfolio.
    settings.setdefault("families", {"BTC": "GENERIC-BTC", "ETH": "GENERIC-ETH"})
    portfolio = Portfolio(
        name="example",
        holdings=tuple(Holding.model_validate(h) for h in holdings),
        hedge=HedgeSettings.model_validate(settings),
    )
    return plan_portfolio(portfolio, catalog)


def btc_plan(plan: Plan) -> UnderlyingPlan:
    u = plan.underlying("BTC")
    assert u is not None
    assert u.problem is None, u.problem
    return u


def option(u: UnderlyingPlan, name: str) -> HedgeOption:
    o = u.option(name)
    assert o is not None, f"no {name} option in {[x.name for x in u.options]}"
    return o


def legs(o: HedgeOption) -> dict[str, int]:
    return {leg.contract.id: leg.contracts for leg in o.legs if leg.contracts}


def test_example_1_notional_and_margin_per_tier(catalog: Catalog) -> None:
    std, mini, micro = generic_btc(catalog)
    assert [std.size, mini.size, micro.size] == [D(1), D("0.1"), D("0.01")]
    assert [c.notional_usd(BTC_PRICE) for c in (std, mini, micro)] == [
        D(70000),
        D(7000),
        D(700),
    ]
    # One contract of each tier at 10x ties up a tenth of its notional.
    for contract, margin in ((std, D(7000)), (mini, D(700)), (micro, D(70))):
        [opt] = build_options(
            contract.notional_usd(BTC_PRICE), [contract], BTC_PRICE, "nearest", D(10)
        )
        assert opt.contracts == 1
        assert opt.initial_margin_usd == margin


def test_example_2_five_micros_for_five_hundredths(catalog: Catalog) -> None:
    u = btc_plan(plan_of([{"symbol": "BTC", "quantity": "0.05", "price": "70000"}], catalog))
    micro = option(u, "micro")
    assert legs(micro) == {"GENERIC:BTC-MICRO": 5}
    assert micro.residual_usd == 0
    assert micro.hedged_usd == D(3500)


@pytest.mark.parametrize(
    ("policy", "count", "hedged", "residual"),
    [
        ("nearest", 2, D(1400), D(100)),
        ("down", 2, D(1400), D(100)),
        ("up", 3, D(2100), D(-600)),
    ],
)
def test_example_3_fifteen_hundred_usd_with_micros(
    catalog: Catalog, policy: Rounding, count: int, hedged: Decimal, residual: Decimal
) -> None:
    micro = catalog.contracts["GENERIC:BTC-MICRO"]
    [opt] = build_options(D(1500), [micro], BTC_PRICE, policy, D(10))
    assert opt.exact_contracts is not None
    assert opt.exact_contracts.quantize(D("0.000001")) == D("2.142857")
    assert opt.exact_contracts == D(1500) / D(700)
    assert opt.contracts == count
    assert opt.hedged_usd == hedged
    assert opt.residual_usd == residual


def test_example_3_only_the_micro_hedges_at_all(catalog: Catalog) -> None:
    # The experienced trader: a 50,000 USD book hedged at 3 % is 1,500 USD.
    plan = plan_of(
        [{"symbol": "BTC", "quantity": "1", "price": "50000"}],
        catalog,
        ratio="0.03",
        futures_prices={"BTC": "70000"},
    )
    u = btc_plan(plan)
    assert u.target_usd == D(1500)
    assert option(u, "standard").contracts == 0
    assert option(u, "mini").contracts == 0
    assert option(u, "standard").residual_usd == D(1500)
    assert option(u, "micro").contracts == 2
    assert u.recommended in ("micro", "mix")
    assert u.recommended_option is not None
    assert u.recommended_option.residual_usd == D(100)


def test_example_4_tenth_of_a_bitcoin(catalog: Catalog) -> None:
    holding = [{"symbol": "BTC", "quantity": "0.1", "price": "70000"}]
    nearest = btc_plan(plan_of(holding, catalog))
    std = option(nearest, "standard")
    assert std.contracts == 0
    assert std.residual_pct == D(100)
    assert option(nearest, "micro").contracts == 10
    assert option(nearest, "micro").residual_usd == 0

    up = btc_plan(plan_of(holding, catalog, rounding="up"))
    std_up = option(up, "standard")
    assert std_up.contracts == 1
    assert std_up.residual_pct == D(-900)
    assert any("Over-hedged by 900 %" in w for w in std_up.warnings)


def test_example_5_altcoins_cross_hedged_with_beta(catalog: Catalog) -> None:
    plan = plan_of(
        [{"symbol": "ALT", "quantity": "500", "price": "1", "beta": "1.5"}],
        catalog,
        futures_prices={"BTC": "70000"},
    )
    u = btc_plan(plan)
    assert u.value_usd == D(500)
    assert u.target_usd == D(750)
    assert u.assumed_beta_symbols == ()
    micro = option(u, "micro")
    assert micro.exact_contracts is not None
    assert micro.exact_contracts.quantize(D("0.01")) == D("1.07")
    assert micro.contracts == 1
    assert micro.hedged_usd == D(700)
    assert micro.residual_usd == D(50)

    scenario = scenario_for(plan, "BTC", np.array([-0.1, 0.0]))
    holdings_change = scenario.unhedged[0] - scenario.unhedged[1]
    short_gain = scenario.options["micro"].pnl[0]
    assert holdings_change == pytest.approx(-75.0)
    assert short_gain == pytest.approx(70.0)
    assert scenario.options["micro"].value[0] == pytest.approx(500 - 75 + 70)


def test_example_6_half_bitcoin_on_cme(catalog: Catalog) -> None:
    u = btc_plan(
        plan_of(
            [{"symbol": "BTC", "quantity": "0.5", "price": "70000"}],
            catalog,
            families={"BTC": "CME-BTC"},
        )
    )
    assert legs(option(u, "micro")) == {"CME:MBT": 5}
    assert option(u, "micro").residual_usd == 0
    assert option(u, "standard").contracts == 0
    assert legs(option(u, "mix")) == {"CME:MBT": 5}


def test_example_7_cme_mix_nearest(catalog: Catalog) -> None:
    u = btc_plan(
        plan_of(
            [{"symbol": "BTC", "quantity": "5.37", "price": "70000"}],
            catalog,
            families={"BTC": "CME-BTC"},
        )
    )
    mix = option(u, "mix")
    assert legs(mix) == {"CME:BTC": 1, "CME:MBT": 4}
    assert mix.hedged_units == D("5.4")
    assert D("5.37") - mix.hedged_units == D("-0.03")
    assert mix.residual_usd == D("-0.03") * BTC_PRICE
    # 54 MBT reaches the same residual with more contracts.
    micro = option(u, "micro")
    assert micro.contracts == 54
    assert micro.residual_usd == mix.residual_usd
    assert u.recommended == "mix"


def test_example_7_cme_mix_down(catalog: Catalog) -> None:
    u = btc_plan(
        plan_of(
            [{"symbol": "BTC", "quantity": "5.37", "price": "70000"}],
            catalog,
            families={"BTC": "CME-BTC"},
            rounding="down",
        )
    )
    mix = option(u, "mix")
    assert legs(mix) == {"CME:BTC": 1, "CME:MBT": 3}
    assert D("5.37") - mix.hedged_units == D("0.07")
    assert mix.residual_usd == D(4900)


def test_example_7_via_best_mix() -> None:
    assert best_mix(D("5.37"), [D(5), D("0.1")], "nearest") == [1, 4]
    assert best_mix(D("5.37"), [D(5), D("0.1")], "down") == [1, 3]
    assert best_mix(D("5.37"), [D(5), D("0.1")], "up") == [1, 4]


def test_example_8_inverse_deribit(catalog: Catalog) -> None:
    u = btc_plan(
        plan_of(
            [{"symbol": "BTC", "quantity": "0.5", "price": "70000"}],
            catalog,
            families={"BTC": "DERIBIT-BTC"},
        )
    )
    [opt] = u.options
    assert opt.kind == "inverse"
    assert legs(opt) == {"DERIBIT:BTC-PERPETUAL": 3500}
    assert opt.exact_contracts == D(3500)
    assert opt.hedged_usd == D(35000)
    assert opt.residual_usd == 0


@pytest.mark.parametrize(
    ("quantity", "size", "expected"),
    [("0.29", "0.01", 29), ("0.07", "0.01", 7), ("0.3", "0.1", 3)],
)
@pytest.mark.parametrize("policy", ROUNDINGS)
def test_example_9_float_traps(
    catalog: Catalog, quantity: str, size: str, expected: int, policy: Rounding
) -> None:
    exact = D(quantity) / D(size)
    assert round_count(exact, policy) == expected
    assert best_mix(D(quantity), [D(size)], policy) == [expected]
    tier = {"0.01": "micro", "0.1": "mini"}[size]
    u = btc_plan(
        plan_of(
            [{"symbol": "BTC", "quantity": quantity, "price": "70000"}], catalog, rounding=policy
        )
    )
    assert option(u, tier).contracts == expected
    assert option(u, tier).residual_usd == 0


def test_example_9_the_traps_are_real() -> None:
    # What binary floats would have done: one contract off either way.
    assert math.floor(0.29 / 0.01) == 28
    assert math.ceil(0.07 / 0.01) == 8


def test_example_10_liquidation_of_a_short(catalog: Catalog) -> None:
    assert liquidation_price(D(70000), D(10), D("0.005"), "short", "linear") == D(76650)
    u = btc_plan(
        plan_of([{"symbol": "BTC", "quantity": "0.05", "price": "70000"}], catalog, leverage="10")
    )
    micro = option(u, "micro")
    assert micro.liquidation_price == D(76650)
    assert any("76,650" in w for w in micro.warnings)
