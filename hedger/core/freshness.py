"""Is the futures price still a price? Checks a typed or fetched futures price against spot.

A futures price typed by hand stays fixed while spot moves on. Two checks,
each turned into words the panel, the plan and ``hedger plan`` show:

* **spot moved since it was typed**: the portfolio keeps, beside a typed
  futures price, when it was typed and the spot price at that moment
  (``HedgeSettings.futures_price_stamps``). Spot more than ``SPOT_MOVE_LIMIT``
  (1 %) away from that spot means the futures price has most likely moved too.
* **implausible basis**: futures and spot differ by more than a plausible
  basis for the contract's expiry style: ``BASIS_LIMITS``: 2 % for
  perpetuals (funding keeps their mark within a fraction of a per cent of
  the index), 10 % for dated futures (a quarterly contract in a hot market
  trades a few per cent over spot; 10 % is past what CME and Binance
  quarterlies have shown). A file written before the stamps existed is
  judged by this check alone.

A fetched price (the portfolio's ``FUT:<underlying>`` quote equals the
futures price) is the venue's mark *when it was fetched*: it gets the basis
check too, and, given the time now, an age check: older than the portfolio's
``price_max_age_hours`` (24 h unless the drift rules say otherwise, the age
``hedger check`` reports) it has most likely moved. Same words, same offers
(use spot, refresh). Where no futures price is set the plan uses spot, and
there is nothing to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import FuturesPriceStamp, HedgeSettings, Quote

Origin = Literal["typed", "fetched", "spot", "none"]
ExpiryStyle = Literal["perpetual", "dated"]

SPOT_MOVE_LIMIT = Decimal("0.01")
BASIS_LIMITS: Mapping[ExpiryStyle, Decimal] = {
    "perpetual": Decimal("0.02"),
    "dated": Decimal("0.10"),
}
FUTURES_KEY = "FUT:"
HUNDRED = Decimal(100)
DEFAULT_MAX_AGE = timedelta(hours=24)


class FuturesPriceCheck(NamedTuple):
    """What the plan knows about one underlying's futures price, and what to do about it."""

    underlying: str
    origin: Origin
    price: Decimal | None  # the futures price the plan uses
    spot: Decimal | None  # the underlying's price in the holdings
    expiry: ExpiryStyle
    typed_at: datetime | None = None
    spot_at_typing: Decimal | None = None
    fetched_at: datetime | None = None
    findings: tuple[str, ...] = ()

    @property
    def basis(self) -> Decimal | None:
        """Futures over spot, minus 1 (0.02 is 2 % above spot)."""
        if self.price is None or not self.spot:
            return None
        return self.price / self.spot - 1

    @property
    def spot_move(self) -> Decimal | None:
        """Spot now against spot when the futures price was typed, minus 1."""
        if self.spot is None or not self.spot_at_typing:
            return None
        return self.spot / self.spot_at_typing - 1

    @property
    def stale(self) -> bool:
        return bool(self.findings)

    @property
    def suggest_spot(self) -> bool:
        """Offer "use spot": the price looks stale and spot is known."""
        return self.stale and self.spot is not None

    @property
    def suggest_refresh(self) -> bool:
        """Offer a refresh of the futures price (a venue quotes its mark)."""
        return self.stale


def _pct(value: Decimal) -> str:
    return f"{fmt_decimal(abs(value) * HUNDRED, 1)} %"


def check_futures_price(
    underlying: str,
    settings: HedgeSettings,
    quotes: Mapping[str, Quote],
    spot: Decimal | None,
    expiry: ExpiryStyle,
    now: datetime | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> FuturesPriceCheck:
    """The check for ``underlying``: where its futures price comes from and its findings.
    ``now``: the time a fetched price's age is judged at (None: its age is not judged)."""
    price = settings.futures_prices.get(underlying)
    if price is None:
        origin: Origin = "spot" if spot is not None else "none"
        return FuturesPriceCheck(underlying, origin, spot, spot, expiry)
    quote = quotes.get(FUTURES_KEY + underlying)
    if quote is not None and quote.kind == "futures" and quote.price == price:
        check = FuturesPriceCheck(
            underlying, "fetched", price, spot, expiry, fetched_at=quote.fetched_at
        )
        findings = _age_findings(check, now, max_age) + _findings(check)
        return check._replace(findings=tuple(findings))
    stamp = settings.futures_price_stamps.get(underlying)
    check = FuturesPriceCheck(
        underlying,
        "typed",
        price,
        spot,
        expiry,
        typed_at=stamp.typed_at if stamp else None,
        spot_at_typing=stamp.spot if stamp else None,
    )
    return check._replace(findings=tuple(_findings(check)))


def _findings(check: FuturesPriceCheck) -> list[str]:
    out: list[str] = []
    u, price, spot = check.underlying, check.price, check.spot
    if price is None or spot is None:
        return out
    move = check.spot_move
    if move is not None and abs(move) > SPOT_MOVE_LIMIT:
        assert check.spot_at_typing is not None
        direction = "up" if move > 0 else "down"
        out.append(
            f"{u} spot has moved {direction} {_pct(move)} since the futures price "
            f"{fmt_money(price, 0)} was typed (spot was {fmt_money(check.spot_at_typing, 0)}, "
            f"now {fmt_money(spot, 0)}): the futures price has most likely moved too. "
            "Use spot or refresh the futures price."
        )
    basis = check.basis
    limit = BASIS_LIMITS[check.expiry]
    if basis is not None and abs(basis) > limit:
        where = "above" if basis > 0 else "below"
        kind = "a perpetual" if check.expiry == "perpetual" else "a dated future"
        out.append(
            f"The {u} futures price {fmt_money(price, 0)} is {_pct(basis)} {where} spot "
            f"{fmt_money(spot, 0)}, more than a plausible basis for {kind} "
            f"({_pct(limit)}): it looks stale. Use spot ({fmt_money(spot, 0)}) or refresh "
            "the futures price."
        )
    return out


def _age_findings(check: FuturesPriceCheck, now: datetime | None, limit: timedelta) -> list[str]:
    fetched = check.fetched_at
    if now is None or fetched is None or check.price is None:
        return []
    age = now - fetched
    if age <= limit:
        return []
    return [
        f"The {check.underlying} futures price {fmt_money(check.price, 0)} was fetched "
        f"{_age(age)} ago, longer than {_age(limit)}: it has most likely moved since. "
        "Use spot or refresh the futures price."
    ]


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, int(age.total_seconds() // 60))} min"
    if hours < 72:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def stamp_futures_price(
    settings: HedgeSettings,
    underlying: str,
    price: Decimal | None,
    now: datetime,
    spot: Decimal | None,
) -> HedgeSettings:
    """``settings`` with a typed futures price for ``underlying`` (None: use spot),
    remembering when it was typed and the spot price at that moment."""
    prices = dict(settings.futures_prices)
    stamps = dict(settings.futures_price_stamps)
    if price is None:
        prices.pop(underlying, None)
        stamps.pop(underlying, None)
    else:
        prices[underlying] = price
        stamps[underlying] = FuturesPriceStamp(typed_at=now, spot=spot)
    return settings.model_copy(update={"futures_prices": prices, "futures_price_stamps": stamps})
