"""Download price history from the venues' public candle endpoints into the history store.

Used by ``hedger history download`` and the History tab's Download… dialog.
What is stored: the **close of each completed bar** — of each UTC day (``1d``)
or UTC hour (``1h``) — labelled with the bar's opening time in UTC, the way
Binance kline files are imported. Bars still open are left out.

A download **resumes**: for a symbol already stored it asks only for the bars
after the last stored one (and a few before it, to check they still agree)
and for the part of the asked span before the first stored one. The bars are
stored **exactly like an import**: they become an ``ImportReport`` that
``HistoryStore.import_report`` merges (on an equal time the new close wins),
and each symbol's result holds the same ``HistoryImport`` an import returns.
Rows the checks refuse are left out and reported; gaps are reported, never
filled in. One symbol failing does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from hedger.core.models import STABLECOINS, Portfolio, normalise_symbol
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    from hedger.live.candles import CandleFetch, CandleSource, Gap
    from hedger.services.history import HistoryImport
    from hedger.store.history import HistoryInfo, HistoryStore

DEFAULT_DAYS = 730
MAX_DAYS = 3650
DEFAULT_INTERVAL = "1d"
INTERVAL_CHOICES = ("1d", "1h")
MAX_SYMBOLS = 100
#: Stored bars asked for again, to check the venue still agrees with them.
OVERLAP_BARS = 3
#: The longest one symbol's download may take, in seconds.
SYMBOL_TIME_LIMIT = 300.0
#: Gaps kept per symbol (the rest are counted).
KEPT_GAPS = 20
#: The interval choices in words, for headings.
INTERVAL_WORDS = {
    "1d": "daily closes (each UTC day's close, dated by its 00:00 UTC opening)",
    "1h": "hourly closes (each UTC hour's close, dated by its opening time)",
}
#: What is downloaded, in the words of the help texts.
WHAT_IS_STORED = (
    "the close of each completed bar: of each UTC day (1d) or UTC hour (1h), "
    "labelled with the bar's opening time in UTC"
)


class DownloadError(ServiceError):
    """A download that cannot start (bad symbol, days, interval or source); one line."""


class DownloadChoice(NamedTuple):
    key: str  # what download_history takes: "binance", "ccxt:kraken"
    label: str  # what a menu shows
    hint: str = ""  # what it downloads, for a tooltip


def download_choices() -> tuple[list[DownloadChoice], list[DownloadChoice]]:
    """The candle sources a front end offers, from the venue registry: (built-in, ccxt)."""
    from hedger.live.venues import (
        CCXT_CHOICE,
        candle_source_keys,
        candle_source_what,
        ccxt_price_ids,
        venue,
    )

    builtin = [
        DownloadChoice(k, venue(k).name, f"{venue(k).name} {candle_source_what(k)}")
        for k in candle_source_keys()
        if k != CCXT_CHOICE
    ]
    ccxt = [DownloadChoice(f"ccxt:{i}", f"ccxt: {i}") for i in ccxt_price_ids()]
    return builtin, ccxt


def download_source_keys() -> tuple[str, ...]:
    """``binance``, ``coinbase``, ``okx``, ``ccxt:<exchange>`` (for help texts); the first
    is the default."""
    from hedger.live.venues import candle_source_keys

    return candle_source_keys()


def default_symbols(portfolio: Portfolio) -> list[str]:
    """The portfolio's coins and their hedge underlyings, stablecoins left out."""
    out: dict[str, None] = {}
    for h in portfolio.holdings:
        if h.is_stablecoin:
            continue
        out[h.symbol] = None
        if h.hedge_with and h.hedge_with not in STABLECOINS:
            out[h.hedge_with] = None
    return list(out)


def parse_symbols(text: str) -> list[str]:
    """Symbols typed as ``BTC, ETH SOL``: normalised, repeats dropped; DownloadError if bad."""
    return check_symbols(t for t in text.replace(",", " ").split() if t)


