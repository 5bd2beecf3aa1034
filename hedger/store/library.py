"""The portfolio library: every saved portfolio as a file in one folder.

Files are ``<slug>.json`` named after the portfolio (``Core stack`` ->
``core-stack.json``; ``core-stack-2.json`` when taken). The name shown to the
user is the one inside the file. Deleting moves the file (and its backup) to
the data folder's ``trash/`` so a slip can be undone. Every operation raises
``LibraryError`` with a one-line message; a damaged file is listed with its
error rather than hidden.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from hedger.core.models import Portfolio
from hedger.store import paths
from hedger.store.atomic import NEW_FILE_MODE, backup_path, remove_stale_temp_files
from hedger.store.errors import StoreError, describe_os_error, one_line, shown_name
from hedger.store.locks import locked
from hedger.store.portfolio_file import (
    PortfolioFileError,
    load_portfolio,
    save_portfolio,
    validation_summary,
)
from hedger.store.portfolio_sync import update_portfolio
from hedger.store.versions import move_versions

PORTFOLIO_SUFFIX = ".json"
MAX_SLUG_CHARS = 60

# Device names Windows refuses as file names, with any extension.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_COPY_SUFFIX = re.compile(r" \(copy(?: \d+)?\)$")
# delete() appends "-YYYYmmdd-HHMMSS" (and "-N" on a clash) to trashed files.
_TRASH_STAMP = re.compile(r"-\d{8}-\d{6}(-\d+)?$")


class LibraryError(StoreError):
    """A library operation failed; str() is one line fit for the user."""


@dataclass(frozen=True)
class LibraryEntry:
    """One file in the library as the list shows it."""

    path: Path
    name: str  # from the file, or the file stem when it cannot be read
    modified: float  # POSIX timestamp of the last change, as os.stat gives it
    holdings_count: int  # 0 when the file cannot be read
    total_value: Decimal | None = None
    error: str | None = None  # one-line reason the file cannot be opened

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def modified_at(self) -> datetime:
        """``modified`` as a timezone-aware (UTC) datetime."""
        return datetime.fromtimestamp(self.modified, tz=UTC)


def slugify(name: str) -> str:
    """A safe file stem for a portfolio name: lowercase, letters, digits and '-'.

    Never empty, never starting with '.' or containing a path separator, so
    names like ``../x`` or ``con`` cannot escape the folder or trip Windows.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    out: builtins.list[str] = []
    for char in text:
        if char.isalnum() and char.isprintable():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out)[:MAX_SLUG_CHARS].strip("-")
    slug = unicodedata.normalize("NFC", slug) or "portfolio"
    if slug.upper() in _WINDOWS_RESERVED:
        slug += "-portfolio"
    return slug


def check_portfolio_name(name: str) -> str:
    """The cleaned name, or LibraryError saying what is wrong with it."""
    if not isinstance(name, str):
        raise LibraryError("a portfolio name must be text")
    if any(unicodedata.category(c) == "Cc" for c in name.strip()):
        raise LibraryError("a portfolio name cannot contain line breaks or control characters")
    try:
        return Portfolio(name=name).name
    except ValidationError as exc:
        raise LibraryError(f"portfolio {validation_summary(exc)}") from None


