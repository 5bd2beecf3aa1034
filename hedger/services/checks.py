"""Drift checks of held hedges: ``hedger check`` and the library's badges.

``check_portfolio`` plans a portfolio and lists what needs action
(``hedger.core.drift``); ``check_files`` does it for files, a file that cannot
be read being a result with an ``error`` rather than an exception. Kept lean:
``hedger check`` over 20 files runs within a second, so the holiday calendars
load only for a dated position without an expiry date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hedger.core.drift import Finding, drift_findings

if TYPE_CHECKING:
    from hedger.core.calendar import Calendars
    from hedger.core.catalog import Catalog, Contract
    from hedger.core.models import Portfolio
    from hedger.core.planner import Plan


class CheckResult(NamedTuple):
    path: Path
    name: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None  # the file could not be read: one line
    positions: int = 0  # futures positions the file holds

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings


class _FrontMonth:
    """The next expiry of a dated contract from the shipped calendars (loaded once)."""

    def __init__(self) -> None:
        self._calendars: Calendars | None = None

    def __call__(self, contract: Contract, today: date) -> date | None:
        from hedger.core.calendar import CalendarError, builtin_calendars, expiries_from

        if self._calendars is None:
            self._calendars = builtin_calendars()
        rule = self._calendars.for_contract(contract.id, contract.venue, contract.expiry).rule
        if rule is None:
            return None
        try:
            found = expiries_from(rule, today, 1)
        except CalendarError:
            return None
        return found[0] if found else None


_FRONT_MONTH = _FrontMonth()


def check_plan(
    portfolio: Portfolio, plan: Plan, catalog: Catalog, now: datetime | None = None
) -> list[Finding]:
    """Findings of an already planned portfolio (the open document in the app)."""
    moment = now or datetime.now(UTC)
    return drift_findings(portfolio, plan, catalog, moment, _FRONT_MONTH)


def check_portfolio(
    portfolio: Portfolio, catalog: Catalog, now: datetime | None = None
) -> list[Finding]:
    from hedger.core.planner import plan_portfolio

    return check_plan(portfolio, plan_portfolio(portfolio, catalog), catalog, now)


def check_files(
    paths: Iterable[Path], catalog: Catalog, now: datetime | None = None
) -> list[CheckResult]:
    """One result per file, in order; unreadable files carry their one-line reason."""
    from hedger.store.portfolio_file import PortfolioFileError, load_portfolio

    moment = now or datetime.now(UTC)
    out: list[CheckResult] = []
    for path in paths:
        try:
            portfolio = load_portfolio(path)
        except PortfolioFileError as exc:
            out.append(CheckResult(path, path.name, error=str(exc)))
            continue
        findings = check_portfolio(portfolio, catalog, moment)
        out.append(
            CheckResult(path, portfolio.name, tuple(findings), positions=len(portfolio.positions))
        )
    return out


__all__ = ["CheckResult", "Finding", "check_files", "check_plan", "check_portfolio"]
