"""The main window's layout: restored as the user left it, sized sensibly the first time."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QSplitter

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from hedger.services.settings import AppSettings
    from hedger.ui.hedge.chart_host import ChartHost
    from hedger.ui.hedge.panel import HedgePanel
    from hedger.ui.holdings.panel import HoldingsPanel

# Default width of the portfolio library: a name and its date line.
LIBRARY_WIDTH = 200


def b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def unb64(text: str | None) -> QByteArray | None:
    if not text:
        return None
    try:
        return QByteArray(base64.b64decode(text))
    except ValueError:
        return None


class WindowLayoutMixin:
    """Geometry, dock state and splitter sizes of the main window (a QMainWindow)."""

    settings: AppSettings
    library_dock: QDockWidget
    top_split: QSplitter
    main_split: QSplitter
    holdings_panel: HoldingsPanel
    hedge_panel: HedgePanel
    chart_host: ChartHost

    def _restore_layout(self) -> None:
        s = self.settings
        window = cast("QMainWindow", self)
        geo = unb64(s.window_geometry)
        if geo is None or not window.restoreGeometry(geo):
            window.resize(1280, 800)
        state = unb64(s.window_state)
        if state is None or not window.restoreState(state):
            window.resizeDocks([self.library_dock], [LIBRARY_WIDTH], Qt.Orientation.Horizontal)
        self._default_splits: list[QSplitter] = []
        for split in (self.top_split, self.main_split):
            data = unb64(s.splitters.get(split.objectName()))
            if data is None or not split.restoreState(data):
                self._default_splits.append(split)
        self.library_dock.setVisible(s.show_library)

    def _size_default_splits(self) -> None:
        """First run: give each panel what it needs, the chart the rest.

        The holdings table gets the width of all its columns, the hedge panel
        the height that shows its whole comparison table; the chart takes
        what remains (never less than its minimum).
        """
        if self.top_split in self._default_splits:
            total = sum(self.top_split.sizes())
            want = self.holdings_panel.preferred_width()
            chart_min = self.chart_host.minimumSizeHint().width()
            left = max(min(want, total - max(chart_min, 360)), total // 3)
            self.top_split.setSizes([left, total - left])
        if self.main_split in self._default_splits:
            total = sum(self.main_split.sizes())
            want = self.hedge_panel.preferred_height()
            bottom = min(want, int(total * 0.6))
            self.main_split.setSizes([total - bottom, bottom])
        self._default_splits = []
