#!/usr/bin/env bash
# Remove what install.sh put in place (same PREFIX, default ~/.local):
#
#   bash packaging/uninstall.sh      or      ~/.local/opt/hedger/uninstall.sh
#
# Only Hedger's own files go: the program folder, the hedger link (if it
# points at that folder), the desktop entry, icons and metainfo. Your
# portfolios and settings in Hedger's data folder are kept.
set -euo pipefail

APP_ID=io.github.hedger.Hedger

# Everything runs from main(), parsed before anything is deleted, so the
# script may remove the folder it lives in.
main() {
    local prefix dest link removed=0
    prefix="${PREFIX:-$HOME/.local}"
    dest="$prefix/opt/hedger"
    link="$prefix/bin/hedger"

    if [ -L "$link" ] && [ "$(readlink "$link")" = "$dest/hedger" ]; then
        rm -f "$link"
        removed=1
    fi

    local file
    for file in \
        "$prefix/share/applications/$APP_ID.desktop" \
        "$prefix/share/metainfo/$APP_ID.metainfo.xml" \
        "$prefix"/share/icons/hicolor/*/apps/"$APP_ID".png \
        "$prefix"/share/icons/hicolor/*/apps/"$APP_ID".svg; do
        if [ -f "$file" ]; then
            rm -f "$file"
            removed=1
        fi
    done

    if [ -d "$dest" ]; then
        [ -x "$dest/hedger" ] || fail "$dest does not look like a Hedger install; not removing it"
        rm -rf "$dest"
        removed=1
    fi
    # Folders install.sh may have created, only if now empty.
    rmdir "$prefix/opt" 2>/dev/null || true
    local hicolor="$prefix/share/icons/hicolor" dir
    for dir in "$hicolor"/*/apps; do
        [ -d "$dir" ] || continue
        rmdir "$dir" 2>/dev/null && rmdir "$(dirname "$dir")" 2>/dev/null
    done
    rmdir "$prefix/share/metainfo" 2>/dev/null || true

    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
    fi
    if [ -f "$hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q "$hicolor" 2>/dev/null || true
    elif [ -d "$hicolor" ]; then
        touch "$hicolor"
    fi

    if [ "$removed" = 1 ]; then
        echo "Hedger removed from $prefix (your portfolios are kept)"
    else
        echo "Hedger was not installed in $prefix"
    fi
}

fail() {
    printf 'uninstall: error: %s\n' "$*" >&2
    exit 1
}

main "$@"
exit 0
