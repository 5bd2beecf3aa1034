"""Where Hedger keeps its files.

Everything lives under one data folder: the platform's user data folder
(``platformdirs.user_data_dir("Hedger")``) unless ``HEDGER_DATA_DIR`` names
another, which tests and portable installs use. Folders are created on first
use, private to the user on POSIX (0700); each function raises OSError if
that is impossible.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "HEDGER_DATA_DIR"
APP_NAME = "Hedger"

USER_CATALOG_FILE = "contracts.json"


def data_dir() -> Path:
    """The data folder, created if missing."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        folder = Path(override).expanduser()
    else:
        # Imported here: platformdirs is only needed when no override is set.
        from platformdirs import user_data_dir

        folder = Path(user_data_dir(APP_NAME, appauthor=False))
    return _ensure(folder)


def portfolios_dir() -> Path:
    """The portfolio library: one ``<slug>.json`` file per portfolio."""
    return _ensure(data_dir() / "portfolios")


def trash_dir() -> Path:
    """Deleted portfolios, kept so they can be restored."""
    return _ensure(data_dir() / "trash")


def state_dir() -> Path:
    """Window layout, recovery snapshots and other app state."""
    return _ensure(data_dir() / "state")


def user_catalog_path() -> Path:
    """The user's own contracts and families (the file may not exist yet)."""
    return data_dir() / USER_CATALOG_FILE


def backups_dir() -> Path:
    """Earlier versions of every portfolio saved (``hedger restore``)."""
    return _ensure(data_dir() / "backups")


#: Subfolders whose writers may strand temporary files (swept at start-up).
WRITER_FOLDERS = ("", "portfolios", "history", "recovery", "state", "trash")


def sweep_temp_files() -> int:
    """Remove temporary files stranded by killed saves in every writer's folder.

    Only our own, older than a minute (``atomic.remove_stale_temp_files``);
    the app calls it at start-up. Returns how many went.
    """
    from hedger.store.atomic import remove_stale_temp_files

    root = data_dir()
    folders = [root / name for name in WRITER_FOLDERS]
    backups = root / "backups"
    if backups.is_dir():
        folders += [f for f in backups.iterdir() if f.is_dir() and not f.is_symlink()]
    return sum(remove_stale_temp_files(folder) for folder in folders)


def _ensure(folder: Path) -> Path:
    # 0700: portfolios say what someone owns; other users have no business there.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder
