"""Portfolio files: open, save, and hedge settings overridden for one plan.

On the path of every ``hedger plan``, so kept lean (no dataclasses).

Used by the command line (``plan``, ``prices``, ``beta``, ``backtest``,
``risk``) and the desktop app (open, save and revert in the file commands,
the main window's recent files). The library of named portfolios and the
start-up choice live in ``hedger.services.library``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
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
    from hedger.core.models import (
        AccountClass,
        MarginMode,
        Portfolio,
        Rounding,
        UnderlyingSettings,
    )
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
    prices: Iterable[tuple[str, Decimal | None]] = (),
    ratio: Decimal | None = None,
    rounding: Rounding | None = None,
    leverage: Decimal | None = None,
    targets: Iterable[tuple[str, Decimal]] = (),
    collaterals: Iterable[tuple[str, Decimal]] = (),
    rally: Decimal | None = None,
    margin_mode: MarginMode | None = None,
    account: AccountClass | None = None,
    now: datetime | None = None,
) -> Portfolio:
    """The portfolio with these hedge settings in force for every underlying.

    ``families``: (underlying, family id) pairs; ``prices``: (underlying,
    futures price) pairs, a price of None meaning "use spot" (the typed price
    is dropped), a price typed here stamped with ``now`` and the spot price
    in the file; ``targets``: (underlying, USD) to hedge a dollar amount
    instead of a share; ``collaterals``: (underlying, USD kept behind the
    hedge). A setting given here beats the file's portfolio-wide value and
    its per-underlying overrides of the same field: a ratio of 0.5 means 0.5
    everywhere (and clears dollar targets not given here). Raises
    UnknownFamily or SettingsError.
    """
    from pydantic import ValidationError

    from hedger.core.models import HedgeSettings

    hedge = portfolio.hedge
    fam_map = _families(hedge.families, families, catalog)
    update: dict[str, Any] = {"families": fam_map}
    given_prices = list(prices)
    if given_prices:
        update.update(_typed_prices(portfolio, given_prices, now))
    cleared: dict[str, None] = {}
    scalars = (("ratio", ratio), ("rounding", rounding), ("leverage", leverage))
    for name, value in (*scalars, ("margin_mode", margin_mode)):
        if value is not None:
            update[name] = value
            cleared[name] = None
    if ratio is not None:
        cleared["target_usd"] = None
    if rally is not None:
        update["rally"] = rally
    if account is not None:
        update["account"] = account
    per = {u: o.model_copy(update=cleared) for u, o in hedge.per_underlying.items()}
    per = _per_underlying(per, "target_usd", targets)
    per = _per_underlying(per, "collateral_usd", collaterals)
    if cleared or per != hedge.per_underlying:
        update["per_underlying"] = per
    # Validate again rather than model_copy: each value was checked alone,
    # the model checks them together.
    try:
        settings = HedgeSettings.model_validate({**_shallow_fields(hedge), **update})
    except ValidationError as exc:
        raise SettingsError(_validation_line(exc)) from None
    return portfolio.model_copy(update={"hedge": settings})


def _families(
    current: Mapping[str, str], families: Iterable[tuple[str, str]], catalog: Catalog
) -> dict[str, str]:
    from hedger.core.catalog import CatalogError

    fam_map = dict(current)
    for underlying, family_id in families:
        try:
            family = catalog.family(family_id)
        except CatalogError as exc:
            raise UnknownFamily(str(exc)) from None
        if family.underlying != underlying:
            raise SettingsError(f"family {family.id} hedges {family.underlying}, not {underlying}")
        fam_map[underlying] = family.id
    return fam_map


def _typed_prices(
    portfolio: Portfolio, prices: Iterable[tuple[str, Decimal | None]], now: datetime | None
) -> dict[str, Any]:
    """Futures prices (and their stamps) with ``prices`` typed at ``now``."""
    from datetime import UTC
    from datetime import datetime as dt

    from hedger.core.freshness import stamp_futures_price

    moment = now or dt.now(UTC)
    settings = portfolio.hedge
    for underlying, price in prices:
        spot = spot_price(portfolio, underlying)
        settings = stamp_futures_price(settings, underlying, price, moment, spot)
    return {
        "futures_prices": settings.futures_prices,
        "futures_price_stamps": settings.futures_price_stamps,
    }


def spot_price(portfolio: Portfolio, underlying: str) -> Decimal | None:
    """The price of ``underlying`` in the holdings (its first row), if it is held."""
    for h in portfolio.holdings:
        if h.symbol == underlying:
            return h.price
    return None


def _per_underlying(
    per: dict[str, UnderlyingSettings], field: str, values: Iterable[tuple[str, Decimal]]
) -> dict[str, UnderlyingSettings]:
    from hedger.core.models import UnderlyingSettings

    out = dict(per)
    for underlying, value in values:
        current = out.get(underlying, UnderlyingSettings())
        out[underlying] = current.model_copy(update={field: value})
    return out


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
    "spot_price",
    "update_portfolio",
]
