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


def shown(text: str | None) -> str:
    """A tooltip or label text as Qt shows it: rendered as HTML when Qt takes it for HTML (so a
    VM named ``<b>x</b>`` that Qt would render bold shows up here as plain ``x``)."""
    from PySide6.QtGui import Qt as QtGuiNamespace
    from PySide6.QtGui import QTextDocument

    if not text:
        return ""
    if QtGuiNamespace.mightBeRichText(text):
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


# ------------------------------------------------------------------ the real stack: a lab of simulated hosts

LAB_USER, LAB_PASSWORD = "uitest", "ui-test-password-only"
LAB_TIMEOUT = 30_000
VmSpec = str | dict[str, Any]
"""A VM name, or ``add_vm``'s keyword arguments (with ``name``)."""
HostSpec = list[VmSpec] | dict[str, Any]
"""VMs, or ``{"vms": [...], "locale": "de-DE", "os": "2025", ...}`` (HyperVHost's arguments)."""

DEFAULT_LAB: dict[str, HostSpec] = {"HV-A": ["app1", "app2", "db ‘prod’"], "HV-B": ["app1", "web[1]"]}


class Lab:
    """Simulated Hyper-V hosts on loopback reached over real WinRM (NTLM), the real engine in its
    worker process (as the app runs it), and the real window. Nothing is mocked between the
    grid and the simulated Hyper-V."""

    def __init__(self, qtbot: Any, audit_path: Any, *, hosts: dict[str, HostSpec] | None = None,
                 read_only: bool = False, settings: Any = None, settings_path: Any = None,
                 size: tuple[int, int] | None = None, **window_kw: Any) -> None:
        from PySide6.QtCore import Qt

        from hvgui.remote.credentials import MemoryCredentials
        from hvgui.remote.worker import ProcessEngine
        from hvgui.simulator.hyperv import HyperVHost
        from hvgui.simulator.interfaces import Login
        from hvgui.simulator.server import HostEndpoint
        from hvgui.ui.controller import Controller
        from hvgui.ui.main_window import MainWindow

        self.qtbot = qtbot
        self.hosts: dict[str, HyperVHost] = {}
        self.endpoints: list[HostEndpoint] = []
        self.configs: dict[str, HostConfig] = {}
        self.credentials = MemoryCredentials()
        for name, spec in (hosts or DEFAULT_LAB).items():
            options = dict(spec) if isinstance(spec, dict) else {"vms": spec}
            vms = options.pop("vms", [])
            host = HyperVHost(name, logins=[Login(LAB_USER, LAB_PASSWORD)], **options)
            for vm in vms:
                if isinstance(vm, str):
                    host.add_vm(vm)
                else:
                    kw = dict(vm)
                    host.add_vm(kw.pop("name"), **kw)
            ep = HostEndpoint(host)
            ep.start()
            cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=LAB_USER, name=name, timeout_s=20)
            self.credentials.set(cfg, LAB_PASSWORD)
            self.hosts[name], self.configs[name] = host, cfg
            self.endpoints.append(ep)
        self.audit_path = audit_path
        self.engine = ProcessEngine(self.credentials, audit_path=audit_path)
        self.controller = Controller(self.engine, list(self.configs.values()), read_only=read_only,
                                     auto_refresh_s=0)
        self.window = MainWindow(self.controller, settings, settings_path=settings_path,
                                 credentials=self.credentials, **window_kw)
        qtbot.addWidget(self.window)
        # The offscreen screen is small: the window would open maximized on it. Tests choose.
        self.window.setWindowState(Qt.WindowState.WindowNoState)
        self.window.resize(*(size or (1700, 950)))
        self.window.show()
        self.window.activateWindow()  # shortcuts (F5, Ctrl+S...) only reach an active window
        qtbot.waitUntil(self.window.isActiveWindow)
        self._qt = Qt
        self.refresh()

    # ---------------------------------------------------------- helpers
    def activate(self) -> None:
        """Make the window active (a dialog may have had it): shortcuts only reach an active window."""
        if not self.window.isActiveWindow():
            self.window.activateWindow()
            self.qtbot.waitUntil(self.window.isActiveWindow)

    def refresh(self) -> None:
        """F5, as a person would press it."""
        before = self.controller.refresh_rounds
        self.activate()
        self.qtbot.keyClick(self.window, self._qt.Key.Key_F5)
        self.qtbot.waitUntil(lambda: self.controller.refresh_rounds > before, timeout=LAB_TIMEOUT)

    def vm_id(self, host: str, name: str) -> str:
        return self.hosts[host].find_vms(name)[0].id

    def row(self, host: str, name: str) -> tuple[str, str]:
        return (self.configs[host].key, self.vm_id(host, name))

    def cell(self, host: str, vm: str, guid: str) -> tuple[str, str, str]:
        return (self.configs[host].key, self.vm_id(host, vm), guid)

    def select_cells(self, cells: list[tuple[str, str, str]]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        grid, model = self.window.grid, self.window.grid_model
        sel = QItemSelection()
        for c in cells:
            idx = model.cell_index(c)
            assert idx.isValid(), c
            sel.select(idx, idx)
        grid.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        grid.selectionModel().setCurrentIndex(model.cell_index(cells[0]), QItemSelectionModel.SelectionFlag.NoUpdate)
        grid.setFocus()

    def grid_names(self) -> list[str]:
        from hvgui.ui.models import ColKind

        model = self.window.grid_model
        col = model.column_of((ColKind.VM, ""))
        return [model.index(r, col).data() for r in range(model.rowCount())]

    def apply_through_plan(self, *, retry: bool = False) -> tuple[str, Any]:
        """Open the plan (Ctrl+S or Retry failed), confirm it with a click; returns the plan's
        summary text and the apply's summary."""
        Qt = self._qt
        if retry:
            self.qtbot.waitUntil(self.window.act_retry.isEnabled)
            self.window.act_retry.trigger()
        else:
            self.activate()
            self.qtbot.keyClick(self.window.grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        dlg = self.window.plan_dialog
        assert dlg is not None and dlg.isVisible()
        text = dlg.summary.text()
        with self.qtbot.waitSignal(self.controller.applyFinished, timeout=LAB_TIMEOUT) as blocker:
            self.qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
        return text, blocker.args[0]

    def sim_enabled(self, cell: tuple[str, str, str]) -> bool:
        host = next(h for n, h in self.hosts.items() if self.configs[n].key == cell[0])
        vm = host.vm(cell[1])
        assert vm is not None
        return vm.enabled[cell[2]]

    def close(self) -> None:
        import asyncio

        import shiboken6

        # pytest-qt closes the widgets it was given (and deletes them later) before the fixtures
        # end: with two labs in one test, closing the first one lets Qt delete the second window.
        if shiboken6.isValid(self.window):
            self.window.close()
        task = asyncio.ensure_future(self.controller.close())
        self.qtbot.waitUntil(task.done, timeout=LAB_TIMEOUT)
        self.engine.join(30)  # the worker deletes its shells while the hosts still answer
        for ep in self.endpoints:
            ep.stop()


@pytest.fixture
def lab_factory(qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Any) -> Iterator[Callable[..., Lab]]:
    """``lab_factory(hosts=..., read_only=..., ...) -> Lab``; every lab is closed at the end."""
    labs: list[Lab] = []

    def make(**kw: Any) -> Lab:
        labs.append(Lab(qtbot, tmp_path / f"audit-{len(labs)}.jsonl", **kw))
        return labs[-1]

    yield make
    for lab in labs:
        lab.close()
