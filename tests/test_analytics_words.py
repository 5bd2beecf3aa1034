"""The analytics in plain words: each view's lead sentence, with numbers checkable by hand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import numpy as np
import pytest

from hedger.core.analytics.backtest import BacktestEvent, BacktestResult, UnderlyingResult
from hedger.core.analytics.estimation import HoldingEstimate, PairEstimate
from hedger.core.analytics.performance import figures
from hedger.core.analytics.position_sizing import size_position
from hedger.core.analytics.risk import RiskConfig, RiskResult, summarise
from hedger.core.analytics.series import NS_PER_DAY, NS_PER_HOUR
from hedger.core.analytics.words import (
    backtest_words,
    beta_words,
    betas_lead,
    history_lead,
    risk_lead,
    sizing_lead,
    worst_period,
)
from hedger.core.analytics.words.amounts import amount, listing, one_in, rounded, span
from hedger.core.analytics.words.backtest import period_unit
from hedger.core.catalog import builtin_catalog

MONDAY = int(np.datetime64("2024-01-01", "ns").astype(np.int64))  # 2024-01-01 was a Monday
GENERIC = builtin_catalog().family_contracts("GENERIC-BTC")


# --------------------------------------------------------------------------- amounts


def test_amounts_round_to_three_figures_and_whole_dollars() -> None:
    assert rounded(4213) == 4210
    assert rounded(907.4) == 907
    assert rounded(45.3) == 45
    assert rounded(18134) == 18100
    assert rounded(-0.4) == 0
    assert amount(-4213, signed=True) == "−4,210"
    assert amount(18134, signed=True) == "+18,100"
    assert amount(-0.2, signed=True) == "0"  # never "−0"


def test_odds_lists_and_spans_in_words() -> None:
    assert one_in(0.116) == "1 in 9"
    assert one_in(0.05) == "1 in 20"
    assert one_in(0.7) == "more often than not"
    assert listing(["BTC"]) == "BTC"
    assert listing(["BTC", "ETH", "SOL"]) == "BTC, ETH and SOL"
    assert span(729 * NS_PER_DAY) == "2 years"
    assert span(548 * NS_PER_DAY) == "18 months"
    assert span(365 * NS_PER_DAY) == "1 year"
    assert span(91 * NS_PER_DAY) == "3 months"
    assert span(20 * NS_PER_DAY) == "3 weeks"
    assert span(5 * NS_PER_DAY) == "5 days"


# --------------------------------------------------------------------------- betas


def estimate(
    symbol: str = "SOL",
    beta: float = 1.38,
    rho: float = 0.77,
    user: D | None = D("1.5"),
    interval: str = "day",
    row: int = 2,
) -> HoldingEstimate:
    pair = PairEstimate(
        observations=365,
        first_ns=MONDAY,
        last_ns=MONDAY + 364 * NS_PER_DAY,
        interval=interval,  # type: ignore[arg-type]
        beta=beta,
        correlation=rho,
        sigma_s=0.05,
        sigma_f=0.028,
        hedge_ratio=beta,
        effectiveness=rho * rho,
    )
    return HoldingEstimate(row, symbol, "BTC", "BTC", user, pair)


def test_beta_in_words_moves_swings_and_the_best_hedge() -> None:
    # 0.77² = 0.5929: a hedge at the estimated beta removes 59 % of the variance.
    assert beta_words(estimate()) == (
        "SOL has moved about 1.4× as much as BTC: hedging it with BTC futures would have "
        "removed about 59 % of its day-to-day swings. The best hedge was about 138 USD of BTC "
        "futures sold per 100 USD of SOL (beta 1.38; your portfolio uses 1.5)."
    )


def test_beta_below_one_weak_links_and_the_default_beta() -> None:
    text = beta_words(estimate(beta=0.6, rho=0.3, user=None, interval="hour"))
    assert text.startswith("SOL has moved about 60 % as much as BTC: ")
    # 0.3² = 0.09: a BTC hedge removes little of SOL's swings.
    assert "removed only 9 % of its hour-to-hour swings, so a BTC hedge protects SOL little" in (
        text
    )
    assert text.endswith("(beta 0.6; your portfolio uses the default of 1).")
    same = beta_words(estimate(beta=1.38, user=D("1.38")))
    assert same.endswith("(beta 1.38, as your portfolio already uses).")
    assert beta_words(estimate(beta=-0.4)).startswith("SOL has tended to move against BTC")


def test_betas_lead_follows_the_focus_and_says_when_nothing_is_estimated() -> None:
    sol, ada = estimate(row=2), estimate("ADA", beta=1.05, row=3)
    assert betas_lead([sol, ada], focus_row=3).startswith("ADA has moved about as much as BTC")
    assert betas_lead([sol, ada]).count("has moved") == 2  # the command line: every holding
    own = [
        HoldingEstimate(0, "BTC", "BTC", "BTC", None, None, "BTC is the hedge series itself"),
        HoldingEstimate(1, "ETH", "ETH", "ETH", None, None, "ETH is the hedge series itself"),
    ]
    assert betas_lead(own) == (
        "BTC and ETH are hedged with their own futures, which move one for one with the coin "
        "(beta 1): there is nothing to estimate."
    )
    assert betas_lead([]) == ""


# --------------------------------------------------------------------------- backtest


def weekly(closes: list[float]) -> np.ndarray:
    """A value held flat through each Monday-to-Sunday week at that week's close."""
    return np.repeat(np.asarray(closes, dtype=np.float64), 7)


