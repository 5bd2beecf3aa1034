"""Risk tab: simulated P&L over a horizon, hedged vs unhedged, with VaR and ES.

It leads with the plain reading ("In 1 week out of 20, expect to lose more
than 5,920 USD unhedged and 392 USD hedged; ..."); the cards give the same
figures with their words first, and the table of tail figures, the run's
settings and the assumptions are under Details.

The seed is part of the settings and shown with every result: the same
portfolio, histories and seed give the same numbers ("New seed" draws a
fresh one).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hedger.core.analytics.links import AnalyticsError, link_portfolio
from hedger.core.analytics.risk import (
    MAX_HORIZON_DAYS,
    MAX_SEED,
    Method,
    PnlSummary,
    RiskConfig,
    RiskResult,
    new_seed,
    simulate_risk,
)
from hedger.core.analytics.series import FloatArray, ns_to_iso
from hedger.core.analytics.words import liquidation_words, tail_words
from hedger.core.analytics.words.amounts import period_names
from hedger.services.carry import risk_basis_assumption, risk_basis_line
from hedger.ui.analytics.base import IMPORT_HINT, ResultTab, add_controls, liquidation_note
from hedger.ui.analytics.history_library import HistoryLibrary, damaged_messages
from hedger.ui.analytics.plots import series_colors, style_plot
from hedger.ui.analytics.rows import Column, Row, RowsModel, make_table
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.format import MINUS
from hedger.ui.widgets.axes import UsdAxis
from hedger.ui.widgets.cards import StatCard
from hedger.ui.widgets.empty_state import BusyLabel
from hedger.ui.widgets.lead import DetailsSection, LeadCard
from hedger.ui.widgets.message_list import MessageList, Severity
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim
from hedger.ui.widgets.wrap_label import WrapLabel

PATH_CHOICES = (1_000, 10_000, 100_000)
#: Words first, the figure's name after: the cards read without knowing "VaR".
CARD_CAPTIONS = {
    "var95": "1-in-20 loss (VaR 95 %)",
    "es95": "Average beyond it (ES 95 %)",
    "var99": "1-in-100 loss (VaR 99 %)",
    "es99": "Average beyond it (ES 99 %)",
}
#: Notes on how the paths were drawn (core.analytics.risk): shown with the settings.
METHOD_NOTES = ("No drift", "Bootstrap from")
TAIL_EXPLAINED = (
    "VaR (value at risk) is the loss that only 1 period in 20 (95 %) or 1 in 100 (99 %) "
    "exceeds; ES (expected shortfall) is the average loss in those worst periods. Losses are "
    "in USD (positive = money lost). The hedge is today's recommended order, held for the "
    "whole horizon; fees are left out."
)
HORIZONS = (("1", 1, "1 d"), ("7", 7, "1 w"), ("30", 30, "1 m"), ("90", 90, "3 m"))
BINS = 100


@dataclass(frozen=True)
class _Computed:
    """The worker's answer: the result and the histogram it was drawn as."""

    result: RiskResult | None
    error: str | None
    edges: FloatArray | None = None
    unhedged_share: FloatArray | None = None  # % of paths per bin
    hedged_share: FloatArray | None = None


