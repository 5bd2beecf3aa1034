"""Table model of the open portfolio's holdings, one row per Holding.

The model holds no data of its own: it reads the PortfolioDocument and sends
edits back through ``document.edit_holding_field`` (one undo step each). The
document's fine-grained row signals become begin/end calls so views keep
their selection and scroll position across edits, undo and redo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import Holding
from hedger.core.planner import resolve_underlying
from hedger.services.prices import PriceStatus, holding_price_status
from hedger.ui.document.document import (
    FIELD_LABELS,
    EditRefused,
    PortfolioDocument,
    parse_holding_field,
    validation_message,
)
from hedger.ui.holdings.cells import (
    COLUMN_COUNT,
    HOLDING_TEXT_COLUMNS,
    RowInfo,
    edit_text,
    fonts,
    holding_texts,
)
from hedger.ui.holdings.columns import (
    BETA_HINT_ROLE,
    COLUMN_FIELDS,
    DERIVED_COLUMNS,
    EMPTY_REASONS,
    HEADER_TIPS,
    HEADERS,
    HOLDING_KEY_COLUMNS,
    HOLDING_ROLE,
    NUMERIC_COLUMNS,
    SORT_ROLE,
    BetaEstimate,
    Column,
    EstimateKey,
    clean_reason,
    group_decimal,
    share_text,
)
from hedger.ui.holdings.sort_proxy import holding_sort_key
from hedger.ui.holdings.tips import beta_tip, hedge_tip
from hedger.ui.widgets.icons import icon
from hedger.ui.widgets.item_style import (
    ACCESSIBLE,
    ALIGNMENT,
    DECORATION,
    DISPLAY,
    EDIT,
    FONT,
    FOREGROUND,
    TOOLTIP,
    CellStyle,
)
from hedger.ui.widgets.style import muted_color, warning_color

Index = QModelIndex | QPersistentModelIndex


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
HUNDRED = Decimal(100)
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable


class HoldingsTableModel(QAbstractTableModel):
    """Holdings of a PortfolioDocument; edits become undoable document edits."""

    editRefused = Signal(int, int, str)  # row, column, message for people

    def __init__(self, document: PortfolioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        # Derived per-row facts and sort keys, rebuilt lazily after any change:
        # sorting thousands of rows asks for each key many times.
        self._infos: dict[int, RowInfo] = {}
        self._sort_keys: dict[int, list[Any]] = {}
        self._estimates: dict[EstimateKey, BetaEstimate] = {}
        # Texts of the columns that read only the row's own holding: they
        # survive plan changes (an edit elsewhere changes only shares).
        self._texts: dict[int, tuple[str | None, ...]] = {}
        self._readers: dict[int, Callable[[int, int], Any]] = {
            SORT_ROLE: self._read_sort,
            DISPLAY: self._read_display,
            EDIT: self._read_edit,
            ALIGNMENT: self._read_alignment,
            FOREGROUND: self._read_foreground,
            FONT: self._read_font,
            TOOLTIP: self._read_tooltip,
            DECORATION: self._read_decoration,
            HOLDING_ROLE: self._read_holding,
            BETA_HINT_ROLE: self._read_beta_hint,
            ACCESSIBLE: self._read_accessible,
        }
        # Asked when a typed quantity turns negative (holding, new quantity, row);
        # the panel asks the user. False keeps the holding as it was.
        self.confirm_short: Callable[[Holding, Decimal, int | None], bool] = lambda _h, _q, _row: (
            True
        )
        document.rowsAboutToBeInserted.connect(self._on_rows_about_to_be_inserted)
        document.rowsInserted.connect(self._on_rows_inserted)
        document.rowsAboutToBeRemoved.connect(self._on_rows_about_to_be_removed)
        document.rowsRemoved.connect(self._on_rows_removed)
        document.holdingsAboutToBeReset.connect(self._on_about_to_reset)
        document.holdingsReset.connect(self._on_reset)
        document.holdingChanged.connect(self._on_holding_changed)
        document.planChanged.connect(self._on_plan_changed)

    @property
    def document(self) -> PortfolioDocument:
        return self._doc

    # -- shape ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._doc.portfolio.holdings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # The sort proxy maps each of a painted cell's ~8 role reads through
        # index(); Qt's own would call rowCount and columnCount in Python for each.
        if (
            0 <= column < COLUMN_COUNT
            and 0 <= row < len(self._doc.portfolio.holdings)
            and not parent.isValid()
        ):
            return self.createIndex(row, column)
        return QModelIndex()

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Called for every selected cell on each change: no enum arithmetic here.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE if index.column() in COLUMN_FIELDS else _READ_ONLY

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self.rowCount():
                return str(section + 1)
            return None
        if not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in NUMERIC_COLUMNS else _LEFT
        return None

    # -- reading --------------------------------------------------------------
    def holding(self, row: int) -> Holding:
        return self._doc.portfolio.holdings[row]

    def _invalidate(self) -> None:
        self._infos.clear()
        self._texts.clear()
        self._sort_keys.clear()

    def _info(self, row: int) -> RowInfo:
        info = self._infos.get(row)
        if info is None:
            info = self._infos[row] = self._compute_info(row)
        return info

    def _compute_info(self, row: int) -> RowInfo:
        h = self._doc.portfolio.holdings[row]
        if h.is_stablecoin:
            return RowInfo(h, True, None, h.hedge_with is None, False, None)
        families = self._doc.portfolio.hedge.families
        under, assumed = resolve_underlying(h, self._doc.catalog, families)
        plan = self._doc.plan.underlying(under)
        problem = plan.problem if plan is not None else None
        return RowInfo(h, False, under, h.hedge_with is None, assumed, problem)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A painted cell asks seven roles, each through the sort proxy: one
        # dict look-up finds the role's reader, or says the model has none.
        reader = self._readers.get(role)
        if reader is None:
            return None
        row = index.row()  # -1 for an invalid index
        if not 0 <= row < len(self._doc.portfolio.holdings):
            return None
        return reader(row, index.column())

    def cell_style(self, row: int, col: int) -> CellStyle:
        """What a painted cell reads (display, alignment, font, foreground, decoration) at once.

        The same values data() gives for those roles: the delegate takes
        them in one Python call instead of five calls through the proxy.
        """
        info = self._info(row)
        return CellStyle(
            self._read_display(row, col),
            _RIGHT if col in NUMERIC_COLUMNS else _LEFT,
            font=self._font(info, col),
            foreground=self._foreground(info, col),
            decoration=self._decoration(info, col),
        )

    def _read_sort(self, row: int, col: int) -> Any:
        keys = self._sort_keys.get(col)
        if keys is None:
            keys = self._sort_keys[col] = self._column_sort_keys(col)
        return keys[row]

    def _read_display(self, row: int, col: int) -> str | None:
        if col in HOLDING_TEXT_COLUMNS:
            texts = self._texts.get(row)
            if texts is None:
                texts = self._texts[row] = holding_texts(self._doc.portfolio.holdings[row])
            return texts[col]
        return self._display(self._info(row), col)

    def _read_edit(self, row: int, col: int) -> str | None:
        return edit_text(self.holding(row), col)

    @staticmethod
    def _read_alignment(_row: int, col: int) -> Qt.AlignmentFlag:
        return _RIGHT if col in NUMERIC_COLUMNS else _LEFT

    def _read_foreground(self, row: int, col: int) -> QBrush | None:
        return self._foreground(self._info(row), col)

    def _read_font(self, row: int, col: int) -> QFont | None:
        return self._font(self._info(row), col)

    def _read_tooltip(self, row: int, col: int) -> str | None:
        return self._tooltip(self._info(row), col, row)

    def _read_decoration(self, row: int, col: int) -> Any:
        return self._decoration(self._info(row), col)

    def _read_holding(self, row: int, _col: int) -> Holding:
        return self.holding(row)

    def _read_beta_hint(self, row: int, col: int) -> str | None:
        return self._beta_hint(row) if col == Column.BETA else None

    def _read_accessible(self, row: int, col: int) -> str | None:
        if col != Column.QUANTITY:
            return None
        # Said, like the "short" tag the delegate paints beside the number.
        h = self.holding(row)
        short = ", short position" if h.quantity < 0 else ""
        return f"{group_decimal(h.quantity)} {h.symbol}{short}"

    # -- estimated betas --------------------------------------------------------
    def set_beta_estimates(self, estimates: Mapping[EstimateKey, BetaEstimate]) -> None:
        """Estimates from history, by (symbol, underlying); computed elsewhere, off-thread.

        Only the Beta column repaints; nothing else in the row depends on them.
        """
        new = dict(estimates)
        if new == self._estimates:
            return
        self._estimates = new
        n = self.rowCount()
        if n:
            self.dataChanged.emit(
                self.index(0, Column.BETA),
                self.index(n - 1, Column.BETA),
                [int(Qt.ItemDataRole.ToolTipRole), BETA_HINT_ROLE],
            )

    def beta_estimates(self) -> dict[EstimateKey, BetaEstimate]:
        return dict(self._estimates)

    def estimated_beta(self, row: int) -> BetaEstimate | None:
        """The estimate for this row's holding against its hedge underlying, if any."""
        if not 0 <= row < self.rowCount() or not self._estimates:
            return None
        info = self._info(row)
        if info.cash or info.underlying is None:
            return None
        return self._estimates.get((info.holding.symbol, info.underlying))

    def estimate_differs(self, row: int) -> bool:
        """An estimate exists and is not the beta in use (unset counts as 1)."""
        est = self.estimated_beta(row)
        if est is None:
            return False
        h = self.holding(row)
        return est.beta != (Decimal(1) if h.beta is None else h.beta)

    def apply_estimated_betas(self, rows: Iterable[int]) -> int:
        """Set each row's beta to its estimate, as one undo step; returns how many."""
        targets = sorted({r for r in rows if self.estimate_differs(r)})
        if not targets:
            return 0
        stack = self._doc.undo_stack
        stack.beginMacro("Apply Estimated Beta" if len(targets) == 1 else "Apply Estimated Betas")
        applied = 0
        try:
            for r in targets:
                est = self.estimated_beta(r)
                if est is None:
                    continue
                try:
                    self._doc.edit_holding_field(r, "beta", fmt_decimal(est.beta))
                except EditRefused as exc:
                    self.editRefused.emit(r, Column.BETA, str(exc))
                    continue
                applied += 1
        finally:
            stack.endMacro()
        return applied

    def _beta_hint(self, row: int) -> str | None:
        if not self.estimate_differs(row):
            return None
        est = self.estimated_beta(row)
        return None if est is None else f"est {fmt_decimal(est.beta)}"

    def _estimate_tip(self, info: RowInfo, row: int) -> str | None:
        est = self.estimated_beta(row)
        if est is None:
            return None
        h = info.holding
        yours = "1 (not set)" if h.beta is None else fmt_decimal(h.beta)
        if self.estimate_differs(row):
            return f"Your β {yours} · {est.describe()} — right-click to apply"
        return f"Your β {yours} matches the beta {est.describe()}"

    def _total(self) -> Decimal:
        # The plan's total is computed once per change, unlike a fresh sum per
        # cell that would make painting quadratic in the number of rows.
        return self._doc.plan.total_value_usd

    def _share(self, h: Holding) -> Decimal | None:
        total = self._total()
        if total <= 0:
            return None
        return h.value / total * HUNDRED

    def _display(self, info: RowInfo, col: int) -> str | None:
        h = info.holding
        if col == Column.SYMBOL:
            return h.symbol
        if col == Column.QUANTITY:
            return group_decimal(h.quantity)
        if col == Column.PRICE:
            return group_decimal(h.price, min_places=2)
        if col == Column.VALUE:
            return fmt_money(h.value)
        if col == Column.SHARE:
            if info.cash:
                return "cash"
            share = self._share(h)
            return "—" if share is None else share_text(share)
        if col == Column.BETA:
            if h.beta is not None:
                return group_decimal(h.beta)
            return "—" if info.cash else "1"
        if col == Column.HEDGE_WITH:
            return "cash" if info.cash else info.underlying
        return None

    def _is_muted(self, info: RowInfo, col: int) -> bool:
        if col == Column.SHARE:
            return info.cash
        if col == Column.BETA:
            return info.holding.beta is None and not info.beta_assumed
        if col == Column.HEDGE_WITH:
            return info.cash or (info.automatic and info.problem is None)
        return False

    def _price_status(self, symbol: str) -> PriceStatus | None:
        if not self._doc.portfolio.quotes:
            return None
        return holding_price_status(self._doc.portfolio, symbol, datetime.now(UTC))

    def _foreground(self, info: RowInfo, col: int) -> QBrush | None:
        if col == Column.PRICE:
            status = self._price_status(info.holding.symbol)
            if status is not None and status.stale:
                return QBrush(warning_color())
        if col == Column.BETA and info.beta_assumed:
            return QBrush(warning_color())
        if col == Column.HEDGE_WITH and info.problem:
            return QBrush(warning_color())
        if col == Column.QUANTITY and info.holding.quantity < 0:
            return None
        if self._is_muted(info, col):
            return QBrush(muted_color())
        return None

    def _font(self, info: RowInfo, col: int) -> QFont | None:
        automatic = (col == Column.BETA and info.holding.beta is None) or (
            col == Column.HEDGE_WITH and info.automatic and not info.cash
        )
        if col == Column.SYMBOL:
            return fonts().bold
        if automatic or (info.cash and col in (Column.SHARE, Column.HEDGE_WITH)):
            return fonts().italic
        return None

    def _decoration(self, info: RowInfo, col: int) -> Any:
        if col == Column.BETA and info.beta_assumed:
            return icon("warning")
        if col == Column.HEDGE_WITH and info.problem:
            return icon("warning")
        return None

    def _tooltip(self, info: RowInfo, col: int, row: int = -1) -> str | None:
        h = info.holding
        if info.cash and col in (Column.SYMBOL, Column.SHARE, Column.HEDGE_WITH, Column.BETA):
            share = self._share(h)
            of_total = "" if share is None else f" ({share_text(share)} of the portfolio)"
            return (
                f"{h.symbol} is a stablecoin: counted as cash{of_total}. "
                "It does not move with crypto prices, so there is nothing to hedge."
            )
        if col == Column.QUANTITY:
            text = f"{fmt_decimal(h.quantity)} {h.symbol}"
            if h.quantity < 0:
                text += " (negative: a short spot position)"
            return text
        if col == Column.PRICE:
            tip = f"1 {h.symbol} = {fmt_decimal(h.price)} USD"
            status = self._price_status(h.symbol)
            if status is None:
                return f"{tip}\nTyped by you (F5 fetches live prices)"
            return f"{tip}\nFetched: {status.text}"
        if col == Column.VALUE:
            return (
                f"{group_decimal(h.quantity)} {h.symbol} × {group_decimal(h.price)} USD "
                f"= {fmt_money(h.value)} USD"
            )
        if col == Column.SHARE:
            share = self._share(h)
            if share is None:
                return "A share is not meaningful while the portfolio's total value is not positive"
            return (
                f"{share_text(share)} of the portfolio's total value "
                f"({fmt_money(self._total())} USD)"
            )
        if col == Column.BETA:
            tip = beta_tip(info.holding, info.underlying, info.beta_assumed)
            estimate = self._estimate_tip(info, row)
            return tip if estimate is None else f"{estimate}\n\n{tip}"
        if col == Column.HEDGE_WITH:
            return hedge_tip(info.holding, info.underlying, info.automatic, info.problem)
        return None

    def _column_sort_keys(self, col: int) -> list[Any]:
        holdings = self._doc.portfolio.holdings
        if col in HOLDING_KEY_COLUMNS:
            return [holding_sort_key(h, col) for h in holdings]
        if col == Column.SHARE:
            # Cash sorts below every crypto share, in value order among itself.
            total = self._total()
            keys: list[Any] = []
            for h in holdings:
                share = float(h.value / total) if total > 0 else 0.0
                keys.append(share - 1e9 if h.is_stablecoin else share)
            return keys
        if col == Column.HEDGE_WITH:
            infos = (self._info(r) for r in range(len(holdings)))
            return ["" if i.cash else (i.underlying or "") for i in infos]
        return [None] * len(holdings)

    # -- editing --------------------------------------------------------------
    def validate_edit(self, row: int, column: int, text: str) -> str | None:
        """Why ``text`` cannot go into this cell (None when it can).

        The same checks as document.edit_holding_field, without pushing an
        undo command, so an editor can flag bad text while it is typed.
        """
        field = COLUMN_FIELDS.get(column)
        if field is None:
            return "This column is calculated and cannot be edited"
        if not 0 <= row < self.rowCount():
            return "This row no longer exists"
        if field in EMPTY_REASONS and not text.strip():
            return EMPTY_REASONS[field]
        try:
            value = parse_holding_field(field, text)
        except EditRefused as exc:
            return clean_reason(field, str(exc), text)
        old = self.holding(row)
        if getattr(old, field) == value:
            return None
        data = old.model_dump()
        data[field] = value
        try:
            Holding.model_validate(data)
        except ValidationError as exc:
            return clean_reason(field, validation_message(exc), text)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, col = index.row(), index.column()
        field = COLUMN_FIELDS.get(col)
        if field is None or not 0 <= row < self.rowCount():
            return False
        text = "" if value is None else str(value)
        reason = self.validate_edit(row, col, text)
        if reason is None and field == "quantity" and not self._short_confirmed(row, text):
            return False
        if reason is None:
            try:
                self._doc.edit_holding_field(row, field, text)
            except EditRefused as exc:
                reason = clean_reason(field, str(exc), text)
        if reason is not None:
            self.editRefused.emit(row, col, f"{FIELD_LABELS[field]} not changed: {reason}")
            return False
        return True

    def _short_confirmed(self, row: int, text: str) -> bool:
        """A quantity turning negative is asked about once (hedger.ui.holdings.short_position)."""
        value = parse_holding_field("quantity", text)
        old = self.holding(row)
        if not isinstance(value, Decimal) or value >= 0 or old.quantity < 0:
            return True
        return self.confirm_short(old, value, row)

    # -- document signals -----------------------------------------------------
    def _on_rows_about_to_be_inserted(self, first: int, last: int) -> None:
        self._invalidate()
        self.beginInsertRows(QModelIndex(), first, last)

    def _on_rows_inserted(self, first: int, last: int) -> None:
        self._invalidate()
        self.endInsertRows()

    def _on_rows_about_to_be_removed(self, first: int, last: int) -> None:
        self._invalidate()
        self.beginRemoveRows(QModelIndex(), first, last)

    def _on_rows_removed(self, first: int, last: int) -> None:
        self._invalidate()
        self.endRemoveRows()

    def _on_about_to_reset(self) -> None:
        self._invalidate()
        self.beginResetModel()

    def _on_reset(self) -> None:
        self._invalidate()
        self.endResetModel()

    def _on_holding_changed(self, row: int) -> None:
        self._infos.pop(row, None)
        self._texts.pop(row, None)
        h = self._doc.portfolio.holdings[row]
        for col in list(self._sort_keys):
            if col in HOLDING_KEY_COLUMNS:
                self._sort_keys[col][row] = holding_sort_key(h, col)
            else:
                del self._sort_keys[col]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def _on_plan_changed(self, _plan: object) -> None:
        # Infos carry plan facts (underlying, problems); holding-only sort
        # keys stay valid, so a sorted table does not re-read every row.
        self._infos.clear()
        for col in [c for c in self._sort_keys if c not in HOLDING_KEY_COLUMNS]:
            del self._sort_keys[col]
        # Shares, assumed-beta flags and the automatic underlying depend on
        # the whole portfolio and the hedge settings.
        n = self.rowCount()
        if n:
            self.dataChanged.emit(
                self.index(0, min(DERIVED_COLUMNS)), self.index(n - 1, max(DERIVED_COLUMNS))
            )
