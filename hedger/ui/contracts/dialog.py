"""Contracts…: the catalog, the user's own contracts and families, and an exchange check.

The built-in catalog is read-only here; the user's additions live in
``contracts.json`` in the data folder and every change goes through
``hedger.services.own_contracts``, which validates and saves atomically. A change
that is refused leaves the form open with everything typed in it and says why.
"Compare with Exchange…" (needs ccxt) shows where the exchange's market data
differs from the catalog and can copy the exchange's figures into a contract
of the user's own; the built-in entry is never changed.

After every successful change ``catalogChanged`` carries the new merged
Catalog, for ``PortfolioDocument.set_catalog``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import Catalog, Contract, Family
from hedger.services.own_contracts import (
    CatalogChangeError,
    own_contracts_problem,
    remove_own_contract,
    remove_own_family,
)
from hedger.services.prices import SizeDifference, ccxt_available
from hedger.ui.contracts.calendar_tab import CalendarTab
from hedger.ui.contracts.compare import CompareDialog, copy_with_exchange_figures, own_copy_id
from hedger.ui.contracts.forms import ERROR_COLOR, ContractForm, FamilyForm
from hedger.ui.contracts.tables import ContractsModel, FamiliesModel

CCXT_HINT = "Comparing with an exchange needs the ccxt library: pip install 'hedger[live]'"


# --------------------------------------------------------------------------- models


# --------------------------------------------------------------------------- forms


# --------------------------------------------------------------------------- compare


# --------------------------------------------------------------------------- main dialog


class ContractsDialog(QDialog):
    """The catalog with the user's own contracts and families marked, and their editors."""

    catalogChanged = Signal(object)  # Catalog: built-in plus the user's additions

    def __init__(
        self,
        catalog: Catalog,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
        ccxt_module: Any | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Contracts")
        self.setObjectName("contractsDialog")
        self._path = path
        self._ccxt_module = ccxt_module
        self.catalog = catalog
        self._compare: CompareDialog | None = None

        contracts_tab = self._build_contracts_tab(ccxt_module)
        families_tab = self._build_families_tab()
        self.tabs = QTabWidget()
        self.tabs.addTab(contracts_tab, "Contracts")
        self.tabs.addTab(families_tab, "Families")
        self.calendar = CalendarTab(catalog)  # i15g: expiries, rolls, venue labels, funding
        self.tabs.addTab(self.calendar, "Calendar")
        self.message = QLabel()
        self.message.setObjectName("contractsMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        intro = QLabel(
            "Built-in contracts come with Hedger and cannot be changed. Yours are kept in "
            "contracts.json in your data folder and can be used in families of your own."
        )
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.contracts_view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.families_view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.contracts_view.doubleClicked.connect(lambda _i: self._open_contract())
        self.families_view.doubleClicked.connect(lambda _i: self.edit_family())
        self._reload_models()
        # A damaged user file is reported, not silently replaced.
        problem = own_contracts_problem(catalog, path)
        if problem:
            self.show_message(f"Your contracts were not loaded: {problem}", error=True)
        self.resize(1000, 600)

    def _build_contracts_tab(self, ccxt_module: Any | None) -> QWidget:
        """Every contract, filterable, with Add / Edit / Copy as Mine / Remove / Compare."""
        self.contracts_model = ContractsModel(self)
        self.contracts_proxy = QSortFilterProxyModel(self)
        self.contracts_proxy.setSourceModel(self.contracts_model)
        self.contracts_proxy.setFilterKeyColumn(-1)
        self.contracts_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.contracts_view = self._table(self.contracts_proxy)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: BTC, OKX, micro, yours…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.contracts_proxy.setFilterFixedString)

        self.add_contract_button = QPushButton("&Add…")
        self.edit_contract_button = QPushButton("&Edit…")
        self.copy_contract_button = QPushButton("Cop&y as Mine…")
        self.copy_contract_button.setToolTip(
            "Start a contract of your own from the selected one (built-in ones cannot be edited)"
        )
        self.remove_contract_button = QPushButton("&Remove")
        self.compare_button = QPushButton("Compare with E&xchange…")
        self.add_contract_button.clicked.connect(self.add_contract)
        self.edit_contract_button.clicked.connect(self.edit_contract)
        self.copy_contract_button.clicked.connect(self.copy_contract)
        self.remove_contract_button.clicked.connect(self.remove_contract)
        self.compare_button.clicked.connect(self.show_compare)
        self.ccxt_available = ccxt_module is not None or ccxt_available()
        if not self.ccxt_available:
            self.compare_button.setEnabled(False)
            self.compare_button.setToolTip(CCXT_HINT)

        contracts_tab = QWidget()
        ct = QVBoxLayout(contracts_tab)
        ct.addWidget(self.filter)
        ct.addWidget(self.contracts_view, 1)
        row = QHBoxLayout()
        for b in (
            self.add_contract_button,
            self.edit_contract_button,
            self.copy_contract_button,
            self.remove_contract_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.compare_button)
        ct.addLayout(row)
        if not self.ccxt_available:
            hint = QLabel(CCXT_HINT)
            hint.setObjectName("ccxtHint")
            hint.setStyleSheet("color: palette(placeholder-text);")
            ct.addWidget(hint)
        return contracts_tab

    def _build_families_tab(self) -> QWidget:
        """Every family, with Add / Edit / Remove for the user's own."""
        self.families_model = FamiliesModel(self)
        self.families_view = self._table(self.families_model)
        self.add_family_button = QPushButton("A&dd…")
        self.edit_family_button = QPushButton("Ed&it…")
        self.remove_family_button = QPushButton("Re&move")
        self.add_family_button.clicked.connect(self.add_family)
        self.edit_family_button.clicked.connect(self.edit_family)
        self.remove_family_button.clicked.connect(self.remove_family)
        families_tab = QWidget()
        ft = QVBoxLayout(families_tab)
        ft.addWidget(self.families_view, 1)
        frow = QHBoxLayout()
        for b in (self.add_family_button, self.edit_family_button, self.remove_family_button):
            frow.addWidget(b)
        frow.addStretch(1)
        ft.addLayout(frow)
        return families_tab

    def set_catalog(self, catalog: Catalog) -> None:
        """Show ``catalog`` (the document's, which may have changed while hidden)."""
        if catalog is self.catalog:
            return
        self.catalog = catalog
        self._reload_models()
        if self._compare is not None:
            self._compare.set_catalog(catalog)

    # -- helpers -----------------------------------------------------------------
    @staticmethod
    def _table(model: QAbstractTableModel | QSortFilterProxyModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        return view

    def _reload_models(self) -> None:
        self.contracts_model.set_catalog(self.catalog)
        self.families_model.set_catalog(self.catalog)
        self.calendar.set_catalog(self.catalog)
        self._update()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self.message.show()

    def selected_contract(self) -> Contract | None:
        rows = self.contracts_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.contracts_model.rows[self.contracts_proxy.mapToSource(rows[0]).row()]

    def selected_family(self) -> Family | None:
        rows = self.families_view.selectionModel().selectedRows()
        return self.families_model.rows[rows[0].row()] if rows else None

    def select_contract(self, contract_id: str) -> None:
        for i, c in enumerate(self.contracts_model.rows):
            if c.id == contract_id:
                index = self.contracts_proxy.mapFromSource(self.contracts_model.index(i, 0))
                self.contracts_view.selectRow(index.row())
                return

    def select_family(self, family_id: str) -> None:
        for i, f in enumerate(self.families_model.rows):
            if f.id == family_id:
                self.families_view.selectRow(i)
                return

    def _update(self) -> None:
        c = self.selected_contract()
        own = c is not None and c.user_defined
        self.edit_contract_button.setEnabled(own)
        self.remove_contract_button.setEnabled(own)
        self.copy_contract_button.setEnabled(c is not None)
        f = self.selected_family()
        self.edit_family_button.setEnabled(f is not None and f.user_defined)
        self.remove_family_button.setEnabled(f is not None and f.user_defined)

    def _changed(self, catalog: Catalog, text: str) -> None:
        self.catalog = catalog
        self._reload_models()
        if self._compare is not None:
            self._compare.set_catalog(catalog)
        self.show_message(text)
        self.catalogChanged.emit(catalog)

    # -- contracts -----------------------------------------------------------------
    def _run_contract_form(self, form: ContractForm, verb: str) -> Contract | None:
        if form.exec() != QDialog.DialogCode.Accepted or form.saved is None:
            return None
        c = form.contract()
        assert c is not None
        self._changed(
            form.saved, f"{verb} {c.id}. Add it to a family of your own to hedge with it."
        )
        self.select_contract(c.id)
        return c

    def contract_form(
        self, contract: Contract | None = None, *, title: str = "New Contract", note: str = ""
    ) -> ContractForm:
        return ContractForm(self.catalog, self._path, contract, title=title, note=note, parent=self)

    def add_contract(self) -> None:
        self._run_contract_form(self.contract_form(), "Saved")

    def _open_contract(self) -> None:
        c = self.selected_contract()
        if c is not None and c.user_defined:
            self.edit_contract()
        elif c is not None:
            self.copy_contract()

    def edit_contract(self) -> None:
        c = self.selected_contract()
        if c is None or not c.user_defined:
            return
        form = self.contract_form(c, title=f"Edit {c.id}")
        # The id is the key: an edit that renames would leave the old one behind.
        form.edits["id"].setReadOnly(True)
        self._run_contract_form(form, "Saved")

    def copy_contract(self) -> None:
        c = self.selected_contract()
        if c is None:
            return
        new_id = own_copy_id(c.id, set(self.catalog.contracts))
        copy = c.model_copy(
            update={"id": new_id, "user_defined": True, "as_of": date.today().isoformat()}
        )
        self._run_contract_form(
            self.contract_form(copy, title="New Contract from " + c.id), "Saved"
        )

    def remove_contract(self) -> None:
        c = self.selected_contract()
        if c is None or not c.user_defined:
            return
        answer = QMessageBox.question(
            self,
            "Remove Contract",
            f"Remove your contract {c.id}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            catalog = remove_own_contract(c.id, base=self.catalog, path=self._path)
        except CatalogChangeError as exc:
            self.show_message(str(exc), error=True)
            return
        self._changed(catalog, f"Removed {c.id}.")

    # -- families ------------------------------------------------------------------
    def family_form(self, family: Family | None = None) -> FamilyForm:
        return FamilyForm(self.catalog, self.catalog, self._path, family, parent=self)

    def _run_family_form(self, form: FamilyForm) -> None:
        if form.exec() != QDialog.DialogCode.Accepted or form.saved is None:
            return
        f = form.family()
        assert f is not None
        self._changed(form.saved, f"Saved family {f.id}; choose it in the hedge panel.")
        self.tabs.setCurrentIndex(1)
        self.select_family(f.id)

    def add_family(self) -> None:
        self._run_family_form(self.family_form())

    def edit_family(self) -> None:
        f = self.selected_family()
        if f is None or not f.user_defined:
            return
        form = self.family_form(f)
        form.id_edit.setReadOnly(True)
        self._run_family_form(form)

    def remove_family(self) -> None:
        f = self.selected_family()
        if f is None or not f.user_defined:
            return
        answer = QMessageBox.question(
            self,
            "Remove Family",
            f"Remove your family {f.id}? Portfolios that use it will ask for another family.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            catalog = remove_own_family(f.id, base=self.catalog, path=self._path)
        except CatalogChangeError as exc:
            self.show_message(str(exc), error=True)
            return
        self._changed(catalog, f"Removed family {f.id}.")

    # -- compare -------------------------------------------------------------------
    def show_compare(self) -> CompareDialog | None:
        if not self.ccxt_available:
            self.show_message(CCXT_HINT, error=True)
            return None
        if self._compare is None:
            self._compare = CompareDialog(self.catalog, self, ccxt_module=self._ccxt_module)
            self._compare.saveRequested.connect(self.save_difference)
        self._compare.show()
        self._compare.raise_()
        return self._compare

    def difference_form(self, d: SizeDifference) -> ContractForm | None:
        original = self.catalog.contracts.get(d.contract_id)
        if original is None:
            return None
        copy = copy_with_exchange_figures(original, d, set(self.catalog.contracts))
        note = (
            f"{d.exchange_name} lists {original.symbol} as {d.exchange}; the catalog has "
            f"{d.catalog}. Saving adds a contract of your own with the exchange's figures; "
            f"{original.id} itself stays as shipped."
        )
        return self.contract_form(copy, title="Save as My Contract", note=note)

    def save_difference(self, d: SizeDifference) -> Contract | None:
        form = self.difference_form(d)
        if form is None:
            return None
        return self._run_contract_form(form, "Saved")
