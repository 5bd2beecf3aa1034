"""Reading a file someone handed us, which may be a FIFO, a device or huge.

The one bounded reader: the store's JSON files (``store/jsonfile``), price
histories (``core/analytics/history``), holdings and positions CSVs all read
through ``read_regular``, so a FIFO never blocks a thread and ``/dev/zero``
never fills the memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

# Read in pieces so a file growing while it is read costs at most one piece
# past the limit.
_CHUNK_BYTES = 1 << 24


class FileProblem(ValueError):
    """The file is not one Hedger reads; the message is the reason only, in a few words."""


class TooLarge(FileProblem):
    """The file is over the limit (said by ``stat`` or counted while reading)."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file no larger than ``limit``.

    FIFOs, devices and sockets are refused before a byte is read (opening a
    FIFO for reading would block forever; /dev/zero never ends), and the size
    is counted while reading, not taken from ``stat`` (which says 0 for a
    device and can change before the read). OS problems (missing file,
    permissions) raise OSError unchanged, a folder IsADirectoryError; the rest
    FileProblem.
    """
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise FileProblem("not a regular file")
    if st.st_size > limit:
        raise TooLarge(f"too large ({size_text(st.st_size)}; the limit is {size_text(limit)})")
    # O_NONBLOCK: a FIFO swapped in since the stat opens at once instead of
    # waiting for a writer, and fstat below refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", closefd=True) as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileProblem("not a regular file")
        data = _read_at_most(fh, limit + 1)
    if len(data) > limit:
        raise TooLarge(f"too large (over {size_text(limit)})")
    return data


def _read_at_most(fh: BinaryIO, count: int) -> bytes:
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = fh.read(min(left, _CHUNK_BYTES))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def size_text(size: int) -> str:
    """A size in words: '2 GB', '5 MB', '12 KB', '300 bytes'."""
    if size >= 1024**3:
        return f"{size / 1024**3:.0f} GB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"
