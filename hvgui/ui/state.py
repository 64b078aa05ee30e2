"""What the window knows about the fleet, without Qt: hosts, their last inventory, the
pending changes (cell -> target) and the outcome of the last apply per cell.

A *cell* is one integration service of one VM on one host: ``(host_key, vm_id, guid)``.
The pending changes are one dict of cell -> target, so single clicks, bulk edits and
"retry failed" are the same thing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from hvgui.core import catalog
from hvgui.core.hosts import HostConfig
from hvgui.core.model import VM, Change, DiskResult, HostFacts, Inventory
from hvgui.remote.errors import HostError
from hvgui.ui.i18n import tr

CellKey = tuple[str, str, str]
"""``(host_key, vm_id, service_guid)``."""
RowKey = tuple[str, str]
"""``(host_key, vm_id)``."""


class HostStatus(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"


class CellPhase(StrEnum):
    APPLYING = "applying"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"
    """Not sent (the host failed before), or the host's per-item error: stays pending for Retry."""
    UNKNOWN = "unknown"
    """Sent, and the host's answer was lost: locked until a read of the host reconciles it."""
    NOT_APPLIED = "not_applied"
    """Reconciled: the host still has the old state. Stays pending for Retry."""


RETRYABLE = frozenset({CellPhase.FAILED, CellPhase.NOT_APPLIED})
"""Phases whose pending change "Retry failed" sends again."""


@dataclass(frozen=True, slots=True)
class CellResult:
    phase: CellPhase
    message: str = ""


@dataclass
class HostEntry:
    config: HostConfig
    status: HostStatus = HostStatus.CONNECTING
    error: HostError | None = None
    facts: HostFacts | None = None
    vms: dict[str, VM] = field(default_factory=dict)
    """VM id -> VM, in the host's order."""
    loaded: bool = False
    """An inventory has been read at least once."""
    last_refresh: float | None = None
    """Wall-clock time of the last successful read."""
    refreshing: bool = False
    applying: bool = False
    epoch: int = 0
    """Bumped when an apply starts: a read that began before must not overwrite its result."""
    failures: int = 0
    """Consecutive failed reads (auto-refresh backs off)."""
    next_due: float = 0.0
    """``time.monotonic()`` after which auto-refresh reads this host again."""

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def name(self) -> str:
        return self.config.display_name

    def sorted_vm_ids(self) -> list[str]:
        return [v.id for v in sorted(self.vms.values(), key=lambda v: (v.name.casefold(), v.id))]


@dataclass(frozen=True, slots=True)
class VmDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class PlannedChange:
    cell: CellKey
    host_name: str
    vm_name: str
    service_label: str
    current: bool
    target: bool

    def change(self) -> Change:
        return Change(vm_id=self.cell[1], service_guid=self.cell[2], expected=self.current, target=self.target,
                      vm_name=self.vm_name)


@dataclass(frozen=True, slots=True)
class Plan:
    """Every pending change that would be sent, grouped by host (in host order)."""

    by_host: dict[str, tuple[PlannedChange, ...]]
    skipped_applying: tuple[str, ...] = ()
    """Host keys whose pending changes were left out because that host is applying now."""

    @property
    def changes(self) -> list[PlannedChange]:
        return [c for items in self.by_host.values() for c in items]

    @property
    def change_count(self) -> int:
        return sum(len(v) for v in self.by_host.values())

    @property
    def vm_count(self) -> int:
        return len({c.cell[:2] for c in self.changes})

    @property
    def host_count(self) -> int:
        return sum(1 for v in self.by_host.values() if v)

    def __bool__(self) -> bool:
        return self.change_count > 0


def on_off(value: bool | None) -> str:
    return "—" if value is None else (tr("Enabled") if value else tr("Disabled"))


