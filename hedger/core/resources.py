"""Find the shipped ``resources/`` folder from a checkout, a wheel or a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent.parent  # .../hedger
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "hedger" / "_resources")
        candidates.append(Path(frozen_root) / "resources")
    # Installed wheel: the build copies resources/ into the package.
    candidates.append(here / "_resources")
    # Source checkout or editable install: resources/ beside the package.
    candidates.append(here.parent / "resources")
    for c in candidates:
        if (c / "contracts.json").is_file():
            return c
    raise FileNotFoundError(
        "Hedger's resources (contracts.json) were not found; the installation is incomplete"
    )


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
