"""The contract catalog to work with: the shipped contracts plus the user's own.

Used by the command line (``plan``, ``contracts``, ``size``, ``prices``,
``beta``, ``backtest``, ``risk``) and the desktop app (start-up, the
Contracts dialog). ``load_catalog`` never fails for a bad user file: it
returns the shipped catalog and says why. Changing the user's contracts is
``hedger.services.own_contracts``.

On the path of every ``hedger plan``: no dataclasses here (each costs about
a millisecond of start-up to build).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hedger.services.errors import ServiceError
from hedger.store import paths
from hedger.store.errors import describe_os_error

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Family


class UnknownFamily(ServiceError):
    """No contract family with that id, or none for an underlying."""


class LoadedCatalog(NamedTuple):
    """The catalog to work with, and why the user's own contracts are missing from it."""

    catalog: Catalog
    problem: str | None = None
    #: Set when the data folder itself could not be used (so no file was read).
    folder_error: OSError | None = None


def load_catalog(base: Catalog | None = None, path: Path | None = None) -> LoadedCatalog:
    """``base`` (the shipped catalog by default) plus the user's own contracts.

    A damaged user file or an unusable data folder leaves them out and says
    why in ``problem``; nothing is raised.
    """
    from hedger.core.catalog import builtin_catalog

    try:
        where = paths.user_catalog_path() if path is None else path
        exists = where.exists()
    except OSError as exc:
        if base is None:
            reason = f"cannot use the data folder ({describe_os_error(exc)})"
            return LoadedCatalog(builtin_catalog(), reason, exc)
        from hedger.store.user_catalog import load_user_catalog

        # The store strips what ``base`` holds of the user's and says why.
        shipped, why = load_user_catalog(base, path)
        return LoadedCatalog(shipped, why, exc)
    if base is None and not exists:
        # Most runs have no user file; skip importing and building its model.
        return LoadedCatalog(builtin_catalog())
    from hedger.store.user_catalog import load_user_catalog

    catalog, problem = load_user_catalog(base, where)
    return LoadedCatalog(catalog, problem)


def family_for(catalog: Catalog, family_id: str | None, underlying: str) -> Family:
    """``family_id``, or the default family of ``underlying`` when none is given."""
    from hedger.core.catalog import CatalogError

    if family_id is None:
        family_id = catalog.default_family_for(underlying)
        if family_id is None:
            raise UnknownFamily(f"no contract family for {underlying}")
    try:
        return catalog.family(family_id)
    except CatalogError as exc:
        raise UnknownFamily(str(exc)) from None


__all__ = ["LoadedCatalog", "UnknownFamily", "family_for", "load_catalog"]
