"""Typed entries of the hedge panel: applied as the user pauses, refused with a reason.

A field applies valid text after a short pause in typing (the plan and chart
follow), and Enter or leaving it applies the final text and shows any
refusal beside it. Everything typed in one visit to a field is one undo step
(one merge key per typing session). Each field's text is read by a parser
that returns ``(value, None)`` or ``(None, reason)``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QStyle, QWidget

from hedger.core.decimals import DecimalParseError, fmt_decimal, parse_decimal
from hedger.core.models import MAX_LEVERAGE, MAX_RALLY, MAX_RATIO
from hedger.core.percent import parse_share, percent_text
from hedger.ui import format as fmt

# Pause in typing after which a valid entry is applied (the plan and chart follow).
LIVE_DELAY_MS = 250
MIN_LEVERAGE = Decimal(1)

Parsed = tuple[object, str | None]
Parser = Callable[[str], Parsed]
# apply(value, merge key) -> None when applied, else the reason it was refused.
Apply = Callable[[object, str], str | None]
Report = Callable[[str, str | None], None]


def parse_ratio(text: str) -> Parsed:
    """``50%`` or ``0.5``; a bare ``50`` is refused with both readings (as in the CLI)."""
    try:
        return parse_share(text, what="Hedge ratio", high=MAX_RATIO), None
    except DecimalParseError as exc:
        return None, str(exc)


def parse_rally(text: str) -> Parsed:
    """The rally the collateral must survive: ``30%`` or ``0.3``; ``30`` is ambiguous."""
    try:
        value = parse_share(
            text,
            what="Rally",
            low=Decimal(0),
            low_inclusive=False,
            high=MAX_RALLY,
            bare_max=Decimal(1),
        )
    except DecimalParseError as exc:
        return None, str(exc)
    return value, None


def parse_leverage(text: str) -> Parsed:
    try:
        value = fmt.parse_leverage(text, what="Leverage")
    except DecimalParseError as exc:
        return None, f"{exc}; type a number such as 2"
    if not MIN_LEVERAGE <= value <= MAX_LEVERAGE:
        return None, f"Leverage must be between 1 and {MAX_LEVERAGE}x (got {fmt_decimal(value)})"
    return value, None


def parse_price(text: str) -> Parsed:
    try:
        # The field shows prices grouped ("68,400"): a comma groups thousands here.
        value = parse_decimal(text, what="Futures price", thousands_commas=True)
    except DecimalParseError as exc:
        return None, str(exc)
    if value <= 0:
        return None, "Futures price must be above 0"
    return value, None


def usd_parser(what: str, *, positive: bool = True) -> Parser:
    """A USD amount (``1,500``, ``1500 USD``): above 0, or at least 0."""

    def parse(text: str) -> Parsed:
        cleaned = text.strip()
        if cleaned.upper().endswith("USD"):
            cleaned = cleaned[:-3].rstrip()
        try:
            value = parse_decimal(cleaned, what=what, thousands_commas=True)
        except DecimalParseError as exc:
            return None, str(exc)
        if value < 0 or (positive and value == 0):
            return None, f"{what} must be above 0"
        return value, None

    return parse


def share_text(share: Decimal) -> str:
    """A share as the fields show it and read it back: ``100%``, ``37.5%``."""
    return percent_text(share)


class EntryField(QObject):
    """One typed field: live apply while typing, commit on Enter or leaving, errors shown.

    ``empty``: what an emptied field means; ``RESTORES`` (the default) shows
    the value in force again (``on_restore``), anything else is applied (an
    emptied futures price field means None, "use spot").
    """

    RESTORES: object = object()

    def __init__(
        self,
        key: str,
        edit: QLineEdit,
        parse: Parser,
        apply: Apply,
        report: Report,
        *,
        scope: Callable[[], str | None],
        on_restore: Callable[[], None] | None = None,
        empty: object = RESTORES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.edit = edit
        self._parse = parse
        self._apply = apply
        self._report = report
        self._scope = scope
        self._on_restore = on_restore
        self._empty = empty
        self._session = 0
        self.error: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LIVE_DELAY_MS)
        self._timer.timeout.connect(self._apply_typed)
        edit.textEdited.connect(lambda _t: self._timer.start())
        edit.editingFinished.connect(self.commit)
        icon = edit.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._error_action: QAction = edit.addAction(icon, QLineEdit.ActionPosition.LeadingPosition)
        self._error_action.setVisible(False)

    # -- state -----------------------------------------------------------------
    @property
    def pending(self) -> bool:
        return self.edit.isModified() or self._timer.isActive()

    def parse(self, text: str) -> Parsed:
        return self._parse(text)

    def set_text(self, text: str, force: bool = False) -> None:
        """Show the value in force, unless the user is typing or a refusal is shown."""
        edit = self.edit
        if not force and (self.error is not None or (edit.hasFocus() and edit.isModified())):
            return
        was = edit.blockSignals(True)
        try:
            if edit.text() != text:
                edit.setText(text)
            edit.setModified(False)
        finally:
            edit.blockSignals(was)

    def reset(self) -> None:
        """Another underlying is shown: forget the typing session and any refusal."""
        self._timer.stop()
        self._session += 1
        self.set_error(None)

    def set_error(self, message: str | None) -> None:
        if message == self.error:
            return
        self.error = message
        self._error_action.setVisible(bool(message))
        self._error_action.setToolTip(message or "")
        self._report(self.key, message)

    # -- typing --------------------------------------------------------------------
    def _merge_key(self) -> str:
        return f"{self._scope()}:{self.key}:typed:{self._session}"

    def _apply_typed(self) -> None:
        text = self.edit.text().strip()
        if not text or self._scope() is None:
            return
        value, reason = self._parse(text)
        if reason is None:
            self.set_error(self._apply(value, self._merge_key()))

    def commit(self) -> None:
        """Apply the text as it stands (Enter, leaving the field, save, switch)."""
        self._timer.stop()
        if self._scope() is None:
            return
        text = self.edit.text().strip()
        key = self._merge_key()
        self._session += 1
        if not text:
            if self._empty is self.RESTORES:
                self.set_error(None)
                self.edit.setModified(False)
                if self._on_restore is not None:
                    self._on_restore()
                return
            self._finish(self._apply(self._empty, key))
            return
        value, reason = self._parse(text)
        self._finish(reason if reason is not None else self._apply(value, key))

    def _finish(self, refused: str | None) -> None:
        self.set_error(refused)
        if refused is None:
            self.edit.setModified(False)
            # Show what was applied the way the field writes it ("0.5" -> "50%").
            if self._on_restore is not None:
                self._on_restore()


def entry(name: str, placeholder: str, accessible: str, width_text: str = "000.00") -> QLineEdit:
    """A right-aligned line edit sized for its numbers (room for the warning icon)."""
    e = QLineEdit()
    e.setObjectName(name)
    e.setPlaceholderText(placeholder)
    e.setAlignment(Qt.AlignmentFlag.AlignRight)
    e.setFixedWidth(e.fontMetrics().horizontalAdvance(width_text) + 28)
    e.setAccessibleName(accessible)
    return e


class Blocked:
    """``with Blocked(widget):`` — sync a widget without emitting its signals."""

    def __init__(self, widget: QWidget) -> None:
        self._w = widget
        self._was = False

    def __enter__(self) -> None:
        self._was = self._w.blockSignals(True)

    def __exit__(self, *exc: object) -> None:
        self._w.blockSignals(self._was)
