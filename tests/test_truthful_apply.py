"""Every apply stays truthful when a host's answer is lost: pywinrm -> HTTP -> the simulator,
nothing mocked. A batch that was sent and whose answer is lost is reconciled from a re-read
(changed / not applied / conflict), or stays *unknown*; it is never reported as failed or not
applied without a read that shows it. Every item has an intent and an outcome in the audit log."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import VM, ApplyResult, Change, HostFacts, Inventory, ItemResult, Outcome, ServiceState
from hvgui.core.reconcile import reconcile
from hvgui.remote import cli
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine, Operation, OpState
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.remote.transport import OutcomeUnknown
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "truth-admin", "truth-test-pw"


# --------------------------------------------------------------------------- reconcile (core, no I/O)

def _vm(vm_id: str, enabled: dict[str, bool], error: str | None = None) -> VM:
    return VM(vm_id, vm_id, "Running", services=tuple(ServiceState(g, g, on) for g, on in enabled.items()),
              error=error)


def test_reconcile_decides_each_item_from_the_read() -> None:
    hb, ts, vss = catalog.HEARTBEAT, catalog.TIME_SYNC, catalog.VSS
    inv = Inventory(HostFacts("H"), (_vm("a", {hb: False, ts: True}), _vm("b", {hb: True}), _vm("c", {}, "locked")))
    changes = [Change("A", hb, True, False),   # the host has the target: changed
               Change("a", ts, True, False),   # the host still has the old state: not applied
               Change("b", vss, True, False),  # the service is gone: conflict
               Change("gone", hb, True, False),  # the VM is gone: conflict
               Change("c", hb, True, False)]   # the VM cannot be read: still unknown
    items = reconcile(changes, inv, "connection dropped")
    assert [i.outcome for i in items] == [Outcome.CHANGED, Outcome.NOT_APPLIED, Outcome.CONFLICT,
                                          Outcome.CONFLICT, Outcome.UNKNOWN]
    assert [i.reconciled for i in items] == [True, True, True, True, False]
    assert [i.enabled for i in items] == [False, True, None, None, None]
    assert items[0].vm_id == "a" and "confirmed by a re-read" in items[0].message
    assert "connection dropped" in items[1].message


# --------------------------------------------------------------------------- the host

class Lab:
    def __init__(self, tmp_path: Path) -> None:
        self.host = HyperVHost("HV-TRUTH", logins=[Login(USER, PASSWORD)])
        self.vms = [self.host.add_vm(f"vm{i}") for i in range(4)]
        self.ep = HostEndpoint(self.host)
        self.ep.start()
        self.creds = MemoryCredentials()
        self.audit_path = tmp_path / "audit.jsonl"
        self.engine = Engine(self.creds, audit=AuditLog(self.audit_path))
        self.cfg = self.config()

    def config(self, timeout_s: float = 20.0) -> HostConfig:
        cfg = HostConfig(url=self.ep.url, auth=Auth.NTLM, username=USER, name="HV-TRUTH", timeout_s=timeout_s)
        self.creds.set(cfg, PASSWORD)
        return cfg

    def every_change(self, vms: int = 4) -> list[Change]:
        """Flip every service of the first ``vms`` VMs (6 changes per VM)."""
        return [Change(v.id, g, on, not on, vm_name=v.name) for v in self.vms[:vms] for g, on in v.enabled.items()]

    def apply(self, changes: list[Change], cfg: HostConfig | None = None) -> ApplyResult:
        result: ApplyResult = asyncio.run(self.engine.apply(cfg or self.cfg, changes))
        return result

    def now(self, c: Change) -> bool:
        vm = self.host.vm(c.vm_id)
        assert vm is not None
        return vm.enabled[c.service_guid]

    def audit(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.audit_path.read_text(encoding="utf-8").splitlines()]

    def timed_inventory(self) -> float:
        """How long one read of this host takes now (its per-VM pace): deadlines are set from it."""
        start = time.monotonic()
        asyncio.run(self.engine.inventory(self.cfg))
        return time.monotonic() - start

    def close(self) -> None:
        self.engine.close(wait=True)
        self.ep.stop()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    lab = Lab(tmp_path)
    try:
        yield lab
    finally:
        lab.close()


def assert_truthful(lab: Lab, changes: list[Change], result: ApplyResult) -> None:
    """Each item ends changed / not applied / conflict as the host really is, and the audit log
    has an intent, an outcome and (once the answer was lost) a reconciliation for every item."""
    assert len(result.items) == len(changes)
    for c, item in zip(changes, result.items, strict=True):
        now = lab.now(c)
        assert item.reconciled, item
        if item.outcome is Outcome.CHANGED:
            assert now == c.target and item.enabled == now, (c, item)
        elif item.outcome is Outcome.NOT_APPLIED:
            assert now == c.expected and item.enabled == now, (c, item)  # never something that was applied
        else:
            pytest.fail(f"unexpected outcome {item}")
    records = lab.audit()
    assert len({r["batch"] for r in records if r["event"] == "intent"}) >= 1
    for c, item in zip(changes, result.items, strict=True):
        mine = [r for r in records if r["vm_id"] == c.vm_id and r["service_guid"] == c.service_guid
                and r["batch"] == result.batch]
        assert [(r["event"], r["result"]) for r in mine] == [
            ("intent", "pending"), ("outcome", "unknown"), ("reconciled", item.outcome.value)], mine
        assert (mine[0]["before"], mine[0]["target"]) == (c.expected, c.target)
        assert mine[2]["after"] == lab.now(c) and mine[2]["reconciled"] is True


def no_shell_left(lab: Lab) -> None:
    stats: dict[str, Any] = lab.ep.stats_json()
    assert stats["shells_open"] <= 1 and stats["shells_open_max"] <= 1, stats


# --------------------------------------------------------------------------- (a) dropped after the host applied

def test_connection_dropped_after_the_host_applied_the_batch(lab: Lab) -> None:
    ops: list[Operation] = []
    lab.engine.subscribe(lambda op: ops.append(op) if op.state is not OpState.RUNNING else None)
    asyncio.run(lab.engine.inventory(lab.cfg))
    changes = lab.every_change(2)
    lab.host.faults.drop_after_command = 1  # the batch runs to its end; its answer never comes
    result = lab.apply(changes)
    assert result.lost and result.unknown == 0
    assert all(i.outcome is Outcome.CHANGED for i in result.items)  # never "not applied"
    assert_truthful(lab, changes, result)
    assert {v.id for v in result.vms} == {c.vm_id for c in changes}  # the re-read, for the window
    assert ops[-1].kind == "apply" and ops[-1].state is OpState.OK and "answer lost" in ops[-1].outcome
    no_shell_left(lab)


def test_answer_to_the_last_piece_of_the_request_lost(lab: Lab) -> None:
    """The request's end reached the host (so it may act on it) and that answer was lost."""
    asyncio.run(lab.engine.inventory(lab.cfg))
    changes = lab.every_change(1)
    lab.host.faults.drop_answers["Send"] = 1
    result = lab.apply(changes)
    assert result.lost
    assert_truthful(lab, changes, result)
    no_shell_left(lab)


