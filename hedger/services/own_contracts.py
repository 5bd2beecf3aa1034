"""Changing the user's own contracts and families (``contracts.json`` in the data folder).

Used by the command line (``contracts add``, ``add-family``, ``remove``) and
the desktop app (the Contracts dialog's save and remove). The file is never
rewritten when it cannot be read (that would drop what could not be read),
and every refusal is a ``CatalogChangeError`` with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hedger.services.catalog import load_catalog
from hedger.services.errors import ServiceError
from hedger.store import paths

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract, Family

#: Most contracts a family may hold (the catalog model enforces it too).
MAX_FAMILY_CONTRACTS = 6


class CatalogChangeError(ServiceError):
    """A change to the user's own contracts or families was refused."""


class UnknownContracts(CatalogChangeError):
    """A family names contracts the catalog does not have."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"unknown contract {', '.join(ids)}")
        self.ids = ids


class NoSuchEntry(CatalogChangeError):
    """Nothing to remove: no contract or family with that id."""

    def __init__(self, wanted: str) -> None:
        super().__init__(f"there is no contract or family {wanted!r}")
        self.wanted = wanted


class FamilyNotSaved(CatalogChangeError):
    """The contract was saved, but putting it into the family failed."""

    def __init__(self, contract: Contract, family_id: str, reason: str) -> None:
        super().__init__(reason)
        self.contract = contract
        self.family_id = family_id


def _check_margins(c: Contract) -> None:
    """Maintenance never above initial: a position would be liquidated as it opens."""
    from hedger.core.decimals import fmt_decimal

    def refuse(what: str, maint: object, init: object) -> None:
        raise CatalogChangeError(
            f"contract {c.id}: the maintenance margin {what} ({maint}) is above the initial "
            f"margin ({init}); a position would be liquidated as soon as it opens"
        )

    im_usd, mm_usd = c.initial_margin_usd, c.maintenance_margin_usd
    if im_usd is not None and mm_usd is not None and mm_usd > im_usd:
        refuse("per contract", f"{fmt_decimal(mm_usd)} USD", f"{fmt_decimal(im_usd)} USD")
    if im_usd is None and mm_usd is None and c.maintenance_margin_rate > c.initial_margin_rate:
        refuse(
            "rate",
            f"{fmt_decimal(c.maintenance_margin_rate * 100)} %",
            f"{fmt_decimal(c.initial_margin_rate * 100)} %",
        )


@dataclass(frozen=True)
class ContractSaved:
    contract: Contract
    replaced: bool
    family: Family | None  # the family of the user's it was also put in
    path: Path


@dataclass(frozen=True)
class EntryRemoved:
    kind: Literal["contract", "family"]
    id: str
    path: Path


def open_own_contracts() -> OwnContracts:
    """The user's contracts file, read strictly: a damaged one is an error here."""
    from hedger.store.user_catalog import load_user_catalog

    try:
        path = paths.user_catalog_path()
    except OSError as exc:
        raise CatalogChangeError(f"cannot use the data folder ({exc})") from None
    catalog, problem = load_user_catalog(None, path)
    if problem:
        raise CatalogChangeError(f"{problem} — fix or remove the file before changing it")
    return OwnContracts(path, catalog)


