"""Comparison table of hedge options (one row per tier, plus the mix)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QWidget,
)

from hedger.core.decimals import fmt_decimal
from hedger.core.planner import HedgeOption, UnderlyingPlan
from hedger.ui import format as fmt
from hedger.ui.format import DASH
from hedger.ui.widgets.item_style import (
    ALIGNMENT,
    BACKGROUND,
    DISPLAY,
    FONT,
    FOREGROUND,
    TOOLTIP,
    CellStyle,
)

Index = QModelIndex | QPersistentModelIndex

# Custom roles: the option's name for views/tests, and whether it is recommended.
OptionNameRole = Qt.ItemDataRole.UserRole + 1
RecommendedRole = Qt.ItemDataRole.UserRole + 2

COLUMNS: tuple[str, ...] = (
    "Option",
    "Order",
    "Contracts",
    "Side",
    "Hedged USD",
    "Residual USD",
    "Residual %",
    "Initial margin",
    "Est. fee",
    "Liquidation price",
    "Carry 90 d",  # i15g: the carry column, filled by ui/hedge/carry_view.py
)
(
    COL_OPTION,
    COL_ORDER,
    COL_CONTRACTS,
    COL_SIDE,
    COL_HEDGED,
    COL_RESIDUAL,
    COL_RESIDUAL_PCT,
    COL_MARGIN,
    COL_FEE,
    COL_LIQUIDATION,
    COL_CARRY,
) = range(len(COLUMNS))

# Titles for a table too narrow for the full ones (the tooltips keep the full words).
SHORT_COLUMNS: tuple[str, ...] = (
    "Option",
    "Order",
    "Contracts",
    "Side",
    "Hedged",
    "Residual",
    "Resid. %",
    "Margin",
    "Fee",
    "Liq. price",
    "Carry 90 d",
)
# How far a narrow table shortens its texts: labels, then titles, then amounts.
FULL, SHORT_LABELS, SHORT_TITLES, SHORT_AMOUNTS = range(4)
MONEY_COLUMNS = frozenset({COL_HEDGED, COL_RESIDUAL, COL_MARGIN})

HEADER_TIPS: tuple[str, ...] = (
    "The contract size (tier) used, or the best mix of the family's sizes.\n"
    "Multiplier = how much of the coin one contract controls (or its USD face "
    "value for inverse contracts).",
    "What to type into the venue's order form, in its own unit: a coin quantity "
    "(Binance, Bybit USDT perpetuals), a USD amount (Deribit, Bybit and Kraken "
    "inverse) or a number of contracts (CME, OKX, Binance COIN-M).",
    "Whole contracts to trade, after the rounding policy.",
    "Short hedges a long holding; long hedges a short one.",
    "Notional hedged = contracts × multiplier × futures price\n"
    "(inverse contracts: contracts × USD face value).",
    "Residual = target − hedged: what whole contracts cannot match.\n"
    "Positive: part of the exposure stays unhedged. Negative: over-hedged.",
    "Residual as a share of the target exposure.",
    "Initial margin: the larger of hedged notional ÷ leverage and what the venue "
    "requires (a rate of the notional, a USD amount per contract, or its tier).",
    "Estimated trading fee to open the position: notional × the venue's fee rate.",
    "Approximate futures price at which the position is liquidated, by the venue's "
    "formula: for a linear short entry × (1 + 1/leverage − maintenance rate). "
    '"none": it cannot be liquidated (an inverse short at 1/(1 + mm) leverage or less).',
    "What holding this option costs over the horizon: fees − funding − basis, in USD "
    "(negative: it earns; * a part is not known).",
)

_CARRY_ROLES = frozenset(  # i15g
    (
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Qt.ItemDataRole.ForegroundRole),
    )
)

NUMERIC_COLUMNS = frozenset(
    {
        COL_ORDER,
        COL_CONTRACTS,
        COL_HEDGED,
        COL_RESIDUAL,
        COL_RESIDUAL_PCT,
        COL_MARGIN,
        COL_FEE,
        COL_LIQUIDATION,
        COL_CARRY,
    }
)


_NCOLS = len(COLUMNS)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NAME = int(OptionNameRole)
_SERVED_ROLES = frozenset(
    (DISPLAY, TOOLTIP, ALIGNMENT, FONT, BACKGROUND, FOREGROUND, _NAME, int(RecommendedRole))
)
_ALIGNMENTS: tuple[int, ...] = tuple(
    int(Qt.AlignmentFlag.AlignCenter)
    if col == COL_SIDE
    else int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if col in NUMERIC_COLUMNS
    else int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for col in range(len(COLUMNS))
)


def option_label(option: HedgeOption) -> str:
    """``Micro · CME:MBT 0.1 BTC``, ``Mix · BTC + MBT`` or ``Mix · best of 3 sizes``."""
    if option.name == "mix" or len(option.legs) != 1:
        symbols = " + ".join(leg.contract.symbol for leg in option.legs)
        # Long generic symbols would crowd the column; the Contracts cell
        # says which sizes the mix uses.
        return (
            f"Mix · {symbols}" if len(symbols) <= 18 else f"Mix · best of {len(option.legs)} sizes"
        )
    c = option.legs[0].contract
    return f"{c.tier.capitalize()} · {c.short_label} {c.size_text()}"


def short_option_label(option: HedgeOption) -> str:
    """``Standard · 1 BTC``, ``Mix · 3 sizes``: the label when the column is narrow."""
    if option.name == "mix" or len(option.legs) != 1:
        full = option_label(option)
        return full if len(full) <= 16 else f"Mix · {len(option.legs)} sizes"
    c = option.legs[0].contract
    return f"{c.tier.capitalize()} · {c.size_text()}"


def contracts_text(option: HedgeOption) -> str:
    """``5`` for one tier, ``1 × BTC + 4 × MBT`` for a mix."""
    if option.name != "mix" and len(option.legs) == 1:
        return fmt.contracts(option.legs[0].contracts)
    active = [leg for leg in option.legs if leg.contracts]
    if not active:
        return "0"
    return " + ".join(f"{fmt.contracts(leg.contracts)} × {leg.contract.symbol}" for leg in active)


def order_text(option: HedgeOption) -> str:
    """The order in the venue's unit: ``0.386 BTC``, ``37,440 USD``, ``1 + 4 contracts``."""
    orders = option.orders
    if not orders:
        return DASH
    if len(orders) == 1:
        return orders[0].quantity_text
    if all(t.order_unit == "contracts" for t in orders):
        counts = " + ".join(fmt_decimal(t.quantity) for t in orders)
        return f"{counts} contracts"
    return " + ".join(t.quantity_text for t in orders)


