"""Compare with Exchange: where an exchange's market data (via ccxt) differs from the catalog.

The comparison runs as a background task; a difference can be copied into
a contract of the user's own, the built-in entry is never changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import Catalog, Contract
from hedger.services.prices import (
    PricesError,
    SizeDifference,
    compare_contract_sizes,
    size_comparison_exchanges,
)
from hedger.ui.contracts.forms import ERROR_COLOR
from hedger.ui.contracts.tables import DifferencesModel
from hedger.ui.tasks import TaskRunner

# Exchanges whose markets list catalog contracts (from the venue registry).
COMPARE_EXCHANGES = size_comparison_exchanges()


class CompareDialog(QDialog):
    """Where an exchange's market data differs from the catalog, via ccxt."""

    saveRequested = Signal(object)  # SizeDifference

    def __init__(
        self, catalog: Catalog, parent: QWidget | None = None, *, ccxt_module: Any | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare with Exchange")
        self._catalog = catalog
        self._module = ccxt_module
        self._task = TaskRunner(self, name="hedger-contract-compare")
        self.exchange = QComboBox()
        self.exchange.setEditable(True)
        self.exchange.addItems(list(COMPARE_EXCHANGES))
        self.compare_button = QPushButton("&Compare")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.compare)
        self.status = QLabel(
            "Loads the exchange's public market list (no account needed) and lists the "
            "catalog contracts whose size, kind or listing differs. Nothing is changed."
        )
        self.status.setWordWrap(True)
        self.model = DifferencesModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.save_button = QPushButton("&Save as My Contract…")
        self.save_button.setToolTip(
            "Copy the catalog contract with the exchange's figures into a contract of your own; "
            "the built-in one stays as it is"
        )
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_selected)
        top = QHBoxLayout()
        top.addWidget(QLabel("Exchange (ccxt id)"))
        top.addWidget(self.exchange, 1)
        top.addWidget(self.compare_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_save())
        self.resize(760, 420)

    def set_catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    @property
    def busy(self) -> bool:
        return not self.compare_button.isEnabled()

    def compare(self) -> None:
        exchange = self.exchange.currentText().strip().lower()
        if not exchange:
            self.status.setText("Type a ccxt exchange id, for example okx")
            return
        self.compare_button.setEnabled(False)
        self.model.set_rows([])
        self.status.setText(f"Loading {exchange}'s markets…")
        catalog = self._catalog
        self._task.start(lambda _state: self._work(exchange, catalog), self._on_finished)

    def _work(self, exchange: str, catalog: Catalog) -> list[SizeDifference] | str:
        outcome: list[SizeDifference] | str
        try:
            outcome = compare_contract_sizes(exchange, catalog, module=self._module).differences
        except PricesError as exc:
            outcome = str(exc)
        except Exception as exc:
            # ccxt is a large third-party library: nothing it throws may crash the app.
            outcome = f"{exchange}: {type(exc).__name__}: {str(exc)[:120]}"
        return outcome

    def _on_finished(self, outcome: list[SizeDifference] | str) -> None:
        self.compare_button.setEnabled(True)
        exchange = self.exchange.currentText().strip().lower()
        if isinstance(outcome, str):
            self.status.setText(outcome)
            self.status.setStyleSheet(f"color: {ERROR_COLOR};")
            return
        self.status.setStyleSheet("")
        self.model.set_rows(outcome)
        if not outcome:
            self.status.setText(f"The catalog matches {exchange}'s market data.")
        else:
            n = len(outcome)
            self.status.setText(
                f"{n} difference{'s' if n != 1 else ''} with {exchange}. The catalog was not "
                "changed; select one and Save as My Contract to use the exchange's figures."
            )
            first = next((i for i, d in enumerate(outcome) if _savable(d)), None)
            if first is not None:
                self.view.selectRow(first)
        self._update_save()

    def selected(self) -> SizeDifference | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _update_save(self) -> None:
        d = self.selected()
        self.save_button.setEnabled(d is not None and _savable(d))

    def _save_selected(self) -> None:
        d = self.selected()
        if d is not None and _savable(d):
            self.saveRequested.emit(d)


def _savable(d: SizeDifference) -> bool:
    return d.field in ("size", "kind") and d.exchange_size is not None


def own_copy_id(contract_id: str, taken: set[str]) -> str:
    """An unused id for the user's copy of a contract: ID-MINE, then ID-MINE-2, …"""
    base = f"{contract_id}-MINE"[:60]
    new_id, n = base, 2
    while new_id in taken:
        new_id = f"{base[:56]}-{n}"
        n += 1
    return new_id


def copy_with_exchange_figures(
    contract: Contract, d: SizeDifference, taken: set[str], today: date | None = None
) -> Contract:
    """The built-in ``contract`` as the user's own, with the exchange's size and kind."""
    day = (today or date.today()).isoformat()
    new_id = own_copy_id(contract.id, taken)
    kind = d.exchange_kind if d.exchange_kind in ("linear", "inverse") else contract.kind
    update: dict[str, Any] = {
        "id": new_id,
        "name": f"{contract.name} (per {d.exchange_name})"[:120],
        "kind": kind,
        "source": f"{d.exchange_name} market data via ccxt",
        "as_of": day,
        "notes": (
            f"Copied from {contract.id}: catalog {d.catalog}, {d.exchange_name} {d.exchange}"
        ),
        "user_defined": True,
    }
    if d.exchange_size is not None:
        update["size"] = d.exchange_size
    return contract.model_copy(update=update)
