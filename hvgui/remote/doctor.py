"""*Diagnose*: what stands between hvgui and a host, step by step, each with the command an
administrator types to fix it. ``hvgui-cli doctor``, *Test connection* in the host dialog and
*Diagnose...* on a failed host all run :func:`diagnose`.

The network steps (name, port, TLS) are checked here; logon and WinRM rights by opening a WinRS
shell the way every operation does; PowerShell, the Hyper-V module and Hyper-V rights by the
operation scripts' own preflight (``Test-HvguiHost`` in ``common.ps1``), run as part of a
read-only inventory: nothing is re-implemented in Python, so the diagnosis cannot disagree with
what an operation would meet. The report holds no secret (no password, ever) and can be copied
as JSON for a bug report.
"""

from __future__ import annotations

import getpass
import os
import platform
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hvgui.core import contract
from hvgui.core.hosts import AUTH_TEXT, Auth, HostConfig, normalize_fingerprint
from hvgui.remote import scripts, trust
from hvgui.remote.credentials import CredentialSource
from hvgui.remote.errors import ErrorKind, HostError, listener_fix
from hvgui.remote.transport import WinRMSession, open_session

NETWORK_TIMEOUT_S = 10.0


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Does not apply to this host (TLS over HTTP...)."""
    NOT_CHECKED = "not checked"
    """An earlier step failed."""


STEPS: tuple[tuple[str, str], ...] = (
    ("settings", "Host settings"),
    ("name", "Name resolves"),
    ("port", "Port answers"),
    ("tls", "TLS certificate"),
    ("logon", "Logon (authentication)"),
    ("admin", "Administrator rights (WinRM)"),
    ("powershell", "Windows PowerShell 3.0 or later"),
    ("hyperv_module", "Hyper-V PowerShell module"),
    ("hyperv_rights", "Hyper-V rights"),
    ("inventory", "Read-only inventory"),
)
TITLES = dict(STEPS)


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    status: Status
    detail: str = ""
    """What was found, in words."""
    fix: str = ""
    """What to type (or do) to fix it, when it failed."""
    chain: tuple[trust.CertificateInfo, ...] = ()
    """The TLS step: the certificates the host presented (leaf first)."""

    @property
    def title(self) -> str:
        return TITLES[self.id]

    def as_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"step": self.id, "title": self.title, "status": self.status.value,
                             "detail": self.detail, "fix": self.fix}
        if self.chain:
            d["certificates"] = [c.as_json() for c in self.chain]
        return d


@dataclass(frozen=True, slots=True)
class Report:
    host: str
    url: str
    auth: str
    user: str
    steps: tuple[Step, ...] = ()
    finished: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return all(s.status in (Status.PASSED, Status.SKIPPED) for s in self.steps)

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.status is Status.FAILED), None)

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def as_json(self) -> dict[str, Any]:
        """For a bug report: the host's settings and every step; never a password."""
        try:
            from importlib.metadata import version

            hvgui_version = version("hvgui")
        except Exception:
            hvgui_version = "unknown"
        return {"hvgui": hvgui_version, "python": platform.python_version(),
                "client": f"{platform.system()} {platform.release()}",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.finished)),
                "host": self.host, "url": self.url, "auth": self.auth, "user": self.user,
                "ok": self.ok, "failed_step": self.failed.id if self.failed else None,
                "steps": [s.as_json() for s in self.steps]}

    def text(self) -> str:
        marks = {Status.PASSED: "ok  ", Status.FAILED: "FAIL", Status.SKIPPED: "--  ", Status.NOT_CHECKED: "    "}
        lines = [f"{self.host} ({self.url}), {self.auth}, {self.user}"]
        for s in self.steps:
            lines.append(f"  [{marks[s.status]}] {s.title}" + (f": {s.detail}" if s.detail else "")
                         + (" (not checked)" if s.status is Status.NOT_CHECKED else ""))
            if s.status is Status.FAILED:
                for c in s.chain:
                    lines += [f"           {line}" for line in c.lines()]
                if s.fix:
                    lines.append(f"         fix: {s.fix}")
        failed = self.failed
        lines.append(f"{self.host}: " + ("everything checked works" if failed is None
                                         else f"fails at '{failed.title}'"))
        return "\n".join(lines) + "\n"


