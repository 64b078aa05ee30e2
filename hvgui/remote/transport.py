"""One connection per host, on pywinrm's ``Protocol`` (not ``Session.run_ps``).

- Explicit auth, certificate validation always on (optional CA bundle), explicit proxy
  (none unless configured: environment proxies are ignored), code page 65001, no profile.
- One operation = one command in the host's shell: constant command line, script + base64
  JSON request over stdin (in chunks well under MaxEnvelopeSize), own Receive loop with a
  deadline (pywinrm's ``get_command_output`` retries forever), Signal terminate in
  ``finally``. The shell is kept for the next operation and deleted on failure and on
  ``close()``; one the host dropped (IdleTimeout) is replaced. Quota faults: wait for the host
  to free a shell and retry once.
- No shell is left behind: a shell that could not be deleted when its operation failed (the
  connection broke, the answer was lost) is remembered and deleted as soon as the host answers
  again, before a new one is opened, and on ``close()`` (best effort, each request bounded).
- Once the last piece of a request has been sent, the host may act on it: any failure from then
  on (connection dropped, deadline passed, stopped, the command ended without a result) is an
  :class:`OutcomeUnknown`, never a plain failure.
- The ``requests`` session (TCP connection and NTLM context) lives as long as the
  :class:`HostSession`, so there is one handshake per host, not per command.
- A session is used by one thread at a time (the engine holds a per-host lock; this class
  also holds its own lock, so misuse serializes instead of corrupting the connection).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr as xml_quote

import requests
from urllib3.exceptions import NewConnectionError
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol as WinRMProtocol

from hvgui.core import contract
from hvgui.core.hosts import Auth, HostConfig, normalize_fingerprint
from hvgui.remote import clixml, trust
from hvgui.remote.connection import HvguiTransport, make_protocol
from hvgui.remote.credentials import CredentialSource
from hvgui.remote.errors import ErrorKind, HostError, listener_fix, preflight_error
from hvgui.remote.trust import thumbprint as thumbprint  # re-exported: callers read fingerprints here

log = logging.getLogger(__name__)

FAULT_ACCESS_DENIED = 5
FAULT_INVALID_SELECTORS = 2150858843
FAULT_SHELL_QUOTA = 2150859173
FAULT_OPERATIONS_QUOTA = 2150859174
QUOTA_FAULTS = (FAULT_SHELL_QUOTA, FAULT_OPERATIONS_QUOTA)

STDIN_CHUNK = 48 * 1024
"""Bytes of stdin per Send: base64 inflates by 4/3, and hosts refuse envelopes over
MaxEnvelopeSizekb (150 KB by default)."""
MAX_STALE_SHELLS = 8
"""Shells remembered for deletion; older ones are left to the host's idle timeout."""
STALE_DELETE_TRIES = 3
"""A shell the host refuses (with a fault) to delete this many times is left to its idle timeout."""
GOODBYE_TIMEOUT_S = 5
"""Read timeout of cleanup requests (terminate, delete) to a host that may be failing."""
KEEP_ALIVE_IDLE_S = 120.0
"""A kept-alive PowerShell with no request for this long is ended (before the host's own WinRS
IdleTimeout, 180 s at the least, would delete its shell)."""
FALLBACK_RETRY_S = 600.0
"""After falling back to one command per operation, try the kept-alive PowerShell again this much later."""


@dataclass
class _KeptAlive:
    """The kept-alive ``powershell.exe`` of a session (see :data:`hvgui.core.contract.LOOP`)."""

    shell_id: str
    command_id: str
    seq: int = 0
    scripts: set[str] = field(default_factory=set)
    """Keys of the operation scripts it has compiled (sent once, then named by key)."""
    last_used: float = field(default_factory=time.monotonic)


class _LoopEnded(Exception):
    """The kept-alive PowerShell ended (killed, crashed) before it answered the request."""

    def __init__(self, stdout: str, stderr: str, code: int) -> None:
        super().__init__(code)
        self.stdout, self.stderr, self.code = stdout, stderr, code


class OutcomeUnknown(HostError):
    """The whole request reached the host, but no result came back (the connection dropped, the
    deadline passed, the command was stopped, or it ended without a result line): what it did on
    the host is unknown until the host is read again. Before that point a failure is a plain
    :class:`HostError`: nothing was done."""

    @classmethod
    def of(cls, exc: HostError) -> OutcomeUnknown:
        return cls(exc.kind, exc.message, host=exc.host, fingerprint=exc.fingerprint, details=exc.details)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild_unknown, (self.kind, self.message, self.host, self.fingerprint, self.details))


def _rebuild_unknown(kind: ErrorKind, message: str, host: str, fingerprint: str | None,
                     details: str) -> OutcomeUnknown:
    return OutcomeUnknown(kind, message, host=host, fingerprint=fingerprint, details=details)


