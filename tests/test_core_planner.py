"""Hedge plans: routing holdings to futures, sides, totals, warnings, scenarios."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedger.core.catalog import Catalog, Contract, Family, builtin_catalog
from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import HedgeSettings, Holding, Portfolio, UnderlyingSettings
from hedger.core.planner import Plan, UnderlyingPlan, plan_portfolio
from hedger.core.scenarios import default_moves, futures_pnl, scenario_for, scenarios

D = Decimal


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return builtin_catalog()


def make_plan(
    holdings: Sequence[Mapping[str, object]], catalog: Catalog, **settings: object
) -> Plan:
    # These tests describe the article's example family at 10x, the defaults
    # before real exchange families and 2x (tests/test_orders_defaults.py).
    settings = {"leverage": "10", **settings}
    families = settings.get("families")
    if isinstance(families, dict):
        settings["families"] = {"BTC": "GENERIC-BTC", "ETH": "GENERIC-ETH", **families}
    else:
        settings["families"] = {"BTC": "GENERIC-BTC", "ETH": "GENERIC-ETH"}
    portfolio = Portfolio(
        name="test",
        holdings=tuple(Holding.model_validate(h) for h in holdings),
        hedge=HedgeSettings.model_validate(settings),
    )
    return plan_portfolio(portfolio, catalog)


def under(plan: Plan, name: str) -> UnderlyingPlan:
    u = plan.underlying(name)
    assert u is not None, [x.underlying for x in plan.underlyings]
    return u


def test_stablecoins_carry_no_exposure(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "USDT", "quantity": "1000", "price": "1"},
            {"symbol": "usdc", "quantity": "500", "price": "1"},
            {"symbol": "BTC", "quantity": "0.1", "price": "70000"},
        ],
        catalog,
    )
    assert [u.underlying for u in plan.underlyings] == ["BTC"]
    assert plan.other_value_usd == D(1500)
    assert plan.total_value_usd == D(8500)
    assert under(plan, "BTC").target_usd == D(7000)
    # In a scenario the cash stays put while the coins move.
    sc = scenario_for(plan, "BTC", np.array([-0.5, 0.0, 0.5]))
    assert list(sc.unhedged) == pytest.approx([1500 + 3500, 8500, 1500 + 10500])


def test_only_stablecoins_means_nothing_to_hedge(catalog: Catalog) -> None:
    plan = make_plan([{"symbol": "USDC", "quantity": "100", "price": "1"}], catalog)
    assert plan.underlyings == ()
    assert plan.totals.target_usd == 0
    assert plan.problems == []
    assert scenarios(plan) == {}


def test_asset_with_its_own_family_hedges_itself(catalog: Catalog) -> None:
    plan = make_plan([{"symbol": "ETH", "quantity": "2", "price": "3500"}], catalog)
    eth = under(plan, "ETH")
    assert eth.family is not None and eth.family.id == "GENERIC-ETH"
    assert eth.assumed_beta_symbols == ()
    assert eth.futures_price == D(3500)
    assert eth.futures_price_from_spot


def test_altcoin_without_family_falls_back_to_btc_with_assumed_beta(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "SOL", "quantity": "10", "price": "150"},
            {"symbol": "BTC", "quantity": "0.01", "price": "70000"},
        ],
        catalog,
    )
    btc = under(plan, "BTC")
    assert btc.holdings == 2
    assert btc.assumed_beta_symbols == ("SOL",)
    assert btc.exposure_usd == D(1500) + D(700)
    assert any("assumed beta" in w and "SOL" in w for w in btc.warnings)


def test_given_beta_is_not_an_assumption(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "SOL", "quantity": "10", "price": "150", "beta": "1.4"}],
        catalog,
        futures_prices={"BTC": "70000"},
    )
    btc = under(plan, "BTC")
    assert btc.assumed_beta_symbols == ()
    assert btc.exposure_usd == D(2100)
    assert not any("assumed beta" in w for w in btc.warnings)


def test_hedge_with_overrides_the_default(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "SOL", "quantity": "10", "price": "150", "hedge_with": "eth"},
            {"symbol": "ETH", "quantity": "1", "price": "3500"},
        ],
        catalog,
    )
    assert [u.underlying for u in plan.underlyings] == ["ETH"]
    assert under(plan, "ETH").assumed_beta_symbols == ("SOL",)


def test_user_family_lets_an_altcoin_hedge_itself(catalog: Catalog) -> None:
    sol = Contract.model_validate(
        {
            "id": "MY:SOL",
            "venue": "MY",
            "symbol": "SOL",
            "name": "My SOL future",
            "underlying": "SOL",
            "tier": "micro",
            "kind": "linear",
            "size": "1",
            "source": "my broker",
            "as_of": "2026-01-01",
        }
    )
    fam = Family(id="MY-SOL", name="My SOL", underlying="SOL", contracts=("MY:SOL",))
    bigger = catalog.with_user_additions([sol], [fam])
    plan = make_plan([{"symbol": "SOL", "quantity": "10", "price": "150"}], bigger)
    s = under(plan, "SOL")
    assert s.family is not None and s.family.id == "MY-SOL"
    assert s.assumed_beta_symbols == ()
    assert s.option("micro") is not None and s.option("micro").contracts == 10  # type: ignore[union-attr]


def test_short_spot_is_hedged_long(catalog: Catalog) -> None:
    plan = make_plan([{"symbol": "BTC", "quantity": "-0.05", "price": "70000"}], catalog)
    btc = under(plan, "BTC")
    assert btc.target_usd == D(-3500)
    assert btc.side == "long"
    micro = btc.option("micro")
    assert micro is not None
    assert micro.side == "long"
    assert micro.contracts == 5
    assert micro.residual_usd == 0
    assert micro.order_text(D(10)).startswith("Buy 5 contracts of ")
    assert micro.liquidation_price is not None and micro.liquidation_price < D(70000)
    # A long futures hedge gains when the price rises, as the short spot loses.
    sc = scenario_for(plan, "BTC", np.array([0.1]))
    assert sc.options["micro"].pnl[0] == pytest.approx(350.0)
    assert sc.unhedged[0] == pytest.approx(-3850.0)


def test_inverse_short_keeps_the_usd_value_of_the_coins(catalog: Catalog) -> None:
    # N = Q·P0/C contracts: Q = 0.5 BTC, P0 = 70,000, C = 10 USD.
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "0.5", "price": "70000"}],
        catalog,
        families={"BTC": "DERIBIT-BTC"},
        leverage="1",  # liquidation far away: the hedge must hold everywhere
    )
    btc = under(plan, "BTC")
    [opt] = btc.options
    assert opt.contracts == 3500
    moves = default_moves(201, -0.5, 0.5)
    sc = scenario_for(plan, "BTC", moves)
    p0 = 70000.0
    p1 = p0 * (1 + moves)
    expected_pnl = 3500 * 10 * (1 - p1 / p0)
    np.testing.assert_allclose(sc.options[opt.name].pnl, expected_pnl, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sc.options[opt.name].value, 35000.0, rtol=1e-12)
    # Coins after the move are Q·P0/P1: valued at P1 that is Q·P0 again.
    coins = 0.5 + 3500 * 10 * (1 / p1 - 1 / p0)
    np.testing.assert_allclose(coins * p1, 35000.0, rtol=1e-12)


def test_linear_short_stops_losing_past_liquidation(catalog: Catalog) -> None:
    plan = make_plan([{"symbol": "BTC", "quantity": "0.05", "price": "70000"}], catalog)
    option = under(plan, "BTC").option("micro")
    assert option is not None
    moves = np.array([0.0, 0.05, 0.095, 0.2, 0.4])
    pnl, liq = futures_pnl(option, 70000.0, moves)
    assert liq == pytest.approx(0.095)
    assert pnl[1] == pytest.approx(-0.05 * 3500)
    assert pnl[3] == pytest.approx(pnl[2])
    assert pnl[4] == pytest.approx(pnl[2])


def test_missing_price_and_family_are_problems_not_crashes(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "SOL", "quantity": "10", "price": "150", "beta": "1.2"},
            {"symbol": "DOGE", "quantity": "10", "price": "1", "hedge_with": "XRP"},
        ],
        catalog,
    )
    btc = under(plan, "BTC")
    assert btc.problem is not None and "no price for BTC" in btc.problem
    assert btc.options == ()
    xrp = under(plan, "XRP")
    assert xrp.problem == "no futures family for XRP"
    assert len(plan.problems) == 2
    # The unhedged exposure is all residual.
    assert plan.totals.hedged_usd == 0
    assert plan.totals.residual_usd == D(1800) + D(10)


def test_family_for_another_underlying_is_a_problem(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
        catalog,
        families={"BTC": "CME-ETH"},
    )
    assert under(plan, "BTC").problem == "family CME-ETH hedges ETH, not BTC"
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
        catalog,
        families={"BTC": "NOPE"},
    )
    assert "unknown contract family 'NOPE'" in (under(plan, "BTC").problem or "")


def test_futures_price_overrides_spot(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
        catalog,
        futures_prices={"BTC": "70700"},
    )
    btc = under(plan, "BTC")
    assert btc.futures_price == D(70700)
    assert not btc.futures_price_from_spot
    micro = btc.option("micro")
    assert micro is not None
    assert micro.exact_contracts == D(70000) / D(707)


def test_per_underlying_settings_apply_to_that_underlying_only(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "BTC", "quantity": "1", "price": "70000"},
            {"symbol": "ETH", "quantity": "10", "price": "3500"},
        ],
        catalog,
        ratio="0.5",
        per_underlying={"ETH": UnderlyingSettings(ratio=D("0.25"), leverage=D(2))},
    )
    assert under(plan, "BTC").target_usd == D(35000)
    eth = under(plan, "ETH")
    assert eth.target_usd == D("8750")
    assert eth.leverage == D(2)


def test_totals_are_magnitudes_of_recommended_options(catalog: Catalog) -> None:
    plan = make_plan(
        [
            {"symbol": "BTC", "quantity": "0.0215", "price": "70000"},
            {"symbol": "ETH", "quantity": "-1.05", "price": "3000"},
        ],
        catalog,
    )
    btc, eth = under(plan, "BTC"), under(plan, "ETH")
    assert eth.side == "long"
    rb, re_ = btc.recommended_option, eth.recommended_option
    assert rb is not None and re_ is not None
    t = plan.totals
    assert t.target_usd == abs(btc.target_usd) + abs(eth.target_usd)
    assert t.exposure_usd == abs(btc.exposure_usd) + abs(eth.exposure_usd)
    assert t.hedged_usd == rb.hedged_usd + re_.hedged_usd
    assert t.residual_usd == rb.residual_usd + re_.residual_usd
    assert t.hedged_usd + t.residual_usd == t.target_usd
    assert t.initial_margin_usd == rb.initial_margin_usd + re_.initial_margin_usd


def test_over_hedge_warning_shows_small_percentages(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "5.37", "price": "70000"}],
        catalog,
        families={"BTC": "CME-BTC"},
    )
    mix = under(plan, "BTC").option("mix")
    assert mix is not None
    assert any("Over-hedged by 0.6 %" in w for w in mix.warnings)


def test_over_hedge_warning_only_when_it_matters(catalog: Catalog) -> None:
    """A few dollars over (part of the smallest contract) is rounding, not news (issue 13)."""
    # OKX 0.01-contract steps of 0.01 BTC: 0.2693 BTC hedges 18,851 of 18,850 USD.
    plan = make_plan(
        [
            {"symbol": "BTC", "quantity": "0.5", "price": "70000"},
            {"symbol": "SOL", "quantity": "12", "price": "150", "beta": "1.5", "hedge_with": "BTC"},
        ],
        catalog,
        families={"BTC": "OKX-BTC"},
        ratio="0.5",
    )
    micro = under(plan, "BTC").options[0]
    assert Decimal(0) < -micro.residual_usd < 10
    assert not any("Over-hedged" in w for w in micro.warnings)
    # Over by 2 % of the target (a 5 BTC standard for 4.9 BTC) warns.
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "4.9", "price": "70000"}],
        catalog,
        families={"BTC": "CME-BTC"},
        rounding="up",
    )
    std = under(plan, "BTC").option("standard")
    assert std is not None and std.residual_usd < 0
    assert any(w.startswith("Over-hedged by 2.0 %") for w in std.warnings)


def test_no_contract_fits_is_explained(catalog: Catalog) -> None:
    plan = make_plan([{"symbol": "BTC", "quantity": "0.001", "price": "70000"}], catalog)
    std = under(plan, "BTC").option("standard")
    assert std is not None
    assert std.contracts == 0
    assert "No whole contract fits" in " ".join(std.warnings)
    assert std.order_text(D(10)) == "No standard contract fits: 70 USD stays unhedged"


def test_order_text_reads_like_an_order(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "5.37", "price": "70000"}],
        catalog,
        families={"BTC": "CME-BTC"},
        leverage="2",
    )
    mix = under(plan, "BTC").option("mix")
    assert mix is not None
    assert mix.order_text(D(2)) == (
        "Sell 1 contract of CME Bitcoin futures (BTC) (5 BTC) + 4 contracts of CME Micro "
        "Bitcoin (MBT) (0.4 BTC) — hedges 378,000 USD, over-hedged by 2,100 USD by rounding, "
        "189,000 USD margin at 2x"
    )


def test_high_leverage_and_near_liquidation_warn(catalog: Catalog) -> None:
    plan = make_plan(
        [{"symbol": "BTC", "quantity": "0.05", "price": "70000"}], catalog, leverage="50"
    )
    btc = under(plan, "BTC")
    assert any("Leverage 50x: a one-day 3-sigma move of BTC" in w for w in btc.warnings)
    micro = btc.option("micro")
    assert micro is not None
    assert any("Liquidation near" in w for w in micro.warnings)


def test_huge_values_format_without_crashing() -> None:
    big = D("1e15") * D("1e15")
    assert fmt_money(big).startswith("1,000,000,000")
    assert fmt_decimal(big, 2) == "1" + "0" * 30
    assert fmt_decimal(D("-0.004"), 2) == "0"
    assert fmt_decimal(D("2.50"), 2) == "2.5"


@given(
    quantities=st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=8),
    ratio=st.integers(0, 200),
)
@settings(max_examples=60, deadline=None)
def test_plan_invariants(quantities: list[int], ratio: int) -> None:
    catalog = builtin_catalog()
    holdings = [
        {
            "symbol": ("BTC", "ETH", "SOL", "USDT")[i % 4],
            "quantity": D(q) / 10_000,
            "price": "123.45",
        }
        for i, q in enumerate(quantities)
    ]
    plan = make_plan(holdings, catalog, ratio=D(ratio) / 100)
    for u in plan.underlyings:
        assert u.problem is None
        assert u.target_usd == u.ratio * u.exposure_usd
        mix = u.option("mix")
        assert mix is not None
        for o in u.options:
            assert o.side == u.side
            assert abs(mix.residual_usd) <= abs(o.residual_usd)
            assert o.hedged_usd + o.residual_usd == abs(u.target_usd)
    assert plan.totals.hedged_usd + plan.totals.residual_usd == plan.totals.target_usd
