"""A hedge plan as CSV rows, for spreadsheets (File > Export Plan)."""

from __future__ import annotations

import csv
import io

from hedger.core.decimals import fmt_decimal
from hedger.core.planner import HedgeOption, Plan

COLUMNS = (
    "underlying",
    "family",
    "futures_price",
    "exposure_usd",
    "target_usd",
    "option",
    "recommended",
    "side",
    "legs",
    "contracts",
    "hedged_usd",
    "residual_usd",
    "residual_pct",
    "initial_margin_usd",
    "fee_usd",
    "liquidation_price",
    "order",
    "order_side",
    "order_quantity",
    "order_unit",
)


def _money(v: object) -> str:
    from decimal import Decimal

    return fmt_decimal(v, 2) if isinstance(v, Decimal) else ""


def _liquidation(o: HedgeOption) -> str:
    # "none": the position cannot be liquidated; empty: nothing is traded.
    if o.liquidation_price is None:
        return "none" if o.trades else ""
    return _money(o.liquidation_price)


def _order_cells(o: HedgeOption) -> list[str]:
    """Side, quantity and unit of a one-line order (a two-line mix: in the order text)."""
    t = o.order
    if t is None:
        return ["", "", ""]
    return [t.side, fmt_decimal(t.quantity), t.unit]


def plan_to_csv(plan: Plan) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for u in plan.underlyings:
        base = [
            u.underlying,
            u.family.id if u.family else "",
            _money(u.futures_price),
            _money(u.exposure_usd),
            _money(u.target_usd),
        ]
        if not u.options:
            # The problem goes in the order column, every other one empty.
            row = [*base, *[""] * (len(COLUMNS) - len(base))]
            row[COLUMNS.index("order")] = u.problem or ""
            w.writerow(row)
            continue
        for o in u.options:
            # As in `hedger plan --json`: a mix lists the sizes it uses, a
            # single tier its one contract (even at 0, to name it).
            shown = [leg for leg in o.legs if leg.contracts] if o.name == "mix" else o.legs
            legs = " + ".join(f"{leg.contracts} x {leg.contract.id}" for leg in shown)
            w.writerow(
                [
                    *base,
                    o.name,
                    "yes" if o.name == u.recommended else "",
                    o.side,
                    legs,
                    o.contracts,
                    _money(o.hedged_usd),
                    _money(o.residual_usd),
                    _money(o.residual_pct),
                    _money(o.initial_margin_usd),
                    _money(o.fee_usd),
                    _liquidation(o),
                    o.order_text(u.leverage),
                    *_order_cells(o),
                ]
            )
    return buf.getvalue()
