"""A failed host is actionable: selecting it shows its error in full with Retry, Edit host…,
Diagnose… (and Enter password… when that is the fix); the tree's tooltip has the reason in
full; the banner above the grid stays one line however many hosts fail."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ui_helpers
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.host_error_dialog import HostErrorDialog
from hvgui.ui.state import HostStatus

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

HOSTS: dict[str, ui_helpers.HostSpec] = {"HV-A": ["app1"], "HV-B": ["b1", "b2"], "HV-C": ["c1"], "HV-D": ["d1"]}


def _buttons(lab: Lab) -> list[str]:
    return [b.text() for b in lab.window.grid_pane.problems.findChildren(QPushButton) if not b.isHidden()]


def test_failed_hosts_say_why_and_offer_what_to_do(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts=HOSTS)
    w, ctl = lab.window, lab.controller
    banner, panel = w.grid_pane.banner, w.grid_pane.problems
    b_key, c_key = lab.configs["HV-B"].key, lab.configs["HV-C"].key
    assert not banner.isVisible()

    # One host down: the banner says which and why, on one line.
    lab.hosts["HV-B"].faults.refuse_connections = True
    assert lab.endpoints[1].wait_listening(False)
    lab.refresh()
    qtbot.waitUntil(lambda: banner.isVisible() and banner.text().startswith("HV-B: Host unreachable"))
    one_line = banner.message.sizeHint().height()
    # A second one, with a wrong password: still one line, "2 hosts failed", and a way to see them.
    lab.credentials.set(lab.configs["HV-C"], "not-the-password")
    lab.refresh()
    qtbot.waitUntil(lambda: banner.text() == "2 hosts failed: Show")
    assert banner.height() <= one_line + 12 and banner.message.height() <= one_line
    # The tree's tooltip: the reason in full.
    tip = ui_helpers.shown(w.hosts_pane.index_of((b_key, "")).data(Qt.ItemDataRole.ToolTipRole))
    entry_b = ctl.state.hosts[b_key]
    assert entry_b.error is not None and entry_b.error.text in tip

    # "Show" selects them: each one's error in full, with what can be done.
    qtbot.mouseClick(banner.show_button, Qt.MouseButton.LeftButton)
    assert {k for k, _ in w.hosts_pane.selected_keys()} == {b_key, c_key}
    qtbot.waitUntil(panel.isVisible)
    assert not banner.isVisible()  # the panel says it all
    labels = [lbl.text() for lbl in panel.findChildren(QLabel)]
    assert "HV-B could not be read: Host unreachable" in labels
    assert "HV-C could not be read: Wrong user name or password" in labels
    assert any(entry_b.error.message in t for t in labels)
    assert _buttons(lab) == ["Retry", "Edit host…", "Diagnose…",  # HV-B
                             "Enter password…", "Retry", "Edit host…", "Diagnose…"]  # HV-C
    # HV-B was read before: the grid keeps what it said, and the panel says when.
    assert w.grid_model.row_of(lab.row("HV-B", "b1")) >= 0
    assert any("The grid shows what it said at" in t for t in labels)

    # Diagnose…: the error, the login, the last operations, copyable.
    diagnose = next(b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Diagnose HV-B")
    qtbot.mouseClick(diagnose, Qt.MouseButton.LeftButton)
    dlg = w.dialogs["diagnose"]
    assert isinstance(dlg, HostErrorDialog) and dlg.isVisible() and not dlg.isModal()
    text = dlg.text.toPlainText()
    assert "Host: HV-B" in text and f"Login: {ui_helpers.LAB_USER} (NTLM)" in text
    assert "Error: Host unreachable" in text and "Last operations on this host:" in text
    dlg.close()
    # Edit host…: the host dialog, for that host.
    edit = next(b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Edit host HV-C")
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert isinstance(w.host_dialog, HostDialog) and w.host_dialog.original == lab.configs["HV-C"]
    w.host_dialog.close()

    # The host is back: Retry reads it, and it leaves the panel.
    lab.hosts["HV-B"].faults.refuse_connections = False
    assert lab.endpoints[1].wait_listening(True)
    retry = next(b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Retry HV-B")
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctl.state.hosts[b_key].status is HostStatus.CONNECTED, timeout=ui_helpers.LAB_TIMEOUT)
    qtbot.waitUntil(lambda: "HV-B could not be read" not in [lbl.text() for lbl in
                                                               panel.findChildren(QLabel)])


def test_a_host_never_read_shows_its_error_not_an_empty_grid(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-A": ["app1"], "HV-DOWN": ["x"]}, read_only=False)
    w = lab.window
    down = replace(lab.configs["HV-DOWN"], timeout_s=21)
    w.save_host(lab.configs["HV-DOWN"], down, "not-the-password")  # edited: a new entry, not read yet
    entry = lab.controller.state.hosts[down.key]
    qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=ui_helpers.LAB_TIMEOUT)
    w.hosts_pane.select([(down.key, "")])
    assert w.grid_model.rowCount() == 0
    qtbot.waitUntil(lambda: w.grid_pane.problems.isVisible() and w.grid_pane.empty.isVisible())
    assert w.grid_pane.empty.text().startswith("HV-DOWN could not be read, so there are no VMs to show")
    assert "Enter password…" in _buttons(lab)
