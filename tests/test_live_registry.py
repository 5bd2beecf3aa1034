"""The venue registry: one module per venue, listed once, and nothing else naming venues."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hedger
from hedger.core.catalog import builtin_catalog
from hedger.core.resources import resource_path
from hedger.live import venues
from hedger.live.http import PriceSourceError
from hedger.live.venues import venue_for_exchange
from hedger.live.venues.base import PriceSource, Venue, VenueSource

PACKAGE_DIR = Path(hedger.__file__).resolve().parent
VENUES_DIR = PACKAGE_DIR / "live" / "venues"
# Modules of the venues package that describe no venue.
NOT_VENUES = {"__init__", "base", "ccxt"}
# Files that still name venues themselves and are moving to the registry in
# other branches (the lead merges them). Do not add to this list: read the
# registry instead (``price_source_keys``, ``ccxt_price_ids``, ``ccxt_market_ids``).


def test_every_catalog_venue_has_a_venue_module() -> None:
    doc = json.loads(resource_path("contracts.json").read_text(encoding="utf-8"))
    codes = {c["venue"] for c in doc["contracts"]}
    assert codes == {c.venue for c in builtin_catalog().contracts.values()}
    for code in sorted(codes):
        v = venues.venue_for_catalog_code(code)
        assert v is not None, f"catalog venue {code} has no module in hedger/live/venues"
        assert type(v).__module__ == f"hedger.live.venues.{v.key}"


def test_each_venue_module_is_one_registered_venue() -> None:
    modules = {p.stem for p in VENUES_DIR.glob("*.py")} - NOT_VENUES
    registered = {v.key: v for v in venues.all_venues()}
    assert set(registered) == modules
    for key in modules:
        module = sys.modules[f"hedger.live.venues.{key}"]
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Venue)
            and obj.__module__ == module.__name__
        ]
        assert classes == [type(registered[key])], key


def test_keys_codes_and_ccxt_ids_each_belong_to_one_venue() -> None:
    all_v = venues.all_venues()
    for attr in ("key", "name"):
        values = [getattr(v, attr) for v in all_v]
        assert len(values) == len(set(values)), attr
    codes = [c for v in all_v for c in v.catalog_codes]
    assert len(codes) == len(set(codes))
    market_ids = [i for v in all_v for i in v.ccxt_market_ids]
    assert len(market_ids) == len(set(market_ids))
    for v in all_v:
        assert v.key == v.key.lower() and v.key.isidentifier()
        assert set(v.exact_contract_codes) <= set(v.catalog_codes)
        source = v.make_source({}, venues.http_settings_from_env({}))
        assert v.has_builtin_source == (source is not None)
        if source is not None:
            # Name, futures ability and exact contracts come from the venue.
            assert isinstance(source, VenueSource) and source.venue is type(v)
            assert (source.name, source.has_futures) == (v.name, v.has_futures_prices)
            assert source.contract_venues == v.exact_contract_codes


def test_source_keys_and_fallback_order_are_todays() -> None:
    assert venues.builtin_source_keys() == ("binance", "coinbase", "okx")
    assert venues.price_source_keys() == ("binance", "coinbase", "okx", "ccxt:<exchange>")
    assert [s.name for s in venues.default_sources({})] == ["Binance", "Coinbase", "OKX"]
    assert [venues.venue(k).has_futures_prices for k in venues.builtin_source_keys()] == [
        True,
        False,
        True,
    ]
    assert venues.ccxt_price_ids() == ("binance", "coinbase", "okx", "bybit", "deribit", "kraken")


def test_unknown_source_message_is_unchanged() -> None:
    with pytest.raises(PriceSourceError) as info:
        venues.make_source("bybit", env={})
    assert str(info.value) == (
        "unknown price source 'bybit' (choose from binance, coinbase, okx, ccxt:<exchange>)"
    )


def test_base_url_environment_variables_keep_their_names() -> None:
    env_vars = {v.key: [e.env_var for e in v.endpoints] for v in venues.all_venues() if v.endpoints}
    assert env_vars == {
        "binance": ["HEDGER_BINANCE_URL", "HEDGER_BINANCE_FUTURES_URL"],
        "coinbase": ["HEDGER_COINBASE_URL"],
        "okx": ["HEDGER_OKX_URL"],
    }


def test_ccxt_ids_for_the_size_comparison() -> None:
    assert set(venues.ccxt_market_ids()) == {
        "binance",
        "binanceusdm",
        "binancecoinm",
        "okx",
        "bybit",
        "deribit",
        "krakenfutures",
    }
    found = venues.venue_for_ccxt_id(" KrakenFutures ")
    assert found is not None and found.catalog_codes == ("KRAKEN",)
    assert venues.venue_for_ccxt_id("kraken") is None  # spot only: lists no catalog contract
    with pytest.raises(PriceSourceError) as info:
        venue_for_exchange("gateio")
    assert str(info.value) == (
        "the catalog has no contracts for 'gateio' (try one of: binance, binancecoinm, "
        "binanceusdm, bybit, deribit, krakenfutures, okx)"
    )


def test_lookups() -> None:
    assert venues.venue("OKX").name == "OKX"
    okx = venues.venue_for_catalog_code("okx")
    assert okx is venues.venue("okx") and okx.exact_contract_codes == ("OKX",)
    assert venues.venue_for_catalog_code("NYSE") is None
    with pytest.raises(KeyError):
        venues.venue("nyse")
    assert isinstance(venues.make_source("okx", env={}), PriceSource)


def _venue_names_in(path: Path, names: set[str]) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted(
        {
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.strip().lower() in names
        }
    )


def test_only_the_venue_modules_name_venues() -> None:
    names = {v.key for v in venues.all_venues()}
    names |= {c.lower() for v in venues.all_venues() for c in v.catalog_codes}
    names |= set(venues.ccxt_market_ids()) | set(venues.ccxt_price_ids())
    offenders: dict[str, list[int]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if VENUES_DIR in path.parents:
            continue
        lines = _venue_names_in(path, names)
        if lines:
            offenders[path.relative_to(PACKAGE_DIR.parent).as_posix()] = lines
    assert offenders == {}, "venue names outside hedger/live/venues (use the registry)"


def test_the_registry_loads_neither_the_network_stack_nor_ccxt(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "import hedger.live.venues, hedger.live.venues.ccxt, hedger.live.contract_sizes\n"
        "heavy = ('ssl', 'http.client', 'urllib.request', 'socket', 'ccxt')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    env = {**os.environ, "HEDGER_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_candles_and_funding_are_declared_by_each_venue_class_and_derived_by_the_registry() -> None:
    """One line per venue: the class says whether Hedger downloads its candles and its
    funding; the registry lists no second tuple and looks up no module attribute."""
    from hedger.live import funding as live_funding
    from hedger.live.candles import CandleSource

    with_candles = [v for v in venues.all_venues() if v.candle_source() is not None]
    assert [v.key for v in with_candles] == ["binance", "coinbase", "okx"]
    assert venues.candle_source_keys() == (*(v.key for v in with_candles), venues.CCXT_CHOICE)
    for v in venues.all_venues():
        module = sys.modules[type(v).__module__]
        candles = v.candle_source()
        # Every candle source and funding fetcher a venue module holds is declared by its class.
        held = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, CandleSource)
            and obj.__module__ == module.__name__
        ]
        assert held == ([candles] if candles is not None else []), v.key
        if candles is not None:
            assert candles.key == v.key and candles.name == v.name
            made = venues.make_candle_source(v.key, {}, venues.http_settings_from_env({}))
            assert type(made) is candles
        factory = v.funding_fetcher_factory()
        assert factory is getattr(module, "make_funding_fetcher", None), v.key
        for code in v.catalog_codes:
            assert live_funding._BUILT_IN.get(code) is factory
    assert set(live_funding.built_in_venues()) == {
        c for v in venues.all_venues() if v.funding_fetcher_factory() for c in v.catalog_codes
    }


def test_the_registry_keeps_no_second_list_of_venues() -> None:
    registry = (VENUES_DIR / "__init__.py").read_text(encoding="utf-8")
    funding = (PACKAGE_DIR / "live" / "funding.py").read_text(encoding="utf-8")
    # No tuple of candle classes beside _VENUES (ccxt's is made by name, not listed).
    assert "_CANDLE_SOURCES" not in registry
    for v in venues.all_venues():
        candles = v.candle_source()
        assert candles is None or candles.__name__ not in registry, v.key
    assert "sys.modules" not in funding and "make_funding_fetcher" not in funding.split('"""', 2)[2]
