"""Sizing tab: how many contracts of each size risk a chosen share of equity.

It leads with what the count means for the account ("Buying 3 × CME Micro
Bitcoin (MBT) keeps your loss at the 68,600 stop to 420 USD, within the
528 USD (1 % of 52,800 USD) you allow; ..."); the rule itself is under Details.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hedger.core.analytics.position_sizing import (
    PositionSizingError,
    SizedOption,
    SizingResult,
    size_position,
)
from hedger.core.analytics.words import sizing_lead
from hedger.core.catalog import CatalogError
from hedger.core.decimals import DecimalParseError, parse_decimal
from hedger.core.percent import parse_share, percent_text
from hedger.ui import format as fmt
from hedger.ui.analytics.base import AnalyticsTab
from hedger.ui.analytics.rows import Column, Row, RowsModel, fit_rows, make_table
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.widgets.cards import Card, OrderLine, StatCard
from hedger.ui.widgets.lead import DetailsSection, LeadCard
from hedger.ui.widgets.message_list import MessageList, Severity
from hedger.ui.widgets.style import dim, section_title
from hedger.ui.widgets.wrap_label import WrapLabel

DEFAULT_RISK = Decimal(1)
RISK_TIP = (
    "Share of equity you accept to lose if the stop is hit: 1% or 0.01 (1 % is usual). "
    "A bare 1 is refused: it would risk all the equity."
)
DEFAULT_STOP_SHARE = Decimal("0.02")
RULE_EXPLAINED = (
    "Contracts = equity × risk % ÷ (|entry − stop| × contract size), rounded down: the "
    "loss if the stop is hit never goes past the budget. For inverse contracts (priced in "
    "the coin) the size is the face value ÷ entry. Smaller contracts use the budget more "
    "fully; the mix combines sizes to get closest to it. Margin is the position's value "
    "÷ leverage; position / equity says how many times your account the position is worth."
)


def _money(value: Decimal | None, places: int = 2) -> str:
    return fmt.money(value, places) if value is not None else fmt.DASH


class SizingTab(AnalyticsTab):
    """The fixed-fractional rule: contracts = floor(equity × risk / (|entry − stop| × size))."""

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.result: SizingResult | None = None
        self.error: str | None = None
        self._families: tuple[tuple[str, str, str], ...] | None = None  # listed in the combo
        self._build()
        self._prefill()
        document.settingsChanged.connect(self._refresh_families)
        document.planChanged.connect(lambda _: self._refresh_families())
        self.recompute()

    # -- construction --------------------------------------------------------------
    def _build(self) -> None:
        self.equity_edit = QLineEdit()
        self.risk_edit = QLineEdit()
        self.entry_edit = QLineEdit()
        self.stop_edit = QLineEdit()
        self.leverage_edit = QLineEdit("10")
        self.family_combo = QComboBox()
        self.family_combo.setObjectName("sizingFamily")
        self.fees_check = QCheckBox("Count fees against the risk")
        tips = {
            self.equity_edit: "Account equity in USD",
            self.risk_edit: RISK_TIP,
            self.entry_edit: "Price you enter at",
            self.stop_edit: "Stop-loss price: below the entry for a long, above for a short",
            self.leverage_edit: "Leverage for the margin (initial margin = notional / leverage)",
        }
        for edit, tip in tips.items():
            edit.setToolTip(tip)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.textChanged.connect(self.recompute)
        self.family_combo.currentIndexChanged.connect(self.recompute)
        self.fees_check.toggled.connect(self.recompute)

        form_card = self._build_form()

        self.cards = {
            "risk": StatCard("Risk budget", "The most you accept to lose at the stop"),
            "stop": StatCard("Stop distance", "|entry − stop|"),
            "side": StatCard("Direction", "Long when the stop is below the entry"),
        }
        cards = QHBoxLayout()
        cards.setSpacing(8)
        for card in self.cards.values():
            cards.addWidget(card)
        self.order = OrderLine()
        self.order.setObjectName("sizingOrder")
        right = QVBoxLayout()
        right.addLayout(cards)
        right.addWidget(self.order)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(form_card, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(right, 1)

        self.model = RowsModel(
            [
                Column("Option", numeric=False),
                Column("Contracts"),
                Column("Loss / contract", tooltip="USD lost per contract if the stop is hit"),
                Column("Loss at stop", tooltip="Contracts × loss per contract (fees apart)"),
                Column("Fees", tooltip="Opening and closing at the contract's fee rate"),
                Column("Notional"),
                Column("Margin", tooltip="Notional / leverage"),
                Column("Position / equity", tooltip="Effective leverage on the account"),
                Column("Liquidation", tooltip="Approximate, isolated margin"),
                Column("Budget used", tooltip="Loss at stop as a share of the risk budget"),
            ]
        )
        self.table = make_table(self.model, stretch_last=False)
        self.table.setObjectName("sizingTable")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.messages = MessageList()
        self.lead = LeadCard()
        self.lead.hide()
        self.details = DetailsSection(tooltip="Show how the number of contracts is worked out")
        self.details.add(dim(WrapLabel(RULE_EXPLAINED)))
        lay = self._page()
        lay.addWidget(section_title("Position size from a risk budget", self))
        lay.addWidget(self.lead)
        lay.addLayout(top)
        # The table is as tall as its rows (four at most); the rest of the tab
        # stays free rather than showing an empty table.
        fit_rows(self.table, 4)
        lay.addWidget(self.table)
        lay.addWidget(self.messages)
        lay.addWidget(self.details)
        lay.addStretch(1)

    def _build_form(self) -> Card:
        """The inputs in a card: equity, risk, entry, stop, contracts, leverage, fees."""
        form_card = Card()
        form = QFormLayout(form_card)
        form.setContentsMargins(14, 12, 14, 12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Equity (USD)", self.equity_edit)
        form.addRow("Risk per trade", self.risk_edit)
        form.addRow("Entry price", self.entry_edit)
        form.addRow("Stop price", self.stop_edit)
        form.addRow("Contracts", self.family_combo)
        form.addRow("Leverage (x)", self.leverage_edit)
        form.addRow("", self.fees_check)
        self.family_combo.setMinimumContentsLength(26)
        form_card.setMaximumWidth(460)
        return form_card

    def _prefill(self) -> None:
        self._refresh_families()
        doc = self.document
        value = doc.portfolio.total_value
        equity = value.quantize(Decimal(1), ROUND_HALF_UP) if value > 0 else Decimal(1000)
        self.equity_edit.setText(fmt.grouped(equity))
        self.risk_edit.setText(percent_text(DEFAULT_RISK / 100))
        entry = self._price_for(self.selected_family_underlying())
        self.entry_edit.setText(fmt.grouped(entry))
        stop = (entry * (1 - DEFAULT_STOP_SHARE)).quantize(Decimal(1), ROUND_HALF_UP)
        self.stop_edit.setText(fmt.grouped(stop))
        self.leverage_edit.setText(fmt.grouped(doc.portfolio.hedge.leverage))
        for edit in (
            self.equity_edit,
            self.risk_edit,
            self.entry_edit,
            self.stop_edit,
            self.leverage_edit,
        ):
            edit.setProperty("filledText", edit.text())

    def _price_for(self, underlying: str | None) -> Decimal:
        plan = self.document.plan
        u = plan.underlying(underlying) if underlying else None
        if u is not None and u.futures_price is not None:
            return u.futures_price
        for h in self.document.portfolio.holdings:
            if h.symbol == underlying:
                return h.price
        return Decimal(70000)

    def _refresh_families(self) -> None:
        catalog = self.document.catalog
        families = tuple(sorted((f.id, f.underlying, f.name) for f in catalog.families.values()))
        if families == self._families:
            return  # every plan change lands here: rebuild the list only when it changed
        self._families = families
        current = self.family_combo.currentData()
        if current is None:
            plan = self.document.plan
            current = next((u.family.id for u in plan.underlyings if u.family), None)
            current = current or catalog.default_family_for("BTC")
        self.family_combo.blockSignals(True)
        self.family_combo.clear()
        for fam in sorted(catalog.families.values(), key=lambda f: (f.underlying, f.name)):
            self.family_combo.addItem(f"{fam.underlying} · {fam.name}", fam.id)
        index = self.family_combo.findData(current)
        self.family_combo.setCurrentIndex(max(index, 0))
        self.family_combo.blockSignals(False)

    def selected_family_underlying(self) -> str | None:
        fid = self.family_combo.currentData()
        if fid is None:
            return None
        try:
            return self.document.catalog.family(str(fid)).underlying
        except CatalogError:
            return None

    # -- computing -----------------------------------------------------------------
    def set_inputs(
        self,
        *,
        equity: str | None = None,
        risk: str | None = None,
        entry: str | None = None,
        stop: str | None = None,
        leverage: str | None = None,
        family: str | None = None,
    ) -> None:
        for edit, text in (
            (self.equity_edit, equity),
            (self.risk_edit, risk),
            (self.entry_edit, entry),
            (self.stop_edit, stop),
            (self.leverage_edit, leverage),
        ):
            if text is not None:
                edit.blockSignals(True)
                edit.setText(text)
                edit.blockSignals(False)
        if family is not None:
            self.family_combo.blockSignals(True)
            self.family_combo.setCurrentIndex(max(self.family_combo.findData(family), 0))
            self.family_combo.blockSignals(False)
        self.recompute()

    def _read(self, edit: QLineEdit, what: str) -> Decimal:
        text = edit.text().strip()
        if text.lower().endswith("x"):
            text = text[:-1]
        # "37,800" as this tab wrote it is grouped thousands; the same shape
        # typed by the user stays ambiguous (decimal comma?) and is refused.
        ours = edit.property("filledText") == edit.text()
        return parse_decimal(text, what=what, thousands_commas=ours)

    def recompute(self) -> None:
        try:
            equity = self._read(self.equity_edit, "equity")
            risk = read_risk(self.risk_edit.text()) * 100
            entry = self._read(self.entry_edit, "entry price")
            stop = self._read(self.stop_edit, "stop price")
            leverage = self._read(self.leverage_edit, "leverage")
            fid = self.family_combo.currentData()
            if fid is None:
                raise PositionSizingError("choose the contracts to trade")
            contracts = self.document.catalog.family_contracts(str(fid))
            self.result = size_position(
                equity,
                risk,
                entry,
                stop,
                contracts,
                leverage,
                include_fees=self.fees_check.isChecked(),
            )
            self.error = None
        except (DecimalParseError, PositionSizingError, CatalogError) as exc:
            self.result = None
            self.error = str(exc)
        self._show()

    def _show(self) -> None:
        r = self.result
        if r is None:
            self.model.set_rows([])
            for card in self.cards.values():
                card.set(fmt.DASH)
            self.order.set_order("Position", self.error or "", False)
            self.messages.set_messages([("error", self.error or "")])
            self.lead.set("")
            return
        self.lead.set(sizing_lead(r))
        self.cards["risk"].set(
            f"{fmt.money(r.risk_usd, 2)} USD",
            f"{fmt.pct(r.risk_percent, 2)} of {fmt.money(r.equity, 0)} USD",
        )
        self.cards["stop"].set(fmt.price(r.stop_distance), f"{fmt.pct(r.stop_percent, 2)} of entry")
        self.cards["side"].set(
            r.side.capitalize(), "stop below entry" if r.side == "long" else "stop above entry"
        )
        self.model.set_rows([self._row(o, r) for o in r.options])
        fit_rows(self.table, self.model.rowCount(), minimum=4)
        rec = r.option(r.recommended) if r.recommended else None
        verb = "Buy" if r.side == "long" else "Sell short"
        if rec is not None:
            self.order.set_order(
                "Largest position within the budget",
                # The order to place; what it means for the account is the lead above.
                f"{verb} {rec.order_text()} at {fmt.price(r.entry)}, stop {fmt.price(r.stop)}",
                True,
            )
        else:
            self.order.set_order(
                "No position fits",
                "Nothing to order: no contract fits the budget at this stop.",
                False,
            )
        messages: list[tuple[Severity, str]] = [("warning", w) for w in r.warnings]
        shown = [rec] if rec is not None else list(r.options)
        for o in shown:
            messages.extend(("warning", w) for w in o.warnings)
        self.messages.set_messages(messages)

    @staticmethod
    def _row(o: SizedOption, r: SizingResult) -> Row:
        name = o.name.capitalize()
        tips = list(o.warnings)
        if o.name == "mix":
            # Short labels fit the column ("Mix · 7 BTC-MINI + 6 BTC-MICRO"); the
            # full order is in the tooltip and in the card above.
            active = [leg for leg in o.legs if leg.contracts]
            parts = " + ".join(f"{leg.contracts:,} {leg.contract.symbol}" for leg in active)
            name = f"Mix · {parts}" if parts else "Mix"
            tips.insert(0, o.order_text())
        elif o.legs:
            name = f"{name} · {o.legs[0].contract.short_label} {o.legs[0].contract.size_text()}"
        return Row(
            (
                name,
                fmt.contracts(o.contracts),
                _money(o.loss_per_contract),
                _money(o.loss_at_stop),
                _money(o.fees),
                _money(o.notional, 0),
                _money(o.margin),
                f"{o.effective_leverage:.2f}x",
                _liquidation(o.liquidation_price, o.contracts),
                fmt.pct(o.risk_used_pct, 0),
            ),
            tooltip="\n".join(tips),
            emphasis=o.name == r.recommended,
            muted=o.contracts == 0,
            key=o.name,
        )


def _liquidation(price: Decimal | None, contracts: int) -> str:
    """The liquidation price; ``none`` (never 0) for a position that cannot be liquidated."""
    if price is not None:
        return fmt.price(price)
    return "none" if contracts else fmt.DASH


def read_risk(text: str) -> Decimal:
    """The share of equity to risk, read as ``hedger size --risk`` reads it: ``1%`` or
    ``0.01``; a bare ``1`` (all the equity) is refused with both readings."""
    return parse_share(
        text,
        what="risk",
        low=Decimal(0),
        low_inclusive=False,
        high=Decimal(1),
        bare_max=Decimal(1),
        bare_max_inclusive=False,
    )
