"""The remote layer against the simulator: real pywinrm over loopback, nothing mocked."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from winrm.protocol import Protocol

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Inventory, Outcome
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.simulator.fleet import load_fleet
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint, SimulatorFleet

USER, PASSWORD = "labadmin", "S3cret-for-tests-only"
LOGIN = Login(USER, PASSWORD, admin=True)


def stats(ep: HostEndpoint) -> dict[str, Any]:
    return ep.stats.as_json()


class Lab:
    """Hosts started on loopback for one test, an engine with the right password."""

    def __init__(self) -> None:
        self.endpoints: list[HostEndpoint] = []
        self.creds = MemoryCredentials()
        self.engine = Engine(self.creds)

    def host(self, name: str = "HV01", *, https: bool = False, **kw: Any) -> tuple[HyperVHost, HostConfig]:
        host = HyperVHost(name, logins=[LOGIN], **kw)
        ep = HostEndpoint(host, https=https)
        ep.start()
        self.endpoints.append(ep)
        return host, self.config_for(ep)

    def config_for(self, ep: HostEndpoint, **kw: Any) -> HostConfig:
        cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=ep.host.name,
                         ca_file=ep.cert_path if ep.url.startswith("https") else "", **kw)
        self.creds.set(cfg, PASSWORD)
        return cfg

    def endpoint(self, cfg: HostConfig) -> HostEndpoint:
        return next(ep for ep in self.endpoints if ep.url == cfg.url)

    def run(self, coro: Any) -> Any:
        return asyncio.run(coro)

    def close(self) -> None:
        self.engine.close()
        for ep in self.endpoints:
            ep.stop()


@pytest.fixture
def lab() -> Iterator[Lab]:
    lab = Lab()
    try:
        yield lab
    finally:
        lab.close()


def run_ps_utf8(url: str, script: str) -> str:
    """An admin's own PowerShell through plain pywinrm (UTF-8 shell), as an independent oracle."""
    from hvgui.core.contract import encode_powershell

    p = Protocol(endpoint=url, transport="ntlm", username=USER, password=PASSWORD, message_encryption="auto")
    shell = p.open_shell(codepage=65001)
    try:
        cmd = p.run_command(shell, f"powershell -NoProfile -EncodedCommand {encode_powershell(script)}")
        out, err, code = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
    finally:
        p.close_shell(shell)
    assert code == 0, err.decode("utf-8", "replace")
    return out.decode("utf-8")


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for something the simulator does on its own clock (a deadline, not a sleep)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.01)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- inventory

def test_inventory_of_demo_fleet_matches_the_hosts_own_cmdlets() -> None:
    hosts = load_fleet(None, extra_logins=[LOGIN])
    creds = MemoryCredentials()
    engine = Engine(creds)
    with SimulatorFleet(hosts) as fleet:
        configs = []
        for ep in fleet.endpoints:
            cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=ep.host.name)
            creds.set(cfg, PASSWORD)
            configs.append(cfg)

        async def all_hosts() -> list[Inventory]:
            return list(await asyncio.gather(*(engine.inventory(c) for c in configs)))

        inventories = asyncio.run(all_hosts())
        locales = set()
        for ep, inv in zip(fleet.endpoints, inventories, strict=True):
            locales.add(inv.host.locale)
            vms = as_list(json.loads(run_ps_utf8(ep.url, "Get-VM | Select-Object Id, Name | ConvertTo-Json")))
            assert sorted((v["Id"].lower(), v["Name"]) for v in vms) == sorted((v.id, v.name) for v in inv.vms)
            comps = as_list(json.loads(run_ps_utf8(
                ep.url, "Get-VM | Get-VMIntegrationService | Select-Object VMId, Id, Name, Enabled | ConvertTo-Json")))
            theirs = sorted((c["VMId"].lower(), catalog.service_guid_from_id(c["Id"]), c["Name"], c["Enabled"])
                            for c in comps)
            ours = sorted((v.id, s.guid, s.name, s.enabled) for v in inv.vms for s in v.services)
            assert ours == theirs
        engine.close()
    assert {"en-US", "fr-FR", "de-DE"} <= locales
    names = {s.name for inv in inventories for v in inv.vms for s in v.services}
    assert "Pulsation" in names and "Takt" in names and "Heartbeat" in names  # localized names kept


