"""download_history: resume from the last stored bar, merge like an import, report per symbol."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from test_download_venues import NOW, NOW_MS, CandleServer, no_sleep

from hedger.core.analytics.series import PriceSeries
from hedger.core.models import Holding, Portfolio
from hedger.live.candles import DAY_MS, HOUR_MS, aligned_end
from hedger.services.history import HistoryImport, import_history
from hedger.services.history_download import (
    DownloadError,
    DownloadProgress,
    default_symbols,
    download_choices,
    download_history,
    missing_ranges,
    parse_symbols,
)
from hedger.store.history import HistoryStore

END = aligned_end(NOW_MS, "1d")


@pytest.fixture
def server() -> Iterator[CandleServer]:
    with CandleServer() as s:
        s.add("BTC", DAY_MS, days=60, base=70000.0)
        s.add("ETH", DAY_MS, days=60, base=3500.0)
        s.add("SOL", DAY_MS, days=60, base=150.0)
        yield s


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "history")


def download(server: CandleServer, store: HistoryStore, symbols: list[str], **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "days": 30,
        "source": "binance",
        "store": store,
        "env": server.env(),
        "now": NOW,
        "sleep": no_sleep,
        **kw,
    }
    return download_history(symbols, **args)  # type: ignore[arg-type]


def test_first_download_stores_every_closed_bar(server: CandleServer, store: HistoryStore) -> None:
    report = download(server, store, ["BTC", "eth"])
    assert report.ok and not report.stopped
    assert (report.source_name, report.interval, report.days) == ("Binance", "1d", 30)
    btc, eth = report.symbols
    assert (btc.symbol, btc.state, btc.instrument) == ("BTC", "downloaded", "BTCUSDT spot")
    assert eth.symbol == "ETH" and eth.added == 30
    # The same shape an import returns, stored through the same merge.
    assert isinstance(btc.imported, HistoryImport)
    assert btc.imported.outcome is not None
    assert btc.imported.outcome.stats.added == 30
    stored = store.load("BTC")
    assert len(stored) == 30
    assert stored.first_ns == (END - 30 * DAY_MS) * 1_000_000
    assert stored.last_ns == (END - DAY_MS) * 1_000_000  # today's bar is still open
    assert stored.closes[-1] == float(server.bars["BTC"][DAY_MS][END - DAY_MS])
    assert stored.sources == ("Binance BTCUSDT 1d",)


def test_second_download_fetches_only_new_bars_and_merges(
    server: CandleServer, store: HistoryStore
) -> None:
    first = download(server, store, ["BTC"], now=NOW - timedelta(days=3))
    assert first.symbols[0].added == 30
    server.hits.clear()
    again = download(server, store, ["BTC"])
    done = again.symbols[0]
    assert done.state == "downloaded"
    asked = server.queries("/api/v3/klines")
    assert len(asked) == 1
    # From the last stored bar minus three for the overlap, not from 30 days back.
    last_stored = END - 4 * DAY_MS
    assert int(asked[0]["startTime"]) == last_stored - 3 * DAY_MS
    assert done.imported is not None and done.imported.outcome is not None
    stats = done.imported.outcome.stats
    assert (stats.added, stats.replaced, stats.unchanged) == (3, 0, 4)
    assert len(store.load("BTC")) == 33


def test_a_changed_stored_close_is_replaced_and_counted(
    server: CandleServer, store: HistoryStore
) -> None:
    download(server, store, ["BTC"], now=NOW - timedelta(days=1))
    server.bars["BTC"][DAY_MS][END - 3 * DAY_MS] = "1.5"
    done = download(server, store, ["BTC"]).symbols[0]
    assert done.imported is not None and done.imported.outcome is not None
    assert done.imported.outcome.stats.replaced == 1


def test_up_to_date_asks_nothing(server: CandleServer, store: HistoryStore) -> None:
    download(server, store, ["BTC"])
    server.hits.clear()
    report = download(server, store, ["BTC"])
    assert report.ok
    assert report.symbols[0].state == "up to date"
    assert server.count("/api/v3/klines") == 0


def test_more_days_fetches_the_front_too(server: CandleServer, store: HistoryStore) -> None:
    download(server, store, ["ETH"], days=10)
    server.hits.clear()
    done = download(server, store, ["ETH"], days=40).symbols[0]
    assert done.added == 30
    asked = server.queries("/api/v3/klines")
    assert [int(q["startTime"]) for q in asked] == [END - 40 * DAY_MS]
    assert int(asked[0]["endTime"]) == END - 10 * DAY_MS - 1
    assert len(store.load("ETH")) == 40


def test_missing_ranges() -> None:
    class Info:
        first_ns = (END - 10 * DAY_MS) * 1_000_000
        last_ns = (END - 5 * DAY_MS) * 1_000_000
        rows = 6

    ranges = missing_ranges(Info(), END - 30 * DAY_MS, END, DAY_MS)  # type: ignore[arg-type]
    assert ranges == [(END - 8 * DAY_MS, END), (END - 30 * DAY_MS, END - 10 * DAY_MS)]
    assert missing_ranges(None, 0, DAY_MS, DAY_MS) == [(0, DAY_MS)]


def test_one_symbol_failing_does_not_stop_the_others(
    server: CandleServer, store: HistoryStore
) -> None:
    report = download(server, store, ["DOGE", "SOL"])
    doge, sol = report.symbols
    assert (doge.state, doge.error) == ("failed", "DOGE: Binance does not list DOGEUSDT")
    assert sol.state == "downloaded" and sol.added == 30
    assert report.ok


def test_gaps_refused_rows_and_the_stored_edge(server: CandleServer, store: HistoryStore) -> None:
    download(server, store, ["BTC"], now=NOW - timedelta(days=10))
    for t in (END - 6 * DAY_MS, END - 7 * DAY_MS, END - 9 * DAY_MS):
        del server.bars["BTC"][DAY_MS][t]
    server.inject("/api/v3/klines", [END - 2 * DAY_MS, "1", "1", "1", "NaN", "1"])
    done = download(server, store, ["BTC"]).symbols[0]
    assert done.state == "downloaded"
    gaps = [(g.after_ms, g.before_ms, g.missing) for g in done.gaps]
    assert gaps == [
        (END - 10 * DAY_MS, END - 8 * DAY_MS, 1),
        (END - 8 * DAY_MS, END - 5 * DAY_MS, 2),
    ]
    assert (done.gap_count, done.missing_bars) == (2, 3)
    assert done.refused == 1
    assert "not a finite number" in done.refused_reasons[0]
    assert done.imported is not None
    assert done.imported.report.bad_count == 1  # the import report's own count


def test_stored_history_with_another_step_is_not_mixed(
    server: CandleServer, store: HistoryStore
) -> None:
    ts = np.arange(5, dtype=np.int64) * 60_000_000_000 + (END - DAY_MS) * 1_000_000
    store.merge(PriceSeries("BTC", ts, np.full(5, 100.0)))
    done = download(server, store, ["BTC"]).symbols[0]
    assert done.state == "failed"
    assert done.error == (
        "BTC: the stored history has a close about every minute; daily closes would be "
        "mixed into it (delete it first, or download the other interval)"
    )
    assert len(store.load("BTC")) == 5


def test_a_downloaded_symbol_then_imports_like_a_file(
    server: CandleServer, store: HistoryStore, tmp_path: Path
) -> None:
    download(server, store, ["SOL"], now=NOW - timedelta(days=2))
    csv = tmp_path / "sol.csv"
    day = np.datetime64(END // 1000 - DAY_MS // 1000, "s").astype("datetime64[D]")
    csv.write_text(f"date,close\n{day},151.5\n")
    done = import_history(csv, "SOL", store=store)
    assert done.outcome is not None and done.outcome.stats.added == 1
    assert store.load("SOL").sources == ("Binance SOLUSDT 1d", "sol.csv")


def test_stop_keeps_what_was_stored(server: CandleServer, store: HistoryStore) -> None:
    events: list[DownloadProgress] = []

    def cancelled() -> bool:
        return any(e.symbol == "BTC" and e.state == "downloaded" for e in events)

    report = download(
        server, store, ["BTC", "ETH", "SOL"], on_progress=events.append, cancelled=cancelled
    )
    assert report.stopped
    assert [s.state for s in report.symbols] == ["downloaded", "not asked", "not asked"]
    assert store.symbols() == ["BTC"]
    assert [e.state for e in events if e.symbol == "BTC"][-2:] == ["storing", "downloaded"]
    assert events[-1].text == "SOL: not asked: stopped"


def test_okx_stopped_half_way_stores_nothing_of_that_symbol(
    server: CandleServer, store: HistoryStore
) -> None:
    server.add("BTC", HOUR_MS, days=30)
    pages: list[DownloadProgress] = []

    def cancelled() -> bool:
        return any(p.state == "asking" for p in pages)

    report = download(
        server,
        store,
        ["BTC"],
        interval="1h",
        source="okx",
        on_progress=pages.append,
        cancelled=cancelled,
    )
    assert report.symbols[0].state == "stopped"
    # Newest first: the bars so far would leave a hole before them.
    assert store.symbols() == []


def test_binance_ban_skips_the_remaining_symbols(server: CandleServer, store: HistoryStore) -> None:
    server.script("/api/v3/klines", ("status", 418, {"Retry-After": "300"}, {"code": -1003}))
    report = download(server, store, ["BTC", "ETH"])
    btc, eth = report.symbols
    assert btc.state == "failed" and "HTTP 418" in (btc.error or "")
    assert (eth.state, eth.error) == ("not asked", "not asked: Binance blocked requests")
    assert server.count("/api/v3/klines") == 1
    assert not report.ok


def test_progress_reports_pages_and_ends(server: CandleServer, store: HistoryStore) -> None:
    server.add("BTC", HOUR_MS, days=60)
    events: list[DownloadProgress] = []
    download(server, store, ["BTC"], days=60, interval="1h", on_progress=events.append)
    asking = [e for e in events if e.state == "asking"]
    assert [round(e.fraction, 2) for e in asking] == [0.69, 1.0]
    assert asking[0].bars == 1000 and asking[0].text == "BTC: 1,000 bars"
    assert events[-1].state == "downloaded"
    assert events[-1].text == (
        "BTC: 1,440 new bars; 1,440 stored (2026-10-07 12:00 UTC to 2026-12-06 11:00 UTC)"
    )


def test_coinbase_and_okx_store_the_same_closes(server: CandleServer, store: HistoryStore) -> None:
    a = download(server, store, ["ETH"], source="coinbase")
    assert a.symbols[0].added == 30
    b = download(server, HistoryStore(store.folder.parent / "b"), ["ETH"], source="okx")
    assert b.symbols[0].added == 30
    assert np.array_equal(
        store.load("ETH").closes, HistoryStore(store.folder.parent / "b").load("ETH").closes
    )


def test_bad_input_is_refused_before_asking(server: CandleServer, store: HistoryStore) -> None:
    for kw, text in (
        ({"days": 0}, "days must be between 1 and 3650"),
        ({"interval": "5m"}, "interval must be 1d or 1h, not '5m'"),
        ({"source": "bybit"}, "unknown candle source 'bybit'"),
    ):
        with pytest.raises(DownloadError, match=text):
            download(server, store, ["BTC"], **kw)
    with pytest.raises(DownloadError, match="name at least one symbol"):
        download(server, store, [])
    with pytest.raises(DownloadError, match="symbol 'B T C!'"):
        download(server, store, ["B T C!"])
    assert server.hits == []


def test_symbols_and_choices() -> None:
    assert parse_symbols("btc, eth  sol,btc") == ["BTC", "ETH", "SOL"]
    portfolio = Portfolio(
        holdings=[
            Holding(symbol="SOL", quantity=Decimal(10), price=Decimal(150), hedge_with="BTC"),
            Holding(symbol="USDC", quantity=Decimal(100), price=Decimal(1)),
            Holding(symbol="ETH", quantity=Decimal(1), price=Decimal(3500)),
        ]
    )
    assert default_symbols(portfolio) == ["SOL", "BTC", "ETH"]
    builtin, ccxt = download_choices()
    assert [c.key for c in builtin] == ["binance", "coinbase", "okx"]
    assert [c.label for c in builtin] == ["Binance", "Coinbase", "OKX"]
    assert builtin[0].hint == "Binance spot <SYMBOL>USDT klines (USDT taken as USD)"
    assert all(c.key.startswith("ccxt:") for c in ccxt)
