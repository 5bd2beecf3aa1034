"""Light and dark palettes on the Fusion style; "system" follows the OS."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from hedger.services.settings import ThemeMode

ACCENT = QColor("#2f7d6d")  # hedge green, also in the icon


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def is_dark(mode: ThemeMode) -> bool:
    return mode == "dark" or (mode == "system" and system_prefers_dark())


def light_palette() -> QPalette:
    p = QPalette()
    c = p.setColor
    c(QPalette.ColorRole.Window, QColor("#f3f4f6"))
    c(QPalette.ColorRole.WindowText, QColor("#1f2328"))
    c(QPalette.ColorRole.Base, QColor("#ffffff"))
    c(QPalette.ColorRole.AlternateBase, QColor("#f6f8fa"))
    c(QPalette.ColorRole.ToolTipBase, QColor("#fffbe6"))
    c(QPalette.ColorRole.ToolTipText, QColor("#1f2328"))
    c(QPalette.ColorRole.PlaceholderText, QColor("#8b949e"))
    c(QPalette.ColorRole.Text, QColor("#1f2328"))
    c(QPalette.ColorRole.Button, QColor("#eceef1"))
    c(QPalette.ColorRole.ButtonText, QColor("#1f2328"))
    c(QPalette.ColorRole.BrightText, QColor("#cf222e"))
    c(QPalette.ColorRole.Highlight, ACCENT)
    c(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    c(QPalette.ColorRole.Link, QColor("#0969da"))
    c(QPalette.ColorRole.Mid, QColor("#c9ced6"))
    c(QPalette.ColorRole.Midlight, QColor("#e1e4e8"))
    c(QPalette.ColorRole.Dark, QColor("#a0a7b1"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8b949e"))
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    c = p.setColor
    c(QPalette.ColorRole.Window, QColor("#1e2126"))
    c(QPalette.ColorRole.WindowText, QColor("#e6e8eb"))
    c(QPalette.ColorRole.Base, QColor("#15171b"))
    c(QPalette.ColorRole.AlternateBase, QColor("#1b1e23"))
    c(QPalette.ColorRole.ToolTipBase, QColor("#2b2f36"))
    c(QPalette.ColorRole.ToolTipText, QColor("#e6e8eb"))
    c(QPalette.ColorRole.PlaceholderText, QColor("#7d8590"))
    c(QPalette.ColorRole.Text, QColor("#e6e8eb"))
    c(QPalette.ColorRole.Button, QColor("#2a2e35"))
    c(QPalette.ColorRole.ButtonText, QColor("#e6e8eb"))
    c(QPalette.ColorRole.BrightText, QColor("#ff7b72"))
    c(QPalette.ColorRole.Highlight, QColor("#3a9c87"))
    c(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    c(QPalette.ColorRole.Link, QColor("#58a6ff"))
    c(QPalette.ColorRole.Mid, QColor("#3b4048"))
    c(QPalette.ColorRole.Midlight, QColor("#30353d"))
    c(QPalette.ColorRole.Dark, QColor("#0d0f12"))
    c(QPalette.ColorRole.Light, QColor("#3b4048"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    return p


def apply_theme(app: QApplication, mode: ThemeMode) -> bool:
    """Apply the palette; returns True when the result is dark."""
    app.setStyle("Fusion")
    dark = is_dark(mode)
    app.setPalette(dark_palette() if dark else light_palette())
    return dark
