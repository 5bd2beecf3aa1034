"""``hedger plan --json``: the plan as JSON-ready data.

Decimals are strings (never ``-0``); counts of contracts are JSON numbers,
whole ones integers (a fractional count, 38.6 OKX contracts, is written
exactly). Each option's ``order`` says what to type into the venue's order
form: ``side``, ``quantity`` and ``unit``, with the contract, its step and
minimum, any problems with the nearest valid order, and one ``lines`` entry
per contract traded. A liquidation price is a decimal string, ``"none"``
where the position cannot be liquidated, and null where nothing is traded;
``liquidation.state`` "at_once" means the collateral kept is below what the
venue asks to open the hedge (``liquidation_price`` is then today's futures
price: it would be liquidated there and then).

With futures positions held, ``recommended_order`` is the order to type now:
the one that closes the gap from what is held (``basis`` "held"); without
positions it is the recommended option's (``basis`` "zero"). The options
themselves are always the whole hedge from nothing held.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedger.core.decimals import fmt_decimal

if TYPE_CHECKING:
    from hedger.core.collateral import CollateralPlan
    from hedger.core.freshness import FuturesPriceCheck
    from hedger.core.leverage import LeverageAdvice
    from hedger.core.liquidation_outcome import LiquidationOutcome
    from hedger.core.margin import MarginBreakdown
    from hedger.core.orders import OrderTicket
    from hedger.core.planner import HedgeOption, Leg, Plan, UnderlyingPlan
    from hedger.core.position_gap import GapOrder, HeldLine

HUNDRED = Decimal(100)


def _money(value: Decimal) -> str:
    return fmt_decimal(value, 2)


def _plain(value: Decimal) -> str:
    return fmt_decimal(value)


def _opt(value: Decimal | None, places: int | None = 2) -> str | None:
    return None if value is None else fmt_decimal(value, places)


def count(value: Decimal) -> int | float:
    """A count of contracts as a JSON number: 5, or 38.6 (exact: it has few digits)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: decimals as strings, counts as numbers."""
    t, held = plan.totals, plan.held_totals
    return {
        "portfolio": plan.portfolio,
        "ratio": _plain(plan.ratio),
        "rounding": plan.rounding,
        "leverage": _plain(plan.leverage),
        "underlyings": [_underlying_to_dict(u) for u in plan.underlyings],
        "totals": {
            "exposure_usd": _money(t.exposure_usd),
            "target_usd": _money(t.target_usd),
            "hedged_usd": _money(t.hedged_usd),
            "residual_usd": _money(t.residual_usd),
            "initial_margin_usd": _money(t.initial_margin_usd),
        },
        # The futures held now (None without positions): the totals above are
        # the recommended options opened from zero.
        "held_totals": None
        if held is None
        else {
            "hedged_usd": _money(held.hedged_usd),
            "residual_usd": _money(held.residual_usd),
        },
        "value_usd": _money(plan.total_value_usd),
        "cash_usd": _money(plan.other_value_usd),
        "problems": list(plan.problems),
    }


def _underlying_to_dict(u: UnderlyingPlan) -> dict[str, Any]:
    check = u.futures_check
    return {
        "underlying": u.underlying,
        "family": u.family.id if u.family else None,
        "family_name": u.family.name if u.family else None,
        "futures_price": _plain(u.futures_price) if u.futures_price is not None else None,
        "futures_price_from_spot": u.futures_price_from_spot,
        "ratio": _plain(u.ratio),
        "rounding": u.rounding,
        "leverage": _plain(u.leverage),
        "holdings": u.holdings,
        "value_usd": _money(u.value_usd),
        "exposure_usd": _money(u.exposure_usd),
        "target_usd": _money(u.target_usd),
        "side": u.side,
        "recommended": u.recommended,
        "assumed_beta": list(u.assumed_beta_symbols),
        "warnings": list(u.warnings),
        "problem": u.problem,
        "options": [_option_to_dict(o, u) for o in u.options],
        "target_source": u.target_source,
        "target_setting_usd": _opt(u.target_setting_usd),
        "untargeted_usd": _money(u.untargeted_usd),
        "spot_price": _opt(u.spot_price, None),
        "futures_price_check": _check_to_dict(check) if check is not None else None,
        "margin_mode": u.margin_mode,
        "rally": _plain(u.rally),
        "collateral_usd": _opt(u.collateral_usd),
        "leverage_advice": _advice_to_dict(u.leverage_advice) if u.leverage_advice else None,
        "current": current_to_dict(u),
        "delta": delta_to_dict(u),
        "recommended_order": recommended_order_to_dict(u),
    }


def recommended_order_to_dict(u: UnderlyingPlan) -> dict[str, Any] | None:
    """The order to type now: from what is held when positions are held on the
    underlying (``basis`` "held"), else the recommended option's (``basis`` "zero").
    ``side``/``quantity``/``unit`` when it is one line; ``lines`` always."""
    g = u.position_gap
    text: str | None
    if g is not None and g.holds_anything:
        lines = [_gap_order_to_dict(o) for o in g.orders]
        text = g.order_words
        basis = "held"
    else:
        rec = u.recommended_option
        if rec is None:
            return None
        lines = [{**ticket_to_dict(t), "action": "open"} for t in rec.orders]
        text = rec.order_text(u.leverage) if rec.orders else None
        basis = "zero"
    one = lines[0] if len(lines) == 1 else None
    return {
        "basis": basis,
        "side": one["side"] if one else None,
        "quantity": one["quantity"] if one else None,
        "unit": one["unit"] if one else None,
        "contract": one["contract"] if one else None,
        "copy": one["copy"] if one else None,
        "lines": lines,
        "text": text,
    }


def current_to_dict(u: UnderlyingPlan) -> dict[str, Any]:
    """The futures positions held on the underlying, valued at its futures price."""
    g = u.position_gap
    if g is None:
        return {"positions": [], "usd": "0.00", "hedged_usd": "0.00", "pnl_usd": "0.00"}
    return {
        "positions": [_held_to_dict(line) for line in (*g.held, *g.other)],
        "usd": _money(g.current_usd),
        "hedged_usd": _money(g.current_hedged_usd),
        "pnl_usd": _money(g.pnl_usd),
    }


def _held_to_dict(line: HeldLine) -> dict[str, Any]:
    p = line.position
    return {
        "contract": p.contract,
        "contracts": count(p.quantity),
        "entry_price": _plain(p.entry_price),
        "account": p.account,
        "on_family": line.on_family,
        "label": line.label,
        "usd": _money(line.usd),
        "pnl_usd": _opt(line.pnl_usd),
    }


def delta_to_dict(u: UnderlyingPlan) -> dict[str, Any]:
    """The orders from what is held to the target; without positions, the
    recommended option's orders (everything opens)."""
    g = u.position_gap
    if g is None:
        rec = u.recommended_option
        orders = (
            [] if rec is None else [{**ticket_to_dict(t), "action": "open"} for t in rec.orders]
        )
        hedged = rec.hedged_usd if rec is not None else Decimal(0)
        return {
            "orders": orders,
            "text": rec.order_text(u.leverage) if rec is not None and rec.orders else None,
            "hedged_usd": _money(hedged),
            "residual_usd": _money(abs(u.target_usd) - hedged),
            "margin": _margin_to_dict(rec.margin) if rec is not None and rec.margin else None,
            "to_add_usd": None,
            "liquidation_price": liquidation_json(rec) if rec is not None else None,
            "problems": [],
        }
    return {
        "orders": [_gap_order_to_dict(o) for o in g.orders],
        "text": g.order_words,
        "both_legs": g.both_legs,
        "hedged_usd": _money(g.hedged_usd),
        "residual_usd": _money(g.residual_usd),
        "margin": _margin_to_dict(g.margin) if g.margin is not None else None,
        "posted_usd": _money(g.posted_usd),
        "posted_given": g.posted_given,
        "to_add_usd": _money(g.to_add_usd),
        "liquidation_price": (
            None
            if g.margin is None
            else ("none" if g.liquidation_price is None else _money(g.liquidation_price))
        ),
        "liquidation": outcome_to_dict(g.liquidation),
        "liquidation_situation": g.after_label if g.margin is not None else None,
        "as_held": [
            {"contract": line.position.contract, **(outcome_to_dict(o) or {})}
            for line, o in g.as_held()
        ],
        "problems": list(g.problems),
    }


