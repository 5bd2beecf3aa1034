"""Speed goals of the core and the CLI.

- a plan for 10,000 holdings over 20 underlyings: at most 20 ms;
- the scenario grid of 1,001 moves for every underlying of that plan: at most 20 ms;
- ``hedger plan --json`` on a 10-holding file, as a whole process, against
  ``python -c "import pydantic"``: goal at most 2x (medians, printed).

Run with ``pytest tests/benchmarks/test_bench_core.py --benchmark-enable -s``.
Without ``--benchmark-enable`` each case runs once as a plain test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from hedger.core.catalog import Catalog, Contract, Family, builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, portfolio_to_dict
from hedger.core.planner import Plan, plan_portfolio
from hedger.core.scenarios import default_moves, scenarios

ALTS = [f"ALT{i}" for i in range(18)]
UNDERLYINGS = ["BTC", "ETH", *ALTS]
GOAL_MS = 20.0
STARTUP_GOAL_RATIO = 2.0


def alt_catalog() -> Catalog:
    """The shipped catalog plus a three-size family for each altcoin."""
    contracts: list[Contract] = []
    families: list[Family] = []
    for alt in ALTS:
        ids = []
        for tier, size in (("standard", "100"), ("mini", "10"), ("micro", "1")):
            cid = f"BENCH:{alt}-{tier.upper()}"
            ids.append(cid)
            contracts.append(
                Contract.model_validate(
                    {
                        "id": cid,
                        "venue": "BENCH",
                        "symbol": f"{alt}-{tier.upper()}",
                        "name": f"{alt} {tier}",
                        "underlying": alt,
                        "tier": tier,
                        "kind": "linear",
                        "size": size,
                        "source": "benchmark",
                        "as_of": "2026-01-01",
                    }
                )
            )
        families.append(Family(id=f"BENCH-{alt}", name=alt, underlying=alt, contracts=tuple(ids)))
    return builtin_catalog().with_user_additions(contracts, families)


def big_portfolio() -> Portfolio:
    holdings = []
    for i in range(10_000):
        under = UNDERLYINGS[i % 20]
        # A third of the holdings are other coins cross-hedged with a beta.
        cross = i % 3 == 0
        holdings.append(
            Holding(
                symbol=f"X{i % 50}" if cross else under,
                quantity=Decimal(i % 997 + 1) / Decimal(1000),
                price=Decimal("12.34") + Decimal(i % 101),
                beta=Decimal(i % 7 + 5) / Decimal(5) if cross else None,
                hedge_with=under if cross else None,
            )
        )
    holdings.append(Holding(symbol="USDC", quantity=Decimal(5000), price=Decimal(1)))
    return Portfolio(
        name="Big book",
        holdings=tuple(holdings),
        hedge=HedgeSettings(
            futures_prices={u: Decimal(70000 if u == "BTC" else 100) for u in UNDERLYINGS},
            families={"BTC": "CME-BTC"},
        ),
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return alt_catalog()


@pytest.fixture(scope="module")
def big_plan(catalog: Catalog) -> Plan:
    return plan_portfolio(big_portfolio(), catalog)


def _report(benchmark: BenchmarkFixture, what: str) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return
    median_ms = stats.stats.median * 1000
    benchmark.extra_info["median_ms"] = round(median_ms, 3)
    print(f"\n{what}: median {median_ms:.2f} ms (goal <= {GOAL_MS:.0f} ms)")


def test_plan_10k_holdings_20_underlyings(benchmark: BenchmarkFixture, catalog: Catalog) -> None:
    portfolio = big_portfolio()
    plan = benchmark(plan_portfolio, portfolio, catalog)
    assert len(plan.underlyings) == 20
    assert plan.problems == []
    assert sum(u.holdings for u in plan.underlyings) == 10_000
    _report(benchmark, "plan 10,000 holdings / 20 underlyings")


def test_scenario_grid_1001_moves(benchmark: BenchmarkFixture, big_plan: Plan) -> None:
    moves = default_moves(1001)
    grid = benchmark(scenarios, big_plan, moves)
    assert len(grid) == 20
    assert all(s.unhedged.shape == (1001,) for s in grid.values())
    _report(benchmark, "scenario grid 1,001 moves x 20 underlyings")


def _small_file(tmp_path: Path) -> Path:
    symbols = ["BTC", "ETH", "SOL", "ADA", "DOGE", "XRP", "DOT", "LINK", "USDC", "USDT"]
    holdings = tuple(
        Holding(
            symbol=s,
            quantity=Decimal(i + 1) / Decimal(10),
            price=Decimal(70000) if s == "BTC" else Decimal(100 + i),
            beta=Decimal("1.3") if i >= 2 and not s.startswith("USD") else None,
        )
        for i, s in enumerate(symbols)
    )
    portfolio = Portfolio(name="Ten holdings", holdings=holdings)
    path = tmp_path / "ten.json"
    path.write_text(json.dumps(portfolio_to_dict(portfolio)), encoding="utf-8")
    return path


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def test_cli_plan_startup_vs_import_pydantic(
    benchmark: BenchmarkFixture, tmp_path: Path, data_dir: Path
) -> None:
    path = _small_file(tmp_path)
    env = dict(os.environ)
    # Measure what an installed app sees: bytecode cached (outside the repo).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    env["HEDGER_DATA_DIR"] = str(data_dir)
    plan_cmd = [sys.executable, "-m", "hedger", "plan", str(path), "--json"]
    pydantic_cmd = [sys.executable, "-c", "import pydantic"]
    for cmd in (plan_cmd, pydantic_cmd):  # warm the bytecode cache and the disk
        _wall(cmd, env)
    reps = 1 if benchmark.disabled else 15
    plan_times: list[float] = []
    pydantic_times: list[float] = []
    for _ in range(reps):
        # Interleaved so load from other processes hits both alike.
        plan_times.append(_wall(plan_cmd, env))
        pydantic_times.append(_wall(pydantic_cmd, env))
    plan_ms = statistics.median(plan_times) * 1000
    pydantic_ms = statistics.median(pydantic_times) * 1000
    ratio = plan_ms / pydantic_ms
    benchmark.extra_info.update(
        plan_ms=round(plan_ms, 1), import_pydantic_ms=round(pydantic_ms, 1), ratio=round(ratio, 2)
    )
    print(
        f"\nhedger plan --json: median {plan_ms:.0f} ms; import pydantic: median "
        f"{pydantic_ms:.0f} ms; ratio {ratio:.2f} (goal <= {STARTUP_GOAL_RATIO:.0f})"
    )
    # Keep a benchmark entry for the process too (one run per round).
    rounds = 1 if benchmark.disabled else 3
    benchmark.pedantic(_wall, args=(plan_cmd, env), rounds=rounds)  # type: ignore[no-untyped-call]
