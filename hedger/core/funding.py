"""Funding-rate histories of perpetual futures: checks, gaps and averages (pure, Decimal).

A row is one funding time and the rate paid for the interval that ends
there, as the venue states it (Binance, OKX, Bybit: every 8 h, sometimes 4 h
or 1 h; Deribit: every hour). **Sign: a positive rate means longs pay
shorts**, so Hedger's usual short hedge receives ``notional × rate``.

The interval is read from the timestamps, row by row (a venue may change it
within one symbol's history), never assumed. Rates are compared and averaged
per hour: ``rate / interval_hours``; "per 8 h" is that times 8. A stretch of
more than 12 hours without a funding time (1.5 × the longest regular
interval) is a *gap*: nothing is known to have been paid there, and it is
reported rather than counted as zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 24 * MS_PER_HOUR
#: No venue caps funding near this: a rate beyond it is a broken answer.
MAX_ABS_RATE = Decimal("0.05")
#: Funding did not exist on these venues before 2016.
MIN_TIME_MS = 1_451_606_400_000  # 2016-01-01
GAP_MS = 12 * MS_PER_HOUR
DEFAULT_INTERVAL_MS = 8 * MS_PER_HOUR
EIGHT = Decimal(8)
HOURS_PER_DAY = Decimal(24)


def ms_to_iso(ms: int) -> str:
    """``2026-12-06T08:00:00Z``."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


class FundingError(ValueError):
    """Funding rows that cannot be believed or used; the message is one line."""


class Gap(NamedTuple):
    after_ms: int  # the last funding time before the gap
    before_ms: int  # the next one

    @property
    def hours(self) -> int:
        return (self.before_ms - self.after_ms) // MS_PER_HOUR


@dataclass(frozen=True)
class FundingHistory:
    """The stored funding of one contract: times (ms UTC, increasing) and rates."""

    contract_id: str
    times_ms: tuple[int, ...]
    rates: tuple[Decimal, ...]
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.times_ms) != len(self.rates):
            raise FundingError("funding times and rates differ in length")
        if any(b <= a for a, b in zip(self.times_ms, self.times_ms[1:], strict=False)):
            raise FundingError("funding times must increase")

    def __len__(self) -> int:
        return len(self.times_ms)

    @property
    def first_ms(self) -> int | None:
        return self.times_ms[0] if self.times_ms else None

    @property
    def last_ms(self) -> int | None:
        return self.times_ms[-1] if self.times_ms else None

    def covered_ms(self) -> list[int]:
        """Per row, the time its rate covers: the step from the previous row
        (the first row and a row after a gap take the usual step instead)."""
        times = self.times_ms
        usual = usual_interval_ms(times)
        out: list[int] = []
        for i, t in enumerate(times):
            step = t - times[i - 1] if i else usual
            out.append(usual if step > GAP_MS else step)
        return out

    def gaps(self) -> list[Gap]:
        t = self.times_ms
        return [Gap(a, b) for a, b in itertools.pairwise(t) if b - a > GAP_MS]

    def merged_with(self, newer: FundingHistory) -> FundingHistory:
        """Both histories as one; on an equal time the newer row wins."""
        by_time = dict(zip(self.times_ms, self.rates, strict=True))
        by_time.update(zip(newer.times_ms, newer.rates, strict=True))
        times = sorted(by_time)
        sources = tuple(dict.fromkeys((*self.sources, *newer.sources)))
        return FundingHistory(
            self.contract_id, tuple(times), tuple(by_time[t] for t in times), sources
        )


