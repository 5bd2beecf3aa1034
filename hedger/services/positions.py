"""The futures positions a portfolio holds: edit them, import them read-only, journal them.

Shared by ``hedger positions`` and the app's Positions table. Saves to a file
go through the locked read-change-write of ``hedger.services.portfolios``, so
another program's changes are kept. The import reads an exchange account
through ccxt (``hedger.live.positions_ccxt``) with a read-only key kept
in the OS keyring (``hedger.store.keys``); a failed or partial answer changes
nothing and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from hedger.core.credentials import Credentials
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.core.models import JournalEntry, Portfolio, Position
    from hedger.live.positions_ccxt import PositionsAnswer


class PositionsError(ServiceError):
    """A position edit or an import that cannot be done; str() is one line."""


# --------------------------------------------------------------------------- edits


def parse_position(data: dict[str, Any], catalog: Catalog, unit: str | None = None) -> Position:
    """A position from loose fields (CLI flags, a pasted row); PositionsError if invalid,
    on a contract the catalog does not know, or a quantity the venue could not hold.

    ``quantity`` may carry its unit (``-0.6 BTC``, ``-30000 USD``, ``-3 contracts``),
    or ``unit`` says it; a bare number is contracts only on a venue whose order unit
    is contracts (``hedger.core.held_quantity``)."""
    from pydantic import ValidationError

    from hedger.core.held_quantity import HeldQuantityError, parse_held, read_unit
    from hedger.core.models import Position

    contract = catalog.contracts.get(str(data.get("contract")))
    if contract is not None and data.get("quantity") is not None:
        raw = data["quantity"]
        try:
            held_unit = None if unit is None else read_unit(contract, unit)
            text = raw if isinstance(raw, Decimal) else str(raw)
            data = {**data, "quantity": parse_held(contract, text, held_unit)}
        except HeldQuantityError as exc:
            raise PositionsError(str(exc)) from None
    try:
        pos = Position.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise PositionsError(f"{where}: {msg}" if where else msg) from None
    if pos.contract not in catalog.contracts:
        raise PositionsError(
            f"unknown contract {pos.contract!r} (see 'hedger contracts' for the ids)"
        )
    return pos


def add_position(path: Path, position: Position) -> Portfolio:
    def change(p: Portfolio) -> Portfolio:
        return p.model_copy(update={"positions": (*p.positions, position)})

    return _update(path, change)


def remove_position(path: Path, number: int) -> tuple[Portfolio, Position]:
    """Remove position ``number`` (1-based, as listed); PositionsError if there is none."""
    removed: list[Position] = []

    def change(p: Portfolio) -> Portfolio:
        if not 1 <= number <= len(p.positions):
            raise PositionsError(
                f"no position {number}: the portfolio holds {len(p.positions)} "
                "(see 'hedger positions FILE list')"
            )
        rest = list(p.positions)
        removed.append(rest.pop(number - 1))
        return p.model_copy(update={"positions": tuple(rest)})

    return _update(path, change), removed[0]


def mark_placed(
    path: Path, underlying: str, catalog: Catalog, now: datetime | None = None
) -> tuple[Portfolio, list[JournalEntry]]:
    """Record that the orders closing ``underlying``'s gap were placed, as planned now."""
    moment = now or datetime.now(UTC)
    added: list[JournalEntry] = []

    def change(p: Portfolio) -> Portfolio:
        updated = placed(p, underlying, catalog, moment)
        added.extend(updated.journal[len(p.journal) :])
        return updated

    return _update(path, change), added


