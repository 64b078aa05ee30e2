"""What the state of one integration service of one VM *means* for the person looking at it,
in the UI's words (never the host's, which may be French or German): working, enabled but not
answering, degraded, in error, off on the host, no live status because the VM is not running.

Qt-free: the grid, the details pane, the report, the filters and the CSV export all use it,
so they never disagree about what is a problem."""

from __future__ import annotations

from enum import StrEnum

from hvgui.core.model import VM, ServiceState, StatusValue
from hvgui.core.status import ENGLISH_DESCRIPTIONS, SHORT_TEXT
from hvgui.core.status import OperationalStatus as S


class Meaning(StrEnum):
    WORKING = "working"
    """Enabled on the host and the guest answers."""
    NOT_ANSWERING = "not_answering"
    """Enabled on the host, but the guest side does not answer (No Contact, Lost Communication,
    timed out, turned off inside the guest): what helpdesk staff look for."""
    DEGRADED = "degraded"
    """Working with a problem (degraded, protocol mismatch, applications critical)."""
    ERROR = "error"
    """Talking to the guest's component failed."""
    OFF = "off"
    """Disabled on the host: Hyper-V does not offer it to the guest."""
    NO_STATUS = "no_status"
    """Enabled, but the VM is not running, so there is no live status."""
    NOT_OFFERED = "not_offered"
    """This VM does not offer the service."""
    UNREADABLE = "unreadable"
    """The host could not read this VM's integration services."""


PROBLEMS = frozenset({Meaning.NOT_ANSWERING, Meaning.DEGRADED, Meaning.ERROR, Meaning.UNREADABLE})
"""Meanings that need a look (the "Problems only" filter, the report's summary)."""

SEVERITY: dict[Meaning, int] = {
    Meaning.UNREADABLE: 0, Meaning.ERROR: 1, Meaning.NOT_ANSWERING: 2, Meaning.DEGRADED: 3,
    Meaning.WORKING: 4, Meaning.NO_STATUS: 5, Meaning.OFF: 6, Meaning.NOT_OFFERED: 7,
}
"""Sort order, worst first."""

GROUP_WORDS: dict[Meaning, str] = {
    Meaning.WORKING: "Working",
    Meaning.NOT_ANSWERING: "Enabled, not answering",
    Meaning.DEGRADED: "Degraded",
    Meaning.ERROR: "Error",
    Meaning.OFF: "Off on the host",
    Meaning.NO_STATUS: "No live status (VM not running)",
    Meaning.NOT_OFFERED: "Not offered",
    Meaning.UNREADABLE: "Could not be read",
}
"""One name per meaning (filters, legends, accessible text)."""

_NOT_ANSWERING = frozenset({S.NoContact, S.LostCommunication, S.CommunicationTimedOut, S.Disabled})
_DEGRADED = frozenset({S.Degraded, S.ProtocolMismatch, S.ApplicationCritical})
_ERROR = frozenset({S.Error, S.NonRecoverableError, S.CommunicationFailed})
_HARMLESS_SECONDARY = frozenset({S.Ok, S.ProtocolMismatch})
"""Next to a primary OK: the protocol mismatch is harmless by design (KB 4014894)."""


def status_meaning(status: StatusValue) -> Meaning:
    k = status.known
    if k is S.Ok:
        return Meaning.WORKING
    if k in _NOT_ANSWERING:
        return Meaning.NOT_ANSWERING
    if k in _ERROR:
        return Meaning.ERROR
    if k is S.Paused:
        return Meaning.NO_STATUS
    return Meaning.DEGRADED  # the known degraded ones, and codes hvgui does not know


def service_meaning(vm: VM, svc: ServiceState | None) -> Meaning:
    if svc is None:
        return Meaning.UNREADABLE if vm.error else Meaning.NOT_OFFERED
    if not svc.enabled:
        return Meaning.OFF
    if svc.primary is None:
        return Meaning.NO_STATUS
    meaning = status_meaning(svc.primary)
    second = svc.secondary.known if svc.secondary is not None else None
    if meaning is Meaning.WORKING and svc.secondary is not None and second not in _HARMLESS_SECONDARY:
        return Meaning.DEGRADED if second not in _ERROR else Meaning.ERROR
    return meaning


def _word(status: StatusValue, *, long: bool) -> str:
    k = status.known
    if k is None:
        return f"status {status.code}"
    if k is S.Disabled:
        return "Turned off in the guest" if long else "Off in guest"
    return (ENGLISH_DESCRIPTIONS if long else SHORT_TEXT)[k]


def status_word(vm: VM, svc: ServiceState | None, *, long: bool = False) -> str:
    """The cell's word in the UI's language ("OK", "No Contact", "Off", "—"); ``long``: the
    details pane's words ("Enabled, but not answering: No Contact")."""
    meaning = service_meaning(vm, svc)
    if svc is None:
        if meaning is Meaning.UNREADABLE:
            return "Could not be read" if long else "?"
        return "Not offered by this VM" if long else "n/a"
    if meaning is Meaning.OFF:
        return "Off (disabled on the host)" if long else "Off"
    if svc.primary is None:
        return f"Enabled; no live status (VM {vm.state.lower()})" if long else "—"
    word = _word(svc.primary, long=long)
    if svc.secondary is not None and svc.secondary.known not in _HARMLESS_SECONDARY and \
            svc.secondary.known is not svc.primary.known:
        word += f" ({_word(svc.secondary, long=long)})" if long else " *"
    if not long:
        return word
    return {
        Meaning.WORKING: f"Enabled and working ({word})",
        Meaning.NOT_ANSWERING: f"Enabled, but not answering: {word}",
        Meaning.DEGRADED: f"Enabled, degraded: {word}",
        Meaning.ERROR: f"Enabled, in error: {word}",
        Meaning.NO_STATUS: f"Enabled; {word}",
    }.get(meaning, word)


def host_words(svc: ServiceState) -> str:
    """What the host itself wrote (possibly in French or German): for tooltips, "Host says: ..."."""
    parts = [svc.name] if svc.name else []
    if svc.primary is not None:
        parts.append(svc.primary.text)
    if svc.secondary is not None:
        parts.append(svc.secondary.text)
    return " · ".join(parts)


def vm_problems(vm: VM) -> list[tuple[ServiceState | None, Meaning]]:
    """The services of this VM that need a look (an unreadable VM: one entry with None)."""
    if vm.error:
        return [(None, Meaning.UNREADABLE)]
    return [(s, m) for s in vm.services if (m := service_meaning(vm, s)) in PROBLEMS]


def update_required(vm: VM) -> bool:
    return vm.is_state == "Update required"


def vm_has_problem(vm: VM) -> bool:
    """A VM the "Problems only" filter shows: a service that needs a look, services that could
    not be read, or integration services that need an update."""
    return update_required(vm) or bool(vm_problems(vm))
