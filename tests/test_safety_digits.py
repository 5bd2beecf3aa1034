"""Numbers are ASCII digits: "٣" (Arabic-Indic three) or "３" (fullwidth) is refused, not read as 3.

Python's ``\\d``, ``str.isdigit``, ``int``, ``float`` and ``Decimal`` all accept
any Unicode decimal digit; a venue answer, a file or a typed value with one
must be refused with a reason like any other non-number.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hedger.core.decimals import DecimalParseError, parse_decimal

FOREIGN = ["٣", "３", "1٣", "٣.5", "1,٣٣٣", "-٣"]


@pytest.mark.parametrize("text", FOREIGN)
def test_typed_and_file_decimals_refuse_non_ascii_digits(text: str) -> None:
    with pytest.raises(DecimalParseError):
        parse_decimal(text)
    assert parse_decimal("3") == Decimal(3)  # the ASCII form still reads


@pytest.mark.parametrize("text", FOREIGN)
def test_venue_numbers_refuse_non_ascii_digits(text: str) -> None:
    from hedger.live.transport import bounded_decimal
    from hedger.live.validate import as_decimal

    assert bounded_decimal(text) is None
    assert as_decimal(text) is None
    assert as_decimal("70000.5") == Decimal("70000.5")


def test_a_price_file_with_non_ascii_digits_or_underscores_refuses_those_rows() -> None:
    from hedger.core.analytics.history import parse_price_bytes

    rows = ["date,close", "2024-01-01,100", "2024-01-02,٣", "2024-01-03,1_000", "2024-01-04,101"]
    report = parse_price_bytes("\n".join(rows).encode(), "BTC", "test")
    assert report.good_rows == 2 and report.bad_count == 2
    assert [e.row for e in report.bad_rows] == [3, 4]
    assert all("is not a number" in e.reason for e in report.bad_rows)


def test_a_holdings_row_with_non_ascii_digits_is_skipped_with_its_reason() -> None:
    from hedger.core.holdings_csv import parse_holdings_text

    result = parse_holdings_text("Symbol,Quantity,Price\nBTC,٣,70000\nETH,2,3500\n")
    assert [h.symbol for h in result.holdings] == ["ETH"]
    assert result.errors and result.errors[0].row == 2


@pytest.mark.parametrize(
    "args",
    [
        ["funding", "download", "BINANCE:BTCUSDT", "--days", "٣"],
        ["risk", "PORTFOLIO", "--paths", "٣٠٠٠"],
        ["carry", "PORTFOLIO", "--days", "٩٠"],
    ],
)
def test_command_line_numbers_refuse_non_ascii_digits(
    data_dir: Path, args: list[str], capsys: Any
) -> None:
    from hedger.cli import main

    sample = Path(__file__).resolve().parent.parent / "resources" / "samples" / "core-stack.json"
    code = main([str(sample) if a == "PORTFOLIO" else a for a in args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.splitlines()) == 1
    assert f"argument {args[-2]}" in err, err  # refused as an argument, before any work


@pytest.mark.gui
def test_the_risk_tabs_seed_refuses_non_ascii_digits(qtbot: Any) -> None:
    from hedger.core.catalog import builtin_catalog
    from hedger.core.models import Portfolio
    from hedger.store.history import HistoryStore
    from hedger.ui.analytics.history_library import HistoryLibrary
    from hedger.ui.analytics.risk import RiskTab
    from hedger.ui.document.document import PortfolioDocument

    tab = RiskTab(
        PortfolioDocument(builtin_catalog(), Portfolio(name="P")), HistoryLibrary(HistoryStore())
    )
    qtbot.addWidget(tab)
    tab.seed_edit.setText("٣")
    assert tab.seed() != 3 and tab.seed_edit.text().isascii()
    tab.seed_edit.setText("42")
    assert tab.seed() == 42
