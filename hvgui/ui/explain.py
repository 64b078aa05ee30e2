"""Plain words for helpdesk staff: what a service's state means, what to check inside the guest
(the Windows service or the Linux daemon, by name), and a text report of one or more VMs.

Everything here speaks the UI's language; what the host itself wrote (in French or German on
those hosts) is only ever quoted as "Host says: ...". Qt-free on purpose (the report goes to
the clipboard as text, and is easy to test)."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from hvgui.core import advice, catalog
from hvgui.core.model import VM, HostFacts, ServiceState
from hvgui.core.status import RUNNING_STATES
from hvgui.core.status import OperationalStatus as S
from hvgui.ui.i18n import service_label, tr, vm_state_text
from hvgui.ui.meaning import PROBLEMS, Meaning, host_words, service_meaning, status_word, update_required
from hvgui.ui.state import CellPhase, CellResult, on_off
from hvgui.ui.words import plural

#: The Windows guest service behind each integration service: name and display name
#: (guest-facts.md §1).
WINDOWS_SERVICES: dict[str, tuple[str, str]] = {
    catalog.HEARTBEAT: ("vmicheartbeat", "Hyper-V Heartbeat Service"),
    catalog.SHUTDOWN: ("vmicshutdown", "Hyper-V Guest Shutdown Service"),
    catalog.TIME_SYNC: ("vmictimesync", "Hyper-V Time Synchronization Service"),
    catalog.KVP: ("vmickvpexchange", "Hyper-V Data Exchange Service"),
    catalog.VSS: ("vmicvss", "Hyper-V Volume Shadow Copy Requestor"),
    catalog.GUEST_SERVICE_INTERFACE: ("vmicguestinterface", "Hyper-V Guest Service Interface"),
}

#: The Linux side: the daemon and its systemd units (Debian/Ubuntu, RHEL/Fedora), or the
#: kernel driver for the services the kernel provides itself (guest-facts.md §3).
LINUX_DAEMONS: dict[str, tuple[str, str, str]] = {
    catalog.KVP: ("hv_kvp_daemon", "hv-kvp-daemon", "hypervkvpd"),
    catalog.VSS: ("hv_vss_daemon", "hv-vss-daemon", "hypervvssd"),
    catalog.GUEST_SERVICE_INTERFACE: ("hv_fcopy_daemon", "hv-fcopy-daemon", "hypervfcopyd"),
}

_WINDOWS = re.compile(r"\bwindows\b", re.IGNORECASE)
_LINUX = re.compile(r"\b(linux|ubuntu|debian|red ?hat|rhel|centos|fedora|suse|sles|oracle|alma|rocky|"
                    r"freebsd)\b", re.IGNORECASE)


def guest_family(vm: VM) -> str | None:
    """``"windows"``, ``"linux"`` or None (the host does not know the guest OS)."""
    if vm.guest_os and _WINDOWS.search(vm.guest_os):
        return "windows"
    if vm.guest_os and _LINUX.search(vm.guest_os):
        return "linux"
    return None


def explain(vm: VM, svc: ServiceState) -> str:
    """One line in plain words about one service of one VM."""
    if not svc.enabled:
        return tr("Disabled on the host: Hyper-V does not offer this service to the guest.")
    if svc.primary is None:
        if vm.is_off:
            return tr("Enabled; the VM is off, so there is no live status.")
        return tr("Enabled; the VM is {state}, so the guest cannot answer right now.").format(
            state=vm_state_text(vm.state).lower())
    p = svc.primary.known
    secondary = svc.secondary.known if svc.secondary else None
    if p is S.Ok:
        if secondary is S.ProtocolMismatch:
            return tr("Enabled and working; the guest's component speaks an older protocol version "
                      "(harmless by design, KB 4014894).")
        if secondary not in (None, S.Ok):
            return tr("Enabled and answering, but the guest reports a problem: check the guest.")
        return tr("Enabled and working: the guest answers.")
    if p is S.NoContact:
        return tr("Enabled, but the guest has not answered: the guest service is missing or stopped.")
    if p is S.LostCommunication:
        return tr("Enabled, but the guest stopped answering (it did before): the guest service may have hung or "
                  "stopped.")
    if p is S.ProtocolMismatch:
        return tr("Enabled, but the guest's component version does not match the host: update integration "
                  "services.")
    if p in (S.Degraded, S.ApplicationCritical):
        return tr("Enabled, but the guest reports a problem (degraded): check the guest.")
    if p in (S.Error, S.NonRecoverableError, S.CommunicationFailed):
        return tr("Enabled, but talking to the guest failed: check the guest service and its event log.")
    if p is S.CommunicationTimedOut:
        return tr("Enabled, but the guest did not answer in time: it may be overloaded or hung.")
    if p is S.Paused:
        return tr("Enabled; the VM is paused.")
    if p is S.Disabled:
        return tr("Enabled on the host, but the guest reports the service disabled: it was turned off inside the "
                  "guest.")
    return tr("Enabled; the host reports status code {code}.").format(code=svc.primary.code)


def _what_to_do(svc: ServiceState) -> str:
    p = svc.primary.known if svc.primary is not None else None
    if p is S.Disabled:
        return tr("it was disabled inside the guest, and Hyper-V cannot start it then: set it back to Manual and "
                  "start it")
    if p is S.LostCommunication:
        return tr("it has hung or stopped: restart it")
    if p in (S.ProtocolMismatch, S.Degraded):
        return tr("it runs an older version: update the guest's integration services")
    if p in (S.Error, S.NonRecoverableError, S.CommunicationFailed, S.CommunicationTimedOut):
        return tr("restart it and look at the guest's event log or journal")
    return tr("it should be running: start it (or install it if it is missing)")


def guest_check(vm: VM, svc: ServiceState) -> str:
    """What to check inside the guest for a service that needs a look ("" when it does not):
    the Windows service or the Linux daemon by name, and what to do."""
    if service_meaning(vm, svc) not in PROBLEMS:
        return ""
    family = guest_family(vm)
    todo = _what_to_do(svc)
    parts: list[str] = []
    windows = WINDOWS_SERVICES.get(svc.guid)
    if windows is not None and family in ("windows", None):
        name, display = windows
        parts.append(tr("Windows guest: check the service {name} (\"{display}\"): {todo} "
                        "(Get-Service {name}; Start-Service {name}).").format(name=name, display=display, todo=todo))
    if family in ("linux", None):
        daemon = LINUX_DAEMONS.get(svc.guid)
        if daemon is not None:
            binary, deb_unit, rhel_unit = daemon
            parts.append(tr("Linux guest: check the daemon {binary} (systemctl status {deb_unit} on Debian and "
                            "Ubuntu, {rhel_unit} on RHEL and Fedora; package hyperv-daemons, on Ubuntu "
                            "linux-cloud-tools): {todo}.").format(binary=binary, deb_unit=deb_unit,
                                                                  rhel_unit=rhel_unit, todo=todo))
        elif svc.guid in WINDOWS_SERVICES:
            parts.append(tr("Linux guest: this service is in the kernel: check that the hv_utils module is loaded "
                            "(lsmod | grep hv_utils); update the kernel if it is not there."))
    return " ".join(parts)


def result_text(result: CellResult | None) -> str:
    if result is None:
        return ""
    words = {
        CellPhase.APPLYING: tr("Applying…"),
        CellPhase.CHANGED: tr("Changed by the last apply"),
        CellPhase.UNCHANGED: tr("Already in that state at the last apply"),
        CellPhase.CONFLICT: tr("Conflict: changed on the host by someone else; your change was not applied"),
        CellPhase.FAILED: tr("Failed"),
        CellPhase.UNKNOWN: tr("Outcome unknown: the change was sent and the host's answer was lost; it is "
                              "reconciled from the host's next answer (until then it cannot be edited or retried)"),
        CellPhase.NOT_APPLIED: tr("Not applied: the host's answer was lost and a re-read shows the old state; "
                                  "Retry failed sends it again"),
    }[result.phase]
    return f"{words}: {result.message}" if result.message else words


def status_line(vm: VM, svc: ServiceState) -> str:
    """The service's state in the UI's words ("Enabled, but not answering: No Contact")."""
    return status_word(vm, svc, long=True)


def is_state_word(vm: VM) -> str:
    """The integration services state as the host reports it: "Up to date", "Update required",
    or "state unknown" (the host did not say)."""
    words = {"Update required": tr("Update required"), "Up to date": tr("Up to date")}
    return words.get(vm.is_state or "", tr("state unknown"))


def is_line(vm: VM) -> str:
    """The integration services version and whether the host says it needs an update."""
    version = vm.is_version or tr("unknown")
    if update_required(vm):
        return tr("{version} (update required)").format(version=version)
    if vm.is_state == "Up to date":
        return tr("{version} (up to date)").format(version=version)
    return tr("{version} (the host did not say whether it is up to date)").format(version=version)


def unknown_guest_os_why(vm: VM) -> str:
    """Why the host does not know this VM's guest OS, in words."""
    kvp = vm.service(catalog.KVP)
    if vm.is_off:
        return tr("the VM is not running")
    if kvp is not None and not kvp.enabled:
        return tr("Data Exchange is off on this VM")
    if vm.state not in RUNNING_STATES:
        return tr("the VM is {state}").format(state=vm_state_text(vm.state).lower())
    return tr("Data Exchange does not answer, so the guest does not report it")


