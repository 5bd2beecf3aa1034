"""Contract catalog: real futures specs shipped as data, plus user additions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from hedger.core.decimals import fmt_decimal, parse_decimal
from hedger.core.margin_tiers import MarginTableError, check_tables, shipped_tables
from hedger.core.models import Symbol
from hedger.core.resources import resource_path

Tier = Literal["standard", "mini", "micro", "nano"]
TIERS: tuple[Tier, ...] = ("standard", "mini", "micro", "nano")
Kind = Literal["linear", "inverse"]
# What the venue's order form takes: a number of contracts, a coin quantity
# (Binance/Bybit USDT perpetuals) or a USD amount (Deribit, Bybit and Kraken inverse).
OrderUnit = Literal["contracts", "coin", "usd"]
ORDER_UNITS: tuple[OrderUnit, ...] = ("contracts", "coin", "usd")
# How a venue values maintenance margin in its liquidation formula: at the
# entry price (domain.md §5, Bybit's 2024 formulas) or at the liquidation
# (mark) price (Binance, Kraken, OKX, Bybit's 2026 inverse formula).
LiquidationRule = Literal["entry", "mark"]


def _dec(what: str) -> BeforeValidator:
    return BeforeValidator(partial(parse_decimal, what=what))


# Bounds before the parser: checked by pydantic's decimal schema natively.
PositiveDec = Annotated[Decimal, Field(gt=0), _dec("size")]
Money = Annotated[Decimal, Field(gt=0), _dec("amount")]
Rate = Annotated[Decimal, Field(ge=0, lt=1), _dec("rate")]


# Built on first validation: the shipped catalog is trusted and skips it.
_CONFIG = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class CatalogError(ValueError):
    """The catalog or a user addition is inconsistent."""


class Contract(BaseModel):
    """One futures contract.

    For linear contracts ``size`` is coins per contract (the multiplier); for
    inverse contracts it is the USD face value of one contract.

    Order entry (``hedger.core.orders``): ``order_unit`` is what the venue's
    order form takes; ``quantity_step`` and ``min_quantity`` are in that unit
    (0.001 BTC on Binance BTCUSDT, 0.01 contract on OKX swaps, 10 USD on
    Deribit). Margin (``hedger.core.margin``): the venue's initial requirement
    is a rate of the notional, a fixed USD amount per contract
    (``initial_margin_usd``, CME) or the tiers of ``margin_tables``.
    """

    model_config = _CONFIG

    id: Annotated[str, Field(min_length=3, max_length=60, pattern=r"^[A-Z0-9]+:[A-Za-z0-9._\-]+$")]
    venue: str
    symbol: str
    name: Annotated[str, Field(min_length=1, max_length=120)]
    underlying: Symbol
    tier: Tier
    kind: Kind
    size: PositiveDec
    quantity_step: PositiveDec = Decimal(1)
    tick: PositiveDec | None = None
    initial_margin_rate: Rate = Decimal("0.1")
    maintenance_margin_rate: Rate = Decimal("0.005")
    fee_rate: Rate = Decimal("0.0005")
    expiry: Literal["perpetual", "dated"] = "perpetual"
    quote: str = "USD"
    min_notional: PositiveDec | None = None
    settlement: str | None = None
    notes: str | None = None
    source: Annotated[str, Field(min_length=1)]
    as_of: str
    order_unit: OrderUnit = "contracts"
    min_quantity: PositiveDec | None = None  # in order_unit; None: one step
    order_source: str | None = None
    order_as_of: str | None = None
    initial_margin_usd: Money | None = None  # per contract, replaces the rate
    maintenance_margin_usd: Money | None = None
    margin_source: str | None = None
    liquidation: LiquidationRule = "entry"
    liquidation_fee: bool = False  # the venue's formula counts the fee to close
    # The venue's tiers as JSON objects (hedger.core.margin_tiers reads them).
    margin_tables: tuple[dict[str, Any], ...] = ()
    user_defined: bool = False

    @model_validator(mode="after")
    def _check_order_unit(self) -> Contract:
        if self.order_unit == "coin" and self.kind != "linear":
            raise ValueError("order_unit 'coin' is for linear contracts (inverse ones trade USD)")
        if self.order_unit == "usd" and self.kind != "inverse":
            raise ValueError("order_unit 'usd' is for inverse contracts (face value in USD)")
        if self.margin_tables:
            try:
                check_tables(self.margin_tables)
            except MarginTableError as exc:
                raise ValueError(str(exc)) from None
        return self

    @property
    def short_label(self) -> str:
        return f"{self.venue}:{self.symbol}"

    def size_text(self) -> str:
        if self.kind == "inverse":
            return f"{fmt_decimal(self.size)} USD"
        return f"{fmt_decimal(self.size)} {self.underlying}"

    def notional_usd(self, futures_price: Decimal) -> Decimal:
        """USD value controlled by one contract."""
        return self.size if self.kind == "inverse" else self.size * futures_price


class Family(BaseModel):
    """Contracts on one underlying that may be mixed in one hedge."""

    model_config = _CONFIG

    id: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Z0-9][A-Z0-9._\-]*$")]
    name: str
    underlying: Symbol
    contracts: tuple[str, ...] = Field(min_length=1, max_length=6)
    notes: str | None = None
    user_defined: bool = False


class Catalog:
    """Contracts and families by id, with shipped data and user additions."""

    def __init__(
        self,
        contracts: Iterable[Contract],
        families: Iterable[Family],
        default_families: Mapping[str, str] | None = None,
    ) -> None:
        self.contracts: dict[str, Contract] = {}
        for c in contracts:
            if c.id in self.contracts:
                raise CatalogError(f"duplicate contract id {c.id}")
            self.contracts[c.id] = c
        self.families: dict[str, Family] = {}
        for f in families:
            self._check_family(f)
            if f.id in self.families:
                raise CatalogError(f"duplicate family id {f.id}")
            self.families[f.id] = f
        self.default_families = dict(default_families or {})
        # Catalogs are built once and not changed after: a new one replaces them.
        self.underlyings: frozenset[str] = frozenset(f.underlying for f in self.families.values())

    def _check_family(self, f: Family) -> None:
        if len(set(f.contracts)) != len(f.contracts):
            # The same contract twice would show as two identical options.
            raise CatalogError(f"family {f.id}: lists a contract twice")
        kinds = set()
        for cid in f.contracts:
            c = self.contracts.get(cid)
            if c is None:
                raise CatalogError(f"family {f.id}: unknown contract {cid}")
            if c.underlying != f.underlying:
                raise CatalogError(f"family {f.id}: {cid} is on {c.underlying}, not {f.underlying}")
            kinds.add(c.kind)
        if len(kinds) > 1:
            raise CatalogError(f"family {f.id}: cannot mix linear and inverse contracts")

    def family(self, family_id: str) -> Family:
        try:
            return self.families[family_id]
        except KeyError:
            raise CatalogError(f"unknown contract family {family_id!r}") from None

    def family_contracts(self, family_id: str) -> list[Contract]:
        """Contracts of a family, largest first."""
        fam = self.family(family_id)
        members = [self.contracts[c] for c in fam.contracts]
        return sorted(members, key=lambda c: c.size, reverse=True)

    def families_for(self, underlying: str) -> list[Family]:
        return [f for f in self.families.values() if f.underlying == underlying]

    def default_family_for(self, underlying: str, remembered: str | None = None) -> str | None:
        """The family a new hedge of ``underlying`` starts with: the one the user
        last chose (``remembered``) while it still exists and fits, else the
        catalog's default (a real exchange family), else the first that fits."""
        if remembered is not None:
            fam = self.families.get(remembered)
            if fam is not None and fam.underlying == underlying:
                return remembered
        fid = self.default_families.get(underlying)
        if fid in self.families:
            return fid
        fams = self.families_for(underlying)
        return fams[0].id if fams else None

    def with_user_additions(
        self, contracts: Iterable[Contract], families: Iterable[Family]
    ) -> Catalog:
        """A new catalog with user contracts and families added (ids must be new)."""
        new_contracts = [c.model_copy(update={"user_defined": True}) for c in contracts]
        new_families = [f.model_copy(update={"user_defined": True}) for f in families]
        return Catalog(
            [*self.contracts.values(), *new_contracts],
            [*self.families.values(), *new_families],
            self.default_families,
        )


