"""What an estimated beta means for a holding, in words.

"SOL has moved about 1.4× as much as BTC: hedging it with BTC futures would
have removed about 59 % of its day-to-day swings." The share removed is the
hedge effectiveness ρ² (the share of the holding's variance a hedge at the
minimum-variance ratio takes away); the size of the best hedge is that ratio,
per 100 USD held.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hedger.core.analytics.estimation import HoldingEstimate, PairEstimate
from hedger.core.analytics.words.amounts import listing, percent
from hedger.core.decimals import fmt_decimal

SWINGS = {"hour": "hour-to-hour", "day": "day-to-day", "week": "week-to-week"}
#: Below this share of swings removed, the hedge is said to protect little.
WEAK_EFFECTIVENESS = 0.25
#: Betas this close to 1 read "about as much as".
ABOUT_ONE = 0.1


def moves_words(symbol: str, hedge: str, beta: float) -> str:
    """ "SOL has moved about 1.4× as much as BTC" (or "about 60 % as much", "against")."""
    if beta < 0:
        return f"{symbol} has tended to move against {hedge}"
    if abs(beta - 1) < ABOUT_ONE:
        return f"{symbol} has moved about as much as {hedge}"
    if beta > 1:
        return f"{symbol} has moved about {beta:.1f}× as much as {hedge}"
    return f"{symbol} has moved about {beta * 100:.0f} % as much as {hedge}"


def removed_words(symbol: str, hedge: str, est: PairEstimate) -> str:
    """ "hedging it with BTC futures would have removed about 59 % of its day-to-day swings"."""
    swings = SWINGS.get(est.interval, "day-to-day")
    share = percent(est.effectiveness)
    if est.effectiveness < WEAK_EFFECTIVENESS:
        return (
            f"hedging it with {hedge} futures would have removed only {share} of its "
            f"{swings} swings, so a {hedge} hedge protects {symbol} little"
        )
    return (
        f"hedging it with {hedge} futures would have removed about {share} of its {swings} swings"
    )


def ratio_words(e: HoldingEstimate) -> str:
    """The suggested hedge in words: USD of futures per 100 USD held, against the user's beta."""
    suggested = e.suggested_beta
    if suggested is None:
        return ""
    per_100 = abs(suggested) * 100
    side = "sold" if suggested >= 0 else "bought, not sold,"
    head = (
        f"The best hedge was about {fmt_decimal(per_100, 0)} USD of {e.hedge_series} futures "
        f"{side} per 100 USD of {e.symbol} (beta {fmt_decimal(suggested)}"
    )
    if e.user_beta is None:
        theirs = "your portfolio uses the default of 1" if suggested != Decimal(1) else ""
    elif e.user_beta == suggested:
        theirs = ""
    else:
        theirs = f"your portfolio uses {fmt_decimal(e.user_beta)}"
    if not theirs:
        return head + ", as your portfolio already uses)."
    return f"{head}; {theirs})."


def beta_words(e: HoldingEstimate) -> str:
    """One holding's estimate in two plain sentences, or "" when there is none."""
    est = e.estimate
    if est is None:
        return ""
    first = f"{moves_words(e.symbol, e.hedge_series, est.beta)}: "
    first += removed_words(e.symbol, e.hedge_series, est) + "."
    return f"{first} {ratio_words(e)}".strip()


def betas_lead(estimates: Sequence[HoldingEstimate], focus_row: int | None = None) -> str:
    """The Betas view's lead: the focused holding's words (every holding's without a focus).

    Holdings hedged with their own futures move one for one with them: with
    nothing else to estimate, the lead says so.
    """
    usable = [e for e in estimates if e.estimate is not None]
    if not usable:
        own = [e.symbol for e in estimates if e.symbol == e.hedge_series]
        if own and len(own) == len(estimates):
            verb = "is" if len(own) == 1 else "are"
            return (
                f"{listing(own)} {verb} hedged with {'its' if len(own) == 1 else 'their'} own "
                "futures, which move one for one with the coin (beta 1): there is nothing "
                "to estimate."
            )
        return ""
    if focus_row is not None:
        chosen = [e for e in usable if e.row == focus_row] or usable[:1]
    else:
        chosen = usable
    return " ".join(beta_words(e) for e in chosen)