def guest_os_text(vm: VM, seen: str | None = None) -> str:
    """The guest OS as the host knows it (through Data Exchange), or "unknown" and why, plainly."""
    if vm.guest_os:
        return vm.guest_os
    text = tr("unknown: {why}").format(why=unknown_guest_os_why(vm))
    if seen:
        text += " " + tr("(it reported {os} earlier)").format(os=seen)
    return text


def vm_advice(facts: HostFacts | None, vm: VM, pending: dict[str, bool] | None = None) -> advice.Advice:
    """How this VM's integration services are updated on this host (the seed's tables), with a
    pending change of Data Exchange taken as what it will be. ``vm`` as
    :meth:`FleetState.advice_vm` gives it (the guest OS seen earlier when unknown now)."""
    return advice.advise(facts, vm, kvp_enabled=(pending or {}).get(catalog.KVP))


def blocked_by_pending(vm: VM, adv: advice.Advice) -> bool:
    """Updates are blocked only because of a pending change (Data Exchange is enabled now)."""
    kvp = vm.service(catalog.KVP)
    return adv.blocked and kvp is not None and kvp.enabled


def blocked_text(vm: VM, adv: advice.Advice) -> str:
    """Why this VM's updates are blocked by Data Exchange, and what to do ("" when they are not)."""
    if not adv.blocked:
        return ""
    guest = vm.guest_os or tr("this guest")
    why = tr("{guest} on this host gets its integration services from Windows Update only with the Data "
             "Exchange service enabled (otherwise: the CAB from the Microsoft Download Center, KB 3071740)").format(
                 guest=guest)
    if blocked_by_pending(vm, adv):
        return tr("A pending change disables Data Exchange: that would stop this VM's integration services "
                  "updates. {why}.").format(why=why)
    return tr("Updates blocked: Data Exchange is disabled on this VM. {why}: enable Data Exchange.").format(why=why)


