"""User-defined contracts and families: saved, validated, never breaking the app."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.catalog import Contract, Family, builtin_catalog
from hedger.store import paths
from hedger.store.atomic import backup_path
from hedger.store.user_catalog import (
    UserCatalogError,
    load_user_catalog,
    read_user_additions,
    remove_user_contract,
    remove_user_family,
    save_user_contract,
    save_user_family,
)


def my_contract(cid: str = "MYVENUE:BTC-NANO", size: str = "0.001") -> Contract:
    return Contract(
        id=cid,
        venue="MYVENUE",
        symbol=cid.split(":")[1],
        name="My nano BTC",
        underlying="BTC",
        tier="nano",
        kind="linear",
        size=Decimal(size),
        source="my broker's website",
        as_of="2026-11-01",
    )


def my_family(fid: str = "MY-BTC", contracts: tuple[str, ...] = ("MYVENUE:BTC-NANO",)) -> Family:
    return Family(id=fid, name="My BTC family", underlying="BTC", contracts=contracts)


def test_no_user_file_gives_the_builtin_catalog() -> None:
    catalog, error = load_user_catalog(builtin_catalog())
    assert error is None
    assert set(catalog.contracts) == set(builtin_catalog().contracts)


def test_saved_contract_and_family_come_back_marked_as_user_defined() -> None:
    save_user_contract(my_contract())
    returned = save_user_family(my_family(contracts=("MYVENUE:BTC-NANO", "GENERIC:BTC-MICRO")))
    catalog, error = load_user_catalog(builtin_catalog())
    assert error is None
    for cat in (catalog, returned):
        contract = cat.contracts["MYVENUE:BTC-NANO"]
        assert contract.user_defined
        assert contract.size == Decimal("0.001")
        assert [c.id for c in cat.family_contracts("MY-BTC")] == [
            "GENERIC:BTC-MICRO",
            "MYVENUE:BTC-NANO",
        ]
        assert cat.families["MY-BTC"].user_defined
    assert not catalog.contracts["GENERIC:BTC-MICRO"].user_defined


def test_file_shape_matches_the_shipped_catalog() -> None:
    save_user_contract(my_contract(size="10"))
    doc = json.loads(paths.user_catalog_path().read_text())
    assert doc["schema_version"] == 1
    [c] = doc["contracts"]
    assert c["id"] == "MYVENUE:BTC-NANO"
    assert c["size"] == "10"  # plain decimal text, never "1E+1"
    assert "user_defined" not in c
    assert doc["families"] == []


def test_saving_the_same_id_replaces_the_contract() -> None:
    save_user_contract(my_contract(size="0.001"))
    save_user_contract(my_contract(size="0.002"))
    additions = read_user_additions()
    assert [c.size for c in additions.contracts] == [Decimal("0.002")]
    assert backup_path(paths.user_catalog_path()).exists()


def test_builtin_ids_are_refused() -> None:
    builtin_id = next(iter(builtin_catalog().contracts))
    with pytest.raises(UserCatalogError, match="is a built-in contract"):
        save_user_contract(my_contract(cid=builtin_id))
    with pytest.raises(UserCatalogError, match="is a built-in family"):
        save_user_family(my_family(fid="GENERIC-BTC", contracts=("GENERIC:BTC-MICRO",)))
    assert not paths.user_catalog_path().exists()


def test_family_with_unknown_contract_is_refused_and_nothing_written() -> None:
    save_user_contract(my_contract())
    before = paths.user_catalog_path().read_bytes()
    with pytest.raises(UserCatalogError, match="unknown contract NOPE:X"):
        save_user_family(my_family(contracts=("NOPE:X",)))
    assert paths.user_catalog_path().read_bytes() == before


def test_contract_used_by_a_family_cannot_be_removed() -> None:
    save_user_contract(my_contract())
    save_user_family(my_family())
    with pytest.raises(UserCatalogError, match="used by family MY-BTC"):
        remove_user_contract("MYVENUE:BTC-NANO")
    remove_user_family("MY-BTC")
    catalog = remove_user_contract("MYVENUE:BTC-NANO")
    assert "MYVENUE:BTC-NANO" not in catalog.contracts
    assert read_user_additions().contracts == ()


def test_removing_builtin_or_unknown_entries_is_refused() -> None:
    with pytest.raises(UserCatalogError, match="built in and cannot be removed"):
        remove_user_contract("GENERIC:BTC-MICRO")
    with pytest.raises(UserCatalogError, match="no contract 'X:Y'"):
        remove_user_contract("X:Y")
    with pytest.raises(UserCatalogError, match="built in and cannot be removed"):
        remove_user_family("GENERIC-BTC")


def test_changing_a_contract_that_breaks_a_family_is_refused() -> None:
    save_user_contract(my_contract())
    save_user_family(my_family())
    eth_version = my_contract().model_copy(update={"underlying": "ETH"})
    with pytest.raises(UserCatalogError, match="is on ETH, not BTC"):
        save_user_contract(eth_version)
    assert read_user_additions().contracts[0].underlying == "BTC"


def test_merged_catalog_can_be_passed_as_base() -> None:
    merged = save_user_contract(my_contract())
    again = save_user_contract(my_contract(cid="MYVENUE:BTC-PICO"), base=merged)
    assert {"MYVENUE:BTC-NANO", "MYVENUE:BTC-PICO"} <= set(again.contracts)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{", "contracts.json: not a Hedger contracts file (invalid JSON"),
        (b"\x00\xff", "contracts.json: not a Hedger contracts file (binary data"),
        (b"[]", "not a JSON object"),
        (b'{"contracts": []}', "no valid schema_version"),
        (b'{"schema_version": 3}', "written by a newer Hedger (schema 3"),
        (b'{"schema_version": 1, "contracts": [{"id": "bad"}]}', "contracts[0].id:"),
        (b'{"schema_version": 1, "contracts": [{"id": NaN}]}', "NaN is not a number"),
        (
            b'{"schema_version": 1, "families": [{"id": "F", "name": "f", "underlying": "BTC",'
            b' "contracts": ["NOPE:X"]}]}',
            "family F: unknown contract NOPE:X",
        ),
    ],
)
def test_broken_user_file_falls_back_to_builtin_with_a_message(
    data_dir: Path, content: bytes, expected: str
) -> None:
    path = data_dir / "contracts.json"
    path.write_bytes(content)
    catalog, error = load_user_catalog(builtin_catalog())
    assert set(catalog.contracts) == set(builtin_catalog().contracts)
    assert error is not None
    assert expected in error
    assert error.startswith("contracts.json: ")
    assert "\n" not in error
    # Saving must not replace what could not be read.
    with pytest.raises(UserCatalogError):
        save_user_contract(my_contract())
    assert path.read_bytes() == content


def test_unreadable_user_file_is_not_rewritten(data_dir: Path) -> None:
    path = data_dir / "contracts.json"
    path.write_bytes(b'{"schema_version": 1, "contracts": [')
    with pytest.raises(UserCatalogError) as info:
        save_user_contract(my_contract())
    assert str(info.value).endswith("fix or remove the file before changing it")
    assert path.read_bytes() == b'{"schema_version": 1, "contracts": ['


def test_a_save_can_repair_an_inconsistent_user_file(data_dir: Path) -> None:
    path = data_dir / "contracts.json"
    family = {"id": "F", "name": "f", "underlying": "BTC", "contracts": ["MYVENUE:BTC-NANO"]}
    path.write_text(json.dumps({"schema_version": 1, "families": [family]}))
    assert load_user_catalog(builtin_catalog())[1] == (
        "contracts.json: family F: unknown contract MYVENUE:BTC-NANO"
    )
    save_user_contract(my_contract())
    catalog, error = load_user_catalog(builtin_catalog())
    assert error is None
    assert catalog.families["F"].contracts == ("MYVENUE:BTC-NANO",)


def test_duplicate_user_ids_in_the_file_are_reported(data_dir: Path) -> None:
    contract = json.loads(json.dumps(my_contract().model_dump(mode="json")))
    doc = {"schema_version": 1, "contracts": [contract, contract]}
    (data_dir / "contracts.json").write_text(json.dumps(doc))
    catalog, error = load_user_catalog(builtin_catalog())
    assert error == "contracts.json: contract MYVENUE:BTC-NANO appears twice"
    assert "MYVENUE:BTC-NANO" not in catalog.contracts
