"""The funding store: versioned files beside the price histories, damaged ones kept aside."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.funding import FundingHistory
from hedger.store.funding import FundingStore, FundingStoreError, file_name, funding_dir
from hedger.store.history import history_dir

H = 3_600_000
T0 = 1_767_225_600_000


def history(n: int = 10, start: int = T0, rate: str = "0.0001") -> FundingHistory:
    times = tuple(start + i * 8 * H for i in range(n))
    return FundingHistory("BINANCE:BTCUSDT", times, (Decimal(rate),) * n, ("test",))


def test_round_trip_is_exact_and_lives_beside_the_price_histories(data_dir: Path) -> None:
    store = FundingStore()
    h = history()
    info = store.save(h)
    assert info.rows == 10 and info.first_ms == T0
    assert funding_dir().parent == history_dir().parent == data_dir
    path = funding_dir() / "BINANCE_BTCUSDT.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1 and doc["sign"].startswith("positive rate")
    assert doc["rows"][0] == [T0, "0.0001"]
    assert store.load("BINANCE:BTCUSDT") == h


def test_merge_keeps_old_rows_and_the_new_row_wins_on_a_tie(tmp_path: Path) -> None:
    store = FundingStore(tmp_path)
    store.save(history(10))
    newer = history(10, T0 + 5 * 8 * H, "0.0002")
    info, aside = store.merge(newer)
    assert aside is None and info.rows == 15
    loaded = store.load("BINANCE:BTCUSDT")
    assert loaded.rates[4] == Decimal("0.0001") and loaded.rates[5] == Decimal("0.0002")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"schema_version": 1, "contract": "BINANCE:BTCUSDT", "rows": [[1, 2]]}',
        '{"schema_version": 1, "contract": "BINANCE:BTCUSDT", "rows": [[2, "1"], [1, "1"]]}',
        '{"schema_version": 1, "contract": "BINANCE:BTCUSDT", "rows": [[1, "NaN"]]}',
        '{"contract": "BINANCE:BTCUSDT", "rows": []}',
    ],
)
def test_damaged_files_are_listed_never_used_and_kept_aside(tmp_path: Path, text: str) -> None:
    store = FundingStore(tmp_path)
    (tmp_path / "BINANCE_BTCUSDT.json").write_text(text, encoding="utf-8")
    good, bad = store.scan()
    assert good == [] and [d.contract_id for d in bad] == ["BINANCE:BTCUSDT"]
    with pytest.raises(FundingStoreError):
        store.load("BINANCE:BTCUSDT")
    assert store.load_many(["BINANCE:BTCUSDT"]) == {}
    info, aside = store.merge(history())
    assert aside == "BINANCE_BTCUSDT.json.damaged" and info.rows == 10
    assert (tmp_path / aside).read_text(encoding="utf-8") == text


def test_a_newer_file_is_refused_with_its_version(tmp_path: Path) -> None:
    store = FundingStore(tmp_path)
    (tmp_path / "BINANCE_BTCUSDT.json").write_text(
        '{"schema_version": 9, "contract": "BINANCE:BTCUSDT", "rows": []}', encoding="utf-8"
    )
    with pytest.raises(FundingStoreError, match="newer Hedger"):
        store.load("BINANCE:BTCUSDT")


def test_file_names_are_safe_and_unique() -> None:
    assert file_name("OKX:BTC-USDT-SWAP") == "OKX_BTC-USDT-SWAP.json"
    for bad in ("nocolon", "A:../x", "A:b/c", ":X"):
        with pytest.raises(FundingStoreError):
            file_name(bad)


def test_delete(tmp_path: Path) -> None:
    store = FundingStore(tmp_path)
    store.save(history())
    store.delete("BINANCE:BTCUSDT")
    assert not store.has("BINANCE:BTCUSDT")
    with pytest.raises(FundingStoreError):
        store.delete("BINANCE:BTCUSDT")


def test_parallel_downloads_of_one_contract_keep_every_row(tmp_path: Path) -> None:
    """Processes merging disjoint funding rows into one contract at once lose none."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_merge_rows, args=(str(tmp_path), k)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    stored = FundingStore(tmp_path / "funding").load("BINANCE:BTCUSDT")
    assert len(stored.times_ms) == 4 * 50


def _merge_rows(folder: str, k: int) -> None:
    import os

    os.environ["HEDGER_DATA_DIR"] = folder
    FundingStore(Path(folder) / "funding").merge(history(50, T0 + k * 50 * 8 * H))
