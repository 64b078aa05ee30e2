"""The activity panel's model: every remote operation, newest last."""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from hvgui.remote.engine import Operation, OpState
from hvgui.ui import look

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)


class ActivityModel(QStandardItemModel):
    """Every remote operation (newest last). Fed by ``Engine.subscribe`` on the loop's thread.

    The rows live in C++ items (not a Python ``data()``): painting the panel then never needs
    the GIL, which the WinRM worker threads hold much of the time during a refresh or an apply."""

    HEADERS = ("Started", "Host", "What", "State", "Duration", "Outcome")
    MAX_ROWS = 5000
    _STATE_TEXT: ClassVar[dict[OpState, str]] = {
        OpState.RUNNING: "Running…", OpState.OK: "OK", OpState.FAILED: "Failed", OpState.CANCELLED: "Cancelled"}
    _STATE_COLOUR: ClassVar[dict[OpState, str]] = {
        OpState.RUNNING: look.BLUE, OpState.OK: look.GREEN, OpState.FAILED: look.RED, OpState.CANCELLED: look.GREY}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self._ops: list[Operation] = []
        self._row_of: dict[int, int] = {}
        self._first = 0
        """Operations dropped from the top so far (row numbers shift by this)."""

    def on_operation(self, op: Operation) -> None:
        n = self._row_of.get(op.id)
        if n is not None and 0 <= n - self._first < len(self._ops):
            row = n - self._first
            self._ops[row] = op
            self._fill_row(row, op)
            return
        if len(self._ops) >= self.MAX_ROWS:
            drop = len(self._ops) - self.MAX_ROWS + 1
            for old in self._ops[:drop]:
                self._row_of.pop(old.id, None)
            del self._ops[:drop]
            self.removeRows(0, drop)
            self._first += drop
        items = [QStandardItem() for _ in self.HEADERS]
        for item in items:
            item.setEditable(False)
        items[4].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items[0].setText(time.strftime("%H:%M:%S", time.localtime(op.started_wall)))
        self._ops.append(op)
        self._row_of[op.id] = self._first + len(self._ops) - 1
        self._fill_items(items, op)
        self.appendRow(items)

    def _fill_row(self, row: int, op: Operation) -> None:
        self._fill_items([self.item(row, c) for c in range(len(self.HEADERS))], op)

    def _fill_items(self, items: list[QStandardItem], op: Operation) -> None:
        def put(item: QStandardItem, role: int, value: Any) -> None:
            if item.data(role) != value:  # an unchanged value must not repaint
                item.setData(value, role)

        put(items[1], _DISPLAY, op.host)
        put(items[2], _DISPLAY, op.summary)
        put(items[3], _DISPLAY, self._STATE_TEXT[op.state])
        items[3].setIcon(look.dot(self._STATE_COLOUR[op.state]))
        put(items[4], _DISPLAY, f"{op.duration:.1f} s")
        put(items[5], _DISPLAY, op.error.text if op.error is not None else op.outcome)
        if op.state is OpState.FAILED:
            items[5].setForeground(look.colour(look.RED))
        put(items[5], _TOOLTIP, (op.error.text + (f"\n\n{op.error.details}" if op.error.details else ""))
            if op.error is not None else None)

    def operation(self, row: int) -> Operation:
        return self._ops[row]

    def tick(self) -> None:
        """Refresh the duration of running operations (called once a second)."""
        for n, op in enumerate(self._ops):
            if op.state is OpState.RUNNING:
                item = self.item(n, 4)
                if item is not None:
                    item.setText(f"{op.duration:.1f} s")


def operation_text(op: Operation) -> str:
    """The exact script and the decoded request of one operation (what "Show script" shows)."""
    payload = json.dumps(op.payload, indent=2, ensure_ascii=False)
    return (f"# Host: {op.host}\n# Operation #{op.id}: {op.summary}\n"
            f"# The script below is sent as is; the request travels next to it as base64 JSON,\n"
            f"# decoded here:\n\n{op.script.rstrip()}\n\n# ---- request (decoded) ----\n{payload}\n")
