"""A position size in words: what the count means for the account.

"Buying 3 × CME Micro Bitcoin (MBT) keeps your loss at the 68,600 stop to
420 USD, within the 528 USD (1 % of 52,800 USD) you allow; the position is
worth 21,000 USD, 0.4× your account, and ties up 10,500 USD of margin at 2x."
"""

from __future__ import annotations

from hedger.core.analytics.position_sizing import SizedOption, SizingResult
from hedger.core.analytics.words.amounts import exact_usd, price
from hedger.core.decimals import fmt_decimal


def _budget(r: SizingResult) -> str:
    return (
        f"the {exact_usd(r.risk_usd)} ({fmt_decimal(r.risk_percent)} % of "
        f"{exact_usd(r.equity)}) you allow"
    )


def _underlying(r: SizingResult) -> str:
    for o in r.options:
        for leg in o.legs:
            return leg.contract.underlying
    return "the price"


def _no_fit(r: SizingResult) -> str:
    priced = [o for o in r.options if o.loss_per_contract is not None and o.legs]
    if not priced:
        return f"No contract fits {_budget(r)} at the {price(r.stop)} stop."
    smallest = min(priced, key=lambda o: o.loss_per_contract or 0)
    assert smallest.loss_per_contract is not None
    return (
        f"Even one {smallest.legs[0].contract.name} would lose "
        f"{exact_usd(smallest.loss_per_contract)} at the {price(r.stop)} stop, more than "
        f"{_budget(r)}: risk more, move the stop closer or choose smaller contracts."
    )


def _account(o: SizedOption, r: SizingResult) -> str:
    lev = o.effective_leverage
    share = f"{fmt_decimal(lev, 1)}× your account"
    if lev > 1:
        # Above 1×, the account moves more than the price: say by how much.
        share += (
            f" (a 10 % move in {_underlying(r)} moves your account by {fmt_decimal(lev * 10, 0)} %)"
        )
    return (
        f"the position is worth {exact_usd(o.notional)}, {share}, and ties up "
        f"{exact_usd(o.margin)} of margin at {fmt_decimal(r.leverage)}x"
    )


def sizing_lead(r: SizingResult) -> str:
    """The Position Sizing view's lead sentence."""
    rec = r.option(r.recommended) if r.recommended else None
    if rec is None or not rec.contracts:
        return _no_fit(r)
    verb = "Buying" if r.side == "long" else "Selling"
    short = "" if r.side == "long" else " short"
    fees = f" (plus {exact_usd(rec.fees)} of fees)" if rec.fees > 0 else ""
    return (
        f"{verb} {rec.order_text()}{short} keeps your loss at the {price(r.stop)} stop to "
        f"{exact_usd(rec.loss_at_stop)}{fees}, within {_budget(r)}; {_account(rec, r)}."
    )


__all__ = ["sizing_lead"]