def attention_reasons(vm: VM, adv: advice.Advice) -> list[str]:
    """Why this VM is in the "Needs attention" view (empty: it is not)."""
    out: list[str] = []
    guest = vm.guest_os or tr("its guest OS")
    if adv.update_required:
        out.append(tr("integration services need an update"))
    if adv.note is advice.Note.NOT_SUPPORTED_ON_HOST:
        out.append(tr("{guest} is not supported on this host").format(guest=guest))
    elif adv.note is advice.Note.EXTENDED_SUPPORT_ONLY:
        out.append(tr("{guest} has extended support only on this host").format(guest=guest))
    elif adv.note is advice.Note.NO_MAINSTREAM_SUPPORT:
        out.append(tr("{guest} has no mainstream support").format(guest=guest))
    if adv.blocked:
        out.append(tr("a pending change would block its updates (Data Exchange)") if blocked_by_pending(vm, adv)
                   else tr("updates blocked: Data Exchange is disabled"))
    return out


def advice_lines(adv: advice.Advice, vm: VM | None = None) -> list[str]:
    """How this VM's integration services are updated, then the table's note, in plain words
    (``vm``: to say why its guest OS is unknown, when that is why there is no advice)."""
    if adv.mechanism is None:
        if vm is not None and not vm.guest_os and adv.reason.startswith("guest OS unknown"):
            return [tr("No advice while the guest OS is unknown ({why}).").format(why=unknown_guest_os_why(vm))]
        return [tr("No advice: {reason}.").format(reason=advice_reason(adv.reason))]
    how = {
        advice.Mechanism.WINDOWS_UPDATE: tr("Through Windows Update, inside the guest."),
        advice.Mechanism.SETUP_DISK: tr("With the Integration Services setup disk (vmguest.iso): insert it (Edit > "
                                        "Insert Integration Services setup disk), then the guest's administrator "
                                        "installs them inside the guest (this cannot be automated for a running "
                                        "VM)."),
        advice.Mechanism.PACKAGE_MANAGER: tr("With the Linux distribution's package manager."),
    }[adv.mechanism]
    lines = [how]
    note = note_text(adv.note)
    if note and adv.note is not advice.Note.SETUP_DISK_INSTRUCTIONS:
        lines.append(tr("Note: {note}.").format(note=f"{note[0].upper()}{note[1:]}"))
    return lines


