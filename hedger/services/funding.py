"""Funding-rate histories: download from the venues, list, load, summarise.

Used by ``hedger funding download|list`` and, through ``hedger.services.carry``,
by ``hedger carry``, ``hedger backtest`` and the app's hedge panel. A download
is long work: it takes plain ``on_progress`` / ``cancelled`` callbacks (the
GUI runs it through ``ui/tasks.py``). Each contract is one unit: its rows
are checked and merged into the store only when all its pages came and every
row is believable; a failed or refused contract stores nothing and the
others go on. Cancelling keeps the contracts already finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hedger.core.funding import FundingHistory, FundingStats, funding_stats
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract
    from hedger.live.funding_fetch import FundingFetcher
    from hedger.store.funding import DamagedFunding, FundingInfo, FundingStore

DEFAULT_DAYS = 365


class FundingInputError(ServiceError):
    """Unknown contract, or one without funding; one line."""


@dataclass(frozen=True)
class FundingProgress:
    """Where a download is: contract ``index`` of ``total`` (from 0), rows so far."""

    contract_id: str
    index: int
    total: int
    rows: int
    text: str


@dataclass(frozen=True)
class ContractDownload:
    contract_id: str
    stored: FundingInfo | None  # None: nothing stored for this contract
    new_rows: int
    problem: str | None = None  # why nothing was stored
    notes: tuple[str, ...] = ()  # gaps, a venue's short memory, a damaged file kept aside


@dataclass(frozen=True)
class FundingDownload:
    results: tuple[ContractDownload, ...]
    cancelled: bool = False

    @property
    def failed(self) -> tuple[ContractDownload, ...]:
        return tuple(r for r in self.results if r.problem is not None)


def perpetuals(catalog: Catalog) -> list[Contract]:
    """Every perpetual of the catalog, by id."""
    return sorted(
        (c for c in catalog.contracts.values() if c.expiry == "perpetual"), key=lambda c: c.id
    )


def select_contracts(
    catalog: Catalog, ids: Iterable[str] = (), venues: Iterable[str] = ()
) -> list[Contract]:
    """The perpetuals named (ids), or on the venues named, or all of them."""
    wanted = [i.strip().upper() for i in ids]
    venue_codes = {v.strip().upper() for v in venues}
    by_upper = {c.id.upper(): c for c in catalog.contracts.values()}
    chosen: list[Contract] = []
    for cid in wanted:
        found = by_upper.get(cid)
        if found is None:
            raise FundingInputError(f"unknown contract {cid!r} (see 'hedger contracts')")
        if found.expiry != "perpetual":
            raise FundingInputError(f"{found.id} is a dated contract: it pays no funding")
        chosen.append(found)
    if not wanted:
        chosen = perpetuals(catalog)
    if venue_codes:
        chosen = [c for c in chosen if c.venue.upper() in venue_codes]
        if not chosen:
            raise FundingInputError(f"no perpetual on {', '.join(sorted(venue_codes))}")
    return list({c.id: c for c in chosen}.values())


def funding_sources(catalog: Catalog) -> dict[str, str | None]:
    """Per perpetual: where its funding comes from ("built in", "ccxt:krakenfutures"), or None."""
    from hedger.live.funding import funding_source_for

    return {c.id: funding_source_for(c) for c in perpetuals(catalog)}


def download_funding(
    contracts: Iterable[Contract],
    *,
    days: int = DEFAULT_DAYS,
    on_progress: Callable[[FundingProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    store: FundingStore | None = None,
    env: Mapping[str, str] | None = None,
    fetchers: Mapping[str, FundingFetcher] | None = None,
    now_ms: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FundingDownload:
    """Download and store the last ``days`` of funding of each contract.

    ``fetchers`` (by contract id) replace the venues' own (tests).
    """
    from hedger.live.funding import fetch_funding, fetcher_for
    from hedger.live.funding_fetch import FundingCancelled
    from hedger.live.http import PriceSourceError
    from hedger.store.funding import FundingStore, FundingStoreError

    store = store or FundingStore()
    todo = list(contracts)
    results: list[ContractDownload] = []
    stop = cancelled or (lambda: False)
    for i, contract in enumerate(todo):
        if stop():
            return FundingDownload(tuple(results), cancelled=True)

        def rows_seen(n: int, cid: str = contract.id, i: int = i) -> None:
            if on_progress is not None:
                text = f"{cid}: {n:,} funding rows ({i + 1} of {len(todo)})"
                on_progress(FundingProgress(cid, i, len(todo), n, text))

        rows_seen(0)
        try:
            fetcher = (fetchers or {}).get(contract.id) or fetcher_for(contract, env)
            history = fetch_funding(
                contract,
                days,
                fetcher=fetcher,
                now_ms=now_ms,
                cancelled=stop,
                on_rows=rows_seen,
                sleep=sleep,
            )
            info, set_aside = store.merge(history)
        except FundingCancelled:
            return FundingDownload(tuple(results), cancelled=True)
        except (PriceSourceError, FundingStoreError) as exc:
            results.append(ContractDownload(contract.id, None, 0, problem=str(exc)))
            continue
        notes = _notes(history, fetcher, days, set_aside)
        results.append(ContractDownload(contract.id, info, len(history), notes=notes))
    return FundingDownload(tuple(results))


def _notes(
    history: FundingHistory, fetcher: FundingFetcher, days: int, set_aside: str | None
) -> tuple[str, ...]:
    from hedger.core.funding import ms_to_iso

    notes: list[str] = []
    if not len(history):
        notes.append(f"{fetcher.name} sent no funding rows for the last {days} days")
    if fetcher.keeps_days is not None and days > fetcher.keeps_days:
        notes.append(
            f"{fetcher.name} keeps only about {fetcher.keeps_days} days of funding history; "
            "download again later to keep a longer record"
        )
    gaps = history.gaps()
    if gaps:
        longest = max(gaps, key=lambda g: g.hours)
        notes.append(
            f"{len(gaps)} gap(s) without funding times (longest {longest.hours} h after "
            f"{ms_to_iso(longest.after_ms)}); nothing is counted there"
        )
    if set_aside:
        notes.append(f"the stored file could not be read; it was kept as {set_aside}")
    return tuple(notes)


def list_funding(
    store: FundingStore | None = None,
) -> tuple[list[FundingInfo], list[DamagedFunding]]:
    from hedger.store.funding import FundingStore

    return (store or FundingStore()).scan()


def load_funding(
    contract_ids: Iterable[str], store: FundingStore | None = None
) -> dict[str, FundingHistory]:
    """The readable stored histories among ``contract_ids`` (others left out)."""
    from hedger.store.funding import FundingStore

    return (store or FundingStore()).load_many(list(contract_ids))


def funding_statistics(histories: Mapping[str, FundingHistory]) -> dict[str, FundingStats]:
    out: dict[str, FundingStats] = {}
    for cid, history in histories.items():
        stats = funding_stats(history)
        if stats is not None:
            out[cid] = stats
    return out


def delete_funding(contract_id: str, store: FundingStore | None = None) -> None:
    from hedger.store.funding import FundingStore

    (store or FundingStore()).delete(contract_id)
