"""The order ticket: what to type into the venue's order form, one line per contract.

A ticket is a caption, a list of lines and a summary. An order line says the
verb and the quantity in the venue's own unit ("Sell 0.386 BTC", "Sell
37,440 USD", "Sell 38.6 contracts"), the same order in the other terms beside
it (the contract count, or the coins), and a Copy button that puts exactly
the quantity to type on the clipboard. A quantity the venue refuses (below
its minimum, off its step, below its minimum order value) is flagged under
its line with the nearest valid order, which can be copied too.

Lines are plain data (``TicketLine``): other parts of the panel can add
their own, e.g. a current position above the order that closes the gap.

``show_plan`` fills the ticket for one underlying. With futures positions
held on it, the order to type is the one that closes the gap from what is
held ("Sell 2 more contracts"), with the positions above it; the whole hedge
from nothing held is only context, and a from-zero option picked in the table
is shown without Copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import fmt_decimal
from hedger.core.held_positions import HeldLine
from hedger.core.held_quantity import held_text
from hedger.core.orders import OrderTicket, quantity_text
from hedger.core.planner import HedgeOption, UnderlyingPlan
from hedger.core.position_gap import GapOrder, PositionGap
from hedger.ui import format as fmt
from hedger.ui.hedge.options_model import option_label
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.style import dim, scaled_font, warning_color
from hedger.ui.widgets.wrap_label import WrapLabel

LineKind = Literal["order", "position", "note"]


class TicketLine(NamedTuple):
    """One line of a ticket: ``Sell`` ``0.386 BTC`` ``386 contracts of 0.001 BTC``."""

    verb: str  # "Sell", "Buy"; "Current" or "Target" for a position line
    quantity: str  # in the venue's unit: "0.386 BTC", "37,440 USD", "5 contracts"
    detail: str = ""  # the same order in the other terms, and the contract
    copy_text: str | None = None  # exactly what goes into the order form's quantity field
    problems: tuple[str, ...] = ()  # why the venue would refuse it
    nearest: str | None = None  # the nearest valid order, in words ("0.002 BTC")
    nearest_copy: str | None = None  # and what to type for it
    kind: LineKind = "order"


def order_line(t: OrderTicket) -> TicketLine:
    """The ticket line of one core order: quantity in the venue's unit, count beside it."""
    verb = "Sell" if t.side == "sell" else "Buy"
    detail = f"{t.detail} · {t.contract.name}"
    if t.order_unit != "contracts" or t.step != 1:
        detail += f" · step {quantity_text(t.contract, t.step)}"
    nearest_copy = None if t.nearest is None else fmt_decimal(t.nearest)
    return TicketLine(
        verb=verb,
        quantity=t.quantity_text,
        detail=detail,
        copy_text=t.copy_text,
        problems=t.problems,
        nearest=t.nearest_text,
        nearest_copy=nearest_copy,
    )


def option_lines(option: HedgeOption) -> list[TicketLine]:
    return [order_line(t) for t in option.orders]


def gap_line(order: GapOrder) -> TicketLine:
    """A gap order as a ticket line: ``Sell 2 more contracts``, ``Buy back 0.5 BTC``, with
    what it does to the position held beside the other terms."""
    line = order_line(order.ticket)
    quantity = line.quantity
    if order.action == "add":
        number, _, unit = quantity.partition(" ")
        quantity = f"{number} more {unit}"
    where = "" if order.on_family else " · another family's position, on its own venue"
    return line._replace(
        verb=order.verb, quantity=quantity, detail=f"{order.effect}{where} · {line.detail}"
    )


def held_line(line: HeldLine) -> TicketLine:
    """A held position above the orders: ``Held −3 contracts (−0.3 BTC)`` of the contract."""
    pos = line.position
    c = line.contract
    amount = held_text(c, pos.quantity) if c is not None else f"{fmt_decimal(pos.quantity)}"
    name = c.name if c is not None else pos.contract
    detail = name + (f" · {pos.account}" if pos.account else "")
    if c is None:
        detail += " · not in the catalog"
    elif not line.on_family:
        detail += " · another family: counted as exposure covered"
    return TicketLine(verb="Held", quantity=amount, detail=detail, kind="position")


MAX_HELD_LINES = 3


def gap_lines(gap: PositionGap) -> list[TicketLine]:
    """What is held (the first few positions), then the orders that close the gap."""
    held = [*gap.held, *gap.other]
    lines = [held_line(line) for line in held[:MAX_HELD_LINES]]
    if len(held) > MAX_HELD_LINES:
        more = len(held) - MAX_HELD_LINES
        lines.append(
            TicketLine("and", f"{more} more position{'s' if more != 1 else ''}", kind="note")
        )
    return lines + [gap_line(o) for o in gap.orders]


