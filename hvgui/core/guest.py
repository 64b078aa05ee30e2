"""Inside the guest: what the guest side of each integration service is doing, and what that
means together with the host side (the *effective state*).

The seed: *each service must be enabled on the host **and** running in the guest to work*. The
host knows only its side (enabled, and a status such as *No Contact* that does not say why); the
guest side is read separately:

- Windows guests through the host with PowerShell Direct (``Invoke-Command -VMId -Credential``):
  every ``vmic*`` service's status and start type, and the guest's ``IntegrationServicesVersion``.
  Only where it can work: host and guest Windows 10 / Server 2016 or later, VM running
  (guest-facts.md §2).
- Linux guests over SSH: whether ``hv_utils`` is loaded and which integration daemons exist and
  run, under the distributions' unit names (guest-facts.md §3).

Qt-free and I/O-free: values, the effective state, and the words for them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from hvgui.core import catalog
from hvgui.core.model import VM, HostFacts, ServiceState

WINDOWS: Final = "windows"
LINUX: Final = "linux"

#: The Windows guest service behind each integration service (guest-facts.md §1).
WINDOWS_SERVICES: Final[dict[str, tuple[str, str]]] = {
    catalog.HEARTBEAT: ("vmicheartbeat", "Hyper-V Heartbeat Service"),
    catalog.SHUTDOWN: ("vmicshutdown", "Hyper-V Guest Shutdown Service"),
    catalog.TIME_SYNC: ("vmictimesync", "Hyper-V Time Synchronization Service"),
    catalog.KVP: ("vmickvpexchange", "Hyper-V Data Exchange Service"),
    catalog.VSS: ("vmicvss", "Hyper-V Volume Shadow Copy Requestor"),
    catalog.GUEST_SERVICE_INTERFACE: ("vmicguestinterface", "Hyper-V Guest Service Interface"),
}
#: Guest services with no host-side component.
GUEST_ONLY_SERVICES: Final[dict[str, str]] = {
    "vmicvmsession": "Hyper-V PowerShell Direct Service",
    "vmicrdv": "Hyper-V Remote Desktop Virtualization Service",
}
START_TYPES: Final = ("Automatic", "Manual", "Disabled")
SERVICE_NAME: Final = re.compile(r"^vmic[a-z]{2,30}$")
"""What a guest service name hvgui acts on looks like (checked before anything is sent, and again in
the guest: ``Get-Service -Name`` takes wildcards)."""


@dataclass(frozen=True, slots=True)
class LinuxComponent:
    key: str
    """``kvp``, ``vss``, ``fcopy``."""
    daemons: tuple[str, ...]
    """Process names: upstream's first, then the renamed RHEL/Fedora binary."""
    units: tuple[str, ...]
    """systemd units: Debian/Ubuntu first, then RHEL/Fedora (guest-facts.md §3)."""


LINUX_COMPONENTS: Final[dict[str, LinuxComponent]] = {
    catalog.KVP: LinuxComponent("kvp", ("hv_kvp_daemon", "hypervkvpd"),
                                ("hv-kvp-daemon.service", "hypervkvpd.service")),
    catalog.VSS: LinuxComponent("vss", ("hv_vss_daemon", "hypervvssd"),
                                ("hv-vss-daemon.service", "hypervvssd.service")),
    catalog.GUEST_SERVICE_INTERFACE: LinuxComponent(
        "fcopy", ("hv_fcopy_daemon", "hv_fcopy_uio_daemon", "hypervfcopyd"),
        ("hv-fcopy-daemon.service", "hypervfcopyd.service")),
}
LINUX_KERNEL_SERVICES: Final = (catalog.HEARTBEAT, catalog.SHUTDOWN, catalog.TIME_SYNC)
"""Served by the ``hv_utils`` kernel driver itself."""
DAEMON_NAME: Final = re.compile(r"^(hv_(kvp|vss|fcopy|fcopy_uio)_daemon|hyperv(kvp|vss|fcopy)d)$")
UNIT_NAME: Final = re.compile(r"^(hv-(kvp|vss|fcopy)-daemon|hyperv(kvp|vss|fcopy)d)\.service$")


# ---------------------------------------------------------------- what the guest says

@dataclass(frozen=True, slots=True)
class GuestService:
    """One ``vmic*`` service as ``Get-Service`` shows it in the guest."""

    name: str
    display_name: str
    status: str
    """``Running``, ``Stopped``, ``StartPending``..."""
    start_type: str
    """``Automatic``, ``Manual``, ``Disabled``."""

    @property
    def running(self) -> bool:
        return self.status == "Running"


