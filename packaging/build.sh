#!/usr/bin/env bash
# Build Hedger as a program (PyInstaller one-folder) and its archive:
#
#   bash packaging/build.sh
#
# Linux:   dist/hedger/ and dist/hedger-<version>-linux-<arch>.tar.gz
# macOS:   dist/Hedger.app and dist/hedger-<version>-macos-<arch>.tar.gz
# Windows: dist/hedger/ and dist/hedger-<version>-windows-<arch>.zip (run from Git Bash)
#
# The build runs in its own venv (build/venv-freeze, reused between runs) with a
# non-editable install of the project, so it freezes exactly what a wheel
# ships. Environment knobs:
#   PYTHON=python3.12         interpreter for a new build venv (default python3)
#   HEDGER_BUILD_VENV=DIR     build venv location
#   HEDGER_SIZE_LIMITS=0      report sizes without failing on the Linux targets
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="${HEDGER_BUILD_VENV:-$ROOT/build/venv-freeze}"
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"
WHEELS="$ROOT/build/wheel"
# Targets from the packaging issue: a naive PySide6 + pyqtgraph + numpy
# one-folder build is about 220 MB.
MAX_UNPACKED_MB=160
MAX_ARCHIVE_MB=70

started=$SECONDS
say() { printf 'build: %s\n' "$*"; }
die() {
    printf 'build: error: %s\n' "$*" >&2
    exit 1
}

case "$(uname -s)" in
    Linux*) os=linux ;;
    Darwin*) os=macos ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "unsupported system $(uname -s)" ;;
esac
arch="$(uname -m)"
case "$arch" in
    amd64 | AMD64) arch=x86_64 ;;
    aarch64) [ "$os" = macos ] && arch=arm64 ;;
esac

if [ "$os" = windows ]; then
    vpy="$VENV/Scripts/python.exe"
else
    vpy="$VENV/bin/python"
fi

version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' hedger/__init__.py)"
[ -n "$version" ] || die "no __version__ in hedger/__init__.py"
say "Hedger $version for $os-$arch"

# 1. Build venv: created once, then only updated.
if [ ! -x "$vpy" ]; then
    say "creating build venv $VENV"
    "$PYTHON" -m venv "$VENV"
    "$vpy" -m pip install --quiet --upgrade pip
fi
"$vpy" -m pip install --quiet -r packaging/requirements-build.txt

# 2. The project as a wheel (non-editable), reinstalled every run so the
#    freeze sees the current sources; its pinned dependencies come with it.
rm -rf "$WHEELS"
"$vpy" -m pip wheel --quiet --no-deps --wheel-dir "$WHEELS" "$ROOT"
wheel="$(ls "$WHEELS"/hedger-*.whl)"
"$vpy" -m pip install --quiet "$wheel"
"$vpy" -m pip install --quiet --no-deps --force-reinstall "$wheel"

# 3. Exactly one Qt binding: PySide6-Essentials. Any other binding (or the
#    full PySide6 with its 200 MB of add-ons) would be frozen alongside.
"$vpy" - <<'PY' || die "the build venv must hold exactly one Qt binding (PySide6-Essentials)"
import importlib.metadata as md
import re
import sys

def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()

installed = {norm(d.metadata["Name"]) for d in md.distributions()}
others = installed & {"pyqt5", "pyqt6", "pyside2", "pyside6", "pyside6-addons", "pyqt5-qt5", "pyqt6-qt6"}
if "pyside6-essentials" not in installed or others:
    print(f"Qt bindings found: {sorted(others | (installed & {'pyside6-essentials'}))}", file=sys.stderr)
    sys.exit(1)
print("build: Qt binding: PySide6-Essentials " + md.version("PySide6-Essentials"))
PY

# 4. Freeze. The work folder is kept so a rebuild reuses PyInstaller's cache.
rm -rf "$DIST/hedger" "$DIST/Hedger.app"
say "running PyInstaller"
"$vpy" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/hedger.spec

case "$os" in
    linux)
        app_dir="$DIST/hedger"
        exe="$app_dir/hedger"
        # The archive is self-contained: unpack, then ./install.sh.
        cp packaging/install.sh packaging/uninstall.sh "$app_dir/"
        chmod +x "$app_dir/install.sh" "$app_dir/uninstall.sh"
        ;;
    macos)
        app_dir="$DIST/Hedger.app"
        exe="$app_dir/Contents/MacOS/hedger"
        ;;
    windows)
        app_dir="$DIST/hedger"
        exe="$app_dir/hedger-cli.exe"
        ;;
esac
[ -x "$exe" ] || die "PyInstaller produced no $exe"

# 5. The frozen program must at least start.
got="$("$exe" --version)" || die "$exe --version failed"
[ "$got" = "hedger $version" ] || die "$exe --version printed '$got', expected 'hedger $version'"
say "frozen --version: $got"

# 6. Archive.
rm -f "$DIST"/hedger-"$version"-"$os"-"$arch".*
if [ "$os" = windows ]; then
    archive="$DIST/hedger-$version-$os-$arch.zip"
    "$vpy" -c 'import shutil, sys; shutil.make_archive(sys.argv[1][:-4], "zip", sys.argv[2], "hedger")' \
        "$archive" "$DIST"
else
    archive="$DIST/hedger-$version-$os-$arch.tar.gz"
    tar -C "$DIST" -cf - "$(basename "$app_dir")" | gzip -9 >"$archive"
fi

# 7. Sizes (MB = 10^6 bytes, as download sizes are quoted).
unpacked_bytes="$("$vpy" - "$app_dir" <<'PY'
import os
import sys

total = 0
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(folder, name)
        if not os.path.islink(path):
            total += os.path.getsize(path)
print(total)
PY
)"
archive_bytes="$(wc -c <"$archive" | tr -d ' ')"
unpacked_mb=$(((unpacked_bytes + 500000) / 1000000))
archive_mb=$(((archive_bytes + 500000) / 1000000))
say "app folder: $app_dir"
say "archive:    $archive"
say "unpacked size: $unpacked_mb MB (target <= $MAX_UNPACKED_MB MB)"
say "archive size:  $archive_mb MB (target <= $MAX_ARCHIVE_MB MB)"
say "build time: $((SECONDS - started)) s"

if [ "$os" = linux ] && [ "${HEDGER_SIZE_LIMITS:-1}" != 0 ]; then
    [ "$unpacked_mb" -le "$MAX_UNPACKED_MB" ] || die "unpacked build is $unpacked_mb MB, over $MAX_UNPACKED_MB MB"
    [ "$archive_mb" -le "$MAX_ARCHIVE_MB" ] || die "archive is $archive_mb MB, over $MAX_ARCHIVE_MB MB"
fi
