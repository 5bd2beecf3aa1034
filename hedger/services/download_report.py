"""A downloaded symbol's bars as an import report, and the gaps among them.

The bars become the same ``ImportReport`` a CSV import makes, stored by the
same ``HistoryStore.import_report``: a download merges exactly like an import.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from hedger.core.analytics.history import CsvLayout, ImportReport, RowError
from hedger.core.analytics.series import PriceSeries
from hedger.services.history import HistoryImport
from hedger.store.history import HistoryInfo, HistoryStore, HistoryStoreError

if TYPE_CHECKING:
    from hedger.live.candles import CandleFetch, CandleSource, Gap

NS_PER_MS = 1_000_000


def bars_report(
    symbol: str,
    source: CandleSource,
    instrument: str,
    interval: str,
    bars: dict[int, Decimal],
    fetches: list[CandleFetch],
) -> ImportReport:
    """The bars as an import report: the good ones as a series, refused rows with reasons."""
    times = sorted(bars)
    ts = np.array(times, dtype=np.int64) * NS_PER_MS
    closes = np.array([float(bars[t]) for t in times], dtype=np.float64)
    label = f"{source.name} {instrument.split()[0]} {interval}"
    series = PriceSeries(symbol, ts, closes, (label,))
    reasons = [r for f in fetches for r in f.reasons]
    refused = sum(f.refused for f in fetches)
    layout = CsvLayout(
        format_name=f"{source.name} {interval} candles",
        delimiter=",",
        skip_lines=0,
        time_column=0,
        price_column=1,
        time_name="bar open (UTC)",
        price_name="close",
        min_columns=2,
    )
    notes = ["Times are bar openings in UTC; each close is the bar's last price."]
    in_progress = sum(f.in_progress for f in fetches)
    if in_progress:
        notes.append(f"{in_progress:,} bars still open were left out.")
    return ImportReport(
        source_name=f"{label} candles",
        layout=layout,
        rows_read=len(bars) + refused + sum(f.duplicates for f in fetches),
        series=series,
        bad_count=refused,
        bad_rows=tuple(RowError(n, r) for n, r in enumerate(reasons, 1)),
        duplicates=sum(f.duplicates for f in fetches),
        notes=tuple(notes),
    )


def store_report(report: ImportReport, store: HistoryStore) -> HistoryImport:
    """Merge into the stored history as ``import_history`` does; refused rows stay out."""
    symbol = report.series.symbol
    try:
        outcome = store.import_report(report, accept_partial=True)
    except HistoryStoreError as exc:
        return HistoryImport(symbol, report, None, problem=str(exc))
    return HistoryImport(symbol, report, outcome)


def gaps_and_notes(
    bars: dict[int, Decimal],
    info: HistoryInfo | None,
    start_ms: int,
    end_ms: int,
    step: int,
    venue: str,
) -> tuple[list[Gap], tuple[str, ...]]:
    """Gaps next to or among the new bars (the stored ones' own gaps are not looked at),
    and notes on where the venue's bars start and end."""
    from hedger.live.candles import find_gaps

    if not bars:
        return [], ()
    new = sorted(bars)
    known = set(new)
    if info is not None and info.last_ns is not None and info.first_ns is not None:
        # The stored bars next to the new ones: a hole there is a gap too.
        if info.last_ns // NS_PER_MS < new[0]:
            known.add(info.last_ns // NS_PER_MS)
        if info.first_ns // NS_PER_MS > new[-1]:
            known.add(info.first_ns // NS_PER_MS)
    gaps = [
        g
        for g in find_gaps(sorted(known), step)
        if g.missing > 0 and (g.after_ms in bars or g.before_ms in bars)
    ]
    notes: list[str] = []
    if info is None and new[0] - start_ms >= step:
        notes.append(f"{venue} has no bars before {when(new[0], step)}")
    if end_ms - new[-1] > step:
        notes.append(f"{venue} sent no bars after {when(new[-1], step)}")
    return gaps, tuple(notes)


def when(ms: int, step: int) -> str:
    """``2025-03-01`` for daily bars, ``2025-03-01 13:00 UTC`` for shorter ones."""
    from hedger.live.candles import DAY_MS, iso_utc

    iso = iso_utc(ms)
    return iso[:10] if step >= DAY_MS else f"{iso[:10]} {iso[11:16]} UTC"
