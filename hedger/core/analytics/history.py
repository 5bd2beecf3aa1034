"""Price history files: format detection, fast parsing and a row-error report.

Recognised layouts:

* plain ``date,close`` / ``timestamp,price`` (any header naming a time column
  and a price column; ``;`` and tab separators too);
* CoinGecko exports ``snapped_at,price,market_cap,total_volume``;
* Yahoo Finance exports ``Date,Open,High,Low,Close,Adj Close,Volume`` (the
  adjusted close is used: it stays continuous over splits, which matters for
  returns);
* Binance kline files without a header (open time in ms or µs, then OHLCV;
  the close is the fifth column), or with Binance's futures header.

Speed without a new dependency: the file is read in pieces of a few MB, each
through ``numpy.loadtxt`` (numpy's C parser, keeping only the two needed
columns) and the vectorised time parser in ``timeparse``. That reads 2.6
million 1-minute rows in 1-2 s. A piece with any odd row is re-read row by
row with the csv module, so every bad row gets its line number and a reason
while the rest of a big file stays fast. (polars or pyarrow would read
faster still, but add 30-100 MB to the installed app for a gain the goal
does not need.)
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hedger.core.analytics.series import FloatArray, IntArray, PriceSeries
from hedger.core.analytics.timeparse import (
    REASONS,
    ParsedTimes,
    parse_epochs,
    parse_time_matrix,
    parse_times,
)
from hedger.core.bounded_read import FileProblem, read_regular

# Bigger than any honest price file (a 5-year 1-minute Binance file is ~350 MB).
MAX_FILE_BYTES = 2 * 1024**3
# Closes outside this range are no price: a unit mix-up, a broken export, or
# numbers chosen to overflow the analytics (1e308 squared is inf).
MIN_CLOSE = 1e-12
MAX_CLOSE = 1e12
# Row errors kept for display; the rest are only counted.
MAX_KEPT_ERRORS = 1000
SHOWN_ERRORS = 5
# Clean files go through numpy's reader in pieces of about this size; a bad
# row sends only its own piece through the slow row-by-row reader.
CHUNK_BYTES = 4 * 1024 * 1024
_TIME_WIDTH = 64

TIME_COLUMNS = (
    "timestamp",
    "unix",
    "open_time",
    "opentime",
    "open time",
    "snapped_at",
    "date",
    "datetime",
    "date_time",
    "time",
    "time_period_start",
    "timestamp_ms",
    "timestamp_utc",
)
PRICE_COLUMNS = ("adj close", "adj_close", "adjclose", "close", "price", "close_price", "last")
_BINANCE_HEADER = {"open_time", "open", "high", "low", "close", "volume", "close_time"}
_COINGECKO_HEADER = ["snapped_at", "price", "market_cap", "total_volume"]


class HistoryImportError(ValueError):
    """The file as a whole cannot be read as price history (one-line message)."""


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file, 1 = first line (the header if any)
    reason: str


@dataclass(frozen=True)
class CsvLayout:
    format_name: str  # e.g. "Yahoo Finance export"
    delimiter: str
    skip_lines: int  # header and title lines before the data
    time_column: int
    price_column: int
    time_name: str
    price_name: str
    min_columns: int
    time_is_epoch: bool = False  # whole numbers in the sample row: read them as int64


@dataclass(frozen=True)
class ImportReport:
    """What an import found: good rows as a series, bad rows with reasons."""

    source_name: str
    layout: CsvLayout
    rows_read: int  # data rows (blank lines not counted)
    series: PriceSeries  # the good rows, sorted, de-duplicated
    bad_count: int
    bad_rows: tuple[RowError, ...]  # the first MAX_KEPT_ERRORS
    duplicates: int  # rows whose timestamp appeared again later (last kept)
    notes: tuple[str, ...] = field(default=())

    @property
    def good_rows(self) -> int:
        return len(self.series)

    @property
    def clean(self) -> bool:
        """Nothing was refused: importing loses no row."""
        return self.bad_count == 0 and self.good_rows > 0

    def summary(self, shown: int = SHOWN_ERRORS) -> str:
        """Multi-line text: counts, the first bad rows, how many more."""
        head = (
            f"{self.source_name}: {self.rows_read:,} rows read as {self.layout.format_name} "
            f"({self.layout.time_name}, {self.layout.price_name}): "
            f"{self.good_rows:,} good, {self.bad_count:,} bad"
        )
        if self.duplicates:
            head += f", {self.duplicates:,} repeated timestamps (last row kept)"
        lines = [head]
        if self.good_rows:
            first, last = self.series.first_ns, self.series.last_ns
            assert first is not None and last is not None
            from hedger.core.analytics.series import ns_to_iso

            lines.append(f"Covers {ns_to_iso(first)} to {ns_to_iso(last)}")
        for err in self.bad_rows[:shown]:
            lines.append(f"  row {err.row}: {err.reason}")
        more = self.bad_count - min(shown, len(self.bad_rows))
        if more > 0:
            lines.append(f"  … and {more:,} more bad row{'s' if more != 1 else ''}")
        lines.extend(self.notes)
        return "\n".join(lines)


def read_price_file(path: Path, symbol: str, source: str | None = None) -> ImportReport:
    """Read a price CSV; file-level problems raise HistoryImportError.

    Only a regular file is read: a FIFO would block forever and /dev/zero
    never ends. The size is counted while reading, not trusted from ``stat``.
    """
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise HistoryImportError(f"{path.name}: file not found") from None
    except IsADirectoryError:
        raise HistoryImportError(f"{path.name}: is a folder, not a file") from None
    except FileProblem as exc:
        raise HistoryImportError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise HistoryImportError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    return parse_price_bytes(data, symbol, source or path.name, source_name=path.name)


def parse_price_bytes(
    data: bytes, symbol: str, source: str, *, source_name: str | None = None
) -> ImportReport:
    name = source_name or source
    data = _normalise(data, name)
    layout = detect_layout(data, name)
    body_start, lines_before = _body(data, layout.skip_lines)
    width = _time_width(data, layout)
    chunks: list[_Chunk] = []
    # Quoted fields may hold newlines, which chunk boundaries could cut.
    quoted = data.find(b'"', body_start) >= 0
    spans = [(body_start, len(data), 0)] if quoted else _chunk_spans(data, body_start)
    for start, end, first_line in spans:
        piece = data[start:end]
        chunk = _fast_chunk(piece, layout, width)
        if chunk is None:
            # Some row is odd: read this part row by row so each bad row
            # gets its file line number and a reason.
            chunk = _slow_chunk(piece, layout, lines_before + first_line, name)
        chunks.append(chunk)
    return _finish(name, layout, symbol, source, chunks)


@dataclass
class _Chunk:
    ns: IntArray  # good rows only
    prices: FloatArray
    rows: int  # data rows read (blank lines not counted)
    errors: list[RowError]
    bad: int
    had_zone: bool
    naive_time: bool
    units: tuple[str, ...]


def _body(data: bytes, skip: int) -> tuple[int, int]:
    """Where the data starts after ``skip`` non-blank header lines, and the lines before it."""
    pos = 0
    physical = 0
    seen = 0
    while seen < skip and pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        if data[pos:end].strip():
            seen += 1
        physical += 1
        pos = end + 1
    return min(pos, len(data)), physical


def _chunk_spans(data: bytes, start: int) -> list[tuple[int, int, int]]:
    """(start, end, lines before it) of pieces of ``data[start:]`` of about CHUNK_BYTES.

    Cuts fall just after a newline; line counts come from ``bytes.count``,
    far cheaper than locating every newline.
    """
    spans: list[tuple[int, int, int]] = []
    lines = 0
    pos = start
    while pos < len(data):
        cut = data.find(b"\n", pos + CHUNK_BYTES) if len(data) - pos > CHUNK_BYTES else -1
        end = len(data) if cut < 0 else cut + 1
        spans.append((pos, end, lines))
        lines += data.count(b"\n", pos, end)
        pos = end
    return spans


# --------------------------------------------------------------------------- detection


def _normalise(data: bytes, name: str) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise HistoryImportError(f"{name}: not a text file") from None
    if re.search(rb"\S", data) is None:
        raise HistoryImportError(f"{name}: the file is empty")
    if b"\0" in data[:65536]:
        raise HistoryImportError(f"{name}: not a text file (binary data)")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _first_lines(data: bytes, count: int) -> list[str]:
    out: list[str] = []
    for raw in data[: 1 << 16].split(b"\n"):
        line = raw.decode("utf-8", "replace").strip()
        if line:
            out.append(line)
        if len(out) >= count:
            break
    return out


def _split(line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([line], delimiter=delimiter), [])
    return [c.strip() for c in row]


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _looks_like_time(text: str) -> bool:
    arr = np.array([text.encode("ascii", "replace")], dtype=f"S{_TIME_WIDTH}")
    return bool(parse_times(arr).code[0] == 0)


def detect_layout(data: bytes, name: str = "file") -> CsvLayout:
    lines = _first_lines(data, 3)
    if not lines:
        raise HistoryImportError(f"{name}: the file is empty")
    skip = 0
    title_lines = 0
    # CryptoDataDownload files start with a URL line above the header.
    if len(lines) > 1 and _delimiter(lines[0]) not in lines[0] and _delimiter(lines[1]) in lines[1]:
        title_lines = 1
        lines = lines[1:]
    delim = _delimiter(lines[0])
    first = _split(lines[0], delim)
    if first and _looks_like_time(first[0]):
        return _headerless(first, delim, name, title_lines)
    sample = _split(lines[1], delim) if len(lines) > 1 else []
    header = [h.strip().strip('"').lower() for h in first]
    skip = title_lines + 1
    time_col = _pick(header, TIME_COLUMNS)
    price_col = _pick(header, PRICE_COLUMNS)
    shown = ", ".join(first[:8])
    if time_col is None:
        raise HistoryImportError(
            f"{name}: no date or time column in the header ({shown}); "
            "expected one named date, timestamp, time or snapped_at"
        )
    if price_col is None:
        raise HistoryImportError(
            f"{name}: no price column in the header ({shown}); "
            "expected one named close, price or Adj Close"
        )
    if header[: len(_COINGECKO_HEADER)] == _COINGECKO_HEADER:
        fmt = "CoinGecko export"
    elif {"open", "high", "low", "close"} <= set(header) and "adj close" in header:
        fmt = "Yahoo Finance export"
    elif set(header) >= _BINANCE_HEADER:
        fmt = "Binance klines"
    else:
        fmt = "CSV"
    return CsvLayout(
        format_name=fmt,
        delimiter=delim,
        skip_lines=skip,
        time_column=time_col,
        price_column=price_col,
        time_name=first[time_col],
        price_name=first[price_col],
        min_columns=max(time_col, price_col) + 1,
        time_is_epoch=len(sample) > time_col and sample[time_col].isdigit(),
    )


def _headerless(first: list[str], delim: str, name: str, title_lines: int) -> CsvLayout:
    if len(first) >= 6:
        return CsvLayout(
            format_name="Binance klines",
            delimiter=delim,
            skip_lines=title_lines,
            time_column=0,
            price_column=4,
            time_name="open time",
            price_name="close",
            min_columns=5,
            time_is_epoch=first[0].isdigit(),
        )
    if len(first) == 2:
        return CsvLayout(
            format_name="CSV without header",
            delimiter=delim,
            skip_lines=title_lines,
            time_column=0,
            price_column=1,
            time_name="column 1",
            price_name="column 2",
            min_columns=2,
            time_is_epoch=first[0].isdigit(),
        )
    raise HistoryImportError(
        f"{name}: no header and {len(first)} columns; add a header row such as "
        "'date,close' (or use a Binance kline file)"
    )


def _pick(header: list[str], names: tuple[str, ...]) -> int | None:
    for wanted in names:
        if wanted in header:
            return header.index(wanted)
    return None


# --------------------------------------------------------------------------- fast path


def _fast_chunk(data: bytes, layout: CsvLayout, width: int) -> _Chunk | None:
    """A clean piece through numpy's C reader, or None if any row needs a closer look."""
    cols = _fast_columns(data, layout, width)
    if cols is None:
        return None
    parsed, prices = cols
    if not bool(np.all(parsed.code == 0)) or not bool(np.all(_in_range(prices))):
        return None
    return _Chunk(
        parsed.ns,
        prices,
        int(prices.size),
        [],
        0,
        parsed.had_zone,
        parsed.naive_time_of_day,
        parsed.epoch_units,
    )


