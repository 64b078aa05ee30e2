"""The audit log is written ahead: an intent record per change is on disk (fsync) before the
batch is sent, its outcome follows; writers in several processes (the window's worker, the CLI)
never interleave or lose a line (an OS file lock); and when the log cannot be written, nothing
is sent and the user is told why."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ui_helpers

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Outcome
from hvgui.remote import audit as audit_module
from hvgui.remote import cli
from hvgui.remote.audit import AuditLog, AuditUnavailable, append_lines, file_lock
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.worker import ProcessEngine
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.ui.state import CellPhase, HostStatus

qloop = ui_helpers.qloop
USER, PASSWORD = "wal-admin", "wal-test-pw"


@pytest.fixture
def host() -> Iterator[tuple[HyperVHost, HostEndpoint, HostConfig, MemoryCredentials]]:
    h = HyperVHost("HV-WAL", logins=[Login(USER, PASSWORD)])
    h.add_vm("a")
    h.add_vm("b")
    ep = HostEndpoint(h)
    ep.start()
    creds = MemoryCredentials()
    cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name="HV-WAL")
    creds.set(cfg, PASSWORD)
    try:
        yield h, ep, cfg, creds
    finally:
        ep.stop()


def changes_for(h: HyperVHost) -> list[Change]:
    return [Change(v.id, catalog.VSS, True, False, vm_name=v.name) for v in h.vms]


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_intents_are_on_disk_before_the_batch_is_sent(
        host: tuple[HyperVHost, HostEndpoint, HostConfig, MemoryCredentials], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    h, ep, cfg, creds = host
    path = tmp_path / "audit.jsonl"
    synced: list[tuple[Any, list[str]]] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        real_fsync(fd)
        # What the host had been asked when the record reached the disk, and what the file holds.
        events = [r["event"] for r in read(path)] if path.exists() else []
        synced.append((ep.stats.as_json()["commands"], events))

    assert audit_module.__dict__["os"] is os  # the audit log's fsync is this one
    monkeypatch.setattr(os, "fsync", spy)
    engine = Engine(creds, audit=AuditLog(path))
    try:
        result = asyncio.run(engine.apply(cfg, changes_for(h)))
    finally:
        engine.close(wait=True)
    assert [i.outcome for i in result.items] == [Outcome.CHANGED] * 2
    assert synced[0] == (0, ["intent", "intent"])  # flushed before the host saw any command
    assert synced[-1][1] == ["intent", "intent", "outcome", "outcome"]
    records = read(path)
    assert {r["batch"] for r in records} == {result.batch}
    intent = records[0]
    assert {"time", "user", "host", "vm_id", "vm_name", "service", "before", "target"} <= intent.keys()
    assert (intent["host"], intent["vm_name"], intent["before"], intent["target"]) == ("HV-WAL", "a", True, False)
    assert [(r["result"], r["after"]) for r in records[2:]] == [("changed", False)] * 2


def test_an_audit_log_that_cannot_be_written_sends_nothing(
        host: tuple[HyperVHost, HostEndpoint, HostConfig, MemoryCredentials], tmp_path: Path) -> None:
    h, ep, cfg, creds = host
    blocked = tmp_path / "audit-is-a-folder"
    blocked.mkdir()
    engine = Engine(creds, audit=AuditLog(blocked))
    try:
        with pytest.raises(AuditUnavailable) as info:
            asyncio.run(engine.apply(cfg, changes_for(h)))
    finally:
        engine.close(wait=True)
    assert "audit log" in info.value.message and "nothing was sent" in info.value.message
    assert info.value.title == "Audit log cannot be written"
    assert ep.stats.as_json()["commands"] == 0 and ep.stats.as_json()["connections"] == 0
    assert all(v.enabled[catalog.VSS] for v in h.vms)
    # The same through the worker process, as the window runs it: the error crosses whole.
    worker = ProcessEngine(creds, audit_path=blocked)
    try:
        with pytest.raises(AuditUnavailable) as info:
            asyncio.run(worker.apply(cfg, changes_for(h)))
        assert info.value.title == "Audit log cannot be written" and info.value.host == "HV-WAL"
    finally:
        worker.close(wait=True)
    assert ep.stats.as_json()["commands"] == 0
    assert all(v.enabled[catalog.VSS] for v in h.vms)


def test_the_cli_refuses_to_apply_without_an_audit_log(
        host: tuple[HyperVHost, HostEndpoint, HostConfig, MemoryCredentials], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    h, ep, _, _ = host
    monkeypatch.setenv("HVGUI_WAL_PW", PASSWORD)
    args = cli.build_parser().parse_args(["--host", ep.url, "--user", USER, "--password-env", "HVGUI_WAL_PW",
                                          "--audit-log", str(tmp_path), "apply", "--vm", "*", "--disable", "VSS",
                                          "--yes"])
    with pytest.raises(cli.UsageError) as info:
        asyncio.run(cli.run(args, io.StringIO(), io.StringIO()))
    assert "audit log" in str(info.value) and "nothing can be applied" in str(info.value)
    operations: dict[str, int] = ep.stats.as_json()["operations"]  # type: ignore[assignment]
    assert operations.get("apply", 0) == 0
    assert all(v.enabled[catalog.VSS] for v in h.vms)


def test_the_window_says_why_and_keeps_the_changes(qloop: asyncio.AbstractEventLoop, qtbot: Any,
                                                   tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    lab = ui_helpers.Lab(qtbot, blocked)
    try:
        cell = lab.cell("HV-A", "app1", catalog.GUEST_SERVICE_INTERFACE)
        assert lab.controller.set_target([cell], True)
        _, summary = lab.apply_through_plan()
        st = lab.controller.state
        assert summary.failed == 1 and summary.hosts_failed == 0
        assert st.results[cell].phase is CellPhase.FAILED and "audit log" in st.results[cell].message
        assert st.pending[cell] is True  # kept for Retry once the log can be written
        assert st.hosts[cell[0]].status is HostStatus.CONNECTED  # not the host's fault
        assert lab.sim_enabled(cell) is False
    finally:
        lab.close()


# --------------------------------------------------------------------------- the file lock

WRITER = r"""
import sys
from pathlib import Path
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change
from hvgui.remote.audit import AuditLog

