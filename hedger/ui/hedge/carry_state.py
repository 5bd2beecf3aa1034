"""What the hedge panel's carry shows, worked out off the GUI thread.

One ``CarryState`` per document is shared by the carry card under the order,
the carry column of the options table and the Compare Venues dialog. It
holds the user's horizon, roll distance and typed basis (by family), and
the latest ``CarryResult``: the carry of every plan option
(``hedger.services.carry.carry_for_plan``) and, while the dialog is open,
the venue ranking (``compare_venues``).

Funding statistics come from the stored histories: read once per
*generation* (a funding refresh starts a new one) and kept. The carry itself
is about a millisecond per family, but the first roll date loads the holiday
calendars (a quarter of a second), so it runs on a serial ``TaskRunner`` and
not before ``start()``: the window paints and draws its chart first.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal

from hedger.ui.document.document import PortfolioDocument
from hedger.ui.tasks import TaskRunner, TaskState, error_text

if TYPE_CHECKING:
    from hedger.core.carry import CarryLine
    from hedger.core.catalog import Catalog
    from hedger.core.funding import FundingStats
    from hedger.core.models import Portfolio
    from hedger.core.planner import Plan
    from hedger.services.carry import PlanCarry, VenueComparison
    from hedger.services.settings import AppSettings

DEFAULT_HORIZON_DAYS = 90
MAX_HORIZON_DAYS = 3650  # the core's limit (hedger.core.carry.MAX_HORIZON_DAYS)
MAX_ROLL_DAYS = 30  # as 'hedger carry --roll-days'
# A pause after an edit before the carry follows: typing a quantity re-plans
# on every key, the carry needs only the last one.
DELAY_MS = 120

StatsKey = tuple[int, tuple[str, ...]]


class CarryResult(NamedTuple):
    plan: Plan
    carry: PlanCarry | None
    comparisons: tuple[VenueComparison, ...] | None  # None unless asked for
    problem: str | None


class _Computed(NamedTuple):
    key: StatsKey
    stats: dict[str, FundingStats]
    result: CarryResult


class CarryState(QObject):
    """The carry settings and the latest result; ``changed`` after each new result."""

    changed = Signal()
    settingsChanged = Signal()  # horizon, roll days or a typed basis
    fundingChanged = Signal()  # the stored funding changed (a refresh finished)

    def __init__(self, document: PortfolioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.horizon_days = DEFAULT_HORIZON_DAYS
        self.roll_days: int | None = None
        self._basis: dict[str, Decimal] = {}
        self._settings: AppSettings | None = None
        self._comparisons = 0  # how many views want the venue ranking
        self.generation = 0
        self._stats: dict[str, FundingStats] | None = None
        self._stats_key: StatsKey | None = None
        self.result: CarryResult | None = None
        self._started = False
        self._task = TaskRunner(self, serial=True, name="hedger-carry")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.recompute)
        document.planChanged.connect(self.schedule)
        document.catalogChanged.connect(self.schedule)

    @property
    def document(self) -> PortfolioDocument:
        return self._doc

    # -- settings -----------------------------------------------------------------
    def bind_settings(self, settings: AppSettings) -> None:
        """Take the remembered horizon and roll days; later changes are written back."""
        self._settings = settings
        self.horizon_days = min(max(settings.carry_horizon_days, 1), MAX_HORIZON_DAYS)
        roll = settings.carry_roll_days
        self.roll_days = None if roll is None else min(max(roll, 0), MAX_ROLL_DAYS)
        self.settingsChanged.emit()
        self.schedule()

    def set_horizon(self, days: int) -> None:
        days = min(max(int(days), 1), MAX_HORIZON_DAYS)
        if days != self.horizon_days:
            self.horizon_days = days
            if self._settings is not None:
                self._settings.carry_horizon_days = days
            self._settings_changed()

    def set_roll_days(self, days: int | None) -> None:
        days = None if days is None or days < 0 else min(int(days), MAX_ROLL_DAYS)
        if days != self.roll_days:
            self.roll_days = days
            if self._settings is not None:
                self._settings.carry_roll_days = days
            self._settings_changed()

    @property
    def basis(self) -> Mapping[str, Decimal]:
        """Typed basis ``F/S − 1`` by family id (this session only: it moves daily)."""
        return dict(self._basis)

    def set_basis(self, family_id: str, basis: Decimal | None) -> None:
        if basis is None:
            if self._basis.pop(family_id, None) is None:
                return
        elif self._basis.get(family_id) == basis:
            return
        else:
            self._basis[family_id] = basis
        self._settings_changed()

    def _settings_changed(self) -> None:
        self.settingsChanged.emit()
        self.schedule()

    # -- what to compute ----------------------------------------------------------------
    def want_comparisons(self, on: bool) -> None:
        """A view showing the venue ranking opened (True) or closed (False)."""
        self._comparisons = max(0, self._comparisons + (1 if on else -1))
        if on and (self.result is None or self.result.comparisons is None):
            self.start()
            self.recompute()

    def funding_refreshed(self) -> None:
        """Stored funding changed: read it again and recompute."""
        self.generation += 1
        self._stats = None
        self._stats_key = None
        self.fundingChanged.emit()
        if self._started:
            self.recompute()

    # -- running ----------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> None:
        """Begin computing (once the window has painted); later edits follow by themselves."""
        if not self._started:
            self._started = True
            self.recompute()

    def schedule(self, *_args: object) -> None:
        if self._started:
            self._timer.start()

    @property
    def busy(self) -> bool:
        return self._task.busy or self._timer.isActive()

    def recompute(self) -> None:
        self._timer.stop()
        doc = self._doc
        catalog = doc.catalog
        ids = tuple(sorted(c.id for c in catalog.contracts.values() if c.expiry == "perpetual"))
        key: StatsKey = (self.generation, ids)
        cached = self._stats if self._stats_key == key else None
        job = _Job(
            doc.portfolio,
            catalog,
            doc.plan,
            (self.horizon_days, self.roll_days, dict(self._basis)),
            key,
            cached,
            self._comparisons > 0,
        )
        self._task.start(job, self._deliver, self._failed)

    def _deliver(self, computed: _Computed) -> None:
        if computed.key[0] == self.generation:
            self._stats, self._stats_key = computed.stats, computed.key
        self.result = computed.result
        self.changed.emit()

    def _failed(self, exc: Exception) -> None:
        self.result = CarryResult(self._doc.plan, None, None, error_text(exc))
        self.changed.emit()

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Run what is pending and process events until its result is in (tests, scripts)."""
        self.start()
        if self._timer.isActive():
            self.recompute()
        return self._task.wait(timeout_s)

    # -- reading the result --------------------------------------------------------------
    def line(self, underlying: str, option: str) -> CarryLine | None:
        carry = self.result.carry if self.result is not None else None
        u = carry.underlying(underlying) if carry is not None else None
        return u.line(option) if u is not None else None

    def comparison(self, underlying: str) -> VenueComparison | None:
        comps = self.result.comparisons if self.result is not None else None
        return next((c for c in comps or () if c.underlying == underlying), None)

    def funding_stats(self) -> Mapping[str, FundingStats]:
        """The stored funding's statistics by contract id, as last read."""
        return dict(self._stats or {})


