"""Under umask 000 every folder Hedger makes is 0700 and every file it writes 0600.

README ("Reliability"): "the data folder and its subfolders are created
private (0700) ... every new file Hedger writes is 0600, whatever the umask".
That includes folders made on the way to ``HEDGER_DATA_DIR`` and the files
the user exports (plan and journal CSVs, chart images).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def deep_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "a" / "b" / "data"
    monkeypatch.setenv("HEDGER_DATA_DIR", str(data))
    return data


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folders_under(root: Path) -> dict[str, int]:
    found = {p.relative_to(root).as_posix(): mode(p) for p in root.rglob("*") if p.is_dir()}
    return {**found, ".": mode(root)}


def test_every_folder_hedger_creates_is_private(
    umask_000: None, deep_data: Path, tmp_path: Path
) -> None:
    from hedger.services.recovery import recovery_dir
    from hedger.store.funding import FundingStore
    from hedger.store.history import HistoryStore
    from hedger.store.library import PortfolioLibrary
    from hedger.store.locks import lock_path_for
    from hedger.store.user_catalog import save_user_contract
    from hedger.store.versions import keep_version

    recovery_dir()
    _ = FundingStore().folder
    _ = HistoryStore().folder
    library = PortfolioLibrary()
    _ = library.trash_directory
    library.create("Mine")
    lock_path_for(tmp_path / "x.json")
    keep_version(tmp_path / "x.json", b"{}")
    save_user_contract(own_contract(), path=tmp_path / "own" / "cat" / "contracts.json")
    # Own folders given to the stores are created private too, parents included.
    _ = PortfolioLibrary(tmp_path / "own" / "books", trash=tmp_path / "own" / "bin").trash_directory
    _ = FundingStore(tmp_path / "own" / "funding").folder

    made = folders_under(deep_data)
    assert {"recovery", "funding", "history", "portfolios", "trash", "locks"} <= set(made)
    assert {name: m for name, m in made.items() if m != 0o700} == {}
    # The folders made on the way to HEDGER_DATA_DIR as well.
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700
    assert {n: m for n, m in folders_under(tmp_path / "own").items() if m != 0o700} == {}


def own_contract() -> Any:
    from hedger.core.catalog import builtin_catalog

    mbt = builtin_catalog().contracts["CME:MBT"]
    return mbt.model_copy(update={"id": "MINE:X"})


def test_existing_folders_keep_their_mode(umask_000: None, tmp_path: Path) -> None:
    from hedger.store.paths import ensure_private_dir

    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    ensure_private_dir(mine / "sub")
    assert mode(mine) == 0o755 and mode(mine / "sub") == 0o700
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        ensure_private_dir(tmp_path / "file")


@pytest.mark.gui
def test_exports_are_written_private(umask_000: None, qtbot: Any, tmp_path: Path) -> None:
    from hedger.core.catalog import builtin_catalog
    from hedger.services.library import sample_portfolio
    from hedger.store.library import PortfolioLibrary
    from hedger.store.settings import AppSettings
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow

    doc = PortfolioDocument(builtin_catalog(), sample_portfolio())
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    qtbot.addWidget(w)
    w.files.ask_unsaved = lambda _n: "discard"
    out = tmp_path / "plan.csv"
    w.files.ask_save_path = lambda *_a: out
    assert w.files.export_plan_csv() == out
    w.load_charts()
    qtbot.waitUntil(lambda: w.chart_host.chart is not None)
    charts = []
    for fmt in ("png", "svg"):
        chart = tmp_path / f"chart.{fmt}"
        w.files.ask_save_path = lambda *_a, o=chart: o
        w._export_chart(fmt)
        charts.append(chart)
    assert charts[0].read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in charts[1].read_bytes()[:500]
    journal = tmp_path / "journal.csv"
    from hedger.ui.positions.journal_dialog import JournalDialog

    dialog = JournalDialog(doc)
    qtbot.addWidget(dialog)
    dialog.ask_path = lambda: journal
    assert dialog.export() == journal
    assert {p.name: oct(mode(p)) for p in (out, *charts, journal)} == {
        p.name: oct(0o600) for p in (out, *charts, journal)
    }
    # An export over a file the user made readable keeps that mode.
    out.chmod(0o644)
    w.files.ask_save_path = lambda *_a: out
    assert w.files.export_plan_csv() == out
    assert mode(out) == 0o644