def test_one_request_per_inventory_and_apply_to_one_kept_alive_powershell(lab: Lab) -> None:
    host, cfg = lab.host()
    vms = [host.add_vm(f"vm{i}") for i in range(30)]
    ep = lab.endpoint(cfg)
    before = stats(ep)
    inv = lab.run(lab.engine.inventory(cfg))
    mid = ep.stats_json()
    assert len(inv.vms) == 30
    assert mid["commands"] - before["commands"] == 1  # the kept-alive PowerShell
    assert mid["operations"].get("inventory", 0) == 1 and mid["kept_alive_requests"] == 1
    changes = [Change(v.id, catalog.TIME_SYNC, True, False) for v in vms]
    res = lab.run(lab.engine.apply(cfg, changes))
    after = ep.stats_json()
    assert [i.outcome for i in res.items] == [Outcome.CHANGED] * 30
    assert after["kept_alive_requests"] - mid["kept_alive_requests"] == 1  # one batch, re-read included
    lab.run(lab.engine.inventory(cfg))
    final = ep.stats_json()
    # One process for all three: started, and its Hyper-V module loaded, once.
    assert final["commands"] == 1 and final["powershell_starts"] == 1 and final["module_loads"] == 1
    assert final["kept_alive_requests"] == 3
    assert final["operations"]["inventory"] == 2 and final["operations"]["apply"] == 1
    assert final["shells_created"] == 1  # one shell, reused by every operation
    assert final["connections"] == 1 and final["auth_handshakes"] == 1
    # The logon, Create, Command, Receive (ready), then a Send and one or two Receives per operation.
    assert final["requests"] - before["requests"] <= 3 + 3 + 3 * 3
    lab.engine.close(wait=True)
    assert stats(ep)["shells_open"] == 0  # deleted on close, not left to the host's idle timeout


def test_shell_dropped_by_the_host_is_replaced(lab: Lab) -> None:
    host, cfg = lab.host()
    host.add_vm("a")
    ep = lab.endpoint(cfg)
    lab.run(lab.engine.inventory(cfg))
    host.faults.idle_timeout_s = 0.0  # the host forgets idle shells
    wait_for(lambda: stats(ep)["shells_open"] == 0)
    assert lab.run(lab.engine.inventory(cfg)).vms[0].name == "a"
    assert stats(ep)["shells_created"] == 2


# --------------------------------------------------------------------------- apply

