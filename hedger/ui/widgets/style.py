"""Colours and fonts derived from the palette, shared by every panel.

They read palette roles only, so a light/dark theme switch restyles
what uses them without hard-coded colours.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
)
from PySide6.QtWidgets import (
    QLabel,
    QWidget,
)


def blend(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` moved ``share`` of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * share),
        round(a.green() + (b.green() - a.green()) * share),
        round(a.blue() + (b.blue() - a.blue()) * share),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def is_dark_palette(palette: QPalette | None = None) -> bool:
    p = palette or QGuiApplication.palette()
    return p.color(QPalette.ColorRole.Base).lightness() < 128


def warning_color(palette: QPalette | None = None) -> QColor:
    return QColor("#d29922") if is_dark_palette(palette) else QColor("#9a6700")


def error_color(palette: QPalette | None = None) -> QColor:
    return QColor("#ff7b72") if is_dark_palette(palette) else QColor("#cf222e")


def muted_color(palette: QPalette | None = None) -> QColor:
    p = palette or QGuiApplication.palette()
    return p.color(QPalette.ColorRole.PlaceholderText)


def dim(label: QLabel) -> QLabel:
    """Secondary text: the palette's placeholder colour follows theme changes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


def section_title(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(widget, 1.1, bold=True))
    return label