@dataclass(frozen=True, slots=True)
class LinuxDaemon:
    """One integration daemon of a Linux guest."""

    key: str
    """``kvp``, ``vss``, ``fcopy``."""
    name: str
    """The process name found (or upstream's when none is installed)."""
    unit: str | None
    """Its systemd unit, when the guest has one."""
    present: bool
    running: bool


class GuestProblem(StrEnum):
    """Why the guest side is unknown."""

    NO_CREDENTIALS = "no_credentials"
    HOST_TOO_OLD = "host_too_old"
    GUEST_TOO_OLD = "guest_too_old"
    NOT_RUNNING = "not_running"
    INVALID_CREDENTIAL = "invalid_credential"
    VM_NOT_FOUND = "vm_not_found"
    NO_SSH_TARGET = "no_ssh_target"
    HOST_KEY_UNKNOWN = "host_key_unknown"
    HOST_KEY_CHANGED = "host_key_changed"
    UNREACHABLE = "unreachable"
    UNKNOWN_OS = "unknown_os"
    ERROR = "error"


PROBLEM_TEXT: Final[dict[GuestProblem, str]] = {
    GuestProblem.NO_CREDENTIALS: "no guest credentials for this VM",
    GuestProblem.HOST_TOO_OLD: "PowerShell Direct needs a Windows Server 2016 / Windows 10 or later host",
    GuestProblem.GUEST_TOO_OLD: "PowerShell Direct needs a Windows Server 2016 / Windows 10 or later guest",
    GuestProblem.NOT_RUNNING: "PowerShell Direct needs the VM running",
    GuestProblem.INVALID_CREDENTIAL: "the guest refused the credentials",
    GuestProblem.VM_NOT_FOUND: "the VM is no longer on this host",
    GuestProblem.NO_SSH_TARGET: "no SSH target for this Linux guest (address, user, key or password)",
    GuestProblem.HOST_KEY_UNKNOWN: "the guest's SSH host key is not trusted yet",
    GuestProblem.HOST_KEY_CHANGED: "the guest's SSH host key changed",
    GuestProblem.UNREACHABLE: "the guest could not be reached",
    GuestProblem.UNKNOWN_OS: "the host does not know the guest's operating system",
    GuestProblem.ERROR: "reading the guest failed",
}


@dataclass(frozen=True, slots=True)
class GuestSide:
    """What was read inside one VM (or why it could not be)."""

    vm_id: str
    family: str
    """:data:`WINDOWS` or :data:`LINUX`."""
    services: tuple[GuestService, ...] = ()
    is_version: str | None = None
    """Windows: ``IntegrationServicesVersion`` from the guest's registry (None: not there)."""
    hv_utils: bool | None = None
    """Linux: the ``hv_utils`` driver is loaded."""
    daemons: tuple[LinuxDaemon, ...] = ()
    problem: GuestProblem | None = None
    message: str = ""
    """With a problem: the words of whoever refused (Windows' own for PowerShell Direct)."""

    @property
    def readable(self) -> bool:
        return self.problem is None

    def service(self, name: str) -> GuestService | None:
        for s in self.services:
            if s.name.casefold() == name.casefold():
                return s
        return None

    def daemon(self, key: str) -> LinuxDaemon | None:
        for d in self.daemons:
            if d.key == key:
                return d
        return None

    @property
    def reason(self) -> str:
        """Why the guest side is unknown, naming the requirement, with the words of whoever refused."""
        if self.problem is None:
            return ""
        base = PROBLEM_TEXT[self.problem]
        return f"{base}: {self.message}" if self.message and self.message not in base else base


def unknown(vm_id: str, family: str, problem: GuestProblem, message: str = "") -> GuestSide:
    return GuestSide(vm_id=vm_id.lower(), family=family, problem=problem, message=message)


# ---------------------------------------------------------------- where it can work

_OLD_WINDOWS = re.compile(r"\b(2003|2008|2012|vista|xp|windows 7|windows 8(\.1)?)\b", re.IGNORECASE)


def family_of(vm: VM) -> str | None:
    g = (vm.guest_os or "").casefold()
    if not g:
        return None
    return WINDOWS if "windows" in g else LINUX


def host_supports_direct(host: HostFacts | None) -> bool | None:
    """PowerShell Direct needs a Windows 10 / Server 2016 (build 10.0) or later host; None: unknown."""
    if host is None or not host.os_version:
        return None
    try:
        return int(host.os_version.split(".")[0]) >= 10
    except ValueError:
        return None


