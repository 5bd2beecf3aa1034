"""hedger.services.prices: refresh (against a local fake venue), ages, sources, comparisons."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from test_live_venue import FakeVenue

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio, Quote
from hedger.services import prices
from hedger.services.portfolios import PortfolioFileError, open_portfolio, save_portfolio

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVenue]:
    with FakeVenue() as v:
        for key, value in v.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HEDGER_LIVE_TIMEOUT", "0.5")
        monkeypatch.setenv("HEDGER_LIVE_RETRIES", "1")
        yield v


def book() -> Portfolio:
    return Portfolio(
        name="Book",
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "65000"}),
            Holding.model_validate({"symbol": "ETH", "quantity": "2", "price": "3000"}),
        ),
    )


def test_prepare_and_run_a_refresh_of_a_file(venue: FakeVenue, tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    save_portfolio(path, book(), backup=False)
    request = prices.RefreshRequest(sources=("binance",), include_futures=False)
    prepared = prices.prepare_refresh(path, request)
    assert [s.name for s in prepared.sources] == ["Binance"]
    result = prices.run_refresh(prepared, builtin_catalog(), NOW)
    assert result.ok and result.complete
    assert [h.price for h in result.portfolio.holdings] == [Decimal("70000.01"), Decimal(3500)]
    # Nothing is saved by the service: the caller decides.
    assert open_portfolio(path) == book()


def test_refresh_setup_refusals(tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    with pytest.raises(PortfolioFileError):
        prices.prepare_refresh(path, prices.RefreshRequest())
    save_portfolio(path, book(), backup=False)
    with pytest.raises(prices.PricesError, match="unknown price source 'nope'"):
        prices.prepare_refresh(path, prices.RefreshRequest(sources=("nope",)))
    with pytest.raises(prices.PricesError, match="--time-limit must be between 0 and 600"):
        prices.prepare_refresh(path, prices.RefreshRequest(time_limit=0))


def test_default_sources_are_the_builtin_venues_in_order() -> None:
    defaults = prices.refresh_defaults()
    assert [s.name.lower() for s in prices.make_sources()] == list(defaults.sources)
    assert defaults.timeout > 0 and defaults.time_limit > 0


def test_fetch_reports_progress_and_apply_writes_the_quotes(venue: FakeVenue) -> None:
    steps: list[tuple[int, int]] = []
    asked: list[str] = []
    report = prices.fetch_prices(
        book(),
        builtin_catalog(),
        prices.make_sources(["coinbase"]),
        now=NOW,
        include_futures=False,
        on_progress=lambda done, total: steps.append((done, total)),
        on_source=lambda name, kind: asked.append(name),
    )
    assert steps and steps[-1][0] == steps[-1][1]
    assert asked == ["Coinbase"]
    result = prices.apply_prices(book(), report)
    assert result.portfolio.quotes["BTC"].source.startswith("Coinbase")
    assert prices.describe_key("FUT:BTC") == "BTC futures"


def test_a_cancelled_fetch_asks_no_venue(venue: FakeVenue) -> None:
    report = prices.fetch_prices(
        book(), builtin_catalog(), prices.make_sources(), now=NOW, cancelled=lambda: True
    )
    assert report.stopped and not report.quotes
    assert venue.hits == []


def test_price_ages_name_source_and_staleness() -> None:
    fetched = NOW - timedelta(hours=1)
    portfolio = book().model_copy(
        update={
            "holdings": (
                *book().holdings,
                Holding.model_validate({"symbol": "USDC", "quantity": "10", "price": "1"}),
            ),
            "quotes": {"BTC": Quote(price=Decimal(65000), source="Binance", fetched_at=fetched)},
        }
    )
    ages = {a.name: a for a in prices.price_ages(portfolio, NOW)}
    assert list(ages) == ["BTC", "ETH", "USDC"]
    assert ages["BTC"].source == "Binance" and ages["BTC"].status is not None
    assert ages["BTC"].status.stale and ages["BTC"].kind == "spot"
    assert (ages["ETH"].source, ages["ETH"].status) == ("typed", None)
    assert ages["USDC"].source == "par"


def test_comparing_without_ccxt_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    assert not prices.ccxt_available()
    with pytest.raises(prices.PricesError, match="pip install"):
        prices.compare_contract_sizes("okx")


def test_importing_the_service_loads_no_network_stack(data_dir: Path) -> None:
    # The app imports it at start-up for the price ages.
    code = (
        "import sys\n"
        "import hedger.services.prices\n"
        "print(sorted({'ssl', 'urllib.request', 'http.client'} & set(sys.modules)))\n"
    )
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_result_types_are_importable_when_asked_for() -> None:
    from hedger.live.refresh import FetchReport, RefreshResult

    assert prices.FetchReport is FetchReport
    assert prices.RefreshResult is RefreshResult
    with pytest.raises(AttributeError):
        _ = prices.NoSuchThing  # type: ignore[attr-defined]
