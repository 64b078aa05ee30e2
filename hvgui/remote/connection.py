"""The WinRM connection to one host: pywinrm's ``Protocol`` over a transport that authenticates
and verifies the way hvgui promises.

- Negotiate (default) and Kerberos: :mod:`hvgui.remote.negotiate` (single sign-on when no user
  name is given), encrypted over HTTP.
- NTLM, Basic, CredSSP: pywinrm's own (requests_ntlm, requests, requests_credssp).
- Every HTTPS connection verifies with :mod:`hvgui.remote.trust` (the system's trust store and
  the host's CA file, or the host's pinned certificate), never certifi or environment
  variables; proxies are explicit only.
"""

from __future__ import annotations

import http.client
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from requests.cookies import extract_cookies_to_jar
from requests.exceptions import ChunkedEncodingError, ContentDecodingError, ReadTimeout
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import SSLError as RequestsSSLError
from requests.hooks import dispatch_hook
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError
from winrm.exceptions import InvalidCredentialsError, WinRMTransportError
from winrm.protocol import Protocol as WinRMProtocol
from winrm.transport import Transport

from hvgui.core.hosts import AUTH_TEXT, Auth, HostConfig
from hvgui.remote.negotiate import NegotiateAuth, NegotiateEncryption
from hvgui.remote.trust import TrustAdapter

_PYWINRM_AUTH = {Auth.NTLM: "ntlm", Auth.CREDSSP: "credssp", Auth.BASIC: "basic"}


class _FromTemplate:
    """Stands in for the ``requests.Session`` that pywinrm's ``Encryption.prepare_encrypted_request``
    prepares its request with: a copy of the template (what the session prepared for an earlier
    message: same URL, headers and auth hooks) with the new body. The session's merging of
    settings, cookies and auth costs more than sealing the message."""

    def __init__(self, template: requests.PreparedRequest) -> None:
        self.template = template

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = requests.PreparedRequest()
        prepared.method = "POST"
        prepared.url = self.template.url
        prepared.headers = self.template.headers.copy()
        prepared.body = cast(bytes, request.data)  # pywinrm passes the sealed message
        prepared.hooks = self.template.hooks
        return prepared


