"""Does a held hedge need action? The findings of ``hedger check`` and the library badges.

Four rules, each set per portfolio (``Portfolio.drift``, defaults in
``hedger.core.models``):

* **band**: the hedge held is outside ``± band_pct`` of the target (or
  ``± band_usd``) *and* an order would bring it closer (a target smaller than
  one contract is not a finding: nothing can be done about it);
* **liquidation**: a held position is liquidated within ``liquidation_within``
  of today's futures price (with the collateral it says is posted, else the
  margin at its entry at the portfolio's leverage);
* **expiry**: a dated contract expires within ``expiry_days`` (its own expiry
  date, else the contract's next one from the calendar);
* **prices**: a fetched price (or a typed futures price) is older than
  ``price_max_age_hours``. Prices typed into the holdings carry no time and
  are not judged.

Plan problems (no price, an unknown family) and positions on contracts the
catalog does not know are findings too: the check cannot vouch for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.held_positions import position_liquidation as held_liquidation
from hedger.core.models import DriftRules, Portfolio, Position
from hedger.core.position_gap import PositionGap

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract
    from hedger.core.planner import Plan, UnderlyingPlan

FindingKind = Literal["band", "liquidation", "expiry", "prices", "problem"]
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# The next expiry of a dated contract, from its calendar (None: unknown).
ExpiryOf = Callable[["Contract", date], date | None]


class Finding(NamedTuple):
    kind: FindingKind
    underlying: str | None
    text: str

    @property
    def line(self) -> str:
        return f"{self.underlying}: {self.text}" if self.underlying else self.text


def band_usd(rules: DriftRules, target_usd: Decimal) -> Decimal:
    """The tolerance around a target of ``target_usd`` (a magnitude)."""
    return rules.band_usd if rules.band_usd is not None else rules.band_pct * abs(target_usd)


def band_text(rules: DriftRules) -> str:
    if rules.band_usd is not None:
        return f"± {fmt_money(rules.band_usd, 0)} USD"
    return f"± {fmt_decimal(rules.band_pct * HUNDRED, 1)} %"


def drift_findings(
    portfolio: Portfolio,
    plan: Plan,
    catalog: Catalog,
    now: datetime,
    expiry_of: ExpiryOf | None = None,
) -> list[Finding]:
    """Everything about ``portfolio``'s held hedge that needs action, in a stable order."""
    rules = portfolio.drift
    out: list[Finding] = []
    for u in plan.underlyings:
        if u.problem:
            out.append(Finding("problem", u.underlying, u.problem))
            continue
        out.extend(_band(u, rules))
        gap = u.position_gap
        if gap is not None and u.futures_price is not None:
            out.extend(_liquidations(u, gap, portfolio, rules))
    today = now.date()
    for pos in portfolio.positions:
        c = catalog.contracts.get(pos.contract)
        if c is None:
            out.append(
                Finding(
                    "problem",
                    None,
                    f"position on {pos.contract}: not in the contract catalog, so it is not "
                    "counted; add the contract or remove the position",
                )
            )
        elif c.expiry == "dated":
            out.extend(_expiry(pos, c, today, rules, expiry_of))
    out.extend(_stale_prices(portfolio, plan, now, rules))
    return out


def _band(u: UnderlyingPlan, rules: DriftRules) -> list[Finding]:
    gap = u.position_gap
    target = abs(u.target_usd)
    if gap is None:
        opt = u.recommended_option
        if opt is None or not opt.trades:
            return []
        return [
            Finding(
                "band",
                u.underlying,
                f"no futures position held; the target is {fmt_money(target, 0)} USD "
                f"({band_text(rules)}): {opt.order_text(u.leverage).split(' — ')[0]}",
            )
        ]
    if not gap.orders:
        return []
    held = gap.current_hedged_usd
    off = held - target
    if abs(off) <= band_usd(rules, target):
        return []
    if target:
        how = f"{fmt_decimal(abs(off) / target * HUNDRED, 1)} % {'over' if off > 0 else 'under'}"
    else:
        how = f"{fmt_money(abs(off), 0)} USD {'over' if off > 0 else 'under'}"
    return [
        Finding(
            "band",
            u.underlying,
            f"hedge {fmt_money(held, 0)} USD is {how} the {fmt_money(target, 0)} USD target "
            f"(band {band_text(rules)}): {gap.order_words}",
        )
    ]