# --------------------------------------------------------------------------- (b) deadline mid-batch

def test_deadline_passing_while_the_host_is_still_applying(lab: Lab) -> None:
    lab.host.faults.per_vm_latency_s = 0.12
    read = lab.timed_inventory()
    # Long enough for a re-read, much shorter than the batch (4 VMs x 6 changes, paced per change).
    cfg = lab.config(timeout_s=round(1.5 * read + 0.5, 2))
    changes = lab.every_change(4)
    start = time.monotonic()
    result = lab.apply(changes, cfg)
    assert time.monotonic() - start < cfg.timeout_s * 2 + read + 10  # the deadline, not the batch's pace
    assert "no answer within" in result.lost
    assert_truthful(lab, changes, result)
    outcomes = {i.outcome for i in result.items}
    assert outcomes == {Outcome.CHANGED, Outcome.NOT_APPLIED}, outcomes  # terminated part-way
    # Retrying what was not applied finishes the job and never calls the rest a conflict.
    lab.host.faults.per_vm_latency_s = 0
    rest = [c for c, i in zip(changes, result.items, strict=True) if i.outcome is Outcome.NOT_APPLIED]
    again = lab.apply(rest)
    assert {i.outcome for i in again.items} == {Outcome.CHANGED} and not again.lost
    assert all(lab.now(c) == c.target for c in changes)
    no_shell_left(lab)


# --------------------------------------------------------------------------- (c) only part of the batch

def test_host_that_applied_only_part_of_the_batch(lab: Lab) -> None:
    # The command's process ends part-way (after its 10th change of 24, whatever the machine's
    # load) and its answer is lost; the re-read changes nothing, so it is not killed.
    lab.host.faults.kill_commands_after_changes = 10
    lab.host.faults.drop_after_command = 1
    changes = lab.every_change(4)
    result = lab.apply(changes)
    assert result.lost and result.unknown == 0
    assert_truthful(lab, changes, result)
    applied = sum(lab.now(c) == c.target for c in changes)
    assert applied == 10  # the host really did only part of the batch
    assert sum(i.outcome is Outcome.CHANGED for i in result.items) == applied
    no_shell_left(lab)


# --------------------------------------------------------------------------- unknown, then reconciled later

