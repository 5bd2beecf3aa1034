"""Small line icons for the holdings panel, drawn so they match any palette.

Painted at run time rather than shipped as files: they follow the text
colour of the light and dark themes and stay sharp at any device pixel ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

from hedger.ui.widgets.style import error_color, warning_color

Painter = Callable[[QPainter, QColor], None]


def _render(paint: Painter, color: QColor) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Draw on a 16-unit grid whatever the pixel size.
        painter.scale(size / 16, size / 16)
        paint(painter, color)
        painter.end()
        icon.addPixmap(pix)
        # Without an explicit selected pixmap the style washes the icon out
        # on the highlight colour of a selected row.
        icon.addPixmap(pix, QIcon.Mode.Selected)
    return icon


def _pen(color: QColor, width: float = 1.5) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _plus(p: QPainter, c: QColor) -> None:
    p.setPen(_pen(c, 1.7))
    p.drawLine(QPointF(8, 3), QPointF(8, 13))
    p.drawLine(QPointF(3, 8), QPointF(13, 8))


def _minus(p: QPainter, c: QColor) -> None:
    p.setPen(_pen(c, 1.7))
    p.drawLine(QPointF(3, 8), QPointF(13, 8))


def _paste(p: QPainter, c: QColor) -> None:
    p.setPen(_pen(c, 1.3))
    p.drawRoundedRect(QRectF(3, 3, 10, 11.5), 1.5, 1.5)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(5.5, 1.5, 5, 3), 1, 1)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for y in (7.5, 10, 12.2):
        p.drawLine(QPointF(5.5, y), QPointF(10.5, y))


def _copy(p: QPainter, c: QColor) -> None:
    p.setPen(_pen(c, 1.3))
    p.drawRoundedRect(QRectF(5.5, 5.5, 8, 9), 1.5, 1.5)
    path = QPainterPath()
    path.moveTo(3.5, 11)
    path.lineTo(2.5, 11)
    path.lineTo(2.5, 2)
    path.lineTo(10, 2)
    path.lineTo(10, 3.5)
    p.drawPath(path)


def _import(p: QPainter, c: QColor) -> None:
    p.setPen(_pen(c, 1.5))
    p.drawLine(QPointF(8, 2), QPointF(8, 10))
    p.drawLine(QPointF(5, 7), QPointF(8, 10))
    p.drawLine(QPointF(11, 7), QPointF(8, 10))
    tray = QPainterPath()
    tray.moveTo(2.5, 10)
    tray.lineTo(2.5, 14)
    tray.lineTo(13.5, 14)
    tray.lineTo(13.5, 10)
    p.drawPath(tray)


def _warning(p: QPainter, c: QColor) -> None:
    tri = QPainterPath()
    tri.moveTo(8, 1.5)
    tri.lineTo(15, 14.5)
    tri.lineTo(1, 14.5)
    tri.closeSubpath()
    p.setPen(_pen(c, 1.2))
    p.setBrush(c)
    p.drawPath(tri)
    p.setPen(_pen(QColor("#ffffff"), 1.8))
    p.drawLine(QPointF(8, 6), QPointF(8, 9.8))
    p.drawPoint(QPointF(8, 12.3))


def _info(p: QPainter, c: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawEllipse(QRectF(1, 1, 14, 14))
    p.setPen(_pen(QColor("#ffffff"), 1.8))
    p.drawLine(QPointF(8, 7.2), QPointF(8, 11.8))
    p.drawPoint(QPointF(8, 4.6))


_PAINTERS: dict[str, Painter] = {
    "add": _plus,
    "remove": _minus,
    "paste": _paste,
    "copy": _copy,
    "import": _import,
    "warning": _warning,
    "error": _warning,
    "info": _info,
}


def icon(name: str) -> QIcon:
    """An icon in the colour that suits it under the current palette."""
    palette = QGuiApplication.palette()
    if name == "warning":
        color = warning_color(palette)
    elif name == "error":
        color = error_color(palette)
    elif name == "info":
        color = palette.color(QPalette.ColorRole.Highlight)
    else:
        color = palette.color(QPalette.ColorRole.ButtonText)
    return _cached(name, color.name())


@cache
def _cached(name: str, color: str) -> QIcon:
    return _render(_PAINTERS[name], QColor(color))
