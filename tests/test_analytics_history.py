"""Price history import: formats, time zones, bad-row reports, storage and merging."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedger.core.analytics.history import (
    HistoryImportError,
    ImportReport,
    parse_price_bytes,
    read_price_file,
)
from hedger.core.analytics.series import NS_PER_DAY, PriceSeries, SeriesError, ns_to_iso
from hedger.store.history import (
    HistoryStore,
    HistoryStoreError,
    PartialImportRefused,
    file_stem,
)

DAY0 = np.datetime64("2024-01-01", "ns").astype(np.int64)


def parse(text: str | bytes, symbol: str = "BTC") -> ImportReport:
    data = text.encode() if isinstance(text, str) else text
    return parse_price_bytes(data, symbol, "test.csv")


def iso_days(report: ImportReport) -> list[str]:
    return [ns_to_iso(int(t)) for t in report.series.timestamps]


# --------------------------------------------------------------------------- formats


def test_plain_date_close() -> None:
    r = parse("date,close\n2024-01-01,42000.5\n2024-01-02,43000\n")
    assert r.clean and r.layout.format_name == "CSV"
    assert iso_days(r) == ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]
    assert r.series.closes.tolist() == [42000.5, 43000.0]


@pytest.mark.parametrize(
    ("stamp", "unit"),
    [("1704067200", "seconds"), ("1704067200000", "milliseconds")],
)
def test_timestamp_price_in_seconds_or_ms(stamp: str, unit: str) -> None:
    r = parse(f"timestamp,price\n{stamp},42000\n")
    assert iso_days(r) == ["2024-01-01T00:00:00Z"]
    assert any(unit in n for n in r.notes)


def test_coingecko_export() -> None:
    r = parse(
        "snapped_at,price,market_cap,total_volume\n"
        "2013-04-28 00:00:00 UTC,135.3,1500520000.0,0.0\n"
        "2013-04-29 00:00:00 UTC,141.96,1575032004.0,0.0\n"
    )
    assert r.layout.format_name == "CoinGecko export"
    assert r.layout.price_name == "price"
    assert iso_days(r)[0] == "2013-04-28T00:00:00Z"
    assert r.series.closes.tolist() == [135.3, 141.96]


def test_yahoo_export_uses_adjusted_close_and_reports_null_rows() -> None:
    r = parse(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-02,1,1,1,45000,44900,10\n"
        "2024-01-03,null,null,null,null,null,null\n"
        "2024-01-04,1,1,1,44000,43900,10\n"
    )
    assert r.layout.format_name == "Yahoo Finance export"
    assert r.layout.price_name == "Adj Close"
    assert r.series.closes.tolist() == [44900.0, 43900.0]
    assert r.bad_count == 1 and not r.clean
    assert r.bad_rows[0].row == 3
    assert "null" in r.bad_rows[0].reason


@pytest.mark.parametrize(
    ("open_time", "unit"),
    [("1704067200000", "milliseconds"), ("1704067200000000", "microseconds")],
)
def test_binance_klines_without_header(open_time: str, unit: str) -> None:
    r = parse(
        f"{open_time},42000.1,42100,41900,42050.5,12.5,1704067259999,525000,1540,6,250000,0\n"
    )
    assert r.layout.format_name == "Binance klines"
    assert r.series.closes.tolist() == [42050.5]  # the close, fifth column
    assert iso_days(r) == ["2024-01-01T00:00:00Z"]
    assert any(unit in n for n in r.notes)


def test_binance_futures_header() -> None:
    r = parse(
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,"
        "taker_buy_volume,taker_buy_quote_volume,ignore\n"
        "1704067200000,1,1,1,42050.5,1,1704067259999,1,1,1,1,0\n"
    )
    assert r.layout.format_name == "Binance klines"
    assert r.series.closes.tolist() == [42050.5]


def test_semicolons_crlf_bom_and_descending_order() -> None:
    data = "\ufeffDate;Close\r\n2024-01-03;3\r\n2024-01-02;2\r\n2024-01-01;1\r\n".encode()
    r = parse(data)
    assert r.clean
    assert r.series.closes.tolist() == [1.0, 2.0, 3.0]


def test_title_line_above_the_header_is_skipped() -> None:
    r = parse(
        "https://www.CryptoDataDownload.com\n"
        "unix,date,symbol,open,high,low,close,Volume BTC\n"
        "1704153600000,2024-01-02 00:00:00,BTCUSDT,1,1,1,43000,1\n"
        "1704067200000,2024-01-01 00:00:00,BTCUSDT,1,1,1,42000,1\n"
    )
    assert r.clean
    assert r.series.closes.tolist() == [42000.0, 43000.0]


def test_time_zones_are_normalised_to_utc() -> None:
    r = parse(
        "timestamp,price\n"
        "2024-01-01T02:00:00+02:00,1\n"
        "2024-01-01T01:00:00Z,2\n"
        "2024-01-01T00:00:00-0530,3\n"
        "2024-01-01 12:00:00 UTC,4\n"
    )
    assert iso_days(r) == [
        "2024-01-01T00:00:00Z",
        "2024-01-01T01:00:00Z",
        "2024-01-01T05:30:00Z",
        "2024-01-01T12:00:00Z",
    ]
    assert any("converted to UTC" in n for n in r.notes)


def test_naive_times_of_day_are_read_as_utc_and_said_so() -> None:
    r = parse("date,close\n2024-01-01 13:45,1\n2024-01-01 13:46:30.5,2\n")
    assert iso_days(r) == ["2024-01-01T13:45:00Z", "2024-01-01T13:46:30Z"]
    assert int(r.series.timestamps[1]) % 1_000_000_000 == 500_000_000
    assert any("read as UTC" in n for n in r.notes)


def test_intraday_iso_file_round_trip() -> None:
    stamps = DAY0 + np.arange(3000, dtype=np.int64) * 60 * 1_000_000_000
    texts = np.datetime_as_string(stamps.astype("datetime64[ns]"), unit="s")
    body = "\n".join(f"{t},{i + 1}" for i, t in enumerate(texts.tolist()))
    r = parse("date,close\n" + body + "\n")
    assert r.clean and r.good_rows == 3000
    assert np.array_equal(r.series.timestamps, stamps)


# --------------------------------------------------------------------------- bad rows


def test_bad_rows_are_numbered_with_reasons() -> None:
    r = parse(
        "date,close\n"
        "2024-01-01,1\n"
        "2024-01-02\n"
        "2024-01-03,abc\n"
        "2024-01-04,-5\n"
        "2024-02-30,5\n"
        "01/05/2024,6\n"
        "2024-01-06,42000,50\n"
        "\n"
        "2024-01-07,7\n"
    )
    assert r.good_rows == 3  # rows 2, 8 (extra column is fine) and 10
    assert r.bad_count == 5
    reasons = {e.row: e.reason for e in r.bad_rows}
    assert "at least 2 columns" in reasons[3]
    assert "'abc' is not a number" in reasons[4]
    assert "positive" in reasons[5]
    assert "2024-02-30" in reasons[6] and "not a real date" in reasons[6]
    assert "01/05/2024" in reasons[7]


def test_decimal_commas_get_a_helpful_reason() -> None:
    r = parse("date;close\n2024-01-01;42000,50\n2024-01-02;42001\n")
    assert r.bad_count == 1
    assert "decimal comma" in r.bad_rows[0].reason


def test_summary_shows_the_first_five_and_counts_the_rest() -> None:
    lines = "".join(f"2024-01-{d:02d},oops\n" for d in range(1, 13))
    r = parse("date,close\n2023-12-31,1\n" + lines)
    text = r.summary()
    assert "1 good, 12 bad" in text
    assert text.count("  row ") == 5
    assert "… and 7 more bad rows" in text


def test_repeated_timestamps_keep_the_last_row() -> None:
    r = parse("date,close\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n")
    assert r.clean
    assert r.duplicates == 1
    assert r.series.closes.tolist() == [3.0, 2.0]
    assert "repeated timestamps" in r.summary()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"name,value\nfoo,1\n", "no date or time column"),
        (b"date,volume\n2024-01-01,5\n", "no price column"),
        (b"2024-01-01,1,2\n", "no header and 3 columns"),
    ],
)
def test_unusable_files_are_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(HistoryImportError) as exc:
        parse(data)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryImportError, match="file not found"):
        read_price_file(tmp_path / "nope.csv", "BTC")
    with pytest.raises(HistoryImportError, match="folder"):
        read_price_file(tmp_path, "BTC")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        r = parse(b"date,close\n" + data)
    except HistoryImportError:
        return
    assert r.good_rows + r.bad_count <= r.rows_read + 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789-:TZ +./", max_size=30),
            st.text(alphabet="0123456789.-e,na", max_size=12),
        ),
        max_size=20,
    )
)
def test_random_rows_are_either_good_or_reported(rows: list[tuple[str, str]]) -> None:
    body = "".join(f"{t},{p}\n" for t, p in rows)
    try:
        r = parse("date,close\n" + body)
    except HistoryImportError:
        return
    assert bool(np.all(np.isfinite(r.series.closes))) and bool(np.all(r.series.closes > 0))
    assert bool(np.all(np.diff(r.series.timestamps) > 0))


# --------------------------------------------------------------------------- series


def test_series_refuses_bad_arrays() -> None:
    with pytest.raises(SeriesError):
        PriceSeries("BTC", np.array([2, 1]), np.array([1.0, 2.0]))
    with pytest.raises(SeriesError):
        PriceSeries("BTC", np.array([1, 2]), np.array([1.0, -2.0]))
    s = PriceSeries("BTC", np.array([1, 2]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        s.closes[0] = 5.0  # shared data is read-only


def test_merge_new_rows_win_on_equal_timestamps() -> None:
    old = PriceSeries("BTC", np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0]), ("a.csv",))
    new = PriceSeries("BTC", np.array([3, 4]), np.array([30.0, 4.0]), ("b.csv",))
    merged, stats = old.merged_with(new)
    assert merged.timestamps.tolist() == [1, 2, 3, 4]
    assert merged.closes.tolist() == [1.0, 2.0, 30.0, 4.0]
    assert (stats.added, stats.replaced, stats.unchanged) == (1, 1, 0)
    assert merged.sources == ("a.csv", "b.csv")


# --------------------------------------------------------------------------- storage


def daily(symbol: str, start_day: int, closes: list[float]) -> PriceSeries:
    ts = DAY0 + (start_day + np.arange(len(closes), dtype=np.int64)) * NS_PER_DAY
    return PriceSeries(symbol, ts, np.array(closes), (f"{symbol}.csv",))


def test_store_round_trip_and_listing(data_dir: Path) -> None:
    store = HistoryStore()
    outcome = store.merge(daily("BTC", 0, [1.0, 2.0, 3.0]))
    assert outcome.stats.added == 3
    assert (data_dir / "history" / "BTC.npz").is_file()
    side = json.loads((data_dir / "history" / "BTC.json").read_text())
    assert side["symbol"] == "BTC" and side["rows"] == 3 and side["schema_version"] == 1
    assert side["sources"] == ["BTC.csv"]
    assert side["first"] == "2024-01-01T00:00:00Z"
    loaded = store.load("btc")
    assert loaded.closes.tolist() == [1.0, 2.0, 3.0]
    infos = store.list_histories()
    assert [(i.symbol, i.rows) for i in infos] == [("BTC", 3)]


def test_reimport_merges_and_deduplicates(data_dir: Path) -> None:
    store = HistoryStore()
    store.merge(daily("ETH", 0, [1.0, 2.0, 3.0]))
    outcome = store.merge(daily("ETH", 2, [30.0, 4.0, 5.0]))
    assert (outcome.stats.added, outcome.stats.replaced) == (2, 1)
    s = store.load("ETH")
    assert s.closes.tolist() == [1.0, 2.0, 30.0, 4.0, 5.0]
    assert outcome.info.rows == 5


def test_partial_import_needs_consent_and_writes_nothing(data_dir: Path) -> None:
    store = HistoryStore()
    report = parse("date,close\n2024-01-01,1\n2024-01-02,null\n")
    with pytest.raises(PartialImportRefused, match="1 bad row"):
        store.import_report(report)
    assert not store.has("BTC")
    outcome = store.import_report(report, accept_partial=True)
    assert outcome.info.rows == 1


def test_import_with_no_good_rows_is_refused(data_dir: Path) -> None:
    report = parse("date,close\n2024-01-01,null\n")
    with pytest.raises(HistoryStoreError, match="no usable rows"):
        HistoryStore().import_report(report, accept_partial=True)


def test_damaged_history_is_one_line_error(data_dir: Path) -> None:
    store = HistoryStore()
    store.merge(daily("SOL", 0, [1.0, 2.0]))
    (data_dir / "history" / "SOL.npz").write_bytes(b"garbage")
    (data_dir / "history" / "SOL.json").unlink()
    with pytest.raises(HistoryStoreError, match="damaged") as exc:
        store.load("SOL")
    assert "\n" not in str(exc.value)
    assert store.list_histories() == []  # not used, not a crash...
    [damaged] = store.damaged()  # ...but reported, with its file name
    assert (damaged.symbol, damaged.file_name) == ("SOL", "SOL.npz")
    assert "SOL.npz" in damaged.message() and "\n" not in damaged.message()


def test_reimport_over_a_damaged_history_keeps_it_aside(data_dir: Path) -> None:
    folder = data_dir / "history"
    folder.mkdir(parents=True)
    (folder / "BTC.npz").write_bytes(b"junk that was once a history")
    store = HistoryStore()
    outcome = store.merge(daily("BTC", 0, [1.0, 2.0, 3.0]))
    assert outcome.set_aside == "BTC.npz.damaged"
    assert "kept as BTC.npz.damaged" in (outcome.set_aside_message() or "")
    # The damaged bytes are still there for the user, never silently overwritten.
    assert (folder / "BTC.npz.damaged").read_bytes() == b"junk that was once a history"
    assert store.load("BTC").closes.tolist() == [1.0, 2.0, 3.0]
    assert store.damaged() == []
    # A second damaged file does not replace the first one kept aside.
    (folder / "BTC.npz").write_bytes(b"more junk")
    assert store.merge(daily("BTC", 0, [4.0])).set_aside == "BTC.npz.damaged-2"
    assert (folder / "BTC.npz.damaged").read_bytes() == b"junk that was once a history"


def test_stale_sidecar_is_rebuilt_from_the_arrays(data_dir: Path) -> None:
    store = HistoryStore()
    store.merge(daily("BTC", 0, [1.0, 2.0]))
    side = data_dir / "history" / "BTC.json"
    doc = json.loads(side.read_text())
    doc["npz_bytes"] = 1
    doc["rows"] = 999
    side.write_text(json.dumps(doc))
    [info] = store.list_histories()
    assert info.rows == 2
    assert json.loads(side.read_text())["rows"] == 2


def test_windows_device_names_get_safe_files(data_dir: Path) -> None:
    assert file_stem("CON") == "CON_"
    assert file_stem("BTC") == "BTC"
    store = HistoryStore()
    store.merge(daily("CON", 0, [1.0, 2.0]))
    assert (data_dir / "history" / "CON_.npz").is_file()
    assert store.load("CON").closes.tolist() == [1.0, 2.0]
    (data_dir / "history" / "CON_.json").unlink()
    assert [i.symbol for i in store.list_histories()] == ["CON"]


def test_delete_and_no_temp_files_left(data_dir: Path) -> None:
    store = HistoryStore()
    store.merge(daily("BTC", 0, [1.0, 2.0]))
    store.merge(daily("BTC", 5, [3.0]))
    assert not [p for p in (data_dir / "history").iterdir() if p.name.endswith(".tmp")]
    store.delete("BTC")
    assert not store.has("BTC")
    with pytest.raises(HistoryStoreError):
        store.delete("BTC")


def test_imported_file_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "btc.csv"
    path.write_text("date,close\n2024-01-01,1\n2024-01-02,2\n")
    report = read_price_file(path, "BTC")
    assert report.source_name == "btc.csv"
    HistoryStore().import_report(report)
    assert HistoryStore().load("BTC").sources == ("btc.csv",)


def test_big_file_with_a_bad_row_reports_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small pieces so this file spans many: only the piece with the bad row
    # goes row by row, and line numbers still count from the file's top.
    import hedger.core.analytics.history as history

    monkeypatch.setattr(history, "CHUNK_BYTES", 2000)
    lines = [f"{1704067200 + 60 * i},{100 + i}" for i in range(5000)]
    lines[3210] = "1704259800,oops"
    r = parse("timestamp,price\n" + "\n".join(lines) + "\n")
    assert r.good_rows == 4999 and r.bad_count == 1
    assert r.bad_rows[0].row == 3212  # header is line 1, data row 3210 is line 3212
    assert r.rows_read == 5000