def test_apply_outcomes_duplicates_rename_remove_and_conflict(lab: Lab) -> None:
    host, cfg = lab.host()
    a = host.add_vm("twin")
    b = host.add_vm("twin")
    c = host.add_vm("renamed-later")
    d = host.add_vm("removed-later")
    e = host.add_vm("changed-by-someone-else")
    old = host.add_vm("old", guest_os="Windows Server 2012 R2")
    inv = lab.run(lab.engine.inventory(cfg))
    assert [v.name for v in inv.vms].count("twin") == 2
    # Behind the product's back, between read and apply.
    host.rename_vm(c.id, "renamed now")
    host.remove_vm(d.id)
    host.set_enabled(e.id, catalog.VSS, False)
    changes = [
        Change(a.id, catalog.VSS, True, False),
        Change(c.id, catalog.VSS, True, False),
        Change(d.id, catalog.VSS, True, False),
        Change(e.id, catalog.VSS, True, False),
        Change(e.id, catalog.SHUTDOWN, False, False),
        Change(old.id, catalog.SHUTDOWN, True, True),
        Change(a.id, "11111111-2222-3333-4444-555555555555", True, False),
    ]
    res = lab.run(lab.engine.apply(cfg, changes))
    got = {(i.vm_id, i.service_guid): i for i in res.items}
    assert got[(a.id, catalog.VSS)].outcome is Outcome.CHANGED and got[(a.id, catalog.VSS)].enabled is False
    assert got[(c.id, catalog.VSS)].outcome is Outcome.CHANGED
    assert got[(d.id, catalog.VSS)].outcome is Outcome.VM_NOT_FOUND
    # Another admin already made this change: unchanged (target before conflict), not a conflict.
    assert got[(e.id, catalog.VSS)].outcome is Outcome.UNCHANGED
    assert "changed on the host since it was read" in got[(e.id, catalog.VSS)].message
    # The host (Shutdown on) differs from what this change expected and targets: left alone.
    assert got[(e.id, catalog.SHUTDOWN)].outcome is Outcome.CONFLICT
    assert host.vm(e.id).enabled[catalog.SHUTDOWN] is True  # type: ignore[union-attr]
    assert got[(old.id, catalog.SHUTDOWN)].outcome is Outcome.UNCHANGED
    assert got[(a.id, "11111111-2222-3333-4444-555555555555")].outcome is Outcome.SERVICE_NOT_OFFERED
    after = {v.id: v for v in res.vms}
    assert after[c.id].name == "renamed now"
    assert after[a.id].service(catalog.VSS).enabled is False  # type: ignore[union-attr]
    assert b.id not in after  # only touched VMs are read again
    twin_b = lab.run(lab.engine.inventory(cfg)).vm(b.id)
    assert twin_b is not None and twin_b.service(catalog.VSS).enabled is True  # type: ignore[union-attr]


def test_batch_of_1000_changes_goes_over_stdin(lab: Lab) -> None:
    host, cfg = lab.host()
    vms = [host.add_vm(f"bulk-{i:03d}") for i in range(200)]
    changes = [Change(v.id, s.guid, s.default_enabled, not s.default_enabled)
               for v in vms for s in catalog.SERVICES if s.guid != catalog.HEARTBEAT]
    assert len(changes) == 1000
    res = lab.run(lab.engine.apply(cfg, changes))
    assert len(res.items) == 1000
    assert {i.outcome for i in res.items} == {Outcome.CHANGED}
    assert all(i.enabled is (not catalog.get(i.service_guid).default_enabled)  # type: ignore[union-attr]
               for i in res.items)
    assert stats(lab.endpoint(cfg))["commands"] == 1


def test_injected_vm_error_is_per_item(lab: Lab) -> None:
    host, cfg = lab.host()
    bad, good = host.add_vm("bad"), host.add_vm("good")
    host.faults.vm_errors[bad.id] = "The operation failed because the file was not found."
    res = lab.run(lab.engine.apply(cfg, [Change(bad.id, catalog.VSS, True, False),
                                         Change(good.id, catalog.VSS, True, False)]))
    got = {i.vm_id: i for i in res.items}
    assert got[bad.id].outcome is Outcome.ERROR
    assert "file was not found" in got[bad.id].message
    assert got[good.id].outcome is Outcome.CHANGED


NAME_CHARS = st.sampled_from([*"'‘’‚‛\"“”„`$()[]*?{};|&<>\n #%éÜ中文", "$(Get-Date)", "${env:X}", " "])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(NAME_CHARS | st.text(min_size=1, max_size=3), min_size=1, max_size=60))
@example(parts=["’", "x" * 120, "'", "$(Get-Date)", "\n", " "])
def test_any_vm_name_round_trips_through_inventory_and_apply(lab: Lab, parts: list[str]) -> None:
    name = "".join(parts)
    if not lab.endpoints:
        lab.host()
    ep = lab.endpoints[0]
    host: HyperVHost = ep.host  # type: ignore[assignment]
    cfg = lab.config_for(ep)
    vm = host.add_vm(name, guest_os="Windows Server 2019 Datacenter")
    inv = lab.run(lab.engine.inventory(cfg))
    seen = inv.vm(vm.id)
    assert seen is not None and seen.name == name
    res = lab.run(lab.engine.apply(cfg, [Change(vm.id, catalog.GUEST_SERVICE_INTERFACE, False, True)]))
    assert res.items[0].outcome is Outcome.CHANGED
    assert res.vms[0].name == name


