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
from hvgui.ui.i18n import QT_TR_NOOP, tr, vm_state_text


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
    Meaning.WORKING: QT_TR_NOOP("Working"),
    Meaning.NOT_ANSWERING: QT_TR_NOOP("Enabled, not answering"),
    Meaning.DEGRADED: QT_TR_NOOP("Degraded"),
    Meaning.ERROR: QT_TR_NOOP("Error"),
    Meaning.OFF: QT_TR_NOOP("Off on the host"),
    Meaning.NO_STATUS: QT_TR_NOOP("No live status (VM not running)"),
    Meaning.NOT_OFFERED: QT_TR_NOOP("Not offered"),
    Meaning.UNREADABLE: QT_TR_NOOP("Could not be read"),
}
"""One name per meaning (filters, legends, accessible text), in English: shown through ``tr()``."""


def short_text(k: S) -> str:
    """The grid's word for a status (``SHORT_TEXT``), in the window's language."""
    return {
        S.Ok: tr("OK"), S.Degraded: tr("Degraded"), S.Error: tr("Error"), S.NonRecoverableError: tr("Error"),
        S.NoContact: tr("No Contact"), S.LostCommunication: tr("Lost Communication"), S.Paused: tr("Paused"),
        S.ProtocolMismatch: tr("Protocol mismatch"), S.ApplicationCritical: tr("App critical"),
        S.CommunicationTimedOut: tr("Timed out"), S.CommunicationFailed: tr("Comm. failed"),
        S.Disabled: tr("Disabled"),
    }.get(k, SHORT_TEXT[k])


def long_text(k: S) -> str:
    """The details pane's word for a status (an English host's own words), in the window's language."""
    return {
        S.Ok: tr("OK"), S.Degraded: tr("Degraded"), S.Error: tr("Error"),
        S.NonRecoverableError: tr("Non-Recoverable Error"), S.NoContact: tr("No Contact"),
        S.LostCommunication: tr("Lost Communication"), S.Paused: tr("Paused"),
        S.ProtocolMismatch: tr("The protocol version of the component installed in the virtual machine does not "
                               "match the version expected by the hosting system"),
        S.ApplicationCritical: tr("Application critical"), S.CommunicationTimedOut: tr("Communication timed out"),
        S.CommunicationFailed: tr("Communication failed"), S.Disabled: tr("Disabled"),
    }.get(k, ENGLISH_DESCRIPTIONS[k])

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
        return tr("status {code}").format(code=status.code)
    if k is S.Disabled:
        return tr("Turned off in the guest") if long else tr("Off in guest")
    return long_text(k) if long else short_text(k)


def status_word(vm: VM, svc: ServiceState | None, *, long: bool = False) -> str:
    """The cell's word in the UI's language ("OK", "No Contact", "Off", "—"); ``long``: the
    details pane's words ("Enabled, but not answering: No Contact")."""
    meaning = service_meaning(vm, svc)
    if svc is None:
        if meaning is Meaning.UNREADABLE:
            return tr("Could not be read") if long else "?"
        return tr("Not offered by this VM") if long else tr("n/a")
    if meaning is Meaning.OFF:
        return tr("Off (disabled on the host)") if long else tr("Off")
    if svc.primary is None:
        return tr("Enabled; no live status (VM {state})").format(state=vm_state_text(vm.state).lower()) \
            if long else "—"
    word = _word(svc.primary, long=long)
    if svc.secondary is not None and svc.secondary.known not in _HARMLESS_SECONDARY and \
            svc.secondary.known is not svc.primary.known:
        word += f" ({_word(svc.secondary, long=long)})" if long else " *"
    if not long:
        return word
    return {
        Meaning.WORKING: tr("Enabled and working ({word})").format(word=word),
        Meaning.NOT_ANSWERING: tr("Enabled, but not answering: {word}").format(word=word),
        Meaning.DEGRADED: tr("Enabled, degraded: {word}").format(word=word),
        Meaning.ERROR: tr("Enabled, in error: {word}").format(word=word),
        Meaning.NO_STATUS: tr("Enabled; {word}").format(word=word),
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
