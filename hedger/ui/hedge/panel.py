"""The hedge panel: per underlying, its settings, exposure, options and the order.

One content view is shared by all underlyings and refilled for the selected
one: with 20 underlyings only one set of widgets is updated per recompute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTabBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.planner import HedgeOption, Plan, UnderlyingPlan
from hedger.ui import format as fmt
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.carry_section import CarrySection
from hedger.ui.hedge.margin_view import MarginView
from hedger.ui.hedge.messages import messages_for
from hedger.ui.hedge.options_delegates import OptionBadgeDelegate, PaddedDelegate
from hedger.ui.hedge.options_fit import OptionsTableFit
from hedger.ui.hedge.options_model import (
    COL_OPTION,
    HedgeOptionsModel,
)
from hedger.ui.hedge.order_ticket import OrderTicketView
from hedger.ui.hedge.position_gap import PositionGapCard  # issue 14 hook
from hedger.ui.hedge.settings_widget import HedgeSettingsWidget
from hedger.ui.hedge.summary_cards import SummaryCards
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.message_list import MessageList
from hedger.ui.widgets.steady_host import SteadyHost
from hedger.ui.widgets.style import dim, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel

if TYPE_CHECKING:
    from hedger.ui.hedge.freshness_banner import FreshnessBanner

# Width of the settings card; below ORDERS_SIDE_BY_SIDE the margin card goes under the order.
SETTINGS_WIDTH = 360
ORDERS_SIDE_BY_SIDE = 640


class HedgePanel(OptionsTableFit, SteadyHost):
    """Hedge settings, options table, order line and warnings per underlying."""

    underlyingSelected = Signal(str)  # "" when the portfolio has nothing to hedge
    optionSelected = Signal(str, str)  # underlying, option shown (selected or recommended)
    orderCopied = Signal(str)  # what was put on the clipboard: a quantity, or the order in words
    familyChosen = Signal(str, str)  # underlying, family id the user picked
    refreshRequested = Signal()  # the user asked for live prices (a stale futures price)

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._names: tuple[str, ...] = ()
        self._current: str | None = None
        self._selected: dict[str, str] = {}  # underlying -> option the user picked
        self._tab_states: dict[str, tuple[str, bool]] = {}
        self._last_emitted: tuple[str, str] | None = None
        self._syncing_selection = False
        self._header_widths: list[int] = []  # cleared when fonts change
        self._text_widths: dict[tuple[str, bool], int] = {}
        self._build()
        document.planChanged.connect(self._on_plan_changed)
        # A price refresh that only updates quotes changes no plan.
        document.portfolioChanged.connect(self._refresh_price_age)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(30_000)
        self._age_timer.timeout.connect(self._refresh_price_age)
        self._age_timer.start()
        self._on_plan_changed(document.plan)

    # -- public API ----------------------------------------------------------------
    @property
    def document(self) -> PortfolioDocument:
        return self._doc

    def current_underlying(self) -> str | None:
        return self._current

    def underlyings(self) -> tuple[str, ...]:
        return self._names

    def set_current_underlying(self, name: str) -> None:
        if name in self._names:
            self.tabs.setCurrentIndex(self._names.index(name))

    def shown_option(self) -> HedgeOption | None:
        """The option the order line describes: the selected row, else the recommended one."""
        u = self._current_plan()
        if u is None:
            return None
        picked = self._selected.get(u.underlying)
        option = u.option(picked) if picked else None
        return option or u.recommended_option

    def apply_palette(self, palette: QPalette | None = None) -> None:
        """Re-derive colours (recommended row tint) after a theme change.

        Also runs by itself when the application palette changes.
        """
        pal = palette or self.palette()
        self.model.set_palette(pal)
        self.table.viewport().update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._header_widths = []
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "model"):
            self.apply_palette()

    # -- construction -----------------------------------------------------------------
    def _build(self) -> None:
        self.tabs = QTabBar()
        self.tabs.setObjectName("underlyingTabs")
        self.tabs.setAccessibleName("Underlyings")
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setDrawBase(True)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.hide()  # shown once the plan has underlyings
        # With many underlyings the tabs scroll; a list button reaches any of them.
        self.all_button = QToolButton()
        self.all_button.setObjectName("allUnderlyings")
        self.all_button.setText("All ▾")
        self.all_button.setToolTip("Jump to an underlying")
        self.all_button.setAutoRaise(True)
        self.all_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.all_menu = QMenu(self.all_button)
        self.all_button.setMenu(self.all_menu)
        self.all_button.hide()
        tab_row = QHBoxLayout()
        tab_row.setContentsMargins(0, 0, 4, 0)
        tab_row.setSpacing(4)
        tab_row.addWidget(self.tabs, 1)
        tab_row.addWidget(self.all_button)

        self.stack = QStackedWidget()
        self.empty_page = self._build_empty_page()
        self.content = self._build_content()
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.content)
        tab_row.addWidget(self.carry.card)  # i15g: the shown option's carry, beside the tabs

        # Held in a SteadyHost: the figures re-laid out on each edit do not
        # make the splitter above repaint the whole window.
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(tab_row)
        lay.addWidget(self.stack, 1)
        self.set_content(inner)

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("hedgeEmptyState")
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView).pixmap(48, 48)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title = QLabel("Nothing to hedge yet")
        self.empty_title.setFont(scaled_font(self, 1.3, bold=True))
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = dim(WrapLabel())
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setFixedWidth(440)
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        lay.addWidget(icon)
        lay.addWidget(self.empty_title)
        lay.addWidget(self.empty_text, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        return page

    def _build_content(self) -> QWidget:
        page = QWidget()
        page.setObjectName("hedgeContent")

        settings_card = self._build_settings_card()
        self.summary = SummaryCards()
        # The cards by name, for callers and tests.
        self.card_value = self.summary.value
        self.card_exposure = self.summary.exposure
        self.card_target = self.summary.target
        self.card_price = self.summary.price

        # The stale-price bar is built the first time a price is stale (rarely at start-up).
        self._freshness: FreshnessBanner | None = None

        self.order = OrderTicketView()
        self.order.copied.connect(self.orderCopied)
        self.margin = MarginView(self._doc)
        # Side by side when there is room, else the margin under the order.
        self._orders_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._orders_row.setSpacing(8)
        self._orders_row.addWidget(self.order, 5)
        self._orders_row.addWidget(self.margin, 4)
        # Issue 14 hook: the held hedge and the orders to the target (position_gap.py).
        self.position_gap = PositionGapCard(self._doc)

        self.messages = MessageList()
        self.messages.setObjectName("hedgeWarnings")

        self._build_table()
        # i15g: the carry of the shown option (card) and the table's carry column.
        self.carry = CarrySection(self._doc, self.model, self)
        self.optionSelected.connect(self.carry.show_option)
        self.carry.changed.connect(self._fit_columns)

        right = self._right = QVBoxLayout()
        right.setSpacing(8)
        right.addLayout(self.summary.row)
        right.addLayout(self._orders_row)
        right.addWidget(self.position_gap)  # issue 14 hook
        right.addStretch(1)
        # Settings beside the cards and the order; under them in a narrow
        # window (the order first), so the panel scrolls down, not sideways.
        top = self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        top.setSpacing(12)
        top.addWidget(settings_card)
        top.addLayout(right, 1)

        # No caption row above the table: its header says what it is, and at
        # 1280x800 those pixels let the whole table show without scrolling.
        self.table.setToolTip(
            "Compare contract sizes: select a row to see its order; hover cells for the formulas."
        )
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 6, 10, 4)
        lay.setSpacing(8)
        lay.addLayout(top)
        # Under the settings and the order, the whole width: a warning reads on
        # one line and the row above keeps the height of its tallest card.
        lay.addWidget(self.messages)
        lay.addStretch(1)
        self._body = body

        self._scroll_with_pinned_table(page, body)
        return page

    def _scroll_with_pinned_table(self, page: QWidget, body: QWidget) -> None:
        # Small windows scroll the settings, cards and order instead of
        # squashing them; the comparison table stays pinned under them, so the
        # recommended row shows at any height (three sizes and warnings at 1280x800).
        scroll = self._scroll = QScrollArea(page)
        scroll.setObjectName("hedgeScroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Narrower than its content (a small window) it scrolls sideways too,
        # rather than cutting off the cards and the order.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(scroll, 1)
        table_row = QHBoxLayout()
        table_row.setContentsMargins(10, 4, 10, 6)
        table_row.addWidget(self.table)
        outer.addLayout(table_row)

    def _build_settings_card(self) -> Card:
        settings_card = Card()
        settings_card.setObjectName("settingsCard")
        self.settings = HedgeSettingsWidget(self._doc)
        self.settings.familyChosen.connect(self.familyChosen)
        sc = QVBoxLayout(settings_card)
        sc.setContentsMargins(12, 10, 12, 10)
        sc.setSpacing(0)
        sc.addWidget(self.settings, 1)
        settings_card.setFixedWidth(SETTINGS_WIDTH)
        # As tall as the order and margin beside it: one row of cards.
        settings_card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        return settings_card

    def _build_table(self) -> None:
        """The comparison of contract sizes: one row per option, fitted to its rows."""
        self.model = HedgeOptionsModel(self)
        self.table = QTableView()
        self.table.setObjectName("hedgeOptionsTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(PaddedDelegate(self.table))
        self.table.setItemDelegateForColumn(COL_OPTION, OptionBadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalScrollBar().rangeChanged.connect(lambda *_: self._fit_table_height())
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        hh = self.table.horizontalHeader()
        # Widths are fitted by _fit_columns: ResizeToContents would query every
        # cell through the delegate on each keystroke (~3 ms).
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(COL_OPTION, QHeaderView.ResizeMode.Stretch)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        hh.setHighlightSections(False)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._fit_table_height)
        self.table.setAccessibleName("Hedge options")

    # -- updates -------------------------------------------------------------------------
    def _current_plan(self) -> UnderlyingPlan | None:
        return self._doc.plan.underlying(self._current) if self._current else None

    def _on_plan_changed(self, plan: Plan) -> None:
        names = tuple(u.underlying for u in plan.underlyings)
        if names != self._names:
            self._rebuild_tabs(plan, names)
        else:
            self._update_tab_states(plan)
        self._show(plan)
        if self.width() > 0:
            # Held positions widen or narrow the order card: re-arrange for it.
            self._arrange(self.width())

    def _rebuild_tabs(self, plan: Plan, names: tuple[str, ...]) -> None:
        previous = self._current
        self._names = names
        self._tab_states.clear()
        blocked = self.tabs.blockSignals(True)
        try:
            while self.tabs.count():
                self.tabs.removeTab(self.tabs.count() - 1)
            for name in names:
                self.tabs.addTab(name)
            if names:
                keep = previous if previous in names else names[0]
                self.tabs.setCurrentIndex(names.index(keep))
                self._current = keep
            else:
                self._current = None
        finally:
            self.tabs.blockSignals(blocked)
        self.tabs.setVisible(bool(names))
        self.all_menu.clear()
        for name in names:
            self.all_menu.addAction(name, lambda n=name: self.set_current_underlying(n))
        self.all_button.setVisible(len(names) > 6)
        self._update_tab_states(plan)
        if self._current != previous:
            self.underlyingSelected.emit(self._current or "")

    def _update_tab_states(self, plan: Plan) -> None:
        warn_icon: QIcon | None = None
        for i, u in enumerate(plan.underlyings):
            tip = f"{u.underlying}: {u.holdings} holding{'s' if u.holdings != 1 else ''}, " + (
                f"{fmt.usd(u.value_usd)}"
            )
            if u.family is not None:
                tip += f"\n{u.family.name}"
            if u.problem:
                tip += f"\n⚠ {u.problem}"
            state = (tip, bool(u.problem))
            if self._tab_states.get(u.underlying) == state:
                continue
            self._tab_states[u.underlying] = state
            self.tabs.setTabToolTip(i, tip)
            if u.problem:
                if warn_icon is None:
                    warn_icon = self.style().standardIcon(
                        QStyle.StandardPixmap.SP_MessageBoxWarning
                    )
                self.tabs.setTabIcon(i, warn_icon)
            else:
                self.tabs.setTabIcon(i, QIcon())
        if self.tabs.iconSize().height() > 16:
            self.tabs.setIconSize(QSize(16, 16))

    def _on_tab_changed(self, index: int) -> None:
        name = self._names[index] if 0 <= index < len(self._names) else None
        if name == self._current:
            return
        # What was typed for the previous underlying belongs to it.
        self.settings.commit_pending()
        self._current = name
        self._show(self._doc.plan)
        self.underlyingSelected.emit(name or "")

    def _show(self, plan: Plan) -> None:
        u = plan.underlying(self._current) if self._current else None
        if u is None:
            self._show_empty(plan)
            return
        if self.stack.currentWidget() is not self.content:
            self.stack.setCurrentWidget(self.content)
        self.settings.sync(u)
        self.summary.show_plan(u, self._doc.portfolio)
        self.model.set_plan(u)
        self._fit_columns()
        has_options = bool(u.options)
        self.table.setVisible(has_options)
        self._restore_selection(u)
        option = self.shown_option()
        self._show_order(u, option)
        self.position_gap.show_plan(u)  # issue 14 hook
        self.messages.set_messages(messages_for(u, option))
        self._emit_option(u, option)

    def _show_empty(self, plan: Plan) -> None:
        self.settings.sync(None)
        self.position_gap.show_plan(None)  # issue 14 hook
        if self._freshness is not None:
            self._freshness.show_check(None)
        self.model.set_plan(None)
        if plan.other_value_usd:
            self.empty_title.setText("Only cash: nothing to hedge")
            self.empty_text.setText(
                f"Stablecoins ({fmt.usd(plan.other_value_usd)}) keep their dollar value. "
                "Add a coin such as BTC or ETH and its hedge appears here."
            )
        else:
            self.empty_title.setText("Nothing to hedge yet")
            self.empty_text.setText(
                "Add holdings (for example 0.5 BTC at 70,000) and Hedger shows how many "
                "standard, mini and micro futures offset them, with margin and residual."
            )
        self.stack.setCurrentWidget(self.empty_page)
        self._emit_option(None, None)

    def _refresh_price_age(self) -> None:
        # Ages move on without edits; only the price card shows one here.
        u = self._current_plan()
        if u is not None and self.stack.currentWidget() is self.content:
            self.summary.show_price(u, self._doc.portfolio)
            self.settings.refresh_price_status(u)

    def _show_order(self, u: UnderlyingPlan, option: HedgeOption | None) -> None:
        """The ticket, the margin card and the futures-price bar of the shown option."""
        check = u.futures_check
        if self._freshness is not None or (check is not None and check.stale):
            self.freshness.show_check(check)
        if u.problem:
            self.order.hide()
            self.margin.hide()
            return
        if self.order.isHidden():
            self.order.show()
            self.margin.show()
        self.margin.show_option(u, option)
        # With positions held, the order closes the gap from them (order_ticket.py).
        self.order.show_plan(u, option)

    @property
    def freshness(self) -> FreshnessBanner:
        """The bar above the order that says a typed futures price looks stale."""
        if self._freshness is None:
            from hedger.ui.hedge.freshness_banner import FreshnessBanner

            bar = self._freshness = FreshnessBanner()
            bar.useSpotRequested.connect(self.use_spot)
            bar.refreshRequested.connect(self.refreshRequested)
            # Under the summary cards, above the order.
            self._right.insertWidget(1, bar)
        return self._freshness

    def use_spot(self, underlying: str) -> None:
        """Drop the typed futures price of ``underlying``: size from spot (one undo step)."""
        self._doc.set_underlying_setting(underlying, "futures_price", None, "Use Spot Price")

    def _emit_option(self, u: UnderlyingPlan | None, option: HedgeOption | None) -> None:
        key = (u.underlying, option.name) if u is not None and option is not None else None
        if key != self._last_emitted:
            self._last_emitted = key
            if key is not None:
                self.optionSelected.emit(*key)
            elif u is not None:
                self.optionSelected.emit(u.underlying, "")

    # -- table selection -------------------------------------------------------------------
    def _restore_selection(self, u: UnderlyingPlan) -> None:
        picked = self._selected.get(u.underlying)
        row = self.model.row_of(picked) if picked else -1
        sel = self.table.selectionModel()
        current = sel.selectedRows()
        if (row < 0 and not current) or (len(current) == 1 and current[0].row() == row):
            return
        self._syncing_selection = True
        try:
            if row < 0:
                sel.clearSelection()
            else:
                self.table.selectRow(row)
        finally:
            self._syncing_selection = False

    def _on_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        if self._syncing_selection or self._current is None:
            return
        rows = self.table.selectionModel().selectedRows()
        option = self.model.option_at(rows[0].row()) if rows else None
        if option is None:
            self._selected.pop(self._current, None)
        else:
            self._selected[self._current] = option.name
        u = self._current_plan()
        if u is None:
            return
        shown = self.shown_option()
        self._show_order(u, shown)
        self.messages.set_messages(messages_for(u, shown))
        self._emit_option(u, shown)

    def preferred_height(self, width: int | None = None) -> int:
        """Height that shows everything (settings, order, whole table) without scrolling."""
        tabs = self.tabs.sizeHint().height() if not self.tabs.isHidden() else 0
        lay = self._body.layout()
        w = width if width is not None else max(self.width(), self._body.minimumSizeHint().width())
        body = lay.heightForWidth(w) if lay is not None and lay.hasHeightForWidth() else -1
        if body <= 0:
            body = self._body.sizeHint().height()
        table = self.table.height() + 10 if not self.table.isHidden() else 0
        return tabs + body + table + 2

    def commit_pending(self) -> None:
        """Apply entries typed but not yet confirmed with Enter."""
        self.settings.commit_pending()
        self.margin.commit_pending()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(event.size().width())
        # Column texts shorten or lengthen with the table's width (once laid out).
        QTimer.singleShot(0, self, self._fit_columns)

    def _arrange(self, width: int) -> None:
        """Settings beside or under the cards; order and margin side by side or stacked."""
        order, margin = self.order.minimumSizeHint().width(), self.margin.minimumSizeHint().width()
        right = max(self.summary.row.minimumSize().width(), order, margin)
        beside = width - SETTINGS_WIDTH - 40 >= right
        top = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.BottomToTop
        if self._top.direction() != top:
            self._top.setDirection(top)
        # The order and the margin card side by side while both stay readable
        # (held positions make the order card wider).
        room = width - (SETTINGS_WIDTH if beside else 0) - 40
        both = order + margin + self._orders_row.spacing()
        direction = (
            QBoxLayout.Direction.LeftToRight
            if room >= max(ORDERS_SIDE_BY_SIDE, both)
            else QBoxLayout.Direction.TopToBottom
        )
        if self._orders_row.direction() != direction:
            self._orders_row.setDirection(direction)

    def select_option(self, name: str) -> None:
        """Select an option row by name (e.g. from the chart legend)."""
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectRow(row)

    def clear_option_selection(self) -> None:
        self.table.selectionModel().clearSelection()
        self.table.setCurrentIndex(QModelIndex())
