"""Models and controller with core objects built in the test (the engine is a stand-in here;
test_ui_e2e.py drives the real engine against the simulator)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import random
import time
from dataclasses import replace
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from ui_helpers import (
    FakeEngine,
    host_config,
    inventory,
    make_vm,
    unreachable,
    with_service,
)

from hvgui.core import catalog
from hvgui.core.model import Inventory, ServiceState
from hvgui.ui.controller import Controller
from hvgui.ui.models import (
    CELL_ROLE,
    ActivityModel,
    ColKind,
    HostTreeModel,
    Scope,
    ServiceGridModel,
    VmFilterProxy,
    sync_rows,
)
from hvgui.ui.state import CellPhase, HostStatus

qloop = ui_helpers.qloop
check_model = ui_helpers.check_model

HB, GSI, TS = catalog.HEARTBEAT, catalog.GUEST_SERVICE_INTERFACE, catalog.TIME_SYNC
A, B = host_config("HV-A"), host_config("HV-B")


def vid(host: str, n: int) -> str:
    return f"{'aaaaaaaa' if host == 'A' else 'bbbbbbbb'}-0000-4000-8000-{n:012d}"


def fleet(n_a: int = 3, n_b: int = 2) -> dict[str, Inventory]:
    return {
        "HV-A": inventory("HV-A", [make_vm(f"a-vm{i}", vm_id=vid("A", i)) for i in range(n_a)]),
        "HV-B": inventory("HV-B", [make_vm(f"b-vm{i}", vm_id=vid("B", i)) for i in range(n_b)]),
    }


def run(qtbot: Any, task: asyncio.Task[Any]) -> Any:
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


@pytest.fixture
def ctl(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Controller:
    engine = FakeEngine(fleet())
    c = Controller(engine, [A, B])
    run(qtbot, c.refresh())
    return c


# ------------------------------------------------------------------ sync_rows

class _ListModel(QAbstractListModel):
    def __init__(self, rows: list[int]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: Any = None) -> int:
        parent = parent or QModelIndex()
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.rows[index.row()] if role == Qt.ItemDataRole.DisplayRole else None


def test_sync_rows_reaches_the_desired_list_and_keeps_persistent_indexes(qapp: Any) -> None:
    rnd = random.Random(4)
    for _ in range(200):
        old = sorted(rnd.sample(range(40), rnd.randint(0, 30)))
        new = sorted(rnd.sample(range(40), rnd.randint(0, 30)))
        m = _ListModel(list(old))
        kept = {v: QPersistentModelIndex(m.index(i, 0)) for i, v in enumerate(old) if v in new}
        sync_rows(m, QModelIndex(), m.rows, new)
        assert m.rows == new
        for v, p in kept.items():
            assert p.isValid() and m.rows[p.row()] == v


# ------------------------------------------------------------------ qtmodeltester

def test_models_pass_the_model_tester_after_filling_and_updates(ctl: Controller, check_model: Any,
                                                                qtbot: Any) -> None:
    tree = HostTreeModel(ctl)
    proxy = VmFilterProxy()
    proxy.setSourceModel(tree)
    grid = ServiceGridModel(ctl)
    activity = ActivityModel()
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    engine.subscribe(activity.on_operation)
    for m in (tree, proxy, grid):
        check_model(m)
    assert grid.rowCount() == 5 and tree.rowCount() == 2

    # Update: a VM added on A, one removed on B, a service changed, an extra service column.
    inv_a, inv_b = engine.inventories["HV-A"], engine.inventories["HV-B"]
    extra = ServiceState("11111111-2222-3333-4444-555555555555", "Future Service", True)
    first = with_service(inv_a.vms[0], HB, False)
    first = replace(first, services=(*first.services, extra))
    engine.inventories["HV-A"] = Inventory(inv_a.host, (first, *inv_a.vms[1:], make_vm("a-new", vm_id=vid("A", 99))))
    engine.inventories["HV-B"] = Inventory(inv_b.host, inv_b.vms[:1])
    ctl.set_target([(A.key, vid("A", 1), GSI)], True)
    run(qtbot, ctl.refresh())
    assert grid.rowCount() == 5
    assert any(c.title == "Future Service" for c in grid.columns)
    proxy.set_text("vm1")
    for m in (tree, proxy, grid, activity):
        check_model(m)
    grid.set_scope(Scope(hosts=frozenset({A.key}), text=""))
    assert grid.columns[0].kind is ColKind.VM  # one host in scope: no host column
    check_model(grid)
    assert activity.rowCount() == 2  # the second refresh, one operation per host
    assert activity.index(0, 3).data() == "OK"


def test_grid_columns_follow_hyper_v_manager_order(ctl: Controller) -> None:
    grid = ServiceGridModel(ctl)
    titles = [grid.headerData(i, Qt.Orientation.Horizontal) for i in range(grid.columnCount())]
    assert titles == ["Host", "VM", "State", "Shutdown", "Time sync", "Data Exchange", "Heartbeat", "Backup",
                      "Guest services", "Version"]
    # Compact, but Hyper-V Manager's full label is in each service column's tooltip.
    for n, s in enumerate(catalog.SERVICES, start=3):
        assert ui_helpers.shown(grid.headerData(n, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)) \
            .startswith(s.label + "\n")


def test_filter_searches_vm_names_across_hosts(ctl: Controller) -> None:
    tree = HostTreeModel(ctl)
    proxy = VmFilterProxy()
    proxy.setSourceModel(tree)
    proxy.set_text("VM1")
    hosts = [proxy.index(r, 0) for r in range(proxy.rowCount())]
    names = [proxy.index(r, 0, h).data() for h in hosts for r in range(proxy.rowCount(h))]
    assert names == ["a-vm1", "b-vm1"]
    proxy.set_text("a-vm2")
    assert proxy.rowCount() == 1
    # No filter: every host and VM again, each selectable like in the source (the proxy answers
    # flags and the empty filter without looking rows up).
    proxy.set_text("")
    hosts = [proxy.index(r, 0) for r in range(proxy.rowCount())]
    shown = [proxy.index(r, c, h) for h in hosts for r in range(proxy.rowCount(h)) for c in (0, 1)]
    assert len(hosts) == tree.rowCount() and len(shown) == 2 * sum(tree.rowCount(tree.index(r, 0))
                                                                 for r in range(tree.rowCount()))
    for index in hosts + shown:
        assert proxy.flags(index) == tree.flags(proxy.mapToSource(index)) != Qt.ItemFlag.NoItemFlags
    assert proxy.flags(QModelIndex()) == tree.flags(QModelIndex())


# ------------------------------------------------------------------ incremental updates

def test_refresh_updates_in_place_keeping_selection_and_pending(ctl: Controller, qtbot: Any) -> None:
    grid = ServiceGridModel(ctl)
    resets: list[int] = []
    grid.modelReset.connect(lambda: resets.append(1))
    sel = QItemSelectionModel(grid)
    col = grid.service_column(HB)
    target_row = grid.row_of((B.key, vid("B", 1)))
    sel.select(grid.index(target_row, col), QItemSelectionModel.SelectionFlag.Select)
    pending = (B.key, vid("B", 1), GSI)
    ctl.set_target([pending], True)

    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    inv_a = engine.inventories["HV-A"]
    # A new VM sorts before everything on A, an old one changes: rows move, nothing resets.
    engine.inventories["HV-A"] = Inventory(inv_a.host, (make_vm("a-aaa-first", vm_id=vid("A", 50)),
                                                        with_service(inv_a.vms[0], TS, False), *inv_a.vms[1:]))
    run(qtbot, ctl.refresh())
    assert resets == []
    selected = sel.selectedIndexes()
    assert len(selected) == 1 and grid.cell_key(selected[0]) == (B.key, vid("B", 1), HB)
    assert ctl.state.pending == {pending: True}
    idx = grid.cell_index(pending)
    assert idx.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert idx.data() == "Off → On"
    assert idx.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Pending change: Disabled → Enabled" in idx.data(Qt.ItemDataRole.ToolTipRole)
    ts = grid.cell_index((A.key, vid("A", 0), TS))
    assert ts.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_click_passes_an_int_and_read_only_refuses(ctl: Controller) -> None:
    grid = ServiceGridModel(ctl)
    idx = grid.cell_index((A.key, vid("A", 0), GSI))
    assert grid.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable
    assert grid.setData(idx, 2, Qt.ItemDataRole.CheckStateRole)  # what PySide6 hands over on a click
    assert ctl.state.pending == {(A.key, vid("A", 0), GSI): True}
    ctl.revert()
    ctl.read_only = True
    assert not grid.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable
    assert not grid.setData(idx, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert not ctl.set_target([(A.key, vid("A", 0), GSI)], True)
    assert not ctl.toggle([(A.key, vid("A", 0), GSI)])
    assert ctl.state.pending == {}
    with pytest.raises(PermissionError):
        ctl.apply(ctl.plan())


# ------------------------------------------------------------------ controller

def test_refresh_that_started_before_an_apply_never_overwrites_it(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    cell = (A.key, vid("A", 0), GSI)
    gate = asyncio.Event()
    engine.gates["HV-A"] = gate
    stale = engine.inventories["HV-A"]  # what the in-flight read will return
    refresh = ctl.refresh([A.key])
    qtbot.waitUntil(lambda: ("inventory", "HV-A") in engine.calls[-1:])
    ctl.set_target([cell], True)
    summary = run(qtbot, ctl.apply(ctl.plan()))
    assert summary.changed == 1
    assert engine.inventories["HV-A"] is not stale
    gate.set()
    run(qtbot, refresh)
    assert ctl.state.current(cell) is True  # the stale read (GSI off) was discarded
    assert ctl.state.results[cell].phase is CellPhase.CHANGED


def test_apply_outcomes_conflict_failure_and_retry(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    ok_cell = (A.key, vid("A", 0), GSI)
    conflict_cell = (A.key, vid("A", 1), HB)
    failing = (B.key, vid("B", 0), GSI)
    ctl.set_target([ok_cell, failing], True)
    ctl.set_target([conflict_cell], False)
    # Someone else disabled Heartbeat on a-vm1 behind our back.
    inv = engine.inventories["HV-A"]
    engine.inventories["HV-A"] = Inventory(inv.host, tuple(with_service(v, HB, False) if v.id == vid("A", 1) else v
                                                          for v in inv.vms))
    engine.errors["HV-B"] = unreachable("HV-B")
    cells_seen: list[Any] = []
    ctl.cellsChanged.connect(cells_seen.append)
    summary = run(qtbot, ctl.apply(ctl.plan()))
    assert (summary.changed, summary.conflicts, summary.failed, summary.hosts_failed) == (1, 1, 1, 1)
    st = ctl.state
    assert st.results[ok_cell].phase is CellPhase.CHANGED and ok_cell not in st.pending
    # The host no longer says what we saw: a conflict, left alone and no longer pending.
    assert st.results[conflict_cell].phase is CellPhase.CONFLICT and conflict_cell not in st.pending
    assert st.results[failing].phase is CellPhase.FAILED and st.pending[failing] is True
    assert "Host unreachable" in st.results[failing].message
    assert st.hosts[B.key].status is HostStatus.FAILED
    assert ctl.plan(failed_only=True).change_count == 1
    del engine.errors["HV-B"]
    summary = run(qtbot, ctl.apply(ctl.plan(failed_only=True)))
    assert summary.changed == 1 and st.pending == {}
    assert st.results[failing].phase is CellPhase.CHANGED


def test_conflict_is_shown_with_the_hosts_value_and_not_overwritten(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    grid = ServiceGridModel(ctl)
    cell = (A.key, vid("A", 0), GSI)
    ctl.set_target([cell], True)
    inv = engine.inventories["HV-A"]  # another admin enables it first
    engine.inventories["HV-A"] = Inventory(inv.host, tuple(with_service(v, GSI, True) if v.id == vid("A", 0) else v
                                                          for v in inv.vms))
    summary = run(qtbot, ctl.apply(ctl.plan()))
    assert summary.conflicts == 1 and summary.changed == 0
    assert ctl.state.results[cell].phase is CellPhase.CONFLICT
    assert cell not in ctl.state.pending
    idx = grid.cell_index(cell)
    assert idx.data() == "Conflict"
    assert "someone else" in idx.data(Qt.ItemDataRole.ToolTipRole)
    assert idx.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked  # the host's value, re-read


def test_failing_host_backs_off_and_recovers(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    engine.errors["HV-B"] = unreachable("HV-B")
    run(qtbot, ctl.refresh())
    e = ctl.state.hosts[B.key]
    assert e.status is HostStatus.FAILED and e.failures == 1
    assert e.vms  # the last known VMs stay visible
    run(qtbot, ctl.refresh([B.key]))
    assert e.failures == 2 and e.next_due - time.monotonic() > 100
    del engine.errors["HV-B"]
    run(qtbot, ctl.refresh([B.key]))
    assert e.status is HostStatus.CONNECTED and e.failures == 0 and e.error is None


def test_cells_report_progress_while_applying(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    grid = ServiceGridModel(ctl)
    gate = asyncio.Event()
    engine.apply_gates["HV-A"] = gate
    cell = (A.key, vid("A", 2), GSI)
    ctl.set_target([cell], True)
    task = ctl.apply(ctl.plan())
    qtbot.waitUntil(lambda: ctl.state.result_phase(cell) is CellPhase.APPLYING)
    idx = grid.cell_index(cell)
    assert idx.data() == "Applying…"
    assert not grid.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable
    assert idx.data(CELL_ROLE) == cell
    gate.set()
    run(qtbot, task)
    assert grid.cell_index(cell).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_close_cancels_work_cleanly(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    engine.gates["HV-A"] = asyncio.Event()  # never set
    refresh = ctl.refresh()
    qtbot.waitUntil(lambda: ctl.busy)
    run(qtbot, asyncio.ensure_future(ctl.close()))
    assert refresh.done() and engine.closed


# ------------------------------------------------------------------ scale

def test_ten_thousand_rows_fill_fast_and_update_incrementally(qloop: Any, qtbot: Any) -> None:
    n = 10_000
    engine = FakeEngine({"HV-A": inventory("HV-A", [make_vm(f"vm{i:05d}", vm_id=vid("A", i)) for i in range(n)])})
    ctl = Controller(engine, [A])
    grid = ServiceGridModel(ctl)
    t0 = time.perf_counter()
    run(qtbot, ctl.refresh())
    fill = time.perf_counter() - t0
    assert grid.rowCount() == n
    assert fill < 10  # measured by hand: well under a second; generous for shared CI
    resets: list[int] = []
    grid.modelReset.connect(lambda: resets.append(1))
    cells = [(A.key, vid("A", i), GSI) for i in range(0, n, 10)]
    t0 = time.perf_counter()
    ctl.set_target(cells, True)
    assert time.perf_counter() - t0 < 5
    assert len(ctl.state.pending) == 1000 and resets == []


class _Boom(FakeEngine):
    async def inventory(self, host: Any) -> Inventory:
        if host.display_name == "HV-B":
            raise RuntimeError("a bug")
        return await super().inventory(host)

    async def apply(self, host: Any, changes: Any) -> Any:
        if host.display_name == "HV-B":
            raise RuntimeError("a bug")
        return await super().apply(host, changes)


def test_a_bug_shows_the_host_failed_and_reaches_the_excepthook(qloop: Any, qtbot: Any) -> None:
    engine = _Boom(fleet())
    ctl = Controller(engine, [A, B])
    with qtbot.captureExceptions() as caught:
        run(qtbot, ctl.refresh())
    assert [type(e[1]) for e in caught] == [RuntimeError]
    assert ctl.state.hosts[B.key].status is HostStatus.FAILED
    assert "unexpected error in hvgui" in ctl.state.hosts[B.key].error.text  # type: ignore[union-attr]
    assert ctl.state.hosts[A.key].status is HostStatus.CONNECTED
    # Apply: HV-A still applies, HV-B's cells fail visibly, the summary still arrives.
    engine.inventories["HV-B"] = fleet()["HV-B"]
    ctl.state.set_inventory(B.key, engine.inventories["HV-B"])
    cells = [(A.key, vid("A", 0), GSI), (B.key, vid("B", 0), GSI)]
    ctl.set_target(cells, True)
    summaries: list[Any] = []
    ctl.applyFinished.connect(summaries.append)
    with qtbot.captureExceptions() as caught:
        task = ctl.apply(ctl.plan())
        qtbot.waitUntil(task.done)
    assert [type(e[1]) for e in caught] == [RuntimeError]
    assert summaries[0].changed == 1 and summaries[0].hosts_failed == 1
    assert ctl.state.results[cells[1]].phase is CellPhase.FAILED and ctl.state.pending[cells[1]] is True


# ------------------------------------------------------------------ overlapping work

def test_second_apply_keeps_the_progress_of_the_first(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    cell_a, cell_b = (A.key, vid("A", 0), GSI), (B.key, vid("B", 0), GSI)
    old_b = (B.key, vid("B", 1), GSI)
    ctl.set_target([old_b], True)
    run(qtbot, ctl.apply(ctl.plan()))
    assert ctl.state.result_phase(old_b) is CellPhase.CHANGED
    gate = asyncio.Event()
    engine.apply_gates["HV-A"] = gate
    ctl.set_target([cell_a], True)
    first = ctl.apply(ctl.plan())
    qtbot.waitUntil(lambda: ctl.state.result_phase(cell_a) is CellPhase.APPLYING)
    ctl.set_target([cell_b], True)
    plan = ctl.plan()
    assert list(plan.by_host) == [B.key]
    run(qtbot, ctl.apply(plan))
    assert ctl.state.result_phase(cell_a) is CellPhase.APPLYING  # not erased by the second apply
    assert ctl.state.result_phase(cell_b) is CellPhase.CHANGED
    assert ctl.state.result_phase(old_b) is None  # B's previous results are history
    assert ctl.applying
    gate.set()
    assert run(qtbot, first).changed == 1
    assert ctl.state.result_phase(cell_a) is CellPhase.CHANGED and not ctl.applying


def test_plan_names_hosts_left_out_because_they_are_applying(ctl: Controller, qtbot: Any) -> None:
    cell = (A.key, vid("A", 0), GSI)
    ctl.set_target([cell], True)
    ctl.state.hosts[A.key].applying = True
    plan = ctl.plan()
    assert not plan and plan.skipped_applying == (A.key,)
    from hvgui.ui.plan_dialog import PlanDialog

    ctl.set_target([(B.key, vid("B", 0), GSI)], True)
    dlg = PlanDialog(ctl.plan(), ctl.state)
    assert not dlg.skipped.isHidden() and "HV-A" in dlg.skipped.text()


@pytest.mark.parametrize("how", ["removed", "edited"])
def test_host_removed_or_edited_during_its_apply(ctl: Controller, qtbot: Any, how: str) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    gate = asyncio.Event()
    engine.apply_gates["HV-A"] = gate
    cell = (A.key, vid("A", 0), GSI)
    ctl.set_target([cell], True)
    task = ctl.apply(ctl.plan())
    qtbot.waitUntil(lambda: ctl.state.result_phase(cell) is CellPhase.APPLYING)
    edited = replace(A, timeout_s=7)
    ctl.set_hosts([B] if how == "removed" else [edited, B])
    gate.set()
    summary = run(qtbot, task)  # no KeyError
    assert summary.changed == 0 and summary.failed == 1
    if how == "removed":
        assert cell not in ctl.state.results
    else:
        entry = ctl.state.hosts[A.key]
        assert entry.config == edited and not entry.vms and not entry.applying  # nothing merged
        assert ctl.state.results[cell].message == "host was edited or removed during the apply; read it again"


def test_plan_confirmed_after_its_host_was_removed(ctl: Controller, qtbot: Any) -> None:
    ctl.set_target([(A.key, vid("A", 0), GSI)], True)
    plan = ctl.plan()
    ctl.set_hosts([B])
    assert run(qtbot, ctl.apply(plan)).changed == 0


def test_host_edited_during_a_read_gets_a_read_of_its_own(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    gate = asyncio.Event()
    engine.gates["HV-A"] = gate
    old_round = ctl.refresh([A.key])
    qtbot.waitUntil(lambda: ctl.state.hosts[A.key].refreshing)
    ctl.set_hosts([replace(A, timeout_s=7), B])
    run(qtbot, old_round)  # the old entry's read was cancelled
    del engine.gates["HV-A"]
    run(qtbot, ctl.refresh([A.key]))
    entry = ctl.state.hosts[A.key]
    assert entry.status is HostStatus.CONNECTED and len(entry.vms) == 3


def test_auto_refresh_reads_a_new_entry_at_once(ctl: Controller, qtbot: Any) -> None:
    engine = ctl.engine
    assert isinstance(engine, FakeEngine)
    ctl.set_hosts([replace(A, timeout_s=7), B])
    entry = ctl.state.hosts[A.key]
    assert entry.next_due == 0.0 and not entry.loaded
    ctl._tick()
    qtbot.waitUntil(lambda: entry.status is HostStatus.CONNECTED)
    # A failing host keeps its back-off even though it was never read.
    engine.errors["HV-B"] = unreachable("HV-B")
    ctl.set_hosts([replace(A, timeout_s=7), replace(B, timeout_s=7)])
    b = ctl.state.hosts[B.key]
    ctl._tick()
    qtbot.waitUntil(lambda: b.status is HostStatus.FAILED)
    calls = len(engine.calls)
    ctl._tick()
    assert len(engine.calls) == calls
