"""PySide6 6.12 on Python 3.11 drops a reference to True on every Signal.emit(): hvgui.ui
makes True/False immortal when it sees the leak, so long sessions do not abort."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys

from PySide6.QtCore import QObject, Signal

import hvgui.ui  # noqa: F401  (applies the fix)
from hvgui.ui import qtfix


class _Emitter(QObject):
    changed = Signal(str)


def test_many_emits_do_not_exhaust_true() -> None:
    e = _Emitter()
    seen: list[str] = []
    e.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for _ in range(20_000):  # far more than True's natural reference count on 3.11
        e.changed.emit("x")
    assert len(seen) == 20_000
    if qtfix.emit_leaks_true():
        assert qtfix.apply()
        assert sys.getrefcount(True) > 1 << 39
    else:  # fixed PySide6 or Python 3.12+: nothing to do, nothing done
        assert abs(sys.getrefcount(True) - before) < 100
