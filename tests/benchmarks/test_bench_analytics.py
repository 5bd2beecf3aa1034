"""Speed goals of the analytics (issue 5).

- import a 5-year 1-minute CSV (about 2.6 million rows): at most 5 s, for the
  common layouts (``timestamp,price`` in ms, ISO ``date,close``, Binance klines);
- backtest over that history: at most 0.5 s (held fixed, and re-sized weekly);
- 100,000 simulated paths of 30 steps: at most 1 s (normal and bootstrap);
- the backtest chart of that history pans and zooms smoothly: median frame
  under 50 ms while zooming from 5 years to one day and panning (offscreen).

Run with ``pytest tests/benchmarks/test_bench_analytics.py --benchmark-enable -s``.
Without ``--benchmark-enable`` every case runs once on 50,000 rows as a plain
test, so the normal test run stays quick; the files are generated in a temp
folder, never committed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from pytestqt.qtbot import QtBot

from hedger.core.analytics.backtest import BacktestConfig, run_backtest
from hedger.core.analytics.history import read_price_file
from hedger.core.analytics.risk import RiskConfig, simulate_risk
from hedger.core.analytics.series import NS_PER_DAY, NS_PER_MINUTE, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio
from hedger.store.history import HistoryStore
from hedger.ui.analytics.backtest import BacktestTab
from hedger.ui.analytics.betas import EstimationTab
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.analytics.risk import RiskTab
from hedger.ui.document.document import PortfolioDocument

FULL_ROWS = 2_600_000  # 5 years of 1-minute closes
QUICK_ROWS = 50_000
START_MS = 1_577_836_800_000  # 2020-01-01


@pytest.fixture(scope="module")
def rows(request: pytest.FixtureRequest) -> int:
    enabled = bool(request.config.getoption("benchmark_enable", default=False))
    return FULL_ROWS if enabled else QUICK_ROWS


def _prices(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 7000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, n)))


@pytest.fixture(scope="module")
def minute_files(rows: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("minute-files")
    ms = START_MS + np.arange(rows, dtype=np.int64) * 60_000
    price = _prices(rows).round(2).tolist()
    times = ms.tolist()
    files = {
        "epoch-ms": folder / "btc-ms.csv",
        "iso": folder / "btc-iso.csv",
        "binance": folder / "BTCUSDT-1m.csv",
    }
    files["epoch-ms"].write_text(
        "timestamp,price\n" + "\n".join(map("{},{:.2f}".format, times, price)) + "\n"
    )
    iso = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="s").tolist()
    files["iso"].write_text("date,close\n" + "\n".join(map("{},{:.2f}".format, iso, price)) + "\n")
    kline = "{0},{1:.2f},{1:.2f},{1:.2f},{1:.2f},12.34567,{2},86420.12,1540,6.17283,43210.06,0"
    files["binance"].write_text(
        "\n".join(kline.format(t, p, t + 59_999) for t, p in zip(times, price, strict=True)) + "\n"
    )
    return files


def _report(benchmark: BenchmarkFixture, what: str, goal_s: float) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return
    median = stats.stats.median
    benchmark.extra_info["median_s"] = round(median, 4)
    print(f"\n{what}: median {median:.3f} s (goal <= {goal_s:g} s)")


@pytest.mark.parametrize("layout", ["epoch-ms", "iso", "binance"])
def test_import_minute_csv(
    benchmark: BenchmarkFixture, minute_files: dict[str, Path], rows: int, layout: str
) -> None:
    path = minute_files[layout]
    report = benchmark.pedantic(  # type: ignore[no-untyped-call]
        read_price_file, args=(path, "BTC"), rounds=3, iterations=1
    )
    assert report.clean and report.good_rows == rows
    size_mb = path.stat().st_size / 1e6
    _report(benchmark, f"import {rows:,} rows, {layout} ({size_mb:.0f} MB)", 5.0)


def test_history_import_command_whole_process(
    benchmark: BenchmarkFixture,
    minute_files: dict[str, Path],
    rows: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """What the user waits for: start Python, parse, store (a fresh data folder each time)."""
    path = minute_files["epoch-ms"]

    def run() -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, HEDGER_DATA_DIR=str(tmp_path_factory.mktemp("import-data")))
        argv = [sys.executable, "-m", "hedger", "history", "import", str(path), "--symbol", "BTC"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)

    done = benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[no-untyped-call]
    assert done.returncode == 0, done.stderr
    assert f"BTC now holds {rows:,} rows" in done.stdout
    _report(benchmark, f"'hedger history import' process, {rows:,} rows", 5.0)


@pytest.fixture(scope="module")
def minute_series(rows: int) -> PriceSeries:
    ts = START_MS * 1_000_000 + np.arange(rows, dtype=np.int64) * NS_PER_MINUTE
    return PriceSeries("BTC", ts, _prices(rows))


def _book() -> Portfolio:
    return Portfolio(
        name="bench",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),
            Holding(
                symbol="ALT",
                quantity=Decimal(1000),
                price=Decimal(5),
                beta=Decimal("1.5"),
                hedge_with="BTC",
            ),
            Holding(symbol="USDC", quantity=Decimal(1000), price=Decimal(1)),
        ),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )


@pytest.mark.parametrize("rebalance", ["none", "weekly"])
def test_backtest_minute_history(
    benchmark: BenchmarkFixture, minute_series: PriceSeries, rows: int, rebalance: str
) -> None:
    catalog = builtin_catalog()
    book = _book()
    plan = plan_portfolio(book, catalog)
    config = BacktestConfig(rebalance=rebalance)  # type: ignore[arg-type]
    run: Callable[[], object] = lambda: run_backtest(  # noqa: E731
        book, plan, catalog, {"BTC": minute_series}, config
    )
    result = benchmark.pedantic(run, rounds=5, iterations=1)  # type: ignore[no-untyped-call]
    assert result.hedged.size == rows
    _report(benchmark, f"backtest {rows:,} points, rebalance {rebalance}", 0.5)


@pytest.fixture(scope="module")
def daily_histories() -> dict[str, PriceSeries]:
    rng = np.random.default_rng(3)
    n = 1500
    rb = rng.normal(0, 0.03, n)
    ts = START_MS * 1_000_000 + np.arange(n, dtype=np.int64) * NS_PER_DAY
    return {
        "BTC": PriceSeries("BTC", ts, 30000 * np.exp(np.cumsum(rb))),
        "ALT": PriceSeries("ALT", ts, 5 * np.exp(np.cumsum(1.5 * rb + rng.normal(0, 0.02, n)))),
    }


@pytest.mark.parametrize("method", ["normal", "bootstrap"])
def test_risk_100k_paths_30_steps(
    benchmark: BenchmarkFixture, daily_histories: dict[str, PriceSeries], method: str
) -> None:
    catalog = builtin_catalog()
    book = _book()
    plan = plan_portfolio(book, catalog)
    config = RiskConfig(horizon_days=30, paths=100_000, seed=1, method=method)  # type: ignore[arg-type]
    run: Callable[[], object] = lambda: simulate_risk(  # noqa: E731
        book, plan, catalog, daily_histories, config
    )
    result = benchmark.pedantic(run, rounds=5, iterations=1)  # type: ignore[no-untyped-call]
    assert result.paths == 100_000
    _report(benchmark, f"risk 100,000 paths x 30 steps, {method}", 1.0)


@pytest.mark.gui
def test_backtest_chart_pans_and_zooms(
    qtbot: QtBot, benchmark: BenchmarkFixture, minute_series: PriceSeries, rows: int
) -> None:
    """Frame time of the backtest chart over the whole minute history while zooming/panning.

    Goal: a frame well under 50 ms (20 frames/s) with offscreen software
    rendering; peak downsampling and clip-to-view keep it near-constant
    whatever the number of points.
    """
    store = HistoryStore()
    store.save(minute_series)
    doc = PortfolioDocument(builtin_catalog(), _book(), None)
    tab = BacktestTab(doc, HistoryLibrary(store))
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.wait(120)  # the backtest runs off the GUI thread
    assert tab.result is not None and tab.result.timestamps.size == rows
    view = tab.value_plot.getPlotItem().getViewBox()
    x0 = float(minute_series.timestamps[0]) / 1e9
    x1 = float(minute_series.timestamps[-1]) / 1e9
    span = x1 - x0
    # Zoom in from everything to one day, then pan across the period.
    frames = [(x0, x1)]
    frames += [(x0 + span * (0.5 - 0.5 / z), x0 + span * (0.5 + 0.5 / z)) for z in (2, 8, 64, 900)]
    frames += [(x0 + span * f, x0 + span * f + 86_400.0) for f in np.linspace(0.1, 0.9, 10)]
    times: list[float] = []

    def draw_all() -> None:
        for lo, hi in frames:
            start = time.perf_counter()
            view.setXRange(lo, hi, padding=0)
            tab.value_plot.grab()  # forces layout + a full repaint of the plot
            times.append(time.perf_counter() - start)

    benchmark.pedantic(draw_all, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    frame_ms = statistics.median(times) * 1000
    worst_ms = max(times) * 1000
    benchmark.extra_info.update(frame_ms=round(frame_ms, 1), worst_ms=round(worst_ms, 1))
    print(
        f"\nbacktest chart, {rows:,} points: median frame {frame_ms:.1f} ms, "
        f"worst {worst_ms:.1f} ms over {len(frames)} zoom/pan steps (goal < 50 ms)"
    )


class _StallMeter:
    """The longest gap between 2 ms heartbeats: how long the event loop could not run."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(2)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def measure(
        self, qtbot: QtBot, action: Callable[[], object], done: Callable[[], bool]
    ) -> float:
        qtbot.wait(100)
        self.gaps.clear()
        self._last = start = time.perf_counter()
        action()
        took = time.perf_counter() - start
        qtbot.waitUntil(done, timeout=60_000)
        qtbot.wait(50)  # and the repaint of what arrived
        return max([took, *self.gaps]) * 1000


