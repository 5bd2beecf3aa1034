"""Shared by the tests/test_safety_*.py files: run hedger as a process and measure it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# The command runs in a child Python that reports its own peak memory last,
# so a test can check "within 2 s and 200 MB" on the real process.
_RUNNER = (
    "import json, resource, sys\n"
    "from hedger.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(json.dumps({'peak_kb': peak}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str  # without the runner's own last line
    seconds: float
    peak_mb: float


def run_hedger(
    args: list[str], data_dir: Path, *, env: dict[str, str] | None = None, timeout: float = 60
) -> Run:
    """``hedger ARGS`` as its own process with ``HEDGER_DATA_DIR=data_dir``."""
    full_env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), **(env or {})}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    lines = proc.stderr.splitlines()
    peak_kb = 0.0
    if lines and lines[-1].startswith('{"peak_kb"'):
        peak_kb = float(json.loads(lines.pop())["peak_kb"])
    err = "\n".join(lines) + ("\n" if lines else "")
    return Run(proc.returncode, proc.stdout, err, seconds, peak_kb / 1024)


def start_hedger(args: list[str], data_dir: Path) -> subprocess.Popen[str]:
    """``hedger ARGS`` started in the background (for runs that overlap)."""
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", _RUNNER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
