"""Export of the scenario chart: PNG at a device pixel ratio, and SVG.

Importing this module imports pyqtgraph (with the chart that uses it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyqtgraph.exporters import SVGExporter
from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QPainter

from hedger.services.exports import write_export

if TYPE_CHECKING:
    from hedger.ui.hedge.chart import ScenarioChart

# PNG export: device pixel ratio, and the smallest layout it is drawn at.
EXPORT_SCALE = 2.0
EXPORT_MIN = QSize(760, 440)


def export_png(
    chart: ScenarioChart, path: Path, width: int | None = None, scale: float = EXPORT_SCALE
) -> Path:
    """Write the plot as it looks on screen, rendered at ``scale`` × the pixels.

    The plot is laid out at its on-screen size (at least EXPORT_MIN), so
    fonts, legend and labels keep their proportions, and painted at a
    device pixel ratio of ``scale`` (2 by default), or of whatever makes
    the image ``width`` pixels wide. pyqtgraph's ImageExporter instead
    scales the layout, which blew tick labels up 3x and left the legend
    tiny and a blank band at the bottom.
    """
    pi = chart.plot_item
    with _ExportGuard(chart):
        view = chart.plot_widget.viewport().size()
        lw = float(max(view.width(), EXPORT_MIN.width()))
        lh = float(max(view.height(), EXPORT_MIN.height()))
        if width is not None:
            scale = width / lw
        image = QImage(
            max(1, round(lw * scale)), max(1, round(lh * scale)), QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(scale)
        image.fill(chart.base_color())
        old = pi.geometry()
        rect = QRectF(0, 0, lw, lh)
        try:
            chart.fit_legend_columns(width=lw - chart.y_axis.width() - 20)
            pi.setGeometry(rect)
            pi.layout.activate()
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            pi.scene().render(painter, rect, pi.sceneBoundingRect())
            painter.end()
        finally:
            chart.fit_legend_columns()
            pi.setGeometry(old)
            chart.refit_plot()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"cannot write {path}")
    # Through the exports service: atomic, and a new file private (0600).
    write_export(path, bytes(buffer.data().data()))
    return path


def export_svg(chart: ScenarioChart, path: Path) -> Path:
    with _ExportGuard(chart):
        svg = SVGExporter(chart.plot_item).export(toBytes=True)
    write_export(path, svg if isinstance(svg, bytes) else str(svg))
    return path


class _ExportGuard:
    """Hide the crosshair and give a never-shown chart a size while exporting."""

    def __init__(self, chart: ScenarioChart) -> None:
        self._chart = chart
        self._hidden: list[Any] = []

    def __enter__(self) -> None:
        c = self._chart
        for item in (c.v_cross, c.h_cross, c.cross_dots):
            if item.isVisible():
                item.hide()
                self._hidden.append(item)
        rect: QRectF = c.plot_item.sceneBoundingRect()
        if rect.width() < 50 or rect.height() < 50:
            # Layouts only run when shown; size the scene for a hidden chart.
            c.plot_widget.resize(900, 500)
            c.plot_widget.setSceneRect(QRectF(0, 0, 900, 500))
            c.plot_item.setGeometry(QRectF(0, 0, 900, 500))

    def __exit__(self, *exc: object) -> None:
        for item in self._hidden:
            item.show()
