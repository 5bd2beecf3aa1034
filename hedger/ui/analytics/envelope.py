"""Min/max envelopes of a long series, so a chart of millions of points draws in a few ms.

pyqtgraph's own "peak" downsampling reduces all the points in view on every
frame, on the GUI thread: for 2.6 million 1-minute closes that is ~40 ms a
curve, and the first frame after new data also scans them for bounds. An
``Envelope`` is built once on a worker thread: level 0 is the raw series, and
each next level keeps the minimum and maximum of 4 buckets of the one below.
``window`` then hands the plot, for any visible span, at most about two
points per pixel taken from the coarsest level that still shows every spike;
zoomed in far enough it is the raw points themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from hedger.core.analytics.series import FloatArray

FACTOR = 4  # buckets merged per level
MIN_POINTS = 100_000  # below this the raw series is drawn as it is


@dataclass(frozen=True)
class _Level:
    size: int  # raw points per bucket
    x: FloatArray  # x of each bucket's first point
    low: FloatArray
    high: FloatArray


def _merge(low: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Minimum and maximum of every FACTOR consecutive buckets (the last may be short)."""
    n = low.size
    whole = n - n % FACTOR
    lo = np.fmin.reduce(low[:whole].reshape(-1, FACTOR), axis=1)
    hi = np.fmax.reduce(high[:whole].reshape(-1, FACTOR), axis=1)
    if whole < n:
        lo = np.append(lo, np.fmin.reduce(low[whole:]))
        hi = np.append(hi, np.fmax.reduce(high[whole:]))
    return lo, hi


class Envelope:
    """A series and its min/max pyramid; built off the GUI thread, read on it."""

    def __init__(self, x: FloatArray, y: FloatArray, pixels: int = 4000) -> None:
        self.x = x
        self.y = y
        self.levels: list[_Level] = []
        low, high, size = y, y, 1
        # Stop once a level has no more buckets than a wide screen has pixels.
        while low.size > pixels:
            low, high = _merge(low, high)
            size *= FACTOR
            self.levels.append(_Level(size, x[::size], low, high))

    def __len__(self) -> int:
        return int(self.x.size)

    def window(self, lo: float, hi: float, pixels: int) -> tuple[FloatArray, FloatArray]:
        """Points to draw for the x span [lo, hi] on a plot ``pixels`` wide.

        One point beyond each end is kept so the line runs to the plot's edge.
        """
        pixels = max(pixels, 50)
        n = self.x.size
        i0 = max(int(np.searchsorted(self.x, lo, "left")) - 1, 0)
        i1 = min(int(np.searchsorted(self.x, hi, "right")) + 1, n)
        if i1 - i0 <= 2 * pixels or not self.levels:
            return self.x[i0:i1], self.y[i0:i1]
        span = i1 - i0
        level = next((lv for lv in self.levels if span / lv.size <= pixels), self.levels[-1])
        j0 = i0 // level.size
        j1 = min(-(-i1 // level.size), level.x.size)
        xs = np.repeat(level.x[j0:j1], 2)
        ys = np.empty(xs.size, dtype=np.float64)
        ys[0::2] = level.low[j0:j1]
        ys[1::2] = level.high[j0:j1]
        return xs, ys


def envelope_or_none(x: FloatArray, y: FloatArray) -> Envelope | None:
    """An envelope when the series is long enough to need one."""
    return Envelope(x, y) if x.size >= MIN_POINTS else None


class EnvelopeCurves:
    """Keeps curves fed from envelopes as their view pans, zooms and resizes."""

    def __init__(self, view: pg.ViewBox, curves: Sequence[pg.PlotDataItem]) -> None:
        self.view = view
        self.curves = tuple(curves)
        self.envelopes: tuple[Envelope, ...] | None = None
        self._drawing = False
        view.sigXRangeChanged.connect(self._on_x_range)
        # Wider plot, more pixels: pick the level again.
        view.sigResized.connect(lambda v: self._on_x_range(v, v.viewRange()[0]))

    def set(self, envelopes: Sequence[Envelope] | None) -> None:
        """Draw these (one per curve) over their whole span; None: the caller sets data."""
        self.envelopes = None if envelopes is None else tuple(envelopes)
        if self.envelopes is not None:
            x = self.envelopes[0].x
            self.draw(float(x[0]), float(x[-1]))

    def _on_x_range(self, view: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self.envelopes is None or self._drawing:
            return
        if view.autoRangeEnabled()[0]:
            # pyqtgraph applies auto-range at the next paint, from the data it
            # has then: it must be the whole span, not the stale view's slice.
            x = self.envelopes[0].x
            self.draw(float(x[0]), float(x[-1]))
        else:
            self.draw(float(x_range[0]), float(x_range[1]))

    def draw(self, lo: float, hi: float) -> None:
        if self.envelopes is None:
            return
        pixels = int(self.view.width()) or 1000
        self._drawing = True
        try:
            for curve, envelope in zip(self.curves, self.envelopes, strict=True):
                curve.setData(*envelope.window(lo, hi, pixels))
        finally:
            self._drawing = False
