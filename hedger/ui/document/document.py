"""The open portfolio: its data, undo stack, file path and live hedge plan.

Widgets never mutate a Portfolio themselves: they call the public edit
methods here, which push undo commands; the commands call the ``apply_*``
primitives, which emit fine-grained signals so table models can update rows
without resetting, then recompute the plan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from hedger.core.catalog import Catalog
from hedger.core.decimals import DecimalParseError, parse_decimal
from hedger.core.models import (
    DriftRules,
    HedgeSettings,
    Holding,
    JournalEntry,
    Portfolio,
    Position,
    Quote,
    normalise_symbol,
)
from hedger.core.planner import Plan, plan_portfolio
from hedger.ui.document import commands
from hedger.ui.document.hedge_edits import (
    HedgeEditError,
    validation_message,
    with_portfolio_setting,
    with_underlying_setting,
)

# Measured daily volatility and where it came from, per underlying.
DailyVols = dict[str, tuple[Decimal, str]]

HOLDING_FIELDS = ("symbol", "quantity", "price", "beta", "hedge_with")
FIELD_LABELS = {
    "symbol": "Symbol",
    "quantity": "Quantity",
    "price": "Price",
    "beta": "Beta",
    "hedge_with": "Hedge With",
}


class EditRefused(ValueError):
    """A user edit that cannot be applied; the message is shown to the user."""


def parse_holding_field(field: str, text: str) -> object:
    """Text typed into a cell -> the value for that Holding field.

    Raises EditRefused with a reason a person can act on.
    """
    text = text.strip()
    try:
        if field == "symbol":
            return normalise_symbol(text)
        if field == "hedge_with":
            return None if text in ("", "auto", "-") else normalise_symbol(text)
        if field == "beta":
            if text in ("", "auto", "-"):
                return None
            return parse_decimal(text, what="beta")
        if field in ("quantity", "price"):
            return parse_decimal(text, what=field)
    except (DecimalParseError, ValueError) as exc:
        raise EditRefused(str(exc)) from None
    raise EditRefused(f"unknown field {field}")


class _GuardedUndoStack(QUndoStack):
    """The document's undo stack; a read-only document refuses every new edit here.

    Every edit of the document becomes a command pushed onto this stack, so
    one check covers them all (typed cells, pastes, settings, price refreshes).
    """

    def __init__(self, document: PortfolioDocument) -> None:
        super().__init__(document)
        self._document = document

    def push(self, cmd: QUndoCommand) -> None:
        if self._document.read_only:
            self._document.editRefused.emit(self._document.read_only_reason)
            return
        super().push(cmd)


class PortfolioDocument(QObject):
    # Structural signals mirror QAbstractItemModel's so table models can
    # forward them with begin/end calls.
    rowsAboutToBeInserted = Signal(int, int)  # first, last
    rowsInserted = Signal(int, int)
    rowsAboutToBeRemoved = Signal(int, int)
    rowsRemoved = Signal(int, int)
    holdingsAboutToBeReset = Signal()
    holdingsReset = Signal()
    holdingChanged = Signal(int)
    settingsChanged = Signal()
    nameChanged = Signal(str)
    portfolioChanged = Signal()
    planChanged = Signal(object)  # Plan
    pathChanged = Signal(object)  # Path | None
    dirtyChanged = Signal(bool)
    catalogChanged = Signal()
    readOnlyChanged = Signal(bool)
    editRefused = Signal(str)  # why an edit of a read-only document did nothing
    bookChanged = Signal()  # positions, journal or drift rules (hedger.ui.positions)

    def __init__(
        self,
        catalog: Catalog,
        portfolio: Portfolio | None = None,
        path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self._portfolio = portfolio or Portfolio(name="Untitled")
        self._path = path
        self._read_only_reason = ""
        self.undo_stack: QUndoStack = _GuardedUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._daily_vols: DailyVols = {}
        self._plan = self._plan_now()

    # -- state -------------------------------------------------------------
    @property
    def portfolio(self) -> Portfolio:
        return self._portfolio

    @property
    def plan(self) -> Plan:
        return self._plan

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def read_only(self) -> bool:
        """Edits are refused (the file is open for editing in another window)."""
        return bool(self._read_only_reason)

    @property
    def read_only_reason(self) -> str:
        return self._read_only_reason

    def set_read_only(self, reason: str | None) -> None:
        """Refuse edits with ``reason`` as the message, or allow them again (None)."""
        was = self.read_only
        self._read_only_reason = reason or ""
        if was != self.read_only:
            self.readOnlyChanged.emit(self.read_only)

    def set_path(self, path: Path | None) -> None:
        self._path = path
        self.pathChanged.emit(path)

    def mark_saved(self, path: Path | None = None) -> None:
        if path is not None:
            self.set_path(path)
        self.undo_stack.setClean()

    def load(self, portfolio: Portfolio, path: Path | None) -> None:
        """Replace everything (open/revert): not undoable, clears history."""
        self.holdingsAboutToBeReset.emit()
        self._portfolio = portfolio
        self.holdingsReset.emit()
        self.undo_stack.clear()
        self.set_path(path)
        self.nameChanged.emit(portfolio.name)
        self.settingsChanged.emit()
        self.bookChanged.emit()
        self._changed()
        self.undo_stack.setClean()
        self.dirtyChanged.emit(False)

    def set_catalog(self, catalog: Catalog) -> None:
        """Plan with another contract catalog (the user added or edited contracts).

        Family choices are kept: one that no longer exists shows as a problem
        of its underlying until another is picked, rather than silently changing.
        """
        self.catalog = catalog
        self.catalogChanged.emit()
        self._changed()

    def adopt_rename(self, path: Path, name: str) -> None:
        """The file was renamed outside the undo history (library Rename).

        The open document follows without losing its unsaved edits or its
        undo history, and without counting the rename as an unsaved change:
        the file on disk already carries the new name.
        """
        self.set_path(path)
        if name != self._portfolio.name:
            self._portfolio = self._portfolio.model_copy(update={"name": name})
            self.nameChanged.emit(name)
            self.portfolioChanged.emit()

    # -- public edits (undoable) -------------------------------------------
    def edit_holding_field(self, row: int, field: str, text: str) -> None:
        """Apply text typed in a cell; raises EditRefused with the reason."""
        if not 0 <= row < len(self._portfolio.holdings):
            raise EditRefused("no such row")
        value = parse_holding_field(field, text)
        old = self._portfolio.holdings[row]
        if getattr(old, field) == value:
            return
        new = self._validated_holding(old, {field: value})
        self.undo_stack.push(
            commands.SetHoldingCommand(self, row, new, f"Edit {FIELD_LABELS[field]}")
        )

    def set_holding(self, row: int, holding: Holding, text: str = "Edit Holding") -> None:
        self.undo_stack.push(commands.SetHoldingCommand(self, row, holding, text))

    def add_holding(self, holding: Holding | None = None, row: int | None = None) -> int:
        if holding is None:
            holding = self._new_holding_template()
        at = len(self._portfolio.holdings) if row is None else row
        self.undo_stack.push(commands.InsertHoldingsCommand(self, at, [holding], "Add Holding"))
        return at

    def insert_holdings(
        self, row: int, holdings: list[Holding], text: str = "Paste Holdings"
    ) -> None:
        if holdings:
            self.undo_stack.push(commands.InsertHoldingsCommand(self, row, holdings, text))

    def remove_rows(self, rows: list[int]) -> None:
        rows = [r for r in set(rows) if 0 <= r < len(self._portfolio.holdings)]
        if not rows:
            return
        text = "Remove Holding" if len(rows) == 1 else f"Remove {len(rows)} Holdings"
        self.undo_stack.push(commands.RemoveHoldingsCommand(self, rows, text))

    def replace_holdings(self, holdings: list[Holding], text: str = "Import Holdings") -> None:
        self.undo_stack.push(commands.ReplaceHoldingsCommand(self, holdings, text))

    def set_hedge_settings(
        self, settings: HedgeSettings, text: str, merge_key: str | None = None
    ) -> None:
        if settings == self._portfolio.hedge:
            return
        self.undo_stack.push(commands.SetHedgeSettingsCommand(self, settings, text, merge_key))

    def set_underlying_setting(
        self,
        underlying: str,
        field: str,
        value: object,
        text: str,
        merge: bool = False,
        merge_key: str | None = None,
    ) -> None:
        """Change one setting of one underlying: ratio, rounding, leverage, family,
        futures price (stamped with the time and spot; None: use spot), dollar
        target (None: the ratio sets it), collateral kept, margin mode.

        Consecutive changes with the same merge key are one undo step: ``merge``
        uses one key per underlying and field (a slider drag), ``merge_key`` a
        caller's own (one typing session in a field).
        """
        try:
            new = with_underlying_setting(
                self._portfolio, underlying, field, value, datetime.now(UTC)
            )
        except HedgeEditError as exc:
            raise EditRefused(str(exc)) from None
        key = merge_key or (f"{underlying}:{field}" if merge else None)
        self.set_hedge_settings(new, text, key)

    def set_hedge_field(
        self, field: str, value: object, text: str, merge_key: str | None = None
    ) -> None:
        """Change a setting of the whole portfolio's hedge: rally, account, margin mode."""
        try:
            new = with_portfolio_setting(self._portfolio.hedge, field, value)
        except HedgeEditError as exc:
            raise EditRefused(str(exc)) from None
        self.set_hedge_settings(new, text, merge_key)

    # -- measured volatility (the leverage warning) ----------------------------
    @property
    def daily_vols(self) -> DailyVols:
        return self._daily_vols

    def set_daily_vols(self, vols: DailyVols) -> None:
        """Plan with these measured daily volatilities (from stored history): not an edit."""
        if dict(vols) != self._daily_vols:
            self._daily_vols = dict(vols)
            self._replan()

    def replace_portfolio(self, portfolio: Portfolio, text: str) -> None:
        """Swap holdings, hedge settings, quotes and name as one undo step."""
        if portfolio != self._portfolio:
            self.undo_stack.push(commands.ReplacePortfolioCommand(self, portfolio, text))

    def apply_price_refresh(self, portfolio: Portfolio, text: str = "Refresh Prices") -> None:
        self.replace_portfolio(portfolio, text)

    def set_book(
        self,
        text: str,
        positions: tuple[Position, ...] | None = None,
        journal: tuple[JournalEntry, ...] | None = None,
        drift: DriftRules | None = None,
    ) -> None:
        """Change the held hedge (positions, journal, drift rules) as one undo step."""
        p = self._portfolio
        new = (
            p.positions if positions is None else positions,
            p.journal if journal is None else journal,
            p.drift if drift is None else drift,
        )
        if new != (p.positions, p.journal, p.drift):
            self.undo_stack.push(commands.SetBookCommand(self, *new, text))

    def rename(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise EditRefused("a portfolio needs a name")
        if len(name) > 120:
            raise EditRefused("name is too long (120 characters at most)")
        if name != self._portfolio.name:
            self.undo_stack.push(commands.RenamePortfolioCommand(self, name))

    # -- primitives: undo commands apply and revert with these ----------------
    # Public so the commands need nothing private, but only undo commands
    # call them: a change made here directly would bypass the undo history.
    def apply_holding(self, row: int, holding: Holding) -> None:
        hs = list(self._portfolio.holdings)
        hs[row] = holding
        self._portfolio = self._portfolio.model_copy(update={"holdings": tuple(hs)})
        self.holdingChanged.emit(row)
        self._changed()

    def apply_insert(self, row: int, holdings: list[Holding]) -> None:
        hs = list(self._portfolio.holdings)
        self.rowsAboutToBeInserted.emit(row, row + len(holdings) - 1)
        hs[row:row] = holdings
        self._portfolio = self._portfolio.model_copy(update={"holdings": tuple(hs)})
        self.rowsInserted.emit(row, row + len(holdings) - 1)
        self._changed()

    def apply_remove(self, row: int, count: int) -> None:
        hs = list(self._portfolio.holdings)
        self.rowsAboutToBeRemoved.emit(row, row + count - 1)
        del hs[row : row + count]
        self._portfolio = self._portfolio.model_copy(update={"holdings": tuple(hs)})
        self.rowsRemoved.emit(row, row + count - 1)
        self._changed()

    def apply_holdings(self, holdings: list[Holding]) -> None:
        self.holdingsAboutToBeReset.emit()
        self._portfolio = self._portfolio.model_copy(update={"holdings": tuple(holdings)})
        self.holdingsReset.emit()
        self._changed()

    def apply_hedge(self, settings: HedgeSettings) -> None:
        self._portfolio = self._portfolio.model_copy(update={"hedge": settings})
        self.settingsChanged.emit()
        self._changed()

    def apply_portfolio(self, portfolio: Portfolio) -> None:
        name_changed = portfolio.name != self._portfolio.name
        self.holdingsAboutToBeReset.emit()
        self._portfolio = portfolio
        self.holdingsReset.emit()
        self.settingsChanged.emit()
        self.bookChanged.emit()
        if name_changed:
            self.nameChanged.emit(portfolio.name)
        self._changed()

    def apply_book(
        self,
        positions: tuple[Position, ...],
        journal: tuple[JournalEntry, ...],
        drift: DriftRules,
    ) -> None:
        update = {"positions": positions, "journal": journal, "drift": drift}
        self._portfolio = self._portfolio.model_copy(update=update)
        self.bookChanged.emit()
        self._changed()

    def apply_quotes(self, quotes: dict[str, Quote]) -> None:
        # Quotes never change the plan; only listeners of the whole
        # portfolio (age widget, autosave, dirty title) need to know.
        self._portfolio = self._portfolio.model_copy(update={"quotes": quotes})
        self.portfolioChanged.emit()

    def apply_name(self, name: str) -> None:
        self._portfolio = self._portfolio.model_copy(update={"name": name})
        self.nameChanged.emit(name)
        self.portfolioChanged.emit()

    # -- helpers ------------------------------------------------------------
    def _on_clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    def _plan_now(self) -> Plan:
        # Now: a fetched futures price's age is judged too (core.freshness).
        return plan_portfolio(
            self._portfolio, self.catalog, daily_vols=self._daily_vols, now=datetime.now(UTC)
        )

    def _changed(self) -> None:
        self._plan = self._plan_now()
        self.portfolioChanged.emit()
        self.planChanged.emit(self._plan)

    def _replan(self) -> None:
        self._plan = self._plan_now()
        self.planChanged.emit(self._plan)

    def _validated_holding(self, old: Holding, update: dict[str, object]) -> Holding:
        data = old.model_dump()
        data.update(update)
        try:
            return Holding.model_validate(data)
        except ValidationError as exc:
            raise EditRefused(validation_message(exc)) from None

    def _new_holding_template(self) -> Holding:
        # A new row starts as a copy of the last symbol's price so the plan
        # stays valid; quantity 0 means it changes nothing until edited.
        last = self._portfolio.holdings[-1] if self._portfolio.holdings else None
        if last is not None:
            return Holding(symbol=last.symbol, quantity=0, price=last.price)  # type: ignore[arg-type]
        return Holding(symbol="BTC", quantity=0, price=70000)  # type: ignore[arg-type]