path, who, batches = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
log = AuditLog(path)
host = HostConfig(url="http://hv.example.test:5985/wsman", auth=Auth.NTLM, username="u", name=who)
big = who + "-" + "x" * 8000  # lines far over any atomic-write size
changes = [Change(f"00000000-0000-4000-8000-{n:012d}", "2497F4DE-E9FA-4204-80E4-4B75C46419C0", True, False,
                  vm_name=big) for n in range(5)]
for _ in range(batches):
    log.intent(host, changes)
"""


def test_writers_in_several_processes_never_interleave_or_lose_a_line(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "audit.jsonl"
    writers, batches = 4, 25
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{i}", str(batches)], env=env)
             for i in range(writers)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(line) for line in lines[:-1]]  # every line is whole JSON
    assert len(records) == writers * batches * 5
    # Each batch's five lines are together.
    for start in range(0, len(records), 5):
        chunk = records[start:start + 5]
        assert len({r["batch"] for r in chunk}) == 1 and len({r["host"] for r in chunk}) == 1
    assert {r["host"] for r in records} == {f"w{i}" for i in range(writers)}


@pytest.mark.skipif(sys.platform == "win32", reason="checks flock from a second handle")
def test_the_lock_is_an_os_lock_between_handles(tmp_path: Path) -> None:
    import fcntl

    path = tmp_path / "audit.jsonl"
    append_lines(path, [{"n": 1}])
    holder = os.open(path, os.O_WRONLY | os.O_APPEND)
    other = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        with file_lock(holder):
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what another process would see
            with pytest.raises(OSError, match="locked"), file_lock(other, timeout=0.1):
                pass
        append_lines(path, [{"n": 2}])  # released: the next writer appends whole
    finally:
        os.close(holder)
        os.close(other)
    assert [r["n"] for r in read(path)] == [1, 2]
