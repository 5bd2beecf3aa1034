"""``hedger beta|backtest|risk|size`` open their text output with the sentence the app's tabs
lead with; ``--json`` stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analytics_histories import store_histories

from hedger import cli

SAMPLE = str(Path(__file__).resolve().parent.parent / "resources" / "samples" / "core-stack.json")


def text_and_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[list[str], str]:
    assert cli.main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert cli.main([*argv, "--json"]) == 0
    doc, _ = capsys.readouterr()
    return out.splitlines(), doc


@pytest.fixture
def stored(data_dir: Path) -> None:
    store_histories()


def paragraph(lines: list[str]) -> str:
    """The first paragraph, unwrapped."""
    end = lines.index("")
    return " ".join(lines[:end])


def test_beta_opens_with_what_the_beta_means(
    stored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, doc = text_and_json(capsys, "beta", SAMPLE)
    first = paragraph(lines)
    assert first.startswith("SOL has moved about 1.4× as much as BTC: hedging it with BTC futures")
    assert first.endswith("(beta 1.4; your portfolio uses 1.5).")
    assert all(len(line) <= 100 for line in lines[: lines.index("")])
    assert lines[lines.index("") + 1].startswith("Sample — Core stack: daily returns")
    assert "moved" not in doc and json.loads(doc)["holdings"]


def test_backtest_opens_with_the_worst_week_and_why(
    stored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, doc = text_and_json(capsys, "backtest", SAMPLE)
    assert lines[0].startswith("Hedging with 5 × MBT and 40 × MET would not have softened")
    why = " ".join(lines[1 : lines.index("")])
    assert why.startswith("Why: both hedges were liquidated as prices rose (ETH on 2024-02-17")
    assert "worst week" not in doc and "Why" not in doc


def test_risk_opens_with_the_plain_reading(
    stored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, doc = text_and_json(capsys, "risk", SAMPLE, "--seed", "7", "--paths", "2000")
    first = paragraph(lines)
    assert first.startswith("In 1 week out of 20, expect to lose more than ")
    assert "; in the worst of those weeks, about " in first
    assert json.loads(doc)["seed"] == 7 and "out of 20" not in doc


def test_size_opens_with_what_the_count_means(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("size", "--equity", "52800", "--risk", "1%", "--entry", "70000", "--stop", "68600")
    lines, doc = text_and_json(capsys, *argv, "--family", "CME-BTC", "--leverage", "2")
    assert paragraph(lines) == (
        "Buying 3 × CME Micro Bitcoin (MBT) keeps your loss at the 68,600 stop to 420 USD (plus "
        "8.40 USD of fees), within the 528 USD (1 % of 52,800 USD) you allow; the position is "
        "worth 21,000 USD, 0.4× your account, and ties up 10,500 USD of margin at 2x."
    )
    assert lines[lines.index("") + 1].startswith("Risk 1 % of 52,800.00 USD")
    assert "Buying" not in doc