def histograms(
    unhedged: FloatArray, hedged: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Common bin edges over the middle 99.8 % of both, and each one's share of paths per bin."""
    both = np.concatenate([unhedged, hedged])
    lo, hi = (float(v) for v in np.percentile(both, [0.1, 99.9]))
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    edges = np.linspace(lo, hi, BINS + 1)
    shares = []
    for data in (unhedged, hedged):
        counts, _ = np.histogram(np.clip(data, lo, hi), bins=edges)
        shares.append(counts / data.size * 100.0)
    return edges, shares[0], shares[1]


def _usd(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    text = f"{value:,.0f}"
    # A loss that rounds to nothing (-0.3 USD) is 0, not "−0".
    return "0" if text == "-0" else text.replace("-", MINUS)


class RiskTab(ResultTab):
    """Monte Carlo of the portfolio's P&L, with and without the hedge."""

    def __init__(
        self,
        document: PortfolioDocument,
        histories: HistoryLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.histories = histories or HistoryLibrary(parent=self)
        self.result: RiskResult | None = None
        self.error: str | None = None
        self._init_compute(200)
        self._build()
        self._task.busyChanged.connect(self.busy_label.set_busy)
        document.planChanged.connect(self.schedule)
        self.histories.changed.connect(self.schedule)
        self._request(delay=False)

    # -- construction --------------------------------------------------------------
    def _build(self) -> None:
        self._build_controls()
        self.busy_label = BusyLabel("Simulating…")
        # Two rows: in one, at 1280 px with the portfolio list open, the seed
        # and the segmented controls were squeezed until they clipped.
        header = self._header(
            "Risk over a horizon",
            [
                "Horizon",
                self.horizon_control,
                self.horizon_spin,
                12,
                "Returns",
                self.method_control,
            ],
            self.busy_label,
        )
        options = QHBoxLayout()
        add_controls(options, [self.paths_combo, self.history_combo, 8, self.liq_check])
        options.addStretch(1)
        add_controls(options, ["Seed", self.seed_edit, self.new_seed_button])
        self.cards = {key: StatCard(caption, "") for key, caption in CARD_CAPTIONS.items()}
        self._card_tooltips("week", "weeks")
        self.cards_row = self._cards_row(self.cards)
        self.messages = MessageList()
        self.run_label = dim(WrapLabel(""))
        self.run_label.setObjectName("riskRunLabel")
        self.run_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_plot()
        self.lead = LeadCard()
        self.lead.hide()
        # The basis assumption stays in view (the issue: "Risk states the basis assumption
        # it makes in words"); the full sentence is its tooltip and under Details.
        self.basis_line = dim(WrapLabel(risk_basis_line()))
        self.basis_line.setObjectName("riskBasisLine")
        self.basis_line.setToolTip(risk_basis_assumption())
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.plot, 1)
        cl.addWidget(self._build_table())
        self.pages = self._pages(content)
        lay = self._page()
        lay.addLayout(header)
        lay.addLayout(options)
        lay.addWidget(self.lead)
        lay.addWidget(self.basis_line)
        lay.addWidget(self.cards_row)
        lay.addWidget(self.messages)
        lay.addWidget(self.pages, 1)
        self._apply_palette()

    def _build_controls(self) -> None:
        """Horizon, return model, paths, history, liquidation and seed."""
        self.horizon_spin = QSpinBox()
        self.horizon_spin.setRange(1, MAX_HORIZON_DAYS)
        self.horizon_spin.setValue(7)
        self.horizon_spin.setSuffix(" days")
        self.horizon_spin.valueChanged.connect(self._on_horizon_spin)
        self.horizon_control = SegmentedControl(
            [(k, text, f"{d} day{'s' if d > 1 else ''}") for k, d, text in HORIZONS]
        )
        self.horizon_control.set_current("7")
        self.horizon_control.activated.connect(lambda k: self.horizon_spin.setValue(int(k)))
        self.method_control = SegmentedControl(
            [
                (
                    "normal",
                    "Normal",
                    "Correlated normal daily returns with the history's "
                    "volatilities and correlations",
                ),
                (
                    "bootstrap",
                    "Bootstrap",
                    "Whole historical days drawn at random: keeps fat "
                    "tails and how assets moved together",
                ),
            ]
        )
        self.method_control.setObjectName("riskMethod")
        self.method_control.set_current("normal")
        self.method_control.activated.connect(lambda _: self.schedule())
        self.paths_combo = QComboBox()
        for n in PATH_CHOICES:
            self.paths_combo.addItem(f"{n:,} paths", n)
        self.paths_combo.setCurrentIndex(1)
        self.paths_combo.currentIndexChanged.connect(lambda _: self.schedule())
        self.seed_edit = QLineEdit(str(new_seed()))
        self.seed_edit.setObjectName("riskSeed")
        # The same range as 'hedger risk --seed' (0 to 2^63 - 1): a seed noted
        # from the command line can be typed here and gives the same paths.
        digits = len(str(MAX_SEED))
        self.seed_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(f"[0-9]{{1,{digits}}}"), self)
        )
        width = self.seed_edit.fontMetrics().horizontalAdvance("0" * 12) + 18
        self.seed_edit.setMinimumWidth(width)
        self.seed_edit.setMaximumWidth(width + 40)
        self.seed_edit.setToolTip(
            f"The same seed gives the same paths: note it to reproduce (0 to {MAX_SEED:,})"
        )
        self.seed_edit.editingFinished.connect(self.schedule)
        self.new_seed_button = QPushButton("New seed")
        self.new_seed_button.clicked.connect(self.draw_new_seed)
        self.history_combo = QComboBox()
        self.history_combo.setToolTip("Days of history the volatilities and correlations come from")
        for label, days in (("1 y history", 365), ("2 y history", 730), ("All history", None)):
            self.history_combo.addItem(label, days)
        self.history_combo.currentIndexChanged.connect(lambda _: self.schedule())
        self.liq_check = QCheckBox("Liquidation")
        self.liq_check.setChecked(True)
        self.liq_check.setToolTip("A path that reaches the liquidation price loses the margin")
        self.liq_check.toggled.connect(lambda _: self.schedule())

    def _build_plot(self) -> None:
        """Histograms of the P&L over the horizon, with the two VaR 95 % lines."""
        self.plot = self._plot(bottom=UsdAxis("bottom"))
        self.plot.setMinimumHeight(180)
        pi = self.plot.getPlotItem()
        pi.getAxis("bottom").signed = True
        pi.setLabel("bottom", "P&L over the horizon (USD)")
        pi.setLabel("left", "share of paths %")
        pi.getAxis("left").enableAutoSIPrefix(False)
        self.legend = pi.addLegend(offset=(10, 10), labelTextSize="9pt")
        empty = {"x": [0.0, 1.0], "y": [0.0], "stepMode": "center", "fillLevel": 0}
        self.unhedged_hist = pg.PlotCurveItem(name="Unhedged", **empty)
        self.hedged_hist = pg.PlotCurveItem(name="Hedged", **empty)
        pi.addItem(self.unhedged_hist)
        pi.addItem(self.hedged_hist)
        self.var_lines = {
            "unhedged": pg.InfiniteLine(
                angle=90, movable=False, label="1-in-20 loss", labelOpts={"position": 0.92}
            ),
            "hedged": pg.InfiniteLine(
                angle=90, movable=False, label="1-in-20 loss", labelOpts={"position": 0.8}
            ),
        }
        for line in self.var_lines.values():
            pi.addItem(line, ignoreBounds=True)

    def _build_table(self) -> QWidget:
        """Under Details: the tail figures of both books, the run's settings, the assumptions."""
        self.table_model = RowsModel(
            [
                Column("", numeric=False),
                Column("VaR 95 %", tooltip="The loss only 1 period in 20 exceeds"),
                Column("ES 95 %", tooltip="The average loss in those worst 1 in 20"),
                Column("VaR 99 %", tooltip="The loss only 1 period in 100 exceeds"),
                Column("ES 99 %", tooltip="The average loss in those worst 1 in 100"),
                Column("Mean", tooltip="The average gain or loss over the horizon"),
                Column("Std dev", tooltip="How widely the outcomes spread"),
                Column("P(loss)", tooltip="The chance of ending the horizon with a loss"),
                Column("Worst", tooltip="The worst of all simulated outcomes"),
            ]
        )
        self.table = make_table(self.table_model, stretch_last=False)
        self.table.setObjectName("riskTable")
        self.table.setSelectionMode(self.table.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows_h = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(
            rows_h * 2 + self.table.horizontalHeader().sizeHint().height() + 4
        )
        self.details = DetailsSection(
            tooltip="Show the tail figures (VaR, ES), the run's settings and its assumptions",
            scrolling=True,
        )
        self.details.add(self.table)
        self.details.add(self.run_label)
        self.details.add(dim(WrapLabel(TAIL_EXPLAINED)))
        self.notes_label = self.details.add(dim(WrapLabel("")))
        self.notes_label.setObjectName("riskNotes")
        # i15g: what the simulation assumes about the basis, in words (as 'hedger risk').
        self.basis_note = dim(WrapLabel(risk_basis_assumption()))
        self.basis_note.setObjectName("riskBasisAssumption")
        self.details.add(self.basis_note)
        return self.details

    def _card_tooltips(self, one: str, many: str) -> None:
        """The cards' tooltips in words, for the horizon as a period ("week")."""
        tips = {
            "var95": f"The loss that only 1 {one} in 20 exceeds (value at risk, 95 %)",
            "es95": f"The average loss in the worst 1 {one} in 20 (expected shortfall, 95 %)",
            "var99": f"The loss that only 1 {one} in 100 exceeds (value at risk, 99 %)",
            "es99": f"The average loss in the worst 1 {one} in 100 (expected shortfall, 99 %)",
        }
        for key, tip in tips.items():
            self.cards[key].setToolTip(f"{tip}. Hedged, with the unhedged figure below.")

    def _apply_palette(self) -> None:
        pal = self.palette()
        style_plot(self.plot, pal)
        hedged, grey, _ = series_colors(pal)
        for curve, color, alpha in (
            (self.unhedged_hist, grey, 70),
            (self.hedged_hist, hedged, 110),
        ):
            fill = pg.mkColor(color)
            fill.setAlpha(alpha)
            curve.setPen(pg.mkPen(color, width=1.5))
            curve.setBrush(pg.mkBrush(fill))
        self.var_lines["unhedged"].setPen(pg.mkPen(grey, width=1.5, style=Qt.PenStyle.DashLine))
        self.var_lines["hedged"].setPen(pg.mkPen(hedged, width=1.5, style=Qt.PenStyle.DashLine))
        for line in self.var_lines.values():
            line.label.setColor(pal.color(pal.ColorRole.Text))
        self.legend.setLabelTextColor(pal.color(pal.ColorRole.Text))

    # -- settings ------------------------------------------------------------------
    def config(self) -> RiskConfig:
        method: Method = "bootstrap" if self.method_control.current() == "bootstrap" else "normal"
        return RiskConfig(
            horizon_days=self.horizon_spin.value(),
            method=method,
            paths=int(self.paths_combo.currentData()),
            seed=self.seed(),
            lookback_days=self.history_combo.currentData(),
            model_liquidation=self.liq_check.isChecked(),
        )

    def seed(self) -> int:
        text = self.seed_edit.text().strip()
        # isascii: "٣".isdigit() is True and int() reads it as 3.
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEED:
            text = str(new_seed())
            self.seed_edit.setText(text)
        return int(text)

    def set_seed(self, seed: int) -> None:
        self.seed_edit.setText(str(seed))
        self.recompute()

    def set_paths(self, paths: int) -> None:
        index = self.paths_combo.findData(paths)
        if index < 0:
            self.paths_combo.addItem(f"{paths:,} paths", paths)
            index = self.paths_combo.count() - 1
        self.paths_combo.setCurrentIndex(index)
        self.recompute()

    def set_method(self, method: Method) -> None:
        self.method_control.set_current(method)
        self.recompute()

    def draw_new_seed(self) -> None:
        self.set_seed(new_seed())

    def _on_horizon_spin(self, days: int) -> None:
        key = str(days)
        if key in {k for k, _, _ in HORIZONS}:
            self.horizon_control.set_current(key)
        else:
            for b in self.horizon_control.buttons.values():
                b.setChecked(False)
        self.schedule()

    # -- computing -----------------------------------------------------------------
    def _prepare(self) -> Callable[[], _Computed]:
        doc = self.document
        portfolio, plan, catalog = doc.portfolio, doc.plan, doc.catalog
        config = self.config()
        histories = self.histories
        available = histories.symbols()

        def job() -> _Computed:
            links = link_portfolio(portfolio, catalog, available)
            series = histories.series(links.series_needed())
            try:
                r = simulate_risk(portfolio, plan, catalog, series, config)
            except AnalyticsError as exc:
                return _Computed(None, str(exc))
            edges, u, h = histograms(r.unhedged_pnl, r.hedged_pnl)
            return _Computed(r, None, edges, u, h)

        return job

    def _failed_computed(self, message: str) -> _Computed:
        return _Computed(None, message)

    def _show(self, computed: _Computed) -> None:
        r = computed.result
        if r is None or computed.edges is None:
            self.table_model.set_rows([])
            for card in self.cards.values():
                card.set("—")
            self.run_label.setText("")
            self.lead.set("")
            self._show_empty()
            return
        self.pages.setCurrentIndex(0)
        self.cards_row.show()
        assert computed.unhedged_share is not None and computed.hedged_share is not None
        self.unhedged_hist.setData(computed.edges, computed.unhedged_share)
        self.hedged_hist.setData(computed.edges, computed.hedged_share)
        self.plot.getPlotItem().enableAutoRange()
        self._place_var_lines(r, computed)
        self.table_model.set_rows(
            [self._row("Unhedged", r.unhedged), self._row("Hedged", r.hedged, emphasis=True)]
        )
        for key, level, part in (
            ("var95", 0.95, "var"),
            ("es95", 0.95, "es"),
            ("var99", 0.99, "var"),
            ("es99", 0.99, "es"),
        ):
            h = getattr(r.hedged.tail(level), part)
            u = getattr(r.unhedged.tail(level), part)
            self.cards[key].set(f"{_usd(h)} USD", f"unhedged {_usd(u)} USD")
        days = "day" if r.horizon_days == 1 else "days"
        self.run_label.setText(
            f"{r.paths:,} paths · seed {r.seed} · {r.method} · {r.horizon_days} {days} · "
            f"from {r.observations:,} daily returns, {ns_to_iso(r.first_ns, date_only=True)} – "
            f"{ns_to_iso(r.last_ns, date_only=True)} · value now {_usd(r.start_value)} USD"
        )
        self._card_tooltips(*period_names(r.horizon_days))
        liquidation = liquidation_words(r)
        self.lead.set(tail_words(r), liquidation, warn=bool(liquidation))
        # How the paths were drawn goes with the run's settings; what changes the
        # result (an unhedged coin, a stand-in history) stays in view.
        method = [n for n in r.notes if n.startswith(METHOD_NOTES)]
        self.notes_label.setText(" ".join(method))
        self.notes_label.setVisible(bool(method))
        messages: list[tuple[Severity, str]] = []
        if r.proxied:
            messages.append(
                ("info", f"No history for {', '.join(r.proxied)}: moved with beta × the hedge.")
            )
        messages.extend(("info", n) for n in r.notes if not n.startswith(METHOD_NOTES))
        note = liquidation_note(self.document.plan) if self.liq_check.isChecked() else None
        messages.extend([("info", note)] if note else [])
        messages.extend(("warning", d) for d in damaged_messages(self.histories, ()))
        self.messages.set_messages(messages)

    def _place_var_lines(self, r: RiskResult, computed: _Computed) -> None:
        """VaR lines with their labels above the bars, not across them.

        The y range gets head-room above the tallest bar and the two labels sit
        in it at different heights, so neither is drawn over the histogram.
        """
        tallest = 0.0
        for share in (computed.unhedged_share, computed.hedged_share):
            if share is not None and share.size:
                tallest = max(tallest, float(share.max()))
        top = tallest * 1.32 if tallest > 0 else 1.0
        pi = self.plot.getPlotItem()
        pi.enableAutoRange(axis="x")
        pi.setYRange(0.0, top, padding=0)
        # Label positions are fractions of the view height, from the bottom.
        positions = {"unhedged": 0.955, "hedged": 0.865}
        for key, summary in (("unhedged", r.unhedged), ("hedged", r.hedged)):
            line = self.var_lines[key]
            line.setValue(-summary.tail(0.95).var)
            line.label.setFormat(f"{key}: 1-in-20 loss")
            line.label.setPosition(positions[key])
            line.show()

    def _show_empty(self) -> None:
        self.cards_row.hide()
        self.pages.setCurrentWidget(self.empty)
        for line in self.var_lines.values():
            line.hide()
        damaged = damaged_messages(self.histories, ())
        error = self.error or "Nothing to simulate."
        if damaged:
            self.empty.set("A stored history is damaged", " ".join(damaged))
        elif "no price history" in error:
            self.empty.set(
                "Import price history to simulate this portfolio",
                f"{error[0].upper()}{error[1:].split('; import')[0]}. Volatilities and "
                f"correlations come from it. {IMPORT_HINT}",
                self._history_actions(self.histories),
            )
        else:
            self.empty.set("Nothing to simulate", error)
        self.messages.set_messages([])

    @staticmethod
    def _row(label: str, s: PnlSummary, emphasis: bool = False) -> Row:
        return Row(
            (
                label,
                _usd(s.tail(0.95).var),
                _usd(s.tail(0.95).es),
                _usd(s.tail(0.99).var),
                _usd(s.tail(0.99).es),
                _usd(s.mean),
                _usd(s.std),
                f"{s.p_loss * 100:.1f} %",
                _usd(s.worst),
            ),
            emphasis=emphasis,
        )
