"""Keeping integration services up to date, in the window, over the real stack (window -> worker
process -> pywinrm -> simulated Hyper-V): each VM's version, state and guest OS in the grid, the
details pane and the report; the seed's update advice; a disabled Data Exchange that blocks the
updates flagged in the cell, the details and the plan before anything is applied; the "Needs
attention" view."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import test_i18n
import ui_helpers
from PySide6.QtCore import Qt

from hvgui.core import catalog
from hvgui.ui.models import ColKind
from hvgui.ui.models.roles import BADGE_ROLE

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
french = test_i18n.french
Lab = ui_helpers.Lab
shown = ui_helpers.shown

KVP = catalog.KVP

LEGACY: dict[str, ui_helpers.HostSpec] = {
    "HV-LEGACY-01": {"os": "2012R2", "vms": [
        {"name": "dc-2008r2", "guest_os": "Windows Server 2008 R2 Enterprise", "is_version": "6.3.9600.16384",
         "is_state": "Update required"},
        {"name": "old-2012", "state": "Off", "guest_os": "Windows Server 2012 Standard",
         "is_version": "6.2.9200.16433", "is_state": "Update required"},
        {"name": "quiet", "guest_os": "Windows Server 2012 R2 Standard", "enabled": {"Key-Value Pair Exchange": False}},
    ]},
}

MIXED: dict[str, ui_helpers.HostSpec] = {
    "HV-2019": {"os": "2019", "vms": [
        {"name": "kiosk-win7", "guest_os": "Windows 7 Professional", "is_version": "10.0.17763.1",
         "is_state": "Up to date"},
        {"name": "home-2011", "guest_os": "Windows Home Server 2011", "is_version": "10.0.17763.1",
         "is_state": "Up to date"},
        {"name": "app-2022", "guest_os": "Windows Server 2022 Datacenter", "is_version": "10.0.17763.1",
         "is_state": "Up to date"},
        {"name": "ubuntu", "guest_os": "Ubuntu 24.04 LTS"},
    ]},
    "HV-LEGACY-01": {"os": "2012R2", "vms": [
        {"name": "dc-2008r2", "guest_os": "Windows Server 2008 R2 Enterprise", "is_version": "6.3.9600.16384",
         "is_state": "Update required"},
        {"name": "app-2012r2", "guest_os": "Windows Server 2012 R2 Standard", "is_version": "6.3.9600.18080",
         "is_state": "Up to date"},
    ]},
}


def _version_cell(lab: Lab, host: str, vm: str) -> Any:
    model = lab.window.grid_model
    return model.index(model.row_of(lab.row(host, vm)), model.column_of((ColKind.IS, "")))


def _show(lab: Lab, host: str, vm: str) -> str:
    """Make a VM the current one; the details pane's text once it shows it (whitespace folded)."""
    w = lab.window
    cell = lab.cell(host, vm, catalog.HEARTBEAT)
    lab.select_cells([cell])
    lab.qtbot.waitUntil(lambda: w.details_pane.key == cell[:2])
    w.details_pane.rebuild()
    return " ".join(str(w.details.toPlainText()).split())


