"""The window's Qt-free state: pending changes, plans, back-off, plain-words explanations."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace

from ui_helpers import host_config, inventory, make_vm, status, with_service

from hvgui.core import catalog
from hvgui.core.status import OperationalStatus as S
from hvgui.ui.explain import explain, vm_report
from hvgui.ui.state import CellPhase, CellResult, FleetState, backoff_s

HB, GSI = catalog.HEARTBEAT, catalog.GUEST_SERVICE_INTERFACE


def fleet() -> tuple[FleetState, str, str]:
    a, b = host_config("HV-A"), host_config("HV-B")
    st = FleetState([a, b])
    st.set_inventory(a.key, inventory("HV-A", [make_vm("web1", vm_id="aaaaaaaa-0000-4000-8000-000000000001"),
                                               make_vm("db1", vm_id="aaaaaaaa-0000-4000-8000-000000000002")]))
    st.set_inventory(b.key, inventory("HV-B", [make_vm("web1", vm_id="bbbbbbbb-0000-4000-8000-000000000001")]))
    return st, a.key, b.key


def test_pending_change_only_when_it_differs_from_the_host() -> None:
    st, a, _ = fleet()
    cell = (a, "aaaaaaaa-0000-4000-8000-000000000001", HB)
    assert st.set_target([cell], True) == []  # already enabled: nothing pending
    assert st.set_target([cell], False) == [cell]
    assert st.pending == {cell: False}
    assert st.effective(cell) is False and st.current(cell) is True
    assert st.set_target([cell], True) == [cell]  # back to the host's value: not pending any more
    assert st.pending == {}


def test_toggle_reset_and_revert_across_hosts() -> None:
    st, a, b = fleet()
    cells = [(a, "aaaaaaaa-0000-4000-8000-000000000001", GSI), (b, "bbbbbbbb-0000-4000-8000-000000000001", GSI),
             (a, "aaaaaaaa-0000-4000-8000-000000000002", HB)]
    st.toggle(cells)  # one is on, two are off: all on
    assert all(st.effective(c) for c in cells)
    assert set(st.pending) == set(cells[:2])
    st.toggle(cells)  # all on now: all off
    assert not any(st.effective(c) for c in cells)
    st.reset_default(cells)  # GSI default off, Heartbeat default on
    assert st.pending == {}
    st.set_target(cells, False)
    st.set_target(cells[:1], True)
    assert st.revert([cells[2]]) == [cells[2]]
    assert st.revert() == [cells[0]] and st.pending == {}


def test_plan_groups_by_host_and_counts() -> None:
    st, a, b = fleet()
    st.set_target([(a, "aaaaaaaa-0000-4000-8000-000000000001", GSI), (a, "aaaaaaaa-0000-4000-8000-000000000001", HB),
                   (b, "bbbbbbbb-0000-4000-8000-000000000001", GSI)], True)
    st.set_target([(a, "aaaaaaaa-0000-4000-8000-000000000001", HB)], False)
    plan = st.plan()
    assert plan.change_count == 3 and plan.vm_count == 2 and plan.host_count == 2
    assert list(plan.by_host) == [a, b]
    changes = [p.change() for p in plan.by_host[a]]
    assert {(c.service_guid, c.expected, c.target) for c in changes} == {(GSI, False, True), (HB, True, False)}
    assert all(c.vm_name == "web1" for c in changes)


def test_refresh_keeps_pending_drops_meaningless_ones() -> None:
    st, a, _ = fleet()
    vm1 = st.vm(a, "aaaaaaaa-0000-4000-8000-000000000001")
    vm2 = st.vm(a, "aaaaaaaa-0000-4000-8000-000000000002")
    assert vm1 and vm2
    keep = (a, vm1.id, GSI)
    done_elsewhere = (a, vm1.id, HB)
    gone = (a, vm2.id, GSI)
    st.set_target([keep, gone], True)
    st.set_target([done_elsewhere], False)
    # Another admin disabled Heartbeat already; db1 was deleted.
    diff, dropped = st.set_inventory(a, inventory("HV-A", [with_service(vm1, HB, False)]))
    assert diff.removed == (vm2.id,) and diff.changed == (vm1.id,)
    assert set(dropped) == {done_elsewhere, gone}
    assert st.pending == {keep: True}


def test_unknown_services_become_extra_columns() -> None:
    st, a, _ = fleet()
    vm = st.vm(a, "aaaaaaaa-0000-4000-8000-000000000001")
    assert vm
    extra = replace(vm.services[0], guid="11111111-2222-3333-4444-555555555555", name="Future Service")
    st.set_inventory(a, inventory("HV-A", [replace(vm, services=(*vm.services, extra))]))
    assert st.extra_services == {"11111111-2222-3333-4444-555555555555": "Future Service"}


def test_backoff_grows_and_is_capped() -> None:
    assert backoff_s(60, 0) == 60
    assert backoff_s(60, 1) == 60
    assert backoff_s(60, 3) == 240
    assert backoff_s(60, 50) == 900


def test_explanations_in_plain_words() -> None:
    vm = make_vm("x")
    hb = vm.service(HB)
    assert hb is not None
    assert explain(vm, hb) == "Enabled and working: the guest answers."
    assert "missing or stopped" in explain(vm, replace(hb, primary=status(S.NoContact)))
    assert "harmless" in explain(vm, replace(hb, secondary=status(S.ProtocolMismatch)))
    assert explain(vm, replace(hb, enabled=False, primary=None)).startswith("Disabled on the host")
    off = make_vm("y", state="Off")
    svc = off.service(HB)
    assert svc is not None and "VM is off" in explain(off, svc)


def test_report_is_readable_text() -> None:
    vm = make_vm("web1 ‘quoted’")
    text = vm_report("HV-A", "Windows Server 2022", vm, {GSI: True}, {HB: CellResult(CellPhase.CHANGED, "now on")},
                     None)
    assert text.startswith("web1 ‘quoted’ on HV-A: OK: every enabled integration service answers "
                           "(1 pending change).\n")
    assert "\nVM: web1 ‘quoted’\n" in text
    assert "Host: HV-A (Windows Server 2022)" in text
    assert "- Guest services: Off (disabled on the host)" in text
    assert "Pending change (not applied): Disabled -> Enabled" in text
    assert "Changed by the last apply: now on" in text
    # Hyper-V Manager's order.
    assert text.index("Operating system shutdown") < text.index("Heartbeat") < text.index("Guest services")


def test_a_vm_that_could_not_be_read_keeps_its_pending_changes() -> None:
    st, a, _b = fleet()
    vm_id = "aaaaaaaa-0000-4000-8000-000000000001"
    cell = (a, vm_id, GSI)
    st.set_target([cell], True)
    vms = list(st.hosts[a].vms.values())
    broken = replace(vms[0], services=(), error="Get-VMIntegrationService failed")
    _diff, dropped = st.set_inventory(a, inventory("HV-A", [broken, vms[1]]))
    assert st.pending == {cell: True} and cell not in dropped
    assert not st.plan()  # nothing is sent while its state is unknown
    text = vm_report("HV-A", "", broken, {GSI: True}, {}, None)
    assert "could not be read on the host: Get-VMIntegrationService failed" in text
    assert "pending change kept" in text
