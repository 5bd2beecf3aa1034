"""Main window: composition, files, library, undo naming, recovery, themes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Portfolio
from hedger.services.library import choose_initial
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import load_portfolio
from hedger.store.settings import AppSettings, load_settings, migrate
from hedger.ui import app as app_mod
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow

EXAMPLE = {
    "schema_version": 1,
    "name": "Core stack",
    "holdings": [
        {"symbol": "BTC", "quantity": "0.5", "price": "70000"},
        {"symbol": "SOL", "quantity": "12", "price": "150", "beta": "1.5", "hedge_with": "BTC"},
    ],
    "hedge": {
        "ratio": "1",
        "rounding": "nearest",
        "leverage": "10",
        "families": {"BTC": "CME-BTC"},
        "futures_prices": {"BTC": "70000"},
    },
}


def make_window(qtbot, path: Path | None = None) -> MainWindow:
    library = PortfolioLibrary()
    portfolio = Portfolio.model_validate(EXAMPLE)
    if path is None:
        path = library.save_as(portfolio, portfolio.name)
    doc = PortfolioDocument(builtin_catalog(), load_portfolio(path), path)
    w = MainWindow(doc, library, AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_title_shows_unsaved_changes_and_undo_names_the_action(qtbot):
    w = make_window(qtbot)
    assert not w.isWindowModified()
    assert "Core stack" in w.windowTitle()
    w.document.edit_holding_field(0, "quantity", "0.6")
    assert w.isWindowModified()
    assert w.act_undo.text() == "&Undo Edit Quantity"
    w.act_undo.trigger()
    assert not w.isWindowModified()
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
    w.act_redo.trigger()
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.6")


def test_save_reopen_and_compare(qtbot):
    w = make_window(qtbot)
    w.document.edit_holding_field(1, "beta", "1.2")
    assert w.files.save()
    assert not w.isWindowModified()
    reloaded = load_portfolio(w.document.path)
    assert reloaded == w.document.portfolio
    assert reloaded.holdings[1].beta == Decimal("1.2")


def test_close_with_unsaved_changes_asks_and_cancel_keeps_window(qtbot):
    w = make_window(qtbot)
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return "cancel"

    w.files.ask_unsaved = ask
    w.document.edit_holding_field(0, "quantity", "2")
    assert not w.close()
    assert asked == ["Core stack"]
    assert w.isVisible()
    w.files.ask_unsaved = lambda _n: "save"
    assert w.close()
    assert load_portfolio(w.document.path).holdings[0].quantity == Decimal(2)


def test_revert_restores_saved_file(qtbot):
    w = make_window(qtbot)
    w.files.confirm = lambda *_a: True
    w.document.edit_holding_field(0, "quantity", "3")
    assert w.act_revert.isEnabled()
    assert w.files.revert()
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
    assert not w.isWindowModified()


def test_failed_save_keeps_changes_and_old_file(qtbot, tmp_path):
    w = make_window(qtbot)
    errors: list[str] = []
    w.files.show_error = lambda _t, text: errors.append(text)
    w.document.edit_holding_field(0, "quantity", "7")
    w.document.set_path(tmp_path / "missing-dir" / "x.json")
    assert not w.files.save()
    assert errors and "x.json" in errors[0]
    assert w.isWindowModified()


def test_open_refuses_corrupt_file_with_message(qtbot, tmp_path):
    w = make_window(qtbot)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "holdings": [', encoding="utf-8")
    errors: list[str] = []
    w.files.show_error = lambda _t, text: errors.append(text)
    before = w.document.portfolio
    assert not w.files.open_path(bad)
    assert errors and "bad.json" in errors[0]
    assert w.document.portfolio == before
    assert bad.read_text(encoding="utf-8") == '{"schema_version": 1, "holdings": ['


def test_library_new_duplicate_rename_delete(qtbot):
    w = make_window(qtbot)
    panel = w.library_panel
    panel.ask_text = lambda *_a: "Swing trades"
    path = panel.new_portfolio()
    assert path is not None and path.exists()
    assert w.document.portfolio.name == "Swing trades"
    names = {e.name for e in w.library.list()}
    assert {"Core stack", "Swing trades"} <= names

    row = panel.model.row_of(path)
    panel.view.setCurrentIndex(panel.model.index(row))
    dup = panel.duplicate_selected()
    assert dup is not None and load_portfolio(dup).name.startswith("Swing trades")

    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(path)))
    panel.ask_text = lambda *_a: "Long term"
    renamed = panel.rename_selected()
    assert renamed is not None and load_portfolio(renamed).name == "Long term"
    assert w.document.portfolio.name == "Long term"

    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(dup)))
    panel.confirm = lambda *_a: True
    assert panel.delete_selected()
    assert not dup.exists()
    assert all(e.path != dup for e in w.library.list())


def test_delete_needs_confirmation(qtbot):
    w = make_window(qtbot)
    panel = w.library_panel
    panel.view.setCurrentIndex(panel.model.index(0))
    panel.confirm = lambda *_a: False
    assert not panel.delete_selected()
    assert len(w.library.list()) == 1


def test_drop_csv_on_window_imports_holdings(qtbot, tmp_path):
    w = make_window(qtbot)
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("symbol,quantity,price\nETH,2,3500\n", encoding="utf-8")
    panel = w.holdings_panel
    panel.ask = lambda *a, **k: "append" if not hasattr(panel, "ASK_APPEND") else panel.ASK_APPEND
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_file))])
    ev = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    asked: list[object] = []
    panel.ask = lambda q: asked.append(q) or "append"
    w.dropEvent(ev)
    # The import (and its Replace/Append question) runs after the drop handler returns.
    assert asked == []
    qtbot.waitUntil(lambda: "ETH" in [h.symbol for h in w.document.portfolio.holdings])
    assert len(asked) == 1


def test_plan_export_csv(qtbot, tmp_path):
    w = make_window(qtbot)
    out = tmp_path / "plan.csv"
    w.files.ask_save_path = lambda *_a: out
    assert w.files.export_plan_csv() == out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("underlying,family")
    assert "CME:MBT" in text


def test_chart_export_png_and_svg(qtbot, tmp_path):
    w = make_window(qtbot)
    w.load_charts()
    qtbot.waitUntil(lambda: w.chart_host.chart is not None)
    for fmt in ("png", "svg"):
        out = tmp_path / f"chart.{fmt}"
        w.files.ask_save_path = lambda *_a, o=out: o
        w._export_chart(fmt)
        assert out.exists() and out.stat().st_size > 1000


def test_recovery_after_simulated_crash(qtbot):
    w = make_window(qtbot)
    w.document.edit_holding_field(0, "quantity", "0.77")
    w.autosave.write_now()
    crashed = w.autosave.file
    assert crashed.exists()
    # Pretend the file belongs to a process that died.
    dead = crashed.with_name("session-999999.json")
    crashed.rename(dead)
    # The crashed window is gone (with its claim on the file: a second window
    # on a file still open elsewhere would be read-only).
    w.close()

    from hedger.ui.document.recovery import find_recoverable

    found = find_recoverable()
    assert [f.file for f in found] == [dead]
    w2 = make_window(qtbot, path=w.document.path)
    app_mod.restore_work(w2, found[0])
    assert w2.document.portfolio.holdings[0].quantity == Decimal("0.77")
    assert w2.isWindowModified()
    w2.act_undo.trigger()
    assert w2.document.portfolio.holdings[0].quantity == Decimal("0.5")


def test_settings_migrate_from_v1_and_survive_garbage(tmp_path):
    doc = migrate({"schema_version": 1, "geometry": "abc", "dark_mode": True})
    s = AppSettings.model_validate(doc)
    assert s.theme == "dark" and s.window_geometry == "abc"
    p = tmp_path / "settings.json"
    p.write_text("{not json", encoding="utf-8")
    settings, problem = load_settings(p)
    assert settings == AppSettings() and problem and "settings.json" in problem
    p.write_text(json.dumps({"schema_version": 99}), encoding="utf-8")
    settings, problem = load_settings(p)
    assert problem and "newer" in problem


def test_first_run_opens_sample_clearly_named(qtbot):
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    assert start.portfolio.name.startswith("Sample")
    assert start.path is not None and start.path.exists()
    # The second start opens the last portfolio used.
    again = choose_initial(None, library, last_portfolio=start.path, first_run_done=True)
    assert again.path == start.path


def test_window_layout_is_remembered(qtbot):
    w = make_window(qtbot)
    # The offscreen screen is 800 px wide and restoreGeometry clamps to the
    # screen, so the height carries the check.
    w.resize(900, 650)
    w.main_split.setSizes([200, 400])
    w.library_dock.hide()
    w.save_layout()
    saved = w.settings
    assert saved.window_geometry and saved.splitters and saved.show_library is False
    doc = PortfolioDocument(builtin_catalog(), w.document.portfolio, w.document.path)
    w2 = MainWindow(doc, w.library, saved)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    assert w2.height() == 650
    top, bottom = w2.main_split.sizes()
    assert top < bottom
    assert not w2.library_dock.isVisible()


def test_theme_menu_switches_palette(qtbot):
    from PySide6.QtWidgets import QApplication

    from hedger.ui.theme import apply_theme

    w = make_window(qtbot)
    app = QApplication.instance()
    old = app.palette()
    w.themeRequested.connect(lambda mode: apply_theme(app, mode))
    try:
        w.theme_actions["dark"].trigger()
        assert app.palette().window().color().lightness() < 80
        w.theme_actions["light"].trigger()
        assert app.palette().window().color().lightness() > 200
    finally:
        app.setPalette(old)


@pytest.mark.parametrize("title", ["History", "Betas", "Backtest", "Risk", "Position Sizing"])
def test_analytics_tabs_open_from_the_workspace(qtbot, title):
    w = make_window(qtbot)
    index = next(i for i in range(w.workspace.count()) if w.workspace.tabText(i) == title)
    w.workspace.setCurrentIndex(index)
    tab = w.analytics_tab(title)
    assert tab is not None and tab.isVisible()
    # Built once, then reused.
    assert w.analytics_tab(title) is tab


def test_chosen_price_source_is_remembered(qtbot):
    w = make_window(qtbot)
    w.live.source_actions["coinbase"].trigger()
    w.save_layout()
    assert w.settings.live_source == "coinbase"
    doc = PortfolioDocument(builtin_catalog(), w.document.portfolio, w.document.path)
    w2 = MainWindow(doc, w.library, w.settings)
    qtbot.addWidget(w2)
    assert w2.live.source_key == "coinbase"
    # A source this build cannot use (a mangled id) falls back to the default.
    w3 = MainWindow(doc, w.library, AppSettings(live_source="ccxt:bad id!"))
    qtbot.addWidget(w3)
    assert w3.live.source_key == "default"
