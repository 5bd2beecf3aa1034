"""Small things a user reads (audit 11-9, 11-10): no ``-0.00`` in ``hedger carry --json``,
no "−0" in the Risk tab, no literal ``%%`` in help."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from hedger.cli import main


def test_carry_json_never_prints_minus_zero(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hedger.cli.carry import _money, _pct, _rate_8h

    assert (_money(D("-0.004")), _pct(D("-0.00001")), _rate_8h(D("-1e-12"))) == (
        "0.00",
        "0.00",
        "0.000000",
    )
    # Audit's book: a typed BTC futures price and ETH from spot, whose basis is -0.
    doc = {
        "schema_version": 2,
        "name": "stale",
        "holdings": [
            {"symbol": "BTC", "quantity": "0.5", "price": "100000"},
            {"symbol": "ETH", "quantity": "4", "price": "3500"},
        ],
        "hedge": {
            "leverage": "2",
            "families": {"BTC": "CME-BTC", "ETH": "CME-ETH"},
            "futures_prices": {"BTC": "70000"},
        },
    }
    path = tmp_path / "stale.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["carry", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    json.loads(out)
    assert '"-0.00"' not in out and '"-0"' not in out


@pytest.mark.parametrize("command", ["plan", "carry"])
def test_help_shows_single_percent_signs(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "%%" not in out and "%" in out


def test_risk_tab_amounts_never_read_minus_zero() -> None:
    pytest.importorskip("PySide6")
    from hedger.ui.analytics.risk import _usd

    assert (_usd(-0.3), _usd(-0.0), _usd(-2.6), _usd(1234.4)) == ("0", "0", "−3", "1,234")


def test_an_option_before_the_command_says_where_it_goes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Audit 14-7: "hedger --json positions FILE" said "unknown command 'positions'".
    assert main(["--json", "positions", "book.json"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "hedger: options go after the command: hedger positions ... --json "
        "(see 'hedger positions --help')\n"
    )