def placed(portfolio: Portfolio, underlying: str, catalog: Catalog, now: datetime) -> Portfolio:
    """``portfolio`` with ``underlying``'s gap orders filled at the plan's futures price."""
    from hedger.core.journal import mark_placed as fill
    from hedger.core.planner import plan_portfolio
    from hedger.services.portfolios import spot_price

    # A book without positions still gets its gaps: the orders from nothing held.
    u = plan_portfolio(portfolio, catalog, gaps=True).underlying(underlying)
    if u is None:
        raise PositionsError(f"{underlying}: not in this portfolio's plan")
    gap = u.position_gap
    if u.problem or gap is None:
        raise PositionsError(f"{underlying}: {u.problem or 'no order to place'}")
    if not gap.orders:
        raise PositionsError(f"{underlying}: nothing to place, the held position is the target")
    return fill(
        portfolio,
        gap,
        now,
        spot_price=spot_price(portfolio, underlying),
        margin_mode=u.margin_mode,
    )


def _update(path: Path, change: Callable[[Portfolio], Portfolio]) -> Portfolio:
    from hedger.services.portfolios import update_portfolio

    return update_portfolio(path, change)


# --------------------------------------------------------------------------- import


def import_exchanges() -> tuple[str, ...]:
    """ccxt exchanges whose positions map onto catalog contracts (the registry's)."""
    from hedger.live.venues import ccxt_market_ids

    return ccxt_market_ids()


def ccxt_available() -> bool:
    from hedger.live.venues.ccxt import ccxt_available as available

    return available()


def keyring_available() -> bool:
    from hedger.store.keys import available

    return available()


def keyring_hint() -> str:
    from hedger.store.keys import INSTALL_HINT

    return INSTALL_HINT


def save_key(exchange: str, account: str | None, credentials: Credentials) -> None:
    from hedger.store.keys import save_credentials

    save_credentials(exchange, account, credentials)


def load_key(exchange: str, account: str | None) -> Credentials | None:
    from hedger.store.keys import load_credentials

    return load_credentials(exchange, account)


def forget_key(exchange: str, account: str | None) -> bool:
    from hedger.store.keys import delete_credentials

    return delete_credentials(exchange, account)


class ImportOutcome(NamedTuple):
    portfolio: Portfolio  # with the imported positions and the journal entries
    imported: tuple[Position, ...]
    entries: tuple[JournalEntry, ...]  # positions the import found changed
    skipped: tuple[str, ...]
    balance_usd: Decimal | None
    message: str


def reader(
    exchange: str, credentials: Credentials, *, module: Any | None = None, timeout: float = 20.0
) -> Any:
    """The ccxt positions reader of ``exchange`` (``CcxtPositions``); PositionsError
    when the registry maps no catalog venue to it."""
    from hedger.live.positions_ccxt import CcxtPositions
    from hedger.live.venues import venue_for_ccxt_id

    venue = venue_for_ccxt_id(exchange)
    if venue is None:
        known = ", ".join(import_exchanges())
        raise PositionsError(f"no catalog contracts trade on {exchange!r} (try one of: {known})")
    return CcxtPositions(exchange, credentials, venue.catalog_codes, timeout=timeout, module=module)


def fetch_account(
    exchange: str,
    credentials: Credentials,
    catalog: Catalog,
    account: str | None,
    *,
    module: Any | None = None,
) -> PositionsAnswer:
    """What the exchange says the account holds; PositionsError when it cannot be read."""
    from hedger.live.http import PriceSourceError

    try:
        return reader(exchange, credentials, module=module).fetch(catalog, account)  # type: ignore[no-any-return]
    except PriceSourceError as exc:
        raise PositionsError(f"nothing imported: {credentials.scrub(str(exc))}") from None


def test_connection(exchange: str, credentials: Credentials, *, module: Any | None = None) -> str:
    from hedger.live.http import PriceSourceError

    try:
        return reader(exchange, credentials, module=module).test_connection()  # type: ignore[no-any-return]
    except PriceSourceError as exc:
        raise PositionsError(credentials.scrub(str(exc))) from None


