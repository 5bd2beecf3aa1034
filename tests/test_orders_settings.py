"""Safe defaults, the dollar target, one reading of every percent, schema 2 files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hedger.cli import main
from hedger.cli.analytics import fixed, pct, usd
from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import (
    PORTFOLIO_SCHEMA_VERSION,
    FuturesPriceStamp,
    HedgeSettings,
    Holding,
    Portfolio,
    UnderlyingSettings,
)
from hedger.core.percent import PercentError, parse_share
from hedger.core.planner import plan_portfolio
from hedger.services.leverage import leverage_advice_for, measured_daily_vols
from hedger.store import migrations
from hedger.store.portfolio_file import (
    NewerSchemaError,
    dumps_portfolio,
    load_portfolio,
    loads_portfolio,
)

D = Decimal
CATALOG = builtin_catalog()


def one_btc(**hedge: Any) -> Portfolio:
    return Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D(1), price=D(70000)),),
        hedge=HedgeSettings.model_validate(hedge),
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- defaults


def test_a_new_portfolio_takes_a_real_family_at_2x() -> None:
    assert HedgeSettings().leverage == 2
    u = plan_portfolio(one_btc(), CATALOG).underlying("BTC")
    assert u is not None and u.family is not None and u.family.id == "CME-BTC"
    assert u.leverage == 2
    generic = CATALOG.family("GENERIC-BTC")
    assert generic.notes is not None and "no exchange lists them" in generic.notes


def test_the_remembered_family_wins_while_it_fits() -> None:
    assert CATALOG.default_family_for("BTC", remembered="DERIBIT-BTC") == "DERIBIT-BTC"
    assert CATALOG.default_family_for("ETH", remembered="DERIBIT-BTC") == "CME-ETH"


def test_leverage_warns_above_one_bad_day() -> None:
    u = plan_portfolio(one_btc(families={"BTC": "OKX-BTC"}, leverage="10"), CATALOG)
    btc = u.underlying("BTC")
    assert btc is not None and btc.leverage_advice is not None
    advice = btc.leverage_advice
    assert advice.too_high and advice.max_safe == D("7.5")
    assert advice.vol_source == "Hedger's default" and advice.daily_vol == D("0.04")
    assert advice.words in btc.warnings
    assert "Leverage 10x: a one-day 3-sigma move of BTC (+12.7 %" in advice.words
    calm = plan_portfolio(one_btc(families={"BTC": "OKX-BTC"}), CATALOG).underlying("BTC")
    assert calm is not None and calm.leverage_advice is not None
    assert not calm.leverage_advice.too_high
    assert not any("one-day" in w for w in calm.warnings)


class FakeHistory:
    """A SeriesSource with one BTC history of 2 % daily log returns."""

    def __init__(self) -> None:
        rng = np.random.default_rng(5)
        closes = 70000 * np.exp(np.cumsum(rng.normal(0, 0.02, 200)))
        ts = np.arange(200, dtype=np.int64) * NS_PER_DAY
        self._series = PriceSeries("BTC", ts, closes)

    def symbols(self) -> frozenset[str]:
        return frozenset({"BTC"})

    def series(self, symbols: Any) -> dict[str, PriceSeries]:
        return {s: self._series for s in symbols if s == "BTC"}


def test_volatility_from_stored_history() -> None:
    vols = measured_daily_vols(["BTC", "ETH"], FakeHistory())
    assert set(vols) == {"BTC"}
    vol, source = vols["BTC"]
    assert D("0.015") < vol < D("0.025") and source == "BTC history, last 90 days"
    p = one_btc(families={"BTC": "OKX-BTC"}, leverage="10")
    u = plan_portfolio(p, CATALOG, daily_vols=vols).underlying("BTC")
    assert u is not None and u.leverage_advice is not None
    assert u.leverage_advice.vol_source == source and not u.leverage_advice.too_high
    advice = leverage_advice_for(p, CATALOG, "BTC", D(20), FakeHistory())
    assert advice is not None and advice.too_high and advice.daily_vol == vol


# --------------------------------------------------------------------------- dollar target


def test_hedge_a_dollar_amount_example_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "p.json"
    doc = {
        "schema_version": 2,
        "name": "t",
        "holdings": [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
        "hedge": {"families": {"BTC": "GENERIC-BTC"}},
    }
    path.write_text(json.dumps(doc))
    code, out, err = run(capsys, "plan", str(path), "--json", "--target", "BTC=1500USD")
    assert code == 0, err
    btc = json.loads(out)["underlyings"][0]
    assert btc["target_source"] == "usd" and btc["target_usd"] == "1500"
    assert btc["untargeted_usd"] == "68500"
    micro = next(o for o in btc["options"] if o["name"] == "micro")
    assert micro["contracts"] == 2 and micro["residual_usd"] == "100"
    assert micro["order_text"] == (
        "Sell 2 contracts of Micro Bitcoin future (0.01 BTC) (0.02 BTC) — hedges 1,400 USD, "
        "100 USD left unhedged by rounding; 68,500 USD not targeted by your 1,500 USD target, "
        "700 USD margin at 2x"
    )


def test_words_separate_rounding_from_the_ratio() -> None:
    p = one_btc(families={"BTC": "GENERIC-BTC"}, ratio="0.5")
    u = plan_portfolio(p, CATALOG).underlying("BTC")
    assert u is not None
    mix = u.option("mix")
    assert mix is not None
    assert "0 USD left unhedged by rounding" in mix.order_text()
    assert "35,000 USD not targeted by your 50 % ratio" in mix.order_text()


# --------------------------------------------------------------------------- percent


@pytest.mark.parametrize(
    ("text", "value"),
    [("50%", "0.5"), ("50 %", "0.5"), ("0.5", "0.5"), ("1", "1"), ("150%", "1.5"), ("2", "2")],
)
def test_one_reading_of_a_share(text: str, value: str) -> None:
    assert parse_share(text, what="hedge ratio", high=D(2)) == D(value)


def test_a_bare_number_meant_as_per_cent_is_refused_with_both_readings() -> None:
    with pytest.raises(PercentError) as info:
        parse_share("50", what="hedge ratio", high=D(2))
    assert str(info.value) == (
        "hedge ratio: a bare 50 is read as a fraction, which would be 5000 %; "
        "write 50% for 50 per cent (or 0.5 as a fraction)"
    )
    with pytest.raises(PercentError, match="which would be 100 %"):
        parse_share("1", what="risk", bare_max=D(1), bare_max_inclusive=False)


@pytest.mark.parametrize(
    ("argv", "ok"),
    [
        (["--ratio", "50%"], True),
        (["--ratio", "0.5"], True),
        (["--ratio", "50"], False),
        (["--rally", "30%"], True),
        (["--rally", "0.3"], True),
        (["--rally", "30"], False),
    ],
)
def test_plan_percent_options(
    capsys: pytest.CaptureFixture[str], argv: list[str], ok: bool
) -> None:
    from hedger.core.resources import resource_path

    code, _, err = run(capsys, "plan", str(resource_path("samples", "core-stack.json")), *argv)
    assert (code == 0) is ok, err
    if not ok:
        assert err.count("\n") == 1 and "write " in err and "% for " in err


def test_json_never_prints_negative_zero() -> None:
    assert usd(-0.001) == "0.00" and pct(-0.00001) == "0.00"
    assert fixed(-0.004, grouped=True) == "0.00" and usd(-0.01) == "-0.01"


# --------------------------------------------------------------------------- file v2


def test_a_v1_file_opens_unchanged_and_saves_as_v2(tmp_path: Path) -> None:
    v1 = {
        "schema_version": 1,
        "name": "old",
        "holdings": [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
        "hedge": {"ratio": "1", "rounding": "nearest", "families": {}},
    }
    p = loads_portfolio(json.dumps(v1), "old.json")
    # Schema 1 left the leverage out only when it was that version's default, 10.
    assert p.hedge.leverage == 10 and p.schema_version == 2
    assert loads_portfolio(json.dumps({**v1, "hedge": None}), "x.json").hedge.leverage == 10
    written = json.loads(dumps_portfolio(p))
    assert written["schema_version"] == PORTFOLIO_SCHEMA_VERSION == 2
    assert written["hedge"]["leverage"] == "10"
    assert "margin_mode" not in written["hedge"]  # defaults are left out


def test_schema_2_fields_round_trip(tmp_path: Path) -> None:
    when = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    hedge = HedgeSettings(
        families={"BTC": "CME-BTC"},
        futures_prices={"BTC": D(70500)},
        futures_price_stamps={"BTC": FuturesPriceStamp(typed_at=when, spot=D(70100))},
        margin_mode="cross",
        rally=D("0.4"),
        account="professional",
        per_underlying={
            "BTC": UnderlyingSettings(
                target_usd=D(1500), collateral_usd=D(9000), margin_mode="isolated"
            )
        },
    )
    p = Portfolio(name="v2", holdings=(), hedge=hedge)
    text = dumps_portfolio(p)
    doc = json.loads(text)["hedge"]
    assert doc["futures_price_stamps"] == {
        "BTC": {"typed_at": "2026-12-06T10:00:00+00:00", "spot": "70100"}
    }
    assert (doc["margin_mode"], doc["rally"], doc["account"]) == ("cross", "0.4", "professional")
    assert doc["per_underlying"]["BTC"] == {
        "target_usd": "1500",
        "collateral_usd": "9000",
        "margin_mode": "isolated",
    }
    assert loads_portfolio(text, "v2.json") == p


def test_a_v1_only_reader_refuses_a_v2_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "new.json"
    path.write_text(dumps_portfolio(one_btc()), encoding="utf-8")
    monkeypatch.setattr(migrations, "PORTFOLIO", migrations.Chain("portfolio", 1, {}))
    with pytest.raises(NewerSchemaError) as info:
        load_portfolio(path)
    assert str(info.value) == (
        "new.json: written by a newer Hedger (schema 2; this version reads up to 1)"
    )
