"""The plain-words lead of a view, and a "Details" section that folds away the figures.

``LeadCard`` is the sentence a view opens with ("In 1 week out of 20, expect
to lose more than ..."), word-wrapped at any width, with an optional second
paragraph (why the hedge did worse); its accent bar turns to the warning
colour when that paragraph is a warning. ``DetailsSection`` is a "Details"
toggle over a body that holds the figures behind the sentence (β, ρ, VaR…);
it starts folded.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.style import blend, is_dark, scaled_font, warning_color
from hedger.ui.widgets.wrap_label import WrapLabel

W = TypeVar("W", bound=QWidget)


class LeadCard(Card):
    """One or two sentences in words, prominent, above a view's figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, accent=True)
        self.setObjectName("leadCard")
        self._warn = False
        self.text = WrapLabel()
        self.text.setObjectName("leadText")
        self.text.setFont(scaled_font(self, 1.1))
        self.note = WrapLabel()
        self.note.setObjectName("leadNote")
        for label in (self.text, self.note):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 9, 12, 9)
        lay.setSpacing(4)
        lay.addWidget(self.text)
        lay.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set(self, text: str, note: str = "", warn: bool = False) -> None:
        """Show ``text`` (and ``note`` under it); empty text hides the card."""
        if self.text.text() != text:
            self.text.setText(text)
        if self.note.text() != note:
            self.note.setText(note)
        self.note.setVisible(bool(note))
        if warn != self._warn:
            self._warn = warn
            self.update()
        self.setVisible(bool(text))

    @property
    def warned(self) -> bool:
        return self._warn

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._warn:
            super().paintEvent(event)
            return
        # The card's own look with the warning colour where the accent would be.
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        base = pal.color(QPalette.ColorRole.Base)
        accent = warning_color(pal)
        fill = blend(window, base, 0.5 if is_dark(pal) else 0.6)
        fill = blend(fill, accent, 0.16 if is_dark(pal) else 0.08)
        border = blend(window, pal.color(QPalette.ColorRole.WindowText), 0.16)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(blend(border, accent, 0.5))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 6, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(accent)
        p.drawRoundedRect(QRectF(rect.left(), rect.top(), 4, rect.height()), 2, 2)
        p.end()


class _FittingScroll(QScrollArea):
    """A frameless scroll area as tall as its content when there is room, scrolling when not."""

    MIN_HEIGHT = 80

    def __init__(self, body: QWidget) -> None:
        super().__init__()
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)

    def sizeHint(self) -> QSize:
        body = self.widget()
        width = self.viewport().width() or body.sizeHint().width()
        height = body.heightForWidth(width) if body.hasHeightForWidth() else -1
        return QSize(body.sizeHint().width(), max(height, body.sizeHint().height()))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self.MIN_HEIGHT, self.sizeHint().height()))


class DetailsSection(QWidget):
    """A "Details" toggle over a body of figures and notes; folded to start with.

    With ``scrolling`` the open body scrolls when the view is too short for it,
    rather than pushing what is above it out of shape.
    """

    toggled = Signal(bool)

    def __init__(
        self,
        title: str = "Details",
        tooltip: str = "",
        parent: QWidget | None = None,
        scrolling: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detailsSection")
        self.button = QToolButton()
        self.button.setObjectName("detailsToggle")
        self.button.setText(title)
        self.button.setCheckable(True)
        self.button.setAutoRaise(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setArrowType(Qt.ArrowType.RightArrow)
        self.button.setFont(scaled_font(self, 1.0, bold=True))
        self.button.setToolTip(tooltip or "Show or hide the figures behind the sentence above")
        self.button.toggled.connect(self.set_expanded)
        self.body = QWidget()
        self.body.setObjectName("detailsBody")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 2, 0, 0)
        self.body_layout.setSpacing(6)
        self._shown: QWidget = _FittingScroll(self.body) if scrolling else self.body
        self._shown.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self._shown, 1)

    @property
    def expanded(self) -> bool:
        return self.button.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        if self.button.isChecked() != expanded:
            self.button.setChecked(expanded)  # comes back here through toggled
            return
        self.button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._shown.setVisible(expanded)
        self.toggled.emit(expanded)

    def add(self, widget: W, stretch: int = 0) -> W:
        """Put ``widget`` in the body (shown when the section is open)."""
        self.body_layout.addWidget(widget, stretch)
        return widget
