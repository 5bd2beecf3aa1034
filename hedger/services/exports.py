"""Files the user exports (plan and journal CSVs, chart images), written like Hedger's own.

Atomically (a crash leaves the old file or the new one) and, when new,
private (0600) whatever the umask: a plan says what someone owns. A file
being replaced keeps the permissions its owner gave it.
"""

from __future__ import annotations

from pathlib import Path

from hedger.store.atomic import atomic_write_bytes


def write_export(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``; raises OSError."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    atomic_write_bytes(path, raw)
