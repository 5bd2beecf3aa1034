"""Holdings from spreadsheet text and CSV files (pure core, no Qt)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core import holdings_csv
from hedger.core.holdings_csv import (
    HoldingsFileError,
    decode_text,
    detect_delimiter,
    format_holdings_text,
    parse_holdings_text,
    read_holdings_file,
)
from hedger.core.models import Holding


def rows(text: str) -> list[tuple[str, Decimal, Decimal, Decimal | None, str | None]]:
    result = parse_holdings_text(text)
    assert result.errors == [], result.details()
    return [(h.symbol, h.quantity, h.price, h.beta, h.hedge_with) for h in result.holdings]


D = Decimal


def test_tab_separated_with_header_from_a_spreadsheet() -> None:
    text = (
        "Symbol\tQuantity\tPrice\tBeta\tHedge With\n"
        "BTC\t0.5\t70,000.00\t\t\n"
        "sol\t12\t150\t1.5\tbtc\n"
    )
    assert rows(text) == [
        ("BTC", D("0.5"), D("70000.00"), None, None),
        ("SOL", D("12"), D("150"), D("1.5"), "BTC"),
    ]
    assert parse_holdings_text(text).has_header


@pytest.mark.parametrize(
    "header",
    [
        "asset,qty,spot",
        "COIN,AMOUNT,LAST",
        "Ticker,Balance,Price (USD)",
        "  Symbol , Quantity , Price ",
    ],
)
def test_header_names_are_recognised_case_insensitively(header: str) -> None:
    assert rows(f"{header}\nETH,4,3500\n") == [("ETH", D(4), D(3500), None, None)]


@pytest.mark.parametrize("name", ["hedge_with", "Hedge With", "hedge", "HEDGE-WITH"])
def test_hedge_with_header_variants(name: str) -> None:
    text = f"symbol;quantity;price;beta;{name}\nSOL;12;150;1.5;BTC\n"
    assert rows(text) == [("SOL", D(12), D(150), D("1.5"), "BTC")]


def test_header_columns_in_any_order_and_unknown_columns_ignored() -> None:
    text = "Price,Notes,Symbol,Value,Quantity\n3500,cold wallet,ETH,14000,4\n"
    result = parse_holdings_text(text)
    assert [(h.symbol, h.quantity, h.price) for h in result.holdings] == [("ETH", D(4), D(3500))]
    assert result.ignored_columns == ["Notes", "Value"]
    assert "Notes" in result.details()


def test_without_header_columns_are_symbol_quantity_price_beta_hedge_with() -> None:
    assert rows("BTC,0.5,70000\nSOL,12,150,1.5,BTC\nDOGE,5000,0.16,2\n") == [
        ("BTC", D("0.5"), D(70000), None, None),
        ("SOL", D(12), D(150), D("1.5"), "BTC"),
        ("DOGE", D(5000), D("0.16"), D(2), None),
    ]
    assert not parse_holdings_text("BTC,0.5,70000").has_header


def test_quoted_thousands_and_dollar_signs() -> None:
    text = 'BTC,"1,234.5","$70,000.00"\nETH, "4", "$3,500"\n'
    assert rows(text) == [
        ("BTC", D("1234.5"), D("70000.00"), None, None),
        ("ETH", D(4), D(3500), None, None),
    ]


def test_semicolon_separated_european_export() -> None:
    assert rows("Symbol;Quantity;Price\nBTC;0.5;70000\n") == [
        ("BTC", D("0.5"), D(70000), None, None)
    ]


def test_spaces_separate_columns_when_nothing_else_does() -> None:
    assert rows("BTC 0.5 70000\nETH   4   3,500") == [
        ("BTC", D("0.5"), D(70000), None, None),
        ("ETH", D(4), D(3500), None, None),
    ]


def test_quantities_keep_full_precision() -> None:
    assert rows("BTC\t0.00012345\t70000") == [("BTC", D("0.00012345"), D(70000), None, None)]


def test_stablecoin_price_defaults_to_one_dollar() -> None:
    # "2,000.00", not "2,000": a lone comma group is ambiguous (see below).
    assert rows("USDC\t2,000.00\nUSDT\t150") == [
        ("USDC", D(2000), D(1), None, None),
        ("USDT", D(150), D(1), None, None),
    ]
    assert rows("DAI,75") == [("DAI", D(75), D(1), None, None)]


def test_a_lone_comma_group_is_refused_as_ambiguous() -> None:
    # A German user means 1.555 BTC, an English one 1555: never guess.
    result = parse_holdings_text("BTC\t1,555\t70000\n")
    assert result.holdings == []
    (err,) = result.errors
    assert err.column == "quantity"
    assert "'1,555' is ambiguous" in err.reason
    assert "1555" in err.reason and "1.555" in err.reason


def test_dot_decimals_elsewhere_in_the_paste_settle_comma_groups() -> None:
    # 0.45 uses a dot for decimals, so the same table's "1,000" is a thousand.
    assert rows("ADA\t1,000\t0.45\nXRP\t12,500\t0.6\n") == [
        ("ADA", D(1000), D("0.45"), None, None),
        ("XRP", D(12500), D("0.6"), None, None),
    ]
    # "1.555" alone does not settle it: a German reader groups thousands with a dot.
    result = parse_holdings_text("BTC\t1,555\t1.555\n")
    assert [e.column for e in result.errors] == ["quantity"]


def test_unambiguous_grouping_is_still_read() -> None:
    assert rows("BTC\t1,234,567\t1,555.00\n") == [("BTC", D(1234567), D("1555.00"), None, None)]


def test_auto_words_leave_beta_and_hedge_with_unset() -> None:
    assert rows("SOL,12,150,auto,-") == [("SOL", D(12), D(150), None, None)]


def test_blank_lines_and_bom_and_crlf_are_tolerated() -> None:
    text = "\ufeffSymbol,Quantity,Price\r\n\r\nBTC,1,70000\r\n,,\r\nETH,2,3500\r\n"
    assert [r[0] for r in rows(text)] == ["BTC", "ETH"]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("abc", "price 'abc' is not a number"),
        ("NaN", "price 'NaN' is not a number"),
        ("1e3", "price '1e3' is not a number"),
        ("-5", "price must be greater than 0"),
        ("0", "price must be greater than 0"),
        ("1.555,5", "use a dot for decimals"),
        ("99999999999999999", "too large"),
    ],
)
def test_bad_price_is_reported_with_row_and_reason(cell: str, reason: str) -> None:
    text = f"symbol\tquantity\tprice\nBTC\t1\t70000\nETH\t2\t{cell}\n"
    result = parse_holdings_text(text)
    assert [h.symbol for h in result.holdings] == ["BTC"]
    [err] = result.errors
    assert err.row == 3
    assert err.column == "price"
    assert reason in err.reason
    assert str(err).startswith("row 3: ")


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (",1,2", "symbol", "symbol is missing"),
        ("B T C,1,2", "symbol", "must be 1-24 letters"),
        ("BTC,,70000", "quantity", "quantity is missing"),
        ("ETH,1", "price", "price is missing"),
        ("SOL,1,150,25", "beta", "beta must be at most 20"),
        ("SOL,1,150,x", "beta", "beta 'x' is not a number"),
        ("SOL,1,150,1.5,B TC", "hedge_with", "hedge with 'B TC' must be"),
        ("Total,,52500", "symbol", "looks like a totals row"),
    ],
)
def test_row_problems(line: str, column: str, reason: str) -> None:
    result = parse_holdings_text(f"BTC,1,70000\n{line}\n")
    assert len(result.holdings) == 1
    [err] = result.errors
    assert (err.row, err.column) == (2, column)
    assert reason in err.reason


def test_summary_names_each_skipped_row() -> None:
    text = "symbol,quantity,price\nBTC,1,70000\nETH,2,3500\nX,1,abc\nSOL,3,150\nY,zz,1\n"
    result = parse_holdings_text(text)
    assert result.summary() == (
        "3 rows imported; 2 rows skipped: row 4: price 'abc' is not a number; "
        "row 6: quantity 'zz' is not a number"
    )


def test_summary_singular_and_truncated() -> None:
    assert parse_holdings_text("BTC,1,1").summary() == "1 row imported"
    bad = "\n".join(f"X{i},q,1" for i in range(8))
    summary = parse_holdings_text(bad).summary(limit=2)
    assert summary.startswith("0 rows imported; 8 rows skipped: row 1: ")
    assert summary.endswith("; and 6 more")


def test_unquoted_thousands_in_comma_text_is_an_error_not_a_guess() -> None:
    result = parse_holdings_text("symbol,quantity,price\nBTC,1,234.5,70000\n")
    assert result.holdings == []
    assert "put numbers with thousands separators in quotes" in result.errors[0].reason
    headerless = parse_holdings_text("BTC,1,234.5,70000,1,ETH\n")
    assert "6 values" in headerless.errors[0].reason


def test_header_without_quantity_column_is_one_clear_error() -> None:
    result = parse_holdings_text("symbol,price\nBTC,70000\n")
    assert result.holdings == []
    assert len(result.errors) == 1
    assert "no quantity column" in result.errors[0].reason


def test_quoted_field_spanning_lines_reports_the_starting_line() -> None:
    text = 'symbol,quantity,price,notes\nBTC,1,70000,"two\nlines"\nETH,x,3500,\n'
    result = parse_holdings_text(text)
    assert [h.symbol for h in result.holdings] == ["BTC"]
    assert result.errors[0].row == 4


def test_empty_and_header_only_texts() -> None:
    assert parse_holdings_text("").is_empty
    assert parse_holdings_text("  \n\n").is_empty
    header_only = parse_holdings_text("Symbol\tQuantity\tPrice\n")
    assert header_only.is_empty and header_only.has_header


def test_all_bad_is_flagged() -> None:
    result = parse_holdings_text("hello world\nfoo bar")
    assert result.all_bad
    assert result.holdings == []


def test_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(holdings_csv, "MAX_ROWS", 3)
    result = parse_holdings_text("\n".join(f"BTC,{i},70000" for i in range(1, 6)))
    assert len(result.holdings) == 3
    assert "only the first 3 rows" in result.errors[0].reason


def test_nul_bytes_are_not_text() -> None:
    result = parse_holdings_text("BTC,1,\x0070000")
    assert result.all_bad
    assert "not text" in result.errors[0].reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\tb,c\n", "\t"),
        ("a;b,5;c\nd;e;f", ";"),
        ('a,"1;2",c', ","),
        ("a b c", None),
        ("BTC,1\nETH;2", ","),
    ],
)
def test_detect_delimiter(text: str, expected: str | None) -> None:
    assert detect_delimiter(text) == expected


def test_format_round_trips_through_the_parser() -> None:
    holdings = [
        Holding(symbol="BTC", quantity=D("0.00012345"), price=D("70000.5")),
        Holding(symbol="SOL", quantity=D(-12), price=D(150), beta=D("1.5"), hedge_with="BTC"),
    ]
    for delimiter in ("\t", ",", ";"):
        text = format_holdings_text(holdings, delimiter)
        assert text.splitlines()[0].split(delimiter) == [
            "Symbol",
            "Quantity",
            "Price",
            "Beta",
            "Hedge With",
        ]
        assert parse_holdings_text(text).holdings == holdings


# -- files -----------------------------------------------------------------


def test_decode_utf8_bom_utf16_and_windows_1252() -> None:
    assert decode_text("\ufeffBTC,1,2".encode()) == "BTC,1,2"
    assert decode_text("Symbol\tQty\tPrice\n".encode("utf-16")) == "Symbol\tQty\tPrice\n"
    assert decode_text("Notes: Bärbel €".encode("cp1252")) == "Notes: Bärbel €"
    assert decode_text(b"\x81\x8d") == "\x81\x8d"  # undefined in cp1252: latin-1


def test_read_file_with_latin1_notes_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("Symbol;Menge;Price;Notiz\nBTC;0.5;70000;Börse\n".encode("latin-1"))
    result = read_holdings_file(path)
    # "Menge" is not a known header, so there is no quantity column.
    assert result.all_bad
    path.write_bytes("Symbol;Qty;Price;Notiz\nBTC;0.5;70000;Börse\n".encode("latin-1"))
    result = read_holdings_file(path)
    assert [(h.symbol, h.quantity) for h in result.holdings] == [("BTC", D("0.5"))]


def test_read_excel_unicode_text_export(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes("Coin\tAmount\tLast\r\nETH\t4\t3,500.00\r\n".encode("utf-16"))
    assert [(h.symbol, h.price) for h in read_holdings_file(path).holdings] == [
        ("ETH", D("3500.00"))
    ]


def test_read_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(HoldingsFileError, match="not found"):
        read_holdings_file(tmp_path / "missing.csv")
    with pytest.raises(HoldingsFileError, match="folder"):
        read_holdings_file(tmp_path)
    big = tmp_path / "big.csv"
    big.write_text("BTC,1,70000\n" * 20)
    monkeypatch.setattr(holdings_csv, "MAX_FILE_BYTES", 100)
    with pytest.raises(HoldingsFileError, match="too large: holdings files are limited to 100 b"):
        read_holdings_file(big)
    monkeypatch.undo()
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(HoldingsFileError, match="not a text file"):
        read_holdings_file(binary)
