"""Contract calendars: when dated futures expire, when a hedge rolls, and what a venue is.

The rules are data (``resources/calendars.json``): per rule a cycle
(monthly, quarterly, weekly), the months it lists, the holiday calendars
whose closed days move an expiry, the cut-off time and the default roll
distance; per contract its rule and settlement index; per venue the
"regulated" / "offshore" label. The label is a venue fact, but the carry
comparison in core needs it and core cannot read the venue modules, so it
lives here beside the calendars (and the services expose it to the GUI).

CME BTC, MBT, ETH and MET expire on the last Friday of the contract month.
If that day is not a business day in both London and the US, they expire on
the business day before that is. "London" is England and Wales
(``holidays.country_holidays('GB', subdiv='ENG')``: without ``subdiv`` Easter
Monday and the August bank holiday are missing); "US" is a day both NYSE and
CME are open (``holidays.financial_holidays('NYSE')`` and ``('CME')``), not
the federal calendar, which moves a Saturday New Year's Day to the Friday
before (31 Dec 2027) although the exchanges open that day. Weekly and
quarterly rules work the same way with their own calendars (none for the
24/7 crypto venues).

A hedge rolls ``roll_days`` business days before expiry (weekends and the
rule's holidays skipped; every day counts on a 24/7 venue): it closes the
expiring contract and opens the next one, paying fees on both legs.

The ``holidays`` package is imported on first use (it loads every country's
rules, about a quarter of a second), and each year's closed days are kept.
"""

from __future__ import annotations

import calendar as _cal
import json
import threading
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple

from hedger.core.resources import resource_path

Cycle = Literal["monthly", "quarterly", "weekly"]
VenueLabel = Literal["regulated", "offshore", "example", "unknown"]
CALENDARS_SCHEMA_VERSION = 1
DEFAULT_ROLL_DAYS = 5
MAX_ROLL_DAYS = 30
FRIDAY = 4
# Far enough for any horizon Hedger offers (a few years), short enough that a
# broken rule cannot loop for long.
_MAX_STEPS = 400
#: The days a start or a horizon may fall on. Holiday rules mean nothing
#: centuries away, and past year 9999 ``date`` overflows.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
# Expiries are listed this far past LAST_DAY, so a horizon ending on it still
# finds the contract it would roll into.
_LOOK_AHEAD_YEARS = 2


class CalendarError(ValueError):
    """A calendar rule that cannot be used; the message is one line."""


class ExpiryRule(NamedTuple):
    id: str
    text: str  # the rule in words
    cycle: Cycle
    months: tuple[int, ...]  # listed months (monthly/quarterly)
    holidays: tuple[str, ...]  # calendars whose closed days move an expiry
    cutoff: str  # "16:00 Europe/London"
    roll_days: int  # default distance of a roll before expiry, in business days
    max_roll_days: int
    listing: str
    source: str
    as_of: str


class VenueInfo(NamedTuple):
    code: str
    label: VenueLabel
    text: str
    source: str
    as_of: str


class ContractCalendar(NamedTuple):
    """What the calendar says about one contract."""

    contract_id: str
    rule: ExpiryRule | None  # None: perpetual, example, or no rule known
    settlement_index: str | None


class Calendars:
    """The rules, the contracts they apply to and the venue labels."""

    def __init__(
        self,
        rules: Mapping[str, ExpiryRule],
        contracts: Mapping[str, tuple[str, str | None]],
        venue_rules: Mapping[str, str],
        venues: Mapping[str, VenueInfo],
    ) -> None:
        for cid, (rule_id, _index) in contracts.items():
            if rule_id not in rules:
                raise CalendarError(f"calendar of {cid}: unknown rule {rule_id!r}")
        for code, rule_id in venue_rules.items():
            if rule_id not in rules:
                raise CalendarError(f"venue {code}: unknown rule {rule_id!r}")
        self.rules = dict(rules)
        self._contracts = dict(contracts)
        self._venue_rules = {k.upper(): v for k, v in venue_rules.items()}
        self.venues = {k.upper(): v for k, v in venues.items()}

    def rule(self, rule_id: str) -> ExpiryRule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise CalendarError(f"unknown expiry rule {rule_id!r}") from None

    def for_contract(self, contract_id: str, venue: str, expiry: str) -> ContractCalendar:
        """The contract's own rule, else its venue's rule for dated contracts, else none."""
        if expiry != "dated":
            return ContractCalendar(contract_id, None, None)
        own = self._contracts.get(contract_id)
        if own is not None:
            return ContractCalendar(contract_id, self.rules[own[0]], own[1])
        rule_id = self._venue_rules.get(venue.upper())
        return ContractCalendar(contract_id, self.rules[rule_id] if rule_id else None, None)

    def venue(self, code: str) -> VenueInfo:
        found = self.venues.get(code.upper())
        if found is not None:
            return found
        return VenueInfo(code, "unknown", "venue not classified", "", "")


