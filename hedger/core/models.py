"""Portfolio and hedge-settings models (pydantic v2, Decimal everywhere)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from hedger.core.decimals import MAX_MAGNITUDE, fmt_decimal, fmt_money, parse_decimal

Rounding = Literal["nearest", "down", "up"]
ROUNDINGS: tuple[Rounding, ...] = ("nearest", "down", "up")
# Isolated: the position's own margin backs it; cross: the account's collateral does.
MarginMode = Literal["isolated", "cross"]
MARGIN_MODES: tuple[MarginMode, ...] = ("isolated", "cross")
# Venues hold retail accounts to stricter margins than professional ones (Kraken).
AccountClass = Literal["retail", "professional"]
ACCOUNT_CLASSES: tuple[AccountClass, ...] = ("retail", "professional")

# Stablecoins are cash for hedging purposes: they carry no market exposure.
STABLECOINS = frozenset({"USD", "USDT", "USDC", "DAI", "BUSD", "TUSD", "FDUSD", "PYUSD"})

MAX_LEVERAGE = Decimal(200)
DEFAULT_LEVERAGE = Decimal(2)
# Files of schema 1 left leverage out only when it was 10, that version's default.
V1_DEFAULT_LEVERAGE = Decimal(10)
MAX_RATIO = Decimal(2)
DEFAULT_RALLY = Decimal("0.30")
MAX_RALLY = Decimal(10)
MAX_BETA = Decimal(20)
# Quantity and price are each capped at MAX_MAGNITUDE, but their product could
# still be 1e30 USD: no real holding is worth more than this.
MAX_HOLDING_VALUE = MAX_MAGNITUDE
_MIN_HOLDING_VALUE = -MAX_HOLDING_VALUE

# Schemas are built on first validation, not at import: the CLI validates a
# portfolio but never a Quote, and building every schema up front costs
# tens of milliseconds of start-up.
_CONFIG = ConfigDict(frozen=True, extra="ignore", defer_build=True)

_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9._\-]{0,23}$")


def _dec(what: str) -> BeforeValidator:
    # partial, not a lambda: one Python frame less per number, 30,000 times
    # for a 10,000-holding file.
    return BeforeValidator(partial(parse_decimal, what=what))


# Bounds come before the parser in each Annotated: they then constrain
# pydantic's own decimal schema (checked natively), where after the parser
# they would run as one Python call per value.
Quantity = Annotated[Decimal, _dec("quantity")]
Price = Annotated[Decimal, Field(gt=0), _dec("price")]
Beta = Annotated[Decimal, Field(ge=-MAX_BETA, le=MAX_BETA), _dec("beta")]
Ratio = Annotated[Decimal, Field(ge=0, le=MAX_RATIO), _dec("hedge ratio")]
Leverage = Annotated[Decimal, Field(gt=0, le=MAX_LEVERAGE), _dec("leverage")]
Usd = Annotated[Decimal, Field(ge=0, le=MAX_MAGNITUDE), _dec("amount")]
Rally = Annotated[Decimal, Field(gt=0, le=MAX_RALLY), _dec("rally")]

_SYMBOL_CLEAN = re.compile(r"[A-Z0-9][A-Z0-9._\-]{0,23}")


def normalise_symbol(value: object) -> str:
    if type(value) is str and _SYMBOL_CLEAN.fullmatch(value):
        return value  # already clean: files hold symbols as saved
    if not isinstance(value, str):
        raise ValueError("symbol must be text")
    sym = value.strip().upper()
    if not _SYMBOL.match(sym):
        raise ValueError(f"symbol {value[:30]!r} must be 1-24 letters, digits, '.', '_' or '-'")
    return sym


Symbol = Annotated[str, BeforeValidator(normalise_symbol)]


class Holding(BaseModel):
    """One spot position. Negative quantity is a short spot position."""

    model_config = _CONFIG

    symbol: Symbol
    quantity: Quantity
    price: Price
    # None means "not given": 1 for the asset itself, an assumption otherwise.
    beta: Beta | None = None
    hedge_with: Symbol | None = None

    @model_validator(mode="after")
    def _check_value(self) -> Holding:
        value = self.quantity * self.price
        if not _MIN_HOLDING_VALUE <= value <= MAX_HOLDING_VALUE:
            raise ValueError(
                f"{self.symbol}: quantity {fmt_decimal(self.quantity)} × price "
                f"{fmt_decimal(self.price)} is worth more than "
                f"{fmt_money(MAX_HOLDING_VALUE, 0)} USD, the limit for one holding"
            )
        return self

    @property
    def value(self) -> Decimal:
        return self.quantity * self.price

    @property
    def effective_beta(self) -> Decimal:
        return Decimal(1) if self.beta is None else self.beta

    @property
    def is_stablecoin(self) -> bool:
        return self.symbol in STABLECOINS


class UnderlyingSettings(BaseModel):
    """Per-underlying overrides of the portfolio-wide hedge settings.

    ``target_usd`` hedges a dollar amount instead of a share of the exposure
    (it wins over the ratio); ``collateral_usd`` is what the user says they will
    keep behind the hedge (liquidation and the collateral plan use it).
    """

    model_config = _CONFIG

    ratio: Ratio | None = None
    rounding: Rounding | None = None
    leverage: Leverage | None = None
    target_usd: Usd | None = None
    collateral_usd: Usd | None = None
    margin_mode: MarginMode | None = None


class FuturesPriceStamp(NamedTuple):
    """When a futures price was typed and the spot price at that moment.

    A NamedTuple, not a model: pydantic validates it inside HedgeSettings all
    the same, and a model class would cost start-up time on every ``hedger plan``.
    """

    typed_at: datetime
    spot: Price | None = None


class HedgeSettings(BaseModel):
    model_config = _CONFIG

    ratio: Ratio = Decimal(1)
    rounding: Rounding = "nearest"
    leverage: Leverage = DEFAULT_LEVERAGE
    families: dict[Symbol, str] = Field(default_factory=dict)
    futures_prices: dict[Symbol, Price] = Field(default_factory=dict)
    per_underlying: dict[Symbol, UnderlyingSettings] = Field(default_factory=dict)
    # Schema 2:
    futures_price_stamps: dict[Symbol, FuturesPriceStamp] = Field(default_factory=dict)
    margin_mode: MarginMode = "isolated"
    rally: Rally = DEFAULT_RALLY  # the move the collateral plan must survive
    account: AccountClass = "retail"

    def for_underlying(self, underlying: str) -> tuple[Decimal, Rounding, Decimal]:
        """The (ratio, rounding, leverage) in force for one underlying."""
        o = self.per_underlying.get(underlying)
        if o is None:
            return self.ratio, self.rounding, self.leverage
        return (
            self.ratio if o.ratio is None else o.ratio,
            self.rounding if o.rounding is None else o.rounding,
            self.leverage if o.leverage is None else o.leverage,
        )

    def extras_for(self, underlying: str) -> tuple[Decimal | None, Decimal | None, MarginMode]:
        """(target_usd, collateral_usd, margin_mode) in force for one underlying."""
        o = self.per_underlying.get(underlying)
        if o is None:
            return None, None, self.margin_mode
        mode = self.margin_mode if o.margin_mode is None else o.margin_mode
        return o.target_usd, o.collateral_usd, mode


class Quote(BaseModel):
    """A fetched market price, kept with the portfolio so it opens offline."""

    model_config = _CONFIG

    price: Price
    source: Annotated[str, Field(min_length=1, max_length=80)]
    fetched_at: datetime  # timezone-aware, UTC
    kind: Literal["spot", "futures"] = "spot"


# -- the hedge already held (schema 2): positions, drift rules, journal --------------

_CONTRACT_ID = r"^[A-Z0-9]+:[A-Za-z0-9._\-]+$"
ContractId = Annotated[str, Field(min_length=3, max_length=60, pattern=_CONTRACT_ID)]
Label = Annotated[str, Field(min_length=1, max_length=60)]
# Signed counts of contracts: a short is negative. Bounded like every quantity.
Contracts = Annotated[Decimal, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE), _dec("contracts")]
Share = Annotated[Decimal, Field(gt=0, le=1), _dec("share")]
DEFAULT_BAND = Decimal("0.05")
DEFAULT_LIQUIDATION_WITHIN = Decimal("0.15")
DEFAULT_EXPIRY_DAYS = 5
DEFAULT_PRICE_HOURS = 24
MAX_POSITIONS = 10_000
MAX_JOURNAL = 100_000


class Position(BaseModel):
    """An open futures position: ``quantity`` contracts of ``contract`` (negative: short).

    ``collateral_usd`` is what is posted behind it (isolated) or what the
    account keeps (cross); ``account`` labels the venue account it is held in;
    ``expiry`` the delivery date of a dated contract when known (else the
    contract's front month); ``source`` says where it came from (``ccxt:okx``
    for an import, None when typed).
    """

    model_config = _CONFIG

    contract: ContractId
    quantity: Contracts
    entry_price: Price
    margin_mode: MarginMode = "isolated"
    collateral_usd: Usd | None = None
    account: Label | None = None
    expiry: date | None = None
    source: Annotated[str, Field(min_length=1, max_length=60)] | None = None

    @field_validator("account", "source", mode="before")
    @classmethod
    def _strip_text(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return v


class DriftRules(BaseModel):
    """When a held hedge needs action (``hedger check``, the library badges).

    The band is ``band_usd`` when set, else ``band_pct`` of the target.
    """

    model_config = _CONFIG

    band_pct: Share = DEFAULT_BAND
    band_usd: Usd | None = None
    liquidation_within: Share = DEFAULT_LIQUIDATION_WITHIN
    expiry_days: Annotated[int, Field(ge=0, le=366)] = DEFAULT_EXPIRY_DAYS
    price_max_age_hours: Annotated[int, Field(ge=1, le=24 * 366)] = DEFAULT_PRICE_HOURS


JournalKind = Literal["placed", "import"]


class JournalEntry(BaseModel):
    """One accepted change of a held position: an order marked as placed, or an import
    that found a position changed. ``change`` and the positions are signed contracts."""

    model_config = _CONFIG

    at: datetime
    kind: JournalKind
    underlying: Symbol
    contract: ContractId
    change: Contracts
    before: Contracts
    after: Contracts
    futures_price: Price
    spot_price: Price | None = None
    account: Label | None = None
    text: Annotated[str, Field(max_length=400)] = ""


PORTFOLIO_SCHEMA_VERSION = 2


class Portfolio(BaseModel):
    model_config = _CONFIG

    schema_version: int = PORTFOLIO_SCHEMA_VERSION
    name: Annotated[str, Field(min_length=1, max_length=120)] = "Untitled"
    holdings: tuple[Holding, ...] = ()
    hedge: HedgeSettings = Field(default_factory=HedgeSettings)
    # Last fetched prices by symbol (spot) or "FUT:<underlying>" (futures).
    quotes: dict[str, Quote] = Field(default_factory=dict)
    # Schema 2: the hedge already held, when it needs action, what was done.
    positions: tuple[Position, ...] = ()
    drift: DriftRules = Field(default_factory=DriftRules)
    journal: tuple[JournalEntry, ...] = ()

    @field_validator("name", mode="before")
    @classmethod
    def _strip_name(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v

    @property
    def total_value(self) -> Decimal:
        return sum((h.value for h in self.holdings), Decimal(0))