@dataclass(frozen=True)
class OwnContracts:
    """Adds and removes the user's contracts and families (``hedger contracts add`` ...).

    Every refusal, the store's included, is a ``CatalogChangeError``.
    """

    path: Path
    catalog: Catalog

    def check_free(self, what: Literal["contract", "family"], entry_id: str, replace: bool) -> None:
        """An id the user may save under: new, or their own with ``replace``."""
        entries: Mapping[str, Any] = (
            self.catalog.contracts if what == "contract" else self.catalog.families
        )
        existing = entries.get(entry_id)
        if existing is None:
            return
        if not existing.user_defined:
            raise CatalogChangeError(f"{entry_id} is a built-in {what}; give yours a different id")
        if not replace:
            raise CatalogChangeError(
                f"you already have a {what} {entry_id}; add --replace to change it"
            )

    def contract_from(self, values: Mapping[str, Any]) -> Contract:
        from pydantic import ValidationError

        from hedger.core.catalog import Contract
        from hedger.store.portfolio_file import validation_summary

        try:
            contract = Contract.model_validate(dict(values))
        except ValidationError as exc:
            raise CatalogChangeError(
                f"contract {values.get('id')}: {validation_summary(exc)}"
            ) from None
        _check_margins(contract)
        return contract

    def family_from(self, values: Mapping[str, Any]) -> Family:
        from pydantic import ValidationError

        from hedger.core.catalog import Family
        from hedger.store.portfolio_file import validation_summary

        unknown = [c for c in values.get("contracts", ()) if c not in self.catalog.contracts]
        if unknown:
            raise UnknownContracts(unknown)
        try:
            return Family.model_validate(dict(values))
        except ValidationError as exc:
            raise CatalogChangeError(
                f"family {values.get('id')}: {validation_summary(exc)}"
            ) from None

    def add_contract(self, contract: Contract, family_id: str | None = None) -> ContractSaved:
        """Save ``contract`` (new or replacing the user's), and put it in ``family_id``."""
        from hedger.store import user_catalog

        existing = self.catalog.contracts.get(contract.id)
        family = None if family_id is None else self._family_with(family_id, contract)
        if existing is not None:
            for fam in self.catalog.families.values():
                if contract.id in fam.contracts and fam.id != family_id:
                    self._check_still_fits(fam, contract)
        with _refusals():
            user_catalog.save_user_contract(contract, path=self.path)
        if family is not None:
            try:
                with _refusals():
                    user_catalog.save_user_family(family, path=self.path)
            except CatalogChangeError as exc:
                raise FamilyNotSaved(contract, family.id, str(exc)) from None
        return ContractSaved(contract, existing is not None, family, self.path)

    def add_family(self, family: Family) -> bool:
        """Save ``family``; True when it replaced one of the user's."""
        from hedger.store import user_catalog

        replaced = family.id in self.catalog.families
        with _refusals():
            user_catalog.save_user_family(family, path=self.path)
        return replaced

    def remove(self, entry_id: str) -> EntryRemoved:
        """Remove the user's contract or family ``entry_id`` (built-in ones stay)."""
        from hedger.store import user_catalog

        wanted = entry_id.strip()
        # Ids are case-sensitive after the venue; match the venue and family ids loosely.
        key = wanted.upper() if ":" not in wanted else _normal_contract_id(wanted)
        if key in self.catalog.contracts:
            with _refusals():
                user_catalog.remove_user_contract(key, path=self.path)
            return EntryRemoved("contract", key, self.path)
        if key in self.catalog.families:
            with _refusals():
                user_catalog.remove_user_family(key, path=self.path)
            return EntryRemoved("family", key, self.path)
        raise NoSuchEntry(wanted)

    def _check_still_fits(self, fam: Family, contract: Contract) -> None:
        """A replaced contract must still fit the families that list it."""
        if contract.underlying != fam.underlying:
            raise CatalogChangeError(
                f"{contract.id} is in family {fam.id}, which hedges {fam.underlying}; "
                f"remove it from the family first"
            )
        kinds = {self.catalog.contracts[c].kind for c in fam.contracts if c != contract.id}
        if kinds and kinds != {contract.kind}:
            raise CatalogChangeError(
                f"{contract.id} is in family {fam.id}, whose other contracts are "
                f"{'/'.join(sorted(kinds))}; remove it from the family first"
            )

    def _family_with(self, family_id: str, contract: Contract) -> Family:
        """The user family ``family_id`` with ``contract`` added (a new family if none)."""
        from hedger.core.catalog import Family

        current = self.catalog.families.get(family_id)
        if current is not None and not current.user_defined:
            raise CatalogChangeError(
                f"{family_id} is a built-in family; add-family makes one of your own"
            )
        if current is None:
            members: tuple[str, ...] = (contract.id,)
            name, notes = family_id, None
        else:
            members = current.contracts
            if contract.id not in members:
                members = (*members, contract.id)
            name, notes = current.name, current.notes
            self._check_joins(current, members, contract)
        return Family(
            id=family_id, name=name, underlying=contract.underlying, contracts=members, notes=notes
        )

    def _check_joins(self, current: Family, members: tuple[str, ...], contract: Contract) -> None:
        if current.underlying != contract.underlying:
            raise CatalogChangeError(
                f"family {current.id} hedges {current.underlying}, not {contract.underlying}"
            )
        other = {self.catalog.contracts[c].kind for c in members if c != contract.id}
        if other and other != {contract.kind}:
            raise CatalogChangeError(
                f"family {current.id} holds {'/'.join(other)} contracts, not {contract.kind}"
            )
        if len(members) > MAX_FAMILY_CONTRACTS:
            raise CatalogChangeError(
                f"family {current.id} already has {MAX_FAMILY_CONTRACTS} contracts, "
                "the most a family holds"
            )


@contextmanager
def _refusals() -> Iterator[None]:
    """The store's refusals (bad change, unreadable or unsavable file) as CatalogChangeError."""
    from hedger.store.user_catalog import UserCatalogError

    try:
        yield
    except UserCatalogError as exc:
        raise CatalogChangeError(str(exc)) from None


def _normal_contract_id(text: str) -> str:
    venue, _, symbol = text.partition(":")
    return f"{venue.upper()}:{symbol}"


# --------------------------------------------------------------------------- desktop app


def save_own_contract(
    contract: Contract, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Add a contract of the user's, or replace theirs with the same id (Contracts dialog).

    Refusals (a built-in id, an unreadable or unsavable file) raise CatalogChangeError.
    """
    from hedger.store.user_catalog import save_user_contract

    with _refusals():
        return save_user_contract(contract, base=base, path=path)


def save_own_family(
    family: Family, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Add a family of the user's, or replace theirs with the same id (Contracts dialog)."""
    from hedger.store.user_catalog import save_user_family

    with _refusals():
        return save_user_family(family, base=base, path=path)


def remove_own_contract(
    contract_id: str, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Remove one of the user's contracts; refused while a family of theirs uses it."""
    from hedger.store.user_catalog import remove_user_contract

    with _refusals():
        return remove_user_contract(contract_id, base=base, path=path)


def remove_own_family(
    family_id: str, *, base: Catalog | None = None, path: Path | None = None
) -> Catalog:
    """Remove one of the user's families."""
    from hedger.store.user_catalog import remove_user_family

    with _refusals():
        return remove_user_family(family_id, base=base, path=path)


def own_contracts_problem(catalog: Catalog, path: Path | None = None) -> str | None:
    """Why the user's contracts file cannot be read, or None (Contracts dialog)."""
    return load_catalog(catalog, path).problem


def own_contracts_path() -> Path:
    """Where the user's contracts are kept; raises OSError if the data folder is unusable."""
    return paths.user_catalog_path()


__all__ = [
    "CatalogChangeError",
    "ContractSaved",
    "EntryRemoved",
    "FamilyNotSaved",
    "NoSuchEntry",
    "OwnContracts",
    "UnknownContracts",
    "open_own_contracts",
    "own_contracts_path",
    "own_contracts_problem",
    "remove_own_contract",
    "remove_own_family",
    "save_own_contract",
    "save_own_family",
]
