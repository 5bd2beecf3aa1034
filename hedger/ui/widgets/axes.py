"""pyqtgraph axes with Hedger's number formats: moves in %, prices and USD amounts.

Importing this module imports pyqtgraph.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg

from hedger.ui import format as fmt


class TickMemo(pg.AxisItem):  # type: ignore[misc]
    """Keeps the last tick values: the major grid asks what the axis asks.

    On an edit the y range moves and the x range does not, yet the grid and
    the axis each worked out both axes' ticks again (~1 ms a frame).
    """

    _tick_memo: tuple[tuple[Any, ...], list[tuple[float, list[float]]]] | None = None

    def tickValues(self, minVal: float, maxVal: float, size: float) -> Any:
        key = (
            minVal,
            maxVal,
            size,
            self.scale,
            self.logMode,
            self._tickDensity,
            repr(self._tickSpacing),
            self.style.get("maxTickLevel"),
        )
        memo = self._tick_memo
        if memo is None or memo[0] != key:
            memo = self._tick_memo = (key, super().tickValues(minVal, maxVal, size))
        return [(spacing, list(values)) for spacing, values in memo[1]]


class PercentAxis(TickMemo):
    """Move of the underlying: ``−20 %``, ``0 %``, ``+20 %``."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        places = 0 if spacing >= 1 else 1
        out = []
        for v in values:
            text = f"{v * scale:+.{places}f} %".replace("-", fmt.MINUS)
            out.append("0 %" if abs(v) < 1e-9 else text)
        return out


class PriceAxis(TickMemo):
    """Top axis: the underlying's price at each move (move axis × current price)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.price = 0.0

    def set_price(self, price: float) -> None:
        """Label the ticks for ``price`` today; redraws only when it changed.

        pyqtgraph caches an axis's drawing and redraws it on a range change
        only: a new price with the same moves would keep the old labels.
        """
        if price == self.price:
            return
        self.price = price
        self.picture = None
        self.update()

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.price <= 0:
            return ["" for _ in values]
        return [fmt.compact_usd(self.price * (1.0 + v * scale / 100.0)) for v in values]


class UsdAxis(TickMemo):
    """USD with thousands suffixes: ``350k``, ``1.2M``; signed in change mode."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed = False
        # pyqtgraph would otherwise rescale to "x1e3" and print 350 for 350k.
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            text = fmt.compact_usd(v * scale)
            if self.signed and v > 0:
                text = "+" + text
            out.append(text)
        return out
