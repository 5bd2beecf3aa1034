"""Texts of the scenario chart: the readout line and the legend labels.

The readout gives the values at the hovered move (or today): the first parts
(the move, the price, unhedged and the shown option) always show; the other
options follow while they fit, and everything is in the tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from PySide6.QtGui import QColor, QFont, QFontMetrics

from hedger.core.planner import UnderlyingPlan
from hedger.core.scenarios import Scenario
from hedger.ui import format as fmt
from hedger.ui.hedge.options_model import contracts_text

# Longer contract descriptions are cut to counts in the legend ("3 + 3").
LEGEND_CONTRACTS_CHARS = 14

Part = tuple[str, str]  # (rich text, plain text for measuring)


def values_at(
    s: Scenario, shown: str | None, move: float, today: float | None = None
) -> dict[str, float]:
    """Interpolated values at a move (fraction).

    ``hedged`` is the option shown in the chart (the one selected in the
    comparison table, else the recommended one); ``difference`` is its gain
    over unhedged. ``price`` is the underlying's price at the move: ``today``
    moved by it (the price axis's), else the futures price of the scenario.
    """
    unhedged = float(np.interp(move, s.moves, s.unhedged))
    curve = s.options[shown].value if shown else s.unhedged
    hedged = float(np.interp(move, s.moves, curve))
    price = today * (1.0 + move) if today else float(np.interp(move, s.moves, s.prices))
    return {
        "move": move,
        "price": price,
        "unhedged": unhedged,
        "hedged": hedged,
        "difference": hedged - unhedged,
    }


def options_at(s: Scenario, shown: str | None, move: float) -> dict[str, float]:
    """Value hedged by every option at a move, the shown one first."""
    names = sorted(s.options, key=lambda n: (n != shown, n != s.recommended))
    return {n: float(np.interp(move, s.moves, s.options[n].value)) for n in names}


def tier_label(name: str, u: UnderlyingPlan | None) -> str:
    """Legend label of an option: ``Mix · 5 × MBT``, counts only when that is long."""
    opt = u.option(name) if u is not None else None
    title = name[:1].upper() + name[1:]
    if opt is None:
        return title
    text = contracts_text(opt)
    if len(text) > LEGEND_CONTRACTS_CHARS:
        # Long contract symbols would force a one-column legend; the
        # comparison table spells the legs out.
        legs = [leg for leg in opt.legs if leg.contracts]
        text = " + ".join(fmt.contracts(leg.contracts) for leg in legs) or "0"
    return f"{title} · {text}"


def hedged_label(u: UnderlyingPlan | None, rec: str | None) -> str:
    if rec is None:
        return "Hedged"
    # ★ marks the recommended option, as in the comparison table. With futures
    # held, the curve is still the hedge opened from zero: say so.
    held = u is not None and u.position_gap is not None and bool(u.position_gap.held)
    option = u.option(rec) if u is not None else None
    star = "" if option is not None and not option.orders else " ★"  # nothing traded: no star
    return f"{tier_label(rec, u)}{star}" + (" from zero" if held else "")


def held_liquidation(u: UnderlyingPlan | None) -> tuple[float | None, Decimal | None, str] | None:
    """(move, price, label) at which the futures held on the plan's family are
    closed, once the order card's orders are placed (none: as held now); move and
    price None when they cannot be; None when nothing is held on the family."""
    gap = u.position_gap if u is not None else None
    if gap is None or not gap.held:
        return None
    label = "After the orders: liquidation" if gap.orders else "Held: liquidation"
    price = gap.liquidation_price
    if price is None or gap.futures_price <= 0:
        return None, None, label
    return float(price / gap.futures_price - 1), price, label


def liquidation_texts(move: float, price: float, held: str, spot: float) -> tuple[str, str]:
    """The liquidation line's label, full and short (``held``: a held position's name)."""
    what, brief = (held, held.split(":")[0] + " liq.") if held else ("Liquidation", "Liq.")
    # The price is the futures'; the axis above is the holding's. Apart
    # (a typed or stale futures price), the label says whose price it is.
    apart = spot > 0 and abs(price / (spot * (1.0 + move)) - 1.0) > 0.005
    at = f"futures {fmt.price(round(price))}" if apart else fmt.price(round(price))
    return f"{what} {fmt.signed_pct(move * 100)} ({at})", f"{brief} {fmt.signed_pct(move * 100)}"


def current_price(s: Scenario, u: UnderlyingPlan | None) -> float:
    """Today's price of the underlying: its spot price in the holdings, else the
    plan's futures price, else back from the moves."""
    if u is not None and u.spot_price is not None:
        return float(u.spot_price)
    if u is not None and u.futures_price is not None:
        return float(u.futures_price)
    if not len(s.moves):
        return 0.0
    i = int(np.argmax(np.abs(1.0 + s.moves)))
    factor = 1.0 + float(s.moves[i])
    return float(s.prices[i]) / factor if factor else 0.0


