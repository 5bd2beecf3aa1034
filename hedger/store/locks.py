"""One writer at a time: an OS file lock around every read-modify-write of a shared file.

Two Hedger processes (two windows, a window and ``hedger prices refresh``,
six parallel ``hedger history import``) may change the same file. Each
writer takes the file's lock, reads the file again under it, changes what
it read and writes it back, so no change is lost. The lock is ``filelock``'s
OS lock (``flock`` on POSIX, ``LockFileEx`` on Windows): the system drops it
when its process dies, so a crash or kill -9 never leaves a lock that blocks
the next run.

Lock files live in the data folder's ``locks/``, named after the file and a
hash of its full path (``core.json-1a2b3c4d5e6f7a8b.lock``): portfolios
anywhere on disk are covered, even on read-only media or in a synced folder
that should not fill with lock files. (Two Hedgers with different
``HEDGER_DATA_DIR`` do not see each other's locks.) Lock files are never
deleted: deleting one while another process holds it would let a third
take a second lock on a new file of the same name.

A wait is bounded: after ``timeout`` seconds ``LockBusy`` says which file is
busy ("... is being saved by another Hedger; try again") instead of hanging.
``HEDGER_LOCK_TIMEOUT`` (seconds) shortens every wait, for tests and scripts
that would rather fail fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hedger.store.errors import StoreError, describe_os_error

if TYPE_CHECKING:
    from filelock import BaseFileLock

TIMEOUT_ENV = "HEDGER_LOCK_TIMEOUT"
LOCK_SUFFIX = ".lock"
LOCKS_FOLDER = "locks"
#: How long a writer waits for another one to finish (a portfolio save takes milliseconds).
DEFAULT_TIMEOUT = 10.0
#: Writers of big files (a history merge rewrites millions of rows) wait longer.
LONG_TIMEOUT = 120.0
_POLL_SECONDS = 0.02
# Longest name part kept in a lock file's name (the hash keeps it unique).
_MAX_NAME_CHARS = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class LockBusy(StoreError):
    """Another process holds the lock for longer than we may wait; str() is one line."""


def lock_path_for(path: Path) -> Path:
    """The lock file of ``path`` in the data folder's ``locks/`` (folder created)."""
    from hedger.store.paths import data_dir, ensure_private_dir

    full = str(_absolute(path))
    key = hashlib.sha256(full.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = _UNSAFE.sub("-", path.name)[:_MAX_NAME_CHARS] or "file"
    folder = data_dir() / LOCKS_FOLDER
    ensure_private_dir(folder)
    return folder / f"{name}-{key}{LOCK_SUFFIX}"


@contextlib.contextmanager
def locked(
    path: Path, *, what: str, busy: str = "being saved", timeout: float = DEFAULT_TIMEOUT
) -> Iterator[None]:
    """Hold the lock of ``path`` for the block; LockBusy after ``timeout`` seconds.

    ``what`` names the file in the message ("core.json", "the BTC history");
    ``busy`` says what the other process is doing. Not re-entrant: a block
    must not take the same file's lock again.
    """
    lock = _acquire(path, what, busy, timeout)
    try:
        yield
    finally:
        lock.release()


def try_locked(path: Path) -> BaseFileLock | None:
    """The lock of ``path`` if it is free right now, else None (the caller releases it).

    Raises OSError when no lock can be taken at all (an unusable data folder).
    """
    from filelock import Timeout

    lock = _new_lock(lock_path_for(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None
    return lock


def _acquire(path: Path, what: str, busy: str, timeout: float) -> BaseFileLock:
    # Imported here: only writers need it, and `hedger plan` never writes.
    from filelock import Timeout

    timeout = _capped(timeout)
    try:
        lock = _new_lock(lock_path_for(path))
        lock.acquire(timeout=timeout, poll_interval=_POLL_SECONDS)
        return lock
    except Timeout:
        raise LockBusy(f"{what} is {busy} by another Hedger; try again") from None
    except OSError as exc:
        raise StoreError(f"{what}: cannot lock ({describe_os_error(exc)})") from None


def _new_lock(lock_file: Path) -> BaseFileLock:
    from filelock import FileLock

    # thread_local=False: a lock taken on one thread may be released on
    # another (the GUI's task runner hands results back to the GUI thread).
    return FileLock(str(lock_file), mode=0o600, thread_local=False)


def _capped(timeout: float) -> float:
    try:
        cap = float(os.environ.get(TIMEOUT_ENV, "") or "inf")
    except ValueError:
        return timeout
    return max(0.0, min(timeout, cap))


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return Path(os.path.abspath(path))
