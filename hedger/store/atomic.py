"""Crash-safe file replacement.

A save writes a temporary file beside the target, flushes it to the disk,
then renames it over the target. A crash or power cut at any moment leaves
either the old file or the new one, never a half-written mix. Temporary files
are hidden (``.name.<random>.tmp``) so a crash that strands one does not put a
bogus entry in any listing, and ``remove_stale_temp_files`` sweeps them later
(each writer sweeps its folder once per process, before its first write).

New files are private on POSIX (0600): portfolios and histories say what
someone owns. A replaced file keeps the permissions its owner gave it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from pathlib import Path

BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"
#: Permissions of a new file (before the umask, which can only narrow them).
NEW_FILE_MODE = 0o600
#: A temporary file older than this was stranded by a crash: no save takes a minute.
STALE_TEMP_SECONDS = 60.0

_WINDOWS = os.name == "nt"
# Keeps ".<name>.<random>.tmp" under the usual 255-byte file name limit.
_MAX_TEMP_STEM_BYTES = 160
_TEMP_TOKEN_BYTES = 8
# Exactly the names _temp_name makes: ".<name>.<16 lowercase hex>.tmp". A
# folder can be a user's own (a portfolio saved in ~/Documents): another
# program's ".notes.tmp" there is not ours to delete.
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{16}\.tmp", re.DOTALL)


def backup_path(path: Path) -> Path:
    """Where the previous version of ``path`` is kept: ``<name>.bak`` beside it."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def is_temp_file(path: Path) -> bool:
    """True for the hidden temporary files this module creates (and no other)."""
    return _TEMP_NAME.fullmatch(path.name) is not None


def atomic_write_text(
    path: Path, text: str, *, backup: bool = False, encoding: str = "utf-8", durable: bool = True
) -> None:
    """Replace ``path`` with ``text`` atomically; see ``atomic_write_bytes``."""
    atomic_write_bytes(path, text.encode(encoding), backup=backup, durable=durable)


def atomic_write_bytes(
    path: Path, data: bytes, *, backup: bool = False, durable: bool = True
) -> None:
    """Replace ``path`` with ``data`` so that readers only ever see old or new.

    With ``backup`` the version being replaced is kept as ``backup_path(path)``.
    On any error (raised as OSError) the target is untouched and no temporary
    file is left behind. A symlink is followed: its target is replaced.
    ``durable=False`` skips the fsyncs (copies that can be lost to a power cut).
    """
    target = _follow_symlink(path)
    folder = target.parent
    sweep_once(folder)
    fd, tmp = _create_temp(folder, target.name)
    try:
        with open(fd, "wb", closefd=True) as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        _copy_mode(target, tmp)
        if backup:
            _keep_backup(target)
        _replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise
    if durable:
        _fsync_dir(folder)


def remove_stale_temp_files(folder: Path, *, min_age_seconds: float = STALE_TEMP_SECONDS) -> int:
    """Delete temporary files stranded by a crash; returns how many went.

    Only Hedger's own temporary names (``is_temp_file``), owned by this user
    and older than ``min_age_seconds``, are touched: a save running in
    another process at this moment is not disturbed, and other programs'
    hidden files and other users' files in a shared folder are left alone.
    """
    cutoff = time.time() - min_age_seconds
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if _TEMP_NAME.fullmatch(entry.name) is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff:
                continue
            if uid is not None and st.st_uid != uid:
                continue
            os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


_swept: set[str] = set()


def sweep_once(folder: Path) -> None:
    """``remove_stale_temp_files(folder)`` the first time this process writes there."""
    key = os.path.abspath(folder)
    if key in _swept:
        return
    _swept.add(key)
    remove_stale_temp_files(folder)


def _follow_symlink(path: Path) -> Path:
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def _temp_name(folder: Path, name: str) -> Path:
    stem = name.encode("utf-8", "surrogateescape")[:_MAX_TEMP_STEM_BYTES]
    short = stem.decode("utf-8", "ignore")
    return folder / f".{short}.{secrets.token_hex(_TEMP_TOKEN_BYTES)}{TEMP_SUFFIX}"


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = _temp_name(folder, name)
        try:
            # Private whatever the umask: a umask of 000 must not make a
            # portfolio world-writable. A replaced file's own mode is copied after.
            fd = os.open(tmp, flags, NEW_FILE_MODE)
            return fd, tmp
        except FileExistsError:
            continue


def _copy_mode(target: Path, tmp: Path) -> None:
    # The replacement keeps the permissions the user gave the old file; a
    # new file is private (os.open's mode is narrowed by the umask, never widened).
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _keep_backup(target: Path) -> None:
    if not target.is_file():
        return
    bak = backup_path(target)
    tmp = _temp_name(target.parent, bak.name)
    try:
        try:
            # A hard link keeps the old bytes without copying them; after the
            # replace of the target the backup is the only name left on them.
            os.link(target, tmp)
        except OSError:
            _copy_file(target, tmp)
        os.replace(tmp, bak)
    except BaseException:
        _discard(tmp)
        raise


def _copy_file(source: Path, dest: Path) -> None:
    with open(source, "rb") as src, open(dest, "xb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def _replace(tmp: Path, target: Path) -> None:
    attempts = 5 if _WINDOWS else 1
    for attempt in range(attempts):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            # Windows refuses while a virus scanner or indexer holds the
            # target open; that passes within moments.
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable. Windows cannot open folders this way
    # and some file systems refuse; the data is already safe on disk then.
    if _WINDOWS:
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
