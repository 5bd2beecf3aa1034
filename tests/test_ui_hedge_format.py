"""hedger.ui.format: display strings for money, percentages, prices and axes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedger.core.decimals import DecimalParseError
from hedger.ui import format as fmt


def test_money_and_usd() -> None:
    assert fmt.money(Decimal("35000")) == "35,000"
    assert fmt.money(Decimal("-600")) == "−600"
    assert fmt.money(Decimal("0.349"), 2) == "0.35"
    assert fmt.money(Decimal("-0.001"), 2) == "0.00"
    assert fmt.usd(Decimal("3500")) == "3,500 USD"
    assert fmt.signed_money(Decimal("5900")) == "+5,900"
    assert fmt.signed_money(-5900.0) == "−5,900"
    assert fmt.signed_money(0.2) == "0"
    assert fmt.money_places(Decimal("999")) == 2
    assert fmt.money_places(Decimal("-1500")) == 0


def test_percent_price_and_counts() -> None:
    assert fmt.pct(Decimal("7.1618")) == "7.2 %"
    assert fmt.pct(Decimal("100")) == "100 %"
    assert fmt.pct(Decimal("-900")) == "−900 %"
    assert fmt.signed_pct(9.5) == "+9.5 %"
    assert fmt.signed_pct(0) == "0 %"
    assert fmt.ratio_pct(Decimal("0.375")) == "37.5"
    assert fmt.price(Decimal("70000")) == "70,000"
    assert fmt.price(Decimal("3500.25")) == "3,500.25"
    assert fmt.price(Decimal("0.0001234")) == "0.0001234"
    assert fmt.contracts(3500) == "3,500"
    assert fmt.leverage(Decimal("10")) == "10x"


def test_grouped_is_exact_for_editable_fields() -> None:
    assert fmt.grouped(Decimal("70000.5")) == "70,000.5"
    assert fmt.grouped(Decimal("100.00")) == "100"


def test_compact_axis_labels() -> None:
    assert fmt.compact_usd(350_000) == "350k"
    assert fmt.compact_usd(1_200_000) == "1.2M"
    assert fmt.compact_usd(12_500) == "12.5k"
    assert fmt.compact_usd(-3e9) == "−3B"
    assert fmt.compact_usd(950) == "950"
    assert fmt.compact_usd(0) == "0"
    assert fmt.compact_usd(float("nan")) == ""


@pytest.mark.parametrize(("text", "value"), [("50", "50"), ("50%", "50"), (" 37.5 % ", "37.5")])
def test_parse_percent(text: str, value: str) -> None:
    assert fmt.parse_percent(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "", "%", "1e3", "5,0"])
def test_parse_percent_refuses(text: str) -> None:
    with pytest.raises(DecimalParseError):
        fmt.parse_percent(text, what="Hedge ratio")


def test_parse_leverage() -> None:
    assert fmt.parse_leverage("10x") == 10
    assert fmt.parse_leverage(" 2.5 X") == Decimal("2.5")
    with pytest.raises(DecimalParseError):
        fmt.parse_leverage("x")
