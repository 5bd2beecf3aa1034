"""Drift rules of the open portfolio: the band and the alerts of ``hedger check``."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import fmt_decimal
from hedger.core.models import DriftRules
from hedger.core.percent import parse_share
from hedger.ui.document.document import PortfolioDocument, validation_message
from hedger.ui.widgets.style import dim

HUNDRED = Decimal(100)


class DriftRulesDialog(QDialog):
    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Drift Rules")
        self.document = document
        d = document.portfolio.drift
        self.band_kind = QComboBox()
        self.band_kind.addItems(["% of the target", "USD"])
        self.band = QLineEdit()
        if d.band_usd is not None:
            self.band_kind.setCurrentIndex(1)
            self.band.setText(fmt_decimal(d.band_usd))
        else:
            self.band.setText(f"{fmt_decimal(d.band_pct * HUNDRED)}%")
        self.liquidation = QLineEdit(f"{fmt_decimal(d.liquidation_within * HUNDRED)}%")
        self.expiry = QSpinBox()
        self.expiry.setRange(0, 366)
        self.expiry.setValue(d.expiry_days)
        self.expiry.setSuffix(" days")
        self.hours = QSpinBox()
        self.hours.setRange(1, 24 * 366)
        self.hours.setValue(d.price_max_age_hours)
        self.hours.setSuffix(" h")
        self.error = QLabel()
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Band", self.band)
        form.addRow("Band in", self.band_kind)
        form.addRow("Liquidation within", self.liquidation)
        form.addRow("Expiry within", self.expiry)
        form.addRow("Prices older than", self.hours)
        note = dim(
            QLabel(
                "hedger check and the library badges report a hedge outside its band, "
                "a position this close to liquidation, a dated contract this close to "
                "expiry and prices this old."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def rules(self) -> DriftRules:
        """The rules as typed; ValueError with a reason."""
        data: dict[str, object] = {
            "liquidation_within": parse_share(self.liquidation.text(), what="liquidation"),
            "expiry_days": self.expiry.value(),
            "price_max_age_hours": self.hours.value(),
        }
        if self.band_kind.currentIndex() == 1:
            data["band_usd"] = self.band.text().strip()
        else:
            data["band_pct"] = parse_share(self.band.text(), what="band")
        try:
            return DriftRules.model_validate(data)
        except ValidationError as exc:
            raise ValueError(validation_message(exc)) from None

    def accept(self) -> None:
        try:
            rules = self.rules()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.document.set_book("Edit Drift Rules", drift=rules)
        super().accept()
