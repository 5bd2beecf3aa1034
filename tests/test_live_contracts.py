"""The optional ccxt source and the catalog-versus-exchange contract size check.

ccxt is not needed: markets and tickers are dicts shaped like ccxt's unified
market structure, served by a fake module.
"""

from __future__ import annotations

import copy
import sys
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.live.contract_sizes import compare_contract_sizes
from hedger.live.http import PriceSourceError
from hedger.live.refresh import refresh_portfolio
from hedger.live.venues import make_source, venue_for_exchange
from hedger.live.venues.ccxt import INSTALL_HINT, CcxtSource


def market(mid: str, symbol: str, **kw: Any) -> dict[str, Any]:
    base, _, rest = symbol.partition("/")
    quote = rest.split(":")[0]
    contract = ":" in symbol
    m: dict[str, Any] = {
        "id": mid,
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "type": "swap" if contract else "spot",
        "spot": not contract,
        "swap": contract,
        "future": False,
        "contract": contract,
        "linear": None,
        "inverse": None,
        "contractSize": None,
        "precision": {"amount": 1.0, "price": 0.1},
        "limits": {"amount": {"min": 1.0}},
    }
    m.update(kw)
    return m


def okx_markets() -> dict[str, dict[str, Any]]:
    ms = [
        market("BTC-USDT", "BTC/USDT"),
        market("BTC-USDT-SWAP", "BTC/USDT:USDT", linear=True, inverse=False, contractSize=0.01),
        market("ETH-USDT-SWAP", "ETH/USDT:USDT", linear=True, inverse=False, contractSize=0.1),
        market("BTC-USD-SWAP", "BTC/USD:BTC", linear=False, inverse=True, contractSize=100.0),
    ]
    return {m["symbol"]: m for m in ms}


def binance_markets(amount_precision: float = 0.001) -> dict[str, dict[str, Any]]:
    ms = [
        market("BTCUSDT", "BTC/USDT", precision={"amount": 0.00001, "price": 0.01}),
        market(
            "BTCUSDT",
            "BTC/USDT:USDT",
            linear=True,
            inverse=False,
            contractSize=1.0,
            precision={"amount": amount_precision, "price": 0.1},
        ),
        market("BTCUSD_PERP", "BTC/USD:BTC", linear=False, inverse=True, contractSize=100.0),
        market("ETHUSD_PERP", "ETH/USD:ETH", linear=False, inverse=True, contractSize=10.0),
        market(
            "ETHUSDT",
            "ETH/USDT:USDT",
            linear=True,
            inverse=False,
            contractSize=1.0,
            precision={"amount": 3 if amount_precision == 3 else 0.001, "price": 0.01},
        ),
    ]
    return {m["symbol"]: m for m in ms}


# --------------------------------------------------------------------------- size check


def test_matching_exchange_reports_no_difference() -> None:
    catalog = builtin_catalog()
    assert compare_contract_sizes(catalog, okx_markets(), "OKX") == []
    assert compare_contract_sizes(catalog, binance_markets(), "BINANCE") == []


def test_changed_contract_size_is_reported_and_catalog_left_alone() -> None:
    catalog = builtin_catalog()
    before = copy.deepcopy(catalog.contracts)
    markets = okx_markets()
    markets["BTC/USDT:USDT"]["contractSize"] = 0.001
    diffs = compare_contract_sizes(catalog, markets, "OKX", exchange_name="okx")
    assert [d.message for d in diffs] == [
        "OKX:BTC-USDT-SWAP: contract size differs — catalog 0.01 BTC, okx 0.001 BTC"
    ]
    assert catalog.contracts == before
    assert catalog.contracts["OKX:BTC-USDT-SWAP"].size == Decimal("0.01")


def test_coin_quantity_contracts_compare_one_step() -> None:
    catalog = builtin_catalog()
    diffs = compare_contract_sizes(catalog, binance_markets(0.0001), "BINANCE")
    assert [(d.contract_id, d.catalog, d.exchange) for d in diffs] == [
        ("BINANCE:BTCUSDT", "0.001 BTC", "0.0001 BTC")
    ]
    # Exchanges whose ccxt precision counts decimal places: 3 digits = 0.001.
    digits = binance_markets(3)
    assert compare_contract_sizes(catalog, digits, "BINANCE", step_is_digits=True) == []


