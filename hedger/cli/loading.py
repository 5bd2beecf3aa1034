"""What most commands start with: the catalog (with its warning) and a portfolio file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hedger.cli.output import one_line, warn

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio


def load_catalog() -> Catalog:
    """The shipped catalog plus the user's own contracts; a damaged user file is a warning."""
    from hedger.services.catalog import load_catalog as load

    loaded = load()
    if loaded.folder_error is not None:
        # The data folder cannot even be created: work with the shipped contracts.
        warn(f"your own contracts were not loaded ({one_line(str(loaded.folder_error))})")
    elif loaded.problem:
        warn(one_line(loaded.problem))
    return loaded.catalog


def load_portfolio(path: Path) -> Portfolio:
    """The portfolio in ``path``; a bad file ends the command (exit 2)."""
    from hedger.services.portfolios import open_portfolio

    return open_portfolio(path)