def _gap_order_to_dict(o: GapOrder) -> dict[str, Any]:
    return {
        **ticket_to_dict(o.ticket),
        "action": o.action,
        "held": count(o.held),
        "after": count(o.after),
        "on_family": o.on_family,
        "text": o.text,
    }


def _check_to_dict(c: FuturesPriceCheck) -> dict[str, Any]:
    basis, move = c.basis, c.spot_move
    return {
        "origin": c.origin,
        "expiry": c.expiry,
        "basis_pct": _opt(None if basis is None else basis * HUNDRED),
        "typed_at": c.typed_at.isoformat() if c.typed_at else None,
        "spot_at_typing": _opt(c.spot_at_typing, None),
        "spot_move_pct": _opt(None if move is None else move * HUNDRED),
        "fetched_at": c.fetched_at.isoformat() if c.fetched_at else None,
        "stale": c.stale,
        "suggest_spot": c.suggest_spot,
        "findings": list(c.findings),
    }


def _advice_to_dict(a: LeverageAdvice) -> dict[str, Any]:
    return {
        "max_safe": _plain(a.max_safe),
        "too_high": a.too_high,
        "daily_vol_pct": _opt(a.daily_vol * HUNDRED),
        "vol_source": a.vol_source,
        "one_day_move_pct": _opt(a.move * HUNDRED),
        "words": a.words,
    }