def position_liquidation(
    pos: Position,
    contract: Contract,
    leverage: Decimal,
    portfolio: Portfolio,
) -> Decimal | None:
    """Where one held position is liquidated, with the collateral it says is posted
    (else the margin at its entry at ``leverage``); None if it cannot be. The plan's
    position card shows the same figure (``hedger.core.held_positions``)."""
    outcome = held_liquidation(pos, contract, leverage, portfolio.hedge.account)
    return None if outcome is None else outcome.price


def _liquidations(
    u: UnderlyingPlan, gap: PositionGap, portfolio: Portfolio, rules: DriftRules
) -> list[Finding]:
    price = u.futures_price
    assert price is not None
    out: list[Finding] = []
    for line in (*gap.held, *gap.other):
        c = line.contract
        if c is None:
            continue
        liq = position_liquidation(line.position, c, u.leverage, portfolio)
        if liq is None:
            continue
        short = line.position.quantity < 0
        room = (liq - price) / price if short else (price - liq) / price
        if room > rules.liquidation_within:
            continue
        where = "above" if short else "below"
        if room <= 0:
            text = f"{line.label} is past its liquidation price {fmt_money(liq, 0)}"
        else:
            text = (
                f"{line.label} is liquidated near {fmt_money(liq, 0)}, only "
                f"{fmt_decimal(room * HUNDRED, 1)} % {where} the futures price "
                f"{fmt_money(price, 0)} (alert within "
                f"{fmt_decimal(rules.liquidation_within * HUNDRED, 1)} %): add collateral or reduce"
            )
        out.append(Finding("liquidation", u.underlying, text))
    return out


def _expiry(
    pos: Position,
    c: Contract,
    today: date,
    rules: DriftRules,
    expiry_of: ExpiryOf | None,
) -> list[Finding]:
    expiry = pos.expiry
    assumed = expiry is None
    if expiry is None and expiry_of is not None:
        expiry = expiry_of(c, today)
    if expiry is None:
        return []
    days = (expiry - today).days
    held = f"{'short' if pos.quantity < 0 else 'long'} {fmt_decimal(abs(pos.quantity))}"
    if days < 0:
        text = f"{c.short_label} ({held}) expired on {expiry.isoformat()}: update the position"
    elif days <= rules.expiry_days:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        front = " (the front month; set the position's expiry if it is another)" if assumed else ""
        text = (
            f"{c.short_label} ({held}) expires {expiry.isoformat()}, {when}{front}: "
            "roll or close it"
        )
    else:
        return []
    return [Finding("expiry", c.underlying, text)]


def _stale_prices(
    portfolio: Portfolio, plan: Plan, now: datetime, rules: DriftRules
) -> list[Finding]:
    limit = timedelta(hours=rules.price_max_age_hours)
    wanted = {h.symbol for h in portfolio.holdings if not h.is_stablecoin}
    unders = {u.underlying for u in plan.underlyings}
    old: list[str] = []
    for key, q in portfolio.quotes.items():
        futures = key.startswith("FUT:")
        name = key[4:] if futures else key
        if name not in (unders if futures else wanted):
            continue
        age = now - q.fetched_at
        if age > limit:
            old.append(f"{name}{' futures' if futures else ''} ({_hours(age)})")
    for under, stamp in portfolio.hedge.futures_price_stamps.items():
        if under in unders and now - stamp.typed_at > limit:
            old.append(f"{under} futures, typed ({_hours(now - stamp.typed_at)})")
    if not old:
        return []
    text = (
        f"prices older than {rules.price_max_age_hours} h: {', '.join(_first(old))}; "
        "refresh them (hedger prices refresh FILE)"
    )
    return [Finding("prices", None, text)]


def _first(items: Iterable[str], n: int = 6) -> list[str]:
    items = list(items)
    return items if len(items) <= n else [*items[:n], f"{len(items) - n} more"]


def _hours(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"
