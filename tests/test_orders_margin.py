"""Real margin: venue rates, fixed USD per contract, tiers, liquidation, collateral.

Hand-computed figures: domain.md §5 examples 12-14 and venue-facts.md §3, §7, §8.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedger.core.catalog import Catalog, Contract, builtin_catalog
from hedger.core.collateral import collateral_plan, max_safe_leverage, one_day_move
from hedger.core.liquidation import liquidation_for_collateral, liquidation_price
from hedger.core.margin import liquidation_of, margin_for
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import HedgeOption, plan_portfolio

D = Decimal
P0 = D(70000)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return builtin_catalog()


def recommended(catalog: Catalog, family: str, qty: str = "0.5", **hedge: object) -> HedgeOption:
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D(qty), price=P0),),
        hedge=HedgeSettings.model_validate({"families": {"BTC": family}, **hedge}),
    )
    u = plan_portfolio(p, catalog).underlying("BTC")
    assert u is not None and u.recommended_option is not None
    return u.recommended_option


# --------------------------------------------------------------------------- CME


def test_cme_rate_beats_the_leverage_example_13(catalog: Catalog) -> None:
    o = recommended(catalog, "CME-BTC", leverage="10")
    m = o.margin
    assert m is not None
    assert m.by_leverage_usd == D(3500)
    assert m.required_usd == D(14000)
    assert o.initial_margin_usd == D(14000)
    assert m.rule == "venue" and m.max_leverage == D("2.5")
    assert "CME asks 40 % of the notional" in m.words and "at most 2.5x" in m.words
    assert "14,000 USD margin (CME's requirement; 10x would be 3,500)" in o.order_text()
    # At 2x the leverage asks more than CME does, and the words say so.
    o2 = recommended(catalog, "CME-BTC", leverage="2")
    assert o2.margin is not None and o2.margin.rule == "leverage"
    assert o2.initial_margin_usd == D(17500)
    assert "at your 2x; CME asks at least 14,000 USD" in o2.margin.words


def test_a_brokers_fixed_dollar_margin_per_contract(catalog: Catalog) -> None:
    mbt = catalog.contracts["CME:MBT"]
    mine = Contract.model_validate(
        {
            **mbt.model_dump(),
            "id": "MYBROKER:MBT",
            "initial_margin_usd": "2000",
            "maintenance_margin_usd": "1800",
        }
    )
    m = margin_for([(mine, 5)], P0, D(10))
    assert m.required_usd == D(10000) and m.initial_usd == D(10000) and m.rule == "venue"
    assert m.maintenance_usd == D(9000)
    assert "2,000.00 USD per contract" in m.words
    # Equity 10,000 − loss falls to 9,000 after 1,000 USD: 0.5 BTC × 2,000 USD.
    assert liquidation_of(m, P0, "short") == D(72000)
    # Fixed maintenance does not grow with the price: 10,500 + 9,000.
    plan = collateral_plan(m, P0, "short", D("0.3"))
    assert plan is not None and plan.needed_usd == D(19500)


# --------------------------------------------------------------------------- tiers


def test_binance_tier_one_and_its_liquidation(catalog: Catalog) -> None:
    c = catalog.contracts["BINANCE:BTCUSDT"]
    m = margin_for([(c, 500)], P0, D(2))  # 0.5 BTC, 35,000 USDT: tier 1
    [leg] = m.legs
    assert leg.tier == 0 and leg.maintenance_rate == D("0.004") and leg.deduction == 0
    # Binance's formula, MM at the liquidation price: EP (1 + 1/L) / (1 + MMR).
    assert liquidation_of(m, P0, "short") == P0 * D("1.5") / D("1.004")


def test_binance_tier_two_uses_its_rate_and_cum(catalog: Catalog) -> None:
    c = catalog.contracts["BINANCE:BTCUSDT"]
    m = margin_for([(c, 10_000)], P0, D(10))  # 10 BTC, 700,000 USDT: tier 2
    [leg] = m.legs
    assert leg.tier == 1
    assert leg.required_usd == D(7000)  # 1 % (100x)
    assert m.maintenance_usd == D(700000) * D("0.005") - 300
    # (WB + cum + Q·EP) / (Q·(1 + MMR)) with WB = 70,000, cum = 300.
    assert liquidation_of(m, P0, "short") == D(770300) / D("10.05")


def test_binance_recomputes_in_the_bracket_of_the_liquidation_price(catalog: Catalog) -> None:
    c = catalog.contracts["BINANCE:BTCUSDT"]
    m = margin_for([(c, 4_000)], P0, D(2))  # 280,000 USDT at entry: tier 1
    assert m.legs[0].tier == 0
    # Tier 1 would put it at 104,581.67, where 4 BTC is 418,327 USDT: tier 2.
    assert liquidation_of(m, P0, "short") == D(420300) / D("4.02")


def test_kraken_retail_and_professional_accounts(catalog: Catalog) -> None:
    c = catalog.contracts["KRAKEN:PI_XBTUSD"]
    retail = margin_for([(c, 35_000)], P0, D(10))
    pro = margin_for([(c, 35_000)], P0, D(10), account="professional")
    assert retail.required_usd == D(17500) and retail.rule == "venue"
    assert "for retail accounts" in retail.words and "at most 2x" in retail.words
    assert pro.required_usd == D(700) and pro.rule == "leverage"
    # Kraken values maintenance at the liquidation price: P0 (1 − mm) / (1 − 1/L) at 2x.
    assert liquidation_of(margin_for([(c, 35_000)], P0, D(2)), P0, "short") == D(105000)


def test_deribit_rates_grow_with_the_position(catalog: Catalog) -> None:
    c = catalog.contracts["DERIBIT:BTC-PERPETUAL"]
    m = margin_for([(c, 3_500)], P0, D(10))  # 35,000 USD = 0.5 BTC
    # IM = 2 % + 0.5 × 0.005 %.
    assert m.required_usd == D(35000) * D("0.020025")
    assert m.legs[0].maintenance_rate == D("0.010025")


# --------------------------------------------------------------------------- liquidation


def test_liquidation_conventions_of_venue_facts_section_8() -> None:
    entry = dict(entry=P0, leverage=D(10), maintenance_rate=D("0.005"), side="short")
    assert liquidation_price(**entry, kind="linear") == D(76650)  # type: ignore[arg-type]
    inverse = liquidation_price(**entry, kind="inverse")  # type: ignore[arg-type]
    assert inverse is not None and round(inverse, 2) == D("77348.07")  # example 12
    mark_linear = liquidation_price(**entry, kind="linear", rule="mark")  # type: ignore[arg-type]
    mark_inverse = liquidation_price(**entry, kind="inverse", rule="mark")  # type: ignore[arg-type]
    assert mark_linear is not None and round(mark_linear, 2) == D("76616.92")
    assert mark_inverse is not None and round(mark_inverse, 2) == D("77388.89")


def test_an_inverse_short_at_half_leverage_cannot_be_liquidated() -> None:
    # L <= 1/(1 + mm): the coin loss never reaches the collateral.
    assert liquidation_price(P0, D("0.5"), D("0.005"), "short", "inverse") is None
    assert liquidation_price(P0, D("0.995"), D("0.005"), "short", "inverse") is None
    assert liquidation_price(P0, D("0.5"), D("0.005"), "short", "inverse", rule="mark") is None
    assert liquidation_price(P0, D(1), D("0.005"), "short", "inverse", rule="mark") is None
    # A linear long with more collateral than the notional: the price cannot fall that far.
    assert liquidation_price(P0, D("0.5"), D("0.005"), "long", "linear") is None


def test_the_fee_to_close_counts_where_the_venue_counts_it() -> None:
    without = liquidation_for_collateral(P0, D(1), D(7000), D("0.005"), "short", "linear")
    with_fee = liquidation_for_collateral(
        P0, D(1), D(7000), D("0.005"), "short", "linear", fee=D("0.0005")
    )
    assert without is not None and with_fee is not None and with_fee < without
    assert without - with_fee == P0 * D("0.0005")


# --------------------------------------------------------------------------- collateral


def test_collateral_for_a_rally_example_14(catalog: Catalog) -> None:
    micro = catalog.contracts["GENERIC:BTC-MICRO"]  # maintenance 0.5 %
    m = margin_for([(micro, 50)], P0, D(10))
    plan = collateral_plan(m, P0, "short", D("0.30"))
    assert plan is not None
    assert plan.loss == D(10500) and plan.maintenance == D("227.50")
    assert plan.needed_usd == D("10727.50")
    assert plan.keep_usd == D("10727.50")  # more than the 3,500 to open
    assert "30 % rally (to 91,000), keep 10,727.50 USD" in plan.words


def test_collateral_the_user_keeps_moves_the_liquidation_price(catalog: Catalog) -> None:
    micro = catalog.contracts["GENERIC:BTC-MICRO"]
    m = margin_for([(micro, 50)], P0, D(10))
    plan = collateral_plan(m, P0, "short", D("0.30"), posted_usd=D(12000))
    assert plan is not None
    # 70,000 + (12,000 − 0.5 % × 35,000) / 0.5 BTC.
    assert plan.posted_liquidation == D(93650)
    assert plan.posted_covers is True
    o = recommended(
        catalog, "GENERIC-BTC", leverage="10", per_underlying={"BTC": {"collateral_usd": "12000"}}
    )
    assert o.liquidation_price == D(93650)


def test_inverse_collateral_is_counted_in_coin(catalog: Catalog) -> None:
    c = catalog.contracts["DERIBIT:BTC-PERPETUAL"]
    m = margin_for([(c, 3_500)], P0, D(10))
    plan = collateral_plan(m, P0, "short", D("0.30"))
    assert plan is not None
    loss = D(35000) / P0 - D(35000) / D(91000)
    maintenance = D("0.010025") * D(35000) / D(91000)
    # Decimal division: equal to the last of 28 digits.
    assert abs(plan.loss - loss) < D("1e-25")
    assert abs(plan.maintenance - maintenance) < D("1e-25")
    assert abs(plan.needed_usd - (loss + maintenance) * P0) < D("1e-20")
    assert "BTC (about 8,347 USD at today's price)" in plan.words


def test_safe_leverage_for_one_bad_day() -> None:
    m = one_day_move(D("0.04"), "short")
    assert round(m, 4) == D("0.1275")  # e^0.12 − 1
    # Linear, entry rule: 1 / (m + mm).
    assert max_safe_leverage(D("0.04"), D("0.005"), "linear") == D("7.5")
    # CME's maintenance is most of the margin: 2x is the most one bad day allows.
    assert max_safe_leverage(D("0.04"), D("0.36"), "linear") == D("2.0")
    assert max_safe_leverage(D("0.04"), D("0.01"), "inverse") == D("8.1")


def test_cross_margin_uses_the_collateral_the_account_keeps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hedger.cli import main
    from hedger.core.resources import resource_path

    sample = str(resource_path("samples", "core-stack.json"))
    assert main(["plan", sample, "--margin-mode", "cross"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "(cross margin; say what your account keeps with --collateral BTC=USD)" in out
    assert main(["plan", sample, "--margin-mode", "cross", "--collateral", "BTC=30000"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    # 70,000 + (30,000 − 36 % × 35,000) / 0.5 BTC, CME valued at entry.
    assert "Liquidation: 104,800.00 (+49.7 %) with the 30,000 USD you keep (cross margin)" in out


# -- contracts without a tier table (audit 11-4) --------------------------------------------


def test_a_large_perpetual_without_tiers_says_hedger_has_none() -> None:
    from hedger.core.catalog import builtin_catalog
    from hedger.core.margin import margin_for

    okx = builtin_catalog().contracts["OKX:BTC-USDT-SWAP"]
    small = margin_for([(okx, 3860)], Decimal(97000), Decimal(2))  # 38.6 contracts: 37,442 USD
    assert small.notes == ()
    big = margin_for([(okx, 10_000_000)], Decimal(97000), Decimal(2))  # 1,000 BTC
    (note,) = big.notes
    assert note.startswith("OKX:BTC-USDT-SWAP: Hedger has no tier table for this contract")
    assert "above 300,000 USD venues ask more" in note and "97,000,000 USD" in note


def test_the_untiered_threshold_is_the_smallest_first_tier_shipped() -> None:
    import json

    from hedger.core.margin import UNTIERED_ABOVE_USD
    from hedger.core.resources import resource_path

    doc = json.loads(resource_path("margin_tiers.json").read_text(encoding="utf-8"))
    caps = [
        Decimal(t["tiers"][0]["cap"])
        for tables in doc["tables"].values()
        for t in tables
        if t["basis"] == "notional" and "cap" in t["tiers"][0]
    ]
    assert min(caps) == UNTIERED_ABOVE_USD
