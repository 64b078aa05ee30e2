"""The fleet file: simulated Hyper-V hosts and their VMs, in TOML.

Format (every field but ``name`` optional)::

    [[host]]
    name = "HV-LAB-01"            # host name (what `hostname` prints)
    os = "2022"                   # 2012, 2012R2, 2016, 2019, 2022, 2025 (default 2022)
    locale = "en-US"              # en-US, fr-FR, de-DE (default en-US): service names, descriptions
    powershell = "5.1"            # Windows PowerShell version (default: what the os ships: 3.0 on 2012,
                                  # 4.0 on 2012R2, 5.1 later); "2.0" for a host hvgui must refuse
    hyperv_module = true          # false: the Hyper-V role without its PowerShell module
    kept_alive = true             # false: a policy ends a powershell.exe waiting on its stdin, so
                                  # hvgui cannot keep one alive there (one command per operation)
    realistic = false             # true: what commands cost on a real host (hyperv.Costs.realistic())
    guest_restart_s = 120         # a Windows guest service stopped in the guest while enabled on the
                                  # host is started again by Hyper-V this much later (an assumption)

    [host.costs]                  # or each cost (seconds): powershell_start_s, module_load_s,
    module_load_s = 1.0           # per_vm_read_s, per_change_s, per_request_s, guest_answer_s

    [[host.login]]                # who may log on (none: only extra_logins passed to load_fleet)
    user = "labadmin"
    password = "..."              # keep passwords out of shared files
    admin = true                  # in Administrators; false: logon accepted, then "Access is denied."
    remote_management = false     # in Remote Management Users: WinRS admits a non-administrator
    hyperv_admin = false          # in Hyper-V Administrators

    [host.faults]                 # any field of hvgui.simulator.faults.Faults
    command_latency_s = 0.6
    per_vm_latency_s = 0.01
    external_changes = [{ vm = "web1", service = "VSS", enabled = false }]  # vm = id or name

    [[host.vm]]
    name = "web1"                 # any Unicode; duplicates allowed
    id = "..."                    # optional; default: uuid5 of host name, index and VM name (stable)
    state = "Running"             # Running, Off, Saved, Paused, Starting, Stopping, Saving...
    guest_os = "Windows Server 2022 Datacenter"   # "Ubuntu 24.04 LTS", "Red Hat Enterprise Linux 9.4"...
    is_version = "10.0.20348.1"   # IntegrationServicesVersion (omit: null)
    is_state = "Up to date"       # "Up to date", "Update required" or "" (unknown)
    enabled = { "Guest Service Interface" = true, VSS = false }   # by English name or GUID
    guest = { vmicvss = "stopped", hv_kvp_daemon = "missing" }    # running / stopped / missing /
                                  # hung (Lost Communication) / old_protocol (Degraded) /
                                  # incompatible (Non-Recoverable Error)
    vss_protocol_mismatch = true  # Linux VSS secondary status (default: Ubuntu and Debian)
    error = "The operation failed because of a simulated fault."  # faults.vm_errors for this VM
    dvd = "empty"                 # the DVD drive: "empty" (default), "none" (no drive) or an ISO path
    start_types = { vmickvpexchange = "Disabled" }   # Windows guest services: Automatic/Manual/Disabled
                                  # (default Manual)
    guest_user = "Administrator"  # LAB ONLY: the Windows guest's administrator for PowerShell Direct,
    guest_password = "..."        # and its password, in clear in this file
    ssh_user = "hvadmin"          # LAB ONLY: a Linux guest served over SSH by hvgui-sim (its port is
    ssh_password = "..."          # printed); the password is also its sudo password

Guest components: Windows ``vmicheartbeat vmicshutdown vmictimesync vmickvpexchange vmicvss
vmicguestinterface``; Linux ``hv_utils`` (Heartbeat, Shutdown, Time Synchronization),
``hv_kvp_daemon``, ``hv_vss_daemon``, ``hv_fcopy_daemon``. Defaults: Windows all running (no
``vmicguestinterface`` before Windows 8 / Server 2012); Linux all running but ``hv_fcopy_daemon``.
"""

from __future__ import annotations

import dataclasses
import tomllib
import uuid
from importlib import resources
from pathlib import Path
from typing import Any, Final

from hvgui.core import catalog
from hvgui.simulator.faults import ExternalChange, Faults
from hvgui.simulator.hyperv import GUEST_STATES, HOST_OSES, LOCALES, VM_STATES, Costs, HyperVHost
from hvgui.simulator.interfaces import Login