def backtest(
    unhedged: np.ndarray,
    hedged: np.ndarray,
    underlyings: tuple[UnderlyingResult, ...],
    events: tuple[BacktestEvent, ...] = (),
    fees: float = 0.0,
) -> BacktestResult:
    ts = MONDAY + np.arange(unhedged.size, dtype=np.int64) * NS_PER_DAY
    start = float(unhedged[0])
    fee_path = np.linspace(0.0, fees, unhedged.size)
    return BacktestResult(
        timestamps=ts,
        unhedged=unhedged,
        hedged=hedged,
        hedge_pnl=hedged - unhedged + fee_path,
        fees=fee_path,
        unhedged_figures=figures(ts, unhedged, start),
        hedged_figures=figures(ts, hedged, start),
        underlyings=underlyings,
        events=events,
        proxied=(),
    )


BTC_HEDGE = UnderlyingResult("BTC", "BTC", "micro", "short 5 × MBT", -500.0, 10.0, 0, 0)
ETH_HEDGE = UnderlyingResult("ETH", "ETH", "micro", "short 40 × MET", -300.0, 5.0, 0, 0)
UNHEDGED = weekly([50_000, 45_787, 46_000, 47_000, 48_000])


def test_worst_week_unhedged_and_hedged() -> None:
    r = backtest(UNHEDGED, weekly([50_000, 49_093, 49_200, 49_300, 49_400]), (BTC_HEDGE,))
    worst = worst_period(r)
    assert worst is not None and worst.unit == "week"
    assert worst.unhedged == pytest.approx(-4_213) and worst.hedged == pytest.approx(-907)
    assert worst.unhedged_ns == MONDAY + 7 * NS_PER_DAY  # the second week
    words = backtest_words(r)
    assert words.lead == (
        "Hedging with 5 × MBT would have cut your worst week from −4,210 to −907 USD."
    )
    assert words.why == "" and not words.worse


def test_the_period_follows_the_data() -> None:
    days = MONDAY + np.arange(10, dtype=np.int64) * NS_PER_DAY
    assert period_unit(days) == "day"
    assert period_unit(MONDAY + np.arange(60, dtype=np.int64) * NS_PER_DAY) == "week"
    assert period_unit(MONDAY + np.arange(24, dtype=np.int64) * 30 * NS_PER_DAY) == "month"
    assert period_unit(MONDAY + np.arange(5000, dtype=np.int64) * NS_PER_HOUR) == "week"


def test_both_hedges_liquidated_say_why_the_hedge_did_worse() -> None:
    hedged = weekly([50_000, 44_900, 45_000, 46_000, 47_000])  # worse than unhedged: −5,100
    events = (
        BacktestEvent(MONDAY + 2 * NS_PER_DAY, "ETH", "liquidation", "ETH: ...", 2690.0),
        BacktestEvent(MONDAY + 8 * NS_PER_DAY, "BTC", "liquidation", "BTC: ...", 50208.0),
    )
    liquidated = (
        UnderlyingResult("BTC", "BTC", "micro", "short 5 × MBT", -500.0, 10.0, 1, 0),
        UnderlyingResult("ETH", "ETH", "micro", "short 40 × MET", -300.0, 5.0, 1, 0),
    )
    words = backtest_words(backtest(UNHEDGED, hedged, liquidated, events))
    assert words.worse
    assert words.lead == (
        "Hedging with 5 × MBT and 40 × MET would have made your worst week worse: "
        "−5,100 USD instead of −4,210 USD unhedged."
    )
    assert words.why == (
        "Why: both hedges were liquidated as prices rose (ETH on 2024-01-03 near 2,690, "
        "BTC on 2024-01-09 near 50,208) and stayed closed for the rest of the period, so the "
        "moves after that were not hedged. A lower leverage or more margin keeps a hedge open."
    )


