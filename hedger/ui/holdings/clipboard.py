"""Clipboard, dropped files and the questions asked before holdings change.

Questions are plain data answered by an injectable callable, so the panel's
paste and import flows run in tests without a modal dialog blocking them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from hedger.core.holdings_csv import FILE_SUFFIXES, HoldingsParseResult, format_holdings_text
from hedger.core.models import Holding

Icon = Literal["question", "warning", "information", "critical"]
Role = Literal["accept", "reject", "destructive"]


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label: str
    role: Role = "accept"


@dataclass(frozen=True, slots=True)
class Question:
    """A dialog as data: ``ask(question)`` returns the key of the chosen button."""

    title: str
    text: str
    informative: str = ""
    details: str = ""
    choices: tuple[Choice, ...] = (Choice("ok", "OK"),)
    default: str = "ok"
    icon: Icon = "question"

    @property
    def escape_key(self) -> str:
        """What closing the dialog (Esc, window close) means: the reject choice."""
        for c in self.choices:
            if c.role == "reject":
                return c.key
        return self.default


AskFn = Callable[[Question], str]

CANCEL = Choice("cancel", "Cancel", "reject")
OK_ONLY = (Choice("ok", "OK"),)

_ICONS = {
    "question": QMessageBox.Icon.Question,
    "warning": QMessageBox.Icon.Warning,
    "information": QMessageBox.Icon.Information,
    "critical": QMessageBox.Icon.Critical,
}
_ROLES = {
    "accept": QMessageBox.ButtonRole.AcceptRole,
    "reject": QMessageBox.ButtonRole.RejectRole,
    "destructive": QMessageBox.ButtonRole.DestructiveRole,
}


def default_ask(parent: QWidget | None, question: Question) -> str:
    """Show the question as a modal QMessageBox; returns the chosen key."""
    box = QMessageBox(parent)
    box.setWindowTitle(question.title)
    box.setIcon(_ICONS[question.icon])
    box.setText(question.text)
    if question.informative:
        box.setInformativeText(question.informative)
    if question.details:
        box.setDetailedText(question.details)
    buttons: list[tuple[QAbstractButton, str]] = []
    for choice in question.choices:
        button = box.addButton(choice.label, _ROLES[choice.role])
        buttons.append((button, choice.key))
        if choice.key == question.default:
            box.setDefaultButton(button)
        if choice.key == question.escape_key:
            box.setEscapeButton(button)
    box.exec()
    clicked = box.clickedButton()
    for candidate, key in buttons:
        if candidate is clicked:
            return key
    return question.escape_key


# -- questions ---------------------------------------------------------------


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def problem_list(result: HoldingsParseResult, limit: int = 4) -> str:
    lines = [f"• {e}" for e in result.errors[:limit]]
    more = len(result.errors) - limit
    if more > 0:
        lines.append(f"• and {more:,} more (see Details)")
    return "\n".join(lines)


def skipped_text(result: HoldingsParseResult, limit: int = 3) -> str:
    """'skipped 2 rows: row 4: price 'abc' is not a number; row 7: …'."""
    listed = "; ".join(str(e) for e in result.errors[:limit])
    more = len(result.errors) - limit
    if more > 0:
        listed += f"; and {more:,} more"
    return f"skipped {plural(len(result.errors), 'row')}: {listed}"


def nothing_readable(result: HoldingsParseResult, source: str) -> Question:
    rows = plural(len(result.errors), "row")
    text = (
        f"No holdings could be read from {source}."
        if len(result.errors) <= 1
        else f"None of the {rows} in {source} could be read."
    )
    return Question(
        title="Nothing Imported",
        text=text,
        informative=problem_list(result)
        + "\n\nExpected columns: Symbol, Quantity, Price, and optionally Beta and Hedge With.",
        details=result.details(),
        choices=OK_ONLY,
        icon="warning",
    )


def partial_paste(result: HoldingsParseResult) -> Question:
    good, bad = len(result.holdings), len(result.errors)
    return Question(
        title="Paste Holdings",
        text=(
            f"{plural(bad, 'pasted row')} cannot be read. "
            f"Paste the other {plural(good, 'holding')}?"
        ),
        informative=problem_list(result),
        details=result.details(),
        choices=(Choice("paste", f"Paste {plural(good, 'Holding')}"), CANCEL),
        default="paste",
        icon="warning",
    )


def import_question(result: HoldingsParseResult, path: Path, existing: int) -> Question:
    good, bad = len(result.holdings), len(result.errors)
    parts: list[str] = []
    if bad:
        parts.append(
            f"{plural(bad, 'row')} cannot be read and will be skipped:\n" + problem_list(result)
        )
    if existing:
        parts.append(
            f"The portfolio has {plural(existing, 'holding')} now. Replace them with the "
            f"imported ones, or add the imported ones after them?"
        )
        choices: tuple[Choice, ...] = (
            Choice("replace", "Replace All", "destructive"),
            Choice("append", "Append"),
            CANCEL,
        )
        default = "append"
    else:
        choices = (Choice("append", f"Import {plural(good, 'Holding')}"), CANCEL)
        default = "append"
    return Question(
        title="Import Holdings",
        text=f"Import {plural(good, 'holding')} from {path.name}?",
        informative="\n\n".join(parts),
        details=result.details(),
        choices=choices,
        default=default,
        icon="warning" if bad else "question",
    )


def file_error(path: Path, message: str) -> Question:
    return Question(
        title="Cannot Import",
        text=f"{path.name} cannot be imported.",
        informative=message,
        choices=OK_ONLY,
        icon="warning",
    )


# -- clipboard and drops -------------------------------------------------------


def importable_file(mime: QMimeData | None) -> Path | None:
    """The first local .csv/.tsv/.txt file in drag or clipboard data."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if isinstance(url, QUrl) and url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in FILE_SUFFIXES:
                return path
    return None


def clipboard_mime() -> QMimeData | None:
    return QGuiApplication.clipboard().mimeData()


def copy_holdings(holdings: Sequence[Holding]) -> None:
    """Tab-separated with a header: spreadsheets and our own paste read it back."""
    mime = QMimeData()
    mime.setText(format_holdings_text(holdings, "\t"))
    QGuiApplication.clipboard().setMimeData(mime)
