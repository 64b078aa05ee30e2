"""Connecting as a Windows domain does, over real WinRM to simulated hosts: a bare name is HTTP on
5985 with Negotiate and message encryption; HTTPS trusts the system's store or a CA file, or one
pinned certificate, and refuses a changed one before sending anything; never a fallback to HTTP;
a new password takes effect at once; single sign-on without a Windows logon says so."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hvgui.core.hosts import Auth, HostConfig, normalize_url
from hvgui.core.model import Inventory
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.simulator.tls import TestCA

USER, PASSWORD = "CONTOSO-admin", "negotiate-test-pw"


def make_host(name: str = "HV01") -> HyperVHost:
    host = HyperVHost(name, logins=[Login(USER, PASSWORD)])
    host.add_vm("vm-a")
    host.add_vm("vm-b", state="Off")
    return host


def read(cfg: HostConfig, password: str | None = PASSWORD) -> Inventory | HostError:
    creds = MemoryCredentials()
    if password is not None:
        creds.set(cfg, password)
    engine = Engine(creds)

    async def go() -> Inventory | HostError:
        try:
            return await engine.inventory(cfg)
        except HostError as exc:
            return exc

    try:
        return asyncio.run(go())
    finally:
        engine.close(wait=True)


def ok(result: Inventory | HostError) -> Inventory:
    assert isinstance(result, Inventory), result.text if isinstance(result, HostError) else result
    return result


def failed(result: Inventory | HostError, kind: ErrorKind) -> HostError:
    assert isinstance(result, HostError), result
    assert result.kind is kind, result.text
    assert PASSWORD not in result.text + result.details
    return result


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path / "pki")


@pytest.fixture
def on_5985() -> Iterator[HostEndpoint]:
    """A simulated host on WinRM's own HTTP port, as Enable-PSRemoting leaves a real one."""
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", 5985))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            pytest.skip("port 5985 is in use on this machine")
        raise
    finally:
        probe.close()
    ep = HostEndpoint(make_host("HV-DEFAULT"), port=5985)
    ep.start()
    yield ep
    ep.stop()


def test_a_bare_name_is_http_5985_with_negotiate_and_encryption(on_5985: HostEndpoint) -> None:
    url = normalize_url("localhost")
    assert url == "http://localhost:5985/wsman"
    cfg = HostConfig(url=url, username=USER)
    assert cfg.auth is Auth.NEGOTIATE  # the default, as Enter-PSSession
    inv = ok(read(cfg))
    assert sorted(v.name for v in inv.vms) == ["vm-a", "vm-b"]
    stats = on_5985.stats.as_json()
    # SPNEGO (not raw NTLMSSP as requests_ntlm sends), falling back to NTLM: no domain here.
    assert stats["logons"] == {"negotiate/ntlm": 1}
    # Every SOAP request after the three legs of the handshake arrived encrypted.
    assert stats["encrypted_requests"] == stats["requests"] - 3 and stats["encrypted_requests"] >= 5


def test_https_when_chosen_and_never_a_fallback_to_http(ca: TestCA) -> None:
    assert normalize_url("hv01", https=True) == "https://hv01:5986/wsman"
    assert normalize_url("hv01:5986") == "https://hv01:5986/wsman"
    assert normalize_url("https://hv01") == "https://hv01:5986/wsman"
    plain = HostEndpoint(make_host("HV-HTTP-ONLY"))  # an HTTP listener only
    plain.start()
    try:
        https_url = plain.url.replace("http://", "https://")
        err = failed(read(HostConfig(url=https_url, username=USER, ca_file=str(ca.cert_path))),
                     ErrorKind.TLS_UNTRUSTED)
        assert "TLS" in err.text
        assert plain.stats.as_json()["logons"] == {}  # nothing was sent in clear instead
    finally:
        plain.stop()


def test_a_certificate_issued_by_the_company_ca_is_trusted_through_a_ca_file(ca: TestCA) -> None:
    ep = HostEndpoint(make_host("HV-PKI"), https=True, ca=ca)
    ep.start()
    try:
        cfg = HostConfig(url=ep.url, username=USER)
        err = failed(read(cfg), ErrorKind.TLS_UNTRUSTED)
        assert "CN=hvgui Test CA, which this computer does not trust" in err.message
        assert err.fingerprint == ep.fingerprint and "Windows thumbprint" in err.details
        inv = ok(read(replace(cfg, ca_file=str(ca.cert_path))))
        assert len(inv.vms) == 2
        assert ep.stats.as_json()["logons"] == {"negotiate/ntlm": 1}  # NTLM over TLS, no message encryption
        assert ep.stats.as_json()["encrypted_requests"] == 0
    finally:
        ep.stop()