def test_version_state_guest_os_and_advice_in_grid_details_and_report(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(hosts=LEGACY)
    w = lab.window
    # The grid: the version, the state in the cell's icon, colour and tooltip, with the guest OS and advice.
    idx = _version_cell(lab, "HV-LEGACY-01", "dc-2008r2")
    assert idx.data() == "6.3.9600.16384"
    assert idx.data(Qt.ItemDataRole.DecorationRole) is not None
    tip = shown(idx.data(Qt.ItemDataRole.ToolTipRole))
    assert "Integration services 6.3.9600.16384: Update required" in tip
    assert "Guest OS: Windows Server 2008 R2 Enterprise" in tip
    assert "Integration Services setup disk (vmguest.iso)" in tip
    accessible = idx.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "Update required" in accessible and "needs attention" in accessible
    ok = _version_cell(lab, "HV-LEGACY-01", "quiet")
    assert ok.data(Qt.ItemDataRole.DecorationRole) is None
    assert "state unknown" in shown(ok.data(Qt.ItemDataRole.ToolTipRole))

    # The details pane: state, guest OS, how it is updated on this host and the table's words.
    text = _show(lab, "HV-LEGACY-01", "dc-2008r2")
    assert "6.3.9600.16384 · Update required" in text
    assert "Guest OS Windows Server 2008 R2 Enterprise" in text
    assert "Updates: With the Integration Services setup disk (vmguest.iso)" in text
    assert "the guest's administrator installs them inside the guest" in text
    assert "Needs attention: integration services need an update" in text
    # Unknown guest OS, said plainly: a VM that is off, a VM whose Data Exchange is off.
    assert "unknown: the VM is not running" in _show(lab, "HV-LEGACY-01", "old-2012")
    text = _show(lab, "HV-LEGACY-01", "quiet")
    assert "unknown: Data Exchange is off on this VM" in text
    assert "No advice while the guest OS is unknown (Data Exchange is off on this VM)." in text

    # The report (Copy report) says the same.
    lab.select_cells([lab.cell("HV-LEGACY-01", "dc-2008r2", KVP)])
    report = w.report_text()
    assert "Integration services version: 6.3.9600.16384" in report
    assert "Integration services state: Update required" in report
    assert "Guest OS: Windows Server 2008 R2 Enterprise" in report
    assert "Updates: With the Integration Services setup disk (vmguest.iso)" in report
    assert report.splitlines()[0].startswith("dc-2008r2 on HV-LEGACY-01: Needs a look: integration services "
                                             "need an update")
    lab.select_cells([lab.cell("HV-LEGACY-01", "old-2012", KVP), lab.cell("HV-LEGACY-01", "quiet", KVP)])
    report = w.report_text()
    assert "Guest OS: unknown: the VM is not running" in report
    assert "Guest OS: unknown: Data Exchange is off on this VM" in report


def test_disabling_data_exchange_where_updates_need_it_is_flagged_before_apply(
        lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts=MIXED)
    w, ctl = lab.window, lab.controller
    cell = lab.cell("HV-2019", "kiosk-win7", KVP)
    model = w.grid_model
    kvp_index = model.cell_index(cell)
    assert kvp_index.data(BADGE_ROLE) is None
    # Nothing pending: Windows 7 on a 2019 host updates through Windows Update, with Data Exchange.
    text = _show(lab, "HV-2019", "kiosk-win7")
    assert "Through Windows Update" in text and "Requires the Data Exchange integration service" in text
    assert "blocked" not in text.casefold()

    # A pending change disables Data Exchange: the cell, the version cell and the details say so.
    lab.select_cells([cell])
    w.set_selected(False)
    assert ctl.state.pending == {cell: False}
    qtbot.waitUntil(lambda: model.cell_index(cell).data(BADGE_ROLE) is not None)
    tip = shown(model.cell_index(cell).data(Qt.ItemDataRole.ToolTipRole))
    assert "A pending change disables Data Exchange: that would stop this VM's integration services updates" in tip
    assert _version_cell(lab, "HV-2019", "kiosk-win7").data(BADGE_ROLE) is not None
    text = _show(lab, "HV-2019", "kiosk-win7")
    assert "a pending change would block its updates (Data Exchange)" in text
    # A Windows Server 2022 guest does not need Data Exchange for its updates: no warning there.
    other = lab.cell("HV-2019", "app-2022", KVP)
    ctl.set_target([other], False)

    # The plan says it before anything is applied.
    lab.activate()
    qtbot.keyClick(w.grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dlg = w.plan_dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.warning.isVisible()
    warning = dlg.warning.text()
    assert "Before you apply: 1 change stops integration services updates." in warning
    assert "kiosk-win7 on HV-2019: disabling Data Exchange stops its integration services updates" in warning
    assert "app-2022" not in warning
    assert list(dlg.warnings) == [cell]
    assert lab.sim_enabled(cell) is True  # nothing sent yet
    with qtbot.waitSignal(ctl.applyFinished, timeout=ui_helpers.LAB_TIMEOUT):
        qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    assert lab.sim_enabled(cell) is False

    # Applied: the host no longer reports the guest OS (Data Exchange is off); the window
    # remembers what it said, so the updates are flagged as blocked.
    lab.refresh()
    assert ctl.state.vm(*cell[:2]).guest_os is None  # type: ignore[union-attr]
    text = _show(lab, "HV-2019", "kiosk-win7")
    assert "unknown: Data Exchange is off on this VM (it reported Windows 7 Professional earlier)" in text
    assert "Updates blocked: Data Exchange is disabled on this VM" in text
    assert model.cell_index(cell).data(BADGE_ROLE) is not None
    assert "Updates blocked" in shown(model.cell_index(cell).data(Qt.ItemDataRole.ToolTipRole))


def test_needs_attention_view(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts=MIXED)
    w, ctl = lab.window, lab.controller
    assert len(lab.grid_names()) == 6
    lab.activate()
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert w.grid_pane.filters.attention.isChecked() and w.act_attention.isChecked()
    # Update required (dc-2008r2), not supported on its host (Windows Home Server 2011 on 2019).
    qtbot.waitUntil(lambda: sorted(lab.grid_names()) == ["dc-2008r2", "home-2011"])
    assert w.grid_pane.filters.count.text() == "2 of 6 VMs"
    # A pending change that blocks a guest's updates brings it in; reverting it takes it out.
    cell = lab.cell("HV-2019", "kiosk-win7", KVP)
    ctl.set_target([cell], False)
    qtbot.waitUntil(lambda: "kiosk-win7" in lab.grid_names())
    ctl.revert([cell])
    qtbot.waitUntil(lambda: "kiosk-win7" not in lab.grid_names())
    # Data Exchange disabled behind the window's back, after the host told the guest OS: blocked.
    lab.hosts["HV-2019"].set_enabled(lab.vm_id("HV-2019", "kiosk-win7"), KVP, False)
    lab.refresh()
    qtbot.waitUntil(lambda: sorted(lab.grid_names()) == ["dc-2008r2", "home-2011", "kiosk-win7"])
    # With the other filters: Needs attention and a host.
    w.grid_pane.filters.host.setCurrentIndex(w.grid_pane.filters.host.findData(lab.configs["HV-LEGACY-01"].key))
    qtbot.waitUntil(lambda: lab.grid_names() == ["dc-2008r2"])
    w.grid_pane.filters.host.setCurrentIndex(0)
    w.grid_pane.filters.problems.setChecked(True)  # and Problems only: update required is a problem too
    qtbot.waitUntil(lambda: lab.grid_names() == ["dc-2008r2"])
    w.grid_pane.filters.reset()
    qtbot.waitUntil(lambda: len(lab.grid_names()) == 6)
    assert not w.act_attention.isChecked()


def test_the_plans_warning_is_french_in_a_french_window(french: Any, lab_factory: Callable[..., Lab],
                                                       qtbot: Any) -> None:
    """The core decides which changes stop a guest's updates; the window says it in its language."""
    lab = lab_factory(hosts=MIXED)
    w, ctl = lab.window, lab.controller
    cell = lab.cell("HV-2019", "kiosk-win7", KVP)
    ctl.set_target([cell], False)
    dlg = w.open_plan()
    assert dlg is not None
    warning = dlg.warning.text()
    assert ("⚠ kiosk-win7 sur HV-2019 : désactiver l'Échange de données arrête les mises à jour de ses services "
            "d'intégration : Windows 7 Professional ne reçoit ses services d'intégration de Windows Update") in warning
    assert "Windows 7" in warning and "disabling" not in warning and "only with" not in warning
    dlg.close()
