"""Inserting the Integration Services setup disk (``vmguest.iso``) from the window, without Qt:
which of the selected VMs it is offered to (hosts older than Windows Server 2016 only), and the
per-VM results in words, in the window's language (the host's own constant messages included;
an error a host reports is said as it comes).

The disk exists only on Windows Server 2012 and 2012 R2 hosts; on 2016 and later, guests get
their integration services from Windows Update and the action is not offered. After the disk is
in the drive, the guest's administrator installs the integration services inside the guest (the
seed document: this cannot be automated for a running VM)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hvgui.core import advice
from hvgui.core.model import DiskOutcome, DiskResult
from hvgui.remote.errors import HostError
from hvgui.ui.i18n import QT_TR_NOOP, tr
from hvgui.ui.state import FleetState, RowKey


def not_offered_reason() -> str:
    return tr("Windows Server 2016 and later hosts have no Integration Services setup disk (vmguest.iso): "
              "their guests get integration services updates through Windows Update")


def after_insert() -> str:
    return tr("Then the guest's administrator installs the integration services inside each guest from that disk "
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
        return tr("Select the VMs to receive the setup disk (on Windows Server 2012 or 2012 R2 hosts)")
    if any(offered(state, h) for h in hosts):
        return ""
    if any(advice.host_key(state.hosts[h].facts) is not None for h in hosts):
        return tr("Not offered: {reason}").format(reason=not_offered_reason())
    return tr("Not offered: the host's Windows version is not known yet (read it first)")


def outcome_words(outcome: DiskOutcome) -> str:
    """:data:`hvgui.core.model.DISK_OUTCOME_TEXT` in the window's language."""
    words = {
        DiskOutcome.INSERTED: tr("Setup disk inserted"),
        DiskOutcome.UNCHANGED: tr("Setup disk already in the drive"),
        DiskOutcome.NO_SETUP_DISK: tr("This host has no setup disk (Windows Server 2016 and later)"),
        DiskOutcome.NO_DVD_DRIVE: tr("No DVD drive"),
        DiskOutcome.DISK_PRESENT: tr("Another disk is in the drive (not replaced)"),
        DiskOutcome.VM_NOT_FOUND: tr("VM not found"),
        DiskOutcome.ERROR: tr("Error"),
    }
    return words[outcome]


#: setup_disk.ps1's own messages (constant English, with at most a path in them), to say in the
#: window's language: outcome -> (the message as the script writes it, its translation).
_SCRIPT_MESSAGES: tuple[tuple[DiskOutcome, re.Pattern[str], str], ...] = (
    (DiskOutcome.NO_DVD_DRIVE, re.compile(r"This VM has no DVD drive: add one \(Add-VMDvdDrive\) to insert the "
                                          r"setup disk\.()"),
     QT_TR_NOOP("This VM has no DVD drive: add one (Add-VMDvdDrive) to insert the setup disk.")),
    (DiskOutcome.UNCHANGED, re.compile(r"The setup disk is already in the DVD drive\.()"),
     QT_TR_NOOP("The setup disk is already in the DVD drive.")),
    (DiskOutcome.DISK_PRESENT, re.compile(r"The DVD drive holds (.+); it was left there \(choose to replace it\)\."),
     QT_TR_NOOP("The DVD drive holds {disk}; it was left there (choose to replace it).")),
    (DiskOutcome.INSERTED, re.compile(r"Replaced (.+)\."), QT_TR_NOOP("Replaced {disk}.")),
    (DiskOutcome.NO_SETUP_DISK, re.compile(r"This host has no Integration Services setup disk \((.+)\): Windows "
                                           r"Server 2016 and later hosts update their guests through Windows "
                                           r"Update\."),
     QT_TR_NOOP("This host has no Integration Services setup disk ({disk}): Windows Server 2016 and later hosts "
                "update their guests through Windows Update.")),
)


def host_message(result: DiskResult) -> str:
    """The host's message about one VM: its constant messages in the window's language, anything
    else (an error the host reports) as it comes."""
    for outcome, pattern, text in _SCRIPT_MESSAGES:
        found = pattern.fullmatch(result.message) if outcome is result.outcome else None
        if found is not None:
            return tr(text).format(disk=found.group(1))
    return result.message


def result_words(result: DiskResult) -> str:
    """One VM's result in words ("No DVD drive: This VM has no DVD drive: add one ...")."""
    words = outcome_words(result.outcome)
    message = host_message(result)
    return tr("{outcome}: {message}").format(outcome=words, message=message) \
        if message and message != words else words


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
        parts = [tr("%n inserted", "setup disk", self.count(DiskOutcome.INSERTED))]
        if n := self.count(DiskOutcome.UNCHANGED):
            parts.append(tr("%n already had it", "setup disk", n))
        if n := self.count(DiskOutcome.NO_DVD_DRIVE):
            parts.append(tr("%n VM(s) without a DVD drive", "", n))
        if n := self.count(DiskOutcome.DISK_PRESENT):
            parts.append(tr("%n VM(s) with another disk (not replaced)", "", n))
        if n := self.count(DiskOutcome.NO_SETUP_DISK, DiskOutcome.VM_NOT_FOUND, DiskOutcome.ERROR):
            parts.append(tr("%n failed", "setup disk", n))
        if self.host_errors:
            parts.append(tr("%n host(s) failed", "", len(self.host_errors)))
        return ", ".join(parts)
