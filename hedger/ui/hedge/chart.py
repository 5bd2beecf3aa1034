"""Scenario chart: portfolio value against a move of one underlying (pyqtgraph).

Importing this module imports pyqtgraph (~150 ms); the main window may
import it after the first paint. Curves are created once per option name and
refreshed with ``setData``, so a recompute while typing costs well under a
millisecond here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hedger.core.planner import Plan, UnderlyingPlan
from hedger.core.scenarios import Scenario, scenario_for
from hedger.ui.hedge.chart_export import EXPORT_SCALE, export_png, export_svg
from hedger.ui.hedge.chart_readout import ChartReadout, LegendSample
from hedger.ui.hedge.chart_style import CURVE_OPTS, chart_colors
from hedger.ui.hedge.chart_text import (
    current_price,
    hedged_label,
    held_liquidation,
    liquidation_texts,
    tier_label,
)
from hedger.ui.widgets.axes import PercentAxis, PriceAxis, UsdAxis
from hedger.ui.widgets.empty_state import EmptyState
from hedger.ui.widgets.leave_filter import LeaveFilter
from hedger.ui.widgets.plot_grid import MajorGrid
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import blend, dim, scaled_font

ChartMode = Literal["value", "change"]


# Below this widget height the move/price axis titles are hidden.
COMPACT_HEIGHT = 380


class ScenarioChart(ChartReadout, QWidget):
    """Value (or change in value) of the portfolio against one underlying's move."""

    # Move (fraction) under the mouse, or nan when the mouse leaves the plot.
    hoverMoved = Signal(float)
    addRequested = Signal()  # "Add Holding" on the empty chart

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan: Plan | None = None
        self._underlying: str | None = None
        self._scenario: Scenario | None = None
        self._emphasis: str | None = None  # option picked in the hedge panel
        self._mode: ChartMode = "value"
        self._legend_names: dict[int, str] = {}
        self._pen_states: dict[int, tuple[int, float, Qt.PenStyle]] = {}
        self._compact = False
        self._hover_move: float | None = None
        self._doc_connected: Any = None
        self._build()
        self.apply_palette()
        self._refresh()

    # -- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.setAccessibleName("Scenario chart")
        self.title = QLabel("Scenario")
        self.title.setObjectName("chartTitle")
        self.title.setFont(scaled_font(self, 1.1, bold=True))
        self.mode_control = SegmentedControl(
            [
                ("value", "Value", "Portfolio value after the move"),
                ("change", "Change", "Gain or loss against today's value (P&L)"),
            ]
        )
        self.mode_control.setObjectName("chartMode")
        self.mode_control.set_current("value")
        self.mode_control.activated.connect(lambda m: self.set_mode(m))
        self.readout = QLabel()
        self.readout.setObjectName("chartReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setMinimumHeight(self.fontMetrics().height() + 4)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.readout.setToolTip("Hover the chart to read values at any move")
        self._build_plot()
        self._build_items()
        self._build_layout()

    def _build_plot(self) -> None:
        """Axes, the plot, its grid and the legend strip under it."""
        self.x_axis = PercentAxis("bottom")
        self.y_axis = UsdAxis("left")
        self.price_axis = PriceAxis("top")
        self.plot_widget = pg.PlotWidget(
            axisItems={"bottom": self.x_axis, "left": self.y_axis, "top": self.price_axis}
        )
        self.plot_widget.setAntialiasing(True)
        self.plot_widget.setMinimumSize(320, 220)
        # Mouse only: the keyboard goes to the Value/Change choice, not the plot.
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        pi = self.plot_item
        pi.showAxis("top")
        self.grid = MajorGrid(pi, self.x_axis, self.y_axis)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.setMouseEnabled(x=False, y=False)
        pi.getViewBox().setDefaultPadding(0.02)
        pi.layout.setContentsMargins(4, 4, 12, 4)
        self._axis_underlying = ""

        # Below the plot, not over it: in a small chart a floating legend hides
        # the curves. Being in the plot item's layout, it is exported too.
        self.legend = pg.LegendItem(
            verSpacing=-6, horSpacing=18, labelTextSize="9pt", colCount=4, sampleType=LegendSample
        )
        pi.layout.addItem(self.legend, 4, 1)
        pi.getViewBox().sigResized.connect(self.fit_legend_columns)

    def _build_items(self) -> None:
        """Reference lines, liquidation marks, curves and the crosshair."""
        pi = self.plot_item
        # Reference lines: today's price (move 0) and today's value.
        self.zero_line = pg.InfiniteLine(pos=0, angle=90, movable=False)
        self.base_line = pg.InfiniteLine(pos=0, angle=0, movable=False)
        pi.addItem(self.zero_line, ignoreBounds=True)
        pi.addItem(self.base_line, ignoreBounds=True)

        self.liquidation_region = pg.LinearRegionItem(movable=False)
        self.liquidation_region.setZValue(-40)  # under the grid lines
        for line in self.liquidation_region.lines:
            line.setPen(pg.mkPen(None))
        pi.addItem(self.liquidation_region, ignoreBounds=True)
        self.liquidation_line = pg.InfiniteLine(
            pos=0,
            angle=90,
            movable=False,
            label="Liquidation",
            labelOpts={"position": 0.9, "anchors": [(1, 0), (1, 0)]},
        )
        pi.addItem(self.liquidation_line, ignoreBounds=True)
        self.liquidation_move: float | None = None
        # move, price, and the held position's label (empty: the option's)
        self._liquidation_text: tuple[float, float, str] | None = None

        self.tier_curves: dict[str, pg.PlotDataItem] = {}
        self.unhedged_curve = pi.plot(name="Unhedged", **CURVE_OPTS)
        self.hedged_curve = pi.plot(name="Hedged", **CURVE_OPTS)
        self.hedged_curve.setZValue(10)
        # Above the dashed tiers: a 0-contract tier coincides with it.
        self.unhedged_curve.setZValue(6)
        self.legend.addItem(self.unhedged_curve, "Unhedged")
        self.legend.addItem(self.hedged_curve, "Hedged")

        self.v_cross = pg.InfiniteLine(angle=90, movable=False)
        self.h_cross = pg.InfiniteLine(angle=0, movable=False)
        self.cross_dots = pg.ScatterPlotItem(size=8, antialias=True)
        for item in (self.v_cross, self.h_cross, self.cross_dots):
            item.setZValue(30)
            item.hide()
            pi.addItem(item, ignoreBounds=True)
        self._mouse_proxy = pg.SignalProxy(
            pi.scene().sigMouseMoved, rateLimit=60, slot=self._on_mouse_moved
        )
        self._leave_filter = LeaveFilter(self._on_mouse_left)
        self.plot_widget.viewport().installEventFilter(self._leave_filter)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.mode_control)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(4)
        lay.addLayout(header)
        lay.addWidget(dim(self.readout))
        lay.addWidget(self.plot_widget, 1)
        # An empty portfolio shows what to do, not the last portfolio's axes.
        self.empty_state = EmptyState()
        self.empty_state.setObjectName("chartEmptyState")
        self.empty_state.hide()
        lay.addWidget(self.empty_state, 1)

    # -- public API ------------------------------------------------------------------------
    def bind(self, document: Any) -> None:
        """Follow a PortfolioDocument: redraw on every planChanged."""
        if self._doc_connected is not None:
            self._doc_connected.planChanged.disconnect(self._on_plan_changed)
        self._doc_connected = document
        document.planChanged.connect(self._on_plan_changed)
        self.set_plan(document.plan, self._underlying)

    def unbind(self) -> None:
        """Stop following the document (the window is closing)."""
        if self._doc_connected is not None:
            self._doc_connected.planChanged.disconnect(self._on_plan_changed)
            self._doc_connected = None

    def set_plan(self, plan: Plan | None, underlying: str | None = None) -> None:
        """Show ``underlying`` of ``plan`` (keeps the current one when None)."""
        self._plan = plan
        if underlying is not None:
            self._underlying = underlying or None
        if plan is not None and (
            self._underlying is None or plan.underlying(self._underlying) is None
        ):
            self._underlying = plan.underlyings[0].underlying if plan.underlyings else None
        self._scenario = (
            scenario_for(plan, self._underlying) if plan is not None and self._underlying else None
        )
        self._refresh()

    def set_underlying(self, underlying: str) -> None:
        """Slot for HedgePanel.underlyingSelected."""
        if underlying != self._underlying:
            self._emphasis = None
            self.set_plan(self._plan, underlying)

    def set_highlighted_option(self, underlying: str, name: str) -> None:
        """Slot for HedgePanel.optionSelected: emphasise that option's curve."""
        if underlying and underlying != self._underlying:
            self._emphasis = name or None
            self.set_plan(self._plan, underlying)
            return
        if (name or None) != self._emphasis:
            self._emphasis = name or None
            self._refresh()

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show a precomputed scenario (no plan: the option tiers are unlabelled)."""
        self._scenario = scenario
        if scenario is not None:
            self._underlying = scenario.underlying
        self._refresh()

    @property
    def scenario(self) -> Scenario | None:
        return self._scenario

    @property
    def underlying(self) -> str | None:
        return self._underlying

    @property
    def mode(self) -> ChartMode:
        return self._mode

    def set_mode(self, mode: ChartMode) -> None:
        if mode not in ("value", "change"):
            raise ValueError(mode)
        self.mode_control.set_current(mode)
        if mode != self._mode:
            self._mode = mode
            self._refresh()

    def export_png(
        self, path: str | Path, width: int | None = None, scale: float = EXPORT_SCALE
    ) -> Path:
        """Write the plot as it looks on screen (see ``chart_export.export_png``)."""
        return export_png(self, Path(path), width, scale)

    def export_svg(self, path: str | Path) -> Path:
        return export_svg(self, Path(path))

    def base_color(self) -> QColor:
        """The plot's background colour under the palette in use."""
        return self._palette.color(QPalette.ColorRole.Base)

    def apply_palette(self, palette: QPalette | None = None) -> None:
        """Take colours from the (new) palette; also runs by itself on palette changes."""
        pal = QPalette(palette) if palette is not None else self.palette()
        self._palette = pal
        colors = chart_colors(pal)
        self._tier_colors = colors.tiers
        self._accent = colors.accent
        self._unhedged_color = colors.unhedged
        self._danger = colors.danger
        base, text = colors.base, colors.text
        self.plot_widget.setBackground(base)
        axis_pen = pg.mkPen(blend(text, base, 0.55), width=1)
        tick_font = QFont(self.font())
        for axis in (self.x_axis, self.y_axis, self.price_axis):
            axis.setPen(axis_pen)
            axis.setTextPen(pg.mkPen(blend(text, base, 0.2)))
            axis.setStyle(tickFont=tick_font)
        self._label_style = {"color": blend(text, base, 0.35).name(), "font-size": "9pt"}
        self._axis_underlying = ""
        self._update_axis_labels()
        self.grid.setPen(pg.mkPen(colors.grid, width=1))
        faint = pg.mkPen(blend(text, base, 0.75), width=1, style=Qt.PenStyle.DashLine)
        self.zero_line.setPen(faint)
        self.base_line.setPen(faint)
        cross = pg.mkPen(blend(text, base, 0.5), width=1, style=Qt.PenStyle.DotLine)
        self.v_cross.setPen(cross)
        self.h_cross.setPen(cross)
        self.liquidation_line.setPen(pg.mkPen(self._danger, width=1.5, style=Qt.PenStyle.DashLine))
        self.liquidation_line.label.setColor(self._danger)
        # Opaque tints, not alpha: blending a large translucent fill costs
        # ~2 ms a frame in software rendering.
        self.liquidation_region.setBrush(pg.mkBrush(colors.danger_fill))
        # A strip under the plot needs no frame of its own.
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(text)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=text)
        self._refresh()

    # -- drawing -------------------------------------------------------------------------------
    def _on_plan_changed(self, plan: Plan) -> None:
        self.set_plan(plan, None)

    def _shown_option(self) -> str | None:
        s = self._scenario
        if s is None:
            return None
        if self._emphasis and self._emphasis in s.options:
            return self._emphasis
        return s.recommended if s.recommended in s.options else None

    def _refresh(self) -> None:
        s = self._scenario
        u = self._plan.underlying(s.underlying) if (self._plan and s) else None
        self._update_title(s, u)
        self._show_empty(s is None)
        if s is None:
            for item in (self.unhedged_curve, self.hedged_curve):
                item.setData([], [])
                item.hide()
            self._update_tiers(None, None, np.zeros(0), 0.0, None, None)
            self._set_liquidation(None, None)
            self.price_axis.set_price(0.0)
            self.readout.setText("")
            return
        x = s.moves * 100.0
        offset = s.base_value if self._mode == "change" else 0.0
        self.y_axis.signed = self._mode == "change"
        self.price_axis.set_price(current_price(s, u))
        self.unhedged_curve.setData(x, s.unhedged - offset)
        self._set_pen(self.unhedged_curve, self._unhedged_color, 2.0)
        self.unhedged_curve.show()

        shown = self._shown_option()
        rec = s.recommended if s.recommended in s.options else None
        if rec is not None:
            self.hedged_curve.setData(x, s.options[rec].value - offset)
            self._set_pen(self.hedged_curve, self._accent, 3.5)
        else:
            self.hedged_curve.setData([], [])
        self._in_legend(self.hedged_curve, "Hedged", rec is not None)
        self._update_tiers(s, u, x, offset, rec, shown)
        self._set_legend_label(self.hedged_curve, hedged_label(u, rec))
        self.zero_line.setValue(0.0)
        self.base_line.setValue(s.base_value - offset)
        held = held_liquidation(u)
        if held is not None:
            # Futures held on this family: the line is where *they* are closed,
            # the danger the user runs now (the curves are the hedge from zero).
            move, price, label = held
            self._set_liquidation(move, price, held=label)
        else:
            liq = s.options[shown].liquidation_move if shown else None
            option = u.option(shown) if u is not None and shown else None
            # None when it cannot be liquidated: nothing is drawn (never a line at 0).
            self._set_liquidation(liq, option.liquidation_price if option else None)
        self._show_readout(self._hover_move)

    def _show_empty(self, empty: bool) -> None:
        """The empty state instead of the plot: no old curves, axes or legend."""
        if empty:
            plan = self._plan
            cash = plan is not None and plan.other_value_usd > 0
            self.empty_state.set(
                "Only cash: nothing moves" if cash else "Add a holding to see the chart",
                (
                    "Stablecoins keep their dollar value. Add a coin such as BTC or ETH "
                    "to see how its moves change the portfolio, hedged and unhedged."
                    if cash
                    else "The chart shows the portfolio's value as a coin moves, with and "
                    "without the hedge."
                ),
                [("Add Holding", self.addRequested.emit)],
            )
        if self.empty_state.isHidden() != empty:
            return
        self.empty_state.setVisible(empty)
        self.plot_widget.setVisible(not empty)
        self.readout.setVisible(not empty)
        self.mode_control.setEnabled(not empty)

    def _in_legend(self, item: pg.PlotDataItem, name: str, shown: bool) -> None:
        """Show ``item`` and list it, or hide it and leave it out of the legend."""
        listed = self.legend.getLabel(item) is not None
        if shown and not listed:
            self.legend.addItem(item, name)
            self._legend_names.pop(id(item), None)
        elif not shown and listed:
            self.legend.removeItem(item)
        item.setVisible(shown)

    def _update_tiers(
        self,
        s: Scenario | None,
        u: UnderlyingPlan | None,
        x: np.ndarray,
        offset: float,
        rec: str | None,
        shown: str | None,
    ) -> None:
        names = [n for n in s.options if n != rec] if s is not None else []
        for gone in [n for n in self.tier_curves if n not in names]:
            item = self.tier_curves.pop(gone)
            self._pen_states.pop(id(item), None)
            self._legend_names.pop(id(item), None)
            self.legend.removeItem(item)
            self.plot_item.removeItem(item)
        for name in names:
            item = self.tier_curves.get(name)
            if item is None:
                item = self.plot_item.plot(**CURVE_OPTS)
                self.tier_curves[name] = item
                self.legend.addItem(item, name)
            color = self._tier_colors.get(name.split(" ")[0], self._tier_colors["mix"])
            emphasised = name == shown
            self._set_pen(
                item,
                color,
                2.5 if emphasised else 1.3,
                Qt.PenStyle.SolidLine if emphasised else Qt.PenStyle.DashLine,
            )
            item.setZValue(8 if emphasised else 5)
            item.setData(x, s.options[name].value - offset)  # type: ignore[union-attr]
            self._set_legend_label(item, tier_label(name, u))

    def _set_pen(
        self,
        item: pg.PlotDataItem,
        color: QColor,
        width: float,
        style: Qt.PenStyle = Qt.PenStyle.SolidLine,
    ) -> None:
        # setPen redraws the curve; skip it while typing when nothing changed.
        state = (color.rgba(), width, style)
        if self._pen_states.get(id(item)) != state:
            self._pen_states[id(item)] = state
            item.setPen(pg.mkPen(color, width=width, style=style))

    def _set_legend_label(self, item: pg.PlotDataItem, text: str) -> None:
        key = id(item)
        if self._legend_names.get(key) == text:
            return
        self._legend_names[key] = text
        label = self.legend.getLabel(item)
        if label is not None:
            label.setText(text, color=self._palette.color(QPalette.ColorRole.Text))
            self.fit_legend_columns()

    def _set_liquidation(
        self, move: float | None, liq_price: Decimal | None, held: str = ""
    ) -> None:
        """``held``: the label of a held position's line (empty: the option's)."""
        s = self._scenario
        in_range = (
            move is not None and s is not None and float(s.moves[0]) <= move <= float(s.moves[-1])
        )
        self.liquidation_move = move if in_range else None
        if not in_range or s is None or move is None:
            self.liquidation_line.hide()
            self.liquidation_region.hide()
            return
        x = move * 100.0
        self.liquidation_line.setValue(x)
        edge = float(s.moves[-1] if move > 0 else s.moves[0]) * 100.0
        self.liquidation_region.setRegion((min(x, edge), max(x, edge)))
        # The futures price at which it happens (the axis shows the underlying's).
        price = float(liq_price) if liq_price is not None else self.price_axis.price * (1.0 + move)
        self._liquidation_text = (move, price, held)
        # The label only reformats while visible: show first.
        self.liquidation_line.show()
        self.liquidation_region.show()
        self._place_liquidation_label()

    def _place_liquidation_label(self) -> None:
        """The label on the side of the line with room for it, shortened if neither has."""
        if not self.liquidation_line.isVisible() or self._liquidation_text is None:
            return
        move, price, held = self._liquidation_text
        vb = self.plot_item.getViewBox()
        x = vb.mapViewToScene(pg.Point(move * 100.0, 0)).x() - vb.sceneBoundingRect().left()
        width = vb.width()
        full, short = liquidation_texts(move, price, held, self.price_axis.price)
        fm = self.fontMetrics()
        # Away from the plot edge it points to when there is room, else the other side.
        sides = ["left", "right"] if move > 0 else ["right", "left"]
        for text in (full, short):
            need = fm.horizontalAdvance(text) + 12
            for side in sides:
                if (x if side == "left" else width - x) >= need:
                    anchors = (
                        [(1.0, 0.0), (1.0, 0.0)] if side == "left" else [(0.0, 0.0), (0.0, 0.0)]
                    )
                    self._set_liquidation_label(text, anchors)
                    return
        self._set_liquidation_label(short, self.liquidation_line.label.anchors)

    def _set_liquidation_label(self, text: str, anchors: list[tuple[float, float]]) -> None:
        label = self.liquidation_line.label
        # Typing rarely moves the liquidation: the same text again would rebuild
        # the label's document each edit (it follows range changes by itself).
        if label.anchors == anchors and label.textItem.toPlainText() == text:
            return
        label.anchors = anchors
        label.setFormat(text)
        label.updatePosition()

    def _update_axis_labels(self) -> None:
        name = self._underlying or ""
        if name == self._axis_underlying:
            return
        self._axis_underlying = name
        prefix = f"{name} " if name else ""
        self.x_axis.setLabel(f"{prefix}move", **self._label_style)
        self.y_axis.setLabel("USD", **self._label_style)
        self.price_axis.setLabel(f"{prefix}price", **self._label_style)
        # setLabel shows a title again; a compact chart keeps them hidden.
        self._show_axis_titles()

    def fit_legend_columns(self, *_: object, width: float | None = None) -> None:
        # As many columns as the widest entry allows: a legend wider than the
        # plot would widen the whole chart past its splitter and clip it.
        if width is None:
            # The view's width, not the plot's: the plot may be held wide by
            # the legend itself.
            width = min(
                self.plot_item.getViewBox().width(),
                self.plot_widget.viewport().width() - self.y_axis.width() - 20,
            )
        entries = [
            sample.boundingRect().width() + label.itemRect().width()
            for sample, label in self.legend.items
        ]
        widest = max(entries, default=120.0) + 18.0 + 12.0
        columns = max(1, min(4, len(entries) or 1, int(width // widest)))
        if self.legend.columnCount != columns:
            self.legend.setColumnCount(columns)
        # The plot item keeps the geometry it had when the legend was wider;
        # fit it to the view again (what a resize of the view does).
        pw = self.plot_widget
        if self.plot_item.geometry().width() > pw.viewport().width() + 1:
            QTimer.singleShot(0, self, self.refit_plot)

    def refit_plot(self) -> None:
        pw = self.plot_widget
        pg.GraphicsView.setRange(pw, pw.range, padding=0, disableAutoPixel=False)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_palette"):
            self.apply_palette()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A short chart keeps its height for the curves: the tick labels and
        # the title already say what the axes are.
        compact = event.size().height() < COMPACT_HEIGHT
        if compact != self._compact:
            self._compact = compact
            self._show_axis_titles()
        # The readout fits as many option values as its new width allows.
        self._show_readout(self._hover_move)
        QTimer.singleShot(0, self, self._place_liquidation_label)

    def _show_axis_titles(self) -> None:
        self.x_axis.showLabel(not self._compact)
        self.price_axis.showLabel(not self._compact)

    def _update_title(self, s: Scenario | None, u: UnderlyingPlan | None) -> None:
        if s is None:
            text = "Scenario"
        else:
            what = "Portfolio value" if self._mode == "value" else "Change in value"
            text = f"{what} vs {s.underlying} move"
        if self.title.text() != text:
            self.title.setText(text)
        self._update_axis_labels()