def _option_to_dict(o: HedgeOption, u: UnderlyingPlan) -> dict[str, Any]:
    return {
        "name": o.name,
        "recommended": o.name == u.recommended,
        "side": o.side,
        "contracts": count(o.contracts),
        "legs": [_leg_to_dict(leg) for leg in _json_legs(o)],
        "exact_contracts": (
            fmt_decimal(o.exact_contracts, 6) if o.exact_contracts is not None else None
        ),
        "hedged_units": _plain(o.hedged_units),
        "hedged_usd": _money(o.hedged_usd),
        "residual_usd": _money(o.residual_usd),
        "residual_pct": _money(o.residual_pct),
        "initial_margin_usd": _money(o.initial_margin_usd),
        "fee_usd": _money(o.fee_usd),
        "liquidation_price": liquidation_json(o),
        "liquidation": outcome_to_dict(o.liquidation),
        "order": order_to_dict(o),
        "order_text": o.order_text(u.leverage),
        "smallest_order": None if o.smallest_order is None else ticket_to_dict(o.smallest_order),
        "margin": _margin_to_dict(o.margin) if o.margin is not None else None,
        "collateral": _collateral_to_dict(o.collateral) if o.collateral is not None else None,
        "warnings": list(o.warnings),
    }


def outcome_to_dict(outcome: LiquidationOutcome | None) -> dict[str, Any] | None:
    """``state`` "price", "none" (it cannot be liquidated) or "at_once" (the collateral
    is below what the venue asks to open it), with the price and the words."""
    if outcome is None:
        return None
    return {
        "state": outcome.state,
        "price": _opt(outcome.price if outcome.state == "price" else None),
        "from_price": _opt(outcome.reference),
        "collateral_usd": _money(outcome.collateral_usd),
        "required_usd": _money(outcome.required_usd),
        "text": outcome.text,
    }


