"""TLS like a browser: which certificates a host may present.

- Without a pin: the operating system's trust store (``truststore``: Windows' certificate
  store, macOS' keychain, OpenSSL's system bundle on Linux), so a certificate issued by the
  company's CA just works, plus the host's own CA file when one is configured. Name, dates and
  chain are checked; a trusted intermediate is enough (partial chains are accepted).
- With a pin (``HostConfig.cert_pin``): exactly that certificate, checked byte for byte by its
  SHA-256 before a single byte of HTTP is sent, as SSH checks a known host key. Any other
  certificate is refused as *changed*, however it is signed.

Certificate validation is never switched off: there is no code path without one of the two.
"""

from __future__ import annotations

import _ssl
import datetime
import hashlib
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import truststore
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

from hvgui.core.hosts import HostConfig, normalize_fingerprint


def thumbprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, upper-case hex pairs (``AB:CD:...``)."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def windows_thumbprint(der: bytes) -> str:
    """SHA-1 as Windows shows a certificate's Thumbprint (certlm.msc, ``Cert:\\``, WinRM listeners)."""
    return hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """One certificate of the chain a host presents, as an admin compares it."""

    subject: str
    issuer: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    sha256: str
    sha1: str
    names: tuple[str, ...]
    """DNS names and IP addresses it is valid for (subjectAltName)."""
    is_ca: bool
    self_signed: bool
    pem: str

    @property
    def expired(self) -> bool:
        now = datetime.datetime.now(datetime.UTC)
        return not (self.not_before <= now <= self.not_after)

    def lines(self) -> list[str]:
        out = [f"Subject:  {self.subject}",
               f"Issuer:   {self.issuer}" + ("  (self-signed)" if self.self_signed else ""),
               f"Valid:    {self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d}"
               + ("  (EXPIRED or not yet valid)" if self.expired else "")]
        if self.names:
            out.append(f"For:      {', '.join(self.names)}")
        if self.is_ca:
            out.append("Kind:     certification authority")
        out += [f"SHA-256:  {self.sha256}", f"Windows thumbprint (SHA-1): {self.sha1}"]
        return out

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "issuer": self.issuer, "not_before": self.not_before.isoformat(),
                "not_after": self.not_after.isoformat(), "sha256": self.sha256, "sha1": self.sha1,
                "names": list(self.names), "is_ca": self.is_ca, "self_signed": self.self_signed}


