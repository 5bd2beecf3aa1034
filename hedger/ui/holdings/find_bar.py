"""Ctrl+F over the holdings: type a symbol, Enter for the next match, Esc to leave."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from hedger.ui.holdings.columns import Column
from hedger.ui.widgets.style import dim

if TYPE_CHECKING:
    from hedger.ui.holdings.panel import HoldingsPanel


class FindBar(QWidget):
    """Finds holdings by symbol in the table's order and selects each match in turn."""

    def __init__(self, panel: HoldingsPanel) -> None:
        super().__init__(panel)
        self.setObjectName("holdingsFindBar")
        self._panel = panel
        self._matches: list[int] = []  # table (proxy) rows
        self._at = -1
        self.edit = QLineEdit()
        self.edit.setObjectName("findHolding")
        self.edit.setPlaceholderText("Find a holding by symbol")
        self.edit.setAccessibleName("Find holding")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self._search)
        self.edit.returnPressed.connect(self.next_match)
        self.edit.installEventFilter(self)
        self.count = dim(QLabel(""))
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close (Esc)")
        close.setAccessibleName("Close find")
        close.clicked.connect(self.close_bar)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.count)
        lay.addWidget(close)
        self.hide()

    def open(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        if self.edit.text():
            self._search(self.edit.text())

    def close_bar(self) -> None:
        self.hide()
        self._panel.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def matches(self) -> list[int]:
        return list(self._matches)

    def _search(self, text: str) -> None:
        needle = text.strip().upper()
        proxy = self._panel.proxy
        if not needle:
            self._matches = []
            self.count.setText("")
            return
        symbols = [
            str(proxy.index(r, Column.SYMBOL).data() or "").upper() for r in range(proxy.rowCount())
        ]
        # Symbols that start with it first (ETH before WETH), then ones that contain it.
        starts = [r for r, s in enumerate(symbols) if s.startswith(needle)]
        inside = [r for r, s in enumerate(symbols) if needle in s and not s.startswith(needle)]
        self._matches = starts + inside
        self._at = -1
        if self._matches:
            self.next_match()
        else:
            self.count.setText("no match")

    def next_match(self, step: int = 1) -> None:
        if not self._matches:
            return
        self._at = (self._at + step) % len(self._matches)
        row = self._matches[self._at]
        panel = self._panel
        panel.select_rows([panel.proxy.source_row(row)])
        self.count.setText(f"{self._at + 1} of {len(self._matches)}")

    def eventFilter(self, obj: object, event: object) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.next_match(-1)
                return True
            if event.key() == Qt.Key.Key_Down:
                self._panel.view.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False
