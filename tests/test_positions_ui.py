"""The held hedge in the app: Positions table, gap card, journal, import dialog, badges, tray.

Set HEDGER_SCREENSHOT_DIR=docs to refresh the README images
(screenshot-positions.png, screenshot-drift.png).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtGui import QImage

from hedger.core.catalog import builtin_catalog
from hedger.core.models import DriftRules, HedgeSettings, Holding, Portfolio, Position, Quote
from hedger.services.library import sample_portfolio
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.panel import HedgePanel
from hedger.ui.library.model import FindingsRole
from hedger.ui.library.panel import LibraryPanel
from hedger.ui.main_window import MainWindow
from hedger.ui.positions.import_dialog import ImportPositionsDialog
from hedger.ui.positions.journal_dialog import JournalDialog
from hedger.ui.positions.model import FIELDS
from hedger.ui.positions.notifier import DriftNotifier
from hedger.ui.positions.panel import PositionsPanel
from hedger.ui.positions.rules_dialog import DriftRulesDialog

pytestmark = pytest.mark.gui
CATALOG = builtin_catalog()


def btc_book(*positions: Position) -> Portfolio:
    return Portfolio(
        name="Held",
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
        positions=positions,
    )


def mbt(q: str, entry: str = "69000", **kw: Any) -> Position:
    return Position.model_validate(
        {"contract": "CME:MBT", "quantity": q, "entry_price": entry, **kw}
    )


def test_table_edits_are_undoable_and_bad_input_changes_nothing(qtbot: Any) -> None:
    doc = PortfolioDocument(CATALOG, btc_book(mbt("-3")))
    panel = PositionsPanel(doc)
    qtbot.addWidget(panel)
    m = panel.model
    assert m.rowCount() == 1
    col = {f: i for i, f in enumerate(FIELDS)}
    assert m.data(m.index(0, col["venue_quantity"])) == "-3 contracts"
    assert m.data(m.index(0, col["quantity"])) == "-3"
    assert m.data(m.index(0, col["value"])) == "-21,000"  # value at today's 70,000
    assert m.data(m.index(0, col["pnl"])) == "-300"  # P&L
    assert m.setData(m.index(0, col["quantity"]), "-5")
    assert doc.portfolio.positions[0].quantity == D(-5)
    refused: list[str] = []
    m.editRefused.connect(refused.append)
    assert not m.setData(m.index(0, 0), "CME:NOPE")
    assert not m.setData(m.index(0, col["entry_price"]), "abc")
    assert len(refused) == 2 and "unknown contract" in refused[0]
    doc.undo_stack.undo()
    assert doc.portfolio.positions[0].quantity == D(-3)
    panel.add_row()
    assert len(doc.portfolio.positions) == 2
    panel.view.selectRow(1)
    panel.remove_selected()
    assert len(doc.portfolio.positions) == 1
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert len(doc.portfolio.positions) == 1


def test_paste_and_csv_import(qtbot: Any, tmp_path: Path) -> None:
    doc = PortfolioDocument(CATALOG, btc_book())
    panel = PositionsPanel(doc)
    qtbot.addWidget(panel)
    text = "contract\tcontracts\tentry\taccount\ncme:MBT\t-2\t69500\tbroker\nCME:MET\t-10\t3400\t\n"
    assert panel.paste_text(text, "Paste Positions")
    assert [(p.contract, p.quantity, p.account) for p in doc.portfolio.positions] == [
        ("CME:MBT", D(-2), "broker"),
        ("CME:MET", D(-10), None),
    ]
    messages: list[str] = []
    panel.statusMessage.connect(messages.append)
    assert not panel.paste_text("CME:MBT\tx\t1\nCME:ZZZ\t1\t1\n", "Paste Positions")
    assert "row 1: quantity" in messages[-1]
    assert len(doc.portfolio.positions) == 2
    f = tmp_path / "pos.csv"
    f.write_text("contract,quantity,entry_price\nBINANCE:BTCUSDT,-100,70100\n", encoding="utf-8")
    panel.choose_file = lambda: f
    panel.import_with_dialog()
    assert doc.portfolio.positions[-1].contract == "BINANCE:BTCUSDT"
    doc.undo_stack.undo()
    assert len(doc.portfolio.positions) == 2


def test_gap_card_and_mark_as_placed_journal(qtbot: Any) -> None:
    doc = PortfolioDocument(CATALOG, btc_book(mbt("-3")))
    panel = HedgePanel(doc)
    qtbot.addWidget(panel)
    card = panel.position_gap
    assert not card.isHidden()
    assert (
        "Held: CME:MBT -3 contracts (-0.3 BTC)" in card.held.text()
        and "21,000 USD" in card.held.text()
    )
    assert "Sell 2 more contracts" in card.orders.text()
    assert "add" in card.margin.text()
    assert card.place_button.isEnabled()
    assert card.mark_placed()
    assert doc.portfolio.positions[0].quantity == D(-5)
    (entry,) = doc.portfolio.journal
    assert entry.kind == "placed" and entry.change == D(-2)
    assert not card.place_button.isEnabled()  # nothing left to trade
    assert "Nothing to trade" in card.orders.text()
    doc.undo_stack.undo()
    assert doc.portfolio.journal == () and doc.portfolio.positions[0].quantity == D(-3)
    # No positions anywhere: no card (a plan); the Positions table records the plan's orders.
    doc2 = PortfolioDocument(CATALOG, btc_book())
    panel2 = HedgePanel(doc2)
    qtbot.addWidget(panel2)
    assert panel2.position_gap.isHidden()
    positions = PositionsPanel(doc2)
    qtbot.addWidget(positions)
    assert not positions.place_plan_button.isHidden()
    assert positions.place_plan()
    assert doc2.portfolio.positions[0].quantity == D(-5)
    assert not panel2.position_gap.isHidden()
    assert positions.place_plan_button.isHidden()


def test_journal_dialog_exports_csv(qtbot: Any, tmp_path: Path) -> None:
    doc = PortfolioDocument(CATALOG, btc_book(mbt("-3")))
    HedgePanel(doc).position_gap.mark_placed()
    dialog = JournalDialog(doc)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "CME:MBT"
    out = tmp_path / "journal.csv"
    dialog.ask_path = lambda: out
    assert dialog.export() == out
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("time,kind,underlying")


def test_rules_dialog_sets_the_band(qtbot: Any) -> None:
    doc = PortfolioDocument(CATALOG, btc_book(mbt("-3")))
    dialog = DriftRulesDialog(doc)
    qtbot.addWidget(dialog)
    dialog.band.setText("10%")
    dialog.expiry.setValue(7)
    dialog.accept()
    assert doc.portfolio.drift == DriftRules(band_pct=D("0.1"), expiry_days=7)
    dialog = DriftRulesDialog(doc)
    dialog.band_kind.setCurrentIndex(1)
    dialog.band.setText("-5")
    dialog.accept()
    assert "band usd" in dialog.error.text() or "greater" in dialog.error.text()
    assert doc.portfolio.drift.band_usd is None


def _fake_ccxt() -> Any:
    class Exchange:
        def __init__(self, config: dict[str, Any]) -> None:
            self.config = config

        def load_markets(self) -> dict[str, Any]:
            return {
                "BTC/USDT:USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT:USDT", "contractSize": 1}
            }

        def fetch_positions(self) -> list[Any]:
            return [
                {"symbol": "BTC/USDT:USDT", "side": "short", "contracts": 0.2, "entryPrice": 69900}
            ]

        def fetch_balance(self) -> Any:
            return {"total": {"USDT": 4000}}

    return SimpleNamespace(exchanges=["binanceusdm"], binanceusdm=Exchange)


def test_import_dialog_imports_through_a_fake_exchange(qtbot: Any) -> None:
    from hedger.store import keys

    class Ring(dict[tuple[str, str], str]):
        def get_password(self, s: str, u: str) -> str | None:
            return self.get((s, u))

        def set_password(self, s: str, u: str, p: str) -> None:
            self[(s, u)] = p

        def delete_password(self, s: str, u: str) -> None:
            del self[(s, u)]

    ring = Ring()
    keys.use_backend(ring)
    try:
        doc = PortfolioDocument(CATALOG, btc_book(mbt("-3")))
        dialog = ImportPositionsDialog(doc, module=_fake_ccxt())
        qtbot.addWidget(dialog)
        assert "read-only" in dialog.findChildren(type(dialog.result))[0].text()
        dialog.exchange.setCurrentText("binanceusdm")
        dialog.api_key.setText("KEY-123456")
        dialog.secret.setText("SECRET-987654")
        dialog.test_connection()
        dialog._task.wait()
        assert "the key can read this account" in dialog.result.text()
        dialog.run_import()
        dialog._task.wait()
        assert dialog.result.text().startswith("Imported 1 position from binanceusdm")
        assert [p.contract for p in doc.portfolio.positions] == ["CME:MBT", "BINANCE:BTCUSDT"]
        assert list(ring) == [("hedger", "binanceusdm/default")]
        doc.undo_stack.undo()
        assert len(doc.portfolio.positions) == 1
    finally:
        keys.use_backend(None)


def test_import_dialog_without_keyring_says_how_to_install(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "keyring", None)
    doc = PortfolioDocument(CATALOG, btc_book())
    dialog = ImportPositionsDialog(doc, module=_fake_ccxt())
    qtbot.addWidget(dialog)
    assert not dialog.remember.isEnabled()
    assert 'pip install "hedger[live]"' in dialog.install.text()


def test_tray_notice_after_an_automatic_refresh_finds_something_new(qtbot: Any) -> None:
    doc = PortfolioDocument(
        CATALOG, btc_book(mbt("-5", expiry="2027-03-26", collateral_usd="20000"))
    )
    notifier = DriftNotifier(doc)
    calls: list[tuple[str, str]] = []
    notifier.notify = lambda title, text: calls.append((title, text))
    assert notifier.on_refreshed(auto=True) == [] and calls == []
    # Prices moved: the book grew, the hedge is now outside its band.
    grown = doc.portfolio.model_copy(
        update={"holdings": (Holding(symbol="BTC", quantity=D("0.8"), price=D(70000)),)}
    )
    doc.replace_portfolio(grown, "Grow")
    new = notifier.on_refreshed(auto=False)  # a refresh the user asked for: no notice
    assert [f.kind for f in new] == ["band"] and calls == []
    old = datetime.now(UTC) - timedelta(hours=30)
    stale = doc.portfolio.model_copy(
        update={"quotes": {"BTC": Quote(price=D(70000), source="Binance", fetched_at=old)}}
    )
    doc.replace_portfolio(stale, "Old prices")
    new = notifier.on_refreshed(auto=True)
    assert [f.kind for f in new] == ["prices"]
    assert calls == [("Hedger: Held needs action", new[0].line)]


def _library_with_books(tmp_path: Path) -> PortfolioLibrary:
    library = PortfolioLibrary(tmp_path / "lib")
    library.save_as(btc_book(mbt("-5", expiry="2027-03-26", collateral_usd="20000")), "Steady")
    library.save_as(btc_book(mbt("-3", collateral_usd="2500", expiry="2027-03-26")), "Drifting")
    library.save_as(btc_book(), "Plan only")
    return library


def test_library_badges(qtbot: Any, tmp_path: Path) -> None:
    panel = LibraryPanel(_library_with_books(tmp_path))
    qtbot.addWidget(panel)
    m = panel.model
    by_name = {m.entry(r).name: m.index(r) for r in range(m.rowCount())}
    drifting = m.data(by_name["Drifting"], FindingsRole)
    assert [f.kind for f in drifting] == ["band", "liquidation"]
    assert "2 to act on" in m.data(by_name["Drifting"])
    assert m.data(by_name["Steady"], FindingsRole) == ()
    assert m.data(by_name["Plan only"], FindingsRole) is None  # no positions: no badge
    assert "Needs action" in m.data(by_name["Drifting"], 3)  # ToolTipRole


def screenshot_book(drifting: bool = False) -> Portfolio:
    """The sample book with the futures held against it; ``drifting``: ETH grew
    past its hedge and the MBT short runs on thin collateral."""
    sample = sample_portfolio()
    march = datetime(2027, 3, 26).date()
    positions = (
        Position(
            contract="CME:MBT",
            quantity=D(-4),
            entry_price=D(68450),
            account="IBKR",
            collateral_usd=D(12000 if drifting else 20000),
            expiry=march,
        ),
        Position(
            contract="BINANCE:BTCUSDT",
            quantity=D(-140),
            entry_price=D("69812.5"),
            margin_mode="cross",
            collateral_usd=D(6500),
            account="binance-main",
            source="ccxt:binanceusdm",
        ),
        Position(
            contract="CME:MET",
            quantity=D(-30 if drifting else -40),
            entry_price=D(3420),
            account="IBKR",
            collateral_usd=D(12000),
            expiry=march,
        ),
    )
    name = "Core stack, drifting" if drifting else "Core stack, held"
    return sample.model_copy(update={"positions": positions, "name": name})


@pytest.mark.parametrize("which", ["positions", "drift"])
def test_screenshots(app_theme, qtbot: Any, tmp_path: Path, which: str) -> None:
    app_theme("light")  # the app's own palette, as in the README's other shots
    w = _held_window(qtbot, tmp_path, drifting=which == "drift")
    if which == "drift":
        assert len(w.positions.notifier.findings) == 2
        assert w.positions.tabs.tabText(1) == "Positions (3) · 2 to act on"
        w.hedge_panel.set_current_underlying("ETH")  # the card shows the order to add
    else:
        assert w.positions.notifier.findings == []
    # The cost-to-hold line is worked out once the chart is up; shown done, not "…".
    w.hedge_panel.carry.start()
    assert w.hedge_panel.carry.state.wait(30)
    qtbot.wait(80)
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out = out_dir / f"screenshot-{which}.png"
    assert w.grab().save(str(out))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)


def _held_window(qtbot: Any, tmp_path: Path, drifting: bool = False) -> MainWindow:
    """The main window at 1280x800 on the held sample book, Positions tab shown."""
    library = _library_with_books(tmp_path)
    held = library.save_as(screenshot_book(), "Core stack, held")
    drift = library.save_as(screenshot_book(drifting=True), "Core stack, drifting")
    path = drift if drifting else held
    doc = PortfolioDocument(CATALOG, library.load(path), path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    qtbot.waitUntil(lambda: w.chart_host.chart is not None)
    w.positions.show_positions()
    return w


def test_positions_table_fits_beside_the_chart_at_1280x800(qtbot: Any, tmp_path: Path) -> None:
    """No horizontal scrollbar: every column is on screen, numbers whole, long text elided."""
    w = _held_window(qtbot, tmp_path)
    view = w.positions.panel.view
    qtbot.wait(50)
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: not view.horizontalScrollBar().isVisible(), timeout=2000)
    assert header.length() <= view.viewport().width()
    fm = view.fontMetrics()
    for field in ("venue_quantity", "quantity", "entry_price", "value", "pnl", "collateral_usd"):
        col = FIELDS.index(field)
        for row in range(view.model().rowCount()):
            text = str(view.model().index(row, col).data())
            assert fm.horizontalAdvance(text) + 6 <= header.sectionSize(col), (field, text)
    # The contract gave up width first; its tooltip keeps the whole name.
    contract = view.model().index(1, FIELDS.index("contract"))
    assert "BINANCE:BTCUSDT" in str(contract.data()) + str(contract.data(3))


def test_with_positions_held_the_chart_and_status_bar_speak_of_what_is_held(
    qtbot: Any, tmp_path: Path
) -> None:
    """The curves are the hedge from zero (said so); the liquidation line and the
    status bar are the positions held now, the danger and the cover the user has."""
    w = _held_window(qtbot, tmp_path)
    gap = w.document.plan.underlying("BTC").position_gap
    assert gap is not None and gap.liquidation_price is not None
    chart = w.chart_host.chart
    qtbot.waitUntil(lambda: chart.liquidation_line.isVisible())
    label = chart.liquidation_line.label.format
    assert label.startswith("Held: liquidation") or label.startswith("Held liq.")
    move = float(gap.liquidation_price / gap.futures_price - 1) * 100
    assert abs(chart.liquidation_line.value() - move) < 1e-6
    legend = " ".join(label.text for _sample, label in chart.legend.items)
    assert "from zero" in legend
    held = w.document.plan.held_totals
    assert held is not None
    status = w._plan_label.text()
    assert "held hedges" in status and "hedged" not in status.replace("held hedges", "")
    from hedger.core.decimals import fmt_money

    rest = held.residual_usd
    words = f"left {fmt_money(rest, 0)}" if rest >= 0 else f"over by {fmt_money(-rest, 0)}"
    assert words in status


def test_held_lines_in_the_order_card_never_push_the_panel_sideways(
    app_theme, qtbot: Any, tmp_path: Path
) -> None:
    """Positions on other venues lengthen the order card: at 1280x800 the margin
    card goes under it rather than off the right edge."""
    from PySide6.QtWidgets import QScrollArea

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
            margin_mode="cross",
            collateral_usd=D(3000),
        ),
    )
    book = sample_portfolio().model_copy(update={"positions": positions})
    app_theme("light")  # the app's own style and fonts set the widths
    doc = PortfolioDocument(CATALOG, book, None)
    w = MainWindow(doc, PortfolioLibrary(tmp_path / "lib"), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    qtbot.wait(100)
    scroll = w.hedge_panel.findChild(QScrollArea, "hedgeScroll")
    qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible())
    margin = w.hedge_panel.margin
    right = margin.mapTo(scroll.viewport(), margin.rect().topRight()).x()
    assert right <= scroll.viewport().width()


def test_short_spot_question_names_the_order_from_what_is_held(qtbot: Any) -> None:
    """3 MBT held short against 0.5 BTC at 60 %: flipping the spot to a short
    trades 6 contracts (close 3, open 3 long), not the 3 of a hedge from zero."""
    from hedger.ui.holdings.short_position import short_question

    book = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}, ratio=D("0.6")),
        positions=(
            Position(
                contract="CME:MBT", quantity=D(-3), entry_price=D(69000), collateral_usd=D(8000)
            ),
        ),
    )
    doc = PortfolioDocument(CATALOG, book)
    q = short_question(doc, book.holdings[0], D("-0.5"), 0)
    assert "“Buy 6 contracts of CME Micro Bitcoin (MBT)" in q.informative
    assert "closes the short of 3 contracts" in q.informative
    assert "(now “nothing to trade”)" in q.informative
