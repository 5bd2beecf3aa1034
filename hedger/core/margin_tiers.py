"""Venues' margin tables as data: tiers by position size, shipped with source and date.

Perpetual venues ask a margin rate that grows with the position (Binance
"leverage brackets", Bybit "risk limits", Kraken "margin levels"). A table
lists tiers by a measure of the position (``basis``):

* ``notional``: USD (USDT) value of the position at the entry price;
* ``coin``: coins (BTC) of the position (inverse venues that cap in coin);
* ``contracts``: the number of contracts.

Each tier gives the maintenance rate, an optional ``deduction`` (Binance's
``cum``, Bybit's ``mmDeduction``: maintenance = size × rate − deduction, in
USD for linear contracts, in coin for inverse), and the initial rate or the
maximum leverage (initial = 1 / max leverage). ``per_coin`` models Deribit,
whose rates grow linearly with the position: rate + size_in_coin × per_coin.

Tables with ``account`` "retail" or "professional" apply to that kind of
account only (Kraken: retail accounts are held to 50 % / 25 %).

The shipped tables are ``resources/margin_tiers.json``, keyed by contract
id; a contract of the user's own carries its own ``margin_tables``. A
contract keeps its tables as the plain JSON objects of the file (so they
are written back as they were read); ``tables_of`` gives them as
``MarginTable`` records, checked once and cached. (Plain records, not
pydantic models: ``hedger plan`` imports this, and each model class costs
milliseconds of start-up.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from hedger.core.decimals import parse_decimal

Basis = Literal["notional", "coin", "contracts"]
BASES: tuple[Basis, ...] = ("notional", "coin", "contracts")
ACCOUNTS = ("retail", "professional")
ZERO = Decimal(0)
MAX_TIERS = 50


class MarginTier(NamedTuple):
    """One band of a margin table: from ``floor`` up to ``cap`` (None: no limit)."""

    floor: Decimal
    cap: Decimal | None
    maintenance_rate: Decimal
    initial_rate: Decimal | None = None
    max_leverage: Decimal | None = None
    deduction: Decimal = ZERO

    @property
    def initial(self) -> Decimal:
        """The initial margin rate: given, else 1 / max leverage."""
        if self.initial_rate is not None:
            return self.initial_rate
        assert self.max_leverage is not None
        return 1 / self.max_leverage


class MarginTable(NamedTuple):
    """A venue's margin tiers for one contract (and one kind of account)."""

    basis: Basis
    account: str | None  # None: every account
    tiers: tuple[MarginTier, ...]
    per_coin: Decimal
    source: str
    as_of: str
    note: str | None = None

    def tier_for(self, size: Decimal) -> tuple[int, MarginTier]:
        """(index, tier) whose band holds ``size`` (in the table's basis); past the
        last cap, the last tier."""
        chosen = 0
        for i, t in enumerate(self.tiers):
            if size >= t.floor:
                chosen = i
        return chosen, self.tiers[chosen]

    def beyond_last(self, size: Decimal) -> bool:
        """True when ``size`` is past the last tier's cap: the venue's rates there
        are not in the table."""
        cap = self.tiers[-1].cap
        return cap is not None and size > cap


class MarginTableError(ValueError):
    """A margin table that cannot be used; the message names the field."""


def _dec(raw: Mapping[str, Any], key: str, where: str, *, rate: bool = False) -> Decimal | None:
    value = raw.get(key)
    if value is None:
        return None
    number = parse_decimal(value, what=f"{where}.{key}")
    if number < 0 or (rate and number >= 1):
        bound = "at least 0 and below 1" if rate else "at least 0"
        raise MarginTableError(f"{where}.{key}: must be {bound}")
    return number


