"""Keyboard focus across the main window's panels: Tab order and F6 between panels.

The panels, in reading order: the portfolio library, the holdings (or
positions), the chart, the hedge panel. Tab and Shift+Tab walk every control
of one panel and then go on to the next panel (tables do not trap Tab: it
leaves them, arrows move inside); F6 and Shift+F6 jump a whole panel.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QScrollBar,
    QTabBar,
    QWidget,
)

if TYPE_CHECKING:
    from hedger.ui.main_window import MainWindow


def _takes_tab(w: QWidget) -> bool:
    return bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and not isinstance(w, QScrollBar)


def in_visual_order(panel: QWidget) -> list[QWidget]:
    """A panel's focusable widgets top to bottom, left to right (single-column panels)."""
    widgets = [w for w in panel.findChildren(QWidget) if _takes_tab(w)]

    def where(w: QWidget) -> tuple[int, int]:
        p = w.mapTo(panel, QPoint(0, 0))
        return (p.y() // 8, p.x())

    return sorted(widgets, key=where)


def in_build_order(panel: QWidget) -> list[QWidget]:
    """A panel's focusable widgets in the order they were built (how it reads)."""
    return [w for w in panel.findChildren(QWidget) if _takes_tab(w)]


class PanelFocus(QObject):
    """The window's panels for Tab order and F6 / Shift+F6."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def panels(self) -> list[QWidget]:
        w = self._window
        panels: list[QWidget] = []
        if w.library_dock.isVisible():
            panels.append(w.library_panel)
        panels += [w.positions.tabs, w.chart_host, w.hedge_panel]
        return panels

    def chain(self) -> list[QWidget]:
        """Every control of the Hedge tab in Tab order."""
        w = self._window
        order: list[QWidget] = []
        for panel in [w.library_panel, w.positions.tabs, w.chart_host]:
            order += in_visual_order(panel)
        order += in_build_order(w.hedge_panel)
        return order

    def apply_tab_order(self) -> None:
        """Chain the panels' controls (again after the chart has been built)."""
        window = self._window.window()
        # Not the popups (menus) a panel owns: they are windows of their own.
        chain = [w for w in self.chain() if w.window() is window]
        for a, b in pairwise(chain):
            QWidget.setTabOrder(a, b)

    def _entry(self, panel: QWidget) -> QWidget | None:
        """Where focus lands in a panel: its main table or list, else its first control."""
        views = [
            v for v in panel.findChildren(QAbstractItemView) if v.isVisible() and v.isEnabled()
        ]
        if views:
            return views[0]
        for widget in in_build_order(panel):
            if widget.isVisible() and widget.isEnabled() and not isinstance(widget, QTabBar):
                return widget
        return None

    def _current(self, panels: list[QWidget]) -> int:
        focus = QApplication.focusWidget()
        for i, panel in enumerate(panels):
            if focus is not None and (focus is panel or panel.isAncestorOf(focus)):
                return i
        return -1

    def step(self, delta: int) -> QWidget | None:
        """Focus the next (or previous) panel that can take it; the widget focused."""
        w = self._window
        if w.workspace.currentIndex() != 0:
            w.workspace.setCurrentIndex(0)
        panels = self.panels()
        start = self._current(panels)
        for k in range(1, len(panels) + 1):
            i = (start + delta * k) % len(panels) if start >= 0 else (k - 1 if delta > 0 else -k)
            target = self._entry(panels[i])
            if target is not None:
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return target
        return None

    def next(self) -> QWidget | None:
        return self.step(1)

    def previous(self) -> QWidget | None:
        return self.step(-1)
