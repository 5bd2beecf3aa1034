"""The Backtest tab's Details: each hedge's trades and costs, its liquidations, and what
the figures mean.

The tab leads with a sentence (``hedger.core.analytics.words.backtest_words``);
this section holds what that sentence rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from hedger.core.analytics.series import ns_to_iso
from hedger.ui.format import MINUS
from hedger.ui.widgets.lead import DetailsSection
from hedger.ui.widgets.style import dim
from hedger.ui.widgets.wrap_label import WrapLabel

if TYPE_CHECKING:
    from hedger.core.analytics.backtest import BacktestResult, UnderlyingResult

LISTED_LIQUIDATIONS = 8
FIGURES_EXPLAINED = (
    "Return: the change of value over the period. Volatility: how much the value typically "
    "swings in a year (from its daily changes). Max drawdown: the largest fall from a "
    "previous high. Worst day: the largest fall in one UTC day. Hedge P&L: what the futures "
    "gained or lost, after fees and funding. Both books hold the same coins; the hedged one "
    "also holds the futures."
)


def _usd(value: float) -> str:
    return f"{value:+,.0f} USD".replace("-", MINUS)


def hedge_line(u: UnderlyingResult) -> str:
    """One hedge in words: what it opened with, what it did, what it earned and cost."""
    if u.option is None:
        return f"{u.underlying}: no hedge."
    done = []
    if u.resizes:
        done.append(f"re-sized {u.resizes}×")
    if u.rolls:
        done.append(f"rolled {u.rolls}× to the next contract")
    if u.liquidations:
        done.append(f"liquidated {u.liquidations}×")
    money = f"futures {_usd(u.pnl_usd)}, fees {_usd(-u.fees_usd)}"
    if u.funding_usd:
        money += f", funding {_usd(u.funding_usd)}"
    did = f"; {', '.join(done)}" if done else ""
    # Named only when another history stands for the futures (e.g. BTC-PERP).
    source = f" (priced from {u.hedge_series})" if u.hedge_series != u.underlying else ""
    return f"{u.underlying} hedge{source}: {u.opening}{did}; {money}."


def liquidation_lines(r: BacktestResult) -> list[str]:
    events = [e for e in r.events if e.kind == "liquidation"]
    lines = [f"{ns_to_iso(e.ns, date_only=True)}  {e.text}" for e in events[:LISTED_LIQUIDATIONS]]
    if len(events) > LISTED_LIQUIDATIONS:
        lines.append(f"… and {len(events) - LISTED_LIQUIDATIONS} more")
    return lines


class BacktestDetails(DetailsSection):
    """Folded under the figures: the hedges one by one, liquidations, the figures explained."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            tooltip="Show each hedge's trades and costs, its liquidations and what the "
            "figures mean",
            parent=parent,
        )
        self.hedges = self.add(WrapLabel())
        self.hedges.setObjectName("backtestHedges")
        self.liquidations = self.add(WrapLabel())
        self.liquidations.setObjectName("backtestLiquidations")
        self.explained = self.add(dim(WrapLabel(FIGURES_EXPLAINED)))

    def set_result(self, r: BacktestResult | None) -> None:
        if r is None:
            self.hedges.setText("")
            self.liquidations.hide()
            return
        self.hedges.setText("\n".join(hedge_line(u) for u in r.underlyings))
        lines = liquidation_lines(r)
        self.liquidations.setText("Liquidations:\n" + "\n".join(lines) if lines else "")
        self.liquidations.setVisible(bool(lines))


def scrolling(side: QWidget) -> QScrollArea:
    """The figures column in a frameless scroll area: opened Details scroll, never overlap."""
    area = QScrollArea()
    area.setObjectName("backtestSide")
    area.setWidget(side)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.viewport().setAutoFillBackground(False)
    side.setAutoFillBackground(False)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(side.minimumSizeHint().width() + bar)
    return area