def blocker(host: HostFacts | None, vm: VM) -> GuestSide | None:
    """Why PowerShell Direct (Windows) cannot read this VM, known before trying; None: try it."""
    if host_supports_direct(host) is False:
        caption = host.os_caption if host and host.os_caption else "an older Windows"
        return unknown(vm.id, WINDOWS, GuestProblem.HOST_TOO_OLD, f"{host.name if host else 'the host'} runs "
                       f"{caption}")
    if vm.guest_os and _OLD_WINDOWS.search(vm.guest_os):
        return unknown(vm.id, WINDOWS, GuestProblem.GUEST_TOO_OLD, f"this guest runs {vm.guest_os}")
    if vm.state != "Running":
        return unknown(vm.id, WINDOWS, GuestProblem.NOT_RUNNING, f"it is {vm.state}")
    return None


# Windows' own words for PowerShell Direct failures (guest-facts.md §2): how a result's message is
# recognised when the script could not tell (the words are English on an English host).
_WORDS: Final[tuple[tuple[str, GuestProblem], ...]] = (
    ("The credential is invalid", GuestProblem.INVALID_CREDENTIAL),
    ("is not in running state", GuestProblem.NOT_RUNNING),
    ("A remote session might have ended", GuestProblem.GUEST_TOO_OLD),
    ("does not resolve to any virtual machine", GuestProblem.VM_NOT_FOUND),
    ("parameter name 'VMId'", GuestProblem.HOST_TOO_OLD),
)


def classify(message: str) -> GuestProblem:
    for words, problem in _WORDS:
        if words.casefold() in message.casefold():
            return problem
    return GuestProblem.ERROR


# ---------------------------------------------------------------- the effective state

class Effective(StrEnum):
    WORKS = "works"
    STOPPED_IN_GUEST = "stopped_in_guest"
    """Enabled on the host, stopped in the guest (Hyper-V starts it again eventually)."""
    DISABLED_IN_GUEST = "disabled_in_guest"
    """Enabled on the host, disabled in the guest: Hyper-V cannot start it."""
    MISSING_IN_GUEST = "missing_in_guest"
    """Enabled on the host, not installed in the guest."""
    DISABLED_ON_HOST = "disabled_on_host"
    UNKNOWN = "unknown"


EFFECTIVE_TEXT: Final[dict[Effective, str]] = {
    Effective.WORKS: "works",
    Effective.STOPPED_IN_GUEST: "enabled on host, stopped in guest",
    Effective.DISABLED_IN_GUEST: "disabled in guest (Hyper-V cannot start it)",
    Effective.MISSING_IN_GUEST: "enabled on host, not installed in guest",
    Effective.DISABLED_ON_HOST: "disabled on host",
    Effective.UNKNOWN: "guest side unknown",
}
EFFECTIVE_MARK: Final[dict[Effective, str]] = {
    Effective.WORKS: "✔", Effective.STOPPED_IN_GUEST: "■", Effective.DISABLED_IN_GUEST: "⊘",
    Effective.MISSING_IN_GUEST: "∅", Effective.DISABLED_ON_HOST: "○", Effective.UNKNOWN: "?",
}


@dataclass(frozen=True, slots=True)
class EffectiveState:
    state: Effective
    component: str
    """The guest side by name: ``vmickvpexchange``, ``hv_kvp_daemon (hv-kvp-daemon.service)``,
    ``hv_utils (kernel driver)``."""
    guest: str
    """The guest side in words: "Running (start type: Manual)", "not installed", the reason it is unknown."""
    advice: str
    """One sentence for helpdesk staff."""

    @property
    def text(self) -> str:
        return EFFECTIVE_TEXT[self.state]

    @property
    def problem(self) -> bool:
        return self.state in (Effective.STOPPED_IN_GUEST, Effective.DISABLED_IN_GUEST, Effective.MISSING_IN_GUEST)


def _linux_component_name(guid: str, guest: GuestSide | None) -> str:
    if guid in LINUX_KERNEL_SERVICES:
        return "hv_utils (kernel driver)"
    comp = LINUX_COMPONENTS.get(guid)
    if comp is None:
        return "?"
    d = guest.daemon(comp.key) if guest is not None else None
    if d is not None and d.unit:
        return f"{d.name} ({d.unit})"
    return d.name if d is not None else comp.daemons[0]


def component_name(guid: str, family: str | None, guest: GuestSide | None = None) -> str:
    if family == LINUX:
        return _linux_component_name(guid, guest)
    return WINDOWS_SERVICES.get(guid, ("?", ""))[0]


