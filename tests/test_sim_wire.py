"""The simulator's WinRM wire, driven by the real, unmodified clients (pywinrm, pypsrp) over loopback.

The host behind the wire is a small test-only :class:`CmdHost` so these tests do not depend on
the Hyper-V behaviour; they exercise shells, commands, streams, code pages, auth, encryption,
TLS and the wire faults.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import ssl
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import requests
import winrm
from pypsrp.client import Client
from pypsrp.exceptions import AuthenticationError
from pypsrp.exceptions import WSManFaultError as PsrpFaultError
from pypsrp.shell import Process, SignalCode, WinRS
from pypsrp.wsman import WSMan
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from hvgui.simulator.faults import Faults
from hvgui.simulator.interfaces import CommandContext, Login
from hvgui.simulator.server import HostEndpoint, SimulatorFleet
from hvgui.simulator.tls import fingerprint
from tests.conftest import StartEndpoint

USER = "admin"
PASSWORD = "S3cret:pa$$ word"  # a ':' and a space: Basic and the NTLM user file must cope


class CmdHost:
    """A few cmd-style commands, enough to exercise the wire."""

    def __init__(self, name: str = "hv-test", logins: list[Login] | None = None) -> None:
        self.name = name
        self.logins = logins if logins is not None else [Login(USER, PASSWORD)]
        self.faults = Faults()
        self.command_lines: list[str] = []

    def run_command(self, ctx: CommandContext) -> int:
        self.command_lines.append(ctx.command_line)
        cmd, _, arg = ctx.command_line.partition(" ")
        ctx.count_operation(cmd)
        if cmd == "echo":
            ctx.write_stdout(arg + "\r\n")
            return 0
        if cmd == "big":  # arg bytes of output, written in 10 kB pieces
            n = int(arg)
            for i in range(0, n, 10_000):
                ctx.write_stdout("".join(chr(65 + (j % 26)) for j in range(i, min(n, i + 10_000))))
            return 0
        if cmd == "cat":
            data = ctx.read_stdin(10)
            if data is None:
                ctx.write_stderr("no stdin\r\n")
                return 2
            ctx.write_stdout(data.decode("cp437"))
            return 0
        if cmd == "names":
            ctx.write_stdout("虚拟机 é\r\n")
            return 0
        if cmd == "exit":
            ctx.write_stderr("failing on purpose\r\n")
            return int(arg)
        if cmd == "boom":
            raise RuntimeError("behaviour bug")
        if cmd == "whoami":
            ctx.write_stdout(ctx.user)
            return 0
        ctx.write_stderr(f"'{cmd}' is not recognized as an internal or external command.\r\n")
        return 1


def _protocol(ep: HostEndpoint, transport: str = "basic", **kwargs: Any) -> winrm.Protocol:
    options: dict[str, Any] = {"username": USER, "password": PASSWORD, "proxy": None}
    options.update(kwargs)
    return winrm.Protocol(ep.url, transport=transport, **options)


@contextmanager
def _session(ep: HostEndpoint, transport: str = "basic", **kwargs: Any) -> Iterator[winrm.Protocol]:
    p = _protocol(ep, transport, **kwargs)
    try:
        yield p
    finally:
        p.transport.close_session()


def _run(p: winrm.Protocol, command: str, codepage: int = 437) -> tuple[bytes, bytes, int]:
    shell = p.open_shell(codepage=codepage)
    try:
        cid = p.run_command(shell, command)
        out, err, rc = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)
        return out, err, rc
    finally:
        p.close_shell(shell, close_session=False)


def _stats(ep: HostEndpoint) -> dict[str, Any]:
    with urllib.request.urlopen(ep.url.replace("/wsman", "/_sim/stats"), timeout=5, context=_trust(ep)) as r:
        data: dict[str, Any] = json.load(r)
        return data


def _trust(ep: HostEndpoint) -> ssl.SSLContext | None:
    return ssl.create_default_context(cafile=ep.cert_path) if ep.cert_path else None


@pytest.fixture
def host() -> CmdHost:
    return CmdHost()


@pytest.fixture
def ep(start_endpoint: StartEndpoint, host: CmdHost) -> HostEndpoint:
    return start_endpoint(host)


# --- pywinrm, Basic


def test_basic_over_http_runs_commands(ep: HostEndpoint, host: CmdHost) -> None:
    with _session(ep) as p:
        shell = p.open_shell()
        cid = p.run_command(shell, "echo", ["hello", "world"])
        out, err, rc = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)
        p.close_shell(shell, close_session=False)
        assert (out, err, rc) == (b"hello world\r\n", b"", 0)
        assert host.command_lines == ["echo hello world"]

        out, err, rc = _run(p, "exit 3")
        assert (out, err, rc) == (b"", b"failing on purpose\r\n", 3)
    stats = ep.stats.as_json()
    assert stats["shells_created"] == 2 and stats["shells_deleted"] == 2 and stats["shells_open"] == 0
    assert stats["commands"] == 2
    assert stats["operations"] == {"echo": 1, "exit": 1}
    assert stats["encrypted_requests"] == 0


def test_behaviour_exception_ends_command_with_stderr_and_rc_1(ep: HostEndpoint) -> None:
    with _session(ep) as p:
        _out, err, rc = _run(p, "boom")
        assert rc == 1 and b"behaviour bug" in err
        assert _run(p, "echo still alive")[0] == b"still alive\r\n"


def test_wrong_password_is_invalid_credentials(ep: HostEndpoint) -> None:
    with _session(ep, password="wrong") as p, pytest.raises(InvalidCredentialsError):
        p.open_shell()
    with _session(ep, transport="ntlm", password="wrong") as p, pytest.raises(InvalidCredentialsError):
        p.open_shell()
    with _session(ep, username="nobody") as p, pytest.raises(InvalidCredentialsError):
        p.open_shell()


def test_wrong_credentials_fault_refuses_every_login(ep: HostEndpoint, host: CmdHost) -> None:
    host.faults.wrong_credentials = True
    with _session(ep) as p, pytest.raises(InvalidCredentialsError):
        p.open_shell()
    with _session(ep, transport="ntlm") as p, pytest.raises(InvalidCredentialsError):
        p.open_shell()
    host.faults.wrong_credentials = False
    with _session(ep) as p:
        assert _run(p, "echo ok")[2] == 0


def test_non_admin_gets_access_denied_fault_5(start_endpoint: StartEndpoint) -> None:
    host = CmdHost(logins=[Login(USER, PASSWORD), Login("operator", "pw-operator", admin=False)])
    ep = start_endpoint(host)
    for transport in ("basic", "ntlm"):
        with _session(ep, transport, username="operator", password="pw-operator") as p:
            with pytest.raises(WSManFaultError) as info:
                p.open_shell()
            assert info.value.wsman_fault_code == 5
            assert info.value.code == 500
            assert "Access is denied" in info.value.reason
    host.faults.access_denied = True
    with _session(ep) as p, pytest.raises(WSManFaultError) as info:
        p.open_shell()
    assert info.value.wsman_fault_code == 5
    assert ep.stats.shells_created == 0


def test_unknown_shell_and_command_ids_are_invalid_selectors(ep: HostEndpoint) -> None:
    with _session(ep) as p:
        with pytest.raises(WSManFaultError) as info:
            p.run_command(str(uuid.uuid4()).upper(), "echo x")
        assert info.value.wsman_fault_code == 2150858843
        assert info.value.fault_subcode == "w:InvalidSelectors"
        shell = p.open_shell()
        with pytest.raises(WSManFaultError) as info:
            p.get_command_output_raw(shell, str(uuid.uuid4()).upper())
        assert info.value.wsman_fault_code == 2150858843
        p.close_shell(shell, close_session=False)
        with pytest.raises(WSManFaultError) as info:
            p.close_shell(shell, close_session=False)
        assert info.value.wsman_fault_code == 2150858843


def test_malformed_xml_is_a_soap_fault_and_the_server_keeps_serving(ep: HostEndpoint) -> None:
    auth = (USER, PASSWORD)
    for body in (b"<not xml", b"<a/>", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>'):
        r = requests.post(ep.url, data=body, auth=auth, timeout=5, headers={"Content-Type": "application/soap+xml"})
        assert r.status_code == 500
        assert b"WSManFault" in r.content and b"s:Fault" in r.content
    with _session(ep) as p:
        assert _run(p, "echo fine")[0] == b"fine\r\n"


def test_output_bigger_than_an_envelope_comes_in_several_receives(ep: HostEndpoint) -> None:
    size = 600_000
    with _session(ep) as p:
        shell = p.open_shell()
        cid = p.run_command(shell, f"big {size}")
        chunks: list[bytes] = []
        done = False
        deadline = time.monotonic() + 20
        while not done and time.monotonic() < deadline:
            out, _err, rc, done = p.get_command_output_raw(shell, cid)
            if out:
                chunks.append(out)
        assert done and rc == 0
        data = b"".join(chunks)
        assert len(data) == size
        assert data == "".join(chr(65 + (j % 26)) for j in range(size)).encode()
        # 153600-byte envelopes: base64 inflates by 4/3, so at most ~113 kB of output per Receive
        assert len(chunks) >= 6
        assert max(len(c) for c in chunks) * 4 // 3 < 153600
        p.cleanup_command(shell, cid)
        p.close_shell(shell, close_session=False)


def test_stdin_via_send_command_input(ep: HostEndpoint) -> None:
    with _session(ep) as p:
        shell = p.open_shell()
        cid = p.run_command(shell, "cat")
        p.send_command_input(shell, cid, "first part, ")
        p.send_command_input(shell, cid, b"second part", end=True)
        out, err, rc = p.get_command_output(shell, cid)
        assert (out, err, rc) == (b"first part, second part", b"", 0)
        p.cleanup_command(shell, cid)
        p.close_shell(shell, close_session=False)


def test_codepages_437_replaces_and_65001_is_utf8(ep: HostEndpoint) -> None:
    with _session(ep) as p:
        assert _run(p, "names", codepage=437)[0] == "??? é\r\n".encode("cp437")
        assert _run(p, "names", codepage=65001)[0] == "虚拟机 é\r\n".encode()


def test_hung_command_times_out_then_signal_and_close_work(ep: HostEndpoint, host: CmdHost) -> None:
    host.faults.hang_commands = True
    with _session(ep, operation_timeout_sec=1, read_timeout_sec=5) as p:
        shell = p.open_shell()
        cid = p.run_command(shell, "echo never")
        started = time.monotonic()
        with pytest.raises(WinRMOperationTimeoutError):  # pywinrm's name for WSManFault 2150858793
            p.get_command_output_raw(shell, cid)
        assert 0.9 <= time.monotonic() - started < 4
        p.cleanup_command(shell, cid)  # Signal terminate: asserts RelatesTo
        p.close_shell(shell, close_session=False)
    assert ep.stats.shells_open == 0
    assert host.command_lines == []  # the behaviour was never called


def test_hung_command_pypsrp_sees_fault_2150858793_and_ctrl_c_ends_it(ep: HostEndpoint, host: CmdHost) -> None:
    host.faults.hang_commands = True
    with (
        WSMan(
            "127.0.0.1",
            port=ep.port,
            username=USER,
            password=PASSWORD,
            ssl=False,
            auth="basic",
            encryption="never",
            no_proxy=True,
        ) as wsman,
        WinRS(wsman) as shell,
    ):
        process = Process(shell, "echo", ["never"])
        process.begin_invoke()
        with pytest.raises(PsrpFaultError) as info:
            shell.receive("stdout stderr", process.id, timeout=1)
        assert info.value.code == 2150858793
        process.signal(SignalCode.CTRL_C)
        state, rc, _buffers = shell.receive("stdout stderr", process.id, timeout=5)
        assert state.endswith("/Done") and rc == -1073741510
        process.signal(SignalCode.TERMINATE)  # ".../signal/Terminate": any case
        with pytest.raises(PsrpFaultError) as info:
            shell.receive("stdout stderr", process.id, timeout=1)
        assert info.value.code == 2150858843


def test_shell_quota_and_stats_endpoint(ep: HostEndpoint) -> None:
    with _session(ep) as p:
        ep.host.faults.max_shells_per_user = 30  # as Group Policy sets it on some hosts
        shells = [p.open_shell() for _ in range(30)]
        with pytest.raises(WSManFaultError) as info:
            p.open_shell()
        assert info.value.wsman_fault_code == 2150859173
        assert "maximum number of 30 concurrent shells" in info.value.reason
        assert _stats(ep)["shells_open"] == 30
        for shell in shells[:5]:
            p.close_shell(shell, close_session=False)
        stats = _stats(ep)
        assert stats["shells_open"] == 25 and stats["shells_deleted"] == 5
        p.close_shell(p.open_shell(), close_session=False)


def test_idle_shells_are_deleted(ep: HostEndpoint, host: CmdHost) -> None:
    host.faults.idle_timeout_s = 0.3
    with _session(ep) as p:
        shell = p.open_shell()
        assert ep.stats.shells_open == 1
        deadline = time.monotonic() + 5
        while ep.stats.shells_open and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ep.stats.shells_open == 0
        with pytest.raises(WSManFaultError) as info:
            p.run_command(shell, "echo late")
        assert info.value.wsman_fault_code == 2150858843


# --- NTLM and message encryption


class _Relay:
    """A TCP relay that records every byte between client and server."""

    def __init__(self, port: int) -> None:
        self.server_port = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.to_server = bytearray()
        self.to_client = bytearray()
        self.threads: list[threading.Thread] = []
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.server_port))
            self.sockets += [client, upstream]
            for src, dst, log in ((client, upstream, self.to_server), (upstream, client, self.to_client)):
                t = threading.Thread(target=self._pump, args=(src, dst, log), daemon=True)
                t.start()
                self.threads.append(t)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, log: bytearray) -> None:
        try:
            while data := src.recv(65536):
                log += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for s in self.sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        for t in self.threads:
            t.join(5)
        self.thread.join(5)


def test_ntlm_over_http_encrypts_requests_and_responses(ep: HostEndpoint) -> None:
    relay = _Relay(ep.port)
    try:
        url = f"http://127.0.0.1:{relay.port}/wsman"
        p = winrm.Protocol(
            url, transport="ntlm", username=USER, password=PASSWORD, proxy=None, message_encryption="always"
        )
        try:
            out, err, rc = _run(p, "echo plaintext-marker-1234")
        finally:
            p.transport.close_session()
    finally:
        relay.close()
    assert (out, err, rc) == (b"plaintext-marker-1234\r\n", b"", 0)
    assert b"multipart/encrypted" in relay.to_server and b"multipart/encrypted" in relay.to_client
    for needle in (b"plaintext-marker", base64.b64encode(b"plaintext-marker-1234"), b"Envelope", b"ShellId"):
        assert needle not in relay.to_server
        assert needle not in relay.to_client
    stats = ep.stats.as_json()
    # 3 handshake legs (blank POST, NEGOTIATE, AUTHENTICATE), then only encrypted SOAP requests
    assert stats["encrypted_requests"] == stats["requests"] - 3 >= 5
    assert stats["auth_handshakes"] == 1


def test_ntlm_reuses_one_connection_and_one_handshake(ep: HostEndpoint) -> None:
    with _session(ep, transport="ntlm") as p:
        for i in range(4):
            assert _run(p, f"echo {i}")[0] == f"{i}\r\n".encode()
        assert _run(p, "whoami")[0] == USER.encode()
    stats = ep.stats.as_json()
    assert stats["connections"] == 1
    assert stats["auth_handshakes"] == 1
    assert stats["encrypted_requests"] == stats["requests"] - 3


def test_ntlm_domain_login(start_endpoint: StartEndpoint) -> None:
    host = CmdHost(logins=[Login("LAB\\hvadmin", "Dom-pw-1")])
    ep = start_endpoint(host)
    with _session(ep, transport="ntlm", username="lab\\HVADMIN", password="Dom-pw-1") as p:
        assert _run(p, "whoami")[0] == b"LAB\\hvadmin"
    with (
        _session(ep, transport="ntlm", username="hvadmin", password="Dom-pw-1") as p,
        pytest.raises(InvalidCredentialsError),
    ):
        p.open_shell()


def test_ntlm_login_of_another_host_is_refused(start_endpoint: StartEndpoint) -> None:
    ep_a = start_endpoint(CmdHost("hv-a", [Login("alice", "pw-alice")]))
    ep_b = start_endpoint(CmdHost("hv-b", [Login("bob", "pw-bob")]))
    with _session(ep_a, transport="ntlm", username="alice", password="pw-alice") as p:
        assert _run(p, "echo a")[2] == 0
    # bob is in the process-wide NTLM user file, but not a login of hv-a
    with (
        _session(ep_a, transport="ntlm", username="bob", password="pw-bob") as p,
        pytest.raises(InvalidCredentialsError),
    ):
        p.open_shell()
    with _session(ep_b, transport="ntlm", username="bob", password="pw-bob") as p:
        assert _run(p, "echo b")[2] == 0


def test_ntlm_same_user_with_different_passwords_on_two_hosts(start_endpoint: StartEndpoint) -> None:
    ep_a = start_endpoint(CmdHost("hv-a", [Login("labadmin", "pw-on-a")]))
    ep_b = start_endpoint(CmdHost("hv-b", [Login("labadmin", "pw-on-b")]))
    for ep, good, bad in ((ep_a, "pw-on-a", "pw-on-b"), (ep_b, "pw-on-b", "pw-on-a")):
        with _session(ep, transport="ntlm", username="labadmin", password=good) as p:
            assert _run(p, "echo ok")[2] == 0
        with (
            _session(ep, transport="ntlm", username="labadmin", password=bad) as p,
            pytest.raises(InvalidCredentialsError),
        ):
            p.open_shell()


def test_logins_changed_at_run_time_apply_to_ntlm(ep: HostEndpoint, host: CmdHost) -> None:
    host.logins.append(Login("latecomer", "late-pw"))
    with _session(ep, transport="ntlm", username="latecomer", password="late-pw") as p:
        assert _run(p, "whoami")[0] == b"latecomer"


# --- pypsrp


def test_pypsrp_execute_cmd_basic_and_ntlm(ep: HostEndpoint) -> None:
    common: dict[str, Any] = {"port": ep.port, "username": USER, "password": PASSWORD, "ssl": False, "no_proxy": True}
    with Client("127.0.0.1", auth="basic", encryption="never", **common) as client:
        assert client.execute_cmd("echo from pypsrp") == ("from pypsrp\r\n", "", 0)
        assert client.execute_cmd("exit 3") == ("", "failing on purpose\r\n", 3)
    before = ep.stats.encrypted_requests
    with Client("127.0.0.1", auth="ntlm", **common) as client:
        assert client.execute_cmd("echo over ntlm") == ("over ntlm\r\n", "", 0)
    assert ep.stats.encrypted_requests - before >= 5
    with (
        Client("127.0.0.1", auth="ntlm", **{**common, "password": "nope"}) as client,
        pytest.raises(AuthenticationError),
    ):
        client.execute_cmd("echo x")


# --- HTTPS


def test_https_basic_validates_with_ca_trust_path(start_endpoint: StartEndpoint, host: CmdHost) -> None:
    ep = start_endpoint(host, https=True)
    assert ep.url.startswith("https://127.0.0.1:")
    assert ep.cert_path is not None and ep.fingerprint is not None
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", ep.port)))
    assert ep.fingerprint == ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert fingerprint(Path(ep.cert_path)) == ep.fingerprint

    with _session(ep, "ssl", ca_trust_path=ep.cert_path) as p:
        assert _run(p, "echo over tls")[0] == b"over tls\r\n"
    with _session(ep, "ssl", ca_trust_path=None) as p, pytest.raises(requests.exceptions.SSLError):
        p.open_shell()
    with _session(ep, "ntlm", ca_trust_path=ep.cert_path) as p:  # NTLM over TLS: no message encryption
        assert _run(p, "echo ntlm over tls")[0] == b"ntlm over tls\r\n"
    assert ep.stats.encrypted_requests == 0
    assert _stats(ep)["shells_open"] == 0


# --- wire faults


def test_refuse_connections_then_reachable_again_on_the_same_port(ep: HostEndpoint, host: CmdHost) -> None:
    port = ep.port
    host.faults.refuse_connections = True
    assert ep.wait_listening(False)
    with _session(ep) as p, pytest.raises(requests.exceptions.ConnectionError) as info:
        p.open_shell()
    assert "refused" in str(info.value).lower()
    host.faults.refuse_connections = False
    assert ep.wait_listening(True)
    assert ep.port == port
    with _session(ep) as p:
        assert _run(p, "echo back")[0] == b"back\r\n"


def test_drop_mid_response_is_a_client_error_not_a_hang(ep: HostEndpoint, host: CmdHost) -> None:
    with _session(ep, operation_timeout_sec=2, read_timeout_sec=10) as p:
        shell = p.open_shell()
        host.faults.drop_mid_response = True
        cid = p.run_command(shell, "big 50000")
        started = time.monotonic()
        with pytest.raises(requests.exceptions.RequestException) as info:
            for _ in range(50):  # bounded: without the fault this ends (Done) and pytest.raises fails
                p.get_command_output_raw(shell, cid)
        assert not isinstance(info.value, requests.exceptions.Timeout)
        assert time.monotonic() - started < 5
        host.faults.drop_mid_response = False
        p.cleanup_command(shell, cid)
        p.close_shell(shell, close_session=False)


def test_command_latency_is_applied_and_interruptible(ep: HostEndpoint, host: CmdHost) -> None:
    host.faults.command_latency_s = 0.4
    with _session(ep) as p:
        started = time.monotonic()
        assert _run(p, "echo slow")[0] == b"slow\r\n"
        assert time.monotonic() - started >= 0.4
        host.faults.command_latency_s = 30
        shell = p.open_shell()
        p.run_command(shell, "echo never")
        started = time.monotonic()
        p.close_shell(shell, close_session=False)  # Delete cancels the command
    assert time.monotonic() - started < 5
    assert host.command_lines == ["echo slow"]


# --- fleet


def test_fleet_starts_one_endpoint_per_host_and_stops_them(host: CmdHost) -> None:
    hosts = [CmdHost("hv-01"), CmdHost("hv-02", logins=[])]
    with SimulatorFleet(hosts, extra_logins=[Login("cli-user", "cli-pw")]) as fleet:  # type: ignore[arg-type]
        assert [e.host.name for e in fleet.endpoints] == ["hv-01", "hv-02"]
        assert fleet.endpoint("HV-02") is fleet.endpoints[1]
        assert len({e.port for e in fleet.endpoints}) == 2
        for e in fleet.endpoints:
            with _session(e, "ntlm", username="cli-user", password="cli-pw") as p:
                assert _run(p, "whoami")[0] == b"cli-user"
        with _session(fleet.endpoint("hv-01")) as p:
            assert _run(p, "echo host login")[2] == 0
        ports = [e.port for e in fleet.endpoints]
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(KeyError):
        fleet.endpoint("hv-01")


def test_stop_is_prompt_with_open_connections_and_blocked_receives(host: CmdHost) -> None:
    host.faults.hang_commands = True
    ep = HostEndpoint(host)
    ep.start()
    p = _protocol(ep, "ntlm", operation_timeout_sec=20, read_timeout_sec=30)
    errors: list[BaseException] = []
    shell = p.open_shell()
    cid = p.run_command(shell, "echo hang")

    def receive() -> None:
        try:
            p.get_command_output_raw(shell, cid)
        except BaseException as exc:  # the server goes away under the blocked Receive
            errors.append(exc)

    t = threading.Thread(target=receive)
    t.start()
    deadline = time.monotonic() + 5
    while ep.stats.requests < 6 and time.monotonic() < deadline:  # 3 handshake legs + Create, Command, Receive
        time.sleep(0.01)
    started = time.monotonic()
    ep.stop()
    assert time.monotonic() - started < 2
    t.join(5)
    p.transport.close_session()
    assert not t.is_alive() and len(errors) == 1
    assert not [x for x in threading.enumerate() if x.name.startswith(("wsman-", "winrs-"))]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", ep.port), timeout=2).close()
