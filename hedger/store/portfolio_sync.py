"""Saving a portfolio without losing what another writer saved meanwhile.

Every save holds the file's lock (``hedger.store.locks``) while it reads
the file on disk again, compares it with what the saver last read (the
content's SHA-256, its "digest"), keeps the version it replaces in the
backups (``hedger.store.versions``) and writes atomically. A saver that
read version A and finds version B on disk gets ``PortfolioChangedError``
instead of overwriting B, unless it says ``force`` (the person chose "keep
mine"; B is still in the backups then). ``update_portfolio`` is the
read-change-write in one lock hold that a command such as ``hedger prices
refresh`` uses once its slow part is done.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hedger.core.models import Portfolio
from hedger.store import versions
from hedger.store.atomic import atomic_write_bytes
from hedger.store.errors import describe_os_error, shown_name
from hedger.store.jsonfile import JsonProblem, read_limited
from hedger.store.locks import locked, try_locked
from hedger.store.portfolio_file import (
    MAX_PORTFOLIO_BYTES,
    PortfolioChangedError,
    PortfolioFileError,
    dumps_portfolio,
    loads_portfolio,
    read_portfolio_bytes,
)

content_digest = versions.content_digest

__all__ = [
    "EditClaim",
    "PortfolioChangedError",
    "claim_for_editing",
    "content_digest",
    "disk_digest",
    "encode_portfolio",
    "load_with_digest",
    "update_portfolio",
    "write_portfolio_bytes",
]


def load_with_digest(path: Path) -> tuple[Portfolio, str]:
    """The portfolio in ``path`` and the digest of the bytes it was read from."""
    data = read_portfolio_bytes(path)
    return loads_portfolio(data, path.name), content_digest(data)


def disk_digest(path: Path) -> str | None:
    """The digest of the file as it is now; None when it is missing or unreadable."""
    data = _current_bytes(path)
    return None if data is None else content_digest(data)


def write_portfolio_bytes(
    path: Path,
    data: bytes,
    *,
    backup: bool = True,
    expected_digest: str | None = None,
    force: bool = False,
) -> str:
    """Write ``data`` under the file's lock; the new digest.

    With ``expected_digest`` the file on disk must still be the one the
    caller read (or be gone), else PortfolioChangedError and nothing changes;
    ``force`` overwrites anyway. The replaced version goes to the backups.
    Raises PortfolioFileError (LockBusy when another save holds the file).
    """
    name = shown_name(path.name)
    with locked(path, what=name):
        current = _current_bytes(path)
        if current is not None and expected_digest is not None and not force:
            now = content_digest(current)
            if now != expected_digest:
                raise PortfolioChangedError(
                    f"{name} was changed by another program since it was opened; nothing was saved",
                    now,
                )
        _write_locked(path, data, current, backup=backup)
    return content_digest(data)


def update_portfolio(
    path: Path, change: Callable[[Portfolio], Portfolio], *, backup: bool = True
) -> tuple[Portfolio, str]:
    """Read the file, apply ``change`` and write the result, all under the lock.

    Whatever another writer saved before the lock was taken is what
    ``change`` gets, so it is kept. Returns the saved portfolio and its digest.
    """
    name = shown_name(path.name)
    with locked(path, what=name):
        current = read_portfolio_bytes(path)
        updated = change(loads_portfolio(current, path.name))
        data = _encoded(path, updated)
        if data != current:
            _write_locked(path, data, current, backup=backup)
    return updated, content_digest(data)


def encode_portfolio(path: Path, portfolio: Portfolio) -> bytes:
    """The bytes ``save_portfolio`` writes for ``portfolio``; PortfolioFileError if none can be."""
    return _encoded(path, portfolio)


def _encoded(path: Path, portfolio: Portfolio) -> bytes:
    try:
        return dumps_portfolio(portfolio).encode("utf-8")
    except UnicodeEncodeError:
        # Only reachable by bypassing validation (model_copy): pydantic itself
        # refuses lone surrogates, so such a file could never be opened again.
        raise PortfolioFileError(
            f"{shown_name(path.name)}: could not save (some text holds an invalid character)"
        ) from None


def _write_locked(path: Path, data: bytes, current: bytes | None, *, backup: bool) -> None:
    if current and current != data:
        # A version that cannot be kept (full disk) must not stop the save
        # itself: the .bak still holds it, and the save says if it fails too.
        with contextlib.suppress(OSError):
            versions.keep_version(path, current)
    try:
        atomic_write_bytes(path, data, backup=backup)
    except OSError as exc:
        raise PortfolioFileError(
            f"{shown_name(path.name)}: could not save ({describe_os_error(exc)})"
        ) from None


class EditClaim:
    """This process edits the portfolio; another window opening it gets it read-only.

    An OS lock held while the file is open in a window: the system drops it
    when the process ends, crash or not, so a stale claim never blocks.
    """

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def claim_for_editing(path: Path) -> EditClaim | None:
    """The edit claim on ``path``, or None while another window (any process) holds it."""
    # A key of its own: a claim must not block saves, which take the file's lock.
    try:
        lock = try_locked(path.with_name(path.name + OPEN_SUFFIX))
    except OSError:
        # No lock can be taken (the data folder is unusable): edit as before
        # claims existed rather than lock the person out of their file.
        return EditClaim(None)
    return None if lock is None else EditClaim(lock)


OPEN_SUFFIX = "#open"


def _current_bytes(path: Path) -> bytes | None:
    try:
        return read_limited(path, MAX_PORTFOLIO_BYTES)
    except (OSError, JsonProblem):
        return None
