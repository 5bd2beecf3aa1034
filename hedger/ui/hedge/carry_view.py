"""The carry of the shown hedge option, in one line beside the underlying tabs.

``CarryCard``: the horizon, then the total cost over it (and per year), the
funding expected (with its range) or the basis, the fees, and the next roll
and expiry of a dated contract; a part that is not known is named in amber.
Every part's tooltip has the service's words for it. ``CarrySection``
(``carry_section.py``) puts it in the panel.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from hedger.ui import format as fmt
from hedger.ui.hedge.carry_state import MAX_HORIZON_DAYS, MAX_ROLL_DAYS, CarryState
from hedger.ui.widgets.style import blend, dim, is_dark_palette, scaled_font, warning_color

if TYPE_CHECKING:
    from hedger.core.carry import CarryLine

CARRY_TIP = (
    "What holding the hedge costs over the horizon: fees − funding − basis, in USD "
    "(negative: the hedge earns). Funding is expected from the stored history's last 30 "
    "days (a positive rate: longs pay shorts, so a short receives it); the basis F/S − 1 of "
    "a dated contract converges to zero by expiry. A part that is not known is named and "
    "left out (marked *), never counted as zero."
)


def earn_color(palette: QPalette | None = None) -> QColor:
    """Money received: green that reads on light and dark bases."""
    return QColor("#3fb950") if is_dark_palette(palette) else QColor("#1a7f37")


def short_date(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def day_month(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def cost_text(line: CarryLine) -> str:
    """``56`` / ``−2,569``, with ``*`` when a part is not counted."""
    text = fmt.money(line.total_cost_usd, 0)
    return text + ("*" if line.missing else "")


def signed_usd(value: Any) -> str:
    return f"{fmt.signed_money(value, 0)} USD"


def pct2(value: Decimal) -> str:
    """A percentage with two decimals always (columns line up): ``−3.50 %``."""
    q = value.quantize(Decimal("0.01"))
    return f"{fmt.money(q if q else abs(q), 2)} %"


def per_year(line: CarryLine) -> str:
    rate = line.annual_rate
    return fmt.DASH if rate is None else f"{pct2(rate * 100)}/yr"


# --------------------------------------------------------------------------- the card


class _DetailLabel(QLabel):
    """A secondary text that gives way when the line is short: shown whole or not at all."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.fontMetrics().horizontalAdvance(self.text()) <= self.width():
            super().paintEvent(event)


class _Separator(QWidget):
    """A thin vertical rule between two parts of the line."""

    def __init__(self) -> None:
        super().__init__()
        self.setFixedWidth(9)

    def paintEvent(self, event: QPaintEvent) -> None:
        pal = self.palette()
        painter = QPainter(self)
        ink = pal.color(QPalette.ColorRole.WindowText)
        painter.setPen(blend(pal.color(QPalette.ColorRole.Window), ink, 0.2))
        x = self.width() // 2
        painter.drawLine(x, 4, x, self.height() - 4)


