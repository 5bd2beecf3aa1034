"""hedger history / beta / backtest / risk / size from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hedger import cli

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "core-stack.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def one_error_line(err: str, *parts: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hedger: ")
    assert "Traceback" not in err
    for p in parts:
        assert p in lines[0]


def write_daily(path: Path, closes: np.ndarray, start: str = "2023-01-01") -> Path:
    days = np.arange(np.datetime64(start), np.datetime64(start) + closes.size)
    path.write_text(
        "date,close\n" + "".join(f"{d},{c:.6f}\n" for d, c in zip(days, closes, strict=True))
    )
    return path


@pytest.fixture
def histories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """BTC, ETH and SOL daily closes for the sample portfolio, imported via the CLI."""
    rng = np.random.default_rng(8)
    rb = rng.normal(0, 0.03, 500)
    series = {
        "BTC": 30000 * np.exp(np.cumsum(rb)),
        "ETH": 2000 * np.exp(np.cumsum(1.1 * rb + rng.normal(0, 0.01, 500))),
        "SOL": 20 * np.exp(np.cumsum(1.4 * rb + rng.normal(0, 0.02, 500))),
    }
    for sym, closes in series.items():
        f = write_daily(tmp_path / f"{sym.lower()}.csv", closes)
        code, _, err = run(capsys, "history", "import", str(f), "--symbol", sym)
        assert code == 0, err


# --------------------------------------------------------------------------- history


def test_history_import_text_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write_daily(tmp_path / "btc.csv", np.linspace(100, 200, 30))
    code, out, err = run(capsys, "history", "import", str(f), "--symbol", "btc")
    assert code == 0 and err == ""
    assert "30 good, 0 bad" in out
    assert "Imported into BTC: 30 new rows" in out
    doc = run_json(capsys, "history", "list")
    [h] = doc["histories"]
    assert (h["symbol"], h["rows"], h["sources"]) == ("BTC", 30, ["btc.csv"])
    assert h["first"] == "2023-01-01T00:00:00Z"
    code, out, _ = run(capsys, "history", "list")
    assert "BTC" in out and "30" in out


def test_history_import_json_and_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_daily(tmp_path / "a.csv", np.linspace(100, 200, 10))
    second = write_daily(tmp_path / "b.csv", np.linspace(300, 400, 10), start="2023-01-06")
    run_json(capsys, "history", "import", str(first), "--symbol", "ETH")
    doc = run_json(
        capsys, "history", "import", str(second), "--symbol", "ETH", "--source", "exchange"
    )
    assert doc["imported"] is True
    assert (doc["added"], doc["replaced"]) == (5, 5)
    assert doc["stored"]["rows"] == 15
    assert doc["stored"]["sources"] == ["a.csv", "exchange"]
    assert doc["format"] == "CSV"


def test_bad_rows_refused_unless_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "sol.csv"
    f.write_text("date,close\n2024-01-01,1\n2024-01-02,null\n2024-01-03,3\n")
    code, out, err = run(capsys, "history", "import", str(f), "--symbol", "SOL")
    assert code == 2
    assert "row 3: price 'null' is not a number" in out
    one_error_line(err, "1 bad row", "--accept-partial", "2 good rows")
    assert run_json(capsys, "history", "list")["histories"] == []
    code, out, _ = run(capsys, "history", "import", str(f), "--symbol", "SOL", "--accept-partial")
    assert code == 0 and "Imported into SOL: 2 new rows" in out


def test_history_import_json_reports_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "x.csv"
    f.write_text("date,close\n2024-01-01,1\n2024-01-02,abc\n")
    code, out, err = run(capsys, "history", "import", str(f), "--symbol", "X", "--json")
    assert code == 2
    doc = json.loads(out)
    assert doc["imported"] is False and doc["bad_rows"] == 1
    assert doc["errors"] == [{"row": 3, "reason": "price 'abc' is not a number"}]
    one_error_line(err)


@pytest.mark.parametrize(
    ("argv", "parts"),
    [
        (["history", "import", "missing.csv", "--symbol", "BTC"], ["file not found"]),
        (["history", "import", "x.csv"], ["--symbol"]),
        (["history", "import", "x.csv", "--symbol", "bad/sym"], ["symbol"]),
        (["history"], ["import, download, list or delete"]),
        (["history", "delete", "NOPE"], ["no price history for NOPE"]),
    ],
)
def test_history_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], parts: list[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_error_line(err, *parts)


def test_history_unreadable_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes(b"\x00\x01junk")
    code, _, err = run(capsys, "history", "import", str(f), "--symbol", "BTC")
    assert code == 2
    one_error_line(err, "not a text file")


# --------------------------------------------------------------------------- beta, backtest, risk


@pytest.mark.usefixtures("histories")
def test_beta_json(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "beta", str(SAMPLE), "--window", "1y")
    assert doc["window"] == {"lookback_days": 365, "interval": "day"}
    rows = {r["symbol"]: r for r in doc["holdings"]}
    assert set(rows) == {"BTC", "ETH", "SOL"}
    sol = rows["SOL"]
    assert sol["hedge_series"] == "BTC" and sol["user_beta"] == "1.5"
    assert 1.2 < float(sol["beta"]) < 1.6
    assert sol["hedge_ratio"] == sol["beta"]
    assert float(sol["effectiveness"]) == pytest.approx(float(sol["correlation"]) ** 2, abs=1e-3)
    assert sol["observations"] == 365
    assert "itself" in rows["BTC"]["problem"]
    # Against BTC instead of its own futures, ETH gets an estimate too.
    doc = run_json(capsys, "beta", str(SAMPLE), "--hedge-series", "ETH=BTC")
    eth = {r["symbol"]: r for r in doc["holdings"]}["ETH"]
    assert 0.9 < float(eth["beta"]) < 1.3


@pytest.mark.usefixtures("histories")
def test_beta_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "beta", str(SAMPLE), "--interval", "week", "--window", "all")
    assert code == 0
    assert "weekly returns, all history" in out
    assert "est. β" in out and "SOL" in out


@pytest.mark.usefixtures("histories")
def test_backtest_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "backtest",
        str(SAMPLE),
        "--start",
        "2023-03-01",
        "--end",
        "2023-12-31",
        "--rebalance",
        "monthly",
        "--no-liquidation",
    )
    assert doc["period"]["start"] == "2023-03-01T00:00:00Z"
    assert doc["period"]["end"] == "2023-12-31T00:00:00Z"
    assert doc["period"]["points"] == 306
    assert doc["rebalance"] == "monthly" and doc["liquidation"] is False
    for side in ("unhedged", "hedged"):
        assert set(doc[side]) >= {
            "start_value",
            "end_value",
            "return_pct",
            "volatility_pct",
            "max_drawdown_pct",
            "worst_day_pct",
        }
    assert float(doc["hedged"]["volatility_pct"]) < float(doc["unhedged"]["volatility_pct"])
    assert {u["underlying"] for u in doc["underlyings"]} == {"BTC", "ETH"}
    code, out, _ = run(capsys, "backtest", str(SAMPLE))
    assert code == 0 and "max drawdown" in out and "hedged" in out


@pytest.mark.usefixtures("histories")
def test_risk_is_reproducible_with_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["risk", str(SAMPLE), "--horizon", "2w", "--paths", "2000", "--seed", "77"]
    a = run_json(capsys, *argv)
    b = run_json(capsys, *argv)
    assert a == b
    assert (a["seed"], a["paths"], a["horizon_days"], a["method"]) == (77, 2000, 14, "normal")
    assert float(a["hedged"]["var_95_usd"]) < float(a["unhedged"]["var_95_usd"])
    assert set(a["unhedged"]) >= {"var_95_usd", "es_95_usd", "var_99_usd", "es_99_usd"}
    code, out, _ = run(capsys, "risk", str(SAMPLE), "--method", "bootstrap", "--paths", "500")
    assert code == 0 and "seed" in out and "Reproduce with --seed" in out


@pytest.mark.parametrize(
    ("argv", "parts"),
    [
        (["risk", str(SAMPLE)], ["no price history for BTC"]),
        (["backtest", str(SAMPLE)], ["no price history"]),
        (["risk", str(SAMPLE), "--horizon", "6m"], ["horizon"]),
        (["backtest", str(SAMPLE), "--start", "yesterday"], ["date"]),
        (["beta", "nope.json"], ["nope.json"]),
    ],
)
def test_analytics_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], parts: list[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_error_line(err, *parts)


def test_damaged_history_is_reported_not_hidden(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = data_dir / "history"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "BTC.npz").write_bytes(b"junk")
    code, out, _ = run(capsys, "history", "list")
    assert code == 0
    assert "No price histories yet" not in out
    assert "BTC.npz" in out and "damaged" in out
    doc = run_json(capsys, "history", "list")
    assert doc["damaged"] == [
        {"symbol": "BTC", "file": "BTC.npz", "reason": "not a Hedger history archive"}
    ]
    code, _, err = run(capsys, "backtest", str(SAMPLE))
    assert code == 2
    one_error_line(err, "BTC.npz", "damaged")
    # Re-importing keeps the damaged file aside and says so.
    f = write_daily(tmp_path / "btc.csv", np.linspace(100, 200, 30))
    code, out, err = run(capsys, "history", "import", str(f), "--symbol", "BTC")
    assert code == 0, err
    assert "kept as BTC.npz.damaged" in out
    assert (folder / "BTC.npz.damaged").read_bytes() == b"junk"


def test_backtest_of_a_net_short_book_has_usd_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write_daily(tmp_path / "btc.csv", 40000 * np.exp(np.linspace(0, 0.3, 120)))
    assert run(capsys, "history", "import", str(f), "--symbol", "BTC")[0] == 0
    book = tmp_path / "short.json"
    book.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "name": "Short",
                "holdings": [{"symbol": "BTC", "quantity": "-0.5", "price": "40000"}],
                "hedge": {"families": {"BTC": "GENERIC-BTC"}},
            }
        )
    )
    doc = run_json(capsys, "backtest", str(book), "--no-liquidation")
    u = doc["unhedged"]
    assert u["return_pct"] is None  # no percentage of a negative start value...
    assert float(u["pnl_usd"]) < 0  # ...but the loss in USD of a short in a rally
    assert float(u["max_drawdown_usd"]) < 0 and float(u["worst_day_usd"]) < 0
    assert float(u["volatility_usd"]) > 0
    code, out, _ = run(capsys, "backtest", str(book), "--no-liquidation")
    assert code == 0 and "P&L USD" in out and "max drawdown USD" in out


def test_risk_seed_range_is_the_cores(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "risk", str(SAMPLE), "--seed", str(2**63))
    assert code == 2
    one_error_line(err, "seed", str(2**63 - 1))


# --------------------------------------------------------------------------- size


def test_size_article_example(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "size",
        "--equity",
        "1000",
        "--risk",
        "1%",
        "--entry",
        "70000",
        "--stop",
        "69000",
        "--family",
        "GENERIC-BTC",
    )
    assert doc["family"] == "GENERIC-BTC"
    assert doc["risk_usd"] == "10" and doc["side"] == "long"
    assert doc["recommended"] == "micro"
    micro = next(o for o in doc["options"] if o["name"] == "micro")
    assert micro["contracts"] == 1
    assert micro["loss_at_stop_usd"] == "10"
    assert micro["margin_usd"] == "70"
    # A bare number is a fraction everywhere: 0.01 is 1 %; a bare 1 (all the equity)
    # is refused with both readings.
    argv = ["size", "--equity", "1000", "--entry", "70000", "--stop", "69000"]
    code, out, _ = run(capsys, *argv, "--risk", "0.01", "--family", "GENERIC-BTC")
    assert code == 0 and "* 1 × Micro Bitcoin future" in out
    code, _, err = run(capsys, *argv, "--risk", "1")
    assert code == 2
    one_error_line(err, "risk", "100 %", "1%")


def test_size_family_and_short(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "size",
        "--equity",
        "50000",
        "--risk",
        "2%",
        "--entry",
        "70000",
        "--stop",
        "72000",
        "--family",
        "cme-btc",
        "--leverage",
        "20",
    )
    assert doc["side"] == "short" and doc["family"] == "CME-BTC"
    assert any("Leverage 20x" in w for w in doc["warnings"])
    micro = next(o for o in doc["options"] if o["contracts"])
    assert micro["contracts"] == 5  # 1,000 USD / (2,000 x 0.1)


def test_size_text_keeps_the_mix_order_out_of_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["size", "--equity", "95250", "--risk", "1%", "--entry", "62000", "--stop", "60760"]
    code, out, err = run(capsys, *argv, "--family", "GENERIC-BTC", "--leverage", "5")
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if "contracts" in line)
    mix_row = next(
        line for line in lines if line.startswith("*  mix") or line.startswith("   mix ")
    )
    assert len(mix_row) <= len(header)  # the table stays as wide as its header
    assert "   mix = 7 × Mini Bitcoin future (0.1 BTC) + 6 × Micro Bitcoin future" in out


@pytest.mark.parametrize(
    ("argv", "parts"),
    [
        (["--equity", "x", "--risk", "1%", "--entry", "1", "--stop", "2"], ["--equity"]),
        (["--equity", "1000", "--risk", "1%", "--entry", "5", "--stop", "5"], ["stop must differ"]),
        (["--equity", "1000", "--risk", "200%", "--entry", "5", "--stop", "4"], ["risk"]),
        (
            ["--equity", "1000", "--risk", "1%", "--entry", "5", "--stop", "4", "--family", "NOPE"],
            ["NOPE"],
        ),
        (["--equity", "1000", "--risk", "1%", "--entry", "5"], ["--stop"]),
    ],
)
def test_size_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], parts: list[str]
) -> None:
    code, _, err = run(capsys, "size", *argv)
    assert code == 2
    one_error_line(err, *parts)
