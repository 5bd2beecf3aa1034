"""App settings: the window's layout, theme, recent files and price-source choices.

Used by the desktop app (start-up, the main window's save on quit, the
theme and source menus). The file shape and its upgrades live in
``hedger.store.settings``; this is the front ends' way in.
"""

from __future__ import annotations

from pathlib import Path

from hedger.store.settings import AppSettings, ThemeMode, settings_path
from hedger.store.settings import load_settings as _load
from hedger.store.settings import save_settings as _save


def load_settings(path: Path | None = None) -> tuple[AppSettings, str | None]:
    """(settings, problem): a damaged or newer file gives defaults and says why."""
    return _load(path)


def save_settings(settings: AppSettings, path: Path | None = None) -> None:
    """Write the settings atomically; a failure never interrupts the user."""
    _save(settings, path)


__all__ = ["AppSettings", "ThemeMode", "load_settings", "save_settings", "settings_path"]
