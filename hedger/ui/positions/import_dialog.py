"""Import an exchange account's positions, read-only, with an API key kept in the keyring.

The key is entered once: with "Remember" it goes into the system keyring
(never into the portfolio, the settings or a log) and is filled in next
time. Test Connection reads the account's balance; Import reads its positions
and applies them as one undo step. Both run off the GUI thread. A failed or
partial answer changes nothing and the dialog says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.credentials import Credentials
from hedger.services import positions as svc
from hedger.services.errors import USER_ERRORS
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.tasks import TaskRunner, TaskState
from hedger.ui.widgets.style import dim

READ_ONLY_WORDS = (
    "Use a <b>read-only</b> API key: reading positions and balances only, no trading and no "
    "withdrawal rights. Hedger never places orders."
)


class ImportPositionsDialog(QDialog):
    statusMessage = Signal(str)

    def __init__(
        self,
        document: PortfolioDocument,
        parent: QWidget | None = None,
        *,
        module: Any | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Positions from an Exchange")
        self.document = document
        self._module = module  # a fake ccxt in tests
        self._task = TaskRunner(self, name="hedger-positions")
        self.exchange = QComboBox()
        self.exchange.addItems(list(svc.import_exchanges()))
        self.account = QLineEdit()
        self.account.setPlaceholderText("default")
        self.api_key = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("only where the exchange has one (OKX)")
        self.remember = QCheckBox("Remember the key in the system keyring")
        words = QLabel(READ_ONLY_WORDS)
        words.setWordWrap(True)
        self.install = dim(QLabel())
        self.install.setWordWrap(True)
        self.result = QLabel()
        self.result.setObjectName("importResult")
        self.result.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Exchange (ccxt)", self.exchange)
        form.addRow("Account label", self.account)
        form.addRow("Read-only API key", self.api_key)
        form.addRow("Secret", self.secret)
        form.addRow("Passphrase", self.password)
        form.addRow("", self.remember)
        self.test_button = QPushButton("Test Connection")
        self.import_button = QPushButton("Import")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test_connection)
        self.import_button.clicked.connect(self.run_import)
        self.exchange.currentTextChanged.connect(self._fill_key)
        self.account.editingFinished.connect(self._fill_key)
        self._task.busyChanged.connect(self._busy)
        lay = QVBoxLayout(self)
        lay.addWidget(words)
        lay.addLayout(form)
        lay.addWidget(self.install)
        lay.addWidget(self.result)
        lay.addWidget(buttons)
        self._check_installed()
        self._fill_key()

    def _check_installed(self) -> None:
        notes = []
        if not svc.ccxt_available() and self._module is None:
            notes.append('Importing needs ccxt: pip install "hedger[live]".')
            self.test_button.setEnabled(False)
            self.import_button.setEnabled(False)
        if not svc.keyring_available():
            notes.append(svc.keyring_hint().capitalize() + " (without it, the key is used once).")
            self.remember.setChecked(False)
            self.remember.setEnabled(False)
        else:
            self.remember.setChecked(True)
        self.install.setText(" ".join(notes))
        self.install.setVisible(bool(notes))

    def _label(self) -> str | None:
        return self.account.text().strip() or None

    def _fill_key(self, *_args: object) -> None:
        if not svc.keyring_available():
            return
        try:
            kept = svc.load_key(self.exchange.currentText(), self._label())
        except USER_ERRORS as exc:
            self.result.setText(str(exc))
            return
        if kept is not None:
            self.api_key.setText(kept.api_key)
            self.secret.setText(kept.secret)
            self.password.setText(kept.password or "")

    def credentials(self) -> Credentials | None:
        key, secret = self.api_key.text().strip(), self.secret.text().strip()
        if not key or not secret:
            self.result.setText("Enter the API key and its secret.")
            return None
        return Credentials(key, secret, self.password.text().strip() or None)

    def _busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)

    def test_connection(self) -> None:
        creds = self.credentials()
        if creds is None:
            return
        exchange, module = self.exchange.currentText(), self._module

        def work(_state: TaskState) -> str:
            try:
                return svc.test_connection(exchange, creds, module=module)
            except USER_ERRORS as exc:
                return f"Not connected: {exc}"

        self.result.setText("Connecting…")
        self._task.start(work, self.result.setText)

    def run_import(self) -> None:
        creds = self.credentials()
        if creds is None:
            return
        exchange, label, module = self.exchange.currentText(), self._label(), self._module
        catalog = self.document.catalog

        def work(_state: TaskState) -> Any:
            try:
                return svc.fetch_account(exchange, creds, catalog, label, module=module)
            except USER_ERRORS as exc:
                return str(exc)

        self.result.setText("Reading positions…")
        self._task.start(work, lambda answer: self._apply(answer, exchange, label, creds))

    def _apply(self, answer: Any, exchange: str, label: str | None, creds: Credentials) -> None:
        if isinstance(answer, str):
            self.result.setText(answer)
            return
        try:
            outcome = svc.apply_import(
                self.document.portfolio, answer, exchange, label, self.document.catalog
            )
        except USER_ERRORS as exc:
            self.result.setText(str(exc))
            return
        p = outcome.portfolio
        self.document.set_book(f"Import Positions ({exchange})", p.positions, p.journal)
        if self.remember.isChecked():
            try:
                svc.save_key(exchange, label, creds)
            except USER_ERRORS as exc:
                self.result.setText(f"{outcome.message}. The key was not kept: {exc}")
                return
        self.result.setText(outcome.message)
        self.statusMessage.emit(outcome.message)
