"""Reading a stored price history's two files without trusting either.

``BTC.npz`` is a zip of two ``.npy`` arrays; ``BTC.json`` its small index.
Both may be damaged or hostile: a 3 MB archive whose members expand to
gigabytes, an ``.npy`` header claiming a billion rows, an index nested
100,000 deep or holding ``"rows": 1e400``. Everything here is checked
against declared sizes and fixed limits before a byte is expanded, and
every problem is a ``HistoryFileProblem`` with a short reason: the store
lists such a history as damaged, never stops on it.
"""

from __future__ import annotations

import ast
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np

from hedger.core.analytics.series import FloatArray, IntArray
from hedger.store.jsonfile import JsonProblem, decode_text, parse_json, read_limited

#: More rows than 20 years of 1-minute closes: no honest history is longer.
MAX_ROWS = 12_000_000
#: Closes outside this range are no price (a unit error, a broken feed, an attack).
MIN_CLOSE = 1e-12
MAX_CLOSE = 1e12
#: The index is a few hundred bytes of flat JSON.
MAX_INDEX_BYTES = 64 * 1024
MAX_INDEX_DEPTH = 4
MAX_SOURCES = 20
MAX_SOURCE_CHARS = 120
# An .npy header is a short dict literal; numpy writes at most a few hundred bytes.
_MAX_HEADER_BYTES = 4096
# Hedger stores arrays uncompressed; a deflated member (another tool's file)
# may expand this much at most before it is called a zip bomb.
_MAX_EXPANSION = 20
_ARRAYS = {"timestamps": np.dtype("<i8"), "closes": np.dtype("<f8")}
_READ_PIECE = 1 << 20
# Timestamps in ns: 1900 to 2200 covers every honest date.
_MIN_NS = -2_208_988_800 * 10**9
_MAX_NS = 7_258_118_400 * 10**9


class HistoryFileProblem(ValueError):
    """A history file cannot be used; the message is the reason in a few words."""