def note_text(note: advice.Note) -> str:
    """The seed table's note (``advice.NOTE_TEXT``), in the window's language."""
    return {
        advice.Note.NONE: "",
        advice.Note.REQUIRES_DATA_EXCHANGE: tr("requires the Data Exchange integration service (otherwise: the CAB "
                                               "from the Microsoft Download Center, KB 3071740)"),
        advice.Note.EXTENDED_SUPPORT_ONLY: tr("extended support only on this host"),
        advice.Note.NOT_SUPPORTED_ON_HOST: tr("not supported on this host"),
        advice.Note.NO_MAINSTREAM_SUPPORT: tr("no mainstream support"),
        advice.Note.BUILT_INTO_KERNEL: tr("built into the distribution's kernel; optional updates may exist"),
        advice.Note.SETUP_DISK_INSTRUCTIONS: tr("insert the setup disk (vmguest.iso), then the guest's "
                                                "administrator installs it inside the guest; this cannot be "
                                                "automated for a running VM"),
    }.get(note, advice.NOTE_TEXT.get(note, ""))


_REASONS = (
    (re.compile(r"^host version unknown$"), lambda m: tr("host version unknown")),
    (re.compile(r"^guest OS unknown: the VM is not running$"), lambda m: tr("guest OS unknown: the VM is not running")),
    (re.compile(r"^guest OS unknown: Data Exchange is off or the guest does not report it$"),
     lambda m: tr("guest OS unknown: Data Exchange is off or the guest does not report it")),
    (re.compile(r"^(.*) is not in the update table for this host$"),
     lambda m: tr("{guest} is not in the update table for this host").format(guest=m[1])),
)


def advice_reason(reason: str) -> str:
    """Why there is no advice (``hvgui.core.advice`` speaks English), in the window's language."""
    for pattern, words in _REASONS:
        m = pattern.match(reason)
        if m is not None:
            return words(m)
    return reason


def updates_line(facts: HostFacts | None, vm: VM) -> str:
    """How this VM's integration services are kept up to date on this host (the seed's tables)."""
    return advice.advise(facts, vm).text


_ORDER = {s.guid: i for i, s in enumerate(catalog.SERVICES)}


def ordered(services: Sequence[ServiceState]) -> list[ServiceState]:
    """Hyper-V Manager's order; services hvgui does not know last."""
    return sorted(services, key=lambda s: (_ORDER.get(s.guid, 99), s.guid))


