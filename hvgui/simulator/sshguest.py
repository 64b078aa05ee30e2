"""Linux guests over real SSH: one asyncssh server per simulated Linux guest, on loopback.

Each guest has its own host key (:meth:`GuestSSH.rekey` gives it a new one, as a reinstalled VM
would) and accepts its fleet login (``ssh_user`` / ``ssh_password``; the password is also the
``sudo`` password). Commands answer from the simulated state (:class:`HyperVHost`):

- ``lsmod`` (``hv_utils`` while loaded), ``ps -e -o comm=``, ``pidof NAME...``, ``command -v NAME``;
- ``systemctl show|is-active|status|start|stop|restart UNIT...`` with the distribution's unit
  names (Debian/Ubuntu ``hv-kvp-daemon.service``, RHEL/Fedora ``hypervkvpd.service``);
- ``kill -15 PID`` and running a daemon (``hv_kvp_daemon``/``hypervkvpd``), the seed's way;
- ``sudo -S [-p PROMPT] COMMAND...`` reading the password from stdin.

Changes need root (``sudo``), as on a real guest. A daemon started while the host has its
component disabled cannot open its device node and exits (guest-facts.md §3).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from hvgui.simulator.hyperv import GUEST_RUNNING, HyperVHost

log = logging.getLogger(__name__)

_DEVICES = {"hv_kvp_daemon": "hv_kvp", "hv_vss_daemon": "hv_vss", "hv_fcopy_daemon": "hv_fcopy"}
_PIDS = {"hv_kvp_daemon": 611, "hv_vss_daemon": 612, "hv_fcopy_daemon": 613}


@dataclass
class GuestEndpoint:
    """One Linux guest's SSH server."""

    host: HyperVHost
    vm_id: str
    vm_name: str
    port: int = 0
    key: asyncssh.SSHKey | None = field(default=None, repr=False)
    server: Any = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        assert self.key is not None
        return str(self.key.get_fingerprint("sha256"))

    @property
    def public_key(self) -> str:
        assert self.key is not None
        return bytes(self.key.export_public_key()).decode("ascii").strip()


class _Server(asyncssh.SSHServer):
    def __init__(self, ep: GuestEndpoint) -> None:
        self.ep = ep

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        vm = self.ep.host.vm(self.ep.vm_id)
        return (vm is not None and vm.ssh_user is not None and username == vm.ssh_user
                and password == (vm.ssh_password or ""))


