"""HTTP Negotiate for WinRM, as Windows' own client does it: SPNEGO through pyspnego (SSPI on
Windows, GSSAPI elsewhere), so Kerberos is used when it can be and NTLM otherwise, with the
current logon when no user name is given (single sign-on), and WinRM message encryption over
HTTP (``multipart/encrypted``, HTTP-SPNEGO-session-encrypted).

pywinrm's own ``kerberos`` transport needs pykerberos and never falls back to NTLM; its ``ntlm``
transport never tries Kerberos. This module is used by :mod:`hvgui.remote.connection` for
``Auth.NEGOTIATE`` and ``Auth.KERBEROS``.
"""

from __future__ import annotations

import base64
import re
import struct
from typing import Any
from urllib.parse import urlsplit

import requests
import spnego
from requests.auth import AuthBase
from winrm.exceptions import WinRMError

ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
_BOUNDARY = b"--Encrypted Boundary"
_OCTET = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")
_SCHEMES = ("negotiate", "kerberos")
MAX_LEGS = 6
"""Round trips a handshake may take before we give up (SPNEGO needs 2 or 3)."""


def _token(header: str) -> tuple[str, bytes] | None:
    """``(scheme, token)`` of the first Negotiate/Kerberos challenge in a WWW-Authenticate value."""
    for part in header.split(","):
        scheme, _, value = part.strip().partition(" ")
        if scheme.lower() in _SCHEMES:
            try:
                return scheme, base64.b64decode(value.strip()) if value.strip() else b""
            except ValueError:
                return scheme, b""
    return None


def _channel_bindings(response: requests.Response) -> spnego.channel_bindings.GssChannelBindings | None:
    """tls-server-end-point bindings (RFC 5929) of an HTTPS connection, as Windows expects with
    CbtHardeningLevel Strict; None over HTTP."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        sock = response.raw._fp.fp.raw._sock
        der = sock.getpeercert(True)
    except AttributeError:
        return None
    if not der:
        return None
    cert = x509.load_der_x509_certificate(der)
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:
        algorithm = None
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(der)
    return spnego.channel_bindings.GssChannelBindings(
        application_data=b"tls-server-end-point:" + digest.finalize())


class NegotiateAuth(AuthBase):
    """``requests`` auth: answers a 401 ``Negotiate`` challenge on the same TCP connection (the
    context is bound to it, as WinRM's is), then keeps the context for message encryption."""

    def __init__(self, username: str | None, password: str | None, *, protocol: str = "negotiate",
                 service: str = "HTTP") -> None:
        self.username = username or None
        self.password = password or None
        self.protocol = protocol
        self.service = service
        self.context: Any = None
        """The completed security context (``spnego.ContextProxy``), or None."""

    @property
    def mechanism(self) -> str:
        """``kerberos`` or ``ntlm`` once authenticated; "" before."""
        if self.context is None:
            return ""
        return str(getattr(self.context, "negotiated_protocol", "") or self.protocol)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Connection"] = "Keep-Alive"
        r.register_hook("response", self._hook)
        return r

    def _hook(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401 or "Authorization" in response.request.headers:
            return response
        offered = _token(response.headers.get("WWW-Authenticate", ""))
        if offered is None:
            return response
        latest = [response]
        try:
            return self._handshake(response, offered[0], kwargs, latest)
        except BaseException:
            # pyspnego refused (no credentials for single sign-on...): the connection is mid-handshake:
            # close it rather than leave it checked out of the pool.
            latest[-1].close()
            raise

    def _handshake(self, response: requests.Response, scheme: str, kwargs: dict[str, Any],
                   latest: list[requests.Response]) -> requests.Response:
        hostname = urlsplit(response.url).hostname or "unspecified"
        ctx = spnego.client(self.username, self.password, hostname=hostname, service=self.service,
                            protocol=self.protocol, channel_bindings=_channel_bindings(response))
        out = ctx.step()
        kwargs = dict(kwargs, stream=False)
        current = response
        for _ in range(MAX_LEGS):
            current.content  # noqa: B018 - read the body so the connection can carry the next leg
            current.raw.release_conn()
            request = current.request.copy()
            request.headers["Authorization"] = f"{scheme} {base64.b64encode(out or b'').decode()}"
            following: requests.Response = current.connection.send(request, **kwargs)
            following.history.append(current)
            current = following
            latest.append(following)
            answer = _token(following.headers.get("WWW-Authenticate", ""))
            if following.status_code != 401:
                if answer is not None and answer[1] and not ctx.complete:
                    ctx.step(answer[1])  # the acceptor's last token (mechListMIC)
                if ctx.complete:
                    self.context = ctx
                return following
            if answer is None or not answer[1] or ctx.complete:
                return following  # refused: the caller sees the 401
            out = ctx.step(answer[1])
        return current


class NegotiateEncryption:
    """WinRM message encryption with a completed Negotiate context; the interface pywinrm's
    ``Transport.send_message`` expects of its ``encryption``."""

    def __init__(self, auth: NegotiateAuth) -> None:
        if auth.context is None:
            raise WinRMError("message encryption needs a completed Negotiate context")
        self._auth = auth

    def prepare_encrypted_request(self, session: requests.Session, endpoint: str | bytes,
                                  message: bytes) -> requests.PreparedRequest:
        result = self._auth.context.wrap_winrm(message)
        length = len(message) + result.padding_length
        body = (_BOUNDARY + b"\r\n"
                b"\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
                b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(length).encode() + b"\r\n"
                + _BOUNDARY + b"\r\n" + _OCTET
                + struct.pack("<i", len(result.header)) + result.header + result.data
                + _BOUNDARY + b"--\r\n")
        request = requests.Request("POST", endpoint, data=body)
        prepared = session.prepare_request(request)
        prepared.headers["Content-Length"] = str(len(body))
        prepared.headers["Content-Type"] = (f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";'
                                            'boundary="Encrypted Boundary"')
        return prepared

    def parse_encrypted_response(self, response: requests.Response) -> bytes:
        if f'protocol="{ENCRYPTED_PROTOCOL}"'.lower() not in response.headers.get("Content-Type", "").lower():
            return response.content
        parts = [p for p in response.content.split(_BOUNDARY + b"\r\n") if p]
        message = b""
        for i in range(0, len(parts) - 1, 2):
            found = _LENGTH.search(parts[i])
            if found is None:
                raise WinRMError("encrypted answer without its length")
            payload = parts[i + 1]
            if payload.endswith(_BOUNDARY + b"--\r\n"):
                payload = payload[:-len(_BOUNDARY + b"--\r\n")]
            payload = payload.removeprefix(_OCTET)
            (header_length,) = struct.unpack("<i", payload[:4])
            header = payload[4:4 + header_length]
            plain: bytes = self._auth.context.unwrap_winrm(header, payload[4 + header_length:])
            if len(plain) != int(found.group(1)):
                raise WinRMError("the encrypted answer's length does not match: it was altered on the way")
            message += plain
        return message
