#!/usr/bin/env bash
# Install the built Hedger for the current user, with a menu entry and icon:
#
#   bash packaging/install.sh [APP_DIR]   from a checkout, after packaging/build.sh
#   ./install.sh                          from an unpacked release archive
#
# Puts the program in $PREFIX/opt/hedger, links $PREFIX/bin/hedger, and adds
# the desktop entry, icons and AppStream metainfo under $PREFIX/share.
# PREFIX defaults to ~/.local; no root needed. Your portfolios live in your
# data folder, never in the program folder, so reinstalling keeps them.
# Undo with uninstall.sh (the same PREFIX).
set -euo pipefail

APP_ID=io.github.hedger.Hedger

main() {
    local here app_dir prefix dest res
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    if [ $# -ge 1 ]; then
        app_dir="$1"
    elif [ -x "$here/hedger" ] && [ -d "$here/_internal" ]; then
        app_dir="$here" # running from an unpacked archive
    else
        app_dir="$here/../dist/hedger" # running from a checkout
    fi
    [ -d "$app_dir" ] || fail "no built app at $app_dir (run packaging/build.sh first)"
    app_dir="$(cd "$app_dir" && pwd)"
    res="$app_dir/_internal/hedger/_resources"
    [ -x "$app_dir/hedger" ] || fail "$app_dir has no hedger program"
    [ -f "$res/$APP_ID.desktop" ] || fail "$app_dir is missing $APP_ID.desktop"

    prefix="${PREFIX:-$HOME/.local}"
    dest="$prefix/opt/hedger"

    # The program folder, replaced whole so no file of an older version stays.
    if [ "$app_dir" != "$dest" ]; then
        if [ -e "$dest" ] && [ ! -x "$dest/hedger" ]; then
            fail "$dest exists and is not a Hedger install; move it away first"
        fi
        mkdir -p "$prefix/opt"
        rm -rf "$dest.new"
        cp -R "$app_dir" "$dest.new"
        rm -rf "$dest"
        mv "$dest.new" "$dest"
    fi

    # Command: a link, unless something else already owns the name (for
    # example a `pip install --user hedger` script), which is left alone.
    local link="$prefix/bin/hedger"
    mkdir -p "$prefix/bin"
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        warn "$link exists and is not a link; left as it is (run $dest/hedger directly)"
    else
        ln -sfn "$dest/hedger" "$link"
    fi

    # Menu entry, pointing at the installed program by absolute path: the
    # desktop session's PATH often lacks ~/.local/bin.
    local apps="$prefix/share/applications"
    mkdir -p "$apps"
    sed -e "s|^Exec=.*|Exec=\"$dest/hedger\" %f|" \
        -e "s|^TryExec=.*|TryExec=$dest/hedger|" \
        "$res/$APP_ID.desktop" >"$apps/$APP_ID.desktop"
    chmod 644 "$apps/$APP_ID.desktop"

    # Icons, every size the build carries.
    local icon size_dir size
    for icon in "$res"/icons/hicolor/*/apps/"$APP_ID".*; do
        [ -f "$icon" ] || continue
        size_dir="$(dirname "$(dirname "$icon")")"
        size="$(basename "$size_dir")"
        mkdir -p "$prefix/share/icons/hicolor/$size/apps"
        cp "$icon" "$prefix/share/icons/hicolor/$size/apps/"
    done

    mkdir -p "$prefix/share/metainfo"
    cp "$res/$APP_ID.metainfo.xml" "$prefix/share/metainfo/"

    refresh_caches "$prefix"

    echo "Hedger installed in $dest"
    echo "  menu entry: $apps/$APP_ID.desktop"
    echo "  command:    $link"
    case ":$PATH:" in
        *":$prefix/bin:"*) ;;
        *) echo "  note: $prefix/bin is not on your PATH; add it to run 'hedger' from a terminal" ;;
    esac
}

refresh_caches() {
    # Desktops pick the entry up without these, only later; absence is fine.
    local prefix="$1"
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
    fi
    # Refresh an icon cache only where one is kept (a themed hicolor with
    # index.theme); a user's hicolor usually has none, and there a newer
    # folder time is what tells GTK to look again.
    local hicolor="$prefix/share/icons/hicolor"
    if [ -f "$hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q "$hicolor" 2>/dev/null || true
    elif [ -d "$hicolor" ]; then
        touch "$hicolor"
    fi
}

warn() { printf 'install: warning: %s\n' "$*" >&2; }
fail() {
    printf 'install: error: %s\n' "$*" >&2
    exit 1
}

main "$@"
