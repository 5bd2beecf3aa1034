"""Hedge settings with one field of one underlying changed: what an undoable edit applies.

Pure functions on the immutable models, so the document's edit methods stay
short and every field is changed (and validated) the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import ValidationError

from hedger.core.freshness import stamp_futures_price
from hedger.core.models import HedgeSettings, Portfolio, UnderlyingSettings
from hedger.services.portfolios import spot_price

# Fields kept per underlying (``HedgeSettings.per_underlying``).
PER_UNDERLYING_FIELDS = frozenset(
    {"ratio", "rounding", "leverage", "target_usd", "collateral_usd", "margin_mode"}
)
# Fields of the whole portfolio's hedge settings.
PORTFOLIO_FIELDS = frozenset({"rally", "account", "margin_mode"})


class HedgeEditError(ValueError):
    """A value the hedge settings refuse; the message is for the user."""


def with_underlying_setting(
    portfolio: Portfolio, underlying: str, field: str, value: object, now: datetime
) -> HedgeSettings:
    """``portfolio``'s hedge settings with ``field`` of ``underlying`` set to ``value``.

    A futures price is stamped with ``now`` and the spot price of the holding,
    so the plan can tell later whether it has gone stale (None: use spot).
    Raises HedgeEditError, or ValueError for a field that does not exist.
    """
    hedge = portfolio.hedge
    if field == "family":
        families = dict(hedge.families)
        families[underlying] = str(value)
        new = hedge.model_copy(update={"families": families})
    elif field == "futures_price":
        price = value if isinstance(value, Decimal) or value is None else Decimal(str(value))
        if price is not None and price == hedge.futures_prices.get(underlying):
            # The same price entered again (Enter in an unchanged field) is no edit.
            return hedge
        spot = spot_price(portfolio, underlying)
        new = stamp_futures_price(hedge, underlying, price, now, spot)
    elif field in PER_UNDERLYING_FIELDS:
        per = dict(hedge.per_underlying)
        current = per.get(underlying, UnderlyingSettings())
        per[underlying] = current.model_copy(update={field: value})
        new = hedge.model_copy(update={"per_underlying": per})
    else:
        raise ValueError(field)
    return validated(new)


def with_portfolio_setting(hedge: HedgeSettings, field: str, value: object) -> HedgeSettings:
    """``hedge`` with a portfolio-wide ``field`` (rally, account, margin mode) set."""
    if field not in PORTFOLIO_FIELDS:
        raise ValueError(field)
    return validated(hedge.model_copy(update={field: value}))


def validated(settings: HedgeSettings) -> HedgeSettings:
    """Validate again: the values come from widgets but must obey the model."""
    try:
        return HedgeSettings.model_validate(settings.model_dump())
    except ValidationError as exc:
        raise HedgeEditError(validation_message(exc)) from None


def validation_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    ctx = err.get("ctx") or {}
    if err.get("type") == "greater_than" and "gt" in ctx:
        msg = f"must be greater than {ctx['gt']}"
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    field = loc[-1].replace("_", " ") if loc else ""
    if field and not msg.startswith(field):
        return f"{field} {msg}"
    return msg