def gap_words(gap: PositionGap, option: HedgeOption | None) -> str:
    """What the orders leave, and the whole hedge from zero as context."""
    if gap.orders:
        parts = [f"After the orders: hedges {fmt.usd(gap.hedged_usd)}"]
    else:
        parts = [f"Nothing to trade: the positions held hedge {fmt.usd(gap.current_hedged_usd)}"]
    residual = gap.residual_usd
    if residual >= 0:
        parts.append(f"{fmt.money(residual)} USD under the target")
    else:
        parts.append(f"over by {fmt.money(-residual)} USD")
    if gap.both_legs:
        parts.append("both orders are needed, one on each position")
    if option is not None and option.orders:
        whole = " + ".join(t.quantity_text for t in option.orders)
        parts.append(f"the whole hedge from zero would be {whole}")
    return " · ".join(parts)


def result_words(option: HedgeOption) -> str:
    """What the order hedges and leaves: by rounding, and outside the target."""
    parts = [f"Hedges {fmt.usd(option.hedged_usd)}"]
    residual = option.residual_usd
    if residual >= 0:
        parts.append(f"{fmt.money(residual)} USD left unhedged by rounding")
    else:
        parts.append(f"over-hedged by {fmt.money(-residual)} USD by rounding")
    if option.untargeted_usd > 0 and option.target_basis:
        parts.append(
            f"{fmt.money(option.untargeted_usd)} USD not targeted by {option.target_basis}"
        )
    return " · ".join(parts)


class _LineRow:
    """The widgets of one ticket line (reused while typing: only texts change)."""

    def __init__(self, grid: QGridLayout, row: int, owner: OrderTicketView) -> None:
        self.order = QLabel()
        self.order.setObjectName("ticketOrder")
        self._order_font = scaled_font(owner, 1.25, bold=True)
        self._plain_font = scaled_font(owner, 1.1)
        self.order.setFont(self._order_font)
        self.kind: LineKind = "order"
        self.order.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = dim(WrapLabel())
        self.detail.setObjectName("ticketDetail")
        self.detail.setFont(scaled_font(owner, 0.9))
        self.copy = QToolButton()
        self.copy.setObjectName("copyQuantity")
        self.copy.setText("Copy")
        self.copy.clicked.connect(lambda: owner.copy_text(self.copy_text, self.copy))
        self.problem = WrapLabel()
        self.problem.setObjectName("ticketProblem")
        self.problem.setFont(scaled_font(owner, 0.9))
        self.copy_nearest = QToolButton()
        self.copy_nearest.setObjectName("copyNearest")
        self.copy_nearest.clicked.connect(
            lambda: owner.copy_text(self.nearest_copy, self.copy_nearest)
        )
        self.copy_text: str | None = None
        self.nearest_copy: str | None = None
        # The order big, its Copy button beside it; the other terms and any
        # problem under it, the nearest valid order's Copy beside the problem.
        top = 3 * row
        grid.addWidget(self.order, top, 0, Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.copy, top, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.detail, top + 1, 0, 1, 2)
        grid.addWidget(self.problem, top + 2, 0)
        grid.addWidget(self.copy_nearest, top + 2, 1, Qt.AlignmentFlag.AlignTop)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.order, self.detail, self.copy, self.problem, self.copy_nearest)

    def show_line(self, line: TicketLine | None, copyable: bool) -> None:
        if line is None:
            for w in self.widgets():
                _set_visible(w, False)
            return
        # Only what changed is touched: this runs on every edit while typing.
        if line.kind != self.kind:
            # An order stands out; a position or a note above it is context.
            self.kind = line.kind
            self.order.setFont(self._order_font if line.kind == "order" else self._plain_font)
        _set_text(self.order, f"{line.verb} {line.quantity}")
        _set_text(self.detail, line.detail)
        _set_visible(self.order, True)
        _set_visible(self.detail, bool(line.detail))
        self.copy_text = line.copy_text
        _set_visible(self.copy, line.copy_text is not None)
        self.copy.setEnabled(copyable)
        if line.copy_text is not None:
            tip = f"Copy {line.copy_text}: the quantity to type into the venue's order form"
            if self.copy.toolTip() != tip:
                self.copy.setToolTip(tip)
                self.copy.setAccessibleName(f"Copy quantity {line.copy_text}")
        problem = "; ".join(line.problems)
        if line.nearest:
            problem += f" — nearest valid order: {line.verb} {line.nearest}"
        _set_text(self.problem, f"⚠ {problem}" if problem else "")
        _set_visible(self.problem, bool(problem))
        self.nearest_copy = line.nearest_copy
        has_nearest = bool(line.problems) and line.nearest_copy is not None
        _set_visible(self.copy_nearest, has_nearest)
        if has_nearest:
            self.copy_nearest.setText(f"Copy {line.nearest_copy}")
            self.copy_nearest.setToolTip("Copy the nearest order the venue accepts")


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _set_visible(widget: QWidget, visible: bool) -> None:
    if widget.isHidden() == visible:
        widget.setVisible(visible)