class _Figure(QWidget):
    """One part of the carry in a line: a dim caption, a bold value, a dim detail."""

    def __init__(self, caption: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.caption = dim(QLabel(caption))
        self.value = QLabel(fmt.DASH)
        self.value.setFont(scaled_font(self, 1.0, bold=True))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Details are secondary: a narrow window cuts them, never the values.
        self.detail = dim(_DetailLabel(""))
        self.detail.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(5)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        self._tone: str | None = None

    def set(
        self,
        caption: str,
        value: str,
        detail: str = "",
        tip: str = "",
        tone: str | None = None,
    ) -> None:
        """``tone``: "earn" (green value), "warn" (amber value) or None."""
        self.caption.setText(caption)
        self.value.setText(value)
        self.detail.setText(detail)
        self.caption.setVisible(bool(caption))
        self.setToolTip(tip)
        self._tone = tone
        self.restyle()

    def least_width(self) -> int:
        """Caption and value: what the figure needs to say anything."""
        w = self.value.sizeHint().width()
        if self.caption.text():
            w += self.caption.sizeHint().width() + 5
        return w

    def full_width(self) -> int:
        w = self.least_width()
        if self.detail.text():
            w += self.detail.sizeHint().width() + 5
        return w

    def restyle(self) -> None:
        pal = QPalette(self.palette())
        color = (
            earn_color(pal)
            if self._tone == "earn"
            else warning_color(pal)
            if self._tone == "warn"
            else None
        )
        if color is None:
            self.value.setPalette(QPalette())
        else:
            pal.setColor(QPalette.ColorRole.WindowText, color)
            self.value.setPalette(pal)


class CarryCard(QWidget):
    """The carry of the shown option over the horizon, its parts in one line.

    One line beside the underlying tabs, no taller than they are: at 1280×800
    the whole options table stays in view with a dozen holdings and their
    warnings, and the chart keeps its height.
    """

    compareRequested = Signal()

    def __init__(self, state: CarryState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("carryCard")
        self.state = state
        self._shown: tuple[str, str] | None = None
        self.title = QLabel("Cost to hold")
        self.title.setFont(scaled_font(self, 1.0, bold=True))
        self.horizon = QSpinBox()
        self.horizon.setObjectName("carryHorizon")
        self.horizon.setRange(1, MAX_HORIZON_DAYS)
        self.horizon.setSuffix(" days")
        self.horizon.setToolTip("How long the hedge is held (remembered)")
        # Sized for a year: the widest value's width would crowd the line.
        self.horizon.setFixedWidth(self.horizon.fontMetrics().horizontalAdvance("365 days") + 34)
        self.total = _Figure("", "carryTotal")
        self.part = _Figure("Funding", "carryPart")  # funding (perpetuals) or basis (dated)
        self.fees = _Figure("Fees", "carryFees")
        self.expiry = _Figure("Next roll", "carryExpiry")
        self.compare_button = QPushButton("Compare Venues…")
        self.compare_button.setObjectName("compareVenuesButton")
        self.compare_button.setToolTip(
            "Rank every family that can hedge this coin by what it costs to hold; "
            "refresh funding, type a basis, set the roll days"
        )
        self.compare_button.clicked.connect(self.compareRequested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addWidget(self.horizon)
        lay.addSpacing(4)
        self._separators: list[_Separator] = []
        for i, f in enumerate(self.figures()):
            if i:
                sep = _Separator()
                self._separators.append(sep)
                lay.addWidget(sep)
            lay.addWidget(f)
        lay.addStretch(1)
        lay.addWidget(self.compare_button)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(CARRY_TIP)
        self._wanted: tuple[_Figure, ...] = (self.total,)  # what the content fills
        self._perpetual = False
        self._sync_controls()
        self.horizon.valueChanged.connect(state.set_horizon)
        state.settingsChanged.connect(self._sync_controls)
        state.changed.connect(self.refresh)
        self.refresh()

    def figures(self) -> tuple[_Figure, ...]:
        return (self.total, self.part, self.fees, self.expiry)

    # -- fitting the line -------------------------------------------------------------------
    def _fixed_width(self) -> int:
        lay = self.layout()
        assert lay is not None
        m = lay.contentsMargins()
        return (
            m.left()
            + m.right()
            + self.title.sizeHint().width()
            + self.horizon.width()
            + self.compare_button.sizeHint().width()
            + 4
            + 4 * lay.spacing()
        )

    def _figure_cost(self, i: int, width: int) -> int:
        sep = (self._separators[0].width() + self.layout().spacing()) if i else 0  # type: ignore[union-attr]
        return width + sep + self.layout().spacing()  # type: ignore[union-attr]

    def sizeHint(self) -> QSize:
        w = self._fixed_width()
        for i, f in enumerate(self.figures()):
            if f in self._wanted:
                w += self._figure_cost(i, f.full_width())
        return QSize(w, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        w = self._fixed_width() + self._figure_cost(0, self.total.least_width())
        return QSize(w, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Show what fits: every part's value first (the last parts give way), then
        the details by importance (per year, expiry, funding or basis range)."""
        room = self.width() - self._fixed_width()
        shown: list[_Figure] = []
        for i, f in enumerate(self.figures()):
            cost = self._figure_cost(i, f.least_width())
            show = f in self._wanted and (i == 0 or cost <= room)
            if show:
                room -= cost
                shown.append(f)
            f.setVisible(show)
            if i:
                self._separators[i - 1].setVisible(show)
        # A perpetual's funding range says more than "perpetual"; a dated contract's
        # expiry more than its basis rate.
        order = (self.part, self.expiry) if self._perpetual else (self.expiry, self.part)
        for f in (self.total, *order, self.fees):
            extra = f.full_width() - f.least_width()
            fits = f in shown and bool(f.detail.text()) and extra <= room
            if fits:
                room -= extra
            f.detail.setVisible(fits)

    def _sync_controls(self) -> None:
        if self.horizon.value() != self.state.horizon_days:
            blocked = self.horizon.blockSignals(True)
            self.horizon.setValue(self.state.horizon_days)
            self.horizon.blockSignals(blocked)

    def show_option(self, underlying: str, option: str) -> None:
        self._shown = (underlying, option) if underlying and option else None
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for f in self.figures():
                f.restyle()

    def text(self) -> str:
        """The line as plain text (tests, accessibility)."""
        parts = []
        for f in self.figures():
            if f.isVisible() or not self.isVisible():
                words = (f.caption.text(), f.value.text(), f.detail.text())
                parts.append(" ".join(w for w in words if w))
        return " · ".join(parts)

    # -- filling ------------------------------------------------------------------------
    def refresh(self) -> None:
        line = self.state.line(*self._shown) if self._shown is not None else None
        if line is None:
            self._show_waiting(self._problem())
            return
        words = "\n".join(f"• {w}" for w in line.words)
        venue = f"{line.venue} ({line.venue_info.label})"
        self.setToolTip(f"{line.family_name}, {venue}, {line.option}: {line.summary()}\n{words}")
        self._wanted = self.figures()
        self._perpetual = line.expiry == "perpetual"
        self._fill_total(line)
        if line.expiry != "perpetual":
            self._fill_basis(line)
        else:
            self._fill_funding(line)
        self._fill_fees(line)
        self._fill_expiry(line)
        self.updateGeometry()
        self._fit()

    def _problem(self) -> str | None:
        result = self.state.result
        if result is None or result.problem:
            return result.problem if result is not None else None
        u = result.carry.underlying(self._shown[0]) if result.carry and self._shown else None
        return u.problem if u is not None else None

    def _show_waiting(self, problem: str | None) -> None:
        started = self.state.started
        if problem:
            self.total.set("", "Not known", problem, problem, "warn")
        elif started and self.state.result is not None:
            self.total.set("", fmt.DASH, "nothing to hold")
        else:
            self.total.set("", "…", "working it out")
        self._wanted = (self.total,)
        self.updateGeometry()
        self._fit()

    def _fill_total(self, line: CarryLine) -> None:
        cost = line.total_cost_usd
        if not line.hedged_usd:
            self.total.set("", "Nothing hedged", "no contracts in this option", line.summary())
            return
        verb = "Earns" if cost < 0 else "Costs"
        places = 2 if abs(cost) < 100 else 0
        value = f"{verb} {fmt.money(abs(cost), places)} USD" + ("*" if line.missing else "")
        detail = per_year(line)
        tone = "warn" if line.missing else ("earn" if cost < 0 else None)
        self.total.set("", value, detail, line.summary(), tone)

    def _fill_funding(self, line: CarryLine) -> None:
        words = _words(line, "funding")
        part = line.funding
        if part is None:
            tip = f"{words}\nCompare Venues ▸ Refresh Funding downloads it."
            self.part.set("Funding", "not stored", "", tip, "warn")
            return
        low, high = sorted((part.low_usd, part.high_usd))
        detail = f"{fmt.money(low, 0)} to {fmt.money(high, 0)}"
        self.part.set(
            "Funding", signed_usd(part.usd), detail, words, "earn" if part.usd > 0 else None
        )

    def _fill_basis(self, line: CarryLine) -> None:
        words = _words(line, "basis")
        part = line.basis
        if part is None:
            reason = next((m for m in line.missing if m.startswith("basis")), "basis")
            value = "not typed" if "not typed" in reason else "not known"
            tip = f"{words}\nType it in Compare Venues (no free public price for {line.venue})."
            self.part.set("Basis", value, "", tip, "warn")
            return
        detail = f"{pct2(part.annual * 100)}/yr"
        self.part.set(
            "Basis", signed_usd(part.usd), detail, words, "earn" if part.usd > 0 else None
        )

    def _fill_fees(self, line: CarryLine) -> None:
        places = 2 if line.fees_usd < 100 else 0
        value = f"{fmt.money(line.fees_usd, places)} USD"
        self.fees.set("Fees", value, "", _words(line, "fees"))

    def _fill_expiry(self, line: CarryLine) -> None:
        plan = line.rolls
        if line.expiry == "perpetual":
            self.expiry.set("Expiry", "none", "perpetual", _words(line, "funding"))
            return
        if plan is None:
            self.expiry.set("Expiry", "unknown", "", _words(line, "roll"), "warn")
            return
        words = _words(line, "roll")
        if plan.rolls:
            first = plan.rolls[0]
            detail = f"expires {day_month(first.from_expiry)}"
            self.expiry.set("Next roll", day_month(first.day), detail, words)
        else:
            detail = f"no roll in {line.horizon_days} d"
            self.expiry.set("Expiry", short_date(plan.first_expiry), detail, words)


def _words(line: CarryLine, topic: str) -> str:
    """The line's sentences about ``topic`` (funding, basis, roll, fees)."""
    keys = {
        "funding": ("funding",),
        "basis": ("basis",),
        "roll": ("roll", "expir", "calendar"),
        "fees": ("fees",),
    }[topic]
    return "\n".join(w for w in line.words if any(k in w for k in keys))


def roll_spin() -> QSpinBox:
    """Business days before expiry a dated hedge rolls; the lowest value is each rule's own."""
    spin = QSpinBox()
    spin.setObjectName("carryRollDays")
    spin.setRange(-1, MAX_ROLL_DAYS)
    spin.setSpecialValueText("default")
    spin.setSuffix(" bd before")
    spin.setToolTip(
        "Business days before expiry a dated hedge is rolled into the next contract "
        "(default: each calendar's own, 5 for CME monthly contracts)"
    )
    return spin