class HvguiTransport(Transport):
    def __init__(self, config: HostConfig, password: str, *, read_timeout_s: int) -> None:
        self.config = config
        self._negotiate = config.auth in (Auth.NEGOTIATE, Auth.KERBEROS)
        self._https = config.is_https
        self._adapter = TrustAdapter(config) if self._https else None  # a bad CA file fails here, at once
        self._template: tuple[requests.Session, _FromTemplate] | None = None
        super().__init__(
            endpoint=config.url,
            username=config.username or None,
            password=password or None,
            # pywinrm checks credentials per method; Negotiate has its own (none for single sign-on).
            auth_method="kerberos" if self._negotiate else _PYWINRM_AUTH[config.auth],  # type: ignore[arg-type]
            server_cert_validation="validate",
            ca_trust_path=None,  # type: ignore[arg-type]
            proxy=config.proxy or None,
            message_encryption="auto",
            read_timeout_sec=read_timeout_s,
        )

    # --------------------------------------------------------------- session
    def _harden(self, session: requests.Session) -> None:
        """Explicit proxy (none by default), no environment settings, our certificate checks."""
        session.trust_env = False
        session.proxies = {"http": self.config.proxy, "https": self.config.proxy} if self.config.proxy else {}
        session.verify = True
        if self._adapter is not None:
            session.mount("https://", self._adapter)

    def build_session(self) -> requests.Session:
        if self.session is not None:
            return self.session
        if not self._negotiate:
            session = super().build_session()  # NTLM over HTTP authenticates in setup_encryption (below)
            self._harden(session)
            return session
        session = requests.Session()
        self._harden(session)
        session.auth = NegotiateAuth(self.username, self.password,
                                     protocol="kerberos" if self.config.auth is Auth.KERBEROS else "negotiate")
        session.headers.update(self.default_headers)
        self.session = session
        if not self._https:  # over HTTPS, TLS protects the messages
            self.setup_encryption(session)
        return session

    def setup_encryption(self, session: requests.Session) -> None:
        self._harden(session)
        if not self._negotiate:
            super().setup_encryption(session)
            return
        # A blank POST authenticates the connection; every message after it is sealed.
        request = requests.Request("POST", self.endpoint, data=None)
        self._send_message_request(session, session.prepare_request(request))
        auth = session.auth
        if not isinstance(auth, NegotiateAuth) or auth.context is None:
            raise InvalidCredentialsError("the host did not complete the Negotiate logon")
        self.encryption = NegotiateEncryption(auth)  # type: ignore[assignment]

    # --------------------------------------------------------------- messages
    def send_message(self, message: str | bytes) -> bytes:
        """pywinrm's ``Transport.send_message`` (same sealing, same errors), on a lean path: the
        request is copied from a template instead of prepared by the session, and sent by the
        session's adapter (same connection pool, TLS checks and proxy) instead of the session
        (which merges settings, handles cookies and redirects on every message)."""
        session = self.build_session()
        if isinstance(message, str):
            message = message.encode("utf-8")
        if session.cookies:  # WinRM sets none; if a host does, the session sends them back
            self._template = None
            return super().send_message(message)
        template = self._template
        if template is None or template[0] is not session:
            base = session.prepare_request(requests.Request("POST", self.endpoint, data=b"-"))
            del base.headers["Content-Length"]
            template = self._template = (session, _FromTemplate(base))
        preparer = template[1]
        if self.encryption:
            prepared = self.encryption.prepare_encrypted_request(preparer, self.endpoint, message)  # type: ignore[arg-type]
        else:
            prepared = preparer.prepare_request(requests.Request("POST", self.endpoint, data=message))
            prepared.headers["Content-Length"] = str(len(message))
        response = self._send_lean(session, prepared)
        if not 200 <= response.status_code < 300:
            if response.status_code == 401:
                raise InvalidCredentialsError("the specified credentials were rejected by the server")
            text = self._get_message_response_text(response) if response.content else b""
            raise WinRMTransportError("http", response.status_code, text.decode())
        return self._get_message_response_text(response)

    def _send_lean(self, session: requests.Session, prepared: requests.PreparedRequest) -> requests.Response:
        """What ``Session.send`` does for a WinRM message: the adapter sends it, the body is read at
        once (its errors raised as requests raises them), a 401 goes to the auth's hook, cookies are
        kept. Redirects are not followed (a WinRM listener never redirects)."""
        settings: dict[str, Any] = {"timeout": self.read_timeout_sec, "verify": session.verify,
                                    "cert": session.cert, "proxies": session.proxies}
        adapter = session.get_adapter(self.endpoint)
        if self.encryption and not session.proxies:
            direct = self._send_direct(session, adapter, prepared, settings)
            if direct is not None:
                return direct
        response = adapter.send(prepared, stream=True, **settings)
        if "set-cookie" in response.headers:
            extract_cookies_to_jar(session.cookies, prepared, response.raw)
        if response.status_code in (401, 407):  # before the body is read, as Session.send does
            response = dispatch_hook("response", prepared.hooks, response, stream=False, **settings)
        if response._content is False:  # not read yet (an auth hook may have read it)
            try:
                response._content = response.raw.read(decode_content=True)
            except ProtocolError as exc:
                raise ChunkedEncodingError(exc) from exc
            except DecodeError as exc:
                raise ContentDecodingError(exc) from exc
            except ReadTimeoutError as exc:
                raise RequestsConnectionError(exc) from exc
            except SSLError as exc:
                raise RequestsSSLError(exc) from exc
            response._content_consumed = True
        return response

    def _send_direct(self, session: requests.Session, adapter: Any, prepared: requests.PreparedRequest,
                     settings: dict[str, Any]) -> requests.Response | None:
        """A sealed message over the connection that logged on, written and read directly on its
        socket: urllib3 and http.client cost more per message than sealing it (header objects
        built, validated and parsed through the email package, twice per request). Only on a
        connection that is open and was used before (so authenticated); None otherwise, and the
        message goes the usual way (which connects and logs on)."""
        pool = adapter.get_connection_with_tls_context(prepared, settings["verify"], cert=settings["cert"])
        conn = pool._get_conn()
        if not conn.is_connected:
            pool._put_conn(conn)
            return None
        url = urlsplit(str(prepared.url))
        head = [f"POST {url.path or '/'}{'?' + url.query if url.query else ''} HTTP/1.1",
                f"Host: {url.netloc.rpartition('@')[2]}"]
        head += [f"{k}: {v.decode('latin-1') if isinstance(v, bytes) else v}"
                 for k, v in prepared.headers.items() if k.lower() != "accept-encoding"]
        head.append("Accept-Encoding: identity")
        body = prepared.body if isinstance(prepared.body, bytes) else str(prepared.body or "").encode("utf-8")
        keep = False
        try:
            status, reason, headers, cookies, content, keep = _exchange(
                conn.sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body, float(settings["timeout"]))
        except _NoAnswer as exc:
            raise RequestsConnectionError(exc.args[0], request=prepared) from exc.__cause__
        except _BrokenAnswer as exc:
            raise ChunkedEncodingError(exc.args[0], request=prepared) from exc.__cause__
        except TimeoutError as exc:
            raise ReadTimeout(f"no answer within {settings['timeout']} s", request=prepared) from exc
        except OSError as exc:
            raise RequestsConnectionError(exc, request=prepared) from exc
        finally:
            if not keep:
                conn.close()
            pool._put_conn(conn)
        if "Set-Cookie" in headers:  # WinRM sets none; kept as Session.send would
            raw = http.client.HTTPMessage()
            for cookie in cookies:
                raw["Set-Cookie"] = cookie
            extract_cookies_to_jar(session.cookies, prepared,
                                  SimpleNamespace(_original_response=SimpleNamespace(msg=raw)))
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = headers
        response._content = content
        response._content_consumed = True
        response.url = str(prepared.url)
        response.request = prepared
        response.connection = adapter
        return response

    # --------------------------------------------------------------- what it did
    def describe(self) -> str:
        """How this connection logged on and protects its messages, for the admin."""
        auth = self.session.auth if self.session is not None else None
        how = AUTH_TEXT[self.config.auth]
        if isinstance(auth, NegotiateAuth) and auth.mechanism:
            how = f"{'Kerberos' if self.config.auth is Auth.KERBEROS else 'Negotiate'} ({auth.mechanism.upper()})"
        who = self.config.username or "the current Windows logon"
        if self._https:
            channel = "over HTTPS"
        elif self.encryption is not None:
            channel = "messages encrypted"
        else:
            channel = "NOT encrypted (Basic over HTTP)"
        return f"{how} as {who}, {channel}"


