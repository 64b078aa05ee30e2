"""Words: the grid, the details pane and the report speak the UI's language (the host's own
French or German wording only as "Host says: ..."); the report starts with what is wrong and
covers every selected VM; names are plain text everywhere (a VM named ``<b>x</b>`` is not HTML);
domain logins print as ``CORP\\admin``; singular and plural are right."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ui_helpers
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from hvgui.core import catalog
from hvgui.ui.host_error_dialog import diagnosis_text
from hvgui.ui.models import host_tooltip
from hvgui.ui.plan_dialog import apply_label
from hvgui.ui.state import HostEntry
from hvgui.ui.undo import describe
from hvgui.ui.words import plural

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI, KVP, HB = catalog.GUEST_SERVICE_INTERFACE, catalog.KVP, catalog.HEARTBEAT
HTML_NAME = "<b>x</b> & <i>y</i>"


def test_names_are_plain_text_everywhere(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-<u>A</u>": [HTML_NAME, "other"]})
    w, ctl = lab.window, lab.controller
    row = lab.row("HV-<u>A</u>", HTML_NAME)
    model = w.grid_model
    r = model.row_of(row)
    tips = [model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) for c in range(model.columnCount())]
    shown = [ui_helpers.shown(t) for t in tips if t]
    assert shown and all(HTML_NAME in t for t in shown if "VM Id" in t or "—" in t)
    assert any(t.startswith(HTML_NAME) for t in shown)
    # The tree (VM and host).
    vm_index = w.hosts_pane.index_of(row)
    assert ui_helpers.shown(vm_index.data(Qt.ItemDataRole.ToolTipRole)).startswith(HTML_NAME + "\n")
    host_index = w.hosts_pane.index_of((row[0], ""))
    assert ui_helpers.shown(host_index.data(Qt.ItemDataRole.ToolTipRole)).startswith("HV-<u>A</u>\n")
    # The details pane and the report.
    lab.select_cells([(row[0], row[1], GSI)])
    qtbot.waitUntil(lambda: HTML_NAME in w.details.toPlainText())
    assert "HV-<u>A</u>" in w.details.toPlainText()
    w.copy_report()
    assert QGuiApplication.clipboard().text().startswith(f"{HTML_NAME} on HV-<u>A</u>: ")
    # The plan: the VM's item and its tooltip.
    ctl.set_target([(row[0], row[1], GSI)], True)
    dlg = w.open_plan()
    assert dlg is not None
    vm_item = dlg.changes.topLevelItem(0).child(0)  # type: ignore[union-attr]
    assert vm_item.text(0) == HTML_NAME
    assert ui_helpers.shown(vm_item.toolTip(0)).startswith(HTML_NAME + "\n")
    dlg.close()
    # A filter text that looks like HTML, in the empty grid's message.
    w.filter_edit.setText("<b>nothing</b>")
    assert w.grid_pane.empty.textFormat() is Qt.TextFormat.PlainText
    assert w.grid_pane.empty.text().startswith("No VM matches '<b>nothing</b>'")


def test_french_and_german_hosts_in_the_uis_words(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts={
        "HV-PARIS": {"locale": "fr-FR", "os": "2019", "vms": [{"name": "impression",
                                                              "guest": {"vmicheartbeat": "hung"}}]},
        "HV-BERLIN": {"locale": "de-DE", "os": "2025", "vms": ["datei"]},
    })
    w = lab.window
    for host, vm, words in (("HV-PARIS", "impression", ("Pulsation", "Perte de communication", "Synchronisation")),
                            ("HV-BERLIN", "datei", ("Takt", "Zeitsynchronisierung", "Gastdienst"))):
        lab.select_cells([lab.cell(host, vm, HB)])
        qtbot.waitUntil(lambda vm=vm: vm in w.details.toPlainText())
        details = w.details.toPlainText()
        for foreign in words:
            assert foreign not in details, (foreign, details)
        assert "Time synchronization" in details and "Heartbeat" in details
        w.copy_report()
        report = QGuiApplication.clipboard().text()
        for foreign in words:
            assert foreign not in report
    # The host's words are still there, as the host's: in the cell's tooltip.
    tip = ui_helpers.shown(w.grid_model.cell_index(lab.cell("HV-PARIS", "impression", HB))
                           .data(Qt.ItemDataRole.ToolTipRole))
    assert tip.splitlines()[1] == "Enabled, but not answering: Lost Communication"
    assert tip.splitlines()[-1].startswith("Host says: Pulsation · ")


def test_the_report_starts_with_what_is_wrong_and_covers_every_selected_vm(lab_factory: Callable[..., Lab],
                                                                            qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-A": [{"name": "print", "guest": {"vmickvpexchange": "stopped"}}, "web1", "web2"]})
    w = lab.window
    lab.select_cells([lab.cell("HV-A", "print", KVP)])
    w.copy_report()
    one = QGuiApplication.clipboard().text()
    assert one.splitlines()[0] == "print on HV-A: Needs a look: Data Exchange not answering (No Contact)."
    assert 'vmickvpexchange ("Hyper-V Data Exchange Service")' in one and "hv_kvp_daemon" in one
    lab.select_cells([lab.cell("HV-A", "print", KVP), lab.cell("HV-A", "web1", HB), lab.cell("HV-A", "web2", HB)])
    qtbot.keyClick(w.grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    many = QGuiApplication.clipboard().text()
    lines = many.splitlines()
    assert lines[0] == "3 VMs: 1 needs a look."
    assert lines[2] == "print on HV-A: Needs a look: Data Exchange not answering (No Contact)."
    assert lines[3] == "web1 on HV-A: OK: every enabled integration service answers."
    assert many.count("\nVM Id: ") == 3
    assert "Report of 3 VMs copied" in w.statusBar().currentMessage()


def test_domain_logins_print_with_one_backslash(qapp: Any) -> None:
    cfg = ui_helpers.host_config("HV-DOM")
    cfg = replace(cfg, username="CORP\\admin")
    entry = HostEntry(cfg)
    assert "Login: CORP\\admin (NTLM)" in host_tooltip(entry).splitlines()
    assert "CORP\\\\admin" not in host_tooltip(entry)
    text = diagnosis_text(entry, [])
    assert "Login: CORP\\admin (NTLM)" in text and "CORP\\\\admin" not in text


def test_singular_and_plural() -> None:
    assert plural(1, "change") == "1 change" and plural(2, "change") == "2 changes"
    assert plural(1, "VM") == "1 VM" and plural(0, "VM") == "0 VMs"
    assert plural(1, "host") == "1 host" and plural(3, "host") == "3 hosts"
    cells = [("h", "v1", GSI)]
    assert describe("Enable", cells) == "Enable Guest services on 1 VM"
    assert describe("Disable", [("h", "v1", GSI), ("h", "v2", GSI)]) == "Disable Guest services on 2 VMs"
    assert describe("Revert", [("h", "v1", GSI), ("h", "v1", HB)]) == "Revert 2 services on 1 VM"


def test_plural_in_the_window(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-A": ["only"]})
    w, ctl = lab.window, lab.controller
    ctl.set_target([lab.cell("HV-A", "only", GSI)], True)
    plan = ctl.plan()
    assert apply_label(plan) == "Apply 1 change to 1 VM"
    dlg = w.open_plan()
    assert dlg is not None
    assert "<b>1 change</b> to <b>1 VM</b> on <b>1 host</b>. The host gets one batch." in dlg.summary.text()
    assert dlg.changes.topLevelItem(0).text(0) == "HV-A (1 change)"  # type: ignore[union-attr]
    dlg.close()
    menu = w.column_menu(w.grid_model.service_column(GSI))
    assert menu is not None and menu.actions()[0].text() == "Enable Guest services for the 1 VM in view"
    qtbot.waitUntil(lambda: w.grid_pane.filters.count.text() == "1 VM")
    qtbot.waitUntil(lambda: w.status_hosts.text() == "1 host connected")