class HostSession(Protocol):
    config: HostConfig

    def run_operation(self, script: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run one operation (blocking) and return its decoded result JSON."""

    def close(self) -> None: ...

    def abort(self) -> None:
        """Ask a running operation to stop at its next chance (any thread)."""

    @property
    def fallback(self) -> str | None:
        """Why operations run as one command each instead of in the host's kept-alive
        PowerShell (None when it is used, or not tried yet)."""


def open_session(config: HostConfig, credentials: CredentialSource) -> HostSession:
    problems = config.validate()
    if problems:
        raise HostError(ErrorKind.CONFIG, "; ".join(problems), host=config.display_name)
    if config.auth is Auth.LOCAL:
        return LocalSession(config)
    return WinRMSession(config, credentials)


def presented_certificate(url: str, timeout: float = 5.0) -> bytes:
    """The DER certificate a host presents, read without trusting it (only to show the user
    its fingerprint or let them trust it). Raises OSError when it cannot be read."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    leaf = trust.presented_chain(url, timeout)[0]
    return x509.load_pem_x509_certificate(leaf.pem.encode("ascii")).public_bytes(serialization.Encoding.DER)


def certificate_fingerprint(url: str, timeout: float = 5.0) -> str | None:
    """The presented certificate's SHA-256 (see :func:`hvgui.remote.trust.thumbprint`), or None
    when it cannot be read."""
    try:
        return trust.presented_chain(url, timeout)[0].sha256
    except OSError:
        return None


LANGUAGE_MODE_HINT = ("the host runs PowerShell in ConstrainedLanguage mode (AppLocker/WDAC); hvgui's scripts "
                      "need FullLanguage for the account it uses")


def interpret_output(config: HostConfig, stdout: str, stderr: str, code: int) -> dict[str, Any]:
    """A result line means the operation ran to its end, whatever the exit code (a stray
    non-terminating error can set it); otherwise the host's error, in words."""
    refused = contract.preflight_failure(stdout)
    if refused is not None:
        raise preflight_error(refused[0], refused[1], config.display_name, config.username)
    try:
        result = contract.decode_result(stdout)
    except contract.ContractError as exc:
        message = clixml.error_text(stderr)
        if code != 0 or message:
            if "language mode" in message.lower():
                raise HostError(ErrorKind.POWERSHELL, LANGUAGE_MODE_HINT, host=config.display_name,
                                details=message) from exc
            raise HostError(ErrorKind.POWERSHELL, clixml.first_line(message) or f"exit code {code}",
                            host=config.display_name, details=message) from exc
        raise HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=config.display_name,
                        details=stdout[:2000]) from exc
    if code != 0:
        log.warning("%s: exit code %d despite a result: %s", config.display_name, code,
                    clixml.first_line(clixml.error_text(stderr)))
    return result


def interpret_sent_output(config: HostConfig, stdout: str, stderr: str, code: int) -> dict[str, Any]:
    """:func:`interpret_output` for a command that was sent in full and ran: a refusal before it
    acted (preflight, ConstrainedLanguage) stays a plain :class:`HostError`; any other end without
    a result leaves the outcome unknown (:class:`OutcomeUnknown`)."""
    try:
        return interpret_output(config, stdout, stderr, code)
    except HostError as exc:
        if contract.preflight_failure(stdout) is not None or exc.message == LANGUAGE_MODE_HINT:
            raise
        raise OutcomeUnknown.of(exc) from exc


def _digest(password: str) -> bytes:
    """What a session remembers of the password it logged on with: enough to notice a change."""
    return hashlib.sha256(password.encode("utf-8")).digest()