# --------------------------------------------------------------------------- faults

def expect_error(lab: Lab, cfg: HostConfig, kind: ErrorKind, healthy: HostConfig) -> HostError:
    """The faulty host fails with ``kind``; the healthy one still answers, in the same gather."""

    async def both() -> list[Any]:
        return list(await asyncio.gather(lab.engine.inventory(cfg), lab.engine.inventory(healthy),
                                         return_exceptions=True))

    bad, good = lab.run(both())
    assert isinstance(good, Inventory), good
    assert isinstance(bad, HostError), bad
    assert bad.kind is kind, bad.text
    assert PASSWORD not in bad.text and PASSWORD not in bad.details
    return bad


FaultSetter = Callable[[HyperVHost], None]


@pytest.mark.parametrize(("setup", "kind"), [
    (lambda h: setattr(h.faults, "wrong_credentials", True), ErrorKind.WRONG_CREDENTIALS),
    (lambda h: setattr(h.faults, "access_denied", True), ErrorKind.ACCESS_DENIED),
    (lambda h: setattr(h.faults, "refuse_connections", True), ErrorKind.UNREACHABLE),
    (lambda h: setattr(h.faults, "drop_mid_response", True), ErrorKind.UNREACHABLE),
    (lambda h: setattr(h.faults, "max_shells_per_user", 0), ErrorKind.QUOTA),
], ids=["wrong-credentials", "access-denied", "refused", "dropped", "quota"])
def test_each_fault_fails_only_its_host(lab: Lab, setup: FaultSetter, kind: ErrorKind) -> None:
    bad_host, bad = lab.host("BAD")
    bad_host.add_vm("x")
    good_host, good = lab.host("GOOD")
    good_host.add_vm("y")
    setup(bad_host)
    err = expect_error(lab, bad, kind, good)
    assert err.host == "BAD"


def test_hung_command_times_out_within_the_deadline_and_cleans_up(lab: Lab) -> None:
    bad_host, _ = lab.host("HUNG")
    ep = lab.endpoints[-1]
    bad = lab.config_for(ep, timeout_s=2.0)
    _, good = lab.host("GOOD")
    bad_host.faults.hang_commands = True
    start = time.monotonic()
    expect_error(lab, bad, ErrorKind.TIMEOUT, good)
    assert time.monotonic() - start < 8
    assert stats(ep)["shells_open"] == 0  # terminated and deleted, not leaked


def test_slow_host_does_not_slow_the_others(lab: Lab) -> None:
    slow_host, slow = lab.host("SLOW")
    slow_host.faults.command_latency_s = 1.5
    _, fast = lab.host("FAST")
    done: list[str] = []

    async def one(cfg: HostConfig) -> None:
        await lab.engine.inventory(cfg)
        done.append(cfg.name)

    async def both() -> None:
        await asyncio.gather(one(slow), one(fast))

    lab.run(both())
    assert done == ["FAST", "SLOW"]


