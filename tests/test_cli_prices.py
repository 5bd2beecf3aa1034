"""``hedger prices refresh|show|contracts`` end to end against a local fake venue."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from test_live_venue import FakeVenue

from hedger.cli import main
from hedger.core.models import Holding, Portfolio, Quote
from hedger.store.portfolio_file import load_portfolio, save_portfolio


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVenue]:
    with FakeVenue() as v:
        for key, value in v.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HEDGER_LIVE_TIMEOUT", "0.5")
        monkeypatch.setenv("HEDGER_LIVE_RETRIES", "1")
        yield v


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.json"
    p = Portfolio(
        name="Book",
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "65000"}),
            Holding.model_validate({"symbol": "ETH", "quantity": "2", "price": "3000"}),
        ),
    )
    save_portfolio(path, p, backup=False)
    return path


def test_refresh_updates_the_file_and_prints_a_table(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prices", "refresh", str(book)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["PRICE", "OLD", "NEW", "CHANGE", "SOURCE"]
    assert lines[1].split() == ["BTC", "65,000.00", "70,000.01", "+7.69", "%", "Binance"]
    assert "BTC futures" in out
    assert "saved to book.json" in out
    saved = load_portfolio(book)
    assert [h.price for h in saved.holdings] == [Decimal("70000.01"), Decimal(3500)]
    assert saved.quotes["BTC"].source == "Binance"
    assert saved.hedge.futures_prices["BTC"] == Decimal("70012.34")
    # The previous version is kept beside it.
    assert load_portfolio(book.with_name("book.json.bak")).holdings[0].price == Decimal(65000)


def test_refresh_json_and_source_choice(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["prices", "refresh", str(book), "--source", "coinbase", "--spot-only", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["saved"] is True
    assert data["sources"] == ["Coinbase"]
    assert [(u["symbol"], u["new"]) for u in data["updated"]] == [
        ("BTC", "70005.12"),
        ("ETH", "3499.87"),
    ]
    assert venue.count("/api") == 0 and venue.count("/fapi") == 0
    assert load_portfolio(book).hedge.futures_prices == {}


def test_dry_run_changes_nothing(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    assert main(["prices", "refresh", str(book), "--dry-run"]) == 0
    assert "dry run: file not changed" in capsys.readouterr().out
    assert book.read_bytes() == before


def test_unreachable_venues_exit_2_and_leave_the_file_intact(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    venue.close()
    before = book.read_bytes()
    assert main(["prices", "refresh", str(book)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("hedger: Binance unreachable: connection refused (2 tries)")
    assert err.rstrip().endswith("— kept previous prices")
    assert book.read_bytes() == before
    assert not book.with_name("book.json.bak").exists()


def test_partial_failure_saves_what_arrived_and_warns(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del venue.binance_spot["ETHUSDT"]
    del venue.coinbase["ETH-USD"]
    assert main(["prices", "refresh", str(book), "--spot-only"]) == 0
    out, err = capsys.readouterr()
    assert "ETH" in out and "kept" in out
    assert err.startswith("hedger: warning: ETH: Binance does not list ETHUSDT")
    saved = load_portfolio(book)
    assert [h.price for h in saved.holdings] == [Decimal("70000.01"), Decimal(3000)]


def test_strict_refuses_a_partial_refresh(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del venue.binance_spot["ETHUSDT"]
    del venue.coinbase["ETH-USD"]
    before = book.read_bytes()
    assert main(["prices", "refresh", str(book), "--spot-only", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--strict: file not saved" in err
    assert book.read_bytes() == before


def test_implausible_price_is_refused(
    venue: FakeVenue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.json"
    now = datetime.now(UTC)
    p = Portfolio(
        holdings=(Holding.model_validate({"symbol": "BTC", "quantity": "1", "price": "70000"}),),
        quotes={"BTC": Quote(price=Decimal(70000), source="Binance", fetched_at=now)},
    )
    save_portfolio(path, p, backup=False)
    before = path.read_bytes()
    venue.binance_spot["BTCUSDT"] = "700000"
    code = main(["prices", "refresh", str(path), "--source", "binance", "--spot-only"])
    assert code == 2
    err = capsys.readouterr().err
    assert "700000 is 10× above the last price 70,000.00" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json"], "missing.json: file not found"),
        (["{book}", "--source", "kraken"], "unknown price source 'kraken'"),
        (["{book}", "--timeout", "0"], "timeout must be between 0 and 120 seconds"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    venue: FakeVenue,
    book: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    argv = ["prices", "refresh", *[a.replace("{book}", str(book)) for a in args]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_show_lists_source_age_and_stale_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    old = datetime.now(UTC) - timedelta(minutes=40)
    p = Portfolio(
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "1", "price": "70000"}),
            Holding.model_validate({"symbol": "SOL", "quantity": "1", "price": "150"}),
        ),
        quotes={"BTC": Quote(price=Decimal(70000), source="Binance", fetched_at=old)},
    )
    save_portfolio(path, p, backup=False)
    assert main(["prices", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == [
        "BTC",
        "70,000.00",
        "Binance",
        "40",
        "min",
        "ago",
        "STALE",
    ]
    assert out.splitlines()[2].split() == ["SOL", "150.00", "typed", "-"]
    assert "Stale: fetched more than 15 min ago" in out
    assert main(["prices", "show", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prices"][0]["stale"] is True and data["prices"][1]["source"] == "typed"


def test_contracts_check_without_ccxt_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    assert main(["prices", "contracts", "okx"]) == 2
    assert capsys.readouterr().err == (
        'hedger: ccxt is not installed; install it with: pip install "hedger[live]"\n'
    )


def test_failed_refresh_still_prints_json_with_every_reason(
    venue: FakeVenue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    now = datetime.now(UTC)
    p = Portfolio(
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "1", "price": "70000"}),
            Holding.model_validate({"symbol": "DOGE", "quantity": "100", "price": "0.1"}),
        ),
        quotes={"BTC": Quote(price=Decimal(70000), source="Binance", fetched_at=now)},
    )
    save_portfolio(path, p, backup=False)
    before = path.read_bytes()
    venue.binance_spot["BTCUSDT"] = "700000"
    argv = ["prices", "refresh", str(path), "--source", "binance", "--spot-only", "--json"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["ok"] is False and data["saved"] is False
    kept = {k["key"]: k for k in data["kept"]}
    assert kept["BTC"]["kind"] == "rejected" and kept["BTC"]["rejected_price"] == "700000"
    assert kept["DOGE"]["kind"] == "unlisted"
    # The one stderr line leads with the rejection, not with "not listed".
    assert err.startswith("hedger: BTC: Binance price rejected, 700000 is 10× above")
    assert "(+1 more)" in err
    assert path.read_bytes() == before


def test_accept_jumps_takes_a_far_price(
    venue: FakeVenue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "j.json"
    p = Portfolio(
        holdings=(Holding.model_validate({"symbol": "BTC", "quantity": "1", "price": "65000"}),),
    )
    save_portfolio(path, p, backup=False)
    venue.binance_spot["BTCUSDT"] = "7000000"
    argv = ["prices", "refresh", str(path), "--source", "binance", "--spot-only"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "above your typed price 65,000.00 (limit 10×)" in err
    assert "--accept-jumps" in err
    assert main([*argv, "--accept-jumps"]) == 0
    assert load_portfolio(path).holdings[0].price == Decimal(7000000)


def test_futures_rows_name_the_perpetual(
    venue: FakeVenue, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prices", "refresh", str(book), "--source", "binance"]) == 0
    out = capsys.readouterr().out
    assert "BTC futures" in out and "Binance BTCUSDT perpetual" in out
    assert main(["prices", "refresh", str(book), "--time-limit", "0"]) == 2
    assert "--time-limit must be between 0 and 600 seconds" in capsys.readouterr().err
