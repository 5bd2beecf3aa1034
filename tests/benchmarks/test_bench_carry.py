"""Speed goals of the carry (issue 15).

- carry cost of every catalog family that can hedge a 20-underlying book,
  with funding statistics for every perpetual: at most 50 ms (the calendars'
  holiday tables are loaded once before, as the app does at its first use);
- backtest with funding over a 5-year minute history (2.6 million points,
  5,475 funding times): at most 0.7 s.

Run with ``pytest tests/benchmarks/test_bench_carry.py --benchmark-enable -s``;
without it each case runs once on small inputs as a plain test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from hedger.core.analytics.backtest import BacktestConfig, run_backtest
from hedger.core.analytics.funding import BacktestCarry
from hedger.core.analytics.series import NS_PER_MINUTE, PriceSeries
from hedger.core.calendar import builtin_calendars, roll_plan
from hedger.core.catalog import Catalog, Family, builtin_catalog
from hedger.core.funding import FundingHistory, funding_stats
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio
from hedger.services.carry import CarryRequest, compare_venues

FULL_ROWS = 2_600_000
QUICK_ROWS = 50_000
START_MS = 1_577_836_800_000  # 2020-01-01
H_MS = 3_600_000


@pytest.fixture(scope="module")
def rows(request: pytest.FixtureRequest) -> int:
    enabled = bool(request.config.getoption("benchmark_enable", default=False))
    return FULL_ROWS if enabled else QUICK_ROWS


def _report(benchmark: BenchmarkFixture, what: str, goal_s: float) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return
    median = stats.stats.median
    benchmark.extra_info["median_s"] = round(median, 4)
    print(f"\n{what}: median {median:.4f} s (goal <= {goal_s:g} s)")


def _twenty_underlyings() -> tuple[Catalog, Portfolio]:
    """The catalog with every BTC family copied onto 19 more coins, and a book of all 20."""
    base = builtin_catalog()
    coins = ["BTC", *(f"C{i:02d}" for i in range(19))]
    families: list[Family] = []
    for coin in coins[1:]:
        for f in base.families_for("BTC"):
            families.append(
                f.model_copy(
                    update={
                        "id": f"{f.id}-{coin}",
                        "underlying": coin,
                        "contracts": tuple(f"{c}" for c in f.contracts),
                    }
                )
            )
    contracts = list(base.contracts.values())
    # Same contracts on another underlying: copies with their own ids.
    copies = []
    fams = []
    for f in families:
        ids = []
        for cid in f.contracts:
            c = base.contracts[cid]
            new_id = f"{cid}-{f.underlying}"
            copies.append(c.model_copy(update={"id": new_id, "underlying": f.underlying}))
            ids.append(new_id)
        fams.append(f.model_copy(update={"contracts": tuple(ids)}))
    catalog = Catalog([*contracts, *copies], [*base.families.values(), *fams])
    holdings = tuple(
        Holding(symbol=c, quantity=Decimal("1.5"), price=Decimal(100 + i))
        for i, c in enumerate(coins)
    )
    families_map = {c: ("CME-BTC" if c == "BTC" else f"CME-BTC-{c}") for c in coins}
    return catalog, Portfolio(
        name="twenty", holdings=holdings, hedge=HedgeSettings(families=families_map)
    )


def test_carry_every_family_for_a_20_underlying_book(benchmark: BenchmarkFixture) -> None:
    catalog, book = _twenty_underlyings()
    plan = plan_portfolio(book, catalog)
    n = 1095
    hist = FundingHistory(
        "X:Y", tuple(START_MS + i * 8 * H_MS for i in range(n)), (Decimal("0.0001"),) * n
    )
    stats = funding_stats(hist)
    assert stats is not None
    funding = {c.id: stats for c in catalog.contracts.values() if c.expiry == "perpetual"}
    request = CarryRequest(90, None, date(2027, 1, 4), {"CME-BTC": Decimal("0.01")})
    # First use loads the holiday tables (the holidays package): once per process.
    roll_plan(builtin_calendars().rule("cme-monthly"), date(2027, 1, 4), 90)
    run: Callable[[], object] = lambda: compare_venues(  # noqa: E731
        book, catalog, plan, request, funding=funding
    )
    result = benchmark.pedantic(run, rounds=10, iterations=1)  # type: ignore[no-untyped-call]
    assert len(result) == 20 and all(len(c.rows) >= 10 for c in result)
    _report(benchmark, "carry of every family, 20 underlyings", 0.05)


def test_backtest_with_funding_minute_history(benchmark: BenchmarkFixture, rows: int) -> None:
    rng = np.random.default_rng(1)
    ts = START_MS * 1_000_000 + np.arange(rows, dtype=np.int64) * NS_PER_MINUTE
    series = PriceSeries("BTC", ts, 7000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, rows))))
    catalog = builtin_catalog()
    book = Portfolio(
        name="bench",
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": "OKX-BTC"}),
    )
    plan = plan_portfolio(book, catalog)
    n = rows // 480 + 1  # one funding time every 8 h of minutes
    rates = tuple(Decimal(f"{r:.6f}") for r in rng.normal(0.0001, 0.0001, n))
    hist = FundingHistory(
        "OKX:BTC-USDT-SWAP", tuple(START_MS + i * 8 * H_MS for i in range(n)), rates
    )
    carry = BacktestCarry({"OKX:BTC-USDT-SWAP": hist})
    config = BacktestConfig(rebalance="none")
    run: Callable[[], object] = lambda: run_backtest(  # noqa: E731
        book, plan, catalog, {"BTC": series}, config, None, carry
    )
    result = benchmark.pedantic(run, rounds=5, iterations=1)  # type: ignore[no-untyped-call]
    assert result.funding is not None and result.hedged.size == rows
    _report(benchmark, f"backtest with funding, {rows:,} points, {n:,} funding times", 0.7)
