"""A stale futures price, in words, with what to do about it: use spot, or refresh.

A typed futures price stays fixed while spot moves on
(``hedger.core.freshness``). When spot has moved since it was typed, or
futures and spot differ by more than a plausible basis, the panel shows this
bar above the order: "Use Spot" drops the typed price (one undo step),
"Refresh" fetches the venues' live prices (their mark price then becomes the
futures price).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from hedger.core.freshness import FuturesPriceCheck
from hedger.ui import format as fmt
from hedger.ui.widgets.style import blend, warning_color
from hedger.ui.widgets.wrap_label import WrapLabel


class FreshnessBanner(QFrame):
    """Findings about the futures price, with "Use Spot" and "Refresh"."""

    useSpotRequested = Signal(str)  # underlying
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("futuresPriceBanner")
        self._underlying = ""
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        self.text = WrapLabel()
        self.text.setObjectName("freshnessText")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_spot = QPushButton("Use Spot")
        self.use_spot.setObjectName("useSpot")
        self.use_spot.clicked.connect(lambda: self.useSpotRequested.emit(self._underlying))
        self.refresh = QPushButton("Refresh")
        self.refresh.setObjectName("refreshFutures")
        self.refresh.setToolTip(
            "Fetch live prices (F5): the venue's mark becomes the futures price"
        )
        self.refresh.clicked.connect(self.refreshRequested)
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.use_spot)
        buttons.addWidget(self.refresh)
        buttons.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 8, 6)
        lay.setSpacing(8)
        lay.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.text, 1)
        lay.addLayout(buttons)
        self.hide()

    def show_check(self, check: FuturesPriceCheck | None) -> None:
        """Show the findings of ``check`` (hidden when the price is fine)."""
        if check is None or not check.stale:
            if not self.isHidden():
                self.hide()
            return
        self._underlying = check.underlying
        text = "\n".join(check.findings)
        if self.text.text() != text:
            self.text.setText(text)
        self.use_spot.setVisible(check.suggest_spot)
        if check.spot is not None:
            self.use_spot.setToolTip(
                f"Size the hedge from the spot price {fmt.price(check.spot)} (undoable)"
            )
        self.refresh.setVisible(check.suggest_refresh)
        if self.isHidden():
            self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        # A card tinted amber: a warning, not an error.
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        amber = warning_color(pal)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(blend(window, amber, 0.6))
        p.setBrush(blend(window, amber, 0.12))
        p.drawRoundedRect(rect, 6, 6)
        p.end()