_CONTRACT_DECIMALS = frozenset(
    {
        "size",
        "quantity_step",
        "tick",
        "initial_margin_rate",
        "maintenance_margin_rate",
        "fee_rate",
        "min_notional",
        "min_quantity",
        "initial_margin_usd",
        "maintenance_margin_usd",
    }
)


def trusted_catalog(doc: dict[str, Any], margin_doc: Mapping[str, Any] | None = None) -> Catalog:
    """The shipped catalog built without per-field validation.

    Only for ``resources/contracts.json``, which ships with the code and is
    validated in full by the test suite (``parse_catalog`` gives the same
    catalog); validating it on every start would cost the CLI most of its
    start-up. Family consistency is still checked by ``Catalog``. Anything
    the user can edit goes through ``parse_catalog``.
    """
    contract_fields = Contract.model_fields
    tables = shipped_tables(margin_doc or {})
    contracts = []
    for raw in doc["contracts"]:
        values: dict[str, Any] = {
            k: Decimal(v) if k in _CONTRACT_DECIMALS and v is not None else v
            for k, v in raw.items()
            if k in contract_fields
        }
        if raw["id"] in tables:
            values["margin_tables"] = tables[raw["id"]]
        contracts.append(Contract.model_construct(**values))
    family_fields = Family.model_fields
    families = []
    for raw in doc["families"]:
        values = {k: v for k, v in raw.items() if k in family_fields}
        values["contracts"] = tuple(values["contracts"])
        families.append(Family.model_construct(**values))
    return Catalog(contracts, families, doc.get("default_families", {}))