class WinRMSession:
    def __init__(self, config: HostConfig, credentials: CredentialSource) -> None:
        self.config = config
        self._credentials = credentials
        self._protocol: WinRMProtocol | None = None
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self._shell_id: str | None = None
        self._stale: list[str] = []
        """Shells given up after a failure and not known to be deleted on the host."""
        self._stale_tries: dict[str, int] = {}
        self._sent = False
        """The current operation's request has been sent in full (the host may act on it)."""
        self._password_digest: bytes | None = None
        """Of the password the current connection logged on with (to notice a new one)."""
        # Receive waits at most this long on the host before asking again, so the
        # deadline and abort are checked at least that often.
        self.operation_timeout_s = max(1, min(5, int(config.timeout_s)))
        self.keep_alive = True
        """Run operations in one kept-alive PowerShell (False: one command per operation)."""
        self.idle_s = KEEP_ALIVE_IDLE_S
        self._loop: _KeptAlive | None = None
        self._fallback: str | None = None
        self._fallback_at = 0.0
        self._retire_timer: threading.Timer | None = None
        self._closed = False

    # ---------------------------------------------------------------- connection
    def _connect(self) -> WinRMProtocol:
        if self._protocol is not None:
            return self._protocol
        password = ""
        if self.config.needs_password:
            found = self._credentials.password(self.config)
            if found is None:
                raise HostError(ErrorKind.WRONG_CREDENTIALS,
                                f"no password known for {self.config.username!r}; enter it to connect",
                                host=self.config.display_name)
            password = found
        try:
            protocol = make_protocol(self.config, password, operation_timeout_s=self.operation_timeout_s,
                                     read_timeout_s=self.operation_timeout_s + 5)
        except trust.TrustConfigError as exc:
            raise HostError(ErrorKind.CONFIG, str(exc), host=self.config.display_name) from exc
        except WinRMError as exc:
            raise HostError(ErrorKind.CONFIG, str(exc), host=self.config.display_name) from exc
        self._protocol = protocol
        self._password_digest = _digest(password)
        # May talk to the host (Negotiate and NTLM over HTTP authenticate here, to encrypt):
        # errors are translated by the caller.
        protocol.transport.build_session()
        return protocol

    def _password_changed(self) -> bool:
        """A new password was given for this host since the connection logged on (the admin typed
        it): the connection is dropped so that it takes effect at once."""
        if self._protocol is None or not self.config.needs_password:
            return False
        current = self._credentials.password(self.config)
        return current is not None and _digest(current) != self._password_digest

    def log_on(self) -> str:
        """Connect, log on and open a WinRS shell (kept for the next operation), without running
        anything: proves that the host accepts the login and lets it use WinRM. Returns
        :attr:`connection_info`; raises :class:`HostError` (for *Diagnose*)."""
        with self._lock:
            deadline = time.monotonic() + self.config.timeout_s
            try:
                protocol = self._connect()
                self._bound(protocol, deadline)
                if self._shell_id is None:
                    self._shell_id = self._open_shell(protocol)
            except HostError:
                raise
            except Exception as exc:
                self._drop_connection()
                raise self._translate(exc) from exc
            return self.connection_info

    @property
    def connection_info(self) -> str:
        """How the current connection logged on and protects its messages ("" when not connected)."""
        transport = self._protocol.transport if self._protocol is not None else None
        return transport.describe() if isinstance(transport, HvguiTransport) else ""

    @property
    def fallback(self) -> str | None:
        return self._fallback

    @property
    def kept_alive_running(self) -> bool:
        """A kept-alive PowerShell is running on the host for this session (as far as we know)."""
        return self._loop is not None and self._loop.shell_id == self._shell_id

    def close(self) -> None:
        """Delete our shells on the host (the one in use and any left by failures: they would
        count against the user's quota until their idle timeout) and close the connection.
        Best effort and bounded: a host that does not answer gets one short attempt."""
        self._closed = True
        self._cancel_retire()
        with self._lock:
            self._abandon_shell()
            if self._stale:
                try:
                    protocol = self._connect()
                    self._short_bound(protocol)
                    for shell_id in list(self._stale):
                        self._delete_shell(protocol, shell_id)  # a connection error ends the loop
                        self._forget(shell_id)
                except Exception as exc:
                    log.debug("deleting shells on %s failed: %s", self.config.display_name, type(exc).__name__)
            self._drop_connection()
            self._stale.clear()
            self._stale_tries.clear()

    def abort(self) -> None:
        self._aborted.set()

    @property
    def stale_shells(self) -> list[str]:
        """Shells waiting to be deleted (for tests and diagnostics)."""
        return list(self._stale)

    def _drop_connection(self) -> None:
        """The connection is broken (or we are closing): close it. Our shell is deleted once the
        host answers again."""
        self._abandon_shell()
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport.session is not None:
            protocol.transport.session.close()

    # ---------------------------------------------------------------- shells left behind
    def _abandon_shell(self) -> None:
        """Stop using our shell without knowing it is deleted: delete it later (which ends its
        kept-alive PowerShell)."""
        self._loop = None
        if self._shell_id is not None:
            self._remember(self._shell_id)
            self._shell_id = None

    def _remember(self, shell_id: str) -> None:
        if shell_id not in self._stale:
            self._stale.append(shell_id)
        for old in self._stale[:-MAX_STALE_SHELLS]:
            self._forget(old)

    def _forget(self, shell_id: str) -> None:
        if shell_id in self._stale:
            self._stale.remove(shell_id)
        self._stale_tries.pop(shell_id, None)

    def _delete_shell(self, protocol: WinRMProtocol, shell_id: str) -> bool:
        """Delete one shell: True when it is gone (now, or already: idle timeout). False when the
        host refused with a fault. Connection errors propagate."""
        try:
            protocol.close_shell(shell_id, close_session=False)
        except WSManFaultError as exc:
            if exc.wsman_fault_code == FAULT_INVALID_SELECTORS:
                return True
            log.debug("%s refused to delete shell %s: %s", self.config.display_name, shell_id, exc.wsman_fault_code)
            return False
        return True

    def _sweep(self, protocol: WinRMProtocol, deadline: float) -> None:
        """Delete the shells earlier failures left on the host, now that we talk to it again and
        before a new one is used. Each request is bounded; connection errors propagate (the host
        still does not answer: the operation fails, nothing was sent, the shells stay listed)."""
        if not self._stale:
            return
        self._short_bound(protocol, deadline)
        for shell_id in list(self._stale):
            tries = self._stale_tries.get(shell_id, 0) + 1
            self._stale_tries[shell_id] = tries
            if self._delete_shell(protocol, shell_id) or tries >= STALE_DELETE_TRIES:
                self._forget(shell_id)
        log.debug("%s: shells left by earlier failures deleted", self.config.display_name)

    # ---------------------------------------------------------------- operation
    def run_operation(self, script: str, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._sent = False
            try:
                answer = self._run_kept_alive(script, request) if self._use_kept_alive() else None
                if answer is None:  # one command for this operation
                    answer = self._run(contract.stdin_for(script, request).encode("ascii"))
            except HostError as exc:
                raise self._lost(exc) from exc
            except Exception as exc:
                # A broken connection is not reused: the next command starts a fresh one.
                self._drop_connection()
                raise self._lost(self._translate(exc)) from exc
            finally:
                self._schedule_retire()
        stdout, stderr, code = answer
        return interpret_sent_output(self.config, stdout, stderr, code)

    # ---------------------------------------------------------------- the kept-alive PowerShell
    def _use_kept_alive(self) -> bool:
        recent_fallback = self._fallback is not None and time.monotonic() - self._fallback_at < FALLBACK_RETRY_S
        return self.keep_alive and not recent_fallback

    def _run_kept_alive(self, script: str, request: dict[str, Any]) -> tuple[str, str, int] | None:
        """Run one request in the kept-alive PowerShell, starting it when needed. None: it cannot
        be used on this host (:attr:`fallback` says why); run the operation as one command."""
        if self._aborted.is_set():
            self._aborted.clear()
            raise HostError(ErrorKind.CANCELLED, "stopped", host=self.config.display_name)
        deadline = time.monotonic() + self.config.timeout_s
        if self._password_changed():
            log.info("%s: new password: logging on again", self.config.display_name)
            self._drop_connection()
        protocol = self._connect()
        self._sweep(protocol, deadline)
        read_only = request.get("op") == contract.OP_INVENTORY
        for attempt in range(2):
            self._bound(protocol, deadline)
            loop = self._loop if self.kept_alive_running else None
            if loop is None:
                loop = self._start_loop(protocol, deadline)
                if loop is None:
                    return None
            loop.seq += 1
            key = contract.script_key(script)
            line = contract.loop_request(loop.seq, script, request, send_script=key not in loop.scripts)
            try:
                self._send_line(protocol, loop, line.encode("ascii"))
            except WSManFaultError as exc:
                # A fault is an answer: the host refused the input, no process read it.
                self._sent = False
                if exc.wsman_fault_code != FAULT_INVALID_SELECTORS or attempt > 0:
                    raise
                # The host dropped our shell (its IdleTimeout) or the command: start again.
                log.info("%s: the host dropped the kept-alive PowerShell; starting another", self.config.display_name)
                self._loop = None
                if self._shell_id is not None and not self._delete_shell(protocol, self._shell_id):
                    self._remember(self._shell_id)  # still there, and refused: deleted later
                self._shell_id = None
                continue
            loop.scripts.add(key)
            try:
                return self._await_reply(protocol, loop, deadline)
            except _LoopEnded as ended:
                if read_only and attempt > 0 and loop.seq == 1:
                    # Two new processes in a row ended before answering their first request.
                    self._fall_back(f"it ended before answering, exit code {ended.code}")
                    self._sent = False
                    return None
                if read_only and attempt == 0 and not self._aborted.is_set():
                    # A read is safe to ask again, of a new process.
                    log.info("%s: the kept-alive PowerShell ended (exit code %d); reading again",
                             self.config.display_name, ended.code)
                    self._sent = False
                    continue
                message = clixml.first_line(clixml.error_text(ended.stderr))
                raise HostError(ErrorKind.POWERSHELL,
                                "the host's PowerShell ended while it ran the request"
                                + (f": {message}" if message else f" (exit code {ended.code})"),
                                host=self.config.display_name, details=ended.stdout[-2000:]) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_loop(self, protocol: WinRMProtocol, deadline: float) -> _KeptAlive | None:
        """Start the kept-alive PowerShell in our shell (opening one when needed) and wait until it
        says it is ready. None when it cannot run on this host: :attr:`fallback` says why."""
        if self._shell_id is None:
            self._shell_id = self._open_shell(protocol)
        try:
            command_id = protocol.run_command(self._shell_id, contract.loop_command_line(), console_mode_stdin=False)
        except WSManFaultError as exc:
            if exc.wsman_fault_code != FAULT_INVALID_SELECTORS:
                raise
            log.info("%s: the host closed our idle shell; opening another", self.config.display_name)
            self._shell_id = self._open_shell(protocol)
            command_id = protocol.run_command(self._shell_id, contract.loop_command_line(), console_mode_stdin=False)
        shell_id = self._shell_id
        out: list[str] = []
        err: list[bytes] = []
        buf = b""
        ok = False
        broken = False
        try:
            while True:
                self._check_running(deadline, "the host's PowerShell did not start within")
                self._bound(protocol, deadline)
                try:
                    o, e, code, done = receive(protocol, shell_id, command_id)
                except WinRMOperationTimeoutError:
                    continue
                buf += o
                err.append(e)
                lines = buf.split(b"\n")
                buf = lines.pop()
                for raw in lines:
                    text = raw.decode("utf-8", "replace").strip()
                    if text.startswith(contract.LOOP_READY):
                        ok = True
                        self._fallback = None
                        self._loop = _KeptAlive(shell_id, command_id)
                        log.debug("%s: kept-alive PowerShell ready", self.config.display_name)
                        return self._loop
                    if text.startswith(contract.LOOP_UNAVAILABLE):
                        self._fall_back(text[len(contract.LOOP_UNAVAILABLE):].strip() or "the host said no")
                        return None
                    out.append(text)
                if done:
                    stderr = clixml.first_line(clixml.error_text(b"".join(err).decode("utf-8", "replace")))
                    self._fall_back(stderr or f"it ended at start (exit code {code})")
                    return None
        except requests.exceptions.RequestException:
            broken = True
            raise
        finally:
            self._aborted.clear()
            if broken:
                self._abandon_shell()
            elif not ok:
                # Ended, refused, timed out or stopped: release the command (a failure also
                # deletes the shell, as for any command).
                self._cleanup(protocol, shell_id, command_id, keep_shell=self._fallback is not None)

    def _fall_back(self, why: str) -> None:
        self._fallback = f"the host's kept-alive PowerShell cannot be used ({why})"
        self._fallback_at = time.monotonic()
        log.info("%s: one command per operation: %s", self.config.display_name, self._fallback)

    def _check_running(self, deadline: float, what: str) -> None:
        if self._aborted.is_set():
            raise HostError(ErrorKind.CANCELLED, "stopped", host=self.config.display_name)
        if time.monotonic() > deadline:
            raise HostError(ErrorKind.TIMEOUT, f"{what} {self.config.timeout_s:g} s; it was stopped",
                            host=self.config.display_name)

    def _send_line(self, protocol: WinRMProtocol, loop: _KeptAlive, data: bytes) -> None:
        """One request line to the kept-alive PowerShell's stdin, which stays open (in pieces
        well under MaxEnvelopeSize). Once the last piece is sent, the host may act on it."""
        for start in range(0, len(data), STDIN_CHUNK):
            last = start + STDIN_CHUNK >= len(data)
            self._sent = self._sent or last
            try:
                send_input(protocol, loop.shell_id, loop.command_id, data[start:start + STDIN_CHUNK], end=False)
            except requests.exceptions.RequestException as exc:
                if _never_connected(exc):
                    self._sent = False  # no connection: nothing left this machine
                raise

    def _await_reply(self, protocol: WinRMProtocol, loop: _KeptAlive, deadline: float) -> tuple[str, str, int]:
        """Receive until the kept-alive PowerShell ends request ``loop.seq``: ``(its output, its
        error, 0 or 1)``. Raises :class:`_LoopEnded` if the process ends first. On a deadline,
        a stop or a broken connection the process is ended (its shell deleted), as any command."""
        out: list[str] = []
        err: list[bytes] = []
        buf = b""
        finished = False
        broken = False
        try:
            while True:
                self._check_running(deadline, "no answer within")
                self._bound(protocol, deadline)
                try:
                    o, e, code, done = receive(protocol, loop.shell_id, loop.command_id)
                except WinRMOperationTimeoutError:
                    continue
                if e:
                    err.append(e)
                buf += o
                if b"\n" in buf:
                    lines = buf.split(b"\n")
                    buf = lines.pop()
                    for raw in lines:
                        text = raw.decode("utf-8", "replace").rstrip("\r")
                        if text.startswith(contract.LOOP_DONE) and contract.loop_done(text, loop.seq) is None:
                            continue  # the end of an earlier request, answered by its result line
                        stderr = b"".join(err).decode("utf-8", "replace")
                        if text.startswith((*contract.RESULT_PREFIXES, contract.PREFLIGHT_PREFIX)):
                            # An operation's last act: its answer is complete (its HVGUI-DONE line
                            # follows at once and is skipped with the next request's output).
                            finished = True
                            loop.last_used = time.monotonic()
                            return "\n".join([*out, text]), stderr, 0
                        ended = contract.loop_done(text, loop.seq)
                        if ended is None:
                            out.append(text)
                            continue
                        finished = True
                        loop.last_used = time.monotonic()
                        if ended[0]:
                            return "\n".join(out), stderr, 0
                        return "\n".join(out), ended[1] or stderr, 1
                if done:
                    finished = True
                    self._loop = None
                    self._cleanup(protocol, loop.shell_id, loop.command_id, keep_shell=True)
                    raise _LoopEnded("\n".join(out) + buf.decode("utf-8", "replace"),
                                     b"".join(err).decode("utf-8", "replace"), code)
        except requests.exceptions.RequestException:
            broken = True
            raise
        finally:
            self._aborted.clear()
            if broken:
                self._abandon_shell()  # deleted when the host answers again, which ends the process
            elif not finished:
                # Stopped or past the deadline while the request runs: end the process (and its shell).
                self._loop = None
                self._cleanup(protocol, loop.shell_id, loop.command_id, keep_shell=False)

    # ---------------------------------------------------------------- retiring it when idle
    def _schedule_retire(self, delay: float | None = None) -> None:
        """One timer per idle period, not one per request (a thread costs more than a request)."""
        if self._loop is None or self._closed:
            return
        if delay is None and self._retire_timer is not None and self._retire_timer.is_alive():
            return  # the pending one looks at the time of the last request when it fires
        timer = threading.Timer(self.idle_s if delay is None else delay, self._retire_tick)
        timer.daemon = True
        self._retire_timer = timer
        timer.start()

    def _retire_tick(self) -> None:
        if self.retire_idle():
            return
        loop = self._loop
        if loop is not None and not self._closed:
            # Used since (or busy now): look again when it will have been idle long enough.
            self._schedule_retire(max(0.05, self.idle_s - (time.monotonic() - loop.last_used)))

    def _cancel_retire(self) -> None:
        timer, self._retire_timer = self._retire_timer, None
        if timer is not None:
            timer.cancel()

    def retire_idle(self, *, force: bool = False) -> bool:
        """End the kept-alive PowerShell if it had no request for :attr:`idle_s` (or ``force``);
        the shell stays for the next operation. True if it was ended. Never waits for a running
        operation."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            loop = self._loop
            if loop is None or self._protocol is None:
                return False
            if not force and time.monotonic() - loop.last_used < self.idle_s:
                return False
            self._loop = None
            if loop.shell_id != self._shell_id:
                return False
            log.debug("%s: kept-alive PowerShell idle, ending it", self.config.display_name)
            self._cleanup(self._protocol, loop.shell_id, loop.command_id, keep_shell=True)
            return True
        finally:
            self._lock.release()

    def _lost(self, exc: HostError) -> HostError:
        return OutcomeUnknown.of(exc) if self._sent else exc

    def _open_shell(self, protocol: WinRMProtocol) -> str:
        try:
            return protocol.open_shell(codepage=65001, noprofile=True)
        except WSManFaultError as exc:
            if exc.wsman_fault_code not in QUOTA_FAULTS:
                raise
            # Shells leaked by other tools count until their idle timeout; one retry.
            log.info("%s: WinRM quota reached, retrying once", self.config.display_name)
            time.sleep(1.0)
            return protocol.open_shell(codepage=65001, noprofile=True)

    def _start(self, protocol: WinRMProtocol) -> tuple[str, str]:
        """Start the operation's command in our shell, opening one when needed. The shell is
        kept for the next operation (two fewer round trips each); if the host deleted it
        meanwhile (its IdleTimeout), open another and start again: nothing ran yet."""
        if self._shell_id is None:
            self._shell_id = self._open_shell(protocol)
        try:
            return self._shell_id, self._command(protocol)
        except WSManFaultError as exc:
            if exc.wsman_fault_code != FAULT_INVALID_SELECTORS:
                raise
            log.info("%s: the host closed our idle shell; opening another", self.config.display_name)
            self._shell_id = self._open_shell(protocol)
            return self._shell_id, self._command(protocol)

    def _command(self, protocol: WinRMProtocol) -> str:
        # stdin is a pipe, not a console (as Ansible runs its bootstrap), so PowerShell's $input
        # sees it as redirected input.
        assert self._shell_id is not None
        return protocol.run_command(self._shell_id, contract.command_line(), console_mode_stdin=False)

    def _run(self, stdin: bytes) -> tuple[str, str, int]:
        if self._aborted.is_set():  # aborted (or closed) before this run started
            self._aborted.clear()
            raise HostError(ErrorKind.CANCELLED, "stopped", host=self.config.display_name)
        deadline = time.monotonic() + self.config.timeout_s
        if self._password_changed():
            log.info("%s: new password: logging on again", self.config.display_name)
            self._drop_connection()
        protocol = self._connect()
        self._sweep(protocol, deadline)
        self._bound(protocol, deadline)
        shell_id, command_id = self._start(protocol)
        ok = False
        broken = False
        try:
            for start in range(0, len(stdin), STDIN_CHUNK):
                chunk = stdin[start:start + STDIN_CHUNK]
                last = start + STDIN_CHUNK >= len(stdin)
                # The operation waits for the end of stdin: until the last piece is sent, the host
                # cannot have done anything; from the moment it is, it may have.
                self._sent = self._sent or last
                send_input(protocol, shell_id, command_id, chunk, end=last)
            out: list[bytes] = []
            err: list[bytes] = []
            while True:
                if self._aborted.is_set():
                    raise HostError(ErrorKind.CANCELLED, "stopped", host=self.config.display_name)
                if time.monotonic() > deadline:
                    raise HostError(ErrorKind.TIMEOUT,
                                    f"no answer within {self.config.timeout_s:g} s; the command was stopped",
                                    host=self.config.display_name)
                self._bound(protocol, deadline)
                try:
                    o, e, code, done = receive(protocol, shell_id, command_id)
                except WinRMOperationTimeoutError:
                    continue
                out.append(o)
                err.append(e)
                if done:
                    ok = True
                    return (b"".join(out).decode("utf-8", "replace"), b"".join(err).decode("utf-8", "replace"),
                            code)
        except requests.exceptions.RequestException:
            broken = True  # the connection is gone: no Signal/Delete on it
            raise
        finally:
            self._aborted.clear()
            if not broken:
                self._cleanup(protocol, shell_id, command_id, keep_shell=ok)
            else:
                self._abandon_shell()  # deleted when the host answers again

    def _bound(self, protocol: WinRMProtocol, deadline: float) -> None:
        """No single request may outlive the command's deadline by much."""
        left = max(1, int(deadline - time.monotonic()) + 1)
        protocol.operation_timeout_sec = min(self.operation_timeout_s, left)
        protocol.transport.read_timeout_sec = protocol.operation_timeout_sec + 5

    def _short_bound(self, protocol: WinRMProtocol, deadline: float | None = None) -> None:
        """Cleanup requests (terminate, delete) get a short goodbye: a failing host must not hold
        the next operation (or closing) for long."""
        end = time.monotonic() + GOODBYE_TIMEOUT_S
        left = max(1, int((end if deadline is None else min(deadline, end)) - time.monotonic()))
        protocol.operation_timeout_sec = min(self.operation_timeout_s, left)
        protocol.transport.read_timeout_sec = protocol.operation_timeout_sec + GOODBYE_TIMEOUT_S

    def _cleanup(self, protocol: WinRMProtocol, shell_id: str, command_id: str, *, keep_shell: bool) -> None:
        """Signal terminate (releases the command on the host, as Ansible and pypsrp do); after
        a failure also delete the shell, so a wedged one is never reused."""
        if not keep_shell:
            self._short_bound(protocol)  # a failing host gets a short goodbye
        try:
            protocol.cleanup_command(shell_id, command_id)
        except WSManFaultError as exc:
            log.debug("terminate refused on %s: %s", self.config.display_name, exc.wsman_fault_code)
            keep_shell = False
        except Exception as exc:
            # The connection broke (with NTLM sealing it cannot go on): the shell is deleted
            # when the host answers again, on a new connection.
            log.debug("terminate failed on %s: %s", self.config.display_name, type(exc).__name__)
            self._drop_connection()
            return
        if keep_shell:
            return
        self._shell_id = None
        try:
            gone = self._delete_shell(protocol, shell_id)
        except Exception as exc:
            log.debug("close_shell failed on %s: %s", self.config.display_name, type(exc).__name__)
            self._remember(shell_id)
            self._drop_connection()
            return
        if not gone:
            self._remember(shell_id)  # deleted when the host answers again

    # ---------------------------------------------------------------- errors
    def _translate(self, exc: BaseException) -> HostError:
        host = self.config.display_name
        if isinstance(exc, InvalidCredentialsError):
            if self.config.single_sign_on:
                return HostError(ErrorKind.WRONG_CREDENTIALS,
                                 "the host refused your current Windows logon (single sign-on with "
                                 f"{self.config.auth.value}); give a user name and password for it", host=host)
            return HostError(ErrorKind.WRONG_CREDENTIALS,
                             f"the host refused the login of {self.config.username!r} "
                             f"({self.config.auth.value}); check the user name and password", host=host)
        if _is_spnego_error(exc):
            if self.config.single_sign_on:
                return HostError(ErrorKind.WRONG_CREDENTIALS,
                                 "single sign-on is not possible from here: no Windows domain logon or Kerberos "
                                 "ticket for this host (on Windows: log on with a domain account; elsewhere: "
                                 "kinit). Give a user name and password for it instead",
                                 host=host, details=str(exc))
            return HostError(ErrorKind.WRONG_CREDENTIALS,
                             f"the {self.config.auth.value} logon of {self.config.username!r} failed before the "
                             "host could check it; check the user name (DOMAIN\\user or user@domain)",
                             host=host, details=str(exc))
        if isinstance(exc, trust.TrustConfigError):
            return HostError(ErrorKind.CONFIG, str(exc), host=host)
        if isinstance(exc, WSManFaultError):
            code = exc.wsman_fault_code
            reason = (exc.reason or "").strip()
            if code == FAULT_ACCESS_DENIED:
                return HostError(ErrorKind.ACCESS_DENIED,
                                 f"{self.config.username!r} logged in but is not allowed to run commands: "
                                 "WinRM needs a member of the host's Administrators group", host=host)
            if code in QUOTA_FAULTS:
                return HostError(ErrorKind.QUOTA, reason or "too many WinRM shells for this user", host=host)
            return HostError(ErrorKind.PROTOCOL, f"{reason} (WS-Management fault {code})", host=host)
        if isinstance(exc, requests.exceptions.SSLError):
            return tls_error(self.config, str(exc))
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return HostError(ErrorKind.UNREACHABLE,
                             f"no answer on port {self.config.port}: is the host up and the port open in its "
                             f"firewall? ({listener_fix(self.config.is_https, self.config.port)})", host=host)
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return HostError(ErrorKind.UNREACHABLE, "the host dropped the connection in the middle of an answer",
                             host=host)
        if isinstance(exc, requests.exceptions.Timeout):
            return HostError(ErrorKind.TIMEOUT, "the host stopped answering", host=host)
        if isinstance(exc, requests.exceptions.ConnectionError):
            text = str(exc)
            if any(s in text for s in ("NameResolutionError", "Name or service not known", "getaddrinfo failed",
                                       "nodename nor servname", "No address associated")):
                return HostError(ErrorKind.NAME_NOT_RESOLVED,
                                 f"{urlsplit(self.config.url).hostname!r} could not be resolved (DNS)", host=host)
            if "refused" in text.lower():
                return HostError(ErrorKind.UNREACHABLE,
                                 f"connection refused on port {self.config.port}: no WinRM "
                                 f"{'HTTPS' if self.config.is_https else 'HTTP'} listener there "
                                 f"({listener_fix(self.config.is_https, self.config.port)})", host=host)
            return HostError(ErrorKind.UNREACHABLE, "the connection failed or was dropped by the host", host=host)
        if isinstance(exc, WinRMTransportError):
            if exc.code == 401:
                return self._translate(InvalidCredentialsError(str(exc)))
            return HostError(ErrorKind.PROTOCOL, f"HTTP {exc.code} from the host", host=host)
        if isinstance(exc, WinRMError):
            return HostError(ErrorKind.PROTOCOL, str(exc), host=host)
        return HostError(ErrorKind.PROTOCOL, f"{type(exc).__name__}: {exc}", host=host)


_RSP = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
    'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" '
    f'xmlns:rsp="{_RSP}"><env:Header>'
    "<a:To>{to}</a:To><a:ReplyTo><a:Address mustUnderstand=\"true\">"
    "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
    '<w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize>'
    "<a:MessageID>uuid:{message_id}</a:MessageID>"
    '<w:Locale mustUnderstand="false" xml:lang="en-US"></w:Locale>'
    '<p:DataLocale mustUnderstand="false" xml:lang="en-US"></p:DataLocale>'
    "<w:OperationTimeout>PT{timeout}S</w:OperationTimeout>"
    '<w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>'
    '<a:Action mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/{action}</a:Action>'
    '<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
    "</env:Header><env:Body>{body}</env:Body></env:Envelope>"
)
# Element names as expat gives them with namespace_separator="}" (ElementTree's, without its "{").
_STREAM = _RSP + "}Stream"
_STATE = _RSP + "}CommandState"
_EXIT_CODE = _RSP + "}ExitCode"