def check_symbols(symbols: Iterable[str]) -> list[str]:
    out: dict[str, None] = {}
    for s in symbols:
        try:
            out[normalise_symbol(s)] = None
        except ValueError as exc:
            raise DownloadError(str(exc)) from None
    if not out:
        raise DownloadError("name at least one symbol to download, e.g. BTC")
    if len(out) > MAX_SYMBOLS:
        raise DownloadError(f"at most {MAX_SYMBOLS} symbols per download")
    return list(out)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download is, for a progress display (sent from the worker thread)."""

    symbol: str
    index: int  # of the symbol, 0-based
    count: int  # symbols in the download
    fraction: float  # of this symbol's bars, 0 to 1
    bars: int  # bars received so far for this symbol
    state: str  # "asking", "storing", or a final SymbolDownload.state
    text: str  # one line for people


@dataclass(frozen=True)
class SymbolDownload:
    """One symbol's download: what was asked, received, refused and stored."""

    symbol: str
    state: str  # "downloaded", "up to date", "no bars", "failed", "stopped", "not asked"
    instrument: str = ""  # "BTCUSDT spot"
    interval: str = DEFAULT_INTERVAL
    asked: tuple[tuple[int, int], ...] = ()  # [start, end) ranges in ms
    requests: int = 0
    received: int = 0  # good bars the venue sent
    imported: HistoryImport | None = None  # the stored rows, as an import reports them
    refused: int = 0
    refused_reasons: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    gap_count: int = 0
    missing_bars: int = 0  # bars missing in all gaps
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def added(self) -> int:
        outcome = self.imported.outcome if self.imported is not None else None
        return outcome.stats.added if outcome is not None else 0

    @property
    def ok(self) -> bool:
        return self.state in ("downloaded", "up to date")


@dataclass(frozen=True)
class DownloadReport:
    source_key: str
    source_name: str
    interval: str
    days: int
    start_ms: int  # the asked span, [start, end) in ms
    end_ms: int
    symbols: tuple[SymbolDownload, ...]
    stopped: bool = False

    @property
    def ok(self) -> bool:
        """Something usable came of it: a symbol was downloaded or was up to date."""
        return any(s.ok for s in self.symbols)

    @property
    def added(self) -> int:
        return sum(s.added for s in self.symbols)

    @property
    def last_bar_ms(self) -> int:
        """The opening time of the last bar asked for (the newest closed one)."""
        from hedger.live.candles import INTERVALS

        return self.end_ms - INTERVALS[self.interval]


# --------------------------------------------------------------------------- the download


@dataclass
class _Run:
    """What every symbol of one download shares."""

    source: CandleSource
    interval: str
    step: int
    start_ms: int
    end_ms: int
    now_ms: int
    store: HistoryStore
    cancelled: Callable[[], bool]
    on_progress: Callable[[DownloadProgress], None]
    time_limit: float | None
    sleep: Callable[[float], None] | None
    count: int = 0
    banned: str | None = None


