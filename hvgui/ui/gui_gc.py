"""Python's cyclic garbage collector kept out of the window's way: on the GUI thread only, and
never scanning what a refresh read.

**Which thread.**

CPython runs an automatic collection in whichever thread happens to allocate past the threshold:
with WinRM worker threads, the engine's reader thread and (in ``--demo`` and the tests) the
simulated hosts' server threads, that is often not the GUI thread. A Qt object owned by Python
that sits in a reference cycle is then deleted on that thread, which Qt does not allow: a QObject
with running timers cannot unregister them from another thread ("QObject::~QObject: Timers cannot
be stopped from another thread"), the GUI thread's event dispatcher keeps them, and the next one
that fires is delivered to freed memory: a segmentation fault inside Qt's event processing, in a
place that has nothing to do with the cause.

qasync's event loop is such an object, always: it is in a cycle with its selector (and with the
handles its timer object keeps), so only the cyclic collector frees it, and its ``_SimpleTimer``
QObject still has a Qt timer registered for every ``call_later`` that was cancelled and not yet
due. Parentless dialogs and widgets that a task or a lambda refers back to are others.

:func:`install` turns the automatic collection off and runs the same generational collection
(same thresholds) from a timer on the GUI thread, as pyqtgraph's ``GarbageCollector`` does.
Reference counting still frees everything that is not in a cycle immediately, on any thread;
that is why code handing work to a thread never lets the thread hold the last reference to a Qt
object (see :mod:`hvgui.ui.doctor_dialog`).

**What is scanned.** A full collection scans every object the process holds: with 10,000 VMs
loaded, ~200,000, which stopped the window for 50-100 ms, at whatever moment an allocation tipped
the counters (often in the middle of filling the grid). So:

- what is loaded at start (modules, Qt's wrappers) and what each refresh or apply took in
  (inventories, the models' rows) is *frozen* (``gc.freeze``): never scanned again, still
  freed by reference counting when replaced, as inventories hold no reference cycles;
- the oldest generation is collected by itself far less often (its threshold raised), and
  after each refresh round or apply at a moment of our choosing: a scan of only what is not
  frozen yet (what the round made: a few ms for 1,000 VMs), then that is frozen too;
- every ``THAW_EVERY`` rounds everything is thawed and collected once, so an object frozen while
  alive that became cyclic garbage since is freed after all.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

THAW_EVERY = 30
"""Rounds (refreshes and applies) between two collections of everything (thawed)."""
OLDEST_GENERATION_THRESHOLD = 100
"""Collections of the middle generation before the oldest is collected by itself (Python: 10)."""

INTERVAL_MS = 250
"""How often the GUI thread looks at the collector's counts (a look costs nothing)."""

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, app: QCoreApplication, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(app)
        self._gui_thread = threading.get_ident()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations whose thresholds are passed, as the automatic collector would
        (and only those); returns the number of unreachable objects found. GUI thread only."""
        if threading.get_ident() != self._gui_thread:
            raise RuntimeError("the cyclic garbage collector must run on the GUI thread")
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if not t0 or c0 <= t0:
            return 0
        # The oldest generation past its threshold, as CPython chooses (without its rule that
        # delays a full collection while few objects await one: at most one collection per tick).
        generation = 2 if c2 > t2 else 1 if c1 > t1 else 0
        return gc.collect(generation)


def install(app: QCoreApplication | None = None, interval_ms: int = INTERVAL_MS) -> GuiThreadCollector:
    """From now on cyclic garbage is collected on the GUI thread only, and what is loaded by now
    is frozen. Call it on the GUI thread, once the application exists; calling it again returns
    the collector already installed."""
    global _collector
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install() needs the application object")
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("install() must be called on the GUI thread")
    if _collector is None:
        _collector = GuiThreadCollector(app, interval_ms)
        # What is loaded by now (modules, Qt's wrappers) lives as long as the process: frozen.
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, OLDEST_GENERATION_THRESHOLD)
        gc.freeze()
    gc.disable()
    return _collector


def installed() -> GuiThreadCollector | None:
    return _collector


def tidy(*, thaw: bool = False) -> None:
    """After a refresh round or an apply: collect the garbage not frozen yet, then freeze what is
    left; ``thaw``: collect everything first."""
    if thaw:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