def test_worse_without_liquidation_names_fees_cross_hedges_and_a_fixed_hedge() -> None:
    hedged = weekly([50_000, 44_900, 45_000, 46_000, 47_000])
    # Fees of 600 USD are 1.2 % of the 50,000 USD start: worth naming.
    r = backtest(UNHEDGED, hedged, (BTC_HEDGE,), fees=600.0)
    words = backtest_words(r, "none", [("SOL", "BTC")])
    assert words.why == (
        "Why: fees cost 600 USD; SOL is hedged with BTC futures and did not always move with "
        "them; the hedge was sized for the prices at the start and never re-sized."
    )


def test_a_hedge_that_helped_but_was_liquidated_on_the_way() -> None:
    hedged = weekly([50_000, 49_093, 49_200, 49_300, 49_400])
    events = tuple(
        BacktestEvent(MONDAY + d * NS_PER_DAY, "BTC", "liquidation", "BTC: ...", p)
        for d, p in ((3, 51_000.0), (10, 52_000.0), (17, 53_000.0))
    )
    btc = UnderlyingResult("BTC", "BTC", "micro", "short 5 × MBT", -500.0, 10.0, 3, 4)
    words = backtest_words(backtest(UNHEDGED, hedged, (btc,), events), "weekly")
    assert not words.worse
    assert words.why == (
        "On the way, the BTC hedge was liquidated 3 times in all as prices rose (first BTC on "
        "2024-01-04 near 51,000) and each time stayed closed until the next weekly re-sizing. "
        "A lower leverage or more margin keeps a hedge open."
    )


def test_no_hedge_and_a_book_that_never_lost_a_week() -> None:
    none = UnderlyingResult("BTC", "BTC", None, "no hedge", 0.0, 0.0, 0, 0)
    words = backtest_words(backtest(UNHEDGED, UNHEDGED.copy(), (none,)))
    assert words.lead == (
        "The plan opens no futures, so there is nothing to compare: your worst week was −4,210 USD."
    )
    rising = weekly([50_000, 51_000, 52_000, 53_000, 54_000])
    words = backtest_words(backtest(rising, rising - 100, (BTC_HEDGE,)))
    assert words.lead == "Your holdings never lost over a week in this period, hedged or not."


# --------------------------------------------------------------------------- risk


def risk(
    unhedged: np.ndarray, hedged: np.ndarray, days: int = 7, liquidated: float = 0.0
) -> RiskResult:
    return RiskResult(
        config=RiskConfig(horizon_days=days, paths=100, seed=1),
        seed=1,
        paths=unhedged.size,
        horizon_days=days,
        method="normal",
        observations=365,
        first_ns=MONDAY,
        last_ns=MONDAY + 364 * NS_PER_DAY,
        start_value=50_000.0,
        unhedged_pnl=unhedged,
        hedged_pnl=hedged,
        unhedged=summarise(unhedged),
        hedged=summarise(hedged),
        liquidated_share=liquidated,
        proxied=(),
    )


# 100 outcomes 200 USD apart from −10,000: the 5th worst is −9,200 (the 1-in-20 loss) and
# the worst five average −9,600.
PNL = np.linspace(-10_000, 9_800, 100)


def test_var_and_es_as_one_week_out_of_twenty() -> None:
    assert risk_lead(risk(PNL, PNL / 10, liquidated=0.116)) == (
        "In 1 week out of 20, expect to lose more than 9,200 USD unhedged and 920 USD hedged; "
        "in the worst of those weeks, about 9,600 and 960 USD on average. The hedge would be "
        "liquidated in about 1 in 9 weeks (12 % of the simulated paths): lower the leverage "
        "or keep margin aside."
    )


