"""Candles (price bars) from the venues' public, key-less endpoints: what the venues share.

Each venue module states its own candle endpoint (a ``CandleSource`` subclass
at the end of the module: path, parameters, row layout, page size, paging
direction, rate limit). This module holds the rest: the bar model, the checks
every row goes through (candles are hostile input), the paging loop with its
rate-limit waits, time limit and stop check, and finding gaps.

Only each bar's **close** is kept, because Hedger's histories are closes. A bar
is labelled with its **open** time in UTC, as Binance kline files are: the daily
bar dated 2025-03-01 holds the close of the UTC day 2025-03-01 (the last price
before 2025-03-02 00:00 UTC). Bars that have not closed yet are left out.

Importing this module loads no network stack (the venue registry imports it).
"""

from __future__ import annotations

import itertools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from hedger.live.http import (
    HttpSettings,
    PriceSourceError,
    RefreshStopped,
    RefreshTimeLimit,
    VenueHttpError,
    clip,
    current_budget,
    fmt_seconds,
    request_budget,
)
from hedger.live.validate import as_decimal

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
#: The bar lengths Hedger downloads, by their command-line name.
INTERVALS: dict[str, int] = {"1d": DAY_MS, "1h": HOUR_MS}
INTERVAL_NAMES: dict[str, str] = {"1d": "daily", "1h": "hourly"}

# A close outside this band is a unit error or a broken feed, not a price.
MIN_CLOSE = Decimal("1e-12")
MAX_CLOSE = Decimal("1e12")
# No crypto venue has bars before 2009; a time before that (or in the
# future) is a wrong unit or garbage.
EARLIEST_MS = 1_230_768_000_000  # 2009-01-01T00:00:00Z
# Reasons kept for refused rows; the rest are only counted.
KEPT_REASONS = 20

# Rate limits: how often to wait and try again, and for how long at most.
MAX_RATE_LIMIT_WAITS = 4
MAX_WAIT_SECONDS = 60.0
# Without a Retry-After (Coinbase sends none; OKX's 50011 comes in the body).
DEFAULT_WAIT_SECONDS = 1.0
# The stop check while waiting: a person pressing Stop waits at most this.
_WAIT_SLICE = 0.1


class NotListed(PriceSourceError):
    """The venue does not list the instrument (one line)."""


