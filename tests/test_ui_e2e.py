"""The real window against simulated hosts over real WinRM (NTLM on loopback): nothing mocked
between the grid and the simulated Hyper-V. The engine runs in its worker process, as in the app."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from hvgui.core import catalog
from hvgui.ui.controller import ApplySummary
from hvgui.ui.models import ColKind
from hvgui.ui.state import CellPhase, HostStatus

qloop = ui_helpers.qloop

HB, GSI, TS, KVP = catalog.HEARTBEAT, catalog.GUEST_SERVICE_INTERFACE, catalog.TIME_SYNC, catalog.KVP
TIMEOUT = 30_000


lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab


@pytest.fixture
def lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory()


def test_first_refresh_fills_tree_grid_activity_and_status(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    assert lab.controller.state.counts() == (2, 0, 0)
    assert w.tree_model.rowCount() == 2
    assert w.grid_model.rowCount() == 5
    assert w.grid_model.columns[0].kind is ColKind.HOST  # several hosts in scope
    qtbot.waitUntil(lambda: "2 hosts connected" in w.status_hosts.text())
    # One row for the refresh round, the read of each host under it.
    activity = w.activity_model
    assert activity.rowCount() == 1 and activity.index(0, 3).data() == "OK"
    assert activity.index(0, 1).data() == "2 hosts"
    round_row = activity.index(0, 0)
    assert activity.rowCount(round_row) == 2
    assert {activity.index(r, 3, round_row).data() for r in range(2)} == {"OK"}
    idx = w.grid_model.cell_index(lab.cell("HV-A", "app1", HB))
    assert idx.data() == "OK" and idx.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    tip = ui_helpers.shown(idx.data(Qt.ItemDataRole.ToolTipRole))
    assert "Enabled and working (OK)" in tip and "Host says: Heartbeat · OK" in tip
    # The exact script and its decoded request, for every operation.
    dlg = w.show_operation(0)
    text = dlg.text.toPlainText()
    assert "# hvgui-operation: inventory v1" in text and '"op": "inventory"' in text
    dlg.close()


def test_tick_across_two_hosts_apply_conflict_failure_and_retry(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    gsi_a = lab.cell("HV-A", "app1", GSI)
    gsi_b = lab.cell("HV-B", "app1", GSI)
    ts_a2 = lab.cell("HV-A", "app2", TS)
    kvp_b = lab.cell("HV-B", "web[1]", KVP)

    # Space on a selection spanning two hosts: all off -> all on.
    lab.select_cells([gsi_a, gsi_b])
    qtbot.keyClick(w.grid, Qt.Key.Key_Space)
    assert ctl.state.pending == {gsi_a: True, gsi_b: True}
    assert w.grid_model.cell_index(gsi_a).data() == "Off → On"
    # Context menu action on another selection.
    lab.select_cells([ts_a2, kvp_b])
    w.act_disable.trigger()
    assert len(ctl.state.pending) == 4
    assert w.act_apply.text() == "Apply (4)"

    # Behind our back: another admin disables Time sync on app2; web[1] on HV-B fails.
    lab.hosts["HV-A"].set_enabled(ts_a2[1], "Time Synchronization", False)
    lab.hosts["HV-B"].faults.vm_errors[kvp_b[1]] = "The operation failed because of a simulated fault."

    qtbot.keyClick(w.grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dlg = w.plan_dialog
    assert dlg is not None
    assert "4 changes" in dlg.summary.text() and "4 VMs" in dlg.summary.text() and "2 hosts" in dlg.summary.text()
    assert dlg.scripts.count() == 3  # a script per host, and the equivalent PowerShell
    script_a = dlg.scripts.widget(0).toPlainText()  # type: ignore[attr-defined]
    assert gsi_a[1] in script_a and "# hvgui-operation: apply v1" in script_a
    assert "‘prod’" not in script_a  # names never enter the script
    with qtbot.waitSignal(ctl.applyFinished, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    summary: ApplySummary = blocker.args[0]
    assert (summary.changed, summary.unchanged, summary.conflicts, summary.failed) == (2, 1, 0, 1)

    st = ctl.state
    # Success: the cell shows what the host re-read.
    assert lab.sim_enabled(gsi_a) and lab.sim_enabled(gsi_b)
    assert st.results[gsi_a].phase is CellPhase.CHANGED and gsi_a not in st.pending
    assert w.grid_model.cell_index(gsi_b).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    # Another admin already made this very change: already in the target state, not a conflict;
    # no longer pending, and the cell shows the host's value.
    assert st.results[ts_a2].phase is CellPhase.UNCHANGED and ts_a2 not in st.pending
    assert w.grid_model.cell_index(ts_a2).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    # Failure: error badge and reason; the change stays pending for "Retry failed".
    assert st.results[kvp_b].phase is CellPhase.FAILED and st.pending[kvp_b] is False
    idx = w.grid_model.cell_index(kvp_b)
    assert idx.data() == "Failed" and "simulated fault" in idx.data(Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(w.act_retry.isEnabled)
    qtbot.waitUntil(lambda: "Pending changes: <b>1</b> (1 failed)" in w.status_pending.text())

    # The fault is fixed; retry only the failed change.
    lab.hosts["HV-B"].faults.vm_errors.clear()
    plan_text, summary = lab.apply_through_plan(retry=True)
    assert "<b>1 change</b>" in plan_text
    assert summary.changed == 1 and st.pending == {}
    assert lab.sim_enabled(kvp_b) is False
    qtbot.waitUntil(lambda: not w.act_retry.isEnabled())


def test_host_down_during_apply_keeps_changes_for_retry(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    cell_a = lab.cell("HV-A", "app2", GSI)
    cell_b = lab.cell("HV-B", "app1", GSI)
    ctl.set_target([cell_a, cell_b], True)
    ep_b = lab.endpoints[1]
    lab.hosts["HV-B"].faults.refuse_connections = True
    assert ep_b.wait_listening(False)
    _, summary = lab.apply_through_plan()
    assert summary.changed == 1 and summary.hosts_failed == 1
    st = ctl.state
    assert st.hosts[lab.configs["HV-B"].key].status is HostStatus.FAILED
    assert st.results[cell_b].phase is CellPhase.FAILED and st.pending[cell_b] is True
    qtbot.waitUntil(lambda: "1 failed" in w.status_hosts.text())
    qtbot.waitUntil(lambda: w.grid_hint.isVisible() and "HV-B" in w.grid_hint.text())
    # HV-A is unaffected.
    assert lab.sim_enabled(cell_a)
    lab.hosts["HV-B"].faults.refuse_connections = False
    assert ep_b.wait_listening(True)
    _, summary = lab.apply_through_plan(retry=True)
    assert summary.changed == 1 and lab.sim_enabled(cell_b)
    assert st.hosts[lab.configs["HV-B"].key].status is HostStatus.CONNECTED


def test_filter_and_multi_select_across_hosts(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.filter_edit.hasFocus()
    qtbot.keyClicks(w.filter_edit, "APP1")
    assert w.grid_model.rowCount() == 2  # app1 on both hosts
    proxy = w.tree_proxy
    hosts = [proxy.index(r, 0) for r in range(proxy.rowCount())]
    assert [proxy.index(0, 0, h).data() for h in hosts] == ["app1", "app1"]
    # Select both VMs (one per host) in the tree: the grid shows exactly them, with a host column.
    sel = QItemSelection()
    for h in hosts:
        vm = proxy.index(0, 0, h)
        sel.select(vm, proxy.index(0, 1, h))
    w.tree.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert w.grid_model.rowCount() == 2 and w.grid_model.columns[0].kind is ColKind.HOST
    # Clearing the filter keeps the explicit selection as the scope.
    w.filter_edit.clear()
    assert w.grid_model.rowCount() == 2
    # Selecting a host selects its VMs (and drops the host column).
    host_b = next(proxy.index(r, 0) for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "HV-B")
    w.tree.selectionModel().select(host_b, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                   | QItemSelectionModel.SelectionFlag.Rows)
    assert w.grid_model.rowCount() == 2
    assert w.grid_model.columns[0].kind is ColKind.VM
    assert {w.grid_model.index(r, 0).data() for r in range(2)} == {"app1", "web[1]"}
    # Pending changes survive scope changes.
    cell = lab.cell("HV-B", "web[1]", GSI)
    lab.controller.set_target([cell], True)
    w.tree.selectionModel().clearSelection()
    assert w.grid_model.rowCount() == 5 and lab.controller.state.pending == {cell: True}


def test_refresh_keeps_selection_scroll_and_pending_changes(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    keep = lab.cell("HV-B", "web[1]", HB)
    pending = lab.cell("HV-A", "db ‘prod’", GSI)
    ctl.set_target([pending], True)
    lab.select_cells([keep])
    current_before = w.grid.currentIndex()
    # Behind our back: a VM appears on HV-A (sorts first), one disappears, one changes.
    lab.hosts["HV-A"].add_vm("aaa-new")
    lab.hosts["HV-A"].remove_vm(lab.vm_id("HV-A", "app2"))
    lab.hosts["HV-B"].set_enabled(lab.vm_id("HV-B", "app1"), "Heartbeat", False)
    resets: list[int] = []
    w.grid_model.modelReset.connect(lambda: resets.append(1))
    lab.refresh()
    assert resets == []
    assert w.grid_model.rowCount() == 5
    selected = [w.grid_model.cell_key(i) for i in w.grid.selectionModel().selectedIndexes()]
    assert selected == [keep]
    assert w.grid_model.cell_key(w.grid.currentIndex()) == w.grid_model.cell_key(current_before) == keep
    assert ctl.state.pending == {pending: True}
    assert w.grid_model.cell_index(pending).data() == "Off → On"
    changed = w.grid_model.cell_index(lab.cell("HV-B", "app1", HB))
    assert changed.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_details_pane_and_copy_report(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    vm_id = lab.vm_id("HV-B", "web[1]")
    lab.hosts["HV-B"].set_guest(vm_id, "vmickvpexchange", "stopped")
    lab.refresh()
    lab.select_cells([lab.cell("HV-B", "web[1]", KVP)])
    qtbot.waitUntil(lambda: "web[1]" in w.details.toPlainText())
    html = w.details.toPlainText()
    assert "web[1]" in html and "HV-B" in html
    assert "Enabled, but the guest has not answered" in html
    qtbot.mouseClick(w.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("web[1] on HV-B: Needs a look: Data Exchange not answering (No Contact).\n")
    assert "\nVM: web[1]\n" in text and "Host: HV-B" in text
    assert "- Data Exchange: Enabled, but not answering: No Contact" in text
    assert 'check the service vmickvpexchange ("Hyper-V Data Exchange Service")' in text


def test_read_only_mode_refuses_edits(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(read_only=True)
    w, ctl = lab.window, lab.controller
    cell = lab.cell("HV-A", "app1", GSI)
    idx = w.grid_model.cell_index(cell)
    assert not w.grid_model.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable
    lab.select_cells([cell])
    qtbot.keyClick(w.grid, Qt.Key.Key_Space)
    w.act_enable.trigger()
    assert not w.grid_model.setData(idx, 2, Qt.ItemDataRole.CheckStateRole)
    menu = w.column_menu(w.grid_model.service_column(GSI))
    assert menu is not None
    for a in menu.actions()[:3]:
        assert not a.isEnabled()
        a.trigger()
    assert ctl.state.pending == {}
    qtbot.keyClick(w.grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert w.plan_dialog is None and not w.act_apply.isEnabled()
    assert "[read-only]" in w.windowTitle() and w.read_only_label_action.isVisible()
    assert lab.sim_enabled(cell) is False


def test_column_header_menu_changes_every_vm_in_view(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    menu = w.column_menu(w.grid_model.service_column(GSI))
    assert menu is not None
    enable = menu.actions()[0]
    assert enable.text() == "Enable Guest services for all 5 VMs in view"
    enable.trigger()
    assert len(ctl.state.pending) == 5
    menu.actions()[3].trigger()  # Revert this column
    assert ctl.state.pending == {}


def test_demo_screenshot_exits_zero(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "hvgui.ui.app", "--demo", "--screenshot", str(shot),
         "--settings-file", str(tmp_path / "settings.json")],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert shot.stat().st_size > 20_000
    assert "hvgui-demo" not in proc.stderr or "password" not in proc.stderr.lower()