def current_user() -> str:
    """The Windows logon single sign-on uses (DOMAIN\\user), as far as this machine says."""
    domain, user = os.environ.get("USERDOMAIN", ""), os.environ.get("USERNAME", "")
    if user:
        return f"{domain}\\{user}" if domain else user
    try:
        return getpass.getuser()
    except Exception:
        return "the current user"


class _Run:
    """One diagnosis: steps recorded in order, each reported as it is decided."""

    def __init__(self, config: HostConfig, on_step: Callable[[Step], None] | None) -> None:
        self.config = config
        self.on_step = on_step
        self.steps: dict[str, Step] = {}

    @property
    def who(self) -> str:
        return self.config.username or current_user()

    def put(self, step_id: str, status: Status, detail: str = "", fix: str = "",
            chain: tuple[trust.CertificateInfo, ...] = ()) -> Status:
        step = Step(step_id, status, detail, fix, chain)
        self.steps[step_id] = step
        if self.on_step is not None:
            self.on_step(step)
        return status

    def rest(self, status: Status = Status.NOT_CHECKED, detail: str = "") -> None:
        for step_id, _ in STEPS:
            if step_id not in self.steps:
                self.put(step_id, status, detail)

    def report(self) -> Report:
        c = self.config
        user = c.username or f"current logon ({current_user()})" if c.needs_password or c.single_sign_on else "-"
        steps = tuple(self.steps[s] for s, _ in STEPS if s in self.steps)
        return Report(c.display_name, c.url, AUTH_TEXT[c.auth], user, steps)


def diagnose(config: HostConfig, credentials: CredentialSource, *,
             on_step: Callable[[Step], None] | None = None) -> Report:
    """Check every step (blocking: run it off the GUI thread). ``on_step`` is called, on this
    thread, as each step is decided (the window shows them as they come)."""
    run = _Run(config, on_step)
    problems = config.validate()
    if problems:
        run.put("settings", Status.FAILED, "; ".join(problems), "edit the host's settings (Edit host... in the "
                "window, or hvgui-cli hosts edit NAME)")
        run.rest()
        return run.report()
    if config.auth is Auth.LOCAL:
        run.put("settings", Status.PASSED, "this machine's Windows PowerShell, no WinRM")
        for step_id in ("name", "port", "tls", "logon", "admin"):
            run.put(step_id, Status.SKIPPED, "no network: this machine")
        _operation_steps(run, open_session(config, credentials))
        return run.report()
    run.put("settings", Status.PASSED, _settings_text(config))
    if _network_steps(run) is Status.FAILED:
        run.rest()
        return run.report()
    session = open_session(config, credentials)
    assert isinstance(session, WinRMSession)
    try:
        try:
            info = session.log_on()
        except HostError as exc:
            _logon_failed(run, exc)
            run.rest()
            return run.report()
        run.put("logon", Status.PASSED, info)
        run.put("admin", Status.PASSED, f"WinRM lets {run.who} run commands (a WinRS shell was opened)")
        _operation_steps(run, session)
    finally:
        session.close()
    return run.report()


def _settings_text(config: HostConfig) -> str:
    who = config.username or f"the current Windows logon ({current_user()})"
    if config.is_https:
        how = "pinned certificate" if config.cert_pin else ("system trust store + " + config.ca_file
                                                           if config.ca_file else "system trust store")
        channel = f"HTTPS ({how})"
    else:
        channel = "HTTP" + (", Basic in clear (lab)" if config.auth is Auth.BASIC else ", messages encrypted")
    proxy = f", proxy {config.proxy}" if config.proxy else ""
    return f"{config.url}: {AUTH_TEXT[config.auth]} as {who}, {channel}{proxy}"


