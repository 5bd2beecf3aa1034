"""Refresh Funding: download the perpetuals' funding histories, with progress and Stop.

The download is ``hedger.services.funding.download_funding`` run through a
``TaskRunner``: progress (contract i of n, rows so far) comes back through
the task's state. Stop (or Esc in the dialog that holds this) stops between
two requests; the contracts finished by then stay stored. Each contract is
one unit: one that fails stores nothing and the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from hedger.ui.tasks import TaskRunner, TaskState, error_text
from hedger.ui.widgets.style import dim

if TYPE_CHECKING:
    from hedger.core.catalog import Contract
    from hedger.core.funding import FundingStats
    from hedger.services.funding import FundingDownload

DAYS = 365  # as 'hedger funding download': a year gives the funding range


class FundingRefresh(QWidget):
    """A Refresh Funding button, and while it runs a progress bar and Stop."""

    finished = Signal(object)  # FundingDownload (or None after a failure)
    runningChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fundingRefresh")
        self.download: FundingDownload | None = None
        self._task = TaskRunner(self, name="hedger-funding-download")
        self._state: TaskState | None = None
        self._contracts: list[Contract] = []
        self.status = dim(QLabel(""))
        self.status.setObjectName("fundingStatus")
        self.progress = QProgressBar()
        self.progress.setObjectName("fundingProgress")
        self.progress.setTextVisible(True)
        self.progress.setFixedWidth(220)
        self.progress.hide()
        self.button = QPushButton("Refresh Funding")
        self.button.setObjectName("refreshFunding")
        self.button.setToolTip(
            "Download the last year of funding rates of these perpetuals from the venues' "
            "public data (no account needed)"
        )
        self.button.clicked.connect(lambda: self.start(self._contracts))
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current request (Esc); what is stored stays")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addWidget(self.status, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.stop_button)
        lay.addWidget(self.button)

    # -- what to download ----------------------------------------------------------------------
    def set_contracts(
        self, contracts: Sequence[Contract], stats: dict[str, FundingStats] | None = None
    ) -> None:
        """The perpetuals a refresh downloads, and (while idle) what is stored of them."""
        self._contracts = list(contracts)
        self.button.setEnabled(bool(self._contracts) and not self.running)
        if not self.running and self.download is None:
            self.status.setText(stored_text(self._contracts, stats or {}))

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task.busy

    def start(self, contracts: Sequence[Contract]) -> None:
        if self.running or not contracts:
            return
        from hedger.services import funding as funding_service

        todo = list(contracts)

        def job(state: TaskState) -> FundingDownload:
            def progress(p: object) -> None:
                state.set_progress(p.index, p.total)  # type: ignore[attr-defined]
                state.set_status(p.text)  # type: ignore[attr-defined]

            return funding_service.download_funding(
                todo, days=DAYS, on_progress=progress, cancelled=state.is_cancelled
            )

        self.download = None
        self.progress.setRange(0, len(todo))
        self.progress.setValue(0)
        self.progress.setFormat(f"0 of {len(todo)}")
        self.status.setText(f"Downloading the funding of {len(todo)} perpetuals…")
        self._state = self._task.start(
            job,
            self._done,
            self._failed,
            on_progress=self._on_progress,
            on_status=self.status.setText,
        )
        self._set_running(True)

    def stop(self) -> None:
        """Stop between two requests; the contracts stored so far stay stored."""
        if self._state is not None and self.running:
            self._state.cancel()
            self.stop_button.setEnabled(False)
            self.status.setText("Stopping after the current request…")

    def wait(self, timeout_s: float = 60.0) -> bool:
        return self._task.wait(timeout_s)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done + 1} of {total}")

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running)
        self.button.setVisible(not running)
        self.button.setEnabled(not running and bool(self._contracts))
        self.runningChanged.emit(running)

    def _done(self, download: FundingDownload) -> None:
        self.download = download
        self._set_running(False)
        self.status.setText(summary_text(download))
        self.status.setToolTip("\n".join(result_lines(download)))
        self.finished.emit(download)

    def _failed(self, exc: Exception) -> None:
        self._set_running(False)
        self.status.setText(f"Funding not downloaded: {error_text(exc)}")
        self.finished.emit(None)


def stored_text(contracts: Sequence[Contract], stats: dict[str, FundingStats]) -> str:
    """``Funding stored for 3 of 10 perpetuals, to 6 Dec 2026 08:00 UTC``."""
    if not contracts:
        return "No perpetual can hedge these coins: no funding to download."
    have = [stats[c.id] for c in contracts if c.id in stats]
    if not have:
        return f"No funding stored yet for these {len(contracts)} perpetuals."
    newest = max(s.last_ms for s in have)
    when = datetime.fromtimestamp(newest / 1000, UTC).strftime("%d %b %Y %H:%M UTC")
    return f"Funding stored for {len(have)} of {len(contracts)} perpetuals, to {when.lstrip('0')}."


def summary_text(download: FundingDownload) -> str:
    ok = [r for r in download.results if r.problem is None]
    rows = sum(r.new_rows for r in ok)
    head = "Stopped. " if download.cancelled else ""
    if ok:
        plural = "s" if len(ok) > 1 else ""
        head += f"Downloaded {rows:,} funding rows for {len(ok)} perpetual{plural}."
    else:
        head += "No funding was stored."
    failed = download.failed
    if failed:
        names = ", ".join(r.contract_id for r in failed[:4])
        more = f" and {len(failed) - 4} more" if len(failed) > 4 else ""
        head += f" Not downloaded: {names}{more} (hover for why)."
    return head


def result_lines(download: FundingDownload) -> list[str]:
    """One line per contract: rows stored, or why not, and its notes."""
    lines: list[str] = []
    for r in download.results:
        if r.problem is not None:
            lines.append(f"{r.contract_id}: {r.problem}")
            continue
        lines.append(f"{r.contract_id}: {r.new_rows:,} rows")
        lines.extend(f"    {n}" for n in r.notes)
    return lines
