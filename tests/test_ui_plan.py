"""The plan dialog shows, per change, the one-line PowerShell an admin would type, next to the
exact script that will run. The lines are run here, as an admin would, against the simulated
hosts through pywinrm: each changes exactly its VM and service (quotes, wildcards, duplicate
names and French or German service names included)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import ui_helpers
import winrm

from hvgui.core import catalog, contract
from hvgui.ui.equivalent_powershell import ps_quote, ps_wildcard_literal
from hvgui.ui.plan_dialog import POWERSHELL_COLUMN

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

HB, GSI, TS = catalog.HEARTBEAT, catalog.GUEST_SERVICE_INTERFACE, catalog.TIME_SYNC
QUOTED = "O’Brien's ‘desk’ ‚x‛"
DANGER = "$(danger) `tick` ;& |"

FLEET: dict[str, ui_helpers.HostSpec] = {
    "HV-DE": {"locale": "de-DE", "os": "2025", "vms": ["web1", "web[1]", "sql", "sql", QUOTED, DANGER, "star*"]},
    "HV-FR": {"locale": "fr-FR", "os": "2019", "vms": ["poste"]},
}


def run_ps(lab: Lab, host: str, script: str) -> tuple[int, str]:
    """Run a command on a simulated host as an admin would from a workstation (code page 65001)."""
    ep = lab.endpoints[list(lab.hosts).index(host)]
    s = winrm.Session(ep.url, auth=(ui_helpers.LAB_USER, ui_helpers.LAB_PASSWORD), transport="ntlm")
    p = s.protocol
    shell = p.open_shell(codepage=65001)
    try:
        cmd = p.run_command(shell, "powershell -encodedcommand " + contract.encode_powershell(script))
        out, err, rc = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
    finally:
        p.close_shell(shell)
    return rc, (out + err).decode("utf-8", "replace")


def test_quoting() -> None:
    assert ps_quote("web1") == "'web1'"
    assert ps_quote("O'Brien’s ‘x’ ‚y‛") == "'O''Brien’’s ‘‘x’’ ‚‚y‛‛'"
    assert ps_quote("$(danger) `tick`") == "'$(danger) `tick`'"  # nothing expands in single quotes
    assert ps_wildcard_literal("web[1]*?") == "'web`[1`]`*`?'"


def test_the_equivalent_powershell_targets_exactly_each_change(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts=FLEET)
    w, ctl = lab.window, lab.controller
    sql = lab.hosts["HV-DE"].find_vms("sql")
    cells_off = [lab.cell("HV-DE", "web[1]", HB), (lab.configs["HV-DE"].key, sql[1].id, HB),
                 lab.cell("HV-DE", QUOTED, TS), lab.cell("HV-DE", DANGER, HB), lab.cell("HV-DE", "star*", HB)]
    cells_on = [lab.cell("HV-FR", "poste", GSI)]
    ctl.set_target(cells_off, False)
    ctl.set_target(cells_on, True)
    dlg = w.open_plan()
    assert dlg is not None
    lines = dlg.commands
    assert len(lines) == 6
    assert "Disable-VMIntegrationService -ComputerName HV-DE -VMName 'web`[1`]' -Name 'Takt'" in lines
    assert f"Get-VM -ComputerName HV-DE -Id {sql[1].id} | Disable-VMIntegrationService -Name 'Takt'" in lines
    assert ("Disable-VMIntegrationService -ComputerName HV-DE -VMName 'O’’Brien''s ‘‘desk’’ ‚‚x‛‛' "
            "-Name 'Zeitsynchronisierung'") in lines
    assert "Enable-VMIntegrationService -ComputerName HV-FR -VMName 'poste' -Name 'Interface de services d’’invité'" \
        in lines
    # Shown per change on demand, and all together next to the scripts that will run.
    assert dlg.changes.isColumnHidden(POWERSHELL_COLUMN)
    dlg.show_powershell.setChecked(True)
    assert not dlg.changes.isColumnHidden(POWERSHELL_COLUMN)
    leaf = dlg.changes.topLevelItem(0).child(0).child(0)  # type: ignore[union-attr]
    assert leaf.text(POWERSHELL_COLUMN) in lines
    tabs = [dlg.scripts.tabText(i) for i in range(dlg.scripts.count())]
    assert tabs == ["Script for HV-DE", "Script for HV-FR", "Equivalent PowerShell"]
    assert all(line in dlg.powershell.toPlainText() for line in lines)
    dlg.close()
    assert ctl.state.pending  # not applied: the admin runs the lines instead

    before = {(h, vm.id): dict(vm.enabled) for h, host in lab.hosts.items() for vm in host.vms}
    for line in lines:
        host = "HV-DE" if "HV-DE" in line else "HV-FR"
        rc, out = run_ps(lab, host, line)
        assert rc == 0, (line, out)
    after = {(h, vm.id): dict(vm.enabled) for h, host in lab.hosts.items() for vm in host.vms}
    changed = {(key[1], guid) for key, services in after.items() for guid, on in services.items()
               if before[key][guid] != on}
    assert changed == {(c[1], c[2]) for c in cells_off + cells_on}  # those, and nothing else
    assert all(not lab.sim_enabled(c) for c in cells_off) and all(lab.sim_enabled(c) for c in cells_on)
