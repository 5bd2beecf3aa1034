"""The app starts as a user starts it: a real process, offscreen."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from hedger.core.resources import resource_path


def _env(data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HEDGER_DATA_DIR"] = str(data)
    return env


def test_smoke_test_paints_window_and_chart(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hedger", "--smoke-test"],
        capture_output=True,
        text=True,
        env=_env(tmp_path / "data"),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert re.fullmatch(r"first_paint_ms=\d+ charts_ms=\d+\n", out.stdout)
    # First run put the sample in the library.
    names = [
        json.loads(p.read_text())["name"] for p in (tmp_path / "data" / "portfolios").glob("*.json")
    ]
    assert names == ["Sample — Core stack"]


def test_smoke_edit_saves_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "core.json"
    path.write_bytes(resource_path("samples", "core-stack.json").read_bytes())
    out = subprocess.run(
        [sys.executable, "-m", "hedger", "--smoke-test", str(path), "--smoke-edit"],
        capture_output=True,
        text=True,
        env=_env(tmp_path / "data"),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "edit_saved=ok" in out.stdout
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert Decimal(saved["holdings"][0]["quantity"]) == Decimal("1.5")
    assert (tmp_path / "core.json.bak").exists()


def test_smoke_test_refuses_corrupt_file_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ nope", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "hedger", "--smoke-test", str(bad)],
        capture_output=True,
        text=True,
        env=_env(tmp_path / "data"),
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "bad.json" in out.stderr
    assert "Traceback" not in out.stderr
    assert bad.read_text(encoding="utf-8") == "{ nope"


def test_smoke_test_leaves_the_users_settings_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    mine = data / "mine.json"
    mine.write_text(json.dumps({"schema_version": 1, "name": "Mine", "holdings": []}))
    settings = data / "settings.json"
    before = json.dumps(
        {
            "schema_version": 2,
            "last_portfolio": str(mine),
            "recent_files": [str(mine)],
            "first_run_done": True,
        }
    )
    settings.write_text(before, encoding="utf-8")
    sample = resource_path("samples", "core-stack.json")
    out = subprocess.run(
        [sys.executable, "-m", "hedger", "--smoke-test", str(sample)],
        capture_output=True,
        text=True,
        env=_env(data),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert settings.read_text(encoding="utf-8") == before
