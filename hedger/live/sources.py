"""Price sources: public, key-less REST endpoints of Binance, Coinbase and OKX.

Each source turns Hedger symbols (``BTC``) into the venue's instrument names
(``BTCUSDT``, ``BTC-USD``, ``BTC-USDT``), asks for prices, and returns them
as Decimal exactly as the venue sent them; validation happens elsewhere.
A venue that cannot be reached raises ``PriceSourceError``; a symbol the venue
does not list is reported in ``SourceAnswer.problems``.

Base URLs are constructor arguments and can be set from the environment
(``HEDGER_BINANCE_URL``, ``HEDGER_BINANCE_FUTURES_URL``, ``HEDGER_COINBASE_URL``,
``HEDGER_OKX_URL``), so the CLI and the packaged app can be pointed at a test
server. No API keys are used or stored: these endpoints are public.
"""

from __future__ import annotations

import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hedger.core.catalog import Contract
from hedger.live.http import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    HttpSettings,
    JsonClient,
    PriceSourceError,
    VenueHttpError,
    clip,
)
from hedger.live.validate import as_decimal

BINANCE_URL = "https://api.binance.com"
BINANCE_FUTURES_URL = "https://fapi.binance.com"
COINBASE_URL = "https://api.exchange.coinbase.com"
OKX_URL = "https://www.okx.com"

ENV_BINANCE_URL = "HEDGER_BINANCE_URL"
ENV_BINANCE_FUTURES_URL = "HEDGER_BINANCE_FUTURES_URL"
ENV_COINBASE_URL = "HEDGER_COINBASE_URL"
ENV_OKX_URL = "HEDGER_OKX_URL"
ENV_TIMEOUT = "HEDGER_LIVE_TIMEOUT"
ENV_RETRIES = "HEDGER_LIVE_RETRIES"

BUILTIN_SOURCES = ("binance", "coinbase", "okx")

# Venue instrument names are built from the symbol; anything else cannot be
# listed and would only produce a confusing venue error.
_PLAIN_SYMBOL = re.compile(r"^[A-Z0-9]{1,15}$")
_OKX_INSTRUMENT = re.compile(r"^[A-Z0-9]{1,15}-[A-Z0-9]{1,10}-[A-Z0-9]{1,10}$")


@dataclass(frozen=True, slots=True)
class SourceAnswer:
    """Prices by Hedger symbol (unvalidated) and, for the rest, why there is none.

    ``unreadable`` names the symbols whose problem is a broken answer rather
    than "not listed" (it is shown first); ``instruments`` says which venue
    instrument a price came from ("BTCUSDT perpetual"), where that is worth
    telling (futures prices, which are perpetuals whatever the hedge contract).
    """

    prices: dict[str, Decimal] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    instruments: dict[str, str] = field(default_factory=dict)


class PriceSource(ABC):
    """Where live prices come from. Calls block; run them off the GUI thread."""

    #: Name shown to people and stored in quotes ("Binance").
    name: str
    #: Whether ``fetch_futures`` can return anything at all.
    has_futures: bool = True
    #: Catalog venues whose contracts ``fetch_contracts`` prices exactly.
    contract_venues: tuple[str, ...] = ()

    @abstractmethod
    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        """Spot prices in USD (or a USD stablecoin) for Hedger symbols."""

    @abstractmethod
    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        """Perpetual futures mark prices in USD for underlyings.

        A USDT-margined perpetual trades within a small basis of a CME or
        inverse contract on the same coin, so it stands in for all of them;
        the answer's ``instruments`` says which perpetual it was.
        """

    def fetch_contracts(self, contracts: Mapping[str, Contract]) -> SourceAnswer:
        """Mark prices of the very contracts a hedge uses, by underlying.

        Only for contracts of ``contract_venues``; the basis between, say,
        OKX's inverse BTC-USD-SWAP and its USDT perpetual is then not guessed.
        """
        return SourceAnswer(
            problems={u: f"{u}: {self.name} cannot price {c.id}" for u, c in contracts.items()}
        )


def _unlisted(symbols: Sequence[str], venue: str) -> dict[str, str]:
    return {s: f"{s}: {venue} cannot price this symbol" for s in symbols}


def _split_plain(symbols: Sequence[str], venue: str) -> tuple[list[str], dict[str, str]]:
    plain = [s for s in dict.fromkeys(symbols) if _PLAIN_SYMBOL.match(s)]
    return plain, _unlisted([s for s in symbols if s not in plain], venue)


