"""Drift findings and ``hedger check``'s exit codes on hand-built books."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from hedger.cli import main
from hedger.core.catalog import builtin_catalog
from hedger.core.models import (
    DriftRules,
    FuturesPriceStamp,
    HedgeSettings,
    Holding,
    Portfolio,
    Position,
    Quote,
)
from hedger.services.checks import check_portfolio
from hedger.store.portfolio_file import portfolio_to_dict

CATALOG = builtin_catalog()
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def book(*positions: Position, drift: DriftRules | None = None, **hedge: object) -> Portfolio:
    return Portfolio(
        name="Book",
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings.model_validate({"families": {"BTC": "CME-BTC"}, **hedge}),
        positions=positions,
        drift=drift or DriftRules(),
    )


def mbt(q: str, **kw: object) -> Position:
    return Position.model_validate(
        {
            "contract": "CME:MBT",
            "quantity": q,
            "entry_price": "70000",
            "collateral_usd": "20000",
            **kw,
        }
    )


def kinds(p: Portfolio, now: datetime = NOW) -> list[str]:
    return [f.kind for f in check_portfolio(p, CATALOG, now)]


def test_a_hedge_inside_its_band_needs_nothing() -> None:
    assert kinds(book(mbt("-5", expiry="2027-03-26"))) == []


def test_outside_the_band_says_the_order() -> None:
    findings = check_portfolio(book(mbt("-3", expiry="2027-03-26")), CATALOG, NOW)
    assert [f.kind for f in findings] == ["band"]
    assert findings[0].line == (
        "BTC: hedge 21,000 USD is 40 % under the 35,000 USD target (band ± 5 %): "
        "Sell 2 more contracts of CME Micro Bitcoin (MBT) (0.2 BTC)"
    )


def test_a_usd_band_can_hold_what_a_percent_band_does_not() -> None:
    wide = DriftRules(band_usd=D(15000))
    assert kinds(book(mbt("-3", expiry="2027-03-26"), drift=wide)) == []


def test_no_position_held_is_outside_the_band() -> None:
    findings = check_portfolio(book(), CATALOG, NOW)
    assert [f.kind for f in findings] == ["band"]
    assert "no futures position held" in findings[0].text


def test_liquidation_close_to_the_price() -> None:
    # 5 MBT short at 70,000 with 14,000 USD behind it, maintenance 36 % (12,600):
    # liquidated near 72,800, 4 % above.
    thin = mbt("-5", collateral_usd="14000", expiry="2027-03-26")
    findings = check_portfolio(book(thin), CATALOG, NOW)
    assert [f.kind for f in findings] == ["liquidation"]
    assert "above the futures price 70,000 (alert within 15 %)" in findings[0].text
    assert "near 72,800, only 4 % above" in findings[0].text
    assert kinds(book(thin, drift=DriftRules(liquidation_within=D("0.03"))), NOW) == []
    gone = mbt("-5", collateral_usd="3500", expiry="2027-03-26")
    assert "past its liquidation price" in check_portfolio(book(gone), CATALOG, NOW)[0].text


def test_dated_contract_near_expiry_by_its_own_date_or_the_front_month() -> None:
    soon = mbt("-5", expiry=(NOW.date() + timedelta(days=3)).isoformat())
    findings = check_portfolio(book(soon), CATALOG, NOW)
    assert [f.kind for f in findings] == ["expiry"]
    assert "in 3 days: roll or close it" in findings[0].text
    # No date given: CME MBT's next expiry is the last Friday of December 2026.
    front = mbt("-5")
    assert kinds(book(front), datetime(2026, 12, 21, tzinfo=UTC)) == ["expiry"]
    assert kinds(book(front), datetime(2026, 12, 1, tzinfo=UTC)) == []
    gone = mbt("-5", expiry="2026-11-27")
    assert "expired on 2026-11-27" in check_portfolio(book(gone), CATALOG, NOW)[0].text


def test_old_prices_fetched_or_typed() -> None:
    old = NOW - timedelta(hours=30)
    p = book(mbt("-5", expiry="2027-03-26")).model_copy(
        update={"quotes": {"BTC": Quote(price=D(70000), source="Binance", fetched_at=old)}}
    )
    findings = check_portfolio(p, CATALOG, NOW)
    assert [f.kind for f in findings] == ["prices"]
    assert "prices older than 24 h: BTC (30 h)" in findings[0].text
    assert kinds(p.model_copy(update={"drift": DriftRules(price_max_age_hours=48)})) == []
    typed = book(
        mbt("-5", expiry="2027-03-26"),
        futures_prices={"BTC": "70000"},
        futures_price_stamps={"BTC": FuturesPriceStamp(old, D(70000))},
    )
    assert kinds(typed) == ["prices"]


def test_unknown_contract_is_a_problem() -> None:
    p = book(
        mbt("-5", expiry="2027-03-26"), Position(contract="NOPE:X", quantity=D(1), entry_price=D(1))
    )
    assert kinds(p) == ["problem"]


# --------------------------------------------------------------------------- the command


def write(path: Path, p: Portfolio) -> Path:
    path.write_text(json.dumps(portfolio_to_dict(p)), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_and_quiet_when_nothing_needs_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(tmp_path / "ok.json", book(mbt("-5", expiry="2027-03-26")))
    assert run(capsys, str(f)) == (0, "", "")
    code, out, _ = run(capsys, str(f), "--verbose")
    assert code == 0 and out.endswith("ok.json: ok, nothing needs action\n")


def test_exit_3_with_one_line_per_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = write(tmp_path / "ok.json", book(mbt("-5", expiry="2027-03-26")))
    off = write(tmp_path / "off.json", book(mbt("-3", collateral_usd="2000", expiry="2027-03-26")))
    code, out, err = run(capsys, str(ok), str(off))
    assert code == 3 and err == ""
    lines = out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{off}: BTC: ") for line in lines)
    code, out, _ = run(capsys, str(off), "--json")
    doc = json.loads(out)
    assert code == 3 and doc["needs_action"] is True
    assert [f["kind"] for f in doc["files"][0]["findings"]] == ["band", "liquidation"]


def test_exit_2_on_bad_input_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    off = write(tmp_path / "off.json", book(mbt("-3", expiry="2027-03-26")))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, out, err = run(capsys, str(off), str(bad), str(tmp_path / "missing.json"))
    assert code == 2
    assert out.startswith(f"{off}: BTC: hedge")  # the readable file is still checked
    assert err.count("\n") == 1 and err.startswith("hedger: bad.json: not a Hedger portfolio")
    assert "missing.json: file not found" in err
    assert run(capsys)[0] == 2  # no file at all


def test_check_as_a_process_for_cron(tmp_path: Path, data_dir: Path) -> None:
    f = write(tmp_path / "off.json", book(mbt("-3", expiry="2027-03-26")))
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "hedger", "check", str(f)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 3 and proc.stderr == ""
    assert proc.stdout.count("\n") == 1
