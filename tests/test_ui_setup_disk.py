"""Insert the Integration Services setup disk from the window, over the real stack (window ->
worker process -> pywinrm -> simulated Hyper-V, which runs setup_disk.ps1): offered on a 2012 R2
host, not on a 2019 one (with the reason), previewed and confirmed, a result per VM in words (no
DVD drive; another disk in the drive, replaced only when asked), the simulator's drive then holds
vmguest.iso, and the audit log has it. Disabled in read-only mode."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
from collections.abc import Callable
from typing import Any

import ui_helpers
from PySide6.QtCore import Qt

from hvgui.core import catalog
from hvgui.simulator.hyperv import VMGUEST_ISO
from hvgui.ui.main_window.window import READ_ONLY_REASON

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

HB = catalog.HEARTBEAT
OTHER_ISO = "D:\\ISO\\kiosk-tools.iso"

FLEET: dict[str, ui_helpers.HostSpec] = {
    "HV-LEGACY-01": {"os": "2012R2", "vms": [
        {"name": "dc-2008r2", "guest_os": "Windows Server 2008 R2 Enterprise", "is_version": "6.3.9600.16384",
         "is_state": "Update required"},
        {"name": "erp-2003r2", "guest_os": "Windows Server 2003 R2 Enterprise Edition", "dvd": None},
        {"name": "kiosk-win7", "guest_os": "Windows 7 Professional", "dvd": OTHER_ISO},
    ]},
    "HV-2019": {"os": "2019", "vms": [{"name": "app-2019", "guest_os": "Windows Server 2019 Datacenter"}]},
}


def _dvd(lab: Lab, host: str, vm: str) -> str | None:
    sim = lab.hosts[host].vm(lab.vm_id(host, vm))
    assert sim is not None
    return sim.dvd


def _audit(lab: Lab) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lab.audit_path.read_text(encoding="utf-8").splitlines()]


def _confirm(lab: Lab, dlg: Any) -> Any:
    with lab.qtbot.waitSignal(lab.controller.setupDiskFinished, timeout=ui_helpers.LAB_TIMEOUT) as blocker:
        lab.qtbot.mouseClick(dlg.insert_button, Qt.MouseButton.LeftButton)
    lab.qtbot.waitUntil(lambda: dlg.summary_result is not None)
    return blocker.args[0]


def test_setup_disk_inserted_on_a_2012r2_host_with_a_result_per_vm(lab_factory: Callable[..., Lab],
                                                                    qtbot: Any) -> None:
    lab = lab_factory(hosts=FLEET)
    w = lab.window
    legacy = ["dc-2008r2", "erp-2003r2", "kiosk-win7"]
    lab.select_cells([lab.cell("HV-LEGACY-01", name, HB) for name in legacy])
    assert w.act_setup_disk.isEnabled()
    w.act_setup_disk.trigger()
    dlg = w.setup_disk_dialog
    assert dlg is not None and dlg.isVisible()
    summary_text = ui_helpers.shown(dlg.summary.text())
    assert "into the DVD drive of 3 VMs on 1 host" in summary_text
    assert "the guest's administrator installs the integration services inside each guest" in summary_text
    assert not dlg.left_out.isVisible()
    assert not dlg.replace.isChecked()  # another disk is never replaced unless asked
    assert [dlg.items[lab.row("HV-LEGACY-01", n)].text(0) for n in legacy] == legacy
    assert '"replace": false' in dlg.script.toPlainText() and "hvgui-operation: setup_disk" in dlg.script.toPlainText()
    qtbot.keyClick(dlg.tree, Qt.Key.Key_Return)  # Enter never confirms
    assert dlg.summary_result is None and _dvd(lab, "HV-LEGACY-01", "dc-2008r2") == ""

    summary = _confirm(lab, dlg)
    # The simulator's drive holds vmguest.iso now; the others are untouched, each said in words.
    assert _dvd(lab, "HV-LEGACY-01", "dc-2008r2") == VMGUEST_ISO
    assert _dvd(lab, "HV-LEGACY-01", "erp-2003r2") is None
    assert _dvd(lab, "HV-LEGACY-01", "kiosk-win7") == OTHER_ISO
    words = {n: dlg.items[lab.row("HV-LEGACY-01", n)].text(2) for n in legacy}
    assert words["dc-2008r2"] == "Setup disk inserted"
    assert words["erp-2003r2"] == ("No DVD drive: This VM has no DVD drive: add one (Add-VMDvdDrive) to insert the "
                                   "setup disk.")
    assert words["kiosk-win7"] == (f"Another disk is in the drive (not replaced): The DVD drive holds {OTHER_ISO}; "
                                   "it was left there (choose to replace it).")
    assert summary.text() == "1 inserted, 1 VM without a DVD drive, 1 VM with another disk (not replaced)"
    assert dlg.result_label.text().startswith("Done: 1 inserted")
    # The activity panel counts them in the same words, not in the result codes ("1 disk present").
    model = w.activity_model

    def outcome() -> str:
        rows = [r for r in range(model.rowCount()) if model.index(r, 2).data() == "Insert the setup disk into 3 VMs"]
        return str(model.index(rows[-1], 5).data() or "") if rows else ""

    qtbot.waitUntil(lambda: outcome() != "")
    assert outcome() == "1 inserted, 1 without a DVD drive, 1 with another disk (not replaced)"
    # The audit log has it (written by the worker process, ahead of the command).
    records = [r for r in _audit(lab) if r.get("action") == "insert_setup_disk"]
    intents = [r for r in records if r["event"] == "intent"]
    outcomes = {r["vm_name"]: r for r in records if r["event"] == "outcome"}
    assert sorted(r["vm_name"] for r in intents) == sorted(legacy)
    assert outcomes["dc-2008r2"]["result"] == "inserted" and outcomes["dc-2008r2"]["after"] == VMGUEST_ISO
    assert outcomes["erp-2003r2"]["result"] == "no_dvd_drive"
    assert outcomes["kiosk-win7"]["result"] == "disk_present" and outcomes["kiosk-win7"]["after"] == OTHER_ISO
    # The details pane says what the disk did.
    lab.select_cells([lab.cell("HV-LEGACY-01", "dc-2008r2", HB)])
    qtbot.waitUntil(lambda: "Setup disk inserted" in w.details.toPlainText())

    # Replacing the other disk is asked: a new preview for that VM only, naming the disk.
    assert dlg.replace_button.isVisible() and dlg.replace_button.text() == "Replace the other disk in 1 VM…"
    qtbot.mouseClick(dlg.replace_button, Qt.MouseButton.LeftButton)
    again = w.setup_disk_dialog
    assert again is not None and again is not dlg and again.isVisible()
    assert list(again.items) == [lab.row("HV-LEGACY-01", "kiosk-win7")]
    assert again.items[lab.row("HV-LEGACY-01", "kiosk-win7")].text(2) == f"will replace {OTHER_ISO}"
    assert again.insert_button.text() == "Replace the other disk with the setup disk in 1 VM"
    assert '"replace": true' in again.script.toPlainText()
    assert _dvd(lab, "HV-LEGACY-01", "kiosk-win7") == OTHER_ISO  # still nothing without a confirmation
    _confirm(lab, again)
    assert _dvd(lab, "HV-LEGACY-01", "kiosk-win7") == VMGUEST_ISO
    assert again.items[lab.row("HV-LEGACY-01", "kiosk-win7")].text(2) == f"Setup disk inserted: Replaced {OTHER_ISO}."
    model = w.activity_model
    whats = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert "Insert the setup disk into 1 VM" in whats  # not "1 VMs"


def test_setup_disk_not_offered_on_a_2019_host(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(hosts=FLEET)
    w = lab.window
    lab.select_cells([lab.cell("HV-2019", "app-2019", HB)])
    assert not w.act_setup_disk.isEnabled()
    tip = w.act_setup_disk.toolTip()
    assert "Windows Server 2016 and later hosts have no Integration Services setup disk (vmguest.iso)" in tip
    assert "through Windows Update" in tip
    assert w.insert_setup_disk() is None and w.setup_disk_dialog is None
    assert "Not offered" in w.statusBar().currentMessage()
    # A selection across both hosts: offered for the 2012 R2 VMs only; the 2019 host is named, left alone.
    lab.select_cells([lab.cell("HV-2019", "app-2019", HB), lab.cell("HV-LEGACY-01", "dc-2008r2", HB)])
    assert w.act_setup_disk.isEnabled()
    dlg = w.insert_setup_disk()
    assert dlg is not None
    assert list(dlg.items) == [lab.row("HV-LEGACY-01", "dc-2008r2")]
    assert dlg.left_out.isVisible()
    assert dlg.left_out.text().startswith("Not offered on HV-2019 (1 VM left alone): Windows Server 2016 and later")
    dlg.close()


def test_setup_disk_disabled_in_read_only_mode(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(hosts=FLEET, read_only=True)
    w = lab.window
    lab.select_cells([lab.cell("HV-LEGACY-01", "dc-2008r2", HB)])
    assert not w.act_setup_disk.isEnabled()
    assert READ_ONLY_REASON in w.act_setup_disk.toolTip()
    assert w.insert_setup_disk() is None and w.setup_disk_dialog is None
    assert _dvd(lab, "HV-LEGACY-01", "dc-2008r2") == ""


def test_setup_disk_in_french_with_the_hosts_own_messages_in_french(
        lab_factory: Callable[..., Lab], qapp: Any, qtbot: Any) -> None:
    """--lang fr: the preview, every VM's result (the script's own constant messages too, with the
    disk's path kept) and the summary are French."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from hvgui.ui import i18n

    assert i18n.install(qapp, "fr") == "fr"
    QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))
    try:
        lab = lab_factory(hosts=FLEET)
        w = lab.window
        legacy = ["dc-2008r2", "erp-2003r2", "kiosk-win7"]
        lab.select_cells([lab.cell("HV-2019", "app-2019", HB)] + [lab.cell("HV-LEGACY-01", n, HB) for n in legacy])
        dlg = w.insert_setup_disk()
        assert dlg is not None
        assert dlg.windowTitle() == "Insérer le disque d'installation des services d'intégration"
        assert "dans le lecteur de DVD de 3 VM</b> sur <b>1 hôte</b>" in dlg.summary.text()
        assert dlg.left_out.text().startswith("Non proposé sur HV-2019 (1 VM laissée telle quelle) : les hôtes "
                                              "Windows Server 2016")
        assert dlg.insert_button.text() == "Insérer le disque d'installation dans 3 VM"
        summary = _confirm(lab, dlg)
        words = {n: dlg.items[lab.row("HV-LEGACY-01", n)].text(2) for n in legacy}
        assert words == {
            "dc-2008r2": "Disque d'installation inséré",
            "erp-2003r2": "Aucun lecteur de DVD : Cette VM n'a pas de lecteur de DVD : ajoutez-en un (Add-VMDvdDrive) "
                          "pour insérer le disque d'installation.",
            "kiosk-win7": "Un autre disque est dans le lecteur (non remplacé) : Le lecteur de DVD contient "
                          f"{OTHER_ISO} ; il y a été laissé (choisissez de le remplacer).",
        }
        assert summary.text() == ("inséré dans 1 VM, 1 VM sans lecteur de DVD, 1 VM avec un autre disque "
                                  "(non remplacé)")
        assert dlg.result_label.text().startswith("Terminé : inséré dans 1 VM")
        assert dlg.replace_button.text() == "Remplacer l'autre disque dans 1 VM…"
        qtbot.mouseClick(dlg.replace_button, Qt.MouseButton.LeftButton)
        again = w.setup_disk_dialog
        assert again is not None and again is not dlg
        assert again.items[lab.row("HV-LEGACY-01", "kiosk-win7")].text(2) == f"remplacera {OTHER_ISO}"
        _confirm(lab, again)
        assert again.items[lab.row("HV-LEGACY-01", "kiosk-win7")].text(2) == \
            f"Disque d'installation inséré : {OTHER_ISO} remplacé."
        again.close()
    finally:
        i18n.install(qapp, "en")
        QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))