#: Namespace of generated VM ids (uuid5), so the demo fleet's ids never change.
VM_ID_NAMESPACE: Final = uuid.UUID("6f1c1d2e-7b0a-4c51-9d5e-4876e0a1c0de")
DEMO_FLEET: Final = "demo_fleet.toml"

_HOST_KEYS: Final = {"name", "os", "locale", "powershell", "hyperv_module", "kept_alive", "realistic", "costs",
                     "login", "faults", "vm", "guest_restart_s"}
_POWERSHELL_VERSIONS: Final = ("2.0", "3.0", "4.0", "5.0", "5.1")
_VM_KEYS: Final = {"name", "id", "state", "guest_os", "is_version", "is_state", "enabled", "guest",
                   "vss_protocol_mismatch", "error", "dvd", "start_types", "guest_user", "guest_password",
                   "ssh_user", "ssh_password"}
_LOGIN_KEYS: Final = {"user", "password", "admin", "remote_management", "hyperv_admin"}


class FleetError(ValueError):
    """A fleet file that cannot be loaded; the message names the file, host and field."""


def fill_guest_passwords(hosts: list[HyperVHost]) -> dict[str, str]:
    """Give every guest login without a password (``guest_user``/``ssh_user`` alone, as in the demo
    fleet) a random one; returns VM id -> password, to hand to the client in memory."""
    import secrets as _secrets

    out: dict[str, str] = {}
    for h in hosts:
        with h.lock:
            for vm in h._vms:
                if vm.guest_user and vm.guest_password is None:
                    vm.guest_password = _secrets.token_urlsafe(12)
                    out[vm.id] = vm.guest_password
                if vm.ssh_user and vm.ssh_password is None:
                    vm.ssh_password = _secrets.token_urlsafe(12)
                    out[vm.id] = vm.ssh_password
    return out


def stable_vm_id(host: str, index: int, name: str) -> str:
    return str(uuid.uuid5(VM_ID_NAMESPACE, f"{host}\n{index}\n{name}"))


def load_fleet(path: Path | None = None, *, extra_logins: list[Login] | None = None) -> list[HyperVHost]:
    """Hosts of a fleet file (None: the built-in demo fleet), each also admitting ``extra_logins``."""
    if path is None:
        text = resources.files("hvgui.simulator").joinpath(DEMO_FLEET).read_text(encoding="utf-8")
        source = f"<built-in {DEMO_FLEET}>"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FleetError(f"{path}: cannot read the fleet file: {exc}") from exc
        source = str(path)
    hosts = parse_fleet(text, source)
    for h in hosts:
        h.logins.extend(extra_logins or [])
    return hosts


def parse_fleet(text: str, source: str = "<fleet>") -> list[HyperVHost]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FleetError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(doc) - {"host"}
    if unknown:
        raise FleetError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected [[host]] tables")
    raw_hosts = doc.get("host", [])
    if not isinstance(raw_hosts, list) or not raw_hosts:
        raise FleetError(f"{source}: no [[host]] table")
    hosts: list[HyperVHost] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_hosts):
        host = _host(raw, source, i)
        if host.name.casefold() in seen:
            raise FleetError(f"{source}: host {host.name!r}: field 'name': duplicate host name")
        seen.add(host.name.casefold())
        hosts.append(host)
    return hosts


def _where(source: str, host: str, field: str) -> str:
    return f"{source}: host {host!r}: field {field!r}"


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise FleetError(f"{where}: expected a string, got {type(value).__name__}")
    return value


