"""Background jobs for the GUI: run a function on Qt's thread pool, answer on the GUI thread.

Kept free of pyqtgraph and the analytics modules, so start-up code (the beta
hints) can use it without loading them.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal


class _WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """Runs ``func`` on the thread pool; ``finished(result)`` or ``failed(message)``.

    Used for work that can take seconds on big files (CSV import), so the
    window keeps painting.
    """

    def __init__(self, func: Callable[[], Any]) -> None:
        super().__init__()
        self.func = func
        self.signals = _WorkerSignals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.func()
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            if not isinstance(exc, ValueError | OSError):
                traceback.print_exc()
            self._emit(self.signals.failed, message)
            return
        self._emit(self.signals.finished, result)

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        # The application may be quitting (its objects already deleted) while
        # a job finishes: nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


# The signal objects must outlive the runnable (deleted by the pool when run
# returns) until their queued signals are delivered.
_LIVE: set[_WorkerSignals] = set()


def start_worker(
    func: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_fail: Callable[[str], None],
    context: QObject | None = None,
) -> Worker:
    """Run ``func`` on the pool; its answer goes to ``on_done``/``on_fail`` on this thread.

    With a ``context`` (a tab, the library) the answer is dropped if the
    context was deleted meanwhile (window closed while the job ran).
    """
    worker = Worker(func)
    signals = worker.signals
    _LIVE.add(signals)

    def alive() -> bool:
        return context is None or shiboken6.isValid(context)

    def done(result: Any) -> None:
        _LIVE.discard(signals)
        if alive():
            on_done(result)

    def fail(message: str) -> None:
        _LIVE.discard(signals)
        if alive():
            on_fail(message)

    signals.finished.connect(done, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(fail, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(worker)
    return worker
