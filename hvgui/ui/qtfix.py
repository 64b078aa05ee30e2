"""Work around a reference-count bug in PySide6 6.12 on Python < 3.12.

``SignalInstance.emit()`` (and ``disconnect()``) return ``True`` without taking a reference,
so every emit from Python removes one reference from ``True``. On Python 3.12+ ``True`` is
immortal and nothing happens; on 3.11 the count reaches zero after a few hundred to a few
thousand emits and the process aborts ("Fatal Python error: bool_dealloc"). Our models emit
``dataChanged`` on every refresh and qasync emits a signal for every result handed back from
a worker thread, so a long session would die.

The fix does what Python 3.12 does: it makes ``True`` and ``False`` immortal, by adding 2**40
to their reference counts, and only when a probe shows the leak (so a fixed PySide6 or a
newer Python leaves everything untouched).
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_applied = False
_BOOST = 1 << 40


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    leaked = before - sys.getrefcount(True)
    # Compensate what the probe itself took.
    for _ in range(max(0, leaked)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return leaked >= 16


def apply() -> bool:
    """Make ``True``/``False`` immortal if this PySide6 leaks references on emit; returns
    whether it did. Idempotent."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if not emit_leaks_true():
        return False
    for obj in (True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _applied = True
    log.info("PySide6 leaks a reference to True on every signal emit: made True/False immortal "
             "(as on Python 3.12+)")
    return True
