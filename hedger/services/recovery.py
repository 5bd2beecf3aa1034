"""Crash recovery: unsaved work kept in the data folder while a window edits it.

Used by the desktop app: its autosave writes a recovery file a moment
after each change, a clean save or close deletes it, and at start-up the
files left by a process that is no longer running are offered back.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hedger.core.models import Portfolio
from hedger.store.atomic import atomic_write_text
from hedger.store.errors import describe_os_error, one_line, shown_name
from hedger.store.jsonfile import JsonProblem, decode_text, parse_json, read_limited
from hedger.store.paths import data_dir, ensure_private_dir
from hedger.store.portfolio_file import (
    MAX_PORTFOLIO_BYTES,
    PortfolioFileError,
    portfolio_from_dict,
    portfolio_to_dict,
)

RECOVERY_SCHEMA_VERSION = 1
#: A portfolio nests a few levels; a recovery file deeper than this is not one.
MAX_DEPTH = 64
#: A damaged recovery file is renamed so; start-up looks only for ``session-*.json``.
DAMAGED_SUFFIX = ".damaged"


def recovery_dir() -> Path:
    # Private (0700) whatever the umask: start-up offers back what is in here.
    return ensure_private_dir(data_dir() / "recovery")


def session_file(pid: int | None = None) -> Path:
    """This process's recovery file (not created until written)."""
    return recovery_dir() / f"session-{os.getpid() if pid is None else pid}.json"


@dataclass(frozen=True)
class RecoveredWork:
    file: Path
    portfolio: Portfolio
    original_path: Path | None
    saved_at: datetime


def write_recovery(file: Path, portfolio: Portfolio, original_path: Path | None) -> None:
    """Keep ``portfolio`` (unsaved edits of ``original_path``) in ``file``; raises OSError."""
    payload = {
        "schema_version": RECOVERY_SCHEMA_VERSION,
        "original_path": str(original_path) if original_path else None,
        "saved_at": datetime.now(UTC).isoformat(),
        "portfolio": portfolio_to_dict(portfolio),
    }
    atomic_write_text(file, json.dumps(payload), backup=False)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@dataclass(frozen=True)
class DamagedRecovery:
    """A recovery file that could not be read: set aside, named to the user."""

    file: Path
    reason: str

    def message(self) -> str:
        return one_line(
            f"The recovery file {shown_name(self.file.name)} could not be read "
            f"({self.reason}); it was set aside as {shown_name(self.file.name)}{DAMAGED_SUFFIX}."
        )


@dataclass(frozen=True)
class RecoveryScan:
    work: list[RecoveredWork]
    damaged: list[DamagedRecovery]


def find_recoverable() -> list[RecoveredWork]:
    """Recovery files of sessions that ended without closing cleanly."""
    return scan_recovery().work


def scan_recovery() -> RecoveryScan:
    """The work left by sessions that ended without closing cleanly, and the damaged files.

    Runs at start-up on the GUI thread, so every read is bounded: regular
    files only, at most a portfolio's size, nesting limited. A damaged file
    (half-written, a FIFO, huge, nested 100,000 deep) is renamed aside so it
    is reported once, never a hang or a traceback.
    """
    work: list[RecoveredWork] = []
    damaged: list[DamagedRecovery] = []
    for f in sorted(recovery_dir().glob("session-*.json")):
        try:
            pid = int(f.stem.split("-", 1)[1])
        except ValueError:
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue  # ours, or another running Hedger window owns it
        try:
            work.append(_read_recovery(f))
        except _Damaged as exc:
            damaged.append(DamagedRecovery(f, str(exc)))
            with contextlib.suppress(OSError):
                f.replace(f.with_name(f.name + DAMAGED_SUFFIX))
    return RecoveryScan(work, damaged)


class _Damaged(ValueError):
    pass


def _read_recovery(f: Path) -> RecoveredWork:
    try:
        doc = parse_json(decode_text(read_limited(f, MAX_PORTFOLIO_BYTES)), max_depth=MAX_DEPTH)
    except OSError as exc:
        raise _Damaged(describe_os_error(exc)) from None
    except JsonProblem as exc:
        raise _Damaged(str(exc)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("portfolio"), dict):
        raise _Damaged("not a Hedger recovery file")
    try:
        portfolio = portfolio_from_dict(doc["portfolio"], f.name)
        original = doc.get("original_path")
        if original is not None and not isinstance(original, str):
            raise _Damaged("its original file is not a path")
        saved_at = datetime.fromisoformat(str(doc["saved_at"]))
        if saved_at.tzinfo is None:
            saved_at = saved_at.replace(tzinfo=UTC)
    except PortfolioFileError as exc:
        raise _Damaged(str(exc).removeprefix(f"{f.name}: ")) from None
    except (KeyError, ValueError, OverflowError):
        raise _Damaged("its time of saving is missing or unreadable") from None
    return RecoveredWork(f, portfolio, Path(original) if original else None, saved_at)


def discard(work: RecoveredWork) -> None:
    work.file.unlink(missing_ok=True)


__all__ = [
    "DamagedRecovery",
    "RecoveredWork",
    "RecoveryScan",
    "discard",
    "find_recoverable",
    "recovery_dir",
    "scan_recovery",
    "session_file",
    "write_recovery",
]
