"""Read the futures positions of an exchange account through ccxt, with a read-only key.

ccxt's unified ``fetchPositions`` and ``fetchBalance`` (``pip install
"hedger[live]"``). Hedger only reads: it never places, changes or cancels
an order. Each ccxt position becomes a ``Position`` on the catalog contract
whose venue the registry maps to this ccxt exchange and whose symbol is the
market's id, in the catalog's contracts (ccxt counts ``contracts`` of
``contractSize`` coins or USD: ``contracts × contractSize / catalog size``).

An answer Hedger cannot read in full (a position without a side, a count or
an entry price, a balance that fails) is reported in ``problems``: the
service then changes nothing. Positions on markets the catalog does not
list are ``skipped`` and named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from hedger.core.credentials import Credentials
from hedger.core.held_quantity import HeldQuantityError, check_held
from hedger.core.models import MarginMode, Position
from hedger.live.http import DEFAULT_TIMEOUT, PriceSourceError, clip
from hedger.live.validate import as_decimal
from hedger.live.venues.ccxt import CcxtSource

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract

STABLE_BALANCES = ("USDT", "USD", "USDC")
ZERO = Decimal(0)


class PositionsAnswer(NamedTuple):
    positions: tuple[Position, ...]
    skipped: tuple[str, ...] = ()  # markets the catalog does not list
    problems: tuple[str, ...] = ()  # what could not be read: the import is partial
    balance_usd: Decimal | None = None  # USD, USDT and USDC the account holds
    # Coins the account holds (BTC, ETH): the collateral of coin-margined (inverse) positions.
    coin_balances: Mapping[str, Decimal] = {}


class CcxtPositions:
    """The positions of one account on one ccxt exchange, e.g. ``binanceusdm``."""

    def __init__(
        self,
        exchange_id: str,
        credentials: Credentials,
        catalog_codes: tuple[str, ...],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        module: Any | None = None,
    ) -> None:
        config: dict[str, Any] = {"apiKey": credentials.api_key, "secret": credentials.secret}
        if credentials.password:
            config["password"] = credentials.password
        self._source = CcxtSource(exchange_id, timeout=timeout, module=module, config=config)
        self._credentials = credentials
        self._codes = tuple(c.upper() for c in catalog_codes)
        self.exchange_id = self._source.exchange_id
        self.name = self._source.name

    def _call(self, name: str, *args: Any) -> Any:
        try:
            client = self._source._client()
            method = getattr(client, name, None)
            if method is None:
                raise PriceSourceError(f"{self.name} cannot {name} through ccxt")
            return self._source._call(method, *args)
        except PriceSourceError as exc:
            # An exchange may echo the key in its error text: never pass it on.
            raise type(exc)(self._credentials.scrub(str(exc))) from None

    def test_connection(self) -> str:
        """One line saying the key works (it reads the balance), else PriceSourceError."""
        balance = self._balance()
        shown = "unknown" if balance is None else f"{balance:,.2f}"
        return f"{self.name}: the key can read this account (USD balance {shown})"

    def fetch(self, catalog: Catalog, account: str | None = None) -> PositionsAnswer:
        """The account's open positions on catalog contracts, labelled ``account``."""
        markets = self._call("load_markets")
        if not isinstance(markets, dict):
            raise PriceSourceError(f"{self.name} sent no market list")
        raw = self._call("fetch_positions")
        if not isinstance(raw, list):
            raise PriceSourceError(f"{self.name} sent no position list")
        positions: list[Position] = []
        marks: list[Decimal | None] = []
        skipped: list[str] = []
        problems: list[str] = []
        for item in raw:
            read = self._read(item, markets, catalog, account)
            if isinstance(read, Position):
                positions.append(read)
                marks.append(as_decimal(item.get("markPrice")))
            elif read is not None:
                (skipped if read.startswith("skip:") else problems).append(
                    read.removeprefix("skip:")
                )
        coins: dict[str, Decimal] = {}
        try:
            balance, coins = self._balances(_coins_of(positions, catalog))
        except PriceSourceError as exc:
            problems.append(f"balance: {exc}")
            balance = None
        return PositionsAnswer(
            _with_cross_collateral(positions, balance, catalog, coins, marks),
            tuple(skipped),
            tuple(problems),
            balance,
            coins,
        )

    def _balance(self) -> Decimal | None:
        return self._balances(())[0]

    def _balances(self, coins: Iterable[str]) -> tuple[Decimal | None, dict[str, Decimal]]:
        """(USD, USDT and USDC together, the ``coins`` held) from the account's totals."""
        raw = self._call("fetch_balance")
        if not isinstance(raw, dict):
            raise PriceSourceError(f"{self.name} sent no balance")
        total = raw.get("total")
        if not isinstance(total, dict):
            return None, {}
        values = [as_decimal(total.get(code)) for code in STABLE_BALANCES if code in total]
        held = {code: as_decimal(total.get(code)) for code in coins if code in total}
        if any(v is None for v in values) or any(v is None for v in held.values()):
            raise PriceSourceError(f"{self.name} sent an unreadable balance")
        stable = sum((v for v in values if v is not None), ZERO)
        return stable, {k: v for k, v in held.items() if v is not None}

    def _read(
        self, item: Any, markets: Mapping[str, Any], catalog: Catalog, account: str | None
    ) -> Position | str | None:
        """A Position, None for a closed one, ``skip:...`` or a problem."""
        if not isinstance(item, dict):
            return "a position entry is not an object"
        symbol = clip(item.get("symbol"), 40)
        market = markets.get(item.get("symbol"))  # type: ignore[arg-type]
        count = as_decimal(item.get("contracts"))
        if count is not None and count == 0:
            return None
        if not isinstance(market, dict):
            return f"{symbol}: not in {self.name}'s market list"
        contract = self._contract_for(market, catalog)
        if contract is None:
            return f"skip:{symbol} (no catalog contract for market {clip(market.get('id'), 30)})"
        side = item.get("side")
        entry = as_decimal(item.get("entryPrice"))
        size = as_decimal(item.get("contractSize") or market.get("contractSize") or 1)
        if count is None or count < 0 or side not in ("long", "short"):
            return f"{symbol}: no readable side and number of contracts"
        if entry is None or entry <= 0 or size is None or size <= 0:
            return f"{symbol}: no readable entry price or contract size"
        quantity = count * size / contract.size
        try:
            check_held(contract, quantity)
        except HeldQuantityError as exc:
            # Off the venue's step: ccxt and the catalog disagree on the contract's size.
            return f"{symbol}: {exc} (the exchange and the catalog disagree on its size)"
        mode = item.get("marginMode")
        margin_mode: MarginMode = "cross" if mode == "cross" else "isolated"
        collateral = as_decimal(item.get("collateral") or item.get("initialMargin"))
        if collateral is not None and contract.kind == "inverse":
            mark = as_decimal(item.get("markPrice")) or entry
            collateral *= mark  # ccxt counts an inverse position's margin in coin
        return Position(
            contract=contract.id,
            quantity=-quantity if side == "short" else quantity,
            entry_price=entry,
            margin_mode=margin_mode,
            collateral_usd=collateral if collateral is not None and collateral >= 0 else None,
            account=account,
            expiry=_expiry(market),
            source=f"ccxt:{self.exchange_id}",
        )

    def _contract_for(self, market: Mapping[str, Any], catalog: Catalog) -> Contract | None:
        wanted = str(market.get("id", "")).upper()
        for c in catalog.contracts.values():
            if c.venue.upper() in self._codes and c.symbol.upper() == wanted:
                return c
        return None