# --------------------------------------------------------------------------- loading


def parse_calendars(doc: Any) -> Calendars:
    """Calendars from the JSON document; CalendarError when it is inconsistent."""
    if not isinstance(doc, dict) or doc.get("schema_version") != CALENDARS_SCHEMA_VERSION:
        raise CalendarError("calendars: not a version-1 calendar file")
    try:
        rules = {rid: _rule(rid, raw) for rid, raw in doc["rules"].items()}
        contracts = {
            cid: (str(raw["rule"]), raw.get("settlement_index"))
            for cid, raw in doc.get("contracts", {}).items()
        }
        venues = {
            code: VenueInfo(code, raw["label"], raw["text"], raw["source"], raw["as_of"])
            for code, raw in doc.get("venues", {}).items()
        }
        return Calendars(rules, contracts, dict(doc.get("venue_rules", {})), venues)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CalendarError(f"calendars: missing or wrong field ({exc})") from None


def _rule(rule_id: str, raw: Mapping[str, Any]) -> ExpiryRule:
    cycle = raw["cycle"]
    months = tuple(int(m) for m in raw.get("months", ()))
    if cycle not in ("monthly", "quarterly", "weekly"):
        raise CalendarError(f"rule {rule_id}: unknown cycle {cycle!r}")
    if cycle != "weekly" and (not months or any(not 1 <= m <= 12 for m in months)):
        raise CalendarError(f"rule {rule_id}: months must be 1 to 12")
    roll = int(raw.get("roll_days", DEFAULT_ROLL_DAYS))
    return ExpiryRule(
        id=rule_id,
        text=str(raw["text"]),
        cycle=cycle,
        months=months,
        holidays=tuple(str(h) for h in raw.get("holidays", ())),
        cutoff=str(raw.get("cutoff", "")),
        roll_days=roll,
        max_roll_days=int(raw.get("max_roll_days", MAX_ROLL_DAYS)),
        listing=str(raw.get("listing", "")),
        source=str(raw["source"]),
        as_of=str(raw["as_of"]),
    )


_builtin: Calendars | None = None
_builtin_lock = threading.Lock()


def builtin_calendars() -> Calendars:
    """The shipped calendars (cached; they are immutable)."""
    global _builtin
    with _builtin_lock:
        if _builtin is None:
            with open(resource_path("calendars.json"), encoding="utf-8") as fh:
                _builtin = parse_calendars(json.load(fh))
        return _builtin


# --------------------------------------------------------------------------- holidays

_closed: dict[tuple[str, int], frozenset[date]] = {}
_closed_lock = threading.Lock()
HOLIDAY_CALENDARS = ("GB-ENG", "XNYS", "XCME")


def closed_days(calendar_name: str, year: int) -> frozenset[date]:
    """Days the calendar is closed in ``year`` (weekends not included)."""
    key = (calendar_name, year)
    with _closed_lock:
        found = _closed.get(key)
    if found is not None:
        return found
    days = frozenset(_holiday_dates(calendar_name, year))
    with _closed_lock:
        _closed[key] = days
    return days


def _holiday_dates(calendar_name: str, year: int) -> Iterable[date]:
    import holidays  # the first import loads every country's rules: only here

    if calendar_name == "GB-ENG":
        return holidays.country_holidays("GB", subdiv="ENG", years=year).keys()
    if calendar_name in ("XNYS", "XCME"):  # NYSE and CME, by their market codes
        return holidays.financial_holidays(calendar_name, years=year).keys()
    raise CalendarError(f"unknown holiday calendar {calendar_name!r}")


def is_business_day(rule: ExpiryRule, day: date) -> bool:
    """Open on ``rule``'s calendars: every day on a 24/7 venue, else weekdays not closed."""
    if not rule.holidays:
        return True
    if day.weekday() >= 5:
        return False
    return not any(day in closed_days(name, day.year) for name in rule.holidays)


def _previous_business_day(rule: ExpiryRule, day: date) -> date:
    for _ in range(_MAX_STEPS):
        if is_business_day(rule, day):
            return day
        day -= timedelta(days=1)
    raise CalendarError(f"rule {rule.id}: no business day before {day}")  # pragma: no cover


# --------------------------------------------------------------------------- expiries


