"""Colours of the scenario chart under a palette: tiers, hedged, unhedged, danger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QColor, QPalette

from hedger.ui.widgets.style import blend, is_dark

# Options of every curve. No dynamic range limit: it clips curves reaching a
# million view heights beyond the view, which autoranging over every curve
# never lets happen, and it re-processed every curve's data on each change of
# the y range (each edit).
CURVE_OPTS: dict[str, Any] = {"antialias": True, "dynamicRangeLimit": None}

# Categorical colours for the tier curves, tuned per theme for contrast on the
# plot background (the accent and grey are taken by hedged/unhedged).
_TIER_LIGHT = {
    "standard": "#7b4fb8",
    "mini": "#12897a",
    "micro": "#b7791f",
    "nano": "#b0467d",
    "mix": "#4f6f8f",
}
_TIER_DARK = {
    "standard": "#b79af2",
    "mini": "#4fd1bd",
    "micro": "#f2c14e",
    "nano": "#f49ac8",
    "mix": "#9bb4cc",
}


@dataclass(frozen=True)
class ChartColors:
    base: QColor
    text: QColor
    tiers: dict[str, QColor]
    accent: QColor  # the recommended (hedged) curve
    unhedged: QColor
    danger: QColor  # liquidation
    danger_fill: QColor  # opaque tint of the liquidated range
    grid: QColor


def chart_colors(pal: QPalette) -> ChartColors:
    dark = is_dark(pal)
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    accent = pal.color(QPalette.ColorRole.Highlight)
    if dark and accent.lightness() < 110:
        accent = accent.lighter(135)
    danger = QColor("#ff6b6b") if dark else QColor("#c62828")
    return ChartColors(
        base=base,
        text=text,
        tiers={k: QColor(v) for k, v in (_TIER_DARK if dark else _TIER_LIGHT).items()},
        accent=accent,
        unhedged=blend(text, base, 0.4),
        danger=danger,
        # Opaque tints, not alpha: blending a large translucent fill costs
        # ~2 ms a frame in software rendering.
        danger_fill=blend(base, danger, 0.11 if dark else 0.07),
        grid=blend(base, text, 0.12 if dark else 0.10),
    )
