"""A hedge plan as CSV rows, for spreadsheets (File > Export Plan)."""

from __future__ import annotations

import csv
import io

from hedger.core.decimals import fmt_decimal
from hedger.core.planner import Plan

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
)


def _money(v: object) -> str:
    from decimal import Decimal

    return fmt_decimal(v, 2) if isinstance(v, Decimal) else ""


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
            # The problem goes in the last (order) column, every other one empty.
            blanks = [""] * (len(COLUMNS) - len(base) - 1)
            w.writerow([*base, *blanks, u.problem or ""])
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
                    _money(o.liquidation_price),
                    o.order_text(u.leverage),
                ]
            )
    return buf.getvalue()
