"""Position sizing: contracts that keep the loss at the stop within a share of equity."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from hedger.core.analytics.position_sizing import PositionSizingError, size_position
from hedger.core.catalog import Contract, builtin_catalog

CATALOG = builtin_catalog()
GENERIC = CATALOG.family_contracts("GENERIC-BTC")


def test_article_example_one_percent_of_1000() -> None:
    # 1 % of 1,000 USD = 10 USD; a 1,000 USD stop on a 0.01 BTC micro loses 10 USD.
    r = size_position(D(1000), D(1), D(70000), D(69000), GENERIC, D(10))
    assert r.risk_usd == D(10) and r.side == "long"
    micro = r.option("micro")
    assert micro is not None
    assert micro.contracts == 1
    assert micro.loss_per_contract == D(10)
    assert micro.loss_at_stop == D(10)
    assert micro.margin == D(70)  # 700 USD notional at 10x
    assert r.recommended == "micro"
    for name in ("standard", "mini"):
        o = r.option(name)
        assert o is not None and o.contracts == 0
        assert any("more than the 10.00 USD risk" in w for w in o.warnings)


def test_loss_never_exceeds_the_risk_and_mix_uses_it_best() -> None:
    r = size_position(D(50000), D(1), D(70000), D(68000), GENERIC, D(5))
    assert all(o.loss_at_stop <= r.risk_usd for o in r.options)
    mix = r.option("mix")
    assert mix is not None and mix.order_text().startswith("2 × Mini")
    assert mix.loss_at_stop == D(500)
    assert r.recommended in ("micro", "mix")


def test_decimal_floor_where_floats_go_wrong() -> None:
    tiny = Contract(
        id="TEST:TINY",
        venue="TEST",
        symbol="TINY",
        name="tiny",
        underlying="BTC",
        tier="micro",
        kind="linear",
        size=D("0.01"),
        source="test",
        as_of="2026",
    )
    # 0.29 / 0.01 is 29 exactly; float floor gives 28.
    r = size_position(D(29), D(1), D(2), D(1), [tiny], D(1))
    assert r.options[0].contracts == 29


def test_inverse_contracts_use_face_over_entry() -> None:
    deribit = CATALOG.family_contracts("DERIBIT-BTC")
    r = size_position(D(1000), D(1), D(70000), D(69000), deribit, D(10))
    o = r.options[0]
    # 10 USD face loses 10 x 1000/70000 USD: 70 contracts lose exactly 10 USD.
    assert o.contracts == 70
    assert o.loss_at_stop == D(10)


def test_short_stop_beyond_liquidation_is_warned() -> None:
    r = size_position(D(100000), D(1), D(70000), D(78000), GENERIC, D(10))
    assert r.side == "short"
    o = r.option("micro")
    assert o is not None and o.liquidation_price == D("76650.000")
    assert any("comes before the stop" in w for w in o.warnings)


def test_high_leverage_and_margin_warnings() -> None:
    r = size_position(D(1000), D(50), D(70000), D(60000), GENERIC, D(50))
    assert any("Leverage 50x is high" in w for w in r.warnings)
    assert any("aggressive" in w for w in r.warnings)
    r2 = size_position(D(100), D(100), D(70000), D(69900), GENERIC, D(1))
    micro = r2.option("micro")
    assert micro is not None and micro.contracts == 100  # 100 USD / (0.01 x 100 USD)
    assert any("more than the equity" in w for w in micro.warnings)


def test_fees_can_count_against_the_risk() -> None:
    plain = size_position(D(1000), D(1), D(70000), D(69000), GENERIC, D(10))
    with_fees = size_position(D(1000), D(1), D(70000), D(69000), GENERIC, D(10), include_fees=True)
    p = plain.option("micro")
    f = with_fees.option("micro")
    assert p is not None and f is not None
    assert any("With fees" in w for w in p.warnings)
    assert f.contracts == 0  # 10 USD + 0.70 USD fees no longer fits 10 USD


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((D(0), D(1), D(70000), D(69000), D(10)), "equity"),
        ((D(1000), D(0), D(70000), D(69000), D(10)), "risk"),
        ((D(1000), D(101), D(70000), D(69000), D(10)), "risk"),
        ((D(1000), D(1), D(70000), D(70000), D(10)), "stop must differ"),
        ((D(1000), D(1), D(-1), D(69000), D(10)), "above 0"),
        ((D(1000), D(1), D(70000), D(69000), D(0)), "leverage"),
    ],
)
def test_bad_inputs(args: tuple[D, D, D, D, D], message: str) -> None:
    equity, risk, entry, stop, lev = args
    with pytest.raises(PositionSizingError, match=message):
        size_position(equity, risk, entry, stop, GENERIC, lev)
