"""The contract between the wire (``server``) and the behaviour (``hyperv``/``powershell``).

The wire owns shells, commands, streams, code pages, auth and wire faults. For each WinRS
command it builds a :class:`CommandContext` and runs it (cmd.exe, then PowerShell...) on a
worker thread; the behaviour writes text to stdout/stderr and returns the exit code.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from hvgui.simulator.faults import Faults


@dataclass(frozen=True)
class Login:
    user: str
    password: str
    admin: bool = True
    """Member of the host's Administrators. False: the login is accepted, then every WinRS
    request gets "Access is denied." (unless ``remote_management``)."""
    remote_management: bool = False
    """Member of Remote Management Users: WinRS lets a non-administrator in (then Hyper-V itself
    needs ``hyperv_admin``)."""
    hyperv_admin: bool = False
    """Member of Hyper-V Administrators."""

    @property
    def winrs_allowed(self) -> bool:
        return self.admin or self.remote_management


class CommandContext(Protocol):
    @property
    def command_line(self) -> str:
        """``rsp:Command`` and every ``rsp:Arguments``, joined by single spaces."""

    @property
    def codepage(self) -> int:
        """The shell's WINRS_CODEPAGE (437 unless the client asked otherwise)."""

    @property
    def user(self) -> str: ...

    @property
    def cancelled(self) -> threading.Event:
        """Set on Signal terminate/ctrl_c and on shell deletion."""

    def read_stdin(self, timeout: float | None = None) -> bytes | None:
        """All stdin up to the ``End="true"`` Send; None if it has not ended in ``timeout``
        seconds (or the command was cancelled)."""

    def read_stdin_line(self, timeout: float | None = None) -> str | None:
        """The next line of stdin as it arrives (stdin may stay open across many Sends); None at
        its end, on cancellation or after ``timeout`` seconds."""

    def write_stdout(self, text: str) -> None:
        """Queue text; the wire encodes it in the shell's code page (437: unknown -> '?')."""

    def write_stderr(self, text: str) -> None: ...

    def count_operation(self, name: str) -> None:
        """Count what this command was (``inventory``, ``apply``, ``Get-VM``...) in the stats."""


class SimulatedHost(Protocol):
    """What the wire needs of a simulated host: its name, who may log on, its faults. Commands go
    to :func:`hvgui.simulator.server.run_command` (cmd.exe for a Hyper-V host; a wire-only test
    host may answer them with its own ``run_command(ctx) -> int``)."""

    name: str
    logins: list[Login]
    faults: Faults


@dataclass
class HostStats:
    """Counters served as JSON at ``GET /_sim/stats``; thread-safe through ``lock``."""

    requests: int = 0
    connections: int = 0
    """TCP connections accepted: stays low when clients reuse their connection."""
    auth_handshakes: int = 0
    """NTLM handshakes completed."""
    shells_created: int = 0
    shells_deleted: int = 0
    shells_open: int = 0
    commands: int = 0
    encrypted_requests: int = 0
    """Requests whose body arrived encrypted (NTLM message encryption) and was decrypted."""
    logons: Counter[str] = field(default_factory=Counter)
    """Logons accepted, by how the client authenticated: ``basic``, ``ntlm`` (raw NTLMSSP, as
    requests_ntlm sends it) or ``negotiate/ntlm`` (SPNEGO, Windows' Negotiate, that fell back to
    NTLM as a host does for a client outside its domain)."""
    operations: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def as_json(self) -> dict[str, object]:
        with self.lock:
            return {
                "requests": self.requests,
                "connections": self.connections,
                "auth_handshakes": self.auth_handshakes,
                "shells_created": self.shells_created,
                "shells_deleted": self.shells_deleted,
                "shells_open": self.shells_open,
                "commands": self.commands,
                "encrypted_requests": self.encrypted_requests,
                "logons": dict(self.logons),
                "operations": dict(self.operations),
            }
