"""Linux guests over SSH (asyncssh): is ``hv_utils`` loaded, which integration daemons exist and run,
and restart / start / stop one (guest-facts.md §3).

Safety, as OpenSSH does it and more:

- The guest's host key is pinned on first use in hvgui's own ``known_hosts`` file (OpenSSH's
  format). An unknown key is refused before anything is sent (:class:`SshRefused` with
  ``HOST_KEY_UNKNOWN`` and the key's SHA-256 fingerprint): :func:`trust_host_key` pins it once a
  person compared the fingerprint. A key that differs from the pinned one is refused
  (``HOST_KEY_CHANGED``) and never replaced silently.
- Commands are argument lists; each argument is quoted with :func:`shlex.quote` (the remote side
  runs them through the login shell), and only names from hvgui's fixed tables
  (:data:`hvgui.core.guest.LINUX_COMPONENTS`) are ever arguments.
- ``sudo -S -p ''`` reads the password on stdin: it never appears in a command line, a log or an
  error. Secrets never leave this module except to asyncssh.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import tempfile
from collections.abc import Sequence
from pathlib import Path

import asyncssh

from hvgui.core import guest as g

log = logging.getLogger(__name__)
# asyncssh's own debug logging can show packet contents: keep it to warnings whatever the root level.
logging.getLogger("asyncssh").setLevel(logging.WARNING)

CONNECT_TIMEOUT_S = 15.0
COMMAND_TIMEOUT_S = 30.0


SshTarget = g.SshTarget


class SshRefused(Exception):
    """The guest side could not be read or changed: ``problem`` says why, ``message`` in words
    (never a secret); ``fingerprint`` of the host key presented, for HOST_KEY_* problems."""

    def __init__(self, problem: g.GuestProblem, message: str, fingerprint: str = "") -> None:
        self.problem = problem
        self.message = message
        self.fingerprint = fingerprint
        super().__init__(message)


# ---------------------------------------------------------------- known hosts (pinning)

class KnownHosts:
    """hvgui's pinned SSH host keys, in OpenSSH's ``known_hosts`` format (one ``HOST KEYTYPE BASE64``
    line per key)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def keys(self, target: SshTarget) -> list[str]:
        """The pinned public keys (``KEYTYPE BASE64``) for this target."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 3 and not line.startswith("#") and target.host_id in parts[0].split(","):
                out.append(f"{parts[1]} {parts[2]}")
        return out

    def trust(self, target: SshTarget, public_key: str) -> None:
        """Pin ``public_key`` (``KEYTYPE BASE64``) for this target, replacing what was pinned."""
        key = asyncssh.import_public_key(public_key)
        line = f"{target.host_id} {bytes(key.export_public_key()).decode('ascii').strip()}"
        kept: list[str] = []
        try:
            for old in self.path.read_text(encoding="utf-8").splitlines():
                parts = old.split()
                if not parts or target.host_id not in parts[0].split(","):
                    kept.append(old)
        except FileNotFoundError:
            pass
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".known_hosts.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join([*kept, line]) + "\n")
        os.replace(tmp, self.path)


def fingerprint_of(public_key: str) -> str:
    return str(asyncssh.import_public_key(public_key).get_fingerprint("sha256"))


async def fetch_host_key(target: SshTarget) -> str:
    """The key the guest presents (``KEYTYPE BASE64``), to show its fingerprint before pinning it.
    Nothing is authenticated or sent but the key exchange."""
    try:
        key = await asyncssh.get_server_host_key(target.address, target.port)
    except (OSError, asyncssh.Error) as exc:
        raise SshRefused(g.GuestProblem.UNREACHABLE, f"{target.address}:{target.port}: {exc}") from exc
    if key is None:
        raise SshRefused(g.GuestProblem.UNREACHABLE, f"{target.address}:{target.port} presented no host key")
    return bytes(key.export_public_key()).decode("ascii").strip()


async def trust_host_key(target: SshTarget, known: KnownHosts, expected_fingerprint: str) -> None:
    """Pin the key the guest presents now, only if it is the one a person compared."""
    key = await fetch_host_key(target)
    if fingerprint_of(key) != expected_fingerprint:
        raise SshRefused(g.GuestProblem.HOST_KEY_CHANGED, "the guest now presents another key than the one shown "
                         f"({fingerprint_of(key)}): nothing was trusted", fingerprint_of(key))
    known.trust(target, key)


# ---------------------------------------------------------------- commands

def command_line(argv: Sequence[str]) -> str:
    """One argument list as the remote shell must read it: every argument quoted on its own."""
    return " ".join(shlex.quote(a) for a in argv)


class _Guest:
    """One SSH connection to one guest."""

    def __init__(self, target: SshTarget, secret: str | None, conn: asyncssh.SSHClientConnection) -> None:
        self.target = target
        self._secret = secret
        self.conn = conn

    async def run(self, argv: Sequence[str], *, root: bool = False) -> tuple[int, str, str]:
        stdin = None
        if root and self.target.user != "root":
            if not self._secret:
                raise SshRefused(g.GuestProblem.NO_CREDENTIALS, "changing a daemon needs root: no sudo password "
                                 "for this guest")
            argv = ["sudo", "-S", "-p", "", *argv]
            stdin = self._secret + "\n"
        result = await self.conn.run(command_line(argv), input=stdin, check=False, timeout=COMMAND_TIMEOUT_S)
        code = result.exit_status if result.exit_status is not None else 255
        out = result.stdout if isinstance(result.stdout, str) else ""
        err = result.stderr if isinstance(result.stderr, str) else ""
        if self._secret:  # never let a secret through, whatever the guest echoes
            out, err = out.replace(self._secret, "***"), err.replace(self._secret, "***")
        return code, out, err


async def _connect(target: SshTarget, secret: str | None, known: KnownHosts) -> _Guest:
    pinned = known.keys(target)
    if not pinned:
        key = await fetch_host_key(target)
        raise SshRefused(g.GuestProblem.HOST_KEY_UNKNOWN,
                         f"{target.host_id} presents an SSH host key not trusted yet ({fingerprint_of(key)}): compare "
                         "it with the guest's (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and trust it",
                         fingerprint_of(key))
    trusted = [asyncssh.import_public_key(k) for k in pinned]
    try:
        conn = await asyncssh.connect(
            target.address, target.port, username=target.user, password=secret if not target.key_file else None,
            client_keys=[target.key_file] if target.key_file else None, known_hosts=(trusted, [], []),
            agent_path=None, connect_timeout=CONNECT_TIMEOUT_S, config=None, preferred_auth=(
                "publickey" if target.key_file else "password"))
    except asyncssh.HostKeyNotVerifiable as exc:
        presented = ""
        with contextlib.suppress(SshRefused):
            presented = fingerprint_of(await fetch_host_key(target))
        raise SshRefused(g.GuestProblem.HOST_KEY_CHANGED,
                         f"{target.host_id} presents another SSH host key ({presented or 'unknown'}) than the one "
                         "pinned: refused. If the guest was reinstalled, compare the new key and trust it again",
                         presented) from exc
    except asyncssh.PermissionDenied as exc:
        raise SshRefused(g.GuestProblem.INVALID_CREDENTIAL, f"{target.user}@{target.address} refused the login "
                         "(Permission denied)") from exc
    except (OSError, asyncssh.Error) as exc:
        raise SshRefused(g.GuestProblem.UNREACHABLE, f"{target.address}:{target.port}: {exc}") from exc
    return _Guest(target, secret, conn)


async def _read(guest: _Guest) -> g.GuestSide:
    target = guest.target
    code, out, _ = await guest.run(["lsmod"])
    hv_utils = code == 0 and any(line.split()[:1] == ["hv_utils"] for line in out.splitlines())
    _, out, _ = await guest.run(["ps", "-e", "-o", "comm="])
    running = {line.strip() for line in out.splitlines() if line.strip()}
    units = [u for c in g.LINUX_COMPONENTS.values() for u in c.units]
    code, out, _ = await guest.run(["systemctl", "show", "--property=Id", "--property=LoadState",
                                    "--property=ActiveState", *units])
    unit_state: dict[str, dict[str, str]] = {}
    if code == 0:
        for block in out.strip().split("\n\n"):
            values = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if values.get("Id"):
                unit_state[values["Id"]] = values
    daemons: list[g.LinuxDaemon] = []
    for comp in g.LINUX_COMPONENTS.values():
        unit = next((u for u in comp.units if unit_state.get(u, {}).get("LoadState") == "loaded"), None)
        names_running = [n for n in comp.daemons if n in running]
        if unit is not None:
            name = names_running[0] if names_running else comp.daemons[0 if unit == comp.units[0] else -1]
            active = unit_state[unit].get("ActiveState") == "active" or bool(names_running)
            daemons.append(g.LinuxDaemon(comp.key, name, unit, True, active))
            continue
        found = names_running[:1]
        if not found:
            for n in comp.daemons:
                c, _, _ = await guest.run(["command", "-v", n])
                if c == 0:
                    found = [n]
                    break
        daemons.append(g.LinuxDaemon(comp.key, found[0] if found else comp.daemons[0], None, bool(found),
                                     bool(names_running)))
    return g.GuestSide(vm_id=target.vm_id.lower(), family=g.LINUX, hv_utils=hv_utils, daemons=tuple(daemons))


async def _act(guest: _Guest, side: g.GuestSide, action: g.GuestAction) -> g.GuestActionResult:
    d = side.daemon(action.service)
    if d is None or not d.present:
        return g.GuestActionResult(action, g.GuestOutcome.ERROR, f"{action.service}: no such daemon in this guest")
    kind = action.action
    if (kind is g.GuestActionKind.START and d.running) or (kind is g.GuestActionKind.STOP and not d.running):
        return g.GuestActionResult(action, g.GuestOutcome.UNCHANGED, "running" if d.running else "not running")
    steps: list[list[str]] = []
    if d.unit:  # systemd when present
        steps.append(["systemctl", kind.value, d.unit])
    else:  # the seed's way: kill -15 $(pidof daemon), then run the daemon
        if kind in (g.GuestActionKind.STOP, g.GuestActionKind.RESTART) and d.running:
            code, out, _ = await guest.run(["pidof", d.name])
            pids = [p for p in out.split() if p.isdigit()]
            if pids:
                steps.append(["kill", "-15", *pids])
        if kind in (g.GuestActionKind.START, g.GuestActionKind.RESTART):
            steps.append([d.name])
    for argv in steps:
        code, _, err = await guest.run(argv, root=True)
        if code != 0:
            first = err.strip().splitlines()[0] if err.strip() else f"exit code {code}"
            return g.GuestActionResult(action, g.GuestOutcome.ERROR, f"{command_line(argv)}: {first}")
    return g.GuestActionResult(action, g.GuestOutcome.CHANGED, " then ".join(command_line(a) for a in steps))


async def read_linux(target: SshTarget, secret: str | None, known: KnownHosts) -> g.GuestSide:
    """The guest side of one Linux VM; problems become an unknown :class:`GuestSide` with the reason."""
    side, _ = await linux_guest(target, secret, known, [])
    return side


async def linux_guest(target: SshTarget, secret: str | None, known: KnownHosts,
                      actions: Sequence[g.GuestAction]) -> tuple[g.GuestSide, tuple[g.GuestActionResult, ...]]:
    """Apply ``actions`` (restart / start / stop daemons, in order), then read the guest side again."""
    for a in actions:
        g.check_action(a, g.LINUX)
    try:
        guest = await _connect(target, secret, known)
    except SshRefused as exc:
        side = g.unknown(target.vm_id, g.LINUX, exc.problem, exc.message)
        return side, tuple(g.GuestActionResult(a, g.GuestOutcome.NOT_ATTEMPTED, exc.message) for a in actions)
    try:
        results: list[g.GuestActionResult] = []
        side = await _read(guest)
        for a in actions:
            try:
                r = await _act(guest, side, a)
            except SshRefused as exc:
                r = g.GuestActionResult(a, g.GuestOutcome.ERROR, exc.message)
            except (OSError, asyncssh.Error) as exc:
                r = g.GuestActionResult(a, g.GuestOutcome.UNKNOWN, f"the connection failed: {type(exc).__name__}")
            results.append(r)
        if actions:
            side = await _read(guest)
        return side, tuple(results)
    except (OSError, asyncssh.Error) as exc:
        return g.unknown(target.vm_id, g.LINUX, g.GuestProblem.UNREACHABLE, f"{type(exc).__name__}: {exc}"), ()
    finally:
        guest.conn.close()
