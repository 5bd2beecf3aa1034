"""Price histories in the data folder, shared by every portfolio.

One symbol is two files in ``<data>/history/``::

    BTC.npz   arrays "timestamps" (int64 ns UTC) and "closes" (float64)
    BTC.json  {"schema_version": 1, "symbol": "BTC", "sources": [...],
               "first": "...Z", "last": "...Z", "rows": 2600000,
               "npz_bytes": 41600490, "updated": "...Z"}

The ``.npz`` is the data; the JSON sidecar lets the history list show
without opening millions of rows. Both are replaced atomically. If a crash
leaves them out of step (the sidecar's ``npz_bytes`` no longer matches the
file), the sidecar is rebuilt from the arrays. Re-importing a symbol merges
the new rows into the stored ones; on an equal timestamp the new row wins.

A merge or delete holds the symbol's lock (``hedger.store.locks``) and reads
the stored rows again under it, so parallel imports into one symbol all
keep their rows. Neither file is trusted on reading
(``hedger.store.history_files``): a damaged or hostile one is listed as
damaged, never a stop.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from hedger.core.analytics.history import ImportReport
from hedger.core.analytics.series import MergeStats, PriceSeries, ns_to_iso
from hedger.core.models import normalise_symbol
from hedger.store import history_files, migrations, paths
from hedger.store.atomic import atomic_write_bytes, atomic_write_text, sweep_once
from hedger.store.errors import StoreError, describe_os_error, one_line
from hedger.store.history_files import HistoryFileProblem
from hedger.store.locks import LONG_TIMEOUT, locked, try_locked
from hedger.store.migrations import HISTORY_SCHEMA_VERSION

HISTORY_FOLDER = "history"
MAX_SOURCES = 20
DAMAGED_SUFFIX = ".damaged"

_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


class HistoryStoreError(StoreError):
    """A stored history cannot be read or written; str() is one line."""


class DamagedHistoryError(HistoryStoreError):
    """A stored history file cannot be read; ``reason`` says why in a few words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PartialImportRefused(HistoryStoreError):
    """The file had bad rows and the user has not agreed to import the rest."""


@dataclass(frozen=True)
class HistoryInfo:
    symbol: str
    sources: tuple[str, ...]
    first_ns: int | None
    last_ns: int | None
    rows: int
    updated: str  # ISO time of the last import, "" if unknown

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "sources": list(self.sources),
            "first": ns_to_iso(self.first_ns) if self.first_ns is not None else None,
            "last": ns_to_iso(self.last_ns) if self.last_ns is not None else None,
            "rows": self.rows,
            "updated": self.updated or None,
        }


