"""Orders in each venue's own terms (domain.md §5, example 11; venue-facts.md).

The known book: 0.386 BTC at 97,000 (37,442 USD), futures = spot, rounding
nearest. What each venue's order form takes, in the plan, its order text and
``hedger plan --json``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hedger.cli import main
from hedger.core.catalog import Catalog, Contract, builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.orders import check_quantity, lot_contracts, lot_units, ticket
from hedger.core.planner import HedgeOption, plan_portfolio

D = Decimal

# family, option, text that starts the order, (side, quantity, unit), contracts
BOOK: list[tuple[str, str, str, tuple[str, str, str], int | float]] = [
    (
        "BINANCE-USDM-BTC",
        "nano",
        "Sell 0.386 BTC of Binance BTCUSDT perpetual (USD-M) (386 contracts of 0.001 BTC)",
        ("sell", "0.386", "BTC"),
        386,
    ),
    (
        "BYBIT-BTC",
        "nano",
        "Sell 0.386 BTC of Bybit BTCUSDT perpetual (386 contracts of 0.001 BTC)",
        ("sell", "0.386", "BTC"),
        386,
    ),
    (
        "DERIBIT-BTC",
        "mini",
        "Sell 37,440 USD of Deribit BTC-PERPETUAL (inverse) (3,744 contracts of 10 USD)",
        ("sell", "37440", "USD"),
        3744,
    ),
    (
        "BYBIT-INVERSE-BTC",
        "micro",
        "Sell 37,442 USD of Bybit BTCUSD inverse perpetual (37,442 contracts of 1 USD)",
        ("sell", "37442", "USD"),
        37442,
    ),
    (
        "KRAKEN-BTC",
        "micro",
        "Sell 37,442 USD of Kraken inverse BTC perpetual (PI_XBTUSD) (37,442 contracts of 1 USD)",
        ("sell", "37442", "USD"),
        37442,
    ),
    (
        # The venue's lot is 0.01 contract: 38.6, not domain.md's 39 whole contracts.
        "OKX-BTC",
        "micro",
        "Sell 38.6 contracts of OKX BTC-USDT perpetual swap (0.386 BTC)",
        ("sell", "38.6", "contracts"),
        38.6,
    ),
    (
        "BINANCE-COINM-BTC",
        "standard",
        "Sell 374 contracts of Binance BTCUSD perpetual (COIN-M) (37,400 USD)",
        ("sell", "374", "contracts"),
        374,
    ),
    (
        "CME-BTC",
        "micro",
        "Sell 4 contracts of CME Micro Bitcoin (MBT) (0.4 BTC)",
        ("sell", "4", "contracts"),
        4,
    ),
    (
        "COINBASE-BTC",
        "nano",
        "Sell 39 contracts of Coinbase nano Bitcoin (BIT) (0.39 BTC)",
        ("sell", "39", "contracts"),
        39,
    ),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return builtin_catalog()


def book(family: str, **hedge: Any) -> Portfolio:
    return Portfolio(
        name="book",
        holdings=(Holding(symbol="BTC", quantity=D("0.386"), price=D(97000)),),
        hedge=HedgeSettings(families={"BTC": family}, **hedge),
    )


def option_of(portfolio: Portfolio, catalog: Catalog, name: str) -> HedgeOption:
    u = plan_portfolio(portfolio, catalog).underlying("BTC")
    assert u is not None and u.problem is None, u and u.problem
    o = u.option(name)
    assert o is not None
    return o


@pytest.mark.parametrize(("family", "name", "text", "order", "contracts"), BOOK)
def test_order_text_in_the_venues_terms(
    catalog: Catalog,
    family: str,
    name: str,
    text: str,
    order: tuple[str, str, str],
    contracts: int | float,
) -> None:
    o = option_of(book(family), catalog, name)
    assert o.order_text(D(2)).startswith(text + " — hedges ")
    t = o.order
    assert t is not None and t.valid
    assert (t.side, str(t.quantity), t.unit) == order
    assert o.contracts == D(str(contracts))
    # Copy puts exactly what the form's quantity field takes.
    assert t.copy_text == order[1]


@pytest.mark.parametrize(("family", "name", "text", "order", "contracts"), BOOK)
def test_plan_json_carries_the_order(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    family: str,
    name: str,
    text: str,
    order: tuple[str, str, str],
    contracts: int | float,
) -> None:
    path = tmp_path / "book.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "name": "book",
                "holdings": [{"symbol": "BTC", "quantity": "0.386", "price": "97000"}],
                "hedge": {"families": {"BTC": family}},
            }
        ),
        encoding="utf-8",
    )
    assert main(["plan", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [btc] = data["underlyings"]
    [opt] = [o for o in btc["options"] if o["name"] == name]
    got = opt["order"]
    assert (got["side"], got["quantity"], got["unit"]) == order
    assert opt["contracts"] == contracts
    assert got["valid"] is True and got["problems"] == []
    assert got["text"] == text
    assert opt["order_text"].startswith(text)
    # The keys that were there before stay.
    for key in ("contracts", "legs", "hedged_usd", "residual_usd", "liquidation_price"):
        assert key in opt


def test_plan_table_has_the_order_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "book.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "name": "book",
                "holdings": [{"symbol": "BTC", "quantity": "0.386", "price": "97000"}],
                "hedge": {"families": {"BTC": "DERIBIT-BTC"}},
            }
        ),
        encoding="utf-8",
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.lstrip().startswith("*  mini"))
    assert row.split()[2:6] == ["37,440", "USD", "3,744", "37,440"]
    assert "Sell 37,440 USD of Deribit BTC-PERPETUAL" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_lots_follow_the_venues_step(catalog: Catalog) -> None:
    c = catalog.contracts
    assert lot_contracts(c["OKX:BTC-USDT-SWAP"]) == D("0.01")
    assert lot_units(c["OKX:BTC-USDT-SWAP"]) == D("0.0001")
    assert lot_contracts(c["BINANCE:BTCUSDT"]) == 1
    assert lot_units(c["DERIBIT:BTC-PERPETUAL"]) == 10
    assert lot_contracts(c["CME:MBT"]) == 1


def test_below_the_minimum_order_value_names_the_nearest_valid_order(catalog: Catalog) -> None:
    # Binance BTCUSDT: 100 USDT minimum. 0.001 BTC at 70,000 is 70 USDT.
    t = ticket(catalog.contracts["BINANCE:BTCUSDT"], 1, "sell", D(70000))
    assert not t.valid
    assert "below the venue's minimum order value of 100 USDT" in t.problems[0]
    assert t.nearest == D("0.002") and t.nearest_text == "0.002 BTC"
    # The plan says it with the option.
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.001"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "BINANCE-USDM-BTC"}),
    )
    o = option_of(p, catalog, "nano")
    assert any("the nearest valid order is 0.002 BTC" in w for w in o.warnings)


def test_off_step_and_below_minimum_quantities(catalog: Catalog) -> None:
    okx = catalog.contracts["OKX:BTC-USDT-SWAP"]
    t = check_quantity(okx, D("0.005"), "sell", D(70000))
    assert len(t.problems) == 2 and t.nearest == D("0.01")
    t = check_quantity(okx, D("38.604"), "sell", D(70000))
    assert t.problems == (
        "OKX:BTC-USDT-SWAP: 38.604 contracts is not a multiple of the step 0.01 contracts",
    )
    assert t.nearest == D("38.6")
    deribit = catalog.contracts["DERIBIT:BTC-PERPETUAL"]
    t = check_quantity(deribit, D(37442), "sell", D(97000))
    assert t.nearest == D(37440) and "multiple of the step 10 USD" in t.problems[0]
    assert check_quantity(deribit, D(37440), "sell", D(97000)).valid


def test_a_users_own_contract_defaults_to_whole_contracts() -> None:
    c = Contract.model_validate(
        {
            "id": "MY:SOL",
            "venue": "MY",
            "symbol": "SOL",
            "name": "My SOL future",
            "underlying": "SOL",
            "tier": "micro",
            "kind": "linear",
            "size": "1",
            "source": "me",
            "as_of": "2026-12-01",
        }
    )
    assert (c.order_unit, c.quantity_step, c.min_quantity) == ("contracts", 1, None)
    t = ticket(c, 3, "sell", D(150))
    assert t.text == "Sell 3 contracts of My SOL future (3 SOL)" and t.valid
    with pytest.raises(ValueError, match="order_unit 'usd' is for inverse"):
        Contract.model_validate({**c.model_dump(), "order_unit": "usd"})


def test_contracts_add_takes_the_order_unit(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    argv = [
        "contracts",
        "add",
        "MY:XBT",
        "--name",
        "My perp",
        "--underlying",
        "BTC",
        "--tier",
        "nano",
        "--kind",
        "linear",
        "--size",
        "0.001",
        "--order-unit",
        "coin",
        "--step",
        "0.001",
        "--min-quantity",
        "0.002",
        "--initial-margin-usd",
        "50",
    ]
    assert main(argv) == 0
    saved = json.loads((data_dir / "contracts.json").read_text(encoding="utf-8"))
    [mine] = saved["contracts"]
    assert (mine["order_unit"], mine["min_quantity"], mine["initial_margin_usd"]) == (
        "coin",
        "0.002",
        "50",
    )
    capsys.readouterr()


def test_when_nothing_fits_the_smallest_valid_order_is_named() -> None:
    # Audit 11-7: 0.0004 BTC at 97,000 on Binance: 0 lots, and Binance asks 100 USDT.
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.0004"), price=D(97000)),),
        hedge=HedgeSettings(families={"BTC": "BINANCE-USDM-BTC"}),
    )
    u = plan_portfolio(p, builtin_catalog()).underlying("BTC")
    assert u is not None
    (o,) = u.options
    assert not o.trades and o.smallest_order is not None
    assert o.order_text() == (
        "No nano contract fits: 39 USD stays unhedged; the smallest order the venue accepts "
        "is 0.002 BTC (194 USD)"
    )
