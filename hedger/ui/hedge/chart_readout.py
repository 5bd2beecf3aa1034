"""The scenario chart's crosshair and the readout line above the plot."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QPainter, QPalette

from hedger.ui.hedge.chart_text import options_at, readout_text, short_option_name, values_at

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from hedger.core.scenarios import Scenario
    from hedger.ui.widgets.axes import PriceAxis


class LegendSample(pg.ItemSample):  # type: ignore[misc]
    """A legend entry's line: no click-to-hide, and never pyqtgraph's eye-slash icon.

    A hidden curve is taken out of the legend instead (ScenarioChart._in_legend).
    """

    def paint(self, p: QPainter, *args: object) -> None:
        if self.item.isVisible():
            super().paint(p, *args)

    def mouseClickEvent(self, event: object) -> None:
        event.ignore()  # type: ignore[attr-defined]


class ChartReadout:
    """Values under the mouse: crosshair lines and dots, and the readout's words."""

    hoverMoved: Signal
    plot_item: pg.PlotItem
    price_axis: PriceAxis
    readout: QLabel
    v_cross: pg.InfiniteLine
    h_cross: pg.InfiniteLine
    cross_dots: pg.ScatterPlotItem
    _scenario: Scenario | None
    _hover_move: float | None
    _mode: str
    _accent: QColor
    _unhedged_color: QColor
    _tier_colors: dict[str, QColor]
    _palette: QPalette

    def _shown_option(self) -> str | None:
        raise NotImplementedError

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        pos = event[0]
        vb = self.plot_item.getViewBox()
        if self._scenario is None or not vb.sceneBoundingRect().contains(pos):
            self._on_mouse_left()
            return
        point = vb.mapSceneToView(pos)
        s = self._scenario
        move = float(np.clip(point.x() / 100.0, s.moves[0], s.moves[-1]))
        self._show_readout(move)
        self.hoverMoved.emit(move)

    def _on_mouse_left(self) -> None:
        for item in (self.v_cross, self.h_cross, self.cross_dots):
            item.hide()
        self._show_readout(None)
        self.hoverMoved.emit(float("nan"))

    def readout_values(self, move: float) -> dict[str, float]:
        """Interpolated values at a move (fraction): what the crosshair shows."""
        s = self._scenario
        if s is None:
            return {}
        return values_at(s, self._shown_option(), move, self.price_axis.price or None)

    def readout_options(self, move: float) -> dict[str, float]:
        """Value hedged by every option at a move, the shown one first."""
        s = self._scenario
        return {} if s is None else options_at(s, self._shown_option(), move)

    def _option_color(self, name: str) -> QColor:
        s = self._scenario
        if s is not None and name == s.recommended:
            return self._accent
        return self._tier_colors.get(name.split(" ")[0], self._tier_colors["mix"])

    def _show_readout(self, move: float | None) -> None:
        s = self._scenario
        self._hover_move = move
        if s is None:
            return
        hovering = move is not None
        at = 0.0 if move is None else move
        values = self.readout_values(at)
        options = self.readout_options(at)
        shown = self._shown_option()
        offset = s.base_value if self._mode == "change" else 0.0
        if hovering:
            x = values["move"] * 100.0
            self.v_cross.setValue(x)
            self.h_cross.setValue(values["hedged"] - offset)
            shown_color = self._option_color(shown) if shown else self._unhedged_color
            self.cross_dots.setData(
                [x, x],
                [values["unhedged"] - offset, values["hedged"] - offset],
                brush=[pg.mkBrush(self._unhedged_color), pg.mkBrush(shown_color)],
                pen=[pg.mkPen(self._palette.color(QPalette.ColorRole.Base), width=1.5)] * 2,
            )
            for item in (self.v_cross, self.h_cross, self.cross_dots):
                item.show()
        text, tip = readout_text(
            s,
            values,
            options,
            shown=shown,
            hovering=hovering,
            offset=offset,
            unhedged_color=self._unhedged_color,
            color_of=self._option_color,
            short_name=self._short_option_name,
            font=self.readout.font(),
            room=self.readout.width() - 4,
        )
        self.readout.setText(text)
        self.readout.setToolTip(tip)

    def _short_option_name(self, name: str) -> str:
        return short_option_name(self._scenario, name)