def liquidation_json(o: HedgeOption) -> str | None:
    if o.liquidation_price is None:
        return "none" if o.trades else None
    return _money(o.liquidation_price)


def _leg_to_dict(leg: Leg) -> dict[str, Any]:
    return {
        "contract": leg.contract.id,
        "name": leg.contract.name,
        "size": leg.contract.size_text(),
        "contracts": count(leg.contracts),
        "lots": leg.lots,
    }


def _json_legs(o: HedgeOption) -> list[Leg]:
    """The legs to show: a mix lists only sizes it uses (an order has no
    0-contract lines); a single tier keeps its one leg, even at 0 contracts,
    because it names the contract."""
    if o.name == "mix":
        return [leg for leg in o.legs if leg.contracts]
    return list(o.legs)


def ticket_to_dict(t: OrderTicket) -> dict[str, Any]:
    c = t.contract
    return {
        "side": t.side,
        "quantity": _plain(t.quantity),
        "unit": t.unit,
        "order_unit": c.order_unit,
        "contract": c.id,
        "contracts": count(t.contracts),
        "step": _plain(t.step),
        "minimum": _plain(t.minimum),
        "min_notional": _opt(c.min_notional, None),
        "valid": t.valid,
        "problems": list(t.problems),
        "nearest": _opt(t.nearest, None),
        "text": t.text,
        "copy": t.copy_text,
    }


def order_to_dict(o: HedgeOption) -> dict[str, Any]:
    """``{"side", "quantity", "unit", ...}``; a two-contract mix has ``quantity``
    null and one entry per contract in ``lines``."""
    side = "sell" if o.side == "short" else "buy"
    lines = [ticket_to_dict(t) for t in o.orders]
    if len(lines) == 1:
        return {**lines[0], "lines": lines}
    if not lines and len(o.legs) == 1:
        c = o.legs[0].contract
        from hedger.core.orders import unit_label

        return {
            "side": side,
            "quantity": "0",
            "unit": unit_label(c, Decimal(0)),
            "order_unit": c.order_unit,
            "contract": c.id,
            "text": None,
            "lines": [],
        }
    return {"side": side, "quantity": None, "unit": None, "text": None, "lines": lines}


def _margin_to_dict(m: MarginBreakdown) -> dict[str, Any]:
    return {
        "notional_usd": _money(m.notional_usd),
        "by_leverage_usd": _money(m.by_leverage_usd),
        "required_usd": _money(m.required_usd),
        "initial_usd": _money(m.initial_usd),
        "rule": m.rule,
        "maintenance_usd": _money(m.maintenance_usd),
        "max_leverage": _opt(m.max_leverage),
        "effective_leverage": _opt(m.effective_leverage),
        "mode": m.mode,
        "words": m.words,
        "sources": list(m.sources),
    }


def _collateral_to_dict(c: CollateralPlan) -> dict[str, Any]:
    inverse = c.kind == "inverse"
    return {
        "move_pct": _opt(c.move * HUNDRED),
        "moved_price": _money(c.moved_price),
        "unit": c.coin if inverse else "USD",
        "loss": fmt_decimal(c.loss, 8 if inverse else 2),
        "maintenance": fmt_decimal(c.maintenance, 8 if inverse else 2),
        "fee": fmt_decimal(c.fee, 8 if inverse else 2),
        "needed": fmt_decimal(c.needed, 8 if inverse else 2),
        "needed_usd": _money(c.needed_usd),
        "to_open_usd": _money(c.to_open_usd),
        "keep_usd": _money(c.keep_usd),
        "posted_usd": _opt(c.posted_usd),
        "posted_liquidation_price": (
            None
            if c.posted_usd is None
            else ("none" if c.posted_liquidation is None else _money(c.posted_liquidation))
        ),
        "posted_liquidation": outcome_to_dict(c.posted_outcome),
        "posted_covers": c.posted_covers,
        "words": c.words,
    }
