"""The activity panel's model: every remote operation, newest last.

Routine reads collapse: the operations of one refresh round (one per host) sit under one row
("Refresh of 6 hosts: 42 VMs"), expandable, instead of six new rows a minute; a round with a
failure says so in its own row. Applies and other changes stay rows of their own.

The rows live in C++ items (not a Python ``data()``): painting the panel then never needs the
GIL, which the engine's threads may hold. Each row carries tags (``kind:``, ``state:``,
``host:``) that the panel's filter matches in C++ too."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from hvgui.remote.engine import Operation, OpState
from hvgui.ui import look
from hvgui.ui.i18n import QT_TR_NOOP, error_text, tr
from hvgui.ui.words import plain_tip

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
TAGS_ROLE = int(Qt.ItemDataRole.UserRole) + 20
"""Words the panel's filter matches: ``kind:inventory state:failed host:HV-A``."""
OP_ROLE = int(Qt.ItemDataRole.UserRole) + 21
"""The operation id of a row (0 for a refresh round's row)."""

COLUMNS = (QT_TR_NOOP("Started"), QT_TR_NOOP("Host"), QT_TR_NOOP("What"), QT_TR_NOOP("State"),
           QT_TR_NOOP("Duration"), QT_TR_NOOP("Outcome"))


def _tags(kind: str, state: OpState, hosts: list[str], *, change: bool | None = None) -> str:
    words = [f"kind:{kind}", f"state:{state.value}"]
    if (kind not in ("inventory", "refresh")) if change is None else change:
        words.append("change")
    words += [f"host:{h}" for h in hosts]
    return " ".join(words) + " "


@dataclass(eq=False)
class _Round:
    """One refresh round: its row and the hosts whose read is still to come."""

    id: int
    expecting: list[str]
    items: list[QStandardItem]
    ops: list[Operation] = field(default_factory=list)
    open: bool = True


