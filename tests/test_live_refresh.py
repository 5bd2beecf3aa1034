"""Validation, fallback between venues, applying prices, and price ages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from test_live_venue import FAST, FakeVenue, no_sleep

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, Quote
from hedger.live.age import (
    fmt_age,
    holding_price_status,
    is_stale,
    quote_age,
    summarize_prices,
)
from hedger.live.http import HttpSettings
from hedger.live.refresh import (
    accept_jumps,
    apply_quotes,
    fetch_quotes,
    refresh_portfolio,
    wanted_prices,
)
from hedger.live.validate import Plausibility, check_price, validate_prices
from hedger.live.venues.base import PriceSource
from hedger.live.venues.binance import BinanceSource
from hedger.live.venues.coinbase import CoinbaseSource
from hedger.live.venues.okx import OkxSource
from hedger.store.portfolio_file import dumps_portfolio, loads_portfolio

NOW = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def venue() -> Iterator[FakeVenue]:
    with FakeVenue() as v:
        yield v


def sources(v: FakeVenue, settings: HttpSettings = FAST) -> list[PriceSource]:
    return [
        BinanceSource(v.url, v.url, settings, sleep=no_sleep),
        CoinbaseSource(v.url, settings, sleep=no_sleep),
        OkxSource(v.url, settings, sleep=no_sleep),
    ]


def holding(symbol: str, qty: str, price: str, **kw: str) -> Holding:
    return Holding.model_validate({"symbol": symbol, "quantity": qty, "price": price, **kw})


def book(*holdings: Holding, quotes: dict[str, Quote] | None = None) -> Portfolio:
    return Portfolio(name="Book", holdings=holdings, quotes=quotes or {})


def quote(price: str, age: timedelta = timedelta(minutes=5), kind: str = "spot") -> Quote:
    return Quote.model_validate(
        {"price": price, "source": "Binance", "fetched_at": NOW - age, "kind": kind}
    )


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Decimal("-5"), "-5 is not a positive price"),
        (Decimal("0"), "0 is not a positive price"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        (Decimal("1e20"), "too large"),
    ],
)
def test_impossible_prices_are_rejected(value: Decimal, reason: str) -> None:
    assert reason in (check_price(value, None, Decimal(5)) or "")


def test_plausibility_against_the_last_price() -> None:
    last = Decimal(70000)
    assert check_price(Decimal(72000), last, Decimal(5)) is None
    assert check_price(Decimal(700000), last, Decimal(5)) == (
        "700000 is 10× above the last price 70,000.00 (limit 5×)"
    )
    assert "below" in (check_price(Decimal(7000), last, Decimal(5)) or "")
    assert check_price(Decimal(7000), last, Decimal(20)) is None


def test_validate_prices_splits_and_tidies() -> None:
    v = validate_prices(
        "Binance",
        {"BTC": Decimal("70000.01000000"), "ETH": Decimal("-1")},
        {"BTC": Decimal(69000)},
    )
    assert v.accepted == {"BTC": Decimal("70000.01")}
    assert str(v.accepted["BTC"]) == "70000.01"
    assert v.rejected == {"ETH": "ETH: Binance price rejected, -1 is not a positive price"}


def test_plausibility_factor_must_exceed_one() -> None:
    with pytest.raises(ValueError):
        Plausibility(max_factor=Decimal(1))


# --------------------------------------------------------------------------- refresh


def test_refresh_updates_holdings_futures_and_quotes(venue: FakeVenue) -> None:
    p = book(
        holding("BTC", "0.5", "65000"),
        holding("ETH", "2", "3000"),
        holding("USDT", "1000", "0.998"),
    )
    result = refresh_portfolio(p, sources(venue), NOW)
    new = result.portfolio
    assert [h.price for h in new.holdings] == [Decimal("70000.01"), Decimal(3500), Decimal(1)]
    assert new.hedge.futures_prices == {"BTC": Decimal("70012.34"), "ETH": Decimal("3501.5")}
    assert new.quotes["BTC"] == Quote(
        price=Decimal("70000.01"), source="Binance", fetched_at=NOW, kind="spot"
    )
    assert new.quotes["FUT:ETH"].kind == "futures"
    assert "USDT" not in new.quotes
    assert result.complete and result.kept == {}
    assert result.summary().startswith("Prices updated from Binance at ")
    assert result.summary().endswith("(4 prices)")
    # Stablecoins are par; nobody was asked for them.
    assert all("USDTUSDT" not in str(h.query) for h in venue.hits)
    assert venue.count("/products") == 0
    # The input portfolio is untouched.
    assert p.holdings[0].price == Decimal(65000)


def test_unreachable_venue_falls_back_to_the_next(venue: FakeVenue) -> None:
    venue.script("/api/v3", *[("status", 503)] * 3)
    venue.script("/fapi", *[("status", 503)] * 3)
    p = book(holding("BTC", "1", "69000"))
    result = refresh_portfolio(p, sources(venue), NOW)
    assert result.portfolio.holdings[0].price == Decimal("70005.12")  # Coinbase
    assert result.portfolio.quotes["BTC"].source == "Coinbase"
    assert result.portfolio.hedge.futures_prices["BTC"] == Decimal("70020.1")  # OKX
    assert result.sources == ("Coinbase", "OKX")
    assert result.ok and not result.complete
    assert "Binance unreachable: HTTP 503" in result.summary()


def test_symbols_missing_at_one_venue_are_asked_at_the_next(venue: FakeVenue) -> None:
    p = book(holding("BTC", "1", "69000"), holding("SOL", "10", "140", beta="1.5"))
    result = refresh_portfolio(p, sources(venue), NOW, include_futures=False)
    assert result.portfolio.quotes["BTC"].source == "Binance"
    assert result.portfolio.quotes["SOL"].source == "Coinbase"
    assert venue.count("/products/SOL-USD") == 1
    assert venue.count("/products/BTC-USD") == 0
    assert result.portfolio.hedge.futures_prices == {}


def test_every_venue_down_keeps_every_price(venue: FakeVenue) -> None:
    venue.close()
    p = book(holding("BTC", "1", "69000"))
    result = refresh_portfolio(p, sources(venue), NOW)
    assert not result.ok
    assert result.portfolio.holdings == p.holdings
    assert result.portfolio.quotes == {}
    assert result.summary().startswith("Binance unreachable: connection refused")
    assert result.summary().endswith("— kept previous prices")


@pytest.mark.parametrize("bad", ["-70000", "0", "abc", "NaN"])
def test_bad_price_from_every_venue_keeps_the_old_one(venue: FakeVenue, bad: str) -> None:
    venue.binance_spot["BTCUSDT"] = bad
    venue.coinbase["BTC-USD"] = bad
    venue.okx_spot["BTC-USDT"] = bad
    p = book(holding("BTC", "1", "69000"))
    result = refresh_portfolio(p, sources(venue), NOW, include_futures=False)
    assert result.portfolio.holdings[0].price == Decimal(69000)
    assert "BTC" not in result.portfolio.quotes
    assert not result.ok
    assert "BTC: Binance" in result.kept["BTC"]


def test_nan_literal_in_json_is_rejected(venue: FakeVenue) -> None:
    venue.script("/api/v3", ("raw", b'[{"symbol": "BTCUSDT", "price": NaN}]'))
    p = book(holding("BTC", "1", "69000"))
    result = refresh_portfolio(p, sources(venue)[:1], NOW, include_futures=False)
    assert result.kept["BTC"] == "BTC: Binance price rejected, not a finite number"
    assert result.portfolio.holdings[0].price == Decimal(69000)


def test_implausible_jump_is_rejected_and_the_old_price_kept(venue: FakeVenue) -> None:
    venue.binance_spot["BTCUSDT"] = "700000"
    p = book(holding("BTC", "1", "70000"), quotes={"BTC": quote("70000")})
    result = refresh_portfolio(p, sources(venue)[:1], NOW, include_futures=False)
    assert result.portfolio.holdings[0].price == Decimal(70000)
    assert result.portfolio.quotes["BTC"] == p.quotes["BTC"]
    assert result.kept["BTC"] == (
        "BTC: Binance price rejected, 700000 is 10× above the last price 70,000.00 (limit 5×)"
    )
    assert result.messages() == [result.kept["BTC"] + " — kept previous price"]


def test_implausible_answer_is_replaced_by_the_next_venue(venue: FakeVenue) -> None:
    venue.binance_spot["BTCUSDT"] = "7000000"
    p = book(holding("BTC", "1", "70000"), quotes={"BTC": quote("70000")})
    result = refresh_portfolio(p, sources(venue), NOW, include_futures=False)
    assert result.portfolio.quotes["BTC"].source == "Coinbase"
    assert result.kept == {}


def test_old_quotes_do_not_block_a_big_move(venue: FakeVenue) -> None:
    venue.binance_spot["BTCUSDT"] = "700000"
    p = book(holding("BTC", "1", "70000"), quotes={"BTC": quote("70000", timedelta(days=30))})
    result = refresh_portfolio(p, sources(venue)[:1], NOW, include_futures=False)
    assert result.portfolio.holdings[0].price == Decimal(700000)


def test_a_copied_price_is_no_reference_for_plausibility(venue: FakeVenue) -> None:
    # A new row copies the previous row's symbol and price; the user changed
    # the symbol to SOL, so 70,000 is BTC's price, not a typed SOL price.
    venue.coinbase["SOL-USD"] = "150"
    p = book(holding("BTC", "1", "70000"), holding("SOL", "10", "70000"))
    result = refresh_portfolio(p, sources(venue)[1:2], NOW, include_futures=False)
    assert result.portfolio.holdings[1].price == Decimal(150)


def test_a_typed_price_does_not_block_ordinary_moves(venue: FakeVenue) -> None:
    venue.coinbase["SOL-USD"] = "150"
    p = book(holding("SOL", "10", "90"))  # typed weeks ago: +67 % is a market move
    result = refresh_portfolio(p, sources(venue)[1:2], NOW, include_futures=False)
    assert result.portfolio.holdings[0].price == Decimal(150)


def test_a_wild_answer_against_a_typed_price_is_rejected_and_can_be_taken(
    venue: FakeVenue,
) -> None:
    venue.binance_spot["BTCUSDT"] = "7000000"
    venue.coinbase["BTC-USD"] = "7000000"
    venue.okx_spot["BTC-USDT"] = "7000000"
    p = book(holding("BTC", "1", "65000"))
    result = refresh_portfolio(p, sources(venue), NOW, include_futures=False)
    assert result.portfolio.holdings[0].price == Decimal(65000)
    assert result.kept["BTC"].startswith(
        "BTC: Binance price rejected, 7000000 is 108× above your typed price 65,000.00 "
        "(limit 10×); if it is right, refresh with --accept-jumps"
    )
    assert result.severity["BTC"] == "rejected"
    # "Use anyway": the first venue's answer, exactly as it came.
    taken = accept_jumps(result.portfolio, result, ["BTC"])
    assert taken.portfolio.holdings[0].price == Decimal(7000000)
    assert taken.portfolio.quotes["BTC"].source == "Binance"
    assert taken.updates[0].old == Decimal(65000)
    # --accept-jumps: positive and finite is enough.
    loose = refresh_portfolio(
        p,
        sources(venue)[:1],
        NOW,
        include_futures=False,
        plausibility=Plausibility(check_jumps=False),
    )
    assert loose.portfolio.holdings[0].price == Decimal(7000000)


def test_a_typed_futures_price_guards_the_perpetual(venue: FakeVenue) -> None:
    venue.binance_futures["BTCUSDT"] = "7"
    p = book(holding("BTC", "1", "70000")).model_copy(
        update={"hedge": HedgeSettings(futures_prices={"BTC": Decimal(69000)})}
    )
    report = fetch_quotes(p, sources(venue)[:1], NOW)
    assert report.problems["FUT:BTC"].startswith(
        "BTC futures: Binance price rejected, 7 is 9,857× below your typed price 69,000.00"
    )


def test_the_summary_puts_rejections_before_venue_errors_and_not_listed(
    venue: FakeVenue,
) -> None:
    for table in (venue.binance_spot, venue.coinbase, venue.okx_spot):
        for k, v in list(table.items()):
            table[k] = str(Decimal(v) * 10)
    venue.coinbase["SOL-USD"] = "NaN"
    venue.script("/api/v5", *[("status", 503)] * 10)
    quotes = {"BTC": quote("70000"), "SOL": quote("150")}
    p = book(
        holding("BTC", "1", "70000"),
        holding("SOL", "10", "150"),
        holding("DOGE", "1", "0.1"),
        quotes=quotes,
    )
    result = refresh_portfolio(p, sources(venue), NOW, include_futures=False)
    assert not result.ok
    lines = result.messages()
    assert lines[0].startswith("BTC: Binance price rejected, 700000.1 is 10× above the last price")
    assert lines[1].startswith("SOL: Coinbase price rejected, not a finite number")
    assert lines[2].startswith("OKX unreachable: HTTP 503")
    assert lines[3].startswith("DOGE: Binance does not list DOGEUSDT")
    assert result.summary().startswith("BTC: Binance price rejected")
    assert result.summary().endswith("(+3 more) — kept previous prices")


def test_a_silent_venue_is_not_asked_again_and_the_refresh_is_time_limited(
    venue: FakeVenue,
) -> None:
    # Every venue accepts the connection and never answers in time.
    venue.script("/", *[("sleep", 5.0)] * 20)
    slow = HttpSettings(timeout=0.5, retries=2, backoff=0.0)
    p = book(holding("BTC", "1", "69000"), holding("ETH", "1", "3000"))
    started = time.monotonic()
    result = refresh_portfolio(p, sources(venue, slow), NOW, time_limit=1.2)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert not result.ok
    assert venue.count("/fapi") == 0  # Binance already failed in the spot step
    assert venue.count("/api/v3") == 1  # a timeout is not retried
    assert result.venue_errors == (
        "Binance unreachable: timed out after 0.5 s",
        "Coinbase unreachable: timed out after 0.5 s",
        "OKX unreachable: timed out after 0.2 s",
    )
    cut = refresh_portfolio(p, sources(venue, slow), NOW, time_limit=0.7)
    assert cut.timed_out
    assert cut.venue_errors[-1] == (
        "OKX (spot) and OKX (futures) not asked: the refresh's 0.7 s time limit was reached"
    )


def test_a_futures_quote_names_the_perpetual_it_came_from(venue: FakeVenue) -> None:
    p = book(holding("BTC", "1", "69000"))
    result = refresh_portfolio(p, sources(venue), NOW)
    assert result.portfolio.quotes["FUT:BTC"].source == "Binance · BTCUSDT perpetual"
    assert result.portfolio.quotes["BTC"].source == "Binance"
    fut = next(u for u in result.updates if u.kind == "futures")
    assert (fut.source, fut.instrument) == ("Binance", "BTCUSDT perpetual")
    assert result.sources == ("Binance",)
    assert summarize_prices(result.portfolio, NOW).sources == ("Binance",)


def test_first_futures_price_is_checked_against_the_spot_quote(venue: FakeVenue) -> None:
    venue.binance_futures["BTCUSDT"] = "7"
    p = book(holding("BTC", "1", "70000"), quotes={"BTC": quote("70000")})
    report = fetch_quotes(p, sources(venue)[:1], NOW)
    assert "FUT:BTC" not in report.quotes
    assert report.problems["FUT:BTC"].startswith("BTC futures: Binance price rejected")


def test_edits_made_during_the_fetch_survive(venue: FakeVenue) -> None:
    before = book(holding("BTC", "1", "69000"))
    report = fetch_quotes(before, sources(venue), NOW)
    edited = before.model_copy(
        update={"holdings": (holding("BTC", "2", "69000"), holding("ETH", "3", "3000"))}
    )
    result = apply_quotes(edited, report)
    assert [(h.symbol, h.quantity, h.price) for h in result.portfolio.holdings] == [
        ("BTC", Decimal(2), Decimal("70000.01")),
        ("ETH", Decimal(3), Decimal(3000)),  # added meanwhile: not fetched, untouched
    ]


def test_a_slower_older_refresh_does_not_overwrite_a_newer_one(venue: FakeVenue) -> None:
    p = book(holding("BTC", "1", "69000"))
    old_report = fetch_quotes(p, sources(venue), NOW - timedelta(minutes=1))
    newer = p.model_copy(
        update={
            "holdings": (holding("BTC", "1", "71000"),),
            "quotes": {"BTC": quote("71000", timedelta(0))},
        }
    )
    result = apply_quotes(newer, old_report)
    assert result.portfolio.holdings[0].price == Decimal(71000)


def test_wanted_prices_cover_cross_hedges_and_manual_futures_prices() -> None:
    p = Portfolio(
        holdings=(holding("SOL", "10", "150", hedge_with="ETH"), holding("DAI", "5", "1")),
        hedge=HedgeSettings(futures_prices={"BTC": Decimal(70000)}),
    )
    wanted = wanted_prices(p, builtin_catalog())
    assert wanted.spot == ("SOL",)
    assert wanted.futures == ("ETH", "BTC")


def test_nothing_to_price_says_so(venue: FakeVenue) -> None:
    result = refresh_portfolio(book(holding("USDC", "10", "1")), sources(venue), NOW)
    assert not result.ok
    assert result.summary() == "No prices to refresh: the portfolio has no holdings to price"
    assert venue.count("/") == 0


def test_fetched_prices_are_saved_with_the_portfolio(venue: FakeVenue) -> None:
    result = refresh_portfolio(book(holding("BTC", "1", "69000")), sources(venue), NOW)
    reopened = loads_portfolio(dumps_portfolio(result.portfolio), "book.json")
    assert reopened.quotes == result.portfolio.quotes
    assert reopened.holdings[0].price == Decimal("70000.01")
    assert holding_price_status(reopened, "BTC", NOW + timedelta(minutes=2)) is not None


def test_progress_is_reported_per_venue_and_stop_is_honoured(venue: FakeVenue) -> None:
    seen: list[tuple[int, int]] = []
    p = book(holding("BTC", "1", "69000"))
    fetch_quotes(p, sources(venue), NOW, progress=lambda d, t: seen.append((d, t)))
    # Spot: 3 sources, futures: 2; Binance answers both, the rest are skipped.
    assert seen[0] == (0, 5)
    assert seen[-1] == (5, 5)
    stopped = fetch_quotes(p, sources(venue), NOW, should_stop=lambda: True)
    assert stopped.stopped and stopped.quotes == {}


def test_a_source_that_crashes_is_reported_not_raised() -> None:
    class Broken(PriceSource):
        name = "Broken"

        def fetch_spot(self, symbols: object) -> object:  # type: ignore[override]
            raise KeyError("boom")

        def fetch_futures(self, underlyings: object) -> object:  # type: ignore[override]
            raise KeyError("boom")

    result = refresh_portfolio(book(holding("BTC", "1", "1")), [Broken()], NOW)
    assert not result.ok
    assert result.venue_errors == ("Broken failed: KeyError: 'boom'",)


# --------------------------------------------------------------------------- ages


def test_age_text_and_staleness() -> None:
    q = quote("70000", timedelta(minutes=20))
    assert quote_age(q, NOW) == timedelta(minutes=20)
    assert is_stale(q, NOW)
    assert not is_stale(q, NOW, max_age=timedelta(hours=1))
    assert not is_stale(quote("1", timedelta(minutes=14)), NOW)
    assert [fmt_age(timedelta(seconds=s)) for s in (5, 130, 7200, 200000)] == [
        "just now",
        "2 min ago",
        "2 h ago",
        "2 days ago",
    ]
    # A clock behind the venue's never shows a negative age.
    assert quote_age(quote("1", -timedelta(minutes=3)), NOW) == timedelta(0)


def test_summary_names_sources_marks_stale_and_counts_typed_prices() -> None:
    p = book(
        holding("BTC", "1", "70000"),
        holding("ETH", "1", "3600"),  # typed over the fetched 3500
        holding("SOL", "1", "150"),
        quotes={
            "BTC": quote("70000", timedelta(minutes=2)),
            "ETH": quote("3500", timedelta(minutes=2)),
            "SOL": quote("150", timedelta(minutes=40)).model_copy(update={"source": "Coinbase"}),
        },
    )
    s = summarize_prices(p, NOW)
    assert s.text == "Binance + Coinbase · 40 min ago (stale), 1 typed"
    assert s.stale_symbols == ("SOL",)
    assert s.typed_symbols == ("ETH",)
    assert summarize_prices(book(holding("BTC", "1", "1")), NOW).text == "typed by hand"


def test_the_hedge_contract_itself_is_priced_where_its_venue_is_a_source(
    venue: FakeVenue,
) -> None:
    venue.okx_swap["BTC-USD-SWAP"] = "70050.5"
    p = book(holding("BTC", "1", "69000")).model_copy(
        update={"hedge": HedgeSettings(families={"BTC": "OKX-INVERSE-BTC"})}
    )
    result = refresh_portfolio(p, sources(venue), NOW)
    assert result.portfolio.hedge.futures_prices["BTC"] == Decimal("70050.5")
    q = result.portfolio.quotes["FUT:BTC"]
    assert q.source == "OKX · BTC-USD-SWAP, your hedge contract"
    assert venue.count("/fapi") == 0  # the perpetual stand-in was not needed
    # Not listed (or unreachable): the USDT perpetual stands in, as before.
    del venue.okx_swap["BTC-USD-SWAP"]
    fallback = refresh_portfolio(p, sources(venue), NOW)
    assert fallback.portfolio.quotes["FUT:BTC"].source == "Binance · BTCUSDT perpetual"
    assert fallback.kept == {}
