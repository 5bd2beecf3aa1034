"""Candle endpoints against a local server answering like Binance, Coinbase and OKX.

``CandleServer`` (also used by the other test_download_* modules) serves the
venues' documented answer shapes on 127.0.0.1 from a made-up price series:
paging, rate-limit answers, gaps, malformed and out-of-order rows, absurd
numbers and slow answers are scripted per test. Nothing touches the internet.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from hedger.live.candles import (
    DAY_MS,
    HOUR_MS,
    CandleFetch,
    FetchLimits,
    NotListed,
    aligned_end,
    fetch_candles,
    find_gaps,
    read_close,
    read_rows,
)
from hedger.live.http import HttpSettings
from hedger.live.venues import candle_source_keys, make_candle_source
from hedger.live.venues.binance import BinanceCandles
from hedger.live.venues.ccxt import CcxtCandles
from hedger.live.venues.coinbase import CoinbaseCandles
from hedger.live.venues.okx import OkxCandles

# A fixed "now": 2026-12-06 12:00 UTC, so the bar of 2026-12-06 is still open.
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
FAST = HttpSettings(timeout=2.0, retries=0, backoff=0.0)

# A scripted answer: ("status", code, headers, body), ("sleep", seconds), ("json", obj).
Action = tuple[Any, ...]


def price_series(start_ms: int, end_ms: int, step: int, base: float = 100.0) -> dict[int, str]:
    """Closes for every bar opening in [start_ms, end_ms): a slow made-up walk."""
    out: dict[int, str] = {}
    for n, t in enumerate(range(start_ms, end_ms, step)):
        out[t] = f"{base * (1 + 0.001 * (n % 50)):.8f}"
    return out


@dataclass
class Hit:
    path: str
    query: dict[str, str]


@dataclass
class CandleServer:
    """Binance klines, Coinbase candles and OKX history candles from ``bars``.

    ``bars[symbol][step] = {open_ms: close}``; ``extra[path prefix]`` are raw
    rows added once to the next answer on that path; ``scripts`` replace
    answers, first in first out.
    """

    bars: dict[str, dict[int, dict[int, Any]]] = field(default_factory=dict)
    extra: dict[str, list[Any]] = field(default_factory=dict)
    scripts: dict[str, list[Action]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with contextlib.suppress(OSError):
                    server._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # -- setup ------------------------------------------------------------------
    def add(
        self, symbol: str, step: int, days: int = 30, base: float = 100.0, now_ms: int = NOW_MS
    ) -> dict[int, Any]:
        end = aligned_end(now_ms, "1d" if step == DAY_MS else "1h")
        series = price_series(end - days * DAY_MS, end, step, base)
        # The venue also has the bar still open.
        series[end] = series[end - step]
        self.bars.setdefault(symbol, {})[step] = series
        return series

    def script(self, path: str, *actions: Action) -> None:
        with self._lock:
            self.scripts.setdefault(path, []).extend(actions)

    def inject(self, path: str, *rows: Any) -> None:
        with self._lock:
            self.extra.setdefault(path, []).extend(rows)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for h in self.hits if h.path.startswith(path))

    def queries(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [h.query for h in self.hits if h.path.startswith(path)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "HEDGER_BINANCE_URL": self.url,
            "HEDGER_COINBASE_URL": self.url,
            "HEDGER_OKX_URL": self.url,
            "HEDGER_LIVE_RETRIES": "0",
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> CandleServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answering ----------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(req.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        path = parsed.path
        with self._lock:
            self.hits.append(Hit(path, query))
            action = None
            for prefix, actions in self.scripts.items():
                if path.startswith(prefix) and actions:
                    action = actions.pop(0)
                    break
            extra: list[Any] = []
            for prefix in list(self.extra):
                if path.startswith(prefix):
                    extra = self.extra.pop(prefix)
        if action is not None:
            kind = action[0]
            if kind == "sleep":
                time.sleep(action[1])
            elif kind == "status":
                self._send(req, action[1], action[3], action[2])
                return
            elif kind == "json":
                self._send(req, 200, action[1])
                return
        if path == "/api/v3/klines":
            self._binance(req, query, extra)
        elif path.startswith("/products/") and path.endswith("/candles"):
            self._coinbase(req, path.split("/")[2], query, extra)
        elif path == "/api/v5/market/history-candles":
            self._okx(req, query, extra)
        else:
            self._send(req, 404, {"message": "NotFound"})

    def _series(self, symbol: str, step: int) -> dict[int, Any] | None:
        return self.bars.get(symbol, {}).get(step)

    def _binance(self, req: BaseHTTPRequestHandler, q: dict[str, str], extra: list[Any]) -> None:
        step = {"1d": DAY_MS, "1h": HOUR_MS}[q["interval"]]
        series = self._series(q["symbol"].removesuffix("USDT"), step)
        if series is None or not q["symbol"].endswith("USDT"):
            self._send(req, 400, {"code": -1121, "msg": "Invalid symbol."})
            return
        lo, hi, limit = int(q["startTime"]), int(q["endTime"]), int(q["limit"])
        times = [t for t in sorted(series) if lo <= t <= hi][:limit]
        rows: list[Any] = [
            [t, "1", "2", "0.5", series[t], "10", t + step - 1, "100", 5, "1", "1", "0"]
            for t in times
        ]
        self._send(req, 200, rows + extra)

    def _coinbase(
        self, req: BaseHTTPRequestHandler, product: str, q: dict[str, str], extra: list[Any]
    ) -> None:
        step = int(q["granularity"]) * 1000
        series = self._series(product.removesuffix("-USD"), step)
        if series is None or not product.endswith("-USD"):
            self._send(req, 404, {"message": "NotFound"})
            return
        lo = _iso_ms(q["start"])
        hi = _iso_ms(q["end"])
        if (hi - lo) // step + 1 > 300:
            self._send(req, 400, {"message": "granularity too small for the requested time range"})
            return
        times = [t for t in sorted(series, reverse=True) if lo <= t <= hi]
        rows: list[Any] = [
            [t // 1000, 0.5, 2.0, 1.0, json.loads(str(series[t])), 10.0] for t in times
        ]
        self._send(req, 200, rows + extra)

    def _okx(self, req: BaseHTTPRequestHandler, q: dict[str, str], extra: list[Any]) -> None:
        step = {"1Dutc": DAY_MS, "1H": HOUR_MS}[q["bar"]]
        series = self._series(q["instId"].removesuffix("-USDT"), step)
        if series is None:
            self._send(req, 200, {"code": "51001", "msg": "Instrument ID does not exist"})
            return
        after, before, limit = int(q["after"]), int(q["before"]), int(q["limit"])
        times = [t for t in sorted(series, reverse=True) if before < t < after][:limit]
        end = aligned_end(NOW_MS, "1d" if step == DAY_MS else "1h")
        rows: list[Any] = [
            [str(t), "1", "2", "0.5", str(series[t]), "10", "10", "100", "0" if t >= end else "1"]
            for t in times
        ]
        self._send(req, 200, {"code": "0", "msg": "", "data": rows + extra})

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)


def _iso_ms(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()) * 1000


@pytest.fixture
def server() -> Iterator[CandleServer]:
    with CandleServer() as s:
        yield s


def no_sleep(_seconds: float) -> None:
    pass


def fetch(source: Any, symbol: str, days: int, interval: str = "1d", **limits: Any) -> CandleFetch:
    end = aligned_end(NOW_MS, interval)
    return fetch_candles(
        source,
        symbol,
        interval,
        end - days * DAY_MS,
        end,
        now_ms=NOW_MS,
        limits=FetchLimits(**{"time_limit": 10.0, "sleep": no_sleep, **limits}),
    )


def binance(server: CandleServer) -> BinanceCandles:
    return BinanceCandles(server.url, FAST)


def coinbase(server: CandleServer) -> CoinbaseCandles:
    return CoinbaseCandles(server.url, FAST)


def okx(server: CandleServer) -> OkxCandles:
    return OkxCandles(server.url, FAST)


# --------------------------------------------------------------------------- registry


def test_registry_names_the_venues_with_candles() -> None:
    assert candle_source_keys() == ("binance", "coinbase", "okx", "ccxt:<exchange>")
    env = {"HEDGER_BINANCE_URL": "http://127.0.0.1:9"}
    assert isinstance(make_candle_source("Binance", env), BinanceCandles)
    assert isinstance(make_candle_source("ccxt:kraken", env), CcxtCandles)
    with pytest.raises(Exception, match="unknown candle source 'bybit'"):
        make_candle_source("bybit", env)


# --------------------------------------------------------------------------- paging


def test_binance_pages_forward_across_several_requests(server: CandleServer) -> None:
    series = server.add("BTC", HOUR_MS, days=90)  # 2,160 hourly bars: three pages of 1,000
    got = fetch(binance(server), "BTC", 90, "1h")
    assert got.complete and got.error is None
    assert server.count("/api/v3/klines") == 3
    end = aligned_end(NOW_MS, "1h")
    assert len(got.bars) == 90 * 24
    assert got.bars[end - HOUR_MS] == Decimal(series[end - HOUR_MS])
    assert end not in got.bars  # the bar still open is left out
    starts = [int(q["startTime"]) for q in server.queries("/api/v3/klines")]
    assert starts == sorted(starts) and starts[1] == starts[0] + 1000 * HOUR_MS


def test_coinbase_asks_windows_of_at_most_300_bars(server: CandleServer) -> None:
    server.add("ETH", DAY_MS, days=730)
    got = fetch(coinbase(server), "ETH", 730)
    assert got.complete, got.error
    assert len(got.bars) == 730
    assert server.count("/products/ETH-USD/candles") == 3  # 300 + 300 + 130 days


def test_okx_pages_backward_with_after_and_before(server: CandleServer) -> None:
    server.add("SOL", DAY_MS, days=250)
    got = fetch(okx(server), "SOL", 250)
    assert got.complete, got.error
    assert len(got.bars) == 250
    afters = [int(q["after"]) for q in server.queries("/api/v5/market/history-candles")]
    assert afters == sorted(afters, reverse=True)
    assert all(q["bar"] == "1Dutc" for q in server.queries("/api/v5"))
    # The last page is short: the request after it finds nothing older.
    assert server.count("/api/v5/market/history-candles") == 3


# --------------------------------------------------------------------------- rate limits


def test_429_with_retry_after_is_waited_out(server: CandleServer) -> None:
    server.add("BTC", DAY_MS, days=20)
    server.script("/api/v3/klines", ("status", 429, {"Retry-After": "3"}, {"code": -1003}))
    waits: list[float] = []
    got = fetch(binance(server), "BTC", 20, sleep=waits.append, max_wait=10.0)
    assert got.complete, got.error
    assert len(got.bars) == 20
    assert got.waited == 3.0
    assert server.count("/api/v3/klines") == 2


def test_418_stops_at_once_and_says_when_to_try_again(server: CandleServer) -> None:
    server.add("BTC", DAY_MS, days=20)
    server.script("/api/v3/klines", ("status", 418, {"Retry-After": "120"}, {"code": -1003}))
    got = fetch(binance(server), "BTC", 20)
    assert got.banned and not got.bars
    assert got.error == (
        "Binance blocked requests from this address (HTTP 418); try again in 120 s"
    )
    assert server.count("/api/v3/klines") == 1


def test_a_wait_longer_than_allowed_is_not_waited(server: CandleServer) -> None:
    server.add("BTC", DAY_MS, days=20)
    server.script("/api/v3/klines", ("status", 429, {"Retry-After": "600"}, {}))
    got = fetch(binance(server), "BTC", 20)
    assert got.error == "Binance is limiting requests (HTTP 429); try again in 600 s"


def test_repeated_rate_limits_give_up_after_a_few_waits(server: CandleServer) -> None:
    server.add("ETH", DAY_MS, days=20)
    server.script("/products", *[("status", 429, {}, {"message": "Slow down"})] * 10)
    waits: list[float] = []
    got = fetch(coinbase(server), "ETH", 20, sleep=waits.append, max_waits=2)
    assert got.error is not None and "after 2 waits" in got.error
    assert server.count("/products") == 3


def test_okx_code_50011_in_a_200_answer_is_a_rate_limit(server: CandleServer) -> None:
    server.add("BTC", DAY_MS, days=20)
    server.script("/api/v5", ("json", {"code": "50011", "msg": "Too Many Requests", "data": []}))
    got = fetch(okx(server), "BTC", 20)
    assert got.complete, got.error
    assert len(got.bars) == 20 and got.waited == 1.0


# --------------------------------------------------------------------------- hostile rows


def test_gaps_are_reported_not_filled(server: CandleServer) -> None:
    series = server.add("ETH", DAY_MS, days=30)
    end = aligned_end(NOW_MS, "1d")
    for t in (end - 10 * DAY_MS, end - 9 * DAY_MS, end - 20 * DAY_MS):
        del series[t]
    got = fetch(coinbase(server), "ETH", 30)
    assert len(got.bars) == 27
    gaps = find_gaps(sorted(got.bars), DAY_MS)
    assert [(g.after_ms, g.before_ms, g.missing) for g in gaps] == [
        (end - 21 * DAY_MS, end - 19 * DAY_MS, 1),
        (end - 11 * DAY_MS, end - 8 * DAY_MS, 2),
    ]


def test_malformed_absurd_and_out_of_order_rows(server: CandleServer) -> None:
    server.add("BTC", DAY_MS, days=10)
    end = aligned_end(NOW_MS, "1d")
    good_time = end - 5 * DAY_MS
    server.inject(
        "/api/v3/klines",
        "not a row",
        [end - 3 * DAY_MS],
        ["yesterday", "1", "2", "0.5", "100", "1"],
        [end - 2 * DAY_MS, "1", "2", "0.5", "NaN", "1"],
        [end - 2 * DAY_MS, "1", "2", "0.5", "-5", "1"],
        [end - 2 * DAY_MS, "1", "2", "0.5", "1e13", "1"],
        [end - 2 * DAY_MS, "1", "2", "0.5", "0", "1"],
        [end - 2 * DAY_MS + 5, "1", "2", "0.5", "100", "1"],  # not on a bar boundary
        [good_time, "1", "2", "0.5", "123.45", "1"],  # again, out of order: the later wins
    )
    got = fetch(binance(server), "BTC", 10)
    assert got.complete
    assert len(got.bars) == 10
    assert got.bars[good_time] == Decimal("123.45")
    assert got.duplicates == 1
    assert got.refused == 8
    assert "row 11: not a bar ('not a row')" in got.reasons
    assert "row 12: not a bar ([1796256000000])" in got.reasons
    assert any("not a finite number" in r for r in got.reasons)
    assert any("outside 1e-12…1e12" in r for r in got.reasons)
    assert any("not positive" in r for r in got.reasons)
    assert any("not on a bar boundary" in r for r in got.reasons)
    assert any("is not a whole number" in r for r in got.reasons)


def test_rows_outside_the_asked_range_are_ignored(server: CandleServer) -> None:
    server.add("SOL", DAY_MS, days=10)
    server.inject("/api/v5", [str(NOW_MS - 400 * DAY_MS // DAY_MS * DAY_MS), "1", "1", "1", "5"])
    got = fetch(okx(server), "SOL", 10)
    assert got.complete and len(got.bars) == 10 and got.outside == 1


def test_unknown_instruments_are_named(server: CandleServer) -> None:
    for source, text in (
        (binance(server), "DOGE: Binance does not list DOGEUSDT"),
        (coinbase(server), "DOGE: Coinbase does not list DOGE-USD"),
        (okx(server), "DOGE: OKX does not list DOGE-USDT"),
    ):
        got = fetch(source, "DOGE", 5)
        assert got.error == text


def test_a_non_list_answer_is_an_error_not_a_crash(server: CandleServer) -> None:
    server.script("/api/v3/klines", ("json", {"surprise": True}))
    got = fetch(binance(server), "BTC", 5)
    assert got.error == "Binance sent an unexpected answer (the API may have changed)"


def test_a_server_that_never_moves_on_is_left(server: CandleServer) -> None:
    end = aligned_end(NOW_MS, "1d")
    page = {"code": "0", "data": [[str(end + DAY_MS * 5), "1", "1", "1", "5", "1", "1", "1", "1"]]}
    server.script("/api/v5", *[("json", page)] * 5)
    got = fetch(okx(server), "BTC", 5)
    assert got.error is not None and "did not move on" in got.error
    assert server.count("/api/v5") == 1


def test_row_checks() -> None:
    assert read_close("70000.01") == Decimal("70000.01")
    assert read_close(Decimal("1e-12")) == Decimal("1e-12")
    assert read_close("Infinity") == "close 'Infinity' is not a finite number"
    assert read_close(True) == "close True is not a number"
    rows = read_rows([[1, 2]], time_index=0, close_index=4)
    assert rows.refused == ["row 1: not a bar ([1, 2])"]
    rows = read_rows([[123, "1", "1", "1", "5"]], time_index=0, close_index=4)
    assert rows.refused == ["row 1: time 123 is not a date between 2009 and 2100"]


# --------------------------------------------------------------------------- time limits


def test_a_slow_server_is_bounded_by_the_time_limit(server: CandleServer) -> None:
    server.add("BTC", HOUR_MS, days=90)
    server.script("/api/v3/klines", ("sleep", 0.1), ("sleep", 1.5), ("sleep", 1.5))
    start = time.monotonic()
    got = fetch(binance(server), "BTC", 90, "1h", time_limit=0.8)
    assert time.monotonic() - start < 2.5
    assert got.error is not None
    assert "time limit" in got.error or "timed out" in got.error
    # Binance pages oldest first: what came before the limit is kept.
    assert len(got.bars) == 1000


def test_stop_between_pages(server: CandleServer) -> None:
    server.add("BTC", HOUR_MS, days=90)
    seen: list[int] = []

    def stop() -> bool:
        return bool(seen)

    end = aligned_end(NOW_MS, "1h")
    got = fetch_candles(
        binance(server),
        "BTC",
        "1h",
        end - 90 * DAY_MS,
        end,
        now_ms=NOW_MS,
        should_stop=stop,
        on_page=lambda f: seen.append(len(f.bars)),
    )
    assert got.stopped and not got.complete
    assert seen == [1000] and server.count("/api/v3/klines") == 1


# --------------------------------------------------------------------------- ccxt


class FakeRateLimit(Exception):
    pass


def fake_ccxt(series: dict[int, str], fail_first: bool = False) -> Any:
    calls: list[tuple[str, str, int]] = []

    class FakeExchange:
        def __init__(self, config: dict[str, Any]) -> None:
            self.timeout = config["timeout"]
            self.failed = False

        def load_markets(self) -> dict[str, Any]:
            return {"BTC/USDT": {"spot": True}, "BTC/USDT:USDT": {"swap": True}}

        def fetch_ohlcv(self, symbol: str, timeframe: str, since: int) -> list[list[Any]]:
            calls.append((symbol, timeframe, since))
            if fail_first and len(calls) == 1:
                raise FakeRateLimit("429 too many")
            times = [t for t in sorted(series) if t >= since][:7]
            return [[t, 1.0, 2.0, 0.5, float(series[t]), 3.0] for t in times]

    return SimpleNamespace(
        exchanges=["kraken"],
        kraken=FakeExchange,
        calls=calls,
        NetworkError=ConnectionError,
        RequestTimeout=TimeoutError,
        BaseError=RuntimeError,
        RateLimitExceeded=FakeRateLimit,
    )


def test_ccxt_candles_page_forward_and_wait_on_rate_limits() -> None:
    end = aligned_end(NOW_MS, "1d")
    series = price_series(end - 20 * DAY_MS, end + DAY_MS, DAY_MS)
    module = fake_ccxt(series, fail_first=True)
    source = CcxtCandles("kraken", module=module)
    assert source.instrument("BTC") == "BTC/USDT"
    got = fetch(source, "BTC", 20)
    assert got.complete, got.error
    assert len(got.bars) == 20 and got.waited == 1.0
    assert [c[2] for c in module.calls][1:] == [
        end - 20 * DAY_MS + n * 7 * DAY_MS for n in range(3)
    ]
    with pytest.raises(NotListed, match="kraken \\(ccxt\\) lists no ETH/USD spot market"):
        source.instrument("ETH")
