"""Layering rules: core, store and services never pull in Qt; the CLI plan path stays light."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

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


# --------------------------------------------------------------------------- layers

ROOT = PACKAGE_DIR.parent


def test_import_contracts_hold() -> None:
    """`lint-imports` with the contracts in pyproject.toml: cli | ui -> services ->
    live | store -> core, front ends never reach store or live, Qt only in ui."""
    pytest.importorskip("importlinter")
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(lint) if lint.exists() else "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def test_every_folder_under_hedger_is_a_package() -> None:
    """A folder without ``__init__.py`` is invisible to grimp: lint-imports and the
    loop test below would silently skip every module in it (ui/positions once was)."""
    missing = [
        folder.relative_to(ROOT).as_posix()
        for folder in sorted({p.parent for p in PACKAGE_DIR.rglob("*.py")})
        if not (folder / "__init__.py").is_file()
    ]
    assert missing == [], f"add an __init__.py to: {missing}"


def test_the_import_graph_sees_every_module() -> None:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("hedger", cache_dir=None)  # a stale cache hid modules
    on_disk = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE_DIR.rglob("*.py")
    }
    assert sorted(on_disk - set(graph.modules)) == []


def _folder(module: str, packages: set[str]) -> str:
    return module if module in packages else module.rpartition(".")[0]


def test_no_import_loop_crosses_folders() -> None:
    """An import loop between modules of different folders hides a layering mistake."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("hedger", cache_dir=None)  # a stale cache hid modules
    packages = {m for m in graph.modules if graph.find_children(m)}
    crossing = []
    for a in sorted(graph.modules):
        for b in graph.find_modules_directly_imported_by(a):
            if not b.startswith("hedger") or _folder(a, packages) == _folder(b, packages):
                continue
            # a imports b across folders: b must not lead back to a.
            if graph.chain_exists(importer=b, imported=a):
                crossing.append(f"{a} -> {b}")
    assert crossing == []


# --------------------------------------------------------------------------- sizes

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
# Files and functions allowed over the limits, each with its reason.
SIZE_EXCEPTIONS: dict[str, str] = {}


def test_no_file_over_600_lines_and_no_function_over_80() -> None:
    import ast

    over: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + 1
        if lines > MAX_FILE_LINES and rel not in SIZE_EXCEPTIONS:
            over.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                name = f"{rel}::{node.name}"
                if length > MAX_FUNCTION_LINES and name not in SIZE_EXCEPTIONS:
                    over.append(f"{name}: {length} lines")
    assert over == [], "split by responsibility:\n" + "\n".join(over)


# --------------------------------------------------------------------------- the page


def _doc_paths() -> list[tuple[str, str, Path | None]]:
    """(line, token, bullet folder) for each backticked ``*.py`` or ``folder/`` on the page.

    Under "The packages" a bare name belongs to the folder of the top-level bullet it
    sits in (the folder of that bullet's first ``hedger/...`` path), so a module listed
    under the wrong bullet is caught, not only one that does not exist.
    """
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    out: list[tuple[str, str, Path | None]] = []
    in_packages, base = False, None
    for line in text.splitlines():
        if line.startswith("## "):
            in_packages, base = line.strip() == "## The packages", None
        tokens = re.findall(r"`([^`\s<>]+)`", line)
        if in_packages and line.startswith("- "):
            first = tokens[0] if tokens else ""
            base = None
            if first.startswith("hedger/"):
                base = ROOT / first if first.endswith("/") else (ROOT / first).parent
        for token in tokens:
            if token.endswith(".py") or (token.endswith("/") and "." not in token):
                out.append((line.strip()[:60], token, base if in_packages else None))
    return out


def test_every_file_the_architecture_page_names_exists_where_it_says() -> None:
    paths = _doc_paths()
    assert len(paths) > 100  # the page names most modules
    wrong = []
    for line, token, base in paths:
        if token.startswith(("hedger/", "tests/")):
            ok = (ROOT / token).exists()
        elif base is None:
            ok = (PACKAGE_DIR / token).exists()
        elif "/" in token.rstrip("/"):  # within the bullet's folder, or from hedger/
            ok = (base / token).exists() or (PACKAGE_DIR / token).exists()
        else:
            ok = (base / token).exists()
        if not ok:
            where = f" (read in {base.relative_to(ROOT).as_posix()}/)" if base else ""
            wrong.append(f"{token}{where}: {line}")
    assert wrong == [], "docs/architecture.md names what is not there:\n" + "\n".join(wrong)


def test_the_app_never_imports_sqlite(data_dir: Path) -> None:
    """The installed app leaves SQLite out (packaging/hedger.spec): nothing may need it."""
    names = [m for m in modules_under("hedger") if m != "hedger.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "import json\n"
        "print(json.dumps({'loaded': sorted(m for m in sys.modules if 'sqlite' in m)}))\n"
    )
    assert run_python(code, data_dir)["loaded"] == []
