"""Application settings: a versioned pydantic model stored as JSON in the data dir.

Window geometry and layout are opaque Qt byte blobs, kept base64-encoded.
Older files are migrated step by step; a newer or broken file falls back to
defaults without being overwritten until the user changes something. A save
takes the file's lock and keeps recent files another window added meanwhile.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from hedger.store.migrations import SETTINGS, SETTINGS_SCHEMA_VERSION, NewerVersionError

SETTINGS_VERSION = SETTINGS_SCHEMA_VERSION
MAX_RECENT = 10
MAX_SETTINGS_BYTES = 1_000_000
MAX_DEPTH = 10

ThemeMode = Literal["system", "light", "dark"]


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: int = SETTINGS_VERSION
    theme: ThemeMode = "system"
    last_portfolio: str | None = None
    recent_files: list[str] = Field(default_factory=list)
    window_geometry: str | None = None  # base64 QByteArray
    window_state: str | None = None
    splitters: dict[str, str] = Field(default_factory=dict)
    show_library: bool = True
    first_run_done: bool = False
    live_refresh_minutes: int = 0  # 0: prices refresh only on request
    live_include_futures: bool = True
    live_source: str = "default"  # "binance", "coinbase", "okx" or "ccxt:<exchange>"
    # The hedge panel's carry: horizon in days, and business days before expiry
    # a dated hedge rolls (None: each calendar's own default). New fields with
    # defaults: older files read as they are, no schema step needed.
    carry_horizon_days: int = 90
    carry_roll_days: int | None = None
    # The contract family last chosen per underlying: new portfolios start with it.
    last_families: dict[str, str] = Field(default_factory=dict)

    # The recent files as read at start-up: one missing now was removed here
    # on purpose, one new on disk was added by another window.
    _loaded_recent: tuple[str, ...] = PrivateAttr(default=())
    # Every field as read (None: not read from a file): a field this window
    # left alone takes what another window saved meanwhile.
    _loaded: dict[str, Any] | None = PrivateAttr(default=None)

    def add_recent(self, path: Path) -> None:
        p = str(path)
        self.recent_files = [p, *[r for r in self.recent_files if r != p]][:MAX_RECENT]


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` brought to the current settings version (hedger.store.migrations)."""
    version = doc.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("settings schema_version is not a number")
    try:
        return SETTINGS.upgrade(dict(doc), version)
    except NewerVersionError:
        raise ValueError(f"settings written by a newer Hedger (schema {version})") from None


def settings_path() -> Path:
    from hedger.store.paths import data_dir

    return data_dir() / "settings.json"


def load_settings(path: Path | None = None) -> tuple[AppSettings, str | None]:
    """(settings, problem). A problem means defaults are in use."""
    path = path or settings_path()
    if not path.exists():
        return AppSettings(), None
    try:
        settings = AppSettings.model_validate(migrate(_read_doc(path)))
        settings._loaded_recent = tuple(settings.recent_files)
        settings._loaded = settings.model_dump()
        return settings, None
    except (OSError, ValueError, ValidationError, RecursionError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return AppSettings(), f"Settings ignored ({path.name}): {msg}"


def _read_doc(path: Path) -> dict[str, Any]:
    from hedger.store.jsonfile import check_depth, read_limited

    text = read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8")
    check_depth(text, MAX_DEPTH)
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise ValueError("settings file is not an object")
    return doc


def save_settings(settings: AppSettings, path: Path | None = None) -> None:
    """Write ``settings``, keeping what another window saved meanwhile.

    Read again and written under the file's lock: a field this window did not
    change since it read the file takes the value on disk (another window's
    theme, family or carry horizon survive), and recent files are merged.
    """
    from hedger.store.atomic import atomic_write_text
    from hedger.store.errors import StoreError
    from hedger.store.locks import locked

    path = path or settings_path()
    try:
        with locked(path, what=path.name):
            merged = _with_their_recent(settings, path)
            text = json.dumps(merged.model_dump(), indent=1)
            atomic_write_text(path, text, backup=False)
    except (OSError, StoreError):
        # Losing window geometry is not worth an error dialog on quit.
        if os.environ.get("HEDGER_DEBUG"):
            raise


def _with_their_recent(settings: AppSettings, path: Path) -> AppSettings:
    """``settings`` merged with the file on disk: fields this window left alone
    take the disk's value; recent files on disk that it lacks are appended."""
    if not path.exists():
        return settings
    theirs, problem = load_settings(path)
    if problem is not None:
        return settings
    update: dict[str, Any] = {}
    loaded = settings._loaded
    if loaded is not None:
        ours_now, on_disk = settings.model_dump(), theirs.model_dump()
        for name, value in ours_now.items():
            if name != "recent_files" and value == loaded.get(name) and on_disk[name] != value:
                update[name] = on_disk[name]
    ours = list(settings.recent_files)
    known = set(ours) | set(settings._loaded_recent)
    extra = [r for r in theirs.recent_files if r not in known]
    if extra:
        update["recent_files"] = (ours + extra)[:MAX_RECENT]
    return settings.model_copy(update=update) if update else settings