def test_the_system_trust_store_is_used_not_certifi_nor_environment(ca: TestCA, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux the system store is OpenSSL's (SSL_CERT_FILE / SSL_CERT_DIR): a CA put there is
    trusted without a CA file, as a company's CA in Windows' store is. REQUESTS_CA_BUNDLE, which
    pywinrm would honour, is not."""
    ep = HostEndpoint(make_host("HV-STORE"), https=True, ca=ca)
    ep.start()
    try:
        cfg = HostConfig(url=ep.url, username=USER)
        empty = tmp_path / "empty-store"
        empty.mkdir()
        monkeypatch.setenv("SSL_CERT_DIR", str(empty))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.cert_path))
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
        failed(read(cfg), ErrorKind.TLS_UNTRUSTED)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_path))  # the CA is in the system store now
        assert len(ok(read(cfg)).vms) == 2
    finally:
        ep.stop()


def test_wrong_name_and_expired_certificates_say_why(ca: TestCA, tmp_path: Path) -> None:
    other, key = ca.issue("hv-other")  # valid for hv-other and loopback names, not 127.0.0.2
    ep = HostEndpoint(make_host("HV-NAME"), https=True, bind="127.0.0.2", certfile=str(other), keyfile=str(key))
    ep.start()
    try:
        err = failed(read(HostConfig(url=ep.url, username=USER, ca_file=str(ca.cert_path))), ErrorKind.TLS_UNTRUSTED)
        assert "is for localhost, hv-other" in err.message and "'127.0.0.2'" in err.message
    finally:
        ep.stop()
    old, old_key = ca.issue("HV-OLD", expired=True)
    ep = HostEndpoint(make_host("HV-OLD"), https=True, certfile=str(old), keyfile=str(old_key))
    ep.start()
    try:
        err = failed(read(HostConfig(url=ep.url, username=USER, ca_file=str(ca.cert_path))), ErrorKind.TLS_UNTRUSTED)
        assert "expired" in err.message
    finally:
        ep.stop()


def test_a_pinned_certificate_that_changes_is_refused_before_anything_is_sent() -> None:
    ep = HostEndpoint(make_host("HV-PIN"), https=True)  # self-signed, as New-SelfSignedCertificate makes
    ep.start()
    try:
        assert ep.fingerprint is not None
        pinned = HostConfig(url=ep.url, username=USER, cert_pin=ep.fingerprint.replace(":", "").lower())
        assert len(ok(read(pinned)).vms) == 2
        before = ep.stats.as_json()
        old_fp = ep.fingerprint
        new_fp = ep.rekey()
        assert new_fp != old_fp and ep.fingerprint == new_fp
        err = failed(read(pinned), ErrorKind.CERT_CHANGED)
        assert "CHANGED" in err.message and new_fp in err.message
        assert pinned.cert_pin.upper() in err.message.replace(":", "")
        assert err.fingerprint == new_fp
        after = ep.stats.as_json()
        assert after["requests"] == before["requests"]  # not a byte of HTTP to the impostor
        # The admin checked the new certificate and accepts it.
        assert len(ok(read(replace(pinned, cert_pin=new_fp))).vms) == 2
    finally:
        ep.stop()


def test_a_new_password_takes_effect_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    host = make_host("HV-PW")
    ep = HostEndpoint(host)
    ep.start()
    creds = MemoryCredentials()
    engine = Engine(creds)
    cfg = HostConfig(url=ep.url, username=USER, timeout_s=20)
    try:
        creds.set(cfg, PASSWORD)
        ok(asyncio.run(engine.inventory(cfg)))
        # The admin types another password: the logged-on connection is not kept on the old one.
        creds.set(cfg, "typo-password")

        async def again() -> Inventory | HostError:
            try:
                return await engine.inventory(cfg)
            except HostError as exc:
                return exc

        failed(asyncio.run(again()), ErrorKind.WRONG_CREDENTIALS)
        creds.set(cfg, PASSWORD)
        ok(asyncio.run(again()))
        assert ep.stats.as_json()["auth_handshakes"] == 2  # the first logon, then the good one again
    finally:
        engine.close(wait=True)
        ep.stop()


def test_single_sign_on_without_a_windows_logon_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kerberos cannot be tested here (no domain): without a ticket or a Windows logon, a host on
    the current logon fails with words that say what to do, not a traceback."""
    monkeypatch.delenv("NTLM_USER_FILE", raising=False)
    ep = HostEndpoint(make_host("HV-SSO"))
    ep.start()
    try:
        cfg = HostConfig(url=ep.url)
        assert cfg.single_sign_on and not cfg.needs_password and not cfg.validate()
        err = failed(read(cfg, password=None), ErrorKind.WRONG_CREDENTIALS)
        assert "single sign-on" in err.message and "user name and password" in err.message
    finally:
        ep.stop()


@pytest.mark.parametrize("auth", [Auth.NTLM, Auth.NEGOTIATE])
def test_existing_hosts_files_with_ntlm_keep_working(auth: Auth) -> None:
    ep = HostEndpoint(make_host("HV-OLDFILE"))
    ep.start()
    try:
        assert len(ok(read(HostConfig(url=ep.url, auth=auth, username=USER))).vms) == 2
        expected: dict[str, Any] = {"ntlm": 1} if auth is Auth.NTLM else {"negotiate/ntlm": 1}
        assert ep.stats.as_json()["logons"] == expected
    finally:
        ep.stop()
