"""Orders relative to what is held: linear and inverse, add, reduce, close, flip; margin."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, Position
from hedger.core.planner import UnderlyingPlan, plan_portfolio
from hedger.core.position_gap import PositionGap

CATALOG = builtin_catalog()


def plan_btc(
    family: str,
    held: list[tuple[str, str, str]],
    *,
    btc: str = "0.5",
    collateral: str | None = None,
    prices: dict[str, D] | None = None,
) -> UnderlyingPlan:
    holdings = (Holding(symbol="BTC", quantity=D(btc), price=D(70000)),) if btc else ()
    positions = tuple(
        Position(
            contract=c,
            quantity=D(q),
            entry_price=D(e),
            collateral_usd=None if collateral is None else D(collateral),
        )
        for c, q, e in held
    )
    p = Portfolio(
        holdings=holdings,
        hedge=HedgeSettings(families={"BTC": family}, futures_prices=prices or {}),
        positions=positions,
    )
    u = plan_portfolio(p, CATALOG).underlying("BTC")
    assert u is not None
    return u


def gap(u: UnderlyingPlan) -> PositionGap:
    assert u.position_gap is not None, u.problem
    return u.position_gap


def orders(g: PositionGap) -> list[tuple[str, str, str, str]]:
    return [
        (o.action, o.ticket.side, o.ticket.quantity_text, o.ticket.contract.id) for o in g.orders
    ]


def test_linear_short_grows_sell_more() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "-3", "69000")]))
    assert orders(g) == [("add", "sell", "2 contracts", "CME:MBT")]
    assert g.orders[0].text == "Sell 2 more contracts of CME Micro Bitcoin (MBT) (0.2 BTC)"
    assert (g.orders[0].held, g.orders[0].after) == (D(-3), D(-5))
    assert g.current_hedged_usd == D(21000)
    assert (g.hedged_usd, g.residual_usd) == (D(35000), D(0))


def test_linear_reduce_buys_back_in_the_venues_unit() -> None:
    g = gap(plan_btc("BINANCE-USDM-BTC", [("BINANCE:BTCUSDT", "-550", "69000")]))
    assert orders(g) == [("reduce", "buy", "0.05 BTC", "BINANCE:BTCUSDT")]
    assert g.orders[0].text.startswith("Buy back 0.05 BTC of Binance BTCUSDT")
    assert g.orders[0].text.endswith("(50 contracts of 0.001 BTC): reduces the short")


def test_close_when_nothing_is_left_to_hedge() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "-5", "69000")], btc="0"))
    assert orders(g) == [("close", "buy", "5 contracts", "CME:MBT")]
    assert "closes the position" in g.orders[0].text
    assert g.after_usd == 0 and g.margin is None


def test_a_position_without_holdings_is_exposure_to_close() -> None:
    u = plan_btc("CME-BTC", [("CME:MBT", "-2", "69000")], btc="", prices={"BTC": D(71000)})
    assert u.holdings == 0 and u.target_usd == 0
    assert orders(gap(u)) == [("close", "buy", "2 contracts", "CME:MBT")]


def test_flip_from_long_to_short_is_one_order() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "2", "69000")]))
    assert orders(g) == [("flip", "sell", "7 contracts", "CME:MBT")]
    assert g.orders[0].text.endswith(
        "closes the long of 2 contracts (0.2 BTC) and opens a short of 5 contracts (0.5 BTC)"
    )
    assert g.orders[0].after == D(-5)


def test_part_of_a_large_contract_goes_and_smaller_ones_reopen() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:BTC", "-1", "69000")], btc="0.3"))
    assert orders(g) == [
        ("close", "buy", "1 contract", "CME:BTC"),
        ("open", "sell", "3 contracts", "CME:MBT"),
    ]
    assert g.hedged_usd == D(21000)


def test_inverse_adds_and_reduces_in_usd() -> None:
    g = gap(plan_btc("DERIBIT-BTC", [("DERIBIT:BTC-PERPETUAL", "-3000", "69000")]))
    assert orders(g) == [("add", "sell", "5,000 USD", "DERIBIT:BTC-PERPETUAL")]
    assert g.orders[0].text == (
        "Sell 5,000 more USD of Deribit BTC-PERPETUAL (inverse) (500 contracts of 10 USD)"
    )
    # Inverse P&L is paid in coin: -30,000 x (1/69,000 - 1/70,000) BTC at 70,000.
    assert g.pnl_usd.quantize(D("0.01")) == D("-434.78")
    g = gap(plan_btc("DERIBIT-BTC", [("DERIBIT:BTC-PERPETUAL", "-4000", "69000")]))
    assert orders(g) == [("reduce", "buy", "5,000 USD", "DERIBIT:BTC-PERPETUAL")]
    g = gap(plan_btc("DERIBIT-BTC", [("DERIBIT:BTC-PERPETUAL", "500", "69000")]))
    assert orders(g) == [("flip", "sell", "40,000 USD", "DERIBIT:BTC-PERPETUAL")]


def test_inverse_close() -> None:
    g = gap(plan_btc("OKX-INVERSE-BTC", [("OKX:BTC-USD-SWAP", "-350", "69000")], btc="0"))
    assert orders(g) == [("close", "buy", "350 contracts", "OKX:BTC-USD-SWAP")]


def test_another_family_counts_as_exposure_and_is_labelled() -> None:
    g = gap(plan_btc("CME-BTC", [("BINANCE:BTCUSDT", "-200", "69000")]))
    assert not g.held and len(g.other) == 1
    assert "another family" in g.other[0].label
    # 0.2 BTC already hedged on Binance: the rest on CME.
    assert orders(g) == [("open", "sell", "3 contracts", "CME:MBT")]
    assert g.hedged_usd == D(35000)


def test_margin_of_the_combined_position_counts_the_existing_pnl() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "-3", "69000")], collateral="8000"))
    assert g.margin is not None
    # 0.5 BTC at 70,000 at 2x: 17,500 (CME asks 40 % = 14,000, less).
    assert g.margin.initial_usd == D(17500)
    assert g.pnl_usd == D(-300)  # 0.3 BTC short, 1,000 USD against it
    assert g.posted_given and g.posted_usd == D(8000)
    assert g.equity_usd == D(7700)
    assert g.to_add_usd == D(9800)
    assert "add 9,800 USD" in g.margin_words
    assert g.liquidation_price == D("79800.00")


def test_posted_margin_is_assumed_at_the_leverage_when_not_given() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "-3", "69000")]))
    assert not g.posted_given
    assert g.posted_usd == D(10350)  # 0.3 x 69,000 / 2
    assert "assumed" in g.margin_words


def test_nothing_to_trade_when_held_is_the_target() -> None:
    g = gap(plan_btc("CME-BTC", [("CME:MBT", "-5", "69000")]))
    assert g.orders == ()
    assert g.order_words.startswith("Nothing to trade")


def test_off_step_holdings_are_reported() -> None:
    g = gap(plan_btc("OKX-BTC", [("OKX:BTC-USDT-SWAP", "-40.005", "69000")]))
    assert any("not a whole number of the venue's steps" in p for p in g.problems)


@pytest.mark.parametrize("gaps", [True, False])
def test_plans_without_positions_build_gaps_only_when_asked(gaps: bool) -> None:
    p = Portfolio(holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),))
    u = plan_portfolio(p, CATALOG, gaps=gaps).underlying("BTC")
    assert u is not None
    assert (u.position_gap is not None) is gaps
    if gaps:
        assert orders(u.position_gap) == [("open", "sell", "5 contracts", "CME:MBT")]  # type: ignore[arg-type]


# -- another family's position that already over-hedges (audit 14-6) ----------------------


def test_over_hedge_on_another_family_is_bought_back_on_its_own_venue() -> None:
    g = gap(plan_btc("CME-BTC", [("BINANCE:BTCUSDT", "-1000", "70000")]))
    assert orders(g) == [("reduce", "buy", "0.5 BTC", "BINANCE:BTCUSDT")]
    (o,) = g.orders
    assert not o.on_family and (o.held, o.after) == (D(-1000), D(-500))
    assert o.text.startswith("Buy back 0.5 BTC of Binance BTCUSDT perpetual (USD-M)")
    assert "on its own venue" in o.text
    # No long opened on CME against the Binance short.
    assert not any(x.ticket.contract.id.startswith("CME:") for x in g.orders)
    assert (g.hedged_usd, g.residual_usd, g.margin) == (D(35000), D(0), None)
    # Nothing is held on CME after the orders, but 0.5 BTC stays short on Binance.
    assert "nothing is held" not in g.margin_words
    assert "stays on its own venue" in g.margin_words


def test_a_family_position_stays_when_the_other_can_absorb_the_excess() -> None:
    g = gap(
        plan_btc("CME-BTC", [("CME:MBT", "-3", "70000"), ("BINANCE:BTCUSDT", "-1000", "70000")])
    )
    assert orders(g) == [("reduce", "buy", "0.8 BTC", "BINANCE:BTCUSDT")]
    assert not g.both_legs and g.hedged_usd == D(35000)


def test_both_legs_are_said_to_be_needed() -> None:
    g = gap(
        plan_btc("CME-BTC", [("CME:MBT", "-10", "70000"), ("BINANCE:BTCUSDT", "-1000", "70000")])
    )
    assert sorted(orders(g)) == [
        ("close", "buy", "1 BTC", "BINANCE:BTCUSDT"),
        ("reduce", "buy", "5 contracts", "CME:MBT"),
    ]
    assert g.both_legs
    assert g.order_words.startswith("Both orders are needed, one on each position: ")
    assert g.hedged_usd == D(35000)


def test_mark_placed_moves_the_other_familys_position() -> None:
    from datetime import UTC, datetime

    from hedger.services.positions import placed

    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
        positions=(Position(contract="BINANCE:BTCUSDT", quantity=D(-1000), entry_price=D(1)),),
    )
    out = placed(p, "BTC", CATALOG, datetime(2026, 12, 6, tzinfo=UTC))
    assert [(x.contract, x.quantity) for x in out.positions] == [("BINANCE:BTCUSDT", D(-500))]
    (entry,) = out.journal
    assert (entry.contract, entry.change) == ("BINANCE:BTCUSDT", D(500))


def test_a_gap_order_below_the_minimum_names_the_nearest_valid_one() -> None:
    # Audit 14-9: 0.001 BTC more at 70,000 is 70 USDT, under Binance's 100 USDT.
    g = gap(plan_btc("BINANCE-USDM-BTC", [("BINANCE:BTCUSDT", "-500", "70000")], btc="0.501"))
    assert orders(g) == [("add", "sell", "0.001 BTC", "BINANCE:BTCUSDT")]
    (problem,) = g.problems
    assert "below the venue's minimum order value of 100 USDT" in problem
    assert problem.endswith("the nearest valid order is 0.002 BTC")


def test_held_totals_say_what_the_positions_hedge_now() -> None:
    """The plan's totals are the hedge from zero; held_totals are what protects the book."""
    holdings = (
        Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),
        Holding(symbol="ETH", quantity=D(4), price=D(3500)),
    )
    positions = (
        Position(
            contract="BINANCE:BTCUSDT",
            quantity=D(-300),
            entry_price=D(69000),
            collateral_usd=D(12000),
        ),
        Position(
            contract="DERIBIT:BTC-PERPETUAL",
            quantity=D(-700),
            entry_price=D(69000),
            collateral_usd=D(3000),
        ),
    )
    families = {"BTC": "CME-BTC", "ETH": "CME-ETH"}
    book = Portfolio(holdings=holdings, hedge=HedgeSettings(families=families))
    plan = plan_portfolio(book.model_copy(update={"positions": positions}), CATALOG)
    held = plan.held_totals
    assert held is not None
    # 0.3 BTC at 70,000 on Binance and 7,000 USD on Deribit: 28,000 of the 49,000 target.
    assert held.hedged_usd == D(28000)
    assert held.residual_usd == D(49000) - D(28000)
    assert plan_portfolio(book, CATALOG).held_totals is None
