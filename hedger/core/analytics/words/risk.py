"""A risk simulation in words: value at risk and expected shortfall as odds and amounts.

VaR 95 % over a week is the loss that 1 week out of 20 exceeds; ES 95 % is the
average loss in those worst weeks. "In 1 week out of 20, expect to lose more
than 6,030 USD unhedged and 390 USD hedged; in the worst of those weeks, about
7,400 and 771 USD on average."
"""

from __future__ import annotations

from hedger.core.analytics.risk import RiskResult
from hedger.core.analytics.words.amounts import one_in, percent, period_names, usd

LEVEL = 0.95  # "1 out of 20"


def _loses(var: float) -> str:
    """What the book does in the worst period out of 20: loses more than X, or still gains."""
    if var > 0:
        return f"loses more than {usd(var)}"
    return f"still gains at least {usd(-var)}"


def tail_words(r: RiskResult) -> str:
    """ "In 1 week out of 20, expect to lose more than X unhedged and Y hedged; in the worst
    of those weeks, about A and B on average." """
    one, many = period_names(r.horizon_days)
    u, h = r.unhedged.tail(LEVEL), r.hedged.tail(LEVEL)
    if u.var > 0 and h.var > 0:
        text = (
            f"In 1 {one} out of 20, expect to lose more than {usd(u.var)} unhedged and "
            f"{usd(h.var)} hedged"
        )
        if u.es > 0 and h.es > 0:
            text += (
                f"; in the worst of those {many}, about {usd(u.es).removesuffix(' USD')} and "
                f"{usd(h.es)} on average"
            )
    else:
        text = (
            f"In the worst {one} out of 20, the unhedged book {_loses(u.var)} and the hedged "
            f"one {_loses(h.var)}"
        )
    if h.var > u.var > 0:
        text += ": the hedge adds risk here"
    return text + "."


def liquidation_words(r: RiskResult) -> str:
    """How often the hedge is liquidated within the horizon, as odds; "" when never."""
    share = r.liquidated_share
    if share <= 0:
        return ""
    _, many = period_names(r.horizon_days)
    often = f"most {many}" if share > 0.5 else f"about {one_in(share)} {many}"
    return (
        f"The hedge would be liquidated in {often} ({percent(share)} of the simulated "
        "paths): lower the leverage or keep margin aside."
    )


def risk_lead(r: RiskResult) -> str:
    """The Risk view's lead: the tail in words, then the liquidation odds when there are any."""
    return " ".join(t for t in (tail_words(r), liquidation_words(r)) if t)
