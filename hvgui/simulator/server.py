"""WinRM endpoints for simulated hosts: a real WS-Management shell (WinRS) server over HTTP(S).

One :class:`HostEndpoint` per simulated host: a listening socket served by one accept thread,
a thread per TCP connection (HTTP/1.1 keep-alive; NTLM state lives on the connection) and a
worker thread per WinRS command that hands it to the host's shell: ``cmd.exe`` (:mod:`cmdexe`) for a
simulated Hyper-V host, or the host's own ``run_command`` (a test's wire-only host).
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import email.utils
import json
import logging
import select
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any, Final, cast

from hvgui.simulator import auth, cmdexe, tls, wsman
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import CommandContext, HostStats, Login, SimulatedHost


def run_command(host: SimulatedHost, ctx: CommandContext) -> int:
    """A WinRS command reaches cmd.exe first on a simulated Hyper-V host; a wire-only test host
    answers it itself."""
    if isinstance(host, HyperVHost):
        return cmdexe.run_command_line(host, ctx)
    return cast(Any, host).run_command(ctx)  # type: ignore[no-any-return]

log = logging.getLogger(__name__)

EXIT_CANCELLED: Final = -1073741510
"""0xC000013A STATUS_CONTROL_C_EXIT, what a WinRS command ends with when it is interrupted."""
_POLL_S: Final = 0.05
_SIGNAL_TERMINATE: Final = "terminate"
_SIGNAL_CTRL_C: Final = "ctrl_c"
_SIGNAL_CTRL_BREAK: Final = "ctrl_break"
_LOOPBACK: Final = ("127.0.0.1", "localhost", "::1")
_STOP_WAIT_S: Final = 10.0
"""How long Signal terminate and Delete wait for a command's process to end before answering."""

ANSWER: Final = ""
TRUNCATE: Final = "truncate"
"""Send part of the response, then close the connection."""
DROP: Final = "drop"
"""Close the connection without sending anything (the request was carried out)."""

_ACTION_NAMES: Final = {
    wsman.ACTION_CREATE: "Create", wsman.ACTION_DELETE: "Delete", wsman.ACTION_COMMAND: "Command",
    wsman.ACTION_RECEIVE: "Receive", wsman.ACTION_SEND: "Send", wsman.ACTION_SIGNAL: "Signal",
}


def _encoder(codepage: int) -> codecs.CodecInfo:
    if codepage == 65001:
        return codecs.lookup("utf-8")
    try:
        return codecs.lookup(f"cp{codepage}")
    except LookupError:
        return codecs.lookup("cp437")


