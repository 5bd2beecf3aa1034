"""The four figures above the hedge table: holdings value, weighted exposure, target, price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtWidgets import QHBoxLayout

from hedger.core.decimals import fmt_decimal
from hedger.core.models import Portfolio
from hedger.core.planner import UnderlyingPlan
from hedger.services.prices import fmt_age, futures_price_status, venue_of
from hedger.ui import format as fmt
from hedger.ui.widgets.cards import StatCard

# Tooltips list at most this many betas or coins; thousands would fill the screen.
MAX_TIP_LINES = 10
EXPOSURE_TIP = (
    "Beta-weighted exposure = Σ quantity × price × beta over the holdings hedged "
    "with this underlying. Beta is 1 for the coin itself; a cross-hedged altcoin "
    "counts beta times its value."
)
TARGET_TIP = (
    "Target = hedge ratio × beta-weighted exposure, or the USD amount you set: "
    "what the futures should offset."
)
PRICE_TIP = (
    "Futures price used for sizing: notional per contract = multiplier × this price. "
    "Defaults to the spot price of your holding; override it in the settings."
)


def _short_usd(value: Decimal) -> str:
    return f"{fmt.compact(value)} USD"


class SummaryCards:
    """Stat cards of one underlying's plan, in a row the panel places."""

    def __init__(self) -> None:
        self.value = StatCard("Holdings value", "Market value of the holdings hedged here")
        self.exposure = StatCard("Weighted exposure", EXPOSURE_TIP)
        self.target = StatCard("Hedge target", TARGET_TIP)
        self.price = StatCard("Futures price", PRICE_TIP)
        self.row = QHBoxLayout()
        self.row.setSpacing(8)
        for c in (self.value, self.exposure, self.target, self.price):
            self.row.addWidget(c)

    def show_plan(self, u: UnderlyingPlan, portfolio: Portfolio) -> None:
        self.value.set(
            fmt.usd(u.value_usd),
            f"{u.holdings} holding{'s' if u.holdings != 1 else ''}",
            short=_short_usd(u.value_usd),
        )
        assumed = u.assumed_beta_symbols
        # The planner keeps groups in first-seen order; shown sorted, and a
        # book of thousands of distinct betas must not make a screen-high tip.
        groups = sorted(u.beta_groups)
        if assumed:
            # A list of coins does not fit the card; the tooltip names them.
            beta_detail = (
                f"beta 1 assumed for {assumed[0]}"
                if len(assumed) == 1
                else f"beta 1 assumed for {len(assumed)} coins"
            )
        elif len(groups) == 1 and groups[0][0] == 1:
            beta_detail = "beta 1"
        else:
            beta_detail = "betas " + " · ".join(fmt_decimal(b) for b, _ in groups[:4])
            if len(groups) > 4:
                beta_detail += " …"
        shown = groups[:MAX_TIP_LINES]
        rest = len(groups) - len(shown)
        names = ", ".join(assumed[:MAX_TIP_LINES])
        if len(assumed) > MAX_TIP_LINES:
            names += f" and {len(assumed) - MAX_TIP_LINES} more"
        beta_tip = "\n".join(
            [
                EXPOSURE_TIP,
                *(f"beta {fmt_decimal(b)}: {fmt.usd(v)}" for b, v in shown),
                *([f"… and {rest} more betas"] if rest else []),
                *([f"beta 1 assumed for {names}"] if assumed else []),
            ]
        )
        self.exposure.set(
            fmt.usd(u.exposure_usd), beta_detail, beta_tip, short=_short_usd(u.exposure_usd)
        )
        side = "short" if u.side == "short" else "long"
        basis = "USD amount" if u.target_source == "usd" else f"{fmt.ratio_pct(u.ratio)} %"
        tip = TARGET_TIP
        if u.untargeted_usd > 0:
            left = fmt.usd(u.untargeted_usd)
            tip += f"\n\n{left} of the exposure is not targeted by {u.target_basis}."
        target = abs(u.target_usd)
        self.target.set(fmt.usd(target), f"{basis} · {side} futures", tip, short=_short_usd(target))
        self.show_price(u, portfolio)

    def show_price(self, u: UnderlyingPlan, portfolio: Portfolio) -> None:
        """The futures price and where it came from (its age moves on without edits)."""
        if u.futures_price is None:
            self.price.set(fmt.DASH, "missing: enter one", PRICE_TIP)
            return
        if u.futures_price_from_spot:
            self.price.set(fmt.price(u.futures_price), "from spot", PRICE_TIP)
            return
        now = datetime.now(UTC)
        status = futures_price_status(portfolio, u.underlying, now)
        check = u.futures_check
        if status is None:
            stale = check is not None and check.stale
            detail = "typed by you"
            if check is not None and check.typed_at is not None:
                detail = f"typed {fmt_age(now - check.typed_at)}"
            if stale:
                detail += " · stale"
            tip = PRICE_TIP
            if stale and check is not None:
                tip += "\n\n" + "\n".join(check.findings)
            self.price.set(fmt.price(u.futures_price), detail, tip, warn=stale)
            return
        detail = f"{fmt.shown(venue_of(status.source))} · {fmt_age(status.age)}"
        if status.stale:
            detail += " · stale"
        when = status.fetched_at.astimezone().strftime("%d %b %Y %H:%M")
        source = fmt.shown(status.source)
        tip = f"{PRICE_TIP}\n\nFetched from {source} at {when} ({fmt_age(status.age)})."
        if status.stale:
            tip += " It is stale: refresh prices (F5) or type the current quote."
        self.price.set(fmt.price(u.futures_price), detail, tip, warn=status.stale)
