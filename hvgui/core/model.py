"""What a host, a VM, an integration service and a change are. Immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import Any, TypeVar

from hvgui.core import catalog
from hvgui.core.status import OFF_STATES, OperationalStatus

_KNOWN_STATUS: dict[int, OperationalStatus] = {int(m): m for m in OperationalStatus}

_T = TypeVar("_T")


def _pickles_fast(cls: type[_T]) -> type[_T]:
    """Pickle as ``cls(*fields)``. A slotted dataclass otherwise pickles through
    ``dataclasses._dataclass_getstate`` (Python, per object): sending 1,000 changes to the worker
    process took ~40 ms of the GUI thread in one go, a visible stall when an apply starts."""
    get = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]
    single = len(fields(cls)) == 1  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return (cls, (get(self),) if single else get(self))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@_pickles_fast
@dataclass(frozen=True, slots=True)
class StatusValue:
    """One operational status as the host reported it."""

    code: int
    name: str
    """Enum member name (``Ok``, ``NoContact``...): what logic keys on."""
    text: str
    """The host's (possibly localized) description, shown verbatim."""

    @property
    def known(self) -> OperationalStatus | None:
        # A dict, not OperationalStatus(code): the grid asks this for every cell it paints.
        return _KNOWN_STATUS.get(self.code)


@_pickles_fast
@dataclass(frozen=True, slots=True)
class ServiceState:
    guid: str
    """Upper-case service GUID (end of the component ``Id``)."""
    name: str
    """The host's own (possibly localized) ``Name``."""
    enabled: bool
    primary: StatusValue | None = None
    secondary: StatusValue | None = None

    @property
    def label(self) -> str:
        return catalog.display_label(self.guid, self.name)


@_pickles_fast
@dataclass(frozen=True, slots=True)
class VM:
    id: str
    """Lower-case VM GUID: the only way hvgui targets a VM."""
    name: str
    state: str
    """``VMState`` by name (Running, Off, Saved, Paused...)."""
    is_version: str | None = None
    """Integration services version the host detected (may be unknown)."""
    is_state: str | None = None
    """``IntegrationServicesState``: "Up to date", "Update required" or empty."""
    guest_os: str | None = None
    services: tuple[ServiceState, ...] = ()
    error: str | None = None
    """Why the host could not read this VM's integration services (then ``services`` is empty)."""

    def service(self, guid: str) -> ServiceState | None:
        g = catalog.normalize_guid(guid)
        for s in self.services:
            if s.guid == g:
                return s
        return None

    @property
    def is_off(self) -> bool:
        return self.state in OFF_STATES


@_pickles_fast
@dataclass(frozen=True, slots=True)
class HostFacts:
    name: str
    os_caption: str = ""
    os_version: str = ""
    locale: str = ""


@_pickles_fast
@dataclass(frozen=True, slots=True)
class Inventory:
    host: HostFacts
    vms: tuple[VM, ...] = ()

    def vm(self, vm_id: str) -> VM | None:
        for v in self.vms:
            if v.id == vm_id.lower():
                return v
        return None


@_pickles_fast
@dataclass(frozen=True, slots=True)
class Change:
    """Set one service of one VM to ``target``, provided the host still says ``expected``."""

    vm_id: str
    service_guid: str
    expected: bool
    target: bool
    vm_name: str = ""
    """For messages only; never used to find the VM."""


class Outcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    VM_NOT_FOUND = "vm_not_found"
    SERVICE_NOT_OFFERED = "service_not_offered"
    ERROR = "error"
    UNKNOWN = "unknown"
    """The batch reached the host but its answer was lost (connection dropped, deadline passed,
    process ended) and the host could not be read again yet: it may or may not have been applied."""
    NOT_APPLIED = "not_applied"
    """Reconciled: the answer was lost, and a re-read shows the host still in the old state."""

    @property
    def ok(self) -> bool:
        return self in (Outcome.CHANGED, Outcome.UNCHANGED)


OUTCOME_TEXT: dict[Outcome, str] = {
    Outcome.CHANGED: "Changed",
    Outcome.UNCHANGED: "Already in that state",
    Outcome.CONFLICT: "Conflict: changed on the host since it was read",
    Outcome.VM_NOT_FOUND: "VM not found (removed, or moved to another host)",
    Outcome.SERVICE_NOT_OFFERED: "This VM does not offer that service",
    Outcome.ERROR: "Error",
    Outcome.UNKNOWN: "Outcome unknown: the host's answer was lost; it is re-read when it answers",
    Outcome.NOT_APPLIED: "Not applied: the host still has the old state (re-read after its answer was lost)",
}


@_pickles_fast
@dataclass(frozen=True, slots=True)
class ItemResult:
    vm_id: str
    service_guid: str
    outcome: Outcome
    message: str = ""
    enabled: bool | None = None
    """What the host says after the write, when it could be read."""
    reconciled: bool = False
    """The outcome comes from a re-read of the host, because its answer to the batch was lost."""


@_pickles_fast
@dataclass(frozen=True, slots=True)
class ApplyResult:
    items: tuple[ItemResult, ...]
    vms: tuple[VM, ...] = field(default=())
    """The touched VMs as the host reports them after the write."""
    lost: str = ""
    """Why the host's answer to this batch was lost ("" when it came back). Then every item was
    reconciled from a re-read (``reconciled``), or is :attr:`Outcome.UNKNOWN` when the host could
    not be read again."""

    batch: str = ""
    """The audit log's id of this batch (its intent, outcome and reconciled records)."""

    @property
    def unknown(self) -> int:
        return sum(1 for i in self.items if i.outcome is Outcome.UNKNOWN)


class DiskOutcome(StrEnum):
    """What inserting the Integration Services setup disk did to one VM."""

    INSERTED = "inserted"
    UNCHANGED = "unchanged"
    NO_SETUP_DISK = "no_setup_disk"
    NO_DVD_DRIVE = "no_dvd_drive"
    DISK_PRESENT = "disk_present"
    VM_NOT_FOUND = "vm_not_found"
    ERROR = "error"

    @property
    def ok(self) -> bool:
        return self in (DiskOutcome.INSERTED, DiskOutcome.UNCHANGED)


DISK_OUTCOME_TEXT: dict[DiskOutcome, str] = {
    DiskOutcome.INSERTED: "Setup disk inserted",
    DiskOutcome.UNCHANGED: "Setup disk already in the drive",
    DiskOutcome.NO_SETUP_DISK: "This host has no setup disk (Windows Server 2016 and later)",
    DiskOutcome.NO_DVD_DRIVE: "No DVD drive",
    DiskOutcome.DISK_PRESENT: "Another disk is in the drive (not replaced)",
    DiskOutcome.VM_NOT_FOUND: "VM not found",
    DiskOutcome.ERROR: "Error",
}


@_pickles_fast
@dataclass(frozen=True, slots=True)
class DiskResult:
    vm_id: str
    outcome: DiskOutcome
    message: str = ""
    path: str | None = None
    """What the VM's DVD drive holds now, as the host says."""