def _envelope(protocol: WinRMProtocol, action: str, shell_id: str, body: str) -> str:
    """The WS-Management request pywinrm would build for this, without building it through
    xmltodict (which cost the client more than the rest of a request)."""
    return _ENVELOPE.format(to="http://windows-host:5985/wsman", message_id=uuid.uuid4(),
                            timeout=int(protocol.operation_timeout_sec), action=action,
                            shell_id=xml_escape(shell_id), body=body)


def send_input(protocol: WinRMProtocol, shell_id: str, command_id: str, data: bytes, *, end: bool) -> None:
    """WinRS Send of ``data`` to the command's stdin (``end``: and close it), as pywinrm's
    ``send_command_input`` does."""
    body = (f'<rsp:Send><rsp:Stream Name="stdin" CommandId={xml_quote(command_id)} '
            f'End="{"true" if end else "false"}">{base64.b64encode(data).decode("ascii")}</rsp:Stream></rsp:Send>')
    protocol.send_message(_envelope(protocol, "Send", shell_id, body))


class _ReceiveResponse:
    """The parts of a WinRS ReceiveResponse we read, gathered by expat directly: building an
    ElementTree of it costs twice as much, almost all of it spent joining the stdout text."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.code = -1
        self.done = False
        self._text: list[str] | None = None
        self._stdout = False

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _STREAM:
            self._text, self._stdout = [], attrs.get("Name") == "stdout"
        elif name == _EXIT_CODE:
            self._text = []
        elif name == _STATE:
            self.done = attrs.get("State", "").endswith("CommandState/Done")

    def _data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def _end(self, name: str) -> None:
        if self._text is None:
            return
        text, self._text = "".join(self._text), None
        if name == _STREAM:
            if text:
                (self.out if self._stdout else self.err).append(base64.b64decode(text))
        elif name == _EXIT_CODE and text:
            self.code = int(text)

    def parse(self, xml: bytes) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = max(len(xml), 8192)  # the stdout text comes in one piece
        parser.StartElementHandler = self._start
        parser.CharacterDataHandler = self._data
        parser.EndElementHandler = self._end
        try:
            parser.Parse(xml, True)
        except expat.ExpatError as exc:  # as ElementTree says it
            raise ET.ParseError(str(exc)) from None


def receive(protocol: WinRMProtocol, shell_id: str, command_id: str) -> tuple[bytes, bytes, int, bool]:
    """WinRS Receive: ``(stdout, stderr, exit code, done)``, as pywinrm's ``get_command_output_raw``
    (raises :class:`WinRMOperationTimeoutError` when nothing came within the OperationTimeout)."""
    body = (f"<rsp:Receive><rsp:DesiredStream CommandId={xml_quote(command_id)}>stdout stderr"
            "</rsp:DesiredStream></rsp:Receive>")
    answer = _ReceiveResponse()
    answer.parse(protocol.send_message(_envelope(protocol, "Receive", shell_id, body)))
    return b"".join(answer.out), b"".join(answer.err), answer.code, answer.done


def _never_connected(exc: requests.exceptions.RequestException) -> bool:
    """The request failed to open a connection (refused, unreachable, connect timeout): it never
    reached the host."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.exceptions.ConnectionError) and isinstance(reason, NewConnectionError)