def _network_steps(run: _Run) -> Status:
    config = run.config
    host, port = config.hostname, config.port
    if config.proxy:
        run.put("name", Status.SKIPPED, f"through the proxy {config.proxy}: checked by the logon")
        run.put("port", Status.SKIPPED, f"through the proxy {config.proxy}: checked by the logon")
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return run.put("name", Status.FAILED, f"{host!r} is not known to DNS ({exc})",
                           f"check the spelling, or use the host's full DNS name (hv01.corp.example.com); "
                           f"nslookup {host} shows what DNS says")
        addresses = sorted({str(i[4][0]) for i in infos})
        run.put("name", Status.PASSED, f"{host} is {', '.join(addresses[:4])}" if addresses[0] != host
                else f"{host} is an address")
        if _port_step(run, host, port) is Status.FAILED:
            return Status.FAILED
    if not config.is_https:
        text = ("HTTP: Basic sends the password and every message in clear (allowed for a lab)"
                if config.auth is Auth.BASIC else "HTTP: Negotiate, Kerberos and NTLM encrypt every message")
        run.put("tls", Status.SKIPPED, text)
        return Status.PASSED
    try:
        found = trust.check(config, NETWORK_TIMEOUT_S)
    except trust.TrustConfigError as exc:
        return run.put("tls", Status.FAILED, str(exc), "choose a readable PEM file as the host's CA file, or none")
    except OSError as exc:
        return run.put("tls", Status.FAILED, f"the TLS handshake failed: {exc}",
                       "check that the port is a WinRM HTTPS listener: winrm enumerate winrm/config/listener")
    leaf = found.chain[0] if found.chain else None
    if found.trusted:
        if normalize_fingerprint(config.cert_pin):
            return run.put("tls", Status.PASSED, f"the certificate you trusted (SHA-256 {config.cert_pin})")
        detail = "trusted" + (f": {leaf.subject}, issued by {leaf.issuer}, valid until {leaf.not_after:%Y-%m-%d}"
                              if leaf else "")
        return run.put("tls", Status.PASSED, detail)
    if found.changed:
        fix = ("ask the host's administrator which certificate its WinRM listener presents "
               "(Get-ChildItem WSMan:\\localhost\\Listener\\*\\CertificateThumbprint shows its SHA-1 Windows "
               "thumbprint); "
               "if it is this one, accept it: Review the new certificate... in the window, or "
               "hvgui-cli hosts trust NAME")
        return run.put("tls", Status.FAILED, "CHANGED: " + found.problem, fix, found.chain)
    fix = ("trust the issuing CA (import it into Windows' Trusted Root Certification Authorities, or give its PEM as "
           "the host's CA file: hvgui-cli hosts edit NAME --ca-file CA.pem), or this host's certificate after "
           "comparing its fingerprint with the host's: Trust this certificate... in the window, or "
           "hvgui-cli hosts trust NAME")
    return run.put("tls", Status.FAILED, found.problem, fix, found.chain)


def _port_step(run: _Run, host: str, port: int) -> Status:
    config = run.config
    try:
        with socket.create_connection((host, port), timeout=NETWORK_TIMEOUT_S):
            pass
    except ConnectionRefusedError:
        detail = f"nothing listens on port {port} (connection refused)"
        if config.is_https and port != 5985 and _answers(host, 5985):
            detail += ("; the HTTP listener on port 5985 answers: Negotiate encrypts messages over HTTP too, so "
                       f"http://{host}:5985/wsman works as well (hvgui never switches by itself)")
        return run.put("port", Status.FAILED, detail, listener_fix(config.is_https, port))
    except TimeoutError:
        return run.put("port", Status.FAILED, f"no answer on port {port} within {NETWORK_TIMEOUT_S:g} s: the host "
                       "is down, or a firewall drops the connection",
                       "open the port in the host's firewall (and any firewall between): "
                       + listener_fix(config.is_https, port))
    except OSError as exc:
        return run.put("port", Status.FAILED, f"port {port}: {exc.strerror or exc}",
                       listener_fix(config.is_https, port))
    return run.put("port", Status.PASSED, f"port {port} accepts connections")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def _logon_failed(run: _Run, exc: HostError) -> None:
    config = run.config
    if exc.kind is ErrorKind.ACCESS_DENIED:
        run.put("logon", Status.PASSED, f"the host accepted the logon of {run.who}")
        run.put("admin", Status.FAILED, exc.message,
                f"on the host, as an administrator: Add-LocalGroupMember -Group Administrators -Member '{run.who}' "
                "(WinRM runs commands for members of Administrators, or of Remote Management Users together with "
                "Hyper-V Administrators)")
        return
    if exc.kind in (ErrorKind.TLS_UNTRUSTED, ErrorKind.CERT_CHANGED):
        run.put("tls", Status.FAILED, exc.message)
        return
    if exc.kind is ErrorKind.WRONG_CREDENTIALS:
        if config.single_sign_on:
            fix = ("log on to this computer with a domain account the host trusts, or give a user name and password "
                   "for this host (Edit host... in the window; hvgui-cli hosts edit NAME --user 'CORP\\admin' "
                   "--password-env VAR)")
        else:
            fix = ("check the user name (DOMAIN\\user, or HOST\\user for a local account of the host) and type the "
                   "password again (Enter password... in the window; hvgui-cli hosts edit NAME --password-env VAR)")
        run.put("logon", Status.FAILED, exc.message, fix)
        return
    run.put("logon", Status.FAILED, exc.message, _generic_fix(exc))


