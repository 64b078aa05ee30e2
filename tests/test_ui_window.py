"""The window's own logic over a stand-in engine: one apply at a time, hosts edited or removed
while busy, keyboard paths (Esc, Tab, column actions), the scope after host changes, unreadable
VMs and risky logins shown as such."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from ui_helpers import FakeEngine, host_config, inventory, make_vm

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Inventory
from hvgui.remote.credentials import MemoryCredentials
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.server import HostEndpoint
from hvgui.ui.controller import Controller
from hvgui.ui.fix_dialogs import TrustDialog
from hvgui.ui.main_window import MainWindow
from hvgui.ui.models import host_state_text, host_tooltip
from hvgui.ui.state import CellPhase, CellResult, HostEntry, HostStatus

qloop = ui_helpers.qloop

GSI, HB = catalog.GUEST_SERVICE_INTERFACE, catalog.HEARTBEAT
A, B = host_config("HV-A"), host_config("HV-B")


def vid(host: str, n: int) -> str:
    return f"{'aaaaaaaa' if host == 'A' else 'bbbbbbbb'}-0000-4000-8000-{n:012d}"


def fleet() -> dict[str, Inventory]:
    return {
        "HV-A": inventory("HV-A", [make_vm(f"a-vm{i}", vm_id=vid("A", i)) for i in range(3)]),
        "HV-B": inventory("HV-B", [make_vm(f"b-vm{i}", vm_id=vid("B", i)) for i in range(2)]),
    }


class Engine(FakeEngine):
    def __init__(self, inventories: dict[str, Inventory]) -> None:
        super().__init__(inventories)
        self.forgotten: list[HostConfig] = []

    def forget(self, host: HostConfig) -> None:
        self.forgotten.append(host)


class Credentials(MemoryCredentials):
    def __init__(self) -> None:
        super().__init__()
        self.deleted: list[HostConfig] = []

    def delete(self, host: HostConfig) -> None:
        self.deleted.append(host)


def run(qtbot: Any, task: asyncio.Task[Any]) -> Any:
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[MainWindow]:
    ctl = Controller(Engine(fleet()), [A, B], auto_refresh_s=0)
    w = MainWindow(ctl, credentials=Credentials())
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()  # shortcuts only reach an active window
    qtbot.waitUntil(w.isActiveWindow)
    run(qtbot, ctl.refresh())
    yield w
    w.close()
    task = asyncio.ensure_future(ctl.close())
    qtbot.waitUntil(task.done, timeout=10000)


def engine_of(w: MainWindow) -> Engine:
    assert isinstance(w.controller.engine, Engine)
    return w.controller.engine


def start_gated_apply(w: MainWindow, qtbot: Any, cell: tuple[str, str, str]) -> asyncio.Event:
    gate = asyncio.Event()
    engine_of(w).apply_gates["HV-A"] = gate
    w.controller.set_target([cell], True)
    dlg = w.open_plan()
    assert dlg is not None
    with qtbot.waitSignal(w.controller.cellsChanged):
        dlg.apply_button.click()
        assert not w.act_apply.isEnabled()  # at once, not when the apply's task first runs
    qtbot.waitUntil(lambda: w.controller.state.result_phase(cell) is CellPhase.APPLYING)
    return gate


# ------------------------------------------------------------------ one apply at a time

def test_apply_and_retry_are_disabled_while_an_apply_runs(window: MainWindow, qtbot: Any) -> None:
    w, ctl = window, window.controller
    gate = start_gated_apply(w, qtbot, (A.key, vid("A", 0), GSI))
    failing = (B.key, vid("B", 1), GSI)  # a failure of an earlier apply, waiting for a retry
    ctl.set_target([failing], True)
    ctl.state.results[failing] = CellResult(CellPhase.FAILED, "earlier failure")
    w._update_status()
    assert not w.act_apply.isEnabled() and not w.act_retry.isEnabled()
    assert w.open_plan() is None and w.open_plan(failed_only=True) is None
    assert "apply is running" in w.statusBar().currentMessage()
    with qtbot.waitSignal(ctl.applyFinished):
        gate.set()
    assert w.act_apply.isEnabled() and w.act_retry.isEnabled()


# ------------------------------------------------------------------ hosts while busy

def test_edit_and_remove_host_are_refused_while_it_applies(window: MainWindow, qtbot: Any) -> None:
    w, ctl = window, window.controller
    gate = start_gated_apply(w, qtbot, (A.key, vid("A", 0), GSI))
    assert w.edit_host(A.key) is None
    assert "applying" in w.statusBar().currentMessage()
    w.remove_host(A.key)
    assert A.key in ctl.state.hosts and "applying" in w.statusBar().currentMessage()
    with qtbot.waitSignal(ctl.applyFinished):
        gate.set()
    dlg = w.edit_host(A.key)
    assert dlg is not None
    dlg.close()


def test_remove_host_forgets_its_password_and_connection(window: MainWindow) -> None:
    w = window
    w.remove_host(B.key)
    assert B.key not in w.controller.state.hosts
    assert engine_of(w).forgotten == [B]
    assert isinstance(w.credentials, Credentials) and w.credentials.deleted == [B]


def test_enter_password_during_a_read_reads_again(window: MainWindow, qtbot: Any) -> None:
    w, ctl = window, window.controller
    engine = engine_of(w)
    engine.gates["HV-A"] = asyncio.Event()  # the running read never ends by itself
    ctl.refresh([A.key])
    qtbot.waitUntil(lambda: ctl.state.hosts[A.key].refreshing)
    before = engine.calls.count(("inventory", "HV-A"))
    dlg = w.enter_password(A.key)
    assert dlg is not None
    del engine.gates["HV-A"]
    dlg.password.setText("new-password")
    assert dlg.try_accept()
    qtbot.waitUntil(lambda: engine.calls.count(("inventory", "HV-A")) == before + 1)
    entry = ctl.state.hosts[A.key]
    qtbot.waitUntil(lambda: not entry.refreshing and entry.status is HostStatus.CONNECTED)


# ------------------------------------------------------------------ keyboard

def test_tab_leaves_the_grid_and_the_activity_table(window: MainWindow, qtbot: Any) -> None:
    w = window
    w.grid.setFocus()
    assert w.grid.hasFocus()
    qtbot.keyClick(w.grid, Qt.Key.Key_Tab)
    assert w.details.hasFocus()
    w.activity_pane.set_collapsed(False)  # folded on this short screen
    w.activity.setFocus()
    qtbot.keyClick(w.activity, Qt.Key.Key_Tab)
    assert w.script_button.hasFocus()


def test_edit_menu_acts_on_the_current_cells_column(window: MainWindow) -> None:
    w, ctl = window, window.controller
    model = w.grid_model
    w.grid.selectionModel().setCurrentIndex(model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    w.act_col_enable.trigger()  # not a service column
    assert ctl.state.pending == {} and "service" in w.statusBar().currentMessage()
    w.grid.selectionModel().setCurrentIndex(model.cell_index((A.key, vid("A", 0), GSI)),
                                            QItemSelectionModel.SelectionFlag.NoUpdate)
    w.act_col_enable.trigger()
    assert len(ctl.state.pending) == 5 and all(c[2] == GSI for c in ctl.state.pending)
    w.act_col_revert.trigger()
    assert ctl.state.pending == {}
    w.grid.selectionModel().setCurrentIndex(model.cell_index((A.key, vid("A", 0), HB)),
                                            QItemSelectionModel.SelectionFlag.NoUpdate)
    w.act_col_disable.trigger()
    assert len(ctl.state.pending) == 5 and set(ctl.state.pending.values()) == {False}
    edit_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Edit")
    assert w.act_col_enable in edit_menu.actions()


# ------------------------------------------------------------------ scope after host changes

def test_tree_selection_and_grid_scope_survive_host_changes(window: MainWindow, qtbot: Any) -> None:
    w, ctl = window, window.controller
    host_b = w.tree_proxy.mapFromSource(w.tree_model.host_index(B.key))
    w.tree.selectionModel().setCurrentIndex(host_b, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                            | QItemSelectionModel.SelectionFlag.Rows)
    assert w.grid_model.rowCount() == 2

    def selected() -> list[tuple[str, str]]:
        return [w.tree_model.row_key(w.tree_proxy.mapToSource(i)) for i in w.tree.selectionModel().selectedRows(0)]

    c = host_config("HV-C")
    ctl.set_hosts([A, B, c])  # adding a host resets the tree
    assert selected() == [(B.key, "")] and w.selected_host_key() == B.key
    assert w.grid_model.rowCount() == 2
    ctl.set_hosts([A, c])  # the selected host is gone: no selection, every VM in view
    assert selected() == []
    assert w.grid_model.rowCount() == 3


# ------------------------------------------------------------------ unreadable VMs

def test_a_vm_that_could_not_be_read_keeps_its_pending_change_and_says_why(window: MainWindow, qtbot: Any) -> None:
    w, ctl = window, window.controller
    engine = engine_of(w)
    cell = (A.key, vid("A", 1), GSI)
    ctl.set_target([cell], True)
    inv = engine.inventories["HV-A"]
    broken = replace(inv.vms[1], services=(), error="WMI query failed: access denied")
    engine.inventories["HV-A"] = Inventory(inv.host, (inv.vms[0], broken, inv.vms[2]))
    run(qtbot, ctl.refresh([A.key]))
    assert ctl.state.pending == {cell: True}
    idx = w.grid_model.cell_index(cell)
    tip = idx.data(Qt.ItemDataRole.ToolTipRole)
    assert "could not be read on the host: WMI query failed: access denied" in tip
    assert "does not offer" not in tip
    w.grid.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
    qtbot.waitUntil(lambda: "could not be read on the host" in w.details.toPlainText())
    assert "access denied" in w.details.toPlainText()
    w.copy_report()
    text = QGuiApplication.clipboard().text()
    assert "could not be read on the host: WMI query failed: access denied" in text
    assert "pending change kept" in text
    assert not ctl.plan()  # nothing is sent while its state is unknown


# ------------------------------------------------------------------ safety

def test_risky_logins_are_flagged_on_the_host(qapp: Any) -> None:
    basic_http = HostConfig(url="http://lab:5985/wsman", auth=Auth.BASIC, username="a", allow_basic_http=True)
    credssp = HostConfig(url="https://hv:5986/wsman", auth=Auth.CREDSSP, username="a")
    basic_https = HostConfig(url="https://hv:5986/wsman", auth=Auth.BASIC, username="a")
    for cfg in (basic_http, credssp):
        e = HostEntry(cfg, status=HostStatus.CONNECTED)
        assert host_state_text(e).startswith("⚠ ")
        assert "⚠ Warning:" in host_tooltip(e)
    assert "in clear" in host_tooltip(HostEntry(basic_http))
    assert "delegated" in host_tooltip(HostEntry(credssp))
    for cfg in (basic_https, A):
        e = HostEntry(cfg, status=HostStatus.CONNECTED)
        assert "⚠" not in host_state_text(e) and "⚠" not in host_tooltip(e)


def test_enter_in_the_trust_dialog_does_not_trust(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    ep = HostEndpoint(HyperVHost("HV-TLS"), https=True)
    ep.start()
    try:
        dlg = TrustDialog(HostConfig(url=ep.url, username="a"), ep.fingerprint)
        qtbot.addWidget(dlg)
        trusted: list[Any] = []
        dlg.trusted.connect(lambda *a: trusted.append(a))
        dlg.show()
        dlg.activateWindow()
        qtbot.waitUntil(dlg.trust_button.isEnabled, timeout=20_000)
        with qtbot.waitSignal(dlg.rejected):
            qtbot.keyClick(dlg, Qt.Key.Key_Return)  # a stray Enter
        assert trusted == []
        assert not dlg.trust_button.isDefault() and not dlg.trust_ca_button.isDefault()
    finally:
        ep.stop()