def parse_tier(raw: Any, where: str) -> MarginTier:
    if not isinstance(raw, Mapping):
        raise MarginTableError(f"{where}: must be a JSON object")
    maintenance = _dec(raw, "maintenance_rate", where, rate=True)
    if maintenance is None:
        raise MarginTableError(f"{where}.maintenance_rate: missing")
    initial = _dec(raw, "initial_rate", where, rate=True)
    lev = _dec(raw, "max_leverage", where)
    if initial is None and not lev:
        raise MarginTableError(f"{where}: a tier needs initial_rate or max_leverage")
    floor = _dec(raw, "floor", where) or ZERO
    cap = _dec(raw, "cap", where)
    if cap is not None and cap <= floor:
        raise MarginTableError(f"{where}: a tier's cap must be above its floor")
    deduction = _dec(raw, "deduction", where) or ZERO
    return MarginTier(floor, cap, maintenance, initial, lev, deduction)


def parse_table(raw: Any, where: str = "margin_tables[0]") -> MarginTable:
    """A table from its JSON object; raises MarginTableError naming the field."""
    if not isinstance(raw, Mapping):
        raise MarginTableError(f"{where}: must be a JSON object")
    basis = raw.get("basis", "notional")
    if basis not in BASES:
        raise MarginTableError(f"{where}.basis: must be one of {', '.join(BASES)}")
    account = raw.get("account")
    if account is not None and account not in ACCOUNTS:
        raise MarginTableError(f"{where}.account: must be retail or professional")
    tiers_raw = raw.get("tiers")
    if not isinstance(tiers_raw, Sequence) or isinstance(tiers_raw, str) or not tiers_raw:
        raise MarginTableError(f"{where}.tiers: must be a list of 1 to {MAX_TIERS} tiers")
    if len(tiers_raw) > MAX_TIERS:
        raise MarginTableError(f"{where}.tiers: more than {MAX_TIERS} tiers")
    tiers = tuple(parse_tier(t, f"{where}.tiers[{i}]") for i, t in enumerate(tiers_raw))
    floors = [t.floor for t in tiers]
    if floors != sorted(floors) or len(set(floors)) != len(floors):
        raise MarginTableError(f"{where}.tiers: must be listed from the smallest floor up")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise MarginTableError(f"{where}.source: say where the figures come from")
    per_coin = _dec(raw, "per_coin", where, rate=True) or ZERO
    note = raw.get("note")
    return MarginTable(basis, account, tiers, per_coin, source, str(raw.get("as_of", "")), note)


def check_tables(tables: Sequence[Any]) -> None:
    """Raise MarginTableError if any table of a contract cannot be used."""
    for i, raw in enumerate(tables):
        parse_table(raw, f"margin_tables[{i}]")


# Parsed tables by the identity of a contract's (immutable) tuple of JSON
# objects; the tuple is kept in the value so its id is never reused.
_parsed: dict[int, tuple[Sequence[Any], tuple[MarginTable, ...]]] = {}


def tables_of(raw_tables: Sequence[Any]) -> tuple[MarginTable, ...]:
    """A contract's ``margin_tables`` as records (checked once, then cached)."""
    if not raw_tables:
        return ()
    key = id(raw_tables)
    hit = _parsed.get(key)
    if hit is not None and hit[0] is raw_tables:
        return hit[1]
    parsed = tuple(parse_table(t, f"margin_tables[{i}]") for i, t in enumerate(raw_tables))
    _parsed[key] = (raw_tables, parsed)
    return parsed


def table_for(raw_tables: Sequence[Any], account: str) -> MarginTable | None:
    """The table that applies to ``account``: its own if there is one, else the general one."""
    general: MarginTable | None = None
    for t in tables_of(raw_tables):
        if t.account == account:
            return t
        if t.account is None and general is None:
            general = t
    return general


def shipped_tables(doc: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], ...]]:
    """``resources/margin_tiers.json``'s tables by contract id, as JSON objects."""
    tables = doc.get("tables", {})
    return {cid: tuple(dict(t) for t in raw) for cid, raw in tables.items()}
