"""Carry cost by hand: funding, basis, rolls and fees (domain.md example 15)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hedger.core.calendar import builtin_calendars
from hedger.core.carry import (
    CarryInputs,
    CarrySettings,
    annualised_basis,
    basis_from_prices,
    option_carry,
)
from hedger.core.catalog import builtin_catalog
from hedger.core.funding import (
    FundingError,
    FundingHistory,
    checked_rows,
    expected_funding,
    funding_stats,
)
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import build_options, plan_portfolio
from hedger.services.carry import CarryRequest, carry_for_plan, compare_venues
from hedger.store.funding import FundingStore

H = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC
CATALOG = builtin_catalog()
ROOT = Path(__file__).resolve().parent.parent


def flat(cid: str, rate: str, n: int = 1200, step: int = 8 * H) -> FundingHistory:
    return FundingHistory(cid, tuple(T0 + i * step for i in range(n)), (Decimal(rate),) * n)


def test_example_15_funding_945_usd_received() -> None:
    stats = funding_stats(flat("BINANCE:BTCUSDT", "0.0001"))
    assert stats is not None and stats.rate_8h == Decimal("0.0001")
    # 35,000 × 0.0001 × 270 intervals = 945 USD received by a short.
    assert expected_funding(Decimal(35000), stats.hourly_avg, 90) == Decimal(945)
    assert expected_funding(Decimal(35000), stats.hourly_avg, 90, "long") == Decimal(-945)


def test_example_15_basis_2_percent_60_days_is_12_17_annualised() -> None:
    annual = annualised_basis(Decimal("0.02"), 60)
    assert round(annual * 100, 2) == Decimal("12.17")
    assert basis_from_prices(Decimal(71400), Decimal(70000)) == Decimal("0.02")


def test_hourly_and_4h_intervals_normalise_to_the_same_8h_rate() -> None:
    hourly = funding_stats(flat("DERIBIT:BTC-PERPETUAL", "0.0000125", 2000, H))
    four = funding_stats(flat("BINANCE:BTCUSDT", "0.00005", 2000, 4 * H))
    assert hourly is not None and four is not None
    assert hourly.rate_8h == four.rate_8h == Decimal("0.0001")
    assert hourly.interval_hours == 1 and four.interval_hours == 4


def test_range_uses_the_lowest_and_highest_30_day_average_of_the_year() -> None:
    # 400 days: the first 200 at 0.03 %/8 h, then 0.01 %/8 h.
    n = 1200
    rates = tuple(Decimal("0.0003") if i < 600 else Decimal("0.0001") for i in range(n))
    h = FundingHistory("X:Y", tuple(T0 + i * 8 * H for i in range(n)), rates)
    stats = funding_stats(h)
    assert stats is not None
    assert stats.rate_8h == Decimal("0.0001")
    assert stats.hourly_low * 8 == Decimal("0.0001")
    assert stats.hourly_high * 8 == Decimal("0.0003")


def test_gaps_are_found_and_not_averaged_as_long_intervals() -> None:
    times = [T0 + i * 8 * H for i in range(100)] + [T0 + (100 + 9 + i) * 8 * H for i in range(100)]
    h = FundingHistory("X:Y", tuple(times), (Decimal("0.0001"),) * 200)
    assert len(h.gaps()) == 1 and h.gaps()[0].hours == 80
    stats = funding_stats(h, window_days=365)
    assert stats is not None and stats.rate_8h == Decimal("0.0001")


def test_checked_rows_refuse_absurd_rates_and_times() -> None:
    now = T0 + 1000 * H
    ok = checked_rows("X:Y", [(T0, Decimal("0.0001")), (T0, Decimal("0.0002"))], now, "V")
    assert ok.rates == (Decimal("0.0002"),)
    with pytest.raises(FundingError, match="beyond any venue's cap"):
        checked_rows("X:Y", [(T0, Decimal("0.2"))], now, "V")
    with pytest.raises(FundingError, match="not believable"):
        checked_rows("X:Y", [(now + 3 * 24 * H, Decimal("0.0001"))], now, "V")
    with pytest.raises(FundingError, match="not a number"):
        checked_rows("X:Y", [(T0, Decimal("NaN"))], now, "V")


def inputs(
    funding: dict[str, object] | None = None,
    basis: dict[str, Decimal] | None = None,
    days: int = 90,
    start: date = date(2027, 1, 4),
) -> CarryInputs:
    return CarryInputs(
        builtin_calendars(),
        CarrySettings(days, None, start),
        start,
        funding or {},  # type: ignore[arg-type]
        basis or {},
    )


def test_perpetual_option_carry_in_usd_and_per_year() -> None:
    family = CATALOG.family("OKX-BTC")
    contracts = CATALOG.family_contracts(family.id)
    # 0.5 BTC at 70,000 = 35,000 USD = 50 × 0.01 BTC exactly.
    (option,) = build_options(Decimal(35000), contracts, Decimal(70000), "nearest", Decimal(2))
    stats = funding_stats(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    line = option_carry(option, family, contracts, inputs({"OKX:BTC-USDT-SWAP": stats}))
    assert line.funding is not None and line.funding.usd == Decimal(945)
    assert line.open_fee_usd == line.close_fee_usd == Decimal("17.5")  # 35,000 × 0.05 %
    assert line.roll_count == 0 and line.complete
    assert line.total_cost_usd == Decimal(35) - Decimal(945)
    assert round(line.annual_rate * 100, 2) == Decimal("-10.54")  # type: ignore[operator]
    assert line.venue_info.label == "offshore"
    assert "receives about 945 USD funding" in line.words[0]


def test_dated_option_carry_counts_basis_rolls_and_both_legs_of_each_roll() -> None:
    family = CATALOG.family("CME-BTC")
    contracts = CATALOG.family_contracts(family.id)
    options = build_options(Decimal(35000), contracts, Decimal(70000), "nearest", Decimal(2))
    mix = next(o for o in options if o.name == "mix")  # 5 × MBT
    line = option_carry(mix, family, contracts, inputs(basis={"CME-BTC": Decimal("0.02")}))
    assert line.rolls is not None and line.roll_count == 3
    # Fee 0.02 % of 35,000 = 7 USD per side; each roll closes and opens: 14 USD.
    assert line.open_fee_usd == Decimal(7) and line.roll_fee_usd == Decimal(42)
    assert line.fees_usd == Decimal(56)
    # 2 % to 29 Jan (25 days, counted as the monthly floor of 35) = 20.86 %/yr; 90 days
    # of it on 35,000 USD.
    assert line.basis is not None and line.basis.days_to_expiry == 25
    assert line.basis.annual == Decimal("0.02") * 365 / 35
    assert line.basis.usd == Decimal(35000) * line.basis.annual * 90 / 365
    assert line.basis.warning is None
    assert any("(25 days, counted as 35)" in w for w in line.words)
    assert line.venue_info.label == "regulated"


def test_unknown_parts_are_named_not_zero() -> None:
    family = CATALOG.family("CME-BTC")
    contracts = CATALOG.family_contracts(family.id)
    mix = build_options(Decimal(35000), contracts, Decimal(70000), "nearest", Decimal(2))[-1]
    line = option_carry(mix, family, contracts, inputs())
    assert not line.complete and line.basis is None
    assert "basis (not typed)" in line.missing
    perp = CATALOG.family("BYBIT-BTC")
    pc = CATALOG.family_contracts(perp.id)
    (o,) = build_options(Decimal(35000), pc, Decimal(70000), "nearest", Decimal(2))
    assert "funding (no history stored)" in option_carry(o, perp, pc, inputs()).missing


def book() -> Portfolio:
    return Portfolio(
        name="carry",
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": "OKX-BTC"}, leverage=Decimal(2)),
    )


def test_services_carry_for_plan_and_compare_venues_rank_by_cost(tmp_path: Path) -> None:
    store = FundingStore(tmp_path)
    store.save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    store.save(flat("BINANCE:BTCUSDT", "-0.0001"))
    request = CarryRequest(90, None, date(2027, 1, 4), {"CME-BTC": Decimal("0.005")})
    carry = carry_for_plan(book(), CATALOG, request=request, store=store)
    btc = carry.underlying("BTC")
    assert btc is not None and btc.recommended == "micro"
    line = btc.line("micro")
    assert line is not None and line.funding is not None and line.funding.usd == Decimal(945)
    (cmp,) = compare_venues(book(), CATALOG, request=request, store=store)
    order = [r.line.family_id for r in cmp.rows]
    assert order[0] == "OKX-BTC"  # receives funding: cheapest to hold
    # The Binance short pays −0.01 %/8 h: it costs more than the fee-only CME hedge.
    assert order.index("CME-BTC") < order.index("BINANCE-USDM-BTC")
    assert all(r.rank == i + 1 for i, r in enumerate(cmp.rows))
    incomplete = [r for r in cmp.rows if not r.line.complete]
    assert incomplete and all(
        r.rank > max(x.rank for x in cmp.rows if x.line.complete)
        for r in incomplete
        if r.hedged_usd
    )


def run_cli(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "hedger", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_hedger_carry_prints_options_and_the_venue_ranking(data_dir: Path, tmp_path: Path) -> None:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    path = tmp_path / "book.json"
    path.write_text(book().model_dump_json(), encoding="utf-8")
    done = run_cli(data_dir, "carry", str(path), "--start", "2027-01-04", "--basis", "CME-BTC=0.5%")
    assert done.returncode == 0, done.stderr
    assert "BTC with OKX-BTC:" in done.stdout
    assert "receives about 945 USD funding over 90 days" in done.stdout
    assert "Compare venues for BTC (target 35,000 USD):" in done.stdout
    assert "1. OKX-BTC (micro, offshore)" in done.stdout
    js = run_cli(data_dir, "carry", str(path), "--start", "2027-01-04", "--days", "60", "--json")
    doc = json.loads(js.stdout)
    opt = doc["underlyings"][0]["options"][0]
    assert opt["funding_usd"] == "630.00" and opt["venue_label"] == "offshore"
    assert doc["compare_venues"][0]["ranked"][0]["rank"] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--days", "0"],
        ["--basis", "CME-BTC"],
        ["--basis", "NOPE=1%"],
        ["--roll-days", "99"],
        # A perpetual has funding, no basis to expiry; a family given twice is ambiguous.
        ["--basis", "BINANCE-USDM-BTC=5%"],
        ["--basis", "CME-BTC=2%", "--basis", "cme-btc=3%"],
    ],
)
def test_hedger_carry_bad_input_is_one_line_exit_2(
    data_dir: Path, tmp_path: Path, argv: list[str]
) -> None:
    path = tmp_path / "book.json"
    path.write_text(book().model_dump_json(), encoding="utf-8")
    done = run_cli(data_dir, "carry", str(path), *argv)
    assert done.returncode == 2
    assert done.stderr.startswith("hedger: ") and done.stderr.count("\n") == 1


def test_plan_carry_for_the_sample_book_has_every_underlying() -> None:
    sample = json.loads((ROOT / "resources/samples/core-stack.json").read_text(encoding="utf-8"))
    portfolio = Portfolio.model_validate(sample)
    plan = plan_portfolio(portfolio, CATALOG)
    carry = carry_for_plan(
        portfolio, CATALOG, plan, CarryRequest(start=date(2027, 1, 4)), funding={}
    )
    assert [u.underlying for u in carry.underlyings] == ["BTC", "ETH"]
    # The sample ships no futures price: CME's basis is unknown, named, not counted as 0.
    btc = carry.underlying("BTC")
    assert btc is not None
    mix = btc.line("mix")
    assert mix is not None and mix.basis is None
    assert any("basis" in m for m in mix.missing)


# --------------------------------------------------------------------------- typed basis


def cme_mix() -> tuple[Any, Any, Any]:
    family = CATALOG.family("CME-BTC")
    contracts = CATALOG.family_contracts(family.id)
    options = build_options(Decimal(35000), contracts, Decimal(70000), "nearest", Decimal(2))
    return next(o for o in options if o.name == "mix"), family, contracts


def basis_usd(start: date, basis: str = "0.02", family_id: str = "CME-BTC") -> Decimal:
    family = CATALOG.family(family_id)
    contracts = CATALOG.family_contracts(family.id)
    options = build_options(Decimal(35000), contracts, Decimal(70000), "nearest", Decimal(2))
    line = option_carry(
        options[-1], family, contracts, inputs(basis={family_id: Decimal(basis)}, start=start)
    )
    assert line.basis is not None
    return line.basis.usd


def test_the_typed_basis_does_not_swing_across_a_roll_date() -> None:
    # The audit's case: 0.5 BTC at 70,000 on CME-BTC, 2 % typed. The day before the
    # roll date the hedge opens the January contract (8 days left), on it February
    # (35 days): 7,875 against 1,800 USD before the floor, the same 1,800 now.
    before, on = basis_usd(date(2027, 1, 21)), basis_usd(date(2027, 1, 22))
    assert round(before) == round(on) == 1800


@pytest.mark.parametrize("family_id", ["CME-BTC", "CME-BFF", "COINBASE-BTC"])
def test_consecutive_start_dates_give_close_results_all_year(family_id: str) -> None:
    from datetime import timedelta

    day, previous, worst = date(2027, 1, 1), None, Decimal(1)
    while day < date(2028, 1, 1):
        usd = basis_usd(day, family_id=family_id)
        if previous is not None:
            worst = max(worst, usd / previous, previous / usd)
        previous, day = usd, day + timedelta(days=1)
    # At most a 5-week month against the floor (43 / 35 days) from one day to the next.
    assert worst <= Decimal("1.3"), worst


def test_an_implausible_typed_basis_is_flagged_in_words() -> None:
    mix, family, contracts = cme_mix()
    line = option_carry(
        mix,
        family,
        contracts,
        inputs(basis={"CME-BTC": Decimal("0.45")}, start=date(2027, 1, 22)),
    )
    assert line.basis is not None and line.basis.warning is not None
    assert "check the basis of CME-BTC: 45.00 % is 469 %/yr" in line.basis.warning
    assert line.basis.warning in line.words
    ok = option_carry(
        mix,
        family,
        contracts,
        inputs(basis={"CME-BTC": Decimal("0.01")}, start=date(2027, 1, 22)),
    )
    assert ok.basis is not None and ok.basis.warning is None


def test_hedger_carry_flags_an_implausible_basis_and_documents_the_rule(
    data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "book.json"
    path.write_text(book().model_dump_json(), encoding="utf-8")
    done = run_cli(data_dir, "carry", str(path), "--start", "2027-01-22", "--basis", "CME-BTC=45%")
    assert done.returncode == 0, done.stderr
    assert "Warning: Check the basis of CME-BTC: 45.00 % is 469 %/yr" in done.stdout
    helped = run_cli(data_dir, "carry", "--help")
    flat = " ".join(helped.stdout.split())
    assert "never fewer than one cycle of its calendar (35 days for monthly contracts" in flat
    assert "flagged as implausible" in flat
