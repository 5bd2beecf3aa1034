"""What a new portfolio starts with: the families the user last chose, and 2x leverage.

The app remembers, per underlying, the contract family the user last picked
(``AppSettings.last_families``). A new portfolio starts with those that
still exist and fit; any other underlying gets the catalog's default, a real
exchange family (``Catalog.default_family_for``). Leverage is the model's
default, 2x.
"""

from __future__ import annotations

from collections.abc import Mapping

from hedger.core.catalog import Catalog
from hedger.core.models import HedgeSettings, Portfolio


def remembered_families(catalog: Catalog, remembered: Mapping[str, str]) -> dict[str, str]:
    """The remembered choices the catalog still has, for the underlying they hedge."""
    return {
        underlying: family
        for underlying, family in remembered.items()
        if catalog.default_family_for(underlying, family) == family
    }


def new_portfolio(name: str, catalog: Catalog, remembered: Mapping[str, str]) -> Portfolio:
    """An empty portfolio called ``name`` with the remembered families (and 2x leverage)."""
    hedge = HedgeSettings(families=remembered_families(catalog, remembered))
    return Portfolio(name=name, hedge=hedge)