def _expiry(market: Mapping[str, Any]) -> date | None:
    ms = as_decimal(market.get("expiry"))
    if ms is None or ms <= 0:
        return None
    try:
        return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _coins_of(positions: Iterable[Position], catalog: Catalog) -> tuple[str, ...]:
    """The coins that margin the inverse positions (BTC for a BTC-margined contract)."""
    out: dict[str, None] = {}
    for p in positions:
        c = catalog.contracts[p.contract]
        if c.kind == "inverse":
            out[c.underlying] = None
    return tuple(out)


def _with_cross_collateral(
    positions: list[Position],
    balance: Decimal | None,
    catalog: Catalog,
    coins: Mapping[str, Decimal] | None = None,
    marks: list[Decimal | None] | None = None,
) -> tuple[Position, ...]:
    """Cross positions without a figure of their own share what backs them, by notional at
    entry: linear (USDT-margined) ones the account's USD, USDT and USDC; inverse
    (coin-margined) ones the coin they settle in, valued at the position's mark (else its
    entry). Nothing to share (no such balance, or 0) leaves the collateral unknown rather
    than 0, which would read as a position past its liquidation price."""
    pools: dict[str, list[int]] = {}
    for i, p in enumerate(positions):
        if p.margin_mode != "cross" or p.collateral_usd is not None:
            continue
        c = catalog.contracts[p.contract]
        pools.setdefault(c.underlying if c.kind == "inverse" else "", []).append(i)
    out = list(positions)
    for pool, members in pools.items():
        amount = balance if not pool else (coins or {}).get(pool)
        if not amount or amount < 0:
            continue
        notionals = {i: _notional(positions[i], catalog) for i in members}
        total = sum(notionals.values(), ZERO)
        for i in members:
            share = amount * notionals[i] / total if total else amount / len(members)
            if pool:  # coin, valued at the mark
                mark = (marks[i] if marks is not None else None) or positions[i].entry_price
                share *= mark
            out[i] = positions[i].model_copy(
                update={"collateral_usd": share.quantize(Decimal("0.01"))}
            )
    return tuple(out)


def _notional(p: Position, catalog: Catalog) -> Decimal:
    c = catalog.contracts[p.contract]
    units = abs(p.quantity) * c.size
    return units if c.kind == "inverse" else units * p.entry_price
