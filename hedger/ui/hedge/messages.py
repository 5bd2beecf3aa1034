"""The warnings the hedge panel lists under the order, in words.

What the order ticket, the margin card and the futures-price bar already
say (a venue's margin rule, a near liquidation, an order the venue would
refuse, a stale futures price) is not repeated here.
"""

from __future__ import annotations

from hedger.core.planner import HedgeOption, UnderlyingPlan
from hedger.ui.widgets.message_list import Severity


def messages_for(u: UnderlyingPlan, option: HedgeOption | None) -> list[tuple[Severity, str]]:
    """The warnings under the order: the plan's and the shown option's, each once."""
    # What the ticket, the margin card and the price bar already say is not repeated.
    shown: set[str] = set(u.futures_check.findings if u.futures_check else ())
    if option is not None:
        if option.margin is not None and option.margin.rule == "venue":
            shown.add(option.margin.words)
        # The margin card shows a near liquidation in amber, with these words.
        shown.update(w for w in option.warnings if w.startswith("Liquidation near"))
        problems = [p for t in option.orders for p in t.problems]
        shown.update(w for w in option.warnings if any(p in w for p in problems))
    out: list[tuple[Severity, str]] = []
    if u.problem:
        out.append(("error", _sentence(u.problem)))
    notes = u.family.notes if u.family is not None else None
    for w in u.warnings:
        out.append(("info" if w == notes else "warning", w))
    if option is not None:
        out.extend(("warning", w) for w in option.warnings)
    seen: set[str] = set(shown)
    unique: list[tuple[Severity, str]] = []
    for sev, text in out:
        if text not in seen:
            seen.add(text)
            unique.append((sev, text))
    return unique


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
