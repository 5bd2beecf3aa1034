"""`hedger contracts add / add-family / remove / --user`: the user's own catalog from the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hedger import cli

ADD_SOL = [
    "contracts",
    "add",
    "mybroker:SOL-1",
    "--name",
    "My SOL future",
    "--underlying",
    "sol",
    "--tier",
    "micro",
    "--kind",
    "linear",
    "--size",
    "1",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hedger: "), err
    for f in fragments:
        assert f in lines[0], (f, lines[0])


def user_file(data_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((data_dir / "contracts.json").read_text(encoding="utf-8"))
    return doc


def test_add_a_contract_into_a_new_family_and_plan_with_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, *ADD_SOL, "--fee", "0.04%", "--initial-margin", "20%", "--family", "my-sol"
    )
    assert code == 0, err
    assert out.startswith("Added MYBROKER:SOL-1 (My SOL future) in family MY-SOL; saved in ")
    doc = user_file(data_dir)
    (c,) = doc["contracts"]
    assert c["id"] == "MYBROKER:SOL-1" and c["venue"] == "MYBROKER" and c["symbol"] == "SOL-1"
    assert c["underlying"] == "SOL" and c["fee_rate"] == "0.0004"
    assert c["initial_margin_rate"] == "0.2" and c["source"] and c["as_of"]
    assert doc["families"] == [
        {"id": "MY-SOL", "name": "MY-SOL", "underlying": "SOL", "contracts": ["MYBROKER:SOL-1"]}
    ]
    # A second size joins the same family and the plan mixes them.
    code, _, err = run(
        capsys,
        "contracts",
        "add",
        "MYBROKER:SOL-10",
        "--name",
        "My SOL x10",
        "--underlying",
        "SOL",
        "--tier",
        "mini",
        "--kind",
        "linear",
        "--size",
        "10",
        "--family",
        "MY-SOL",
    )
    assert code == 0, err
    path = tmp_path / "sol.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "holdings": [{"symbol": "SOL", "quantity": "23", "price": "150"}],
            }
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "plan", str(path), "--json")
    assert code == 0, err
    sol = json.loads(out)["underlyings"][0]
    assert sol["family"] == "MY-SOL"
    mix = next(o for o in sol["options"] if o["name"] == "mix")
    assert [(leg["contract"], leg["contracts"]) for leg in mix["legs"]] == [
        ("MYBROKER:SOL-10", 2),
        ("MYBROKER:SOL-1", 3),
    ]


def test_user_rows_are_marked_and_listed_alone(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert run(capsys, *ADD_SOL)[0] == 0
    code, out, _ = run(capsys, "contracts")
    assert code == 0
    assert "My SOL future (yours)" in out and "CME:MBT" in out
    code, out, _ = run(capsys, "contracts", "--user")
    assert "MYBROKER:SOL-1" in out and "CME:MBT" not in out
    doc = json.loads(run(capsys, "contracts", "--user", "--json")[1])
    assert [c["id"] for c in doc["contracts"]] == ["MYBROKER:SOL-1"]
    assert doc["contracts"][0]["user_defined"] is True


def test_user_listing_when_there_is_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "contracts", "--user")
    assert code == 0
    assert out.startswith("No contracts of your own.\n")
    assert "hedger contracts add" in out


def test_add_family_of_built_in_contracts(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(
        capsys,
        "contracts",
        "add-family",
        "my-btc",
        "--underlying",
        "BTC",
        "--contracts",
        "CME:BTC, CME:MBT,COINBASE:BIT",
        "--name",
        "CME + Coinbase nano",
    )
    assert code == 0, err
    assert out.startswith("Added family MY-BTC (BTC: CME:BTC, CME:MBT, COINBASE:BIT)")
    fams = {f["id"]: f for f in json.loads(run(capsys, "contracts", "--json")[1])["families"]}
    assert fams["MY-BTC"]["user_defined"] is True
    assert fams["MY-BTC"]["contracts"] == ["CME:BTC", "CME:MBT", "COINBASE:BIT"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--size", "0"], "size must be above 0"),
        (["--fee", "5"], "write 5% for 5 per cent"),
        (["--initial-margin", "1,5"], "use a dot for decimals"),
        (["--as-of", "yesterday"], "--as-of must be a date"),
        (["--tier", "huge"], "invalid choice"),
    ],
)
def test_bad_contract_input_exits_2(
    capsys: pytest.CaptureFixture[str], data_dir: Path, extra: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *ADD_SOL, *extra)
    assert code == 2 and out == ""
    one_error(err, fragment)
    assert not (data_dir / "contracts.json").exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["contracts", "add", "NOCOLON", *ADD_SOL[3:]], "must be VENUE:SYMBOL"),
        (["contracts", "add", "CME:MBT", *ADD_SOL[3:]], "CME:MBT is a built-in contract"),
        (
            ["contracts", "add-family", "X", "--underlying", "BTC", "--contracts", "CME:NOPE"],
            "unknown contract CME:NOPE",
        ),
        (
            [
                "contracts",
                "add-family",
                "X",
                "--underlying",
                "BTC",
                "--contracts",
                "CME:BTC,DERIBIT:BTC-PERPETUAL",
            ],
            "cannot mix linear and inverse",
        ),
        (
            ["contracts", "add-family", "X", "--underlying", "ETH", "--contracts", "CME:BTC"],
            "CME:BTC is on BTC, not ETH",
        ),
        (
            ["contracts", "add-family", "CME-BTC", "--underlying", "BTC", "--contracts", "CME:BTC"],
            "CME-BTC is a built-in family",
        ),
        (["contracts", "remove", "CME:MBT"], "built in and cannot be removed"),
        (["contracts", "remove", "NOTHING"], "there is no contract or family 'NOTHING'"),
    ],
)
def test_refused_changes_exit_2_and_touch_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, argv: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    one_error(err, fragment)
    assert not (data_dir / "contracts.json").exists()


def test_replacing_needs_replace_and_families_stay_consistent(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert run(capsys, *ADD_SOL, "--family", "MY-SOL")[0] == 0
    code, _, err = run(capsys, *ADD_SOL)
    assert code == 2
    one_error(err, "already have a contract MYBROKER:SOL-1", "--replace")
    # An inverse contract cannot join a linear family: nothing is saved.
    before = user_file(data_dir)
    inverse = [*ADD_SOL[:2], "MYBROKER:INV", *ADD_SOL[3:]]
    inverse[inverse.index("linear")] = "inverse"
    code, _, err = run(capsys, *inverse, "--family", "MY-SOL")
    assert code == 2
    one_error(err, "family MY-SOL holds linear contracts, not inverse")
    assert user_file(data_dir) == before
    code, out, err = run(capsys, *ADD_SOL, "--size", "2", "--replace")
    assert code == 0, err
    assert out.startswith("Replaced MYBROKER:SOL-1")
    assert user_file(data_dir)["contracts"][0]["size"] == "2"


def test_remove_contract_and_family(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert run(capsys, *ADD_SOL, "--family", "MY-SOL")[0] == 0
    code, _, err = run(capsys, "contracts", "remove", "MYBROKER:SOL-1")
    assert code == 2
    one_error(err, "used by family MY-SOL")
    code, out, _ = run(capsys, "contracts", "remove", "my-sol")
    assert code == 0 and out.startswith("Removed family MY-SOL")
    code, out, _ = run(capsys, "contracts", "remove", "mybroker:SOL-1")
    assert code == 0 and out.startswith("Removed contract MYBROKER:SOL-1")
    assert user_file(data_dir)["contracts"] == [] and user_file(data_dir)["families"] == []


def test_a_damaged_user_file_is_never_rewritten(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    path = data_dir / "contracts.json"
    path.write_text('{"schema_version": 1, "contracts": [', encoding="utf-8")
    code, _, err = run(capsys, *ADD_SOL)
    assert code == 2
    one_error(err, "contracts.json", "fix or remove the file")
    assert path.read_text(encoding="utf-8") == '{"schema_version": 1, "contracts": ['
    # Listing still works, on the built-in catalog, with a warning.
    code, out, err = run(capsys, "contracts")
    assert code == 0 and "CME:MBT" in out
    one_error(err, "warning:")
