"""Earlier versions of each portfolio, kept in the data folder's ``backups/``.

Every save (the app's, ``hedger prices refresh``'s, a restore's) first copies
the version it is about to replace here, under the save's lock. So a
portfolio has, besides its ``NAME.json.bak``, the last ``KEEP_LAST`` versions
it replaced and the newest of each day for ``KEEP_DAYS`` days::

    backups/core-stack-1a2b3c4d5e6f/20261101T120000.123456Z-9f86d081884c7d65.json

The folder is named after the file and a hash of its full path (two
``core.json`` in different folders keep apart); each version after the time
it was replaced (UTC) and the start of its content's SHA-256, so an
unchanged file is not kept twice. Versions are plain portfolio files: a
damaged one is listed as damaged and cannot be restored, nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hedger.store import paths
from hedger.store.atomic import atomic_write_bytes

KEEP_LAST = 10
KEEP_DAYS = 7
SUFFIX = ".json"
_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6})Z-([0-9a-f]{16})(?:-\d+)?\.json$")
_STAMP = "%Y%m%dT%H%M%S.%f"
# Nothing bigger is a portfolio (hedger.store.portfolio_file.MAX_PORTFOLIO_BYTES).
_MAX_FOLDER_NAME = 40


@dataclass(frozen=True)
class StoredVersion:
    """One earlier version of a portfolio file."""

    file: Path
    replaced_at: datetime  # UTC: when a save replaced it
    digest: str  # first 16 hex digits of the content's SHA-256

    @property
    def stamp(self) -> str:
        """The time as ``hedger restore --version`` accepts it: ``20261101T120000Z``."""
        return self.replaced_at.strftime("%Y%m%dT%H%M%SZ")


def content_digest(data: bytes) -> str:
    """The full SHA-256 of a file's bytes (change detection compares these)."""
    return hashlib.sha256(data).hexdigest()


def folder_for(portfolio: Path) -> Path:
    """Where the versions of ``portfolio`` are kept (not created)."""
    resolved = _resolved(portfolio)
    key = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.stem).strip("-")[:_MAX_FOLDER_NAME]
    return paths.data_dir() / "backups" / f"{stem or 'portfolio'}-{key}"


def keep_version(portfolio: Path, data: bytes, now: datetime | None = None) -> Path | None:
    """Keep ``data`` (the version a save is replacing) and prune; the new file, or None.

    Not kept when it is the newest version already. Raises OSError.
    """
    now = now or datetime.now(UTC)
    digest = content_digest(data)[:16]
    paths.backups_dir()  # the private parent, created 0700
    folder = folder_for(portfolio)
    paths.ensure_private_dir(folder)
    existing = list_versions(portfolio)
    if existing and existing[0].digest == digest:
        return None
    target = folder / f"{now.strftime(_STAMP)}Z-{digest}{SUFFIX}"
    n = 2
    while target.exists():
        target = folder / f"{now.strftime(_STAMP)}Z-{digest}-{n}{SUFFIX}"
        n += 1
    # Not fsynced: a copy lost to a power cut costs one old version, while an
    # fsync would cost every save of a big book tens of milliseconds.
    atomic_write_bytes(target, data, durable=False)
    prune(portfolio, now)
    return target


def list_versions(portfolio: Path) -> list[StoredVersion]:
    """The kept versions of ``portfolio``, newest first (none if there is no folder)."""
    folder = folder_for(portfolio)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out: list[StoredVersion] = []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        try:
            when = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        out.append(StoredVersion(folder / name, when, match.group(2)))
    return sorted(out, key=lambda v: (v.replaced_at, v.file.name), reverse=True)


def prune(portfolio: Path, now: datetime | None = None) -> int:
    """Delete versions beyond the last KEEP_LAST and the newest per day for KEEP_DAYS."""
    now = now or datetime.now(UTC)
    versions = list_versions(portfolio)
    keep = {v.file for v in versions[:KEEP_LAST]}
    days_seen: set[object] = set()
    cutoff = now - timedelta(days=KEEP_DAYS)
    for v in versions:  # newest first: the first of each day is its newest
        if v.replaced_at < cutoff:
            break
        day = v.replaced_at.astimezone().date()
        if day not in days_seen:
            days_seen.add(day)
            keep.add(v.file)
    removed = 0
    for v in versions:
        if v.file not in keep:
            with contextlib.suppress(OSError):
                v.file.unlink()
                removed += 1
    return removed


def move_versions(old: Path, new: Path) -> None:
    """A renamed portfolio keeps its versions (nothing happens if the new folder exists)."""
    source, dest = folder_for(old), folder_for(new)
    if source == dest or not source.is_dir() or dest.exists():
        return
    with contextlib.suppress(OSError):
        os.replace(source, dest)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return Path(os.path.abspath(path))
