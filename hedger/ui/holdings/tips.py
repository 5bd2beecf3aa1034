"""Tooltips of the holdings table's Beta and Hedge With cells: what is assumed, and why."""

from __future__ import annotations

from hedger.core.decimals import fmt_decimal
from hedger.core.models import Holding


def beta_tip(h: Holding, underlying: str | None, assumed: bool) -> str:
    if assumed:
        return (
            f"Beta not set: assumed 1. {h.symbol} is hedged with {underlying} "
            f"futures (a cross-hedge), so its beta to {underlying} matters. "
            f"Enter it (e.g. 1.5 if {h.symbol} moves 1.5 % per 1 % of "
            f"{underlying}) for a better hedge."
        )
    if h.beta is None:
        return (
            f"Beta not set: assumed 1, which is exact here because {h.symbol} is "
            "hedged with its own futures."
        )
    return (
        f"{h.symbol} moves about {fmt_decimal(h.beta)} % per 1 % move of "
        f"{underlying}. Clear the cell to go back to 1."
    )


def hedge_tip(h: Holding, under: str | None, automatic: bool, problem: str | None) -> str:
    if automatic:
        if under == h.symbol:
            text = f"Automatic: hedged with {under} futures."
        else:
            text = (
                f"Automatic: the catalog has no {h.symbol} futures, so {h.symbol} is "
                f"hedged with {under} futures."
            )
        text += " Type another underlying to choose it."
    else:
        text = f"Hedged with {under} futures (your choice). Clear the cell for automatic."
    if problem:
        text = f"{problem}: this holding stays unhedged.\n{text}"
    return text
