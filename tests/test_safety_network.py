"""Hostile exchanges: dripping answers, absurd numbers, redirects, web pages.

Each case runs ``hedger prices refresh`` against a local server (127.0.0.1
only) and must end in exit 2 with one line, the file untouched, within the
time limit (or 2 s) and 200 MB.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from safety_helpers import run_hedger

from hedger.core.models import Holding, Portfolio
from hedger.live.http import HttpSettings, JsonClient, PriceSourceError, VenueUnreachable
from hedger.live.transport import bounded_decimal, json_content
from hedger.live.validate import as_decimal, check_value, tidy
from hedger.store.portfolio_file import save_portfolio

SPOT = "/api/v3/ticker/price"


class Hostile:
    """A local server whose answer per path is set by the test."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[Any, ...]] = {}
        self.stop = threading.Event()
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with contextlib.suppress(OSError):
                    hostile.answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "HEDGER_BINANCE_URL": self.url,
            "HEDGER_BINANCE_FUTURES_URL": self.url,
            "HEDGER_LIVE_RETRIES": "0",
        }

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        kind, *rest = self.answers.get(path, ("json", [{"symbol": "BTCUSDT", "price": "70000"}]))
        if kind == "drip":
            # Headers at once, then one byte every half second, forever.
            req.send_response(200)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", "100000")
            req.end_headers()
            while not self.stop.wait(0.5):
                req.wfile.write(b" ")
                req.wfile.flush()
            return
        if kind == "drip_headers":
            req.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while not self.stop.wait(0.5):
                req.wfile.write(b"X")
                req.wfile.flush()
            return
        if kind == "redirect":
            req.send_response(302)
            req.send_header("Location", rest[0])
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        content_type = "application/json"
        status = 200
        if kind == "status":  # a refusal with its own body
            status, body = rest
        elif kind == "raw":
            body = rest[0]
        elif kind == "typed":
            content_type, body = rest
        else:
            body = json.dumps(rest[0]).encode()
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.close()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.json"
    holding = Holding.model_validate({"symbol": "BTC", "quantity": "1", "price": "70000"})
    save_portfolio(path, Portfolio(name="Book", holdings=(holding,)), backup=False)
    return path


def refresh(
    book: Path, hostile: Hostile, data_dir: Path, *extra: str, time_limit: str = "10"
) -> Any:
    args = ["prices", "refresh", str(book), "--source", "binance", "--spot-only"]
    return run_hedger([*args, "--time-limit", time_limit, *extra], data_dir, env=hostile.env())


def assert_refused(run: Any, book: Path, before: bytes, *, words: str) -> None:
    assert run.code == 2, run.err
    assert len(run.err.splitlines()) == 1 and run.err.startswith("hedger: "), run.err
    assert words in run.err
    assert book.read_bytes() == before
    assert run.peak_mb < 200


# --------------------------------------------------------------------------- time


def test_a_dripping_answer_is_cut_at_the_time_limit(
    hostile: Hostile, book: Path, data_dir: Path
) -> None:
    hostile.answers[SPOT] = ("drip",)
    before = book.read_bytes()
    run = refresh(book, hostile, data_dir, time_limit="3")
    assert_refused(run, book, before, words="timed out")
    assert run.work_seconds < 3 + 1.0  # the limit, and a moment to report


def test_dripping_headers_are_cut_too(hostile: Hostile) -> None:
    hostile.answers[SPOT] = ("drip_headers",)
    client = JsonClient("Binance", hostile.url, HttpSettings(timeout=1.0, retries=0))
    started = time.monotonic()
    with pytest.raises(VenueUnreachable, match=r"timed out after 1 s"):
        client.get(SPOT)
    assert time.monotonic() - started < 2.0


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'[{"symbol": "BTCUSDT", "price": 1e999999999}]', "unreadable price"),
        (b'[{"symbol": "BTCUSDT", "price": "1e999999999"}]', "unreadable price"),
        (b'[{"symbol": "BTCUSDT", "price": 1e-999999999}]', "unreadable price"),
        (b'[{"symbol": "BTCUSDT", "price": ' + b"9" * 5000 + b"}]", "unreadable price"),
    ],
    ids=["huge-number", "huge-string", "tiny-number", "long-digits"],
)
def test_absurd_numbers_are_refused_quickly(
    hostile: Hostile, book: Path, data_dir: Path, body: bytes, words: str
) -> None:
    hostile.answers[SPOT] = ("raw", body)
    before = book.read_bytes()
    run = refresh(book, hostile, data_dir)
    assert_refused(run, book, before, words=words)
    assert run.work_seconds < 2


