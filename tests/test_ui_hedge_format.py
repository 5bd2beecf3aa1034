"""hedger.ui.format: display strings for money, percentages, prices and axes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedger.core.decimals import DecimalParseError
from hedger.ui import format as fmt
from hedger.ui.hedge.entries import parse_rally, parse_ratio, share_text


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
    # Rounding up to the next unit says so; a tiny negative is no "−0".
    assert fmt.compact_usd(999_960) == "1M"
    assert fmt.compact_usd(-0.004) == "0"


def test_compact_cells_roll_over_to_the_next_unit() -> None:
    assert fmt.compact(Decimal("999950")) == "1.0M"
    assert fmt.compact(Decimal("999949")) == "999.9k"
    assert fmt.compact(Decimal("-999950000")) == "−1.0B"
    assert fmt.compact(Decimal("0.00002")) == "2e-5"


@pytest.mark.parametrize(
    ("text", "value"), [("50%", "0.5"), (" 37.5 % ", "0.375"), ("0.5", "0.5"), ("2", "2")]
)
def test_ratio_reads_like_the_command_line(text: str, value: str) -> None:
    # 50% is fifty per cent and a bare number a fraction, as with --ratio.
    assert parse_ratio(text) == (Decimal(value), None)


@pytest.mark.parametrize("text", ["abc", "%", "1e3", "5,0", "50", "250%"])
def test_ratio_refuses_with_a_reason(text: str) -> None:
    value, reason = parse_ratio(text)
    assert value is None and reason is not None and reason.startswith("Hedge ratio")


def test_a_bare_percent_shows_both_readings() -> None:
    _, reason = parse_ratio("50")
    assert reason == (
        "Hedge ratio: a bare 50 is read as a fraction, which would be 5000 %; "
        "write 50% for 50 per cent (or 0.5 as a fraction)"
    )
    assert parse_rally("30") == (
        None,
        "Rally: a bare 30 is read as a fraction, which would be 3000 %; "
        "write 30% for 30 per cent (or 0.3 as a fraction)",
    )
    assert parse_rally("30%") == (Decimal("0.3"), None)
    assert share_text(Decimal("0.375")) == "37.5%"


def test_parse_leverage() -> None:
    assert fmt.parse_leverage("10x") == 10
    assert fmt.parse_leverage(" 2.5 X") == Decimal("2.5")
    with pytest.raises(DecimalParseError):
        fmt.parse_leverage("x")
