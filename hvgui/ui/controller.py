"""Drives the engine for the window: refresh (all hosts in parallel), apply (one batch per
host, in parallel), auto-refresh with back-off, and tells the models what changed.

Everything here runs on the GUI thread (the engine hands results back on the loop's thread);
the network waits happen inside ``await`` on the engine's worker pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from hvgui.core.hosts import HostConfig
from hvgui.core.model import ApplyResult, Change, DiskResult, Inventory, ItemResult, Outcome
from hvgui.core.reconcile import reconcile
from hvgui.remote.audit import AuditUnavailable
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.ui import gui_gc
from hvgui.ui.i18n import tr
from hvgui.ui.setup_disk import DiskPlan, DiskSummary
from hvgui.ui.state import (
    RETRYABLE,
    CellKey,
    CellPhase,
    CellResult,
    FleetState,
    HostEntry,
    HostStatus,
    Plan,
    VmDiff,
    backoff_s,
    now,
    on_off,
)
from hvgui.ui.undo import Edit, EditHistory, describe
from hvgui.ui.words import plural, word

log = logging.getLogger(__name__)

TURN_BUDGET_S = 0.015
TURN_PAUSE_S = 0.004
RECONCILE_RETRY_S = 5.0
"""A host with changes of unknown outcome is read again this soon (backing off while it fails),
whatever the auto-refresh setting: its next answer reconciles them."""
RECONCILE_RETRY_CAP_S = 120.0


class EngineLike(Protocol):
    async def inventory(self, host: HostConfig) -> Inventory: ...

    async def apply(self, host: HostConfig, changes: list[Change]) -> ApplyResult: ...

    async def insert_setup_disk(self, host: HostConfig, vms: list[tuple[str, str]], *,
                                replace: bool = False) -> tuple[DiskResult, ...]: ...

    def record_reconciled(self, host: HostConfig, batch: str, changes: list[Change],
                          items: list[ItemResult]) -> None: ...

    def subscribe(self, listener: Callable[[Any], None]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ApplySummary:
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    failed: int = 0
    hosts_failed: int = 0
    not_applied: int = 0
    """Answer lost, and a re-read shows the old state: pending for Retry."""
    unknown: int = 0
    """Answer lost, host not read again yet: reconciled at its next answer."""

    FIELDS = ("changed", "unchanged", "conflicts", "failed", "hosts_failed", "not_applied", "unknown")

    def __add__(self, other: ApplySummary) -> ApplySummary:
        return ApplySummary(*(getattr(self, f) + getattr(other, f) for f in self.FIELDS))

    def text(self) -> str:
        parts = [tr("%n changed", "", self.changed)]
        if self.unchanged:
            parts.append(tr("%n already in that state", "", self.unchanged))
        if self.conflicts:
            parts.append(tr("%n conflict(s)", "", self.conflicts))
        if self.failed:
            parts.append(tr("%n failed", "", self.failed))
        if self.not_applied:
            parts.append(tr("%n not applied (answer lost; re-read)", "", self.not_applied))
        if self.unknown:
            parts.append(tr("%n outcome unknown (answer lost; re-read when the host answers)", "", self.unknown))
        if self.hosts_failed:
            parts.append(tr("%n host(s) unreachable or refused", "", self.hosts_failed))
        return ", ".join(parts)


def unexpected(exc: Exception, host: str) -> HostError:
    return HostError(ErrorKind.PROTOCOL, f"unexpected error in hvgui: {type(exc).__name__}: {exc}", host=host)


class Controller(QObject):
    hostsReset = Signal()
    """The list of hosts changed (structure)."""
    hostsChanged = Signal(object)
    """``list[str]``: hosts whose connection state, facts or timestamps changed."""
    vmsChanged = Signal(object)
    """``dict[str, VmDiff]``: host key -> what changed among its VMs."""
    cellsChanged = Signal(object)
    """``list[CellKey]`` whose pending target or apply result changed."""
    extraServicesChanged = Signal()
    refreshFinished = Signal()
    """A refresh of every host (started by :meth:`refresh`) is over."""
    roundStarted = Signal(int, object)
    """``(round id, host keys)``: a refresh round (:meth:`refresh`) starts reading these hosts."""
    roundFinished = Signal(int)
    applyFinished = Signal(object)
    """:class:`ApplySummary`."""
    historyChanged = Signal()
    """What Undo and Redo would do changed."""
    setupDiskFinished = Signal(object)
    """:class:`~hvgui.ui.setup_disk.DiskSummary`: inserting the setup disk is over."""

    def __init__(self, engine: EngineLike, hosts: Iterable[HostConfig] = (), *, read_only: bool = False,
                 auto_refresh_s: float = 60.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.state = FleetState(hosts)
        self.read_only = read_only
        self.auto_refresh_s = auto_refresh_s
        self.refresh_rounds = 0
        self._round_ids = 0
        self.history = EditHistory()
        """Edits of the pending changes, for Undo/Redo."""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._host_tasks: dict[str, tuple[HostEntry, asyncio.Task[None]]] = {}
        """host key -> the entry being read and its read (an edited host is a new entry)."""
        self._applying = 0
        self._closed = False
        self._turn_lock = asyncio.Lock()
        self._turn_started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        # Results of many hosts land in one turn of the event loop; the views hear of them in
        # one batch per turn (one dataChanged per block of rows), not once per host.
        self._dirty_hosts: dict[str, None] = {}
        self._dirty_vms: dict[str, VmDiff] = {}
        self._dirty_cells: list[CellKey] = []
        self._dirty_extras = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self.flush)
        self._tidied = 0

    def _tidy_memory(self) -> None:
        self._tidied += 1
        gui_gc.tidy(thaw=self._tidied % gui_gc.THAW_EVERY == 0)

    # ------------------------------------------------------------ batched notifications
    def _post(self, *, host: str | None = None, vms: tuple[str, VmDiff] | None = None,
              cells: Iterable[CellKey] = (), extras: bool = False) -> None:
        if host is not None:
            self._dirty_hosts[host] = None
        if vms is not None and vms[1]:
            key, diff = vms
            old = self._dirty_vms.get(key)
            self._dirty_vms[key] = diff if old is None else VmDiff(
                added=tuple(dict.fromkeys(old.added + diff.added)),
                removed=tuple(dict.fromkeys(old.removed + diff.removed)),
                changed=tuple(dict.fromkeys(old.changed + diff.changed)))
        self._dirty_cells.extend(cells)
        self._dirty_extras = self._dirty_extras or extras
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Tell the views what changed since the last flush: columns, then rows, then cells,
        then hosts (each signal once)."""
        self._flush_timer.stop()
        extras, self._dirty_extras = self._dirty_extras, False
        vms, self._dirty_vms = self._dirty_vms, {}
        cells, self._dirty_cells = self._dirty_cells, []
        hosts, self._dirty_hosts = list(self._dirty_hosts), {}
        if extras:
            self.extraServicesChanged.emit()
        if vms:
            self.vmsChanged.emit(vms)
        if cells:
            self.cellsChanged.emit(list(dict.fromkeys(cells)))
        if hosts:
            self.hostsChanged.emit(hosts)

    # ------------------------------------------------------------ lifecycle
    def set_hosts(self, hosts: Iterable[HostConfig]) -> None:
        self.flush()
        self.state.set_hosts(hosts)
        # A read of a host that was edited (new entry) or removed is of no use any more: its
        # result would be thrown away, and the new entry needs a read of its own.
        for key, (entry, task) in list(self._host_tasks.items()):
            if self.state.hosts.get(key) is not entry:
                task.cancel()
        self._dirty_hosts.clear()
        self._dirty_vms.clear()
        self._dirty_cells.clear()
        self.hostsReset.emit()

    def start_auto_refresh(self) -> None:
        self._timer.start()

    def set_auto_refresh(self, seconds: float) -> None:
        self.auto_refresh_s = seconds
        for entry in self.state.hosts.values():
            entry.next_due = now() + backoff_s(seconds, entry.failures)

    @property
    def busy(self) -> bool:
        return bool(self._host_tasks) or self._applying > 0

    @property
    def applying(self) -> bool:
        return self._applying > 0

    async def close(self) -> None:
        """Cancel every task and wait until they have unwound; then close the engine."""
        self._closed = True
        self._timer.stop()
        self._flush_timer.stop()
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.engine.close()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:  # a bug, not a host failure: never a silent death
            sys.excepthook(type(exc), exc, exc.__traceback__)

    # ------------------------------------------------------------ refresh
    def refresh(self, keys: Iterable[str] | None = None, *, restart: bool = False) -> asyncio.Task[None]:
        """Read the given hosts (default: all) in parallel; returns the task of the round.
        ``restart``: a read already running is cancelled and started again (e.g. a new password)."""
        chosen = list(self.state.hosts) if keys is None else [k for k in keys if k in self.state.hosts]
        if restart:
            for k in chosen:
                running = self._host_tasks.pop(k, None)
                if running is not None:
                    running[1].cancel()
        self._round_ids += 1
        self.roundStarted.emit(self._round_ids, chosen)
        return self._spawn(self._refresh_round(chosen, self._round_ids))

    async def _refresh_round(self, keys: list[str], round_id: int = 0) -> None:
        try:
            tasks = [self._refresh_host_task(k) for k in keys if k in self.state.hosts]
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self.roundFinished.emit(round_id)
        self.flush()
        self._tidy_memory()
        self.refresh_rounds += 1
        self.refreshFinished.emit()

    def _refresh_host_task(self, key: str) -> asyncio.Task[None]:
        entry = self.state.hosts[key]
        running = self._host_tasks.get(key)
        # Only a read of this very entry will do: one of an entry since replaced would discard
        # its result and leave the new one "Connecting…" for ever.
        if running is not None and running[0] is entry and not running[1].done():
            return running[1]
        task: asyncio.Task[None] = self._spawn(self._refresh_host(key, entry))
        self._host_tasks[key] = (entry, task)

        def forget(t: asyncio.Task[None], k: str = key) -> None:
            mine = self._host_tasks.get(k)
            if mine is not None and mine[1] is t:
                del self._host_tasks[k]

        task.add_done_callback(forget)
        return task

    async def _refresh_host(self, key: str, entry: HostEntry) -> None:
        epoch = entry.epoch
        entry.refreshing = True
        if entry.status is HostStatus.FAILED or not entry.loaded:
            entry.status = HostStatus.CONNECTING
        self._post(host=key)
        try:
            inv = await self.engine.inventory(entry.config)
        except HostError as exc:
            if self.state.hosts.get(key) is not entry:
                return
            entry.status, entry.error = HostStatus.FAILED, exc
            entry.failures += 1
            entry.next_due = now() + self._retry_in(key, entry.failures)
            log.info("refresh of %s failed: %s", entry.name, exc)
            return
        except Exception as exc:  # a bug: show the host as failed, then let the excepthook report it
            entry.status, entry.error = HostStatus.FAILED, unexpected(exc, entry.name)
            entry.failures += 1
            entry.next_due = now() + backoff_s(self.auto_refresh_s, entry.failures)
            raise
        finally:
            entry.refreshing = False
            if self.state.hosts.get(key) is entry:
                self._post(host=key)
        async with self._gui_turn():
            self._take_inventory(key, entry, epoch, inv)

    def _retry_in(self, key: str, failures: int) -> float:
        """When to read a failing host again: its auto-refresh back-off, but soon (and whatever
        the setting) while it has changes of unknown outcome."""
        if any(c[0] == key for c in self.state.in_doubt):
            return backoff_s(RECONCILE_RETRY_S, failures, RECONCILE_RETRY_CAP_S)
        return backoff_s(self.auto_refresh_s, failures)

    @contextlib.asynccontextmanager
    async def _gui_turn(self) -> AsyncIterator[None]:
        """Results of many hosts arrive in a burst; taking them all in one go would freeze the
        window for as long. Take them one at a time, and after ~15 ms of such work pause for a
        few ms so Qt can paint and handle input."""
        async with self._turn_lock:
            if time.perf_counter() - self._turn_started > TURN_BUDGET_S:
                await asyncio.sleep(TURN_PAUSE_S)
                self._turn_started = time.perf_counter()
            yield

    def _take_inventory(self, key: str, entry: HostEntry, epoch: int, inv: Inventory) -> None:
        if self.state.hosts.get(key) is not entry:
            return
        entry.status, entry.error, entry.failures = HostStatus.CONNECTED, None, 0
        entry.next_due = now() + self.auto_refresh_s
        if entry.epoch != epoch:
            # An apply started while this read was in flight: its re-read is newer than this.
            log.info("discarding a read of %s that started before an apply", entry.name)
            self._post(host=key)
            return
        entry.last_refresh = time.time()
        settled = self._reconcile(key, entry, inv)
        extras = len(self.state.extra_services)
        diff, dropped = self.state.set_inventory(key, inv)
        self._post(host=key, vms=(key, diff), cells=settled + dropped,
                   extras=len(self.state.extra_services) != extras)

    def _reconcile(self, key: str, entry: HostEntry, inv: Inventory) -> list[CellKey]:
        """Cells of this host whose outcome was unknown, decided by a fresh read of it (in the
        target state: changed; still the old state: not applied, pending for Retry; anything
        else: conflict). The engine audits what was decided."""
        doubt = [(c, d) for c, d in self.state.in_doubt.items() if c[0] == key]
        if not doubt:
            return []
        items = reconcile([change for _, (change, _) in doubt], inv)
        settled: list[CellKey] = []
        by_batch: dict[str, list[tuple[Change, ItemResult]]] = {}
        for (cell, (change, batch)), item in zip(doubt, items, strict=True):
            if item.outcome is Outcome.UNKNOWN:
                continue
            self._settle(cell, change, item, batch)
            settled.append(cell)
            by_batch.setdefault(batch, []).append((change, item))
        for batch, pairs in by_batch.items():
            self.engine.record_reconciled(entry.config, batch, [c for c, _ in pairs], [i for _, i in pairs])
        if settled:
            log.info("%s: %d changes of unknown outcome reconciled from a read", entry.name, len(settled))
        return settled

    def _tick(self) -> None:
        if self._closed:
            return
        t = now()
        doubt = {c[0] for c in self.state.in_doubt}
        due = [k for k, e in self.state.hosts.items()
               if (self.auto_refresh_s > 0 or k in doubt) and not e.refreshing and not e.applying
               and e.next_due <= t]
        # A new (or edited) entry has next_due 0.0: due at once. A host that failed keeps its
        # back-off even when it was never read (hence no "or not e.loaded" here).
        if due:
            self.refresh(due)

    # ------------------------------------------------------------ edits
    def set_target(self, cells: Iterable[CellKey], target: bool) -> bool:
        if self.read_only:
            return False
        return self._edit("Enable" if target else "Disable", lambda: self.state.set_target(cells, target))

    def toggle(self, cells: Iterable[CellKey]) -> bool:
        if self.read_only:
            return False
        return self._edit("Change", lambda: self.state.toggle(cells))

    def reset_default(self, cells: Iterable[CellKey]) -> bool:
        if self.read_only:
            return False
        return self._edit("Reset to default", lambda: self.state.reset_default(cells))

    def revert(self, cells: Iterable[CellKey] | None = None) -> bool:
        return self._edit("Revert", lambda: self.state.revert(cells))

    def undo(self) -> bool:
        """Put back the pending changes as they were before the last edit."""
        edit = None if self.read_only else self.history.take_undo()
        self.historyChanged.emit()
        return edit is not None and self._changed(self.state.restore_pending(edit.before))

    def redo(self) -> bool:
        edit = None if self.read_only else self.history.take_redo()
        self.historyChanged.emit()
        return edit is not None and self._changed(self.state.restore_pending(edit.after))

    def _edit(self, verb: str, do: Callable[[], list[CellKey]]) -> bool:
        before = dict(self.state.pending)
        touched = do()
        if touched:
            self.history.push(Edit(describe(verb, touched), {c: before.get(c) for c in touched},
                                   {c: self.state.pending.get(c) for c in touched}))
            self.historyChanged.emit()
        return self._changed(touched)

    def _changed(self, cells: list[CellKey]) -> bool:
        # An edit by the admin shows at once (after whatever was waiting, in order).
        if cells:
            self._post(cells=cells)
            self.flush()
        return bool(cells)

    # ------------------------------------------------------------ apply
    def plan(self, *, failed_only: bool = False) -> Plan:
        return self.state.plan(self.state.failed_cells() if failed_only else None)

    def apply(self, plan: Plan) -> asyncio.Task[ApplySummary]:
        if self.read_only:
            raise PermissionError("read-only mode: nothing can be applied")
        # Once sent, changes are the host's: undoing an edit can no longer take them back.
        self.history.clear()
        self.historyChanged.emit()
        # Counted from now (not from when the task first runs): the window disables Apply at once.
        self._applying += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._applying -= 1

        task: asyncio.Task[ApplySummary] = self._spawn(self._apply(plan, release))
        task.add_done_callback(lambda _t: release())  # cancelled before it ever ran
        return task

    async def _apply(self, plan: Plan, release: Callable[[], None] = lambda: None) -> ApplySummary:
        # Results of the previous apply on these hosts are history now. Failures stay until
        # retried, and an apply still running (another batch) keeps its progress.
        hosts = {k for k, items in plan.by_host.items() if items}
        keep = RETRYABLE | {CellPhase.APPLYING, CellPhase.UNKNOWN}
        old = [c for c, r in self.state.results.items() if c[0] in hosts and r.phase not in keep]
        for c in old:
            del self.state.results[c]
        self._post(cells=old)
        try:
            results = await asyncio.gather(*(self._apply_host(k, items) for k, items in plan.by_host.items()
                                             if items), return_exceptions=True)
        finally:
            release()
        self.flush()
        parts = [r for r in results if isinstance(r, ApplySummary)]
        bugs = [r for r in results if isinstance(r, BaseException)]
        total = ApplySummary(hosts_failed=len(bugs))
        for p in parts:
            total = total + p
        self._tidy_memory()
        self.applyFinished.emit(total)
        if bugs:
            raise bugs[0]
        return total

    async def _apply_host(self, key: str, items: tuple[Any, ...]) -> ApplySummary:
        entry = self.state.hosts.get(key)
        if entry is None:  # removed between the plan and its confirmation
            return ApplySummary()
        cells: list[CellKey] = []
        changes: list[Change] = []
        for p in items:
            # The plan was built from what the window showed; only send what is still pending.
            if (self.state.pending.get(p.cell) == p.target and self.state.current(p.cell) == p.current
                    and p.cell not in self.state.in_doubt):
                cells.append(p.cell)
                changes.append(p.change())
        if not changes:
            return ApplySummary()
        entry.epoch += 1
        entry.applying = True
        for c in cells:
            self.state.results[c] = CellResult(CellPhase.APPLYING)
        self._post(host=key, cells=cells)
        try:
            try:
                result = await self.engine.apply(entry.config, changes)
            except HostError as exc:
                if self._replaced(key, entry, cells):
                    return ApplySummary(failed=len(cells))
                # Nothing was sent (a batch that was sent comes back as a result, unknown at worst).
                for c in cells:
                    self.state.results[c] = CellResult(CellPhase.FAILED, f"not applied: {exc.text}")
                if isinstance(exc, AuditUnavailable):  # not the host's fault
                    entry.applying = False
                    self._post(host=key, cells=cells)
                    return ApplySummary(failed=len(cells))
                if exc.kind is not ErrorKind.CANCELLED:
                    entry.status, entry.error = HostStatus.FAILED, exc
                entry.applying = False
                self._post(host=key, cells=cells)
                return ApplySummary(failed=len(cells), hosts_failed=1)
            except Exception as exc:  # a bug: the cells fail visibly, the excepthook reports it
                if self._replaced(key, entry, cells):
                    raise
                for c in cells:
                    self.state.results[c] = CellResult(CellPhase.FAILED, unexpected(exc, entry.name).text)
                entry.applying = False
                self._post(host=key, cells=cells)
                raise
            async with self._gui_turn():
                entry.applying = False
                if self._replaced(key, entry, cells):
                    return ApplySummary(failed=len(cells))
                summary = self._take_result(key, cells, changes, result)
                self._post(host=key)
            return summary
        except asyncio.CancelledError:
            for c in cells:
                self.state.results.pop(c, None)
            self._post(host=key, cells=cells)
            raise
        finally:
            entry.applying = False

    # ------------------------------------------------------------ setup disk
    def insert_setup_disk(self, plan: DiskPlan) -> asyncio.Task[DiskSummary]:
        """Insert the Integration Services setup disk into the plan's VMs: one command per host,
        hosts in parallel, audited by the engine; a result per VM."""
        if self.read_only:
            raise PermissionError("read-only mode: nothing can be changed")
        self._applying += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._applying -= 1

        task: asyncio.Task[DiskSummary] = self._spawn(self._insert_setup_disk(plan, release))
        task.add_done_callback(lambda _t: release())
        return task

    async def _insert_setup_disk(self, plan: DiskPlan, release: Callable[[], None]) -> DiskSummary:
        async def one(key: str, vms: tuple[tuple[str, str], ...]) -> tuple[DiskResult, ...] | HostError:
            entry = self.state.hosts.get(key)
            if entry is None:
                return HostError(ErrorKind.CANCELLED, "host removed before the setup disk was inserted", host=key)
            try:
                return await self.engine.insert_setup_disk(entry.config, list(vms), replace=plan.replace)
            except HostError as exc:
                return exc

        keys = [k for k, v in plan.by_host.items() if v]
        try:
            outs = await asyncio.gather(*(one(k, plan.by_host[k]) for k in keys))
        finally:
            release()
        results: dict[tuple[str, str], DiskResult] = {}
        names: dict[tuple[str, str], str] = {}
        errors: dict[str, HostError] = {}
        for key, out in zip(keys, outs, strict=True):
            names.update({(key, vm_id): name for vm_id, name in plan.by_host[key]})
            if isinstance(out, HostError):
                errors[key] = out
                continue
            for r in out:
                results[(key, r.vm_id)] = r
        self.state.disk_results.update(results)
        summary = DiskSummary(results, names, errors)
        self.setupDiskFinished.emit(summary)
        return summary

    def _replaced(self, key: str, entry: HostEntry, cells: list[CellKey]) -> bool:
        """True when the host was edited (a new entry) or removed while its apply ran: the
        result belongs to a configuration that is gone, so it is not merged; the cells say so."""
        if self.state.hosts.get(key) is entry:
            return False
        if key in self.state.hosts:
            for c in cells:
                self.state.results[c] = CellResult(
                    CellPhase.FAILED, "host was edited or removed during the apply; read it again")
            self._post(host=key, cells=cells)
        log.info("apply on %s ended after the host was edited or removed", entry.name)
        return True

    def _take_result(self, key: str, cells: list[CellKey], changes: list[Change],
                     result: ApplyResult) -> ApplySummary:
        entry = self.state.hosts[key]
        extras = len(self.state.extra_services)
        diff, dropped = self.state.merge_vms(key, result.vms)
        by_cell = {(key, i.vm_id, i.service_guid): i for i in result.items}
        counts = dict.fromkeys(ApplySummary.FIELDS, 0)
        for cell, change in zip(cells, changes, strict=True):
            item = by_cell.get(cell) or ItemResult(cell[1], cell[2], Outcome.UNKNOWN,
                                                   "the host's answer had no result for it")
            counts[self._settle(cell, change, item, result.batch)] += 1
        if counts["unknown"]:
            # Sent, answer lost, and the host did not answer a re-read either: read it again soon;
            # its next answer reconciles these cells.
            entry.status = HostStatus.FAILED
            why = result.lost or "no result for some changes"
            n = counts["unknown"]
            entry.error = HostError(ErrorKind.UNREACHABLE, f"the answer to the apply was lost ({why}); "
                                    f"{plural(n, 'change')} {word(n, 'has')} an unknown outcome until the host "
                                    "answers again", host=entry.name)
            entry.failures += 1
            entry.next_due = now() + self._retry_in(key, entry.failures)
            if not self._timer.isActive():
                self._timer.start()
        else:
            entry.status, entry.error = HostStatus.CONNECTED, None
        entry.last_refresh = time.time() if result.vms else entry.last_refresh
        self._post(host=key, vms=(key, diff), cells=cells + dropped,
                   extras=len(self.state.extra_services) != extras)
        return ApplySummary(**counts)

    def _settle(self, cell: CellKey, change: Change, item: ItemResult, batch: str) -> str:
        """Show one item's outcome in its cell (pending kept or dropped); returns the
        :class:`ApplySummary` field it counts in."""
        st = self.state
        host_now = item.enabled if item.enabled is not None else st.current(cell)
        how = " (confirmed by a re-read: the host's answer to the apply was lost)" if item.reconciled else ""
        if item.outcome is Outcome.UNKNOWN:
            # It may have been applied: locked (no edit, no Retry) until a read of the host decides.
            st.results[cell] = CellResult(CellPhase.UNKNOWN, item.message)
            st.in_doubt[cell] = (change, batch)
            return "unknown"
        st.in_doubt.pop(cell, None)
        if item.outcome is Outcome.CHANGED:
            st.results[cell] = CellResult(CellPhase.CHANGED, f"now {on_off(host_now)}{how}")
            st.pending.pop(cell, None)
            return "changed"
        if item.outcome is Outcome.UNCHANGED:
            st.results[cell] = CellResult(CellPhase.UNCHANGED, f"host says {on_off(host_now)}{how}")
            st.pending.pop(cell, None)
            return "unchanged"
        if item.outcome is Outcome.CONFLICT:
            # Someone else changed it since we read it: show it, never overwrite it.
            msg = item.message or f"expected {on_off(change.expected)}, the host says {on_off(host_now)}"
            st.results[cell] = CellResult(CellPhase.CONFLICT, msg)
            st.pending.pop(cell, None)
            return "conflicts"
        if item.outcome is Outcome.NOT_APPLIED:
            # The re-read shows the old state: the change stays pending, and Retry sends it again
            # (expecting the old state, which is what the host has).
            st.results[cell] = CellResult(CellPhase.NOT_APPLIED, item.message or "the host still has the old state")
            return "not_applied"
        reason = item.message or item.outcome.value.replace("_", " ")
        st.results[cell] = CellResult(CellPhase.FAILED, reason)
        if item.outcome in (Outcome.VM_NOT_FOUND, Outcome.SERVICE_NOT_OFFERED):
            st.pending.pop(cell, None)  # retrying cannot help
        return "failed"