def last_weekday(year: int, month: int, weekday: int = FRIDAY) -> date:
    last = date(year, month, _cal.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def expiry_in_month(rule: ExpiryRule, year: int, month: int) -> date:
    """The expiry of the contract month (monthly and quarterly rules)."""
    if rule.cycle == "weekly":
        raise CalendarError(f"rule {rule.id} lists weekly contracts, not months")
    return _previous_business_day(rule, last_weekday(year, month))


def check_day(day: date, what: str = "the date") -> date:
    """``day`` if the calendars can work it out, else CalendarError.

    Holiday rules mean nothing centuries away, and a year past 9999 does not
    exist (``date`` overflows): bounding the day here keeps every expiry,
    roll and horizon computed from it inside the range.
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CalendarError(
            f"{what} {day.isoformat()} is outside the calendars' range "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
        )
    return day


def expiries_from(rule: ExpiryRule, start: date, count: int) -> list[date]:
    """The first ``count`` expiries on or after ``start`` (``start`` within the calendars)."""
    check_day(start, "the start")
    out: list[date] = []
    if rule.cycle == "weekly":
        friday = start + timedelta(days=(FRIDAY - start.weekday()) % 7)
        for _ in range(_MAX_STEPS):
            day = _previous_business_day(rule, friday)
            if day >= start:
                out.append(day)
                if len(out) == count:
                    return out
            friday += timedelta(days=7)
            if friday.year > LAST_DAY.year + _LOOK_AHEAD_YEARS:
                break
        return out
    year, month = start.year, start.month
    for _ in range(_MAX_STEPS):
        if month in rule.months:
            day = expiry_in_month(rule, year, month)
            if day >= start:
                out.append(day)
                if len(out) == count:
                    return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if year > LAST_DAY.year + _LOOK_AHEAD_YEARS:
            break
    return out


def expiries_in_year(rule: ExpiryRule, year: int) -> list[date]:
    days = expiries_from(rule, date(year, 1, 1), 60)
    return [d for d in days if d.year == year]


def effective_roll_days(rule: ExpiryRule, roll_days: int | None) -> int:
    """The user's roll distance (the rule's default when None), within the rule's limit."""
    wanted = rule.roll_days if roll_days is None else roll_days
    if wanted < 0:
        raise CalendarError("roll days must not be negative")
    return min(wanted, rule.max_roll_days)


def roll_date(rule: ExpiryRule, expiry: date, roll_days: int) -> date:
    """``roll_days`` business days before ``expiry`` (the expiry itself for 0)."""
    day = expiry
    for _ in range(roll_days):
        day = _previous_business_day(rule, day - timedelta(days=1))
    return day


class Roll(NamedTuple):
    day: date
    from_expiry: date
    to_expiry: date


class RollPlan(NamedTuple):
    """The contracts a hedge holds from ``start`` for ``days`` days, and its rolls."""

    rule: ExpiryRule
    start: date
    end: date
    roll_days: int
    first_expiry: date  # the contract opened at the start
    rolls: tuple[Roll, ...]

    @property
    def roll_count(self) -> int:
        return len(self.rolls)


def roll_plan(rule: ExpiryRule, start: date, days: int, roll_days: int | None = None) -> RollPlan:
    """Which contract to open at ``start`` and the rolls before ``start + days``.

    The contract opened is the first whose roll date is after ``start`` (one
    inside its roll window is skipped for the next). A roll on or after the
    end is not made: the hedge is closed then anyway.
    """
    if days < 0:
        raise CalendarError("the horizon must not be negative")
    check_day(start, "the start")
    if days > (LAST_DAY - start).days:
        raise CalendarError(f"the horizon ends after {LAST_DAY.isoformat()}, past the calendars")
    n = effective_roll_days(rule, roll_days)
    end = start + timedelta(days=days)
    rolls: list[Roll] = []
    current: date | None = None
    cursor = start
    for _ in range(_MAX_STEPS):
        batch = expiries_from(rule, cursor, 12) if cursor <= LAST_DAY else []
        if not batch:  # pragma: no cover - every rule lists something within 12 steps
            raise CalendarError(f"rule {rule.id}: no expiry after {cursor}")
        for expiry in batch:
            roll = roll_date(rule, expiry, n)
            if current is None:
                if roll > start:
                    current = expiry
                continue
            if expiry <= current:
                continue
            previous_roll = roll_date(rule, current, n)
            if previous_roll >= end:
                return RollPlan(rule, start, end, n, _first(current, rolls), tuple(rolls))
            rolls.append(Roll(previous_roll, current, expiry))
            current = expiry
        cursor = batch[-1] + timedelta(days=1)
    raise CalendarError(f"rule {rule.id}: too many rolls")  # pragma: no cover


def _first(current: date, rolls: list[Roll]) -> date:
    return rolls[0].from_expiry if rolls else current
