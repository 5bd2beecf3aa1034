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
    return ensure_private_dir(folder)


def portfolios_dir() -> Path:
    """The portfolio library: one ``<slug>.json`` file per portfolio."""
    return ensure_private_dir(data_dir() / "portfolios")


def trash_dir() -> Path:
    """Deleted portfolios, kept so they can be restored."""
    return ensure_private_dir(data_dir() / "trash")


def state_dir() -> Path:
    """Window layout, recovery snapshots and other app state."""
    return ensure_private_dir(data_dir() / "state")


def user_catalog_path() -> Path:
    """The user's own contracts and families (the file may not exist yet)."""
    return data_dir() / USER_CATALOG_FILE


def backups_dir() -> Path:
    """Earlier versions of every portfolio saved (``hedger restore``)."""
    return ensure_private_dir(data_dir() / "backups")


#: Subfolders whose writers may strand temporary files (swept at start-up).
WRITER_FOLDERS = ("", "portfolios", "history", "recovery", "state", "trash", "funding")


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


def ensure_private_dir(folder: Path) -> Path:
    """``folder``, created if missing, with every folder created on the way private.

    0700 whatever the umask: portfolios say what someone owns, and a recovery
    file planted by another user would be offered back at start-up.
    ``mkdir(parents=True)`` would give the missing parents the umask's mode
    (0777 under umask 000), so each level is made here. An existing folder
    keeps its mode (it may be the user's own, named by HEDGER_DATA_DIR).
    Raises OSError (FileExistsError when a file is in the way).
    """
    missing: list[Path] = []
    level = folder
    while not level.is_dir() and level.parent != level:
        missing.append(level)
        level = level.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
    return folder
