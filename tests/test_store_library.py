"""The portfolio library: listing, naming, renaming, copying, trash."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.models import Holding, Portfolio
from hedger.store import paths
from hedger.store.atomic import backup_path
from hedger.store.library import LibraryError, PortfolioLibrary, slugify
from hedger.store.portfolio_file import load_portfolio, save_portfolio


def btc(quantity: str = "0.5") -> Holding:
    return Holding(symbol="BTC", quantity=Decimal(quantity), price=Decimal("70000"))


@pytest.fixture
def library() -> PortfolioLibrary:
    return PortfolioLibrary()


def test_paths_follow_hedger_data_dir(data_dir: Path) -> None:
    assert paths.data_dir() == data_dir
    assert paths.portfolios_dir() == data_dir / "portfolios"
    assert paths.trash_dir().is_dir()
    assert paths.state_dir().is_dir()
    assert paths.user_catalog_path() == data_dir / "contracts.json"


def test_data_dir_is_created_on_demand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a" / "b"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(target))
    assert paths.data_dir() == target
    assert target.is_dir()


def test_default_data_dir_uses_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app, appauthor: str(tmp_path / app))
    assert paths.data_dir() == tmp_path / "Hedger"


def test_create_lists_and_loads(library: PortfolioLibrary, data_dir: Path) -> None:
    assert library.list() == []
    path = library.create("Core stack")
    assert path == data_dir / "portfolios" / "core-stack.json"
    [entry] = library.list()
    assert entry.path == path
    assert entry.name == "Core stack"
    assert entry.holdings_count == 0
    assert entry.ok and entry.error is None
    assert abs(entry.modified - path.stat().st_mtime) < 1e-3
    assert entry.modified_at.tzinfo is not None
    assert load_portfolio(path) == Portfolio(name="Core stack")


def test_list_counts_holdings_and_sorts_by_name(library: PortfolioLibrary) -> None:
    library.save_as(Portfolio(name="x", holdings=(btc(), btc("1"))), "beta book")
    library.create("Alpha")
    entries = library.list()
    assert [e.name for e in entries] == ["Alpha", "beta book"]
    assert entries[1].holdings_count == 2
    assert entries[1].total_value == Decimal("105000")


def test_list_picks_up_changes_to_a_file(library: PortfolioLibrary) -> None:
    path = library.create("Grows")
    assert library.list()[0].holdings_count == 0
    save_portfolio(path, Portfolio(name="Grows", holdings=(btc(), btc(), btc())))
    os.utime(path, ns=(0, 10**18))  # a new mtime even on coarse clocks
    assert library.list()[0].holdings_count == 3


def test_name_collisions_get_numbered_files(library: PortfolioLibrary) -> None:
    first = library.create("Core")
    second = library.create("Core")
    third = library.create("CORE!")
    assert [p.name for p in (first, second, third)] == ["core.json", "core-2.json", "core-3.json"]
    assert [e.name for e in library.list()] == ["Core", "Core", "CORE!"]


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "../../etc/passwd",
        "..",
        ".hidden",
        "a/b\\c",
        "/absolute",
        "C:\\Windows\\evil",
        "con",
        "NUL",
        "~",
        "💰💰",
        "x" * 120,
    ],
)
def test_unsafe_names_stay_inside_the_library(library: PortfolioLibrary, name: str) -> None:
    path = library.create(name)
    assert path.parent == library.directory
    assert not path.name.startswith(".")
    assert len(path.name.encode()) < 100
    assert load_portfolio(path).name == name
    assert [e.name for e in library.list()] == [name]


def test_slugify() -> None:
    assert slugify("Core stack") == "core-stack"
    assert slugify("  Crème brûlée 2 ") == "creme-brulee-2"
    assert slugify("../../x") == "x"
    assert slugify("...") == "portfolio"
    assert slugify("COM1") == "com1-portfolio"
    assert slugify("Портфель") == "портфель"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "portfolio name: must have at least 1 character"),
        ("   ", "portfolio name: must have at least 1 character"),
        ("x" * 121, "portfolio name: must have at most 120 characters"),
        ("two\nlines", "a portfolio name cannot contain line breaks or control characters"),
    ],
)
def test_bad_names_are_refused(library: PortfolioLibrary, name: str, message: str) -> None:
    with pytest.raises(LibraryError) as info:
        library.create(name)
    assert str(info.value) == message
    assert list(library.directory.iterdir()) == []


def test_corrupt_file_is_listed_with_its_error(library: PortfolioLibrary) -> None:
    library.create("Good")
    (library.directory / "broken.json").write_bytes(b'{"schema_version": 1, "name": ')
    (library.directory / "future.json").write_text('{"schema_version": 99, "name": "F"}')
    entries = {e.path.name: e for e in library.list()}
    assert set(entries) == {"good.json", "broken.json", "future.json"}
    broken = entries["broken.json"]
    assert broken.name == "broken"
    assert not broken.ok
    assert broken.error is not None
    assert broken.error.startswith("broken.json: not a Hedger portfolio (invalid JSON")
    assert entries["future.json"].error == (
        "future.json: written by a newer Hedger (schema 99; this version reads up to 2)"
    )
    assert entries["good.json"].ok


def test_list_ignores_backups_temp_files_and_other_files(library: PortfolioLibrary) -> None:
    path = library.create("One")
    save_portfolio(path, Portfolio(name="One", holdings=(btc(),)))
    assert backup_path(path).exists()
    (library.directory / ".one.json.1234abcd.tmp").write_bytes(b'{"half')
    (library.directory / "notes.txt").write_text("hi")
    (library.directory / "sub.json").mkdir()
    assert [e.path.name for e in library.list()] == ["one.json"]


def test_stale_temp_files_are_swept_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    stale = folder / ".p.json.deadbeefdeadbeef.tmp"
    fresh = folder / ".p.json.cafebabecafebabe.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (0, 0))
    PortfolioLibrary(folder)
    assert not stale.exists()
    assert fresh.exists()  # may belong to a save running right now


def test_save_as_writes_a_new_file_under_the_new_name(library: PortfolioLibrary) -> None:
    original = Portfolio(name="Mine", holdings=(btc(),))
    path = library.save_as(original, "Hedged copy")
    loaded = load_portfolio(path)
    assert loaded.name == "Hedged copy"
    assert loaded.holdings == original.holdings


def test_rename_changes_file_and_name(library: PortfolioLibrary) -> None:
    path = library.create("Old name")
    save_portfolio(path, Portfolio(name="Old name", holdings=(btc(),)))
    new_path = library.rename(path, "New name")
    assert new_path.name == "new-name.json"
    assert not path.exists()
    assert not backup_path(path).exists()
    assert backup_path(new_path).exists()
    loaded = load_portfolio(new_path)
    assert loaded.name == "New name"
    assert loaded.holdings == (btc(),)
    assert [e.name for e in library.list()] == ["New name"]


def test_rename_that_keeps_the_slug_rewrites_in_place(library: PortfolioLibrary) -> None:
    path = library.create("core stack")
    assert library.rename(path, "Core Stack") == path
    assert load_portfolio(path).name == "Core Stack"


def test_rename_onto_a_taken_name_does_not_overwrite(library: PortfolioLibrary) -> None:
    a = library.create("A")
    b = library.create("B")
    new_b = library.rename(b, "A")
    assert new_b != a
    assert load_portfolio(a).name == "A"
    assert load_portfolio(new_b).name == "A"


def test_rename_of_a_damaged_file_is_refused(library: PortfolioLibrary) -> None:
    bad = library.directory / "bad.json"
    bad.write_text("{")
    with pytest.raises(LibraryError, match=r"^bad\.json: not a Hedger portfolio"):
        library.rename(bad, "Better")
    assert bad.read_text() == "{"


def test_duplicate_names_the_copy(library: PortfolioLibrary) -> None:
    path = library.create("Core stack")
    save_portfolio(path, Portfolio(name="Core stack", holdings=(btc(),)))
    copy1 = library.duplicate(path)
    copy2 = library.duplicate(path)
    copy3 = library.duplicate(copy1)
    named = library.duplicate(path, "Experiment")
    names = [load_portfolio(p).name for p in (copy1, copy2, copy3, named)]
    assert names == [
        "Core stack (copy)",
        "Core stack (copy 2)",
        "Core stack (copy 3)",
        "Experiment",
    ]
    assert load_portfolio(copy1).holdings == (btc(),)
    assert len({path, copy1, copy2, copy3, named}) == 5


def test_duplicate_of_a_long_name_stays_valid(library: PortfolioLibrary) -> None:
    path = library.create("n" * 120)
    copy = library.duplicate(path)
    assert load_portfolio(copy).name.endswith(" (copy)")
    assert len(load_portfolio(copy).name) == 120


def test_delete_moves_to_trash_and_restore_brings_back(
    library: PortfolioLibrary, data_dir: Path
) -> None:
    path = library.create("Doomed")
    save_portfolio(path, Portfolio(name="Doomed", holdings=(btc(),)))
    trashed = library.delete(path)
    assert not path.exists()
    assert not backup_path(path).exists()
    assert trashed.parent == data_dir / "trash"
    assert backup_path(trashed).exists()
    assert library.list() == []
    assert [e.name for e in library.trashed()] == ["Doomed"]
    restored = library.restore(trashed)
    assert restored == path
    assert load_portfolio(restored).holdings == (btc(),)
    assert library.trashed() == []


def test_deleting_twice_the_same_name_keeps_both_in_trash(library: PortfolioLibrary) -> None:
    first = library.delete(library.create("Twice"))
    second = library.delete(library.create("Twice"))
    assert first != second
    assert first.exists() and second.exists()


def test_damaged_file_can_be_deleted(library: PortfolioLibrary) -> None:
    bad = library.directory / "bad.json"
    bad.write_bytes(b"\x00\x01")
    trashed = library.delete(bad)
    assert trashed.read_bytes() == b"\x00\x01"
    assert library.list() == []


def test_operations_refuse_files_outside_the_library(
    library: PortfolioLibrary, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.json"
    save_portfolio(outside, Portfolio(name="Elsewhere"))
    sneaky = library.directory / ".." / "elsewhere.json"
    for op in (library.delete, lambda p: library.rename(p, "x"), library.duplicate):
        with pytest.raises(LibraryError, match="not in the portfolio library"):
            op(outside)
    with pytest.raises(LibraryError, match="not in the portfolio library"):
        library.delete(sneaky)
    assert outside.exists()


def test_missing_file_gives_a_clear_error(library: PortfolioLibrary) -> None:
    path = library.create("Gone")
    path.unlink()
    with pytest.raises(LibraryError, match=r"^gone\.json: no longer exists$"):
        library.delete(path)


def test_find_and_path_for(library: PortfolioLibrary) -> None:
    path = library.create("Core stack")
    assert library.find("core STACK") == path
    assert library.find("Nothing") is None
    assert library.path_for("Core stack").name == "core-stack-2.json"
    assert library.path_for("Other").name == "other.json"
    assert not library.path_for("Other").exists()


def test_unusable_folder_is_a_library_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LibraryError, match="cannot use the portfolio folder"):
        PortfolioLibrary(blocker / "portfolios")
