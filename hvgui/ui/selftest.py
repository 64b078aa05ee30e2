"""``hvgui --self-test``: the demo end to end, without a person.

The built-in simulated fleet is started in-process (as ``--demo`` does) and reached over real
WinRM; the real window (offscreen unless a platform is chosen), its controller and the engine's
worker process do the work, exactly as when an admin clicks:

1. connect and refresh every host; each must answer with its VMs;
2. on two running VMs of two different hosts, change one service (tick it the other way);
3. open the window's plan for it and confirm it (the plan dialog's Apply button);
4. check the outcome of each change, that the audit log recorded them, then refresh and check
   that the hosts (as the window re-reads them, and as the simulator holds them) say the same.

Exit code 0, or 1 with what failed. Nothing of the user's is touched: the audit log and the
window's settings go to a temporary folder, and the hosts file is not read.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, SignalInstance

from hvgui.core import catalog
from hvgui.ui import i18n
from hvgui.ui.controller import ApplySummary, Controller
from hvgui.ui.main_window import MainWindow
from hvgui.ui.state import CellKey, CellPhase, HostStatus

STEP_TIMEOUT_S = 120.0
SERVICE = catalog.GUEST_SERVICE_INTERFACE
"""Offered by every host of the demo fleet but the 2012 one, off by default: a tick anyone sees."""


class SelfTestFailed(Exception):
    pass


@dataclass
class SelfTestReport:
    steps: list[str] = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None

    def text(self) -> str:
        lines = [f"  ok  {s}" for s in self.steps]
        if self.failure is not None:
            lines.append(f"  FAILED  {self.failure}")
            lines.append(f"hvgui self-test FAILED after {self.seconds:.1f} s")
        else:
            lines.append(f"hvgui self-test passed in {self.seconds:.1f} s")
        return "\n".join(lines)


async def wait_signal(signal: SignalInstance, what: str, start: Callable[[], Any] | None = None,
                      timeout: float = STEP_TIMEOUT_S) -> tuple[Any, ...]:
    """Connect to ``signal``, call ``start``, and wait for the signal's next emission."""
    fut: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def done(*args: Any) -> None:
        if not fut.done():
            fut.set_result(args)

    signal.connect(done)
    try:
        if start is not None:
            start()
        return await asyncio.wait_for(fut, timeout)
    except TimeoutError:
        raise SelfTestFailed(f"{what}: nothing after {timeout:.0f} s") from None
    finally:
        signal.disconnect(done)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailed(message)


async def refresh_all(controller: Controller, what: str) -> None:
    await wait_signal(controller.refreshFinished, what, controller.refresh)
    st = controller.state
    failed = [f"{e.name}: {e.error}" for e in st.hosts.values() if e.status is not HostStatus.CONNECTED]
    check(not failed, f"{what}: " + "; ".join(failed))


def pick_cells(controller: Controller) -> list[CellKey]:
    """One running VM offering the service on each of two hosts."""
    cells: list[CellKey] = []
    for key, entry in controller.state.hosts.items():
        for vm_id in entry.sorted_vm_ids():
            vm = entry.vms[vm_id]
            if vm.state == "Running" and vm.service(SERVICE) is not None:
                cells.append((key, vm_id, SERVICE))
                break
        if len(cells) == 2:
            return cells
    raise SelfTestFailed(f"no two hosts have a running VM offering {catalog.get(SERVICE).english_name}")  # type: ignore[union-attr]


