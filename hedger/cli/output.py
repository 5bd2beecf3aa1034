"""Everything the commands print: stdout text and JSON, one-line messages on stderr.

Text from files, the catalog and venues may carry terminal controls; they are
shown escaped (``\\x1b``) so nothing can recolour or reorder the terminal.
``write`` escapes every control but the newline; a single-line field from a
file or the network (a name, a source) goes through ``clean`` first, which
escapes newlines too, so it cannot start a line of its own.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from hedger.cli.errors import EXIT_INTERNAL, CliError
from hedger.core.safe_text import escape_controls

#: Width of wrapped prose (warnings, notes, totals).
TEXT_WIDTH = 100
#: Longest message on stderr.
MESSAGE_CHARS = 400


def write(text: str) -> None:
    """``text`` on stdout, controls other than newlines escaped."""
    _write_raw(escape_controls(text, keep_newlines=True))


def write_json(doc: Mapping[str, Any] | list[Any], *, ensure_ascii: bool = True) -> None:
    """``doc`` as indented JSON on stdout (the encoder escapes what needs it)."""
    _write_raw(json.dumps(doc, indent=2, ensure_ascii=ensure_ascii) + "\n")


def _write_raw(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left: main() stops quietly
    except OSError as exc:
        # A full disk or /dev/full: the output is lost, say so in one line.
        silence_stdout()  # or the interpreter's final flush fails again
        reason = exc.strerror or type(exc).__name__
        raise CliError(f"cannot write the output ({reason})", EXIT_INTERNAL) from None


def say(message: str, stream: TextIO | None = None) -> None:
    """``hedger: message`` on stderr, as one clean line."""
    out = stream or sys.stderr
    try:
        out.write(f"hedger: {clean(one_line(message))}\n")
        out.flush()
    except (OSError, ValueError):
        pass


def warn(message: str) -> None:
    """``hedger: warning: message`` on stderr."""
    say(f"warning: {message}")


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MESSAGE_CHARS else flat[: MESSAGE_CHARS - 1] + "…"


def clean(text: str) -> str:
    """Text from a file or the catalog, safe for one line of a terminal:
    newlines and tabs become spaces, other controls show as \\x1b and the like."""
    # The rules live in core (shared with the GUI's labels and window title).
    return escape_controls(text)


def align(rows: list[list[str]], how: str) -> list[str]:
    """Rows as columns: ``how`` has one letter per column, ``l`` or ``r``."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(how))]
    out = []
    for r in rows:
        cells = [
            cell.rjust(w) if a == "r" else cell.ljust(w)
            for cell, w, a in zip(r, widths, how, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def wrapped(text: str, first: str) -> list[str]:
    """``text`` after ``first``, wrapped to TEXT_WIDTH with a hanging indent."""
    import textwrap

    # Keep each amount with its unit ("17,500 USD") on one line.
    glued = text.replace(" USD", "\u00a0USD").replace(" %", "\u00a0%")
    lines = textwrap.wrap(
        glued,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_on_hyphens=False,
    )
    return [line.replace("\u00a0", " ") for line in lines] or [first.rstrip()]


def tolerate_unencodable_output() -> None:
    # A console that cannot show "×" or "—" should get "?" rather than a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, TypeError):
                reconfigure(errors="replace")


def silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def exit_code(code: object) -> int:
    """A command's or ``sys.exit``'s result as an exit status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    # sys.exit("message") prints the message and exits 1.
    say(one_line(str(code)))
    return EXIT_INTERNAL