def read_arrays(path: Path, expected_rows: int | None = None) -> tuple[IntArray, FloatArray]:
    """The timestamps and closes in ``path``, each checked before it is expanded.

    ``expected_rows`` (from a trusted index) bounds the arrays further.
    Raises HistoryFileProblem, or OSError for a file that cannot be opened.
    """
    if not zipfile.is_zipfile(path):
        # np.load would try the file as a pickle and say so: not helpful.
        raise HistoryFileProblem("not a Hedger history archive")
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            members: dict[str, zipfile.ZipInfo] = {}
            # Every member's declared size is checked before any is expanded: a
            # bomb in the second member must not cost the first one's memory.
            for name in _ARRAYS:
                info = infos.get(f"{name}.npy")
                if info is None:
                    raise HistoryFileProblem(f"no {name} array")
                _check_declared(info, size, expected_rows)
                members[name] = info
            sizes = [info.file_size for info in members.values()]
            if max(sizes) - min(sizes) > _MAX_HEADER_BYTES:  # same rows, same item size
                raise HistoryFileProblem("timestamps and closes differ in length")
            out: dict[str, Any] = {}
            for name, dtype in _ARRAYS.items():
                info = members[name]
                with archive.open(info) as member:
                    out[name] = _read_npy(member, dtype, info.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise HistoryFileProblem(f"damaged archive ({type(exc).__name__})") from None
    except RuntimeError as exc:  # zipfile: encrypted members, bad CRC
        raise HistoryFileProblem(f"damaged archive ({exc})") from None
    ts, px = out["timestamps"], out["closes"]
    if ts.shape != px.shape:
        raise HistoryFileProblem("timestamps and closes differ in length")
    return ts, px


def _check_declared(info: zipfile.ZipInfo, archive_bytes: int, expected_rows: int | None) -> None:
    """Refuse a member whose declared size is beyond what its rows can need."""
    limit = _MAX_HEADER_BYTES + 8 * (MAX_ROWS if expected_rows is None else expected_rows)
    if info.file_size > limit:
        raise HistoryFileProblem(
            f"{info.filename} declares {info.file_size:,} bytes, more than its rows can hold"
        )
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size > archive_bytes:
            raise HistoryFileProblem(f"{info.filename} is larger than the archive")
    elif info.file_size > _MAX_EXPANSION * max(info.compress_size, 1) + _MAX_HEADER_BYTES:
        raise HistoryFileProblem(f"{info.filename} expands too much to be a price history")


def _read_npy(member: IO[bytes], dtype: np.dtype[Any], declared: int) -> Any:
    """One .npy array from a zip member: header checked, then exactly its bytes read."""
    magic = member.read(8)
    if len(magic) < 8 or magic[:6] != b"\x93NUMPY":
        raise HistoryFileProblem("an array is not in numpy's format")
    major = magic[6]
    length_bytes = 2 if major == 1 else 4
    raw_len = member.read(length_bytes)
    if len(raw_len) < length_bytes or major not in (1, 2, 3):
        raise HistoryFileProblem("an array header is damaged")
    header_len = int.from_bytes(raw_len, "little")
    if header_len > _MAX_HEADER_BYTES:
        raise HistoryFileProblem("an array header is too long")
    header = member.read(header_len)
    shape, descr, fortran = _parse_header(header)
    if np.dtype(descr) != dtype or fortran or len(shape) != 1:
        raise HistoryFileProblem("unexpected array types")
    rows = shape[0]
    if not 0 <= rows <= MAX_ROWS:
        raise HistoryFileProblem(f"{rows:,} rows is more than Hedger keeps")
    want = rows * dtype.itemsize
    if 8 + length_bytes + header_len + want > declared:
        raise HistoryFileProblem("an array is shorter than its header says")
    # Streamed into the array itself, a piece at a time: no second copy of
    # the body (a 12-million-row array is 96 MB once, not twice).
    array = np.empty(rows, dtype=dtype)
    view = array.data.cast("B")
    done = 0
    while done < want:
        piece = member.read(min(_READ_PIECE, want - done))
        if not piece:
            raise HistoryFileProblem("an array is cut short")
        view[done : done + len(piece)] = piece
        done += len(piece)
    return array


def _parse_header(header: bytes) -> tuple[tuple[int, ...], str, bool]:
    try:
        doc = ast.literal_eval(header.decode("latin-1").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise HistoryFileProblem("an array header is damaged") from None
    if not isinstance(doc, dict):
        raise HistoryFileProblem("an array header is damaged")
    shape, descr, fortran = doc.get("shape"), doc.get("descr"), doc.get("fortran_order")
    if (
        not isinstance(shape, tuple)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
        or not isinstance(descr, str)
        or not isinstance(fortran, bool)
    ):
        raise HistoryFileProblem("an array header is damaged")
    try:
        np.dtype(descr)
    except TypeError:
        raise HistoryFileProblem("unexpected array types") from None
    return shape, descr, fortran


def usable_rows(timestamps: IntArray, closes: FloatArray) -> tuple[IntArray, FloatArray, int]:
    """The rows a calculation may use, and how many were dropped.

    Closes outside MIN_CLOSE..MAX_CLOSE (stored by an older Hedger, which took
    1e308) would only turn into inf, NaN and numpy warnings downstream.
    """
    with np.errstate(invalid="ignore"):
        good = np.isfinite(closes) & (closes >= MIN_CLOSE) & (closes <= MAX_CLOSE)
        good &= (timestamps >= _MIN_NS) & (timestamps <= _MAX_NS)
    if bool(good.all()):
        return timestamps, closes, 0
    return timestamps[good], closes[good], int(good.size - np.count_nonzero(good))


# --------------------------------------------------------------------------- the index


def read_index(path: Path) -> dict[str, Any]:
    """The index file's document, bounded and flat; HistoryFileProblem or OSError."""
    try:
        text = decode_text(read_limited(path, MAX_INDEX_BYTES))
        doc = parse_json(text, max_depth=MAX_INDEX_DEPTH)
    except JsonProblem as exc:
        raise HistoryFileProblem(str(exc)) from None
    if not isinstance(doc, dict):
        raise HistoryFileProblem("the index is not a JSON object")
    return doc


def index_sources(doc: dict[str, Any]) -> tuple[str, ...]:
    """The ``sources`` list, or () when it is not a list of short texts."""
    raw = doc.get("sources")
    if not isinstance(raw, list) or len(raw) > MAX_SOURCES * 5:
        return ()
    return tuple(s[:MAX_SOURCE_CHARS] for s in raw if isinstance(s, str))[-MAX_SOURCES:]


def index_int(doc: dict[str, Any], key: str, low: int, high: int) -> int | None:
    """``doc[key]`` as a whole number within ``low..high``, else None (never huge)."""
    value = doc.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            return None
        if not low <= value <= high:
            return None
        return int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def index_rows(doc: dict[str, Any]) -> int | None:
    return index_int(doc, "rows", 0, MAX_ROWS)


def index_ns(doc: dict[str, Any], key: str) -> int | None:
    return index_int(doc, key, _MIN_NS, _MAX_NS)