@dataclass(frozen=True)
class DamagedHistory:
    """A stored history file that cannot be read: listed, never used, never overwritten."""

    symbol: str
    file_name: str  # e.g. "BTC.npz"
    reason: str  # one line

    def message(self) -> str:
        return (
            f"{self.file_name} ({self.symbol}) is damaged and cannot be read: {self.reason}. "
            f"Importing {self.symbol} again keeps it aside as {self.file_name}{DAMAGED_SUFFIX}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "file": self.file_name, "reason": self.reason}


@dataclass(frozen=True)
class ImportOutcome:
    info: HistoryInfo
    stats: MergeStats
    set_aside: str | None = None  # file name a damaged history was moved to

    def set_aside_message(self) -> str | None:
        if self.set_aside is None:
            return None
        return (
            f"The stored {self.info.symbol} history could not be read; it was kept as "
            f"{self.set_aside} and the new rows were stored on their own."
        )


def history_dir() -> Path:
    return paths.data_dir() / HISTORY_FOLDER


def file_stem(symbol: str) -> str:
    """File name (without suffix) for a symbol; symbols are already filename-safe."""
    sym = normalise_symbol(symbol)
    # "CON.npz" cannot be created on Windows whatever the suffix.
    return f"{sym}_" if sym.split(".")[0] in _WINDOWS_RESERVED else sym


class HistoryStore:
    """Read and write the histories in one folder (the data folder by default)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        folder = self._folder if self._folder is not None else history_dir()
        try:
            paths.ensure_private_dir(folder)
        except OSError as exc:
            raise HistoryStoreError(
                f"cannot create the history folder {folder}: {describe_os_error(exc)}"
            ) from None
        # A save killed mid-write strands a temporary file as big as the history.
        sweep_once(folder)
        return folder

    def _paths(self, symbol: str) -> tuple[Path, Path]:
        stem = file_stem(symbol)
        folder = self.folder
        return folder / f"{stem}.npz", folder / f"{stem}.json"

    # -- reading -----------------------------------------------------------
    def symbols(self) -> list[str]:
        return [info.symbol for info in self.list_histories()]

    def has(self, symbol: str) -> bool:
        try:
            return self._paths(symbol)[0].is_file()
        except (ValueError, HistoryStoreError):
            return False

    def list_histories(self) -> list[HistoryInfo]:
        """Every readable stored history, by symbol (see ``scan`` for damaged ones)."""
        return self.scan()[0]

    def damaged(self) -> list[DamagedHistory]:
        """Stored files that cannot be read, by symbol."""
        return self.scan()[1]

    def scan(self) -> tuple[list[HistoryInfo], list[DamagedHistory]]:
        """The readable histories and the damaged files, each by symbol."""
        out: list[HistoryInfo] = []
        bad: list[DamagedHistory] = []
        try:
            entries = sorted(self.folder.glob("*.npz"))
        except OSError:
            return out, bad
        for npz in entries:
            found = self._info_for(npz)
            if isinstance(found, HistoryInfo):
                out.append(found)
            else:
                bad.append(found)
        return sorted(out, key=lambda i: i.symbol), sorted(bad, key=lambda d: d.symbol)

    def info(self, symbol: str) -> HistoryInfo | None:
        npz, _ = self._paths(symbol)
        if not npz.is_file():
            return None
        found = self._info_for(npz)
        return found if isinstance(found, HistoryInfo) else None

    def load(self, symbol: str) -> PriceSeries:
        sym = normalise_symbol(symbol)
        npz, side = self._paths(sym)
        if not npz.is_file():
            raise HistoryStoreError(
                f"no price history for {sym}; import one with 'hedger history import'"
            )
        return _read_npz(npz, sym, self._sidecar_sources(side))

    def load_many(self, symbols: Iterable[str]) -> dict[str, PriceSeries]:
        """The histories that exist among ``symbols`` (missing ones left out)."""
        out: dict[str, PriceSeries] = {}
        for sym in sorted(set(symbols)):
            if self.has(sym):
                out[sym] = self.load(sym)
        return out

    # -- writing -----------------------------------------------------------
    def import_report(self, report: ImportReport, *, accept_partial: bool = False) -> ImportOutcome:
        """Store the good rows of an import; bad rows need the user's consent."""
        if report.good_rows == 0:
            raise HistoryStoreError(
                f"{report.source_name}: no usable rows to import ({report.bad_count:,} bad)"
            )
        if report.bad_count and not accept_partial:
            bad = report.bad_count
            raise PartialImportRefused(
                f"{report.source_name}: {bad:,} bad row{'s' if bad != 1 else ''}; nothing "
                f"imported (a partial import would store the {report.good_rows:,} good rows)"
            )
        return self.merge(report.series)

    def merge(self, series: PriceSeries) -> ImportOutcome:
        """Merge into the stored history; a damaged stored file is kept aside, not overwritten.

        The stored rows are read again under the symbol's lock, so a parallel
        import into the same symbol is merged, never overwritten.
        """
        sym = normalise_symbol(series.symbol)
        npz, _ = self._paths(sym)
        with self._locked(npz, sym):
            return self._merge_locked(npz, sym, series)

    def _merge_locked(self, npz: Path, sym: str, series: PriceSeries) -> ImportOutcome:
        set_aside: str | None = None
        stored: PriceSeries | None = None
        if npz.is_file():
            try:
                stored = self.load(sym)
            except DamagedHistoryError:
                set_aside = self._set_aside(npz, sym)
        if stored is not None:
            merged, stats = stored.merged_with(series)
        else:
            merged = PriceSeries(sym, series.timestamps, series.closes, series.sources)
            stats = MergeStats(added=len(series), replaced=0, unchanged=0)
        info = self._save_unlocked(merged)
        return ImportOutcome(info, stats, set_aside)

    @staticmethod
    def _locked(npz: Path, symbol: str) -> contextlib.AbstractContextManager[None]:
        return locked(npz, what=f"the {symbol} history", busy="being changed", timeout=LONG_TIMEOUT)

    def _set_aside(self, npz: Path, symbol: str) -> str:
        """Rename a damaged file to ``BTC.npz.damaged`` (``.damaged-2`` … if taken)."""
        target = npz.with_name(npz.name + DAMAGED_SUFFIX)
        n = 2
        while target.exists():
            target = npz.with_name(f"{npz.name}{DAMAGED_SUFFIX}-{n}")
            n += 1
        try:
            npz.replace(target)
        except OSError as exc:
            raise HistoryStoreError(
                f"the stored history of {symbol} ({npz.name}) is damaged and cannot be kept "
                f"aside ({describe_os_error(exc)}); nothing imported"
            ) from None
        with contextlib.suppress(OSError):
            npz.with_suffix(".json").unlink()
        return target.name

    def save(self, series: PriceSeries) -> HistoryInfo:
        """Replace the stored history of ``series.symbol`` with ``series`` (under its lock)."""
        sym = normalise_symbol(series.symbol)
        with self._locked(self._paths(sym)[0], sym):
            return self._save_unlocked(series)

    def _save_unlocked(self, series: PriceSeries) -> HistoryInfo:
        sym = normalise_symbol(series.symbol)
        npz, side = self._paths(sym)
        buf = io.BytesIO()
        np.savez(buf, timestamps=series.timestamps, closes=series.closes)
        data = buf.getvalue()
        sources = tuple(one_line(s, 120) for s in series.sources)[-MAX_SOURCES:]
        info = HistoryInfo(
            symbol=sym,
            sources=sources,
            first_ns=series.first_ns,
            last_ns=series.last_ns,
            rows=len(series),
            updated=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        )
        try:
            atomic_write_bytes(npz, data)
            atomic_write_text(side, _sidecar_text(info, len(data)))
        except OSError as exc:
            raise HistoryStoreError(
                f"cannot save the history of {sym}: {describe_os_error(exc)}"
            ) from None
        return info

    def delete(self, symbol: str) -> None:
        npz, side = self._paths(symbol)
        sym = normalise_symbol(symbol)
        with self._locked(npz, sym):
            if not npz.exists():
                raise HistoryStoreError(f"no price history for {sym}")
            try:
                npz.unlink()
            except OSError as exc:
                raise HistoryStoreError(
                    f"cannot delete the history of {symbol}: {describe_os_error(exc)}"
                ) from None
            with contextlib.suppress(OSError):
                side.unlink()

    # -- helpers -----------------------------------------------------------
    def _info_for(self, npz: Path) -> HistoryInfo | DamagedHistory:
        side = npz.with_suffix(".json")
        doc: dict[str, Any] | None = None
        try:
            size = npz.stat().st_size
            doc = _current_sidecar(history_files.read_index(side))
            if doc is not None and history_files.index_int(doc, "npz_bytes", 0, size) == size:
                info = _info_from_doc(doc)
                if info is not None:
                    return info
        except (OSError, HistoryFileProblem):
            pass
        # Sidecar missing, damaged or stale: the arrays are the truth.
        symbol = npz.stem
        if symbol.endswith("_") and symbol[:-1].split(".")[0] in _WINDOWS_RESERVED:
            symbol = symbol[:-1]
        try:
            sym = normalise_symbol(symbol)
        except ValueError:
            return DamagedHistory(symbol, npz.name, "the file name is not a symbol")
        sources = history_files.index_sources(doc) if doc is not None else ()
        try:
            series = _read_npz(npz, sym, sources)
        except DamagedHistoryError as exc:
            return DamagedHistory(sym, npz.name, exc.reason)
        info = HistoryInfo(sym, series.sources, series.first_ns, series.last_ns, len(series), "")
        # A cache write: skipped while an import holds the symbol (it writes its own).
        try:
            lock = try_locked(npz)
        except OSError:
            lock = None
        if lock is not None:
            try:
                with contextlib.suppress(OSError):
                    atomic_write_text(side, _sidecar_text(info, npz.stat().st_size))
            finally:
                lock.release()
        return info

    @staticmethod
    def _sidecar_sources(side: Path) -> tuple[str, ...]:
        try:
            return history_files.index_sources(history_files.read_index(side))
        except (OSError, HistoryFileProblem):
            return ()


def _read_npz(path: Path, symbol: str, sources: tuple[str, ...]) -> PriceSeries:
    try:
        ts, px = history_files.read_arrays(path)
        ts, px, _dropped = history_files.usable_rows(ts, px)
        return PriceSeries(symbol, ts, px, sources)
    except (OSError, ValueError) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) else one_line(str(exc), 120)
        raise DamagedHistoryError(
            f"the stored history of {symbol} ({path.name}) is damaged ({reason}); importing "
            f"{symbol} again keeps it aside as {path.name}{DAMAGED_SUFFIX}",
            reason,
        ) from None


