"""Faults a simulated host can be told to have, from the fleet file or live from a test.

Fields are read on every request/command, so a test may flip them at run time."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ExternalChange:
    """"Another admin" sets a service right after the host serves its next read."""

    vm_id: str
    service_guid: str
    enabled: bool


@dataclass
class Faults:
    # --- wire level (hvgui.simulator.server)
    command_latency_s: float = 0.0
    """Added before a command produces output (powershell.exe start + module load)."""
    wrong_credentials: bool = False
    """Every login is refused with 401, as with a wrong password."""
    access_denied: bool = False
    """Login accepted, then HTTP 500 WSManFault Code=5 "Access is denied." (not an admin)."""
    refuse_connections: bool = False
    """The endpoint stops listening: clients get "connection refused"."""
    drop_mid_response: bool = False
    """The server sends part of a response to a Receive and closes the connection."""
    hang_commands: bool = False
    """Commands never finish (until signalled / the shell is deleted)."""
    drop_after_command: int = 0
    """The next N commands (or requests to a kept-alive PowerShell) run to completion on the host;
    then the connection is dropped when the client asks for their output (no answer at all): the
    client cannot know what they did."""
    drop_answers: dict[str, int] = field(default_factory=dict)
    """Request kind (``Create``, ``Command``, ``Send``, ``Receive``, ``Signal``, ``Delete``) -> how many
    of the next such requests the host carries out and then drops the connection instead of answering.
    ``{"Command": 1}``: the shell exists and the command starts, the client never hears of it."""
    kill_commands_after_s: float = 0.0
    """A command (or a request to a kept-alive PowerShell) still running this long after it
    started is ended where it is (as when its powershell.exe is killed): what it already did stays
    done. A kept-alive process is timed per request once it reads its first one, not by its age.
    0: never."""
    kill_before_reply: int = 0
    """The next N requests a kept-alive ``powershell.exe`` reads from its stdin are carried out,
    then the process ends before it writes their answer (as when it is killed): the command ends."""
    max_shells_per_user: int = 2147483647
    """WinRS MaxShellsPerUser (modern hosts: unlimited, 2147483647; Group Policy may set e.g. 30);
    one more Create gets fault 2150859173."""
    idle_timeout_s: float = 7200.0
    """WinRS IdleTimeout (7,200 s): a shell with no request for this long is deleted (frees the
    quota); a Create may ask for a shorter one (``rsp:IdleTimeOut``), which is echoed."""
    max_envelope_kb: int = 500
    """MaxEnvelopeSizekb: a larger request gets HTTP 413."""
    too_many_operations: bool = False
    """Every Command gets fault 2150859174 (MaxConcurrentOperationsPerUser exceeded)."""

    # --- behaviour level (hvgui.simulator.hyperv / powershell)
    per_vm_latency_s: float = 0.0
    """Added per VM a command reads or changes (Get-VM is ~10-15 ms per VM on real hosts)."""
    kill_commands_after_changes: int = 0
    """A command (or a request to a kept-alive PowerShell) that has made this many changes
    (Enable-/Disable-VMIntegrationService, one service of one VM each) is ended there, exactly as
    ``kill_commands_after_s`` ends it, whatever the clock says: what it did stays done, its next
    step is not taken. 0: never."""
    vm_errors: dict[str, str] = field(default_factory=dict)
    """VM id (lower-case) -> error message raised when an operation touches that VM."""
    external_changes: list[ExternalChange] = field(default_factory=list)
    """Applied (and removed from this list) right after the next read the host serves."""
