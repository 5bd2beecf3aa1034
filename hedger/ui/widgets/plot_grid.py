"""Grid lines at a plot's major ticks, drawn as one path.

pyqtgraph's own grid repaints the whole plot through the axes (~40 ms a
frame in software rendering); one path of major-tick lines costs ~1 ms.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg


class MajorGrid(pg.PlotCurveItem):  # type: ignore[misc]
    """Lines at the x axis's major ticks and the y axis's two first tick levels."""

    def __init__(self, plot: pg.PlotItem, x_axis: Any, y_axis: Any) -> None:
        super().__init__(connect="pairs", antialias=False)
        self._plot = plot
        self._x_axis = x_axis
        self._y_axis = y_axis
        self.setZValue(-30)
        plot.addItem(self, ignoreBounds=True)
        plot.getViewBox().sigRangeChanged.connect(self.fit_to_view)
        plot.getViewBox().sigResized.connect(self.fit_to_view)

    def fit_to_view(self, *_: object) -> None:
        """Lines for the range now in view (the view moved or was resized)."""
        vb = self._plot.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        rect = vb.boundingRect()
        xs: list[float] = []
        ys: list[float] = []
        for axis, lo, hi, size, vertical in (
            (self._x_axis, x0, x1, rect.width(), True),
            (self._y_axis, y0, y1, rect.height(), False),
        ):
            if size <= 0 or hi <= lo:
                continue
            levels = axis.tickValues(lo, hi, size)
            # The y axis labels its two first tick levels; the x axis its first.
            values = [v for _, vals in levels[: 1 if vertical else 2] for v in vals]
            for v in values:
                if vertical:
                    xs += [v, v]
                    ys += [y0, y1]
                else:
                    xs += [x0, x1]
                    ys += [v, v]
        self.setData(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