def usual_interval_ms(times: Sequence[int]) -> int:
    """The median step between funding times (8 h when there are too few rows)."""
    steps = sorted(b - a for a, b in itertools.pairwise(times) if 0 < b - a <= GAP_MS)
    return steps[len(steps) // 2] if steps else DEFAULT_INTERVAL_MS


def checked_rows(
    contract_id: str, rows: Iterable[tuple[int, Decimal]], now_ms: int, source: str
) -> FundingHistory:
    """Rows from a venue as a history, or FundingError naming the first unbelievable one.

    Times must be whole milliseconds between 2016 and a day from now; rates
    finite and at most 5 % per interval in size. Repeated times keep the last
    row seen.
    """
    by_time: dict[int, Decimal] = {}
    for t, rate in rows:
        if (
            isinstance(t, bool)
            or not isinstance(t, int)
            or not MIN_TIME_MS <= t <= now_ms + MS_PER_DAY
        ):
            raise FundingError(f"{source} sent a funding time that is not believable ({t!r})")
        if not isinstance(rate, Decimal) or not rate.is_finite():
            raise FundingError(f"{source} sent a funding rate that is not a number ({rate!r})")
        if abs(rate) > MAX_ABS_RATE:
            raise FundingError(
                f"{source} sent a funding rate of {rate * 100:.4f} % for one interval, beyond "
                f"any venue's cap (limit {MAX_ABS_RATE * 100:.0f} %): refused"
            )
        by_time[t] = rate
    times = sorted(by_time)
    return FundingHistory(contract_id, tuple(times), tuple(by_time[t] for t in times), (source,))


# --------------------------------------------------------------------------- averages


class FundingStats(NamedTuple):
    """What a history says about the funding to expect (rates per hour)."""

    contract_id: str
    rows: int
    first_ms: int
    last_ms: int
    interval_hours: Decimal  # the usual step between funding times
    hourly_avg: Decimal  # average over the window (30 days) ending at the last row
    hourly_low: Decimal  # lowest 30-day average over the last year
    hourly_high: Decimal  # highest
    window_days: int
    range_days: int  # days of the last year the range could use
    gaps: int

    @property
    def rate_8h(self) -> Decimal:
        return self.hourly_avg * EIGHT


def funding_stats(
    history: FundingHistory, *, window_days: int = 30, range_days: int = 365
) -> FundingStats | None:
    """Average funding over the last ``window_days`` of the history, and the range of
    such averages over its last ``range_days``; None without rows."""
    if not history.times_ms:
        return None
    times = history.times_ms
    covered = history.covered_ms()
    # Prefix sums of rates and covered hours make every window two look-ups.
    rate_sum = [Decimal(0)]
    ms_sum = [0]
    for rate, ms in zip(history.rates, covered, strict=True):
        rate_sum.append(rate_sum[-1] + rate)
        ms_sum.append(ms_sum[-1] + ms)
    last = times[-1]
    window_ms = window_days * MS_PER_DAY

    def average(end_ms: int) -> Decimal | None:
        hi = _bisect_right(times, end_ms)
        lo = _bisect_right(times, end_ms - window_ms)
        hours = Decimal(ms_sum[hi] - ms_sum[lo]) / MS_PER_HOUR
        return (rate_sum[hi] - rate_sum[lo]) / hours if hours else None

    avg = average(last)
    assert avg is not None  # the last row is always inside its own window
    first_end = max(times[0] + window_ms, last - range_days * MS_PER_DAY)
    found = [avg]
    end = last - MS_PER_DAY
    while end >= first_end:
        a = average(end)
        if a is not None:
            found.append(a)
        end -= MS_PER_DAY
    return FundingStats(
        contract_id=history.contract_id,
        rows=len(times),
        first_ms=times[0],
        last_ms=last,
        interval_hours=Decimal(usual_interval_ms(times)) / MS_PER_HOUR,
        hourly_avg=avg,
        hourly_low=min(found),
        hourly_high=max(found),
        window_days=window_days,
        range_days=min(range_days, max(0, (last - times[0]) // MS_PER_DAY)),
        gaps=len(history.gaps()),
    )


def _bisect_right(times: Sequence[int], value: int) -> int:
    lo, hi = 0, len(times)
    while lo < hi:
        mid = (lo + hi) // 2
        if times[mid] <= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def expected_funding(
    notional_usd: Decimal, hourly_rate: Decimal, days: int, side: str = "short"
) -> Decimal:
    """Funding received (positive) or paid (negative) over ``days`` at a constant rate.

    A short receives ``notional × rate`` per interval when the rate is
    positive; a long pays it. The notional is held fixed.
    """
    received = notional_usd * hourly_rate * HOURS_PER_DAY * days
    return received if side == "short" else -received