async def run_self_test(window: MainWindow, controller: Controller, *, fleet: Any, audit_path: Path,
                        report: SelfTestReport) -> None:
    """Raises :class:`SelfTestFailed` (or anything unexpected); ``report.steps`` says how far it got."""
    st = controller.state
    window.show()
    await refresh_all(controller, "first refresh")
    vms = sum(len(e.vms) for e in st.hosts.values())
    check(vms > 0, "the hosts answered with no VM")
    report.steps.append(f"{len(st.hosts)} hosts connected over WinRM, {vms} VMs read")
    check(window.grid_model.rowCount() > 0, "the grid shows no VM")

    cells = pick_cells(controller)
    targets: dict[CellKey, bool] = {}
    for cell in cells:
        current = st.current(cell)
        check(current is not None, f"{cell}: the service has no state")
        targets[cell] = not current
        check(controller.set_target([cell], not current), f"{cell}: the change was refused")
    label = {c: f"{st.hosts[c[0]].name}/{st.vm(c[0], c[1]).name}" for c in cells}  # type: ignore[union-attr]
    names = ", ".join(label.values())
    check(len(st.pending) == 2, f"{len(st.pending)} pending changes, expected 2")
    report.steps.append(f"changed Guest services on {names} (pending)")

    dlg = window.open_plan()
    check(dlg is not None, "the plan did not open")
    assert dlg is not None
    check(dlg.plan.change_count == 2 and dlg.plan.host_count == 2,
          f"the plan has {dlg.plan.change_count} changes on {dlg.plan.host_count} hosts, expected 2 on 2")
    (summary,) = await wait_signal(controller.applyFinished, "apply", dlg.apply_button.click)
    assert isinstance(summary, ApplySummary)
    check(summary.changed == 2 and summary.failed == 0 and summary.hosts_failed == 0,
          f"apply: {summary.text()}")
    for cell in cells:
        result = st.results.get(cell)
        check(result is not None and result.phase is CellPhase.CHANGED,
              f"{label[cell]}: outcome {result.phase if result else 'missing'}, expected changed")
    check(not st.pending, f"{len(st.pending)} changes still pending after the apply")
    report.steps.append(f"applied through the plan and the engine's worker process: {summary.text()}")

    records = [json.loads(line) for line in audit_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for cell in cells:
        events = [(r.get("event"), r.get("result")) for r in records if r.get("vm_id") == cell[1]]
        check(events == [("intent", "pending"), ("outcome", "changed")],
              f"{label[cell]}: the audit log says {events}, expected an intent then a 'changed' outcome")
    report.steps.append("audit log: an intent and a 'changed' outcome per change")

    await refresh_all(controller, "refresh after the apply")
    for cell in cells:
        check(st.current(cell) is targets[cell], f"{label[cell]}: re-read {st.current(cell)}, expected {targets[cell]}")
        idx = window.grid_model.cell_index(cell)
        want = Qt.CheckState.Checked if targets[cell] else Qt.CheckState.Unchecked
        check(idx.isValid() and idx.data(Qt.ItemDataRole.CheckStateRole) == want,
              f"{label[cell]}: the grid does not show the re-read state")
        host = next(h for h in fleet.hosts if h.name == st.hosts[cell[0]].name)
        check(host.vm(cell[1]).enabled[cell[2]] is targets[cell], f"{label[cell]}: the simulated host did not change")
    report.steps.append("re-read: the hosts and the grid show the new state")

    problems = i18n.check_translations("fr")
    check(not problems, "French: " + "; ".join(problems))
    report.steps.append("French translations load (hvgui_fr and Qt's qtbase_fr)")


async def self_test_window(window: MainWindow, controller: Controller, *, fleet: Any,
                           audit_path: Path) -> SelfTestReport:
    report = SelfTestReport()
    started = time.monotonic()
    try:
        await run_self_test(window, controller, fleet=fleet, audit_path=audit_path, report=report)
    except SelfTestFailed as exc:
        report.failure = str(exc)
    except Exception as exc:  # the self-test says what broke, whatever it was
        report.failure = f"unexpected error: {type(exc).__name__}: {exc}"
    report.seconds = time.monotonic() - started
    await settle_guest_side(window)
    window.close()
    await controller.close()
    return report


async def settle_guest_side(window: MainWindow, timeout: float = STEP_TIMEOUT_S) -> None:
    """Let the guest side's reads (started after the first refresh) end before the window and
    its event loop go away, so none is cut off half-way."""
    sides = getattr(window.details_pane, "guest", None)
    if sides is None:
        return
    idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def changed(busy: bool) -> None:
        if not busy and not idle.done():
            idle.set_result(None)

    sides.busyChanged.connect(changed)
    try:
        if sides.busy:
            await asyncio.wait_for(idle, timeout)
    except TimeoutError:
        pass  # the process ends all the same; the report is written
    finally:
        sides.busyChanged.disconnect(changed)
