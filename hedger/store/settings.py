"""Application settings: a versioned pydantic model stored as JSON in the data dir.

Window geometry and layout are opaque Qt byte blobs, kept base64-encoded.
Older files are migrated step by step; a newer or broken file falls back to
defaults without being overwritten until the user changes something.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hedger.store.migrations import SETTINGS, SETTINGS_SCHEMA_VERSION, NewerVersionError

SETTINGS_VERSION = SETTINGS_SCHEMA_VERSION
MAX_RECENT = 10

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
        if path.stat().st_size > 1_000_000:
            raise ValueError("settings file is too large")
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("settings file is not an object")
        return AppSettings.model_validate(migrate(doc)), None
    except (OSError, ValueError, ValidationError) as exc:
        msg = str(exc).splitlines()[0]
        return AppSettings(), f"Settings ignored ({path.name}): {msg}"


def save_settings(settings: AppSettings, path: Path | None = None) -> None:
    from hedger.store.atomic import atomic_write_text

    path = path or settings_path()
    text = json.dumps(settings.model_dump(), indent=1)
    try:
        atomic_write_text(path, text, backup=False)
    except OSError:
        # Losing window geometry is not worth an error dialog on quit.
        if os.environ.get("HEDGER_DEBUG"):
            raise
