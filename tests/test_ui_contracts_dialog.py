"""The Contracts dialog: the catalog, the user's own contracts and families, the exchange check.

Modal forms are driven from a zero-delay timer, the way a person would fill
them in; ccxt is a fake module (see test_live_contracts) and never the network.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from test_live_contracts import fake_ccxt, okx_markets

from hedger.core.catalog import Catalog, builtin_catalog
from hedger.store import paths
from hedger.store.user_catalog import load_user_catalog, read_user_additions
from hedger.ui.contracts.dialog import ContractsDialog
from hedger.ui.contracts.forms import ContractForm, FamilyForm
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.prices.controller import LivePricesController

pytestmark = pytest.mark.gui


@pytest.fixture
def no_ccxt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)


@pytest.fixture
def dlg(qtbot: QtBot, no_ccxt: None) -> Iterator[ContractsDialog]:
    d = ContractsDialog(builtin_catalog())
    qtbot.addWidget(d)
    d.show()
    yield d


def when_modal(qtbot: QtBot, act: Callable[[QWidget], None]) -> list[str]:
    """Run ``act`` on the next modal dialog; returns errors it raised (as text)."""
    problems: list[str] = []

    def run() -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            QTimer.singleShot(10, run)
            return
        try:
            act(w)
        except Exception as exc:  # keep the modal loop from hanging on a failed assert
            problems.append(f"{type(exc).__name__}: {exc}")
            w.close()

    QTimer.singleShot(0, run)
    return problems


def save(form: QWidget) -> None:
    assert isinstance(form, ContractForm | FamilyForm)
    form.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def fill_contract(form: QWidget, **values: str) -> None:
    assert isinstance(form, ContractForm)
    for key, text in values.items():
        if key in ("tier", "kind", "expiry"):
            getattr(form, key).setCurrentText(text)
        else:
            form.edits[key].setText(text)


def user_file() -> dict[str, object]:
    return json.loads(paths.user_catalog_path().read_text())  # type: ignore[no-any-return]


def test_lists_built_in_and_own_contracts_marked(dlg: ContractsDialog) -> None:
    m = dlg.contracts_model
    assert len(m.rows) == len(builtin_catalog().contracts)
    assert m.index(0, m.ORIGIN).data() == "Built-in"
    assert not dlg.edit_contract_button.isEnabled()
    dlg.select_contract("OKX:BTC-USDT-SWAP")
    assert dlg.copy_contract_button.isEnabled()
    assert not dlg.edit_contract_button.isEnabled() and not dlg.remove_contract_button.isEnabled()
    dlg.filter.setText("deribit")
    assert dlg.contracts_proxy.rowCount() == 1
    # Without ccxt the exchange check says how to get it.
    assert not dlg.compare_button.isEnabled()
    assert "pip install 'hedger[live]'" in dlg.compare_button.toolTip()


def test_add_contract_validates_in_the_form_and_keeps_what_was_typed(
    qtbot: QtBot, dlg: ContractsDialog
) -> None:
    changed: list[Catalog] = []
    dlg.catalogChanged.connect(changed.append)
    seen: dict[str, str] = {}

    def act(form: QWidget) -> None:
        assert isinstance(form, ContractForm)
        fill_contract(
            form,
            id="my broker btc",  # not VENUE:SYMBOL
            name="My broker nano BTC",
            venue="mybroker",
            symbol="BTC-NANO",
            underlying="btc",
            size="0.001",
            source="my broker's site",
            tier="nano",
        )
        save(form)
        seen["first"] = form.error.text()
        seen["size after error"] = form.edits["size"].text()
        form.edits["id"].setText("OKX:BTC-USDT-SWAP")  # a built-in id
        save(form)
        seen["second"] = form.error.text()
        form.edits["id"].setText("MYBROKER:BTC-NANO")
        form.edits["initial_margin_rate"].setText("twenty")
        save(form)
        seen["third"] = form.error.text()
        form.edits["initial_margin_rate"].setText("20")  # a bare 20 would be 2,000 %
        save(form)
        seen["fourth"] = form.error.text()
        form.edits["initial_margin_rate"].setText("20%")
        save(form)

    problems = when_modal(qtbot, act)
    dlg.add_contract()
    assert problems == []
    assert seen["first"].startswith("Contract ID: use VENUE:SYMBOL")
    assert seen["size after error"] == "0.001"
    assert seen["second"] == ("OKX:BTC-USDT-SWAP is a built-in contract; give yours a different id")
    assert seen["third"].startswith("Initial margin:")
    assert "write 20% for 20 per cent" in seen["fourth"]
    c = changed[-1].contracts["MYBROKER:BTC-NANO"]
    assert c.user_defined and c.underlying == "BTC" and c.venue == "MYBROKER"
    assert c.size == Decimal("0.001") and c.initial_margin_rate == Decimal("0.2")
    assert [x["id"] for x in user_file()["contracts"]] == ["MYBROKER:BTC-NANO"]  # type: ignore[index]
    assert dlg.selected_contract() is not None
    assert dlg.selected_contract().id == "MYBROKER:BTC-NANO"  # type: ignore[union-attr]
    assert dlg.contracts_model.index(0, dlg.contracts_model.ORIGIN).data() == "Yours"
    assert dlg.edit_contract_button.isEnabled()
    assert "Add it to a family of your own" in dlg.message.text()


def test_family_of_own_contracts_then_removal_rules(
    qtbot: QtBot, dlg: ContractsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlg.select_contract("CME:MBT")
    problems = when_modal(
        qtbot, lambda f: (fill_contract(f, id="CME:MBT-MINE", size="0.2"), save(f))
    )
    dlg.copy_contract()
    assert problems == []
    assert dlg.catalog.contracts["CME:MBT-MINE"].size == Decimal("0.2")
    assert dlg.catalog.contracts["CME:MBT-MINE"].name == builtin_catalog().contracts["CME:MBT"].name

    errors: list[str] = []

    def make_family(form: QWidget) -> None:
        assert isinstance(form, FamilyForm)
        form.id_edit.setText("my-btc")
        form.name_edit.setText("My CME BTC")
        form.underlying_edit.setText("BTC")
        form.set_checked({"CME:MBT-MINE", "BINANCE:BTCUSD_PERP"})  # linear + inverse
        save(form)
        errors.append(form.error.text())
        form.set_checked({"CME:MBT-MINE", "CME:BTC"})
        save(form)

    problems = when_modal(qtbot, make_family)
    dlg.add_family()
    assert problems == []
    assert "cannot mix linear and inverse contracts" in errors[0]
    fam = dlg.catalog.families["MY-BTC"]
    assert fam.user_defined and set(fam.contracts) == {"CME:MBT-MINE", "CME:BTC"}
    assert dlg.families_model.index(0, dlg.families_model.ORIGIN).data() == "Yours"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg.tabs.setCurrentIndex(0)
    dlg.select_contract("CME:MBT-MINE")
    dlg.remove_contract()  # used by MY-BTC: refused, shown, nothing lost
    assert "used by family MY-BTC" in dlg.message.text()
    assert "CME:MBT-MINE" in dlg.catalog.contracts
    dlg.select_family("MY-BTC")
    dlg.remove_family()
    dlg.select_contract("CME:MBT-MINE")
    dlg.remove_contract()
    assert "CME:MBT-MINE" not in dlg.catalog.contracts
    assert read_user_additions().contracts == () and read_user_additions().families == ()


def test_a_damaged_user_file_is_reported_and_left_alone(qtbot: QtBot, no_ccxt: None) -> None:
    path = paths.user_catalog_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    d = ContractsDialog(builtin_catalog())
    qtbot.addWidget(d)
    assert d.message.text().startswith("Your contracts were not loaded: contracts.json")
    d.select_contract("CME:MBT")
    errors: list[str] = []

    def act(form: QWidget) -> None:
        save(form)
        errors.append(form.error.text())  # type: ignore[attr-defined]
        form.close()

    when_modal(qtbot, act)
    d.copy_contract()
    assert "fix or remove the file before changing it" in errors[0]
    assert path.read_text() == "{not json"


def test_compare_with_exchange_and_save_as_my_contract(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    markets = copy.deepcopy(okx_markets())
    markets["BTC/USDT:USDT"]["contractSize"] = 0.001  # the exchange changed the size
    module = fake_ccxt(markets, {})
    d = ContractsDialog(builtin_catalog(), ccxt_module=module)
    qtbot.addWidget(d)
    assert d.compare_button.isEnabled()
    changed: list[Catalog] = []
    d.catalogChanged.connect(changed.append)
    cmp = d.show_compare()
    assert cmp is not None
    cmp.exchange.setCurrentText("okx")
    cmp.compare()
    qtbot.waitUntil(lambda: not cmp.busy, timeout=3000)
    rows = [(r.contract_id, r.field, r.catalog, r.exchange) for r in cmp.model.rows]
    assert ("OKX:BTC-USDT-SWAP", "size", "0.01 BTC", "0.001 BTC") in rows
    assert ("OKX:ETH-USDT-SWAP", "size", "0.1 ETH", "0.1 ETH") not in rows
    assert (
        "1 difference with okx" in cmp.status.text() or "differences with okx" in cmp.status.text()
    )
    assert cmp.selected() is not None and cmp.selected().contract_id == "OKX:BTC-USDT-SWAP"  # type: ignore[union-attr]
    seen: dict[str, str] = {}

    def act(form: QWidget) -> None:
        assert isinstance(form, ContractForm)
        seen["id"] = form.edits["id"].text()
        seen["size"] = form.edits["size"].text()
        save(form)

    problems = when_modal(qtbot, act)
    cmp.save_button.click()
    assert problems == []
    assert seen == {"id": "OKX:BTC-USDT-SWAP-MINE", "size": "0.001"}
    mine = changed[-1].contracts["OKX:BTC-USDT-SWAP-MINE"]
    assert mine.user_defined and mine.size == Decimal("0.001")
    assert mine.source == "okx market data via ccxt"
    # The built-in contract is untouched, in the catalog and on disk.
    assert changed[-1].contracts["OKX:BTC-USDT-SWAP"].size == Decimal("0.01")
    assert load_user_catalog(builtin_catalog())[0].contracts["OKX:BTC-USDT-SWAP"].size == Decimal(
        "0.01"
    )


def test_compare_failure_is_one_line_in_the_dialog(qtbot: QtBot) -> None:
    from test_live_contracts import FakeNetworkError

    module = fake_ccxt({}, {}, FakeNetworkError("okx GET https://www.okx.com failed"))
    d = ContractsDialog(builtin_catalog(), ccxt_module=module)
    qtbot.addWidget(d)
    cmp = d.show_compare()
    assert cmp is not None
    cmp.exchange.setCurrentText("okx")
    cmp.compare()
    qtbot.waitUntil(lambda: not cmp.busy, timeout=3000)
    assert cmp.status.text().startswith("okx (ccxt) unreachable: okx GET")
    assert cmp.compare_button.isEnabled() and not cmp.save_button.isEnabled()


def test_prices_menu_opens_the_dialog_and_replans_the_document(
    qtbot: QtBot, no_ccxt: None, qapp: object
) -> None:
    doc = PortfolioDocument(builtin_catalog())
    ctl = LivePricesController(doc)
    assert ctl.contracts_action.text() == "&Contracts…"
    d = ctl.show_contracts()
    qtbot.addWidget(d)
    assert d.isVisible()
    d.select_contract("CME:MBT")
    when_modal(qtbot, lambda f: (fill_contract(f, id="CME:MBT-MINE"), save(f)))
    d.copy_contract()
    assert "CME:MBT-MINE" in doc.catalog.contracts
    assert ctl.show_contracts() is d  # one dialog, raised again
    ctl.shutdown()


def test_copies_get_one_id_scheme() -> None:
    from hedger.ui.contracts.compare import own_copy_id

    assert own_copy_id("CME:MBT", set()) == "CME:MBT-MINE"
    assert own_copy_id("CME:MBT", {"CME:MBT-MINE"}) == "CME:MBT-MINE-2"
    assert own_copy_id("CME:MBT", {"CME:MBT-MINE", "CME:MBT-MINE-2"}) == "CME:MBT-MINE-3"