class _Shell:
    """What one command line does inside the guest."""

    def __init__(self, ep: GuestEndpoint, user: str) -> None:
        self.ep = ep
        self.host = ep.host
        self.root = user == "root"
        self.out: list[str] = []
        self.err: list[str] = []

    def _daemons(self) -> list[tuple[str, str, str, str]]:
        return self.host.linux_daemons(self.ep.vm_id)

    def _by_process(self, name: str) -> tuple[str, str, str, str] | None:
        base = name.rsplit("/", 1)[-1]
        for d in self._daemons():
            if base in (d[0], d[1]):
                return d
        return None

    def _by_unit(self, unit: str) -> tuple[str, str, str, str] | None:
        u = unit if unit.endswith(".service") else unit + ".service"
        return next((d for d in self._daemons() if d[2] == u), None)

    def run(self, argv: list[str]) -> int:
        if not argv:
            return 0
        cmd, args = argv[0], argv[1:]
        if cmd == "lsmod":
            self.out.append("Module                  Size  Used by")
            if self.host.linux_module_loaded(self.ep.vm_id):
                self.out += ["hv_utils               53248  0", "hv_netvsc             98304  0",
                             "hv_vmbus              90112  3 hv_utils,hv_netvsc,hid_hyperv"]
            return 0
        if cmd == "ps":
            self.out += ["systemd", "sshd"] + [d[1] for d in self._daemons() if d[3] == GUEST_RUNNING]
            return 0
        if cmd == "pidof":
            pids = [str(_PIDS[d[0]]) for a in args if (d := self._by_process(a)) is not None and d[3] == GUEST_RUNNING]
            if pids:
                self.out.append(" ".join(pids))
            return 0 if pids else 1
        if cmd == "command" and args[:1] == ["-v"]:
            found = [a for a in args[1:] if (d := self._by_process(a)) is not None and a.rsplit("/", 1)[-1] == d[1]]
            self.out += [f"/usr/sbin/{a}" for a in found]
            return 0 if found and len(found) == len(args) - 1 else 1
        if cmd == "systemctl":
            return self._systemctl(args)
        if cmd == "kill":
            pids = [a for a in args if not a.startswith("-")]
            if not self.root:
                self.err += [f"bash: kill: ({p}) - Operation not permitted" for p in pids]
                return 1
            code = 0
            for p in pids:
                d = next((d for d in self._daemons() if str(_PIDS[d[0]]) == p and d[3] == GUEST_RUNNING), None)
                if d is None:
                    self.err.append(f"bash: kill: ({p}) - No such process")
                    code = 1
                else:
                    self.host.linux_daemon_set(self.ep.vm_id, d[0], False)
            return code
        d = self._by_process(cmd)
        if d is not None and cmd.rsplit("/", 1)[-1] == d[1]:
            if not self.root:
                self.err.append(f"{d[1]}: open /dev/vmbus/{_DEVICES[d[0]]} failed; error: 13 Permission denied")
                return 1
            if not self.host.linux_daemon_set(self.ep.vm_id, d[0], True):
                self.err.append(f"{d[1]}: open /dev/vmbus/{_DEVICES[d[0]]} failed; error: 2 No such file or directory")
                return 1
            return 0
        self.err.append(f"bash: {cmd}: command not found")
        return 127

    def _systemctl(self, args: list[str]) -> int:
        if not args:
            return 1
        verb, rest = args[0], [a for a in args[1:] if not a.startswith("-")]
        if verb == "show":
            props = [a.split("=", 1)[1] for a in args[1:] if a.startswith("--property=")]
            blocks = []
            for unit in rest:
                d = self._by_unit(unit)
                values = {"Id": unit, "LoadState": "loaded" if d else "not-found",
                          "ActiveState": "active" if d and d[3] == GUEST_RUNNING else "inactive"}
                blocks.append("\n".join(f"{p}={values.get(p, '')}" for p in (props or list(values))))
            self.out.append("\n\n".join(blocks))
            return 0
        if verb == "is-active":
            code = 0
            for unit in rest:
                d = self._by_unit(unit)
                active = d is not None and d[3] == GUEST_RUNNING
                self.out.append("active" if active else "inactive")
                code = code or (0 if active else 3 if d else 4)
            return code
        if verb == "status":
            unit = rest[0] if rest else ""
            d = self._by_unit(unit)
            if d is None:
                self.err.append(f"Unit {unit} could not be found.")
                return 4
            active = d[3] == GUEST_RUNNING
            self.out += [f"● {d[2]} - Hyper-V {d[0].split('_')[1].upper()} Protocol Daemon",
                         f"     Loaded: loaded (/lib/systemd/system/{d[2]}; enabled; preset: enabled)",
                         "     Active: " + ("active (running)" if active else "inactive (dead)")]
            if active:
                self.out.append(f"   Main PID: {_PIDS[d[0]]} ({d[1]})")
            return 0 if active else 3
        if verb in ("start", "stop", "restart"):
            if not self.root:
                self.err.append(f"Failed to {verb} {rest[0] if rest else ''}: Interactive authentication required.")
                return 1
            code = 0
            for unit in rest:
                d = self._by_unit(unit)
                if d is None:
                    self.err.append(f"Failed to {verb} {unit}: Unit {unit} not found.")
                    code = 5
                    continue
                if verb in ("stop", "restart"):
                    self.host.linux_daemon_set(self.ep.vm_id, d[0], False)
                if verb in ("start", "restart") and not self.host.linux_daemon_set(self.ep.vm_id, d[0], True):
                    # BindsTo= the device: without it the unit does not start.
                    self.err.append(f"Job for {d[2]} failed because a configured resource limit was exceeded "
                                    f"or the device /dev/vmbus/{_DEVICES[d[0]]} is missing.")
                    code = 1
            return code
        self.err.append(f'Unknown command verb "{verb}".')
        return 1


