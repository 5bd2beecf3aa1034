"""Compare the built-in contract catalog with an exchange's market data.

Exchanges change contract sizes now and then; this reports where the
catalog and the exchange's ccxt market structure (``contractSize``,
``linear``/``inverse``, amount precision) disagree. It never changes the
catalog: a person decides what to do with each difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from hedger.core.decimals import fmt_decimal
from hedger.live.validate import as_decimal

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract

Field = Literal["listing", "kind", "size"]


@dataclass(frozen=True, slots=True)
class SizeDifference:
    contract_id: str
    field: Field
    catalog: str
    exchange: str
    exchange_name: str
    #: The exchange's figures, to copy into a contract of the user's own.
    exchange_size: Decimal | None = None
    exchange_kind: str | None = None

    @property
    def message(self) -> str:
        what = {"listing": "listing", "kind": "kind", "size": "contract size"}[self.field]
        return (
            f"{self.contract_id}: {what} differs — catalog {self.catalog}, "
            f"{self.exchange_name} {self.exchange}"
        )


def _size_text(size: Decimal, kind: str, underlying: str) -> str:
    return f"{fmt_decimal(size)} {'USD' if kind == 'inverse' else underlying}"


def _is_contract_market(market: Any) -> bool:
    return isinstance(market, Mapping) and bool(
        market.get("contract") or market.get("swap") or market.get("future")
    )


def _find_market(markets: Mapping[str, Any], contract: Contract) -> Mapping[str, Any] | None:
    wanted = contract.symbol.upper()
    for market in markets.values():
        if _is_contract_market(market) and str(market.get("id", "")).upper() == wanted:
            return market  # type: ignore[no-any-return]
    return None


def _amount_step(market: Mapping[str, Any], step_is_digits: bool) -> Decimal | None:
    precision = market.get("precision")
    raw = precision.get("amount") if isinstance(precision, Mapping) else None
    value = as_decimal(raw)
    if value is None or not value.is_finite():
        return None
    if step_is_digits:
        # DECIMAL_PLACES mode: 3 means steps of 0.001.
        return Decimal(1).scaleb(-int(value))
    return value if value > 0 else None


def exchange_unit(
    contract: Contract, market: Mapping[str, Any], step_is_digits: bool = False
) -> Decimal | None:
    """The exchange's size comparable with ``contract.size``.

    The catalog's contract is the venue's (the size is its ``contractSize``)
    or, for venues whose order form takes a coin quantity (``order_unit``
    "coin": Binance/Bybit USDⓈ-M, contractSize 1), one quantity step as a
    contract (``size`` 0.001 BTC): then the comparable figure is
    contractSize × step.
    """
    size = as_decimal(market.get("contractSize"))
    if size is None or not size.is_finite() or size <= 0:
        return None
    if contract.order_unit != "coin":
        return size
    step = _amount_step(market, step_is_digits)
    return size * step if step is not None else size


def compare_contract_sizes(
    catalog: Catalog,
    markets: Mapping[str, Any],
    venue: str,
    *,
    exchange_name: str = "exchange",
    step_is_digits: bool = False,
) -> list[SizeDifference]:
    """Differences between the catalog's ``venue`` contracts and ccxt-shaped ``markets``.

    ``markets`` is what ``exchange.load_markets()`` returns (unified symbol ->
    market dict); contracts are matched on the market's native ``id``.
    ``step_is_digits`` is True for exchanges whose ccxt precision mode is
    DECIMAL_PLACES (amount precision counts digits rather than giving a step).
    """
    out: list[SizeDifference] = []
    for contract in sorted(catalog.contracts.values(), key=lambda c: c.id):
        if contract.venue.upper() != venue.upper():
            continue
        market = _find_market(markets, contract)
        if market is None:
            out.append(
                SizeDifference(contract.id, "listing", contract.symbol, "not listed", exchange_name)
            )
            continue
        ex_kind = "inverse" if market.get("inverse") else "linear" if market.get("linear") else None
        unit = exchange_unit(contract, market, step_is_digits)
        if ex_kind is not None and ex_kind != contract.kind:
            out.append(
                SizeDifference(
                    contract.id, "kind", contract.kind, ex_kind, exchange_name, unit, ex_kind
                )
            )
        if unit is not None and unit != contract.size:
            kind = ex_kind or contract.kind
            out.append(
                SizeDifference(
                    contract.id,
                    "size",
                    _size_text(contract.size, contract.kind, contract.underlying),
                    _size_text(unit, kind, contract.underlying),
                    exchange_name,
                    unit,
                    ex_kind,
                )
            )
    return out