def test_per_vm_latency_is_felt_by_that_host_only_and_bounded_by_its_deadline(lab: Lab) -> None:
    slow_host, _ = lab.host("MANY-VMS")
    for i in range(40):
        slow_host.add_vm(f"vm{i}")
    slow_host.faults.per_vm_latency_s = 0.1  # 4 s for the whole host
    ep = lab.endpoints[-1]
    slow = lab.config_for(ep, timeout_s=1.0)
    _, fast = lab.host("FAST")
    start = time.monotonic()
    expect_error(lab, slow, ErrorKind.TIMEOUT, fast)
    assert time.monotonic() - start < 4  # the deadline, not the host's pace
    slow_host.faults.per_vm_latency_s = 0.01
    assert len(lab.run(lab.engine.inventory(lab.config_for(ep))).vms) == 40  # recovers once faster


def test_untrusted_certificate_reports_its_fingerprint(lab: Lab) -> None:
    _, trusted = lab.host("TLS", https=True)
    ep = lab.endpoints[-1]
    untrusted = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name="TLS-UNTRUSTED")
    lab.creds.set(untrusted, PASSWORD)
    err = expect_error(lab, untrusted, ErrorKind.TLS_UNTRUSTED, trusted)
    assert err.fingerprint == ep.fingerprint
    assert ep.fingerprint in err.text


def test_unresolvable_name(lab: Lab) -> None:
    _, good = lab.host("GOOD")
    cfg = HostConfig(url="http://no-such-host.invalid:5985/wsman", auth=Auth.NTLM, username=USER, timeout_s=10)
    lab.creds.set(cfg, PASSWORD)
    expect_error(lab, cfg, ErrorKind.NAME_NOT_RESOLVED, good)


def test_missing_password_and_bad_config_are_clear(lab: Lab) -> None:
    _, good = lab.host("GOOD")
    nopw = HostConfig(url=good.url, auth=Auth.NTLM, username="nobody-typed-it")
    err = expect_error(lab, nopw, ErrorKind.WRONG_CREDENTIALS, good)
    assert "no password" in err.message
    basic = HostConfig(url=good.url, auth=Auth.BASIC, username=USER)
    err = expect_error(lab, basic, ErrorKind.CONFIG, good)
    assert "clear" in err.message


# --------------------------------------------------------------------------- lifecycle

def test_another_admins_change_between_reads_is_a_conflict(lab: Lab) -> None:
    from hvgui.simulator.faults import ExternalChange

    host, cfg = lab.host()
    vm = host.add_vm("contested")
    host.faults.external_changes.append(ExternalChange(vm.id, catalog.SHUTDOWN, False))
    inv = lab.run(lab.engine.inventory(cfg))  # the other admin acts right after this read
    seen = inv.vm(vm.id).service(catalog.SHUTDOWN)  # type: ignore[union-attr]
    assert seen is not None and seen.enabled is True
    res = lab.run(lab.engine.apply(cfg, [Change(vm.id, catalog.SHUTDOWN, True, True),
                                         Change(vm.id, catalog.VSS, True, False)]))
    got = {i.service_guid: i for i in res.items}
    assert got[catalog.SHUTDOWN].outcome is Outcome.CONFLICT and got[catalog.SHUTDOWN].enabled is False
    assert got[catalog.VSS].outcome is Outcome.CHANGED
    assert host.vm(vm.id).enabled[catalog.SHUTDOWN] is False  # type: ignore[union-attr]  # not overwritten


def test_a_script_the_host_rejects_is_a_powershell_error(lab: Lab) -> None:
    from hvgui.remote import scripts
    from hvgui.remote.transport import WinRMSession

    _, cfg = lab.host()
    session = WinRMSession(cfg, lab.creds)
    try:
        with pytest.raises(HostError) as info:
            session.run_operation(scripts.INVENTORY.replace("inventory v1", "inventory v9", 1),
                                  {"op": "inventory", "v": 9})
        assert info.value.kind is ErrorKind.POWERSHELL
        assert info.value.message
        broken = "# hvgui-operation: inventory v1\nparam([string]$P)\nif ($P -eq { \n"
        with pytest.raises(HostError) as info:
            session.run_operation(broken, {"op": "inventory", "v": 1})
        assert info.value.kind is ErrorKind.POWERSHELL and "Missing closing" in info.value.message
    finally:
        session.close()
    assert stats(lab.endpoint(cfg))["shells_open"] == 0