def _sidecar_text(info: HistoryInfo, npz_bytes: int) -> str:
    doc = {
        "schema_version": HISTORY_SCHEMA_VERSION,
        **info.to_dict(),
        "first_ns": info.first_ns,
        "last_ns": info.last_ns,
        "npz_bytes": npz_bytes,
    }
    return json.dumps(doc, indent=2) + "\n"


def _current_sidecar(doc: Any) -> dict[str, Any] | None:
    """The sidecar upgraded to the current version; None if it cannot be (then it is rebuilt)."""
    if not isinstance(doc, dict):
        return None
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return None
    try:
        return migrations.HISTORY_INDEX.upgrade(doc, version)
    except migrations.NewerVersionError:
        # Written by a newer Hedger: the arrays are the truth, as for a damaged one.
        return None


def _info_from_doc(doc: dict[str, Any]) -> HistoryInfo | None:
    """The index's facts, or None when any is missing or out of range (then it is rebuilt)."""
    symbol = doc.get("symbol")
    rows = history_files.index_rows(doc)
    if not isinstance(symbol, str) or rows is None:
        return None
    try:
        sym = normalise_symbol(symbol)
    except ValueError:
        return None
    updated = doc.get("updated")
    return HistoryInfo(
        symbol=sym,
        sources=history_files.index_sources(doc),
        first_ns=history_files.index_ns(doc, "first_ns"),
        last_ns=history_files.index_ns(doc, "last_ns"),
        rows=rows,
        updated=updated[:40] if isinstance(updated, str) else "",
    )