def effective(vm: VM, svc: ServiceState, guest: GuestSide | None) -> EffectiveState:
    """Host side and guest side of one service of one VM, together."""
    family = guest.family if guest is not None else family_of(vm)
    label = svc.label
    comp = component_name(svc.guid, family, guest)
    if guest is None or not guest.readable:
        why = guest.reason if guest is not None else "the guest side has not been read"
        if not svc.enabled:
            return EffectiveState(Effective.DISABLED_ON_HOST, comp, f"unknown: {why}",
                                  f"{label} is disabled on the host: Hyper-V does not offer it to the guest.")
        return EffectiveState(Effective.UNKNOWN, comp, f"unknown: {why}",
                              f"{label} is enabled on the host; the guest side is unknown ({why}).")
    if family == LINUX:
        state, words = _linux_side(svc.guid, guest)
    else:
        state, words = _windows_side(svc.guid, guest)
    if not svc.enabled:
        extra = ""
        if state is Effective.DISABLED_IN_GUEST:
            extra = f" {comp} is also disabled in the guest: enabling it on the host will not start it."
        return EffectiveState(Effective.DISABLED_ON_HOST, comp, words,
                              f"{label} is disabled on the host: Hyper-V does not offer it to the guest.{extra}")
    if state is Effective.WORKS:
        return EffectiveState(state, comp, words, f"{label} works: enabled on the host and {comp} runs in the guest.")
    if state is Effective.MISSING_IN_GUEST:
        return EffectiveState(state, comp, words, f"{label} is enabled on the host but {comp} is not installed in "
                              "the guest" + (": install the distribution's Hyper-V daemons package (hyperv-daemons, "
                                             "linux-cloud-tools-common)." if family == LINUX else
                                             ": update or reinstall the integration services."))
    if state is Effective.DISABLED_IN_GUEST:
        return EffectiveState(state, comp, words, f"{label} is enabled on the host but {comp} is stopped in the guest "
                              f"({_paren(words)}): Hyper-V cannot start it; set its start type to Manual in the "
                              "guest, then start it.")
    if family == LINUX:
        d = guest.daemon(LINUX_COMPONENTS[svc.guid].key) if svc.guid in LINUX_COMPONENTS else None
        how = f"systemctl restart {d.unit}" if d is not None and d.unit else f"run {d.name if d else comp} as root"
        return EffectiveState(state, comp, words, f"{label} is enabled on the host but {comp} is stopped in the "
                              f"guest ({_paren(words)}): restart it ({how}).")
    return EffectiveState(state, comp, words, f"{label} is enabled on the host but {comp} is stopped in the guest "
                          f"({_paren(words)}): start it (Hyper-V starts it again eventually).")


def _paren(words: str) -> str:
    return words.split("(", 1)[1].rstrip(")") if "(" in words else words


def _windows_side(guid: str, guest: GuestSide) -> tuple[Effective, str]:
    name = WINDOWS_SERVICES.get(guid, ("", ""))[0]
    s = guest.service(name) if name else None
    if s is None:
        return Effective.MISSING_IN_GUEST, "not installed"
    words = f"{s.status} (start type: {s.start_type})"
    if s.running:
        return Effective.WORKS, words
    if s.start_type == "Disabled":
        return Effective.DISABLED_IN_GUEST, words
    return Effective.STOPPED_IN_GUEST, words


def _linux_side(guid: str, guest: GuestSide) -> tuple[Effective, str]:
    if guid in LINUX_KERNEL_SERVICES:
        if guest.hv_utils:
            return Effective.WORKS, "hv_utils loaded"
        return Effective.MISSING_IN_GUEST, "hv_utils not loaded"
    comp = LINUX_COMPONENTS.get(guid)
    d = guest.daemon(comp.key) if comp is not None else None
    if d is None or not d.present:
        return Effective.MISSING_IN_GUEST, "not installed"
    if d.running:
        return Effective.WORKS, "running"
    return Effective.STOPPED_IN_GUEST, "stopped (not running)"


def no_contact_advice(vm: VM, svc: ServiceState, guest: GuestSide | None) -> str | None:
    """The specific advice for a *No Contact* service once the guest side is known, e.g. "Data
    Exchange is enabled on the host but vmickvpexchange is stopped in the guest (start type:
    Disabled)..."; None when the guest side does not explain it."""
    e = effective(vm, svc, guest)
    return e.advice if e.problem else None


# ---------------------------------------------------------------- changes inside the guest

class GuestActionKind(StrEnum):
    START = "start"
    STOP = "stop"
    RESTART = "restart"
    START_TYPE = "start_type"


