"""``hedger history download`` end to end against a local server answering like Binance."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from test_download_venues import CandleServer

from hedger.cli import main
from hedger.live.candles import DAY_MS, HOUR_MS, aligned_end
from hedger.store.history import HistoryStore

NOW_MS = int(time.time() * 1000)
END = aligned_end(NOW_MS, "1d")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CandleServer]:
    with CandleServer() as s:
        s.add("BTC", DAY_MS, days=60, base=70000.0, now_ms=NOW_MS)
        s.add("ETH", DAY_MS, days=60, base=3500.0, now_ms=NOW_MS)
        s.add("ETH", HOUR_MS, days=3, base=3500.0, now_ms=NOW_MS)
        for key, value in s.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HEDGER_LIVE_TIMEOUT", "2")
        yield s


def test_download_prints_what_was_stored(
    server: CandleServer, capsys: pytest.CaptureFixture[str]
) -> None:
    del server.bars["ETH"][DAY_MS][END - 5 * DAY_MS]
    assert main(["history", "download", "btc", "ETH", "--days", "30"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # progress only on a terminal
    lines = out.splitlines()
    assert lines[0].startswith("Binance, daily closes (each UTC day's close, dated by its 00:00")
    assert lines[1].startswith("BTC (BTCUSDT spot): 30 new bars; 30 stored (")
    assert lines[2].startswith("ETH (ETHUSDT spot): 29 new bars; 29 stored (")
    assert lines[2].endswith("; 1 gap (1 bar missing)")
    assert lines[3].startswith("  gap: no bars between ")
    assert HistoryStore().symbols() == ["BTC", "ETH"]
    # Again: nothing is missing, nothing is asked.
    server.hits.clear()
    assert main(["history", "download", "BTC", "--days", "30"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "BTC (BTCUSDT spot): up to date"
    assert server.hits == []


def test_download_json(server: CandleServer, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["history", "download", "ETH", "DOGE", "--interval", "1h", "--days", "2", "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["source"], doc["interval"], doc["days"], doc["stopped"]) == (
        "binance",
        "1h",
        2,
        False,
    )
    assert "UTC" in doc["price"]
    eth, doge = doc["symbols"]
    assert (eth["state"], eth["added"], eth["requests"]) == ("downloaded", 48, 1)
    assert eth["stored"]["rows"] == 48
    assert eth["stored"]["sources"] == ["Binance ETHUSDT 1h"]
    assert (doge["state"], doge["error"]) == ("failed", "DOGE: Binance does not list DOGEUSDT")


def test_nothing_downloaded_is_exit_2_with_one_line(
    server: CandleServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "download", "DOGE"]) == 2
    out, err = capsys.readouterr()
    assert "DOGE (DOGEUSDT spot): Binance does not list DOGEUSDT" in out
    assert err == "hedger: nothing downloaded: DOGE: Binance does not list DOGEUSDT\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["BTC", "--days", "0"], "hedger: days must be between 1 and 3650\n"),
        (["BTC", "--source", "bybit"], "hedger: unknown candle source 'bybit' (choose from "),
        (["BTC", "--interval", "5m"], "hedger: argument --interval: invalid choice: '5m'"),
        (["B$C"], "hedger: argument SYMBOL: symbol 'B$C' must be 1-24 letters"),
        ([], "hedger: the following arguments are required: SYMBOL"),
    ],
)
def test_bad_input_is_exit_2(
    server: CandleServer, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["history", "download", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert server.hits == []


def test_help_says_what_is_downloaded(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "download", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in (
        "the close of each completed bar, of each UTC day (1d) or UTC hour (1h)",
        "resumes from its last stored bar",
        "binance, coinbase, okx or ccxt:<exchange>",
    ):
        assert words in text


def test_progress_goes_to_a_terminal_only(
    server: CandleServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["history", "download", "BTC", "--days", "10"]) == 0
    err = capsys.readouterr().err
    assert "\r[1/1] BTC: 10 bars 100%" in err
    assert err.endswith("\r")  # the line is cleared again
