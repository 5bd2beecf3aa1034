"""Paste and import of holdings: parse, ask what to do with bad rows, insert as one undo step.

The panel's Paste, Import and drop call these; every question goes through
the panel's injectable ``ask``, every outcome through its report line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)

from hedger.core.holdings_csv import HoldingsFileError, parse_holdings_text, read_holdings_file
from hedger.ui.holdings.clipboard import (
    Question,
    file_error,
    import_question,
    nothing_readable,
    partial_paste,
    plural,
    skipped_text,
)
from hedger.ui.holdings.columns import Column

if TYPE_CHECKING:
    from hedger.ui.holdings.panel import HoldingsPanel


def paste_text(panel: HoldingsPanel, text: str) -> bool:
    """Insert holdings from spreadsheet text after the current row, as one undo step."""
    if not text.strip():
        panel.report(
            "Nothing to paste: copy rows with symbol, quantity and price from a spreadsheet",
            "warning",
        )
        return False
    single = paste_into_cell(panel, text)
    if single is not None:
        return single
    result = parse_holdings_text(text)
    if result.is_empty:
        panel.report("Nothing to paste: the text has no rows below its header", "warning")
        return False
    if result.all_bad:
        panel.ask(nothing_readable(result, "the pasted text"))
        panel.report(f"Nothing pasted: {result.errors[0]}", "error")
        return False
    if result.errors and panel.ask(partial_paste(result)) != "paste":
        panel.report("Paste cancelled: nothing changed", "info")
        return False
    n = len(result.holdings)
    cur = panel.current_row()
    at = len(panel.document.portfolio.holdings) if cur is None else cur + 1
    label = "Paste Holding" if n == 1 else f"Paste {n} Holdings"
    panel.document.insert_holdings(at, result.holdings, label)
    panel.select_rows(list(range(at, at + n)))
    pasted = f"Pasted {plural(n, 'holding')}"
    if result.errors:
        panel.report(f"{pasted}; {skipped_text(result)}", "warning")
    else:
        panel.report(pasted, "info")
    return True


def import_csv(panel: HoldingsPanel, path: Path) -> bool:
    """Read holdings from a file; asks Replace / Append; one undo step."""
    path = Path(path)
    try:
        result = read_holdings_file(path)
    except HoldingsFileError as exc:
        panel.ask(file_error(path, str(exc)))
        panel.report(f"Not imported: {exc}", "error")
        return False
    if result.is_empty:
        panel.ask(
            Question(
                title="Nothing Imported",
                text=f"{path.name} has no holdings rows.",
                informative="Expected columns: Symbol, Quantity, Price, "
                "and optionally Beta and Hedge With.",
                icon="warning",
            )
        )
        panel.report(f"Not imported: {path.name} has no holdings rows", "warning")
        return False
    if result.all_bad:
        panel.ask(nothing_readable(result, path.name))
        panel.report(f"Nothing imported from {path.name}: {result.errors[0]}", "error")
        return False
    existing = len(panel.document.portfolio.holdings)
    if existing == 0 and not result.errors:
        choice = "append"
    else:
        choice = panel.ask(import_question(result, path, existing))
    if choice not in ("replace", "append"):
        panel.report(f"Import of {path.name} cancelled: nothing changed", "info")
        return False
    n = len(result.holdings)
    if choice == "replace":
        panel.document.replace_holdings(result.holdings, "Import CSV")
        first = 0
    else:
        panel.document.insert_holdings(existing, result.holdings, "Import CSV")
        first = existing
    panel.select_rows(list(range(first, first + n)))
    verb = "Replaced holdings with" if choice == "replace" else "Imported"
    if result.errors:
        panel.report(
            f"{verb} {plural(n, 'holding')} from {path.name}; {skipped_text(result)}",
            "warning",
        )
    else:
        panel.report(f"{verb} {plural(n, 'holding')} from {path.name}", "info")
    return True


def paste_into_cell(panel: HoldingsPanel, text: str) -> bool | None:
    """A single value pasted on a selected cell edits that cell, like a spreadsheet.

    None when the text is not a single value for the current cell.
    """
    stripped = text.strip()
    if any(c in stripped for c in "\t\n;") or len(stripped.split()) > 1:
        return None
    index = panel.view.currentIndex()
    if not index.isValid() or len(panel.selected_rows()) > 1:
        return None
    numeric = (Column.QUANTITY, Column.PRICE, Column.BETA)
    if "," in stripped and index.column() not in numeric:
        return None
    if not panel.proxy.flags(index) & Qt.ItemFlag.ItemIsEditable:
        return None
    # A refused value reports itself through editRefused.
    return bool(panel.proxy.setData(index, stripped, Qt.ItemDataRole.EditRole))
