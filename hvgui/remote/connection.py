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

import requests
from winrm.exceptions import InvalidCredentialsError
from winrm.protocol import Protocol as WinRMProtocol
from winrm.transport import Transport

from hvgui.core.hosts import AUTH_TEXT, Auth, HostConfig
from hvgui.remote.negotiate import NegotiateAuth, NegotiateEncryption
from hvgui.remote.trust import TrustAdapter

_PYWINRM_AUTH = {Auth.NTLM: "ntlm", Auth.CREDSSP: "credssp", Auth.BASIC: "basic"}


class HvguiTransport(Transport):
    def __init__(self, config: HostConfig, password: str, *, read_timeout_s: int) -> None:
        self.config = config
        self._negotiate = config.auth in (Auth.NEGOTIATE, Auth.KERBEROS)
        self._https = config.is_https
        self._adapter = TrustAdapter(config) if self._https else None  # a bad CA file fails here, at once
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
