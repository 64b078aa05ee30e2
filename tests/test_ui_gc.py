"""Qt objects in reference cycles are freed on the GUI thread, never on a worker thread.

The automatic cyclic garbage collector runs in whichever thread allocates past its threshold. A
qasync event loop is always in a cycle; freed on a worker thread, its timer object cannot
unregister its Qt timers there, and the next one that fires on the GUI thread is delivered to
freed memory (the test suite's intermittent "Fatal Python error: Segmentation fault" inside Qt's
event processing). Each scenario runs in a child process, so that a crash fails this test only.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import subprocess
import sys
import threading
import weakref
from typing import Any

# A qasync loop (as the window and the ui tests run one) with a cancelled call_later: its Qt timer
# stays registered until due. The loop is closed and dropped while the GUI thread allocates
# nothing; a worker thread then allocates until the collector runs (or a bound is reached); then
# the GUI thread processes events past the timer's due time.
SCENARIO = r"""
import asyncio, gc, json, os, sys, threading, time, weakref
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
import qasync
from hvgui.ui import gui_gc

guard = sys.argv[1] == "guard"
app = QApplication([])
if guard:
    gui_gc.install(app)
loop = qasync.QEventLoop(app, already_running=True)
asyncio.set_event_loop(loop)
loop.call_later(0.3, print).cancel()
app.aboutToQuit.disconnect(loop._after_run_forever)
loop._QEventLoop__is_running = False
loop._after_run_forever()
asyncio.events._set_running_loop(None)
loop.close()
asyncio.set_event_loop(None)
freed_on = []
weakref.finalize(loop, lambda: freed_on.append(threading.current_thread().name))
alive = weakref.ref(loop)
del loop

kept = []  # kept alive: the collector counts allocations net of deallocations

def work():
    for _ in range(100_000):  # the unguarded collector runs within a few hundred
        if alive() is None:
            break
        kept.append([[]])

worker = threading.Thread(target=work, name="worker")
worker.start()
worker.join()
report = {"after_worker": list(freed_on)}
if guard:
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        app.processEvents()
    report["freed_on"] = freed_on
print(json.dumps(report), flush=True)
"""


def run_scenario(mode: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCENARIO, mode], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def test_without_the_guard_a_worker_thread_frees_the_qasync_loop() -> None:
    """The hazard is real: left to itself, the collector frees the loop on the allocating worker."""
    assert run_scenario("unguarded") == {"after_worker": ["worker"]}


def test_with_the_guard_the_gui_thread_frees_it_and_its_timers_never_fire_on_freed_memory() -> None:
    assert run_scenario("guard") == {"after_worker": [], "freed_on": ["MainThread"]}


def test_the_guard_collects_cycles_on_the_gui_thread_only(qtbot: Any) -> None:
    """In this suite (tests/conftest.py installs the guard, as the app does): a worker thread's
    allocations never run the collector; the GUI thread's event processing does."""
    from hvgui.ui import gui_gc

    collector = gui_gc.installed()
    assert collector is not None

    class Node:
        pass

    def garbage() -> weakref.ref[Node]:
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        return weakref.ref(a)

    freed_on: list[str] = []
    cycle = garbage()
    node = cycle()
    assert node is not None
    weakref.finalize(node, lambda: freed_on.append(threading.current_thread().name))
    del node

    kept: list[list[list[Any]]] = []  # alive until the end: the collector counts net allocations

    def churn() -> None:
        kept.extend([[]] for _ in range(200_000))

    worker = threading.Thread(target=churn, name="churn")
    worker.start()
    worker.join()
    assert cycle() is not None, "no collection ran on the worker thread"
    qtbot.waitUntil(lambda: cycle() is None, timeout=10_000)
    assert freed_on == ["MainThread"]


def test_the_guard_refuses_other_threads(qapp: Any) -> None:
    from hvgui.ui import gui_gc

    collector = gui_gc.installed()
    assert collector is not None
    errors: list[BaseException] = []

    def call() -> None:
        try:
            collector.collect_due()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=call)
    t.start()
    t.join()
    assert len(errors) == 1 and "GUI thread" in str(errors[0])