class _Job:
    """The background computation: immutable inputs in, a ``_Computed`` out."""

    def __init__(
        self,
        portfolio: Portfolio,
        catalog: Catalog,
        plan: Plan,
        settings: tuple[int, int | None, dict[str, Decimal]],
        key: StatsKey,
        cached: dict[str, FundingStats] | None,
        compare: bool,
    ) -> None:
        self.portfolio, self.catalog, self.plan = portfolio, catalog, plan
        self.settings, self.key, self.cached, self.compare = settings, key, cached, compare

    def __call__(self, state: TaskState) -> _Computed:
        # Imported here, on the worker: the carry and calendar modules are not
        # needed for the window's first paint.
        from hedger.services import carry as carry_service
        from hedger.services.funding import funding_statistics, load_funding

        stats = self.cached
        if stats is None:
            stats = funding_statistics(load_funding(self.key[1]))
        horizon, roll_days, basis = self.settings
        request = carry_service.CarryRequest(horizon, roll_days, None, basis)
        args = (self.portfolio, self.catalog, self.plan, request)
        try:
            carry = carry_service.carry_for_plan(*args, funding=stats)
            comps = carry_service.compare_venues(*args, funding=stats) if self.compare else None
        except carry_service.CarryInputError as exc:
            return _Computed(self.key, stats, CarryResult(self.plan, None, None, str(exc)))
        return _Computed(self.key, stats, CarryResult(self.plan, carry, comps, None))