def _fast_columns(
    data: bytes, layout: CsvLayout, width: int
) -> tuple[ParsedTimes, FloatArray] | None:
    tdtype = "i8" if layout.time_is_epoch else f"S{width}"
    fields = [("t", tdtype), ("p", "f8")]
    cols = (layout.time_column, layout.price_column)
    if layout.time_column > layout.price_column:
        fields.reverse()
        cols = (layout.price_column, layout.time_column)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = np.loadtxt(
                io.BytesIO(data),
                delimiter=layout.delimiter,
                usecols=cols,
                dtype=np.dtype(fields),
                comments=None,
                quotechar='"',
                encoding="latin-1",
                ndmin=1,
            )
    except (ValueError, UnicodeError, Warning, IndexError, OverflowError):
        return None
    prices = np.ascontiguousarray(table["p"], dtype=np.float64)
    if layout.time_is_epoch:
        return parse_epochs(np.ascontiguousarray(table["t"], dtype=np.int64)), prices
    # The time texts as a byte matrix viewed inside the records: no copy.
    offset = table.dtype.fields["t"][1] if table.dtype.fields else 0
    records = table.view(np.uint8).reshape(table.size, table.dtype.itemsize)
    mat = records[:, offset : offset + width]
    if not table.size:
        return parse_time_matrix(mat), prices
    # A field that filled the whole width may have been cut; spaces need a
    # strip. Both are rare: hand them to the row-by-row reader.
    if bool(mat[:, width - 1].any()) or bool((mat == 32).any()):
        return None
    return parse_time_matrix(mat), prices