def make_protocol(config: HostConfig, password: str, *, operation_timeout_s: int,
                  read_timeout_s: int) -> WinRMProtocol:
    """pywinrm's Protocol with :class:`HvguiTransport` (nothing is sent yet)."""
    protocol = WinRMProtocol(endpoint=config.url, transport="kerberos", operation_timeout_sec=operation_timeout_s,
                             read_timeout_sec=read_timeout_s)
    protocol.transport = HvguiTransport(config, password, read_timeout_s=read_timeout_s)
    return protocol


class _NoAnswer(Exception):
    """The connection ended before an answer began (as http.client's RemoteDisconnected)."""


class _BrokenAnswer(Exception):
    """The connection ended, or the answer was malformed, in the middle of an answer."""


def _exchange(sock: Any, request: bytes, timeout: float) -> tuple[
        int, str, CaseInsensitiveDict[str], list[str], bytes, bool]:
    """Write one HTTP/1.1 request and read its answer: ``(status, reason, headers, Set-Cookie values,
    body, keep the connection)``. Bodies by Content-Length or chunked; no content encoding (we ask for identity)."""
    sock.settimeout(timeout)
    sock.sendall(request)
    buf = bytearray()
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            break
        chunk = sock.recv(65536)
        if not chunk:
            raise (_BrokenAnswer if buf else _NoAnswer)("the host closed the connection without an answer")
        buf += chunk
        if len(buf) > 65536 and buf.find(b"\r\n\r\n") < 0:
            raise _BrokenAnswer("the answer's headers are too long")
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    rest = buf[end + 4:]
    version, _, status_reason = lines[0].partition(" ")
    code, _, reason = status_reason.partition(" ")
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise _BrokenAnswer(f"not an HTTP answer: {lines[0][:80]!r}")
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    cookies: list[str] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            raise _BrokenAnswer(f"malformed header line: {line[:80]!r}")
        name, value = name.strip(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if name.lower() == "set-cookie":
            cookies.append(value)
    if headers.get("Content-Encoding", "identity").lower() != "identity":
        raise _BrokenAnswer(f"unexpected content encoding {headers['Content-Encoding']!r}")

    def more() -> None:
        chunk = sock.recv(max(65536, 0))
        if not chunk:
            raise _BrokenAnswer("the host closed the connection in the middle of an answer")
        rest.extend(chunk)

    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        body = bytearray()
        while True:
            while b"\r\n" not in rest:
                more()
            size_line = bytes(rest).partition(b"\r\n")[0]
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BrokenAnswer("malformed chunk size") from None
            del rest[:len(size_line) + 2]
            if size == 0:
                while not (rest.startswith(b"\r\n") or b"\r\n\r\n" in rest):
                    more()  # trailers, then the empty line
                break
            while len(rest) < size + 2:
                more()
            body += rest[:size]
            del rest[:size + 2]
        content = bytes(body)
    else:
        try:
            length = int(headers.get("Content-Length", "-1"))
        except ValueError:
            raise _BrokenAnswer("malformed Content-Length") from None
        if length < 0:
            raise _BrokenAnswer("an answer without a length")  # would need the connection to close
        while len(rest) < length:
            more()
        if len(rest) > length:
            raise _BrokenAnswer("more data than the answer's length")
        content = bytes(rest)
    keep = version == "HTTP/1.1" and "close" not in headers.get("Connection", "").lower()
    return int(code), reason, headers, cookies, content, keep