def short_option_name(s: Scenario | None, name: str) -> str:
    title = name[:1].upper() + name[1:]
    return f"{title} ★" if s is not None and name == s.recommended else title


def readout_text(
    s: Scenario,
    values: dict[str, float],
    options: dict[str, float],
    *,
    shown: str | None,
    hovering: bool,
    offset: float,
    unhedged_color: QColor,
    color_of: Callable[[str], QColor],
    short_name: Callable[[str], str],
    font: QFont,
    room: int,
) -> tuple[str, str]:
    """(rich text that fits ``room`` pixels in ``font``, plain tooltip with every value)."""
    places = fmt.money_places(max(abs(values["unhedged"]), abs(values["hedged"])))

    def money(v: float) -> str:
        return fmt.signed_money(v - offset, places) if offset else fmt.money(v, places)

    def dot(color: QColor) -> str:
        return f"<span style='color:{color.name()}'>●</span>"

    lead = fmt.signed_pct(values["move"] * 100) if hovering else "Now"
    # (html, plain text for measuring); the first ones always show.
    parts: list[tuple[str, str]] = [
        (f"<b>{html.escape(lead)}</b>", lead),
        (
            f"{html.escape(s.underlying)} {fmt.price(round(values['price'], 2))}",
            f"{s.underlying} {fmt.price(round(values['price'], 2))}",
        ),
        (
            f"{dot(unhedged_color)} Unhedged {money(values['unhedged'])}",
            f"● Unhedged {money(values['unhedged'])}",
        ),
    ]
    if shown:
        label = short_name(shown)
        value = money(values["hedged"])
        # Today hedged and unhedged are worth the same: the gain only
        # means something at a move.
        gain = f" ({fmt.signed_money(values['difference'], places)})" if hovering else ""
        parts.append(
            (
                f"{dot(color_of(shown))} <b>{html.escape(label)} {value}</b>{gain}",
                f"● {label} {value}{gain}",
            )
        )
    extras = [
        (
            f"{dot(color_of(n))} {html.escape(short_name(n))} {money(v)}",
            f"● {short_name(n)} {money(v)}",
        )
        for n, v in options.items()
        if n != shown
    ]
    tip = "\n".join([p for _, p in parts] + [p for _, p in extras])
    without_gain: Part | None = None
    if shown and hovering:
        label = short_name(shown)
        value = money(values["hedged"])
        without_gain = (
            f"{dot(color_of(shown))} <b>{html.escape(label)} {value}</b>",
            f"● {label} {value}",
        )
    # Whatever did not fit is one hover away (the tooltip).
    return _fit(parts, extras, without_gain, font, room, keep_price=hovering), tip


def _fit(
    parts: list[Part],
    extras: list[Part],
    without_gain: Part | None,
    font: QFont,
    room: int,
    *,
    keep_price: bool = False,
) -> str:
    """The parts that fit ``room``: a narrow chart drops the gain, then (unless the
    cursor asks for it) the price, never values."""
    sep_html, sep_plain = " &nbsp;·&nbsp; ", "  ·  "
    fm = QFontMetrics(font)
    bold = QFont(font)
    bold.setBold(True)
    fm_bold = QFontMetrics(bold)

    def width_of(items: list[Part]) -> int:
        # Bold parts (lead, shown option) measured bold: a little generous.
        return fm_bold.horizontalAdvance(sep_plain.join(p for _, p in items))

    if width_of(parts) > room and without_gain is not None:
        parts[-1] = without_gain
    if width_of(parts) > room and len(parts) > 3 and not keep_price:
        del parts[1]
    used = width_of(parts)
    shown_parts = list(parts)
    for extra in extras:
        width = fm.horizontalAdvance(sep_plain + extra[1])
        if used + width > room:
            break
        shown_parts.append(extra)
        used += width
    return sep_html.join(h for h, _ in shown_parts)
