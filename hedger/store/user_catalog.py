"""The user's own contracts and families, kept in ``contracts.json`` in the data folder.

Same shapes as the shipped ``resources/contracts.json``::

    {"schema_version": 1, "contracts": [...], "families": [...]}

Ids must differ from the built-in ones. A damaged file never stops the app:
``load_user_catalog`` returns the built-in catalog and the reason, and the
save functions refuse to touch a file they cannot read (rather than replace
it with fewer entries). Every change reads the file again under its lock
(``hedger.store.locks``) and is saved atomically, keeping ``contracts.json.bak``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hedger.core.catalog import Catalog, CatalogError, Contract, Family, builtin_catalog
from hedger.core.decimals import fmt_decimal
from hedger.store import migrations, paths
from hedger.store.atomic import atomic_write_bytes
from hedger.store.errors import StoreError, describe_os_error, one_line, shown_name
from hedger.store.jsonfile import JsonProblem, decode_text, parse_json, read_limited
from hedger.store.locks import locked
from hedger.store.migrations import USER_CATALOG_SCHEMA_VERSION
from hedger.store.portfolio_file import validation_summary

# Hundreds of contracts fit in a few hundred KB.
MAX_USER_CATALOG_BYTES = 5 * 1024 * 1024
# The file is {"contracts": [{..., "notes": ...}], ...}: a few levels.
MAX_DEPTH = 20


class UserCatalogError(StoreError):
    """The user catalog file or a change to it is invalid; str() is one line."""


@dataclass(frozen=True)
class UserAdditions:
    """What the user file holds (``user_defined`` is set on load)."""

    contracts: tuple[Contract, ...] = ()
    families: tuple[Family, ...] = ()


class _UserFile(BaseModel):
    # Built when a user file is first read: most runs have none.
    model_config = ConfigDict(extra="ignore", defer_build=True)

    contracts: list[Contract] = Field(default_factory=list)
    families: list[Family] = Field(default_factory=list)


def read_user_additions(path: Path | None = None) -> UserAdditions:
    """The user's contracts and families; empty when there is no file yet."""
    path = paths.user_catalog_path() if path is None else path
    name = shown_name(path.name)
    try:
        data = read_limited(path, MAX_USER_CATALOG_BYTES)
    except FileNotFoundError:
        return UserAdditions()
    except OSError as exc:
        raise UserCatalogError(f"{name}: cannot be read ({describe_os_error(exc)})") from None
    except JsonProblem as exc:
        # Too large, a FIFO or a device: reported and skipped like bad content.
        raise UserCatalogError(f"{name}: not a Hedger contracts file ({exc})") from None
    try:
        doc = parse_json(decode_text(data), max_depth=MAX_DEPTH)
    except JsonProblem as exc:
        raise UserCatalogError(f"{name}: not a Hedger contracts file ({exc})") from None
    if not isinstance(doc, dict):
        raise UserCatalogError(f"{name}: not a Hedger contracts file (not a JSON object)")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserCatalogError(f"{name}: not a Hedger contracts file (no valid schema_version)")
    try:
        doc = migrations.USER_CATALOG.upgrade(doc, version)
    except migrations.NewerVersionError as exc:
        raise UserCatalogError(exc.message(name)) from None
    try:
        parsed = _UserFile.model_validate(doc)
    except ValidationError as exc:
        raise UserCatalogError(one_line(f"{name}: {validation_summary(exc)}")) from None
    return UserAdditions(
        tuple(c.model_copy(update={"user_defined": True}) for c in parsed.contracts),
        tuple(f.model_copy(update={"user_defined": True}) for f in parsed.families),
    )


def load_user_catalog(
    base: Catalog | None = None, path: Path | None = None
) -> tuple[Catalog, str | None]:
    """``base`` plus the user's additions, and the reason they were left out if so.

    Never raises for a bad user file: the app then runs on the built-in
    catalog and shows the message.
    """
    builtin = _builtin_only(builtin_catalog() if base is None else base)
    try:
        path = paths.user_catalog_path() if path is None else path
    except OSError as exc:
        return builtin, f"cannot use the data folder ({describe_os_error(exc)})"
    try:
        additions = read_user_additions(path)
        return _merge(builtin, additions, path.name), None
    except UserCatalogError as exc:
        return builtin, str(exc)


