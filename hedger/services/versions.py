"""Earlier versions of a portfolio: list them, read one, put one back.

Used by the command line (``hedger restore FILE``) and the desktop app
(File ▸ Restore Earlier Version…). Every save keeps the version it replaces
(``hedger.store.versions``); restoring is itself a save, so the version it
replaces is kept too and a restore can be undone by restoring again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hedger.core.models import Portfolio
from hedger.services.errors import ServiceError
from hedger.store import versions as store
from hedger.store.portfolio_file import (
    PortfolioFileError,
    loads_portfolio,
    read_portfolio_bytes,
    save_portfolio,
)


class VersionError(ServiceError):
    """No such version, or one that cannot be read; one line."""


@dataclass(frozen=True)
class PortfolioVersion:
    """One earlier version, as a list shows it (1 is the newest)."""

    number: int
    replaced_at: datetime  # UTC
    stamp: str  # 20261101T120000Z, as --version accepts it
    file: Path
    name: str | None  # None when the version cannot be read
    holdings: int
    total_value: Decimal | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def list_versions(path: Path) -> list[PortfolioVersion]:
    """The kept versions of the portfolio at ``path``, newest first."""
    out: list[PortfolioVersion] = []
    for number, kept in enumerate(store.list_versions(path), start=1):
        try:
            p = loads_portfolio(read_portfolio_bytes(kept.file), kept.file.name)
        except PortfolioFileError as exc:
            out.append(
                PortfolioVersion(
                    number, kept.replaced_at, kept.stamp, kept.file, None, 0, None, str(exc)
                )
            )
            continue
        out.append(
            PortfolioVersion(
                number,
                kept.replaced_at,
                kept.stamp,
                kept.file,
                p.name,
                len(p.holdings),
                p.total_value,
            )
        )
    return out


_STAMP = re.compile(r"^(\d{8})T?(\d{6})(?:\.(\d{1,6}))?Z?$", re.ASCII)


def find_version(path: Path, wanted: str) -> PortfolioVersion:
    """The version numbered ``wanted`` (1 = newest) or replaced at that time; VersionError."""
    found = list_versions(path)
    if not found:
        raise VersionError(f"{path.name}: no earlier versions are kept")
    text = wanted.strip()
    if text.isascii() and text.isdigit() and len(text) <= 6:
        number = int(text)
        if 1 <= number <= len(found):
            return found[number - 1]
        raise VersionError(f"{path.name}: no version {number} (there are {len(found)})")
    parsed = _parse_time(text)
    if parsed is None:
        raise VersionError(
            f"--version {text[:40]!r}: give a number from --list or a time like 20261101T120000Z"
        )
    when, precise = parsed
    if precise:  # to the microsecond, as the ambiguity message below names them
        matches = [v for v in found if v.replaced_at == when]
    else:
        matches = [v for v in found if v.replaced_at.replace(microsecond=0) == when]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise VersionError(f"{path.name}: no version replaced at {text[:40]}")
    # Several saves in one second share the listed time: restoring the newest
    # of them silently could put back the wrong one.
    shown = ", ".join(f"{v.number} ({precise_stamp(v)})" for v in matches[:6])
    more = f" and {len(matches) - 6} more" if len(matches) > 6 else ""
    raise VersionError(
        f"{path.name}: {len(matches)} versions were replaced at {text[:40]}: {shown}{more}; "
        "give its number or its time to the microsecond"
    )


def precise_stamp(version: PortfolioVersion) -> str:
    """The replacing time to the microsecond, as ``--version`` accepts it."""
    return version.replaced_at.strftime("%Y%m%dT%H%M%S.%fZ")


def load_version(version: PortfolioVersion) -> Portfolio:
    """The portfolio in an earlier version; VersionError if it cannot be read."""
    if version.error is not None:
        raise VersionError(f"version {version.number} cannot be read: {version.error}")
    try:
        return loads_portfolio(read_portfolio_bytes(version.file), version.file.name)
    except PortfolioFileError as exc:
        raise VersionError(f"version {version.number} cannot be read: {exc}") from None


def restore_version(path: Path, version: PortfolioVersion) -> Portfolio:
    """Make ``version`` the file's content again (the current one is kept as a version)."""
    portfolio = load_version(version)
    # A plain locked save: whatever is on disk now (even a newer change) is
    # kept as a version before being replaced, and a deleted file comes back.
    save_portfolio(path, portfolio)
    return portfolio


def _parse_time(text: str) -> tuple[datetime, bool] | None:
    """The UTC time in ``text``, and whether it gives microseconds (a precise stamp)."""
    match = _STAMP.match(text)
    if match is not None:
        fraction = match.group(3)
        try:
            when = datetime.strptime(f"{match.group(1)}T{match.group(2)}", "%Y%m%dT%H%M%S")
        except ValueError:
            return None
        micro = int(fraction.ljust(6, "0")) if fraction else 0
        return when.replace(tzinfo=UTC, microsecond=micro), fraction is not None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC), "." in text


__all__ = [
    "PortfolioVersion",
    "VersionError",
    "find_version",
    "list_versions",
    "load_version",
    "precise_stamp",
    "restore_version",
]
