"""The generic atomic writer used by every store (settings, recovery, history)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedger.store.atomic import (
    atomic_write_bytes,
    atomic_write_text,
    backup_path,
    is_temp_file,
    remove_stale_temp_files,
)


def test_write_creates_then_replaces(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    atomic_write_text(path, "one")
    atomic_write_text(path, "two ₿")
    assert path.read_text(encoding="utf-8") == "two ₿"
    assert not backup_path(path).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_backup_keeps_the_replaced_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    atomic_write_bytes(path, b"first", backup=True)
    assert not backup_path(path).exists()  # nothing to back up yet
    atomic_write_bytes(path, b"second", backup=True)
    assert backup_path(path).read_bytes() == b"first"
    atomic_write_bytes(path, b"third", backup=True)
    assert backup_path(path).read_bytes() == b"second"
    # A write without backup leaves the last backup alone.
    atomic_write_bytes(path, b"fourth")
    assert path.read_bytes() == b"fourth"
    assert backup_path(path).read_bytes() == b"second"


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "x.json", "x")
    assert list(tmp_path.iterdir()) == []


def test_writing_over_a_folder_fails_and_cleans_up(tmp_path: Path) -> None:
    (tmp_path / "x.json").mkdir()
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "x.json", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_temp_file_names_are_recognised(tmp_path: Path) -> None:
    assert is_temp_file(tmp_path / ".p.json.0123456789abcdef.tmp")
    assert not is_temp_file(tmp_path / "p.json")
    assert not is_temp_file(tmp_path / "p.json.bak")
    assert not is_temp_file(tmp_path / ".notes.tmp")


def test_very_long_names_still_get_a_valid_temp_file(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 120 + ".json")  # 245 bytes: near the usual limit
    atomic_write_text(path, "ok", backup=True)
    atomic_write_text(path, "ok2")
    assert path.read_text() == "ok2"


def test_stale_sweep_only_touches_temp_files(tmp_path: Path) -> None:
    keep = tmp_path / "p.json"
    keep.write_text("x")
    stale = tmp_path / ".p.json.0011223344556677.tmp"
    stale.write_text("half")
    assert remove_stale_temp_files(tmp_path, min_age_seconds=-1) == 1
    assert keep.exists() and not stale.exists()
    assert remove_stale_temp_files(tmp_path / "missing") == 0


def test_sweep_leaves_other_programs_hidden_tmp_files(tmp_path: Path) -> None:
    # A portfolio saved in ~/Documents sweeps that folder: only Hedger's own
    # ".<name>.<16 hex>.tmp" names may go, never an editor's or a browser's.
    others = [
        ".notes.tmp",
        ".p.json.draft.tmp",
        ".p.json.0123456789ABCDEF.tmp",  # upper-case hex: not what we write
        ".p.json.0123456789abcde.tmp",  # 15 hex digits
        "..tmp",
        ".0123456789abcdef.tmp",  # no name before the token
    ]
    for name in others:
        (tmp_path / name).write_text("precious")
    ours = tmp_path / ".p.json.0123456789abcdef.tmp"
    ours.write_text("half")
    assert remove_stale_temp_files(tmp_path, min_age_seconds=-1) == 1
    assert not ours.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others)
    assert not any(is_temp_file(tmp_path / name) for name in others)


def test_the_writers_temp_names_are_the_ones_swept(tmp_path: Path) -> None:
    from hedger.store import atomic

    for name in ("p.json", "é" * 120 + ".json", "BTC.npz", "a.b.c"):
        assert is_temp_file(atomic._temp_name(tmp_path, name))