def save_user_contract(
    contract: Contract, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Add a contract, or replace the user's contract with the same id."""
    builtin = _builtin_only(builtin_catalog() if base is None else base)
    if contract.id in builtin.contracts:
        raise UserCatalogError(f"{contract.id} is a built-in contract; give yours a different id")

    def change(current: UserAdditions) -> UserAdditions:
        kept = [c for c in current.contracts if c.id != contract.id]
        return UserAdditions((*kept, contract), current.families)

    return _update(builtin, path, change)


def save_user_family(
    family: Family, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Add a family, or replace the user's family with the same id."""
    builtin = _builtin_only(builtin_catalog() if base is None else base)
    if family.id in builtin.families:
        raise UserCatalogError(f"{family.id} is a built-in family; give yours a different id")

    def change(current: UserAdditions) -> UserAdditions:
        kept = [f for f in current.families if f.id != family.id]
        return UserAdditions(current.contracts, (*kept, family))

    return _update(builtin, path, change)


def remove_user_contract(
    contract_id: str, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Remove one of the user's contracts (refused while a user family uses it)."""
    builtin = _builtin_only(builtin_catalog() if base is None else base)

    def change(current: UserAdditions) -> UserAdditions:
        if contract_id not in {c.id for c in current.contracts}:
            if contract_id in builtin.contracts:
                raise UserCatalogError(f"{contract_id} is built in and cannot be removed")
            raise UserCatalogError(f"there is no contract {shown_name(contract_id)!r} to remove")
        users = [f.id for f in current.families if contract_id in f.contracts]
        if users:
            raise UserCatalogError(
                f"{contract_id} is used by family {', '.join(users)}; "
                "remove it from the family first"
            )
        kept = tuple(c for c in current.contracts if c.id != contract_id)
        return UserAdditions(kept, current.families)

    return _update(builtin, path, change)


def remove_user_family(
    family_id: str, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Remove one of the user's families."""
    builtin = _builtin_only(builtin_catalog() if base is None else base)

    def change(current: UserAdditions) -> UserAdditions:
        if family_id not in {f.id for f in current.families}:
            if family_id in builtin.families:
                raise UserCatalogError(f"{family_id} is built in and cannot be removed")
            raise UserCatalogError(f"there is no family {shown_name(family_id)!r} to remove")
        kept = tuple(f for f in current.families if f.id != family_id)
        return UserAdditions(current.contracts, kept)

    return _update(builtin, path, change)


def dumps_user_catalog(additions: UserAdditions) -> str:
    """The file text for the given additions."""
    doc = {
        "schema_version": USER_CATALOG_SCHEMA_VERSION,
        "contracts": [_plain(c.model_dump(exclude={"user_defined"})) for c in additions.contracts],
        "families": [_plain(f.model_dump(exclude={"user_defined"})) for f in additions.families],
    }
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def _update(
    builtin: Catalog, path: Path | None, change: Callable[[UserAdditions], UserAdditions]
) -> Catalog:
    path = paths.user_catalog_path() if path is None else path
    # Read, change and write under the file's lock: two `hedger contracts add`
    # at once each add to what the other wrote, and neither is lost.
    with locked(path, what=shown_name(path.name)):
        return _update_locked(builtin, path, change)


def _update_locked(
    builtin: Catalog, path: Path, change: Callable[[UserAdditions], UserAdditions]
) -> Catalog:
    try:
        current = read_user_additions(path)
    except UserCatalogError as exc:
        # Rewriting would drop whatever could not be read.
        raise UserCatalogError(f"{exc} — fix or remove the file before changing it") from None
    updated = change(current)
    catalog = _merge(builtin, updated, path.name)
    try:
        paths.ensure_private_dir(path.parent)
        atomic_write_bytes(path, dumps_user_catalog(updated).encode("ascii"), backup=True)
    except OSError as exc:
        raise UserCatalogError(
            f"{shown_name(path.name)}: could not save ({describe_os_error(exc)})"
        ) from None
    return catalog


def _merge(builtin: Catalog, additions: UserAdditions, file_name: str) -> Catalog:
    name = shown_name(file_name)
    seen: set[str] = set()
    for c in additions.contracts:
        if c.id in builtin.contracts:
            raise UserCatalogError(f"{name}: contract {c.id} has the id of a built-in contract")
        if c.id in seen:
            raise UserCatalogError(f"{name}: contract {c.id} appears twice")
        seen.add(c.id)
    seen.clear()
    for f in additions.families:
        if f.id in builtin.families:
            raise UserCatalogError(f"{name}: family {f.id} has the id of a built-in family")
        if f.id in seen:
            raise UserCatalogError(f"{name}: family {f.id} appears twice")
        seen.add(f.id)
    try:
        return builtin.with_user_additions(additions.contracts, additions.families)
    except CatalogError as exc:
        raise UserCatalogError(one_line(f"{name}: {exc}")) from None


def _builtin_only(catalog: Catalog) -> Catalog:
    """The shipped part of a catalog, whether or not user additions were merged in."""
    if not any(c.user_defined for c in catalog.contracts.values()) and not any(
        f.user_defined for f in catalog.families.values()
    ):
        return catalog
    return Catalog(
        [c for c in catalog.contracts.values() if not c.user_defined],
        [f for f in catalog.families.values() if not f.user_defined],
        catalog.default_families,
    )


def _plain(value: Any) -> Any:
    """JSON-ready copy: Decimals as plain strings (never "1E+1"), tuples as lists."""
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
