"""Reading JSON files that may be hostile: huge, binary, truncated or odd.

The helpers raise ``JsonProblem`` whose message is the reason only (no file
name), so each store can phrase the full one-line message its own way.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hedger.core.bounded_read import FileProblem, read_regular

# Real numbers in our files are short; a 10 MB run of digits is an attack
# on the parser (int() of huge digit strings is quadratic).
MAX_NUMBER_CHARS = 100

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    # UTF-32 before UTF-16: the little-endian UTF-32 mark starts like UTF-16's.
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class JsonProblem(ValueError):
    """The content is not acceptable JSON; the message says why, in a few words."""


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file no larger than ``limit`` (``core.bounded_read``).

    OS problems (missing file, permissions) raise OSError unchanged; FIFOs,
    devices, sockets and files over the limit JsonProblem.
    """
    try:
        return read_regular(path, limit)
    except FileProblem as exc:
        raise JsonProblem(str(exc)) from None


def check_depth(text: str, limit: int) -> None:
    """JsonProblem if arrays and objects nest deeper than ``limit`` (strings skipped)."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise JsonProblem(f"nested more than {limit} levels deep")
        elif token in "]}":
            depth -= 1


# A JSON string (with its escapes) or one bracket: strings are matched whole so
# their brackets do not count.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-8 (a byte-order mark is allowed), or UTF-16/32 with a mark."""
    encoding = "utf-8"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data = data[len(bom) :]
            encoding = codec
            break
    if encoding == "utf-8" and b"\x00" in data:
        raise JsonProblem("binary data, not text")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise JsonProblem(f"not UTF-8 text: bad byte at offset {exc.start}") from None


def parse_json(text: str, *, max_depth: int | None = None) -> Any:
    """Parse JSON with numbers as Decimal and NaN, Infinity and huge numbers refused.

    ``max_depth`` refuses deeper nesting before parsing (index files are flat).
    """
    if not text.strip():
        raise JsonProblem("empty file")
    if max_depth is not None:
        check_depth(text, max_depth)
    try:
        return json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        reason = exc.msg[:1].lower() + exc.msg[1:]
        raise JsonProblem(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {reason}"
        ) from None
    except RecursionError:
        raise JsonProblem("nested too deeply") from None
    except _RefusedNumber as exc:
        raise JsonProblem(str(exc)) from None


class _RefusedNumber(ValueError):
    pass


def _parse_float(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise _RefusedNumber(f"a number has more than {MAX_NUMBER_CHARS} characters")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the JSON scanner only passes numbers
        raise _RefusedNumber(f"{text[:20]!r} is not a number") from None


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _RefusedNumber(f"a number has more than {MAX_NUMBER_CHARS} digits")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise _RefusedNumber(f"{name} is not a number Hedger accepts")