@pytest.mark.gui
def test_gui_stays_responsive_with_minute_histories(
    qtbot: QtBot, benchmark: BenchmarkFixture, minute_series: PriceSeries, rows: int
) -> None:
    """Longest event-loop stall after an edit and on showing a tab, minute histories.

    Goal: under 100 ms; the computations run on the thread pool, only for the
    tab on screen, and a hidden tab is only marked stale.
    """
    from PySide6.QtWidgets import QTabWidget

    store = HistoryStore()
    store.save(minute_series)
    alt = PriceSeries("ALT", minute_series.timestamps, minute_series.closes / 1400)
    store.save(alt)
    doc = PortfolioDocument(builtin_catalog(), _book(), None)
    library = HistoryLibrary(store)
    tabs = QTabWidget()
    backtest = BacktestTab(doc, library)
    risk = RiskTab(doc, library)
    betas = EstimationTab(doc, library)
    for title, tab in (("Backtest", backtest), ("Risk", risk), ("Betas", betas)):
        tabs.addTab(tab, title)
    qtbot.addWidget(tabs)
    tabs.resize(1280, 760)
    tabs.show()
    qtbot.waitExposed(tabs)
    assert backtest.wait(120)
    meter = _StallMeter()
    figures: dict[str, float] = {}

    def edit() -> None:
        doc.edit_holding_field(0, "quantity", str(Decimal("0.5") + Decimal(len(figures)) / 10))

    def measure_all() -> None:
        figures["edit, backtest shown"] = meter.measure(qtbot, edit, lambda: not backtest.busy)
        assert risk.stale  # hidden: marked stale, not computed
        figures["show risk tab"] = meter.measure(
            qtbot, lambda: tabs.setCurrentWidget(risk), lambda: not risk.busy
        )
        figures["show betas tab"] = meter.measure(
            qtbot, lambda: tabs.setCurrentWidget(betas), lambda: not betas.busy
        )
        figures["edit, betas shown"] = meter.measure(qtbot, edit, lambda: not betas.busy)

    benchmark.pedantic(measure_all, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    benchmark.extra_info.update({k: round(v, 1) for k, v in figures.items()})
    text = ", ".join(f"{k} {v:.0f} ms" for k, v in figures.items())
    print(f"\nlongest event-loop stall with {rows:,}-row histories: {text} (goal < 100 ms)")
