"""Fresh futures prices: a typed price remembers when and against which spot.

The issue's case: the old sample shipped ``"futures_prices": {"BTC": "70000"}``;
with BTC spot at 100,000 the plan sized 8 MBT off the stale 70,000 and said
nothing. Now the panel, the plan and ``hedger plan`` warn and offer spot.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.cli import main
from hedger.core.catalog import builtin_catalog
from hedger.core.freshness import check_futures_price, stamp_futures_price
from hedger.core.models import HedgeSettings, Holding, Portfolio, Quote
from hedger.core.planner import plan_portfolio
from hedger.services.portfolios import apply_overrides

D = Decimal
CATALOG = builtin_catalog()
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

# The sample as version 1 shipped it, after the user typed BTC spot 100,000.
OLD_SAMPLE = {
    "schema_version": 1,
    "name": "Sample — Core stack",
    "holdings": [
        {"symbol": "BTC", "quantity": "0.5", "price": "100000"},
        {"symbol": "ETH", "quantity": "4", "price": "3500"},
        {"symbol": "SOL", "quantity": "12", "price": "150", "beta": "1.5", "hedge_with": "BTC"},
        {"symbol": "USDC", "quantity": "2000", "price": "1"},
    ],
    "hedge": {
        "ratio": "1",
        "rounding": "nearest",
        "leverage": "2",
        "families": {"BTC": "CME-BTC", "ETH": "CME-ETH"},
        "futures_prices": {"BTC": "70000"},
    },
}


def write(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_stale_sample_warns_in_the_plan(tmp_path: Path) -> None:
    from hedger.store.portfolio_file import load_portfolio

    plan = plan_portfolio(load_portfolio(write(tmp_path, OLD_SAMPLE)), CATALOG)
    btc = plan.underlying("BTC")
    assert btc is not None and btc.futures_check is not None
    check = btc.futures_check
    assert check.origin == "typed" and check.stale and check.suggest_spot
    assert check.basis == D("-0.3")
    [finding] = check.findings
    assert "70,000 is 30 % below spot 100,000" in finding
    assert "more than a plausible basis for a dated future (10 %)" in finding
    assert "Use spot (100,000) or refresh the futures price" in finding
    assert finding in btc.warnings


def test_hedger_plan_warns_and_use_spot_fixes_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, OLD_SAMPLE)
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "futures 70,000.00 USD (typed)" in out
    assert "is 30 % below spot 100,000" in out
    assert "use spot with --price BTC=spot, or fetch the futures price with" in out
    assert main(["plan", str(path), "--json"]) == 0
    btc = json.loads(capsys.readouterr().out)["underlyings"][0]
    assert btc["futures_price_check"]["stale"] is True
    assert btc["futures_price_check"]["suggest_spot"] is True
    assert btc["futures_price_check"]["basis_pct"] == "-30"
    # "Use spot": 52,700 USD at 100,000 is 5 MBT, and no warning.
    assert main(["plan", str(path), "--json", "--price", "BTC=spot"]) == 0
    btc = json.loads(capsys.readouterr().out)["underlyings"][0]
    assert btc["futures_price"] == "100000" and btc["futures_price_from_spot"] is True
    assert btc["futures_price_check"]["findings"] == []
    mix = next(o for o in btc["options"] if o["name"] == "mix")
    assert mix["order"]["quantity"] == "5" and mix["order"]["unit"] == "contracts"


def test_a_typed_price_remembers_the_spot_it_was_typed_against() -> None:
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D(1), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
    )
    typed = apply_overrides(p, CATALOG, prices=[("BTC", D(70400))], now=NOW)
    stamp = typed.hedge.futures_price_stamps["BTC"]
    assert stamp.typed_at == NOW and stamp.spot == D(70000)
    u = plan_portfolio(typed, CATALOG).underlying("BTC")
    assert u is not None and u.futures_check is not None and not u.futures_check.stale
    # Spot moves 5 % after the futures price was typed: warn.
    moved = typed.model_copy(
        update={"holdings": (Holding(symbol="BTC", quantity=D(1), price=D(73500)),)}
    )
    u = plan_portfolio(moved, CATALOG).underlying("BTC")
    assert u is not None and u.futures_check is not None
    [finding] = u.futures_check.findings
    assert "BTC spot has moved up 5 % since the futures price 70,400 was typed" in finding
    assert "(spot was 70,000, now 73,500)" in finding


def test_spot_drops_a_typed_price_and_its_stamp() -> None:
    settings = stamp_futures_price(HedgeSettings(), "BTC", D(70400), NOW, D(70000))
    assert "BTC" in settings.futures_price_stamps
    cleared = stamp_futures_price(settings, "BTC", None, NOW, D(70000))
    assert cleared.futures_prices == {} and cleared.futures_price_stamps == {}


def test_a_fetched_mark_price_is_checked_like_a_typed_one() -> None:
    # Audit 11-2: a fetched mark is the venue's price when it was fetched, no more.
    quote = Quote(price=D(70000), source="okx:BTC-USDT-SWAP", fetched_at=NOW, kind="futures")
    settings = HedgeSettings(futures_prices={"BTC": D(70000)})
    fresh = check_futures_price("BTC", settings, {"FUT:BTC": quote}, D(70500), "perpetual", NOW)
    assert fresh.origin == "fetched" and fresh.fetched_at == NOW and not fresh.stale
    far = check_futures_price("BTC", settings, {"FUT:BTC": quote}, D(100000), "perpetual", NOW)
    [finding] = far.findings
    assert finding.startswith("The BTC futures price 70,000 is 30 % below spot 100,000")
    assert far.suggest_spot and far.suggest_refresh
    later = NOW + timedelta(days=5)
    old = check_futures_price("BTC", settings, {"FUT:BTC": quote}, D(70500), "perpetual", later)
    [finding] = old.findings
    assert "was fetched 5 days ago, longer than 24 h" in finding
    assert finding.endswith("Use spot or refresh the futures price.")
    # Without the time now, its age is not judged (a plan of a file, in a test).
    assert not check_futures_price("BTC", settings, {"FUT:BTC": quote}, D(70500), "perpetual").stale


@pytest.mark.parametrize(
    ("expiry", "futures", "stale"),
    [
        ("perpetual", "71000", False),  # 1.4 % over spot: funding keeps a perp near
        ("perpetual", "71500", True),  # 2.1 %: past a perpetual's plausible basis
        ("dated", "76000", False),  # 8.6 %: a quarterly in a hot market
        ("dated", "78000", True),  # 11.4 %
    ],
)
def test_basis_thresholds_per_expiry_style(expiry: str, futures: str, stale: bool) -> None:
    settings = HedgeSettings(futures_prices={"BTC": D(futures)})
    check = check_futures_price("BTC", settings, {}, D(70000), expiry)  # type: ignore[arg-type]
    assert check.stale is stale


def test_no_futures_price_means_spot_and_nothing_to_check() -> None:
    check = check_futures_price("BTC", HedgeSettings(), {}, D(70000), "dated")
    assert check.origin == "spot" and check.price == D(70000) and not check.stale


def test_the_samples_ship_no_futures_price() -> None:
    from hedger.core.resources import resource_path

    for name in ("core-stack.json", "beginner-1000.json"):
        doc = json.loads(resource_path("samples", name).read_text(encoding="utf-8"))
        assert not doc["hedge"].get("futures_prices"), name


FETCHED = {
    "schema_version": 2,
    "name": "f",
    "holdings": [{"symbol": "BTC", "quantity": "0.5", "price": "100000"}],
    "hedge": {
        "leverage": "2",
        "families": {"BTC": "BINANCE-USDM-BTC"},
        "futures_prices": {"BTC": "70000"},
    },
    "quotes": {
        "FUT:BTC": {
            "price": "70000",
            "source": "binance",
            "fetched_at": "2026-12-01T10:00:00+00:00",
            "kind": "futures",
        }
    },
}


def test_hedger_plan_warns_about_a_fetched_price_old_and_far_from_spot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Audit 11-2: 5 days old and 30 % under spot: sized 0.714 BTC for 0.5 held, silently.
    assert main(["plan", str(write(tmp_path, FETCHED))]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "futures 70,000.00 USD (fetched)" in out
    assert "The BTC futures price 70,000 was fetched" in out
    assert "The BTC futures price 70,000 is 30 % below spot 100,000" in out
    assert "→ use spot with --price BTC=spot" in out


@pytest.mark.gui
def test_the_panel_offers_spot_and_refresh_for_a_stale_fetched_price(
    qtbot: object, tmp_path: Path
) -> None:
    from hedger.store.portfolio_file import load_portfolio
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.hedge.panel import HedgePanel

    doc = PortfolioDocument(CATALOG, load_portfolio(write(tmp_path, FETCHED)))
    panel = HedgePanel(doc)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    bar = panel.freshness
    assert not bar.isHidden() and "was fetched" in bar.text.text()
    assert not bar.use_spot.isHidden() and not bar.refresh.isHidden()
    panel.use_spot("BTC")
    assert "BTC" not in doc.portfolio.hedge.futures_prices