def _price_from(record: Any, key: str, symbol: str, venue: str, answer: SourceAnswer) -> None:
    raw = record.get(key) if isinstance(record, dict) else None
    value = as_decimal(raw)
    if value is None:
        shown = "nothing" if raw is None else repr(clip(raw, 30))
        answer.problems[symbol] = f"{symbol}: {venue} sent an unreadable price ({shown})"
        answer.unreadable.add(symbol)
    else:
        answer.prices[symbol] = value


def _unexpected(venue: str) -> PriceSourceError:
    return PriceSourceError(f"{venue} sent an unexpected answer (the API may have changed)")


class BinanceSource(PriceSource):
    """Binance spot (``/api/v3/ticker/price``) and USDⓈ-M futures (``/fapi/v1/premiumIndex``).

    Prices are in USDT, which Hedger treats as USD (a small basis).
    """

    name = "Binance"
    # Binance error code for a symbol it does not list.
    INVALID_SYMBOL = Decimal(-1121)

    def __init__(
        self,
        base_url: str = BINANCE_URL,
        futures_url: str = BINANCE_FUTURES_URL,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kw: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        self._spot = JsonClient(self.name, base_url, settings, **kw)
        self._futures = JsonClient(self.name, futures_url, settings, **kw)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = _split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        if not plain:
            return answer
        pairs = {f"{s}USDT": s for s in plain}
        try:
            data = self._spot.get(
                "/api/v3/ticker/price", {"symbols": json.dumps(list(pairs), separators=(",", ":"))}
            )
        except VenueHttpError as exc:
            if not self._is_invalid_symbol(exc):
                raise
            # One unknown symbol fails the whole batch. Every ticker in one
            # request (about 150 KB) costs less time than one request per
            # symbol, which a slow venue multiplies.
            data = self._spot.get("/api/v3/ticker/price")
        if not isinstance(data, list):
            raise _unexpected(self.name)
        by_pair = {r.get("symbol"): r for r in data if isinstance(r, dict)}
        for pair, symbol in pairs.items():
            if pair in by_pair:
                _price_from(by_pair[pair], "price", symbol, self.name, answer)
            else:
                answer.problems[symbol] = f"{symbol}: {self.name} does not list {pair}"
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        plain, problems = _split_plain(underlyings, self.name)
        answer = SourceAnswer(problems=problems)
        for u in plain:
            pair = f"{u}USDT"
            try:
                data = self._futures.get("/fapi/v1/premiumIndex", {"symbol": pair})
            except VenueHttpError as exc:
                if not self._is_invalid_symbol(exc):
                    raise
                answer.problems[u] = f"{u}: {self.name} has no {pair} perpetual"
                continue
            _price_from(data, "markPrice", u, self.name, answer)
            answer.instruments[u] = f"{pair} perpetual"
        return answer

    def _is_invalid_symbol(self, exc: VenueHttpError) -> bool:
        payload = exc.payload
        return (
            exc.status == 400
            and isinstance(payload, dict)
            and payload.get("code") == self.INVALID_SYMBOL
        )


class CoinbaseSource(PriceSource):
    """Coinbase Exchange public ticker (``/products/<BASE>-USD/ticker``), spot only."""

    name = "Coinbase"
    has_futures = False

    def __init__(
        self,
        base_url: str = COINBASE_URL,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kw: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        self._client = JsonClient(self.name, base_url, settings, **kw)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = _split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        for s in plain:
            product = f"{s}-USD"
            try:
                data = self._client.get(f"/products/{product}/ticker")
            except VenueHttpError as exc:
                if exc.status not in (400, 404):
                    raise
                answer.problems[s] = f"{s}: {self.name} does not list {product}"
                continue
            _price_from(data, "price", s, self.name, answer)
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        return SourceAnswer(
            problems={u: f"{u}: {self.name} has no public futures prices" for u in underlyings}
        )


class OkxSource(PriceSource):
    """OKX public market data: spot ticker ``last`` and perpetual swap ``markPx``."""

    name = "OKX"
    contract_venues = ("OKX",)

    def __init__(
        self,
        base_url: str = OKX_URL,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kw: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        self._client = JsonClient(self.name, base_url, settings, **kw)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = _split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        for s in plain:
            self._one(s, "/api/v5/market/ticker", {"instId": f"{s}-USDT"}, "last", answer)
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        plain, problems = _split_plain(underlyings, self.name)
        answer = SourceAnswer(problems=problems)
        for u in plain:
            params = {"instType": "SWAP", "instId": f"{u}-USDT-SWAP"}
            self._one(u, "/api/v5/public/mark-price", params, "markPx", answer)
            answer.instruments[u] = f"{u}-USDT-SWAP perpetual"
        return answer

    def fetch_contracts(self, contracts: Mapping[str, Contract]) -> SourceAnswer:
        answer = SourceAnswer()
        for u, c in contracts.items():
            inst = c.symbol.upper()
            if not _OKX_INSTRUMENT.match(inst):
                answer.problems[u] = f"{u}: {self.name} cannot price {c.id}"
                continue
            kind = "SWAP" if inst.endswith("-SWAP") else "FUTURES"
            self._one(
                u, "/api/v5/public/mark-price", {"instType": kind, "instId": inst}, "markPx", answer
            )
            answer.instruments[u] = f"{inst}, your hedge contract"
        return answer

    def _one(
        self, symbol: str, path: str, params: dict[str, str], key: str, answer: SourceAnswer
    ) -> None:
        inst = params["instId"]
        try:
            data = self._client.get(path, params)
        except VenueHttpError as exc:
            if exc.status not in (400, 404):
                raise
            answer.problems[symbol] = f"{symbol}: {self.name} does not list {inst}"
            return
        if not isinstance(data, dict):
            raise _unexpected(self.name)
        # OKX reports errors in the body ("code" other than "0"), often with HTTP 200.
        if data.get("code") not in ("0", Decimal(0)):
            answer.problems[symbol] = f"{symbol}: {self.name} does not list {inst}"
            return
        rows = data.get("data")
        if not isinstance(rows, list) or not rows:
            answer.problems[symbol] = f"{symbol}: {self.name} has no price for {inst}"
            return
        _price_from(rows[0], key, symbol, self.name, answer)


def http_settings_from_env(env: Mapping[str, str] | None = None) -> HttpSettings:
    """Timeout and retries, overridable by HEDGER_LIVE_TIMEOUT / HEDGER_LIVE_RETRIES."""
    env = os.environ if env is None else env
    timeout, retries = DEFAULT_TIMEOUT, DEFAULT_RETRIES
    try:
        if env.get(ENV_TIMEOUT):
            timeout = float(env[ENV_TIMEOUT])
        if env.get(ENV_RETRIES):
            retries = int(env[ENV_RETRIES])
        return HttpSettings(timeout=timeout, retries=retries, backoff=DEFAULT_BACKOFF)
    except ValueError as exc:
        raise PriceSourceError(f"{ENV_TIMEOUT}/{ENV_RETRIES}: {exc}") from None


def make_source(
    key: str,
    env: Mapping[str, str] | None = None,
    settings: HttpSettings | None = None,
) -> PriceSource:
    """A source by its command-line name: binance, coinbase, okx or ccxt:<exchange>."""
    env = os.environ if env is None else env
    settings = settings or http_settings_from_env(env)
    k = key.strip().lower()
    if k == "binance":
        return BinanceSource(
            env.get(ENV_BINANCE_URL) or BINANCE_URL,
            env.get(ENV_BINANCE_FUTURES_URL) or BINANCE_FUTURES_URL,
            settings,
        )
    if k == "coinbase":
        return CoinbaseSource(env.get(ENV_COINBASE_URL) or COINBASE_URL, settings)
    if k == "okx":
        return OkxSource(env.get(ENV_OKX_URL) or OKX_URL, settings)
    if k.startswith("ccxt:"):
        from hedger.live.ccxt_source import CcxtSource

        return CcxtSource(k.removeprefix("ccxt:"), timeout=settings.timeout)
    names = ", ".join([*BUILTIN_SOURCES, "ccxt:<exchange>"])
    raise PriceSourceError(f"unknown price source {clip(key, 30)!r} (choose from {names})")


def default_sources(env: Mapping[str, str] | None = None) -> list[PriceSource]:
    """The built-in venues in fallback order: Binance, then Coinbase, then OKX."""
    settings = http_settings_from_env(env)
    return [make_source(k, env, settings) for k in BUILTIN_SOURCES]