def _is_spnego_error(exc: BaseException) -> bool:
    try:
        from spnego.exceptions import SpnegoError
    except ImportError:  # pragma: no cover - pyspnego is a dependency
        return False
    return isinstance(exc, SpnegoError)


def tls_error(config: HostConfig, raw: str = "") -> HostError:
    """Why the host's certificate was refused, from a fresh handshake: not trusted (with the
    presented chain's fingerprint and the reason), or a pinned certificate that CHANGED."""
    host = config.display_name
    try:
        found = trust.check(config, timeout=5.0)
    except (OSError, trust.TrustConfigError) as exc:
        return HostError(ErrorKind.TLS_UNTRUSTED, f"the TLS connection failed: {exc}", host=host, details=raw)
    leaf = found.chain[0] if found.chain else None
    fingerprint = leaf.sha256 if leaf else None
    chain = "\n\n".join("\n".join(c.lines()) for c in found.chain)
    if found.changed:
        pin = normalize_fingerprint(config.cert_pin)
        return HostError(ErrorKind.CERT_CHANGED,
                         f"WARNING: the certificate of {host} has CHANGED since you trusted it. It now presents "
                         f"SHA-256 {fingerprint}; you trusted {pin}. Someone may be intercepting the connection, "
                         "or the host got a new certificate. Nothing was sent. Ask the host's administrator which "
                         "certificate its WinRM listener uses; if it is the new one, accept it (Review the new "
                         "certificate... in the window, or hvgui-cli hosts trust NAME)",
                         host=host, fingerprint=fingerprint, details=chain)
    if found.trusted:  # trusted now: it was a passing failure
        return HostError(ErrorKind.TLS_UNTRUSTED, f"the TLS connection failed: {raw}", host=host,
                         fingerprint=fingerprint, details=chain)
    return HostError(ErrorKind.TLS_UNTRUSTED,
                     f"{found.problem}"
                     + (f" (SHA-256 {fingerprint})" if fingerprint else "")
                     + ". Trust the issuing CA (the company's CA in Windows' store, or a CA file in the host's "
                     "settings), or this host's certificate after comparing its fingerprint with the one on the host",
                     host=host, fingerprint=fingerprint, details=chain)