def apply_import(
    portfolio: Portfolio,
    answer: PositionsAnswer,
    exchange: str,
    account: str | None,
    catalog: Catalog,
    now: datetime | None = None,
) -> ImportOutcome:
    """The portfolio with the account's positions replaced by ``answer``'s.

    Replaced: positions imported before from this exchange and account, and
    positions typed by hand on this venue's contracts with the same account
    label. A partial answer raises PositionsError and changes nothing.
    """
    from hedger.core.journal import import_entries, with_import
    from hedger.live.venues import venue_for_ccxt_id

    if answer.problems:
        raise PositionsError(
            "nothing imported, the answer was incomplete: " + "; ".join(answer.problems)
        )
    venue = venue_for_ccxt_id(exchange)
    codes = {c.upper() for c in venue.catalog_codes} if venue is not None else set()
    source = f"ccxt:{exchange.strip().lower()}"

    def replaced(p: Position) -> bool:
        if p.account != account:
            return False
        if p.source == source:
            return True
        c = catalog.contracts.get(p.contract)
        return p.source is None and c is not None and c.venue.upper() in codes

    old = [p for p in portfolio.positions if replaced(p)]
    kept = [p for p in portfolio.positions if not replaced(p)]
    moment = now or datetime.now(UTC)
    entries = import_entries(
        old,
        answer.positions,
        moment,
        _underlying_of(catalog),
        _price_of(portfolio, catalog),
        source,
    )
    updated = with_import(portfolio, entries, [*kept, *answer.positions])
    return ImportOutcome(
        updated,
        answer.positions,
        tuple(entries),
        answer.skipped,
        answer.balance_usd,
        _import_message(exchange, account, answer, len(entries)),
    )


def _underlying_of(catalog: Catalog) -> Callable[[str], str | None]:
    def find(contract: str) -> str | None:
        c = catalog.contracts.get(contract)
        return None if c is None else c.underlying

    return find


def _price_of(portfolio: Portfolio, catalog: Catalog) -> Callable[[str], Decimal | None]:
    from hedger.services.portfolios import spot_price

    def price(contract: str) -> Decimal | None:
        c = catalog.contracts.get(contract)
        if c is None:
            return None
        u = c.underlying
        return portfolio.hedge.futures_prices.get(u) or spot_price(portfolio, u)

    return price


def _import_message(
    exchange: str, account: str | None, answer: PositionsAnswer, changed: int
) -> str:
    from hedger.core.decimals import fmt_decimal

    n = len(answer.positions)
    where = exchange + (f" ({account})" if account else "")
    text = f"Imported {n} position{'s' if n != 1 else ''} from {where}; {changed} changed"
    if answer.skipped:
        text += f"; skipped (not in the catalog): {', '.join(answer.skipped)}"
    if answer.balance_usd is not None:
        text += f"; account balance {answer.balance_usd:,.2f} USD"
    for coin, amount in answer.coin_balances.items():
        text += f"; {fmt_decimal(amount)} {coin} backing the coin-margined positions"
    return text


def import_into_file(
    path: Path,
    exchange: str,
    account: str | None,
    catalog: Catalog,
    credentials: Credentials,
    *,
    module: Any | None = None,
    now: datetime | None = None,
) -> ImportOutcome:
    """Fetch, then apply to the file as it is when saving (locked read-change-write)."""
    answer = fetch_account(exchange, credentials, catalog, account, module=module)
    outcome: list[ImportOutcome] = []

    def change(p: Portfolio) -> Portfolio:
        outcome.append(apply_import(p, answer, exchange, account, catalog, now))
        return outcome[-1].portfolio

    _update(path, change)
    return outcome[-1]


__all__ = [
    "ImportOutcome",
    "PositionsError",
    "add_position",
    "apply_import",
    "ccxt_available",
    "fetch_account",
    "forget_key",
    "import_exchanges",
    "import_into_file",
    "keyring_available",
    "keyring_hint",
    "load_key",
    "mark_placed",
    "parse_position",
    "placed",
    "remove_position",
    "save_key",
    "test_connection",
]
