"""A typed negative quantity: asked once whether it is a short spot position.

−5 is a valid quantity (coins borrowed and sold), but more often a slip: it
turns the whole underlying's hedge from selling futures to buying them. The
question says what it changes before anything does, and a short holding is
marked in the table afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from hedger.core.decimals import fmt_decimal
from hedger.core.models import Holding
from hedger.core.planner import Plan, plan_portfolio, resolve_underlying
from hedger.ui import format as fmt
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.clipboard import Choice, Question

YES = "short"


def _order_words(plan: Plan, underlying: str | None) -> str:
    u = plan.underlying(underlying) if underlying else None
    gap = u.position_gap if u is not None else None
    if gap is not None and gap.holds_anything:
        # Futures held: the order is the one from what is held, as the order card says.
        if not gap.orders:
            return "nothing to trade"
        return " + ".join(o.text for o in gap.orders)
    option = u.recommended_option if u is not None else None
    if u is None or option is None or not option.orders:
        return "no order"
    verb = "Sell" if u.side == "short" else "Buy"
    return f"{verb} {' + '.join(t.body for t in option.orders)}"


def short_question(
    document: PortfolioDocument, holding: Holding, quantity: Decimal, row: int | None
) -> Question:
    """'Short spot position?' with what the hedge would become.

    ``row`` is the holding's row (None: a new holding, not yet in the portfolio).
    """
    portfolio = document.portfolio
    changed = holding.model_copy(update={"quantity": quantity})
    holdings = list(portfolio.holdings)
    if row is None:
        holdings.append(changed)
    else:
        holdings[row] = changed
    after = plan_portfolio(
        portfolio.model_copy(update={"holdings": tuple(holdings)}),
        document.catalog,
        daily_vols=document.daily_vols,
    )
    under: str | None = None
    if not holding.is_stablecoin:
        under, _assumed = resolve_underlying(holding, document.catalog, portfolio.hedge.families)
    amount = fmt_decimal(abs(quantity))
    text = (
        f"{fmt.MINUS}{amount} {holding.symbol} means you owe {amount} {holding.symbol} "
        "(borrowed and sold), not that you hold them."
    )
    if under:
        before, now = _order_words(document.plan, under), _order_words(after, under)
        if before != now:
            text += f"\n\nThe {under} hedge becomes “{now}” (now “{before}”)."
    return Question(
        title="Short spot position?",
        text=f"Is {fmt.MINUS}{amount} {holding.symbol} a short spot position?",
        informative=text,
        choices=(
            Choice(YES, "Yes, Short Position"),
            Choice("cancel", "No, Keep It", "reject"),
        ),
        default="cancel",
    )
