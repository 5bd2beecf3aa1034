"""Portfolio files: exact round trips, backups, and hostile or broken input."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedger.core.models import HedgeSettings, Holding, Portfolio, Quote, UnderlyingSettings
from hedger.store import atomic
from hedger.store.portfolio_file import (
    NewerSchemaError,
    PortfolioFileError,
    dumps_portfolio,
    load_portfolio,
    loads_portfolio,
    save_portfolio,
)

EXAMPLE = """{"schema_version": 1, "name": "Core stack",
 "holdings": [{"symbol": "BTC", "quantity": "0.5", "price": "70000"},
  {"symbol": "SOL", "quantity": "12", "price": "150", "beta": "1.5", "hedge_with": "BTC"}],
 "hedge": {"ratio": "1", "rounding": "nearest", "leverage": "10",
           "families": {"BTC": "CME-BTC"}, "futures_prices": {"BTC": "70000"}}}
"""


def full_portfolio() -> Portfolio:
    return Portfolio(
        name="Everything",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.29"), price=Decimal("70000.01")),
            Holding(
                symbol="SOL",
                quantity=Decimal("-12.000000001"),
                price=Decimal("150.5"),
                beta=Decimal("1.5"),
                hedge_with="BTC",
            ),
            Holding(symbol="USDT", quantity=Decimal("1000"), price=Decimal("1")),
        ),
        hedge=HedgeSettings(
            ratio=Decimal("0.02"),
            rounding="down",
            leverage=Decimal("12.5"),
            families={"BTC": "CME-BTC", "ETH": "GENERIC-ETH"},
            futures_prices={"BTC": Decimal("70123.5")},
            per_underlying={"ETH": UnderlyingSettings(rounding="up", leverage=Decimal(3))},
        ),
        quotes={
            "BTC": Quote(
                price=Decimal("69999.99"),
                source="test",
                fetched_at=datetime(2026, 11, 1, 12, 30, tzinfo=UTC),
            ),
            "FUT:BTC": Quote(
                price=Decimal("70100"),
                source="test",
                fetched_at=datetime(2026, 11, 1, 12, 31, tzinfo=UTC),
                kind="futures",
            ),
        },
    )


def stray_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if atomic.is_temp_file(p))


# -- reading the documented format ---------------------------------------------


def test_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "core.json"
    path.write_text(EXAMPLE, encoding="utf-8")
    p = load_portfolio(path)
    assert p.name == "Core stack"
    assert [h.symbol for h in p.holdings] == ["BTC", "SOL"]
    assert p.holdings[0].quantity == Decimal("0.5")
    assert p.holdings[1].beta == Decimal("1.5")
    assert p.holdings[1].hedge_with == "BTC"
    assert p.hedge.families == {"BTC": "CME-BTC"}
    assert p.hedge.futures_prices == {"BTC": Decimal("70000")}
    assert p.hedge.leverage == Decimal(10)


def test_json_numbers_are_read_as_exact_decimals() -> None:
    text = (
        '{"schema_version": 1, "name": "n", '
        '"holdings": [{"symbol": "BTC", "quantity": 0.29, "price": 70000.1}], '
        '"hedge": {"ratio": 1, "leverage": 10}}'
    )
    p = loads_portfolio(text, "n.json")
    # A binary float would make this 0.28999999999999998.
    assert p.holdings[0].quantity == Decimal("0.29")
    assert str(p.holdings[0].quantity) == "0.29"
    assert p.holdings[0].price == Decimal("70000.1")


def test_unknown_fields_are_ignored() -> None:
    text = '{"schema_version": 1, "name": "n", "colour": "red", "holdings": []}'
    assert loads_portfolio(text, "n.json").name == "n"


def test_utf8_bom_and_utf16_are_accepted() -> None:
    doc = '{"schema_version": 1, "name": "Größe"}'
    assert loads_portfolio(b"\xef\xbb\xbf" + doc.encode(), "a.json").name == "Größe"
    assert loads_portfolio(doc.encode("utf-16"), "a.json").name == "Größe"


# -- round trips -------------------------------------------------------------


def test_round_trip_is_exact(tmp_path: Path) -> None:
    original = full_portfolio()
    path = tmp_path / "p.json"
    save_portfolio(path, original)
    loaded = load_portfolio(path)
    assert loaded == original
    assert str(loaded.holdings[1].quantity) == "-12.000000001"
    assert loaded.quotes["BTC"].fetched_at == datetime(2026, 11, 1, 12, 30, tzinfo=UTC)


def test_saved_file_is_readable_with_one_holding_per_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    save_portfolio(path, full_portfolio())
    text = path.read_text(encoding="utf-8")
    assert '{"symbol": "BTC", "quantity": "0.29", "price": "70000.01"}' in text
    doc = json.loads(text)
    assert doc["schema_version"] == 2
    assert doc["holdings"][1]["quantity"] == "-12.000000001"
    assert text.endswith("\n")


def test_holdings_text_stays_correct_when_a_value_looks_like_a_row_boundary() -> None:
    # Validation forbids such symbols; model_construct skips it to reach the
    # writer's fallback path.
    odd = Holding.model_construct(
        symbol="X}, {Y", quantity=Decimal(1), price=Decimal(2), beta=None, hedge_with=None
    )
    p = Portfolio(name="p").model_copy(update={"holdings": (odd, odd)})
    text = dumps_portfolio(p)
    assert [h["symbol"] for h in json.loads(text)["holdings"]] == ["X}, {Y", "X}, {Y"]
    assert text.count('"symbol": "X}, {Y"') == 2
    assert len([line for line in text.splitlines() if line.startswith("    {")]) == 2


def test_empty_portfolio_round_trips() -> None:
    p = Portfolio(name="Empty")
    assert loads_portfolio(dumps_portfolio(p), "e.json") == p


def test_lone_surrogate_is_refused_on_load_and_on_save(tmp_path: Path) -> None:
    with pytest.raises(PortfolioFileError, match=r"^s\.json: name: must be a valid string"):
        loads_portfolio('{"schema_version": 1, "name": "odd \\ud800 name"}', "s.json")
    path = tmp_path / "s.json"
    save_portfolio(path, Portfolio(name="Fine"))
    before = path.read_bytes()
    # model_copy skips validation; the save must not write an unreadable file.
    broken = Portfolio(name="x").model_copy(update={"name": "odd \ud800"})
    with pytest.raises(PortfolioFileError, match="invalid character"):
        save_portfolio(path, broken)
    assert path.read_bytes() == before
    assert stray_files(tmp_path) == []


def test_unicode_name_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    save_portfolio(path, Portfolio(name="Портфель ₿"))
    assert "Портфель ₿" in path.read_text(encoding="utf-8")
    assert load_portfolio(path).name == "Портфель ₿"


# |quantity x price| stays within a holding's value limit (1e15 USD).
_quantities = st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=8, allow_nan=False
)
_prices = st.decimals(
    min_value=Decimal("0.00000001"), max_value=Decimal("1e9"), places=8, allow_nan=False
)
_holdings = st.builds(
    Holding,
    symbol=st.sampled_from(["BTC", "ETH", "SOL", "DOGE", "USDT", "X.Y-Z_1"]),
    quantity=_quantities,
    price=_prices,
    beta=st.none() | st.decimals(min_value=-20, max_value=20, places=4, allow_nan=False),
    hedge_with=st.none() | st.sampled_from(["BTC", "ETH"]),
)


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(min_size=1, max_size=120).filter(lambda s: s.strip() != ""),
    holdings=st.lists(_holdings, max_size=8),
    ratio=st.decimals(min_value=0, max_value=2, places=4, allow_nan=False),
)
def test_any_valid_portfolio_round_trips_exactly(
    name: str, holdings: list[Holding], ratio: Decimal
) -> None:
    p = Portfolio(name=name, holdings=tuple(holdings), hedge=HedgeSettings(ratio=ratio))
    assert loads_portfolio(dumps_portfolio(p), "h.json") == p
    assert loads_portfolio(dumps_portfolio(p).encode("utf-8"), "h.json") == p


# -- saving --------------------------------------------------------------------


def test_save_keeps_previous_version_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    first = Portfolio(name="First")
    second = Portfolio(name="Second")
    save_portfolio(path, first)
    assert not atomic.backup_path(path).exists()
    save_portfolio(path, second)
    assert atomic.backup_path(path) == tmp_path / "p.json.bak"
    assert load_portfolio(atomic.backup_path(path)) == first
    assert load_portfolio(path) == second
    save_portfolio(path, Portfolio(name="Third"))
    assert load_portfolio(atomic.backup_path(path)) == second
    assert stray_files(tmp_path) == []


def test_save_without_backup_leaves_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    save_portfolio(path, Portfolio(name="A"), backup=False)
    save_portfolio(path, Portfolio(name="B"), backup=False)
    assert not atomic.backup_path(path).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable, even for root (via the immutable flag)."""
    if os.name == "nt":
        pytest.skip("folder permissions differ on Windows")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if (
        chattr is None
        or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode
    ):
        pytest.skip("running as root without a way to make a folder read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_save_into_read_only_folder_fails_clearly_and_keeps_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "p.json"
    save_portfolio(path, Portfolio(name="Old"))
    before = path.read_bytes()
    with read_only_folder(folder), pytest.raises(PortfolioFileError) as info:
        save_portfolio(path, Portfolio(name="New"))
    message = str(info.value)
    assert message.startswith("p.json: could not save (")
    assert "\n" not in message
    assert path.read_bytes() == before
    assert stray_files(folder) == []


@pytest.mark.parametrize("failing", ["os.fsync", "os.replace", "os.link"])
def test_failed_save_keeps_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "p.json"
    save_portfolio(path, Portfolio(name="Old"))
    save_portfolio(path, Portfolio(name="Older backup"))
    save_portfolio(path, Portfolio(name="Old"))
    before = path.read_bytes()
    backup_before = atomic.backup_path(path).read_bytes()

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, failing.split(".")[1], disk_full)
    if failing == "os.link":
        # A refused hard link falls back to copying; make the copy fail too.
        monkeypatch.setattr(atomic, "_copy_file", disk_full)
    with pytest.raises(PortfolioFileError, match=r"^p\.json: could not save \(the disk is full\)$"):
        save_portfolio(path, Portfolio(name="New"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert atomic.backup_path(path).read_bytes() == backup_before
    assert stray_files(tmp_path) == []


def test_backup_is_copied_when_hard_links_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.json"
    save_portfolio(path, Portfolio(name="Old"))

    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(atomic.os, "link", no_links)
    save_portfolio(path, Portfolio(name="New"))
    assert load_portfolio(atomic.backup_path(path)).name == "Old"
    assert load_portfolio(path).name == "New"
    assert stray_files(tmp_path) == []


def test_save_keeps_file_permissions(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    path = tmp_path / "p.json"
    save_portfolio(path, Portfolio(name="A"))
    path.chmod(0o600)
    save_portfolio(path, Portfolio(name="B"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_save_through_symlink_replaces_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    save_portfolio(real, Portfolio(name="A"))
    link.symlink_to(real)
    save_portfolio(link, Portfolio(name="B"))
    assert link.is_symlink()
    assert load_portfolio(real).name == "B"


# -- hostile and broken input ----------------------------------------------------

GOOD_HOLDING = '{"symbol": "BTC", "quantity": "1", "price": "70000"}'

HOSTILE: list[tuple[str, bytes, str]] = [
    ("truncated", EXAMPLE.encode()[:70], "not a Hedger portfolio (invalid JSON at line 2"),
    ("empty", b"", "not a Hedger portfolio (empty file)"),
    ("whitespace", b"  \n\t ", "not a Hedger portfolio (empty file)"),
    ("top-level array", b"[1, 2, 3]", "not a Hedger portfolio (it holds a JSON list"),
    ("top-level string", b'"hello"', "not a Hedger portfolio (it holds a JSON string"),
    ("no schema_version", b'{"name": "x", "holdings": []}', "(no schema_version)"),
    ("schema_version text", b'{"schema_version": "1"}', "schema_version"),
    ("schema_version zero", b'{"schema_version": 0}', "schema_version 0 is not valid"),
    ("schema_version bool", b'{"schema_version": true}', "schema_version true is not valid"),
    ("schema_version huge", b'{"schema_version": 1e999999}', "schema_version 1E+999999 is not"),
    ("schema_version 1.5", b'{"schema_version": 1.5}', "schema_version 1.5 is not valid"),
    ("NaN literal", b'{"schema_version": 1, "hedge": {"ratio": NaN}}', "NaN is not a number"),
    (
        "Infinity literal",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": Infinity, '
        b'"price": "1"}]}',
        "Infinity is not a number",
    ),
    (
        "NaN string",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": "NaN", "price": "1"}]}',
        "holdings[0].quantity: 'NaN' is not a plain decimal number",
    ),
    (
        "huge exponent",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": 1e999999, '
        b'"price": "1"}]}',
        "holdings[0].quantity: 1E+999999 is too large",
    ),
    (
        "huge integer",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": '
        + b"9" * 50_000
        + b', "price": "1"}]}',
        "a number has more than 100 digits",
    ),
    (
        "huge string number",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": "'
        + b"9" * 30
        + b'", "price": "1"}]}',
        "holdings[0].quantity:",
    ),
    (
        "deeply nested",
        b"[" * 200_000 + b"]" * 200_000,
        "not a Hedger portfolio (nested too deeply)",
    ),
    (
        "deep junk in a field",
        b'{"schema_version": 1, "name": ' + b"[" * 500 + b"]" * 500 + b"}",
        "name: must be text",
    ),
    ("binary garbage", bytes(range(256)) * 40, "not a Hedger portfolio (binary data, not text)"),
    ("not utf-8", b'{"schema_version": 1, "name": "caf\xe9"}', "not UTF-8 text"),
    (
        "wrong holdings type",
        b'{"schema_version": 1, "holdings": {"BTC": 1}}',
        "holdings: must be a list",
    ),
    (
        "holding not an object",
        b'{"schema_version": 1, "holdings": [' + GOOD_HOLDING.encode() + b", 5]}",
        "holdings[1]: must be a JSON object",
    ),
    (
        "zero price",
        b'{"schema_version": 1, "holdings": ['
        + (GOOD_HOLDING + ", " + GOOD_HOLDING).encode()
        + b', {"symbol": "ETH", "quantity": "1", "price": "0"}]}',
        "holdings[2].price: must be greater than 0",
    ),
    (
        "missing price",
        b'{"schema_version": 1, "holdings": [{"symbol": "BTC", "quantity": "1"}]}',
        "holdings[0].price: missing",
    ),
    (
        "bad symbol",
        b'{"schema_version": 1, "holdings": [{"symbol": "B TC", "quantity": "1", "price": "1"}]}',
        "holdings[0].symbol: symbol 'B TC' must be",
    ),
    (
        "bad rounding",
        b'{"schema_version": 1, "hedge": {"rounding": "sideways"}}',
        "hedge.rounding: must be 'nearest', 'down' or 'up'",
    ),
    (
        "leverage too high",
        b'{"schema_version": 1, "hedge": {"leverage": "5000"}}',
        "hedge.leverage: must be at most 200",
    ),
    ("name too long", b'{"schema_version": 1, "name": "' + b"x" * 500 + b'"}', "name: must have"),
    (
        "many errors",
        b'{"schema_version": 1, "holdings": [{"symbol": "?"}, {"symbol": "?"}]}',
        "(and 5 more problems)",
    ),
]


@pytest.mark.parametrize(("case", "content", "expected"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_file_gives_one_line_error_and_stays_untouched(
    tmp_path: Path, case: str, content: bytes, expected: str
) -> None:
    path = tmp_path / "core.json"
    path.write_bytes(content)
    with pytest.raises(PortfolioFileError) as info:
        load_portfolio(path)
    message = str(info.value)
    assert message.startswith("core.json: ")
    assert expected in message
    assert "\n" not in message
    assert len(message) <= 300
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["core.json"]


def test_millions_of_junk_rows_are_refused_before_validation() -> None:
    rows = b"{}," * 2_000_000
    text = b'{"schema_version": 1, "holdings": [' + rows + b"{}]}"
    with pytest.raises(PortfolioFileError) as info:
        loads_portfolio(text, "big.json")
    assert str(info.value) == (
        "big.json: holdings: 2,000,001 rows is more than Hedger opens (100,000)"
    )
    families = {f"S{i}": "X" for i in range(20_000)}
    doc = {"schema_version": 1, "hedge": {"families": families}}
    with pytest.raises(PortfolioFileError, match=r"hedge\.families: more than 10,000 entries"):
        loads_portfolio(json.dumps(doc), "big.json")


def test_newer_schema_is_refused_with_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"schema_version": 7, "name": "From the future", "stuff": [1]}')
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError) as info:
        load_portfolio(path)
    assert (
        str(info.value)
        == "x.json: written by a newer Hedger (schema 7; this version reads up to 2)"
    )
    assert info.value.found == 7
    assert isinstance(info.value, PortfolioFileError)
    assert path.read_bytes() == before


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "junk.json"
    with open(path, "wb") as fh:
        fh.write(b"{junk" * 100)
        # Sparse: 100 MB on paper, almost nothing on disk.
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(PortfolioFileError) as info:
        load_portfolio(path)
    assert str(info.value) == (
        "junk.json: not a Hedger portfolio (too large (100 MB; the limit is 50 MB))"
    )
    assert path.stat().st_size == 100 * 1024 * 1024


def test_missing_file_and_folder_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PortfolioFileError, match=r"^gone\.json: file not found$"):
        load_portfolio(tmp_path / "gone.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(PortfolioFileError, match=r"^dir\.json: is a folder"):
        load_portfolio(tmp_path / "dir.json")
    # A path without a name ("." or "/") is shown as given, not as "?".
    with pytest.raises(PortfolioFileError, match=r"^\.: is a folder"):
        load_portfolio(Path("."))


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(PortfolioFileError, match=r"not a regular file"):
        load_portfolio(fifo)


def test_unreadable_file_error_names_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.json"
    path.write_text(EXAMPLE)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(PortfolioFileError) as info:
        load_portfolio(path)
    monkeypatch.undo()
    assert str(info.value) == "locked.json: cannot be read (permission denied)"


def test_error_for_a_file_name_with_newlines_is_still_one_line() -> None:
    with pytest.raises(PortfolioFileError) as info:
        loads_portfolio("[]", "evil\nname.json")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("evil name.json: ")


def _rendered_from_dicts(p: Portfolio) -> str:
    """The file text as the format defines it: portfolio_to_dict, one row per line."""
    from hedger.store.portfolio_file import portfolio_to_dict

    encoder = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
    parts = []
    for key, value in portfolio_to_dict(p).items():
        label = json.dumps(key)
        if key == "holdings" and value:
            parts.append(
                f"  {label}: [\n    " + ",\n    ".join(map(encoder.encode, value)) + "\n  ]"
            )
        else:
            body = json.dumps(value, ensure_ascii=False, indent=2)
            parts.append(f"  {label}: " + body.replace("\n", "\n  "))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def test_fast_row_writer_gives_the_same_text_as_the_dict_shape() -> None:
    from hedger.store.portfolio_file import dumps_portfolio

    p = Portfolio(
        name='Ünïcode "quoted"',
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("-0.50"), price=Decimal("70000")),
            Holding(
                symbol="X.Y-Z_1",
                quantity=Decimal("1E+3"),
                price=Decimal("0.000001"),
                beta=Decimal("1.50"),
                hedge_with="BTC",
            ),
        ),
        quotes={
            "BTC": Quote(
                price=Decimal(1), source="test", fetched_at=datetime(2026, 1, 1, tzinfo=UTC)
            )
        },
    )
    # A model built without validation may hold characters JSON must escape.
    odd = Holding.model_construct(
        symbol='A"B\\', quantity=Decimal(1), price=Decimal(2), beta=None, hedge_with=None
    )
    for portfolio in (p, Portfolio(), p.model_copy(update={"holdings": (odd, *p.holdings)})):
        assert dumps_portfolio(portfolio) == _rendered_from_dicts(portfolio)
    assert json.loads(dumps_portfolio(p.model_copy(update={"holdings": (odd,)})))["holdings"] == [
        {"symbol": 'A"B\\', "quantity": "1", "price": "2"}
    ]
