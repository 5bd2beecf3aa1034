"""Backtest tab: hedged vs unhedged value over past prices, with the hedge's P&L.

Charts of millions of points stay smooth: the plots downsample to the
screen's resolution ("peak" keeps every spike) and only draw what is in view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hedger.core.analytics.backtest import (
    BacktestConfig,
    BacktestResult,
    Rebalance,
)
from hedger.core.analytics.links import link_portfolio
from hedger.core.analytics.series import NS_PER_DAY, FloatArray, ns_to_iso
from hedger.core.analytics.words import BacktestWords
from hedger.ui.analytics.backtest_carry import (
    FundingChart,
    funding_axis,
    pnl_card_detail,
    pnl_rows,
)
from hedger.ui.analytics.backtest_details import BacktestDetails, scrolling
from hedger.ui.analytics.base import IMPORT_HINT, ResultTab, liquidation_note
from hedger.ui.analytics.envelope import Envelope, EnvelopeCurves, envelope_or_none
from hedger.ui.analytics.history_library import HistoryLibrary, damaged_messages
from hedger.ui.analytics.plots import series_colors, style_plot
from hedger.ui.analytics.rows import Column, Row, RowsModel, fit_rows, make_table
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.format import MINUS
from hedger.ui.widgets.axes import UsdAxis
from hedger.ui.widgets.cards import StatCard
from hedger.ui.widgets.empty_state import BusyLabel
from hedger.ui.widgets.lead import LeadCard
from hedger.ui.widgets.message_list import MessageList, Severity
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim

REBALANCE_ITEMS: tuple[tuple[Rebalance, str, str], ...] = (
    ("none", "Held fixed", "Keep today's contracts for the whole period"),
    ("weekly", "Weekly", "Re-size the hedge every Monday to the exposure at that day's prices"),
    ("monthly", "Monthly", "Re-size the hedge on the first day of each month"),
)


def _pct(value: float, signed: bool = True) -> str:
    if not math.isfinite(value):
        return "—"
    text = f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"
    return text.replace("-", MINUS)


def _usd(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{value:,.0f}".replace("-", MINUS)


def _usd_signed(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{value:+,.0f}".replace("-", MINUS)


@dataclass(frozen=True)
class _Computed:
    """What the worker hands back: the result and the arrays the plots take."""

    result: BacktestResult | None
    error: str | None
    x: FloatArray | None = None  # seconds, for the date axis
    events_x: FloatArray | None = None
    events_y: FloatArray | None = None
    # Long histories: (unhedged, hedged, hedge P&L) min/max pyramids to draw from.
    envelopes: tuple[Envelope, Envelope, Envelope] | None = None
    words: BacktestWords | None = None  # the lead sentence, and why the hedge did worse


def _date_of(ns: int) -> QDate:
    return QDate.fromString(ns_to_iso(ns, date_only=True), "yyyy-MM-dd")


def _ns_of(date: QDate, end_of_day: bool = False) -> int:
    dt = QDateTime(date, QTime(0, 0), QTimeZone.utc())
    ns = int(dt.toSecsSinceEpoch()) * 1_000_000_000
    return ns + NS_PER_DAY - 1 if end_of_day else ns


class BacktestTab(ResultTab):
    """Run the current plan over stored history; figures and a time chart."""

    def __init__(
        self,
        document: PortfolioDocument,
        histories: HistoryLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.histories = histories or HistoryLibrary(parent=self)
        self.result: BacktestResult | None = None
        self.error: str | None = None
        self._range_ns: tuple[int, int] | None = None  # common history available
        self._init_compute(150)
        self._build()
        self._task.busyChanged.connect(self.busy_label.set_busy)
        document.planChanged.connect(self.schedule)
        self.histories.changed.connect(self._on_histories)
        self._on_histories()

    # -- construction --------------------------------------------------------------
    def _build(self) -> None:
        self._build_controls()
        self.busy_label = BusyLabel()
        self.period_controls = QWidget()
        pc = QHBoxLayout(self.period_controls)
        pc.setContentsMargins(0, 0, 0, 0)
        pc.addWidget(dim(QLabel("From")))
        pc.addWidget(self.start_edit)
        pc.addWidget(dim(QLabel("to")))
        pc.addWidget(self.end_edit)
        pc.addWidget(self.all_button)
        header = self._header(
            "Hedge backtest",
            [self.period_controls, 12, self.rebalance_control],
            self.busy_label,
        )
        self.cards = {
            "return": StatCard("Return", "How much the value changed over the period"),
            "volatility": StatCard(
                "Volatility", "How much the value typically swings in a year (from daily changes)"
            ),
            "drawdown": StatCard("Max drawdown", "The largest fall from a previous high"),
            "worst": StatCard("Worst day", "The largest fall in one UTC day"),
            "pnl": StatCard(
                "Hedge P&L",
                "What the futures gained or lost over the period, after fees and funding",
            ),
        }
        self.cards_row = self._cards_row(self.cards)
        self.lead = LeadCard()
        self.lead.hide()
        self.messages = MessageList()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_plots())
        split.addWidget(self._build_side())
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.pages = self._pages(split)
        lay = self._page()
        lay.addLayout(header)
        lay.addWidget(self.lead)
        lay.addWidget(self.cards_row)
        lay.addWidget(self.messages)
        lay.addWidget(self.pages, 1)
        self._apply_palette()

    def _build_controls(self) -> None:
        """Period, re-sizing, fees and liquidation: every change recomputes."""
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            # A whole date and the drop-down arrow, never "2023-1" under the arrow.
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("0000-00-00") + 40)
            edit.dateChanged.connect(self.schedule)
        self.all_button = QPushButton("All history")
        self.all_button.setToolTip("The whole period every needed history covers")
        self.all_button.clicked.connect(self.use_all_history)
        self.rebalance_control = SegmentedControl(list(REBALANCE_ITEMS))
        self.rebalance_control.setObjectName("rebalance")
        self.rebalance_control.set_current("none")
        self.rebalance_control.activated.connect(lambda _: self.schedule())
        self.fees_check = QCheckBox("Fees")
        self.fees_check.setChecked(True)
        self.fees_check.setToolTip("Charge each contract's fee rate on every trade")
        self.liq_check = QCheckBox("Liquidation")
        self.liq_check.setChecked(True)
        self.liq_check.setToolTip(
            "Close the hedge where the price reaches its liquidation price "
            "(isolated margin, no top-up); it reopens at the next re-sizing"
        )
        # Beside the figures (the header is full at 1280 px): next to the Funding line.
        self.funding_check = QCheckBox("Funding and rolls")
        self.funding_check.setChecked(True)
        self.funding_check.setToolTip(
            "Pay or receive the stored funding of perpetual hedges at each funding time, and "
            "roll dated hedges on their expiry calendar (fees on both legs)"
        )
        for check in (self.fees_check, self.funding_check, self.liq_check):
            check.toggled.connect(self.schedule)

    def _build_plots(self) -> QWidget:
        """Value of both books over time, and the hedge's P&L below on the same time axis."""
        self.value_plot = self._plot(bottom=pg.DateAxisItem(utcOffset=0), left=UsdAxis("left"))
        self.pnl_axis = UsdAxis("left")
        self.pnl_axis.signed = True
        self.pnl_plot = self._plot(bottom=pg.DateAxisItem(utcOffset=0), left=self.pnl_axis)
        for plot in (self.value_plot, self.pnl_plot):
            item = plot.getPlotItem()
            # Millions of points: draw one min/max pair per pixel, only what is in view.
            item.setDownsampling(auto=True, mode="peak")
            item.setClipToView(True)
            item.getViewBox().setMouseEnabled(x=True, y=False)
            item.layout.setContentsMargins(4, 4, 12, 4)
        self.pnl_plot.setXLink(self.value_plot)
        self.value_plot.setMinimumHeight(220)
        self.pnl_plot.setMinimumHeight(110)
        # The same axis width on both plots keeps their time axes aligned.
        for plot in (self.value_plot, self.pnl_plot):
            plot.getPlotItem().getAxis("left").setWidth(56)
        vi = self.value_plot.getPlotItem()
        self.legend = vi.addLegend(offset=(10, 10), labelTextSize="9pt")
        self.unhedged_curve = vi.plot(name="Unhedged")
        self.hedged_curve = vi.plot(name="Hedged")
        self.hedged_curve.setZValue(5)
        self.events = pg.ScatterPlotItem(size=9, symbol="x", pxMode=True)
        self.events.setZValue(10)
        vi.addItem(self.events)
        pi = self.pnl_plot.getPlotItem()
        self.pnl_curve = pi.plot(fillLevel=0.0)
        self._envelopes = EnvelopeCurves(
            self.value_plot.getPlotItem().getViewBox(),
            (self.unhedged_curve, self.hedged_curve, self.pnl_curve),
        )
        self.zero_line = pg.InfiniteLine(pos=0, angle=0, movable=False)
        pi.addItem(self.zero_line, ignoreBounds=True)
        # Issue 14 hook: the hedge journal's entries as markers on the value chart.
        from hedger.ui.positions.markers import JournalMarkers

        self.journal_markers = JournalMarkers(vi, self.document)
        self.pnl_label = dim(QLabel("Hedge P&L after fees and funding (USD)"))
        funding_plot = self._plot(bottom=pg.DateAxisItem(utcOffset=0), left=funding_axis())
        funding_plot.setXLink(self.value_plot)
        self.funding_chart = FundingChart(funding_plot)
        self.funding_chart.hide()
        charts = QWidget()
        cl = QVBoxLayout(charts)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.value_plot, 3)
        cl.addWidget(self.pnl_label)
        cl.addWidget(self.pnl_plot, 1)
        cl.addWidget(self.funding_chart, 1)
        return charts

    def _build_side(self) -> QWidget:
        """The figures table (as tall as its rows) and the period note under it."""
        self.figures_model = RowsModel(
            [Column("", numeric=False), Column("Unhedged"), Column("Hedged")]
        )
        self.figures_table = make_table(self.figures_model)
        self.figures_table.setObjectName("backtestFigures")
        self.figures_table.setSelectionMode(self.figures_table.SelectionMode.NoSelection)
        fh = self.figures_table.horizontalHeader()
        for col in (1, 2):  # the figure columns share the width; no blank strip at the right
            fh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        # As tall as its rows: the space below goes to the period note, not to
        # empty table area.
        self.figures_table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.figures_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures_table.setMinimumWidth(300)
        self.period_label = dim(QLabel(""))
        self.period_label.setWordWrap(True)
        self.period_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.figures_table)
        # Beside the figures, not in the header: at 1024 px the header clipped them.
        checks = QHBoxLayout()
        for check in (self.fees_check, self.liq_check, self.funding_check):
            checks.addWidget(check)
        checks.addStretch(1)
        sl.addLayout(checks)
        sl.addWidget(self.period_label)
        self.details = BacktestDetails()
        sl.addWidget(self.details)
        sl.addStretch(1)
        return scrolling(side)

    def _apply_palette(self) -> None:
        pal = self.palette()
        style_plot(self.value_plot, pal)
        style_plot(self.pnl_plot, pal)
        hedged, grey, danger = series_colors(pal)
        self.hedged_curve.setPen(pg.mkPen(hedged, width=2))
        self.unhedged_curve.setPen(pg.mkPen(grey, width=1.5))
        fill = pg.mkColor(hedged)
        fill.setAlpha(60)
        self.pnl_curve.setPen(pg.mkPen(hedged, width=1.5))
        self.pnl_curve.setBrush(pg.mkBrush(fill))
        self.zero_line.setPen(pg.mkPen(grey, width=1, style=Qt.PenStyle.DashLine))
        self.funding_chart.apply_palette(pal, hedged, grey)
        self.events.setPen(pg.mkPen(danger, width=2))
        self.events.setBrush(pg.mkBrush(danger))
        self.legend.setLabelTextColor(pal.color(pal.ColorRole.Text))

    # -- settings ------------------------------------------------------------------
    def config(self) -> BacktestConfig:
        rebalance: Rebalance = "none"
        current = self.rebalance_control.current()
        if current in ("weekly", "monthly"):
            rebalance = current  # type: ignore[assignment]
        start = end = None
        if self._range_ns is not None:
            start = _ns_of(self.start_edit.date())
            end = _ns_of(self.end_edit.date(), end_of_day=True)
        return BacktestConfig(
            start_ns=start,
            end_ns=end,
            rebalance=rebalance,
            model_liquidation=self.liq_check.isChecked(),
            include_fees=self.fees_check.isChecked(),
        )

    @property
    def with_carry(self) -> bool:
        """Funding and calendar rolls counted (``hedger backtest`` without ``--no-carry``)."""
        return self.funding_check.isChecked()

    def set_rebalance(self, rebalance: Rebalance) -> None:
        self.rebalance_control.set_current(rebalance)
        self.recompute()

    def set_period(self, start: QDate, end: QDate) -> None:
        for edit, date in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(date)
            edit.blockSignals(False)
        self.recompute()

    def use_all_history(self) -> None:
        if self._range_ns is not None:
            self.set_period(_date_of(self._range_ns[0]), _date_of(self._range_ns[1]))

    def _on_histories(self) -> None:
        """New histories: widen the date pickers to what is now available."""
        doc = self.document
        links = link_portfolio(doc.portfolio, doc.catalog, self.histories.symbols())
        infos = {i.symbol: i for i in self.histories.infos()}
        needed = [infos[s] for s in links.series_needed() if s in infos]
        old = self._range_ns
        if needed and all(i.first_ns is not None and i.last_ns is not None for i in needed):
            first = max(int(i.first_ns or 0) for i in needed)
            last = min(int(i.last_ns or 0) for i in needed)
            self._range_ns = (first, last) if first < last else None
        else:
            self._range_ns = None
        self.period_controls.setVisible(self._range_ns is not None)
        if self._range_ns is not None:
            lo, hi = _date_of(self._range_ns[0]), _date_of(self._range_ns[1])
            for edit in (self.start_edit, self.end_edit):
                edit.blockSignals(True)
                edit.setDateRange(lo, hi)
                edit.blockSignals(False)
            if old is None or old != self._range_ns:
                for edit, date in ((self.start_edit, lo), (self.end_edit, hi)):
                    edit.blockSignals(True)
                    edit.setDate(date)
                    edit.blockSignals(False)
        self._request(delay=False)

    # -- computing -----------------------------------------------------------------
    def _prepare(self) -> Callable[[], _Computed]:
        """Snapshot the inputs on the GUI thread; the returned job runs on the pool."""
        doc = self.document
        portfolio, plan, catalog = doc.portfolio, doc.plan, doc.catalog
        config = self.config()
        histories = self.histories
        available = histories.symbols()
        with_carry = self.with_carry

        def job() -> _Computed:
            from hedger.core.analytics.words import backtest_words, cross_hedged
            from hedger.services.analytics import AnalyticsInputError, backtest
            from hedger.services.carry import backtest_carry

            links = link_portfolio(portfolio, catalog, available)
            series = histories.series(links.series_needed())
            # The stored funding of the plan's perpetual hedges, and the expiry calendars.
            carry = backtest_carry(catalog, plan) if with_carry else None
            try:
                r = backtest(portfolio, catalog, series, config, plan=plan, carry=carry)
            except AnalyticsInputError as exc:
                return _Computed(None, str(exc))
            x = r.timestamps.astype(np.float64) / 1e9
            liq = [e for e in r.events if e.kind == "liquidation"]
            ex = ey = None
            if liq:
                idx = np.searchsorted(r.timestamps, [e.ns for e in liq])
                idx = np.minimum(idx, r.timestamps.size - 1)
                ex, ey = x[idx], r.hedged[idx]
            envelopes = None
            unhedged = envelope_or_none(x, r.unhedged)
            if unhedged is not None:
                envelopes = (unhedged, Envelope(x, r.hedged), Envelope(x, r.net_hedge_pnl))
            words = backtest_words(r, config.rebalance, cross_hedged(links))
            return _Computed(r, None, x, ex, ey, envelopes, words)

        return job

    def _failed_computed(self, message: str) -> _Computed:
        return _Computed(None, message)

    def _show(self, computed: _Computed) -> None:
        r = computed.result
        if r is None or computed.x is None:
            self._envelopes.set(None)
            for curve in (self.hedged_curve, self.unhedged_curve, self.pnl_curve):
                curve.setData([], [])
            self.events.setData([], [])
            self.funding_chart.set_data(None, None)
            self.figures_model.set_rows([])
            for card in self.cards.values():
                card.set("—")
            self.period_label.setText("")
            self.lead.set("")
            self.details.set_result(None)
            self._show_empty()
            return
        self.pages.setCurrentWidget(self.pages.widget(0))
        self.cards_row.show()
        x = computed.x
        self._envelopes.set(computed.envelopes)
        if computed.envelopes is None:
            self.unhedged_curve.setData(x, r.unhedged)
            self.hedged_curve.setData(x, r.hedged)
            self.pnl_curve.setData(x, r.net_hedge_pnl)
        if computed.events_x is not None and computed.events_y is not None:
            self.events.setData(computed.events_x, computed.events_y)
        else:
            self.events.setData([], [])
        self.value_plot.getPlotItem().enableAutoRange()
        self.pnl_plot.getPlotItem().enableAutoRange()
        self.funding_chart.set_data(x, r.funding)
        self._fill_figures(r)
        self._fill_messages(r)
        words = computed.words
        if words is not None:
            self.lead.set(words.lead, words.why, warn=words.worse)
        self.details.set_result(r)

    def _show_empty(self) -> None:
        """No fake axes: say what is missing and how to get it."""
        self.cards_row.hide()
        self.pages.setCurrentWidget(self.empty)
        damaged = damaged_messages(self.histories, ())
        error = self.error or "Nothing to backtest."
        if damaged:
            self.empty.set("A stored history is damaged", " ".join(damaged))
        elif "no price history" in error:
            self.empty.set(
                "Import price history to backtest this hedge",
                f"{error[0].upper()}{error[1:].split('; import')[0]}. {IMPORT_HINT}",
                self._history_actions(self.histories),
            )
        else:
            self.empty.set("Nothing to backtest", error)
        self.messages.set_messages([])

    def _fill_figures(self, r: BacktestResult) -> None:
        u, h = r.unhedged_figures, r.hedged_figures
        # A net-short book starts at or below zero: percentages of it mean
        # nothing, so the figures are in USD instead.
        in_pct = u.percentages_defined and h.percentages_defined
        if in_pct:
            figures = [
                Row(("Return", _pct(u.total_return), _pct(h.total_return)), emphasis=True),
                Row(("Volatility", _pct(u.volatility, False), _pct(h.volatility, False))),
                Row(("Max drawdown", _pct(u.max_drawdown), _pct(h.max_drawdown))),
                Row(("Worst day", _pct(u.worst_day), _pct(h.worst_day))),
            ]
        else:
            figures = [
                Row(("P&L (USD)", _usd_signed(u.pnl_usd), _usd_signed(h.pnl_usd)), emphasis=True),
                Row(("Volatility (USD)", _usd(u.volatility_usd), _usd(h.volatility_usd))),
                Row(
                    (
                        "Max drawdown (USD)",
                        _usd_signed(u.max_drawdown_usd),
                        _usd_signed(h.max_drawdown_usd),
                    )
                ),
                Row(
                    (
                        "Worst day (USD)",
                        _usd_signed(u.worst_day_usd),
                        _usd_signed(h.worst_day_usd),
                    )
                ),
            ]
        rows = [
            Row(("Start value", _usd(u.start_value), _usd(h.start_value))),
            Row(("End value", _usd(u.end_value), _usd(h.end_value))),
            *figures,
            *pnl_rows(r),
            Row(("Liquidations", "", f"{sum(x.liquidations for x in r.underlyings)}")),
        ]
        self.figures_model.set_rows(rows)
        fit_rows(self.figures_table, len(rows))
        self._fill_cards(r, in_pct)
        start, end = int(r.timestamps[0]), int(r.timestamps[-1])
        how = {"none": "held fixed", "weekly": "re-sized weekly", "monthly": "re-sized monthly"}
        rebalance = self.rebalance_control.current() or "none"
        note = (
            ""
            if in_pct
            else " Percentages need a positive start value (the book is net short): "
            "figures are in USD."
        )
        # What each hedge opened with, its rolls and costs: under Details.
        self.period_label.setText(
            f"{ns_to_iso(start, date_only=True)} – {ns_to_iso(end, date_only=True)}, "
            f"{r.timestamps.size:,} points, hedge {how[rebalance]}.{note}"
        )

    def _fill_cards(self, r: BacktestResult, in_pct: bool) -> None:
        u, h = r.unhedged_figures, r.hedged_figures

        def day(ns: int | None) -> str:
            return ns_to_iso(ns, date_only=True) if ns else ""

        captions = (
            ("Return", "Volatility", "Max drawdown", "Worst day")
            if in_pct
            else ("P&L", "Volatility (USD)", "Max drawdown (USD)", "Worst day (USD)")
        )
        for key, caption in zip(
            ("return", "volatility", "drawdown", "worst"), captions, strict=True
        ):
            self.cards[key].caption.setText(caption)
        if in_pct:
            self.cards["return"].set(_pct(h.total_return), f"unhedged {_pct(u.total_return)}")
            self.cards["volatility"].set(
                _pct(h.volatility, False), f"unhedged {_pct(u.volatility, False)}"
            )
            self.cards["drawdown"].set(_pct(h.max_drawdown), f"unhedged {_pct(u.max_drawdown)}")
            self.cards["worst"].set(
                _pct(h.worst_day), f"unhedged {_pct(u.worst_day)} {day(u.worst_day_ns)}".strip()
            )
        else:
            self.cards["return"].set(
                f"{_usd_signed(h.pnl_usd)} USD", f"unhedged {_usd_signed(u.pnl_usd)} USD"
            )
            self.cards["volatility"].set(
                f"{_usd(h.volatility_usd)} USD", f"unhedged {_usd(u.volatility_usd)} USD"
            )
            self.cards["drawdown"].set(
                f"{_usd_signed(h.max_drawdown_usd)} USD",
                f"unhedged {_usd_signed(u.max_drawdown_usd)} USD",
            )
            self.cards["worst"].set(
                f"{_usd_signed(h.worst_day_usd)} USD",
                f"unhedged {_usd_signed(u.worst_day_usd)} {day(u.worst_day_usd_ns)}".strip(),
            )
        net = float(r.net_hedge_pnl[-1])
        self.cards["pnl"].set(f"{_usd_signed(net)} USD", pnl_card_detail(r))

    def _fill_messages(self, r: BacktestResult) -> None:
        # Liquidations are told in the lead (why the hedge did worse) and listed in Details.
        messages: list[tuple[Severity, str]] = []
        if r.proxied:
            messages.append(
                (
                    "info",
                    f"No history for {', '.join(r.proxied)}: moved with beta × the hedge "
                    "series (import its history for a truer picture).",
                )
            )
        messages.extend(("info", n) for n in r.notes)
        note = liquidation_note(self.document.plan) if self.liq_check.isChecked() else None
        messages.extend([("info", note)] if note else [])
        messages.extend(("warning", d) for d in damaged_messages(self.histories, ()))
        self.messages.set_messages(messages)