def certificate_info(der: bytes) -> CertificateInfo:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple([*san.get_values_for_type(x509.DNSName),
                       *(str(ip) for ip in san.get_values_for_type(x509.IPAddress))])
    except x509.ExtensionNotFound:
        names = ()
    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateInfo(
        subject=cert.subject.rfc4514_string() or "(empty)", issuer=cert.issuer.rfc4514_string() or "(empty)",
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, sha256=thumbprint(der),
        sha1=windows_thumbprint(der), names=names, is_ca=is_ca, self_signed=cert.subject == cert.issuer,
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def _peer_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """The chain as the host sent it (leaf first), unverified."""
    sslobj: Any = getattr(tls, "_sslobj", None)
    getter = getattr(tls, "get_unverified_chain", None) or getattr(sslobj, "get_unverified_chain", None)
    chain: list[bytes] = []
    if getter is not None:
        for cert in getter() or ():
            chain.append(cert if isinstance(cert, bytes) else cert.public_bytes(_ssl.ENCODING_DER))
    if not chain:
        leaf = tls.getpeercert(binary_form=True)
        if leaf:
            chain = [leaf]
    return chain


def presented_chain(url: str, timeout: float = 10.0) -> list[CertificateInfo]:
    """The certificates a host presents (leaf first), read *without* trusting them: only to show
    them to the admin or let them be trusted. Raises OSError when they cannot be read."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise OSError(f"{url!r} has no host name")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # reading, not trusting: nothing is sent over this connection
    with socket.create_connection((parts.hostname, parts.port or 5986), timeout=timeout) as sock, \
            ctx.wrap_socket(sock, server_hostname=parts.hostname) as tls:
        chain = _peer_chain(tls)
    if not chain:
        raise OSError("the host presented no certificate")
    return [certificate_info(der) for der in chain]


class TrustConfigError(ValueError):
    """The host's CA file cannot be used."""


def context_for(config: HostConfig) -> ssl.SSLContext:
    """The TLS context a connection to this host uses (see the module's rules)."""
    pin = normalize_fingerprint(config.cert_pin)
    if pin:
        # The fingerprint is asserted after the handshake and before any request
        # (:class:`TrustAdapter`, :func:`check`), instead of a chain the admin has replaced by a pin.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        if config.ca_file:
            try:
                ctx.load_verify_locations(cafile=config.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise TrustConfigError(f"the CA file {config.ca_file} cannot be used: "
                                       f"{getattr(exc, 'strerror', None) or exc}") from exc
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class TrustAdapter(HTTPAdapter):
    """``requests`` adapter that verifies with :func:`context_for` only: no certifi bundle, no
    ``REQUESTS_CA_BUNDLE``, and a pinned certificate's fingerprint checked by urllib3 before the
    request is written."""

    def __init__(self, config: HostConfig) -> None:
        self._ctx = context_for(config)
        self._pin = normalize_fingerprint(config.cert_pin)
        super().__init__()

    def _tls_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"ssl_context": self._ctx,
                                  "cert_reqs": "CERT_NONE" if self._pin else "CERT_REQUIRED"}
        if self._pin:
            kwargs["assert_fingerprint"] = self._pin
        return kwargs

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs, **self._tls_kwargs())

    def build_connection_pool_key_attributes(self, request: PreparedRequest, verify: Any,
                                             cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs.pop("ca_certs", None)
        pool_kwargs.pop("ca_cert_dir", None)
        pool_kwargs.update(self._tls_kwargs())
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would point the connection at certifi's bundle; ours is in the context.
        conn.ca_certs = None
        conn.ca_cert_dir = None
        for key, value in self._tls_kwargs().items():
            if key != "ssl_context":
                setattr(conn, key, value)


@dataclass(frozen=True, slots=True)
class TlsCheck:
    """One handshake the way a connection to the host makes it."""

    trusted: bool
    problem: str
    """Why not, in words ("" when trusted)."""
    changed: bool
    """A pinned host presented another certificate."""
    chain: tuple[CertificateInfo, ...]
    """What the host presented (leaf first), when it could be read."""


def _why(exc: ssl.SSLCertVerificationError, host: str, chain: list[CertificateInfo]) -> str:
    leaf = chain[0] if chain else None
    code = getattr(exc, "verify_code", 0)
    message = getattr(exc, "verify_message", "") or str(exc)
    if code == 62 or "hostname mismatch" in message.lower() or "not valid for" in message.lower():
        names = ", ".join(leaf.names) if leaf and leaf.names else (leaf.subject if leaf else "another name")
        return f"the certificate is for {names}, not for {host!r}: connect with a name it lists"
    if code == 10 or "expired" in message.lower():
        when = f" on {leaf.not_after:%Y-%m-%d}" if leaf else ""
        return f"the certificate expired{when}: the host needs a new one"
    if code == 9 or "not yet valid" in message.lower():
        return "the certificate is not valid yet (check the clocks of this computer and the host)"
    issuer = leaf.issuer if leaf else "its issuer"
    if leaf is not None and leaf.self_signed:
        return f"the certificate is self-signed ({leaf.subject}) and this computer does not trust it"
    return f"the certificate was issued by {issuer}, which this computer does not trust ({message})"


def check(config: HostConfig, timeout: float = 10.0) -> TlsCheck:
    """Handshake with the host as a connection would, and say whether (and why not) its
    certificate is trusted. Network errors raise OSError; a bad CA file raises TrustConfigError."""
    parts = urlsplit(config.url)
    host = parts.hostname or ""
    ctx = context_for(config)
    try:
        chain = presented_chain(config.url, timeout)
    except OSError:
        chain = []
    pin = normalize_fingerprint(config.cert_pin)
    with socket.create_connection((host, config.port), timeout=timeout) as sock:
        try:
            with ctx.wrap_socket(sock, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True) or b""
        except ssl.SSLCertVerificationError as exc:
            return TlsCheck(False, _why(exc, host, chain), False, tuple(chain))
        except ssl.SSLError as exc:
            return TlsCheck(False, f"the TLS handshake failed: {exc.reason or exc}", False, tuple(chain))
    if pin and thumbprint(der) != pin:
        return TlsCheck(False, f"the host presents a certificate with SHA-256 {thumbprint(der)}, not the one you "
                        f"trusted ({pin})", True, tuple(chain))
    return TlsCheck(True, "", False, tuple(chain))


def save_pem(cert: CertificateInfo, host: HostConfig, directory: Path) -> Path:
    """Write a certificate the admin chose to trust as ``<host>-<fingerprint>.pem`` under
    ``directory`` (beside the hosts file: ``certs``) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", urlsplit(host.url).hostname or "host")
    path = directory / f"{name}-{cert.sha256.replace(':', '')[:16].lower()}.pem"
    path.write_text(cert.pem, encoding="ascii")
    return path