class FleetState:
    def __init__(self, hosts: Iterable[HostConfig] = ()) -> None:
        self.hosts: dict[str, HostEntry] = {}
        self.pending: dict[CellKey, bool] = {}
        self.results: dict[CellKey, CellResult] = {}
        self.in_doubt: dict[CellKey, tuple[Change, str]] = {}
        """Cells whose batch was sent and its answer lost (phase UNKNOWN): the change sent and its
        audit batch id, until a read of the host reconciles them."""
        self.extra_services: dict[str, str] = {}
        """GUID -> the host's name, for services not in the catalog (extra grid columns)."""
        self.disk_results: dict[RowKey, DiskResult] = {}
        """The last result of inserting the setup disk into a VM in this session."""
        self.guest_os_seen: dict[RowKey, str] = {}
        """The guest OS a host last reported for a VM in this session: the host learns it through
        Data Exchange, so once Data Exchange is off (or the VM stops) it says nothing, and the
        update advice still needs it."""
        self.set_hosts(hosts)

    # ------------------------------------------------------------ hosts
    def set_hosts(self, hosts: Iterable[HostConfig]) -> None:
        old = self.hosts
        self.hosts = {}
        for cfg in hosts:
            entry = old.get(cfg.key)
            if entry is None or entry.config != cfg:
                entry = HostEntry(cfg)
            self.hosts[cfg.key] = entry
        keep = set(self.hosts)
        self.pending = {c: t for c, t in self.pending.items() if c[0] in keep}
        self.results = {c: r for c, r in self.results.items() if c[0] in keep}
        self.in_doubt = {c: d for c, d in self.in_doubt.items() if c[0] in keep}
        self.guest_os_seen = {k: v for k, v in self.guest_os_seen.items() if k[0] in keep}
        self.disk_results = {k: v for k, v in self.disk_results.items() if k[0] in keep}

    def vm(self, host_key: str, vm_id: str) -> VM | None:
        entry = self.hosts.get(host_key)
        return None if entry is None else entry.vms.get(vm_id)

    # ------------------------------------------------------------ inventories
    def set_inventory(self, host_key: str, inv: Inventory) -> tuple[VmDiff, list[CellKey]]:
        """Replace a host's VMs; returns the diff and the cells whose pending change was dropped
        because it is no longer meaningful (VM gone, or the host already has the target)."""
        entry = self.hosts[host_key]
        entry.facts = inv.host
        entry.loaded = True
        new = {v.id: v for v in inv.vms}
        old = entry.vms
        diff = VmDiff(
            added=tuple(i for i in new if i not in old),
            removed=tuple(i for i in old if i not in new),
            changed=tuple(i for i in new if i in old and old[i] != new[i]),
        )
        entry.vms = new
        self._note_extras(inv.vms)
        self._note_guest_os(host_key, inv.vms)
        return diff, self._prune(host_key)

    def merge_vms(self, host_key: str, vms: Iterable[VM]) -> tuple[VmDiff, list[CellKey]]:
        """Take the VMs an apply re-read after writing."""
        entry = self.hosts[host_key]
        vms = list(vms)
        added: list[str] = []
        changed: list[str] = []
        for vm in vms:
            before = entry.vms.get(vm.id)
            if before is None:
                added.append(vm.id)
            elif before != vm:
                changed.append(vm.id)
            entry.vms[vm.id] = vm
        self._note_extras(vms)
        self._note_guest_os(host_key, vms)
        return VmDiff(added=tuple(added), changed=tuple(changed)), self._prune(host_key)

    def _note_extras(self, vms: Sequence[VM]) -> None:
        # Each GUID looked up once per inventory, not once per VM (60,000 services for 10,000 VMs);
        # the name of a new one is the first VM's that has it.
        guids = {s.guid for vm in vms for s in vm.services}
        new = [g for g in guids if g not in self.extra_services and not catalog.is_known(g)]
        if not new:
            return
        for vm in vms:
            for s in vm.services:
                if s.guid in new and s.guid not in self.extra_services:
                    self.extra_services[s.guid] = s.name or s.guid

    def _note_guest_os(self, host_key: str, vms: Iterable[VM]) -> None:
        self.guest_os_seen.update({(host_key, vm.id): vm.guest_os for vm in vms if vm.guest_os})

    def advice_vm(self, host_key: str, vm_id: str) -> VM | None:
        """The VM as the update advice sees it: with the guest OS the host reported earlier in this
        session when it says nothing now (Data Exchange off, VM stopped)."""
        vm = self.vm(host_key, vm_id)
        if vm is None or vm.guest_os:
            return vm
        seen = self.guest_os_seen.get((host_key, vm_id))
        return replace(vm, guest_os=seen) if seen else vm

    def _prune(self, host_key: str) -> list[CellKey]:
        dropped: list[CellKey] = []
        for cell, target in list(self.pending.items()):
            if cell[0] != host_key:
                continue
            vm = self.vm(cell[0], cell[1])
            if vm is not None and vm.error:
                continue  # the host could not read its services: nothing is known, keep the change
            if self.current(cell) in (None, target):
                del self.pending[cell]
                dropped.append(cell)
        for cell in [c for c in self.results if c[0] == host_key and self.vm(c[0], c[1]) is None]:
            del self.results[cell]
            dropped.append(cell)
        return dropped

    # ------------------------------------------------------------ cells
    def current(self, cell: CellKey) -> bool | None:
        """What the host last said (None: VM or service unknown)."""
        vm = self.vm(cell[0], cell[1])
        if vm is None:
            return None
        svc = vm.service(cell[2])
        return None if svc is None else svc.enabled

    def effective(self, cell: CellKey) -> bool | None:
        """The pending target, else the host's value."""
        if cell in self.pending:
            return self.pending[cell]
        return self.current(cell)

    def set_target(self, cells: Iterable[CellKey], target: bool) -> list[CellKey]:
        """Make pending changes (or drop them when the host already has ``target``);
        returns the cells that changed."""
        touched: list[CellKey] = []
        for cell in cells:
            current = self.current(cell)
            if current is None or self.result_phase(cell) in (CellPhase.APPLYING, CellPhase.UNKNOWN):
                continue  # what the host has is not known yet: no new change on top
            before = self.pending.get(cell)
            if current == target:
                self.pending.pop(cell, None)
            else:
                self.pending[cell] = target
            after = self.pending.get(cell)
            stale_result = cell in self.results
            self.results.pop(cell, None)
            if before != after or stale_result:
                touched.append(cell)
        return touched

    def toggle(self, cells: Iterable[CellKey]) -> list[CellKey]:
        """Like Space on a selection of checkboxes: if any is off, all on; else all off."""
        cells = [c for c in cells if self.current(c) is not None]
        if not cells:
            return []
        target = not all(self.effective(c) for c in cells)
        return self.set_target(cells, target)

    def reset_default(self, cells: Iterable[CellKey]) -> list[CellKey]:
        touched: list[CellKey] = []
        for cell in cells:
            info = catalog.get(cell[2])
            if info is not None:
                touched += self.set_target([cell], info.default_enabled)
        return touched

    def restore_pending(self, values: dict[CellKey, bool | None]) -> list[CellKey]:
        """Put pending targets back as they were (undo/redo; None: no pending change), except on
        cells that cannot be edited now (being applied, of unknown outcome, VM or service gone)
        or where the host already has the target. Returns the cells that changed."""
        touched: list[CellKey] = []
        for cell, target in values.items():
            if self.result_phase(cell) in (CellPhase.APPLYING, CellPhase.UNKNOWN):
                continue
            current = self.current(cell)
            vm = self.vm(cell[0], cell[1])
            if current is None and not (vm is not None and vm.error):
                continue
            before = self.pending.get(cell)
            if target is None or target == current:
                self.pending.pop(cell, None)
            else:
                self.pending[cell] = target
            if self.pending.get(cell) != before:
                if self.result_phase(cell) is not None:
                    self.results.pop(cell, None)
                touched.append(cell)
        return touched

    def revert(self, cells: Iterable[CellKey] | None = None) -> list[CellKey]:
        chosen = list(self.pending) if cells is None else [c for c in cells if c in self.pending]
        for cell in chosen:
            del self.pending[cell]
            if self.result_phase(cell) in RETRYABLE:
                del self.results[cell]
        return chosen

    def result_phase(self, cell: CellKey) -> CellPhase | None:
        r = self.results.get(cell)
        return None if r is None else r.phase

    def failed_cells(self) -> list[CellKey]:
        """Pending changes "Retry failed" sends: failed, or reconciled as not applied. Never one
        whose outcome is unknown: it may have been applied."""
        return [c for c in self.pending if self.result_phase(c) in RETRYABLE]

    def unknown_cells(self) -> list[CellKey]:
        return list(self.in_doubt)

    # ------------------------------------------------------------ plan
    def plan(self, cells: Iterable[CellKey] | None = None) -> Plan:
        wanted = set(self.pending) if cells is None else set(cells) & set(self.pending)
        by_host: dict[str, list[PlannedChange]] = {}
        skipped: list[str] = []
        for key, entry in self.hosts.items():
            if entry.applying:
                if any(c[0] == key and self.result_phase(c) is not CellPhase.APPLYING for c in wanted):
                    skipped.append(key)
                continue
            items: list[PlannedChange] = []
            for cell in (c for c in self.pending if c[0] == key and c in wanted and c not in self.in_doubt):
                vm = entry.vms.get(cell[1])
                current = self.current(cell)
                if vm is None or current is None or current == self.pending[cell]:
                    continue
                svc = vm.service(cell[2])
                label = catalog.display_label(cell[2], svc.name if svc else None)
                items.append(PlannedChange(cell, entry.name, vm.name, label, current, self.pending[cell]))
            if items:
                order = {g.guid: i for i, g in enumerate(catalog.SERVICES)}
                items.sort(key=lambda p: (p.vm_name.casefold(), p.cell[1], order.get(p.cell[2], 99), p.cell[2]))
                by_host[key] = items
        return Plan({k: tuple(v) for k, v in by_host.items()}, tuple(skipped))

    # ------------------------------------------------------------ counts
    def counts(self) -> tuple[int, int, int]:
        """(connected, failed, connecting) hosts."""
        c = sum(1 for e in self.hosts.values() if e.status is HostStatus.CONNECTED)
        f = sum(1 for e in self.hosts.values() if e.status is HostStatus.FAILED)
        return c, f, len(self.hosts) - c - f

    def last_refresh(self) -> float | None:
        times = [e.last_refresh for e in self.hosts.values() if e.last_refresh is not None]
        return max(times) if times else None


def backoff_s(interval_s: float, failures: int, cap_s: float = 900.0) -> float:
    """Failing hosts are read less and less often: interval x 2^(failures-1), capped."""
    if failures <= 0:
        return interval_s
    return float(min(cap_s, interval_s * 2.0 ** min(failures - 1, 10)))


def now() -> float:
    return time.monotonic()
