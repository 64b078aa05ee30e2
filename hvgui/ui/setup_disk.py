"""Inserting the Integration Services setup disk (``vmguest.iso``) from the window, without Qt:
which of the selected VMs it is offered to (hosts older than Windows Server 2016 only), and the
per-VM results in words.

The disk exists only on Windows Server 2012 and 2012 R2 hosts; on 2016 and later, guests get
their integration services from Windows Update and the action is not offered. After the disk is
in the drive, the guest's administrator installs the integration services inside the guest (the
seed document: this cannot be automated for a running VM)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hvgui.core import advice
from hvgui.core.model import DISK_OUTCOME_TEXT, DiskOutcome, DiskResult
from hvgui.remote.errors import HostError
from hvgui.ui.state import FleetState, RowKey
from hvgui.ui.words import plural

NOT_OFFERED_REASON = ("Windows Server 2016 and later hosts have no Integration Services setup disk (vmguest.iso): "
                      "their guests get integration services updates through Windows Update")
AFTER_INSERT = ("Then the guest's administrator installs the integration services inside each guest from that disk "
                "(this cannot be automated for a running VM).")


@dataclass(frozen=True, slots=True)
class DiskPlan:
    """The VMs to receive the setup disk, per host (in host order), and those left out."""

    by_host: dict[str, tuple[tuple[str, str], ...]]
    """Host key -> (VM id, VM name) on a host that has the disk."""
    not_offered: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Host key -> names of selected VMs on hosts without the disk (2016 and later)."""
    unknown: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Host key -> names of selected VMs on hosts whose version is not known yet (not read)."""
    replace: bool = False
    """Also replace another disk found in a VM's DVD drive."""
    current_disk: dict[str, str] = field(default_factory=dict)
    """VM id -> the other disk its drive held at the last attempt (asked before replacing it)."""

    @property
    def vm_count(self) -> int:
        return sum(len(v) for v in self.by_host.values())

    @property
    def host_count(self) -> int:
        return sum(1 for v in self.by_host.values() if v)

    def __bool__(self) -> bool:
        return self.vm_count > 0


def offered(state: FleetState, host_key: str) -> bool:
    """Whether the setup disk can be inserted on this host's VMs (Windows Server 2012, 2012 R2)."""
    entry = state.hosts.get(host_key)
    return entry is not None and advice.has_setup_disk(entry.facts)


def disk_plan(state: FleetState, rows: Iterable[RowKey], *, replace: bool = False,
              current_disk: dict[str, str] | None = None) -> DiskPlan:
    by_host: dict[str, list[tuple[str, str]]] = {}
    not_offered: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    wanted = set(rows)
    for key, entry in state.hosts.items():
        for vm_id in entry.sorted_vm_ids():
            if (key, vm_id) not in wanted:
                continue
            vm = entry.vms[vm_id]
            if entry.facts is None or advice.host_key(entry.facts) is None:
                unknown.setdefault(key, []).append(vm.name)
            elif advice.has_setup_disk(entry.facts):
                by_host.setdefault(key, []).append((vm.id, vm.name))
            else:
                not_offered.setdefault(key, []).append(vm.name)
    return DiskPlan({k: tuple(v) for k, v in by_host.items()}, {k: tuple(v) for k, v in not_offered.items()},
                    {k: tuple(v) for k, v in unknown.items()}, replace, dict(current_disk or {}))


def not_offered_text(state: FleetState, rows: Iterable[RowKey]) -> str:
    """Why the action is not offered for these VMs ("" when it is, for at least one)."""
    hosts = {k[0] for k in rows if state.vm(*k) is not None}
    if not hosts:
        return "Select the VMs to receive the setup disk (on Windows Server 2012 or 2012 R2 hosts)"
    if any(offered(state, h) for h in hosts):
        return ""
    if any(advice.host_key(state.hosts[h].facts) is not None for h in hosts):
        return f"Not offered: {NOT_OFFERED_REASON}"
    return "Not offered: the host's Windows version is not known yet (read it first)"


def result_words(result: DiskResult) -> str:
    """One VM's result in words ("No DVD drive: This VM has no DVD drive: add one ...")."""
    words = DISK_OUTCOME_TEXT[result.outcome]
    return f"{words}: {result.message}" if result.message and result.message != words else words


@dataclass(frozen=True, slots=True)
class DiskSummary:
    """What an insertion did, per VM and per host."""

    results: dict[RowKey, DiskResult] = field(default_factory=dict)
    names: dict[RowKey, str] = field(default_factory=dict)
    host_errors: dict[str, HostError] = field(default_factory=dict)
    """Host key -> why nothing (or nothing known) happened on that host."""

    def count(self, *outcomes: DiskOutcome) -> int:
        return sum(1 for r in self.results.values() if r.outcome in outcomes)

    @property
    def disk_present(self) -> list[RowKey]:
        """VMs whose drive holds another disk (left there: asked before replacing it)."""
        return [k for k, r in self.results.items() if r.outcome is DiskOutcome.DISK_PRESENT]

    def text(self) -> str:
        parts = [f"{self.count(DiskOutcome.INSERTED)} inserted"]
        if n := self.count(DiskOutcome.UNCHANGED):
            parts.append(f"{n} already had it")
        if n := self.count(DiskOutcome.NO_DVD_DRIVE):
            parts.append(f"{plural(n, 'VM')} without a DVD drive")
        if n := self.count(DiskOutcome.DISK_PRESENT):
            parts.append(f"{plural(n, 'VM')} with another disk (not replaced)")
        if n := self.count(DiskOutcome.NO_SETUP_DISK, DiskOutcome.VM_NOT_FOUND, DiskOutcome.ERROR):
            parts.append(f"{n} failed")
        if self.host_errors:
            parts.append(f"{plural(len(self.host_errors), 'host')} failed")
        return ", ".join(parts)
