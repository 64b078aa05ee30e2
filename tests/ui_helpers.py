"""Fixtures and builders for the ui tests (imported by tests/test_ui_*.py; not a conftest)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import PySide6.QtWidgets  # noqa: F401  (PySide6 before qasync)
import pytest
import qasync

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import (
    VM,
    ApplyResult,
    Change,
    HostFacts,
    Inventory,
    ItemResult,
    Outcome,
    ServiceState,
    StatusValue,
)
from hvgui.core.status import ENGLISH_DESCRIPTIONS, OperationalStatus
from hvgui.remote.engine import Operation, OpState
from hvgui.remote.errors import ErrorKind, HostError

_ids = itertools.count(1)


def status(code: OperationalStatus) -> StatusValue:
    return StatusValue(int(code), code.name, ENGLISH_DESCRIPTIONS[code])


def make_vm(name: str, *, vm_id: str | None = None, state: str = "Running",
            enabled: dict[str, bool] | None = None, extra: tuple[ServiceState, ...] = ()) -> VM:
    vm_id = vm_id or f"00000000-0000-4000-8000-{next(_ids):012d}"
    services = []
    for s in catalog.SERVICES:
        on = (enabled or {}).get(s.guid, s.default_enabled)
        primary = status(OperationalStatus.Ok) if (on and state == "Running") else None
        services.append(ServiceState(s.guid, s.english_name, on, primary))
    return VM(vm_id, name, state, "10.0.20348.1", "Up to date", "Windows Server 2022",
              tuple(services) + extra)


def with_service(vm: VM, guid: str, enabled: bool) -> VM:
    return replace(vm, services=tuple(replace(s, enabled=enabled) if s.guid == guid else s for s in vm.services))


def host_config(name: str) -> HostConfig:
    return HostConfig(url=f"http://{name.lower()}.example.test:5985/wsman", auth=Auth.NTLM, username="admin",
                      name=name)


class FakeEngine:
    """The engine's async interface over in-memory inventories (for model/controller tests;
    the end-to-end tests use the real engine against the simulator)."""

    def __init__(self, inventories: dict[str, Inventory]) -> None:
        self.inventories = dict(inventories)
        self.errors: dict[str, HostError] = {}
        self.gates: dict[str, asyncio.Event] = {}
        """host name -> event an inventory waits for (to hold a read in flight)."""
        self.apply_gates: dict[str, asyncio.Event] = {}
        self.calls: list[tuple[str, str]] = []
        self.listeners: list[Callable[[Operation], None]] = []
        self.closed = False
        self.reconciled: list[tuple[str, str, list[tuple[Change, ItemResult]]]] = []
        self._op_ids = itertools.count(1)

    def subscribe(self, listener: Callable[[Operation], None]) -> None:
        self.listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Operation], None]) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def _op(self, host: HostConfig, kind: str, payload: dict[str, Any]) -> Operation:
        op = Operation(next(self._op_ids), host.display_name, kind, f"{kind} on {host.display_name}",
                       "# hvgui-operation: test v1\n", payload)
        for listener in self.listeners:
            listener(op)
        return op

    def _finish(self, op: Operation, error: HostError | None = None, outcome: str = "") -> None:
        op.state = OpState.FAILED if error else OpState.OK
        op.error, op.outcome = error, outcome
        op.finished = op.started + 0.1
        for listener in self.listeners:
            listener(op)

    async def inventory(self, host: HostConfig) -> Inventory:
        name = host.display_name
        self.calls.append(("inventory", name))
        op = self._op(host, "inventory", {"op": "inventory"})
        snapshot = self.inventories.get(name)
        gate = self.gates.get(name)
        if gate is not None:
            await gate.wait()
        await asyncio.sleep(0)
        if name in self.errors:
            self._finish(op, self.errors[name])
            raise self.errors[name]
        assert snapshot is not None
        self._finish(op, outcome=f"{len(snapshot.vms)} VMs")
        return snapshot

    async def apply(self, host: HostConfig, changes: list[Change]) -> ApplyResult:
        name = host.display_name
        self.calls.append(("apply", name))
        op = self._op(host, "apply", {"op": "apply", "changes": len(changes)})
        gate = self.apply_gates.get(name)
        if gate is not None:
            await gate.wait()
        await asyncio.sleep(0)
        if name in self.errors:
            self._finish(op, self.errors[name])
            raise self.errors[name]
        inv = self.inventories[name]
        vms = {v.id: v for v in inv.vms}
        items: list[ItemResult] = []
        touched: set[str] = set()
        for c in changes:
            vm = vms.get(c.vm_id)
            svc = vm.service(c.service_guid) if vm else None
            if vm is None:
                items.append(ItemResult(c.vm_id, c.service_guid, Outcome.VM_NOT_FOUND, "gone"))
            elif svc is None:
                items.append(ItemResult(c.vm_id, c.service_guid, Outcome.SERVICE_NOT_OFFERED))
            elif svc.enabled != c.expected:  # checked first, like apply.ps1
                items.append(ItemResult(c.vm_id, c.service_guid, Outcome.CONFLICT, enabled=svc.enabled))
            elif svc.enabled == c.target:
                items.append(ItemResult(c.vm_id, c.service_guid, Outcome.UNCHANGED, enabled=svc.enabled))
            else:
                vms[vm.id] = with_service(vm, c.service_guid, c.target)
                touched.add(vm.id)
                items.append(ItemResult(c.vm_id, c.service_guid, Outcome.CHANGED, enabled=c.target))
        self.inventories[name] = Inventory(inv.host, tuple(vms[v.id] for v in inv.vms))
        self._finish(op, outcome=f"{len(items)} items")
        return ApplyResult(tuple(items), tuple(vms[i] for i in touched | {c.vm_id for c in changes} if i in vms))

    def record_reconciled(self, host: HostConfig, batch: str, changes: list[Change],
                          items: list[ItemResult]) -> None:
        self.reconciled.append((host.display_name, batch, list(zip(changes, items, strict=True))))

    def close(self) -> None:
        self.closed = True


def unreachable(name: str) -> HostError:
    return HostError(ErrorKind.UNREACHABLE, "connection refused", host=name)


def inventory(name: str, vms: list[VM]) -> Inventory:
    return Inventory(HostFacts(name, "Microsoft Windows Server 2022 Datacenter", "10.0.20348", "en-US"),
                     tuple(vms))


@pytest.fixture
def qloop(qapp: Any, qtbot: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop driven by Qt's own event processing (so ``qtbot.waitUntil`` runs it)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=10000)
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
        # Mark it stopped without loop.stop(): that calls app.exit(), which would end the
        # next test's waits too.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        loop._after_run_forever()
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def check_model(request: pytest.FixtureRequest) -> Iterator[Callable[[Any], None]]:
    """``check_model(model)``: pytest-qt's model tester, one tester per model (the stock
    ``qtmodeltester`` fixture is a single tester: checking two models that signal each other,
    like a proxy and its source, mixes their in-flight changes). Each tester keeps watching its
    model's signals until the end of the test."""
    from pytestqt.modeltest import ModelTester

    testers: dict[int, ModelTester] = {}

    def check(model: Any) -> None:
        tester = testers.get(id(model))
        if tester is None:  # connects to every signal and checks on each one from now on
            tester = testers[id(model)] = ModelTester(request.config)
            tester.check(model, force_py=True)
        else:  # already watching: check everything again now
            tester._run()

    yield check
    for tester in testers.values():
        tester._cleanup()
