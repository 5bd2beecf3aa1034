"""Error types shared by the stores, and one-line messages for people."""

from __future__ import annotations

import errno
import re

# Longest message shown for one problem; anything longer is someone's junk
# input echoed back, which helps nobody.
MAX_MESSAGE_CHARS = 300

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class StoreError(Exception):
    """A file problem with a one-line message fit to show the user."""


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Collapse control characters and newlines; cut to ``limit`` characters."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def shown_name(name: str, limit: int = 80) -> str:
    """A file or portfolio name as it may appear inside a message."""
    return one_line(name, limit) or "?"


_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a path component is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "input/output error",
}


def describe_os_error(exc: OSError) -> str:
    """A short lowercase reason for an OSError, without the file path."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    reason = exc.strerror or type(exc).__name__
    return one_line(reason[:1].lower() + reason[1:], 120)
