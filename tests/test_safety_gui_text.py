"""Text from files shown in the GUI: controls, line breaks and bidi overrides escaped.

The CLI already shows them escaped (``cli.output.clean``); the GUI uses the
same rules (``core.safe_text``) for the window title, the "Prices:" status
line, the library list and labels showing a portfolio name, source or note.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hedger.core.models import Holding, Portfolio, Quote

pytestmark = pytest.mark.gui

ESC = "\x1b"
EVIL = f"Evil{ESC}]0;PWNED\x07{ESC}[31mRED{ESC}[0m\u202eRTL\r\nFAKE\u2028X\u2066Y"
RAW = (ESC, "\x07", "\r", "\n", "\u2028", "\u202e", "\u2066")


def clean_of_raw(text: str, *, newlines: bool = False) -> bool:
    bad = [c for c in RAW if c in text and not (newlines and c == "\n")]
    return not bad


def evil_book() -> Portfolio:
    holding = Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "70000"})
    quote = Quote.model_validate(
        {"price": "70000", "source": f"Bin{EVIL}ance", "fetched_at": datetime.now(UTC)}
    )
    return Portfolio(name="P", holdings=(holding,), quotes={"BTC": quote}).model_copy(
        update={"name": EVIL}
    )


def test_the_gui_and_the_cli_escape_by_the_same_rules() -> None:
    from hedger.cli.output import clean
    from hedger.ui.format import shown, shown_lines

    assert shown(EVIL) == clean(EVIL)
    assert clean_of_raw(shown(EVIL))
    assert "\\x1b]0;PWNED\\x07" in shown(EVIL) and "\\u202eRTL" in shown(EVIL)
    assert shown_lines("a\nb\u202e") == "a\nb\\u202e"


def test_window_title_price_line_and_library_list_show_escapes(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from hedger.core.catalog import builtin_catalog
    from hedger.store.library import PortfolioLibrary
    from hedger.store.portfolio_file import save_portfolio
    from hedger.store.settings import AppSettings
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow
    from hedger.ui.prices.age_widget import PriceAgeWidget

    library = PortfolioLibrary(tmp_path / "lib")
    path = library.directory / "evil.json"
    save_portfolio(path, evil_book())
    doc = PortfolioDocument(builtin_catalog(), evil_book(), path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    w.files.ask_unsaved = lambda _n: "discard"
    title = w.windowTitle()
    assert clean_of_raw(title), repr(title)
    assert title.startswith("Evil\\x1b]0;PWNED") and "(evil.json)" in title
    age = w.findChild(PriceAgeWidget)
    assert age is not None
    assert clean_of_raw(age.text()), repr(age.text())
    assert "\\x1b" in age.text()
    assert clean_of_raw(age.toolTip(), newlines=True), repr(age.toolTip())
    model = w.library_panel.view.model()
    names = [model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]
    evil = [n for n in names if n.startswith("Evil")]
    assert evil, names
    first_line = evil[0].split("\n")[0]
    assert clean_of_raw(first_line) and "\\u202eRTL" in first_line
    assert len(evil[0].split("\n")) == 2  # the name's own line breaks do not add lines
