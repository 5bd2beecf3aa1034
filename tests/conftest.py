"""Test configuration: Qt runs offscreen and data stays in a temp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")


@pytest.fixture(autouse=True)
def data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test gets its own HEDGER_DATA_DIR so nothing touches the user's files."""
    d = tmp_path_factory.mktemp("hedger-data")
    monkeypatch.setenv("HEDGER_DATA_DIR", str(d))
    yield d


@pytest.fixture
def app_theme(qapp: object) -> Iterator[object]:
    """``app_theme("light")``: the app's own style and palette for this test, the
    previous ones back afterwards (screenshots and widths in the real theme)."""
    from PySide6.QtWidgets import QApplication

    from hedger.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    old_palette, old_style = app.palette(), app.style().name()
    yield lambda mode: apply_theme(app, mode)
    app.setStyle(old_style)
    app.setPalette(old_palette)
