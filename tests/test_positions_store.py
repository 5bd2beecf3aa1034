"""Positions, drift rules and the journal in the portfolio file (schema 2)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from hedger.core.models import DriftRules, Holding, JournalEntry, Portfolio, Position
from hedger.store import migrations
from hedger.store.atomic import backup_path
from hedger.store.portfolio_file import (
    NewerSchemaError,
    PortfolioFileError,
    dumps_portfolio,
    load_portfolio,
    loads_portfolio,
    portfolio_from_dict,
    save_portfolio,
)

V1 = {
    "schema_version": 1,
    "name": "Old book",
    "holdings": [{"symbol": "BTC", "quantity": "0.5", "price": "70000"}],
    "hedge": {"ratio": "1", "families": {"BTC": "CME-BTC"}},
}


def held_book() -> Portfolio:
    return Portfolio(
        name="Held",
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),),
        positions=(
            Position(
                contract="CME:MBT",
                quantity=Decimal(-3),
                entry_price=Decimal("69000.5"),
                account="broker",
                expiry=date(2026, 12, 25),
            ),
            Position(
                contract="BINANCE:BTCUSDT",
                quantity=Decimal(-50),
                entry_price=Decimal(70100),
                margin_mode="cross",
                collateral_usd=Decimal(2000),
                source="ccxt:binanceusdm",
            ),
        ),
        drift=DriftRules(band_usd=Decimal(500), expiry_days=3),
        journal=(
            JournalEntry(
                at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
                kind="placed",
                underlying="BTC",
                contract="CME:MBT",
                change=Decimal(-3),
                before=Decimal(0),
                after=Decimal(-3),
                futures_price=Decimal(69000),
                spot_price=Decimal(68900),
                text="Sell 3 contracts of CME Micro Bitcoin (MBT) (0.3 BTC)",
            ),
        ),
    )


def test_round_trip_keeps_every_field() -> None:
    book = held_book()
    text = dumps_portfolio(book)
    assert loads_portfolio(text, "held.json") == book
    doc = json.loads(text)
    assert doc["schema_version"] == 2
    assert doc["positions"][0] == {
        "contract": "CME:MBT",
        "quantity": "-3",
        "entry_price": "69000.5",
        "account": "broker",
        "expiry": "2026-12-25",
    }
    assert doc["drift"]["band_usd"] == "500"
    # One position and one journal entry per line, like the holdings.
    assert '    {"contract": "BINANCE:BTCUSDT", "quantity": "-50"' in text


def test_defaults_are_not_written() -> None:
    doc = json.loads(dumps_portfolio(Portfolio(name="Plain")))
    assert "positions" not in doc and "journal" not in doc and "drift" not in doc


def test_v1_file_opens_unchanged_with_nothing_held(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    raw = json.dumps(V1)
    path.write_text(raw, encoding="utf-8")
    p = load_portfolio(path)
    assert p.positions == () and p.journal == () and p.drift == DriftRules()
    assert p.hedge.leverage == 10  # v1's default leverage is kept
    assert path.read_text(encoding="utf-8") == raw  # loading never writes


def test_v1_keys_that_were_not_hedgers_are_not_read_as_positions() -> None:
    doc = {**V1, "positions": [{"contract": "CME:MBT", "quantity": "-9", "entry_price": "1"}]}
    assert portfolio_from_dict(doc, "x.json").positions == ()


def test_a_v1_file_is_saved_as_v2_and_never_loses_data(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(V1), encoding="utf-8")
    p = load_portfolio(path)
    p = p.model_copy(update={"positions": held_book().positions})
    save_portfolio(path, p)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 2
    assert len(doc["positions"]) == 2
    assert doc["hedge"]["leverage"] == "10"
    assert doc["holdings"] == V1["holdings"]
    assert load_portfolio(path) == p
    # The v1 original is kept beside it, untouched.
    assert json.loads(backup_path(path).read_text(encoding="utf-8")) == V1


def test_a_reader_of_version_1_only_refuses_the_new_file_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = dumps_portfolio(held_book())
    old_chain = migrations.Chain("portfolio", 1, {})
    monkeypatch.setattr(migrations, "PORTFOLIO", old_chain)
    with pytest.raises(NewerSchemaError) as err:
        loads_portfolio(text, "held.json")
    assert (
        str(err.value)
        == "held.json: written by a newer Hedger (schema 2; this version reads up to 1)"
    )


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ({"contract": "mbt", "quantity": "-3", "entry_price": "1"}, "positions[0].contract"),
        ({"contract": "CME:MBT", "quantity": "x", "entry_price": "1"}, "positions[0].quantity"),
        ({"contract": "CME:MBT", "quantity": "-3", "entry_price": "0"}, "entry_price"),
        (
            {"contract": "CME:MBT", "quantity": "1", "entry_price": "1", "margin_mode": "x"},
            "margin_mode",
        ),
    ],
)
def test_bad_positions_are_refused_with_where(position: dict[str, str], message: str) -> None:
    doc = {**V1, "schema_version": 2, "positions": [position]}
    with pytest.raises(PortfolioFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        portfolio_from_dict(doc, "bad.json")


def test_oversized_position_lists_are_refused_before_validation() -> None:
    row = {"contract": "CME:MBT", "quantity": "1", "entry_price": "1"}
    doc = {**V1, "schema_version": 2, "positions": [row] * 10_001}
    with pytest.raises(PortfolioFileError, match="positions: more than 10,000 entries"):
        portfolio_from_dict(doc, "big.json")
