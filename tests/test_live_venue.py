"""Price sources against a local server that answers like Binance, Coinbase and OKX.

``FakeVenue`` (also used by the other test_live_* modules) serves response
shapes taken from the venues' public API documentation on 127.0.0.1; tests
script slow, failing and malformed answers. Nothing here touches the internet.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hedger.live.http import (
    HttpSettings,
    JsonClient,
    PriceSourceError,
    RefreshStopped,
    RefreshTimeLimit,
    VenueUnreachable,
    request_budget,
)
from hedger.live.venues import default_sources, make_source
from hedger.live.venues.binance import BinanceSource
from hedger.live.venues.coinbase import CoinbaseSource
from hedger.live.venues.okx import OkxSource

# Actions a test can queue for a path: ("status", 503), ("sleep", 1.0),
# ("wait", threading.Event()), ("raw", b"..."), ("json", obj), ("status_json", 400, obj).
Action = tuple[Any, ...]


@dataclass
class Hit:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    thread: str


@dataclass
class FakeVenue:
    """One local server answering Binance, Binance futures, Coinbase and OKX paths."""

    binance_spot: dict[str, str] = field(
        default_factory=lambda: {"BTCUSDT": "70000.01000000", "ETHUSDT": "3500.00000000"}
    )
    binance_futures: dict[str, str] = field(
        default_factory=lambda: {"BTCUSDT": "70012.34000000", "ETHUSDT": "3501.50000000"}
    )
    coinbase: dict[str, str] = field(
        default_factory=lambda: {"BTC-USD": "70005.12", "ETH-USD": "3499.87", "SOL-USD": "151.2"}
    )
    okx_spot: dict[str, str] = field(
        default_factory=lambda: {"BTC-USDT": "70001.5", "SOL-USDT": "150.9"}
    )
    okx_swap: dict[str, str] = field(default_factory=lambda: {"BTC-USDT-SWAP": "70020.1"})
    scripts: dict[str, list[Action]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        venue = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                # A client that gave up (timeout) leaves nobody to answer.
                with contextlib.suppress(OSError):
                    venue._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "HEDGER_BINANCE_URL": self.url,
            "HEDGER_BINANCE_FUTURES_URL": self.url,
            "HEDGER_COINBASE_URL": self.url,
            "HEDGER_OKX_URL": self.url,
        }

    def script(self, path: str, *actions: Action) -> None:
        """Queue answers for requests whose path starts with ``path``."""
        with self._lock:
            self.scripts.setdefault(path, []).extend(actions)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for h in self.hits if h.path.startswith(path))

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeVenue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving ----------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(req.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        with self._lock:
            self.hits.append(
                Hit(parts.path, query, dict(req.headers.items()), threading.current_thread().name)
            )
            action: Action | None = None
            for prefix, queue in self.scripts.items():
                if parts.path.startswith(prefix) and queue:
                    action = queue.pop(0)
                    break
        if action is not None and action[0] == "sleep":
            self._stop.wait(action[1])
            action = None
        elif action is not None and action[0] == "wait":
            # Hold the answer until the test sets the event (or 10 s pass).
            action[1].wait(10)
            action = None
        if action is not None:
            kind = action[0]
            if kind == "status":
                return self._send(req, action[1], {"code": 0, "msg": "server trouble"})
            if kind == "raw":
                return self._send_bytes(req, 200, action[1])
            if kind == "json":
                return self._send(req, 200, action[1])
            if kind == "status_json":
                return self._send(req, action[1], action[2])
        status, body = self._answer(parts.path, query)
        self._send(req, status, body)

    def _answer(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        invalid = (400, {"code": -1121, "msg": "Invalid symbol."})
        if path == "/api/v3/ticker/price":
            if "symbols" in q:
                wanted = json.loads(q["symbols"])
                if any(s not in self.binance_spot for s in wanted):
                    return invalid
                return 200, [{"symbol": s, "price": self.binance_spot[s]} for s in wanted]
            if not q:
                return 200, [{"symbol": s, "price": p} for s, p in self.binance_spot.items()]
            if q.get("symbol") in self.binance_spot:
                return 200, {"symbol": q["symbol"], "price": self.binance_spot[q["symbol"]]}
            return invalid
        if path == "/fapi/v1/premiumIndex":
            sym = q.get("symbol", "")
            if sym not in self.binance_futures:
                return invalid
            return 200, {
                "symbol": sym,
                "markPrice": self.binance_futures[sym],
                "indexPrice": self.binance_futures[sym],
                "estimatedSettlePrice": self.binance_futures[sym],
                "lastFundingRate": "0.00010000",
                "interestRate": "0.00010000",
                "nextFundingTime": 1597392000000,
                "time": 1597370495002,
            }
        if path.startswith("/products/") and path.endswith("/ticker"):
            product = path.split("/")[2]
            if product not in self.coinbase:
                return 404, {"message": "NotFound"}
            price = self.coinbase[product]
            return 200, {
                "ask": price,
                "bid": price,
                "volume": "12345.67",
                "trade_id": 86326522,
                "price": price,
                "size": "0.0012",
                "time": "2026-11-01T12:00:00.000000Z",
                "rfq_volume": "0",
            }
        if path in ("/api/v5/market/ticker", "/api/v5/public/mark-price"):
            inst = q.get("instId", "")
            table, field_name = (
                (self.okx_spot, "last") if path.endswith("ticker") else (self.okx_swap, "markPx")
            )
            if inst not in table:
                return 200, {"code": "51001", "msg": "Instrument ID does not exist", "data": []}
            row = {"instType": "SPOT" if field_name == "last" else "SWAP", "instId": inst}
            row[field_name] = table[inst]
            row["ts"] = "1597026383085"
            return 200, {"code": "0", "msg": "", "data": [row]}
        return 404, {"message": "NotFound"}

    def _send(self, req: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        self._send_bytes(req, status, json.dumps(body).encode())

    @staticmethod
    def _send_bytes(req: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)


# Answers come at once; a generous limit keeps a busy CI machine from timing them out.
FAST = HttpSettings(timeout=5, retries=2, backoff=0.0)


@pytest.fixture
def venue() -> Iterator[FakeVenue]:
    with FakeVenue() as v:
        yield v


def no_sleep(_seconds: float) -> None:
    pass


def binance(v: FakeVenue, settings: HttpSettings = FAST) -> BinanceSource:
    return BinanceSource(v.url, v.url, settings, sleep=no_sleep)


# --------------------------------------------------------------------------- good answers


def test_binance_spot_prices_arrive_as_exact_decimals_in_one_request(venue: FakeVenue) -> None:
    answer = binance(venue).fetch_spot(["BTC", "ETH"])
    assert answer.prices == {"BTC": Decimal("70000.01"), "ETH": Decimal("3500")}
    assert all(type(v) is Decimal for v in answer.prices.values())
    assert answer.problems == {}
    assert venue.count("/api/v3/ticker/price") == 1
    hit = venue.hits[0]
    assert json.loads(hit.query["symbols"]) == ["BTCUSDT", "ETHUSDT"]
    assert hit.headers["User-Agent"].startswith("Hedger/")
    assert not any(k.lower() in ("x-mbx-apikey", "authorization") for k in hit.headers)


def test_binance_batch_with_an_unlisted_symbol_still_prices_the_others(venue: FakeVenue) -> None:
    answer = binance(venue).fetch_spot(["BTC", "NOPE", "ETH"])
    assert answer.prices == {"BTC": Decimal("70000.01"), "ETH": Decimal("3500.00000000")}
    assert answer.problems == {"NOPE": "NOPE: Binance does not list NOPEUSDT"}
    # The refused batch, then every ticker at once: not one request per symbol.
    assert venue.count("/api/v3/ticker/price") == 2


def test_binance_futures_uses_the_mark_price(venue: FakeVenue) -> None:
    answer = binance(venue).fetch_futures(["BTC", "DOGE"])
    assert answer.prices == {"BTC": Decimal("70012.34")}
    assert "DOGE" in answer.problems
    assert venue.count("/fapi/v1/premiumIndex") == 2


def test_coinbase_prices_and_unknown_product(venue: FakeVenue) -> None:
    src = CoinbaseSource(venue.url, FAST, sleep=no_sleep)
    answer = src.fetch_spot(["BTC", "SOL", "NOPE"])
    assert answer.prices == {"BTC": Decimal("70005.12"), "SOL": Decimal("151.2")}
    assert answer.problems["NOPE"] == "NOPE: Coinbase does not list NOPE-USD"
    assert src.has_futures is False
    assert "BTC" in src.fetch_futures(["BTC"]).problems


def test_okx_spot_and_swap_prices(venue: FakeVenue) -> None:
    src = OkxSource(venue.url, FAST, sleep=no_sleep)
    spot = src.fetch_spot(["BTC", "ETH"])
    assert spot.prices == {"BTC": Decimal("70001.5")}
    assert spot.problems["ETH"] == "ETH: OKX does not list ETH-USDT"
    assert src.fetch_futures(["BTC"]).prices == {"BTC": Decimal("70020.1")}


def test_symbols_a_venue_cannot_name_are_not_requested(venue: FakeVenue) -> None:
    answer = binance(venue).fetch_spot(["BTC.B"])
    assert answer.prices == {}
    assert "BTC.B" in answer.problems
    assert venue.count("/") == 0


# --------------------------------------------------------------------------- failures


def test_slow_venue_times_out_once_without_retrying(venue: FakeVenue) -> None:
    # A venue silent for the whole timeout is not asked again: the next venue
    # is the better retry, and three tries would triple the wait.
    venue.script("/api/v3", ("sleep", 2.0), ("sleep", 2.0), ("sleep", 2.0))
    sleeps: list[float] = []
    src = BinanceSource(
        venue.url, venue.url, HttpSettings(timeout=0.3, retries=2, backoff=0.01), sleeps.append
    )
    with pytest.raises(VenueUnreachable) as err:
        src.fetch_spot(["BTC"])
    assert str(err.value) == "Binance unreachable: timed out after 0.3 s"
    assert venue.count("/api/v3") == 1
    assert sleeps == []


def test_dropped_connections_are_retried_with_backoff(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("status", 502), ("status", 503), ("status", 503))
    sleeps: list[float] = []
    src = BinanceSource(
        venue.url, venue.url, HttpSettings(timeout=0.3, retries=2, backoff=0.01), sleeps.append
    )
    with pytest.raises(VenueUnreachable, match=r"HTTP 503 .*\(3 tries\)$"):
        src.fetch_spot(["BTC"])
    assert venue.count("/api/v3") == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff between the tries


def test_a_request_budget_cuts_the_timeout_and_stops_new_requests(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("sleep", 3.0))
    src = BinanceSource(venue.url, venue.url, HttpSettings(timeout=5, retries=2), no_sleep)
    started = time.monotonic()
    with request_budget(0.4), pytest.raises(VenueUnreachable, match=r"timed out after 0\.4 s"):
        src.fetch_spot(["BTC"])
    assert time.monotonic() - started < 1.5
    with request_budget(0.0), pytest.raises(RefreshTimeLimit, match="time limit was reached"):
        src.fetch_spot(["BTC"])
    with request_budget(10, lambda: True), pytest.raises(RefreshStopped):
        src.fetch_spot(["BTC"])
    assert venue.count("/api/v3") == 1


def test_server_error_then_success_is_retried(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("status", 503))
    answer = binance(venue).fetch_spot(["BTC"])
    assert answer.prices == {"BTC": Decimal("70000.01")}
    assert venue.count("/api/v3") == 2


def test_persistent_server_errors_give_a_readable_message(venue: FakeVenue) -> None:
    venue.script("/products", *[("status", 500)] * 5)
    # Three answers within the time limit even on a busy CI machine (0.3 s is not).
    patient = HttpSettings(timeout=10, retries=2, backoff=0.0)
    with pytest.raises(PriceSourceError, match=r"^Coinbase unreachable: HTTP 500 .*\(3 tries\)$"):
        CoinbaseSource(venue.url, patient, sleep=no_sleep).fetch_spot(["BTC"])
    assert venue.count("/products") == 3


def test_client_errors_are_not_retried(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("status_json", 451, {"code": 0, "msg": "restricted location"}))
    with pytest.raises(PriceSourceError, match="HTTP 451: restricted location"):
        binance(venue).fetch_spot(["BTC"])
    assert venue.count("/api/v3") == 1


def test_rate_limit_is_explained_and_not_hammered(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("status_json", 429, {"code": -1003, "msg": "Too many requests"}))
    with pytest.raises(PriceSourceError, match="limiting requests"):
        binance(venue).fetch_spot(["BTC"])
    assert venue.count("/api/v3") == 1


def test_malformed_json_is_rejected_without_retry(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("raw", b'[{"symbol": "BTCUSDT", "price": '))
    with pytest.raises(PriceSourceError, match=r"^Binance sent an unreadable answer \(not JSON\)$"):
        binance(venue).fetch_spot(["BTC"])
    assert venue.count("/api/v3") == 1


def test_answer_of_the_wrong_shape_is_an_error(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("json", {"price": "1"}))
    with pytest.raises(PriceSourceError, match="unexpected answer"):
        binance(venue).fetch_spot(["BTC"])


def test_unreadable_price_field_is_a_per_symbol_problem(venue: FakeVenue) -> None:
    venue.coinbase["BTC-USD"] = "abc"
    answer = CoinbaseSource(venue.url, FAST, sleep=no_sleep).fetch_spot(["BTC", "ETH"])
    assert answer.prices == {"ETH": Decimal("3499.87")}
    assert answer.problems["BTC"] == "BTC: Coinbase sent an unreadable price ('abc')"


def test_oversized_answer_is_refused(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("raw", b"[" + b" " * 5000 + b"]"))
    settings = HttpSettings(timeout=1, retries=0, max_bytes=1000)
    with pytest.raises(PriceSourceError, match="too large"):
        binance(venue, settings).fetch_spot(["BTC"])


def test_closed_port_reads_as_connection_refused() -> None:
    with FakeVenue() as v:
        url = v.url
    client = JsonClient("Binance", url, HttpSettings(timeout=0.5, retries=1), sleep=no_sleep)
    with pytest.raises(
        PriceSourceError, match=r"^Binance unreachable: connection refused \(2 tries\)$"
    ):
        client.get("/api/v3/ticker/price")


def test_base_url_must_be_http() -> None:
    with pytest.raises(PriceSourceError, match="must start with http"):
        JsonClient("Binance", "file:///etc/passwd")


# --------------------------------------------------------------------------- configuration


def test_env_vars_point_every_builtin_source_at_the_server(venue: FakeVenue) -> None:
    env = venue.env() | {"HEDGER_LIVE_TIMEOUT": "0.5", "HEDGER_LIVE_RETRIES": "0"}
    sources = default_sources(env)
    assert [s.name for s in sources] == ["Binance", "Coinbase", "OKX"]
    for s in sources:
        assert "BTC" in s.fetch_spot(["BTC"]).prices
    assert venue.count("/") == 3


def test_unknown_source_and_bad_settings_are_one_line_errors() -> None:
    with pytest.raises(PriceSourceError, match="unknown price source 'kraken'"):
        make_source("kraken", env={})
    with pytest.raises(PriceSourceError, match="HEDGER_LIVE_TIMEOUT"):
        default_sources({"HEDGER_LIVE_TIMEOUT": "soon"})
