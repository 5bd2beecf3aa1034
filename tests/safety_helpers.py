"""Shared by the tests/test_safety_*.py files: run hedger as a process and measure it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The command runs in a child Python that reports its own peak memory last,
# so a test can check "within 2 s and 200 MB" on the real process.
_RUNNER = (
    "import json, sys, time\n"
    "from hedger.cli import main\n"
    "started = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "work = time.perf_counter() - started\n"
    "sys.stdout.flush()\n"
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
    "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
    "print(json.dumps({'peak_kb': peak, 'work': work}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str  # without the runner's own last line
    seconds: float  # wall clock, starting Python included
    peak_mb: float
    work_seconds: float  # the command itself, from main() to its exit status


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
    peak_kb, work = 0.0, seconds
    if lines and lines[-1].startswith('{"peak_kb"'):
        report = json.loads(lines.pop())
        peak_kb, work = float(report["peak_kb"]), float(report["work"])
    err = "\n".join(lines) + ("\n" if lines else "")
    return Run(proc.returncode, proc.stdout, err, seconds, peak_kb / 1024, work)


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


# ------------------------------------------------------------- processes started together
# Spawned children run these (they import this module by name): each waits at
# the barrier so the writers really overlap, then does its part.


def cli_after(barrier: Any, args: list[str], data_dir: str) -> int:
    """Wait for the others, then run ``hedger ARGS``; the exit status."""
    import contextlib
    import io

    os.environ["HEDGER_DATA_DIR"] = data_dir
    from hedger.cli import main

    barrier.wait(timeout=60)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(args)


def bump_after(barrier: Any, path: str, data_dir: str, times: int) -> None:
    """Add 1 to the first holding's quantity ``times`` times, each a locked read-change-write."""
    os.environ["HEDGER_DATA_DIR"] = data_dir
    from decimal import Decimal

    from hedger.core.models import Portfolio
    from hedger.services.portfolios import update_portfolio

    def bump(p: Portfolio) -> Portfolio:
        first = p.holdings[0]
        changed = first.model_copy(update={"quantity": first.quantity + Decimal(1)})
        return p.model_copy(update={"holdings": (changed, *p.holdings[1:])})

    barrier.wait(timeout=60)
    for _ in range(times):
        update_portfolio(Path(path), bump)


def hold_lock(path: str, data_dir: str, ready: Any, seconds: float) -> None:
    """Take the lock of ``path``, say so, and keep it for ``seconds`` (or until killed)."""
    os.environ["HEDGER_DATA_DIR"] = data_dir
    from hedger.store.locks import locked

    with locked(Path(path), what="test"):
        ready.set()
        time.sleep(seconds)


def run_together(target: Any, arg_lists: list[tuple[Any, ...]]) -> list[int | None]:
    """Start one spawned process per argument tuple at once; their exit codes."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(arg_lists))
    procs = [ctx.Process(target=_exit_with, args=(target, barrier, *a)) for a in arg_lists]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    return [p.exitcode for p in procs]


def _exit_with(target: Any, *args: Any) -> None:
    code = target(*args)
    raise SystemExit(code if isinstance(code, int) else 0)


def hold_claim(path: str, data_dir: str, ready: Any, seconds: float) -> None:
    """Open ``path`` for editing as another Hedger window would, and keep it open."""
    os.environ["HEDGER_DATA_DIR"] = data_dir
    from hedger.services.portfolios import claim_for_editing

    claim = claim_for_editing(Path(path))
    assert claim is not None
    ready.set()
    time.sleep(seconds)


def fifo_unblocked_after(path: Path, seconds: float = 4.0) -> Path:
    """A FIFO that a daemon thread opens for writing (then closes) after ``seconds``.

    Before the fix a reader blocked forever in open(); the writer lets such a
    reader finish (it reads nothing), so the test fails on its timing instead of hanging.
    """
    os.mkfifo(path)

    def release() -> None:
        time.sleep(seconds)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody is reading: nothing to release
            return
        os.close(fd)

    threading.Thread(target=release, daemon=True).start()
    return path
