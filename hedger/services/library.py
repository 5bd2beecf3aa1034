"""The portfolio library (named portfolios in the data folder), the sample, and what to open first.

Used by the desktop app: start-up (``choose_initial``), the library panel
(create, duplicate, rename, delete, restore through ``PortfolioLibrary``),
the file commands (suggested save paths). Kept apart from
``hedger.services.portfolios`` so ``hedger plan`` does not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hedger.core.models import Portfolio
from hedger.store.library import LibraryEntry, LibraryError, PortfolioLibrary
from hedger.store.portfolio_file import PortfolioFileError, load_portfolio

#: The portfolio a first run opens, from the shipped samples.
SAMPLE_FILE = "core-stack.json"


def sample_portfolio() -> Portfolio:
    """The shipped sample portfolio."""
    from hedger.core.resources import resource_path

    return load_portfolio(resource_path("samples", SAMPLE_FILE))


def list_portfolios(library: PortfolioLibrary | None = None) -> list[LibraryEntry]:
    """The library's portfolios, unreadable ones included (their ``error`` says why)."""
    return (library or PortfolioLibrary()).list()


@dataclass
class Startup:
    """The portfolio the app opens with, and what to tell the user about the choice."""

    portfolio: Portfolio
    path: Path | None
    message: str | None = None  # shown to the user after the window appears
    failed_file: bool = False  # the FILE asked for could not be opened


def choose_initial(
    file: Path | None,
    library: PortfolioLibrary,
    *,
    last_portfolio: str | Path | None = None,
    first_run_done: bool = False,
) -> Startup:
    """The portfolio to open: FILE, else the last one used, else the newest in
    the library, else the sample (saved into the library on a first run)."""
    problem: str | None = None
    if file is not None:
        try:
            return Startup(load_portfolio(file), file)
        except PortfolioFileError as exc:
            problem = str(exc)
    last = Path(last_portfolio) if last_portfolio else None
    if last is not None and last.exists():
        try:
            return Startup(load_portfolio(last), last, problem, failed_file=problem is not None)
        except PortfolioFileError as exc:
            problem = problem or str(exc)
    entries = [e for e in library.list() if not e.error]
    if entries and first_run_done:
        newest = max(entries, key=lambda e: e.modified)
        try:
            return Startup(load_portfolio(newest.path), newest.path, problem, problem is not None)
        except PortfolioFileError:
            pass
    # First run: put the sample in the library so the user can play with it.
    sample = sample_portfolio()
    existing = next((e for e in entries if e.name == sample.name), None)
    if existing is not None:
        return Startup(load_portfolio(existing.path), existing.path, problem, problem is not None)
    path = library.save_as(sample, sample.name)
    return Startup(sample, path, problem, failed_file=problem is not None)


__all__ = [
    "SAMPLE_FILE",
    "LibraryEntry",
    "LibraryError",
    "PortfolioLibrary",
    "Startup",
    "choose_initial",
    "list_portfolios",
    "sample_portfolio",
]