class RateLimited(PriceSourceError):
    """The venue asked to slow down; ``retry_after`` in seconds if it said.

    ``banned``: the venue blocks this address for a while (Binance's 418);
    asking again only makes the ban longer.
    """

    def __init__(self, message: str, retry_after: float | None, *, banned: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.banned = banned


@dataclass(frozen=True, slots=True)
class Candle:
    """One bar: its open time (ms since 1970, UTC) and its close."""

    open_ms: int
    close: Decimal


@dataclass(slots=True)
class Rows:
    """A page's rows after the checks: good bars, refused rows with reasons."""

    candles: list[Candle] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    #: Every readable bar time, also of refused rows (where the next page starts).
    times: list[int] = field(default_factory=list)
    #: Bars the venue marks as still open (OKX ``confirm`` "0"): left out, not refused.
    in_progress: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """One answer: its rows, the range it was asked for, and what remains to ask."""

    rows: Rows
    asked: tuple[int, int]  # [start, end) in ms
    remaining: tuple[int, int] | None  # None: nothing more to ask


class CandleSource(ABC):
    """A venue's public candle endpoint. Calls block; run them off the GUI thread."""

    #: The registry key (``binance``) and the name people see (``Binance``).
    key: str
    name: str
    #: True when pages go oldest first: an interrupted download then holds
    #: every bar from the start up to where it stopped, and can be kept.
    forward: ClassVar[bool] = True
    #: Seconds between two requests, from the venue's public rate limit.
    min_gap: ClassVar[float] = 0.0
    #: What is downloaded, in a few words for people ("spot <SYMBOL>USDT klines").
    what: ClassVar[str] = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: HttpSettings) -> CandleSource:
        """The source with base URLs from ``env``: what the registry makes of a venue's
        ``candle_source``. Built-in sources override it; ccxt's is made by name."""
        raise NotImplementedError(f"{cls.__name__} is not made from the environment")

    @abstractmethod
    def instrument(self, symbol: str) -> str:
        """The venue's instrument for a Hedger symbol (``BTCUSDT``), or NotListed."""

    @abstractmethod
    def fetch_page(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> Page:
        """One request for bars opening in [start_ms, end_ms)."""

    def describe(self, symbol: str) -> str:
        """What is downloaded, in a few words: ``BTCUSDT spot``."""
        return f"{self.instrument(symbol)} spot"


def read_rows(
    data: Sequence[Any],
    *,
    time_index: int,
    close_index: int,
    time_unit_ms: int = 1,
    confirm_index: int | None = None,
) -> Rows:
    """Check every row of an answer: a list with a bar time and a close."""
    rows = Rows()
    need = max(time_index, close_index) + 1
    for n, raw in enumerate(data, 1):
        if not isinstance(raw, list | tuple) or len(raw) < need:
            rows.refused.append(f"row {n}: not a bar ({_shown(raw)})")
            continue
        when = read_time(raw[time_index], time_unit_ms)
        if isinstance(when, str):
            rows.refused.append(f"row {n}: {when}")
            continue
        rows.times.append(when)
        if confirm_index is not None and len(raw) > confirm_index and raw[confirm_index] == "0":
            rows.in_progress += 1
            continue
        close = read_close(raw[close_index])
        if isinstance(close, str):
            rows.refused.append(f"bar {iso_utc(when)}: {close}")
            continue
        rows.candles.append(Candle(when, close))
    return rows


def read_time(raw: Any, unit_ms: int = 1) -> int | str:
    """A bar time in ms, or why it cannot be one."""
    value = as_decimal(raw)
    if value is None or not value.is_finite() or value != value.to_integral_value():
        return f"time {_shown(raw)} is not a whole number"
    ms = int(value) * unit_ms
    if not EARLIEST_MS <= ms < 4_102_444_800_000:  # 2100-01-01
        return f"time {_shown(raw)} is not a date between 2009 and 2100"
    return ms


def read_close(raw: Any) -> Decimal | str:
    """A close as Decimal, or why it cannot be one."""
    value = as_decimal(raw)
    if value is None:
        return f"close {_shown(raw)} is not a number"
    if not value.is_finite():
        return f"close {_shown(raw)} is not a finite number"
    if value <= 0:
        return f"close {_shown(raw)} is not positive"
    if not MIN_CLOSE <= value <= MAX_CLOSE:
        return f"close {_shown(raw)} is outside 1e-12…1e12"
    return value


def _shown(raw: Any) -> str:
    """A row or field as the venue sent it, bounded: ``'abc'``, ``[1, 'x']``."""
    if raw is None:
        return "missing"

    def plain(x: Any) -> str:
        return str(x) if isinstance(x, Decimal | int | float) else repr(x)

    if isinstance(raw, list | tuple):
        return clip("[" + ", ".join(plain(x) for x in raw[:8]) + "]", 40)
    return clip(plain(raw), 30)


def iso_utc(ms: int) -> str:
    """``2025-03-01T00:00:00Z`` for a time in ms."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- the paging loop


@dataclass
class CandleFetch:
    """What one range of one symbol gave: the bars, what was refused, how it ended."""

    symbol: str
    start_ms: int
    end_ms: int
    bars: dict[int, Decimal] = field(default_factory=dict)  # open time -> close
    refused: int = 0
    reasons: list[str] = field(default_factory=list)
    duplicates: int = 0  # bars sent twice (the later one kept)
    outside: int = 0  # bars outside the asked range (ignored)
    in_progress: int = 0  # bars still open (left out)
    requests: int = 0
    waited: float = 0.0  # seconds spent waiting on rate limits
    error: str | None = None
    stopped: bool = False
    banned: bool = False
    #: The part of [start_ms, end_ms) not asked for yet (None once complete).
    remaining: tuple[int, int] | None = None

    @property
    def complete(self) -> bool:
        return self.remaining is None and self.error is None and not self.stopped

    def refuse(self, reason: str) -> None:
        self.refused += 1
        if len(self.reasons) < KEPT_REASONS:
            self.reasons.append(reason)

    def fraction(self) -> float:
        """How much of the range was covered, 0 to 1."""
        span = self.end_ms - self.start_ms
        if self.remaining is None or span <= 0:
            return 1.0
        left = self.remaining[1] - self.remaining[0]
        return max(0.0, min(1.0, 1 - left / span))


@dataclass(frozen=True)
class FetchLimits:
    """How long a range may take and how to wait (tests shorten them)."""

    time_limit: float | None = 300.0
    max_waits: int = MAX_RATE_LIMIT_WAITS
    max_wait: float = MAX_WAIT_SECONDS
    sleep: Callable[[float], None] = time.sleep


def fetch_candles(
    source: CandleSource,
    symbol: str,
    interval: str,
    start_ms: int,
    end_ms: int,
    *,
    now_ms: int,
    should_stop: Callable[[], bool] | None = None,
    on_page: Callable[[CandleFetch], None] | None = None,
    limits: FetchLimits | None = None,
) -> CandleFetch:
    """Every bar of ``symbol`` opening in [start_ms, end_ms), page by page.

    Never raises for the venue's doing: a failure ends the loop with
    ``error`` set and the bars so far kept in the result (the caller decides
    whether they can be stored: see ``CandleSource.forward``).
    """
    limits = limits or FetchLimits()
    stop = should_stop or (lambda: False)
    step = INTERVALS[interval]
    out = CandleFetch(symbol, start_ms, end_ms, remaining=(start_ms, end_ms))
    # A venue whose pages never move on must not keep us asking forever.
    max_pages = (end_ms - start_ms) // step + 3
    last_request = 0.0
    waits = pages = 0
    with request_budget(limits.time_limit, stop):
        while out.remaining is not None:
            if pages >= max_pages:
                out.error = f"{source.name} kept sending the same bars; stopped asking"
                break
            if not _pace(source.min_gap - (time.monotonic() - last_request), stop, limits):
                out.stopped = True
                break
            window = out.remaining
            try:
                last_request = time.monotonic()
                out.requests += 1
                page = source.fetch_page(symbol, interval, *window)
            except (VenueHttpError, RateLimited) as exc:
                limited = _as_rate_limit(source, exc)
                if limited is None:
                    out.error = str(exc)
                    break
                waits += 1
                if not _wait_out(out, source, limited, waits, stop, limits):
                    break
                continue
            except RefreshStopped:
                out.stopped = True
                break
            except RefreshTimeLimit:
                assert limits.time_limit is not None
                out.error = (
                    f"{source.name}: stopped after the {fmt_seconds(limits.time_limit)} "
                    "time limit; download again to continue"
                )
                break
            except PriceSourceError as exc:
                out.error = clip(exc, 200)
                break
            pages += 1
            if not _take_page(out, page, step, now_ms, window):
                break
            if on_page is not None:
                on_page(out)
    return out


def _take_page(
    out: CandleFetch, page: Page, step: int, now_ms: int, window: tuple[int, int]
) -> bool:
    """Keep a page's good bars; False when the venue did not move on."""
    lo, hi = max(page.asked[0], out.start_ms), min(page.asked[1], out.end_ms)
    for reason in page.rows.refused:
        out.refuse(reason)
    out.in_progress += page.rows.in_progress
    for c in page.rows.candles:
        if not lo <= c.open_ms < hi:
            out.outside += 1
        elif c.open_ms % step:
            out.refuse(f"bar {iso_utc(c.open_ms)}: not on a bar boundary")
        elif c.open_ms + step > now_ms:
            out.in_progress += 1
        else:
            if c.open_ms in out.bars:
                out.duplicates += 1
            out.bars[c.open_ms] = c.close
    nxt = page.remaining
    if nxt is not None:
        nxt = (max(nxt[0], out.start_ms), min(nxt[1], out.end_ms))
        if nxt[0] >= nxt[1]:
            nxt = None
    if nxt is not None and nxt[1] - nxt[0] >= window[1] - window[0]:
        out.error = f"{out.symbol}: the venue's pages did not move on; stopped asking"
        return False
    out.remaining = nxt
    return True


def _as_rate_limit(source: CandleSource, exc: PriceSourceError) -> RateLimited | None:
    if isinstance(exc, RateLimited):
        return exc
    if isinstance(exc, VenueHttpError) and exc.status in (418, 429):
        banned = exc.status == 418
        what = "blocked requests from this address" if banned else "is limiting requests"
        return RateLimited(
            f"{source.name} {what} (HTTP {exc.status})", exc.retry_after, banned=banned
        )
    return None


def _wait_out(
    out: CandleFetch,
    source: CandleSource,
    limited: RateLimited,
    waits: int,
    stop: Callable[[], bool],
    limits: FetchLimits,
) -> bool:
    """Wait as the venue asked; False (with ``out.error`` set) when it cannot be done."""
    wait = limited.retry_after
    if wait is None:
        wait = DEFAULT_WAIT_SECONDS * 2 ** (waits - 1)
    later = f"try again in {fmt_seconds(wait)}" if limited.retry_after else "try again later"
    if limited.banned:
        out.banned = True
        out.error = f"{limited}; {later}"
        return False
    if waits > limits.max_waits:
        out.error = f"{limited} after {limits.max_waits} waits; {later}"
        return False
    left = current_budget().remaining()
    if wait > limits.max_wait or (left is not None and wait > left):
        out.error = f"{limited}; {later}"
        return False
    if not _pace(wait, stop, limits):
        out.stopped = True
        return False
    out.waited += wait
    return True


def _pace(seconds: float, stop: Callable[[], bool], limits: FetchLimits) -> bool:
    """Sleep ``seconds`` in short slices; False if stopped meanwhile."""
    left = seconds
    while left > 0:
        if stop():
            return False
        chunk = min(_WAIT_SLICE, left)
        limits.sleep(chunk)
        left -= chunk
    return not stop()


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True, slots=True)
class Gap:
    """Bars missing between two bars the venue sent (never filled in)."""

    after_ms: int  # the last bar before the gap
    before_ms: int  # the first bar after it
    missing: int  # bars missing


def find_gaps(times_ms: Sequence[int], step: int) -> list[Gap]:
    """Gaps in sorted bar times: where the next bar is more than one step away."""
    gaps: list[Gap] = []
    for a, b in itertools.pairwise(times_ms):
        if b - a > step:
            gaps.append(Gap(a, b, (b - a) // step - 1))
    return gaps


def aligned_end(now_ms: int, interval: str) -> int:
    """The open time of the bar in progress: every bar before it has closed."""
    step = INTERVALS[interval]
    return now_ms // step * step


__all__ = [
    "DAY_MS",
    "HOUR_MS",
    "INTERVALS",
    "INTERVAL_NAMES",
    "Candle",
    "CandleFetch",
    "CandleSource",
    "FetchLimits",
    "Gap",
    "NotListed",
    "Page",
    "RateLimited",
    "Rows",
    "aligned_end",
    "fetch_candles",
    "find_gaps",
    "iso_utc",
    "read_close",
    "read_rows",
    "read_time",
]