def _time_width(data: bytes, layout: CsvLayout) -> int:
    lines = _first_lines(data, layout.skip_lines + 1)
    if len(lines) <= layout.skip_lines:
        return 32
    row = _split(lines[layout.skip_lines], layout.delimiter)
    sample = row[layout.time_column] if len(row) > layout.time_column else ""
    # Room for longer variants of the same layout (an offset, more fraction digits).
    return min(_TIME_WIDTH, max(32, 2 * len(sample)))


# --------------------------------------------------------------------------- slow path


def _slow_chunk(data: bytes, layout: CsvLayout, lines_before: int, name: str) -> _Chunk:
    text = data.decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text), delimiter=layout.delimiter)
    times: list[bytes] = []
    prices: list[str] = []
    line_numbers: list[int] = []
    errors: list[RowError] = []
    bad = 0
    rows = 0
    tc, pc = layout.time_column, layout.price_column
    try:
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            rows += 1
            line = lines_before + reader.line_num
            if len(row) < layout.min_columns:
                bad += 1
                if len(errors) < MAX_KEPT_ERRORS:
                    errors.append(
                        RowError(
                            line,
                            f"expected at least {layout.min_columns} columns, found {len(row)}",
                        )
                    )
                continue
            t = row[tc].strip()
            times.append(
                t.encode("ascii", "replace")[: _TIME_WIDTH - 1]
                + (b"?" if len(t) >= _TIME_WIDTH else b"")
            )
            prices.append(row[pc])
            line_numbers.append(line)
    except csv.Error as exc:
        raise HistoryImportError(f"{name}: line {lines_before + reader.line_num}: {exc}") from None
    price_arr = np.empty(len(prices), dtype=np.float64)
    price_bad: dict[int, str] = {}
    for i, p in enumerate(prices):
        try:
            # float() also reads "٣" as 3 and "1_000" as 1000: plain ASCII numbers only.
            if _ASCII_FLOAT.fullmatch(p.strip()) is None:
                raise ValueError(p)
            price_arr[i] = float(p)
        except ValueError:
            price_arr[i] = np.nan
            price_bad[i] = _price_reason(p)
    time_arr = np.array(times, dtype=f"S{_TIME_WIDTH}") if times else np.empty(0, f"S{_TIME_WIDTH}")
    parsed = parse_times(time_arr)
    time_ok = parsed.code == 0
    good = time_ok & _in_range(price_arr)
    bad_idx = np.flatnonzero(~good)
    bad += int(bad_idx.size)
    for i in bad_idx[: max(0, MAX_KEPT_ERRORS - len(errors))].tolist():
        if not time_ok[i]:
            shown = bytes(time_arr[i]).decode("ascii", "replace")[:40]
            reason = f"date/time {shown!r}: {REASONS[int(parsed.code[i])]}"
        elif i in price_bad:
            reason = price_bad[i]
        elif np.isfinite(price_arr[i]) and price_arr[i] > 0:
            reason = f"price {price_arr[i]:g} is outside {MIN_CLOSE:g} to {MAX_CLOSE:g}"
        else:
            reason = f"price {price_arr[i]:g} must be a positive number"
        errors.append(RowError(line_numbers[i], reason))
    errors.sort(key=lambda e: e.row)
    return _Chunk(
        parsed.ns[good],
        price_arr[good],
        rows,
        errors,
        bad,
        parsed.had_zone,
        parsed.naive_time_of_day,
        parsed.epoch_units,
    )


