"""packaging/install.sh and uninstall.sh, run against a stand-in build folder.

They install into a temporary PREFIX exactly as into ~/.local: program folder,
command link, menu entry, icons, metainfo; and uninstall removes those and
nothing else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.hedger.Hedger"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="bash not installed")


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    """The layout PyInstaller produces: dist/hedger/{hedger,_internal/...}."""
    app = tmp_path / "dist" / "hedger"
    res = app / "_internal" / "hedger" / "_resources"
    res.mkdir(parents=True)
    exe = app / "hedger"
    exe.write_text('#!/bin/sh\necho "hedger 9.9.9"\n', encoding="utf-8")
    exe.chmod(0o755)
    shutil.copy(ROOT / "resources" / f"{APP_ID}.desktop", res)
    shutil.copy(ROOT / "resources" / f"{APP_ID}.metainfo.xml", res)
    shutil.copytree(ROOT / "resources" / "icons", res / "icons")
    return app


def run(script: str, prefix: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BASH is not None
    env = {**os.environ, "PREFIX": str(prefix), "HOME": str(prefix.parent / "home")}
    return subprocess.run(
        [BASH, str(ROOT / "packaging" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def test_install_puts_program_menu_entry_icons_and_metainfo_in_place(
    app_dir: Path, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    result = run("install.sh", prefix, str(app_dir))
    assert result.returncode == 0, result.stderr

    program = prefix / "opt" / "hedger" / "hedger"
    assert program.is_file()
    link = prefix / "bin" / "hedger"
    assert link.is_symlink() and link.resolve() == program.resolve()
    assert subprocess.run([str(link)], capture_output=True, text=True, check=True).stdout == (
        "hedger 9.9.9\n"
    )

    desktop = (prefix / "share" / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    # Absolute path: a desktop session's PATH often lacks ~/.local/bin.
    assert f'Exec="{program}" %f' in desktop.splitlines()
    assert f"TryExec={program}" in desktop.splitlines()
    assert f"Icon={APP_ID}" in desktop.splitlines()

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon = prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon.is_file()
    assert (
        prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    ).is_file()
    assert (prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()


def test_uninstall_removes_exactly_what_install_added(app_dir: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    # Another application's files in the same folders must survive.
    other_icon = prefix / "share" / "icons" / "hicolor" / "48x48" / "apps" / "org.example.Other.png"
    other_desktop = prefix / "share" / "applications" / "org.example.Other.desktop"
    other_icon.parent.mkdir(parents=True)
    other_desktop.parent.mkdir(parents=True)
    other_icon.write_bytes(b"png")
    other_desktop.write_text("[Desktop Entry]\n", encoding="utf-8")
    before = files_under(prefix)

    assert run("install.sh", prefix, str(app_dir)).returncode == 0
    assert len(files_under(prefix)) > len(before)
    result = run("uninstall.sh", prefix)
    assert result.returncode == 0, result.stderr
    assert "removed" in result.stdout

    caches = {"share/applications/mimeinfo.cache"}  # update-desktop-database, if present
    assert files_under(prefix) - caches == before
    assert not (prefix / "bin" / "hedger").exists()
    assert not (prefix / "opt").exists()


def test_reinstall_replaces_the_old_program_folder(app_dir: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    assert run("install.sh", prefix, str(app_dir)).returncode == 0
    stale = prefix / "opt" / "hedger" / "_internal" / "left-from-old-version.so"
    stale.write_bytes(b"old")
    assert run("install.sh", prefix, str(app_dir)).returncode == 0
    assert not stale.exists()
    assert (prefix / "opt" / "hedger" / "hedger").is_file()


def test_install_leaves_a_foreign_hedger_command_alone(app_dir: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    script = prefix / "bin" / "hedger"  # e.g. from `pip install --user`
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\necho pip\n", encoding="utf-8")
    result = run("install.sh", prefix, str(app_dir))
    assert result.returncode == 0
    assert "not a link" in result.stderr
    assert script.read_text(encoding="utf-8") == "#!/bin/sh\necho pip\n"
    assert run("uninstall.sh", prefix).returncode == 0
    assert script.read_text(encoding="utf-8") == "#!/bin/sh\necho pip\n"


def test_install_without_a_build_says_how_to_make_one(tmp_path: Path) -> None:
    result = run("install.sh", tmp_path / "prefix", str(tmp_path / "no-such-build"))
    assert result.returncode == 1
    assert "packaging/build.sh" in result.stderr


def test_uninstall_when_nothing_is_installed_is_harmless(tmp_path: Path) -> None:
    result = run("uninstall.sh", tmp_path / "prefix")
    assert result.returncode == 0
    assert "not installed" in result.stdout