class OrderTicketView(Card):
    """Caption, order lines with Copy buttons, and what the order hedges and leaves."""

    # The text put on the clipboard: a quantity, or the whole order in words.
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, accent=True)
        self.setObjectName("orderTicket")
        self.caption = dim(QLabel("Recommended order"))
        self.caption.setObjectName("ticketCaption")
        self.caption.setFont(scaled_font(self, 0.9, bold=True))
        self.summary = WrapLabel()
        self.summary.setObjectName("ticketSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(0, 1)
        self._rows: list[_LineRow] = []
        self._lines: tuple[TicketLine, ...] = ()
        self._sentence = ""
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(1500)
        self._restore.timeout.connect(self._restore_buttons)
        self._copied_button: QToolButton | None = None
        self._copied_text = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 8, 10, 8)
        lay.setSpacing(4)
        lay.addWidget(self.caption)
        lay.addLayout(self._grid)
        lay.addWidget(self.summary)
        lay.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.copy_order_action = QAction("Copy Order as Text", self)
        self.copy_order_action.triggered.connect(lambda: self.copy_text(self._sentence, None))

    # -- content -------------------------------------------------------------------
    @property
    def lines(self) -> tuple[TicketLine, ...]:
        return self._lines

    @property
    def sentence(self) -> str:
        """The whole order in words (``HedgeOption.order_text``): tooltip and Copy as Text."""
        return self._sentence

    def line_rows(self) -> list[_LineRow]:
        return self._rows[: len(self._lines)]

    def set_ticket(
        self,
        caption: str,
        lines: Sequence[TicketLine],
        summary: str,
        sentence: str = "",
        copyable: bool = True,
    ) -> None:
        """Show ``lines`` (none: ``summary`` says why there is no order)."""
        if self.caption.text() != caption:
            self.caption.setText(caption)
        self._lines = tuple(lines)
        while len(self._rows) < len(self._lines):
            self._rows.append(_LineRow(self._grid, len(self._rows), self))
            self._colour_problems()
        for i, row in enumerate(self._rows):
            row.show_line(self._lines[i] if i < len(self._lines) else None, copyable)
        if self.summary.text() != summary:
            self.summary.setText(summary)
        if sentence != self._sentence:
            self._sentence = sentence
            self.setToolTip(sentence)
        self.copy_order_action.setEnabled(bool(sentence))
        self.set_accent(copyable and bool(self._lines))

    def show_plan(self, u: UnderlyingPlan, option: HedgeOption | None) -> None:
        """The order for ``u``: from the positions held when there are any (the order
        that closes the gap), else ``option``'s (the selected one, or the recommended)."""
        g = u.position_gap
        held = g is not None and g.holds_anything
        picked = option is not None and option.name != u.recommended
        if held and not picked:
            assert g is not None
            self._show_gap(u, g)
            return
        if option is None:
            self.set_ticket("No order", [], "No contract in this family can hedge it.", "", False)
            return
        if u.target_usd == 0:
            self.set_ticket("No order", [], zero_target_words(u), "", False)
            return
        if held:
            caption = f"From zero · {option_label(option)} — you hold positions: not the order"
        elif picked:
            caption = f"Selected order · {option_label(option)}"
        else:
            caption = "Recommended order"
        sentence = option.order_text(u.leverage)
        if not option.trades:
            self.set_ticket(caption, [], sentence, sentence, False)
            return
        self.set_ticket(
            caption, option_lines(option), result_words(option), sentence, copyable=not held
        )

    def _show_gap(self, u: UnderlyingPlan, g: PositionGap) -> None:
        if not g.orders:
            caption = "No order: you hold the target"
        elif g.both_legs:
            caption = "Orders from what you hold · both are needed"
        else:
            caption = (
                "Order from what you hold" if len(g.orders) == 1 else "Orders from what you hold"
            )
        self.set_ticket(
            caption,
            gap_lines(g),
            gap_words(g, u.recommended_option),
            g.order_words,
            copyable=bool(g.orders),
        )

    def _colour_problems(self) -> None:
        pal = QPalette(self.palette())
        pal.setColor(QPalette.ColorRole.WindowText, warning_color(pal))
        for row in self._rows:
            row.problem.setPalette(pal)

    # -- copying ---------------------------------------------------------------------
    def copy_text(self, text: str | None, button: QToolButton | None) -> None:
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self._restore_buttons()
        if button is not None:
            self._copied_button, self._copied_text = button, button.text()
            button.setText("Copied")
            self._restore.start()
        self.copied.emit(text)

    def _restore_buttons(self) -> None:
        if self._copied_button is not None:
            self._copied_button.setText(self._copied_text)
            self._copied_button = None

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.copy_order_action)
        menu.exec(self.mapToGlobal(pos))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_problems()


def zero_target_words(u: UnderlyingPlan) -> str:
    """Why there is no order at a 0 USD target: the target, not the exposure, is 0."""
    exposure = abs(u.exposure_usd)
    if not exposure:
        return "Nothing to hedge: the exposure is 0 USD."
    if u.target_source == "usd":
        why = "your dollar target is 0 USD"
    else:
        why = f"your ratio is {fmt.money(u.ratio * 100)} %"
    return f"No order: {why}, so none of the {fmt.usd(exposure)} exposure is hedged."


__all__ = [
    "OrderTicketView",
    "TicketLine",
    "gap_line",
    "gap_lines",
    "option_lines",
    "order_line",
    "result_words",
    "zero_target_words",
]
