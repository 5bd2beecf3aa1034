"""Liquidation prices of isolated positions, both kinds, both sides (domain.md §5).

A position is liquidated when its equity (collateral plus P&L) falls to the
maintenance margin. Venues value that maintenance margin in one of two ways
(venue-facts.md §8), which ``rule`` selects:

* ``entry``: at the entry price (domain.md's formulas, Bybit's 2024 ones);
* ``mark``: at the liquidation price itself (Binance, Kraken, OKX, Bybit's
  2026 inverse formula).

``fee`` is the taker fee rate where the venue's formula counts the fee to
close (OKX, Bybit 2026); 0 elsewhere. ``deduction`` is the tier's
maintenance deduction (Binance ``cum``, Bybit ``mmDeduction``), in USD for
linear contracts and in coin for inverse ones.

Linear, ``q`` coins, collateral ``m`` USD, maintenance rate ``r`` (+ fee ``f``):

* short, entry: ``P = P0 + (m + d − (r+f)·q·P0) / q``
* short, mark:  ``P = (m + q·P0 + d) / (q·(1 + r + f))``
* long, entry:  ``P = P0 − (m + d − (r+f)·q·P0) / q``
* long, mark:   ``P = (q·P0 − m − d) / (q·(1 − r − f))``

Inverse, ``v`` USD of face value, collateral ``c`` coins:

* short, entry: ``P = v / (v·(1+r+f)/P0 − c − d)``
* short, mark:  ``P = v·(1−r−f) / (v/P0 − c − d)``
* long, entry:  ``P = v / (v·(1−r−f)/P0 + c + d)``
* long, mark:   ``P = v·(1+r+f) / (v/P0 + c + d)``

A result that is not a positive price means the position **cannot be
liquidated** (e.g. an inverse short at 0.5×: its coin loss never reaches the
collateral) and is returned as None, never 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Side = Literal["short", "long"]
Rule = Literal["entry", "mark"]
ZERO = Decimal(0)
ONE = Decimal(1)


def liquidation_for_collateral(
    entry: Decimal,
    units: Decimal,
    collateral: Decimal,
    maintenance_rate: Decimal,
    side: Side,
    kind: str,
    *,
    rule: Rule = "entry",
    fee: Decimal = ZERO,
    deduction: Decimal = ZERO,
) -> Decimal | None:
    """The price where ``units`` (coins, or USD face for inverse) opened at ``entry``
    with ``collateral`` (USD for linear, coin for inverse) are liquidated; None if never."""
    if units <= 0 or entry <= 0:
        return None
    r = maintenance_rate + fee
    if kind == "inverse":
        price = _inverse(entry, units, collateral, r, side, rule, deduction)
    else:
        price = _linear(entry, units, collateral, r, side, rule, deduction)
    return price if price is not None and price > 0 else None


def _linear(
    p0: Decimal, q: Decimal, m: Decimal, r: Decimal, side: Side, rule: Rule, d: Decimal
) -> Decimal | None:
    if rule == "entry":
        move = (m + d - r * q * p0) / q
        return p0 + move if side == "short" else p0 - move
    if side == "short":
        return (m + q * p0 + d) / (q * (ONE + r))
    denom = q * (ONE - r)
    return (q * p0 - m - d) / denom if denom > 0 else None


def _inverse(
    p0: Decimal, v: Decimal, c: Decimal, r: Decimal, side: Side, rule: Rule, d: Decimal
) -> Decimal | None:
    if side == "short":
        if rule == "entry":
            denom = v * (ONE + r) / p0 - c - d
            return v / denom if denom > 0 else None
        denom = v / p0 - c - d
        return v * (ONE - r) / denom if denom > 0 else None
    if rule == "entry":
        denom = v * (ONE - r) / p0 + c + d
        return v / denom if denom > 0 else None
    return v * (ONE + r) / (v / p0 + c + d)


def liquidation_price(
    entry: Decimal,
    leverage: Decimal,
    maintenance_rate: Decimal,
    side: Side,
    kind: str,
    *,
    rule: Rule = "entry",
    fee: Decimal = ZERO,
) -> Decimal | None:
    """Liquidation price with the initial margin ``notional / leverage`` as collateral.

    Linear short (entry rule): ``entry × (1 + 1/L − mm)``; inverse short:
    ``entry / (1 + mm − 1/L)``, which does not exist for ``L ≤ 1/(1 + mm)``:
    None, "cannot be liquidated".
    """
    if leverage <= 0:
        return None
    # One coin (linear) or one USD of face (inverse): the rule scales.
    collateral = entry / leverage if kind != "inverse" else ONE / (entry * leverage)
    return liquidation_for_collateral(
        entry, ONE, collateral, maintenance_rate, side, kind, rule=rule, fee=fee
    )


def liquidation_text(price: Decimal | None) -> str:
    """``76,650.00``, or ``none`` where the position cannot be liquidated."""
    if price is None:
        return "none"
    return f"{price:,.2f}"
