"""Limits on numbers a person or a file can give: refused with a message, never altered."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from hedger.core.decimals import DecimalParseError, parse_decimal
from hedger.core.models import Holding, Portfolio
from hedger.store.portfolio_file import PortfolioFileError, loads_portfolio

D = Decimal


@pytest.mark.parametrize("text", ["1,555", "12,500", "-1,555", "$12,500"])
def test_a_lone_comma_group_is_ambiguous(text: str) -> None:
    with pytest.raises(DecimalParseError) as err:
        parse_decimal(text, what="quantity")
    message = str(err.value)
    whole = text.replace(",", "").replace("$", "")
    # Both readings are offered: 1555 and 1.555.
    assert "ambiguous" in message and whole in message
    assert text.replace(",", ".").replace("$", "") in message


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234,567", D(1234567)), ("1,555.00", D("1555.00")), ("-12,500.5", D("-12500.5"))],
)
def test_unambiguous_grouping_is_read(text: str, value: Decimal) -> None:
    assert parse_decimal(text) == value


def test_context_may_settle_a_lone_group() -> None:
    assert parse_decimal("1,555", thousands_commas=True) == D(1555)


@pytest.mark.parametrize("value", ["0.000000000000000000001", D("1E-21"), D("1E-999999")])
def test_more_than_20_decimal_places_is_refused_not_rounded(value: object) -> None:
    with pytest.raises(DecimalParseError, match="at most 20"):
        parse_decimal(value, what="quantity")


def test_20_places_and_trailing_zeros_are_kept() -> None:
    assert parse_decimal("0.00000000000000000001") == D("1E-20")
    assert parse_decimal("0.5000000000000000000000000") == D("0.5")


def test_json_number_with_a_huge_negative_exponent_is_a_clean_error() -> None:
    doc = (
        '{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": 1e-999999, "price": 5}]}'
    )
    with pytest.raises(PortfolioFileError) as err:
        loads_portfolio(doc, "tiny.json")
    assert str(err.value) == (
        "tiny.json: holdings[0].quantity: 1E-999999 has 999,999 decimal places (at most 20)"
    )


def test_a_holding_worth_more_than_1e15_usd_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"BTC: quantity .* the limit for one holding"):
        Holding(symbol="BTC", quantity=D("1e15"), price=D("1e15"))
    with pytest.raises(ValidationError, match="the limit for one holding"):
        Holding(symbol="BTC", quantity=D("-1e12"), price=D("1001"))
    assert Holding(symbol="BTC", quantity=D("1e12"), price=D(1000)).value == D("1e15")


def test_a_file_with_an_absurd_holding_names_it(tmp_path: Path) -> None:
    doc = (
        '{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": "1", "price": "5"},'
        ' {"symbol": "SOL", "quantity": "1000000000000000", "price": "1000000000000000"}]}'
    )
    with pytest.raises(PortfolioFileError) as err:
        loads_portfolio(doc, "big.json")
    assert str(err.value).startswith("big.json: holdings[1]: SOL: quantity 1000000000000000")
    assert Portfolio.model_validate({"holdings": [{"symbol": "BTC", "quantity": 1, "price": 5}]})
