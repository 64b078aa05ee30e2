"""Sealed WinRM messages are written and read directly on the logged-on connection's socket
(hvgui.remote.connection._exchange): the HTTP answers a host may give, over a real socket pair,
and the direct path in use against the simulator."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from hvgui.core import contract
from hvgui.core.hosts import Auth, HostConfig
from hvgui.remote import scripts
from hvgui.remote.connection import _BrokenAnswer, _exchange, _NoAnswer
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.transport import WinRMSession
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from tests.conftest import StartEndpoint

REQUEST = b"POST /wsman HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, host = socket.socketpair()
    yield ours, host
    ours.close()
    host.close()


def answer(pair: tuple[socket.socket, socket.socket], data: bytes, *, close: bool = False) -> tuple[
        int, str, dict[str, str], list[str], bytes, bool]:
    ours, host = pair
    host.sendall(data)
    if close:
        host.shutdown(socket.SHUT_WR)
    status, reason, headers, cookies, body, keep = _exchange(ours, REQUEST, 5.0)
    assert host.recv(1000) == REQUEST  # the request went out whole
    return status, reason, dict(headers), cookies, body, keep


def test_an_answer_by_length_keeps_the_connection(pair: tuple[socket.socket, socket.socket]) -> None:
    status, reason, headers, _, body, keep = answer(
        pair, b"HTTP/1.1 200 OK\r\nContent-Type: text/x\r\nContent-Length: 5\r\n\r\nhello")
    assert (status, reason, headers["Content-Type"], body, keep) == (200, "OK", "text/x", b"hello", True)


def test_a_chunked_answer_with_a_trailer(pair: tuple[socket.socket, socket.socket]) -> None:
    _, _, _, _, body, keep = answer(
        pair, b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"3\r\nabc\r\n4;x=1\r\ndefg\r\n0\r\nX-Trailer: 1\r\n\r\n")
    assert (body, keep) == (b"abcdefg", True)


def test_connection_close_and_http_1_0_are_not_kept(pair: tuple[socket.socket, socket.socket]) -> None:
    assert not answer(pair, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")[5]


def test_cookies_are_returned_one_by_one(pair: tuple[socket.socket, socket.socket]) -> None:
    cookies = answer(pair, b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\n"
                           b"Content-Length: 0\r\n\r\n")[3]
    assert cookies == ["a=1; Path=/", "b=2"]


def test_no_answer_at_all_is_not_a_broken_answer(pair: tuple[socket.socket, socket.socket]) -> None:
    with pytest.raises(_NoAnswer):
        answer(pair, b"", close=True)


@pytest.mark.parametrize("data", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf",  # closed in the middle of the body
    b"HTTP/1.1 200 OK\r\nContent-Le",  # in the middle of the headers
    b"HTTP/1.1 200 OK\r\n\r\nno length, no chunks",
    b"SSH-2.0-OpenSSH\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_broken_answers_say_so(pair: tuple[socket.socket, socket.socket], data: bytes) -> None:
    with pytest.raises(_BrokenAnswer):
        answer(pair, data, close=True)


def test_silence_is_a_timeout(pair: tuple[socket.socket, socket.socket]) -> None:
    with pytest.raises(TimeoutError):
        _exchange(pair[0], REQUEST, 0.2)


@pytest.mark.parametrize("auth", [Auth.NTLM, Auth.NEGOTIATE])
def test_sealed_messages_go_direct_after_the_logon(start_endpoint: StartEndpoint, auth: Auth) -> None:
    host = HyperVHost("DIRECT", logins=[Login("admin", "direct-test-password", admin=True)])
    for i in range(3):
        host.add_vm(f"vm{i}")
    ep = start_endpoint(host)
    creds = MemoryCredentials()
    cfg = HostConfig(url=ep.url, auth=auth, username="admin", name="DIRECT", timeout_s=30)
    creds.set(cfg, "direct-test-password")
    session = WinRMSession(cfg, creds)
    through_requests: list[str] = []
    adapter_send = HTTPAdapter.send

    def counting(self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        through_requests.append(str(request.headers.get("Content-Type")))
        return adapter_send(self, request, *args, **kwargs)

    HTTPAdapter.send = counting  # type: ignore[method-assign]
    try:
        first = contract.parse_inventory(session.run_operation(scripts.INVENTORY, contract.inventory_request()))
        logon = len(through_requests)
        again = contract.parse_inventory(session.run_operation(scripts.INVENTORY, contract.inventory_request()))
        info = session.connection_info
    finally:
        HTTPAdapter.send = adapter_send  # type: ignore[method-assign]
        session.close()
    assert info.endswith("messages encrypted"), info
    assert len(first.vms) == 3 and [v.id for v in again.vms] == [v.id for v in first.vms]
    assert logon >= 2  # the logon's legs go through requests...
    assert len(through_requests) == logon  # ...and every sealed message after them goes direct
