"""hedger.services.portfolios and .library: files, plan overrides, what the app opens first."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.catalog import builtin_catalog
from hedger.core.resources import resource_path
from hedger.services import library, portfolios
from hedger.services.catalog import UnknownFamily

SAMPLE = resource_path("samples", "core-stack.json")


def test_open_and_save_round_trip(tmp_path: Path) -> None:
    portfolio = portfolios.open_portfolio(SAMPLE)
    path = tmp_path / "copy.json"
    portfolios.save_portfolio(path, portfolio, backup=False)
    assert portfolios.open_portfolio(path) == portfolio
    with pytest.raises(portfolios.PortfolioFileError, match=r"nope\.json"):
        portfolios.open_portfolio(tmp_path / "nope.json")


def test_overrides_apply_to_every_underlying(tmp_path: Path) -> None:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    doc["hedge"]["per_underlying"] = {"BTC": {"ratio": "0.3"}}
    book = tmp_path / "book.json"
    book.write_text(json.dumps(doc), encoding="utf-8")
    portfolio = portfolios.open_portfolio(book)
    assert portfolio.hedge.per_underlying["BTC"].ratio == Decimal("0.3")
    changed = portfolios.apply_overrides(
        portfolio,
        builtin_catalog(),
        families=[("BTC", "OKX-BTC")],
        prices=[("ETH", Decimal(3600))],
        ratio=Decimal("0.5"),
    )
    assert changed.hedge.ratio == Decimal("0.5")
    assert changed.hedge.per_underlying["BTC"].ratio is None
    assert changed.hedge.families["BTC"] == "OKX-BTC"
    assert changed.hedge.futures_prices["ETH"] == Decimal(3600)


def test_override_refusals() -> None:
    portfolio = portfolios.open_portfolio(SAMPLE)
    catalog = builtin_catalog()
    with pytest.raises(UnknownFamily, match="NOPE"):
        portfolios.apply_overrides(portfolio, catalog, families=[("BTC", "NOPE")])
    with pytest.raises(portfolios.SettingsError, match="hedges ETH, not BTC"):
        portfolios.apply_overrides(portfolio, catalog, families=[("BTC", "CME-ETH")])
    with pytest.raises(portfolios.SettingsError, match="leverage"):
        portfolios.apply_overrides(portfolio, catalog, leverage=Decimal(-1))


# --------------------------------------------------------------------------- library


def test_first_run_saves_the_sample_into_the_library() -> None:
    lib = library.PortfolioLibrary()
    start = library.choose_initial(None, lib)
    assert start.portfolio == library.sample_portfolio()
    assert start.path is not None and start.message is None and not start.failed_file
    assert [e.name for e in library.list_portfolios(lib)] == [start.portfolio.name]
    # Asked again, the sample already in the library is opened rather than copied.
    assert library.choose_initial(None, lib).path == start.path
    assert len(library.list_portfolios(lib)) == 1


def test_a_file_that_cannot_be_opened_falls_back_and_says_why(tmp_path: Path) -> None:
    lib = library.PortfolioLibrary()
    start = library.choose_initial(tmp_path / "missing.json", lib)
    assert start.failed_file and start.message is not None and "missing.json" in start.message
    assert start.portfolio == library.sample_portfolio()


def test_the_file_asked_for_then_the_last_one_then_the_newest(tmp_path: Path) -> None:
    lib = library.PortfolioLibrary()
    older = lib.save_as(library.sample_portfolio().model_copy(update={"name": "Older"}), "Older")
    newer = lib.save_as(library.sample_portfolio().model_copy(update={"name": "Newer"}), "Newer")
    os.utime(older, (1_000_000, 1_000_000))
    assert library.choose_initial(SAMPLE, lib).path == SAMPLE
    assert library.choose_initial(None, lib, last_portfolio=str(older)).path == older
    start = library.choose_initial(None, lib, first_run_done=True)
    assert start.path == newer and start.portfolio.name == "Newer"


def test_library_entries_report_unreadable_files() -> None:
    lib = library.PortfolioLibrary()
    (lib.directory / "broken.json").write_text("{not json", encoding="utf-8")
    entries = library.list_portfolios(lib)
    assert [bool(e.error) for e in entries] == [True]