def test_the_horizon_in_words_and_a_hedge_that_adds_risk() -> None:
    assert risk_lead(risk(PNL, PNL / 10, days=1)).startswith("In 1 day out of 20, ")
    assert risk_lead(risk(PNL, PNL / 10, days=30)).startswith("In 1 month out of 20, ")
    quarter = risk_lead(risk(PNL, PNL / 10, days=90))
    assert quarter.startswith("In 1 three-month stretch out of 20, ")
    assert "in the worst of those three-month stretches" in quarter
    assert risk_lead(risk(PNL, PNL * 1.5)).endswith(": the hedge adds risk here.")
    gains = risk_lead(risk(PNL + 20_000, PNL / 10))
    assert gains.startswith(
        "In the worst week out of 20, the unhedged book still gains at least 10,800 USD"
    )


# --------------------------------------------------------------------------- sizing


def test_sizing_in_words_for_the_account() -> None:
    # 1 % of 1,000 USD = 10 USD; a 0.01 BTC micro loses 10 USD at a 1,000 USD stop.
    r = size_position(D(1000), D(1), D(70000), D(69000), GENERIC, D(10))
    assert sizing_lead(r) == (
        "Buying 1 × Micro Bitcoin future (0.01 BTC) keeps your loss at the 69,000 stop to "
        "10.00 USD (plus 0.70 USD of fees), within the 10.00 USD (1 % of 1,000 USD) you "
        "allow; the position is worth 700 USD, 0.7× your account, and ties up 70.00 USD "
        "of margin at 10x."
    )


def test_sizing_a_short_beyond_the_account_and_nothing_that_fits() -> None:
    r = size_position(D(10000), D(5), D(70000), D(71000), GENERIC, D(10))
    text = sizing_lead(r)
    assert text.startswith("Selling ") and " short keeps your loss at the 71,000 stop" in text
    assert "3.5× your account (a 10 % move in BTC moves your account by 35 %)" in text
    none = size_position(D(100), D(1), D(70000), D(60000), GENERIC, D(10))
    assert sizing_lead(none) == (
        "Even one Micro Bitcoin future (0.01 BTC) would lose 100 USD at the 60,000 stop, "
        "more than the 1.00 USD (1 % of 100 USD) you allow: risk more, move the stop closer "
        "or choose smaller contracts."
    )


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Facts:
    symbol: str
    first_ns: int | None
    last_ns: int | None
    rows: int


def facts(symbol: str, days: int, step: int = NS_PER_DAY) -> Facts:
    rows = days * NS_PER_DAY // step + 1
    return Facts(symbol, MONDAY, MONDAY + days * NS_PER_DAY, rows)


def test_history_says_how_much_and_whether_it_is_enough() -> None:
    stored = [facts("BTC", 730), facts("ETH", 730)]
    assert history_lead(stored, ["BTC", "ETH", "SOL"]) == (
        "BTC and ETH have 2 years of daily closes: enough for betas, backtest and risk. "
        "SOL has none yet: download or import it."
    )
    assert history_lead([facts("BTC", 91, NS_PER_HOUR)], ["BTC"]) == (
        "BTC has 3 months of hourly closes: enough to start; a year or more gives steadier "
        "betas and risk."
    )
    assert history_lead([facts("BTC", 10)], ["BTC", "ETH", "SOL"]) == (
        "BTC has 10 days of daily closes: too short for risk, which needs 30 days. "
        "ETH and SOL have none yet: download or import them."
    )
    # Nothing the portfolio needs: what is stored.
    assert history_lead([facts("XRP", 730)], []).startswith("XRP has 2 years of daily closes")
    assert history_lead([], ["BTC"]) == ""


def test_a_hedge_that_did_not_soften_the_worst_week_is_explained() -> None:
    events = (BacktestEvent(MONDAY + 2 * NS_PER_DAY, "BTC", "liquidation", "BTC: ...", 51_000.0),)
    btc = UnderlyingResult("BTC", "BTC", "micro", "short 5 × MBT", -500.0, 10.0, 1, 0)
    words = backtest_words(backtest(UNHEDGED, UNHEDGED - 300, (btc,), events))
    assert words.lead == (
        "Hedging with 5 × MBT would not have softened your worst week: −4,210 USD either way."
    )
    assert words.worse and words.why.startswith("Why: the BTC hedge was liquidated as prices")