def test_cancelled_read_stops_and_keeps_the_host_in_order(lab: Lab) -> None:
    from hvgui.remote.engine import Operation, OpState

    host, cfg = lab.host()
    host.add_vm("a")
    ops: list[tuple[int, OpState]] = []
    lab.engine.subscribe(lambda op: ops.append((op.id, op.state)))
    host.faults.hang_commands = True

    async def scenario() -> Inventory:
        first = asyncio.ensure_future(lab.engine.inventory(cfg))
        while stats(lab.endpoint(cfg))["commands"] == 0:
            await asyncio.sleep(0.01)
        first.cancel()
        host.faults.hang_commands = False  # the first command hangs on; the next one will not
        second = asyncio.ensure_future(lab.engine.inventory(cfg))
        with pytest.raises(asyncio.CancelledError):
            await first
        return await second

    inv = lab.run(scenario())
    assert [v.name for v in inv.vms] == ["a"]
    assert ops == [(1, OpState.RUNNING), (2, OpState.RUNNING), (1, OpState.CANCELLED), (2, OpState.OK)]
    assert isinstance(Operation, type)


def test_cancelled_apply_still_reports_what_it_did(lab: Lab) -> None:
    from hvgui.remote.engine import OpState

    host, cfg = lab.host()
    vm = host.add_vm("a")
    host.faults.command_latency_s = 0.5
    finished: list[str] = []
    lab.engine.subscribe(lambda op: finished.append(op.outcome) if op.state is OpState.OK else None)

    async def scenario() -> None:
        task = asyncio.ensure_future(lab.engine.apply(cfg, [Change(vm.id, catalog.VSS, True, False)]))
        while stats(lab.endpoint(cfg))["commands"] == 0:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    lab.run(scenario())
    assert host.vm(vm.id).enabled[catalog.VSS] is False  # type: ignore[union-attr]
    assert finished and finished[0].startswith("1 changed") and "stopped waiting" in finished[0]
    assert [(r["event"], r["result"]) for r in lab.engine.audit.records] == [("intent", "pending"),
                                                                               ("outcome", "changed")]


def test_close_while_operations_are_queued_ends_every_operation(lab: Lab) -> None:
    from hvgui.remote.engine import OpState

    host, cfg = lab.host()
    host.add_vm("a")
    host.faults.command_latency_s = 0.3
    states: dict[int, OpState] = {}
    lab.engine.subscribe(lambda op: states.__setitem__(op.id, op.state))

    async def scenario() -> list[Any]:
        tasks = [asyncio.ensure_future(lab.engine.inventory(cfg)) for _ in range(3)]
        while stats(lab.endpoint(cfg))["commands"] == 0:
            await asyncio.sleep(0.01)
        lab.engine.close()
        return list(await asyncio.gather(*tasks, return_exceptions=True))

    results = lab.run(scenario())
    assert all(isinstance(r, (Inventory, HostError)) for r in results), results
    # The queued two never start; the running one finishes or is aborted at its next poll.
    assert [r.kind for r in results[1:]] == [ErrorKind.CANCELLED] * 2
    assert isinstance(results[0], Inventory) or results[0].kind is ErrorKind.CANCELLED
    assert OpState.RUNNING not in states.values()


def test_failed_host_is_audited_per_change(lab: Lab) -> None:
    host, cfg = lab.host()
    vm = host.add_vm("a")
    host.faults.access_denied = True
    with pytest.raises(HostError):
        lab.run(lab.engine.apply(cfg, [Change(vm.id, catalog.VSS, True, False, vm_name="a")]))
    rec = lab.engine.audit.records[-1]
    assert rec["vm_name"] == "a" and rec["result"] == "host_error:access_denied" and rec["after"] is None
