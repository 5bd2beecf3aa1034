"""The shipped catalog holds every contract of domain.md section 2 with its source."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.catalog import (
    Catalog,
    CatalogError,
    Contract,
    Family,
    builtin_catalog,
    builtin_catalog_docs,
    load_catalog_file,
    parse_catalog,
)
from hedger.core.resources import resource_path, resources_dir

D = Decimal

# (id, size, kind, tick or None) straight from the domain table.
DOMAIN_ROWS: list[tuple[str, str, str, str | None]] = [
    ("CME:BTC", "5", "linear", "5"),
    ("CME:MBT", "0.1", "linear", "5"),
    ("CME:BFF", "0.02", "linear", None),
    ("CME:ETH", "50", "linear", "0.25"),
    ("CME:MET", "0.1", "linear", "0.50"),
    ("COINBASE:BIT", "0.01", "linear", None),
    ("COINBASE:ET", "0.1", "linear", None),
    ("BINANCE:BTCUSDT", "0.001", "linear", "0.10"),
    ("BINANCE:BTCUSD_PERP", "100", "inverse", "0.1"),
    ("BINANCE:ETHUSD_PERP", "10", "inverse", None),
    ("OKX:BTC-USDT-SWAP", "0.01", "linear", "0.1"),
    ("OKX:ETH-USDT-SWAP", "0.1", "linear", None),
    ("OKX:BTC-USD-SWAP", "100", "inverse", "0.1"),
    ("BYBIT:BTCUSDT", "0.001", "linear", "0.10"),
    # domain.md's table says 0.5; Bybit's instruments answer says 0.10 (venue-facts §5).
    ("BYBIT:BTCUSD", "1", "inverse", "0.10"),
    ("DERIBIT:BTC-PERPETUAL", "10", "inverse", "0.5"),
    ("KRAKEN:PI_XBTUSD", "1", "inverse", "0.5"),
]

FAMILIES: dict[str, tuple[str, list[str]]] = {
    "GENERIC-BTC": ("BTC", ["GENERIC:BTC-STD", "GENERIC:BTC-MINI", "GENERIC:BTC-MICRO"]),
    "GENERIC-ETH": ("ETH", ["GENERIC:ETH-STD", "GENERIC:ETH-MINI", "GENERIC:ETH-MICRO"]),
    "CME-BTC": ("BTC", ["CME:BTC", "CME:MBT"]),
    "CME-ETH": ("ETH", ["CME:ETH", "CME:MET"]),
    "DERIBIT-BTC": ("BTC", ["DERIBIT:BTC-PERPETUAL"]),
    "BINANCE-COINM-BTC": ("BTC", ["BINANCE:BTCUSD_PERP"]),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return builtin_catalog()


def test_resources_are_found() -> None:
    assert (resources_dir() / "contracts.json").is_file()
    assert resource_path("contracts.json") == resources_dir() / "contracts.json"


@pytest.mark.parametrize(("cid", "size", "kind", "tick"), DOMAIN_ROWS)
def test_every_domain_contract_is_shipped(
    catalog: Catalog, cid: str, size: str, kind: str, tick: str | None
) -> None:
    c = catalog.contracts[cid]
    assert c.size == D(size)
    assert c.kind == kind
    if tick is not None:
        assert c.tick == D(tick)
    assert c.source.strip()
    dt.date.fromisoformat(c.as_of)
    assert not c.user_defined


def test_every_contract_has_source_and_date(catalog: Catalog) -> None:
    for c in catalog.contracts.values():
        assert c.source.strip(), c.id
        dt.date.fromisoformat(c.as_of)


def test_binance_usdm_trades_in_steps_of_a_thousandth(catalog: Catalog) -> None:
    c = catalog.contracts["BINANCE:BTCUSDT"]
    assert c.quantity_step == D("0.001")
    assert c.order_unit == "coin"
    # 100 USDT since 2023-11-02 (Binance FAQ; venue-facts §3), not the old 5.
    assert c.min_notional == D(100)
    assert c.quote == "USDT"


def test_bitcoin_friday_carries_a_basis_warning(catalog: Catalog) -> None:
    bff = catalog.contracts["CME:BFF"]
    assert "BRRNY" in (bff.settlement or "")
    fams = [f for f in catalog.families.values() if "CME:BFF" in f.contracts]
    assert fams
    assert all(f.notes and "basis" in f.notes for f in fams)


@pytest.mark.parametrize("fid", sorted(FAMILIES))
def test_families_have_the_right_members(catalog: Catalog, fid: str) -> None:
    underlying, members = FAMILIES[fid]
    fam = catalog.family(fid)
    assert fam.underlying == underlying
    assert [c.id for c in catalog.family_contracts(fid)] == members


def test_family_contracts_are_largest_first(catalog: Catalog) -> None:
    for fid in catalog.families:
        sizes = [c.size for c in catalog.family_contracts(fid)]
        assert sizes == sorted(sizes, reverse=True), fid


def test_default_families(catalog: Catalog) -> None:
    # Real exchange families, not the article's example one.
    assert catalog.default_family_for("BTC") == "CME-BTC"
    assert catalog.default_family_for("ETH") == "CME-ETH"
    assert catalog.default_family_for("DOGE") is None
    # The family the user last chose wins while it exists and fits.
    assert catalog.default_family_for("BTC", "OKX-BTC") == "OKX-BTC"
    assert catalog.default_family_for("BTC", "CME-ETH") == "CME-BTC"
    assert catalog.default_family_for("BTC", "GONE") == "CME-BTC"


def test_unknown_family_is_a_clear_error(catalog: Catalog) -> None:
    with pytest.raises(CatalogError, match="unknown contract family 'NOPE'"):
        catalog.family("NOPE")


def test_notional_of_linear_and_inverse(catalog: Catalog) -> None:
    assert catalog.contracts["CME:MBT"].notional_usd(D(70000)) == D(7000)
    assert catalog.contracts["DERIBIT:BTC-PERPETUAL"].notional_usd(D(70000)) == D(10)
    assert catalog.contracts["DERIBIT:BTC-PERPETUAL"].size_text() == "10 USD"
    assert catalog.contracts["CME:MBT"].size_text() == "0.1 BTC"


def _contract(cid: str, size: str, kind: str = "linear", underlying: str = "SOL") -> Contract:
    venue, symbol = cid.split(":")
    return Contract.model_validate(
        {
            "id": cid,
            "venue": venue,
            "symbol": symbol,
            "name": cid,
            "underlying": underlying,
            "tier": "micro",
            "kind": kind,
            "size": size,
            "source": "test",
            "as_of": "2026-01-01",
        }
    )


def test_user_additions_are_marked_and_usable(catalog: Catalog) -> None:
    sol = _contract("MYVENUE:SOL-1", "1")
    fam = Family(id="MY-SOL", name="My SOL", underlying="SOL", contracts=("MYVENUE:SOL-1",))
    bigger = catalog.with_user_additions([sol], [fam])
    assert bigger.contracts["MYVENUE:SOL-1"].user_defined
    assert bigger.family("MY-SOL").user_defined
    assert bigger.default_family_for("SOL") == "MY-SOL"
    # The shipped catalog is untouched.
    assert "MY-SOL" not in catalog.families


def test_user_additions_cannot_reuse_ids(catalog: Catalog) -> None:
    dup = _contract("CME:MBT", "0.1", underlying="BTC")
    with pytest.raises(CatalogError, match="duplicate contract id CME:MBT"):
        catalog.with_user_additions([dup], [])


def test_family_cannot_mix_linear_and_inverse() -> None:
    lin = _contract("X:LIN", "1")
    inv = _contract("X:INV", "10", kind="inverse")
    fam = Family(id="MIXED", name="mixed", underlying="SOL", contracts=("X:LIN", "X:INV"))
    with pytest.raises(CatalogError, match="cannot mix linear and inverse"):
        Catalog([lin, inv], [fam])


def test_family_cannot_list_a_contract_twice() -> None:
    lin = _contract("X:LIN", "1")
    fam = Family(id="TWICE", name="twice", underlying="SOL", contracts=("X:LIN", "X:LIN"))
    with pytest.raises(CatalogError, match="lists a contract twice"):
        Catalog([lin], [fam])


def test_family_members_must_exist_and_match_underlying() -> None:
    lin = _contract("X:LIN", "1")
    with pytest.raises(CatalogError, match="unknown contract X:NOPE"):
        Catalog([lin], [Family(id="F", name="f", underlying="SOL", contracts=("X:NOPE",))])
    with pytest.raises(CatalogError, match="is on SOL, not BTC"):
        Catalog([lin], [Family(id="F", name="f", underlying="BTC", contracts=("X:LIN",))])


def test_bad_catalog_documents_give_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="must be a JSON object"):
        parse_catalog([])
    with pytest.raises(CatalogError) as err:
        parse_catalog({"contracts": [{"id": "X:Y", "size": "-1"}]})
    assert "\n" not in str(err.value)
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"contracts": [], "families": [], "default_families": []}))
    with pytest.raises(CatalogError, match="default_families"):
        load_catalog_file(bad)


def test_contract_sizes_never_go_through_floats(tmp_path: Path) -> None:
    doc = {
        "contracts": [
            {
                "id": "X:F",
                "venue": "X",
                "symbol": "F",
                "name": "float sized",
                "underlying": "BTC",
                "tier": "micro",
                "kind": "linear",
                "size": 0.29,
                "source": "test",
                "as_of": "2026-01-01",
            }
        ],
        "families": [],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    assert load_catalog_file(path).contracts["X:F"].size == D("0.29")


def test_the_shipped_catalog_passes_full_validation_unchanged() -> None:
    # builtin_catalog() trusts resources/contracts.json and skips per-field
    # validation at start-up; this is the check it relies on.
    validated = parse_catalog(*builtin_catalog_docs())
    shipped = builtin_catalog()
    assert list(shipped.contracts) == list(validated.contracts)
    for cid, contract in validated.contracts.items():
        assert shipped.contracts[cid].model_dump() == contract.model_dump(), cid
        # Same Python types too (Decimal stays Decimal, tuples stay tuples).
        for name, value in contract.model_dump().items():
            assert type(getattr(shipped.contracts[cid], name)) is type(value), (cid, name)
    assert list(shipped.families) == list(validated.families)
    for fid, family in validated.families.items():
        assert shipped.families[fid].model_dump() == family.model_dump(), fid
        assert isinstance(shipped.families[fid].contracts, tuple)
    assert shipped.default_families == validated.default_families
    doc = json.loads(resource_path("contracts.json").read_text(encoding="utf-8"))
    # No JSON numbers: the trusted path reads decimals from strings only.
    for c in doc["contracts"]:
        assert all(isinstance(v, str | bool) for v in c.values()), c["id"]
    tiers = json.loads(resource_path("margin_tiers.json").read_text(encoding="utf-8"))
    for cid, tables in tiers["tables"].items():
        assert cid in shipped.contracts, cid
        for table in tables:
            assert table["source"].strip() and table["as_of"], cid
            for tier in table["tiers"]:
                assert all(isinstance(v, str) for v in tier.values()), cid
