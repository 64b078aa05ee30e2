"""The window's guest side over the real stack: simulated hosts over WinRM (PowerShell Direct to a
Windows guest), a real SSH server for a Linux guest; the details pane shows host side and guest
side together, the grid a marker, Copy report both; a change inside the guest through the bar."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QPainter, QPixmap

from hvgui.core import catalog
from hvgui.core import guest as g
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import guest_key
from hvgui.remote.engine import Engine
from hvgui.remote.guests import GuestDirectory
from hvgui.remote.ssh import KnownHosts
from hvgui.simulator.sshguest import GuestSSH
from hvgui.ui import guest_side
from hvgui.ui.models.activity import TAGS_ROLE

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab
TIMEOUT = 30_000
WIN_PW, SSH_PW = "ui-guest-win-secret-1", "ui-guest-ssh-secret-2"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"

HOSTS: dict[str, Any] = {"HV-GUEST": [
    {"name": "web2", "guest_os": "Windows Server 2022 Datacenter", "is_version": "10.0.20348.1",
     "guest_user": "Administrator", "guest_password": WIN_PW, "guest": {"vmickvpexchange": "stopped"},
     "start_types": {"vmickvpexchange": "Disabled"}},
    {"name": "ubuntu-2404", "guest_os": "Ubuntu 24.04 LTS", "ssh_user": "hvadmin", "ssh_password": SSH_PW,
     "guest": {"hv_vss_daemon": "stopped"}},
    {"name": "no-access", "guest_os": "Windows Server 2019 Datacenter"},
]}


@pytest.fixture
def glab(lab_factory: Callable[..., Lab], tmp_path: Path) -> Iterator[tuple[Lab, guest_side.GuestSides,
                                                                             guest_side.GuestBar]]:
    lab = lab_factory(hosts=HOSTS)
    host = lab.hosts["HV-GUEST"]
    ssh = GuestSSH([host])
    ssh.start()
    known = KnownHosts(tmp_path / "known_hosts")
    directory = GuestDirectory(known_hosts=known)
    win, ubuntu = lab.vm_id("HV-GUEST", "web2"), lab.vm_id("HV-GUEST", "ubuntu-2404")
    directory.access[win] = g.GuestAccess(win, windows_user="Administrator")
    lab.credentials.set_secret(guest_key(win, "Administrator"), WIN_PW)
    ep = ssh.endpoint(ubuntu)
    target = g.SshTarget(ubuntu, "127.0.0.1", "hvadmin", ep.port)
    known.trust(target, ep.public_key)
    directory.access[ubuntu] = g.GuestAccess(ubuntu, ssh=target)
    lab.credentials.set_secret(guest_key(ubuntu, "hvadmin"), SSH_PW)
    engine = Engine(lab.credentials, audit=AuditLog(lab.audit_path))
    sides, bar = guest_side.attach(lab.window, engine, lab.credentials, directory, read_on_first_refresh=False)
    try:
        yield lab, sides, bar
    finally:
        engine.close(wait=True)
        ssh.stop()


def show(lab: Lab, name: str) -> None:
    lab.select_cells([lab.cell("HV-GUEST", name, catalog.KVP)])
    lab.qtbot.waitUntil(lambda: name in lab.window.details_pane.browser.toPlainText(), timeout=TIMEOUT)


def read(lab: Lab, bar: guest_side.GuestBar, name: str) -> None:
    show(lab, name)
    vm_id = lab.vm_id("HV-GUEST", name)
    sides = bar.sides
    before = sides.side(vm_id)
    lab.qtbot.mouseClick(bar.read_button, Qt.MouseButton.LeftButton)
    lab.qtbot.waitUntil(lambda: sides.side(vm_id) is not None and sides.side(vm_id) is not before
                        and not sides.busy, timeout=TIMEOUT)
    lab.qtbot.waitUntil(lambda: "not read yet" not in lab.window.details_pane.browser.toPlainText(),
                        timeout=TIMEOUT)


def guest_side_operation_text(activity: Any, row: int) -> str:
    from hvgui.ui.models.activity import operation_text

    op = activity.operation_at(activity.index(row, 0))
    assert op is not None
    return operation_text(op)


def test_details_show_both_sides_and_a_change_inside_the_guest(
        glab: tuple[Lab, guest_side.GuestSides, guest_side.GuestBar]) -> None:
    lab, sides, bar = glab
    details = lab.window.details_pane
    read(lab, bar, "web2")
    text = details.browser.toPlainText()
    assert "Windows, read through PowerShell Direct · IntegrationServicesVersion 10.0.20348.1" in text
    assert ("Inside the guest: ⊘ vmickvpexchange Stopped (start type: Disabled) → disabled in guest (Hyper-V "
            "cannot start it)") in text
    assert ("Data Exchange is enabled on the host but vmickvpexchange is stopped in the guest (start type: "
            "Disabled): Hyper-V cannot start it") in text
    model = lab.window.grid_model
    idx = model.cell_index(lab.cell("HV-GUEST", "web2", catalog.KVP))
    assert idx.data() == "⊘ No Contact"
    assert "Inside the guest: vmickvpexchange Stopped (start type: Disabled)" in idx.data(Qt.ItemDataRole.ToolTipRole)
    assert idx.data(Qt.ItemDataRole.AccessibleTextRole).endswith(
        ", inside the guest: disabled in guest (Hyper-V cannot start it)")
    hb = model.cell_index(lab.cell("HV-GUEST", "web2", catalog.HEARTBEAT))
    assert hb.data() == "✔ OK"

    # Copy report: host side and guest side together.
    lab.qtbot.mouseClick(details.copy_button, Qt.MouseButton.LeftButton)
    report = QGuiApplication.clipboard().text()
    assert "Inside the guest (Windows, IntegrationServicesVersion 10.0.20348.1):" in report
    assert ("- Data Exchange: host enabled; guest vmickvpexchange Stopped (start type: Disabled): disabled in guest "
            "(Hyper-V cannot start it)") in report

    # The change dialog: the seed's warning, Enter does not apply.
    vm = lab.controller.state.vm(*lab.row("HV-GUEST", "web2"))
    assert vm is not None
    dlg = guest_side.GuestChangeDialog(vm, g.WINDOWS, sides.side(vm.id))
    assert not dlg.apply_button.isDefault()
    assert any("can badly affect" in w.text() for w in dlg.findChildren(type(dlg.plan)))
    # It opens on the service that needs a look, each service with its state, and on the action that fixes
    # it (a Disabled start type: set it to Manual), not on the first of the list; wide enough to read.
    assert dlg.service.currentText() == "vmickvpexchange: Stopped (start type: Disabled)"
    assert dlg.action.currentData() == "start_type" and dlg.start_type.currentText() == "Manual"
    assert dlg.service.itemText(dlg.service.findData("vmicheartbeat")) == ("vmicheartbeat: Running (start type: "
                                                                          "Manual)")
    assert dlg.minimumWidth() >= 500
    planned = dlg.action_planned()
    assert planned.describe() == "set vmickvpexchange's start type to Manual"
    assert "through the host (PowerShell Direct)" in dlg.plan.text()
    dlg.deleteLater()

    key = lab.row("HV-GUEST", "web2")
    for action in (planned, g.GuestAction(vm.id, "vmickvpexchange", g.GuestActionKind.START, None, vm.name)):
        task = asyncio.ensure_future(bar.apply(key, action))
        lab.qtbot.waitUntil(task.done, timeout=TIMEOUT)
        assert [r.outcome for r in task.result()] == [g.GuestOutcome.CHANGED]
    lab.qtbot.waitUntil(lambda: "vmickvpexchange Running (start type: Manual) → works" in
                        details.browser.toPlainText(), timeout=TIMEOUT)
    lab.refresh()
    lab.qtbot.waitUntil(lambda: model.cell_index(lab.cell("HV-GUEST", "web2", catalog.KVP)).data() == "✔ OK",
                        timeout=TIMEOUT)
    # The guest side's host commands are in the activity panel like any other (a read is not a change),
    # the request shown with the password hidden; the window's own operations keep their rows.
    activity = lab.window.activity_model
    rows = {activity.index(r, 2).data(): r for r in range(activity.rowCount())}
    assert "Read the guest side of 1 VM" in rows and "Change 1 guest service in 1 VM" in rows, rows
    assert any(w.startswith("Refresh") for w in rows)
    tags = activity.index(rows["Change 1 guest service in 1 VM"], 0).data(TAGS_ROLE)
    assert "kind:guest" in tags and "change" in tags.split()
    assert "change" not in activity.index(rows["Read the guest side of 1 VM"], 0).data(TAGS_ROLE).split()
    shown = guest_side_operation_text(activity, rows["Change 1 guest service in 1 VM"])
    assert '"password": "(hidden)"' in shown and WIN_PW not in shown and "vmickvpexchange" in shown
    # The changes were audited ahead; no guest secret in any file the window wrote.
    records = [r for r in lab.audit_path.read_text(encoding="utf-8").splitlines() if '"guest_' in r]
    assert len(records) == 4
    for p in Path(lab.audit_path).parent.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert WIN_PW.encode() not in data and SSH_PW.encode() not in data, p


def test_linux_guest_and_a_vm_without_access(glab: tuple[Lab, guest_side.GuestSides, guest_side.GuestBar]) -> None:
    lab, _sides, bar = glab
    details = lab.window.details_pane
    read(lab, bar, "ubuntu-2404")
    text = details.browser.toPlainText()
    assert "Linux, read over SSH · hv_utils loaded" in text
    assert "Inside the guest: ✔ hv_utils (kernel driver) hv_utils loaded → works" in text
    assert ("Inside the guest: ■ hv_vss_daemon (hv-vss-daemon.service) stopped (not running) → enabled on host, "
            "stopped in guest") in text
    assert not bar.change_button.isEnabled() or not lab.controller.read_only

    # The change dialog opens on the stopped daemon, to start it, and says so by its name (not "vss").
    vm = lab.controller.state.vm(*lab.row("HV-GUEST", "ubuntu-2404"))
    assert vm is not None
    dlg = guest_side.GuestChangeDialog(vm, g.LINUX, bar.sides.side(vm.id))
    assert dlg.service.currentText() == "hv_vss_daemon (hv-vss-daemon.service): stopped"
    assert dlg.action.currentData() == "start"
    assert dlg.plan.text().startswith("Plan: start hv_vss_daemon inside ubuntu-2404, over SSH")
    planned = dlg.action_planned()
    dlg.deleteLater()
    task = asyncio.ensure_future(bar.apply(lab.row("HV-GUEST", "ubuntu-2404"), planned))
    lab.qtbot.waitUntil(task.done, timeout=TIMEOUT)
    assert [r.outcome for r in task.result()] == [g.GuestOutcome.CHANGED]
    assert bar.status.text().startswith("start hv_vss_daemon: changed") and bar.status.isVisible()
    show(lab, "no-access")
    assert "not read: no guest access given (Guest access…)" in details.browser.toPlainText()


def test_guest_bar_fits_a_narrow_details_pane(
        glab: tuple[Lab, guest_side.GuestSides, guest_side.GuestBar]) -> None:
    """Beside the grid (1920x1080) the details pane is ~380 px wide: the bar's last button went past
    its edge, cut off. It goes to a second line instead, and comes back when there is room; the empty
    status line takes no room (on a laptop the details pane is short)."""
    lab, _sides, bar = glab
    show(lab, "web2")
    assert not bar.status.isVisible() and bar.status.text() == ""
    read(lab, bar, "web2")
    pane = lab.window.details_pane
    buttons = (bar.read_button, bar.access_button, bar.change_button)
    for width, one_line in ((380, False), (900, True)):
        pane.setFixedWidth(width)
        lab.qtbot.waitUntil(lambda w=width: w - 60 < bar.width() <= w, timeout=TIMEOUT)

        def laid_out(one: bool = one_line) -> bool:
            tops = {b.geometry().top() for b in buttons}
            return (len(tops) == 1) is one and all(b.geometry().right() < bar.width() for b in buttons)

        lab.qtbot.waitUntil(laid_out, timeout=TIMEOUT)
        assert all(b.isVisible() and b.width() >= b.sizeHint().width() for b in buttons)


def test_screenshot_of_both_sides(glab: tuple[Lab, guest_side.GuestSides, guest_side.GuestBar]) -> None:
    """resources/guest-details.png: the details pane of a Windows and a Linux VM, side by side."""
    lab, _sides, bar = glab
    lab.window.resize(1400, 1100)
    lab.window.details_pane.setMinimumSize(700, 640)  # tall enough to show every service
    shots: list[QPixmap] = []
    for name in ("web2", "ubuntu-2404"):
        read(lab, bar, name)
        lab.qtbot.wait(50)  # let the pane lay out (a paint, not a synchronisation)
        shots.append(lab.window.details_pane.grab())
    width = sum(p.width() for p in shots) + 10
    height = max(p.height() for p in shots)
    out = QPixmap(width, height)
    out.fill(Qt.GlobalColor.white)
    painter = QPainter(out)
    painter.drawPixmap(QPoint(0, 0), shots[0])
    painter.drawPixmap(QPoint(shots[0].width() + 10, 0), shots[1])
    painter.end()
    target = RESOURCES / "guest-details.png" if os.environ.get("HVGUI_SAVE_SCREENSHOTS") else \
        Path(lab.audit_path).parent / "guest-details.png"
    assert out.save(str(target), "PNG")
    assert target.stat().st_size > 10_000


def test_demo_guests_readable_out_of_the_box(qloop: Any, qtbot: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``hvgui --demo``: after the first refresh the window reads its Windows guest (PowerShell Direct,
    through the window's engine in its worker process) and its Linux guests (SSH, host keys the demo
    pinned itself) without asking anything."""
    from hvgui.remote.worker import ProcessEngine
    from hvgui.ui import app
    from hvgui.ui.controller import Controller
    from hvgui.ui.main_window import MainWindow

    monkeypatch.setattr(app, "default_audit_path", lambda: tmp_path / "audit.jsonl")
    demo = app.Demo.start()
    engine = ProcessEngine(demo.credentials, audit_path=tmp_path / "audit.jsonl")
    controller = Controller(engine, demo.hosts, auto_refresh_s=0)
    window = MainWindow(controller, credentials=demo.credentials)
    qtbot.addWidget(window)
    app.attach_guest_side(window, demo.credentials, demo, None)
    sides: guest_side.GuestSides = window.details_pane.guest
    try:
        controller.refresh()
        ids = {vm.id: vm.name for h in demo.fleet.hosts for vm in h.vms
               if vm.name in ("web2", "ubuntu-2404", "rhel9-app")}
        assert len(ids) == 3
        qtbot.waitUntil(lambda: all(sides.side(i) is not None for i in ids), timeout=60_000)
        for vm_id, name in ids.items():
            side = sides.side(vm_id)
            assert side is not None and side.readable, (name, side)
        web2 = next(i for i, n in ids.items() if n == "web2")
        kvp = sides.side(web2).service("vmickvpexchange")  # type: ignore[union-attr]
        assert kvp is not None and (kvp.status, kvp.start_type) == ("Stopped", "Disabled")
        # The guest read went through the window's engine: in the activity panel once, like any other.
        reads = [op for op in window.activity_model.operations() if op.kind == "guest"]
        assert reads and all(op.id < guest_side.GUEST_OPERATION_IDS for op in reads)
        assert len({op.id for op in reads}) == len(reads)
    finally:
        window.close()
        task = asyncio.ensure_future(controller.close())
        qtbot.waitUntil(task.done, timeout=30_000)
        engine.close(wait=True)
        demo.stop()