@dataclass(frozen=True, slots=True)
class GuestAction:
    """Start / Stop / Restart a guest service or daemon, or set a Windows service's start type."""

    vm_id: str
    service: str
    """``vmickvpexchange`` (Windows) or the daemon's key ``kvp``/``vss``/``fcopy`` (Linux)."""
    action: GuestActionKind
    start_type: str | None = None
    vm_name: str = ""

    def describe(self) -> str:
        if self.action is GuestActionKind.START_TYPE:
            return f"set {self.service}'s start type to {self.start_type}"
        # A Linux daemon by its name (hv_vss_daemon), as the guest and the details pane show it, not its key.
        what = next((c.daemons[0] for c in LINUX_COMPONENTS.values() if c.key == self.service), self.service)
        return f"{self.action.value} {what}"


def check_action(a: GuestAction, family: str) -> None:
    """Raise ValueError for an action hvgui must not send (checked before anything is sent)."""
    if family == WINDOWS:
        if not SERVICE_NAME.match(a.service):
            raise ValueError(f"not a Hyper-V guest service name: {a.service!r}")
        if a.action is GuestActionKind.START_TYPE and a.start_type not in START_TYPES:
            raise ValueError(f"start type must be one of {', '.join(START_TYPES)}")
    else:
        if a.service not in {c.key for c in LINUX_COMPONENTS.values()}:
            raise ValueError(f"not a Hyper-V daemon: {a.service!r} (kvp, vss or fcopy)")
        if a.action is GuestActionKind.START_TYPE:
            raise ValueError("Linux daemons have no start type here")


class GuestOutcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"
    NOT_ATTEMPTED = "not_attempted"
    """The guest could not be reached (see the VM's problem)."""
    UNKNOWN = "unknown"
    """Sent, and the answer was lost."""

    @property
    def ok(self) -> bool:
        return self in (GuestOutcome.CHANGED, GuestOutcome.UNCHANGED)


@dataclass(frozen=True, slots=True)
class GuestActionResult:
    action: GuestAction
    outcome: GuestOutcome
    message: str = ""


WARNING: Final = ("Stopping a guest integration service can badly affect managing the VM from the host "
                  "(shutdown, backup, heartbeat, PowerShell Direct itself). The host is the right place to "
                  "turn an integration service on or off: prefer enabling or disabling it there.")
"""The seed's warning, shown before any guest service change."""


# ---------------------------------------------------------------- how to reach each guest (no secrets)

@dataclass(frozen=True, slots=True)
class SshTarget:
    """How to reach one Linux guest (no secret: its password lives in the keyring or this session)."""

    vm_id: str
    address: str
    user: str
    port: int = 22
    key_file: str | None = None
    """A private key file (without a passphrase); else the password."""

    @property
    def host_id(self) -> str:
        """``address`` or ``[address]:port``, as known_hosts writes it."""
        return self.address if self.port == 22 else f"[{self.address}]:{self.port}"

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@{self.address}:{self.port}"


@dataclass(frozen=True, slots=True)
class GuestAccess:
    """Per VM: the Windows guest's user for PowerShell Direct, or the Linux guest's SSH target."""

    vm_id: str
    windows_user: str | None = None
    ssh: SshTarget | None = None


def guests_path(hosts_path: Path) -> Path:
    """The guests file lives next to the hosts file (``guests.json``); SSH host keys in ``known_hosts``."""
    return hosts_path.parent / "guests.json"


def load_guests(path: Path) -> dict[str, GuestAccess]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a guests file ({exc})") from exc
    out: dict[str, GuestAccess] = {}
    for vm_id, d in dict(raw.get("vms") or {}).items():
        ssh = d.get("ssh")
        target = None if not ssh else SshTarget(vm_id=vm_id.lower(), address=str(ssh["address"]),
                                                user=str(ssh["user"]), port=int(ssh.get("port", 22)),
                                                key_file=ssh.get("key_file") or None)
        out[vm_id.lower()] = GuestAccess(vm_id.lower(), d.get("windows_user") or None, target)
    return out


def save_guests(path: Path, guests: dict[str, GuestAccess]) -> None:
    """Atomically (temp file + rename). Never a password: only users, addresses and key file paths."""
    vms: dict[str, Any] = {}
    for vm_id, a in sorted(guests.items()):
        entry: dict[str, Any] = {}
        if a.windows_user:
            entry["windows_user"] = a.windows_user
        if a.ssh is not None:
            entry["ssh"] = {"address": a.ssh.address, "port": a.ssh.port, "user": a.ssh.user}
            if a.ssh.key_file:
                entry["ssh"]["key_file"] = a.ssh.key_file
        vms[vm_id] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps({"version": 1, "vms": vms}, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
