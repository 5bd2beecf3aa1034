"""Vectorised parsing of date/time text into int64 ns since 1970 UTC.

Price files hold millions of rows whose times share one or a few layouts
(``2024-01-05``, ``2013-04-28 00:00:00 UTC``, ``1704412800000``). Instead of
parsing row by row, rows are grouped by their *shape* (each digit replaced by
``d``), each shape is understood once, and its digits are read with array
arithmetic. Rows of rare shapes fall back to a per-row parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
ByteMatrix = npt.NDArray[np.uint8]

OK = 0
UNRECOGNISED = 1
INVALID = 2
OUT_OF_RANGE = 3
EMPTY = 4

# Shapes handled by array arithmetic before the rest go row by row.
MAX_SHAPES = 24
MIN_YEAR, MAX_YEAR = 1900, 2200
_NS = 1_000_000_000
_MIN_NS = -2_208_988_800 * _NS  # 1900-01-01
_MAX_NS = 7_258_118_400 * _NS  # 2200-01-01

_D = ord("d")

# Shapes use "d" for a digit; anything else stands for itself.
_ISO_SHAPE = re.compile(
    r"^(?P<Y>dddd)(?P<s1>[-/.])(?P<M>dd?)(?P=s1)(?P<D>dd?)"
    r"(?:[T ](?P<h>dd?):(?P<m>dd)(?::(?P<s>dd)(?:[.,](?P<f>d{1,9})d*)?)?)?"
    r"(?P<tz>Z| ?UTC| ?GMT| ?[+-]dd(?::?dd)?)?$"
)
_EPOCH_SHAPE = re.compile(r"^(?P<i>d{1,19})(?:\.(?P<f>d{1,9})d*)?$")

REASONS = {
    UNRECOGNISED: "not a date/time this importer knows (use YYYY-MM-DD, ISO 8601 or epoch "
    "seconds/ms/µs)",
    INVALID: "not a real date or time",
    OUT_OF_RANGE: f"outside {MIN_YEAR}-{MAX_YEAR}",
    EMPTY: "empty date/time",
}


@dataclass(frozen=True)
class ParsedTimes:
    ns: IntArray  # valid where code == OK
    code: npt.NDArray[np.int8]
    had_zone: bool  # some text named a zone or offset
    naive_time_of_day: bool  # some text had a time of day without any zone
    epoch_units: tuple[str, ...]  # "s", "ms", "µs", "ns" seen in epoch numbers


def parse_times(texts: npt.NDArray[np.bytes_]) -> ParsedTimes:
    """Parse a 1-D ``S`` array of ASCII date/time texts (already stripped)."""
    n = texts.size
    width = texts.dtype.itemsize
    if n == 0 or width == 0:
        return parse_time_matrix(np.zeros((n, 1), dtype=np.uint8))
    return parse_time_matrix(np.ascontiguousarray(texts).view(np.uint8).reshape(n, width))


def parse_time_matrix(mat: ByteMatrix) -> ParsedTimes:
    """Parse texts given as a (rows, width) byte matrix, NUL-padded on the right.

    The matrix may be a strided view into a larger record array (no copy).
    """
    n = mat.shape[0]
    ns = np.zeros(n, dtype=np.int64)
    code = np.full(n, UNRECOGNISED, dtype=np.int8)
    state = _State()
    if n == 0:
        return ParsedTimes(ns, code, False, False, ())
    used_cols = np.flatnonzero(mat.any(axis=0))
    used = int(used_cols[-1]) + 1 if used_cols.size else 1
    mat = mat[:, :used]
    # uint8 wrap-around: bytes below "0" become large, so one compare finds digits.
    shape = np.where((mat - np.uint8(48)) < 10, np.uint8(_D), mat)
    keys = shape.view(f"S{used}").ravel()
    empty = keys == b""
    code[empty] = EMPTY
    pending = ~empty
    for _ in range(MAX_SHAPES):
        todo = np.flatnonzero(pending)
        if not todo.size:
            break
        first = int(todo[0])
        if todo.size == n:
            rows = np.flatnonzero(keys == keys[first])
            sub = mat if rows.size == n else mat[rows]
        else:
            rows = todo[keys[todo] == keys[first]]
            sub = mat[rows]
        pending[rows] = False
        text = bytes(keys[first]).decode("latin-1")
        _parse_shape(text, sub, rows, ns, code, state)
    rest = np.flatnonzero(pending)
    for i in rest.tolist():
        value = _parse_one(bytes(mat[i]).rstrip(b"\0").decode("latin-1"), state)
        if isinstance(value, int):
            ns[i], code[i] = value, OK
        else:
            code[i] = value
    bad_range = (code == OK) & ((ns < _MIN_NS) | (ns >= _MAX_NS))
    code[bad_range] = OUT_OF_RANGE
    return ParsedTimes(ns, code, state.zone, state.naive_time, tuple(sorted(state.units)))


class _State:
    def __init__(self) -> None:
        self.zone = False
        self.naive_time = False
        self.units: set[str] = set()


def _digits(m: ByteMatrix, start: int, end: int) -> IntArray:
    # Column by column: no (rows x digits) int64 temporary for long numbers.
    out = np.zeros(m.shape[0], dtype=np.int64)
    for col in range(start, end):
        out *= 10
        out += m[:, col]
        out -= 48
    return out


def _parse_shape(
    shape: str, m: ByteMatrix, rows: IntArray, ns: IntArray, code: npt.NDArray[np.int8], st: _State
) -> None:
    match = _EPOCH_SHAPE.match(shape)
    if match:
        _parse_epoch(match, m, rows, ns, code, st)
        return
    match = _ISO_SHAPE.match(shape)
    if not match:
        code[rows] = UNRECOGNISED
        return
    year = _digits(m, *match.span("Y"))
    month = _digits(m, *match.span("M"))
    day = _digits(m, *match.span("D"))
    zero = np.zeros(rows.size, dtype=np.int64)
    hour = _digits(m, *match.span("h")) if match.group("h") else zero
    minute = _digits(m, *match.span("m")) if match.group("m") else zero
    second = _digits(m, *match.span("s")) if match.group("s") else zero
    frac = zero
    if match.group("f"):
        a, b = match.span("f")
        frac = _digits(m, a, b) * 10 ** (9 - (b - a))
    offset = zero
    tz = match.group("tz")
    if tz:
        st.zone = True
        a, b = match.span("tz")
        if "d" in tz:
            sign_at = a + tz.index("+" if "+" in tz else "-")
            sign = np.where(m[:, sign_at] == ord("-"), -1, 1).astype(np.int64)
            oh = _digits(m, sign_at + 1, sign_at + 3)
            om = zero
            if len(tz.strip()) > 3:
                mm_at = b - 2
                om = _digits(m, mm_at, b)
            bad_off = (oh > 14) | (om > 59)
            offset = sign * (oh * 3600 + om * 60)
        else:
            bad_off = np.zeros(rows.size, dtype=bool)
    else:
        bad_off = np.zeros(rows.size, dtype=bool)
        if match.group("h"):
            st.naive_time = True
    days, date_ok = _civil_days(year, month, day)
    valid = date_ok & (hour <= 23) & (minute <= 59) & (second <= 59) & ~bad_off
    secs = days * 86400 + hour * 3600 + minute * 60 + second - offset
    ns[rows] = secs * _NS + frac
    code[rows] = np.where(valid, OK, INVALID).astype(np.int8)


def _parse_epoch(
    match: re.Match[str],
    m: ByteMatrix,
    rows: IntArray,
    ns: IntArray,
    code: npt.NDArray[np.int8],
    st: _State,
) -> None:
    a, b = match.span("i")
    if b - a > 18:
        # 19 digits can overflow int64 digit arithmetic; go through Python ints.
        whole = np.array([int(bytes(r[a:b])) for r in m], dtype=object)
        big = whole >= 2**63
        whole = np.where(big, 0, whole).astype(np.int64)
        code[rows[big]] = OUT_OF_RANGE
    else:
        whole = _digits(m, a, b)
    frac_ns = np.zeros(rows.size, dtype=np.int64)
    if match.group("f"):
        fa, fb = match.span("f")
        frac_ns = _digits(m, fa, fb) * 10 ** (9 - (fb - fa))
    unit = _epoch_unit(whole, st.units)
    ns[rows] = whole * unit + (frac_ns * unit) // _NS
    ok = code[rows] != OUT_OF_RANGE
    code[rows[ok]] = OK


def _epoch_unit(whole: IntArray, seen: set[str]) -> IntArray:
    # The magnitude says the unit: 1e11 s is year 5138, 1e11 ms is 1973.
    unit = np.where(
        whole < 10**11,
        _NS,
        np.where(whole < 10**14, 10**6, np.where(whole < 10**17, 10**3, 1)),
    ).astype(np.int64)
    lo, hi = (int(whole.min()), int(whole.max())) if whole.size else (0, 0)
    for name, low, high in (
        ("s", 0, 10**11),
        ("ms", 10**11, 10**14),
        ("µs", 10**14, 10**17),
        ("ns", 10**17, 2**63),
    ):
        if lo < high and hi >= low and bool(np.any((whole >= low) & (whole < high))):
            seen.add(name)
    return unit


def parse_epochs(values: IntArray) -> ParsedTimes:
    """Whole epoch numbers (s, ms, µs or ns by magnitude) -> ns; negatives refused."""
    st = _State()
    values = np.asarray(values, dtype=np.int64)
    unit = _epoch_unit(values, st.units)
    with np.errstate(over="ignore"):
        ns = values * unit
    code = np.where(values < 0, OUT_OF_RANGE, OK).astype(np.int8)
    code[(code == OK) & ((ns < 0) | (ns >= _MAX_NS))] = OUT_OF_RANGE
    return ParsedTimes(ns, code, False, False, tuple(sorted(st.units)))


def _civil_days(
    year: IntArray, month: IntArray, day: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Days since 1970 and validity; worked out once per run of equal dates.

    Intraday files repeat each date hundreds of times in a row, so the
    calendar arithmetic runs on the run starts only.
    """
    key = (year * 100 + month) * 100 + day
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    y, m, d = year[starts], month[starts], day[starts]
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= _days_in_month(y, m))
    days = _days_from_civil(y, m, d)
    lengths = np.diff(np.append(starts, key.size))
    return np.repeat(days, lengths), np.repeat(ok, lengths)


