"""Funding-rate histories in the data folder, beside the price histories.

One contract is one file in ``<data>/funding/`` (``BINANCE_BTCUSDT.json``
for ``BINANCE:BTCUSDT``)::

    {"schema_version": 1, "contract": "BINANCE:BTCUSDT",
     "sign": "positive rate: longs pay shorts",
     "sources": ["Binance USDⓈ-M /fapi/v1/fundingRate"],
     "updated": "2026-12-06T12:00:00Z", "first": "...Z", "last": "...Z",
     "rows": [[1570608000000, "0.0001"], ...]}

Each row is a funding time (ms UTC) and the venue's rate for the interval
ending then, as text so it stays exact. The file is replaced atomically;
a download merges its rows into the stored ones (on an equal time the new
row wins). A file that cannot be read is listed as damaged, never used, and
kept aside as ``<name>.damaged`` when the contract is downloaded again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hedger.core.funding import FundingError, FundingHistory, ms_to_iso
from hedger.store import migrations, paths
from hedger.store.atomic import atomic_write_text
from hedger.store.errors import StoreError, describe_os_error, one_line
from hedger.store.jsonfile import JsonProblem, decode_text, parse_json, read_limited
from hedger.store.locks import LockBusy, locked
from hedger.store.migrations import FUNDING_SCHEMA_VERSION

FUNDING_FOLDER = "funding"
MAX_FILE_BYTES = 20_000_000  # ~40 years of hourly rows
MAX_SOURCES = 20
DAMAGED_SUFFIX = ".damaged"
SIGN_TEXT = "positive rate: longs pay shorts"


class FundingStoreError(StoreError):
    """A stored funding history cannot be read or written; str() is one line."""


@dataclass(frozen=True)
class FundingInfo:
    contract_id: str
    rows: int
    first_ms: int | None
    last_ms: int | None
    sources: tuple[str, ...]
    updated: str  # ISO time of the last download


@dataclass(frozen=True)
class DamagedFunding:
    contract_id: str
    file_name: str
    reason: str

    def message(self) -> str:
        return (
            f"{self.file_name} ({self.contract_id}) is damaged and cannot be read: {self.reason}; "
            f"downloading {self.contract_id} again keeps it aside as "
            f"{self.file_name}{DAMAGED_SUFFIX}"
        )


def funding_dir() -> Path:
    return paths.data_dir() / FUNDING_FOLDER


def file_name(contract_id: str) -> str:
    """``BINANCE_BTCUSDT.json``: catalog venue codes have no underscore, so this is unique."""
    venue, sep, symbol = contract_id.partition(":")
    if not sep or not venue.isalnum() or not symbol or "/" in symbol or "\\" in symbol:
        raise FundingStoreError(f"{one_line(contract_id, 60)!r} is not a contract id")
    return f"{venue}_{symbol}.json"


class FundingStore:
    """Read and write the funding histories in one folder (the data folder's by default)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        folder = self._folder if self._folder is not None else funding_dir()
        try:
            paths.ensure_private_dir(folder)
        except OSError as exc:
            raise FundingStoreError(
                f"cannot create the funding folder {folder}: {describe_os_error(exc)}"
            ) from None
        return folder

    def path(self, contract_id: str) -> Path:
        return self.folder / file_name(contract_id)

    # -- reading -----------------------------------------------------------
    def scan(self) -> tuple[list[FundingInfo], list[DamagedFunding]]:
        """The readable histories and the damaged files, each by contract id."""
        good: list[FundingInfo] = []
        bad: list[DamagedFunding] = []
        try:
            files = sorted(self.folder.glob("*.json"))
        except OSError:
            return good, bad
        for path in files:
            try:
                history, doc = _read(path)
            except FundingStoreError as exc:
                cid = path.stem.replace("_", ":", 1)
                bad.append(DamagedFunding(cid, path.name, str(exc)))
                continue
            good.append(_info(history, doc))
        return sorted(good, key=lambda i: i.contract_id), sorted(bad, key=lambda d: d.contract_id)

    def has(self, contract_id: str) -> bool:
        try:
            return self.path(contract_id).is_file()
        except FundingStoreError:
            return False

    def load(self, contract_id: str) -> FundingHistory:
        """The stored history; FundingStoreError when there is none or it is damaged."""
        path = self.path(contract_id)
        if not path.is_file():
            raise FundingStoreError(
                f"no funding history for {contract_id}; "
                f"download it with 'hedger funding download {contract_id}'"
            )
        history, _doc = _read(path)
        if history.contract_id != contract_id:
            raise FundingStoreError(
                f"{path.name} holds {history.contract_id}, not {contract_id}: damaged"
            )
        return history

    def load_many(self, contract_ids: list[str]) -> dict[str, FundingHistory]:
        """The readable stored histories among ``contract_ids`` (missing or damaged left out)."""
        out: dict[str, FundingHistory] = {}
        for cid in dict.fromkeys(contract_ids):
            if self.has(cid):
                with contextlib.suppress(FundingStoreError):
                    out[cid] = self.load(cid)
        return out

    # -- writing -----------------------------------------------------------
    def merge(self, history: FundingHistory) -> tuple[FundingInfo, str | None]:
        """Merge ``history`` into the stored one; returns the new info and the name a
        damaged file was kept aside as, if one was."""
        path = self.path(history.contract_id)
        # Read, merge and write under the file's lock: two downloads of one
        # contract at once must not drop each other's rows.
        with self._locked(path, history.contract_id):
            set_aside: str | None = None
            merged = history
            if path.is_file():
                try:
                    merged = self.load(history.contract_id).merged_with(history)
                except FundingStoreError:
                    set_aside = _set_aside(path)
            return self._save_unlocked(merged), set_aside

    @staticmethod
    @contextlib.contextmanager
    def _locked(path: Path, contract_id: str) -> Iterator[None]:
        try:
            with locked(path, what=f"the {contract_id} funding history", busy="being changed"):
                yield
        except LockBusy as exc:
            raise FundingStoreError(str(exc)) from None

    def save(self, history: FundingHistory) -> FundingInfo:
        """Replace the stored history of its contract (under the file's lock)."""
        with self._locked(self.path(history.contract_id), history.contract_id):
            return self._save_unlocked(history)

    def _save_unlocked(self, history: FundingHistory) -> FundingInfo:
        path = self.path(history.contract_id)
        doc = _document(history)
        try:
            atomic_write_text(path, json.dumps(doc, separators=(",", ":")) + "\n")
        except OSError as exc:
            raise FundingStoreError(
                f"cannot save the funding of {history.contract_id}: {describe_os_error(exc)}"
            ) from None
        return _info(history, doc)

    def delete(self, contract_id: str) -> None:
        path = self.path(contract_id)
        try:
            with self._locked(path, contract_id):
                path.unlink()
        except FileNotFoundError:
            raise FundingStoreError(f"no funding history for {contract_id}") from None
        except OSError as exc:
            raise FundingStoreError(
                f"cannot delete the funding of {contract_id}: {describe_os_error(exc)}"
            ) from None


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _document(history: FundingHistory) -> dict[str, Any]:
    return {
        "schema_version": FUNDING_SCHEMA_VERSION,
        "contract": history.contract_id,
        "sign": SIGN_TEXT,
        "sources": [one_line(s, 120) for s in history.sources][-MAX_SOURCES:],
        "updated": _now_iso(),
        "first": ms_to_iso(history.times_ms[0]) if history.times_ms else None,
        "last": ms_to_iso(history.times_ms[-1]) if history.times_ms else None,
        "rows": [[t, str(r)] for t, r in zip(history.times_ms, history.rates, strict=True)],
    }


def _info(history: FundingHistory, doc: dict[str, Any]) -> FundingInfo:
    return FundingInfo(
        contract_id=history.contract_id,
        rows=len(history),
        first_ms=history.first_ms,
        last_ms=history.last_ms,
        sources=history.sources,
        updated=str(doc.get("updated") or ""),
    )


def _read(path: Path) -> tuple[FundingHistory, dict[str, Any]]:
    try:
        raw = parse_json(decode_text(read_limited(path, MAX_FILE_BYTES)))
    except JsonProblem as exc:
        raise FundingStoreError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise FundingStoreError(f"{path.name}: {describe_os_error(exc)}") from None
    if not isinstance(raw, dict):
        raise FundingStoreError(f"{path.name}: not a funding history")
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FundingStoreError(f"{path.name}: no schema_version")
    try:
        doc = migrations.FUNDING.upgrade(raw, version)
    except migrations.NewerVersionError as exc:
        raise FundingStoreError(exc.message(path.name)) from None
    return _history(path.name, doc), doc


def _history(name: str, doc: dict[str, Any]) -> FundingHistory:
    cid = doc.get("contract")
    rows = doc.get("rows")
    if not isinstance(cid, str) or not isinstance(rows, list):
        raise FundingStoreError(f"{name}: no contract or rows")
    times: list[int] = []
    rates: list[Decimal] = []
    for row in rows:
        if (
            not isinstance(row, list)
            or len(row) != 2
            or not isinstance(row[0], int)
            or isinstance(row[0], bool)
            or not isinstance(row[1], str)
        ):
            raise FundingStoreError(f'{name}: a row is not [time, "rate"]')
        try:
            rate = Decimal(row[1])
        except InvalidOperation:
            raise FundingStoreError(f"{name}: a rate is not a number") from None
        if not rate.is_finite():
            raise FundingStoreError(f"{name}: a rate is not finite")
        times.append(row[0])
        rates.append(rate)
    sources = tuple(str(s) for s in doc.get("sources", []) if isinstance(s, str))
    try:
        return FundingHistory(cid, tuple(times), tuple(rates), sources[-MAX_SOURCES:])
    except FundingError as exc:
        raise FundingStoreError(f"{name}: {exc}") from None


def _set_aside(path: Path) -> str:
    target = path.with_name(path.name + DAMAGED_SUFFIX)
    n = 2
    while target.exists():
        target = path.with_name(f"{path.name}{DAMAGED_SUFFIX}-{n}")
        n += 1
    try:
        path.replace(target)
    except OSError as exc:
        raise FundingStoreError(
            f"{path.name} is damaged and cannot be kept aside ({describe_os_error(exc)})"
        ) from None
    return target.name
