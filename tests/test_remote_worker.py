"""The engine in its own process (what the window uses), against the simulator over WinRM."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvgui.core import catalog, contract
from hvgui.core import guest as g
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Outcome
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Operation, OpState
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.remote.worker import ProcessEngine
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "worker-admin", "worker-test-pw"


@pytest.fixture
def setup() -> Iterator[tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]]:
    host = HyperVHost("HV-W", locale="de-DE", logins=[Login(USER, PASSWORD)])
    ep = HostEndpoint(host)
    ep.start()
    creds = MemoryCredentials()
    cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name="HV-W")
    creds.set(cfg, PASSWORD)
    engine = ProcessEngine(creds)
    try:
        yield host, ep, cfg, engine
    finally:
        engine.close(wait=True)
        ep.stop()


def test_inventory_apply_and_operation_records(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]) -> None:
    host, ep, cfg, engine = setup
    vm = host.add_vm("Prüfstand ’1’")
    seen: list[Operation] = []
    engine.subscribe(seen.append)

    async def scenario() -> None:
        inv = await engine.inventory(cfg)
        assert [v.name for v in inv.vms] == ["Prüfstand ’1’"]
        assert inv.vms[0].service(catalog.HEARTBEAT).name == "Takt"  # type: ignore[union-attr]
        res = await engine.apply(cfg, [Change(vm.id, catalog.VSS, True, False, vm_name=vm.name)])
        assert [(i.outcome, i.enabled) for i in res.items] == [(Outcome.CHANGED, False)]

    asyncio.run(scenario())
    assert host.vm(vm.id).enabled[catalog.VSS] is False  # type: ignore[union-attr]
    # One object per operation, updated in place: running, then its final state.
    assert [(op.kind, op.state) for op in seen] == [("inventory", OpState.OK), ("inventory", OpState.OK),
                                                    ("apply", OpState.OK), ("apply", OpState.OK)]
    assert seen[0] is seen[1] and seen[2] is seen[3]
    assert seen[3].outcome == "1 changed" and seen[3].payload["changes"][0]["vm_id"] == vm.id
    assert ep.stats.as_json()["connections"] == 1  # the child keeps the connection


def test_host_errors_cross_the_process_boundary_whole(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]) -> None:
    host, _, cfg, engine = setup
    host.faults.wrong_credentials = True
    with pytest.raises(HostError) as info:
        asyncio.run(engine.inventory(cfg))
    assert info.value.kind is ErrorKind.WRONG_CREDENTIALS and info.value.host == "HV-W"
    assert PASSWORD not in info.value.text


def test_cancel_reaches_the_child_and_the_host_stays_usable(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]) -> None:
    host, ep, cfg, engine = setup
    host.add_vm("a")
    host.faults.hang_commands = True

    async def scenario() -> int:
        first = asyncio.ensure_future(engine.inventory(cfg))
        while ep.stats.as_json()["commands"] == 0:
            await asyncio.sleep(0.01)
        first.cancel()
        host.faults.hang_commands = False
        with pytest.raises(asyncio.CancelledError):
            await first
        return len((await engine.inventory(cfg)).vms)

    assert asyncio.run(scenario()) == 1


def test_a_dead_worker_fails_calls_clearly(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]) -> None:
    _, _, cfg, engine = setup
    asyncio.run(engine.inventory(cfg))  # the loop is known to the reader thread
    engine._proc.kill()
    engine._proc.join(10)

    async def call() -> None:
        for _ in range(200):  # the reader notices the pipe closing on its own
            if engine._dead:
                break
            await asyncio.sleep(0.01)
        await engine.inventory(cfg)

    with pytest.raises(HostError) as info:
        asyncio.run(call())
    assert info.value.kind is ErrorKind.PROTOCOL and "worker process" in info.value.message


def test_a_guest_change_lost_with_the_worker_is_said_unknown(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine]) -> None:
    """The guest side runs through this engine too: a change inside a guest that was out when the
    worker process died may or may not have been made, and the error says so (a read tells)."""
    host, ep, cfg, engine = setup
    vm = host.add_vm("web2")
    host.faults.hang_commands = True  # the host's PowerShell starts and never answers
    start = g.GuestAction(vm.id, "vmickvpexchange", g.GuestActionKind.START, vm_name="web2")
    target = contract.GuestTarget(vm.id, "Administrator", "guest-pw", (start,), "web2")

    async def scenario() -> None:
        call = asyncio.ensure_future(engine.guest(cfg, [target]))
        while ep.stats.as_json()["commands"] == 0:  # the request is out, on the host
            await asyncio.sleep(0.01)
        engine._proc.kill()
        await call

    with pytest.raises(HostError) as info:
        asyncio.run(scenario())
    assert "worker process" in info.value.message and "whether the guest changed is unknown" in info.value.message
    assert "guest-pw" not in info.value.text


def test_closing_lets_a_sent_write_finish_and_audits_it(
        setup: tuple[HyperVHost, HostEndpoint, HostConfig, ProcessEngine], tmp_path: Path) -> None:
    host, ep, cfg, _ = setup
    vm = host.add_vm("a")
    creds = MemoryCredentials()
    creds.set(cfg, PASSWORD)
    audit = tmp_path / "audit.jsonl"
    engine = ProcessEngine(creds, audit_path=audit)
    assert engine.audit.path == audit
    host.faults.command_latency_s = 0.5

    async def scenario() -> None:
        task = asyncio.ensure_future(engine.apply(cfg, [Change(vm.id, catalog.VSS, True, False, vm_name="a")]))
        while ep.stats.as_json()["commands"] == 0:
            await asyncio.sleep(0.01)
        engine.close()  # the window closes while the write is on the host
        with pytest.raises(HostError) as info:
            await task
        assert info.value.kind is ErrorKind.CANCELLED

    asyncio.run(scenario())
    assert engine.join(30)  # the child ended by itself, after the write
    assert host.vm(vm.id).enabled[catalog.VSS] is False  # type: ignore[union-attr]
    records = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert [(r["event"], r["vm_name"], r["result"], r["after"]) for r in records] == [
        ("intent", "a", "pending", None), ("outcome", "a", "changed", False)]
    assert ep.stats.as_json()["shells_open"] == 0
