"""hedger.services.catalog and .own_contracts: the one load_catalog, changes to own contracts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hedger.core.catalog import Contract, Family, builtin_catalog
from hedger.services import catalog
from hedger.services import own_contracts as own_svc


def contract_values(cid: str = "MYVENUE:BTC-NANO", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": cid,
        "venue": cid.split(":")[0],
        "symbol": cid.split(":")[1],
        "name": "My nano BTC",
        "underlying": "BTC",
        "tier": "nano",
        "kind": "linear",
        "size": Decimal("0.001"),
        "source": "my broker's website",
        "as_of": "2026-11-01",
    }
    return {**values, **changes}


def my_contract(cid: str = "MYVENUE:BTC-NANO", **changes: Any) -> Contract:
    return Contract.model_validate(contract_values(cid, **changes))


# --------------------------------------------------------------------------- load_catalog


def test_without_a_user_file_the_shipped_catalog_loads_quietly() -> None:
    loaded = catalog.load_catalog()
    assert loaded.problem is None and loaded.folder_error is None
    assert set(loaded.catalog.contracts) == set(builtin_catalog().contracts)


def test_user_contracts_are_merged_in(data_dir: Path) -> None:
    own_svc.save_own_contract(my_contract())
    loaded = catalog.load_catalog()
    assert loaded.problem is None
    assert loaded.catalog.contracts["MYVENUE:BTC-NANO"].user_defined


def test_a_damaged_user_file_gives_the_shipped_catalog_and_the_reason(data_dir: Path) -> None:
    (data_dir / "contracts.json").write_text("{not json", encoding="utf-8")
    loaded = catalog.load_catalog()
    assert loaded.problem is not None and "contracts.json" in loaded.problem
    assert loaded.folder_error is None
    assert not any(c.user_defined for c in loaded.catalog.contracts.values())


def test_an_unusable_data_folder_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("HEDGER_DATA_DIR", str(blocker / "data"))
    loaded = catalog.load_catalog()
    assert isinstance(loaded.folder_error, OSError)
    assert loaded.problem is not None and loaded.problem.startswith("cannot use the data folder")
    assert set(loaded.catalog.contracts) == set(builtin_catalog().contracts)


def test_a_given_base_loses_user_entries_the_file_no_longer_has(data_dir: Path) -> None:
    merged = own_svc.save_own_contract(my_contract())
    (data_dir / "contracts.json").unlink()
    loaded = catalog.load_catalog(merged, data_dir / "contracts.json")
    assert "MYVENUE:BTC-NANO" not in loaded.catalog.contracts
    assert own_svc.own_contracts_problem(merged, data_dir / "contracts.json") is None


def test_family_for_an_underlying_or_by_id() -> None:
    shipped = builtin_catalog()
    assert catalog.family_for(shipped, None, "BTC").underlying == "BTC"
    assert catalog.family_for(shipped, "CME-ETH", "BTC").id == "CME-ETH"
    with pytest.raises(catalog.UnknownFamily, match="unknown contract family 'NOPE'"):
        catalog.family_for(shipped, "NOPE", "BTC")
    with pytest.raises(catalog.UnknownFamily, match="no contract family for XRP"):
        catalog.family_for(shipped, None, "XRP")


# --------------------------------------------------------------------------- own contracts


def test_add_a_contract_into_a_new_family_then_remove_both(data_dir: Path) -> None:
    own = own_svc.open_own_contracts()
    saved = own.add_contract(my_contract(), "MY-BTC")
    assert not saved.replaced and saved.family is not None
    assert saved.family.contracts == ("MYVENUE:BTC-NANO",)
    doc = json.loads((data_dir / "contracts.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in doc["families"]] == ["MY-BTC"]

    own = own_svc.open_own_contracts()
    with pytest.raises(own_svc.CatalogChangeError, match="used by family MY-BTC"):
        own.remove("myvenue:BTC-NANO")
    assert own_svc.open_own_contracts().remove("my-btc").kind == "family"
    removed = own_svc.open_own_contracts().remove("myvenue:BTC-NANO")
    assert (removed.kind, removed.id) == ("contract", "MYVENUE:BTC-NANO")


def test_ids_must_be_free_or_the_users_own_with_replace() -> None:
    own = own_svc.open_own_contracts()
    with pytest.raises(own_svc.CatalogChangeError, match="built-in contract"):
        own.check_free("contract", "CME:MBT", replace=True)
    own.add_contract(my_contract())
    own = own_svc.open_own_contracts()
    with pytest.raises(own_svc.CatalogChangeError, match="add --replace"):
        own.check_free("contract", "MYVENUE:BTC-NANO", replace=False)
    own.check_free("contract", "MYVENUE:BTC-NANO", replace=True)
    assert own.add_contract(my_contract(name="Renamed")).replaced


def test_a_family_takes_one_underlying_and_one_kind() -> None:
    own = own_svc.open_own_contracts()
    own.add_contract(my_contract(), "MY-BTC")
    own = own_svc.open_own_contracts()
    eth = my_contract("MYVENUE:ETH-1", underlying="ETH")
    with pytest.raises(own_svc.CatalogChangeError, match="hedges BTC, not ETH"):
        own.add_contract(eth, "MY-BTC")
    inverse = my_contract("MYVENUE:BTC-INV", kind="inverse", size=Decimal(100))
    with pytest.raises(own_svc.CatalogChangeError, match="not inverse"):
        own.add_contract(inverse, "MY-BTC")
    # Replacing a member with one that no longer fits its family is refused too.
    with pytest.raises(own_svc.CatalogChangeError, match="remove it from the family first"):
        own.add_contract(my_contract(underlying="ETH"))


def test_family_from_checks_its_contracts_exist() -> None:
    own = own_svc.open_own_contracts()
    values = {"id": "MY-BTC", "name": "Mine", "underlying": "BTC", "contracts": ["NOPE:X"]}
    with pytest.raises(own_svc.UnknownContracts) as caught:
        own.family_from(values)
    assert caught.value.ids == ["NOPE:X"]
    family = own.family_from({**values, "contracts": ["CME:MBT"]})
    assert own.add_family(family) is False
    assert own_svc.open_own_contracts().add_family(family) is True


def test_bad_values_are_one_line_refusals() -> None:
    own = own_svc.open_own_contracts()
    with pytest.raises(own_svc.CatalogChangeError, match="contract MYVENUE:BTC-NANO: "):
        own.contract_from(contract_values(size=Decimal(-1)))
    with pytest.raises(own_svc.NoSuchEntry) as caught:
        own.remove("nothing")
    assert caught.value.wanted == "nothing"


def test_a_damaged_file_is_not_changed(data_dir: Path) -> None:
    path = data_dir / "contracts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(own_svc.CatalogChangeError, match="fix or remove the file"):
        own_svc.open_own_contracts()
    with pytest.raises(own_svc.CatalogChangeError, match="fix or remove the file"):
        own_svc.save_own_contract(my_contract())
    assert path.read_text(encoding="utf-8") == "{not json"


def test_dialog_wrappers_save_and_remove(data_dir: Path) -> None:
    merged = own_svc.save_own_contract(my_contract())
    family = Family(id="MY-BTC", name="Mine", underlying="BTC", contracts=("MYVENUE:BTC-NANO",))
    merged = own_svc.save_own_family(family, base=merged)
    assert merged.families["MY-BTC"].user_defined
    with pytest.raises(own_svc.CatalogChangeError, match="built-in family"):
        own_svc.save_own_family(family.model_copy(update={"id": "CME-BTC"}))
    merged = own_svc.remove_own_family("MY-BTC", base=merged)
    merged = own_svc.remove_own_contract("MYVENUE:BTC-NANO", base=merged)
    assert not any(c.user_defined for c in merged.contracts.values())
    assert own_svc.own_contracts_path() == data_dir / "contracts.json"