def _host(raw: Any, source: str, index: int) -> HyperVHost:
    if not isinstance(raw, dict):
        raise FleetError(f"{source}: host #{index + 1}: expected a table")
    if "name" not in raw:
        raise FleetError(f"{source}: host #{index + 1}: field 'name' is required")
    name = _str(raw["name"], f"{source}: host #{index + 1}: field 'name'").strip()
    if not name:
        raise FleetError(f"{source}: host #{index + 1}: field 'name' is empty")
    unknown = set(raw) - _HOST_KEYS
    if unknown:
        raise FleetError(f"{source}: host {name!r}: unknown field(s) {sorted(unknown)}")
    os = _str(raw.get("os", "2022"), _where(source, name, "os"))
    if os not in HOST_OSES:
        raise FleetError(f"{_where(source, name, 'os')}: {os!r} is not one of {', '.join(HOST_OSES)}")
    locale = _str(raw.get("locale", "en-US"), _where(source, name, "locale"))
    if locale not in LOCALES:
        raise FleetError(f"{_where(source, name, 'locale')}: {locale!r} is not one of {', '.join(LOCALES)}")
    logins = [_login(x, source, name, j) for j, x in enumerate(raw.get("login", []))]
    host = HyperVHost(name, os=os, locale=locale, logins=logins)
    if "powershell" in raw:
        version = _str(raw["powershell"], _where(source, name, "powershell"))
        if version not in _POWERSHELL_VERSIONS:
            raise FleetError(f"{_where(source, name, 'powershell')}: {version!r} is not one of "
                             f"{', '.join(_POWERSHELL_VERSIONS)}")
        host.powershell = version
    realistic = raw.get("realistic", False)
    if not isinstance(realistic, bool):
        raise FleetError(f"{_where(source, name, 'realistic')}: expected true or false")
    if realistic:
        host.costs = Costs.realistic()
    restart = raw.get("guest_restart_s")
    if restart is not None:
        if isinstance(restart, bool) or not isinstance(restart, (int, float)) or restart < 0:
            raise FleetError(f"{_where(source, name, 'guest_restart_s')}: expected seconds (a number >= 0)")
        host.guest_restart_s = float(restart)
    costs = raw.get("costs", {})
    if not isinstance(costs, dict):
        raise FleetError(f"{_where(source, name, 'costs')}: expected a table")
    for key, value in costs.items():
        if key not in {f.name for f in dataclasses.fields(Costs)}:
            raise FleetError(f"{_where(source, name, 'costs.' + key)}: unknown cost (one of "
                             f"{', '.join(f.name for f in dataclasses.fields(Costs))})")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise FleetError(f"{_where(source, name, 'costs.' + key)}: expected seconds (a number >= 0)")
        setattr(host.costs, key, float(value))
    module = raw.get("hyperv_module", True)
    if not isinstance(module, bool):
        raise FleetError(f"{_where(source, name, 'hyperv_module')}: expected true or false")
    host.hyperv_module = module
    kept_alive = raw.get("kept_alive", True)
    if not isinstance(kept_alive, bool):
        raise FleetError(f"{_where(source, name, 'kept_alive')}: expected true or false")
    host.kept_alive = kept_alive
    vm_errors: dict[str, str] = {}
    names_to_ids: dict[str, str] = {}
    for j, vm_raw in enumerate(raw.get("vm", [])):
        vm_id, vm_name, error = _vm(host, vm_raw, source, j)
        names_to_ids.setdefault(vm_name, vm_id)
        if error is not None:
            vm_errors[vm_id] = error
    host.faults = _faults(raw.get("faults", {}), source, name, names_to_ids)
    host.faults.vm_errors.update(vm_errors)
    return host


def _login(raw: Any, source: str, host: str, index: int) -> Login:
    where = _where(source, host, f"login[{index}]")
    if not isinstance(raw, dict) or "user" not in raw:
        raise FleetError(f"{where}: expected a table with 'user' (and 'password', 'admin')")
    unknown = set(raw) - _LOGIN_KEYS
    if unknown:
        raise FleetError(f"{where}: unknown field(s) {sorted(unknown)}")
    flags: dict[str, bool] = {}
    for key, default in (("admin", True), ("remote_management", False), ("hyperv_admin", False)):
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise FleetError(f"{where}.{key}: expected true or false")
        flags[key] = value
    return Login(user=_str(raw["user"], f"{where}.user"), password=_str(raw.get("password", ""), f"{where}.password"),
                 **flags)


