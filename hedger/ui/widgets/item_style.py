"""A view item's style option filled from values a Python model reads in one call.

QStyledItemDelegate.initStyleOption asks the model for seven roles, each a
call from C++ into Python (through a sort proxy, each mapped back with one
more). A delegate that knows its model can read the five roles it paints in
one Python call and set the same fields, in the same order, here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QIcon, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

Index = QModelIndex | QPersistentModelIndex

# Item roles as plain ints: models compare them on every painted cell, and an
# enum look-up there costs more than the comparison.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration


class CellStyle(NamedTuple):
    """What data() gives for the roles a painted cell reads (None: no value)."""

    text: str | None
    alignment: Qt.AlignmentFlag | int
    font: QFont | None = None
    foreground: QBrush | QColor | None = None
    background: QBrush | QColor | None = None
    decoration: Any = None


def fill_style_option(option: QStyleOptionViewItem, index: Index, cell: CellStyle) -> None:
    """What QStyledItemDelegate.initStyleOption sets, from ``cell``."""
    text, alignment, font, foreground, background, decoration = cell
    option.index = index  # type: ignore[attr-defined]
    if font is not None:
        resolved = font.resolve(option.font)  # type: ignore[attr-defined]
        option.font = resolved  # type: ignore[attr-defined]
        option.fontMetrics = QFontMetrics(resolved)  # type: ignore[attr-defined]
    option.displayAlignment = Qt.AlignmentFlag(alignment)  # type: ignore[attr-defined]
    if foreground is not None:
        palette = QPalette(option.palette)  # type: ignore[attr-defined]
        palette.setBrush(QPalette.ColorRole.Text, QBrush(foreground))
        option.palette = palette  # type: ignore[attr-defined]
    features = option.features  # type: ignore[attr-defined]
    if isinstance(decoration, QIcon) and not decoration.isNull():
        features |= _HAS_DECORATION
        option.icon = decoration  # type: ignore[attr-defined]
        _fit_decoration(option, decoration)
    if text is not None:
        features |= _HAS_DISPLAY
        option.text = text  # type: ignore[attr-defined]
    option.features = features  # type: ignore[attr-defined]
    if background is not None:
        option.backgroundBrush = QBrush(background)  # type: ignore[attr-defined]
    option.styleObject = None  # type: ignore[attr-defined]


def _fit_decoration(option: QStyleOptionViewItem, icon: QIcon) -> None:
    state = option.state  # type: ignore[attr-defined]
    mode = (
        QIcon.Mode.Disabled
        if not state & QStyle.StateFlag.State_Enabled
        else QIcon.Mode.Selected
        if state & QStyle.StateFlag.State_Selected
        else QIcon.Mode.Normal
    )
    on = QIcon.State.On if state & QStyle.StateFlag.State_Open else QIcon.State.Off
    wanted: QSize = option.decorationSize  # type: ignore[attr-defined]
    # A high-dpi icon may be larger than asked for: never more than the option's size.
    option.decorationSize = wanted.boundedTo(icon.actualSize(wanted, mode, on))  # type: ignore[attr-defined]