def liquidation_cell(option: HedgeOption) -> str:
    """The liquidation price; ``none`` when the position cannot be liquidated; ``at once``
    when the collateral kept is below the venue's initial margin."""
    if option.liquidation is not None and option.liquidation.state == "at_once":
        return "at once"
    if option.liquidation_price is not None:
        return fmt.price(option.liquidation_price)
    return "none" if option.trades else DASH


def accent_background(palette: QPalette) -> QColor:
    """A tint of the highlight colour that keeps text readable on light and dark bases."""
    base = palette.color(QPalette.ColorRole.Base)
    accent = palette.color(QPalette.ColorRole.Highlight)
    share = 0.28 if base.lightness() < 128 else 0.16
    return QColor(
        round(base.red() + (accent.red() - base.red()) * share),
        round(base.green() + (accent.green() - base.green()) * share),
        round(base.blue() + (accent.blue() - base.blue()) * share),
    )


def warning_foreground(palette: QPalette) -> QColor:
    """An amber that reads on the palette's base (darker on light themes)."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#f0b35a") if dark else QColor("#a15c00")


class HedgeOptionsModel(QAbstractTableModel):
    """Rows = the options of one UnderlyingPlan; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan: UnderlyingPlan | None = None
        self._options: tuple[HedgeOption, ...] = ()
        self._names: tuple[str, ...] = ()
        self._palette = QGuiApplication.palette()
        self._accent = accent_background(self._palette)
        self._warn = warning_foreground(self._palette)
        self._bold = QFont()
        self._bold.setBold(True)
        self.carry: Any = None  # i15g: the carry column's cells (ui/hedge/carry_view.CarryColumn)
        self.level = FULL  # how short the texts are (OptionsTableFit picks it)

    # -- feeding --------------------------------------------------------------
    def set_plan(self, plan: UnderlyingPlan | None) -> None:
        """Show a new plan; rows are only reset when the set of options changes."""
        options = plan.options if plan is not None else ()
        names = tuple(o.name for o in options)
        if names != self._names:
            self.beginResetModel()
            self._plan, self._options, self._names = plan, options, names
            self.endResetModel()
            return
        self._plan, self._options = plan, options
        if options:
            self.dataChanged.emit(self.index(0, 0), self.index(len(options) - 1, len(COLUMNS) - 1))

    def set_palette(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        self._accent = accent_background(self._palette)
        self._warn = warning_foreground(self._palette)
        if self._options:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._options) - 1, len(COLUMNS) - 1)
            )

    @property
    def plan(self) -> UnderlyingPlan | None:
        return self._plan

    def option_at(self, row: int) -> HedgeOption | None:
        return self._options[row] if 0 <= row < len(self._options) else None

    def is_recommended(self, row: int) -> bool:
        option = self.option_at(row)
        # An option that trades nothing is no recommendation: no star, no badge
        # (the order card says no contract fits and what the smallest order is).
        return (
            option is not None
            and self._plan is not None
            and (option.name == self._plan.recommended)
            and bool(option.orders)
        )

    def display(self, option: HedgeOption, col: int, level: int | None = None) -> str:
        """A cell's text (what DisplayRole gives, or would at ``level``), without an index."""
        return self._display(option, col, self.level if level is None else level)

    def header_text(self, section: int, level: int | None = None) -> str:
        if section == COL_CARRY and self.carry is not None:  # i15g
            return str(self.carry.header())
        short = (self.level if level is None else level) >= SHORT_TITLES
        return SHORT_COLUMNS[section] if short else COLUMNS[section]

    def set_level(self, level: int) -> None:
        if level == self.level:
            return
        self.level = level
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._options:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._options) - 1, len(COLUMNS) - 1)
            )

    def row_of(self, name: str) -> int:
        try:
            return self._names.index(name)
        except ValueError:
            return -1

    # -- QAbstractTableModel --------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._options)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _NCOLS

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_text(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{COLUMNS[section]}\n{HEADER_TIPS[section]}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section == COL_SIDE:
                return int(Qt.AlignmentFlag.AlignCenter)
            if section in NUMERIC_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Seven roles per painted cell: roles the table never fills end here,
        # and the rest compare plain ints, not enum members.
        if role not in _SERVED_ROLES:
            return None
        return self._value(index.row(), index.column(), role)  # row -1: an invalid index

    def cell_style(self, row: int, col: int) -> CellStyle | None:
        """The values data() gives for the roles a painted cell reads, in one call."""
        if self._plan is None or not 0 <= row < len(self._options) or not 0 <= col < _NCOLS:
            return None
        return CellStyle(
            self._value(row, col, DISPLAY),
            self._value(row, col, ALIGNMENT),
            font=self._value(row, col, FONT),
            foreground=self._value(row, col, FOREGROUND),
            background=self._value(row, col, BACKGROUND),
        )

    def _value(self, row: int, col: int, role: int) -> Any:
        if self._plan is None or not 0 <= row < len(self._options) or not 0 <= col < _NCOLS:
            return None
        option = self._options[row]
        if col == COL_CARRY and role in _CARRY_ROLES:  # i15g: the carry column
            if self.carry is None:
                return fmt.DASH if role == DISPLAY else None
            return self.carry.cell(self._plan.underlying, option.name, role, self._palette)
        if role == DISPLAY:
            return self._display(option, col, self.level)
        if role == ALIGNMENT:
            return _ALIGNMENTS[col]
        if role == FOREGROUND:
            return self._foreground(option, col)
        recommended = option.name == self._plan.recommended
        if role == FONT:
            return self._bold if recommended else None
        if role == BACKGROUND:
            return self._accent if recommended else None
        if role == TOOLTIP:
            return self._tooltip(option, col, recommended)
        if role == _NAME:
            return option.name
        return recommended  # RecommendedRole

    # -- cell contents ----------------------------------------------------------
    def _places(self) -> int:
        assert self._plan is not None
        return fmt.money_places(self._plan.target_usd)

    def _display(self, o: HedgeOption, col: int, level: int = FULL) -> str:
        places = self._places()
        if col == COL_OPTION:
            return option_label(o) if level < SHORT_LABELS else short_option_label(o)
        if col == COL_ORDER:
            return order_text(o)
        if col == COL_CONTRACTS:
            if level >= SHORT_LABELS and sum(1 for leg in o.legs if leg.contracts) > 1:
                # Counts in the family's order (as the CLI shows them); the sizes
                # are in the tooltip and in the order ticket.
                return " + ".join(fmt.contracts(leg.contracts) for leg in o.legs)
            return contracts_text(o)
        if col == COL_SIDE:
            return "Short" if o.side == "short" else "Long"
        if col in MONEY_COLUMNS:
            amount = (
                o.hedged_usd
                if col == COL_HEDGED
                else o.residual_usd
                if col == COL_RESIDUAL
                else o.initial_margin_usd
            )
            if level >= SHORT_AMOUNTS and abs(amount) >= 10_000:
                return fmt.compact(amount)
            return fmt.money(amount, places)
        if col == COL_RESIDUAL_PCT:
            return fmt.pct(o.residual_pct, 1)
        if col == COL_FEE:
            return fmt.money(o.fee_usd, 2)
        if col == COL_LIQUIDATION:
            return liquidation_cell(o)
        return ""

    def _foreground(self, o: HedgeOption, col: int) -> QColor | None:
        if col in (COL_RESIDUAL, COL_RESIDUAL_PCT) and o.residual_usd < 0:
            return self._warn
        if col == COL_LIQUIDATION and any(w.startswith("Liquidation") for w in o.warnings):
            return self._warn
        if col == COL_ORDER and any(t.problems for t in o.orders):
            return self._warn
        if col in (COL_CONTRACTS, COL_ORDER) and o.contracts == 0:
            return self._palette.color(QPalette.ColorRole.PlaceholderText)
        return None

    def _tooltip(self, o: HedgeOption, col: int, recommended: bool) -> str:
        u = self._plan
        assert u is not None
        price = u.futures_price or Decimal(0)
        places = self._places()
        if col == COL_OPTION:
            return option_tooltip(o, price, recommended)
        if col == COL_CONTRACTS:
            parts = []
            if o.exact_contracts is not None:
                parts.append(
                    f"Exact {fmt_exact(o.exact_contracts)} contracts, rounded {u.rounding} "
                    f"to {fmt.contracts(o.contracts)}."
                )
            else:
                parts.append(
                    "Fewest contracts that get closest to the target under the rounding policy."
                )
            parts.append(HEADER_TIPS[COL_CONTRACTS])
            return "\n".join(parts)
        if col == COL_HEDGED:
            legs = " + ".join(
                f"{fmt.contracts(leg.contracts)} × {leg.contract.size_text()}"
                + ("" if leg.contract.kind == "inverse" else f" × {fmt.price(price)}")
                for leg in o.legs
                if leg.contracts
            )
            detail = (
                f"{legs} = {fmt.usd(o.hedged_usd, places)}"
                if legs
                else "No contracts: nothing hedged."
            )
            return f"{detail}\n{HEADER_TIPS[COL_HEDGED]}"
        if col in (COL_RESIDUAL, COL_RESIDUAL_PCT):
            state = (
                "over-hedged: a rise loses money overall"
                if o.residual_usd < 0
                else "left unhedged"
                if o.residual_usd > 0
                else "matched exactly"
            )
            return (
                f"Target {fmt.usd(abs(u.target_usd), places)} − hedged "
                f"{fmt.usd(o.hedged_usd, places)} = {fmt.usd(o.residual_usd, places)} ({state}).\n"
                f"{HEADER_TIPS[COL_RESIDUAL]}"
            )
        if col == COL_MARGIN:
            words = o.margin.words if o.margin is not None else ""
            return f"{words}\n{HEADER_TIPS[COL_MARGIN]}".strip()
        if col == COL_ORDER:
            lines = [t.text for t in o.orders] or ["No order: nothing is traded."]
            lines += [p for t in o.orders for p in t.problems]
            return "\n".join([*lines, HEADER_TIPS[COL_ORDER]])
        if col == COL_FEE:
            rates = ", ".join(
                sorted({fmt.pct(leg.contract.fee_rate * 100, 3) for leg in o.legs if leg.contracts})
            )
            extra = f" (fee rate {rates})" if rates else ""
            return f"{HEADER_TIPS[COL_FEE]}{extra}\nA default rate; your broker's may differ."
        if col == COL_LIQUIDATION:
            if o.liquidation is not None and o.liquidation.state == "at_once":
                return o.liquidation.reason + "\n" + HEADER_TIPS[COL_LIQUIDATION]
            if o.liquidation_price is None and o.trades:
                return (
                    "None: this position cannot be liquidated at this leverage "
                    "(the margin covers any rise).\n" + HEADER_TIPS[COL_LIQUIDATION]
                )
            if o.liquidation_price is None or not price:
                return "No position, nothing to liquidate."
            move = (o.liquidation_price / price - 1) * 100
            return (
                f"About {fmt.price(o.liquidation_price)}: a {fmt.signed_pct(move)} move from "
                f"{fmt.price(price)} at {fmt.leverage(u.leverage)}.\n{HEADER_TIPS[COL_LIQUIDATION]}"
            )
        return HEADER_TIPS[col]


def option_tooltip(o: HedgeOption, price: Decimal, recommended: bool) -> str:
    """The option's contracts with their size and notional at ``price``, and its warnings."""
    lines = [option_label(o)]
    for leg in o.legs:
        c = leg.contract
        mult = (
            f"face value {c.size_text()} per contract"
            if c.kind == "inverse"
            else f"multiplier {c.size_text()} per contract"
        )
        lines.append(
            f"{c.name}: {mult}, notional {fmt.usd(c.notional_usd(price))} at {fmt.price(price)}"
        )
    if recommended:
        lines.append("Recommended: smallest residual, then fewest contracts, then least margin.")
    lines.extend(f"⚠ {w}" for w in o.warnings)
    return "\n".join(lines)


def fmt_exact(value: Decimal) -> str:
    return fmt.money(value, 3).rstrip("0").rstrip(".") if value else "0"