def test_kind_mismatch_and_missing_listing() -> None:
    markets = okx_markets()
    markets["BTC/USD:BTC"].update(linear=True, inverse=False)
    del markets["ETH/USDT:USDT"]
    diffs = compare_contract_sizes(builtin_catalog(), markets, "OKX", exchange_name="okx")
    assert {(d.contract_id, d.field) for d in diffs} == {
        ("OKX:BTC-USD-SWAP", "kind"),
        ("OKX:ETH-USDT-SWAP", "listing"),
    }


def test_spot_market_with_the_same_id_is_not_mistaken_for_the_perpetual() -> None:
    markets = binance_markets()
    del markets["BTC/USDT:USDT"]
    diffs = compare_contract_sizes(builtin_catalog(), markets, "BINANCE")
    assert [(d.contract_id, d.field) for d in diffs] == [("BINANCE:BTCUSDT", "listing")]


# --------------------------------------------------------------------------- ccxt source


class FakeNetworkError(Exception):
    pass


class FakeBaseError(Exception):
    pass


class FakeTimeout(FakeNetworkError):
    pass


def fake_ccxt(
    markets: dict[str, Any], tickers: dict[str, Any], fail: Exception | None = None
) -> Any:
    class FakeExchange:
        precisionMode = 4

        def __init__(self, config: dict[str, Any]) -> None:
            self.config = config

        def load_markets(self) -> dict[str, Any]:
            if fail is not None:
                raise fail
            return markets

        def fetch_ticker(self, symbol: str) -> dict[str, Any]:
            return tickers[symbol]

    return SimpleNamespace(
        exchanges=["okx"],
        okx=FakeExchange,
        NetworkError=FakeNetworkError,
        RequestTimeout=FakeTimeout,
        BaseError=FakeBaseError,
        DECIMAL_PLACES=2,
        TICK_SIZE=4,
    )


def test_ccxt_source_prices_spot_and_perpetuals() -> None:
    tickers = {
        "BTC/USDT": {"symbol": "BTC/USDT", "last": 70000.5, "close": 70000.5},
        "BTC/USDT:USDT": {"symbol": "BTC/USDT:USDT", "last": 70010.0, "markPrice": 70011.3},
    }
    src = CcxtSource("okx", module=fake_ccxt(okx_markets(), tickers))
    assert src.name == "okx (ccxt)"
    spot = src.fetch_spot(["BTC", "ETH"])
    assert spot.prices == {"BTC": Decimal("70000.5")}
    assert "ETH" in spot.problems
    assert src.fetch_futures(["BTC"]).prices == {"BTC": Decimal("70011.3")}
    assert src.compare_catalog(builtin_catalog(), ("OKX",)) == []


def test_ccxt_errors_become_one_line_messages() -> None:
    timeout = CcxtSource("okx", timeout=5, module=fake_ccxt({}, {}, FakeTimeout("okx GET ...")))
    with pytest.raises(PriceSourceError, match=r"^okx \(ccxt\) unreachable: timed out after 5 s$"):
        timeout.fetch_spot(["BTC"])
    down = CcxtSource("okx", module=fake_ccxt({}, {}, FakeBaseError("maintenance")))
    with pytest.raises(PriceSourceError, match=r"^okx \(ccxt\) error: maintenance$"):
        down.fetch_spot(["BTC"])
    unknown = CcxtSource("nosuchx", module=fake_ccxt({}, {}))
    with pytest.raises(PriceSourceError, match="ccxt does not know the exchange 'nosuchx'"):
        unknown.fetch_spot(["BTC"])
    with pytest.raises(PriceSourceError, match="no contracts for 'nosuchx'"):
        venue_for_exchange(unknown.exchange_id)


def test_without_ccxt_the_source_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)  # import ccxt -> ImportError
    src = make_source("ccxt:kraken", env={})
    with pytest.raises(PriceSourceError) as err:
        src.fetch_spot(["BTC"])
    assert (
        str(err.value)
        == INSTALL_HINT
        == ('ccxt is not installed; install it with: pip install "hedger[live]"')
    )
    p = Portfolio(holdings=(Holding.model_validate({"symbol": "BTC", "quantity": 1, "price": 1}),))
    result = refresh_portfolio(p, [src], datetime.now(UTC))
    assert result.venue_errors[0] == INSTALL_HINT
