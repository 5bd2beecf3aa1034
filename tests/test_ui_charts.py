"""Scenario chart: curves mirror hedger.core.scenarios and follow document edits."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.scenarios import scenario_for
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.chart import ScenarioChart
from hedger.ui.hedge.panel import HedgePanel
from hedger.ui.widgets.axes import PercentAxis, UsdAxis


def h(symbol: str, qty: str, price: str, **kw: str) -> Holding:
    return Holding(symbol=symbol, quantity=qty, price=price, **kw)  # type: ignore[arg-type]


@pytest.fixture
def doc() -> PortfolioDocument:
    portfolio = Portfolio(
        holdings=(
            h("BTC", "0.5", "70000"),
            h("ETH", "4", "3500"),
            h("SOL", "12", "150", beta="1.5", hedge_with="BTC"),
            h("USDC", "2000", "1"),
        ),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
    )
    return PortfolioDocument(builtin_catalog(), portfolio)


@pytest.fixture
def chart(qtbot: QtBot, doc: PortfolioDocument) -> ScenarioChart:
    c = ScenarioChart()
    qtbot.addWidget(c)
    c.bind(doc)
    c.resize(1000, 520)
    c.show()
    qtbot.waitExposed(c)
    return c


def xy(item: object) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getData()  # type: ignore[attr-defined]
    return np.asarray(x), np.asarray(y)


def test_curves_equal_the_scenario(chart: ScenarioChart, doc: PortfolioDocument) -> None:
    s = scenario_for(doc.plan, "BTC")
    assert chart.underlying == "BTC"
    x, y = xy(chart.unhedged_curve)
    np.testing.assert_allclose(x, s.moves * 100)
    np.testing.assert_allclose(y, s.unhedged)
    x, y = xy(chart.hedged_curve)
    assert s.recommended is not None
    np.testing.assert_allclose(y, s.options[s.recommended].value)
    # Every other tier has its own thin curve, for the coarse-contract comparison.
    assert set(chart.tier_curves) == set(s.options) - {s.recommended}
    for name, item in chart.tier_curves.items():
        np.testing.assert_allclose(xy(item)[1], s.options[name].value)


def test_liquidation_marker_sits_at_the_liquidation_move(
    chart: ScenarioChart, doc: PortfolioDocument
) -> None:
    s = scenario_for(doc.plan, "BTC")
    liq = s.options[s.recommended].liquidation_move  # type: ignore[index]
    # 2x on CME: 1/2 less CME's 36 % maintenance margin.
    assert liq is not None and math.isclose(liq, 0.14, abs_tol=1e-9)
    assert chart.liquidation_line.isVisible()
    assert math.isclose(chart.liquidation_line.value(), liq * 100)
    assert chart.liquidation_move == pytest.approx(liq)
    assert "+14 %" in chart.liquidation_line.label.format
    # At 1x the liquidation is +64 %: outside the ±50 % grid, so no marker.
    doc.set_underlying_setting("BTC", "leverage", Decimal(1), "Change Leverage")
    assert not chart.liquidation_line.isVisible()
    assert chart.liquidation_move is None


def test_typing_a_quantity_updates_the_curves(chart: ScenarioChart, doc: PortfolioDocument) -> None:
    item_before = chart.hedged_curve
    doc.edit_holding_field(0, "quantity", "1.5")
    s = scenario_for(doc.plan, "BTC")
    np.testing.assert_allclose(xy(chart.unhedged_curve)[1], s.unhedged)
    np.testing.assert_allclose(xy(chart.hedged_curve)[1], s.hedged)
    assert chart.hedged_curve is item_before  # reused, not recreated
    doc.undo_stack.undo()
    np.testing.assert_allclose(xy(chart.unhedged_curve)[1], scenario_for(doc.plan, "BTC").unhedged)


def test_follows_the_panel_underlying_and_option(
    qtbot: QtBot, chart: ScenarioChart, doc: PortfolioDocument
) -> None:
    panel = HedgePanel(doc)
    qtbot.addWidget(panel)
    panel.underlyingSelected.connect(chart.set_underlying)
    panel.optionSelected.connect(chart.set_highlighted_option)
    panel.set_current_underlying("ETH")
    assert chart.underlying == "ETH"
    s = scenario_for(doc.plan, "ETH")
    np.testing.assert_allclose(xy(chart.unhedged_curve)[1], s.unhedged)
    assert "ETH" in chart.title.text()
    panel.select_option("micro")
    assert chart.tier_curves["micro"].opts["pen"].widthF() > 2
    assert chart.tier_curves["standard"].opts["pen"].widthF() < 2


def test_change_mode_plots_gain_or_loss(chart: ScenarioChart, doc: PortfolioDocument) -> None:
    s = scenario_for(doc.plan, "BTC")
    chart.set_mode("change")
    np.testing.assert_allclose(xy(chart.unhedged_curve)[1], s.unhedged - s.base_value)
    mid = len(s.moves) // 2
    assert abs(xy(chart.hedged_curve)[1][mid]) < 1e-6
    assert chart.title.text().startswith("Change in value")
    chart.mode_control.buttons["value"].click()
    assert chart.mode == "value"
    np.testing.assert_allclose(xy(chart.unhedged_curve)[1], s.unhedged)


def test_crosshair_readout(chart: ScenarioChart, doc: PortfolioDocument) -> None:
    s = scenario_for(doc.plan, "BTC")
    vb = chart.plot_item.getViewBox()
    scene_pt = vb.mapViewToScene(QPointF(-20.0, float(s.unhedged.mean())))
    chart._on_mouse_moved((scene_pt,))
    text = chart.readout.text()
    assert "−20" in text and "BTC 56,000" in text
    values = chart.readout_values(-0.2)
    assert values["unhedged"] == pytest.approx(float(np.interp(-0.2, s.moves, s.unhedged)))
    assert values["difference"] == pytest.approx(values["hedged"] - values["unhedged"])
    assert chart.v_cross.isVisible()
    chart._on_mouse_left()
    assert not chart.v_cross.isVisible()
    assert "Now" in chart.readout.text()


def test_axes_format_usd_and_percent() -> None:
    usd = UsdAxis("left")
    assert usd.tickStrings([350_000, 1_200_000, 0], 1.0, 50_000) == ["350k", "1.2M", "0"]
    pct = PercentAxis("bottom")
    assert pct.tickStrings([-20.0, 0.0, 20.0], 1.0, 10.0) == ["−20 %", "0 %", "+20 %"]


def test_export_png_and_svg(chart: ScenarioChart, tmp_path: Path) -> None:
    png = chart.export_png(tmp_path / "chart.png", width=1600)
    svg = chart.export_svg(tmp_path / "chart.svg")
    assert png.stat().st_size > 5_000
    assert QImage(str(png)).width() == 1600
    text = svg.read_text(encoding="utf-8")
    assert svg.stat().st_size > 5_000 and "<svg" in text


def test_export_works_before_the_chart_is_shown(
    qtbot: QtBot, doc: PortfolioDocument, tmp_path: Path
) -> None:
    c = ScenarioChart()
    qtbot.addWidget(c)
    c.set_plan(doc.plan, "BTC")
    assert c.export_png(tmp_path / "hidden.png", width=800).stat().st_size > 1_000


def test_empty_and_problem_plans_do_not_crash(qtbot: QtBot) -> None:
    c = ScenarioChart()
    qtbot.addWidget(c)
    empty = PortfolioDocument(builtin_catalog(), Portfolio())
    c.bind(empty)
    assert c.scenario is None
    assert not c.unhedged_curve.isVisible()
    # What to do instead of empty axes (issue 13).
    assert c.plot_widget.isHidden() and not c.empty_state.isHidden()
    no_price = PortfolioDocument(
        builtin_catalog(), Portfolio(holdings=(h("SOL", "10", "150", hedge_with="BTC"),))
    )
    c.bind(no_price)
    assert c.scenario is not None and c.scenario.options == {}
    assert not c.hedged_curve.isVisible()
    assert not c.liquidation_line.isVisible()
    assert not c.plot_widget.isHidden() and c.empty_state.isHidden()
    # A hidden curve leaves the legend: no eye-slash icon stands in for it.
    assert c.legend.getLabel(c.hedged_curve) is None
    assert c.legend.getLabel(c.unhedged_curve) is not None


def test_apply_palette_takes_dark_colours(chart: ScenarioChart) -> None:
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2e"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1f1f22"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#2a82da"))
    chart.apply_palette(dark)
    assert chart.plot_widget.backgroundBrush().color().name() == "#1f1f22"
    assert chart.hedged_curve.opts["pen"].color().name() == "#2a82da"


def test_readout_follows_the_option_selected_in_the_table(
    chart: ScenarioChart, doc: PortfolioDocument
) -> None:
    s = scenario_for(doc.plan, "BTC")
    assert s.recommended is not None
    other = next(n for n in s.options if n != s.recommended)
    chart.set_highlighted_option("BTC", other)
    values = chart.readout_values(-0.2)
    expected = float(np.interp(-0.2, s.moves, s.options[other].value))
    assert values["hedged"] == pytest.approx(expected)
    assert values["difference"] == pytest.approx(
        expected - float(np.interp(-0.2, s.moves, s.unhedged))
    )
    vb = chart.plot_item.getViewBox()
    chart._on_mouse_moved((vb.mapViewToScene(QPointF(-20.0, float(s.unhedged.mean()))),))
    text = chart.readout.text()
    assert f"<b>{other[:1].upper() + other[1:]} " in text  # the shown option leads
    # The other options' values are there too when the chart is wide enough.
    for name in s.options:
        assert (name[:1].upper() + name[1:]) in text
    # A narrow chart keeps the shown option and puts the rest in the tooltip.
    chart.resize(420, 400)
    chart._on_mouse_moved((vb.mapViewToScene(QPointF(-20.0, float(s.unhedged.mean()))),))
    narrow = chart.readout.text()
    assert f"<b>{other[:1].upper() + other[1:]} " in narrow
    for name in s.options:
        assert (name[:1].upper() + name[1:]) in chart.readout.toolTip()


def test_png_export_is_the_screen_layout_at_twice_the_pixels(
    chart: ScenarioChart, tmp_path: Path
) -> None:
    view = chart.plot_widget.viewport().size()
    png = chart.export_png(tmp_path / "chart.png")
    img = QImage(str(png))
    assert img.width() == 2 * max(view.width(), 760)
    assert img.height() == 2 * max(view.height(), 440)
    background = img.pixelColor(2, 2)
    # The legend sits at the bottom: the last 15 % of the image is not blank.
    bottom = range(int(img.height() * 0.85), img.height(), 3)
    inked = sum(
        1 for y in bottom for x in range(0, img.width(), 7) if img.pixelColor(x, y) != background
    )
    assert inked > 50
    # Exporting leaves the on-screen chart as it was.
    assert chart.plot_item.geometry().width() <= chart.plot_widget.viewport().width() + 1
