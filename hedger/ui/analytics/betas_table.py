"""The Betas tab's tables: the estimates in words first, and the figures behind them.

The main table says what a user acts on: the estimated beta (which is also the
best hedge ratio h*) next to theirs, and the share of swings a hedge removes
(ρ²). The correlation, the volatilities and the count of returns are in a
second table under Details, with what each figure means.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from hedger.core.analytics.estimation import HoldingEstimate
from hedger.core.analytics.series import ns_to_iso
from hedger.core.analytics.words import beta_words
from hedger.core.decimals import fmt_decimal
from hedger.ui.analytics.rows import Column, Row, RowsModel, fit_rows, make_table
from hedger.ui.widgets.lead import DetailsSection
from hedger.ui.widgets.style import dim
from hedger.ui.widgets.wrap_label import WrapLabel

ESTIMATE_COLUMNS = (
    Column("Holding", numeric=False),
    Column("Hedged with", numeric=False),
    Column("Your beta", tooltip="The beta in the portfolio (1 when not set)"),
    Column(
        "Estimated beta (h*)",
        tooltip="How far the holding has moved for each 1 % move of its hedge (1.4: 1.4 %). "
        "It is also the hedge ratio that removes the most risk: USD of futures to sell per "
        "USD held",
    ),
    Column(
        "Swings removed (ρ²)",
        tooltip="Share of the holding's ups and downs that a hedge at the estimated beta "
        "would have cancelled",
    ),
    Column("Period / note", numeric=False),
)
FIGURE_COLUMNS = (
    Column("Holding", numeric=False),
    Column(
        "Correlation (ρ)",
        tooltip="How closely the two moved together: 1 always in step, 0 not related, "
        "−1 always opposite",
    ),
    Column("Volatility (σ)", tooltip="How much the holding's price typically swings in a year"),
    Column("Hedge volatility (σ)", tooltip="How much the hedge's price typically swings in a year"),
    Column("Returns", tooltip="Number of returns both histories share in the window"),
)
FIGURES_EXPLAINED = (
    "Estimated beta: how far the holding moved, on average, for each 1 % move of its hedge. "
    "It is also the hedge ratio h* = ρ × σ holding ÷ σ hedge that removes the most risk "
    "(USD of futures to sell per USD held). Swings removed (ρ², the correlation squared): "
    "the share of the holding's ups and downs such a hedge cancels. Volatility (σ): the "
    "typical size of a year's swings."
)


def beta_text(beta: Decimal | None) -> str:
    return "1 (default)" if beta is None else fmt_decimal(beta)


def _note(e: HoldingEstimate) -> str:
    if e.symbol == e.hedge_series:
        return "hedged with its own futures: beta 1"
    return e.problem or ""


def estimate_row(e: HoldingEstimate) -> Row:
    """A holding's estimate in the main table, or why there is none."""
    est = e.estimate
    if est is None:
        note = _note(e)
        cells = (e.symbol, e.hedge_series, beta_text(e.user_beta), "—", "—", note)
        return Row(cells, tooltip=note, muted=True, key=e.row)
    period = f"{ns_to_iso(est.first_ns, date_only=True)} – {ns_to_iso(est.last_ns, date_only=True)}"
    suggested = e.suggested_beta
    return Row(
        (
            e.symbol,
            e.hedge_series,
            beta_text(e.user_beta),
            fmt_decimal(suggested) if suggested is not None else f"{est.beta:.2f}",
            f"{est.effectiveness * 100:.0f} %",
            period,
        ),
        tooltip=beta_words(e),
        emphasis=e.differs,
        key=e.row,
    )


def figures_row(e: HoldingEstimate) -> Row:
    """The figures behind a holding's estimate, with the hedge ratio worked out."""
    est = e.estimate
    if est is None:
        return Row((e.symbol, "—", "—", "—", "—"), tooltip=_note(e), muted=True, key=e.row)
    return Row(
        (
            e.symbol,
            f"{est.correlation:.2f}",
            f"{est.sigma_s_annual * 100:.0f} %",
            f"{est.sigma_f_annual * 100:.0f} %",
            f"{est.observations:,}",
        ),
        tooltip=(
            f"h* = ρ × σ {e.symbol} ÷ σ {e.hedge_series} = {est.correlation:.4f} × "
            f"{est.sigma_s:.4f} ÷ {est.sigma_f:.4f} = {est.hedge_ratio:.4f} (per {est.interval}); "
            f"the regression slope β is {est.beta:.4f}"
        ),
        key=e.row,
    )


class BetaDetails(DetailsSection):
    """Folded under the estimates: correlation, volatilities and returns, and their meaning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            tooltip="Show the correlation, the volatilities and what each figure means",
            parent=parent,
        )
        self.model = RowsModel(FIGURE_COLUMNS)
        self.table = make_table(self.model)
        self.table.setObjectName("betaFigures")
        self.table.setSelectionMode(self.table.SelectionMode.NoSelection)
        fit_rows(self.table, 1)
        self.explained = dim(WrapLabel(FIGURES_EXPLAINED))
        # Side by side: folded out, they cost the scatter below as little height as can be.
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(12)
        lay.addWidget(self.table, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.explained, 1, Qt.AlignmentFlag.AlignTop)
        self.add(row)

    def set_estimates(self, estimates: Sequence[HoldingEstimate]) -> None:
        self.model.set_rows([figures_row(e) for e in estimates])
        fit_rows(self.table, len(estimates))
        self.table.setFixedWidth(
            self.table.horizontalHeader().length() + 2 * self.table.frameWidth()
        )