class ActivityModel(QStandardItemModel):
    """Every remote operation (newest last). Fed by ``Engine.subscribe`` on the loop's thread,
    and told of refresh rounds by the window (:meth:`begin_round`, :meth:`end_round`)."""

    HEADERS = COLUMNS
    MAX_ROWS = 5000
    _STATE_TEXT: ClassVar[dict[OpState, str]] = {
        OpState.RUNNING: QT_TR_NOOP("Running…"), OpState.OK: QT_TR_NOOP("OK"), OpState.FAILED: QT_TR_NOOP("Failed"),
        OpState.CANCELLED: QT_TR_NOOP("Cancelled")}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._items: dict[int, list[QStandardItem]] = {}
        """Operation id -> its row's items."""
        self._ops: dict[int, Operation] = {}
        self._round_of: dict[int, _Round] = {}
        """Operation id -> the refresh round it belongs to."""
        self._rounds: dict[int, _Round] = {}
        self._top: list[int | _Round] = []
        """Top-level rows in order: an operation id, or a refresh round."""

    # ------------------------------------------------------------ refresh rounds
    def begin_round(self, round_id: int, hosts: list[str]) -> None:
        """The reads of these hosts (display names) about to start belong to one round."""
        if not hosts:
            return
        items = self._new_items()
        items[0].setText(time.strftime("%H:%M:%S"))
        rnd = _Round(round_id, list(hosts), items)
        self._rounds[round_id] = rnd
        self._append_top(rnd, items)
        self._fill_round(rnd)

    def end_round(self, round_id: int) -> None:
        rnd = self._rounds.pop(round_id, None)
        if rnd is None:
            return
        rnd.open = False
        rnd.expecting.clear()
        if not rnd.ops and rnd in self._top:  # its hosts were being read already: nothing to show
            row = self._top.index(rnd)
            del self._top[row]
            self.removeRow(row)
            return
        self._fill_round(rnd)

    def _round_for(self, op: Operation) -> _Round | None:
        if op.kind != "inventory":
            return None
        for rnd in self._rounds.values():
            if op.host in rnd.expecting:
                rnd.expecting.remove(op.host)
                return rnd
        return None

    # ------------------------------------------------------------ operations
    def on_operation(self, op: Operation) -> None:
        items = self._items.get(op.id)
        if items is not None:
            self._ops[op.id] = op
            self._fill_items(items, op)
            rnd = self._round_of.get(op.id)
            if rnd is not None:
                rnd.ops = [op if o.id == op.id else o for o in rnd.ops]
                self._fill_round(rnd)
            return
        items = self._new_items()
        items[0].setText(time.strftime("%H:%M:%S", time.localtime(op.started_wall)))
        self._items[op.id] = items
        self._ops[op.id] = op
        self._fill_items(items, op)
        rnd = self._round_for(op)
        if rnd is None:
            self._append_top(op.id, items)
            return
        self._round_of[op.id] = rnd
        rnd.ops.append(op)
        rnd.items[0].appendRow(items)
        self._fill_round(rnd)

    def _new_items(self) -> list[QStandardItem]:
        items = [QStandardItem() for _ in COLUMNS]
        for item in items:
            item.setEditable(False)
        items[4].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return items

    def _append_top(self, entry: int | _Round, items: list[QStandardItem]) -> None:
        if len(self._top) >= self.MAX_ROWS:
            drop = len(self._top) - self.MAX_ROWS + 1
            for old in self._top[:drop]:
                ids = [o.id for o in old.ops] if isinstance(old, _Round) else [old]
                for i in ids:
                    self._items.pop(i, None)
                    self._ops.pop(i, None)
                    self._round_of.pop(i, None)
            del self._top[:drop]
            self.removeRows(0, drop)
        self._top.append(entry)
        self.appendRow(items)

    @staticmethod
    def _put(item: QStandardItem, role: int, value: Any) -> None:
        if item.data(role) != value:  # an unchanged value must not repaint
            item.setData(value, role)

    def _fill_items(self, items: list[QStandardItem], op: Operation) -> None:
        put = self._put
        t = look.theme()
        colours = {OpState.RUNNING: t.blue, OpState.OK: t.green, OpState.FAILED: t.red, OpState.CANCELLED: t.grey}
        put(items[1], _DISPLAY, op.host)
        put(items[2], _DISPLAY, operation_words(op.summary))
        put(items[3], _DISPLAY, tr(self._STATE_TEXT[op.state]))
        items[3].setIcon(look.dot(colours[op.state]))
        put(items[4], _DISPLAY, f"{op.duration:.1f} s")
        put(items[5], _DISPLAY, error_text(op.error) if op.error is not None else operation_words(op.outcome))
        if op.state is OpState.FAILED:
            items[5].setForeground(look.colour(t.red))
        put(items[5], _TOOLTIP, plain_tip(error_text(op.error) + (f"\n\n{op.error.details}" if op.error.details
                                                                  else "")) if op.error is not None else None)
        put(items[0], TAGS_ROLE, _tags(op.kind, op.state, [op.host], change=changes_something(op)))
        put(items[0], OP_ROLE, op.id)
        put(items[0], int(Qt.ItemDataRole.AccessibleTextRole),
            tr("{what} on {host}: {state}").format(what=operation_words(op.summary), host=op.host,
                                                   state=tr(self._STATE_TEXT[op.state]))
            + (f", {error_text(op.error)}" if op.error is not None else f", {operation_words(op.outcome)}" if op.outcome
               else ""))

    def _fill_round(self, rnd: _Round) -> None:
        put = self._put
        t = look.theme()
        items, ops = rnd.items, rnd.ops
        failed = [o for o in ops if o.state is OpState.FAILED]
        running = [o for o in ops if o.state is OpState.RUNNING]
        waiting = len(rnd.expecting) if rnd.open else 0
        hosts = sorted({o.host for o in ops} | set(rnd.expecting))
        if running or waiting:
            state, colour = OpState.RUNNING, t.blue
            text = tr("Running… ({done} of {total} done)").format(done=len(ops) - len(running), total=len(hosts))
        elif failed:
            state, colour, text = OpState.FAILED, t.red, tr("{n} failed").format(n=len(failed))
        else:
            state, colour, text = OpState.OK, t.green, tr("OK")
        put(items[1], _DISPLAY, tr("%n host(s)", "", len(hosts)))
        put(items[2], _DISPLAY, tr("Refresh: read VMs and integration services"))
        put(items[3], _DISPLAY, text)
        items[3].setIcon(look.dot(colour))
        put(items[4], _DISPLAY, f"{max((o.duration for o in ops), default=0.0):.1f} s")
        if failed:
            outcome = "; ".join(error_text(o.error) if o.error is not None else f"{o.host}: " + tr("failed")
                                for o in failed)
            items[5].setForeground(look.colour(t.red))
        else:
            outcome = ", ".join(f"{o.host}: {operation_words(o.outcome)}" for o in ops if o.outcome)
        put(items[5], _DISPLAY, outcome)
        put(items[5], _TOOLTIP, plain_tip(outcome) if outcome else None)
        put(items[0], TAGS_ROLE, _tags("refresh", state, hosts))
        put(items[0], OP_ROLE, 0)
        put(items[0], int(Qt.ItemDataRole.AccessibleTextRole),
            tr("Refresh of %n host(s): {state}", "", len(hosts)).format(state=text)
            + (f", {outcome}" if outcome else ""))

    # ------------------------------------------------------------ lookups
    def operation(self, row: int) -> Operation:
        """The operation of a top-level row (a refresh round: its first failure, else its first read)."""
        entry = self._top[row]
        if isinstance(entry, _Round):
            failed = [o for o in entry.ops if o.state is OpState.FAILED]
            return (failed or entry.ops)[0]
        return self._ops[entry]

    def operation_at(self, index: QModelIndex) -> Operation | None:
        """The operation of any row (a child of a refresh round, or a top-level row)."""
        if not index.isValid():
            return None
        op_id = index.siblingAtColumn(0).data(OP_ROLE)
        if op_id:
            return self._ops.get(int(op_id))
        if not index.parent().isValid():
            rnd = self._top[index.row()]
            if isinstance(rnd, _Round) and rnd.ops:
                return self.operation(index.row())
        return None

    def counts(self) -> tuple[int, int]:
        """How many operations are listed, and how many of them failed."""
        return len(self._ops), sum(1 for o in self._ops.values() if o.state == "failed")

    def operations(self) -> list[Operation]:
        """Every operation still listed, oldest first."""
        return sorted(self._ops.values(), key=lambda o: o.id)

    def tick(self) -> None:
        """Refresh the duration of running operations (called once a second)."""
        for op_id, op in self._ops.items():
            if op.state is OpState.RUNNING:
                items = self._items.get(op_id)
                if items is not None:
                    items[4].setText(f"{op.duration:.1f} s")