def test_answer_and_re_read_both_lost_leave_items_unknown_then_a_read_decides(lab: Lab) -> None:
    changes = lab.every_change(1)
    lab.host.faults.drop_after_command = 2  # the batch's answer, then the re-read's
    result = lab.apply(changes)
    assert result.unknown == len(changes) and all(not i.reconciled for i in result.items)
    assert all(lab.now(c) == c.target for c in changes)  # it was applied: unknown, never "not applied"
    events = [(r["event"], r["result"]) for r in lab.audit()]
    assert events == [("intent", "pending")] * 6 + [("outcome", "unknown")] * 6
    # The host answers again: a read reconciles, the engine audits it.
    inv = asyncio.run(lab.engine.inventory(lab.cfg))
    items = list(reconcile(changes, inv))
    assert {i.outcome for i in items} == {Outcome.CHANGED}
    lab.engine.record_reconciled(lab.cfg, result.batch, changes, items)
    assert [r["result"] for r in lab.audit() if r["event"] == "reconciled"] == ["changed"] * 6
    assert {r["batch"] for r in lab.audit()} == {result.batch}
    no_shell_left(lab)


def test_failure_before_anything_was_sent_is_not_applied(lab: Lab) -> None:
    changes = lab.every_change(1)
    lab.host.faults.drop_answers["Command"] = 1  # the command started waiting for its request; never sent
    with pytest.raises(HostError) as info:
        lab.apply(changes)
    assert not isinstance(info.value, OutcomeUnknown) and info.value.kind is ErrorKind.UNREACHABLE
    assert all(lab.now(c) == c.expected for c in changes)
    assert [r["event"] for r in lab.audit()] == ["intent"] * 6 + ["outcome"] * 6
    assert {r["result"] for r in lab.audit() if r["event"] == "outcome"} == {"host_error:unreachable"}
    assert lab.host.faults.drop_answers["Command"] == 0
    assert lab.apply(changes).items[0].outcome is Outcome.CHANGED  # the host is usable again
    no_shell_left(lab)


# --------------------------------------------------------------------------- hvgui-cli

@pytest.fixture
def cli_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli-audit.jsonl"
    monkeypatch.setattr(cli, "default_audit_path", lambda: path)
    monkeypatch.setenv("HVGUI_TRUTH_PW", PASSWORD)
    return path


def cli_args(lab: Lab, *extra: str) -> list[str]:
    return ["--host", lab.ep.url, "--user", USER, "--password-env", "HVGUI_TRUTH_PW", *extra]


def run_cli(args: list[str]) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = asyncio.run(cli.run(cli.build_parser().parse_args(args), out, err))
    return code, out.getvalue(), err.getvalue()


def test_cli_says_when_a_lost_answer_was_reconciled(lab: Lab, cli_audit: Path) -> None:
    lab.host.faults.drop_after_command = 0
    target = lab.vms[0]

    # The inventory is served; the apply's answer is dropped (and the re-read answers).
    def arm(op: Operation) -> None:
        if op.kind == "apply" and op.state is OpState.RUNNING:
            lab.host.faults.drop_after_command = 1

    class Armed(Engine):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.subscribe(arm)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "Engine", Armed)
        code, out, err = run_cli(cli_args(lab, "apply", "--vm-id", target.id, "--disable", "Heartbeat", "--yes"))
    assert code == cli.EXIT_OK, (out, err)
    assert "answer was lost" in out and "reconciled from a re-read" in out
    assert "changed (re-read)" in out and "not applied" not in err
    assert lab.host.vm(target.id).enabled[catalog.HEARTBEAT] is False  # type: ignore[union-attr]
    events = [json.loads(x)["event"] for x in cli_audit.read_text(encoding="utf-8").splitlines()]
    assert events == ["intent", "outcome", "reconciled"]


def test_cli_exit_code_says_unknown(lab: Lab, cli_audit: Path) -> None:
    target = lab.vms[1]

    def arm(op: Operation) -> None:
        if op.kind == "apply" and op.state is OpState.RUNNING:
            lab.host.faults.drop_after_command = 2  # the answer and the re-read

    class Armed(Engine):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.subscribe(arm)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "Engine", Armed)
        code, out, _ = run_cli(cli_args(lab, "apply", "--vm-id", target.id, "--disable", "VSS", "--yes"))
    assert code == cli.EXIT_UNKNOWN
    assert "unknown" in out and "could not be read again" in out and "1 with an unknown outcome" in out
    # Running it again once the host answers: the change shows as done, nothing is sent twice.
    code, out, _ = run_cli(cli_args(lab, "apply", "--vm-id", target.id, "--disable", "VSS", "--yes"))
    assert code == cli.EXIT_OK and "0 changes" in out and "already off" in out