class GuestSSH:
    """Serve every Linux guest that has an SSH login (``ssh_user``) of these hosts, one port each."""

    def __init__(self, hosts: list[HyperVHost], *, bind: str = "127.0.0.1") -> None:
        self.bind = bind
        self.endpoints: list[GuestEndpoint] = []
        for h in hosts:
            for vm in h.vms:
                if vm.linux and vm.ssh_user:
                    self.endpoints.append(GuestEndpoint(h, vm.id, vm.name))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def endpoint(self, vm_id: str) -> GuestEndpoint:
        return next(e for e in self.endpoints if e.vm_id == vm_id.lower())

    def start(self) -> None:
        if not self.endpoints:
            return
        ready: Future[None] = Future()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._start_all())
                ready.set_result(None)
            except BaseException as exc:  # pragma: no cover - reported to start()
                ready.set_exception(exc)
                return
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="hvgui-sim-ssh", daemon=True)
        self._thread.start()
        ready.result(timeout=30)

    async def _start_all(self) -> None:
        for ep in self.endpoints:
            ep.key = asyncssh.generate_private_key("ssh-ed25519")
            await self._listen(ep)

    async def _listen(self, ep: GuestEndpoint) -> None:
        async def handle(process: asyncssh.SSHServerProcess[str]) -> None:
            await self._handle(ep, process)

        ep.server = await asyncssh.create_server(
            lambda: _Server(ep), self.bind, ep.port, server_host_keys=[ep.key], process_factory=handle,
            encoding="utf-8")
        ep.port = ep.server.sockets[0].getsockname()[1]

    async def _handle(self, ep: GuestEndpoint, process: asyncssh.SSHServerProcess[str]) -> None:
        user = process.get_extra_info("username") or ""
        try:
            argv = shlex.split(process.command or "")
        except ValueError as exc:
            process.stderr.write(f"bash: {exc}\n")
            process.exit(2)
            return
        shell = _Shell(ep, user)
        if argv[:1] == ["sudo"]:
            rest = argv[1:]
            read_stdin = False
            while rest and rest[0].startswith("-"):
                opt = rest.pop(0)
                if opt == "-S":
                    read_stdin = True
                elif opt == "-p" and rest:
                    rest.pop(0)
            if not shell.root:
                vm = ep.host.vm(ep.vm_id)
                given = (await process.stdin.readline()).rstrip("\n") if read_stdin else ""
                if not read_stdin:
                    process.stderr.write("sudo: a terminal is required to read the password; either use the -S "
                                         "option to read from standard input or configure an askpass helper\n")
                    process.exit(1)
                    return
                if vm is None or given != (vm.ssh_password or ""):
                    process.stderr.write("Sorry, try again.\nsudo: 1 incorrect password attempt\n")
                    process.exit(1)
                    return
                shell.root = True
            argv = rest
        try:
            code = shell.run(argv)
        except Exception:  # pragma: no cover - a bug here must not hang the client
            log.exception("ssh guest %s: %r failed", ep.vm_name, argv[:1])
            code = 1
        if shell.out:
            process.stdout.write("\n".join(shell.out) + "\n")
        if shell.err:
            process.stderr.write("\n".join(shell.err) + "\n")
        process.exit(code)

    def rekey(self, vm_id: str) -> None:
        """Give this guest a new host key (same port), as a reinstalled or impersonated VM would have."""
        ep = self.endpoint(vm_id)
        assert self._loop is not None

        async def swap() -> None:
            ep.server.close()
            await ep.server.wait_closed()
            ep.key = asyncssh.generate_private_key("ssh-ed25519")
            await self._listen(ep)

        asyncio.run_coroutine_threadsafe(swap(), self._loop).result(timeout=30)

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            for ep in self.endpoints:
                if ep.server is not None:
                    ep.server.close()
                    await ep.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None
