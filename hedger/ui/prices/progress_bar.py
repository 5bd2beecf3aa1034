"""The refresh's progress in the status bar: what is being fetched, a bar, and Stop."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from hedger.ui.prices.controller import LivePricesController


class RefreshProgressBar(QWidget):
    """Shown only while a refresh runs: what is being fetched, a bar, and Stop.

    Until the first venue answers the bar is indeterminate (a moving chunk)
    and the label says which venue is being asked, so a slow first venue
    reads as "Fetching prices from Binance…", not as an empty box.
    """

    def __init__(self, controller: LivePricesController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refreshProgress")
        self.label = QLabel()
        self.label.setObjectName("refreshProgressLabel")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(90)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Price refresh progress")
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.stop_button = QToolButton()
        self.stop_button.setDefaultAction(controller.stop_action)
        self.stop_button.setAutoRaise(True)
        self.stop_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.stop_button)
        self.hide()
        controller.busyChanged.connect(self._on_busy)
        controller.progress.connect(self._on_progress)
        controller.fetching.connect(self._on_fetching)

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.bar.setRange(0, 0)
            self.label.setText("Fetching prices…")
        self.setVisible(busy)

    def _on_fetching(self, text: str) -> None:
        self.label.setText(text)

    def _on_progress(self, done: int, total: int) -> None:
        # Stay indeterminate until something finished: an empty determinate
        # bar looks like nothing is happening.
        if total > 0 and done > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
