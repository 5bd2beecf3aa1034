"""The held hedge of the shown underlying: what is held, the orders to the target, the margin.

A small card under the hedge panel's order line (issue 14), kept in its own
module: the panel only creates it and hands it each underlying's plan.
"Mark as Placed" records the orders as filled at today's futures price: the
positions move and the journal gets one entry per order (one undo step).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hedger.core.decimals import fmt_money
from hedger.core.planner import UnderlyingPlan
from hedger.core.position_gap import short_label
from hedger.services.errors import USER_ERRORS
from hedger.services.positions import placed
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.format import rich
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.style import dim, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel


class PositionGapCard(Card):
    """Current position, target and the orders that close the gap, for one underlying."""

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("positionGap")
        self._doc = document
        self._underlying: str | None = None
        self.title = QLabel("Your position")
        self.title.setFont(scaled_font(self, 1.0, bold=True))
        self.held = WrapLabel()
        self.held.setObjectName("gapHeld")
        self.orders = WrapLabel()
        self.orders.setObjectName("gapOrders")
        self.orders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.margin = dim(WrapLabel())
        self.margin.setObjectName("gapMargin")
        self.place_button = QPushButton("Mark as Placed")
        self.place_button.setObjectName("markPlaced")
        self.place_button.setToolTip(
            "You placed these orders: move the positions to where they take them and note "
            "it in the journal (undoable)"
        )
        self.place_button.clicked.connect(self.mark_placed)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.place_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(3)
        lay.addLayout(head)
        lay.addWidget(self.held)
        lay.addWidget(self.orders)
        lay.addWidget(self.margin)

    def show_plan(self, u: UnderlyingPlan | None) -> None:
        """Fill in for ``u`` (None: nothing to show)."""
        self._underlying = u.underlying if u is not None else None
        if u is None or u.problem:
            self.hide()
            return
        g = u.position_gap
        if g is None:
            # No position tracked anywhere: a plan, not a hedge kept. The Positions
            # table offers to record the plan's orders as placed.
            self.hide()
            return
        self.show()
        if g.holds_anything:
            held = " · ".join(short_label(line) for line in (*g.held, *g.other))
            now = f"Held: {rich(held)}<br>Hedging <b>{fmt_money(g.current_hedged_usd, 0)} USD</b>"
        else:
            now = f"No {u.underlying} futures position held.<br>Hedging <b>0 USD</b>"
        self.held.setText(
            f"{now} of the {fmt_money(abs(g.target_usd), 0)} USD target (whole contracts)."
        )
        if g.orders:
            lines = "".join(f"<li>{rich(o.text)}</li>" for o in g.orders)
            self.orders.setText(f"<b>To the target:</b><ul style='margin:0'>{lines}</ul>")
        else:
            self.orders.setText(rich(g.order_words))
        # Each situation once: every position as held (what hedger check says), then
        # after the orders, saying when that assumes collateral added.
        liq = "".join(f"<br>Liquidation {rich(text)}." for text in g.liquidation_lines())
        problems = "".join(f"<br>⚠ {rich(p)}" for p in g.problems)
        self.margin.setText(f"{rich(g.margin_words)}{liq}{problems}")
        self.place_button.setEnabled(bool(g.orders))

    def mark_placed(self) -> bool:
        under = self._underlying
        if under is None:
            return False
        doc = self._doc
        try:
            updated = placed(doc.portfolio, under, doc.catalog, datetime.now(UTC))
        except USER_ERRORS as exc:
            doc.editRefused.emit(str(exc))
            return False
        doc.set_book(f"Mark {under} Orders as Placed", updated.positions, updated.journal)
        return True
