"""Files the user hands the GUI (holdings and positions CSVs): regular files only, bounded.

A FIFO dropped on the window must not freeze it, and /dev/zero must not fill
the memory: both are refused at once with a reason, as `history import` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from safety_helpers import fifo_unblocked_after

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from hedger.core.holdings_csv import HoldingsFileError, read_holdings_file

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


@needs_fifo
def test_reading_holdings_from_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = fifo_unblocked_after(tmp_path / "h.csv")
    started = time.monotonic()
    with pytest.raises(HoldingsFileError, match=r"h\.csv: not a regular file"):
        read_holdings_file(fifo)
    assert time.monotonic() - started < 2


def run_bounded(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a child Python under 1 GB of address space and 20 s (a reader of
    /dev/zero that does not stop ends in MemoryError there, not in the test run)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.skipif(
    not Path("/dev/zero").exists() or resource is None, reason="no /dev/zero or rlimits"
)
def test_reading_holdings_from_dev_zero_is_refused_without_reading_it() -> None:
    run = run_bounded(
        "from pathlib import Path\n"
        "from hedger.core.holdings_csv import HoldingsFileError, read_holdings_file\n"
        "try:\n"
        "    read_holdings_file(Path('/dev/zero'))\n"
        "except HoldingsFileError as exc:\n"
        "    print(exc)\n"
    )
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout == "zero: not a regular file\n"


def test_a_holdings_file_growing_past_the_limit_is_counted_while_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stat says small, the read finds more: the count is what decides.
    path = tmp_path / "h.csv"
    path.write_text("BTC,1,70000\n" * 100)
    from hedger.core import bounded_read

    real_stat = os.stat

    def small_stat(p: Any, *a: Any, **kw: Any) -> os.stat_result:
        st = real_stat(p, *a, **kw)
        if Path(p) == path:
            return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:]))
        return st

    monkeypatch.setattr(bounded_read.os, "stat", small_stat)
    monkeypatch.setattr("hedger.core.holdings_csv.MAX_FILE_BYTES", 100)
    with pytest.raises(HoldingsFileError, match="too large"):
        read_holdings_file(path)


def test_one_bounded_reader_serves_every_file_import() -> None:
    # The history import, the JSON stores, and both CSV imports share it; a
    # third hand-written reader would drift from the rules.
    from hedger.core import bounded_read, holdings_csv
    from hedger.core.analytics import history
    from hedger.store import jsonfile

    for module in (history, holdings_csv, jsonfile):
        assert module.read_regular is bounded_read.read_regular  # type: ignore[attr-defined]


@pytest.mark.gui
@needs_fifo
def test_the_holdings_panel_refuses_a_fifo_without_freezing(qtbot: Any, tmp_path: Path) -> None:
    from hedger.core.catalog import builtin_catalog
    from hedger.core.models import Portfolio
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.holdings.panel import HoldingsPanel

    doc = PortfolioDocument(builtin_catalog(), Portfolio(name="P"))
    panel = HoldingsPanel(doc)
    qtbot.addWidget(panel)
    asked: list[Any] = []
    panel.ask = lambda q: asked.append(q) or "ok"
    fifo = fifo_unblocked_after(tmp_path / "holdings.csv")
    started = time.monotonic()
    assert not panel.import_csv(fifo)
    assert time.monotonic() - started < 2
    assert "not a regular file" in asked[0].informative


@pytest.mark.gui
@needs_fifo
def test_the_positions_panel_refuses_a_fifo_without_freezing(qtbot: Any, tmp_path: Path) -> None:
    from hedger.core.catalog import builtin_catalog
    from hedger.core.models import Portfolio
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.positions.panel import PositionsPanel

    doc = PortfolioDocument(builtin_catalog(), Portfolio(name="P"))
    panel = PositionsPanel(doc)
    qtbot.addWidget(panel)
    messages: list[str] = []
    panel.statusMessage.connect(messages.append)
    fifo = fifo_unblocked_after(tmp_path / "positions.csv")
    started = time.monotonic()
    assert not panel.import_csv(fifo)
    assert time.monotonic() - started < 2
    assert messages and "not a regular file" in messages[-1]
