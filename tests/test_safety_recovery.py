"""Recovery files at start-up: read bounded, damaged ones set aside and named, never a hang.

The app looks for them on the GUI thread right after the first paint, so a
FIFO, a huge file or a 100,000-deep JSON array in ``recovery/`` must not
freeze the window or end in a traceback that skips the other recoveries.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from safety_helpers import fifo_unblocked_after

from hedger.core.models import Holding, Portfolio
from hedger.services import recovery
from hedger.services.recovery import recovery_dir, write_recovery

DEAD_PIDS = iter(range(4_000_001, 4_100_000))  # above Linux's pid_max: never running


def dead_session() -> Path:
    return recovery_dir() / f"session-{next(DEAD_PIDS)}.json"


def good_work() -> Path:
    f = dead_session()
    holding = Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "70000"})
    write_recovery(f, Portfolio(name="Kept", holdings=(holding,)), Path("/tmp/kept.json"))
    return f


def damaged(kind: str) -> Path:
    f = dead_session()
    if kind == "fifo":
        fifo_unblocked_after(f)
    elif kind == "deep":
        f.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "huge":
        f.write_bytes(b" " * 2048)
    elif kind == "half":
        f.write_text('{"schema_version": 1, "portfolio": {"na')
    elif kind == "not-a-portfolio":
        f.write_text(json.dumps({"portfolio": {"schema_version": 1, "holdings": "x"}}))
    elif kind == "bad-time":
        good = json.loads(good_work().read_text())
        f.write_text(json.dumps({**good, "saved_at": "yesterday"}))
    elif kind == "folder":
        f.mkdir()
    return f


KINDS = ["fifo", "deep", "huge", "half", "not-a-portfolio", "bad-time", "folder"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_recovery_file_is_set_aside_and_named(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    monkeypatch.setattr(recovery, "MAX_PORTFOLIO_BYTES", 1024)
    keep = good_work()
    bad = damaged(kind)
    started = time.monotonic()
    scan = recovery.scan_recovery()
    assert time.monotonic() - started < 2
    found = {w.file for w in scan.work}
    assert keep in found and bad not in found
    assert [d.file for d in scan.damaged] == [bad]
    message = scan.damaged[0].message()
    assert bad.name in message and "\n" not in message
    assert not bad.exists() and bad.with_name(bad.name + ".damaged").exists()
    # Said once: the next start-up does not ask again.
    assert recovery.scan_recovery().damaged == []
    assert [w.file for w in recovery.find_recoverable()] == [w.file for w in scan.work]


def test_a_recovered_portfolio_keeps_its_original_path_and_time() -> None:
    f = good_work()
    (work,) = recovery.find_recoverable()
    assert work.file == f and work.portfolio.name == "Kept"
    assert work.original_path == Path("/tmp/kept.json")
    assert work.saved_at.tzinfo is not None


@pytest.mark.gui
def test_start_up_names_a_damaged_recovery_file_and_offers_the_rest(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from hedger.core.catalog import builtin_catalog
    from hedger.store.library import PortfolioLibrary
    from hedger.store.settings import AppSettings
    from hedger.ui import app as app_mod
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow

    good_work()
    damaged("deep")
    warnings: list[str] = []
    questions: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text: warnings.append(text))

    def ask(_w: Any, _t: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", ask)
    w = MainWindow(
        PortfolioDocument(builtin_catalog(), Portfolio(name="P")), PortfolioLibrary(), AppSettings()
    )
    qtbot.addWidget(w)
    app_mod._after_show(w, [])
    assert len(warnings) == 1 and "could not be read" in warnings[0]
    assert len(questions) == 1 and "Kept" in questions[0]
