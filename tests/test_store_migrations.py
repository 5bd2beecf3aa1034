"""Upgrade chains: older files are brought to the current schema on read, newer ones refused."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hedger.core.analytics.series import PriceSeries
from hedger.core.catalog import Contract, builtin_catalog
from hedger.core.models import PORTFOLIO_SCHEMA_VERSION
from hedger.core.resources import resource_path
from hedger.store import migrations
from hedger.store.history import HistoryStore
from hedger.store.migrations import Chain, NewerVersionError
from hedger.store.portfolio_file import (
    NewerSchemaError,
    dumps_portfolio,
    load_portfolio,
    portfolio_from_dict,
)
from hedger.store.user_catalog import load_user_catalog, save_user_contract

Doc = dict[str, Any]


def _v1_to_v2(doc: Doc) -> Doc:
    doc["holdings"] = doc.pop("positions")
    return doc


def _v2_to_v3(doc: Doc) -> Doc:
    doc["name"] = doc["name"].strip()
    return doc


def test_steps_run_in_order_from_the_file_version_to_the_current_one() -> None:
    chain = Chain("test file", 3, {1: _v1_to_v2, 2: _v2_to_v3})
    v1 = {"schema_version": 1, "name": " Old ", "positions": [1]}
    assert chain.upgrade(v1, 1) == {"schema_version": 3, "name": "Old", "holdings": [1]}
    v2 = {"schema_version": 2, "name": " Mid ", "holdings": []}
    assert chain.upgrade(v2, 2) == {"schema_version": 3, "name": "Mid", "holdings": []}
    current = {"schema_version": 3, "name": " As is "}
    assert chain.upgrade(current, 3) is current


def test_newer_documents_are_refused_with_todays_message() -> None:
    chain = Chain("test file", 3, {1: _v1_to_v2, 2: _v2_to_v3})
    with pytest.raises(NewerVersionError) as info:
        chain.upgrade({"schema_version": 4}, 4)
    assert info.value.message("x.json") == (
        "x.json: written by a newer Hedger (schema 4; this version reads up to 3)"
    )
    assert (info.value.found, info.value.supported) == (4, 3)
    with pytest.raises(ValueError, match="older than any Hedger wrote"):
        chain.upgrade({"schema_version": 0}, 0)


def test_a_chain_with_a_gap_fails_when_built() -> None:
    with pytest.raises(ValueError, match=r"test file: upgrade steps for versions \[1\]"):
        Chain("test file", 3, {1: _v1_to_v2})
    with pytest.raises(ValueError):
        Chain("test file", 1, {1: _v1_to_v2})


def test_every_file_shape_writes_its_chains_current_version(data_dir: Path, tmp_path: Path) -> None:
    assert migrations.PORTFOLIO.current == PORTFOLIO_SCHEMA_VERSION
    sample = load_portfolio(resource_path("samples", "core-stack.json"))
    written = json.loads(dumps_portfolio(sample))
    assert written["schema_version"] == migrations.PORTFOLIO.current
    save_user_contract(_my_contract())
    user_file = json.loads((data_dir / "contracts.json").read_text())
    assert user_file["schema_version"] == migrations.USER_CATALOG.current
    HistoryStore(tmp_path).save(_series())
    side = json.loads((tmp_path / "BTC.json").read_text())
    assert side["schema_version"] == migrations.HISTORY_INDEX.current


# -- a test-only v1 -> v2 step on real v1 files --------------------------------


def _mark_upgraded(doc: Doc) -> Doc:
    doc["name"] = f"{doc['name']} (upgraded)"
    return doc


def test_a_real_v1_portfolio_goes_through_a_registered_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(migrations, "PORTFOLIO", Chain("portfolio", 2, {1: _mark_upgraded}))
    # The sample as a version-1 file (the shipped one is version 2 now).
    v1 = (
        resource_path("samples", "core-stack.json")
        .read_bytes()
        .replace(b'"schema_version": 2', b'"schema_version": 1')
    )
    path = tmp_path / "core-stack.json"
    path.write_bytes(v1)
    assert json.loads(path.read_text())["schema_version"] == 1
    portfolio = load_portfolio(path)
    assert portfolio.name == "Sample — Core stack (upgraded)"
    assert portfolio.schema_version == 2
    assert path.read_bytes() == v1  # reading never writes
    doc = {"schema_version": 1, "name": "Mine", "holdings": []}
    portfolio_from_dict(doc, "mine.json")
    assert doc == {"schema_version": 1, "name": "Mine", "holdings": []}  # caller's copy kept
    with pytest.raises(NewerSchemaError) as info:
        portfolio_from_dict({"schema_version": 3}, "next.json")
    assert str(info.value) == (
        "next.json: written by a newer Hedger (schema 3; this version reads up to 2)"
    )
    assert (info.value.found, info.value.supported) == (3, 2)


def test_a_real_v1_user_catalog_goes_through_a_registered_step(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    save_user_contract(_my_contract())

    def rename_contracts(doc: Doc) -> Doc:
        for c in doc["contracts"]:
            c["name"] = "renamed by the step"
        return doc

    monkeypatch.setattr(migrations, "USER_CATALOG", Chain("contracts", 2, {1: rename_contracts}))
    catalog, error = load_user_catalog(builtin_catalog())
    assert error is None
    assert catalog.contracts["MYVENUE:BTC-NANO"].name == "renamed by the step"
    (data_dir / "contracts.json").write_text('{"schema_version": 3}')
    assert load_user_catalog(builtin_catalog())[1] == (
        "contracts.json: written by a newer Hedger (schema 3; this version reads up to 2)"
    )


def test_history_index_is_upgraded_or_else_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path)
    store.save(_series())
    side = tmp_path / "BTC.json"

    def stamp(doc: Doc) -> Doc:
        doc["updated"] = "upgraded"
        return doc

    monkeypatch.setattr(migrations, "HISTORY_INDEX", Chain("history index", 2, {1: stamp}))
    info = store.info("BTC")
    assert info is not None and info.updated == "upgraded" and info.rows == 3
    # A newer index cannot be read: the archive is the truth and the index is rebuilt.
    doc = json.loads(side.read_text())
    side.write_text(json.dumps({**doc, "schema_version": 9, "rows": 999}))
    info = store.info("BTC")
    assert info is not None and info.rows == 3


def _my_contract() -> Contract:
    return Contract(
        id="MYVENUE:BTC-NANO",
        venue="MYVENUE",
        symbol="BTC-NANO",
        name="My nano BTC",
        underlying="BTC",
        tier="nano",
        kind="linear",
        size=Decimal("0.001"),
        source="my broker's website",
        as_of="2026-11-01",
    )


def _series() -> PriceSeries:
    ts = np.array([1, 2, 3], dtype=np.int64) * 86_400_000_000_000
    return PriceSeries("BTC", ts, np.array([1.0, 2.0, 3.0]), ("BTC.csv",))
