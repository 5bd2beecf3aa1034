"""The place of the scenario chart in the window, filled once the window has painted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from hedger.ui.widgets.steady_host import SteadyHost

if TYPE_CHECKING:
    from hedger.ui.hedge.chart import ScenarioChart


class ChartHost(SteadyHost):
    """Holds the scenario chart, which is created after the first paint.

    pyqtgraph takes a noticeable share of start-up; importing it once the
    window is on screen keeps the first paint quick. As a SteadyHost, the
    chart's new readout on each edit does not re-lay out the splitter above.
    """

    chartReady = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: ScenarioChart | None = None
        self._loading = QLabel("Loading chart…")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._loading.setEnabled(False)
        self.set_content(self._loading)

    def install(self, chart: ScenarioChart) -> None:
        self._loading.hide()
        self._loading.deleteLater()
        self.chart = chart
        self.set_content(chart)
        self.chartReady.emit()
