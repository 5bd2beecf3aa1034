"""Speed goal: save + load of a 10,000-holding portfolio in at most 150 ms.

Run with ``pytest tests/benchmarks/test_bench_store.py --benchmark-enable``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.store.portfolio_file import load_portfolio, save_portfolio

UNDERLYINGS = [f"C{i}" for i in range(20)]


def big_portfolio() -> Portfolio:
    holdings = tuple(
        Holding(
            symbol=UNDERLYINGS[i % 20],
            quantity=Decimal(i + 1) / Decimal(1000),
            price=Decimal("123.45") + Decimal(i % 97),
            beta=Decimal("1.25") if i % 3 == 0 else None,
            hedge_with="C0" if i % 3 == 0 else None,
        )
        for i in range(10_000)
    )
    return Portfolio(
        name="Big book",
        holdings=holdings,
        hedge=HedgeSettings(futures_prices={u: Decimal("1000") for u in UNDERLYINGS}),
    )


def test_save_and_load_10k_holdings(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    portfolio = big_portfolio()
    path = tmp_path / "big.json"

    def save_then_load() -> Portfolio:
        save_portfolio(path, portfolio)
        return load_portfolio(path)

    loaded = benchmark(save_then_load)
    assert loaded == portfolio
