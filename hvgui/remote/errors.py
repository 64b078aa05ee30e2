"""Failures of one host, in words a person can act on."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    CONFIG = "config"
    UNREACHABLE = "unreachable"
    NAME_NOT_RESOLVED = "name_not_resolved"
    TLS_UNTRUSTED = "tls_untrusted"
    WRONG_CREDENTIALS = "wrong_credentials"
    ACCESS_DENIED = "access_denied"
    QUOTA = "quota"
    TIMEOUT = "timeout"
    POWERSHELL = "powershell"
    MALFORMED_OUTPUT = "malformed_output"
    PROTOCOL = "protocol"
    CANCELLED = "cancelled"
    POWERSHELL_TOO_OLD = "powershell_too_old"
    HYPERV_MODULE_MISSING = "hyperv_module_missing"
    NOT_HYPERV_ADMIN = "not_hyperv_admin"
    CERT_CHANGED = "cert_changed"
    """A host whose certificate was pinned presents another one (like SSH's changed host key)."""


TITLES: dict[ErrorKind, str] = {
    ErrorKind.CONFIG: "Host settings need fixing",
    ErrorKind.UNREACHABLE: "Host unreachable",
    ErrorKind.NAME_NOT_RESOLVED: "Host name not resolved",
    ErrorKind.TLS_UNTRUSTED: "TLS certificate not trusted",
    ErrorKind.WRONG_CREDENTIALS: "Wrong user name or password",
    ErrorKind.ACCESS_DENIED: "Access denied",
    ErrorKind.QUOTA: "WinRM quota reached",
    ErrorKind.TIMEOUT: "Timed out",
    ErrorKind.POWERSHELL: "PowerShell error",
    ErrorKind.MALFORMED_OUTPUT: "Unexpected output from the host",
    ErrorKind.PROTOCOL: "WinRM error",
    ErrorKind.CANCELLED: "Cancelled",
    ErrorKind.POWERSHELL_TOO_OLD: "PowerShell too old",
    ErrorKind.HYPERV_MODULE_MISSING: "No Hyper-V PowerShell module",
    ErrorKind.NOT_HYPERV_ADMIN: "Not a Hyper-V administrator",
    ErrorKind.CERT_CHANGED: "Host certificate CHANGED",
}


def listener_fix(https: bool, port: int) -> str:
    """What an administrator types on the host so that WinRM listens where hvgui knocks."""
    if https:
        return ("on the host, as an administrator: winrm quickconfig -transport:https (it needs a certificate for "
                "the host's DNS name in the computer's Personal store), then open the port: New-NetFirewallRule "
                f"-Name WinRM-HTTPS-In -DisplayName 'WinRM over HTTPS' -Protocol TCP -LocalPort {port} -Action Allow")
    return ("on the host, as an administrator: Enable-PSRemoting -Force (it creates the HTTP listener on port 5985 "
            "and opens the firewall for it)")


def preflight_error(kind: str, detail: str, host: str, user: str) -> HostError:
    """What an operation's preflight found missing on a host, in words with the fix."""
    if kind == "powershell_too_old":
        return HostError(ErrorKind.POWERSHELL_TOO_OLD,
                         f"{host} runs Windows PowerShell {detail or 'older than 3.0'}; hvgui needs 3.0 or later "
                         "(Windows Server 2012 and later have it; on older hosts install Windows Management "
                         "Framework 3.0 or later)", host=host, details=detail)
    if kind == "hyperv_module_missing":
        return HostError(ErrorKind.HYPERV_MODULE_MISSING,
                         f"{host} has no Hyper-V PowerShell module: run Install-WindowsFeature Hyper-V-PowerShell "
                         "on the host (as an administrator)", host=host)
    if kind == "not_hyperv_admin":
        who = f"{user!r}" if user else "this account"
        return HostError(ErrorKind.NOT_HYPERV_ADMIN,
                         f"{who} can log on to {host} but is in neither Administrators nor Hyper-V Administrators "
                         "there, so Hyper-V refuses it: add it to Hyper-V Administrators on the host "
                         "(Add-LocalGroupMember -SID S-1-5-32-578 -Member ...)", host=host)
    return HostError(ErrorKind.MALFORMED_OUTPUT, f"the host refused the operation for an unknown reason {kind!r}",
                     host=host, details=detail)


class HostError(Exception):
    """One host failed; other hosts are not affected. ``str(e)`` is the full message."""

    def __init__(self, kind: ErrorKind, message: str, *, host: str = "", fingerprint: str | None = None,
                 details: str = "") -> None:
        self.kind = kind
        self.message = message
        self.host = host
        self.fingerprint = fingerprint
        """SHA-256 fingerprint of the certificate the host presented (TLS_UNTRUSTED)."""
        self.details = details
        super().__init__(self.text)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Keyword arguments do not survive Exception's default pickling (the remote worker
        # process sends these to the window's process).
        return (_rebuild, (self.kind, self.message, self.host, self.fingerprint, self.details))

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def text(self) -> str:
        where = f"{self.host}: " if self.host else ""
        return f"{where}{self.title}: {self.message}"


def _rebuild(kind: ErrorKind, message: str, host: str, fingerprint: str | None, details: str) -> HostError:
    return HostError(kind, message, host=host, fingerprint=fingerprint, details=details)
