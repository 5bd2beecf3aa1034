"""kill -9 in the middle of saving never leaves a broken or mixed portfolio file.

A helper process imports Hedger once, then for each round forks a writer that
saves two alternating versions to one path as fast as it can; the test kills
the writer with SIGKILL after a random 5-80 ms and checks what is on disk.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hedger.core.models import Portfolio
from hedger.store.atomic import backup_path, is_temp_file
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import load_portfolio

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL"
)

ROUNDS = 20
HOLDINGS = 1500  # ~100 KB: a save takes long enough for kills to land inside it

VERSIONS = """
from decimal import Decimal
from hedger.core.models import Holding, Portfolio

def version(tag: int) -> Portfolio:
    return Portfolio(
        name=f"Version {tag}",
        holdings=tuple(
            Holding(symbol=f"C{i % 20}", quantity=Decimal(i) + Decimal(tag), price=Decimal("1.5"))
            for i in range(HOLDINGS)
        ),
    )
"""

DRIVER = (
    VERSIONS
    + """
import os, sys
from pathlib import Path
HOLDINGS = int(sys.argv[2])
from hedger.store.portfolio_file import save_portfolio

path = Path(sys.argv[1])
versions = [version(1), version(2)]
save_portfolio(path, versions[0])
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() != "go":
        break
    pid = os.fork()
    if pid == 0:
        i = 1
        while True:
            save_portfolio(path, versions[i % 2])
            i += 1
    print(pid, flush=True)
    os.waitpid(pid, 0)
"""
)


# The test and the writer build the versions from the same source text.
_namespace: dict[str, Any] = {"HOLDINGS": HOLDINGS}
exec(VERSIONS, _namespace)
version: Callable[[int], Portfolio] = _namespace["version"]


def test_sigkill_during_saves_leaves_old_or_new_version(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "p.json"
    expected = [version(1), version(2)]
    rng = random.Random(20261123)
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(path), str(HOLDINGS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert driver.stdin is not None and driver.stdout is not None
    seen: set[str] = set()
    leftovers = 0
    writer = 0
    try:
        assert driver.stdout.readline().strip() == "ready"
        started = time.monotonic()
        for _ in range(ROUNDS):
            driver.stdin.write("go\n")
            driver.stdin.flush()
            writer = int(driver.stdout.readline())
            time.sleep(rng.uniform(0.005, 0.080))
            os.kill(writer, signal.SIGKILL)
            # The driver reaps the writer before reading the next "go"; give it
            # a moment so the checks below see a quiet folder.
            _wait_until_gone(writer)

            loaded = load_portfolio(path)
            assert loaded in expected
            seen.add(loaded.name)
            if backup_path(path).exists():
                assert load_portfolio(backup_path(path)) in expected
            temps = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            assert all(is_temp_file(p) for p in temps)
            leftovers += len(temps)
            entries = PortfolioLibrary(folder, trash=tmp_path / "trash").list()
            assert [(e.path, e.ok) for e in entries] == [(path, True)]
        assert time.monotonic() - started < 30
    finally:
        if writer:
            with contextlib.suppress(ProcessLookupError):
                os.kill(writer, signal.SIGKILL)
        driver.kill()
        driver.wait()
    # Both versions should have been caught on disk at some point; with 20
    # random kills over a 2-version loop, all-the-same means saves never ran.
    assert seen == {"Version 1", "Version 2"} or leftovers > 0


def _wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.002)
    raise AssertionError(f"writer {pid} survived SIGKILL")
