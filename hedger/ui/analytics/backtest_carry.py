"""The Backtest tab's carry: spot P&L, hedge P&L, funding and fees on their own lines,
and the chart of cumulative funding.

The backtest counts funding at each stored funding time of a perpetual hedge
and rolls dated hedges on their calendar (``hedger.services.carry.backtest_carry``);
a perpetual without stored funding is said in the notes, never counted as zero.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hedger.ui.analytics.plots import style_plot
from hedger.ui.analytics.rows import Row
from hedger.ui.format import MINUS
from hedger.ui.widgets.axes import UsdAxis
from hedger.ui.widgets.style import dim

if TYPE_CHECKING:
    from hedger.core.analytics.backtest import BacktestResult
    from hedger.core.analytics.series import FloatArray

FUNDING_TIP = (
    "Funding a perpetual hedge received (+) or paid (−) at each stored funding time: the "
    "position held then × the price then × the rate (a positive rate: longs pay shorts, so a "
    "short receives it). Download it under Prices ▸ Compare Venues… ▸ Refresh Funding or with "
    "'hedger funding download'."
)


def _usd(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    # A zero says "0", not "+0" or "−0".
    value = 0.0 if round(value) == 0 else value
    text = f"{value:+,.0f}" if signed and value else f"{value:,.0f}"
    return text.replace("-", MINUS)


def funding_counted(r: BacktestResult) -> bool:
    """Funding was asked for and something was paid or received."""
    return r.funding is not None and bool(np.any(r.funding != 0))


def pnl_rows(r: BacktestResult) -> list[Row]:
    """Spot P&L, hedge P&L, funding and fees: each its own line, as ``hedger backtest`` prints."""
    spot = r.spot_pnl
    hedge = float(r.hedge_pnl[-1])
    fees = float(r.fees[-1])
    rolls = sum(u.rolls for u in r.underlyings)
    rows = [
        Row(
            ("Spot P&L", _usd(spot, True), _usd(spot, True)),
            tooltip="What the holdings gained or lost over the period (both books hold them)",
        ),
        Row(
            ("Hedge P&L", "", _usd(hedge, True)),
            tooltip="The futures' gain or loss, before funding and fees",
        ),
    ]
    if r.funding is not None:
        funding = float(r.funding[-1])
        rows.append(Row(("Funding", "", _usd(funding, True)), tooltip=FUNDING_TIP))
    fee_tip = "Fees paid: opening, re-sizing" + (f" and {rolls} calendar rolls" if rolls else "")
    rows.append(Row(("Fees", "", _usd(-fees, True) if fees else "0"), tooltip=fee_tip))
    return rows


def pnl_card_detail(r: BacktestResult) -> str:
    fees = float(r.fees[-1])
    detail = f"fees {_usd(fees)} USD"
    if r.funding is not None:
        detail += f" · funding {_usd(float(r.funding[-1]), True)}"
    return detail


class FundingChart(QWidget):
    """Cumulative funding over the backtest, on the other plots' time axis."""

    def __init__(self, plot: pg.PlotWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self.axis = plot.getPlotItem().getAxis("left")
        item = plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.getViewBox().setMouseEnabled(x=True, y=False)
        item.layout.setContentsMargins(4, 4, 12, 4)
        self.axis.setWidth(56)
        self.curve = item.plot(fillLevel=0.0)
        self.zero = pg.InfiniteLine(pos=0, angle=0, movable=False)
        item.addItem(self.zero, ignoreBounds=True)
        plot.setMinimumHeight(90)
        self.label = dim(QLabel("Cumulative funding received (USD)"))
        self.label.setToolTip(FUNDING_TIP)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.label)
        lay.addWidget(plot, 1)

    def set_data(self, x: FloatArray | None, funding: FloatArray | None) -> None:
        """Shown only when the backtest paid or received funding."""
        if x is None or funding is None or not np.any(funding != 0):
            self.curve.setData([], [])
            self.hide()
            return
        self.curve.setData(x, funding)
        self.plot.getPlotItem().enableAutoRange()
        final = float(funding[-1])
        verb = "received" if final >= 0 else "paid"
        self.label.setText(f"Cumulative funding {verb}: {_usd(final, True)} USD")
        self.show()

    def apply_palette(self, palette: QPalette, color: object, grey: object) -> None:
        style_plot(self.plot, palette)
        fill = pg.mkColor(color)
        fill.setAlpha(50)
        self.curve.setPen(pg.mkPen(color, width=1.5))
        self.curve.setBrush(pg.mkBrush(fill))
        self.zero.setPen(pg.mkPen(grey, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))


def funding_axis() -> UsdAxis:
    axis = UsdAxis("left")
    axis.signed = True
    return axis
