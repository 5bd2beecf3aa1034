"""hedger.ui.tasks: answers on the GUI thread, newest task wins, dead owners hear nothing."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from hedger.ui.tasks import TaskRunner, TaskState, error_text


@pytest.fixture
def owner(qapp: object) -> QObject:
    return QObject()


def test_result_arrives_on_the_gui_thread(qtbot: QtBot, owner: QObject) -> None:
    runner = TaskRunner(owner)
    seen: dict[str, object] = {}

    def work(state: TaskState) -> int:
        seen["worker"] = threading.current_thread()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["gui"] = threading.current_thread()

    runner.start(work, done)
    assert runner.busy
    assert runner.wait(5)
    assert seen["result"] == 42
    assert seen["gui"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()
    assert not runner.busy


def test_failure_arrives_as_the_exception(qtbot: QtBot, owner: QObject) -> None:
    runner = TaskRunner(owner)
    failures: list[Exception] = []
    done: list[object] = []

    def work(state: TaskState) -> None:
        raise ValueError("bad file")

    runner.start(work, done.append, failures.append)
    assert runner.wait(5)
    assert done == []
    assert [error_text(e) for e in failures] == ["bad file"]
    assert error_text(KeyError()) == "KeyError"


def test_cancel_tells_the_task_and_drops_its_answer(qtbot: QtBot, owner: QObject) -> None:
    runner = TaskRunner(owner)
    started, stopped = threading.Event(), threading.Event()
    done: list[str] = []
    busy: list[bool] = []
    runner.busyChanged.connect(busy.append)

    def work(state: TaskState) -> str:
        started.set()
        while not state.cancelled:
            threading.Event().wait(0.005)
        stopped.set()
        return "late"

    state = runner.start(work, done.append)
    assert started.wait(5)
    runner.cancel()
    assert state.is_cancelled() and not runner.busy
    assert stopped.wait(5)
    qtbot.wait(100)
    assert done == []
    assert busy == [True, False]


def test_a_newer_task_supersedes_the_older(qtbot: QtBot, owner: QObject) -> None:
    runner = TaskRunner(owner)
    release = threading.Event()
    done: list[str] = []

    def slow(state: TaskState) -> str:
        release.wait(5)
        return "old"

    first = runner.start(slow, done.append)
    runner.start(lambda state: "new", done.append)
    assert first.cancelled
    assert runner.wait(5)
    release.set()
    qtbot.wait(100)
    assert done == ["new"]


def test_serial_runner_starts_the_newer_task_once_the_older_thread_ended(
    qtbot: QtBot, owner: QObject
) -> None:
    runner = TaskRunner(owner, serial=True)
    release = threading.Event()
    running = threading.Semaphore(0)
    active: list[int] = []
    lock = threading.Lock()
    done: list[str] = []

    def work(name: str) -> object:
        def run(state: TaskState) -> str:
            with lock:
                active.append(1)
                assert len(active) == 1, "two tasks of a serial runner ran at once"
            running.release()
            if name == "old":
                release.wait(5)
            with lock:
                active.pop()
            return name

        return run

    runner.start(work("old"), done.append)  # type: ignore[arg-type]
    assert running.acquire(timeout=5)
    runner.start(work("skipped"), done.append)  # type: ignore[arg-type]
    runner.start(work("new"), done.append)  # type: ignore[arg-type]
    qtbot.wait(50)
    assert not running.acquire(timeout=0)  # waiting for the old thread
    release.set()
    assert runner.wait(5)
    assert done == ["new"]


def test_progress_and_status_arrive_on_the_gui_thread(qtbot: QtBot, owner: QObject) -> None:
    runner = TaskRunner(owner)
    events: list[object] = []

    def work(state: TaskState) -> str:
        state.set_status("Fetching")
        for i in range(1, 4):
            state.set_progress(i, 3)
        return "done"

    def progress(done: int, total: int) -> None:
        assert threading.current_thread() is threading.main_thread()
        events.append((done, total))

    runner.start(work, events.append, on_progress=progress, on_status=events.append)
    assert runner.wait(5)
    assert events == ["Fetching", (1, 3), (2, 3), (3, 3), "done"]


def test_answers_are_dropped_once_the_owner_was_deleted(qtbot: QtBot, qapp: object) -> None:
    import shiboken6

    owner = QObject()
    runner = TaskRunner(owner)
    release = threading.Event()
    finished = threading.Event()
    heard: list[object] = []

    def work(state: TaskState) -> str:
        release.wait(5)
        state.set_progress(1, 1)
        finished.set()
        return "answer"

    runner.start(work, heard.append, heard.append, on_progress=lambda d, t: heard.append(d))
    shiboken6.delete(owner)
    assert not shiboken6.isValid(runner)
    release.set()
    assert finished.wait(5)
    qtbot.wait(100)
    assert heard == []
