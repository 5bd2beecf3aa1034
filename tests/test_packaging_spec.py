"""packaging/hedger.spec collects only what Hedger uses, on every platform.

The spec is executed with stand-ins for PyInstaller's build classes, so these
tests run in a second without PyInstaller or a build: they check what goes
in, what is filtered out, and the per-platform executables.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "hedger.spec"
APP_ID = "io.github.hedger.Hedger"

QT = "PySide6/Qt"
SAMPLE_BINARIES = [
    (f"{QT}/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqwayland.so", "/src/libqwayland.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqoffscreen.so", "/src/libqoffscreen.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqeglfs.so", "/src/libqeglfs.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqvnc.so", "/src/libqvnc.so", "BINARY"),
    (f"{QT}/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
    (f"{QT}/plugins/imageformats/libqsvg.so", "/src/libqsvg.so", "BINARY"),
    (f"{QT}/plugins/imageformats/libqtiff.so", "/src/libqtiff.so", "BINARY"),
    (f"{QT}/plugins/iconengines/libqsvgicon.so", "/src/libqsvgicon.so", "BINARY"),
    (f"{QT}/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", "/s/vk.so", "BINARY"),
    (f"{QT}/plugins/qmltooling/libqmldbg_debugger.so", "/src/dbg.so", "BINARY"),
    (f"{QT}/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
    (f"{QT}/lib/libQt6Quick.so.6", "/src/libQt6Quick.so.6", "BINARY"),
    (f"{QT}/lib/libQt6Pdf.so.6", "/src/libQt6Pdf.so.6", "BINARY"),
    (f"{QT}/lib/libQt6OpenGLWidgets.so.6", "/src/libQt6OpenGLWidgets.so.6", "BINARY"),
    ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY"),
    ("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "BINARY"),
    ("libxcb-cursor.so.0", "/usr/lib/libxcb-cursor.so.0", "BINARY"),
    ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
    ("PySide6/QtCore.abi3.so", "/src/QtCore.abi3.so", "EXTENSION"),
]
SAMPLE_DATAS = [
    (f"{QT}/translations/qtbase_en.qm", "/src/qtbase_en.qm", "DATA"),
    (f"{QT}/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
    (f"{QT}/translations/qt_help_fr.qm", "/src/qt_help_fr.qm", "DATA"),
    ("pyqtgraph/colors/maps/viridis.csv", "/src/viridis.csv", "DATA"),
    ("pyqtgraph/icons/peegee/peegee.png", "/src/peegee.png", "DATA"),
    ("numpy/_core/tests/data/x.npy", "/src/x.npy", "DATA"),
    ("libQt6Core.so.6", f"{QT}/lib/libQt6Core.so.6", "SYMLINK"),
    ("libQt6Quick.so.6", f"{QT}/lib/libQt6Quick.so.6", "SYMLINK"),
]


class Recorder:
    """Stands in for Analysis/PYZ/EXE/COLLECT/BUNDLE and keeps the arguments."""

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]

    def __init__(self, tmp: Path) -> None:
        self.calls = []
        self.tmp = tmp

    def make(self, kind: str) -> Any:
        def build(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((kind, args, kwargs))
            obj = types.SimpleNamespace(args=args, kwargs=kwargs)
            if kind == "Analysis":
                obj.binaries = list(SAMPLE_BINARIES)
                # PyInstaller turns (source, folder) pairs into TOC entries.
                resources = [
                    (f"{folder}/{Path(src).name}", src, "DATA") for src, folder in kwargs["datas"]
                ]
                obj.datas = list(SAMPLE_DATAS) + resources
                obj.pure = []
                obj.scripts = []
            if kind == "COLLECT":
                obj.name = str(self.tmp / "dist" / kwargs["name"])
            return obj

        return build

    def find(self, kind: str) -> list[dict[str, Any]]:
        return [kwargs for k, _a, kwargs in self.calls if k == kind]


def run_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str = "linux"
) -> tuple[dict[str, Any], Recorder]:
    recorder = Recorder(tmp_path)
    # PyInstaller's helpers, as far as the spec uses them.
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package, **_kw: [f"{package}.cli"]  # type: ignore[attr-defined]
    bindepend = types.ModuleType("PyInstaller.depend.bindepend")
    # Every library is linked by something, so the orphan pass keeps all.
    bindepend.get_imports = lambda _src: {  # type: ignore[attr-defined]
        (os.path.basename(dest), None) for dest, _s, _k in SAMPLE_BINARIES
    }
    for name, module in {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.depend": types.ModuleType("PyInstaller.depend"),
        "PyInstaller.depend.bindepend": bindepend,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(sys, "platform", platform)
    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent),
        "__file__": str(SPEC),
        **{kind: recorder.make(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return namespace, recorder


@pytest.fixture
def linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], Recorder]:
    return run_spec(tmp_path, monkeypatch, "linux")


def dests(entries: list[tuple[str, str, str]]) -> set[str]:
    return {dest for dest, _src, _kind in entries}


# ----------------------------------------------------------------- modules


@pytest.mark.parametrize(
    "module",
    [
        "PySide6.QtWebEngineCore",
        "PySide6.QtWebEngineWidgets",
        "PySide6.Qt3DCore",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "PySide6.QtMultimedia",
        "PySide6.QtPdf",
        "PySide6.QtTest",
        "PyQt5",
        "PyQt6",
        "PySide2",
        "tkinter",
        "matplotlib",
        "keyring",
        "cryptography",
        "scipy",
        "sqlite3",
        "pyqtgraph.opengl",
        "pyqtgraph.examples",
        "pyqtgraph.jupyter",
    ],
)
def test_unused_modules_are_excluded(linux: tuple[dict[str, Any], Recorder], module: str) -> None:
    _ns, recorder = linux
    (analysis,) = recorder.find("Analysis")
    assert module in analysis["excludes"]


@pytest.mark.parametrize(
    "module",
    [
        "PySide6.QtCore",
        "PySide6.QtGui",
        "PySide6.QtWidgets",
        "PySide6.QtSvg",
        "PySide6.QtOpenGLWidgets",
    ],
)
def test_modules_hedger_and_pyqtgraph_load_are_kept(
    linux: tuple[dict[str, Any], Recorder], module: str
) -> None:
    # pyqtgraph 0.14 imports QtOpenGLWidgets unconditionally; the app's icons need QtSvg.
    _ns, recorder = linux
    (analysis,) = recorder.find("Analysis")
    assert module not in analysis["excludes"]


def test_spec_never_collects_all_of_pyside6() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert "collect_all" not in text
    assert 'collect_submodules("PySide6"' not in text
    assert "collect_dynamic_libs" not in text


def test_whole_hedger_package_is_collected(linux: tuple[dict[str, Any], Recorder]) -> None:
    # The GUI and extension commands are imported lazily, out of sight of the analysis.
    _ns, recorder = linux
    (analysis,) = recorder.find("Analysis")
    assert "hedger.cli" in analysis["hiddenimports"]


# ----------------------------------------------------------------- resources


def test_resources_land_where_the_frozen_app_looks(linux: tuple[dict[str, Any], Recorder]) -> None:
    # hedger/core/resources.py looks in sys._MEIPASS/hedger/_resources.
    _ns, recorder = linux
    (analysis,) = recorder.find("Analysis")
    resources = {(Path(src).relative_to(ROOT).as_posix(), dest) for src, dest in analysis["datas"]}
    assert ("resources/contracts.json", "hedger/_resources") in resources
    assert ("resources/icons/hedger.svg", "hedger/_resources/icons") in resources
    assert (
        f"resources/icons/hicolor/256x256/apps/{APP_ID}.png",
        "hedger/_resources/icons/hicolor/256x256/apps",
    ) in resources
    assert (f"resources/{APP_ID}.desktop", "hedger/_resources") in resources


# ----------------------------------------------------------------- filters


def test_only_needed_qt_plugins_ship(linux: tuple[dict[str, Any], Recorder]) -> None:
    namespace, _rec = linux
    kept = dests(namespace["a"].binaries)
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
    ):
        assert f"{QT}/plugins/{plugin}" in kept
    assert f"{QT}/plugins/imageformats/libqsvg.so" in kept
    assert f"{QT}/plugins/iconengines/libqsvgicon.so" in kept
    for plugin in (
        "platforms/libqeglfs.so",
        "platforms/libqvnc.so",
        "platformthemes/libqgtk3.so",
        "imageformats/libqtiff.so",
        "platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "qmltooling/libqmldbg_debugger.so",
    ):
        assert f"{QT}/plugins/{plugin}" not in kept


def test_unused_qt_libraries_are_dropped(linux: tuple[dict[str, Any], Recorder]) -> None:
    namespace, _rec = linux
    kept = dests(namespace["a"].binaries)
    assert f"{QT}/lib/libQt6Core.so.6" in kept
    assert f"{QT}/lib/libQt6OpenGLWidgets.so.6" in kept
    assert f"{QT}/lib/libQt6Quick.so.6" not in kept
    assert f"{QT}/lib/libQt6Pdf.so.6" not in kept
    assert "libgtk-3.so.0" not in kept


def test_host_system_libraries_are_left_to_the_host_on_linux(
    linux: tuple[dict[str, Any], Recorder],
) -> None:
    namespace, _rec = linux
    kept = dests(namespace["a"].binaries)
    assert "libX11.so.6" not in kept
    assert "libstdc++.so.6" not in kept
    # Qt's xcb plugin needs it and many desktops lack it: it ships.
    assert "libxcb-cursor.so.0" in kept


def test_only_english_qt_translations_and_no_test_data_ship(
    linux: tuple[dict[str, Any], Recorder],
) -> None:
    namespace, _rec = linux
    kept = dests(namespace["a"].datas)
    assert f"{QT}/translations/qtbase_en.qm" in kept
    assert f"{QT}/translations/qtbase_de.qm" not in kept
    assert f"{QT}/translations/qt_help_fr.qm" not in kept
    assert "numpy/_core/tests/data/x.npy" not in kept
    assert "pyqtgraph/icons/peegee/peegee.png" not in kept
    assert "pyqtgraph/colors/maps/viridis.csv" in kept


def test_links_to_dropped_libraries_are_dropped_too(linux: tuple[dict[str, Any], Recorder]) -> None:
    namespace, _rec = linux
    kept = dests(namespace["a"].datas)
    assert "libQt6Core.so.6" in kept
    assert "libQt6Quick.so.6" not in kept


def test_qtopengl_stand_in_runs_unless_hedger_uses_opengl(
    linux: tuple[dict[str, Any], Recorder],
) -> None:
    namespace, recorder = linux
    (analysis,) = recorder.find("Analysis")
    hooks = [Path(h).name for h in analysis["runtime_hooks"]]
    if namespace["USES_QTOPENGL"]:
        assert "PySide6.QtOpenGL" not in analysis["excludes"]
        assert "pyi_rth_hedger_no_qtopengl.py" not in hooks
    else:
        assert "PySide6.QtOpenGL" in analysis["excludes"]
        assert "pyi_rth_hedger_no_qtopengl.py" in hooks


# ----------------------------------------------------------------- platforms


def test_linux_build_is_one_folder_named_hedger(linux: tuple[dict[str, Any], Recorder]) -> None:
    _ns, recorder = linux
    (exe,) = recorder.find("EXE")
    assert exe["name"] == "hedger"
    assert exe["exclude_binaries"] is True  # one-folder, not one-file
    assert exe["upx"] is False
    (collect,) = recorder.find("COLLECT")
    assert collect["name"] == "hedger"
    assert not recorder.find("BUNDLE")


def test_windows_build_has_a_windowed_app_and_a_console_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ns, recorder = run_spec(tmp_path, monkeypatch, "win32")
    gui, cli = recorder.find("EXE")
    assert gui["name"] == "Hedger"
    assert gui["console"] is False
    assert gui["icon"].endswith("hedger.ico")
    assert cli["name"] == "hedger-cli"
    assert cli["console"] is True
    assert Path(gui["icon"]).is_file()


def test_macos_build_is_an_app_bundle_with_the_app_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace, recorder = run_spec(tmp_path, monkeypatch, "darwin")
    (exe,) = recorder.find("EXE")
    assert exe["console"] is False
    (bundle,) = recorder.find("BUNDLE")
    assert bundle["name"] == "Hedger.app"
    assert bundle["bundle_identifier"] == APP_ID
    assert bundle["icon"].endswith("hedger.icns")
    assert Path(bundle["icon"]).is_file()
    assert bundle["info_plist"]["CFBundleShortVersionString"] == namespace["VERSION"]
    (analysis,) = recorder.find("Analysis")
    assert any(h.endswith("pyi_rth_hedger_macos_certs.py") for h in analysis["runtime_hooks"])


# ----------------------------------------------------------------- runtime hooks


def test_pyqtgraph_loads_with_the_qtopengl_stand_in() -> None:
    """pyqtgraph imports PySide6.QtOpenGL; the stand-in must satisfy that import."""
    hook = ROOT / "packaging" / "rthooks" / "pyi_rth_hedger_no_qtopengl.py"
    code = (
        f"exec(open({str(hook)!r}).read())\n"
        "import pyqtgraph, PySide6.QtOpenGL as gl\n"
        "try:\n"
        "    gl.QOpenGLBuffer\n"
        "except ImportError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert (
        "refused: PySide6.QtOpenGL.QOpenGLBuffer is not part of this Hedger build" in result.stdout
    )


def test_pyside6_hook_registers_qt_conf_once_qtcore_is_imported(tmp_path: Path) -> None:
    """The lazy PySide6 hook sets Qt's plugin path at once and qt.conf after QtCore loads."""
    hook = ROOT / "packaging" / "hooks" / "rthooks" / "pyi_rth_hedger_pyside6.py"
    code = f"""
import os, sys, types
sys._MEIPASS = {str(tmp_path)!r}
calls = []
qt = types.ModuleType("_pyi_rth_utils.qt")
qt.ensure_single_qt_bindings_package = lambda name: calls.append(("single", name))
qt.create_embedded_qt_conf = lambda name, path: calls.append(
    ("qt.conf", name, path, "PySide6.QtCore" in sys.modules)
)
utils = types.ModuleType("_pyi_rth_utils")
utils.qt = qt
utils.is_macos_app_bundle = False
utils.prepend_path_to_environment_variable = lambda path, var: None
sys.modules["_pyi_rth_utils"] = utils
sys.modules["_pyi_rth_utils.qt"] = qt
exec(open({str(hook)!r}).read())
assert os.environ["QT_PLUGIN_PATH"] == os.path.join(sys._MEIPASS, "PySide6", "Qt", "plugins")
assert calls == [("single", "PySide6")], calls
from PySide6 import QtCore
assert QtCore.QObject
print(calls[1:])
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    qt_path = str(tmp_path / "PySide6" / "Qt")
    assert result.stdout.strip() == repr([("qt.conf", "PySide6", qt_path, True)])


def test_frozen_app_starts_one_blas_thread_unless_told_otherwise(
    linux: tuple[dict[str, Any], Recorder],
) -> None:
    _ns, recorder = linux
    (analysis,) = recorder.find("Analysis")
    (hook,) = [h for h in analysis["runtime_hooks"] if h.endswith("blas_threads.py")]
    for preset, expected in ((None, "1"), ("4", "4")):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        if preset:
            env["OPENBLAS_NUM_THREADS"] = preset
        code = f"exec(open({hook!r}).read()); import os; print(os.environ['OPENBLAS_NUM_THREADS'])"
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        assert result.stdout.strip() == expected