class _Command:
    """One WinRS command and the :class:`~hvgui.simulator.interfaces.CommandContext` the
    behaviour sees."""

    def __init__(self, endpoint: HostEndpoint, shell: _Shell, command_line: str, options: dict[str, str]) -> None:
        self.id = str(uuid.uuid4()).upper()
        self._endpoint = endpoint
        self.shell = shell
        self._command_line = command_line
        self.skip_cmd_shell = options.get("WINRS_SKIP_CMD_SHELL", "FALSE").lower() == "true"
        self.console_mode_stdin = options.get("WINRS_CONSOLEMODE_STDIN", "TRUE").lower() == "true"
        self._cancelled = threading.Event()
        self._encoding = _encoder(shell.codepage)
        # guarded by endpoint.cond
        self.output: list[tuple[str, bytes]] = []
        self.done = False
        self.exit_code = 0
        self.stdin = bytearray()
        self.stdin_ended = False
        self._stdin_read = 0
        """Bytes of :attr:`stdin` already consumed by :meth:`read_stdin_line`."""
        self.line_reader = False
        """The process reads its stdin line by line (a kept-alive PowerShell)."""
        self.lines_read = 0
        self.requests_finished = 0
        """Lines it read and then came back for the next one: requests it has finished."""
        self._command_kill: threading.Timer | None = None
        """``faults.kill_commands_after_s`` for the command, until it reads its first request line."""
        self._request_kill: threading.Timer | None = None
        """``faults.kill_commands_after_s`` for the request a kept-alive process is running."""
        self.drop_mark = 0
        """Request lines sent when an answer was last dropped (``faults.drop_after_command``)."""
        self.thread: threading.Thread | None = None

    # --- CommandContext
    @property
    def command_line(self) -> str:
        return self._command_line

    @property
    def codepage(self) -> int:
        return self.shell.codepage

    @property
    def user(self) -> str:
        return self.shell.owner

    @property
    def cancelled(self) -> threading.Event:
        return self._cancelled

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.shell.environment)

    @property
    def working_directory(self) -> str | None:
        return self.shell.working_directory

    def read_stdin(self, timeout: float | None = None) -> bytes | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        cond = self._endpoint.cond
        with cond:
            while not self.stdin_ended:
                if self._cancelled.is_set():
                    return None
                wait = _POLL_S * 4 if deadline is None else min(_POLL_S * 4, deadline - time.monotonic())
                if wait <= 0:
                    return None
                cond.wait(wait)
            return bytes(self.stdin)

    def read_stdin_line(self, timeout: float | None = None) -> str | None:
        """The next line of stdin (without its line break), waiting for it: stdin stays open across
        Sends until one says ``End="true"``. None at the end of stdin, on cancellation or after
        ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        cond = self._endpoint.cond
        if self._command_kill is not None:
            # A kept-alive process is timed per request from now on, not by its age: a timer armed
            # when it started must not end a later request (after the fault was set back to 0, too).
            self._command_kill.cancel()
            self._command_kill = None
        if self._request_kill is not None:
            self._request_kill.cancel()
            self._request_kill = None
        with cond:
            self.line_reader = True
            if self.lines_read > 0:
                self.requests_finished += 1
            cond.notify_all()
            while True:
                end = self.stdin.find(b"\n", self._stdin_read)
                if end >= 0:
                    line = bytes(self.stdin[self._stdin_read:end])
                    self._stdin_read = end + 1
                    self.lines_read += 1
                    kill_after = self._endpoint.host.faults.kill_commands_after_s
                    if kill_after > 0:
                        # A request to a kept-alive process is timed as a command is.
                        self._request_kill = threading.Timer(kill_after, self._cancelled.set)
                        self._request_kill.daemon = True
                        self._request_kill.start()
                    return line.decode("utf-8", "replace").rstrip("\r")
                if self.stdin_ended:
                    if self._stdin_read < len(self.stdin):  # a last line without a line break
                        line = bytes(self.stdin[self._stdin_read:])
                        self._stdin_read = len(self.stdin)
                        return line.decode("utf-8", "replace").rstrip("\r")
                    return None
                if self._cancelled.is_set():
                    return None
                wait = _POLL_S * 4 if deadline is None else min(_POLL_S * 4, deadline - time.monotonic())
                if wait <= 0:
                    return None
                cond.wait(wait)

    def write_stdout(self, text: str) -> None:
        self._write("stdout", text)

    def write_stderr(self, text: str) -> None:
        self._write("stderr", text)

    def _write(self, stream: str, text: str) -> None:
        if not text:
            return
        data, _ = self._encoding.encode(text, "replace")
        cond = self._endpoint.cond
        with cond:
            if self.output and self.output[-1][0] == stream:
                self.output[-1] = (stream, self.output[-1][1] + data)
            else:
                self.output.append((stream, data))
            cond.notify_all()

    def count_operation(self, name: str) -> None:
        stats = self._endpoint.stats
        with stats.lock:
            stats.operations[name] += 1

    # --- running
    def run(self) -> None:
        host = self._endpoint.host
        code = EXIT_CANCELLED
        if host.faults.kill_commands_after_s > 0:
            # Its "process" ends where it is: the behaviour sees the cancellation at its next step.
            kill = threading.Timer(host.faults.kill_commands_after_s, self._cancelled.set)
            kill.daemon = True
            self._command_kill = kill
            kill.start()
        try:
            faults = host.faults
            latency = faults.command_latency_s
            if latency > 0 and self._cancelled.wait(latency):
                pass
            elif host.faults.hang_commands:
                self._cancelled.wait()
            else:
                code = int(run_command(host, self))
        except Exception as exc:
            log.exception("%s: command %r failed", host.name, self._command_line[:200])
            self.write_stderr(f"{type(exc).__name__}: {exc}\r\n")
            code = 1
        finally:
            for armed in (self._command_kill, self._request_kill):
                if armed is not None:
                    armed.cancel()
            with self._endpoint.cond:
                self.done = True
                self.exit_code = code
                self._endpoint.cond.notify_all()


class _Shell:
    def __init__(self, owner: str, client_ip: str, codepage: int, options: dict[str, str]) -> None:
        self.id = str(uuid.uuid4()).upper()
        self.owner = owner
        self.client_ip = client_ip
        self.codepage = codepage
        self.noprofile = options.get("WINRS_NOPROFILE", "FALSE").lower() == "true"
        self.created = time.monotonic()
        self.last_used = self.created
        self.environment: dict[str, str] = {}
        self.working_directory: str | None = None
        self.input_streams = "stdin"
        self.output_streams = "stdout stderr"
        self.commands: dict[str, _Command] = {}
        self.idle_timeout_s: float | None = None
        """What the Create asked for (``rsp:IdleTimeOut``); None: the host's IdleTimeout."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    disable_nagle_algorithm = True

    def __init__(self, sock: socket.socket, address: Any, endpoint: HostEndpoint) -> None:
        self.endpoint = endpoint
        self.ntlm = auth.NtlmState()
        super().__init__(sock, address, cast(Any, endpoint))

    def log_message(self, format: str, *args: Any) -> None:
        # Called for every request: formatted only when someone reads it (-vv).
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: %s - %s", self.endpoint.host.name, self.address_string(), format % args)

    def handle(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().handle()

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    # --- HTTP plumbing
    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: list[tuple[str, str]] | None = None,
        *,
        mode: str = ANSWER,
    ) -> None:
        reason = self.responses.get(status, ("",))[0]
        lines = [f"HTTP/1.1 {status} {reason}", f"Server: {self.server_version}"]
        lines.append(f"Date: {email.utils.formatdate(usegmt=True)}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        for name, value in headers or []:
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if mode in (TRUNCATE, DROP):
            if mode == TRUNCATE:
                self.wfile.write(head + body[: max(1, len(body) // 2)])
                self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
            return
        self.wfile.write(head + body)
        self.wfile.flush()

    def _unauthorized(self, token: tuple[str, bytes] | None = None) -> None:
        if token is not None:
            headers = [("WWW-Authenticate", f"{token[0]} {base64.b64encode(token[1]).decode()}")]
        else:
            headers = [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", 'Basic realm="WSMAN"')]
        self._send(401, headers=headers)

    # --- methods
    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/_sim/stats":
            body = json.dumps(self.endpoint.stats_json()).encode()
            self._send(200, body, "application/json")
        else:
            self._send(404)

    def do_PUT(self) -> None:
        self._read_body()
        self._send(405)

    do_DELETE = do_PUT

    def do_POST(self) -> None:
        body = self._read_body()
        ep = self.endpoint
        if self.path.split("?", 1)[0].lower() != "/wsman":
            self._send(404)
            return
        with ep.stats.lock:
            ep.stats.requests += 1
        faults = ep.host.faults
        authz = self.headers.get("Authorization", "")
        scheme, _, value = authz.partition(" ")
        scheme_l = scheme.lower()
        login: Login | None = None
        final_token: tuple[str, bytes] | None = None
        if scheme_l == "basic":
            self.ntlm.reset()
            try:
                login = auth.check_basic(value, ep.logins)
            except auth.AuthError as exc:
                log.info("%s: Basic authentication refused: %s", ep.host.name, exc)
                self._unauthorized()
                return
            with ep.stats.lock:
                ep.stats.logons["basic"] += 1
        elif scheme_l in ("negotiate", "ntlm"):
            try:
                token = base64.b64decode(value.strip())
                out, complete = self.ntlm.step(token, *ep.ntlm_credentials())
            except (auth.AuthError, ValueError) as exc:
                log.info("%s: NTLM authentication refused: %s", ep.host.name, exc)
                self.ntlm.reset()
                self._unauthorized()
                return
            if not complete:
                self._send(401, headers=[("WWW-Authenticate", f"{scheme} {base64.b64encode(out or b'').decode()}")])
                return
            with ep.stats.lock:
                ep.stats.auth_handshakes += 1
                ep.stats.logons[self.ntlm.mechanism] += 1
            login = self.ntlm.login
            if out:
                final_token = (scheme, out)
        elif self.ntlm.authenticated:
            login = self.ntlm.login
        else:
            self._unauthorized()
            return
        if login is None or faults.wrong_credentials:
            log.info("%s: credentials refused (wrong_credentials fault)", ep.host.name)
            self.ntlm.reset()
            self._unauthorized()
            return
        extra = (
            [("WWW-Authenticate", f"{final_token[0]} {base64.b64encode(final_token[1]).decode()}")]
            if final_token
            else []
        )
        if not body:
            # the AUTHENTICATE leg of a handshake (or a blank POST): 200, nothing to do
            self._send(200, headers=extra)
            return

        content_type = self.headers.get("Content-Type", "").lower()
        encrypted = content_type.startswith("multipart/encrypted")
        if not encrypted and not content_type.startswith("application/soap+xml"):
            # What WinRM answers a request that is not SOAP 1.2 (or an encrypted one).
            self._send(415, headers=extra)
            return
        if len(body) > faults.max_envelope_kb * 1024:
            self._send(413, headers=extra)
            return
        if encrypted:
            try:
                body = self.ntlm.unwrap(body)
            except auth.EncryptionError as exc:
                log.warning("%s: %s", ep.host.name, exc)
                self._send(400, headers=extra)
                return
            with ep.stats.lock:
                ep.stats.encrypted_requests += 1

        status, response, mode = ep.handle_soap(body, login, self.client_address[0])
        if encrypted:
            self._send(status, self.ntlm.wrap(response), auth.ENCRYPTED_CONTENT_TYPE, extra, mode=mode)
        else:
            self._send(status, response, "application/soap+xml;charset=UTF-8", extra, mode=mode)


class HostEndpoint:
    """A WinRM endpoint (``/wsman``) for one simulated host."""

    def __init__(
        self,
        host: SimulatedHost,
        *,
        port: int = 0,
        bind: str = "127.0.0.1",
        https: bool = False,
        certfile: str | None = None,
        keyfile: str | None = None,
        extra_logins: list[Login] | None = None,
        ca: tls.TestCA | None = None,
    ) -> None:
        """``https`` with ``certfile``/``keyfile`` (a PEM chain, leaf first), a certificate issued
        by ``ca``, or else a self-signed one generated at start."""
        self.host = host
        self._ca = ca
        self.extra_logins = list(extra_logins or [])
        self._bind = bind
        self._requested_port = port
        self._port = port
        self._https = https
        self._certfile = Path(certfile) if certfile else None
        self._keyfile = Path(keyfile) if keyfile else None
        self._tmpdir: Path | None = None
        self._ssl: ssl.SSLContext | None = None
        self._fingerprint: str | None = None
        self.stats = HostStats()
        self.cond = threading.Condition()
        self._shells: dict[str, _Shell] = {}
        self.shells_open_max = 0
        """The most shells open at once since the start (or the last :meth:`reset_shells_open_max`)."""
        self._listener: socket.socket | None = None
        self._listening = threading.Event()
        self._not_listening = threading.Event()
        self._not_listening.set()
        self._stopping = threading.Event()
        self._accept_thread: threading.Thread | None = None
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._started = False
        self._user_file: auth.UserFile | None = None

    # --- properties
    @property
    def logins(self) -> list[Login]:
        """The host's logins, then the extra ones (read live: a test may change them)."""
        return [*self.host.logins, *self.extra_logins]

    def ntlm_credentials(self) -> tuple[list[Login], auth.UserFile]:
        """The logins and the NTLM user file, brought up to date with them (for a handshake)."""
        logins = self.logins
        if self._user_file is None:
            raise RuntimeError("the endpoint is not started")
        self._user_file.update(logins)
        return logins, self._user_file

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = self._bind
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self._https else 'http'}://{host}:{self._port}/wsman"

    @property
    def https(self) -> bool:
        return self._https

    @property
    def cert_path(self) -> str | None:
        """The PEM certificate (use it as the clients' ``ca_trust_path``); None over HTTP."""
        return str(self._certfile) if self._https and self._certfile else None

    @property
    def fingerprint(self) -> str | None:
        return self._fingerprint

    def stats_json(self) -> dict[str, object]:
        """The counters served at ``/_sim/stats``: :class:`HostStats` plus ``shells_open_max``,
        ``processes_running`` (commands not ended) and, for a Hyper-V host, what its processes
        paid for (``powershell_starts``, ``module_loads``, ``kept_alive_requests``)."""
        with self.cond:
            peak = self.shells_open_max
            running = sum(1 for shell in self._shells.values() for cmd in shell.commands.values() if not cmd.done)
        counters: dict[str, int] = {}
        if isinstance(self.host, HyperVHost):
            with self.host.lock:
                counters = {k: self.host.counters.get(k, 0)
                            for k in ("powershell_starts", "module_loads", "kept_alive_requests")}
        return {**self.stats.as_json(), "shells_open_max": peak, "processes_running": running, **counters}

    def reset_shells_open_max(self) -> None:
        with self.cond:
            self.shells_open_max = len(self._shells)

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def wait_listening(self, listening: bool, timeout: float = 5.0) -> bool:
        """Wait until the endpoint is (not) listening, e.g. after flipping
        ``faults.refuse_connections``; returns whether it got there in time."""
        return (self._listening if listening else self._not_listening).wait(timeout)

    # --- lifecycle
    def _new_certificate(self) -> tuple[Path, Path]:
        extra = [self._bind] if self._bind not in ("0.0.0.0", "", "::") else [socket.gethostname()]
        if self._ca is not None:
            return self._ca.issue(self.host.name, extra_names=extra)
        self._tmpdir = self._tmpdir or Path(tempfile.mkdtemp(prefix="hvgui-sim-tls-"))
        directory = Path(tempfile.mkdtemp(prefix="cert-", dir=self._tmpdir))
        return tls.generate_self_signed(self.host.name, directory, extra_names=extra)

    def _load_certificate(self) -> None:
        assert self._certfile is not None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(self._certfile), str(self._keyfile) if self._keyfile else None)
        self._ssl = ctx  # connections accepted from now on present it
        self._fingerprint = tls.fingerprint(self._certfile)

    def rekey(self, certfile: str | None = None, keyfile: str | None = None) -> str:
        """The host gets a new key and certificate (given, or made as at start: issued by the same
        CA, or self-signed), as when a listener's certificate is renewed or replaced. New TLS
        connections see it; returns its SHA-256 fingerprint."""
        if not self._https:
            raise RuntimeError("rekey() needs an HTTPS endpoint")
        if certfile:
            self._certfile, self._keyfile = Path(certfile), Path(keyfile) if keyfile else None
        else:
            self._certfile, self._keyfile = self._new_certificate()
        self._load_certificate()
        self._drop_connections()  # clients reconnect, and meet the new certificate
        assert self._fingerprint is not None
        return self._fingerprint

    def start(self) -> None:
        if self._started:
            return
        if self._https:
            if self._certfile is None:
                self._certfile, self._keyfile = self._new_certificate()
            self._load_certificate()
        self._user_file = auth.UserFile()
        self._user_file.update(self.logins)
        self._stopping.clear()
        self._listen()
        self._started = True
        self._accept_thread = threading.Thread(target=self._serve, name=f"wsman-accept-{self.host.name}", daemon=True)
        self._accept_thread.start()
        log.info("%s: listening on %s", self.host.name, self.url)

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        self._stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join(5)
            self._accept_thread = None
        self._close_listener()
        self._drop_connections()
        workers: list[threading.Thread] = []
        with self.cond:
            for shell in self._shells.values():
                for cmd in shell.commands.values():
                    cmd.cancelled.set()
                    if cmd.thread is not None:
                        workers.append(cmd.thread)
            self._shells.clear()
            with self.stats.lock:
                self.stats.shells_open = 0
            self.cond.notify_all()
        with self._conn_lock:
            threads = list(self._connections.values())
        deadline = time.monotonic() + 5
        for t in threads + workers:
            t.join(max(0.0, deadline - time.monotonic()))
        if self._user_file is not None:
            self._user_file.remove()
            self._user_file = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
            self._certfile = self._keyfile = None

    def __enter__(self) -> HostEndpoint:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- sockets
    def _listen(self) -> None:
        family = socket.AF_INET6 if ":" in self._bind else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._bind, self._port))
            sock.listen(64)
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._listener = sock
        self._not_listening.clear()
        self._listening.set()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._listening.clear()
        self._not_listening.set()

    def _drop_connections(self) -> None:
        with self._conn_lock:
            socks = list(self._connections)
        for s in socks:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(s, socket.SHUT_RDWR)

    def _serve(self) -> None:
        last_reap = 0.0
        while not self._stopping.is_set():
            try:
                if self.host.faults.refuse_connections:
                    if self._listener is not None:
                        log.info("%s: refusing connections", self.host.name)
                        self._close_listener()
                        self._drop_connections()
                    self._stopping.wait(_POLL_S)
                elif self._listener is None:
                    try:
                        self._listen()
                        log.info("%s: listening again on %s", self.host.name, self.url)
                    except OSError as exc:
                        log.warning("%s: cannot listen again on port %d: %s", self.host.name, self._port, exc)
                        self._stopping.wait(_POLL_S * 4)
                else:
                    ready, _, _ = select.select([self._listener], [], [], _POLL_S)
                    if ready:
                        self._accept()
                now = time.monotonic()
                if now - last_reap > 0.2:
                    last_reap = now
                    self._reap_idle_shells()
            except Exception:
                log.exception("%s: accept loop error", self.host.name)
                self._stopping.wait(_POLL_S)

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            conn, addr = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        if self.host.faults.refuse_connections:
            conn.close()
            return
        with self.stats.lock:
            self.stats.connections += 1
        t = threading.Thread(
            target=self._connection, args=(conn, addr), name=f"wsman-conn-{self.host.name}", daemon=True
        )
        with self._conn_lock:
            self._connections[conn] = t
        t.start()

    def _connection(self, conn: socket.socket, addr: Any) -> None:
        sock: socket.socket = conn
        try:
            if self._ssl is not None:
                conn.settimeout(10)
                try:
                    tls_sock = self._ssl.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError) as exc:
                    log.debug("%s: TLS handshake failed: %s", self.host.name, exc)
                    return
                tls_sock.settimeout(None)
                with self._conn_lock:
                    self._connections[tls_sock] = self._connections.pop(conn)
                sock = tls_sock
                if self._stopping.is_set():
                    return
            _Handler(sock, addr, self)
        except Exception:
            log.exception("%s: connection error", self.host.name)
        finally:
            with self._conn_lock:
                self._connections.pop(sock, None)
                self._connections.pop(conn, None)
            with contextlib.suppress(OSError):
                sock.close()
            with contextlib.suppress(OSError):
                conn.close()

    # --- shells
    def _reap_idle_shells(self) -> None:
        host_limit = self.host.faults.idle_timeout_s
        now = time.monotonic()
        with self.cond:
            idle = [s for s in self._shells.values()
                    if now - s.last_used > min(host_limit, s.idle_timeout_s if s.idle_timeout_s is not None
                                               else host_limit)]
            for shell in idle:
                log.info("%s: shell %s idle for %.0f s, deleted", self.host.name, shell.id, now - shell.last_used)
                self._delete_shell(shell)

    def _delete_shell(self, shell: _Shell) -> list[threading.Thread]:
        """With ``cond`` held. Returns the threads of the commands it stopped (to wait for)."""
        threads = []
        for cmd in shell.commands.values():
            cmd.cancelled.set()
            if cmd.thread is not None and not cmd.done:
                threads.append(cmd.thread)
        shell.commands.clear()
        if self._shells.pop(shell.id, None) is not None:
            with self.stats.lock:
                self.stats.shells_deleted += 1
                self.stats.shells_open = len(self._shells)
        self.cond.notify_all()
        return threads

    @staticmethod
    def _wait_stopped(threads: list[threading.Thread]) -> None:
        """Without ``cond`` held: as WinRS ends a command's processes before it answers a
        Signal terminate or a Delete, wait (bounded) until the commands have really stopped."""
        deadline = time.monotonic() + _STOP_WAIT_S
        for t in threads:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))

    def _shell(self, req: wsman.WSManRequest) -> _Shell:
        """With ``cond`` held."""
        shell_id = req.selectors.get("ShellId", "")
        shell = self._shells.get(shell_id.upper())
        if shell is None:
            raise wsman.invalid_shell_fault(shell_id)
        shell.last_used = time.monotonic()
        return shell

    @staticmethod
    def _command(shell: _Shell, command_id: str | None) -> _Command:
        cmd = shell.commands.get((command_id or "").upper())
        if cmd is None:
            raise wsman.invalid_command_fault()
        return cmd

    def _drop_answer(self, action: str) -> bool:
        """``faults.drop_answers``: True (and one fewer to drop) if this answer is to be lost."""
        name = _ACTION_NAMES.get(action, "")
        with self.cond:
            left = self.host.faults.drop_answers.get(name, 0)
            if left <= 0:
                return False
            self.host.faults.drop_answers[name] = left - 1
        log.info("%s: %s carried out, its answer dropped (fault)", self.host.name, name)
        return True

    def handle_soap(self, data: bytes, login: Login, client_ip: str) -> tuple[int, bytes, str]:
        """One SOAP request -> (HTTP status, response body, how to send it: ANSWER, TRUNCATE or DROP)."""
        status, body, mode = self._handle_soap(data, login, client_ip)
        if mode == ANSWER and status == 200 and self.host.faults.drop_answers:
            with contextlib.suppress(wsman.WSManFault):
                if self._drop_answer(wsman.parse_request(data).action):
                    return status, body, DROP
        return status, body, mode

    def _handle_soap(self, data: bytes, login: Login, client_ip: str) -> tuple[int, bytes, str]:
        relates_to: str | None = None
        try:
            req = wsman.parse_request(data)
            relates_to = req.message_id
            if not login.winrs_allowed or self.host.faults.access_denied:
                raise wsman.access_denied_fault()
            if req.resource_uri.lower() != wsman.RESOURCE_CMD.lower():
                raise wsman.action_not_supported_fault(req.action, req.resource_uri)
            action = req.action
            if action == wsman.ACTION_CREATE:
                return 200, self._create(req, login, client_ip), ANSWER
            if action == wsman.ACTION_DELETE:
                return 200, self._delete(req), ANSWER
            if action == wsman.ACTION_COMMAND:
                return 200, self._run(req), ANSWER
            if action == wsman.ACTION_RECEIVE:
                body, had_output, drop = self._receive(req)
                if drop:
                    return 200, body, DROP
                return 200, body, TRUNCATE if had_output and self.host.faults.drop_mid_response else ANSWER
            if action == wsman.ACTION_SEND:
                return 200, self._send_input(req), ANSWER
            if action == wsman.ACTION_SIGNAL:
                return 200, self._signal(req), ANSWER
            raise wsman.action_not_supported_fault(action, req.resource_uri)
        except wsman.WSManFault as fault:
            log.debug("%s: fault %d: %s", self.host.name, fault.code, fault.message)
            return 500, wsman.fault_envelope(fault, relates_to, self.host.name), ANSWER
        except Exception:
            log.exception("%s: internal error handling a request", self.host.name)
            internal = wsman.WSManFault(2150858752, "The WS-Management service cannot process the request. ")
            return 500, wsman.fault_envelope(internal, relates_to, self.host.name), ANSWER

    def _create(self, req: wsman.WSManRequest, login: Login, client_ip: str) -> bytes:
        try:
            codepage = int(req.options.get("WINRS_CODEPAGE", "437"))
        except ValueError:
            codepage = 437
        shell = _Shell(login.user, client_ip, codepage, req.options)
        body = req.body
        if body is not None and wsman.local(body.tag) == "Shell":
            inputs = wsman.child(body, "InputStreams")
            if inputs is not None and inputs.text:
                shell.input_streams = inputs.text.strip()
            outputs = wsman.child(body, "OutputStreams")
            if outputs is not None and outputs.text:
                shell.output_streams = outputs.text.strip()
            wd = wsman.child(body, "WorkingDirectory")
            if wd is not None and wd.text:
                shell.working_directory = wd.text
            env = wsman.child(body, "Environment")
            if env is not None:
                for var in wsman.children(env, "Variable"):
                    shell.environment[var.get("Name", "")] = var.text or ""
            idle = wsman.child(body, "IdleTimeOut")
            if idle is not None and idle.text:
                shell.idle_timeout_s = wsman.parse_duration(idle.text, self.host.faults.idle_timeout_s)
        faults = self.host.faults
        with self.cond:
            owned = sum(1 for s in self._shells.values() if s.owner.lower() == login.user.lower())
            if owned >= faults.max_shells_per_user:
                raise wsman.shell_quota_fault(faults.max_shells_per_user)
            self._shells[shell.id] = shell
            self.shells_open_max = max(self.shells_open_max, len(self._shells))
            with self.stats.lock:
                self.stats.shells_created += 1
                self.stats.shells_open = len(self._shells)
        info = wsman.ShellInfo(
            shell_id=shell.id,
            owner=shell.owner,
            client_ip=client_ip,
            idle_timeout_s=shell.idle_timeout_s if shell.idle_timeout_s is not None else faults.idle_timeout_s,
            input_streams=shell.input_streams,
            output_streams=shell.output_streams,
        )
        return wsman.create_response(req.message_id, self.url, info)

    def _delete(self, req: wsman.WSManRequest) -> bytes:
        with self.cond:
            shell = self._shell(req)
            threads = self._delete_shell(shell)
        self._wait_stopped(threads)
        return wsman.delete_response(req.message_id)

    def _run(self, req: wsman.WSManRequest) -> bytes:
        body = req.body
        if body is None or wsman.local(body.tag) != "CommandLine":
            raise wsman.invalid_xml_fault("rsp:CommandLine is missing.")
        command = wsman.child(body, "Command")
        parts = [(command.text or "") if command is not None else ""]
        parts += [a.text for a in wsman.children(body, "Arguments") if a.text]
        command_line = " ".join(p for p in parts if p)
        if self.host.faults.too_many_operations:
            raise wsman.operations_quota_fault()
        with self.cond:
            shell = self._shell(req)
            cmd = _Command(self, shell, command_line, req.options)
            shell.commands[cmd.id] = cmd
            with self.stats.lock:
                self.stats.commands += 1
            cmd.thread = threading.Thread(target=cmd.run, name=f"winrs-{self.host.name}", daemon=True)
            cmd.thread.start()
        return wsman.command_response(req.message_id, cmd.id)

    def _receive(self, req: wsman.WSManRequest) -> tuple[bytes, bool, bool]:
        """-> (response, it carries output, drop it instead: ``faults.drop_after_command``)."""
        body = req.body
        desired = wsman.child(body, "DesiredStream") if body is not None else None
        command_id = desired.get("CommandId") if desired is not None else None
        if not command_id:
            raise wsman.missing_command_id_fault()  # a cmd shell's output belongs to a command
        deadline = time.monotonic() + req.operation_timeout_s
        budget = max(1024, (req.max_envelope_size - wsman.RECEIVE_OVERHEAD) * 3 // 4)
        with self.cond:
            while True:
                shell = self._shell(req)
                cmd = self._command(shell, command_id)
                # drop_after_command: wait for the whole command (for a kept-alive process: the
                # request it is running), then lose its answer.
                if self._drop_pending(cmd):
                    if self._answered(cmd):
                        break
                elif cmd.output or cmd.done:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping.is_set():
                    raise wsman.operation_timeout_fault()
                self.cond.wait(remaining)
            streams: list[tuple[str, bytes]] = []
            while cmd.output and budget > 0:
                name, data = cmd.output[0]
                take = data[:budget]
                budget -= len(take)
                if len(take) < len(data):
                    cmd.output[0] = (name, data[len(take) :])
                else:
                    cmd.output.pop(0)
                streams.append((name, take))
            done = cmd.done and not cmd.output
            exit_code = cmd.exit_code
            shell.last_used = time.monotonic()
            drop = self._drop_pending(cmd) and self._answered(cmd)
            if drop:
                cmd.drop_mark = cmd.stdin.count(b"\n")
                self.host.faults.drop_after_command -= 1
                log.info("%s: command %s ran to its end; its answer is dropped (fault)", self.host.name, cmd.id)
        encoded = [(name, base64.b64encode(data).decode("ascii")) for name, data in streams]
        response = wsman.receive_response(req.message_id, cmd.id, encoded, done=done, exit_code=exit_code)
        return response, bool(streams), drop

    def _drop_pending(self, cmd: _Command) -> bool:
        """With ``cond`` held: this Receive is to lose a command's (or a request's) answer. A
        kept-alive process that has not read a request yet (starting, ready) answers as usual."""
        if self.host.faults.drop_after_command <= 0:
            return False
        return not (cmd.line_reader and cmd.lines_read == 0)

    @staticmethod
    def _answered(cmd: _Command) -> bool:
        """With ``cond`` held: the command ended, or (a kept-alive process) every request line sent
        to it so far is finished and its answer not dropped yet."""
        if cmd.done:
            return True
        sent = cmd.stdin.count(b"\n")
        return sent > cmd.drop_mark and cmd.requests_finished >= sent

    def _send_input(self, req: wsman.WSManRequest) -> bytes:
        body = req.body
        stream = wsman.child(body, "Stream") if body is not None else None
        if stream is None:
            raise wsman.invalid_xml_fault("rsp:Stream is missing.")
        try:
            data = base64.b64decode((stream.text or "").strip(), validate=True)
        except ValueError:
            raise wsman.invalid_xml_fault("The stream is not base64.") from None
        end = stream.get("End", "false").strip().lower() == "true"
        with self.cond:
            shell = self._shell(req)
            cmd = self._command(shell, stream.get("CommandId"))
            if not cmd.stdin_ended:
                cmd.stdin += data
                cmd.stdin_ended = end
            self.cond.notify_all()
        return wsman.send_response(req.message_id)

    def _signal(self, req: wsman.WSManRequest) -> bytes:
        body = req.body
        if body is None or wsman.local(body.tag) != "Signal":
            raise wsman.invalid_xml_fault("rsp:Signal is missing.")
        code_elem = wsman.child(body, "Code")
        code = (code_elem.text or "").strip().rsplit("/", 1)[-1].lower() if code_elem is not None else ""
        with self.cond:
            shell = self._shell(req)
            cmd = self._command(shell, body.get("CommandId"))
            if code in (_SIGNAL_TERMINATE, _SIGNAL_CTRL_C, _SIGNAL_CTRL_BREAK):
                cmd.cancelled.set()
            threads: list[threading.Thread] = []
            if code == _SIGNAL_TERMINATE:
                shell.commands.pop(cmd.id, None)
                if cmd.thread is not None and not cmd.done:
                    threads.append(cmd.thread)
            self.cond.notify_all()
        self._wait_stopped(threads)
        return wsman.signal_response(req.message_id)


class SimulatorFleet:
    """One :class:`HostEndpoint` per simulated host."""

    def __init__(
        self,
        hosts: list[SimulatedHost],
        *,
        https: bool = False,
        first_port: int = 0,
        bind: str = "127.0.0.1",
        extra_logins: list[Login] | None = None,
        ca: tls.TestCA | None = None,
    ) -> None:
        """``ca``: with ``https``, every host's certificate is issued by this CA."""
        self.hosts = list(hosts)
        self._ca = ca
        self._https = https
        self._first_port = first_port
        self._bind = bind
        self.extra_logins = list(extra_logins or [])
        self.endpoints: list[HostEndpoint] = []

    def start(self) -> None:
        if self.endpoints:
            return
        try:
            for i, host in enumerate(self.hosts):
                port = self._first_port + i if self._first_port else 0
                ep = HostEndpoint(host, port=port, bind=self._bind, https=self._https, extra_logins=self.extra_logins,
                                  ca=self._ca)
                ep.start()
                self.endpoints.append(ep)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        endpoints, self.endpoints = self.endpoints, []
        for ep in endpoints:
            ep.stop()

    def endpoint(self, name: str) -> HostEndpoint:
        for ep in self.endpoints:
            if ep.host.name.lower() == name.lower():
                return ep
        raise KeyError(name)

    def __iter__(self) -> Iterator[HostEndpoint]:
        return iter(self.endpoints)

    def __enter__(self) -> SimulatorFleet:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def is_loopback(address: str) -> bool:
    return address in _LOOPBACK
