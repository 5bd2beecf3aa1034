"""pyqtgraph axes with Hedger's number formats: moves in %, prices and USD amounts.

Importing this module imports pyqtgraph.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg

from hedger.ui import format as fmt


class PercentAxis(pg.AxisItem):  # type: ignore[misc]
    """Move of the underlying: ``−20 %``, ``0 %``, ``+20 %``."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        places = 0 if spacing >= 1 else 1
        out = []
        for v in values:
            text = f"{v * scale:+.{places}f} %".replace("-", fmt.MINUS)
            out.append("0 %" if abs(v) < 1e-9 else text)
        return out


class PriceAxis(pg.AxisItem):  # type: ignore[misc]
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


class UsdAxis(pg.AxisItem):  # type: ignore[misc]
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
