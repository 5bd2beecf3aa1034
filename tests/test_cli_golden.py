"""Golden output of whole `hedger` processes: plan, contracts, backtest.

Written before the CLI moved into its package, so a restructure that changes
what a user sees fails here. Regenerate deliberately with
``HEDGER_REGOLD=1 .venv/bin/python -m pytest tests/test_cli_golden.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "samples" / "core-stack.json"
GOLDEN = Path(__file__).resolve().parent / "golden"


def hedger(data_dir: Path, *argv: str) -> str:
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "hedger", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HEDGER_REGOLD"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("plan.txt", ["plan", str(SAMPLE)]),
        ("plan.json", ["plan", str(SAMPLE), "--json"]),
        ("plan-okx.txt", ["plan", str(SAMPLE), "--family", "BTC=OKX-BTC", "--ratio", "50%"]),
        ("contracts.txt", ["contracts"]),
        ("contracts.json", ["contracts", "--json"]),
    ],
)
def test_plan_and_contracts_output_unchanged(data_dir: Path, name: str, argv: list[str]) -> None:
    check(name, hedger(data_dir, *argv))


def test_backtest_output_unchanged(data_dir: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    rb = rng.normal(0, 0.03, 400)
    series = {
        "BTC": 30000 * np.exp(np.cumsum(rb)),
        "ETH": 2000 * np.exp(np.cumsum(1.1 * rb + rng.normal(0, 0.01, 400))),
    }
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2023-01-01") + 400)
    for sym, closes in series.items():
        f = tmp_path / f"{sym}.csv"
        rows = "".join(f"{d},{c:.6f}\n" for d, c in zip(days, closes, strict=True))
        f.write_text("date,close\n" + rows)
        hedger(data_dir, "history", "import", str(f), "--symbol", sym)
    argv = ["backtest", str(SAMPLE), "--rebalance", "monthly", "--start", "2023-02-01"]
    check("backtest.txt", hedger(data_dir, *argv))
    check("backtest.json", hedger(data_dir, *argv, "--json"))
