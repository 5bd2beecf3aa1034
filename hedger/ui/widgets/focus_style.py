"""Fusion, with a visible keyboard focus on every control.

Fusion draws no focus for tool buttons (the rounding choices, Copy, the
panel buttons) nor around a focused table or list, and its line-edit frame
vanishes on a dark window. This style adds a ring in the highlight colour
where the keyboard is, and a frame a dark theme can see.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

RING = 2.0


def paint_focus_ring(painter: QPainter, rect: QRectF, palette: QPalette, radius: float = 4) -> None:
    """The ring every focused control shows (also used by custom-painted widgets)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(palette.color(QPalette.ColorRole.Highlight))
    painter.setPen(QPen(color, RING))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = RING / 2
    painter.drawRoundedRect(rect.adjusted(half, half, -half, -half), radius, radius)
    painter.restore()


def _dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class HedgerStyle(QProxyStyle):
    """Fusion plus focus rings (tool buttons, item views) and dark-visible edit frames."""

    def __init__(self) -> None:
        super().__init__("Fusion")
        self.setObjectName("hedgerStyle")

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if (
            control == QStyle.ComplexControl.CC_ToolButton
            and option.state & QStyle.StateFlag.State_HasFocus  # type: ignore[operator]
            and widget is not None
            and widget.hasFocus()
        ):
            paint_focus_ring(painter, QRectF(option.rect), option.palette)  # type: ignore[attr-defined]

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if (
            element == QStyle.ControlElement.CE_ShapedFrame
            and isinstance(widget, QAbstractItemView)
            and widget.hasFocus()
        ):
            paint_focus_ring(painter, QRectF(option.rect), option.palette, 2)  # type: ignore[attr-defined]

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if (
            element == QStyle.PrimitiveElement.PE_FrameLineEdit
            and not option.state & QStyle.StateFlag.State_HasFocus  # type: ignore[operator]
            and _dark(option.palette)  # type: ignore[attr-defined]
        ):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            pal: QPalette = option.palette  # type: ignore[attr-defined]
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)  # type: ignore[attr-defined]
            painter.restore()
