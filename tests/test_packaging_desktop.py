"""Desktop integration files: the .desktop entry, AppStream metainfo and icons.

These are what a Linux desktop shows (menu entry, software centre page, icon
at every size), so they are checked the way the desktop reads them.
"""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import hedger

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
APP_ID = "io.github.hedger.Hedger"
DESKTOP_FILE = RESOURCES / f"{APP_ID}.desktop"
METAINFO_FILE = RESOURCES / f"{APP_ID}.metainfo.xml"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# ----------------------------------------------------------------- .desktop


def test_desktop_file_is_named_after_the_app_id() -> None:
    assert DESKTOP_FILE.is_file()


def test_desktop_entry_launches_hedger_with_its_icon() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Hedger"
    assert entry["Comment"].strip()
    assert entry["Exec"].split()[0] == "hedger"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    # X11 window managers match the window to this entry by WM_CLASS, which
    # Qt sets to ("hedger", applicationName); Wayland uses the desktop file
    # name (test_app_sets_the_desktop_file_name_to_the_app_id).
    assert entry["StartupWMClass"] == "Hedger"
    assert entry["StartupNotify"] == "true"


def test_desktop_entry_lists_in_office_and_finance_menus() -> None:
    entry = desktop_entry()
    categories = entry["Categories"]
    assert categories.endswith(";")
    assert {"Office", "Finance"} <= set(categories.strip(";").split(";"))
    assert entry["Keywords"].endswith(";")


def test_desktop_file_passes_desktop_file_validate() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed")
    result = subprocess.run([tool, str(DESKTOP_FILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_sets_the_desktop_file_name_to_the_app_id() -> None:
    # Wayland compositors find the window's icon and menu entry by this name.
    from hedger.ui import app

    assert app.APP_ID == APP_ID == DESKTOP_FILE.name.removesuffix(".desktop")


# ----------------------------------------------------------------- metainfo


def metainfo() -> ET.Element:
    return ET.parse(METAINFO_FILE).getroot()


def test_metainfo_describes_the_desktop_application() -> None:
    root = metainfo()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == "Hedger"
    assert (root.findtext("summary") or "").strip()
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    paragraphs = root.findall("description/p")
    assert paragraphs and all((p.text or "").strip() for p in paragraphs)


def test_metainfo_launches_the_desktop_entry() -> None:
    launchable = metainfo().find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name


def test_metainfo_releases_include_the_current_version() -> None:
    releases = metainfo().findall("releases/release")
    assert releases, "metainfo has no <release>"
    versions = [r.get("version") for r in releases]
    assert versions[0] == hedger.__version__, "newest release first, matching hedger.__version__"
    assert all(r.get("date") for r in releases)


def test_metainfo_passes_appstreamcli_validate() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli not installed")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------- icons


@pytest.mark.parametrize("size", HICOLOR_SIZES)
def test_hicolor_png_exists_at_its_pixel_size(size: int) -> None:
    png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png_size(png) == (size, size)


def test_scalable_icon_is_a_square_svg() -> None:
    for svg in (ICONS / "hedger.svg", ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"):
        root = ET.parse(svg).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        _x, _y, width, height = (float(v) for v in root.get("viewBox", "").split())
        assert width == height
    assert (ICONS / "hedger.svg").read_bytes() == (
        ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    ).read_bytes()


def test_windows_ico_holds_small_and_large_images() -> None:
    data = (ICONS / "hedger.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        width = data[6 + 16 * i]
        sizes.add(256 if width == 0 else width)
    assert {16, 32, 48, 256} <= sizes


def test_macos_icns_holds_retina_sizes() -> None:
    data = (ICONS / "hedger.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    kinds = set()
    offset = 8
    while offset < len(data):
        kind = data[offset : offset + 4]
        length = struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.add(kind)
        offset += length
    assert {b"ic07", b"ic08", b"ic09", b"ic10", b"ic11", b"ic12", b"ic13", b"ic14"} <= kinds


def load_render_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging" / "render_icons.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.gui
def test_committed_pngs_match_the_svg(qapp: object) -> None:
    """The PNGs were rendered from the current SVG (rerun packaging/render_icons.py)."""
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    render_icons = load_render_icons()
    renderer = QSvgRenderer(str(ICONS / "hedger.svg"))
    for size in (16, 64):
        fresh = QImage.fromData(render_icons.render_png(renderer, size))
        path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        committed = QImage(str(path))
        worst = max(
            abs((fresh.pixel(x, y) >> shift & 0xFF) - (committed.pixel(x, y) >> shift & 0xFF))
            for x in range(size)
            for y in range(size)
            for shift in (0, 8, 16, 24)
        )
        assert worst <= 2, f"{path} differs from hedger.svg"


@pytest.mark.gui
def test_small_icon_is_a_drawn_design_not_a_flat_placeholder(qapp: object) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / "hicolor" / "16x16" / "apps" / f"{APP_ID}.png"))
    opaque_colours = {
        image.pixelColor(x, y).name()
        for x in range(16)
        for y in range(16)
        if image.pixelColor(x, y).alpha() == 255
    }
    # tile, shield, hedge and price line all survive at 16 px
    assert len(opaque_colours) >= 8
    centre = image.pixelColor(8, 8)
    assert centre.alpha() == 255
