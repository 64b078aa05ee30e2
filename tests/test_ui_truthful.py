"""The window stays truthful when a host's answer to an apply is lost: the real window, the
engine in its worker process (as the app runs it), simulated hosts over real WinRM.

Cells show "Outcome unknown" until a read of the host reconciles them, then the reconciled
result; Retry sends only what a re-read showed was not applied, and never calls the user's own
change a conflict. The worker writes the audit log: intent, outcome, reconciliation."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
from typing import Any

import ui_helpers
from PySide6.QtCore import Qt

from hvgui.core import catalog
from hvgui.ui.state import CellKey, CellPhase, HostStatus

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI, HB, VSS = catalog.GUEST_SERVICE_INTERFACE, catalog.HEARTBEAT, catalog.VSS
TIMEOUT = 30_000


def audit(lab: Lab) -> list[dict[str, Any]]:
    path = lab.audit_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def events_of(lab: Lab, cell: CellKey) -> list[tuple[str, str]]:
    return [(r["event"], r["result"]) for r in audit(lab) if r["vm_id"] == cell[1] and r["service_guid"] == cell[2]]


def flip(lab: Lab, cells: list[CellKey]) -> None:
    for c in cells:
        assert lab.controller.set_target([c], not lab.sim_enabled(c))


def test_answer_lost_after_the_host_applied_shows_changed_confirmed(lab_factory: Any, qtbot: Any) -> None:
    lab = lab_factory()
    w, st = lab.window, lab.controller.state
    cells = [lab.cell("HV-A", "app1", GSI), lab.cell("HV-A", "app2", HB)]
    flip(lab, cells)
    lab.hosts["HV-A"].faults.drop_after_command = 1  # the batch runs; its answer never comes back
    _, summary = lab.apply_through_plan()
    assert (summary.changed, summary.failed, summary.not_applied, summary.unknown) == (2, 0, 0, 0)
    for c in cells:
        assert st.results[c].phase is CellPhase.CHANGED and "re-read" in st.results[c].message
        assert c not in st.pending and lab.sim_enabled(c) is (c[2] == GSI)
    assert st.hosts[cells[0][0]].status is HostStatus.CONNECTED
    assert not w.act_retry.isEnabled()
    qtbot.waitUntil(lambda: all(events_of(lab, c) == [("intent", "pending"), ("outcome", "unknown"),
                                                       ("reconciled", "changed")] for c in cells), timeout=TIMEOUT)


def test_unknown_until_the_host_answers_then_reconciled(lab_factory: Any, qtbot: Any) -> None:
    lab = lab_factory()
    w, ctl, st, model = lab.window, lab.controller, lab.controller.state, lab.window.grid_model
    cell = lab.cell("HV-A", "app1", GSI)
    other = lab.cell("HV-B", "web[1]", GSI)
    flip(lab, [cell, other])
    lab.hosts["HV-A"].faults.drop_after_command = 2  # the batch's answer and the immediate re-read's
    _, summary = lab.apply_through_plan()
    assert (summary.changed, summary.unknown, summary.failed) == (1, 1, 0)
    assert lab.sim_enabled(cell)  # it was applied; the window cannot know yet
    # Outcome unknown: shown, locked, never retried or re-planned.
    assert st.results[cell].phase is CellPhase.UNKNOWN and cell in st.in_doubt
    idx = model.cell_index(cell)
    assert idx.data() == "Outcome unknown"
    assert "answer was lost" in ui_helpers.shown(idx.data(Qt.ItemDataRole.ToolTipRole))
    assert not model.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable
    assert not ctl.set_target([cell], False)
    assert not ctl.plan() and not ctl.plan(failed_only=True)
    assert not w.act_retry.isEnabled()
    qtbot.waitUntil(lambda: "outcome unknown" in w.status_pending.text())
    assert st.hosts[cell[0]].status is HostStatus.FAILED
    # The host answers again: the next read (F5 here; a timer otherwise) reconciles.
    w.activateWindow()  # the plan dialog had it
    qtbot.waitUntil(w.isActiveWindow)
    lab.refresh()
    assert st.results[cell].phase is CellPhase.CHANGED and "re-read" in st.results[cell].message
    assert cell not in st.in_doubt and cell not in st.pending
    assert st.hosts[cell[0]].status is HostStatus.CONNECTED
    assert model.cell_index(cell).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert not w.act_retry.isEnabled() and not ctl.plan()
    qtbot.waitUntil(lambda: events_of(lab, cell) == [("intent", "pending"), ("outcome", "unknown"),
                                                     ("reconciled", "changed")], timeout=TIMEOUT)
    batches = {r["batch"] for r in audit(lab) if r["vm_id"] == cell[1] and r["service_guid"] == GSI}
    assert len(batches) == 1  # the reconciliation belongs to the batch that was sent


def test_host_that_applied_part_of_the_batch_then_retry_finishes_without_conflicts(
        lab_factory: Any, qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-A": ["a1", "a2", "a3"]})
    st = lab.controller.state
    host = lab.hosts["HV-A"]
    cells = [lab.cell("HV-A", v, s.guid) for v in ("a1", "a2", "a3") for s in catalog.SERVICES]
    lab.refresh()
    before = {c: lab.sim_enabled(c) for c in cells}
    # The command's process ends part-way through the batch (after its 7th change, whatever the
    # machine's load) and its answer is lost; the re-read is not killed (it changes nothing).
    host.faults.kill_commands_after_changes = 7
    host.faults.drop_after_command = 1
    flip(lab, cells)
    _, summary = lab.apply_through_plan()
    applied = {c for c in cells if lab.sim_enabled(c) != before[c]}
    assert len(applied) == 7  # the host really did only part of the batch
    assert summary.unknown == 0 and summary.changed + summary.not_applied == len(cells)
    assert summary.changed == len(applied)
    assert {c for c in cells if st.results[c].phase is CellPhase.CHANGED} == applied
    for c in cells:  # each cell as the host really is: nothing applied is called not applied
        phase = st.results[c].phase
        assert phase in (CellPhase.CHANGED, CellPhase.NOT_APPLIED)
        assert (phase is CellPhase.CHANGED) == (c not in st.pending)
        if phase is CellPhase.NOT_APPLIED:
            assert lab.window.grid_model.cell_index(c).data() == "Not applied"
    host.faults.kill_commands_after_changes = 0
    retried = [c for c in cells if c in st.pending]
    plan_text, retry = lab.apply_through_plan(retry=True)
    assert f"<b>{summary.not_applied} change" in plan_text  # only what was not applied
    assert (retry.changed, retry.conflicts, retry.failed) == (summary.not_applied, 0, 0)
    assert st.pending == {} and all(st.results[c].phase is CellPhase.CHANGED for c in retried)
    assert all(lab.sim_enabled(c) is (c[2] == GSI) for c in cells)  # every change is on the host
    qtbot.waitUntil(lambda: sum(r["event"] == "reconciled" for r in audit(lab)) == len(cells), timeout=TIMEOUT)


def test_a_host_with_unknown_outcomes_is_read_again_by_itself(lab_factory: Any, qtbot: Any,
                                                               monkeypatch: Any) -> None:
    """Auto-refresh is off in the lab: the window still reads the host again once it answers."""
    from hvgui.ui import controller as controller_module

    monkeypatch.setattr(controller_module, "RECONCILE_RETRY_S", 0.0)  # due at the next tick (1 s)
    lab = lab_factory()
    st = lab.controller.state
    cell = lab.cell("HV-B", "app1", VSS)
    flip(lab, [cell])
    lab.hosts["HV-B"].faults.drop_after_command = 2
    _, summary = lab.apply_through_plan()
    assert summary.unknown == 1 and st.results[cell].phase is CellPhase.UNKNOWN
    qtbot.waitUntil(lambda: st.results.get(cell) is not None and st.results[cell].phase is CellPhase.CHANGED,
                    timeout=TIMEOUT)
    assert not lab.sim_enabled(cell) and st.in_doubt == {} and st.pending == {}
