"""Margin and collateral of the shown option: the rule that sets the margin, in words,
where the hedge is liquidated, and the collateral that carries it through a rally.

The margin is the larger of notional / leverage and what the venue asks
(``hedger.core.margin``); the words say which applies. The collateral plan
(``hedger.core.collateral``) asks how far a rally must not liquidate the
hedge (30 % unless the user says otherwise) and, for the collateral the user
says they will post, where the hedge is liquidated: "none" when it cannot be.
Isolated or cross margin per underlying; retail or professional account
where the venue has both (Kraken).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hedger.core.collateral import CollateralPlan
from hedger.core.decimals import fmt_decimal
from hedger.core.margin_tiers import tables_of
from hedger.core.planner import HedgeOption, UnderlyingPlan
from hedger.ui import format as fmt
from hedger.ui.document.document import EditRefused, PortfolioDocument
from hedger.ui.hedge.entries import EntryField, entry, parse_rally, share_text, usd_parser
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim, error_color, scaled_font, warning_color
from hedger.ui.widgets.wrap_label import WrapLabel

NONE_TEXT = "none"
MODE_TIPS = {
    "isolated": "Isolated margin: only the margin posted for this hedge backs it",
    "cross": "Cross margin: the account's collateral backs the hedge; say how much below",
}
POST_TIP = (
    "The collateral you will keep behind this hedge, in USD. The liquidation price "
    "is for this amount; empty = the posted initial margin only."
)
RALLY_TIP = (
    "The rise (a fall, for a long hedge) the collateral must carry the hedge through: "
    "30% or 0.3. A bare 30 is refused: it would mean 3,000 %."
)


def rule_words(words: str) -> str:
    """Which rule sets the margin (``MarginBreakdown.words``), without the amount the
    card already shows big."""
    _, sep, rest = words.partition(": ")
    text = rest if sep else words
    return text[:1].upper() + text[1:]


AT_ONCE_TEXT = "at once: below the venue's initial margin"


def liquidation_words(option: HedgeOption, price: Decimal | None, near: bool = False) -> str:
    """``≈ 104,582 (+49.4 %)``, ``none`` when the hedge cannot be liquidated, or ``at
    once`` when the collateral kept is below what the venue asks to open it."""
    outcome = option.liquidation
    if outcome is not None and outcome.state == "at_once":
        return AT_ONCE_TEXT
    liq = option.liquidation_price
    if liq is None:
        return f"{NONE_TEXT}: it cannot be liquidated" if option.trades else fmt.DASH
    shown = fmt.money(liq) if abs(liq) >= 1000 else fmt.price(liq)
    if not price:
        return f"≈ {shown}"
    move = (liq / price - 1) * 100
    tail = " · near" if near else ""
    return f"≈ {shown} ({fmt.signed_pct(move)}){tail}"


def collateral_words(plan: CollateralPlan) -> str:
    """``10,727.50 USD`` (linear) or ``0.1532 BTC ≈ 10,728 USD`` (inverse)."""
    if plan.kind == "inverse":
        return f"{fmt_decimal(plan.needed, 6)} {plan.coin} ≈ {fmt.usd(plan.needed_usd)}"
    return fmt.usd(plan.needed_usd, 2)


def keep_words(plan: CollateralPlan) -> str:
    """What to keep ready: the rally's figure, or the margin when opening needs more
    (``18,850 USD to open (30 % rally: 0.0920 BTC ≈ 8,929 USD)``)."""
    if plan.to_open_usd <= plan.needed_usd:
        return collateral_words(plan)
    what = "rally" if plan.side == "short" else "fall"
    return (
        f"{fmt.usd(plan.to_open_usd)} to open ({fmt_decimal(plan.move * 100, 1)} % {what}: "
        f"{collateral_words(plan)})"
    )


def _kept(collateral: Decimal | None) -> str:
    return "the posted margin" if collateral is None else f"the {fmt.usd(collateral)} you keep"


def has_account_classes(option: HedgeOption | None) -> bool:
    """The venue has separate retail and professional margin (Kraken)."""
    if option is None:
        return False
    return any(
        t.account is not None for leg in option.legs for t in tables_of(leg.contract.margin_tables)
    )


class MarginView(Card):
    """The margin card of the hedge panel, bound to a document."""

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("marginCard")
        self._doc = document
        self._underlying: str | None = None
        self._errors: dict[str, str] = {}
        self._warned: dict[QLabel, bool] = {}
        self._build()

    # -- construction ---------------------------------------------------------------
    def _build(self) -> None:
        self.caption = dim(QLabel("Margin"))
        self.caption.setFont(scaled_font(self, 0.9, bold=True))
        self.mode = SegmentedControl(
            [
                ("isolated", "Isolated", MODE_TIPS["isolated"]),
                ("cross", "Cross", MODE_TIPS["cross"]),
            ]
        )
        self.mode.setObjectName("marginMode")
        self.mode.activated.connect(self._on_mode)
        self.account = SegmentedControl(
            [
                ("retail", "Retail", "Retail account: the venue's retail margin levels"),
                ("professional", "Pro", "Professional account: the venue's professional levels"),
            ]
        )
        self.account.setObjectName("accountClass")
        self.account.activated.connect(self._on_account)
        self.account.hide()
        self.value = QLabel()
        self.value.setObjectName("marginValue")
        self.value.setFont(scaled_font(self, 1.2, bold=True))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignBaseline)
        head.addWidget(self.value, 1, Qt.AlignmentFlag.AlignBaseline)
        head.addWidget(self.account)
        head.addWidget(self.mode)
        self.rule = dim(WrapLabel())
        self.rule.setObjectName("marginRule")
        self.rule.setFont(scaled_font(self, 0.85))
        self.liquidation = WrapLabel()  # wraps rather than widening the panel
        self.liquidation.setObjectName("liquidationText")

        self.rally_edit = entry("rallyEdit", "30%", "Rally the collateral must survive", "000.0%")
        self.rally_edit.setToolTip(RALLY_TIP)
        self.rally_result = WrapLabel()
        self.rally_result.setObjectName("collateralNeeded")
        self.post_edit = entry(
            "collateralEdit", "= margin", "Collateral you will post", "00,000,000"
        )
        self.post_edit.setToolTip(POST_TIP)
        self.post_result = WrapLabel()
        self.post_result.setObjectName("postedLiquidation")
        self.error = WrapLabel()
        self.error.setObjectName("marginErrors")
        self.error.hide()

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.addWidget(dim(QLabel("Liquidation")), 0, 0)
        grid.addWidget(self.liquidation, 0, 1, 1, 2)
        self.rally_label = dim(QLabel("Rally"))  # "Fall" for a long hedge
        grid.addWidget(self.rally_label, 1, 0)
        grid.addWidget(self.rally_edit, 1, 1)
        grid.addWidget(self.rally_result, 1, 2)
        grid.addWidget(dim(QLabel("Collateral")), 2, 0)
        grid.addWidget(self.post_edit, 2, 1)
        grid.addWidget(self.post_result, 2, 2)
        grid.setColumnStretch(2, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 10, 6)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addWidget(self.rule)
        lay.addLayout(grid)
        lay.addWidget(self.error)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self._wire_entries()

    def _wire_entries(self) -> None:
        self.rally = EntryField(
            "rally",
            self.rally_edit,
            parse_rally,
            lambda v, key: self._edit_hedge("rally", v, "Change Rally", key),
            self._report,
            scope=lambda: self._underlying,
            on_restore=self._restore,
            parent=self,
        )
        self.posted = EntryField(
            "collateral_usd",
            self.post_edit,
            usd_parser("Collateral", positive=False),
            lambda v, key: self._edit_underlying("collateral_usd", v, "Change Collateral", key),
            self._report,
            scope=lambda: self._underlying,
            on_restore=self._restore,
            empty=None,
            parent=self,
        )

    # -- showing ----------------------------------------------------------------------
    def show_option(self, u: UnderlyingPlan, option: HedgeOption | None) -> None:
        """Margin, liquidation and collateral of ``option`` (the shown one) of ``u``."""
        switched = u.underlying != self._underlying
        self._underlying = u.underlying
        if switched:
            self.rally.reset()
            self.posted.reset()
        self.mode.set_current(u.margin_mode)
        self.account.set_current(self._doc.portfolio.hedge.account)
        accounts = has_account_classes(option)
        if self.account.isHidden() == accounts:
            self.account.setVisible(accounts)
        self.rally.set_text(share_text(u.rally), switched)
        posted = u.collateral_usd
        self.posted.set_text(fmt.grouped(posted) if posted is not None else "", switched)
        g = u.position_gap
        caption = "Margin · from zero" if g is not None and g.holds_anything else "Margin"
        self._set(self.caption, caption)
        self.caption.setToolTip(
            "The whole hedge from nothing held; the held positions' margin and liquidation "
            "are under Your position"
            if caption != "Margin"
            else ""
        )
        m = option.margin if option is not None else None
        if option is None or m is None or not option.trades:
            self._show_nothing()
            return
        self._set(self.value, fmt.usd(m.initial_usd, fmt.money_places(m.initial_usd)))
        words = m.words
        tip = "\n".join((words, *m.sources))
        if self.value.toolTip() != tip:
            self.value.setToolTip(tip)
        self._set(self.rule, rule_words(words))
        self._warn(self.rule, m.rule == "venue")
        near = any(w.startswith("Liquidation near") for w in option.warnings)
        outcome = option.liquidation
        at_once = outcome is not None and outcome.state == "at_once"
        self._set(self.liquidation, liquidation_words(option, u.futures_price, near))
        self._warn(self.liquidation, near or at_once)
        tip = next((w for w in option.warnings if w.startswith("Liquidation near")), "")
        if at_once and outcome is not None:
            tip = outcome.reason_for(_kept(u.collateral_usd))
            tip = tip[:1].upper() + tip[1:]
        if self.liquidation.toolTip() != tip:
            self.liquidation.setToolTip(tip)
        self._show_collateral(option.collateral)

    def _show_collateral(self, plan: CollateralPlan | None) -> None:
        for w in (self.rally_edit, self.post_edit):
            w.setEnabled(plan is not None)
        if plan is None:
            self._set(self.rally_result, "")
            self._set(self.post_result, "")
            return
        what = "rally" if plan.side == "short" else "fall"
        self._set(self.rally_label, what.capitalize())
        self._set(self.rally_result, f"→ keep {keep_words(plan)}")
        if self.rally_result.toolTip() != plan.words:
            self.rally_result.setToolTip(plan.words)
        if plan.posted_usd is None:
            self._set(self.post_result, "USD")
            self._warn(self.post_result, False)
            self.post_result.setToolTip(POST_TIP)
            return
        outcome = plan.posted_outcome
        liq = plan.posted_liquidation
        if outcome is not None and outcome.state == "at_once":
            where = AT_ONCE_TEXT
        else:
            where = NONE_TEXT if liq is None else fmt.price(liq)
        self._set(self.post_result, f"USD → liquidation {where}")
        self._warn(self.post_result, plan.posted_covers is False)
        short = (
            f"\n{fmt.usd(plan.posted_usd)} is less than the {fmt.usd(plan.keep_usd)} "
            f"a {fmt_decimal(plan.move * 100, 1)} % {what} and opening need."
            if plan.posted_covers is False
            else ""
        )
        self.post_result.setToolTip(plan.words + short)

    def _show_nothing(self) -> None:
        self._set(self.value, fmt.DASH)
        self.value.setToolTip("")
        self._set(self.rule, "No margin: no contract is traded.")
        self._warn(self.rule, False)
        self._set(self.liquidation, fmt.DASH)
        self._warn(self.liquidation, False)
        self._show_collateral(None)

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    def _warn(self, label: QLabel, warn: bool) -> None:
        if self._warned.get(label) == warn:
            return
        self._warned[label] = warn
        if warn:
            pal = QPalette(self.palette())
            pal.setColor(QPalette.ColorRole.WindowText, warning_color(pal))
            label.setPalette(pal)
            label.setForegroundRole(QPalette.ColorRole.WindowText)
        else:
            label.setPalette(QPalette())
            if label is self.rule:
                dim(label)

    # -- edits ------------------------------------------------------------------------
    def _edit_underlying(self, field: str, value: object, text: str, key: str) -> str | None:
        if self._underlying is None:
            return "no underlying"
        try:
            self._doc.set_underlying_setting(self._underlying, field, value, text, merge_key=key)
        except EditRefused as exc:
            return str(exc)
        return None

    def _edit_hedge(self, field: str, value: object, text: str, key: str) -> str | None:
        try:
            self._doc.set_hedge_field(field, value, text, merge_key=key)
        except EditRefused as exc:
            return str(exc)
        return None

    def _on_mode(self, mode: str) -> None:
        self._edit_underlying("margin_mode", mode, "Change Margin Mode", "")

    def _on_account(self, account: str) -> None:
        self._edit_hedge("account", account, "Change Account Class", "")

    def _restore(self) -> None:
        """Show the values in force as the fields write them (after Enter, or emptied)."""
        plan = self._doc.plan.underlying(self._underlying) if self._underlying else None
        if plan is not None:
            self.rally.set_text(share_text(plan.rally))
            posted = plan.collateral_usd
            self.posted.set_text(fmt.grouped(posted) if posted is not None else "")

    def commit_pending(self) -> None:
        for f in (self.rally, self.posted):
            if f.pending:
                f.commit()

    def _report(self, key: str, message: str | None) -> None:
        if message:
            self._errors[key] = message
        else:
            self._errors.pop(key, None)
        text = "\n".join(self._errors.values())
        if self.error.text() != text:
            self.error.setText(text)
            pal = QPalette(self.palette())
            pal.setColor(QPalette.ColorRole.WindowText, error_color(pal))
            self.error.setPalette(pal)
        self.error.setVisible(bool(text))

    @property
    def error_text(self) -> str:
        return self.error.text()
