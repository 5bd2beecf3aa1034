"""Positions imported read-only through ccxt (a fake exchange), keys kept in a keyring
(a fake backend): errors and partial answers change nothing and say why."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hedger.cli import main
from hedger.core.catalog import builtin_catalog
from hedger.core.credentials import Credentials
from hedger.core.models import Holding, Portfolio, Position
from hedger.services import positions as svc
from hedger.services.portfolios import open_portfolio, save_portfolio
from hedger.store import keys

CATALOG = builtin_catalog()
KEY = Credentials("AKEY-1234567890", "SECRET-abcdefghij", "PASS-xyz123")


class FakeKeyring:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.data[(service, username)]


@pytest.fixture
def ring() -> Iterator[FakeKeyring]:
    backend = FakeKeyring()
    keys.use_backend(backend)
    yield backend
    keys.use_backend(None)


class FakeBaseError(Exception):
    pass


class FakeAuthError(FakeBaseError):
    pass


class FakeNetworkError(FakeBaseError):
    pass


def markets() -> dict[str, Any]:
    def m(mid: str, symbol: str, size: float, **kw: Any) -> dict[str, Any]:
        return {
            "id": mid,
            "symbol": symbol,
            "contract": True,
            "swap": True,
            "contractSize": size,
            **kw,
        }

    ms = [
        m("BTCUSDT", "BTC/USDT:USDT", 1.0, linear=True),
        m("ETHUSDT", "ETH/USDT:USDT", 1.0, linear=True),
        m("SOLUSDT", "SOL/USDT:USDT", 1.0, linear=True),
    ]
    return {x["symbol"]: x for x in ms}


def pos(symbol: str, side: str, contracts: float, entry: float, **kw: Any) -> dict[str, Any]:
    return {"symbol": symbol, "side": side, "contracts": contracts, "entryPrice": entry, **kw}


def fake_ccxt(
    positions: list[Any], balance: Any = None, fail: Exception | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    configs: list[dict[str, Any]] = []

    class Exchange:
        def __init__(self, config: dict[str, Any]) -> None:
            configs.append(config)

        def load_markets(self) -> dict[str, Any]:
            return markets()

        def fetch_positions(self) -> list[Any]:
            if fail is not None:
                raise fail
            return positions

        def fetch_balance(self) -> Any:
            return balance if balance is not None else {"total": {"USDT": 5000.0, "BTC": 0.1}}

    module = SimpleNamespace(
        exchanges=["binanceusdm"],
        binanceusdm=Exchange,
        BaseError=FakeBaseError,
        NetworkError=FakeNetworkError,
        RequestTimeout=FakeNetworkError,
    )
    return module, configs


def book() -> Portfolio:
    return Portfolio(
        name="Import",
        holdings=(Holding(symbol="BTC", quantity=D(1), price=D(70000)),),
        positions=(
            Position(contract="CME:MBT", quantity=D(-2), entry_price=D(68000)),
            Position(contract="BINANCE:BTCUSDT", quantity=D(-100), entry_price=D(65000)),
        ),
    )


def test_fetch_maps_positions_to_catalog_contracts() -> None:
    module, configs = fake_ccxt(
        [
            pos("BTC/USDT:USDT", "short", 0.5, 69000, marginMode="isolated", collateral=3500),
            pos("ETH/USDT:USDT", "long", 2, 3500, marginMode="cross"),
            pos("SOL/USDT:USDT", "short", 10, 150),
            pos("BTC/USDT:USDT", "long", 0, 1),  # closed: not listed
        ]
    )
    answer = svc.fetch_account("binanceusdm", KEY, CATALOG, "main", module=module)
    assert configs[0]["apiKey"] == KEY.api_key and configs[0]["password"] == KEY.password
    btc, eth = answer.positions
    assert (btc.contract, btc.quantity, btc.entry_price) == ("BINANCE:BTCUSDT", D(-500), D(69000))
    assert (btc.collateral_usd, btc.account, btc.source) == (D(3500), "main", "ccxt:binanceusdm")
    assert (eth.contract, eth.quantity, eth.margin_mode) == ("BINANCE:ETHUSDT", D(2000), "cross")
    assert eth.collateral_usd == D(5000)  # the account's USDT backs its one cross position
    assert answer.skipped == ("SOL/USDT:USDT (no catalog contract for market SOLUSDT)",)
    assert answer.problems == () and answer.balance_usd == D(5000)


def test_apply_replaces_this_accounts_positions_and_journals_changes() -> None:
    module, _ = fake_ccxt([pos("BTC/USDT:USDT", "short", 0.3, 69000)])
    answer = svc.fetch_account("binanceusdm", KEY, CATALOG, None, module=module)
    out = svc.apply_import(book(), answer, "binanceusdm", None, CATALOG)
    assert [(p.contract, p.quantity) for p in out.portfolio.positions] == [
        ("CME:MBT", D(-2)),  # another venue: kept
        ("BINANCE:BTCUSDT", D(-300)),  # the typed Binance position is replaced
    ]
    (entry,) = out.entries
    assert (entry.kind, entry.before, entry.after, entry.change) == (
        "import",
        D(-100),
        D(-300),
        D(-200),
    )
    assert entry.futures_price == D(70000)
    assert out.message.startswith("Imported 1 position from binanceusdm; 1 changed")


@pytest.mark.parametrize(
    ("positions", "balance", "problem"),
    [
        ([pos("BTC/USDT:USDT", "short", 0.5, None)], None, "no readable entry price"),
        ([pos("BTC/USDT:USDT", "sideways", 0.5, 1)], None, "no readable side"),
        ([pos("XRP/USDT:USDT", "short", 5, 1)], None, "not in binanceusdm (ccxt)'s market list"),
        (["junk"], None, "not an object"),
        ([pos("BTC/USDT:USDT", "short", 0.5, 69000)], {"total": {"USDT": "lots"}}, "balance"),
    ],
)
def test_a_partial_answer_changes_nothing_and_says_why(
    tmp_path: Path, ring: FakeKeyring, positions: list[Any], balance: Any, problem: str
) -> None:
    path = tmp_path / "import.json"
    save_portfolio(path, book())
    before = path.read_bytes()
    module, _ = fake_ccxt(positions, balance)
    with pytest.raises(svc.PositionsError, match="nothing imported") as err:
        svc.import_into_file(path, "binanceusdm", None, CATALOG, KEY, module=module)
    assert problem in str(err.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            FakeAuthError(f"binanceusdm {{'code': -2015, 'msg': 'Invalid API-key {KEY.api_key}'}}"),
            "error",
        ),
        (FakeNetworkError("connection reset"), "unreachable"),
    ],
)
def test_exchange_errors_change_nothing_and_never_echo_the_key(
    tmp_path: Path, error: Exception, message: str
) -> None:
    path = tmp_path / "import.json"
    save_portfolio(path, book())
    before = path.read_bytes()
    module, _ = fake_ccxt([], fail=error)
    with pytest.raises(svc.PositionsError) as err:
        svc.import_into_file(path, "binanceusdm", None, CATALOG, KEY, module=module)
    text = str(err.value)
    assert text.startswith("nothing imported: binanceusdm (ccxt) ") and message in text
    assert KEY.api_key not in text and KEY.secret not in text
    assert path.read_bytes() == before


def test_unknown_exchange_and_missing_ccxt(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(svc.PositionsError, match="no catalog contracts trade on 'kucoin'"):
        svc.fetch_account("kucoin", KEY, CATALOG, None)
    monkeypatch.setitem(sys.modules, "ccxt", None)
    with pytest.raises(svc.PositionsError, match=r'pip install "hedger\[live\]"'):
        svc.fetch_account("binanceusdm", KEY, CATALOG, None)


def test_keys_live_in_the_keyring_and_never_in_a_file(
    tmp_path: Path, data_dir: Path, ring: FakeKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    svc.save_key("BinanceUSDM", "main", KEY)
    assert svc.load_key("binanceusdm", "main") == KEY
    assert svc.load_key("binanceusdm", "other") is None
    assert list(ring.data) == [("hedger", "binanceusdm/main")]
    # A whole import through the CLI, into a library file under the data folder.
    path = data_dir / "portfolios" / "held.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_portfolio(path, book())
    module, _ = fake_ccxt([pos("BTC/USDT:USDT", "short", 0.5, 69000)])
    import hedger.live.venues.ccxt as ccxt_venue

    real = ccxt_venue.load_ccxt
    ccxt_venue.load_ccxt = lambda: module  # type: ignore[assignment]
    try:
        assert main(["positions", str(path), "import", "binanceusdm", "--account", "main"]) == 0
    finally:
        ccxt_venue.load_ccxt = real  # type: ignore[assignment]
    assert "Imported 1 position from binanceusdm (main)" in capsys.readouterr().out
    assert any(p.source == "ccxt:binanceusdm" for p in open_portfolio(path).positions)
    for f in data_dir.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            for secret in KEY.secrets:
                assert secret.encode() not in data, f"{secret} found in {f}"
    assert svc.forget_key("binanceusdm", "main") is True
    assert ring.data == {}


def test_a_damaged_keyring_entry_says_enter_it_again(ring: FakeKeyring) -> None:
    ring.data[("hedger", "okx/default")] = "{broken"
    with pytest.raises(keys.KeyStoreError, match="damaged; enter it again"):
        svc.load_key("okx", None)


def test_without_keyring_the_message_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keys.use_backend(None)
    monkeypatch.setitem(sys.modules, "keyring", None)
    assert svc.keyring_available() is False
    path = tmp_path / "b.json"
    save_portfolio(path, book())
    assert main(["positions", str(path), "import", "okx"]) == 2
    err = capsys.readouterr().err
    hint = 'keeping API keys needs the keyring package; install it with: pip install "hedger[live]"'
    assert err == f"hedger: {hint}\n"


def test_credentials_never_show_their_secret() -> None:
    assert KEY.secret not in repr(KEY) and KEY.secret not in str(KEY)
    assert KEY.scrub(f"bad key {KEY.api_key} / {KEY.secret}") == "bad key *** / ***"
    assert json.dumps({"k": str(KEY)}).count("SECRET") == 0


# -- coin-margined accounts (audit 14-4) ---------------------------------------------------


def fake_deribit(positions: list[Any], total: dict[str, Any]) -> Any:
    class Exchange:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def load_markets(self) -> dict[str, Any]:
            market = {
                "id": "BTC-PERPETUAL",
                "symbol": "BTC/USD:BTC",
                "contract": True,
                "swap": True,
                "inverse": True,
                "contractSize": 10.0,
            }
            return {market["symbol"]: market}

        def fetch_positions(self) -> list[Any]:
            return positions

        def fetch_balance(self) -> Any:
            return {"total": total}

    return SimpleNamespace(
        exchanges=["deribit"],
        deribit=Exchange,
        BaseError=FakeBaseError,
        NetworkError=FakeNetworkError,
        RequestTimeout=FakeNetworkError,
    )


def test_a_coin_margined_cross_position_is_backed_by_the_coin_held() -> None:
    # 3,500 contracts of 10 USD short at 70,000, cross, 1 BTC in the account (marked 70,000).
    short = pos("BTC/USD:BTC", "short", 3500, 70000, marginMode="cross", markPrice=70000)
    answer = svc.fetch_account(
        "deribit", KEY, CATALOG, None, module=fake_deribit([short], {"BTC": 1.0})
    )
    (p,) = answer.positions
    assert (p.contract, p.quantity) == ("DERIBIT:BTC-PERPETUAL", D(-3500))
    assert p.collateral_usd == D("70000.00")
    assert answer.coin_balances == {"BTC": D(1)}
    # hedger check: a healthy 35,000 USD short on 70,000 USD of BTC raises no alarm.
    from hedger.core.models import HedgeSettings
    from hedger.services.checks import check_portfolio

    book_ = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "DERIBIT-BTC"}),
        positions=answer.positions,
    )
    assert [f for f in check_portfolio(book_, CATALOG) if f.kind == "liquidation"] == []


def test_no_coin_balance_leaves_the_collateral_unknown_not_zero() -> None:
    short = pos("BTC/USD:BTC", "short", 3500, 70000, marginMode="cross")
    answer = svc.fetch_account(
        "deribit", KEY, CATALOG, None, module=fake_deribit([short], {"USDT": 0})
    )
    (p,) = answer.positions
    assert p.collateral_usd is None


def test_an_off_step_size_from_the_exchange_is_a_problem() -> None:
    # 0.0005 BTC: half a Binance step; ccxt and the catalog would disagree on the size.
    module, _ = fake_ccxt([pos("BTC/USDT:USDT", "short", 0.0005, 69000)])
    answer = svc.fetch_account("binanceusdm", KEY, CATALOG, None, module=module)
    assert answer.positions == ()
    (problem,) = answer.problems
    assert "not a whole number of the venue's steps" in problem
    assert "the exchange and the catalog disagree on its size" in problem


# -- the CLI's key and import words (audit 14-7, 14-8) --------------------------------------


def test_key_entry_cut_short_is_one_line_and_exit_2(
    ring: FakeKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    import getpass

    answers = iter(["abc", "def"])

    def ask(prompt: str = "") -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(getpass, "getpass", ask)
    path = tmp_path / "b.json"
    save_portfolio(path, book())
    assert main(["positions", str(path), "key", "binanceusdm"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hedger: no key kept: the input ended")
    assert ring.data == {}


def test_an_unknown_exchange_is_named_before_the_keyring(
    ring: FakeKeyring, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "b.json"
    save_portfolio(path, book())
    for action in ("import", "key"):
        assert main(["positions", str(path), action, "notanexchange"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("hedger: unknown exchange 'notanexchange'") and "binanceusdm" in err