def parse_catalog(doc: Any, margin_doc: Mapping[str, Any] | None = None) -> Catalog:
    """A catalog validated in full; ``margin_doc`` (the shape of
    ``resources/margin_tiers.json``) adds margin tables to its contracts."""
    if not isinstance(doc, dict):
        raise CatalogError("catalog must be a JSON object")
    tables = shipped_tables(margin_doc or {})
    try:
        contracts = [
            Contract.model_validate({**c, "margin_tables": tables[c["id"]]})
            if isinstance(c, dict) and c.get("id") in tables
            else Contract.model_validate(c)
            for c in doc.get("contracts", [])
        ]
        families = [Family.model_validate(f) for f in doc.get("families", [])]
    except ValidationError as exc:
        raise CatalogError(_first_error(exc)) from None
    defaults = doc.get("default_families", {})
    if not isinstance(defaults, dict):
        raise CatalogError("default_families must be an object")
    return Catalog(contracts, families, defaults)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return f"{loc}: {err.get('msg', 'invalid')}"


_builtin: Catalog | None = None


def builtin_catalog() -> Catalog:
    """The shipped catalog (cached; it is immutable)."""
    global _builtin
    if _builtin is None:
        _builtin = trusted_catalog(*builtin_catalog_docs())
    return _builtin


def builtin_catalog_docs() -> tuple[dict[str, Any], dict[str, Any]]:
    """The shipped ``contracts.json`` and ``margin_tiers.json``, parsed."""
    with open(resource_path("contracts.json"), encoding="utf-8") as fh:
        doc = json.load(fh, parse_float=Decimal)
    with open(resource_path("margin_tiers.json"), encoding="utf-8") as fh:
        margin = json.load(fh, parse_float=Decimal)
    return doc, margin


def load_catalog_file(path: Path) -> Catalog:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh, parse_float=Decimal)
    return parse_catalog(doc)