def summary_line(vm: VM, pending: dict[str, bool], results: dict[str, CellResult],
                 adv: advice.Advice | None = None) -> str:
    """What is wrong with this VM, in one line (the report starts with it); ``adv``: its update
    advice, whose reasons for attention are said too."""
    problems: list[str] = []
    if vm.error:
        problems.append(tr("its integration services could not be read on the host"))
    for svc in ordered(vm.services):
        m = service_meaning(vm, svc)
        if m in PROBLEMS:
            what = {Meaning.NOT_ANSWERING: tr("not answering"), Meaning.DEGRADED: tr("degraded"),
                    Meaning.ERROR: tr("error"), Meaning.UNREADABLE: tr("unreadable")}[m]
            problems.append(tr("{service} {what} ({word})").format(service=service_label_of(svc), what=what,
                                                                   word=status_word(vm, svc)))
    if adv is not None:
        problems += attention_reasons(vm, adv)
    elif update_required(vm):
        problems.append(tr("integration services need an update"))
    failed = [g for g, r in results.items() if r.phase in (CellPhase.FAILED, CellPhase.NOT_APPLIED,
                                                             CellPhase.CONFLICT)]
    unknown = [g for g, r in results.items() if r.phase is CellPhase.UNKNOWN]
    notes = []
    if failed:
        notes.append(tr("%n change(s) not applied", "", len(failed)))
    if unknown:
        notes.append(tr("%n change(s) of unknown outcome", "", len(unknown)))
    if pending:
        notes.append(tr("%n pending change(s)", "", len(pending)))
    live = [s for s in vm.services if service_meaning(vm, s) is Meaning.WORKING]
    if problems:
        head = tr("Needs a look: {problems}").format(problems="; ".join(problems))
    elif not live and any(s.enabled for s in vm.services):
        head = tr("Nothing wrong seen; the VM is {state}, so there is no live status").format(
            state=vm_state_text(vm.state).lower())
    else:
        head = tr("OK: every enabled integration service answers")
    return head + (f" ({', '.join(notes)})" if notes else "") + "."


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One VM of a report, with what the window knows about it."""

    host_name: str
    host_facts: HostFacts | None
    vm: VM
    pending: dict[str, bool] = field(default_factory=dict)
    """Service GUID -> target."""
    results: dict[str, CellResult] = field(default_factory=dict)
    refreshed: float | None = None
    guest_os_seen: str | None = None
    """The guest OS the host reported earlier in the session, when it says nothing now."""

    def advice_vm(self) -> VM:
        return self.vm if self.vm.guest_os or not self.guest_os_seen else replace(self.vm, guest_os=self.guest_os_seen)

    def update_advice(self) -> advice.Advice:
        return vm_advice(self.host_facts, self.advice_vm(), self.pending)


def vm_report(host_name: str, host_os: str, vm: VM, pending: dict[str, bool],
              results: dict[str, CellResult], refreshed: float | None,
              facts: HostFacts | None = None, guest_os_seen: str | None = None) -> str:
    """Readable text summary of one VM (the "Copy report" button), starting with one line that
    says what is wrong."""
    item = ReportItem(host_name, facts, vm, pending, results, refreshed, guest_os_seen)
    adv = item.update_advice()
    lines = [
        f"{vm.name} on {host_name}: {summary_line(vm, pending, results, adv)}",
        "",
        f"VM: {vm.name}",
        f"VM Id: {vm.id}",
        f"Host: {host_name}" + (f" ({host_os})" if host_os else ""),
        f"State: {vm.state}",
        f"Integration services version: {vm.is_version or 'unknown'}",
        f"Integration services state: {is_state_word(vm)}",
        f"Guest OS: {guest_os_text(vm, guest_os_seen)}",
    ]
    advice_text = advice_lines(adv, item.advice_vm())
    lines.append(f"Updates: {advice_text[0]}")
    lines += [f"    {line}" for line in advice_text[1:]]
    blocked = blocked_text(item.advice_vm(), adv)
    if blocked:
        lines.append(f"    WARNING: {blocked}")
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
    for svc in ordered(vm.services):
        lines.append(f"- {svc.label}: {status_line(vm, svc)}")
        lines.append(f"    {explain(vm, svc)}")
        check = guest_check(vm, svc)
        if check:
            lines.append(f"    What to check: {check}")
        if svc.guid in pending:
            lines.append(f"    Pending change (not applied): {on_off(svc.enabled)} -> {on_off(pending[svc.guid])}")
        if svc.guid in results:
            lines.append(f"    {result_text(results[svc.guid])}")
    return "\n".join(lines) + "\n"


def fleet_report(items: Sequence[ReportItem]) -> str:
    """The report of several VMs: a summary line, then each VM's report."""
    if len(items) == 1:
        i = items[0]
        return vm_report(i.host_name, i.host_facts.os_caption if i.host_facts else "", i.vm, i.pending,
                         i.results, i.refreshed, i.host_facts, i.guest_os_seen)
    wrong = sum(1 for i in items if summary_line(i.vm, {}, {}, i.update_advice()).startswith("Needs a look"))
    head = f"{plural(len(items), 'VM')}: {wrong} need{'s' if wrong == 1 else ''} a look."
    parts = [head, ""]
    parts += [f"{i.vm.name} on {i.host_name}: {summary_line(i.vm, i.pending, i.results, i.update_advice())}"
              for i in items]
    for i in items:
        parts += ["", "=" * 60,
                  vm_report(i.host_name, i.host_facts.os_caption if i.host_facts else "", i.vm, i.pending,
                            i.results, i.refreshed, i.host_facts, i.guest_os_seen).rstrip("\n")]
    return "\n".join(parts) + "\n"


def host_says(svc: ServiceState) -> str:
    """The host's own words for a service, as a tooltip line."""
    return f"Host says: {host_words(svc)}"


def service_label_of(svc: ServiceState) -> str:
    """Hyper-V Manager's label of a service, in the window's language (the host's name for one
    hvgui does not know)."""
    return service_label(svc.guid) if catalog.get(svc.guid) is not None else svc.label