def test_cli_deadline_mid_batch_reports_not_applied_as_reconciled(lab: Lab, cli_audit: Path) -> None:
    # Each change costs 0.25 s on the host: the 24 changes take 6 s, a read of the 4 VMs 1 s. The
    # deadline is set from a timed read (1 s plus whatever this machine's load adds, O): 2 + 1.5 O,
    # which always lets the CLI's own read finish and the first changes land, and passes before the
    # last change as long as O < 10 s.
    lab.host.faults.per_vm_latency_s = 0.25
    timeout = round(1.5 * lab.timed_inventory() + 0.5, 2)
    code, out, err = run_cli(cli_args(lab, "--timeout", str(timeout), "apply", "--vm", "vm*",
                                      "--disable", "Heartbeat", "--disable", "Shutdown",
                                      "--disable", "Time synchronization", "--disable", "Data Exchange",
                                      "--disable", "VSS", "--enable", "Guest services", "--yes"))
    assert code == cli.EXIT_FAILED, (out, err)
    assert "no answer within" in out and "not_applied (re-read)" in out and "changed (re-read)" in out
    assert "changes not applied" not in err  # never the whole batch


def test_ctrl_c_during_a_cli_apply_reports_what_was_applied_and_what_is_unknown(
        lab: Lab, cli_audit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("needs the default SIGINT handler in the main thread")
    lab.host.faults.per_vm_latency_s = 0.12
    timeout = round(1.5 * lab.timed_inventory() + 0.5, 2)
    first = lab.vms[0]
    stop = threading.Event()

    def press_ctrl_c() -> None:
        # Once the host has applied something, the user presses Ctrl+C.
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            vm = lab.host.vm(first.id)
            if vm is not None and vm.enabled[catalog.HEARTBEAT] is False:
                os.kill(os.getpid(), signal.SIGINT)
                return
            stop.wait(0.01)

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    try:
        code = cli.main(cli_args(lab, "--timeout", str(timeout), "apply", "--vm", "vm*", "--disable", "Heartbeat",
                                 "--disable", "Shutdown", "--disable", "VSS", "--enable", "Guest services", "--yes"))
    finally:
        stop.set()
        presser.join(5)
    out, err = capsys.readouterr()
    assert code == cli.EXIT_INTERRUPTED, (out, err)
    assert "interrupted" in err and "Interrupted." in out
    # Every change is reported, as the host says it is now (or unknown): nothing applied is
    # called not applied.
    outcomes = {o.value for o in Outcome}
    lines = [ln for ln in out.splitlines() if ln.startswith("   ") and ln.split()[0] in outcomes]
    assert len(lines) == 16, out
    for vm in lab.vms:
        for label, guid in (("Heartbeat", catalog.HEARTBEAT), ("Guest services", catalog.GUEST_SERVICE_INTERFACE)):
            line = next(ln for ln in lines if f"[{vm.id}]" in ln and label in ln)
            now = lab.host.vm(vm.id).enabled[guid]  # type: ignore[union-attr]
            target = guid == catalog.GUEST_SERVICE_INTERFACE
            if line.split()[0] == "changed":
                assert now == target
            elif line.split()[0] == "not_applied":
                assert now != target
            else:
                assert line.split()[0] == "unknown"
    assert any(ln.split()[0] == "changed" for ln in lines)
    records = [json.loads(x) for x in cli_audit.read_text(encoding="utf-8").splitlines()]
    assert sum(r["event"] == "intent" for r in records) == 16
    assert sum(r["event"] == "outcome" for r in records) == 16


def test_item_results_survive_pickling_for_the_worker() -> None:
    import pickle

    res = ApplyResult((ItemResult("a", catalog.VSS, Outcome.NOT_APPLIED, "m", True, reconciled=True),),
                      lost="dropped", batch="b1")
    assert pickle.loads(pickle.dumps(res)) == res


def test_the_worker_process_ending_mid_apply_leaves_the_items_unknown(lab: Lab) -> None:
    """The window's engine runs in a worker process: if it ends while a batch is out, hvgui
    cannot know what the host did. Never "failed", never "not applied"."""
    from hvgui.remote.worker import ProcessEngine

    changes = lab.every_change(1)
    lab.host.faults.command_latency_s = 30  # the batch stays on the host while the worker dies
    worker = ProcessEngine(lab.creds)

    async def scenario() -> ApplyResult:
        task = asyncio.ensure_future(worker.apply(lab.cfg, changes))
        deadline = time.monotonic() + 30
        while lab.ep.stats.as_json()["commands"] == 0:  # wait for the batch to reach the host
            assert time.monotonic() < deadline and not task.done()
            await asyncio.sleep(0.01)
        worker._proc.kill()
        return await asyncio.wait_for(task, 30)

    try:
        result = asyncio.run(scenario())
    finally:
        worker.close(wait=True, timeout=5)
    assert {i.outcome for i in result.items} == {Outcome.UNKNOWN}
    assert "worker process" in result.lost
