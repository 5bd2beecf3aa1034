"""Betas tab: how each holding has moved with its hedge, in words and figures.

It leads with a sentence ("SOL has moved about 1.4× as much as BTC: hedging it
with BTC futures would have removed about 59 % of its day-to-day swings"); the
table shows the estimated beta (also the best hedge ratio h*) and the share of
swings a hedge removes (ρ²), with the correlation and volatilities under
Details; the estimate is applied to the portfolio on request (undoable).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hedger.core.analytics.estimation import (
    HoldingEstimate,
    Interval,
    Window,
    aligned_returns,
    estimate_holdings,
)
from hedger.core.analytics.links import link_portfolio
from hedger.core.analytics.series import FloatArray, PriceSeries
from hedger.core.analytics.words import betas_lead
from hedger.core.catalog import Catalog
from hedger.core.decimals import fmt_decimal
from hedger.core.models import Portfolio
from hedger.ui.analytics.base import IMPORT_HINT, BackgroundTab
from hedger.ui.analytics.betas_table import ESTIMATE_COLUMNS, BetaDetails, estimate_row
from hedger.ui.analytics.history_library import HistoryLibrary, damaged_messages
from hedger.ui.analytics.plots import series_colors, style_plot
from hedger.ui.analytics.rows import RowsModel, make_table
from hedger.ui.document.document import EditRefused, PortfolioDocument
from hedger.ui.tasks import error_text
from hedger.ui.widgets.empty_state import BusyLabel
from hedger.ui.widgets.lead import LeadCard
from hedger.ui.widgets.message_list import MessageList, Severity
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel

WINDOWS: tuple[tuple[str, int | None, str], ...] = (
    ("90", 90, "90 d"),
    ("180", 180, "180 d"),
    ("365", 365, "1 y"),
    ("730", 730, "2 y"),
    ("all", None, "All"),
)
INTERVALS: tuple[tuple[Interval, str], ...] = (
    ("hour", "Hourly"),
    ("day", "Daily"),
    ("week", "Weekly"),
)
MAX_SCATTER = 5000


@dataclass(frozen=True)
class Scatter:
    """Returns of one holding against its hedge series, thinned for drawing."""

    x: FloatArray  # hedge return %
    y: FloatArray  # holding return %
    intercept: float  # of the fit line, in %


@dataclass(frozen=True)
class EstimationRun:
    estimates: list[HoldingEstimate]
    scatters: dict[int, Scatter] = field(default_factory=dict)  # by holding row


def estimation_inputs(portfolio: Portfolio) -> Hashable:
    """What the estimates depend on: symbols, hedge choices, betas; not quantities or prices.

    A quantity edit leaves this unchanged, so it costs the estimation nothing.
    """
    return (
        tuple((h.symbol, h.hedge_with, h.beta, h.is_stablecoin) for h in portfolio.holdings),
        tuple(sorted(portfolio.hedge.families.items())),
    )


def run_estimation(
    portfolio: Portfolio,
    catalog: Catalog,
    series: dict[str, PriceSeries],
    window: Window,
) -> EstimationRun:
    """Estimates and their scatter data (worker thread: resampling minutes takes a while)."""
    estimates = estimate_holdings(portfolio, catalog, series, window)
    scatters: dict[int, Scatter] = {}
    for e in estimates:
        est = e.estimate
        if est is None:
            continue
        r = aligned_returns(series[e.symbol], series[e.hedge_series], window)
        x, y = r.second * 100, r.first * 100
        intercept = float(np.mean(r.first) - est.beta * np.mean(r.second)) * 100
        if x.size > MAX_SCATTER:
            step = int(np.ceil(x.size / MAX_SCATTER))
            x, y = x[::step], y[::step]
        scatters[e.row] = Scatter(x, y, intercept)
    return EstimationRun(estimates, scatters)


class EstimationTab(BackgroundTab):
    """Estimated betas next to the user's, with an undoable "apply"."""

    def __init__(
        self,
        document: PortfolioDocument,
        histories: HistoryLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.histories = histories or HistoryLibrary(parent=self)
        self.estimates: list[HoldingEstimate] = []
        self._scatters: dict[int, Scatter] = {}
        self._window = Window(lookback_days=365, interval="day")
        self._inputs: Hashable = None  # estimation_inputs of the last request
        self._init_compute(120)
        self._build()
        self._task.busyChanged.connect(self.busy_label.set_busy)
        document.portfolioChanged.connect(self._on_portfolio)
        document.catalogChanged.connect(self.schedule)  # routing may change
        self.histories.changed.connect(self.schedule)
        self._inputs = estimation_inputs(document.portfolio)
        self._request(delay=False)

    # -- construction --------------------------------------------------------------
    def _build(self) -> None:
        self.window_control = SegmentedControl(
            [(k, text, f"Use the last {text} of common history") for k, _, text in WINDOWS]
        )
        self.window_control.setObjectName("estimationWindow")
        self.window_control.set_current("365")
        self.window_control.activated.connect(self._on_window)
        self.interval_control = SegmentedControl(
            [(k, text, f"{text} returns") for k, text in INTERVALS]
        )
        self.interval_control.set_current("day")
        self.interval_control.activated.connect(self._on_interval)
        self.busy_label = BusyLabel("Estimating…")
        header = self._header(
            "Estimated betas",
            ["Window", self.window_control, 12, "Returns", self.interval_control],
            self.busy_label,
        )
        self.lead = LeadCard()
        self.lead.hide()
        table = self._build_table()
        self.messages = MessageList()
        # Table on top at full width, the returns scatter below.
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(table)
        split.addWidget(self._build_scatter())
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        lay = self._page()
        lay.addLayout(header)
        lay.addWidget(self.lead)
        lay.addWidget(self.messages)
        lay.addWidget(split, 1)
        # Below the scatter, not inside the splitter: opened, it takes its height from both.
        lay.addWidget(self.details)
        self._apply_palette()

    def _build_table(self) -> QWidget:
        """Estimates per holding, the apply buttons, and the figures behind them."""
        self.model = RowsModel(ESTIMATE_COLUMNS)
        self.table = make_table(self.model, stretch_last=True)
        self.table.setObjectName("estimationTable")
        rows_h = self.table.verticalHeader().defaultSectionSize()
        header_h = self.table.horizontalHeader().sizeHint().height()
        self.table.setMinimumHeight(rows_h * 3 + header_h + 2 * self.table.frameWidth())
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.apply_button = QPushButton("Apply estimated beta")
        self.apply_button.setObjectName("applyBeta")
        self.apply_button.setToolTip(
            "Set the selected holdings' beta to the estimate (Edit ▸ Undo takes it back)"
        )
        self.apply_button.clicked.connect(self.apply_selected)
        self.apply_all_button = QPushButton("Apply all")
        self.apply_all_button.setToolTip(
            "Set every estimated holding's beta (one step for Edit ▸ Undo)"
        )
        self.apply_all_button.clicked.connect(self.apply_all)
        self.details = BetaDetails()
        buttons = QHBoxLayout()
        self.summary = dim(QLabel(""))
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.apply_all_button)
        buttons.addWidget(self.apply_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addLayout(buttons)
        return left

    def _build_scatter(self) -> QWidget:
        """The selected holding's returns against its hedge's, with the fitted line."""
        self.scatter_title = QLabel("")
        self.scatter_title.setFont(scaled_font(self, 1.0, bold=True))
        self.scatter_caption = dim(WrapLabel(""))
        self.plot = self._plot()
        self.plot.setMinimumSize(280, 130)
        pi = self.plot.getPlotItem()
        self.points = pg.ScatterPlotItem(size=4, pxMode=True)
        self.fit_line = pg.PlotCurveItem()
        pi.addItem(self.points)
        pi.addItem(self.fit_line)
        for axis in ("left", "bottom"):
            pi.getAxis(axis).enableAutoSIPrefix(False)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 4, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.scatter_title)
        title_row.addSpacing(12)
        title_row.addWidget(self.scatter_caption, 1)
        rl.addLayout(title_row)
        self.scatter_pages = self._pages(self.plot)
        rl.addWidget(self.scatter_pages, 1)
        return right

    def _apply_palette(self) -> None:
        style_plot(self.plot, self.palette())
        accent, grey, _ = series_colors(self.palette())
        faded = pg.mkColor(grey)
        faded.setAlpha(120)
        self.points.setPen(pg.mkPen(None))
        self.points.setBrush(pg.mkBrush(faded))
        self.fit_line.setPen(pg.mkPen(accent, width=2.5))

    # -- controls ------------------------------------------------------------------
    @property
    def estimation_window(self) -> Window:
        return self._window

    def set_window(self, lookback_days: int | None, interval: Interval | None = None) -> None:
        self._window = Window(
            lookback_days=lookback_days,
            interval=interval or self._window.interval,
        )
        key = "all" if lookback_days is None else str(lookback_days)
        if key in {k for k, _, _ in WINDOWS}:
            self.window_control.set_current(key)
        self.interval_control.set_current(self._window.interval)
        self.recompute()

    def _on_window(self, key: str) -> None:
        days = next(d for k, d, _ in WINDOWS if k == key)
        self.set_window(days)

    def _on_interval(self, key: str) -> None:
        interval: Interval = "hour" if key == "hour" else "week" if key == "week" else "day"
        self.set_window(self._window.lookback_days, interval)

    def _on_portfolio(self) -> None:
        inputs = estimation_inputs(self.document.portfolio)
        if inputs != self._inputs:
            self._inputs = inputs
            self.schedule()

    # -- computing -----------------------------------------------------------------
    def _prepare(self) -> Callable[[], EstimationRun]:
        doc = self.document
        portfolio, catalog = doc.portfolio, doc.catalog
        window = self._window
        histories = self.histories
        available = histories.symbols()
        self._inputs = estimation_inputs(portfolio)

        def job() -> EstimationRun:
            links = link_portfolio(portfolio, catalog, available)
            series = histories.series(links.series_needed())
            return run_estimation(portfolio, catalog, series, window)

        return job

    def _failed(self, exc: Exception) -> None:
        self.estimates = []
        self._scatters = {}
        self.model.set_rows([])
        self.details.set_estimates([])
        self.messages.set_messages([("error", error_text(exc))])
        self._update_buttons()
        self._show_scatter()
        self.lead.set("")

    def _deliver(self, run: EstimationRun) -> None:
        self.estimates = run.estimates
        self._scatters = run.scatters
        selected = self._selected_rows()
        rows = [estimate_row(e) for e in self.estimates]
        self.model.set_rows(rows)
        self.details.set_estimates(self.estimates)
        for r in selected:
            if r < len(rows):
                self.table.selectRow(r)
        messages: list[tuple[Severity, str]] = []
        if not self.estimates:
            messages.append(("info", "No holdings with market exposure to estimate."))
        elif not any(e.estimate for e in self.estimates):
            messages.append(
                (
                    "info",
                    "Import price histories for the holdings and their hedge underlyings "
                    "to estimate betas.",
                )
            )
        messages.extend(("warning", d) for d in damaged_messages(self.histories, ()))
        self.messages.set_messages(messages)
        usable = sum(1 for e in self.estimates if e.estimate is not None)
        self.summary.setText(
            f"{usable} of {len(self.estimates)} holdings estimated · {self._window.describe()}"
        )
        self._update_buttons()
        self._show_scatter()
        self._show_lead()

    # -- selection and scatter --------------------------------------------------------
    def _selected_rows(self) -> list[int]:
        sm = self.table.selectionModel()
        return sorted({i.row() for i in sm.selectedRows()}) if sm is not None else []

    def selected_estimates(self) -> list[HoldingEstimate]:
        return [self.estimates[r] for r in self._selected_rows() if r < len(self.estimates)]

    def _on_selection(self, *_: object) -> None:
        self._update_buttons()
        self._show_scatter()
        self._show_lead()

    def _show_lead(self) -> None:
        """The selected holding (or the first estimated one) in words."""
        selected = [e for e in self.selected_estimates() if e.estimate is not None]
        usable = selected or [e for e in self.estimates if e.estimate is not None]
        # One holding at a time: a dozen holdings' sentences would bury the table.
        focus = usable[0].row if usable else None
        self.lead.set(betas_lead(self.estimates, focus))

    def _update_buttons(self) -> None:
        self.apply_button.setEnabled(any(e.differs for e in self.selected_estimates()))
        self.apply_all_button.setEnabled(any(e.differs for e in self.estimates))

    def _show_scatter(self) -> None:
        chosen = self.selected_estimates()
        e = chosen[0] if chosen else next((x for x in self.estimates if x.estimate), None)
        if e is None or e.estimate is None:
            self.points.setData([], [])
            self.fit_line.setData([], [])
            self.scatter_pages.setCurrentWidget(self.empty)
            if any(x.estimate for x in self.estimates):
                self.scatter_title.setText("Returns")
                self.scatter_caption.setText("")
                self.empty.set(
                    "No estimate for this holding",
                    (e.problem or "") + " — select an estimated holding to see its returns.",
                )
            else:
                self.scatter_title.setText("")
                self.scatter_caption.setText("")
                self.empty.set(
                    "Import price history to estimate betas",
                    "A beta needs past closes of the holding and of its hedge underlying "
                    f"(e.g. SOL and BTC). {IMPORT_HINT}",
                    self._history_actions(self.histories),
                )
            return
        self.scatter_pages.setCurrentWidget(self.plot)
        est = e.estimate
        scatter = self._scatters.get(e.row)
        if scatter is None:
            return
        x, y = scatter.x, scatter.y
        self.points.setData(x, y)
        lo, hi = (float(x.min()), float(x.max())) if x.size else (-1.0, 1.0)
        intercept = scatter.intercept
        xs = np.array([lo, hi])
        self.fit_line.setData(xs, intercept + est.beta * xs)
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", f"{e.hedge_series} return %")
        pi.setLabel("left", f"{e.symbol} return %")
        self.scatter_title.setText(f"{e.symbol} against {e.hedge_series}")
        unit = {"hour": "hour", "day": "day", "week": "week"}.get(est.interval, "day")
        self.scatter_caption.setText(
            f"Each dot is one {unit}: {e.hedge_series}'s move across, {e.symbol}'s up. The "
            f"line's slope is the estimated beta, {est.beta:.2f} ({est.observations:,} {unit}s)."
        )

    # -- applying ----------------------------------------------------------------------
    def apply_selected(self) -> int:
        return self._apply([e for e in self.selected_estimates() if e.differs])

    def apply_all(self) -> int:
        return self._apply([e for e in self.estimates if e.differs])

    def _apply(self, estimates: list[HoldingEstimate]) -> int:
        """Set each holding's beta to its estimate as one undo step; returns how many."""
        if not estimates:
            return 0
        stack = self.document.undo_stack
        label = "Apply Estimated Beta" if len(estimates) == 1 else "Apply Estimated Betas"
        applied = 0
        problems: list[str] = []
        stack.beginMacro(label)
        try:
            for e in estimates:
                beta = e.suggested_beta
                if beta is None:
                    continue
                try:
                    self.document.edit_holding_field(e.row, "beta", fmt_decimal(beta))
                    applied += 1
                except EditRefused as exc:
                    problems.append(f"{e.symbol}: {exc}")
        finally:
            stack.endMacro()
        if problems:
            self.messages.set_messages([("warning", p) for p in problems])
        return applied
