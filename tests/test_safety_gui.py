"""The open portfolio and the file on disk: reload, conflicts, read-only windows, versions."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal
from pathlib import Path

import pytest
from safety_helpers import hold_claim, run_hedger
from test_live_venue import FakeVenue

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.services.portfolios import open_portfolio, save_portfolio
from hedger.services.versions import list_versions
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui.document.conflict_dialogs import KEEP_MINE, SAVE_COPY, TAKE_THEIRS
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def book() -> Portfolio:
    return Portfolio(
        name="Book",
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "70000"}),
            Holding.model_validate({"symbol": "ETH", "quantity": "2", "price": "3500"}),
        ),
    )


def window(qtbot, path: Path) -> MainWindow:
    doc = PortfolioDocument(builtin_catalog(), open_portfolio(path), path)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    errors: list[str] = []
    w.files.show_error = lambda _t, text: errors.append(text)
    w.errors = errors  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "book.json"
    save_portfolio(p, book())
    return p


def their_change(path: Path, price: str = "4000") -> None:
    """Another program saves a new ETH price."""
    p = open_portfolio(path)
    eth = p.holdings[1].model_copy(update={"price": Decimal(price)})
    save_portfolio(path, p.model_copy(update={"holdings": (p.holdings[0], eth)}))


def eth_price(w: MainWindow) -> Decimal:
    return w.document.portfolio.holdings[1].price


def test_without_local_edits_the_window_reloads(qtbot, path: Path) -> None:
    w = window(qtbot, path)
    asked: list[str] = []
    w.files.ask_conflict = lambda name: asked.append(name) or KEEP_MINE
    their_change(path)
    qtbot.waitUntil(lambda: eth_price(w) == Decimal(4000), timeout=5000)
    assert not w.document.dirty and asked == []
    assert not w.isWindowModified()


def test_with_local_edits_it_asks_and_take_theirs_is_undoable(qtbot, path: Path) -> None:
    w = window(qtbot, path)
    asked: list[str] = []
    w.files.ask_conflict = lambda name: asked.append(name) or TAKE_THEIRS
    w.document.edit_holding_field(0, "quantity", "0.9")
    their_change(path)
    qtbot.waitUntil(lambda: asked == ["book.json"], timeout=5000)
    qtbot.waitUntil(lambda: eth_price(w) == Decimal(4000))
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
    assert not w.document.dirty
    w.act_undo.trigger()  # mine back
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.9")
    assert eth_price(w) == Decimal(3500)


def test_keep_mine_saves_over_theirs_and_keeps_theirs_as_a_version(qtbot, path: Path) -> None:
    w = window(qtbot, path)
    w.files.ask_conflict = lambda _name: KEEP_MINE
    w.document.edit_holding_field(0, "quantity", "0.9")
    their_change(path)
    qtbot.waitUntil(lambda: not w.document.dirty, timeout=5000)
    on_disk = open_portfolio(path)
    assert on_disk.holdings[0].quantity == Decimal("0.9")
    assert on_disk.holdings[1].price == Decimal(3500)  # mine, whole
    newest = list_versions(path)[0]
    from hedger.services.versions import load_version

    assert load_version(newest).holdings[1].price == Decimal(4000)  # theirs kept


def test_save_mine_as_a_copy_leaves_theirs_in_place(qtbot, path: Path, tmp_path: Path) -> None:
    w = window(qtbot, path)
    copy = tmp_path / "mine.json"
    w.files.ask_conflict = lambda _name: SAVE_COPY
    w.files.ask_save_path = lambda *_a: copy
    w.document.edit_holding_field(0, "quantity", "0.9")
    their_change(path)
    qtbot.waitUntil(lambda: w.document.path == copy, timeout=5000)
    assert open_portfolio(copy).holdings[0].quantity == Decimal("0.9")
    assert open_portfolio(path).holdings[1].price == Decimal(4000)
    assert open_portfolio(path).holdings[0].quantity == Decimal("0.5")


def test_a_save_checks_the_disk_even_before_the_watcher_noticed(qtbot, path: Path) -> None:
    w = window(qtbot, path)
    asked: list[str] = []
    w.files.ask_conflict = lambda name: asked.append(name) or "later"
    w.document.edit_holding_field(0, "quantity", "0.9")
    their_change(path)  # no event loop turn: the watcher has not fired yet
    assert not w.files.save()
    assert asked == ["book.json"]
    assert open_portfolio(path).holdings[1].price == Decimal(4000)  # theirs not overwritten
    assert w.document.dirty


def test_a_cli_refresh_while_the_window_is_open_is_not_reverted(
    qtbot, path: Path, data_dir: Path
) -> None:
    w = window(qtbot, path)
    with FakeVenue() as venue:
        env = {**venue.env(), "HEDGER_LIVE_RETRIES": "0"}
        args = ["prices", "refresh", str(path), "--source", "binance", "--spot-only"]
        run = run_hedger(args, data_dir, env=env)
    assert run.code == 0, run.err
    qtbot.waitUntil(
        lambda: eth_price(w) == Decimal(3500) and "ETH" in w.document.portfolio.quotes, timeout=5000
    )
    w.document.edit_holding_field(0, "quantity", "0.9")
    assert w.files.save()
    saved = open_portfolio(path)
    assert saved.holdings[0].price == Decimal("70000.01")  # the refreshed price stays
    assert saved.holdings[0].quantity == Decimal("0.9")


def test_a_file_open_in_another_process_opens_read_only(qtbot, path: Path, data_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    other = ctx.Process(target=hold_claim, args=(str(path), str(data_dir), ready, 60))
    other.start()
    try:
        assert ready.wait(60)
        w = window(qtbot, path)
        assert w.document.read_only
        assert "(read-only)" in w.windowTitle()
        refused: list[str] = []
        w.document.editRefused.connect(refused.append)
        w.document.edit_holding_field(0, "quantity", "0.9")
        assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
        assert refused and "read-only" in refused[0]
        assert not w.files.save()
        assert "read-only" in w.errors[-1]  # type: ignore[attr-defined]
    finally:
        other.kill()
        other.join(10)
    # The other window is gone (its process died): opening again edits normally.
    w.files.open_path(path, ask=False)
    assert not w.document.read_only
    assert "(read-only)" not in w.windowTitle()


def test_a_read_only_window_becomes_editable_when_the_other_one_closes(
    qtbot, path: Path, data_dir: Path
) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    other = ctx.Process(target=hold_claim, args=(str(path), str(data_dir), ready, 60))
    other.start()
    try:
        assert ready.wait(60)
        w = window(qtbot, path)
        assert w.document.read_only
        assert not w.files.try_reclaim()  # still held elsewhere
        # Another process saved meanwhile: the window takes that content first.
        book = open_portfolio(path)
        holding = book.holdings[0].model_copy(update={"quantity": Decimal("0.7")})
        save_portfolio(path, book.model_copy(update={"holdings": (holding,)}), backup=False)
    finally:
        other.kill()
        other.join(10)
    messages: list[str] = []
    w.files.statusMessage.connect(messages.append)
    qtbot.waitUntil(lambda: not w.document.read_only, timeout=10_000)  # its timer asked again
    assert "(read-only)" not in w.windowTitle()
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.7")
    assert any("no longer open elsewhere" in m for m in messages)
    w.document.edit_holding_field(0, "quantity", "0.9")
    assert w.files.save()


def test_a_second_window_of_this_process_brings_the_first_forward(
    qtbot, path: Path, tmp_path: Path
) -> None:
    first = window(qtbot, path)
    other_path = tmp_path / "other.json"
    save_portfolio(other_path, Portfolio(name="Other"))
    second = window(qtbot, other_path)
    messages: list[str] = []
    second.files.statusMessage.connect(messages.append)
    assert not second.files.open_path(path, ask=False)
    assert second.document.path == other_path
    assert messages == ["book.json is already open in another window"]
    assert not first.document.read_only


def test_restore_earlier_version_is_an_undoable_replace(qtbot, path: Path) -> None:
    w = window(qtbot, path)
    w.document.edit_holding_field(0, "quantity", "0.9")
    assert w.files.save()
    w.document.edit_holding_field(0, "quantity", "1.5")
    assert w.files.save()
    shown: list[int] = []

    def choose(_name, found):
        shown.append(len(found))
        return found[-1]  # the oldest: the file as first saved

    w.files.choose_version = choose
    assert w.files.restore_version_dialog()
    assert shown == [2]
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
    assert w.document.dirty
    w.act_undo.trigger()
    assert w.document.portfolio.holdings[0].quantity == Decimal("1.5")
    assert w.act_restore_version.text() == "Restore &Earlier Version…"
