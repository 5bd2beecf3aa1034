"""Forms for the user's own contracts and families.

Every save goes through ``hedger.services.own_contracts``, which validates and
saves atomically; a refused change leaves the form open with everything
typed in it and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import TIERS, Catalog, Contract, Family
from hedger.core.decimals import DecimalParseError, fmt_decimal
from hedger.core.percent import parse_share, percent_text
from hedger.services.own_contracts import (
    CatalogChangeError,
    save_own_contract,
    save_own_family,
)

ERROR_COLOR = "#c0392b"


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
                edit.setPlaceholderText("a percentage: 10% or 0.1")
                form.addRow(f.label, edit)
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
            "initial_margin_rate": "10%",
            "maintenance_margin_rate": "0.5%",
            "fee_rate": "0.05%",
            "quote": "USD",
            "as_of": today,
        }
        if c is not None:
            for f in CONTRACT_TEXT_FIELDS:
                raw = getattr(c, f.key)
                if raw is None:
                    values[f.key] = ""
                elif isinstance(raw, Decimal):
                    values[f.key] = percent_text(raw) if f.percent else fmt_decimal(raw)
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
                # As on the command line: 10% or 0.1; a bare 10 is refused.
                share = parse_share(text, what=f.label, high=Decimal(1), high_inclusive=False)
                out[f.key] = str(share)
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
        except DecimalParseError as exc:
            key = next((f.key for f in CONTRACT_TEXT_FIELDS if str(exc).startswith(f.label)), "")
            self.show_error(str(exc), self.edits.get(key))
            return None
        except ValidationError as exc:
            text, key = _validation_text(exc, _LABELS)
            self.show_error(text, self.edits.get(key or ""))
            return None

    def _on_save(self) -> None:
        c = self.contract()
        if c is None:
            return
        try:
            self.saved = save_own_contract(c, base=self._base, path=self._path)
        except CatalogChangeError as exc:
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
            self.saved = save_own_family(f, base=self._base, path=self._path)
        except CatalogChangeError as exc:
            self.show_error(str(exc), self.id_edit)
            return
        self.accept()
