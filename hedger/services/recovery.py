"""Crash recovery: unsaved work kept in the data folder while a window edits it.

Used by the desktop app: its autosave writes a recovery file a moment
after each change, a clean save or close deletes it, and at start-up the
files left by a process that is no longer running are offered back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hedger.core.models import Portfolio
from hedger.store.atomic import atomic_write_text
from hedger.store.paths import data_dir, ensure_private_dir
from hedger.store.portfolio_file import portfolio_to_dict

RECOVERY_SCHEMA_VERSION = 1


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


def find_recoverable() -> list[RecoveredWork]:
    """Recovery files of sessions that ended without closing cleanly."""
    out: list[RecoveredWork] = []
    for f in sorted(recovery_dir().glob("session-*.json")):
        try:
            pid = int(f.stem.split("-", 1)[1])
        except ValueError:
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue  # ours, or another running Hedger window owns it
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
            portfolio = Portfolio.model_validate(doc["portfolio"])
            original = Path(doc["original_path"]) if doc.get("original_path") else None
            saved_at = datetime.fromisoformat(doc["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a half-written recovery file is worth nothing
        out.append(RecoveredWork(f, portfolio, original, saved_at))
    return out


def discard(work: RecoveredWork) -> None:
    work.file.unlink(missing_ok=True)


__all__ = [
    "RecoveredWork",
    "discard",
    "find_recoverable",
    "recovery_dir",
    "session_file",
    "write_recovery",
]