def _days_in_month(year: IntArray, month: IntArray) -> IntArray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    table = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31], dtype=np.int64)
    base = table[np.clip(month, 1, 12) - 1]
    out: IntArray = base + ((month == 2) & leap).astype(np.int64)
    return out


def _days_from_civil(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    # Howard Hinnant's days_from_civil, valid for the proleptic Gregorian calendar.
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: IntArray = era * 146097 + doe - 719468
    return days


_ZONE_WORDS = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)


def _parse_one(text: str, st: _State) -> int:
    """One odd-shaped text -> ns, or an error code."""
    raw = text.strip()
    if not raw:
        return EMPTY
    had_word = bool(_ZONE_WORDS.search(raw))
    cleaned = _ZONE_WORDS.sub("", raw) + ("+00:00" if had_word else "")
    try:
        dt = datetime.fromisoformat(cleaned)
    except ValueError:
        return UNRECOGNISED
    if dt.tzinfo is None:
        if (dt.hour, dt.minute, dt.second, dt.microsecond) != (0, 0, 0, 0):
            st.naive_time = True
        dt = dt.replace(tzinfo=UTC)
    else:
        st.zone = True
    if not MIN_YEAR <= dt.year < MAX_YEAR:
        return OUT_OF_RANGE
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * _NS + delta.microseconds * 1000