def _generic_fix(exc: HostError) -> str:
    if exc.kind is ErrorKind.QUOTA:
        return ("wait for idle WinRM shells to expire, or allow more on the host: "
                "winrm set winrm/config/winrs '@{MaxShellsPerUser=\"50\"}'")
    if exc.kind is ErrorKind.TIMEOUT:
        return "the host answers too slowly: raise the host's timeout, or look at its load"
    if exc.kind is ErrorKind.CONFIG:
        return "edit the host's settings"
    return "see the details; hvgui-cli doctor --json gives a report to attach to a bug report"


def _operation_steps(run: _Run, session: Any) -> None:
    """PowerShell, the Hyper-V module and Hyper-V rights: the inventory operation's own preflight."""
    try:
        result = session.run_operation(scripts.INVENTORY, contract.inventory_request())
        inventory = contract.parse_inventory(result)
    except HostError as exc:
        _preflight_failed(run, exc)
        return
    except contract.ContractError as exc:
        run.put("inventory", Status.FAILED, f"unexpected answer: {exc}", _generic_fix(
            HostError(ErrorKind.MALFORMED_OUTPUT, str(exc))))
        run.rest()
        return
    finally:
        if run.config.auth is Auth.LOCAL:
            session.close()
    run.put("powershell", Status.PASSED, "Test-HvguiHost found 3.0 or later")
    run.put("hyperv_module", Status.PASSED, "present")
    run.put("hyperv_rights", Status.PASSED, f"{run.who} is in Administrators or Hyper-V Administrators")
    facts = inventory.host
    unread = sum(1 for v in inventory.vms if v.error is not None)
    os_text = f" on {facts.os_caption}".rstrip() if facts.os_caption else ""
    run.put("inventory", Status.PASSED, f"{len(inventory.vms)} VMs read from {facts.name or run.config.display_name}"
            f"{os_text}" + (f" ({unread} could not be read)" if unread else ""))


def _preflight_failed(run: _Run, exc: HostError) -> None:
    if exc.kind is ErrorKind.POWERSHELL_TOO_OLD:
        run.put("powershell", Status.FAILED, exc.message,
                "install Windows Management Framework 5.1 on the host (https://aka.ms/wmf5download), or 3.0 at least")
    elif exc.kind is ErrorKind.HYPERV_MODULE_MISSING:
        run.put("powershell", Status.PASSED, "Test-HvguiHost found 3.0 or later")
        run.put("hyperv_module", Status.FAILED, exc.message,
                "on the host, as an administrator: Install-WindowsFeature Hyper-V-PowerShell "
                "(on Windows 10/11: Enable-WindowsOptionalFeature -Online -FeatureName "
                "Microsoft-Hyper-V-Management-PowerShell)")
    elif exc.kind is ErrorKind.NOT_HYPERV_ADMIN:
        run.put("powershell", Status.PASSED, "Test-HvguiHost found 3.0 or later")
        run.put("hyperv_module", Status.PASSED, "present")
        run.put("hyperv_rights", Status.FAILED, exc.message,
                f"on the host, as an administrator: Add-LocalGroupMember -SID S-1-5-32-578 -Member '{run.who}' "
                f"(Hyper-V Administrators), or Add-LocalGroupMember -Group Administrators -Member '{run.who}'")
    elif exc.kind in (ErrorKind.WRONG_CREDENTIALS, ErrorKind.ACCESS_DENIED, ErrorKind.TLS_UNTRUSTED,
                      ErrorKind.CERT_CHANGED) and "logon" not in run.steps:
        _logon_failed(run, exc)
    else:
        run.put("inventory", Status.FAILED, exc.message + (f" ({exc.details[:300]})" if exc.details else ""),
                _generic_fix(exc))
    run.rest()
