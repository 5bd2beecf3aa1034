"""Text from a file or the network made safe to show: one set of rules for the CLI and the GUI.

A portfolio name, a quote's source or a contract's note can carry terminal
controls (ESC sequences that recolour or retitle a terminal), line breaks that
fake a line of their own, and bidirectional overrides that show text
mirrored. They are shown escaped (``\\x1b``, ``\\u202e``), never acted on.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and
# isolates that reorder what is shown, and the Unicode line and paragraph separators.
_INVISIBLE = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_OR_NEWLINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\r\n":
        return " "
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with controls shown escaped; tabs, CRs and (unless kept) newlines as spaces.

    ``keep_newlines`` is for whole texts Hedger composed line by line (a
    tooltip, the CLI's output); a single field (a name, a source) keeps none,
    so it cannot start a line of its own.
    """
    pattern = _CONTROL if keep_newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(_escape, text)
