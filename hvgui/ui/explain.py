"""Plain words for helpdesk staff: what a service's state means, and a text report of a VM.

Qt-free on purpose (the report goes to the clipboard as text, and is easy to test)."""

from __future__ import annotations

import time

from hvgui.core import catalog
from hvgui.core.model import VM, ServiceState
from hvgui.core.status import OperationalStatus as S
from hvgui.ui.state import CellPhase, CellResult, on_off

_GUEST_MISSING = "the guest service is missing or stopped"


def explain(vm: VM, svc: ServiceState) -> str:
    """One line in plain words about one service of one VM."""
    if not svc.enabled:
        return "Disabled on the host: Hyper-V does not offer this service to the guest."
    if svc.primary is None:
        if vm.is_off:
            return "Enabled; the VM is off, so there is no live status."
        return f"Enabled; the VM is {vm.state.lower()}, so the guest cannot answer right now."
    p = svc.primary.known
    secondary = svc.secondary.known if svc.secondary else None
    if p is S.Ok:
        if secondary is S.ProtocolMismatch:
            return ("Enabled and working; the guest's component speaks an older protocol version "
                    "(harmless by design, KB 4014894).")
        return "Enabled and working: the guest answers."
    if p is S.NoContact:
        return f"Enabled, but the guest has not answered: {_GUEST_MISSING}."
    if p is S.LostCommunication:
        return "Enabled, but the guest stopped answering (it did before): the guest service may have hung or stopped."
    if p is S.ProtocolMismatch:
        return "Enabled, but the guest's component version does not match the host: update integration services."
    if p in (S.Degraded, S.ApplicationCritical):
        return "Enabled, but the guest reports a problem (degraded): check the guest."
    if p in (S.Error, S.NonRecoverableError, S.CommunicationFailed):
        return "Enabled, but talking to the guest failed: check the guest service and its event log."
    if p is S.CommunicationTimedOut:
        return "Enabled, but the guest did not answer in time: it may be overloaded or hung."
    if p is S.Paused:
        return "Enabled; the VM is paused."
    if p is S.Disabled:
        return "Enabled on the host, but the guest reports the service disabled: it was turned off inside the guest."
    return f"Enabled; the host reports status {svc.primary.name} ({svc.primary.text})."


def result_text(result: CellResult | None) -> str:
    if result is None:
        return ""
    words = {
        CellPhase.APPLYING: "Applying…",
        CellPhase.CHANGED: "Changed by the last apply",
        CellPhase.UNCHANGED: "Already in that state at the last apply",
        CellPhase.CONFLICT: "Conflict: changed on the host by someone else; your change was not applied",
        CellPhase.FAILED: "Failed",
        CellPhase.UNKNOWN: "Outcome unknown: the change was sent and the host's answer was lost; it is "
                           "reconciled from the host's next answer (until then it cannot be edited or retried)",
        CellPhase.NOT_APPLIED: "Not applied: the host's answer was lost and a re-read shows the old state; "
                               "Retry failed sends it again",
    }[result.phase]
    return f"{words}: {result.message}" if result.message else words


def status_line(svc: ServiceState) -> str:
    if svc.primary is None:
        return "no live status"
    line = f"status {svc.primary.text}"
    if svc.secondary is not None:
        line += f" / {svc.secondary.text}"
    return line


def vm_report(host_name: str, host_os: str, vm: VM, pending: dict[str, bool],
              results: dict[str, CellResult], refreshed: float | None) -> str:
    """Readable text summary of one VM (the "Copy report" button)."""
    lines = [
        f"VM: {vm.name}",
        f"VM Id: {vm.id}",
        f"Host: {host_name}" + (f" ({host_os})" if host_os else ""),
        f"State: {vm.state}",
        "Integration services version: " + (vm.is_version or "unknown")
        + (f" ({vm.is_state})" if vm.is_state else ""),
    ]
    if vm.guest_os:
        lines.append(f"Guest OS: {vm.guest_os}")
    if refreshed is not None:
        lines.append("Read at: " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(refreshed)))
    lines.append("")
    if vm.error:
        lines.append(f"Integration services could not be read on the host: {vm.error}")
        offered = {svc.guid for svc in vm.services}
        for guid, target in pending.items():
            if guid not in offered:
                lines.append(f"- {catalog.display_label(guid)}: pending change kept (not applied): -> {on_off(target)}")
        lines.append("")
    lines.append("Integration services:")
    order = {s.guid: i for i, s in enumerate(catalog.SERVICES)}
    for svc in sorted(vm.services, key=lambda s: (order.get(s.guid, 99), s.guid)):
        lines.append(f"- {svc.label}: {on_off(svc.enabled)}, {status_line(svc)}")
        lines.append(f"    {explain(vm, svc)}")
        if svc.guid in pending:
            lines.append(f"    Pending change (not applied): {on_off(svc.enabled)} -> {on_off(pending[svc.guid])}")
        if svc.guid in results:
            lines.append(f"    {result_text(results[svc.guid])}")
    return "\n".join(lines) + "\n"
