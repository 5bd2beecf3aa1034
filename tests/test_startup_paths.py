"""What the app leaves until after its window first paints, and what it skips."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hedger.cli.errors import CliError


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HEDGER_DATA_DIR=str(tmp_path / "data"))
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    env.update(extra)
    return env


# Runs `hedger --smoke-test` and, at the window's first paint, prints which of
# the named modules are loaded, then exits.
AT_FIRST_PAINT = textwrap.dedent(
    """
    import importlib.abc, importlib.machinery, os, sys
    WATCHED = sys.argv[1].split(",")

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name != "hedger.ui.app":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            real = spec.loader

            class Loader(importlib.abc.Loader):
                def create_module(self, spec):
                    return None

                def exec_module(self, module):
                    real.exec_module(module)

                    def painted(first_paint):
                        import gc
                        loaded = [m for m in WATCHED if m in sys.modules]
                        print("loaded=" + ",".join(loaded), "gc=" + str(gc.isenabled()))
                        sys.stdout.flush()
                        os._exit(0)

                    module._FirstPaint._first_painted = painted

            spec.loader = Loader()
            return spec

    sys.meta_path.insert(0, Hook())
    sys.argv = ["hedger", "--smoke-test"]
    from hedger.__main__ import main
    main()
    """
)


def test_the_window_paints_before_the_network_and_dialog_code_loads(tmp_path: Path) -> None:
    watched = [
        "hedger.live.venues",  # the venue registry: the Source menu loads it when opened
        "hedger.live.http",
        "importlib.metadata",  # pydantic's plugin scan, skipped: Hedger disables plugins
        "hedger.ui.document.conflict_dialogs",
        "pyqtgraph",  # the charts come right after the first paint
        "numpy",
        "hedger.ui.analytics.backtest",  # analytics tabs are built when opened
    ]
    out = subprocess.run(
        [sys.executable, "-c", AT_FIRST_PAINT, ",".join(watched)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    # Collection is still off at this point: the app turns it on right after.
    assert out.stdout.split() == ["loaded=", "gc=False"]


def test_collection_is_on_again_once_the_window_has_painted(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hedger.ui.app as app_mod
    from hedger.ui.main_window import MainWindow

    # Notes after the first paint (a recovered file left by another test) are modal.
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    before = {id(w) for w in qapp.topLevelWidgets()}
    seen: dict[str, bool] = {}
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)

    def check() -> None:
        window = next(
            (
                w
                for w in qapp.topLevelWidgets()
                if isinstance(w, MainWindow) and id(w) not in before and w.isVisible()
            ),
            None,
        )
        # The charts load right after the first paint: until then, look again.
        if window is None or window.chart_host.chart is None:
            QTimer.singleShot(50, check)
            return
        seen["enabled"] = gc.isenabled()
        window.files.ask_unsaved = lambda _name: "discard"
        window.close()
        qapp.quit()

    gc.disable()  # as hedger.cli.gui.launch_gui leaves it for the start-up
    QTimer.singleShot(0, check)
    try:
        assert app_mod.run_gui() == 0
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_close)
        gc.enable()
    assert seen == {"enabled": True}


def test_a_failed_start_leaves_collection_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import hedger.ui.app as app_mod
    from hedger.cli.gui import launch_gui

    def broken(*_args: object) -> int:
        raise ImportError("libEGL.so.1: cannot open shared object file")

    monkeypatch.setattr(app_mod, "run_gui", broken)
    with pytest.raises(CliError, match="desktop app is not available"):
        launch_gui(None, smoke_test=True)
    assert gc.isenabled()


PLUGIN_CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hedger.__main__ import skip_plugin_loader
    skip_plugin_loader()
    from hedger.store.portfolio_file import load_portfolio
    book = load_portfolio(Path(sys.argv[1]))
    print(len(book.holdings), "importlib.metadata" in sys.modules)
    loader = sys.modules["pydantic.plugin._loader"]
    # Anything else asked of the stand-in comes from the real loader.
    print(loader.PYDANTIC_ENTRY_POINT_GROUP, "importlib.metadata" in sys.modules)
    """
)


def _check_plugins(tmp_path: Path, setting: str) -> list[str]:
    """PLUGIN_CHECK's two lines, with PYDANTIC_DISABLE_PLUGINS set to ``setting``."""
    from hedger.core.resources import resource_path

    sample = resource_path("samples", "core-stack.json")
    out = subprocess.run(
        [sys.executable, "-c", PLUGIN_CHECK, str(sample)],
        capture_output=True,
        text=True,
        env=_env(tmp_path, PYDANTIC_DISABLE_PLUGINS=setting),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_no_plugin_scan_when_plugins_are_disabled(tmp_path: Path) -> None:
    first, second = _check_plugins(tmp_path, "__all__")
    assert first.split()[1] == "False" and int(first.split()[0]) > 0
    assert second == "pydantic True"


def test_a_users_own_plugin_setting_keeps_the_real_loader(tmp_path: Path) -> None:
    # The real loader ran its entry-point scan (the user may want other plugins).
    assert _check_plugins(tmp_path, "some_plugin")[0].split()[1] == "True"


def test_the_app_icon_draws_at_every_size(qapp: QApplication) -> None:
    from hedger.ui.app import app_icon

    icon = app_icon()
    for side in (16, 24, 48, 256):
        pixmap = icon.pixmap(QSize(side, side))
        assert not pixmap.isNull() and pixmap.width() == side
