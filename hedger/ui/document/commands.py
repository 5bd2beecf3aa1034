"""Undo commands: each one applies a change through the document's public ``apply_*``
primitives and reverts it with their inverse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from hedger.core.models import DriftRules, HedgeSettings, Holding, JournalEntry, Portfolio, Position

# Above this many changed rows one reset is cheaper than a plan per row.
PER_ROW_LIMIT = 8

if TYPE_CHECKING:
    from hedger.ui.document.document import PortfolioDocument


class SetHoldingCommand(QUndoCommand):
    def __init__(self, doc: PortfolioDocument, row: int, new: Holding, text: str) -> None:
        super().__init__(text)
        self._doc, self._row, self._new = doc, row, new
        self._old = doc.portfolio.holdings[row]

    def redo(self) -> None:
        self._doc.apply_holding(self._row, self._new)

    def undo(self) -> None:
        self._doc.apply_holding(self._row, self._old)


class InsertHoldingsCommand(QUndoCommand):
    def __init__(
        self, doc: PortfolioDocument, row: int, holdings: list[Holding], text: str
    ) -> None:
        super().__init__(text)
        self._doc, self._row, self._items = doc, row, list(holdings)

    def redo(self) -> None:
        self._doc.apply_insert(self._row, self._items)

    def undo(self) -> None:
        self._doc.apply_remove(self._row, len(self._items))


class RemoveHoldingsCommand(QUndoCommand):
    """Removes rows given in any order; undo restores them at their places."""

    def __init__(self, doc: PortfolioDocument, rows: list[int], text: str) -> None:
        super().__init__(text)
        self._doc = doc
        self._rows = sorted(set(rows))
        self._items = [doc.portfolio.holdings[r] for r in self._rows]

    def redo(self) -> None:
        for r in reversed(self._rows):
            self._doc.apply_remove(r, 1)

    def undo(self) -> None:
        for r, h in zip(self._rows, self._items, strict=True):
            self._doc.apply_insert(r, [h])


class ReplaceHoldingsCommand(QUndoCommand):
    def __init__(self, doc: PortfolioDocument, holdings: list[Holding], text: str) -> None:
        super().__init__(text)
        self._doc = doc
        self._old = list(doc.portfolio.holdings)
        self._new = list(holdings)

    def redo(self) -> None:
        self._doc.apply_holdings(self._new)

    def undo(self) -> None:
        self._doc.apply_holdings(self._old)


class SetHedgeSettingsCommand(QUndoCommand):
    """Hedge settings change. Consecutive edits of the same control merge,
    so dragging the ratio slider is one undo step, not fifty."""

    ID = 1001

    def __init__(
        self, doc: PortfolioDocument, new: HedgeSettings, text: str, merge_key: str | None = None
    ) -> None:
        super().__init__(text)
        self._doc = doc
        self._old = doc.portfolio.hedge
        self._new = new
        self._merge_key = merge_key

    @property
    def new(self) -> HedgeSettings:
        return self._new

    @property
    def merge_key(self) -> str | None:
        return self._merge_key

    def id(self) -> int:
        return self.ID if self._merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetHedgeSettingsCommand) or other.merge_key != self._merge_key:
            return False
        self._new = other.new
        if self._new == self._old:
            # A drag that ends where it started leaves no empty undo step.
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self._doc.apply_hedge(self._new)

    def undo(self) -> None:
        self._doc.apply_hedge(self._old)


class RenamePortfolioCommand(QUndoCommand):
    def __init__(self, doc: PortfolioDocument, name: str) -> None:
        super().__init__("Rename Portfolio")
        self._doc, self._new, self._old = doc, name, doc.portfolio.name

    def redo(self) -> None:
        self._doc.apply_name(self._new)

    def undo(self) -> None:
        self._doc.apply_name(self._old)


class ReplacePortfolioCommand(QUndoCommand):
    """Swap the whole content (holdings, hedge settings, quotes, name) in one step:
    restored recovery work, a price refresh."""

    def __init__(self, doc: PortfolioDocument, new: Portfolio, text: str) -> None:
        super().__init__(text)
        self._doc, self._new, self._old = doc, new, doc.portfolio
        # A step that does not rename leaves the name alone on undo/redo, so a
        # rename made since (in the library) is not reverted with it.
        self._renames = new.name != self._old.name

    def _apply(self, portfolio: Portfolio) -> None:
        if not self._renames:
            portfolio = portfolio.model_copy(update={"name": self._doc.portfolio.name})
        self._doc.apply_portfolio(portfolio)

    def redo(self) -> None:
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)


class RefreshPricesCommand(QUndoCommand):
    """Swap holdings' prices, futures prices and quotes; rows keep their selection."""

    ID = 0x4C49  # "LI"

    def __init__(
        self, doc: PortfolioDocument, new: Portfolio, text: str, *, auto: bool = False
    ) -> None:
        super().__init__(text)
        self._doc = doc
        self._old = doc.portfolio
        self._new = new
        self.auto = auto

    @property
    def new(self) -> Portfolio:
        return self._new

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Only automatic refreshes fold into the step before them; a refresh
        # the user asked for is its own step.
        if not isinstance(other, RefreshPricesCommand) or not other.auto:
            return False
        self._new = other.new
        return True

    def redo(self) -> None:
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)

    def _apply(self, target: Portfolio) -> None:
        doc = self._doc
        cur = doc.portfolio
        doc.apply_quotes(dict(target.quotes))
        same_rows = len(cur.holdings) == len(target.holdings) and all(
            a.symbol == b.symbol for a, b in zip(cur.holdings, target.holdings, strict=True)
        )
        changed = [
            i for i, (a, b) in enumerate(zip(cur.holdings, target.holdings, strict=False)) if a != b
        ]
        if not same_rows or len(changed) > PER_ROW_LIMIT:
            doc.apply_holdings(list(target.holdings))
        else:
            for row in changed:
                doc.apply_holding(row, target.holdings[row])
        if doc.portfolio.hedge != target.hedge:
            doc.apply_hedge(target.hedge)


class SetBookCommand(QUndoCommand):
    """Positions, journal and drift rules in one step (the held hedge, issue 14):
    an edited cell, a paste, an import, orders marked as placed."""

    def __init__(
        self,
        doc: PortfolioDocument,
        positions: tuple[Position, ...],
        journal: tuple[JournalEntry, ...],
        drift: DriftRules,
        text: str,
    ) -> None:
        super().__init__(text)
        self._doc = doc
        old = doc.portfolio
        self._old = (old.positions, old.journal, old.drift)
        self._new = (positions, journal, drift)

    def redo(self) -> None:
        self._doc.apply_book(*self._new)

    def undo(self) -> None:
        self._doc.apply_book(*self._old)
