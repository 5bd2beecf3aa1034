"""Hedge settings for one underlying: family, ratio, rounding, leverage, futures price.

Every change goes through PortfolioDocument.set_underlying_setting, so it is
undoable; the widgets are refreshed from the plan (``sync``) with their
signals blocked, so an undo updates them without echoing a new edit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.catalog import Family
from hedger.core.decimals import DecimalParseError, fmt_decimal, parse_decimal
from hedger.core.models import MAX_LEVERAGE, MAX_RATIO, ROUNDINGS, Rounding
from hedger.core.planner import UnderlyingPlan
from hedger.services.prices import fmt_age, futures_price_status
from hedger.ui import format as fmt
from hedger.ui.document.document import EditRefused, PortfolioDocument
from hedger.ui.widgets.message_list import MessageList
from hedger.ui.widgets.segmented import SegmentedControl
from hedger.ui.widgets.style import dim, scaled_font, warning_color
from hedger.ui.widgets.wrap_label import WrapLabel

RATIO_MAX_PCT = int(MAX_RATIO * 100)
# Pause in typing after which a valid entry is applied (the plan and chart follow).
LIVE_DELAY_MS = 250
MIN_LEVERAGE = Decimal(1)

ROUNDING_LABELS: dict[Rounding, str] = {"nearest": "Nearest", "down": "Down", "up": "Up"}
ROUNDING_HINTS: dict[Rounding, str] = {
    "nearest": "Closest whole number of contracts: may be a little over or under.",
    "down": "Never over-hedge: round down, some exposure may stay unhedged.",
    "up": "Never under-hedge: round up, the hedge may be larger than the exposure.",
}

PRICE_FIELD_TIP = (
    "Futures price used to size contracts. Empty = the spot price of your "
    "holding; type a price to use the futures quote instead (basis)."
)

UNDO_TEXT = {
    "family": "Change Contract Family",
    "ratio": "Change Hedge Ratio",
    "rounding": "Change Rounding",
    "leverage": "Change Leverage",
    "futures_price": "Change Futures Price",
}


def family_tooltip(family: Family, contracts_text: list[str]) -> str:
    lines = [family.name, *(f"• {c}" for c in contracts_text)]
    if family.notes:
        lines.append(family.notes)
    return "\n".join(lines)


class HedgeSettingsWidget(QWidget):
    """Settings form bound to one underlying of a document at a time."""

    # Emitted with a one-line reason when an entry is refused ("" when cleared).
    errorChanged = Signal(str)

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._underlying: str | None = None
        self._family_key: tuple[int, str, tuple[str, ...]] | None = None
        self._spot_cache: tuple[object, str, Decimal | None] | None = None
        self._drag_macro_open = False
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
        self.family_combo.setObjectName("familyCombo")
        self.family_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.family_combo.setMinimumContentsLength(18)
        self.family_combo.setToolTip("Contracts that can be mixed in one hedge (same venue)")
        self.family_combo.activated.connect(self._on_family_activated)
        form.addRow("Contract family", self.family_combo)

        self.ratio_slider = QSlider(Qt.Orientation.Horizontal)
        self.ratio_slider.setObjectName("ratioSlider")
        self.ratio_slider.setRange(0, RATIO_MAX_PCT)
        self.ratio_slider.setSingleStep(1)
        self.ratio_slider.setPageStep(10)
        self.ratio_slider.setToolTip(
            "Share of the beta-weighted exposure to hedge: 100 % hedges it all, "
            "above 100 % over-hedges"
        )
        self.ratio_slider.valueChanged.connect(self._on_slider_changed)
        self.ratio_slider.sliderReleased.connect(self._end_drag)
        self.ratio_edit = self._entry("ratioEdit", "100", "Hedge ratio in percent")
        self.ratio_edit.setToolTip("Exact hedge ratio in percent (0–200), e.g. 50 or 37.5 %")
        self.ratio_edit.editingFinished.connect(self._on_ratio_entered)
        ratio_row = QHBoxLayout()
        ratio_row.setSpacing(8)
        ratio_row.addWidget(self.ratio_slider, 1)
        ratio_row.addWidget(self.ratio_edit)
        ratio_row.addWidget(QLabel("%"))
        form.addRow("Hedge ratio", ratio_row)

        self.rounding = SegmentedControl(
            [(p, ROUNDING_LABELS[p], ROUNDING_HINTS[p]) for p in ROUNDINGS]
        )
        self.rounding.setObjectName("roundingControl")
        self.rounding.activated.connect(self._on_rounding_activated)
        self.rounding_buttons: dict[Rounding, QToolButton] = {
            p: self.rounding.buttons[p] for p in ROUNDINGS
        }
        self.rounding_hint = WrapLabel()
        self.rounding_hint.setObjectName("roundingHint")
        self.rounding_hint.setFont(scaled_font(self, 0.85))
        dim(self.rounding_hint)
        form.addRow("Rounding", self.rounding)
        # A row of its own: a word-wrapped label nested in a sub-layout gets clipped.
        form.addRow("", self.rounding_hint)

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

    def _add_price_rows(self, form: QFormLayout) -> None:
        """Leverage and futures price: typed entries applied as the user pauses."""
        self.leverage_edit = self._entry("leverageEdit", "10", "Leverage")
        self.leverage_edit.setToolTip(
            "Leverage of the futures position (1–200): margin = notional ÷ leverage. "
            "Higher leverage ties up less cash but is liquidated by a smaller move."
        )
        self.leverage_edit.editingFinished.connect(self._on_leverage_entered)
        lev_row = QHBoxLayout()
        lev_row.setSpacing(8)
        lev_row.addWidget(self.leverage_edit)
        lev_row.addWidget(QLabel("x"))
        lev_row.addStretch(1)
        form.addRow("Leverage", lev_row)

        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("futuresPriceEdit")
        self.price_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.price_edit.setClearButtonEnabled(True)
        self.price_edit.setAccessibleName("Futures price in USD")
        self.price_edit.setToolTip(PRICE_FIELD_TIP)
        self._price_stale = False
        self.price_edit.editingFinished.connect(self._on_price_entered)
        price_row = QHBoxLayout()
        price_row.setSpacing(8)
        price_row.addWidget(self.price_edit, 1)
        price_row.addWidget(QLabel("USD"))
        form.addRow("Futures price", price_row)

    def _wire_entries(self) -> None:
        """Typed entries apply after a pause, and show a warning icon while refused."""
        self._edits: dict[str, QLineEdit] = {
            "ratio": self.ratio_edit,
            "leverage": self.leverage_edit,
            "futures_price": self.price_edit,
        }
        self._sessions: dict[str, int] = {}
        self._live_timers: dict[str, QTimer] = {}
        for field, edit in self._edits.items():
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(LIVE_DELAY_MS)
            timer.timeout.connect(lambda f=field: self._apply_typed(f))
            self._live_timers[field] = timer
            edit.textEdited.connect(lambda _t, f=field: self._on_typed(f))

        self._error_actions: dict[str, QAction] = {}
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for key, edit in (
            ("ratio", self.ratio_edit),
            ("leverage", self.leverage_edit),
            ("futures_price", self.price_edit),
        ):
            act = edit.addAction(icon, QLineEdit.ActionPosition.LeadingPosition)
            act.setVisible(False)
            self._error_actions[key] = act

    def _entry(self, name: str, placeholder: str, accessible: str) -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setPlaceholderText(placeholder)
        e.setAlignment(Qt.AlignmentFlag.AlignRight)
        e.setFixedWidth(e.fontMetrics().horizontalAdvance("000.00") + 28)
        e.setAccessibleName(accessible)
        return e

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
            self._clear_errors()
            for field, timer in self._live_timers.items():
                timer.stop()
                self._end_session(field)
        self.setEnabled(u is not None)
        if u is None:
            return
        self._sync_families(u)
        if not self.ratio_slider.isSliderDown():
            pct = int((u.ratio * 100).to_integral_value())
            with _Blocked(self.ratio_slider):
                self.ratio_slider.setValue(max(0, min(RATIO_MAX_PCT, pct)))
        self._set_entry(self.ratio_edit, "ratio", fmt.ratio_pct(u.ratio), switched)
        self.rounding.set_current(u.rounding)
        self.rounding_hint.setText(ROUNDING_HINTS[u.rounding])
        self._set_entry(self.leverage_edit, "leverage", _plain(u.leverage), switched)
        self._sync_price(u, switched)

    def _sync_families(self, u: UnderlyingPlan) -> None:
        catalog = self._doc.catalog
        families = catalog.families_for(u.underlying)
        ids = tuple(f.id for f in families)
        key = (id(catalog), u.underlying, ids)
        combo = self.family_combo
        with _Blocked(combo):
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
        spot = self._spot_price(u)
        if spot is not None:
            self.price_edit.setPlaceholderText(f"= spot {fmt.price(spot)}")
        else:
            self.price_edit.setPlaceholderText(f"enter a {u.underlying} price")
        text = (
            ""
            if u.futures_price_from_spot or u.futures_price is None
            else fmt.grouped(u.futures_price)
        )
        self._set_entry(self.price_edit, "futures_price", text, switched)
        self.refresh_price_status(u)

    def refresh_price_status(self, u: UnderlyingPlan) -> None:
        """Tooltip and colour of the price field: where a fetched price came from."""
        status = (
            None
            if u.futures_price_from_spot
            else futures_price_status(self._doc.portfolio, u.underlying, datetime.now(UTC))
        )
        if status is None:
            tip, stale = PRICE_FIELD_TIP, False
        else:
            tip = f"{status.source}, fetched {fmt_age(status.age)}"
            stale = status.stale
            tip += " — stale: refresh prices or type the current quote" if stale else ""
            tip += "\n\n" + PRICE_FIELD_TIP
        if self.price_edit.toolTip() != tip:
            self.price_edit.setToolTip(tip)
        if stale != self._price_stale:
            self._price_stale = stale
            pal = QPalette()
            if stale:
                pal = QPalette(self.price_edit.palette())
                pal.setColor(QPalette.ColorRole.Text, warning_color(pal))
            self.price_edit.setPalette(pal)

    def _spot_price(self, u: UnderlyingPlan) -> Decimal | None:
        if u.futures_price_from_spot:
            return u.futures_price
        holdings = self._doc.portfolio.holdings
        # Holdings tuples are immutable and replaced on every edit: identity is
        # a safe cache key, and 10,000 rows are not rescanned per recompute.
        cache = self._spot_cache
        if cache is not None and cache[0] is holdings and cache[1] == u.underlying:
            return cache[2]
        spot = next((h.price for h in holdings if h.symbol == u.underlying), None)
        self._spot_cache = (holdings, u.underlying, spot)
        return spot

    def _set_entry(self, edit: QLineEdit, key: str, text: str, force: bool) -> None:
        # Keep what the user is typing (or a refused entry with its reason) unless
        # the underlying itself changed.
        if not force and (key in self._errors or (edit.hasFocus() and edit.isModified())):
            return
        with _Blocked(edit):
            edit.setText(text)
            edit.setModified(False)

    # -- edits -----------------------------------------------------------------------
    def _apply(
        self, field: str, value: object, merge: bool = False, merge_key: str | None = None
    ) -> bool:
        if self._underlying is None:
            return False
        try:
            self._doc.set_underlying_setting(
                self._underlying, field, value, UNDO_TEXT[field], merge, merge_key
            )
        except EditRefused as exc:
            self._set_error(field, str(exc))
            return False
        self._set_error(field, None)
        return True

    def _on_family_activated(self, index: int) -> None:
        fid = self.family_combo.itemData(index)
        current = self._current()
        in_force = current.family.id if current is not None and current.family else None
        # Re-picking the family in force (even a default one) is not an edit.
        if fid and fid != in_force:
            self._apply("family", fid)

    def _on_slider_changed(self, value: int) -> None:
        if self._underlying is None:
            return
        if self.ratio_slider.isSliderDown() and not self._drag_macro_open:
            # One drag = one undo step; a macro keeps two drags in a row apart
            # (merged commands alone would fuse them into one step).
            self._doc.undo_stack.beginMacro(UNDO_TEXT["ratio"])
            self._drag_macro_open = True
        self._set_error("ratio", None)
        with _Blocked(self.ratio_edit):
            self.ratio_edit.setText(str(value))
            self.ratio_edit.setModified(False)
        self._apply("ratio", Decimal(value) / 100, merge=True)

    def _end_drag(self) -> None:
        if self._drag_macro_open:
            self._drag_macro_open = False
            self._doc.undo_stack.endMacro()

    def _on_rounding_activated(self, policy: str) -> None:
        if policy in ROUNDINGS:
            self._apply("rounding", policy)

    # Typed entries apply as the user types (debounced, valid values only);
    # Enter or leaving the field applies the final text and shows any refusal.
    # Everything typed in one visit to a field is one undo step.
    def _parse_entry(self, field: str, text: str) -> tuple[object, str | None]:
        """(value, None) for acceptable text, else (None, reason). Empty is the caller's."""
        if field == "ratio":
            try:
                value = fmt.parse_percent(text, what="Hedge ratio")
            except DecimalParseError as exc:
                return None, f"{exc}; type a percentage such as 50"
            if not 0 <= value <= RATIO_MAX_PCT:
                return None, (
                    f"Hedge ratio must be between 0 and {RATIO_MAX_PCT} % (got {_plain(value)} %)"
                )
            return value / 100, None
        if field == "leverage":
            try:
                value = fmt.parse_leverage(text, what="Leverage")
            except DecimalParseError as exc:
                return None, f"{exc}; type a number such as 10"
            if not MIN_LEVERAGE <= value <= MAX_LEVERAGE:
                return None, (
                    f"Leverage must be between 1 and {MAX_LEVERAGE}x (got {_plain(value)})"
                )
            return value, None
        try:
            # The field shows prices grouped ("68,400"): a comma groups thousands here.
            value = parse_decimal(text, what="Futures price", thousands_commas=True)
        except DecimalParseError as exc:
            return None, str(exc)
        if value <= 0:
            return None, "Futures price must be above 0"
        return value, None

    def _session_key(self, field: str) -> str:
        return f"{self._underlying}:{field}:typed:{self._sessions.get(field, 0)}"

    def _end_session(self, field: str) -> None:
        self._sessions[field] = self._sessions.get(field, 0) + 1

    def _on_typed(self, field: str) -> None:
        self._live_timers[field].start()

    def _apply_typed(self, field: str) -> None:
        edit = self._edits[field]
        text = edit.text().strip()
        if not text or self._underlying is None:
            return
        value, reason = self._parse_entry(field, text)
        if reason is None:
            self._apply(field, value, merge_key=self._session_key(field))

    def _commit_entry(self, field: str) -> None:
        self._live_timers[field].stop()
        edit = self._edits[field]
        text = edit.text().strip()
        key = self._session_key(field)
        self._end_session(field)
        if not text:
            if field == "futures_price":
                # Empty = size from the spot price again.
                if self._apply(field, None, merge_key=key):
                    edit.setModified(False)
                return
            self._set_error(field, None)
            edit.setModified(False)
            self.sync(self._current())
            return
        value, reason = self._parse_entry(field, text)
        if reason is not None:
            self._set_error(field, reason)
            return
        if self._apply(field, value, merge_key=key):
            edit.setModified(False)

    def _on_ratio_entered(self) -> None:
        self._commit_entry("ratio")

    def _on_leverage_entered(self) -> None:
        self._commit_entry("leverage")

    def _on_price_entered(self) -> None:
        self._commit_entry("futures_price")

    def commit_pending(self) -> None:
        """Apply what is typed but not yet entered (before save, close, switch)."""
        self._end_drag()
        for field, edit in self._edits.items():
            if edit.isModified() or self._live_timers[field].isActive():
                self._commit_entry(field)

    def _current(self) -> UnderlyingPlan | None:
        return self._doc.plan.underlying(self._underlying) if self._underlying else None

    # -- errors ------------------------------------------------------------------------
    def _set_error(self, key: str, message: str | None) -> None:
        if self._errors.get(key) == message:
            # Nothing to redraw. Also keeps a late focus-out (window teardown)
            # from touching widgets that are already gone.
            return
        if message:
            self._errors[key] = message
        else:
            self._errors.pop(key, None)
        act = self._error_actions.get(key)
        if act is not None:
            act.setVisible(bool(message))
            act.setToolTip(message or "")
        before = self.error_text
        self.error_list.set_messages([("error", m) for m in self._errors.values()])
        if self.error_text != before:
            self.errorChanged.emit(self.error_text)

    def _clear_errors(self) -> None:
        for key in list(self._errors):
            self._set_error(key, None)

    @property
    def error_text(self) -> str:
        """The reasons currently shown for refused entries, one per line."""
        return "\n".join(self.error_list.texts())


def _plain(value: Decimal) -> str:
    return fmt_decimal(value)


class _Blocked:
    """``with _Blocked(widget):`` — sync a widget without emitting its signals."""

    def __init__(self, widget: QWidget) -> None:
        self._w = widget
        self._was = False

    def __enter__(self) -> None:
        self._was = self._w.blockSignals(True)

    def __exit__(self, *exc: object) -> None:
        self._w.blockSignals(self._was)
