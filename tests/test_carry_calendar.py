"""Contract calendars: expiry dates from the rules, holidays, rolls, venue labels.

The CME rule (data-endpoints.md C.1): last Friday of the month, moved to the
business day before when that Friday is not a business day in both London
(England & Wales bank holidays) and the US (NYSE and CME closures).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hedger.core.calendar import (
    CalendarError,
    builtin_calendars,
    effective_roll_days,
    expiries_from,
    expiries_in_year,
    expiry_in_month,
    parse_calendars,
    roll_date,
    roll_plan,
)
from hedger.core.catalog import builtin_catalog
from hedger.services.carry import contract_calendar

CAL = builtin_calendars()
CME = CAL.rule("cme-monthly")

MBT_2027 = [
    date(2027, 1, 29),
    date(2027, 2, 26),
    date(2027, 3, 25),  # Fri 26 Mar is Good Friday: London, NYSE and CME closed
    date(2027, 4, 30),
    date(2027, 5, 28),
    date(2027, 6, 25),
    date(2027, 7, 30),
    date(2027, 8, 27),  # the English bank holiday is Monday 30 Aug: no effect
    date(2027, 9, 24),
    date(2027, 10, 29),
    date(2027, 11, 26),  # day after Thanksgiving: an early close, still a business day
    date(2027, 12, 31),  # Sat 1 Jan 2028 is not observed on Fri 31 Dec by NYSE or CME
]


def test_mbt_expiries_2027_follow_the_rule_and_the_holidays() -> None:
    rule = CAL.for_contract("CME:MBT", "CME", "dated").rule
    assert rule is CME
    assert expiries_in_year(CME, 2027) == MBT_2027


def test_christmas_2026_moves_the_december_expiry_to_thursday() -> None:
    assert expiry_in_month(CME, 2026, 12) == date(2026, 12, 24)


def test_good_friday_2018_precedent() -> None:
    # CME's own calendar listed BTCH8's last trade on Thu 29 Mar 2018.
    assert expiry_in_month(CME, 2018, 3) == date(2018, 3, 29)


def test_every_cme_contract_shares_the_rule_and_names_its_index() -> None:
    for cid in ("CME:BTC", "CME:MBT", "CME:ETH", "CME:MET"):
        cal = CAL.for_contract(cid, "CME", "dated")
        assert cal.rule is CME
        assert cal.settlement_index is not None and "CME CF" in cal.settlement_index
    assert "BRRNY" in (CAL.for_contract("CME:BFF", "CME", "dated").settlement_index or "")


def test_binance_and_okx_quarterlies_ignore_holidays() -> None:
    rule = CAL.for_contract("BINANCE:BTCUSDT_270326", "BINANCE", "dated").rule
    assert rule is not None and rule.id == "binance-quarterly"
    assert expiries_in_year(rule, 2027) == [
        date(2027, 3, 26),  # Good Friday does not move it
        date(2027, 6, 25),
        date(2027, 9, 24),
        date(2027, 12, 31),
    ]
    assert expiries_from(CAL.rule("okx-quarterly"), date(2026, 12, 1), 1) == [date(2026, 12, 25)]


def test_bff_is_weekly_and_moves_off_good_friday() -> None:
    rule = CAL.rule("cme-weekly-friday")
    assert expiries_from(rule, date(2027, 3, 20), 3) == [
        date(2027, 3, 25),
        date(2027, 4, 2),
        date(2027, 4, 9),
    ]
    assert effective_roll_days(rule, 5) == 2  # a weekly contract cannot roll a week early


def test_roll_dates_skip_weekends_and_holidays() -> None:
    assert roll_date(CME, date(2027, 1, 29), 5) == date(2027, 1, 22)
    # 5 business days before Thu 25 Mar 2027, none of them closed.
    assert roll_date(CME, date(2027, 3, 25), 5) == date(2027, 3, 18)
    # Before Thu 2 Apr 2026: Good Friday 3 Apr is after, Easter Monday not in between.
    assert roll_date(CME, date(2027, 4, 30), 0) == date(2027, 4, 30)


def test_roll_plan_on_the_cme_calendar_for_a_given_start() -> None:
    plan = roll_plan(CME, date(2027, 1, 4), 90)
    assert plan.first_expiry == date(2027, 1, 29)
    assert [r.day for r in plan.rolls] == [date(2027, 1, 22), date(2027, 2, 19), date(2027, 3, 18)]
    assert plan.rolls[-1].to_expiry == date(2027, 4, 30)
    # Starting inside the January roll window opens February directly.
    late = roll_plan(CME, date(2027, 1, 25), 30)
    assert late.first_expiry == date(2027, 2, 26) and late.roll_count == 1
    # A roll on the horizon's last day is not made: the hedge closes then.
    assert roll_plan(CME, date(2027, 1, 4), 18).roll_count == 0
    assert roll_plan(CME, date(2027, 1, 4), 19).roll_count == 1


def test_user_roll_days_change_the_dates() -> None:
    plan = roll_plan(CME, date(2027, 1, 4), 90, roll_days=1)
    assert [r.day for r in plan.rolls] == [date(2027, 1, 28), date(2027, 2, 25), date(2027, 3, 24)]
    with pytest.raises(CalendarError):
        roll_plan(CME, date(2027, 1, 4), 90, roll_days=-1)


def test_perpetuals_and_examples_have_no_calendar_but_venues_have_labels() -> None:
    assert CAL.for_contract("BINANCE:BTCUSDT", "BINANCE", "perpetual").rule is None
    assert CAL.for_contract("GENERIC:BTC-STD", "GENERIC", "dated").rule is None
    assert CAL.venue("CME").label == "regulated"
    assert CAL.venue("coinbase").label == "regulated"
    assert {CAL.venue(v).label for v in ("BINANCE", "OKX", "BYBIT", "DERIBIT", "KRAKEN")} == {
        "offshore"
    }
    assert CAL.venue("MYBROKER").label == "unknown"


def test_every_catalog_venue_is_labelled_and_rules_cite_sources() -> None:
    for c in builtin_catalog().contracts.values():
        assert CAL.venue(c.venue).label != "unknown", c.venue
    for rule in CAL.rules.values():
        assert rule.source and rule.as_of


def test_broken_calendar_documents_are_refused() -> None:
    with pytest.raises(CalendarError):
        parse_calendars({"schema_version": 2})
    with pytest.raises(CalendarError, match="unknown rule"):
        parse_calendars(
            {"schema_version": 1, "rules": {}, "contracts": {"CME:MBT": {"rule": "nope"}}}
        )


def test_contract_calendar_rows_for_the_contracts_dialog() -> None:
    rows = {r.contract_id: r for r in contract_calendar(builtin_catalog(), today=date(2027, 1, 4))}
    mbt = rows["CME:MBT"]
    assert mbt.label == "regulated" and mbt.expiry == "dated"
    assert mbt.next_expiries == (date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 25))
    assert mbt.next_roll == date(2027, 1, 22) and mbt.roll_days == 5
    assert "last Friday" in mbt.rule_text and mbt.cutoff == "16:00 Europe/London"
    perp = rows["BINANCE:BTCUSDT"]
    assert perp.label == "offshore" and perp.next_expiries == ()
    assert perp.funding_text is not None and "hedger funding download" in perp.funding_text


# --------------------------------------------------------------------------- range of dates


@pytest.mark.parametrize("rule_id", sorted(CAL.rules))
def test_every_rule_works_to_the_end_of_the_calendars_and_refuses_past_it(rule_id: str) -> None:
    from datetime import timedelta

    from hedger.core.calendar import FIRST_DAY, LAST_DAY

    rule = CAL.rule(rule_id)
    # A horizon ending on the last day still finds the contracts it holds.
    plan = roll_plan(rule, LAST_DAY - timedelta(days=3650), 3650)
    assert plan.end == LAST_DAY and plan.first_expiry > LAST_DAY - timedelta(days=3650)
    assert expiries_from(rule, LAST_DAY, 3)
    assert roll_plan(rule, FIRST_DAY, 90).first_expiry >= FIRST_DAY
    # Past the range: CalendarError with the reason, never OverflowError or "year 10000".
    for start, days in [
        (date(9999, 12, 31), 1),
        (date(9990, 1, 1), 3650),
        (date(9999, 9, 1), 1),
        (LAST_DAY, 1),
        (date(1, 1, 1), 90),
    ]:
        with pytest.raises(CalendarError, match="calendars"):
            roll_plan(rule, start, days)
    with pytest.raises(CalendarError, match="outside the calendars' range"):
        expiries_from(rule, date(9999, 12, 1), 3)


@pytest.mark.parametrize(
    ("start", "days", "words"),
    [
        ("9999-12-31", "90", "outside the calendars' range"),
        ("9990-01-01", "3650", "outside the calendars' range"),
        ("9999-09-01", "1", "outside the calendars' range"),
        ("0001-01-01", "90", "outside the calendars' range"),
        ("2199-12-01", "90", "the horizon must end by 2199-12-31"),
    ],
)
def test_carry_with_a_start_past_the_calendars_exits_2_with_one_line(
    data_dir: Path, start: str, days: str, words: str
) -> None:
    from safety_helpers import run_hedger

    sample = Path(__file__).resolve().parent.parent / "resources" / "samples" / "core-stack.json"
    run = run_hedger(["carry", str(sample), "--start", start, "--days", days], data_dir)
    assert run.code == 2, run.err
    assert len(run.err.splitlines()) == 1 and words in run.err