class PortfolioLibrary:
    """The folder of saved portfolios (``paths.portfolios_dir()`` by default)."""

    def __init__(self, directory: Path | None = None, trash: Path | None = None) -> None:
        try:
            self.directory = directory if directory is not None else paths.portfolios_dir()
            paths.ensure_private_dir(self.directory)
        except OSError as exc:
            where = directory if directory is not None else "the data folder"
            raise LibraryError(
                one_line(f"cannot use the portfolio folder {where} ({describe_os_error(exc)})")
            ) from None
        self._trash = trash
        self._cache: dict[Path, tuple[int, int, LibraryEntry]] = {}
        # Saves killed mid-write (power cut, kill -9) strand hidden temp files;
        # the app's library is made at start-up, a moment to sweep every writer's.
        remove_stale_temp_files(self.directory)
        if directory is None:
            with contextlib.suppress(OSError):
                paths.sweep_temp_files()

    @property
    def trash_directory(self) -> Path:
        try:
            folder = self._trash if self._trash is not None else paths.trash_dir()
            paths.ensure_private_dir(folder)
        except OSError as exc:
            raise LibraryError(f"cannot use the trash folder ({describe_os_error(exc)})") from None
        return folder

    # -- reading -----------------------------------------------------------

    def list(self) -> builtins.list[LibraryEntry]:
        """All portfolios, damaged ones included (with ``error`` set), by name."""
        return self._entries(self.directory)

    def trashed(self) -> builtins.list[LibraryEntry]:
        """Portfolios in the trash, newest first, for restoring."""
        entries = self._entries(self.trash_directory)
        return sorted(entries, key=lambda e: e.modified, reverse=True)

    def find(self, name: str) -> Path | None:
        """The file of the portfolio called ``name`` (case-insensitive), if any."""
        wanted = name.strip().casefold()
        entries = self.list()
        for entry in entries:
            if entry.ok and entry.name.casefold() == wanted:
                return entry.path
        for entry in entries:
            if entry.path.stem == slugify(name):
                return entry.path
        return None

    def load(self, path: Path) -> Portfolio:
        """Open a portfolio of the library (LibraryError if damaged)."""
        try:
            return load_portfolio(path)
        except PortfolioFileError as exc:
            raise LibraryError(str(exc)) from None

    def path_for(self, name: str) -> Path:
        """A free, safe path for a new portfolio called ``name`` (not created)."""
        stem = slugify(name)
        for n in range(1, 10_000):
            candidate = self.directory / f"{stem if n == 1 else f'{stem}-{n}'}{PORTFOLIO_SUFFIX}"
            if not self._taken(candidate):
                return candidate
        raise LibraryError(f"too many portfolios named like {shown_name(name)!r}")

    # -- changing ------------------------------------------------------------

    def create(self, name: str) -> Path:
        """Save a new empty portfolio called ``name``; returns its file."""
        clean = check_portfolio_name(name)
        return self._save_new(Portfolio(name=clean))

    def save_as(self, portfolio: Portfolio, name: str) -> Path:
        """Save ``portfolio`` under a new name as a new file; returns its file."""
        clean = check_portfolio_name(name)
        return self._save_new(portfolio.model_copy(update={"name": clean}))

    def rename(self, path: Path, new_name: str) -> Path:
        """Change the name inside the file and the file name; returns the new path.

        The renamed copy is written first and the old file removed after, so
        a failure at any point leaves at least one complete copy.
        """
        path = self._own(path)
        clean = check_portfolio_name(new_name)
        if _same_slug(path.stem, slugify(clean)):
            # Read, rename and write in one hold of the file's lock.
            try:
                update_portfolio(path, lambda p: p.model_copy(update={"name": clean}))
            except StoreError as exc:
                raise LibraryError(str(exc)) from None
            return path
        try:
            with locked(path, what=shown_name(path.name)):
                new_path = self._rename_locked(path, clean)
        except LibraryError:
            raise
        except StoreError as exc:
            raise LibraryError(str(exc)) from None
        move_versions(path, new_path)
        self._cache.pop(path, None)
        return new_path

    def _rename_locked(self, path: Path, clean: str) -> Path:
        renamed = self.load(path).model_copy(update={"name": clean})
        new_path = self._save_new(renamed)
        try:
            os.unlink(path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(new_path)
            raise LibraryError(
                f"{shown_name(path.name)}: could not rename ({describe_os_error(exc)})"
            ) from None
        old_backup = backup_path(path)
        if old_backup.exists():
            with contextlib.suppress(OSError):
                os.replace(old_backup, backup_path(new_path))
        return new_path

    def duplicate(self, path: Path, new_name: str | None = None) -> Path:
        """Save a copy (``"Core stack (copy)"`` unless named); returns its file."""
        path = self._own(path)
        original = self.load(path)
        name = new_name if new_name is not None else self._copy_name(original.name)
        return self.save_as(original, name)

    def delete(self, path: Path) -> Path:
        """Move a portfolio (and its backup) to the trash; returns where it went."""
        path = self._own(path)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        dest = self._free_path(self.trash_directory, f"{path.stem}-{stamp}")
        try:
            _move(path, dest)
        except OSError as exc:
            raise LibraryError(
                f"{shown_name(path.name)}: could not move to the trash ({describe_os_error(exc)})"
            ) from None
        old_backup = backup_path(path)
        if old_backup.exists():
            with contextlib.suppress(OSError):
                _move(old_backup, backup_path(dest))
        self._cache.pop(path, None)
        return dest

    def restore(self, trashed: Path) -> Path:
        """Bring a portfolio back from the trash; returns its new library path."""
        trashed = self._own(trashed, self.trash_directory)
        try:
            name = load_portfolio(trashed).name
        except PortfolioFileError:
            # A damaged file is restored as it is, so the user can still fix it.
            name = _TRASH_STAMP.sub("", trashed.stem) or trashed.stem
        dest = self._reserve(name)
        try:
            _move(trashed, dest)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(dest)
            raise LibraryError(
                f"{shown_name(trashed.name)}: could not restore ({describe_os_error(exc)})"
            ) from None
        old_backup = backup_path(trashed)
        if old_backup.exists():
            with contextlib.suppress(OSError):
                _move(old_backup, backup_path(dest))
        return dest

    # -- helpers -------------------------------------------------------------

    def _entries(self, folder: Path) -> builtins.list[LibraryEntry]:
        try:
            names = os.listdir(folder)
        except OSError as exc:
            raise LibraryError(
                one_line(f"cannot list {folder} ({describe_os_error(exc)})")
            ) from None
        entries = []
        for file_name in names:
            # Hidden names cover the temp files of saves in progress or killed.
            if file_name.startswith(".") or not file_name.lower().endswith(PORTFOLIO_SUFFIX):
                continue
            entry = self._entry(folder / file_name)
            if entry is not None:
                entries.append(entry)
        return sorted(entries, key=lambda e: (e.name.casefold(), e.path.name))

    def _entry(self, path: Path) -> LibraryEntry | None:
        try:
            st = path.stat()
        except OSError:
            return None  # vanished between listing and stat
        if not path.is_file():
            return None
        cached = self._cache.get(path)
        if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
            return cached[2]
        modified = st.st_mtime
        try:
            portfolio = load_portfolio(path)
        except PortfolioFileError as exc:
            entry = LibraryEntry(path, path.stem, modified, 0, None, str(exc))
        else:
            entry = LibraryEntry(
                path, portfolio.name, modified, len(portfolio.holdings), portfolio.total_value
            )
        self._cache[path] = (st.st_mtime_ns, st.st_size, entry)
        return entry

    def _copy_name(self, name: str) -> str:
        base = _COPY_SUFFIX.sub("", name)
        taken = {e.name.casefold() for e in self.list()}
        for n in range(1, 10_000):
            suffix = " (copy)" if n == 1 else f" (copy {n})"
            candidate = base[: 120 - len(suffix)].rstrip() + suffix
            if candidate.casefold() not in taken:
                return candidate
        raise LibraryError(f"too many copies of {shown_name(name)!r}")  # pragma: no cover

    def _save_new(self, portfolio: Portfolio) -> Path:
        path = self._reserve(portfolio.name)
        try:
            self._save(path, portfolio, backup=False)
        except LibraryError:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        return path

    def _save(self, path: Path, portfolio: Portfolio, *, backup: bool) -> None:
        try:
            save_portfolio(path, portfolio, backup=backup)
        except StoreError as exc:  # unsavable, or another save holds the file
            raise LibraryError(str(exc)) from None

    def _reserve(self, name: str) -> Path:
        """Claim a free path by creating it empty; the save then replaces it.

        Creating with O_EXCL means two windows creating "Core" at once get
        core.json and core-2.json, never one overwriting the other.
        """
        for _ in range(100):
            path = self.path_for(name)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
            except FileExistsError:
                continue
            except OSError as exc:
                raise LibraryError(
                    one_line(
                        f"cannot create a portfolio in {self.directory} ({describe_os_error(exc)})"
                    )
                ) from None
            os.close(fd)
            return path
        raise LibraryError("could not find a free file name")  # pragma: no cover

    def _taken(self, path: Path) -> bool:
        return path.exists() or backup_path(path).exists()

    def _free_path(self, folder: Path, stem: str) -> Path:
        for n in range(1, 10_000):
            candidate = folder / f"{stem if n == 1 else f'{stem}-{n}'}{PORTFOLIO_SUFFIX}"
            if not self._taken(candidate):
                return candidate
        raise LibraryError("could not find a free file name")  # pragma: no cover

    def _own(self, path: Path, folder: Path | None = None) -> Path:
        """``path`` if it is a file directly inside ``folder`` (the library)."""
        folder = self.directory if folder is None else folder
        try:
            inside = path.resolve().parent == folder.resolve()
        except OSError:
            inside = False
        if not inside:
            raise LibraryError(f"{shown_name(path.name)}: not in the portfolio library")
        if not path.is_file():
            raise LibraryError(f"{shown_name(path.name)}: no longer exists")
        return path


def _same_slug(stem: str, slug: str) -> bool:
    """True if ``stem`` is ``slug`` or a numbered variant like ``slug-2``."""
    return re.fullmatch(re.escape(slug) + r"(-\d+)?", stem) is not None


def _move(source: Path, dest: Path) -> None:
    try:
        os.replace(source, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # The trash may sit on another disk when folders were configured apart.
        shutil.move(source, dest)
