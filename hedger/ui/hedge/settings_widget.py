"""Hedge settings for one underlying: family, ratio or dollar target, rounding, leverage, price.

Every change goes through PortfolioDocument.set_underlying_setting, so it is
undoable; the widgets are refreshed from the plan (``sync``) with their
signals blocked, so an undo updates them without echoing a new edit.
Percentages read as everywhere else (``hedger.core.percent``): ``50%`` is
fifty per cent, a bare number a fraction, and a bare ``50`` is refused with
both readings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import Family
from hedger.core.decimals import fmt_decimal
from hedger.core.leverage import LeverageAdvice
from hedger.core.models import MAX_RATIO, ROUNDINGS, Rounding
from hedger.core.planner import UnderlyingPlan
from hedger.services.prices import fmt_age, futures_price_status
from hedger.ui import format as fmt
from hedger.ui.document.document import EditRefused, PortfolioDocument
from hedger.ui.hedge.entries import (
    Blocked,
    EntryField,
    Parser,
    entry,
    parse_leverage,
    parse_price,
    parse_ratio,
    share_text,
    usd_parser,
)
from hedger.ui.widgets.message_list import MessageList
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim, scaled_font, warning_color

RATIO_MAX_PCT = int(MAX_RATIO * 100)

ROUNDING_LABELS: dict[Rounding, str] = {"nearest": "Nearest", "down": "Down", "up": "Up"}
ROUNDING_HINTS: dict[Rounding, str] = {
    "nearest": "Closest whole number of contracts: may be a little over or under.",
    "down": "Never over-hedge: round down, some exposure may stay unhedged.",
    "up": "Never under-hedge: round up, the hedge may be larger than the exposure.",
}

PRICE_FIELD_TIP = (
    "Futures price used to size contracts. Empty = the spot price of your "
    "holding; type a price to use the futures quote instead (basis). A typed "
    "price remembers when it was typed: the panel warns once spot moves on."
)
RATIO_TIP = (
    "Share of the beta-weighted exposure to hedge, 0–200 %: type 50% (or 0.5 as a "
    "fraction). A bare 50 is refused: it would mean 5,000 %."
)
TARGET_TIP = "Hedge this many USD of the exposure instead of a share of it."

UNDO_TEXT = {
    "family": "Change Contract Family",
    "ratio": "Change Hedge Ratio",
    "rounding": "Change Rounding",
    "leverage": "Change Leverage",
    "futures_price": "Change Futures Price",
    "target_usd": "Change Hedge Target",
}


def family_tooltip(family: Family, contracts_text: list[str]) -> str:
    lines = [family.name, *(f"• {c}" for c in contracts_text)]
    if family.notes:
        lines.append(family.notes)
    return fmt.shown_lines("\n".join(lines))  # names and notes may come from contracts.json


def leverage_hint(advice: LeverageAdvice | None) -> tuple[str, bool]:
    """(short text beside the leverage field, warn) from the one-bad-day advice."""
    if advice is None:
        return "", False
    cap = fmt_decimal(advice.max_safe)
    if advice.too_high:
        return f"⚠ over {cap}x", True
    return f"safe ≤ {cap}x", False


class HedgeSettingsWidget(QWidget):
    """Settings form bound to one underlying of a document at a time."""

    # Emitted with a one-line reason when an entry is refused ("" when cleared).
    errorChanged = Signal(str)
    # The user picked a contract family (underlying, family id): remembered for new portfolios.
    familyChosen = Signal(str, str)

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._underlying: str | None = None
        self._family_key: tuple[int, str, tuple[str, ...]] | None = None
        self._advice: LeverageAdvice | None = None
        self._drag_macro_open = False
        self._price_stale = False
        self._hint_warn: bool | None = None
        self._errors: dict[str, str] = {}
        self._build()
        # A new catalog refills the family list at the next sync (the plan
        # recomputed with it follows at once).
        document.catalogChanged.connect(self._forget_families)

    def _forget_families(self) -> None:
        self._family_key = None

    # -- construction -------------------------------------------------------------
    def _build(self) -> None:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(7)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.family_combo = QComboBox()
        self.family_combo.setAccessibleName("Contract family")
        self.family_combo.setObjectName("familyCombo")
        self.family_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.family_combo.setMinimumContentsLength(18)
        self.family_combo.setToolTip("Contracts that can be mixed in one hedge (same venue)")
        self.family_combo.activated.connect(self._on_family_activated)
        form.addRow("Contract family", self.family_combo)
        form.addRow("Hedge", self._build_target_row())

        self.rounding = SegmentedControl(
            [(p, ROUNDING_LABELS[p], ROUNDING_HINTS[p]) for p in ROUNDINGS]
        )
        self.rounding.setObjectName("roundingControl")
        self.rounding.activated.connect(self._on_rounding_activated)
        self.rounding_buttons: dict[Rounding, QToolButton] = {
            p: self.rounding.buttons[p] for p in ROUNDINGS
        }
        form.addRow("Rounding", self.rounding)
        self._add_price_rows(form)

        self.error_list = MessageList()
        self.error_list.setObjectName("settingsErrors")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addLayout(form)
        outer.addWidget(self.error_list)
        outer.addStretch(1)
        self._wire_entries()

    def _build_target_row(self) -> QWidget:
        """``[% | USD]`` then the ratio (slider and field) or the dollar amount."""
        self.target_mode = SegmentedControl(
            [
                ("ratio", "%", "Hedge a share of the exposure (the hedge ratio)"),
                ("usd", "USD", "Hedge a dollar amount of the exposure"),
            ]
        )
        self.target_mode.setObjectName("targetMode")
        self.target_mode.set_current("ratio")
        self.target_mode.activated.connect(self._on_target_mode)

        self.ratio_slider = QSlider(Qt.Orientation.Horizontal)
        self.ratio_slider.setObjectName("ratioSlider")
        self.ratio_slider.setRange(0, RATIO_MAX_PCT)
        self.ratio_slider.setSingleStep(1)
        self.ratio_slider.setPageStep(10)
        self.ratio_slider.setMinimumWidth(40)
        self.ratio_slider.setToolTip(RATIO_TIP)
        self.ratio_slider.valueChanged.connect(self._on_slider_changed)
        self.ratio_slider.sliderReleased.connect(self._end_drag)
        self.ratio_edit = entry("ratioEdit", "100%", "Hedge ratio", "000.0%")
        self.ratio_edit.setToolTip(RATIO_TIP)
        ratio_page = QWidget()
        ratio_row = QHBoxLayout(ratio_page)
        ratio_row.setContentsMargins(0, 0, 0, 0)
        ratio_row.setSpacing(6)
        ratio_row.addWidget(self.ratio_slider, 1)
        ratio_row.addWidget(self.ratio_edit)

        self.target_edit = entry("targetUsdEdit", "e.g. 20,000", "Hedge target in USD", "0,000,000")
        self.target_edit.setToolTip(TARGET_TIP)
        usd_page = QWidget()
        usd_row = QHBoxLayout(usd_page)
        usd_row.setContentsMargins(0, 0, 0, 0)
        usd_row.setSpacing(6)
        usd_row.addWidget(self.target_edit, 1)
        usd_row.addWidget(QLabel("USD"))

        self.target_stack = QStackedWidget()
        self.target_stack.addWidget(ratio_page)
        self.target_stack.addWidget(usd_page)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addWidget(self.target_mode)
        lay.addWidget(self.target_stack, 1)
        return row

    def _add_price_rows(self, form: QFormLayout) -> None:
        """Leverage (with the one-bad-day hint) and the futures price."""
        self.leverage_edit = entry("leverageEdit", "2", "Leverage")
        self.leverage_edit.setToolTip(
            "Leverage of the futures position (1–200): margin = notional ÷ leverage, or "
            "the venue's requirement if larger. Higher leverage ties up less cash but is "
            "liquidated by a smaller move."
        )
        self.leverage_hint = QLabel()
        self.leverage_hint.setObjectName("leverageHint")
        self.leverage_hint.setFont(scaled_font(self, 0.85))
        lev_row = QHBoxLayout()
        lev_row.setSpacing(6)
        lev_row.addWidget(self.leverage_edit)
        lev_row.addWidget(QLabel("x"))
        lev_row.addSpacing(4)
        lev_row.addWidget(self.leverage_hint, 1)
        form.addRow("Leverage", lev_row)

        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("futuresPriceEdit")
        self.price_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.price_edit.setClearButtonEnabled(True)
        self.price_edit.setAccessibleName("Futures price in USD")
        self.price_edit.setToolTip(PRICE_FIELD_TIP)
        price_row = QHBoxLayout()
        price_row.setSpacing(6)
        price_row.addWidget(self.price_edit, 1)
        price_row.addWidget(QLabel("USD"))
        form.addRow("Futures price", price_row)

    def _wire_entries(self) -> None:
        def field(
            key: str, edit: QLineEdit, parse: Parser, empty: object = EntryField.RESTORES
        ) -> EntryField:
            return EntryField(
                key,
                edit,
                parse,
                lambda value, merge_key: self._apply(key, value, merge_key=merge_key),
                self._report_error,
                scope=lambda: self._underlying,
                on_restore=self._restore,
                empty=empty,
                parent=self,
            )

        self.entries: dict[str, EntryField] = {
            "ratio": field("ratio", self.ratio_edit, parse_ratio),
            "target_usd": field(
                "target_usd", self.target_edit, usd_parser("Hedge target", positive=False)
            ),
            "leverage": field("leverage", self.leverage_edit, parse_leverage),
            # Emptied = size from the spot price again.
            "futures_price": field("futures_price", self.price_edit, parse_price, empty=None),
        }
        self.leverage_edit.textEdited.connect(self._on_leverage_typed)

    # -- state from the plan ------------------------------------------------------
    @property
    def underlying(self) -> str | None:
        return self._underlying

    def sync(self, u: UnderlyingPlan | None) -> None:
        """Show the settings in force for ``u`` without emitting edits."""
        switched = (u.underlying if u else None) != self._underlying
        self._underlying = u.underlying if u else None
        if switched:
            self._end_drag()
            for f in self.entries.values():
                f.reset()
        self.setEnabled(u is not None)
        if u is None:
            return
        self._sync_families(u)
        mode = u.target_source
        self.target_mode.set_current(mode)
        self.target_stack.setCurrentIndex(0 if mode == "ratio" else 1)
        if not self.ratio_slider.isSliderDown():
            pct = int((u.ratio * 100).to_integral_value())
            with Blocked(self.ratio_slider):
                self.ratio_slider.setValue(max(0, min(RATIO_MAX_PCT, pct)))
        self.entries["ratio"].set_text(share_text(u.ratio), switched)
        target = u.target_setting_usd
        self.entries["target_usd"].set_text(
            fmt.grouped(target) if target is not None else "", switched
        )
        self.rounding.set_current(u.rounding)
        if self.rounding.toolTip() != ROUNDING_HINTS[u.rounding]:
            self.rounding.setToolTip(ROUNDING_HINTS[u.rounding])
        self.entries["leverage"].set_text(fmt_decimal(u.leverage), switched)
        self._advice = u.leverage_advice
        if not (self.leverage_edit.hasFocus() and self.leverage_edit.isModified()):
            self._show_leverage_hint(u.leverage_advice)
        self._sync_price(u, switched)

    def _sync_families(self, u: UnderlyingPlan) -> None:
        catalog = self._doc.catalog
        families = catalog.families_for(u.underlying)
        ids = tuple(f.id for f in families)
        key = (id(catalog), u.underlying, ids)
        combo = self.family_combo
        with Blocked(combo):
            if key != self._family_key:
                self._family_key = key
                combo.clear()
                for f in families:
                    combo.addItem(f.name, f.id)
                    contracts = [
                        f"{c.name}: {c.size_text()}" for c in catalog.family_contracts(f.id)
                    ]
                    combo.setItemData(
                        combo.count() - 1, family_tooltip(f, contracts), Qt.ItemDataRole.ToolTipRole
                    )
            current = u.family.id if u.family is not None else None
            idx = combo.findData(current) if current else -1
            combo.setCurrentIndex(idx)
            combo.setEnabled(bool(ids))
            if not ids:
                combo.setPlaceholderText(f"No futures listed for {u.underlying}")
            elif idx < 0:
                combo.setPlaceholderText("Choose a contract family")
            tip = combo.itemData(idx, Qt.ItemDataRole.ToolTipRole) if idx >= 0 else None
            combo.setToolTip(tip or "Contracts that can be mixed in one hedge (same venue)")

    def _sync_price(self, u: UnderlyingPlan, switched: bool) -> None:
        spot = u.spot_price
        if spot is not None:
            self.price_edit.setPlaceholderText(f"= spot {fmt.price(spot)}")
        else:
            self.price_edit.setPlaceholderText(f"enter a {u.underlying} price")
        text = (
            ""
            if u.futures_price_from_spot or u.futures_price is None
            else fmt.grouped(u.futures_price)
        )
        self.entries["futures_price"].set_text(text, switched)
        self.refresh_price_status(u)

    def refresh_price_status(self, u: UnderlyingPlan) -> None:
        """Tooltip and colour of the price field: where the price came from, and if stale."""
        check = u.futures_check
        status = (
            None
            if u.futures_price_from_spot
            else futures_price_status(self._doc.portfolio, u.underlying, datetime.now(UTC))
        )
        stale = check is not None and check.stale
        if status is not None:
            tip = f"{fmt.shown(status.source)}, fetched {fmt_age(status.age)}"
            stale = stale or status.stale
            tip += " — stale: refresh prices or type the current quote" if status.stale else ""
            tip += "\n\n" + PRICE_FIELD_TIP
        elif check is not None and check.typed_at is not None:
            age = datetime.now(UTC) - check.typed_at
            tip = f"Typed {fmt_age(age)}"
            if check.spot_at_typing is not None:
                tip += f" when spot was {fmt.price(check.spot_at_typing)}"
            tip += "\n\n" + PRICE_FIELD_TIP
        else:
            tip = PRICE_FIELD_TIP
        if stale and check is not None and check.findings:
            tip += "\n\n" + "\n".join(check.findings)
        if self.price_edit.toolTip() != tip:
            self.price_edit.setToolTip(tip)
        if stale != self._price_stale:
            self._price_stale = stale
            pal = QPalette()
            if stale:
                pal = QPalette(self.price_edit.palette())
                pal.setColor(QPalette.ColorRole.Text, warning_color(pal))
            self.price_edit.setPalette(pal)

    def _show_leverage_hint(self, advice: LeverageAdvice | None) -> None:
        text, warn = leverage_hint(advice)
        label = self.leverage_hint
        if label.text() != text:
            label.setText(text)
        label.setToolTip(advice.words if advice is not None else "")
        if warn != self._hint_warn:
            self._hint_warn = warn
            if warn:
                pal = QPalette(label.palette())
                pal.setColor(QPalette.ColorRole.WindowText, warning_color(pal))
                label.setPalette(pal)
            else:
                label.setPalette(QPalette())
                dim(label)

    def _on_leverage_typed(self, text: str) -> None:
        """The hint follows each key press; the plan follows when typing pauses."""
        value, reason = parse_leverage(text.strip()) if text.strip() else (None, "empty")
        if reason is None and self._advice is not None and isinstance(value, Decimal):
            self._show_leverage_hint(self._advice._replace(leverage=value))

    # -- edits -----------------------------------------------------------------------
    def _apply(
        self, field: str, value: object, merge: bool = False, merge_key: str | None = None
    ) -> str | None:
        """None when applied, else the reason it was refused."""
        if self._underlying is None:
            return "no underlying"
        try:
            self._doc.set_underlying_setting(
                self._underlying, field, value, UNDO_TEXT[field], merge, merge_key
            )
        except EditRefused as exc:
            return str(exc)
        return None

    def _restore(self) -> None:
        self.sync(self._current())

    def _on_family_activated(self, index: int) -> None:
        fid = self.family_combo.itemData(index)
        current = self._current()
        in_force = current.family.id if current is not None and current.family else None
        # Re-picking the family in force (even a default one) is not an edit.
        under = self._underlying
        if fid and fid != in_force and under is not None and self._apply("family", fid) is None:
            self.familyChosen.emit(under, str(fid))

    def _on_target_mode(self, mode: str) -> None:
        """``ratio``: the ratio sets the target again; ``usd``: hedge today's target in USD."""
        u = self._current()
        if u is None:
            return
        if mode == "usd":
            amount = abs(u.target_usd).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            self._doc.set_underlying_setting(
                u.underlying, "target_usd", amount, "Hedge a USD Amount"
            )
            self.target_edit.setFocus()
            self.target_edit.selectAll()
        else:
            self._doc.set_underlying_setting(u.underlying, "target_usd", None, "Hedge by Ratio")

    def _on_slider_changed(self, value: int) -> None:
        if self._underlying is None:
            return
        if self.ratio_slider.isSliderDown() and not self._drag_macro_open:
            # One drag = one undo step; a macro keeps two drags in a row apart
            # (merged commands alone would fuse them into one step).
            self._doc.undo_stack.beginMacro(UNDO_TEXT["ratio"])
            self._drag_macro_open = True
        ratio = self.entries["ratio"]
        ratio.set_error(None)
        ratio.set_text(f"{value}%", force=True)
        self._apply("ratio", Decimal(value) / 100, merge=True)

    def _end_drag(self) -> None:
        if self._drag_macro_open:
            self._drag_macro_open = False
            self._doc.undo_stack.endMacro()

    def _on_rounding_activated(self, policy: str) -> None:
        if policy in ROUNDINGS:
            self._apply("rounding", policy)

    def commit_pending(self) -> None:
        """Apply what is typed but not yet entered (before save, close, switch)."""
        self._end_drag()
        for f in self.entries.values():
            if f.pending:
                f.commit()

    def _current(self) -> UnderlyingPlan | None:
        return self._doc.plan.underlying(self._underlying) if self._underlying else None

    # -- errors ------------------------------------------------------------------------
    def _report_error(self, key: str, message: str | None) -> None:
        if self._errors.get(key) == message:
            # Nothing to redraw. Also keeps a late focus-out (window teardown)
            # from touching widgets that are already gone.
            return
        if message:
            self._errors[key] = message
        else:
            self._errors.pop(key, None)
        before = self.error_text
        self.error_list.set_messages([("error", m) for m in self._errors.values()])
        if self.error_text != before:
            self.errorChanged.emit(self.error_text)

    @property
    def error_text(self) -> str:
        """The reasons currently shown for refused entries, one per line."""
        return "\n".join(self.error_list.texts())
