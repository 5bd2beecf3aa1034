"""Background tasks for the GUI: a plain callable on a worker thread, answers on the GUI thread.

The one way the desktop app works off the GUI thread (price refreshes,
exchange comparisons, analytics, beta hints, history imports), modelled on
Orange's ``ConcurrentMixin``/``TaskState``. A widget (or controller) owns a
``TaskRunner``; ``start(func, on_done, on_fail)`` runs ``func(state)`` on a
worker thread, where ``state`` (a ``TaskState``) reports progress and tells
whether the task was cancelled. On the GUI thread the runner then calls
``on_done(result)`` or ``on_fail(exception)``, and the progress callbacks.

- A newer task on the same runner supersedes the older one: the older is
  cancelled and whatever it still sends is dropped.
- ``cancel()`` stops waiting for the running task (it should check
  ``state.cancelled``; one that cannot just runs out, unheard).
- Answers are dropped once the runner's owner was deleted (window closed).

Kept free of pyqtgraph, numpy and the analytics modules: start-up code uses it.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

T = TypeVar("T")

DoneFn = Callable[[Any], None]
FailFn = Callable[[Exception], None]
ProgressFn = Callable[[int, int], None]
StatusFn = Callable[[str], None]


def error_text(exc: BaseException) -> str:
    """What a failed task says to the user: its message, else the kind of error."""
    return str(exc) or type(exc).__name__


class _Relay(QObject):
    """Carries one task's messages from its worker thread to the GUI thread.

    Created on the GUI thread, so its queued signals are delivered there.
    """

    progress = Signal(int, int)
    status = Signal(str)
    finished = Signal(object)  # the result
    failed = Signal(object)  # the exception


# A relay must outlive its task until its last queued signal was delivered
# (the task's thread may end long before): it is kept here until then.
_LIVE: set[_Relay] = set()


class TaskState:
    """What a running task sees: whether it was cancelled, and where to report progress.

    ``set_progress`` and ``set_status`` may be called from the worker thread;
    their values reach the runner's callbacks on the GUI thread.
    """

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._relay = _Relay()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def is_cancelled(self) -> bool:
        """``cancelled`` as a callable, for code that polls (``should_stop=state.is_cancelled``)."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def set_progress(self, done: int, total: int) -> None:
        self._emit(self._relay.progress, done, total)

    def set_status(self, text: str) -> None:
        self._emit(self._relay.status, text)

    @staticmethod
    def _emit(signal: Any, *values: Any) -> None:
        # The application may be quitting (its objects already deleted) while
        # a task still runs: nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(*values)


class _Task(Generic[T]):
    """A started task: its function, state and the callbacks for its answers."""

    def __init__(
        self,
        func: Callable[[TaskState], T],
        on_done: DoneFn,
        on_fail: FailFn | None,
        on_progress: ProgressFn | None,
        on_status: StatusFn | None,
    ) -> None:
        self.func = func
        self.state = TaskState()
        self.on_done = on_done
        self.on_fail = on_fail
        self.on_progress = on_progress
        self.on_status = on_status

    def run(self) -> None:
        """The worker thread's body: touches only the function and the relay."""
        relay = self.state._relay
        try:
            result = self.func(self.state)
        except Exception as exc:
            if not isinstance(exc, ValueError | OSError):
                traceback.print_exc()
            TaskState._emit(relay.failed, exc)
            return
        TaskState._emit(relay.finished, result)


class TaskRunner(QObject):
    """Runs its owner's background tasks, one current task at a time.

    ``serial`` runners never run two threads at once: a newer task waits for
    the superseded one's thread to end (for CPU-bound work that cannot stop
    early, where both at once would only slow the newer one down). Otherwise
    the newer task starts at once (network requests, file reads).
    """

    busyChanged = Signal(bool)

    def __init__(self, owner: QObject, *, serial: bool = False, name: str = "hedger-task") -> None:
        super().__init__(owner)
        self._serial = serial
        self._name = name
        self._current: _Task[Any] | None = None  # whose answers are wanted
        self._waiting: _Task[Any] | None = None  # serial: starts when the thread ends
        self._threads = 0  # worker threads of this runner still running
        self._busy = False

    @property
    def busy(self) -> bool:
        """A task was started and its answer has not been delivered yet."""
        return self._busy

    @property
    def state(self) -> TaskState | None:
        """The current task's state (None when idle)."""
        return self._current.state if self._current is not None else None

    def start(
        self,
        func: Callable[[TaskState], T],
        on_done: Callable[[T], None],
        on_fail: FailFn | None = None,
        *,
        on_progress: ProgressFn | None = None,
        on_status: StatusFn | None = None,
    ) -> TaskState:
        """Run ``func(state)`` on a worker thread; supersedes the current task."""
        task: _Task[T] = _Task(func, on_done, on_fail, on_progress, on_status)
        self._drop_current()
        self._current = task
        self._set_busy(True)
        if self._serial and self._threads:
            self._waiting = task
        else:
            self._launch(task)
        return task.state

    def cancel(self) -> None:
        """Stop waiting for the current task: it is told to stop and its answer dropped."""
        self._drop_current()
        self._set_busy(False)

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Process events until the current task's answer was delivered (tests, scripts)."""
        app = QApplication.instance()
        end = time.monotonic() + timeout_s
        while self._busy:
            if time.monotonic() > end:
                return False
            if app is not None:
                app.processEvents()
            time.sleep(0.001)
        return True

    # -- internals -------------------------------------------------------------------
    def _drop_current(self) -> None:
        if self._current is not None:
            self._current.state.cancel()
            self._current = None
        self._waiting = None

    def _launch(self, task: _Task[Any]) -> None:
        relay = task.state._relay
        _LIVE.add(relay)
        queued = Qt.ConnectionType.QueuedConnection
        relay.finished.connect(lambda result: self._on_finished(task, result, None), queued)
        relay.failed.connect(lambda exc: self._on_finished(task, None, exc), queued)
        relay.progress.connect(lambda done, total: self._on_progress(task, done, total), queued)
        relay.status.connect(lambda text: self._on_status(task, text), queued)
        self._threads += 1
        # Daemon: a task stuck in a network timeout must not hold up quitting.
        threading.Thread(target=task.run, name=self._name, daemon=True).start()

    def _alive(self, task: _Task[Any]) -> bool:
        """The owner still exists and still wants this task's messages."""
        return shiboken6.isValid(self) and task is self._current

    def _on_progress(self, task: _Task[Any], done: int, total: int) -> None:
        if task.on_progress is not None and self._alive(task):
            task.on_progress(done, total)

    def _on_status(self, task: _Task[Any], text: str) -> None:
        if task.on_status is not None and self._alive(task):
            task.on_status(text)

    def _on_finished(self, task: _Task[Any], result: Any, exc: Exception | None) -> None:
        _LIVE.discard(task.state._relay)
        if not shiboken6.isValid(self):
            return  # the owner was deleted while the task ran
        self._threads -= 1
        if task is self._current:
            self._current = None
            self._set_busy(False)
            if exc is None:
                task.on_done(result)
            elif task.on_fail is not None:
                task.on_fail(exc)
        waiting = self._waiting
        if waiting is not None and not self._threads:
            self._waiting = None
            self._launch(waiting)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)
