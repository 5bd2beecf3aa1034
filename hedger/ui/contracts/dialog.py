"""Contracts…: the catalog, the user's own contracts and families, and an exchange check.

The built-in catalog is read-only here; the user's additions live in
``contracts.json`` in the data folder and every change goes through
``hedger.store.user_catalog``, which validates and saves atomically. A change
that is refused leaves the form open with everything typed in it and says why.
"Compare with Exchange…" (needs ccxt) shows where the exchange's market data
differs from the catalog and can copy the exchange's figures into a contract
of the user's own; the built-in entry is never changed.

After every successful change ``catalogChanged`` carries the new merged
Catalog, for ``PortfolioDocument.set_catalog``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import TIERS, Catalog, Contract, Family
from hedger.core.decimals import fmt_decimal
from hedger.live.contract_sizes import SizeDifference
from hedger.store.user_catalog import (
    UserCatalogError,
    load_user_catalog,
    remove_user_contract,
    remove_user_family,
    save_user_contract,
    save_user_family,
)
from hedger.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex
CCXT_HINT = "Comparing with an exchange needs the ccxt library: pip install 'hedger[live]'"
YOURS = "Yours"
BUILT_IN = "Built-in"
ERROR_COLOR = "#c0392b"
# Exchanges whose markets list catalog contracts, as offered in the compare dialog.
COMPARE_EXCHANGES = ("okx", "binanceusdm", "binancecoinm", "bybit", "deribit", "krakenfutures")


def _muted() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


# --------------------------------------------------------------------------- models


class _Table(QAbstractTableModel):
    columns: tuple[str, ...] = ()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None


class _CatalogTable(_Table):
    """Rows of catalog entries (contracts or families), the user's own first and marked."""

    ORIGIN = -1  # column saying "Yours" / "Built-in"
    RIGHT: tuple[int, ...] = ()  # right-aligned columns

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def entries(self, catalog: Catalog) -> Iterable[Any]:
        raise NotImplementedError

    def values(self, entry: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def tooltip(self, entry: Any, col: int) -> str:
        return self.values(entry)[col]

    def set_catalog(self, catalog: Catalog) -> None:
        self.beginResetModel()
        # The user's own first: they are the ones edited here.
        self.rows = sorted(self.entries(catalog), key=lambda e: (not e.user_defined, e.id))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.values(entry)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(entry, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and entry.user_defined and col in (0, self.ORIGIN):
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and not entry.user_defined and col == self.ORIGIN:
            return _muted()
        return None


class ContractsModel(_CatalogTable):
    columns = ("Contract", "Name", "Underlying", "Tier", "Kind", "Size", "Expiry", "Origin")
    SIZE = 5
    ORIGIN = 7
    RIGHT = (SIZE,)

    def entries(self, catalog: Catalog) -> Iterable[Contract]:
        return catalog.contracts.values()

    def values(self, c: Contract) -> tuple[str, ...]:
        origin = YOURS if c.user_defined else BUILT_IN
        return (c.id, c.name, c.underlying, c.tier, c.kind, c.size_text(), c.expiry, origin)

    def tooltip(self, c: Contract, col: int) -> str:
        if col == 0:
            notes = f"\n{c.notes}" if c.notes else ""
            return f"{c.name}\nSource: {c.source} (as of {c.as_of}){notes}"
        return super().tooltip(c, col)


class FamiliesModel(_CatalogTable):
    columns = ("Family", "Name", "Underlying", "Contracts", "Origin")
    ORIGIN = 4

    def entries(self, catalog: Catalog) -> Iterable[Family]:
        return catalog.families.values()

    def values(self, f: Family) -> tuple[str, ...]:
        origin = YOURS if f.user_defined else BUILT_IN
        return (f.id, f.name, f.underlying, ", ".join(f.contracts), origin)


class DifferencesModel(_Table):
    columns = ("Contract", "Differs in", "Catalog", "Exchange")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SizeDifference] = []

    def set_rows(self, rows: list[SizeDifference]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        d = self.rows[index.row()]
        what = {"listing": "listing", "kind": "kind", "size": "contract size"}[d.field]
        return (d.contract_id, what, d.catalog, d.exchange)[index.column()]


# --------------------------------------------------------------------------- forms


@dataclass(frozen=True)
class _Field:
    key: str
    label: str
    percent: bool = False
    optional: bool = False
    help: str = ""


CONTRACT_TEXT_FIELDS: tuple[_Field, ...] = (
    _Field("id", "Contract ID", help="VENUE:SYMBOL, for example OKX:BTC-USDT-SWAP-MINE"),
    _Field("name", "Name"),
    _Field("venue", "Venue", help="Exchange name in capitals, for example OKX"),
    _Field("symbol", "Exchange symbol", help="The exchange's own instrument id"),
    _Field("underlying", "Underlying", help="The coin, for example BTC"),
    _Field("size", "Contract size"),
    _Field("quantity_step", "Quantity step", help="1 for whole contracts"),
    _Field("tick", "Price tick", optional=True),
    _Field("initial_margin_rate", "Initial margin", percent=True),
    _Field("maintenance_margin_rate", "Maintenance margin", percent=True),
    _Field("fee_rate", "Fee", percent=True),
    _Field("quote", "Quote currency"),
    _Field("min_notional", "Minimum notional", optional=True),
    _Field("settlement", "Settlement", optional=True),
    _Field("source", "Source", help="Where these figures come from"),
    _Field("as_of", "As of", help="Date the figures were checked, YYYY-MM-DD"),
)
_LABELS = {f.key: f.label for f in CONTRACT_TEXT_FIELDS} | {
    "tier": "Tier",
    "kind": "Kind",
    "expiry": "Expiry",
    "notes": "Notes",
}


def _validation_text(exc: ValidationError, labels: dict[str, str]) -> tuple[str, str | None]:
    """The first problem in words, and the field it belongs to."""
    err = exc.errors()[0]
    loc = err.get("loc", ())
    key = str(loc[0]) if loc else None
    label = labels.get(key or "", key or "value")
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "string_pattern_mismatch" and key == "id":
        msg = "use VENUE:SYMBOL (capitals and digits, a colon, then letters, digits, . _ -)"
    return f"{label}: {msg}", key


class _FormBase(QDialog):
    """Shared error line and Save/Cancel; ``save`` is the store call."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        self.saved: Catalog | None = None

    def show_error(self, text: str, widget: QWidget | None = None) -> None:
        self.error.setText(text)
        self.error.show()
        layout = self.layout()
        if layout is not None:
            # Grow to fit the message rather than squeeze the fields under it.
            layout.activate()
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        if widget is not None:
            widget.setFocus()

    def _on_save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ContractForm(_FormBase):
    """Add or edit one of the user's contracts."""

    def __init__(
        self,
        base: Catalog,
        path: Path | None,
        contract: Contract | None = None,
        *,
        title: str = "New Contract",
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self._base = base
        self._path = path
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.tier = QComboBox()
        self.tier.addItems(list(TIERS))
        self.kind = QComboBox()
        self.kind.addItems(["linear", "inverse"])
        self.expiry = QComboBox()
        self.expiry.addItems(["perpetual", "dated"])
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(54)
        self.size_unit = QLabel()
        for f in CONTRACT_TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"field_{f.key}")
            if f.help:
                edit.setPlaceholderText(f.help)
            self.edits[f.key] = edit
            if f.key == "size":
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                row.addWidget(self.size_unit)
                form.addRow(f.label, row)
            elif f.percent:
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                row.addWidget(QLabel("%"))
                form.addRow(f.label, row)
            else:
                form.addRow(f.label + ("" if not f.optional else " (optional)"), edit)
            if f.key == "underlying":
                form.addRow("Tier", self.tier)
                form.addRow("Kind", self.kind)
                form.addRow("Expiry", self.expiry)
        form.addRow("Notes", self.notes)
        self.kind.currentTextChanged.connect(lambda _t: self._update_unit())
        self.edits["underlying"].textChanged.connect(lambda _t: self._update_unit())
        layout = QVBoxLayout(self)
        if note:
            info = QLabel(note)
            info.setWordWrap(True)
            layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._fill(contract)
        self._update_unit()
        self.resize(520, self.sizeHint().height())

    def _fill(self, c: Contract | None) -> None:
        today = date.today().isoformat()
        values: dict[str, str] = {
            "quantity_step": "1",
            "initial_margin_rate": "10",
            "maintenance_margin_rate": "0.5",
            "fee_rate": "0.05",
            "quote": "USD",
            "as_of": today,
        }
        if c is not None:
            for f in CONTRACT_TEXT_FIELDS:
                raw = getattr(c, f.key)
                if raw is None:
                    values[f.key] = ""
                elif isinstance(raw, Decimal):
                    values[f.key] = fmt_decimal(raw * 100 if f.percent else raw)
                else:
                    values[f.key] = str(raw)
            self.tier.setCurrentText(c.tier)
            self.kind.setCurrentText(c.kind)
            self.expiry.setCurrentText(c.expiry)
            self.notes.setPlainText(c.notes or "")
        for key, text in values.items():
            self.edits[key].setText(text)

    def _update_unit(self) -> None:
        if self.kind.currentText() == "inverse":
            self.size_unit.setText("USD per contract")
        else:
            coin = self.edits["underlying"].text().strip().upper() or "coins"
            self.size_unit.setText(f"{coin} per contract")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in CONTRACT_TEXT_FIELDS:
            text = self.edits[f.key].text().strip()
            if not text and f.optional:
                continue
            if f.percent and text:
                try:
                    out[f.key] = str(Decimal(text.replace(",", "")) / 100)
                except InvalidOperation:
                    out[f.key] = text  # validation names the field
                continue
            if f.key in ("id", "venue", "underlying"):
                text = text.upper() if f.key != "id" else text
            out[f.key] = text
        out["tier"] = self.tier.currentText()
        out["kind"] = self.kind.currentText()
        out["expiry"] = self.expiry.currentText()
        notes = self.notes.toPlainText().strip()
        if notes:
            out["notes"] = notes
        return out

    def contract(self) -> Contract | None:
        """The typed contract, or None with the problem shown on the form."""
        try:
            return Contract.model_validate(self.values())
        except ValidationError as exc:
            text, key = _validation_text(exc, _LABELS)
            self.show_error(text, self.edits.get(key or ""))
            return None

    def _on_save(self) -> None:
        c = self.contract()
        if c is None:
            return
        try:
            self.saved = save_user_contract(c, base=self._base, path=self._path)
        except UserCatalogError as exc:
            self.show_error(str(exc), self.edits["id"])
            return
        self.accept()


class FamilyForm(_FormBase):
    """Add or edit one of the user's families: up to six contracts on one coin."""

    def __init__(
        self,
        catalog: Catalog,
        base: Catalog,
        path: Path | None,
        family: Family | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Edit Family" if family else "New Family", parent)
        self._catalog = catalog
        self._base = base
        self._path = path
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("Capitals, digits, . _ -, for example MY-BTC")
        self.name_edit = QLineEdit()
        self.underlying_edit = QLineEdit()
        self.underlying_edit.setPlaceholderText("BTC")
        self.notes = QLineEdit()
        self.members = QListWidget()
        self.members.setMinimumHeight(160)
        form = QFormLayout()
        form.addRow("Family ID", self.id_edit)
        form.addRow("Name", self.name_edit)
        form.addRow("Underlying", self.underlying_edit)
        form.addRow("Contracts", self.members)
        form.addRow("Notes (optional)", self.notes)
        hint = QLabel(
            "Tick the contracts this family may mix (one to six, all linear or all inverse)."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        chosen = set(family.contracts) if family else set()
        if family is not None:
            self.id_edit.setText(family.id)
            self.name_edit.setText(family.name)
            self.underlying_edit.setText(family.underlying)
            self.notes.setText(family.notes or "")
        self._chosen = chosen
        self.underlying_edit.textChanged.connect(lambda _t: self._fill_members())
        self._fill_members()
        self.resize(520, 460)

    def _fill_members(self) -> None:
        ticked = self.checked() | self._chosen
        self._chosen = set()
        self.members.clear()
        coin = self.underlying_edit.text().strip().upper()
        for c in sorted(self._catalog.contracts.values(), key=lambda c: (-c.size, c.id)):
            if coin and c.underlying != coin:
                continue
            mark = " — yours" if c.user_defined else ""
            item = QListWidgetItem(f"{c.id}  ·  {c.size_text()} {c.kind}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if c.id in ticked else Qt.CheckState.Unchecked)
            self.members.addItem(item)

    def checked(self) -> set[str]:
        out: set[str] = set()
        for i in range(self.members.count()):
            item = self.members.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.add(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_checked(self, ids: set[str]) -> None:
        for i in range(self.members.count()):
            item = self.members.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def family(self) -> Family | None:
        order = [
            str(self.members.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.members.count())
            if self.members.item(i).checkState() == Qt.CheckState.Checked
        ]
        doc: dict[str, Any] = {
            "id": self.id_edit.text().strip().upper(),
            "name": self.name_edit.text().strip() or self.id_edit.text().strip().upper(),
            "underlying": self.underlying_edit.text().strip().upper(),
            "contracts": order,
        }
        if self.notes.text().strip():
            doc["notes"] = self.notes.text().strip()
        labels = {"id": "Family ID", "name": "Name", "underlying": "Underlying"}
        labels["contracts"] = "Contracts"
        if not order:
            self.show_error("Contracts: tick at least one contract", self.members)
            return None
        try:
            return Family.model_validate(doc)
        except ValidationError as exc:
            text, key = _validation_text(exc, labels)
            widget = {"id": self.id_edit, "underlying": self.underlying_edit}.get(key or "")
            self.show_error(text, widget)
            return None

    def _on_save(self) -> None:
        f = self.family()
        if f is None:
            return
        try:
            self.saved = save_user_family(f, base=self._base, path=self._path)
        except UserCatalogError as exc:
            self.show_error(str(exc), self.id_edit)
            return
        self.accept()


# --------------------------------------------------------------------------- compare


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
        from hedger.live.ccxt_source import CcxtSource
        from hedger.live.http import PriceSourceError
        from hedger.live.sources import http_settings_from_env

        outcome: list[SizeDifference] | str
        try:
            timeout = http_settings_from_env().timeout
            source = CcxtSource(exchange, timeout=timeout, module=self._module)
            outcome = source.compare_catalog(catalog)
        except PriceSourceError as exc:
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
        from hedger.live.ccxt_probe import ccxt_available

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

        self.tabs = QTabWidget()
        self.tabs.addTab(contracts_tab, "Contracts")
        self.tabs.addTab(families_tab, "Families")
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
        _merged, problem = load_user_catalog(catalog, path)
        if problem:
            self.show_message(f"Your contracts were not loaded: {problem}", error=True)
        self.resize(1000, 600)

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
            catalog = remove_user_contract(c.id, base=self.catalog, path=self._path)
        except UserCatalogError as exc:
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
            catalog = remove_user_family(f.id, base=self.catalog, path=self._path)
        except UserCatalogError as exc:
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


__all__ = [
    "CompareDialog",
    "ContractForm",
    "ContractsDialog",
    "FamilyForm",
    "copy_with_exchange_figures",
]
