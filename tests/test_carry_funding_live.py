"""Funding downloads against a local server answering like Binance, OKX, Bybit and Deribit.

The answers have the venues' documented shapes (data-endpoints.md B.1-B.5):
paged the way each venue pages, then broken on purpose: malformed, slow,
gappy, rate-limited and absurd. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hedger.core.catalog import builtin_catalog
from hedger.services.funding import download_funding, load_funding, select_contracts
from hedger.store.funding import FundingStore

H = 3_600_000
NOW = 1_798_185_600_000  # 2026-12-25 08:00 UTC, a funding time
RATE = "0.0001"


def no_sleep(_s: float) -> None:
    return None


class FundingServer:
    """Serves 8-hourly funding (hourly for Deribit) ending at NOW, paged per venue."""

    def __init__(self) -> None:
        self.mode: dict[str, str] = {}  # venue -> how to misbehave
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.gap: tuple[int, int] | None = None  # drop rows in [a, b)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with contextlib.suppress(OSError):
                    server.handle(self)

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def env(self) -> dict[str, str]:
        names = ("BINANCE_FUTURES", "BINANCE_COINM", "OKX", "BYBIT", "DERIBIT")
        env = {f"HEDGER_{n}_URL": self.url for n in names}
        env.update(HEDGER_LIVE_TIMEOUT="0.5", HEDGER_LIVE_RETRIES="0")
        return env

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- data ----------------------------------------------------------------
    def times(self, step: int, start: int, end: int) -> list[int]:
        first = NOW - ((NOW - start) // step) * step
        out = [t for t in range(first, end + 1, step) if start <= t <= end]
        if self.gap is not None:
            out = [t for t in out if not self.gap[0] <= t < self.gap[1]]
        return out

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(req.path)
        q = dict(urllib.parse.parse_qsl(parsed.query))
        self.hits.append((parsed.path, q))
        venue = {
            "/fapi/v1/fundingRate": "binance",
            "/dapi/v1/fundingRate": "binance",
            "/api/v5/public/funding-rate-history": "okx",
            "/v5/market/funding/history": "bybit",
            "/api/v2/public/get_funding_rate_history": "deribit",
        }.get(parsed.path)
        mode = self.mode.get(venue or "", "normal")
        if mode == "slow":
            time.sleep(1.5)
        if mode == "malformed":
            return self.send(req, 200, b"<html>maintenance</html>")
        status, body = getattr(self, f"_{venue}")(q, mode) if venue else (404, {})
        self.send(req, status, json.dumps(body).encode())

    @staticmethod
    def send(req: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _rate(self, t: int, mode: str) -> str:
        if mode == "absurd_all" or (mode == "absurd" and t == NOW - 16 * H):
            return "0.75"
        return RATE

    def _binance(self, q: dict[str, str], mode: str) -> tuple[int, Any]:
        if mode == "rate_limited":
            return 429, {"code": -1003, "msg": "Too many requests"}
        start, end, limit = int(q["startTime"]), int(q["endTime"]), int(q["limit"])
        rows = [
            {"symbol": q["symbol"], "fundingTime": t, "fundingRate": self._rate(t, mode)}
            for t in self.times(8 * H, start, end)[:limit]
        ]
        if mode == "bad_rate" and rows:
            rows[0]["fundingRate"] = "n/a"
        return 200, rows

    def _okx(self, q: dict[str, str], mode: str) -> tuple[int, Any]:
        if mode == "rate_limited":
            return 200, {"code": "50011", "msg": "Too Many Requests", "data": []}
        after, limit = int(q["after"]), int(q["limit"])
        times = self.times(8 * H, NOW - 90 * 24 * H, after - 1)[::-1][:limit]
        rows = [
            {
                "instId": q["instId"],
                "fundingTime": str(t),
                "fundingRate": "0.0009",  # predicted: must not be used
                "realizedRate": self._rate(t, mode),
            }
            for t in times
        ]
        return 200, {"code": "0", "msg": "", "data": rows}

    def _bybit(self, q: dict[str, str], mode: str) -> tuple[int, Any]:
        if mode == "rate_limited":
            return 403, {"retCode": 10009, "retMsg": "access too frequent"}
        if "startTime" in q:
            return 200, {"retCode": 10001, "retMsg": "startTime alone is an error"}
        end, limit = int(q["endTime"]), int(q["limit"])
        times = self.times(8 * H, NOW - 400 * 24 * H, end)[::-1][:limit]
        rows = [
            {
                "symbol": q["symbol"],
                "fundingRate": self._rate(t, mode),
                "fundingRateTimestamp": str(t),
            }
            for t in times
        ]
        if mode == "wrong_shape":
            return 200, {"retCode": 0, "result": {"rows": rows}}
        return 200, {"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": rows}}

    def _deribit(self, q: dict[str, str], mode: str) -> tuple[int, Any]:
        if mode == "rate_limited":
            return 429, {"jsonrpc": "2.0", "error": {"code": 10028, "message": "too_many_requests"}}
        start, end = int(q["start_timestamp"]), int(q["end_timestamp"])
        rows = [
            {"timestamp": t, "interest_1h": 0.0000125, "interest_8h": 0.0001, "index_price": 70000}
            for t in self.times(H, start, end)
        ]
        return 200, {"jsonrpc": "2.0", "id": 1, "result": rows}


@pytest.fixture
def server() -> Iterator[FundingServer]:
    s = FundingServer()
    try:
        yield s
    finally:
        s.close()


def download(server: FundingServer, ids: list[str], days: int, tmp_path: Path, **kw: Any) -> Any:
    contracts = select_contracts(builtin_catalog(), ids)
    store = FundingStore(tmp_path / "funding")
    result = download_funding(
        contracts,
        days=days,
        env=server.env(),
        now_ms=NOW,
        sleep=no_sleep,
        store=store,
        **kw,
    )
    return result, store


@pytest.mark.parametrize(
    ("cid", "days", "rows"),
    [
        ("BINANCE:BTCUSDT", 365, 365 * 3 + 1),  # two pages of 1000
        ("BINANCE:BTCUSD_PERP", 30, 91),
        ("OKX:BTC-USDT-SWAP", 60, 181),
        ("BYBIT:BTCUSDT", 100, 301),  # two pages of 200
        ("BYBIT:BTCUSD", 10, 31),
        ("DERIBIT:BTC-PERPETUAL", 45, 45 * 24 + 1),  # two 30-day windows of hourly rows
    ],
)
def test_each_venue_is_paged_stored_and_averages_the_same(
    server: FundingServer, tmp_path: Path, cid: str, days: int, rows: int
) -> None:
    result, store = download(server, [cid], days, tmp_path)
    (r,) = result.results
    assert r.problem is None, r.problem
    assert r.stored is not None and r.stored.rows == rows
    history = store.load(cid)
    assert history.last_ms == NOW
    from hedger.core.funding import funding_stats

    stats = funding_stats(history)
    assert stats is not None
    # 0.01 % per 8 h whatever the venue's interval (Deribit pays 1/8 of it each hour).
    assert stats.rate_8h == Decimal("0.0001")


def test_binance_pages_forward_and_coin_m_uses_dapi(server: FundingServer, tmp_path: Path) -> None:
    download(server, ["BINANCE:BTCUSDT", "BINANCE:BTCUSD_PERP"], 365, tmp_path)
    fapi = [q for p, q in server.hits if p == "/fapi/v1/fundingRate"]
    assert len(fapi) == 2 and int(fapi[1]["startTime"]) > int(fapi[0]["startTime"])
    assert any(p == "/dapi/v1/fundingRate" for p, _ in server.hits)


def test_okx_uses_the_realized_rate_and_notes_its_short_memory(
    server: FundingServer, tmp_path: Path
) -> None:
    result, store = download(server, ["OKX:BTC-USDT-SWAP"], 365, tmp_path)
    (r,) = result.results
    assert set(store.load("OKX:BTC-USDT-SWAP").rates) == {Decimal(RATE)}
    assert any("keeps only about 90 days" in n for n in r.notes)


def test_bybit_pages_backward_with_end_time_only(server: FundingServer, tmp_path: Path) -> None:
    download(server, ["BYBIT:BTCUSDT"], 100, tmp_path)
    queries = [q for p, q in server.hits if p == "/v5/market/funding/history"]
    assert all("startTime" not in q for q in queries)
    assert int(queries[1]["endTime"]) < int(queries[0]["endTime"])


@pytest.mark.parametrize("venue_cid", ["BINANCE:BTCUSDT", "OKX:BTC-USDT-SWAP", "BYBIT:BTCUSDT"])
def test_absurd_rate_refuses_the_whole_download(
    server: FundingServer, tmp_path: Path, venue_cid: str
) -> None:
    server.mode[venue_cid.split(":")[0].lower()] = "absurd"
    result, store = download(server, [venue_cid], 30, tmp_path)
    (r,) = result.results
    assert r.stored is None and r.problem is not None
    assert "75.0000 %" in r.problem and "refused" in r.problem
    assert not store.has(venue_cid)


@pytest.mark.parametrize(
    ("venue", "mode", "cid", "words"),
    [
        ("binance", "malformed", "BINANCE:BTCUSDT", "not JSON"),
        ("binance", "bad_rate", "BINANCE:BTCUSDT", "unreadable funding rate"),
        ("binance", "rate_limited", "BINANCE:BTCUSDT", "limiting requests"),
        ("okx", "rate_limited", "OKX:BTC-USDT-SWAP", "limiting requests"),
        ("bybit", "rate_limited", "BYBIT:BTCUSDT", "limiting requests"),
        ("bybit", "wrong_shape", "BYBIT:BTCUSDT", "unexpected funding answer"),
        ("deribit", "rate_limited", "DERIBIT:BTC-PERPETUAL", "limiting requests"),
        ("deribit", "slow", "DERIBIT:BTC-PERPETUAL", "timed out"),
    ],
)
def test_broken_answers_store_nothing_and_say_why(
    server: FundingServer, tmp_path: Path, venue: str, mode: str, cid: str, words: str
) -> None:
    server.mode[venue] = mode
    result, store = download(server, [cid], 20, tmp_path)
    (r,) = result.results
    assert r.stored is None
    assert r.problem is not None and words in r.problem
    assert "\n" not in r.problem
    assert not store.has(cid)


def test_one_broken_venue_does_not_stop_the_others(server: FundingServer, tmp_path: Path) -> None:
    server.mode["okx"] = "malformed"
    result, store = download(server, ["OKX:BTC-USDT-SWAP", "BYBIT:BTCUSDT"], 20, tmp_path)
    assert [r.stored is not None for r in result.results] == [False, True]
    assert store.has("BYBIT:BTCUSDT")


def test_gappy_answer_is_stored_with_its_gaps_named(server: FundingServer, tmp_path: Path) -> None:
    server.gap = (NOW - 10 * 24 * H, NOW - 7 * 24 * H)
    result, store = download(server, ["BINANCE:BTCUSDT"], 30, tmp_path)
    (r,) = result.results
    assert r.stored is not None
    assert any("1 gap(s)" in n and "longest 80 h" in n for n in r.notes)
    assert len(store.load("BINANCE:BTCUSDT").gaps()) == 1


def test_progress_and_cancel_keep_finished_contracts(server: FundingServer, tmp_path: Path) -> None:
    seen: list[str] = []
    stop = threading.Event()

    def progress(p: Any) -> None:
        seen.append(p.contract_id)
        if p.contract_id == "BYBIT:BTCUSDT" and p.rows:
            stop.set()

    result, store = download(
        server,
        ["BINANCE:BTCUSDT", "BYBIT:BTCUSDT", "DERIBIT:BTC-PERPETUAL"],
        100,
        tmp_path,
        on_progress=progress,
        cancelled=stop.is_set,
    )
    assert result.cancelled
    assert [r.contract_id for r in result.results] == ["BINANCE:BTCUSDT"]
    assert store.has("BINANCE:BTCUSDT") and not store.has("BYBIT:BTCUSDT")
    assert "DERIBIT:BTC-PERPETUAL" not in seen


def test_download_merges_with_what_is_stored(server: FundingServer, tmp_path: Path) -> None:
    download(server, ["BINANCE:BTCUSDT"], 10, tmp_path)
    result, store = download(server, ["BINANCE:BTCUSDT"], 20, tmp_path)
    assert result.results[0].stored is not None
    assert len(store.load("BINANCE:BTCUSDT")) == 61
    loaded = load_funding(["BINANCE:BTCUSDT", "OKX:BTC-USDT-SWAP"], store)
    assert list(loaded) == ["BINANCE:BTCUSDT"]


def test_ccxt_path_pages_forward_through_a_fake_ccxt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys
    import types

    from hedger.live.funding import fetcher_for

    calls: list[int] = []

    class FakeKraken:
        def __init__(self, _config: dict[str, Any]) -> None:
            pass

        def load_markets(self) -> dict[str, Any]:
            return {"BTC/USD:BTC": {"id": "PI_XBTUSD", "symbol": "BTC/USD:BTC"}}

        def fetch_funding_rate_history(self, symbol: str, since: int, limit: int) -> list[Any]:
            calls.append(since)
            times = [t for t in range(NOW - 40 * 8 * H, NOW + 1, 8 * H) if t >= since][:limit]
            return [{"timestamp": t, "fundingRate": 0.0001, "symbol": symbol} for t in times]

    fake = types.ModuleType("ccxt")
    fake.krakenfutures = FakeKraken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ccxt", fake)
    monkeypatch.setattr("hedger.live.funding.ccxt_available", lambda: True)
    contract = builtin_catalog().contracts["KRAKEN:PI_XBTUSD"]
    fetcher = fetcher_for(contract, {})
    result = download_funding(
        [contract],
        days=10,
        now_ms=NOW,
        sleep=no_sleep,
        store=FundingStore(tmp_path),
        fetchers={contract.id: fetcher},
    )
    assert result.results[0].stored is not None
    assert result.results[0].stored.rows == 31
    assert calls[0] == NOW - 10 * 24 * H


def test_dated_contract_has_no_funding_to_download() -> None:
    from hedger.services.funding import FundingInputError

    with pytest.raises(FundingInputError, match="dated contract"):
        select_contracts(builtin_catalog(), ["CME:MBT"])


# --------------------------------------------------------------------------- the command


@pytest.mark.parametrize("how", ["malformed", "absurd", "dead"])
def test_the_command_exits_2_with_one_line_when_nothing_is_stored(
    server: FundingServer, data_dir: Path, how: str
) -> None:
    # Refused answers are bad input from outside: exit 2 and one line, as
    # `history download` does, never exit 1 (the internal-error status).
    from safety_helpers import run_hedger

    env = server.env()
    if how == "dead":
        env = {k: "http://127.0.0.1:9" if k.endswith("_URL") else v for k, v in env.items()}
    else:
        server.mode["binance"] = "absurd_all" if how == "absurd" else how
    run = run_hedger(["funding", "download", "BINANCE:BTCUSDT", "--days", "3"], data_dir, env=env)
    assert run.code == 2, run.err
    assert len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith("hedger: no funding was stored: BINANCE:BTCUSDT: ")
    assert "BINANCE:BTCUSDT: nothing stored" in run.out


def test_the_command_warns_and_exits_0_when_some_were_stored(
    server: FundingServer, data_dir: Path
) -> None:
    from safety_helpers import run_hedger

    server.mode["okx"] = "malformed"
    ids = ["OKX:BTC-USDT-SWAP", "BINANCE:BTCUSDT"]
    run = run_hedger(["funding", "download", *ids, "--days", "3"], data_dir, env=server.env())
    assert run.code == 0, run.err
    assert run.err.startswith("hedger: warning: OKX:BTC-USDT-SWAP: ")
