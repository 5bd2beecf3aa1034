"""What every venue's funding-history block builds on: the fetcher interface, pacing, rows.

A ``FundingFetcher`` asks one venue for the funding rates of one perpetual
contract between two times, page by page, as that venue pages (forward from
a start time, backward from an end time, or in windows). It returns the raw
rows, ``(funding time ms, rate for the interval ending then)``; checking
them is ``hedger.core.funding.checked_rows``'s job. Requests are spaced by
the venue's ``min_interval`` so a long download stays inside its rate
limits, and ``cancelled()`` is asked before every page.

Sign convention, every venue: a positive rate means longs pay shorts.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from hedger.live.http import PriceSourceError, RefreshStopped, clip
from hedger.live.validate import as_decimal

if TYPE_CHECKING:
    from hedger.core.catalog import Contract
    from hedger.live.http import HttpSettings

Row = tuple[int, Decimal]
#: Enough for ten years of hourly funding at the smallest page (100 rows).
MAX_PAGES = 1000


class FundingFetchError(PriceSourceError):
    """A venue gave no usable funding answer; ``str()`` is one line."""


class FundingCancelled(RefreshStopped):
    """The person stopped the download."""


class Paging:
    """What one download shares: the pause between requests, cancel and progress."""

    def __init__(
        self,
        min_interval: float,
        *,
        cancelled: Callable[[], bool] | None = None,
        on_rows: Callable[[int], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self._cancelled = cancelled or (lambda: False)
        self._on_rows = on_rows
        self._sleep = sleep
        self._last: float | None = None
        self.pages = 0

    def next_page(self, venue: str) -> None:
        """Wait for the venue's pace; raise when cancelled or past the page limit."""
        if self._cancelled():
            raise FundingCancelled(f"{venue}: download stopped")
        self.pages += 1
        if self.pages > MAX_PAGES:
            raise FundingFetchError(f"{venue} kept sending pages ({MAX_PAGES}); stopped")
        if self._last is not None:
            wait = self.min_interval - (time.monotonic() - self._last)
            if wait > 0:
                self._sleep(wait)
        self._last = time.monotonic()

    def got(self, rows: int) -> None:
        if self._on_rows is not None:
            self._on_rows(rows)


class FetcherFactory(Protocol):
    """Makes a venue's funding fetcher with base URLs from ``env`` (a venue module's
    ``make_funding_fetcher``, which its ``Venue.funding_fetcher_factory`` returns)."""

    def __call__(
        self, env: Mapping[str, str], settings: HttpSettings | None = ...
    ) -> FundingFetcher: ...


class FundingFetcher(ABC):
    """One venue's public funding-rate history."""

    #: Name shown to people ("Binance").
    name: ClassVar[str]
    #: Seconds between two requests (the venue's public rate limit, with room).
    min_interval: ClassVar[float] = 0.2
    #: How far back the venue keeps funding history, in days (None: no known limit).
    keeps_days: ClassVar[int | None] = None

    @abstractmethod
    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        """Rows with start_ms <= time <= end_ms (unchecked), any order."""

    def source_text(self, contract: Contract) -> str:
        """Where the rows came from, stored with them."""
        return f"{self.name} {contract.symbol}"


def ms_value(raw: Any) -> int | None:
    """A venue's millisecond time (JSON number or digits) as int; None if unreadable."""
    value = as_decimal(raw)
    if value is None or not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def read_row(record: Any, time_key: str, rate_keys: tuple[str, ...], venue: str) -> Row:
    """``(time, rate)`` from one record; FundingFetchError naming what was unreadable."""
    if not isinstance(record, dict):
        raise FundingFetchError(f"{venue} sent an unreadable funding row ({clip(record, 40)!r})")
    t = ms_value(record.get(time_key))
    if t is None:
        raise FundingFetchError(
            f"{venue} sent an unreadable funding time ({clip(record.get(time_key), 30)!r})"
        )
    for key in rate_keys:
        raw = record.get(key)
        if raw in (None, ""):
            continue
        rate = as_decimal(raw)
        if rate is None:
            raise FundingFetchError(f"{venue} sent an unreadable funding rate ({clip(raw, 30)!r})")
        return t, rate
    raise FundingFetchError(f"{venue} sent a funding row without a rate")


def within(rows: list[Row], start_ms: int, end_ms: int) -> list[Row]:
    return [r for r in rows if start_ms <= r[0] <= end_ms]


def unexpected_funding(venue: str) -> FundingFetchError:
    return FundingFetchError(
        f"{venue} sent an unexpected funding answer (the API may have changed)"
    )


def rate_limited(venue: str, detail: str = "") -> FundingFetchError:
    extra = f" ({detail})" if detail else ""
    return FundingFetchError(f"{venue} is limiting requests{extra}; try again in a few minutes")
