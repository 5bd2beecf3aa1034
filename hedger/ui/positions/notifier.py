"""Drift findings of the open portfolio, and a desktop notification for new ones.

After an automatic price refresh the findings (``hedger.services.checks``) are
evaluated again; one that was not there before shows as a system-tray message
(``QSystemTrayIcon.showMessage``). ``notify`` is the seam tests replace.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from hedger.services.checks import Finding, check_plan
from hedger.ui.document.document import PortfolioDocument

NotifyFn = Callable[[str, str], None]


class DriftNotifier(QObject):
    findingsChanged = Signal(object)  # list[Finding]

    def __init__(self, document: PortfolioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.notify: NotifyFn = self._tray_message
        self._tray: QSystemTrayIcon | None = None
        self.findings: list[Finding] = []
        self._seen: set[str] = set()
        document.pathChanged.connect(self.reset)
        self.reset()

    def evaluate(self) -> list[Finding]:
        d = self._doc
        try:
            self.findings = check_plan(d.portfolio, d.plan, d.catalog)
        except Exception:  # a check must never take the window down
            self.findings = []
        self.findingsChanged.emit(self.findings)
        return self.findings

    def reset(self, *_args: object) -> None:
        """What the file shows when opened is known: only later findings are news."""
        self._seen = {f.line for f in self.evaluate()}

    def on_refreshed(self, auto: bool) -> list[Finding]:
        """After a price refresh: the findings that are new (notified when ``auto``)."""
        findings = self.evaluate()
        new = [f for f in findings if f.line not in self._seen]
        self._seen = {f.line for f in findings}
        if auto and new:
            name = self._doc.portfolio.name
            more = f" (+{len(new) - 1} more)" if len(new) > 1 else ""
            self.notify(f"Hedger: {name} needs action", new[0].line + more)
        return new

    def _tray_message(self, title: str, text: str) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
            self._tray = QSystemTrayIcon(icon, self)
        self._tray.show()
        self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 15_000)
