"""Portfolio files: open, save, and hedge settings overridden for one plan.

On the path of every ``hedger plan``, so kept lean (no dataclasses).

Used by the command line (``plan``, ``prices``, ``beta``, ``backtest``,
``risk``) and the desktop app (open, save and revert in the file commands,
the main window's recent files). The library of named portfolios and the
start-up choice live in ``hedger.services.library``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.services.catalog import UnknownFamily
from hedger.services.errors import ServiceError
from hedger.store.portfolio_file import (
    NewerSchemaError,
    PortfolioChangedError,
    PortfolioFileError,
)

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio, Rounding
    from hedger.store.portfolio_sync import EditClaim as EditClaim


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


# -- one writer at a time: digests, checked saves, read-change-write ---------------
# A front end that keeps a portfolio open records the digest of what it read
# and hands it back when saving: a file another program changed meanwhile is
# refused (PortfolioChangedError) rather than silently overwritten.


def open_portfolio_tracked(path: Path) -> tuple[Portfolio, str]:
    """The portfolio in ``path`` and the digest of the bytes read; PortfolioFileError."""
    from hedger.store.portfolio_sync import load_with_digest

    return load_with_digest(path)


def portfolio_digest(path: Path) -> str | None:
    """The digest of the file as it is now; None when it is missing or unreadable."""
    from hedger.store.portfolio_sync import disk_digest

    return disk_digest(path)


def save_portfolio_checked(
    path: Path, portfolio: Portfolio, *, expected_digest: str | None, force: bool = False
) -> str:
    """Save unless the file changed since ``expected_digest`` was read; the new digest.

    Raises PortfolioChangedError (nothing written) or PortfolioFileError;
    ``force`` writes anyway, keeping the replaced version in the backups.
    """
    from hedger.store.portfolio_file import save_portfolio as save

    return save(path, portfolio, expected_digest=expected_digest, force=force)


def claim_for_editing(path: Path) -> EditClaim | None:
    """Claim ``path`` for one window; None while another window, in any process, has it.

    The app opens a claimed file read-only. Release the claim when the
    window lets go of the file; a crashed process's claim goes with it.
    """
    from hedger.store.portfolio_sync import claim_for_editing as claim

    return claim(path)


def update_portfolio(path: Path, change: Callable[[Portfolio], Portfolio]) -> Portfolio:
    """Read ``path``, apply ``change`` and save, under the file's lock.

    For a command that worked on a copy for a while (a price refresh): the
    change is applied to what is on disk now, so another writer's edits stay.
    """
    from hedger.store.portfolio_sync import update_portfolio as update

    return update(path, change)[0]


def apply_overrides(
    portfolio: Portfolio,
    catalog: Catalog,
    *,
    families: Iterable[tuple[str, str]] = (),
    prices: Iterable[tuple[str, Decimal]] = (),
    ratio: Decimal | None = None,
    rounding: Rounding | None = None,
    leverage: Decimal | None = None,
) -> Portfolio:
    """The portfolio with these hedge settings in force for every underlying.

    ``families``: (underlying, family id) pairs; ``prices``: (underlying,
    futures price) pairs. A setting given here beats the file's
    portfolio-wide value and its per-underlying overrides of the same field:
    a ratio of 0.5 means 0.5 everywhere. Raises UnknownFamily or SettingsError.
    """
    from pydantic import ValidationError

    from hedger.core.catalog import CatalogError
    from hedger.core.models import HedgeSettings

    hedge = portfolio.hedge
    fam_map = dict(hedge.families)
    for underlying, family_id in families:
        try:
            family = catalog.family(family_id)
        except CatalogError as exc:
            raise UnknownFamily(str(exc)) from None
        if family.underlying != underlying:
            raise SettingsError(f"family {family.id} hedges {family.underlying}, not {underlying}")
        fam_map[underlying] = family.id
    price_map = dict(hedge.futures_prices)
    price_map.update(prices)
    update: dict[str, Any] = {"families": fam_map, "futures_prices": price_map}
    cleared: dict[str, None] = {}
    for name, value in (("ratio", ratio), ("rounding", rounding), ("leverage", leverage)):
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
    "PortfolioChangedError",
    "PortfolioFileError",
    "SettingsError",
    "apply_overrides",
    "claim_for_editing",
    "open_portfolio",
    "open_portfolio_tracked",
    "portfolio_digest",
    "save_portfolio",
    "save_portfolio_checked",
    "update_portfolio",
]