CREATE_NO_WINDOW = 0x08000000
"""Windows' process creation flag (``subprocess.CREATE_NO_WINDOW``): a console program started
from the windowed hvgui gets no console window, so none flashes on screen at every refresh."""


def popen_flags(platform: str = sys.platform) -> int:
    """``creationflags`` for powershell.exe: no console window on Windows (0 elsewhere, where
    Popen refuses any other value)."""
    return CREATE_NO_WINDOW if platform == "win32" else 0


class LocalSession:
    """powershell.exe on this (Windows) machine, no WinRM: same operation, same framing."""

    def __init__(self, config: HostConfig) -> None:
        self.config = config
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def executable() -> str:
        """Windows PowerShell by full path: a bare name would also search the current folder."""
        root = os.environ.get("SYSTEMROOT")  # Windows environment names are case-insensitive
        if root:
            return os.path.join(root, "System32", "WindowsPowerShell", "v1.0", "powershell.exe")
        return contract.POWERSHELL_EXE  # not Windows: whatever PATH offers (tests)

    fallback: str | None = None
    """A local powershell.exe runs one process per operation."""

    def run_operation(self, script: str, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._run(script, request)

    def _run(self, script: str, request: dict[str, Any]) -> dict[str, Any]:
        stdin = contract.stdin_for(script, request).encode("ascii")
        args = [self.executable(), *contract.POWERSHELL_ARGS, "-EncodedCommand",
                contract.encode_powershell(contract.BOOTSTRAP)]
        try:
            self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, creationflags=popen_flags())
        except OSError as exc:
            raise HostError(ErrorKind.UNREACHABLE, f"cannot start powershell.exe: {exc}",
                            host=self.config.display_name) from exc
        # From here on the request is on its way: a failure leaves its outcome unknown.
        try:
            out, err = self._proc.communicate(stdin, timeout=self.config.timeout_s)
        except subprocess.TimeoutExpired as exc:
            self._proc.kill()
            self._proc.communicate()
            raise OutcomeUnknown(ErrorKind.TIMEOUT, f"no answer within {self.config.timeout_s:g} s",
                                 host=self.config.display_name) from exc
        except OSError as exc:
            self._proc.kill()
            raise OutcomeUnknown(ErrorKind.UNREACHABLE, f"powershell.exe failed: {exc}",
                                 host=self.config.display_name) from exc
        code = self._proc.returncode
        self._proc = None
        # The bootstrap switches the console's output encoding to UTF-8.
        return interpret_sent_output(self.config, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                                     code)

    def close(self) -> None:
        self.abort()

    def abort(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