def _in_range(prices: FloatArray) -> npt.NDArray[np.bool_]:
    """Finite, positive and within MIN_CLOSE..MAX_CLOSE (NaN compares False)."""
    with np.errstate(invalid="ignore"):
        return (prices >= MIN_CLOSE) & (prices <= MAX_CLOSE)


# What numpy's own reader accepts on the fast path: ASCII digits, a dot, an
# exponent; nan and inf pass through to be refused with their reason.
_ASCII_FLOAT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)", re.ASCII | re.IGNORECASE
)


def _price_reason(text: str) -> str:
    shown = text.strip()[:30]
    if not shown:
        return "price is empty"
    if re.fullmatch(r"[+-]?\d+,\d+", shown):
        return f"price {shown!r} uses a decimal comma; use a dot (1234.56)"
    return f"price {shown!r} is not a number"


# --------------------------------------------------------------------------- common end


def _finish(
    name: str, layout: CsvLayout, symbol: str, source: str, chunks: list[_Chunk]
) -> ImportReport:
    if len(chunks) == 1:
        ns, prices = chunks[0].ns, chunks[0].prices
    else:
        ns = np.concatenate([c.ns for c in chunks]) if chunks else np.empty(0, np.int64)
        prices = np.concatenate([c.prices for c in chunks]) if chunks else np.empty(0)
    series, dropped = PriceSeries.from_unsorted(symbol, ns, prices, (source,))
    errors = [e for c in chunks for e in c.errors][:MAX_KEPT_ERRORS]
    units = tuple(sorted({u for c in chunks for u in c.units}))
    notes: list[str] = []
    if any(c.had_zone for c in chunks):
        notes.append("Times with a zone or offset were converted to UTC.")
    if any(c.naive_time for c in chunks):
        notes.append("Times without a zone were read as UTC.")
    if units:
        notes.append(f"Epoch numbers read as {', '.join(_unit_names(units))}.")
    return ImportReport(
        source_name=name,
        layout=layout,
        rows_read=sum(c.rows for c in chunks),
        series=series,
        bad_count=sum(c.bad for c in chunks),
        bad_rows=tuple(errors),
        duplicates=dropped,
        notes=tuple(notes),
    )


def _unit_names(units: tuple[str, ...]) -> list[str]:
    names = {"s": "seconds", "ms": "milliseconds", "µs": "microseconds", "ns": "nanoseconds"}
    return [names[u] for u in units]
