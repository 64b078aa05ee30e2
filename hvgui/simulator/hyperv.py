"""A simulated Hyper-V host: its VMs, their integration services and what the host reports.

State lives here; what a command means lives in :mod:`hvgui.simulator.powershell` (scripts and
cmdlets) and :mod:`hvgui.simulator.cmdexe` (the command line). Every read and write of the state
holds ``HyperVHost.lock`` because the wire runs commands on several threads.

Status semantics (hyperv-facts.md §2, §9):

- VM not running: no live component, no status (``OperationalStatus`` empty).
- Running, service disabled on the host: primary ``Ok`` "OK" (what real hosts show).
- Running, enabled, guest side running: ``Ok``; Heartbeat adds a secondary ``Ok`` (application
  health); Linux VSS on some distributions adds a secondary ``ProtocolMismatch`` (harmless, KB 4014894).
- Running, enabled, guest side stopped or missing: ``NoContact`` "No Contact".
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from hvgui.core import catalog
from hvgui.core.model import VM, HostFacts, Inventory, ServiceState, StatusValue
from hvgui.core.status import ENGLISH_DESCRIPTIONS, RUNNING_STATES, OperationalStatus
from hvgui.simulator.faults import Faults
from hvgui.simulator.interfaces import Login

if TYPE_CHECKING:
    from hvgui.simulator.interfaces import CommandContext


@dataclass(frozen=True, slots=True)
class HostOS:
    key: str
    caption: str
    version: str


#: Host operating systems (``Win32_OperatingSystem.Caption`` / ``.Version``).
HOST_OSES: Final[dict[str, HostOS]] = {
    "2012": HostOS("2012", "Microsoft Windows Server 2012 Datacenter", "6.2.9200"),
    "2012R2": HostOS("2012R2", "Microsoft Windows Server 2012 R2 Datacenter", "6.3.9600"),
    "2016": HostOS("2016", "Microsoft Windows Server 2016 Datacenter", "10.0.14393"),
    "2019": HostOS("2019", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"),
    "2022": HostOS("2022", "Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
    "2025": HostOS("2025", "Microsoft Windows Server 2025 Datacenter", "10.0.26100"),
}

LOCALES: Final = ("en-US", "fr-FR", "de-DE")

#: VM states a simulated VM may be in (``VMState`` by name) and their numbers on 2016+ hosts.
VM_STATES: Final[dict[str, int]] = {
    "Other": 1, "Running": 2, "Off": 3, "Stopping": 4, "Saved": 6, "Paused": 9, "Starting": 10,
    "Reset": 11, "Saving": 32773, "Pausing": 32776, "Resuming": 32777,
}

#: Guest-side states of one guest component.
GUEST_RUNNING: Final = "running"
GUEST_STOPPED: Final = "stopped"
GUEST_MISSING: Final = "missing"
GUEST_HUNG: Final = "hung"
"""Was answering, stopped responding: Lost Communication (back to running: OK again)."""
GUEST_OLD_PROTOCOL: Final = "old_protocol"
"""Answers on an older compatible protocol version: Degraded."""
GUEST_INCOMPATIBLE: Final = "incompatible"
"""Does not support a compatible protocol version: Non-Recoverable Error."""
GUEST_START_TYPES: Final = ("Automatic", "Manual", "Disabled")
GUEST_STATES: Final = (GUEST_RUNNING, GUEST_STOPPED, GUEST_MISSING, GUEST_HUNG, GUEST_OLD_PROTOCOL,
                       GUEST_INCOMPATIBLE)
_GUEST_STATUS: Final = {GUEST_HUNG: OperationalStatus.LostCommunication,
                        GUEST_OLD_PROTOCOL: OperationalStatus.Degraded,
                        GUEST_INCOMPATIBLE: OperationalStatus.NonRecoverableError}


#: The Integration Services setup disk, shipped by hosts before Windows Server 2016.
VMGUEST_ISO: Final = "C:\\Windows\\System32\\vmguest.iso"


@dataclass
class Costs:
    """What commands cost on this host, in seconds (``hyperv-facts.md`` §10). All zero by default
    (tests and the demo answer at once); :meth:`realistic` is what a real host costs."""

    powershell_start_s: float = 0.0
    """``powershell.exe`` starting (every PowerShell command)."""
    module_load_s: float = 0.0
    """The Hyper-V module loading, on the first Hyper-V cmdlet of a PowerShell process."""
    per_vm_read_s: float = 0.0
    """Reading one VM (``Get-VM``, ``Get-VMIntegrationService``)."""
    per_change_s: float = 0.0
    """One ``Enable-``/``Disable-VMIntegrationService``."""
    per_request_s: float = 0.0
    """A request read by a PowerShell that is already running with its modules loaded (a reused
    session: about 5 ms per call)."""
    guest_answer_s: float = 0.0
    """After a service is enabled on a running VM, the guest answers only this much later (until
    then: No Contact)."""

    @classmethod
    def realistic(cls) -> Costs:
        return cls(powershell_start_s=0.6, module_load_s=1.0, per_vm_read_s=0.012, per_change_s=0.05,
                   per_request_s=0.005, guest_answer_s=3.0)

#: Linux guest components (hyperv-facts.md §3): the kernel module serves three services.
LINUX_COMPONENTS: Final[dict[str, str]] = {
    catalog.HEARTBEAT: "hv_utils",
    catalog.SHUTDOWN: "hv_utils",
    catalog.TIME_SYNC: "hv_utils",
    catalog.KVP: "hv_kvp_daemon",
    catalog.VSS: "hv_vss_daemon",
    catalog.GUEST_SERVICE_INTERFACE: "hv_fcopy_daemon",
}
WINDOWS_COMPONENTS: Final[dict[str, str]] = {s.guid: s.windows_service for s in catalog.SERVICES}
_COMPONENT_GUID: Final[dict[str, str]] = {**{v: k for k, v in WINDOWS_COMPONENTS.items()},
                                          **{v: k for k, v in LINUX_COMPONENTS.items() if v != "hv_utils"}}
#: Display names of the Windows guest services (guest-facts.md §1), including the two with no host component.
WINDOWS_DISPLAY_NAMES: Final[dict[str, str]] = {
    "vmicheartbeat": "Hyper-V Heartbeat Service", "vmicshutdown": "Hyper-V Guest Shutdown Service",
    "vmictimesync": "Hyper-V Time Synchronization Service", "vmickvpexchange": "Hyper-V Data Exchange Service",
    "vmicvss": "Hyper-V Volume Shadow Copy Requestor", "vmicguestinterface": "Hyper-V Guest Service Interface",
    "vmicvmsession": "Hyper-V PowerShell Direct Service", "vmicrdv": "Hyper-V Remote Desktop Virtualization Service",
}
#: Linux daemons: upstream name (the key in ``SimVM.guest``) -> (RHEL/Fedora process name, unit stem).
LINUX_DAEMONS: Final[dict[str, tuple[str, str, str]]] = {
    "hv_kvp_daemon": ("hypervkvpd", "hv-kvp-daemon", "hypervkvpd"),
    "hv_vss_daemon": ("hypervvssd", "hv-vss-daemon", "hypervvssd"),
    "hv_fcopy_daemon": ("hypervfcopyd", "hv-fcopy-daemon", "hypervfcopyd"),
}
OLD_WINDOWS_GUESTS: Final = ("2003", "2008", "2012", "vista", "xp", "windows 7", "windows 8")
"""Guests before Windows 10 / Server 2016: no PowerShell Direct."""

#: Localized status descriptions. German "Kein Kontakt" is confirmed (hyperv-facts.md §4);
#: the French texts and the other German ones are UNCONFIRMED translations.
_DESCRIPTIONS: Final[dict[str, dict[OperationalStatus, str]]] = {
    "en-US": dict(ENGLISH_DESCRIPTIONS),
    "de-DE": {
        **ENGLISH_DESCRIPTIONS,
        OperationalStatus.NoContact: "Kein Kontakt",
        OperationalStatus.LostCommunication: "Kommunikation unterbrochen",
        OperationalStatus.Degraded: "Beeinträchtigt",
        OperationalStatus.NonRecoverableError: "Nicht behebbarer Fehler",
        OperationalStatus.ProtocolMismatch: (
            "Die Protokollversion der auf dem virtuellen Computer installierten Komponente entspricht "
            "nicht der vom Hostsystem erwarteten Version"
        ),
    },
    "fr-FR": {
        **ENGLISH_DESCRIPTIONS,
        OperationalStatus.NoContact: "Aucun contact",
        OperationalStatus.LostCommunication: "Communication perdue",
        OperationalStatus.Degraded: "Détérioré",
        OperationalStatus.NonRecoverableError: "Erreur irrécupérable",
        OperationalStatus.ProtocolMismatch: (
            "La version du protocole du composant installé sur l’ordinateur virtuel ne correspond pas "
            "à la version attendue par le système hôte"
        ),
    },
}


def description(locale: str, code: OperationalStatus) -> str:
    return _DESCRIPTIONS.get(locale, _DESCRIPTIONS["en-US"])[code]


def is_linux(guest_os: str) -> bool:
    return "windows" not in guest_os.casefold()


def _default_vss_mismatch(guest_os: str) -> bool:
    g = guest_os.casefold()
    return any(d in g for d in ("ubuntu", "debian"))


@dataclass
class SimVM:
    """One VM as the host knows it (mutable; only touched under the host's lock).

    The helpers of :class:`HyperVHost` hand out copies, never the live object."""

    id: str
    name: str
    state: str = "Running"
    guest_os: str = "Windows Server 2022 Datacenter"
    is_version: str | None = None
    is_state: str = ""
    enabled: dict[str, bool] = field(default_factory=dict)
    """Service GUID -> Enabled on the host, for every service the VM offers."""
    guest: dict[str, str] = field(default_factory=dict)
    """Guest component (``vmicvss``, ``hv_kvp_daemon``...) -> running/stopped/missing."""
    vss_protocol_mismatch: bool = False
    dvd: str | None = ""
    """The VM's DVD drive: None (no drive), "" (empty) or the path of the ISO it holds."""
    enabled_at: dict[str, float] = field(default_factory=dict)
    """Service GUID -> monotonic time it was last enabled (for ``Costs.guest_answer_s``)."""
    start_types: dict[str, str] = field(default_factory=dict)
    """Windows guest service -> start type (Automatic, Manual, Disabled); Manual when absent."""
    stopped_at: dict[str, float] = field(default_factory=dict)
    """Windows guest service -> monotonic time it was stopped inside the guest (Stop-Service): Hyper-V
    starts it again :attr:`HyperVHost.guest_restart_s` later while the host has it enabled."""
    guest_user: str | None = None
    """The guest's local administrator, for PowerShell Direct (lab only: the fleet file holds its password)."""
    guest_password: str | None = field(default=None, repr=False)
    ssh_user: str | None = None
    """Linux guests: the SSH login (its password is also its sudo password)."""
    ssh_password: str | None = field(default=None, repr=False)

    @property
    def linux(self) -> bool:
        return is_linux(self.guest_os)

    def component_of(self, guid: str) -> str:
        return (LINUX_COMPONENTS if self.linux else WINDOWS_COMPONENTS)[guid]

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES


@dataclass(frozen=True, slots=True)
class ComponentView:
    """One ``VMIntegrationComponent`` as a read returns it."""

    vm_id: str
    vm_name: str
    guid: str
    name: str
    enabled: bool
    statuses: tuple[OperationalStatus, ...]
    descriptions: tuple[str, ...]

    @property
    def component_id(self) -> str:
        return f"Microsoft:{self.vm_id.upper()}\\{self.guid}"

    def to_model(self) -> ServiceState:
        def sv(i: int) -> StatusValue | None:
            if len(self.statuses) <= i:
                return None
            code = self.statuses[i]
            return StatusValue(code=int(code), name=code.name, text=self.descriptions[i])

        return ServiceState(guid=self.guid, name=self.name, enabled=self.enabled, primary=sv(0), secondary=sv(1))


@dataclass(frozen=True, slots=True)
class VMView:
    """One VM as a read returns it (immutable snapshot)."""

    id: str
    name: str
    state: str
    guest_os: str
    is_version: str | None
    is_state: str
    components: tuple[ComponentView, ...]
    computer_name: str
    dvd: str | None = ""

    def to_model(self) -> VM:
        return VM(id=self.id, name=self.name, state=self.state, is_version=self.is_version,
                  is_state=self.is_state or None, guest_os=self.guest_os or None,
                  services=tuple(c.to_model() for c in self.components))

    @property
    def heartbeat(self) -> str | None:
        """``VMHeartbeatStatus`` by name (null when off)."""
        if self.state not in RUNNING_STATES:
            return None
        for c in self.components:
            if c.guid == catalog.HEARTBEAT:
                if not c.enabled:
                    return "Disabled"
                if c.statuses and c.statuses[0] == OperationalStatus.Ok:
                    return "OkApplicationsHealthy"
                return "NoContact"
        return "Unknown"


def _kvp_item(name: str, data: str) -> str:
    from xml.sax.saxutils import escape

    return ('<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">'
            '<PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY>'
            f'<PROPERTY NAME="Data" TYPE="string"><VALUE>{escape(data)}</VALUE></PROPERTY>'
            '<PROPERTY NAME="Description" PROPAGATED="true" TYPE="string"></PROPERTY>'
            '<PROPERTY NAME="ElementName" PROPAGATED="true" TYPE="string"></PROPERTY>'
            f'<PROPERTY NAME="Name" TYPE="string"><VALUE>{escape(name)}</VALUE></PROPERTY>'
            '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>2</VALUE></PROPERTY></INSTANCE>')


class VMError(Exception):
    """An operation touched a VM that has an injected error (``faults.vm_errors``)."""


class HyperVHost:
    """A simulated Hyper-V host (implements :class:`~hvgui.simulator.interfaces.SimulatedHost`)."""

    def __init__(
        self,
        name: str,
        *,
        os: str = "2022",
        locale: str = "en-US",
        logins: Iterable[Login] = (),
        faults: Faults | None = None,
    ) -> None:
        if os not in HOST_OSES:
            raise ValueError(f"unknown host os {os!r} (one of {', '.join(HOST_OSES)})")
        if locale not in LOCALES:
            raise ValueError(f"unknown locale {locale!r} (one of {', '.join(LOCALES)})")
        self.name = name
        self.os = HOST_OSES[os]
        self.locale = locale
        self.logins: list[Login] = list(logins)
        self.faults = faults if faults is not None else Faults()
        self.lock = threading.RLock()
        self._vms: list[SimVM] = []
        self.powershell: str | None = None
        """Windows PowerShell version override (None: what the OS ships, see :attr:`powershell_version`)."""
        self.hyperv_module = True
        """False: the Hyper-V role without its PowerShell module (Hyper-V-PowerShell not installed)."""
        self.hyperv_role = True
        self.costs = Costs()
        self.kept_alive = True
        """False: this host's policy ends a ``powershell.exe`` that waits on its stdin (an endpoint
        protection rule, say): hvgui's kept-alive PowerShell cannot be used here."""
        self.counters: Counter[str] = Counter()
        """``powershell_starts``, ``module_loads``, ``kept_alive_requests`` (with :attr:`lock`):
        what the processes on this host paid for (served in ``/_sim/stats``)."""
        self.files: set[str] = {VMGUEST_ISO.casefold()} if os in ("2012", "2012R2") else set()
        """Files the host has (case-insensitive paths): ``vmguest.iso`` on hosts before 2016."""

    def count(self, name: str) -> None:
        with self.lock:
            self.counters[name] += 1

    def __repr__(self) -> str:
        return f"HyperVHost({self.name!r}, os={self.os.key!r}, locale={self.locale!r}, vms={len(self._vms)})"

    # ------------------------------------------------------------ facts

    @property
    def facts(self) -> HostFacts:
        return HostFacts(name=self.name, os_caption=self.os.caption, os_version=self.os.version,
                         locale=self.locale)

    @property
    def powershell_version(self) -> str:
        """Windows PowerShell as the OS ships it: 3.0 on 2012, 4.0 on 2012 R2, 5.1 from 2016."""
        if self.powershell is not None:
            return self.powershell
        return {"2012": "3.0", "2012R2": "4.0"}.get(self.os.key, "5.1")

    def groups_of(self, user: str) -> list[str]:
        """SIDs of the local groups a login is in (logins not in the host's list, such as the
        demo's or a test's, are administrators)."""
        wanted = user.split("\\")[-1].casefold()
        login = next((x for x in self.logins if x.user.split("\\")[-1].casefold() == wanted), None)
        if login is None:
            return ["S-1-5-32-544", "S-1-5-32-545"]
        groups = ["S-1-5-32-545"]
        if login.admin:
            groups.append("S-1-5-32-544")
        if login.hyperv_admin:
            groups.append("S-1-5-32-578")
        if login.remote_management:
            groups.append("S-1-5-32-580")
        return groups

    def environment(self, ctx: CommandContext) -> dict[str, str]:
        """What ``$env:`` shows a WinRS command (upper-case names)."""
        user = ctx.user.split("\\")[-1]
        env = {"COMPUTERNAME": self.name, "USERNAME": user, "USERDOMAIN": self.name, "WINDIR": "C:\\Windows",
               "SYSTEMROOT": "C:\\Windows", "SYSTEMDRIVE": "C:", "PROCESSOR_ARCHITECTURE": "AMD64",
               "NUMBER_OF_PROCESSORS": "16", "OS": "Windows_NT",
               "TEMP": f"C:\\Users\\{user}\\AppData\\Local\\Temp", "USERPROFILE": f"C:\\Users\\{user}",
               "PSMODULEPATH": "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\"}
        extra = getattr(ctx, "environment", None)
        if isinstance(extra, dict):
            env.update({str(k).upper(): str(v) for k, v in extra.items()})
        return env

    def kvp_intrinsic_items(self) -> list[tuple[str, list[str] | None]]:
        """``Msvm_KvpExchangeComponent`` per VM: (VM id, GuestIntrinsicExchangeItems). Items exist
        only while the VM runs with Data Exchange enabled on the host and its guest side running."""
        out: list[tuple[str, list[str] | None]] = []
        with self.lock:
            for vm in self._vms:
                live = (vm.running and vm.enabled.get(catalog.KVP, False)
                        and vm.guest.get(vm.component_of(catalog.KVP), GUEST_MISSING) == GUEST_RUNNING)
                if not live:
                    out.append((vm.id, None))
                    continue
                data = {"FullyQualifiedDomainName": vm.name, "OSName": vm.guest_os,
                        "IntegrationServicesVersion": vm.is_version or "", "ProcessorArchitecture": "9"}
                out.append((vm.id, [_kvp_item(k, v) for k, v in data.items() if v]))
        return out

    def offered_services(self, guest_os: str) -> tuple[str, ...]:
        """Service GUIDs a VM on this host lists. Windows Server 2012 (not R2) hosts have no
        Guest Service Interface component at all."""
        guids = tuple(s.guid for s in catalog.SERVICES)
        if self.os.key == "2012":
            guids = tuple(g for g in guids if g != catalog.GUEST_SERVICE_INTERFACE)
        return guids

    def service_name(self, guid: str) -> str:
        return catalog.LOCALIZED_NAMES.get(self.locale, catalog.LOCALIZED_NAMES["en-US"])[guid]

    # ------------------------------------------------------------ test / fleet helpers

    def add_vm(
        self,
        name: str,
        *,
        id: str | None = None,
        state: str = "Running",
        guest_os: str = "Windows Server 2022 Datacenter",
        is_version: str | None = None,
        is_state: str = "",
        enabled: Mapping[str, bool] | None = None,
        guest: Mapping[str, str] | None = None,
        vss_protocol_mismatch: bool | None = None,
        dvd: str | None = "",
        start_types: Mapping[str, str] | None = None,
        guest_user: str | None = None,
        guest_password: str | None = None,
        ssh_user: str | None = None,
        ssh_password: str | None = None,
    ) -> SimVM:
        """Add a VM and return a copy of it. ``enabled`` overrides the defaults by service GUID
        (or any name :func:`catalog.lookup` knows); ``guest`` sets guest components
        (``vmicvss``/``hv_kvp_daemon``... -> running/stopped/missing)."""
        if state not in VM_STATES:
            raise ValueError(f"unknown VM state {state!r} (one of {', '.join(VM_STATES)})")
        vm_id = str(uuid.UUID(id)) if id is not None else str(uuid.uuid4())
        vm = SimVM(id=vm_id.lower(), name=name, state=state, guest_os=guest_os, is_version=is_version,
                   is_state=is_state, dvd=dvd, guest_user=guest_user, guest_password=guest_password,
                   ssh_user=ssh_user, ssh_password=ssh_password)
        for svc_name, start_type in (start_types or {}).items():
            if start_type not in GUEST_START_TYPES:
                raise ValueError(f"start type {start_type!r} of {svc_name!r} is not one of {GUEST_START_TYPES}")
            vm.start_types[svc_name] = start_type
        vm.vss_protocol_mismatch = (_default_vss_mismatch(guest_os) if vss_protocol_mismatch is None
                                    else vss_protocol_mismatch)
        for guid in self.offered_services(guest_os):
            vm.enabled[guid] = catalog.get(guid).default_enabled  # type: ignore[union-attr]
        for key, value in (enabled or {}).items():
            guid = catalog.lookup(key).guid
            if guid in vm.enabled:
                vm.enabled[guid] = bool(value)
        vm.guest = self._default_guest(guest_os)
        for comp, st in (guest or {}).items():
            if st not in GUEST_STATES:
                raise ValueError(f"guest component {comp!r}: state {st!r} is not one of {GUEST_STATES}")
            vm.guest[comp] = st
        for guid, on in vm.enabled.items():
            if not on:  # the seed: a guest service whose host component is disabled is stopped
                self._host_toggled(vm, guid, False)
        with self.lock:
            if any(v.id == vm.id for v in self._vms):
                raise ValueError(f"duplicate VM id {vm.id}")
            self._vms.append(vm)
            return copy.deepcopy(vm)

    @staticmethod
    def _default_guest(guest_os: str) -> dict[str, str]:
        g = guest_os.casefold()
        if is_linux(guest_os):
            # Distributions ship the KVP and VSS daemons; the file copy daemon rarely runs.
            return {"hv_utils": GUEST_RUNNING, "hv_kvp_daemon": GUEST_RUNNING,
                    "hv_vss_daemon": GUEST_RUNNING, "hv_fcopy_daemon": GUEST_MISSING}
        guest = {s.windows_service: GUEST_RUNNING for s in catalog.SERVICES}
        # The 2022 sample of "Manage Hyper-V integration services": all running but vmicvmsession.
        guest["vmicvmsession"] = GUEST_STOPPED
        guest["vmicrdv"] = GUEST_RUNNING
        if "2008 r2" in g or "2003" in g or "windows 7" in g or "vista" in g or "xp" in g:
            # Guests before Windows 8 / Server 2012 have no Guest Service Interface.
            guest["vmicguestinterface"] = GUEST_MISSING
        return guest

    @property
    def vms(self) -> list[SimVM]:
        """Copies of the VMs, in host order."""
        with self.lock:
            return copy.deepcopy(self._vms)

    def vm(self, vm_id: str) -> SimVM | None:
        with self.lock:
            live = self._find(vm_id)
            return copy.deepcopy(live) if live else None

    def find_vms(self, name: str) -> list[SimVM]:
        """VMs with exactly this name (names are not unique)."""
        with self.lock:
            return [copy.deepcopy(v) for v in self._vms if v.name == name]

    def set_enabled(self, vm_id: str, service: str, enabled: bool) -> None:
        guid = catalog.lookup(service).guid
        with self.lock:
            vm = self._need(vm_id)
            if guid not in vm.enabled:
                raise KeyError(f"VM {vm_id} does not offer {guid}")
            vm.enabled[guid] = enabled

    def rename_vm(self, vm_id: str, new_name: str) -> None:
        with self.lock:
            self._need(vm_id).name = new_name

    def remove_vm(self, vm_id: str) -> None:
        with self.lock:
            vm = self._need(vm_id)
            self._vms.remove(vm)

    def set_state(self, vm_id: str, state: str) -> None:
        if state not in VM_STATES:
            raise ValueError(f"unknown VM state {state!r}")
        with self.lock:
            self._need(vm_id).state = state

    def file_exists(self, path: str) -> bool:
        return path.replace("/", "\\").casefold() in self.files

    def set_dvd(self, vm_id: str, path: str | None) -> None:
        """Put an ISO in the VM's DVD drive ("" empties it; None removes the drive)."""
        with self.lock:
            self._need(vm_id).dvd = path

    def set_guest(self, vm_id: str, component: str, state: str) -> None:
        """Guest side: ``set_guest(id, "hv_kvp_daemon", "stopped")``."""
        if state not in GUEST_STATES:
            raise ValueError(f"unknown guest state {state!r}")
        with self.lock:
            self._need(vm_id).guest[component] = state

    def _find(self, vm_id: str) -> SimVM | None:
        wanted = vm_id.strip().strip("{}").lower()
        for v in self._vms:
            if v.id == wanted:
                return v
        return None

    def _need(self, vm_id: str) -> SimVM:
        vm = self._find(vm_id)
        if vm is None:
            raise KeyError(f"no VM with id {vm_id} on {self.name}")
        return vm

    # ------------------------------------------------------------ reads (what cmdlets and operations see)

    def _view(self, vm: SimVM) -> VMView:
        self._settle(vm)
        comps: list[ComponentView] = []
        for guid, enabled in vm.enabled.items():
            statuses: tuple[OperationalStatus, ...] = ()
            if vm.running:
                if not enabled:
                    statuses = (OperationalStatus.Ok,)
                elif self._answering_late(vm, guid):
                    statuses = (OperationalStatus.NoContact,)
                elif vm.guest.get(vm.component_of(guid), GUEST_MISSING) in _GUEST_STATUS:
                    statuses = (_GUEST_STATUS[vm.guest[vm.component_of(guid)]],)
                elif vm.guest.get(vm.component_of(guid), GUEST_MISSING) == GUEST_RUNNING:
                    statuses = (OperationalStatus.Ok,)
                    if guid == catalog.HEARTBEAT:
                        statuses += (OperationalStatus.Ok,)
                    elif guid == catalog.VSS and vm.linux and vm.vss_protocol_mismatch:
                        statuses += (OperationalStatus.ProtocolMismatch,)
                else:
                    statuses = (OperationalStatus.NoContact,)
            comps.append(ComponentView(
                vm_id=vm.id, vm_name=vm.name, guid=guid, name=self.service_name(guid), enabled=enabled,
                statuses=statuses, descriptions=tuple(description(self.locale, s) for s in statuses)))
        comps.sort(key=lambda c: c.name.casefold())
        return VMView(id=vm.id, name=vm.name, state=vm.state, guest_os=vm.guest_os, is_version=vm.is_version,
                      is_state=vm.is_state, components=tuple(comps), computer_name=self.name, dvd=vm.dvd)

    def _answering_late(self, vm: SimVM, guid: str) -> bool:
        since = vm.enabled_at.get(guid)
        return since is not None and time.monotonic() - since < self.costs.guest_answer_s

    def snapshot(self, vm_ids: Iterable[str] | None = None) -> list[VMView]:
        """Views of all VMs (host order) or of the given ids (unknown ids skipped). Not a
        "read served" for faults: see :meth:`read`."""
        with self.lock:
            if vm_ids is None:
                return [self._view(v) for v in self._vms]
            out = []
            for i in vm_ids:
                vm = self._find(i)
                if vm is not None:
                    out.append(self._view(vm))
            return out

    def inventory(self) -> Inventory:
        return Inventory(host=self.facts, vms=tuple(v.to_model() for v in self.snapshot()))

    def check_vm_error(self, vm_id: str) -> None:
        message = self.faults.vm_errors.get(vm_id.lower())
        if message is not None:
            raise VMError(message)

    def pace(self, ctx: CommandContext, vm_count: int, *, per_vm_s: float | None = None) -> bool:
        """Per-VM latency (``faults.per_vm_latency_s`` plus ``costs.per_vm_read_s``, or ``per_vm_s``);
        False if the command was cancelled."""
        base = self.costs.per_vm_read_s if per_vm_s is None else per_vm_s
        delay = (self.faults.per_vm_latency_s + base) * vm_count
        if delay <= 0:
            return not ctx.cancelled.is_set()
        return not ctx.cancelled.wait(delay)

    def read_served(self) -> None:
        """Called after a read was served: "another admin" makes the pending external changes."""
        with self.lock:
            pending = list(self.faults.external_changes)
            self.faults.external_changes.clear()
            for ch in pending:
                vm = self._find(ch.vm_id)
                guid = catalog.normalize_guid(ch.service_guid)
                if vm is not None and guid in vm.enabled:
                    vm.enabled[guid] = ch.enabled

    # ------------------------------------------------------------ writes (cmdlets and operations)

    def write_enabled(self, vm_id: str, guid: str, enabled: bool) -> None:
        """Enable/disable as Enable-/Disable-VMIntegrationService do; the next read shows it."""
        with self.lock:
            vm = self._need(vm_id)
            if guid not in vm.enabled:
                raise KeyError(guid)
            if enabled and not vm.enabled[guid]:
                vm.enabled_at[guid] = time.monotonic()
            was = vm.enabled[guid]
            vm.enabled[guid] = enabled
            if was != enabled:
                self._host_toggled(vm, guid, enabled)

    # ------------------------------------------------------------ the guest side (guest-facts.md §1, §3)

    guest_restart_s: float = 120.0
    """How long after a Windows guest service was stopped inside the guest (while the host has it
    enabled) Hyper-V starts it again. Microsoft documents no interval ("eventually"): an assumption."""

    def _host_toggled(self, vm: SimVM, guid: str, enabled: bool) -> None:
        """The seed's rules: disabling on the host stops the guest side (Windows service; a Linux daemon
        loses its device node and exits); enabling starts it again (Windows: unless disabled in the guest;
        Linux: udev starts the unit bound to the device)."""
        comp = vm.component_of(guid)
        if comp == "hv_utils":
            return
        state = vm.guest.get(comp, GUEST_MISSING)
        if not enabled and state == GUEST_RUNNING:
            vm.guest[comp] = GUEST_STOPPED
            vm.stopped_at.pop(comp, None)
        elif enabled and state == GUEST_STOPPED and vm.start_types.get(comp, "Manual") != "Disabled":
            vm.guest[comp] = GUEST_RUNNING
            vm.stopped_at.pop(comp, None)

    def _settle(self, vm: SimVM) -> None:
        """Hyper-V starts again a Windows guest service stopped in the guest while enabled on the host."""
        now = time.monotonic()
        for comp, since in list(vm.stopped_at.items()):
            guid = _COMPONENT_GUID.get(comp)
            if vm.guest.get(comp) != GUEST_STOPPED:
                vm.stopped_at.pop(comp, None)
            elif (now - since >= self.guest_restart_s and guid is not None and vm.enabled.get(guid, False)
                  and vm.start_types.get(comp, "Manual") != "Disabled" and vm.running):
                vm.guest[comp] = GUEST_RUNNING
                vm.stopped_at.pop(comp, None)

    def direct_refusal(self, vm_id: str, user: str, password: str) -> tuple[str, str] | None:
        """Why PowerShell Direct to this VM fails, as ``(kind, Windows' words)``, or None (guest-facts.md §2)."""
        with self.lock:
            vm = self._find(vm_id)
            if vm is None:
                return "vm_not_found", "The input VMName parameter does not resolve to any virtual machine."
            if vm.state != "Running":
                return "not_running", f"The virtual machine {vm.name} is not in running state."
            g = vm.guest_os.casefold()
            if vm.linux or any(old in g for old in OLD_WINDOWS_GUESTS) or vm.guest.get("vmicvmsession") in (
                    None, GUEST_MISSING) or vm.start_types.get("vmicvmsession") == "Disabled":
                return "guest_too_old", ("An error has occurred which Windows PowerShell cannot handle. A remote "
                                         "session might have ended.")
            wanted = (vm.guest_user or "").split("\\")[-1].casefold()
            given = user.split("\\")[-1].casefold()
            if vm.guest_user is None or not wanted or given != wanted or password != (vm.guest_password or ""):
                return "invalid_credential", "The credential is invalid."
            return None

    def guest_services(self, vm_id: str) -> list[tuple[str, str, str, str]]:
        """Windows guest: every vmic* service as (name, display name, status, start type)."""
        with self.lock:
            vm = self._need(vm_id)
            self._settle(vm)
            out = []
            for comp, state in sorted(vm.guest.items()):
                if not comp.startswith("vmic") or state == GUEST_MISSING:
                    continue
                status = "Stopped" if state == GUEST_STOPPED else "Running"
                out.append((comp, WINDOWS_DISPLAY_NAMES.get(comp, comp), status, vm.start_types.get(comp, "Manual")))
            return out

    def guest_control(self, vm_id: str, name: str, action: str, start_type: str | None = None) -> str | None:
        """Start/Stop/Restart a Windows guest service or set its start type; Windows' words on failure."""
        with self.lock:
            vm = self._need(vm_id)
            self._settle(vm)
            comp = name.casefold()
            state = vm.guest.get(comp, GUEST_MISSING) if comp.startswith("vmic") else GUEST_MISSING
            if state == GUEST_MISSING:
                return f"Cannot find any service with service name '{name}'."
            display = WINDOWS_DISPLAY_NAMES.get(comp, comp)
            guid = _COMPONENT_GUID.get(comp)
            if action == "start_type":
                if start_type not in GUEST_START_TYPES:
                    return f"Cannot bind parameter 'StartupType'. Cannot convert value \"{start_type}\"."
                vm.start_types[comp] = start_type
                return None
            if action in ("stop", "restart") and state != GUEST_STOPPED:
                vm.guest[comp] = GUEST_STOPPED
                vm.stopped_at[comp] = time.monotonic()
            if action in ("start", "restart"):
                if vm.start_types.get(comp, "Manual") == "Disabled":
                    return (f"Service '{display} ({comp})' cannot be started due to the following error: Cannot "
                            f"start service {comp} on computer '.'.")
                if guid is not None and not vm.enabled.get(guid, False):
                    return None  # it starts, finds its host component disabled, and stops again
                vm.guest[comp] = GUEST_RUNNING if state in (GUEST_STOPPED, GUEST_RUNNING) else state
                vm.stopped_at.pop(comp, None)
            return None

    def guest_registry_version(self, vm_id: str) -> str | None:
        """``HKLM\\Software\\Microsoft\\Virtual Machine\\Auto`` ``IntegrationServicesVersion`` (None: no value)."""
        with self.lock:
            vm = self._need(vm_id)
            return vm.is_version

    # Linux guests (served over SSH by :mod:`hvgui.simulator.sshguest`)

    @staticmethod
    def rhel_style(vm: SimVM) -> bool:
        g = vm.guest_os.casefold()
        return any(d in g for d in ("red hat", "rhel", "fedora", "centos", "alma", "rocky", "oracle"))

    def linux_daemons(self, vm_id: str) -> list[tuple[str, str, str, str]]:
        """Linux guest: (upstream name, process name, unit, state) of each integration daemon installed."""
        with self.lock:
            vm = self._need(vm_id)
            out = []
            for comp, (rhel_name, deb_unit, rhel_unit) in LINUX_DAEMONS.items():
                state = vm.guest.get(comp, GUEST_MISSING)
                if state == GUEST_MISSING:
                    continue
                rhel = self.rhel_style(vm)
                out.append((comp, rhel_name if rhel else comp, (rhel_unit if rhel else deb_unit) + ".service",
                            GUEST_STOPPED if state == GUEST_STOPPED else GUEST_RUNNING))
            return out

    def linux_module_loaded(self, vm_id: str) -> bool:
        with self.lock:
            return self._need(vm_id).guest.get("hv_utils", GUEST_MISSING) != GUEST_MISSING

    def linux_daemon_set(self, vm_id: str, comp: str, running: bool) -> bool:
        """Start (True) or stop a Linux daemon; False when it cannot run now (its device node is gone
        because the host disabled the component: it exits at once)."""
        with self.lock:
            vm = self._need(vm_id)
            if vm.guest.get(comp, GUEST_MISSING) == GUEST_MISSING:
                return False
            guid = _COMPONENT_GUID.get(comp)
            if running and guid is not None and not vm.enabled.get(guid, False):
                vm.guest[comp] = GUEST_STOPPED
                return False
            vm.guest[comp] = GUEST_RUNNING if running else GUEST_STOPPED
            return True