@pytest.mark.parametrize("price", ["1e-24", "1e-30", "0.0000000000001"])
def test_tiny_prices_are_refused_even_with_accept_jumps(
    hostile: Hostile, book: Path, data_dir: Path, price: str
) -> None:
    hostile.answers[SPOT] = ("raw", f'[{{"symbol": "BTCUSDT", "price": "{price}"}}]'.encode())
    before = book.read_bytes()
    run = refresh(book, hostile, data_dir, "--accept-jumps")
    assert_refused(run, book, before, words="too small to be a price")


def test_numbers_are_bounded_before_they_become_decimal() -> None:
    started = time.monotonic()
    assert bounded_decimal("1e999999999") is None
    assert bounded_decimal("1" * 41) is None
    assert bounded_decimal("70000.01") == Decimal("70000.01")
    assert bounded_decimal("7e4") == Decimal(70000)
    assert as_decimal("1e-999999999") is None
    huge = Decimal("1e999999999")
    assert check_value(huge) == "1.000E+999999999 is too large to be a price"
    assert check_value(Decimal("-1e999999999")) == "-1.000E+999999999 is not a positive price"
    assert time.monotonic() - started < 0.5
    # Finer than a portfolio file holds: rounded at the 20th place, not refused.
    assert tidy(Decimal("0.0000012345678901234567891")) == Decimal("0.00000123456789012346")


# --------------------------------------------------------------------------- redirects, types


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/x",
        "http://localhost:{port}/x",
        "ftp://127.0.0.1/x",
        "https://example.invalid/x",
    ],
)
def test_redirects_to_another_address_are_refused(
    hostile: Hostile, book: Path, data_dir: Path, target: str
) -> None:
    port = hostile.server.server_address[1]
    hostile.answers[SPOT] = ("redirect", target.format(port=port))
    before = book.read_bytes()
    run = refresh(book, hostile, data_dir)
    assert_refused(run, book, before, words="redirected to another address")


def test_a_redirect_on_the_same_server_is_followed(hostile: Hostile) -> None:
    hostile.answers[SPOT] = ("redirect", f"{hostile.url}/moved")
    hostile.answers["/moved"] = ("json", {"ok": 1})
    client = JsonClient("Binance", hostile.url, HttpSettings(timeout=2.0, retries=0))
    assert client.get(SPOT) == {"ok": Decimal(1)}


def test_a_web_page_is_not_an_answer(hostile: Hostile, book: Path, data_dir: Path) -> None:
    hostile.answers[SPOT] = ("typed", "text/html; charset=utf-8", b"<html>Log in to Wi-Fi</html>")
    before = book.read_bytes()
    run = refresh(book, hostile, data_dir)
    assert_refused(run, book, before, words="sent text/html, not JSON")


def test_content_types() -> None:
    assert json_content("application/json; charset=utf-8") is None
    assert json_content("application/vnd.api+json") is None
    assert json_content("text/plain") is None
    assert json_content(None) is None
    assert json_content("text/html") == "sent text/html, not JSON"
    with pytest.raises(PriceSourceError, match="must start with http"):
        JsonClient("X", "ftp://127.0.0.1/")


@pytest.mark.parametrize("status", [400, 429])
def test_a_refusal_with_a_bottomless_body_is_a_clean_refusal(
    hostile: Hostile, data_dir: Path, status: int
) -> None:
    """A 4xx whose JSON nests past the parser: the venue's refusal in one line, exit 2,
    for every download (the body is only a hint of why)."""
    deep = b"[" * 400_000
    for path in ("/api/v3/klines", "/fapi/v1/fundingRate"):
        hostile.answers[path] = ("status", status, deep)
    for args in (
        ["history", "download", "BTC", "--source", "binance", "--days", "5"],
        ["funding", "download", "BINANCE:BTCUSDT"],
    ):
        run = run_hedger(args, data_dir, env=hostile.env())
        assert run.code == 2, (args, run.err)
        assert "RecursionError" not in run.err and "unexpected error" not in run.err, run.err
        assert f"HTTP {status}" in run.err, run.err
