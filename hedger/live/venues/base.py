"""What every venue module builds on: the venue description and the price-source interface.

A ``Venue`` subclass states what Hedger knows about one venue; a
``PriceSource`` subclass fetches its public prices. Venue modules hold both,
so a venue's facts live in one file (plus its rows in ``resources/contracts.json``).

Importing this module loads no network stack: ``hedger.live.http`` imports
urllib and ssl only when the first client is built.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from hedger.live.http import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    HttpSettings,
    JsonClient,
    PriceSourceError,
    clip,
)
from hedger.live.validate import as_decimal

if TYPE_CHECKING:
    from hedger.core.catalog import Contract
    from hedger.live.candles import CandleSource
    from hedger.live.funding_fetch import FetcherFactory

ENV_TIMEOUT = "HEDGER_LIVE_TIMEOUT"
ENV_RETRIES = "HEDGER_LIVE_RETRIES"

# Venue instrument names are built from the symbol; anything else cannot be
# listed and would only produce a confusing venue error.
PLAIN_SYMBOL = re.compile(r"^[A-Z0-9]{1,15}$")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A public base URL and the environment variable that points it elsewhere (a test server)."""

    #: What the URL serves, in a few words ("spot", "USDⓈ-M futures").
    serves: str
    default_url: str
    env_var: str

    def url(self, env: Mapping[str, str]) -> str:
        return env.get(self.env_var) or self.default_url


class Venue:
    """Everything Hedger knows about one venue. Subclasses set the class attributes.

    Facts only: a venue Hedger has no price source for says so (no endpoints,
    ``make_source`` returns None) rather than pretending to have one.
    """

    #: Command-line and settings name: ``--source binance``.
    key: ClassVar[str]
    #: Name shown to people and stored in quotes ("Binance").
    name: ClassVar[str]
    #: ``venue`` values of catalog contracts that trade here ("BINANCE").
    catalog_codes: ClassVar[tuple[str, ...]] = ()
    #: Public, key-less price endpoints; empty when Hedger has no built-in source.
    endpoints: ClassVar[tuple[Endpoint, ...]] = ()
    has_spot_prices: ClassVar[bool] = False
    #: Perpetual futures prices, which stand in for every contract on the coin.
    has_futures_prices: ClassVar[bool] = False
    #: Catalog venues whose contracts the built-in source prices exactly (the
    #: hedge's own contract rather than a perpetual stand-in).
    exact_contract_codes: ClassVar[tuple[str, ...]] = ()
    #: ccxt exchange ids whose markets list this venue's catalog contracts
    #: (``hedger prices contracts <id>`` compares sizes with them).
    ccxt_market_ids: ClassVar[tuple[str, ...]] = ()
    #: ccxt exchange id for spot and perpetual prices through ccxt, if any.
    ccxt_price_id: ClassVar[str | None] = None

    @property
    def has_builtin_source(self) -> bool:
        return bool(self.endpoints)

    def make_source(self, env: Mapping[str, str], settings: HttpSettings) -> PriceSource | None:
        """The built-in price source, with base URLs from ``env``; None if Hedger has none."""
        return None

    def candle_source(self) -> type[CandleSource] | None:
        """The public candles Hedger downloads price history from (``hedger history
        download``); None if it downloads none here. The registry reads it."""
        return None

    def funding_fetcher_factory(self) -> FetcherFactory | None:
        """What downloads the funding history of this venue's perpetuals (its module's
        ``make_funding_fetcher``); None when only ccxt can. The registry reads it."""
        return None

    def __repr__(self) -> str:
        return f"<venue {self.key}>"


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


class VenueSource(PriceSource):
    """A built-in source: name and abilities are its venue's (``class X(VenueSource, venue=V)``)."""

    venue: ClassVar[type[Venue]]

    def __init_subclass__(cls, *, venue: type[Venue], **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.venue = venue
        cls.name = venue.name
        cls.has_futures = venue.has_futures_prices
        cls.contract_venues = venue.exact_contract_codes


def split_plain(symbols: Sequence[str], venue: str) -> tuple[list[str], dict[str, str]]:
    """Symbols a venue instrument name can be built from, and problems for the rest."""
    plain = [s for s in dict.fromkeys(symbols) if PLAIN_SYMBOL.match(s)]
    rest = [s for s in symbols if s not in plain]
    return plain, {s: f"{s}: {venue} cannot price this symbol" for s in rest}


def price_from(record: Any, key: str, symbol: str, venue: str, answer: SourceAnswer) -> None:
    """Store ``record[key]`` as the symbol's price, or say why it is unreadable."""
    raw = record.get(key) if isinstance(record, dict) else None
    value = as_decimal(raw)
    if value is None:
        shown = "nothing" if raw is None else repr(clip(raw, 30))
        answer.problems[symbol] = f"{symbol}: {venue} sent an unreadable price ({shown})"
        answer.unreadable.add(symbol)
    else:
        answer.prices[symbol] = value


def unexpected(venue: str) -> PriceSourceError:
    return PriceSourceError(f"{venue} sent an unexpected answer (the API may have changed)")


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


def json_client(
    venue: str,
    base_url: str,
    settings: HttpSettings | None,
    sleep: Callable[[float], None] | None,
) -> JsonClient:
    """A client for one base URL; ``sleep`` replaces the pause between retries (tests)."""
    if sleep is None:
        return JsonClient(venue, base_url, settings)
    return JsonClient(venue, base_url, settings, sleep=sleep)
