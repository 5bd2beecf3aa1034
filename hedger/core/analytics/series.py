"""PriceSeries: one symbol's closes on a UTC time axis, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_HOUR = 60 * NS_PER_MINUTE
NS_PER_DAY = 24 * NS_PER_HOUR
NS_PER_WEEK = 7 * NS_PER_DAY
# Crypto trades every day, so a year is 365 days of returns, not 252.
NS_PER_YEAR = 365 * NS_PER_DAY


class SeriesError(ValueError):
    """Arrays that do not form a valid price series."""


@dataclass(frozen=True)
class MergeStats:
    added: int  # timestamps that were not stored before
    replaced: int  # timestamps already stored whose close the new data replaced
    unchanged: int  # timestamps already stored with the same close


@dataclass(frozen=True, eq=False)
class PriceSeries:
    """Closes of one symbol, timestamps in ns since 1970 UTC, strictly increasing.

    The arrays are made read-only: a series is shared by portfolios, charts
    and calculations, and none of them may change it under the others.
    """

    symbol: str
    timestamps: IntArray
    closes: FloatArray
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        ts = np.ascontiguousarray(self.timestamps, dtype=np.int64)
        px = np.ascontiguousarray(self.closes, dtype=np.float64)
        if ts.ndim != 1 or px.ndim != 1 or ts.shape != px.shape:
            raise SeriesError("timestamps and closes must be 1-D arrays of the same length")
        if ts.size > 1 and not bool(np.all(ts[1:] > ts[:-1])):
            raise SeriesError("timestamps must be strictly increasing")
        if px.size and not (bool(np.all(np.isfinite(px))) and bool(np.all(px > 0))):
            raise SeriesError("closes must be positive finite numbers")
        ts.flags.writeable = False
        px.flags.writeable = False
        object.__setattr__(self, "timestamps", ts)
        object.__setattr__(self, "closes", px)

    @classmethod
    def from_unsorted(
        cls,
        symbol: str,
        timestamps: IntArray,
        closes: FloatArray,
        sources: tuple[str, ...] = (),
    ) -> tuple[PriceSeries, int]:
        """A series from rows in any order; a repeated timestamp keeps its last row.

        Returns the series and how many repeated rows were dropped.
        """
        ts, px, dropped = _sorted_last_wins(
            np.asarray(timestamps, dtype=np.int64), np.asarray(closes, dtype=np.float64)
        )
        return cls(symbol, ts, px, sources), dropped

    def __len__(self) -> int:
        return int(self.timestamps.size)

    @property
    def first_ns(self) -> int | None:
        return int(self.timestamps[0]) if self.timestamps.size else None

    @property
    def last_ns(self) -> int | None:
        return int(self.timestamps[-1]) if self.timestamps.size else None

    def median_step_ns(self) -> int | None:
        if self.timestamps.size < 2:
            return None
        return int(np.median(np.diff(self.timestamps)))

    def between(self, start_ns: int | None = None, end_ns: int | None = None) -> PriceSeries:
        """The rows with start <= t <= end (either bound may be open)."""
        lo = 0 if start_ns is None else int(np.searchsorted(self.timestamps, start_ns, "left"))
        hi = len(self) if end_ns is None else int(np.searchsorted(self.timestamps, end_ns, "right"))
        return PriceSeries(self.symbol, self.timestamps[lo:hi], self.closes[lo:hi], self.sources)

    def resample_last(self, interval_ns: int) -> tuple[IntArray, FloatArray]:
        """Last close in each interval bucket, labelled by the bucket start."""
        if interval_ns <= 0:
            raise SeriesError("interval must be positive")
        if not self.timestamps.size:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        buckets = self.timestamps // interval_ns
        last = np.flatnonzero(np.diff(buckets) != 0)
        idx = np.append(last, buckets.size - 1)
        return buckets[idx] * interval_ns, self.closes[idx]

    def asof(self, when: IntArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Close in force at each time (last at or before it) and whether one exists."""
        when = np.asarray(when, dtype=np.int64)
        if self.timestamps.size == when.size and np.array_equal(self.timestamps, when):
            return self.closes, np.ones(when.size, dtype=bool)
        idx = np.searchsorted(self.timestamps, when, side="right") - 1
        valid = idx >= 0
        out = self.closes[np.maximum(idx, 0)] if self.closes.size else np.full(when.size, np.nan)
        return np.where(valid, out, np.nan), valid

    def merged_with(self, newer: PriceSeries) -> tuple[PriceSeries, MergeStats]:
        """This series with ``newer``'s rows added; on equal timestamps ``newer`` wins."""
        sources = tuple(dict.fromkeys((*self.sources, *newer.sources)))
        if not len(self):
            stats = MergeStats(added=len(newer), replaced=0, unchanged=0)
            return PriceSeries(self.symbol, newer.timestamps, newer.closes, sources), stats
        if not len(newer):
            return PriceSeries(self.symbol, self.timestamps, self.closes, sources), MergeStats(
                0, 0, 0
            )
        a_ts, b_ts = self.timestamps, newer.timestamps
        if b_ts[0] > a_ts[-1]:
            # The usual re-import: newer data strictly after what is stored.
            ts = np.concatenate([a_ts, b_ts])
            px = np.concatenate([self.closes, newer.closes])
            return PriceSeries(self.symbol, ts, px, sources), MergeStats(len(newer), 0, 0)
        pos = np.searchsorted(a_ts, b_ts)
        inside = pos < a_ts.size
        overlap = np.zeros(b_ts.size, dtype=bool)
        overlap[inside] = a_ts[pos[inside]] == b_ts[inside]
        same = np.zeros(b_ts.size, dtype=bool)
        same[overlap] = self.closes[pos[overlap]] == newer.closes[overlap]
        n_overlap = int(overlap.sum())
        n_same = int(same.sum())
        ts = np.concatenate([a_ts, b_ts])
        px = np.concatenate([self.closes, newer.closes])
        ts2, px2, _ = _sorted_last_wins(ts, px)
        stats = MergeStats(
            added=len(newer) - n_overlap, replaced=n_overlap - n_same, unchanged=n_same
        )
        return PriceSeries(self.symbol, ts2, px2, sources), stats


def _sorted_last_wins(ts: IntArray, px: FloatArray) -> tuple[IntArray, FloatArray, int]:
    if ts.size < 2 or bool(np.all(ts[1:] > ts[:-1])):
        return ts, px, 0
    order = np.argsort(ts, kind="stable")
    ts_sorted = ts[order]
    px_sorted = px[order]
    # After a stable sort, equal timestamps keep file order: the last one of
    # each run is the row that came last.
    keep = np.empty(ts_sorted.size, dtype=bool)
    keep[:-1] = ts_sorted[1:] != ts_sorted[:-1]
    keep[-1] = True
    return ts_sorted[keep], px_sorted[keep], int(ts.size - keep.sum())


def ns_to_iso(ns: int, *, date_only: bool = False) -> str:
    """ISO 8601 text for a UTC timestamp in ns: 2024-01-05T13:45:00Z or 2024-01-05."""
    stamp = np.array([int(ns)], dtype="datetime64[ns]")
    text = str(np.datetime_as_string(stamp, unit="D" if date_only else "s")[0])
    return text if date_only else text + "Z"