def _vm(host: HyperVHost, raw: Any, source: str, index: int) -> tuple[str, str, str | None]:
    where = _where(source, host.name, f"vm[{index}]")
    if not isinstance(raw, dict) or "name" not in raw:
        raise FleetError(f"{where}: expected a table with at least 'name'")
    name = _str(raw["name"], f"{where}.name")
    where = f"{source}: host {host.name!r}: VM {name!r}"
    unknown = set(raw) - _VM_KEYS
    if unknown:
        raise FleetError(f"{where}: unknown field(s) {sorted(unknown)}")
    state = _str(raw.get("state", "Running"), f"{where}: field 'state'")
    if state not in VM_STATES:
        raise FleetError(f"{where}: field 'state': {state!r} is not one of {', '.join(VM_STATES)}")
    vm_id = raw.get("id")
    if vm_id is None:
        vm_id = stable_vm_id(host.name, index, name)
    else:
        try:
            vm_id = str(uuid.UUID(_str(vm_id, f"{where}: field 'id'")))
        except ValueError:
            raise FleetError(f"{where}: field 'id': {vm_id!r} is not a GUID") from None
    enabled: dict[str, bool] = {}
    raw_enabled = raw.get("enabled", {})
    if not isinstance(raw_enabled, dict):
        raise FleetError(f"{where}: field 'enabled': expected a table of service = true/false")
    for key, value in raw_enabled.items():
        try:
            guid = catalog.lookup(key).guid
        except KeyError:
            raise FleetError(f"{where}: field 'enabled': unknown integration service {key!r}") from None
        if not isinstance(value, bool):
            raise FleetError(f"{where}: field 'enabled.{key}': expected true or false")
        enabled[guid] = value
    guest = raw.get("guest", {})
    if not isinstance(guest, dict):
        raise FleetError(f"{where}: field 'guest': expected a table of component = state")
    for comp, st in guest.items():
        if st not in GUEST_STATES:
            raise FleetError(f"{where}: field 'guest.{comp}': {st!r} is not one of {', '.join(GUEST_STATES)}")
    mismatch = raw.get("vss_protocol_mismatch")
    if mismatch is not None and not isinstance(mismatch, bool):
        raise FleetError(f"{where}: field 'vss_protocol_mismatch': expected true or false")
    is_version = raw.get("is_version")
    error = raw.get("error")
    dvd_raw = _str(raw.get("dvd", "empty"), f"{where}: field 'dvd'")
    dvd: str | None = None if dvd_raw == "none" else "" if dvd_raw == "empty" else dvd_raw
    start_types = raw.get("start_types", {})
    if not isinstance(start_types, dict) or not all(isinstance(v, str) for v in start_types.values()):
        raise FleetError(f"{where}: field 'start_types': expected a table of service = start type")
    secrets = {k: None if raw.get(k) is None else _str(raw[k], f"{where}: field '{k}'")
               for k in ("guest_user", "guest_password", "ssh_user", "ssh_password")}
    try:
        host.add_vm(
            name, id=vm_id, state=state, start_types=start_types, **secrets,
            guest_os=_str(raw.get("guest_os", "Windows Server 2022 Datacenter"), f"{where}: field 'guest_os'"),
            is_version=None if is_version is None else _str(is_version, f"{where}: field 'is_version'"),
            is_state=_str(raw.get("is_state", ""), f"{where}: field 'is_state'"),
            enabled=enabled, guest=guest, vss_protocol_mismatch=mismatch, dvd=dvd)
    except ValueError as exc:
        raise FleetError(f"{where}: {exc}") from exc
    return vm_id, name, None if error is None else _str(error, f"{where}: field 'error'")


def _faults(raw: Any, source: str, host: str, names_to_ids: dict[str, str]) -> Faults:
    if not isinstance(raw, dict):
        raise FleetError(f"{_where(source, host, 'faults')}: expected a table")
    faults = Faults()
    fields = {f.name: f for f in dataclasses.fields(Faults)}
    for key, value in raw.items():
        where = _where(source, host, f"faults.{key}")
        if key not in fields:
            raise FleetError(f"{where}: unknown fault (one of {', '.join(fields)})")
        default = getattr(faults, key)
        if key == "external_changes":
            if not isinstance(value, list):
                raise FleetError(f"{where}: expected a list of {{vm, service, enabled}} tables")
            for item in value:
                if not isinstance(item, dict) or not {"vm", "service", "enabled"} <= set(item):
                    raise FleetError(f"{where}: each change needs vm, service and enabled")
                vm = str(item["vm"])
                vm_id = (names_to_ids.get(vm) or vm).lower()
                try:
                    guid = catalog.lookup(str(item["service"])).guid
                except KeyError:
                    raise FleetError(f"{where}: unknown integration service {item['service']!r}") from None
                faults.external_changes.append(ExternalChange(vm_id, guid, bool(item["enabled"])))
        elif key == "vm_errors":
            if not isinstance(value, dict):
                raise FleetError(f"{where}: expected a table of VM id or name = message")
            for vm, message in value.items():
                faults.vm_errors[(names_to_ids.get(vm) or vm).lower()] = _str(message, where)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise FleetError(f"{where}: expected true or false")
            setattr(faults, key, value)
        elif isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise FleetError(f"{where}: expected a non-negative number")
            setattr(faults, key, type(default)(value))
        else:  # pragma: no cover - every Faults field is handled above
            setattr(faults, key, value)
    return faults
