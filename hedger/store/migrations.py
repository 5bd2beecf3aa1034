"""Reading older files: one upgrade step per schema version of each versioned file shape.

A ``Chain`` holds, for one file shape, its current version and ``steps``:
``steps[n]`` turns a version-n document into a version n+1 one. On read the
store applies the steps from the file's version up to the current one, then
validates the result as usual; a file newer than this release is refused.

Steps work on plain JSON documents as parsed (numbers are Decimal), never on
models, so an old step keeps working when the models move on. A step may
change the document it is given (it was just parsed) and returns the upgraded
one; the chain sets ``schema_version`` after each step.

Bumping a shape, e.g. the portfolio from version 2 to 3: raise
``PORTFOLIO_SCHEMA_VERSION`` (hedger.core.models), write
``_portfolio_v2_to_v3(doc)`` below and add ``2: _portfolio_v2_to_v3`` to
``PORTFOLIO_STEPS`` (``1: _portfolio_v1_to_v2`` is the step already there).
The writer then writes version 3 only.

Every versioned file Hedger writes has its chain here: portfolios, the
user's contracts, the history index, the app settings and the funding histories.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hedger.core.models import PORTFOLIO_SCHEMA_VERSION

Document = dict[str, Any]
Step = Callable[[Document], Document]

#: ``contracts.json`` in the data folder (the user's own contracts and families).
USER_CATALOG_SCHEMA_VERSION = 1
#: The JSON index written beside each price-history archive.
HISTORY_SCHEMA_VERSION = 1
#: ``settings.json`` in the data folder (window layout, theme, price source).
SETTINGS_SCHEMA_VERSION = 2
#: ``funding/<VENUE>_<SYMBOL>.json`` in the data folder (hedger.store.funding).
FUNDING_SCHEMA_VERSION = 1


class NewerVersionError(Exception):
    """The document was written by a newer Hedger, with a format this one cannot read."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"schema {found}; this version reads up to {supported}")
        self.found = found
        self.supported = supported

    def message(self, name: str) -> str:
        """The one line shown for file ``name``."""
        return f"{name}: written by a newer Hedger ({self})"


@dataclass(frozen=True)
class Chain:
    """The upgrade steps of one file shape, from ``oldest`` up to ``current``."""

    what: str
    current: int
    steps: Mapping[int, Step]
    oldest: int = 1

    def __post_init__(self) -> None:
        # A gap would leave some old files unreadable: fail at import, not on a user's file.
        wanted = set(range(self.oldest, self.current))
        if set(self.steps) != wanted:
            raise ValueError(
                f"{self.what}: upgrade steps for versions {sorted(self.steps)}, "
                f"expected {sorted(wanted)}"
            )

    def upgrade(self, doc: Document, version: int) -> Document:
        """``doc`` (of schema ``version``) brought to the current version.

        Raises NewerVersionError for a newer file; ``version`` below ``oldest``
        is the caller's to refuse (its message says what the file is not).
        """
        if version > self.current:
            raise NewerVersionError(version, self.current)
        if version < self.oldest:
            raise ValueError(f"{self.what}: schema {version} is older than any Hedger wrote")
        for v in range(version, self.current):
            doc = self.steps[v](doc)
            doc["schema_version"] = v + 1
        return doc


# -- portfolio files (hedger.store.portfolio_file) -----------------------------
# Version 1: holdings, hedge settings and quotes (the shape in portfolio_file's docstring).
# Version 2: hedge.futures_price_stamps, margin_mode, rally, account; per-underlying
# target_usd, collateral_usd and margin_mode. The default leverage became 2.
# Also version 2 (no release came between): positions, drift rules and the journal.
def _portfolio_v1_to_v2(doc: Document) -> Document:
    # New fields are optional: a v1 file means what it meant. Only the default
    # leverage changed (10 -> 2), so a v1 file that left it out keeps 10.
    hedge = doc.get("hedge")
    if hedge is None:
        doc["hedge"] = {"leverage": _V1_LEVERAGE}
    elif isinstance(hedge, dict) and "leverage" not in hedge:
        hedge["leverage"] = _V1_LEVERAGE
    # Version 1 held no futures positions and no journal: whatever such keys
    # another program left in a v1 file are not Hedger's, so start empty rather
    # than read them with today's meaning. No drift rules: the defaults apply.
    doc["positions"] = []
    doc["journal"] = []
    doc.pop("drift", None)
    return doc


_V1_LEVERAGE = "10"
PORTFOLIO_STEPS: dict[int, Step] = {1: _portfolio_v1_to_v2}
PORTFOLIO = Chain("portfolio", PORTFOLIO_SCHEMA_VERSION, PORTFOLIO_STEPS)

# -- the user's contracts.json (hedger.store.user_catalog) ---------------------
# Version 1: {"contracts": [...], "families": [...]}, the shipped catalog's shapes.
USER_CATALOG_STEPS: dict[int, Step] = {}
USER_CATALOG = Chain("contracts file", USER_CATALOG_SCHEMA_VERSION, USER_CATALOG_STEPS)

# -- price-history index files (hedger.store.history) --------------------------
# Version 1: symbol, sources, rows, updated, first_ns, last_ns, npz_bytes. The
# index is a cache: one that cannot be read or upgraded is rebuilt from the archive.
HISTORY_STEPS: dict[int, Step] = {}
HISTORY_INDEX = Chain("history index", HISTORY_SCHEMA_VERSION, HISTORY_STEPS)


# -- app settings (hedger.store.settings) ----------------------------------------
def _settings_v1_to_v2(doc: Document) -> Document:
    # v1 stored a single "geometry" key and "dark_mode": bool.
    if "geometry" in doc:
        doc["window_geometry"] = doc.pop("geometry")
    if "dark_mode" in doc:
        doc["theme"] = "dark" if doc.pop("dark_mode") else "system"
    return doc


SETTINGS_STEPS: dict[int, Step] = {1: _settings_v1_to_v2}
SETTINGS = Chain("settings", SETTINGS_SCHEMA_VERSION, SETTINGS_STEPS)


# -- funding-rate histories (hedger.store.funding) -------------------------------
# Version 1: contract, sign, sources, updated, first, last, rows [[ms, "rate"], ...].
FUNDING_STEPS: dict[int, Step] = {}
FUNDING = Chain("funding history", FUNDING_SCHEMA_VERSION, FUNDING_STEPS)
