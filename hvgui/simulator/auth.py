"""Authentication for the simulated WinRM endpoints: Basic, NTLM (pyspnego acceptor) and
WinRM message encryption (``multipart/encrypted``, HTTP-SPNEGO-session-encrypted).

pyspnego's NTLM acceptor finds the password of the connecting user in the file named by
``NTLM_USER_FILE`` (process-wide). Each endpoint keeps its own private temporary file (NT/LM
hashes in smbpasswd format, not passwords) and points the variable at it, under a lock, while
its acceptor steps; after the handshake it checks ``ctx.client_principal`` against its logins.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import contextlib
import logging
import os
import re
import struct
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import spnego

from hvgui.simulator.interfaces import Login

log = logging.getLogger(__name__)

ENCRYPTED_PROTOCOL: Final = "application/HTTP-SPNEGO-session-encrypted"
ENCRYPTED_CONTENT_TYPE: Final = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
_BOUNDARY: Final = b"--Encrypted Boundary"
_OCTET_HEADER: Final = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")

_env_lock = threading.Lock()
"""Held while an acceptor step runs with ``NTLM_USER_FILE`` pointing at one endpoint's file."""


class AuthError(Exception):
    """Authentication failed (answer 401)."""


class EncryptionError(Exception):
    """An encrypted body could not be read (answer 400)."""


def _hash_line(user: str, password: str) -> str:
    from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1

    lm = base64.b16encode(lmowfv1(password)).decode()
    nt = base64.b16encode(ntowfv1(password)).decode()
    return f"{user}:0:{lm}:{nt}:[U]:LCT-00000000"


class UserFile:
    """The NTLM credential file of one endpoint (smbpasswd format: hashes, no passwords).

    pyspnego's acceptor reads the file named by the process-wide ``NTLM_USER_FILE`` when it
    checks an AUTHENTICATE message and uses the first line for the user. One file per endpoint,
    selected under a lock for each step, lets two simulated hosts in one process give the same
    user different passwords. The file follows the endpoint's logins when they change."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="hvgui-sim-ntlm-", suffix=".txt")
        os.close(fd)
        self.path = Path(name)
        self._written: tuple[tuple[str, str], ...] | None = None
        atexit.register(self.remove)

    def update(self, logins: Iterable[Login]) -> None:
        wanted = tuple((login.user, login.password) for login in logins)
        if wanted == self._written:
            return
        lines = []
        for user, password in wanted:
            if ":" in user or "\n" in user or "\r" in user:
                log.warning("login %r cannot be used with NTLM (':' or newline in the user name)", user)
                continue
            lines.append(_hash_line(user, password) + "\n")
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
        os.replace(tmp, self.path)
        self._written = wanted

    def remove(self) -> None:
        atexit.unregister(self.remove)
        with contextlib.suppress(OSError):
            self.path.unlink()

    @contextlib.contextmanager
    def selected(self) -> Iterator[None]:
        """``NTLM_USER_FILE`` = this file for the duration (process-wide, serialised)."""
        with _env_lock:
            previous = os.environ.get("NTLM_USER_FILE")
            os.environ["NTLM_USER_FILE"] = str(self.path)
            try:
                yield
            finally:
                if previous is None:
                    del os.environ["NTLM_USER_FILE"]
                else:
                    os.environ["NTLM_USER_FILE"] = previous


def find_login(logins: Iterable[Login], user: str) -> Login | None:
    """The login named ``user`` (case-insensitive; ``DOM\\user`` must match with its domain)."""
    wanted = user.lower()
    for login in logins:
        if login.user.lower() == wanted:
            return login
    return None


def check_basic(header_value: str, logins: Iterable[Login]) -> Login:
    """``Authorization: Basic ...`` -> the matching login, or :class:`AuthError`."""
    try:
        decoded = base64.b64decode(header_value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthError("malformed Basic credentials") from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise AuthError("malformed Basic credentials")
    login = find_login(logins, user)
    if login is None or login.password != password:
        raise AuthError(f"wrong user name or password for {user!r}")
    return login


class NtlmState:
    """NTLM/Negotiate state of one TCP connection."""

    def __init__(self) -> None:
        self.context: Any = None
        self.login: Login | None = None
        self._spnego = False
        """The client wrapped its tokens in SPNEGO (Negotiate) rather than sending raw NTLMSSP."""

    @property
    def mechanism(self) -> str:
        """How the completed logon was made: ``ntlm`` or ``negotiate/<mechanism>``."""
        inner = str(getattr(self.context, "negotiated_protocol", "") or "ntlm")
        return f"negotiate/{inner}" if self._spnego else inner

    @property
    def authenticated(self) -> bool:
        return self.login is not None

    def step(self, token: bytes, logins: list[Login], user_file: UserFile) -> tuple[bytes | None, bool]:
        """Feed a client token; returns (token for the client, complete?). Passwords come from
        ``user_file``; on completion the principal is checked against ``logins`` (which also
        gives its ``admin`` flag); failures raise :class:`AuthError`."""
        try:
            with user_file.selected():
                if self.context is None or self.context.complete:
                    self.login = None
                    self._spnego = not token.startswith(b"NTLMSSP\x00")
                    self.context = spnego.server(protocol="negotiate")
                out: bytes | None = self.context.step(token)
        except Exception as exc:  # pyspnego raises several SpnegoError subclasses and ValueError
            self.context = None
            raise AuthError(f"NTLM authentication failed: {exc}") from None
        if not self.context.complete:
            return out, False
        principal = self.context.client_principal or ""
        login = find_login(logins, principal)
        if login is None:
            self.context = None
            raise AuthError(f"{principal!r} is not a login of this host")
        self.login = login
        return out, True

    def reset(self) -> None:
        self.context = None
        self.login = None

    def unwrap(self, body: bytes) -> bytes:
        """Decrypt a ``multipart/encrypted`` request body."""
        if self.context is None or not self.context.complete:
            raise EncryptionError("encrypted message on a connection that is not authenticated")
        try:
            parts = [p for p in body.split(_BOUNDARY + b"\r\n") if p]
            message = b""
            for i in range(0, len(parts) - 1, 2):
                m = _LENGTH.search(parts[i])
                if m is None:
                    raise EncryptionError("no OriginalContent length")
                length = int(m.group(1))
                payload = parts[i + 1]
                if not payload.startswith(_OCTET_HEADER):
                    raise EncryptionError("no octet-stream part")
                payload = payload[len(_OCTET_HEADER) :]
                (sig_len,) = struct.unpack("<i", payload[:4])
                header = payload[4 : 4 + sig_len]
                data = payload[4 + sig_len : 4 + sig_len + length]
                plain: bytes = self.context.unwrap_winrm(header, data)
                if len(plain) != length:
                    raise EncryptionError("decrypted length does not match OriginalContent")
                message += plain
            if not parts:
                raise EncryptionError("empty encrypted message")
            return message
        except EncryptionError:
            raise
        except Exception as exc:
            raise EncryptionError(f"cannot decrypt the message: {exc}") from None

    def wrap(self, plaintext: bytes) -> bytes:
        """Encrypt a response body (send it with :data:`ENCRYPTED_CONTENT_TYPE`)."""
        result: spnego.WinRMWrapResult = self.context.wrap_winrm(plaintext)
        length = len(plaintext) + result.padding_length
        return (
            _BOUNDARY + b"\r\n"
            b"\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(length).encode()
            + b"\r\n"
            + _BOUNDARY
            + b"\r\n"
            + _OCTET_HEADER
            + struct.pack("<i", len(result.header))
            + result.header
            + result.data
            + _BOUNDARY
            + b"--\r\n"
        )
