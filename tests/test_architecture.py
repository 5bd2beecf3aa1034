"""Layering rules: core, store and services never pull in Qt; the CLI plan path stays light."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import hedger

GUI_MODULES = ("PySide6", "pyqtgraph", "shiboken6")
PACKAGE_DIR = Path(hedger.__file__).resolve().parent


def modules_under(package: str) -> list[str]:
    folder = PACKAGE_DIR.joinpath(*package.split(".")[1:])
    names = [package]
    for info in pkgutil.walk_packages([str(folder)], prefix=f"{package}."):
        names.append(info.name)
    return sorted(names)


def run_python(code: str, data_dir: Path) -> dict[str, list[str]]:
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


REPORT = (
    "import json, sys\n"
    "heavy = {GUI!r}\n"
    "loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))\n"
    "numpy = ['numpy'] if 'numpy' in sys.modules else []\n"
    "print(json.dumps({{'loaded': loaded, 'numpy': numpy}}))\n"
)


def test_core_store_and_services_never_import_qt(data_dir: Path) -> None:
    names = (
        modules_under("hedger.core")
        + modules_under("hedger.store")
        + modules_under("hedger.services")
    )
    assert "hedger.core.planner" in names
    assert "hedger.store.portfolio_file" in names
    assert "hedger.services.analytics" in names
    code = (
        "import importlib\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n" + REPORT.format(GUI=(*GUI_MODULES, "PyQt5", "PyQt6"))
    )
    result = run_python(code, data_dir)
    assert result["loaded"] == [], f"Qt imported by core/store/services: {result['loaded']}"


def test_cli_plan_imports_neither_qt_nor_numpy(data_dir: Path) -> None:
    sample = PACKAGE_DIR.parent / "resources" / "samples" / "core-stack.json"
    code = (
        "import contextlib, io\n"
        "from hedger.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['plan', {str(sample)!r}, '--json'])\n"
        "assert code == 0, code\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['contracts']) == 0\n" + REPORT.format(GUI=GUI_MODULES)
    )
    result = run_python(code, data_dir)
    assert result["loaded"] == []
    # numpy is for charts and simulations; a plan needs none of it.
    assert result["numpy"] == []


def test_cli_module_itself_is_light(data_dir: Path) -> None:
    code = "import hedger.cli\n" + REPORT.format(GUI=(*GUI_MODULES, "pydantic"))
    result = run_python(code, data_dir)
    # Importing the CLI (e.g. for --version) loads no models, no Qt.
    assert result["loaded"] == []
    assert result["numpy"] == []
