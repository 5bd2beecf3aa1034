"""Portfolio files: open, save, and hedge settings overridden for one plan.

Used by the command line (``plan``, ``prices``, ``beta``, ``backtest``,
``risk``) and the desktop app (open, save and revert in the file commands,
the main window's recent files). The library of named portfolios and the
start-up choice live in ``hedger.services.library``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.services.catalog import UnknownFamily
from hedger.services.errors import ServiceError
from hedger.store.portfolio_file import NewerSchemaError, PortfolioFileError

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio, Rounding


class SettingsError(ServiceError):
    """Hedge settings given for a plan do not fit together or do not fit the catalog."""


def open_portfolio(path: Path) -> Portfolio:
    """The portfolio in ``path``; raises PortfolioFileError with a one-line reason."""
    from hedger.store.portfolio_file import load_portfolio

    return load_portfolio(path)


def save_portfolio(path: Path, portfolio: Portfolio, *, backup: bool = True) -> None:
    """Write ``portfolio`` atomically (keeping ``FILE.bak``); raises PortfolioFileError."""
    from hedger.store.portfolio_file import save_portfolio as save

    save(path, portfolio, backup=backup)


@dataclass(frozen=True)
class SettingsOverrides:
    """Hedge settings to put in force for every underlying of one plan."""

    families: tuple[tuple[str, str], ...] = ()  # (underlying, family id)
    prices: tuple[tuple[str, Decimal], ...] = ()  # (underlying, futures price)
    ratio: Decimal | None = None
    rounding: Rounding | None = None
    leverage: Decimal | None = None

    @property
    def any(self) -> bool:
        """Whether anything is overridden (``ratio=0`` counts: compare with None)."""
        scalars = (self.ratio, self.rounding, self.leverage)
        return bool(self.families or self.prices) or any(v is not None for v in scalars)


def apply_overrides(
    portfolio: Portfolio, catalog: Catalog, overrides: SettingsOverrides
) -> Portfolio:
    """The portfolio with ``overrides`` in force for every underlying.

    An override beats the file's portfolio-wide value and its per-underlying
    overrides of the same field: a ratio of 0.5 means 0.5 everywhere.
    Raises UnknownFamily or SettingsError.
    """
    from pydantic import ValidationError

    from hedger.core.catalog import CatalogError
    from hedger.core.models import HedgeSettings

    hedge = portfolio.hedge
    fam_map = dict(hedge.families)
    for underlying, family_id in overrides.families:
        try:
            family = catalog.family(family_id)
        except CatalogError as exc:
            raise UnknownFamily(str(exc)) from None
        if family.underlying != underlying:
            raise SettingsError(f"family {family.id} hedges {family.underlying}, not {underlying}")
        fam_map[underlying] = family.id
    price_map = dict(hedge.futures_prices)
    price_map.update(overrides.prices)
    update: dict[str, Any] = {"families": fam_map, "futures_prices": price_map}
    cleared: dict[str, None] = {}
    scalars = (
        ("ratio", overrides.ratio),
        ("rounding", overrides.rounding),
        ("leverage", overrides.leverage),
    )
    for name, value in scalars:
        if value is not None:
            update[name] = value
            cleared[name] = None
    if cleared:
        update["per_underlying"] = {
            u: o.model_copy(update=cleared) for u, o in hedge.per_underlying.items()
        }
    # Validate again rather than model_copy: each value was checked alone,
    # the model checks them together.
    try:
        settings = HedgeSettings.model_validate({**_shallow_fields(hedge), **update})
    except ValidationError as exc:
        raise SettingsError(_validation_line(exc)) from None
    return portfolio.model_copy(update={"hedge": settings})


def _shallow_fields(model: Any) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def _validation_line(exc: Any) -> str:
    err = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


__all__ = [
    "NewerSchemaError",
    "PortfolioFileError",
    "SettingsError",
    "SettingsOverrides",
    "apply_overrides",
    "open_portfolio",
    "save_portfolio",
]
