"""One kept-alive PowerShell per host connection, over real WinRM (pywinrm -> simulator).

The simulated host EXECUTES the loop (``hvgui.core.contract.LOOP``) with its PowerShell
interpreter: ``[Console]::In.ReadLine()`` on a stdin that stays open across Sends and Receives,
the Hyper-V module loaded once per process, a cost per request. What the host paid for is read
from its counters (``/_sim/stats``), never from wall time.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from winrm.protocol import Protocol

from hvgui.core import catalog, contract
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Outcome
from hvgui.remote import scripts
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine, Operation, OpState
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "labadmin", "S3cret-for-tests-only"


def wait_for(pred: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (bounded) for a condition the host reaches by itself (its reaper, our idle timer)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not pred():
        assert time.monotonic() < deadline, "condition not reached in time"
        pause.wait(0.02)


class Lab:
    def __init__(self, tmp: Path) -> None:
        self.endpoints: list[HostEndpoint] = []
        self.creds = MemoryCredentials()
        self.audit_path = tmp / "audit.jsonl"
        self.engine = Engine(self.creds, audit=AuditLog(self.audit_path))
        self.ops: list[Operation] = []
        self.engine.subscribe(lambda op: self.ops.append(op) if op.state is not OpState.RUNNING else None)

    def host(self, name: str = "HV01", vms: int = 3, **kw: Any) -> tuple[HyperVHost, HostConfig, HostEndpoint]:
        host = HyperVHost(name, logins=[Login(USER, PASSWORD, admin=True)], **kw)
        for i in range(vms):
            host.add_vm(f"vm{i}")
        ep = HostEndpoint(host)
        ep.start()
        self.endpoints.append(ep)
        cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=name, timeout_s=30)
        self.creds.set(cfg, PASSWORD)
        return host, cfg, ep

    def run(self, coro: Any) -> Any:
        return asyncio.run(coro)

    def close(self) -> None:
        self.engine.close(wait=True)
        for ep in self.endpoints:
            ep.stop()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    lab = Lab(tmp_path)
    try:
        yield lab
    finally:
        lab.close()


def test_second_refresh_pays_no_process_start(lab: Lab) -> None:
    _host, cfg, ep = lab.host(vms=5)
    for _ in range(3):
        inv = lab.run(lab.engine.inventory(cfg))
        assert [v.name for v in inv.vms] == [f"vm{i}" for i in range(5)]
    s = ep.stats_json()
    # powershell.exe started, and the Hyper-V module loaded, once for three refreshes.
    assert s["powershell_starts"] == 1 and s["module_loads"] == 1
    assert s["commands"] == 1 and s["kept_alive_requests"] == 3
    assert s["operations"]["inventory"] == 3
    assert s["processes_running"] == 1  # still alive for the next one
    assert lab.ops[-1].outcome == "5 VMs"  # no fallback note


def test_the_loop_on_the_wire(lab: Lab) -> None:
    """Plain pywinrm: stdin stays open across Sends and Receives, one answer per request line,
    a script sent once and then named by its key, a failing request answered with its error (the
    process lives on), and the end of stdin ends the process."""
    _host, _cfg, ep = lab.host(vms=2)
    p = Protocol(ep.url, transport="ntlm", username=USER, password=PASSWORD, operation_timeout_sec=5,
                 read_timeout_sec=10)
    shell = p.open_shell(codepage=65001, noprofile=True)
    command = p.run_command(shell, contract.loop_command_line(), console_mode_stdin=False)

    def until(marker: bytes) -> tuple[str, bool, int]:
        out = b""
        while True:
            o, _e, code, done = p.get_command_output_raw(shell, command)
            out += o
            if marker in out or done:
                return out.decode("utf-8"), done, code

    assert until(b"\n")[0].strip() == contract.LOOP_READY + "1"
    first = contract.loop_request(1, scripts.INVENTORY, contract.inventory_request(), send_script=True)
    p.send_command_input(shell, command, first.encode("ascii"), end=False)
    out, done, _ = until(b"HVGUI-DONE:1:")
    assert not done and out.splitlines()[-1] == "HVGUI-DONE:1:ok"
    assert len(contract.parse_inventory(contract.decode_result(out)).vms) == 2
    # The second request does not carry the script: the process compiled it already.
    second = contract.loop_request(2, scripts.INVENTORY, contract.inventory_request(), send_script=False)
    assert len(second) < 200
    p.send_command_input(shell, command, second.encode("ascii"), end=False)
    out, done, _ = until(b"HVGUI-DONE:2:")
    assert not done and len(contract.parse_inventory(contract.decode_result(out)).vms) == 2
    # A request the operation refuses: its error comes back as data; the process goes on.
    wrong = contract.loop_request(3, scripts.INVENTORY, {"op": "apply", "v": 1}, send_script=False)
    p.send_command_input(shell, command, wrong.encode("ascii"), end=False)
    out, done, _ = until(b"HVGUI-DONE:3:")
    last = out.strip().splitlines()[-1]
    assert last.startswith("HVGUI-DONE:3:error:") and not done
    assert "runs 'inventory' v1 requests only" in base64.b64decode(last.split(":", 3)[3]).decode("utf-8")
    # An unknown script key is refused, not run.
    unknown = contract.loop_request(4, scripts.APPLY, contract.apply_request([]), send_script=False)
    p.send_command_input(shell, command, unknown.encode("ascii"), end=False)
    assert until(b"HVGUI-DONE:4:")[0].strip().splitlines()[-1].startswith("HVGUI-DONE:4:error:")
    p.send_command_input(shell, command, b"", end=True)
    _, done, code = until(b"\x00")
    assert done and code == 0
    p.cleanup_command(shell, command)
    p.close_shell(shell)
    assert ep.stats_json()["powershell_starts"] == 1 and ep.stats_json()["operations"]["inventory"] == 3


def test_process_dies_mid_apply_is_unknown_then_reconciled_never_applied_twice(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=2)
    vm = host.vms[0]
    lab.run(lab.engine.inventory(cfg))
    host.faults.kill_before_reply = 1  # carried out, then the process ends before it answers
    change = Change(vm.id, catalog.VSS, True, False)
    res = lab.run(lab.engine.apply(cfg, [change]))
    assert res.lost and "PowerShell ended" in res.lost
    [item] = res.items
    assert item.outcome is Outcome.CHANGED and item.reconciled and item.enabled is False
    s = ep.stats_json()
    assert s["operations"]["apply"] == 1  # never sent again
    assert s["powershell_starts"] == 2  # a new process for the re-read
    assert not host.vms[0].enabled[catalog.VSS]
    kinds = [line for line in lab.audit_path.read_text(encoding="utf-8").splitlines()]
    assert any('"unknown"' in k for k in kinds) and any('"reconciled"' in k for k in kinds)
    # The host goes on being read, by the new process.
    lab.run(lab.engine.inventory(cfg))
    assert ep.stats_json()["powershell_starts"] == 2


def test_kill_after_changes_counts_each_request_of_a_kept_alive_process(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=2)
    lab.run(lab.engine.inventory(cfg))
    host.faults.kill_commands_after_changes = 2
    vm = host.vms[0]
    for guid in (catalog.VSS, catalog.HEARTBEAT):  # one change per request: never two in one
        res = lab.run(lab.engine.apply(cfg, [Change(vm.id, guid, True, False)]))
        assert not res.lost and [i.outcome for i in res.items] == [Outcome.CHANGED]
    assert ep.stats_json()["powershell_starts"] == 1
    # Three in one request: the process ends after the second; the re-read (a new process) says so.
    other = host.vms[1]
    changes = [Change(other.id, g, True, False) for g in (catalog.VSS, catalog.HEARTBEAT, catalog.SHUTDOWN)]
    res = lab.run(lab.engine.apply(cfg, changes))
    assert res.lost and res.unknown == 0
    assert [i.outcome for i in res.items] == [Outcome.CHANGED, Outcome.CHANGED, Outcome.NOT_APPLIED]
    now = host.vm(other.id)
    assert now is not None and [now.enabled[c.service_guid] for c in changes] == [False, False, True]
    assert ep.stats_json()["powershell_starts"] == 2


def test_timed_kill_set_back_to_never_spares_the_next_request(lab: Lab) -> None:
    """``kill_commands_after_s`` times each request of a kept-alive process, not the process's age:
    once set back to 0, no timer armed when the process started ends a later request."""
    host, cfg, _ = lab.host(vms=1)
    host.faults.kill_commands_after_s = 1.0
    lab.run(lab.engine.inventory(cfg))  # the process starts under the fault
    host.faults.kill_commands_after_s = 0
    host.costs.per_change_s = 0.3  # the apply runs well past 1 s after that process started
    vm = host.vms[0]
    changes = [Change(vm.id, g, on, not on) for g, on in vm.enabled.items()]
    res = lab.run(lab.engine.apply(cfg, changes))
    assert not res.lost and {i.outcome for i in res.items} == {Outcome.CHANGED}


def test_process_dies_mid_read_is_read_again(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=2)
    lab.run(lab.engine.inventory(cfg))
    host.faults.kill_before_reply = 1
    inv = lab.run(lab.engine.inventory(cfg))
    assert len(inv.vms) == 2
    s = ep.stats_json()
    assert s["powershell_starts"] == 2 and s["operations"]["inventory"] == 3
    # It dies again, and so does the new one before its first answer: one command per operation.
    host.faults.kill_before_reply = 2
    inv = lab.run(lab.engine.inventory(cfg))
    assert len(inv.vms) == 2 and host.faults.kill_before_reply == 0
    assert "one command per operation" in lab.ops[-1].outcome and "ended before answering" in lab.ops[-1].outcome


def test_shell_dropped_by_the_host_restarts_transparently(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=2)
    lab.run(lab.engine.inventory(cfg))
    host.faults.idle_timeout_s = 0.0  # the host's WinRS IdleTimeout deletes the shell and its process
    wait_for(lambda: ep.stats_json()["shells_open"] == 0)
    host.faults.idle_timeout_s = 7200.0
    res = lab.run(lab.engine.apply(cfg, [Change(host.vms[1].id, catalog.VSS, True, False)]))
    assert [i.outcome for i in res.items] == [Outcome.CHANGED] and not res.lost
    s = ep.stats_json()
    assert s["shells_created"] == 2 and s["powershell_starts"] == 2 and s["operations"]["apply"] == 1
    assert lab.ops[-1].state is OpState.OK


def test_idle_kept_alive_powershell_is_retired(tmp_path: Path) -> None:
    lab = Lab(tmp_path)
    lab.engine.close()
    lab.engine = Engine(lab.creds, kept_alive_idle_s=0.2)
    try:
        _host, cfg, ep = lab.host(vms=1)
        lab.run(lab.engine.inventory(cfg))
        assert ep.stats_json()["processes_running"] == 1
        wait_for(lambda: ep.stats_json()["processes_running"] == 0)  # ended by hvgui when idle
        assert ep.stats_json()["shells_open"] == 1  # the shell stays for the next operation
        lab.run(lab.engine.inventory(cfg))
        s = ep.stats_json()
        assert s["powershell_starts"] == 2 and s["shells_created"] == 1
    finally:
        lab.close()
    assert ep.stats_json()["shells_open"] == 0


def test_fallback_when_the_hosts_policy_ends_the_kept_alive_powershell(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=2)
    host.kept_alive = False
    inv = lab.run(lab.engine.inventory(cfg))
    assert len(inv.vms) == 2
    # The activity panel says so, with the host's reason.
    note = lab.ops[-1].outcome
    assert note.startswith("2 VMs; one command per operation: the host's kept-alive PowerShell cannot be used")
    assert "policy" in note
    first = ep.stats_json()
    res = lab.run(lab.engine.apply(cfg, [Change(host.vms[0].id, catalog.VSS, True, False)]))
    assert [i.outcome for i in res.items] == [Outcome.CHANGED]
    assert "one command per operation" in lab.ops[-1].outcome
    s = ep.stats_json()
    # Not tried again for every operation: one command, one process per operation.
    assert s["commands"] - first["commands"] == 1 and s["powershell_starts"] - first["powershell_starts"] == 1
    assert s["kept_alive_requests"] == 0


def test_fallback_on_a_host_too_old_still_says_too_old(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=1)
    host.powershell = "2.0"
    with pytest.raises(HostError) as info:
        lab.run(lab.engine.inventory(cfg))
    assert info.value.kind is ErrorKind.POWERSHELL_TOO_OLD
    session = lab.engine._sessions[cfg.key]  # what the session decided
    assert session.fallback is not None and "Windows PowerShell 2.0" in session.fallback
    assert ep.stats_json()["kept_alive_requests"] == 0


def test_not_shared_between_users(lab: Lab) -> None:
    host, cfg, ep = lab.host(vms=1)
    host.logins.append(Login("other", "Other-pw-for-tests", admin=True))
    other = HostConfig(url=ep.url, auth=Auth.NTLM, username="other", name="HV01 as other", timeout_s=30)
    lab.creds.set(other, "Other-pw-for-tests")
    lab.run(lab.engine.inventory(cfg))
    lab.run(lab.engine.inventory(other))  # another login: the first one's process and shell are not reused
    lab.run(lab.engine.inventory(cfg))
    s = ep.stats_json()
    assert s["powershell_starts"] == 3 and s["shells_created"] == 3 and s["kept_alive_requests"] == 3


def test_process_ended_behind_hvguis_back_is_replaced_without_a_second_shell(lab: Lab) -> None:
    """Someone ends hvgui's kept-alive PowerShell (Signal terminate on its command) while the
    shell stays: the next request is refused by the host, nothing ran, and hvgui starts again in a
    new shell after deleting the old one (never two shells at once)."""
    _host, cfg, ep = lab.host(vms=2)
    lab.run(lab.engine.inventory(cfg))
    session = lab.engine._sessions[cfg.key]
    shell_id, command_id = session._loop.shell_id, session._loop.command_id
    other = Protocol(ep.url, transport="ntlm", username=USER, password=PASSWORD, operation_timeout_sec=5,
                     read_timeout_sec=10)
    other.cleanup_command(shell_id, command_id)
    ep.reset_shells_open_max()
    inv = lab.run(lab.engine.inventory(cfg))
    assert len(inv.vms) == 2
    s = ep.stats_json()
    assert s["shells_created"] == 2 and s["shells_open"] == 1 and s["shells_open_max"] == 1
    assert s["powershell_starts"] == 2 and s["operations"]["inventory"] == 2
