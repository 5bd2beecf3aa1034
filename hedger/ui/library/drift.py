"""Drift badges of the library: what ``hedger check`` would say about each portfolio.

Findings are computed per file and kept while the file's modification time and
size stay the same, so refreshing the list re-checks only what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from hedger.services.catalog import load_catalog
from hedger.services.checks import CheckResult, Finding, check_files

WARN = QColor("#d4760a")
OK = QColor("#2da44e")


class DriftBadges:
    def __init__(self) -> None:
        self._cache: dict[Path, tuple[tuple[int, int], tuple[Finding, ...], bool]] = {}

    def findings(self, paths: Iterable[Path]) -> dict[Path, tuple[tuple[Finding, ...], bool]]:
        """Per file: its findings and whether it holds positions (unreadable: left out).

        Only a portfolio that holds positions gets a badge: the checks are about
        hedges kept, and a plan with nothing placed yet is not "drifting"."""
        out: dict[Path, tuple[tuple[Finding, ...], bool]] = {}
        todo: list[Path] = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = (st.st_mtime_ns, st.st_size)
            cached = self._cache.get(path)
            if cached is not None and cached[0] == stamp:
                out[path] = cached[1:]
            else:
                todo.append(path)
        if todo:
            catalog = load_catalog().catalog
            for r in check_files(todo, catalog):
                if r.error is None:
                    self._store(r, out)
        return out

    def _store(self, r: CheckResult, out: dict[Path, tuple[tuple[Finding, ...], bool]]) -> None:
        try:
            st = r.path.stat()
        except OSError:
            return
        entry = ((st.st_mtime_ns, st.st_size), r.findings, r.positions > 0)
        self._cache[r.path] = entry
        out[r.path] = entry[1:]


def badge_icon(count: int, size: int = 16) -> QIcon:
    """An orange disc with the number of findings."""
    pix = QPixmap(size * 2, size * 2)
    pix.setDevicePixelRatio(2.0)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(WARN)
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    font = QFont()
    font.setPixelSize(size - 5)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, str(min(count, 9)))
    p.end()
    return QIcon(pix)


def ok_icon(size: int = 16) -> QIcon:
    """A small green disc: positions held, nothing needs action."""
    pix = QPixmap(size * 2, size * 2)
    pix.setDevicePixelRatio(2.0)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(OK)
    p.drawEllipse(QRectF(4, 4, size - 8, size - 8))
    p.end()
    return QIcon(pix)


def blank_icon(size: int = 16) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    return QIcon(pix)