def download_history(
    symbols: Sequence[str],
    *,
    days: int = DEFAULT_DAYS,
    interval: str = DEFAULT_INTERVAL,
    source: str | None = None,
    on_progress: Callable[[DownloadProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    store: HistoryStore | None = None,
    env: dict[str, str] | None = None,
    now: datetime | None = None,
    time_limit: float | None = SYMBOL_TIME_LIMIT,
    sleep: Callable[[float], None] | None = None,
) -> DownloadReport:
    """Download and store the last ``days`` of ``interval`` closes of each symbol.

    Blocks (run it off the GUI thread). ``on_progress`` hears every page and
    every symbol's end; ``cancelled()`` is asked before every request and
    while waiting: a stop keeps what was stored. Raises DownloadError for bad
    input; the venues' failures are reported per symbol.
    """
    from hedger.live.candles import INTERVALS, aligned_end
    from hedger.store.history import HistoryStore

    wanted = check_symbols(symbols)
    if interval not in INTERVAL_CHOICES:
        raise DownloadError(f"interval must be {' or '.join(INTERVAL_CHOICES)}, not {interval!r}")
    if not 1 <= days <= MAX_DAYS:
        raise DownloadError(f"days must be between 1 and {MAX_DAYS}")
    candles = _make_source(source or download_source_keys()[0], env)
    now_ms = int((now or datetime.now(UTC)).timestamp() * 1000)
    end_ms = aligned_end(now_ms, interval)
    run = _Run(
        source=candles,
        interval=interval,
        step=INTERVALS[interval],
        start_ms=end_ms - days * INTERVALS["1d"],
        end_ms=end_ms,
        now_ms=now_ms,
        store=store or HistoryStore(),
        cancelled=cancelled or (lambda: False),
        on_progress=on_progress or (lambda _p: None),
        time_limit=time_limit,
        sleep=sleep,
        count=len(wanted),
    )
    results: list[SymbolDownload] = []
    for index, symbol in enumerate(wanted):
        if run.cancelled():
            results.append(SymbolDownload(symbol, "not asked", error="not asked: stopped"))
        elif run.banned is not None:
            results.append(SymbolDownload(symbol, "not asked", error=f"not asked: {run.banned}"))
        else:
            results.append(_download_symbol(run, index, symbol))
        _tell_done(run, index, results[-1])
    return DownloadReport(
        source_key=candles.key,
        source_name=candles.name,
        interval=interval,
        days=days,
        start_ms=run.start_ms,
        end_ms=run.end_ms,
        symbols=tuple(results),
        stopped=any(s.state in ("stopped", "not asked") for s in results) and run.cancelled(),
    )


def _make_source(key: str, env: dict[str, str] | None) -> CandleSource:
    from hedger.live.http import PriceSourceError
    from hedger.live.venues import make_candle_source

    try:
        return make_candle_source(key, env)
    except PriceSourceError as exc:
        raise DownloadError(str(exc)) from None


def _tell_done(run: _Run, index: int, done: SymbolDownload) -> None:
    text = symbol_line(done)
    run.on_progress(
        DownloadProgress(done.symbol, index, run.count, 1.0, done.received, done.state, text)
    )


def _download_symbol(run: _Run, index: int, symbol: str) -> SymbolDownload:
    from hedger.live.http import PriceSourceError

    source = run.source
    try:
        instrument = source.describe(symbol)
    except PriceSourceError as exc:
        return SymbolDownload(symbol, "failed", error=str(exc))
    info = run.store.info(symbol)
    problem = _step_problem(info, run.step, run.interval)
    if problem is not None:
        return SymbolDownload(symbol, "failed", instrument=instrument, error=f"{symbol}: {problem}")
    ranges = missing_ranges(info, run.start_ms, run.end_ms, run.step)
    if not ranges:
        return SymbolDownload(symbol, "up to date", instrument=instrument)
    fetches = _fetch_ranges(run, index, symbol, ranges)
    return _store_symbol(run, index, symbol, instrument, info, fetches)


def missing_ranges(
    info: HistoryInfo | None, start_ms: int, end_ms: int, step: int
) -> list[tuple[int, int]]:
    """What to ask for, newest first: after the stored bars (with an overlap), and before them."""
    if info is None or info.first_ns is None or info.last_ns is None or not info.rows:
        return [(start_ms, end_ms)]
    first = info.first_ns // 1_000_000
    last = info.last_ns // 1_000_000
    ranges: list[tuple[int, int]] = []
    if last + step < end_ms:
        lo = max(start_ms, (last - OVERLAP_BARS * step) // step * step)
        ranges.append((lo, end_ms))
    if first > start_ms:
        hi = min(first, end_ms)
        if ranges and hi >= ranges[0][0]:
            return [(start_ms, end_ms)]
        ranges.append((start_ms, hi))
    return ranges


def _step_problem(info: HistoryInfo | None, step: int, interval: str) -> str | None:
    """Why bars of ``step`` cannot join the stored history (its closes are further apart or
    closer together), or None."""
    from hedger.live.candles import INTERVAL_NAMES

    if info is None or info.first_ns is None or info.last_ns is None or info.rows < 3:
        return None
    stored = (info.last_ns - info.first_ns) / (info.rows - 1) / 1_000_000
    if step / 2 <= stored <= step * 3:
        return None
    return (
        f"the stored history has a close about every {_span_words(stored)}; "
        f"{INTERVAL_NAMES[interval]} closes would be mixed into it (delete it first, "
        "or download the other interval)"
    )


def _span_words(ms: float) -> str:
    for size, name in ((86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute")):
        if ms >= size * 0.9:
            n = round(ms / size)
            return name if n == 1 else f"{n} {name}s"
    return f"{max(1, round(ms / 1000))} seconds"


def _fetch_ranges(
    run: _Run, index: int, symbol: str, ranges: list[tuple[int, int]]
) -> list[CandleFetch]:
    from hedger.live.candles import FetchLimits, fetch_candles

    limits = FetchLimits(time_limit=run.time_limit)
    if run.sleep is not None:
        limits = FetchLimits(time_limit=run.time_limit, sleep=run.sleep)
    total = sum(hi - lo for lo, hi in ranges) or 1
    done_span = 0
    fetches: list[CandleFetch] = []
    for lo, hi in ranges:
        base = done_span

        def page(f: CandleFetch, base: int = base) -> None:
            share = (base + f.fraction() * (f.end_ms - f.start_ms)) / total
            bars = sum(len(x.bars) for x in fetches) + len(f.bars)
            text = f"{symbol}: {bars:,} bars"
            run.on_progress(DownloadProgress(symbol, index, run.count, share, bars, "asking", text))

        f = fetch_candles(
            run.source,
            symbol,
            run.interval,
            lo,
            hi,
            now_ms=run.now_ms,
            should_stop=run.cancelled,
            on_page=page,
            limits=limits,
        )
        fetches.append(f)
        done_span += hi - lo
        if not f.complete:
            break
    return fetches


def _store_symbol(
    run: _Run,
    index: int,
    symbol: str,
    instrument: str,
    info: HistoryInfo | None,
    fetches: list[CandleFetch],
) -> SymbolDownload:
    from hedger.services.download_report import bars_report, gaps_and_notes, store_report

    bars: dict[int, Decimal] = {}
    for f in fetches:
        # A newest-first venue stopped half-way leaves a hole between the
        # stored bars and the new ones that resuming would never fill.
        if f.complete or run.source.forward:
            bars.update(f.bars)
    last = fetches[-1]
    if last.banned:
        run.banned = f"{run.source.name} blocked requests"
    error = next((f.error for f in fetches if f.error), None)
    stopped = any(f.stopped for f in fetches)
    gaps, notes = gaps_and_notes(bars, info, run.start_ms, run.end_ms, run.step, run.source.name)
    imported = None
    if bars:
        run.on_progress(
            DownloadProgress(
                symbol, index, run.count, 1.0, len(bars), "storing", f"{symbol}: storing…"
            )
        )
        report = bars_report(symbol, run.source, instrument, run.interval, bars, fetches)
        imported = store_report(report, run.store)
        if imported.problem:
            error = error or imported.problem
    state = _state(bars, imported, error, stopped, info)
    return SymbolDownload(
        symbol=symbol,
        state=state,
        instrument=instrument,
        interval=run.interval,
        asked=tuple((f.start_ms, f.end_ms) for f in fetches),
        requests=sum(f.requests for f in fetches),
        received=len(bars),
        imported=imported,
        refused=sum(f.refused for f in fetches),
        refused_reasons=tuple(r for f in fetches for r in f.reasons)[:KEPT_GAPS],
        gaps=tuple(gaps[:KEPT_GAPS]),
        gap_count=len(gaps),
        missing_bars=sum(g.missing for g in gaps),
        notes=notes,
        error=error,
    )


def _state(
    bars: dict[int, Decimal],
    imported: HistoryImport | None,
    error: str | None,
    stopped: bool,
    info: HistoryInfo | None,
) -> str:
    stored = imported is not None and imported.outcome is not None
    if stopped:
        return "stopped"
    if error is not None and not stored:
        return "failed"
    if stored:
        return "downloaded"
    # Nothing new and nothing wrong: the stored bars are all the venue has.
    return "up to date" if info is not None and not bars else "no bars"


def bar_text(ms: int, interval: str, *, iso: bool = False) -> str:
    """A bar's time: ``2025-03-01`` (daily), ``2025-03-01 13:00 UTC`` (hourly), or ISO 8601."""
    from hedger.live.candles import INTERVALS, iso_utc
    from hedger.services.download_report import when

    return iso_utc(ms) if iso else when(ms, INTERVALS[interval])


def symbol_line(done: SymbolDownload) -> str:
    """One line on a symbol's download, for a progress list or a terminal."""
    if done.state == "downloaded" and done.imported is not None:
        outcome = done.imported.outcome
        assert outcome is not None
        st, info = outcome.stats, outcome.info
        text = f"{done.symbol}: {_count(st.added, 'new bar')}"
        if st.replaced:
            text += f", {st.replaced:,} changed"
        text += f"; {info.rows:,} stored"
        if info.first_ns is not None and info.last_ns is not None:
            first = bar_text(info.first_ns // 1_000_000, done.interval)
            last = bar_text(info.last_ns // 1_000_000, done.interval)
            text += f" ({first} to {last})"
    elif done.state == "up to date":
        text = f"{done.symbol}: up to date"
    elif done.state == "no bars":
        text = f"{done.symbol}: the venue sent no bars for this span"
    else:
        text = done.error or f"{done.symbol}: {done.state}"
        if not text.startswith(f"{done.symbol}:"):
            text = f"{done.symbol}: {text}"
    if done.gap_count:
        text += f"; {_count(done.gap_count, 'gap')} ({_count(done.missing_bars, 'bar')} missing)"
    if done.refused:
        text += f"; {_count(done.refused, 'bad row')} left out"
    if done.error and done.state == "downloaded":
        text += f" ({done.error})"
    return text


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_INTERVAL",
    "INTERVAL_CHOICES",
    "INTERVAL_WORDS",
    "MAX_DAYS",
    "WHAT_IS_STORED",
    "DownloadChoice",
    "DownloadError",
    "DownloadProgress",
    "DownloadReport",
    "SymbolDownload",
    "bar_text",
    "check_symbols",
    "default_symbols",
    "download_choices",
    "download_history",
    "download_source_keys",
    "missing_ranges",
    "parse_symbols",
    "symbol_line",
]