def changes_something(op: Operation) -> bool:
    """Whether an operation changes a host or a guest ("Changes" in the panel's filter): reading the
    guest side through the host does not."""
    if op.kind == "guest":
        return any(isinstance(vm, dict) and vm.get("actions") for vm in op.payload.get("vms", []))
    return op.kind not in ("inventory", "refresh")


def operation_text(op: Operation) -> str:
    """The exact script and the decoded request of one operation (what "Show script" shows)."""
    payload = json.dumps(op.payload, indent=2, ensure_ascii=False)
    return (f"# Host: {op.host}\n# Operation #{op.id}: {op.summary}\n"
            f"# The script below is sent as is; the request travels next to it as base64 JSON,\n"
            f"# decoded here:\n\n{op.script.rstrip()}\n\n# ---- request (decoded) ----\n{payload}\n")


_OPERATION_WORDS = (
    (re.compile(r"^Read VMs and integration services$"), lambda m: tr("Read VMs and integration services")),
    (re.compile(r"^(\d+) VMs$"), lambda m: tr("%n VM(s)", "", int(m[1]))),
    (re.compile(r"^(\d+) VMs \((\d+) could not be read\)$"),
     lambda m: tr("%n VM(s)", "", int(m[1])) + " " + tr("({n} could not be read)").format(n=m[2])),
    (re.compile(r"^Apply (\d+) changes to (\d+) VMs$"),
     lambda m: tr("Apply %n change(s)", "", int(m[1])) + " " + tr("to %n VM(s)", "", int(m[2]))),
)


def operation_words(text: str) -> str:
    """The engine's words for an operation or its outcome (``hvgui.remote`` is Qt-free and
    speaks English), in the window's language when they are known."""
    for pattern, words in _OPERATION_WORDS:
        m = pattern.match(text)
        if m is not None:
            return words(m)
    return text
