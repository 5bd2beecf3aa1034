"""The row a new holding is typed into: it starts empty, symbol first.

A new holding used to copy the row above (a USDC row became 200 USDC at the
price of the coin above it). Here nothing is guessed: the symbol comes first,
then the quantity, and the price is either typed or one Hedger already knows
for that symbol (another row of it, its last fetched quote, 1 for a
stablecoin), shown in the empty price field before it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from hedger.core.models import Holding, Portfolio, normalise_symbol
from hedger.ui import format as fmt
from hedger.ui.document.document import EditRefused, parse_holding_field
from hedger.ui.widgets.style import dim

# Asked before a negative quantity is added (holding, quantity, row None: new).
ConfirmShort = Callable[[Holding, Decimal, "int | None"], bool]


def known_price(portfolio: Portfolio, symbol: str) -> tuple[Decimal, str] | None:
    """A price Hedger already has for ``symbol``, and where it comes from."""
    probe = Holding(symbol=symbol, quantity=Decimal(0), price=Decimal(1))
    if probe.is_stablecoin:
        return Decimal(1), "a stablecoin"
    for h in portfolio.holdings:
        if h.symbol == symbol:
            return h.price, f"as in your other {symbol} row"
    quote = portfolio.quotes.get(symbol)
    if quote is not None and quote.kind == "spot":
        return quote.price, f"last fetched from {quote.source}"
    return None


class NewHoldingRow(QFrame):
    """Symbol, quantity and price of a holding to add; Enter adds it, Esc leaves."""

    added = Signal(int)  # the new holding's row in the document
    message = Signal(str, str)  # text, level ("info" / "error")

    def __init__(
        self,
        portfolio: Callable[[], Portfolio],
        add: Callable[[Holding, int], int],
        confirm_short: ConfirmShort,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newHoldingRow")
        self._portfolio = portfolio
        self._add = add
        self._confirm_short = confirm_short
        self._at = 0
        self._known: tuple[Decimal, str] | None = None
        self.symbol = self._field("Symbol", "e.g. SOL", "New holding's symbol")
        self.quantity = self._field("Quantity", "0", "New holding's quantity")
        self.price = self._field("Price", "type a price", "New holding's price in USD")
        for f in (self.quantity, self.price):
            f.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for f in (self.symbol, self.quantity, self.price):
            f.returnPressed.connect(self.commit)
        self.symbol.editingFinished.connect(self._symbol_done)
        self.hint = dim(QLabel(""))  # placed under the row by the panel
        self.hint.hide()
        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolTip("Add this holding (Enter)")
        self.add_button.clicked.connect(self.commit)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Leave without adding (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        title = QLabel("New holding")
        title.setObjectName("newHoldingTitle")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(title)
        for f in (self.symbol, self.quantity, self.price):
            lay.addWidget(f, 1)
        lay.addWidget(self.add_button)
        lay.addWidget(self.cancel_button)
        self.hide()

    def _field(self, name: str, placeholder: str, accessible: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"new{name}")
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(accessible)
        edit.setToolTip(accessible)
        return edit

    # -- opening and closing ---------------------------------------------------------
    def open(self, at: int, completions: list[str]) -> None:
        """Start a new holding to be inserted at document row ``at``."""
        self._at = at
        for f in (self.symbol, self.quantity, self.price):
            f.clear()
        completer = QCompleter(completions, self.symbol)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.symbol.setCompleter(completer)
        self._known = None
        self.price.setPlaceholderText("type a price")
        self.hint.setText("Type its symbol, then Tab to quantity and price; Enter adds it")
        self.show()
        self.hint.show()
        self.symbol.setFocus()

    def cancel(self) -> None:
        self.hide()
        self.hint.hide()

    # -- typing ----------------------------------------------------------------------
    def _symbol_done(self) -> None:
        try:
            symbol = normalise_symbol(self.symbol.text())
        except ValueError:
            return
        self._known = known_price(self._portfolio(), symbol)
        if self._known is None:
            self.price.setPlaceholderText("type a price")
            self.hint.setText(f"No price known for {symbol}: type it")
        else:
            price, source = self._known
            self.price.setPlaceholderText(f"= {fmt.price(price)}")
            self.hint.setText(f"Price {fmt.price(price)} USD ({source}) unless you type one")

    def holding(self) -> Holding:
        """The holding typed so far; EditRefused says what is missing or wrong."""
        if not self.symbol.text().strip():
            raise EditRefused("type the new holding's symbol first")
        symbol = parse_holding_field("symbol", self.symbol.text())
        quantity = parse_holding_field("quantity", self.quantity.text() or "0")
        if self.price.text().strip():
            price = parse_holding_field("price", self.price.text())
        else:
            self._symbol_done()
            if self._known is None:
                raise EditRefused(f"type the price of {symbol}")
            price = self._known[0]
        try:
            return Holding(symbol=symbol, quantity=quantity, price=price)  # type: ignore[arg-type]
        except ValueError as exc:
            raise EditRefused(str(exc).splitlines()[-1]) from None

    def commit(self) -> int | None:
        """Add the holding; its document row, or None when something is missing."""
        try:
            h = self.holding()
        except EditRefused as exc:
            self.hint.setText(str(exc)[:1].upper() + str(exc)[1:])
            self.message.emit(str(exc), "error")
            for f in (self.symbol, self.quantity, self.price):
                if f.text().strip() == "" and f is not self.quantity:
                    f.setFocus()
                    break
            return None
        if h.quantity < 0 and not self._confirm_short(h, h.quantity, None):
            self.quantity.setFocus()
            return None
        row = self._add(h, self._at)
        self.cancel()
        self.added.emit(row)
        return row

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)
