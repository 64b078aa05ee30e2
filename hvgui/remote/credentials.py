"""Where passwords come from. Never a file: the OS keyring, or memory for this session."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from hvgui.core.hosts import HostConfig

log = logging.getLogger(__name__)
KEYRING_SERVICE = "hvgui"


class CredentialSource(Protocol):
    def password(self, host: HostConfig) -> str | None:
        """The password for ``host.username`` on ``host``, or None when unknown."""


def _key(host: HostConfig) -> str:
    return f"{host.username}@{host.url}"


class MemoryCredentials:
    """Passwords typed in this session; gone when the process ends."""

    def __init__(self) -> None:
        self._passwords: dict[str, str] = {}
        self._lock = threading.Lock()

    def set(self, host: HostConfig, password: str) -> None:
        with self._lock:
            self._passwords[_key(host)] = password

    def password(self, host: HostConfig) -> str | None:
        with self._lock:
            return self._passwords.get(_key(host))

    def delete(self, host: HostConfig) -> None:
        with self._lock:
            self._passwords.pop(_key(host), None)

    def __repr__(self) -> str:  # never show secrets, even in a debugger or a log
        return f"MemoryCredentials({len(self._passwords)} entries)"


class KeyringCredentials:
    """The OS keyring (Windows Credential Manager), with an in-memory fallback when no secure
    store exists (``secure`` says which, so the UI can tell the user)."""

    def __init__(self) -> None:
        self._memory = MemoryCredentials()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hvgui-keyring")
        self.secure = False
        self.backend_name = "memory (this session only)"
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0:
                self.secure = True
                self.backend_name = type(backend).__name__
        except Exception as exc:  # no keyring at all: memory only, and say so
            log.warning("no system keyring available: %s", type(exc).__name__)

    def set(self, host: HostConfig, password: str, *, remember: bool = True) -> None:
        """Usable at once (memory); written to the keyring by a worker thread, since a keyring
        can be slow or ask the desktop to unlock it, and the window calls this from the GUI
        thread. One worker: writes and deletes happen in the order asked, and finish before exit."""
        self._memory.set(host, password)
        if remember and self.secure:
            self._writer.submit(self._store, _key(host), password)

    def close(self) -> None:
        """Wait for queued keyring writes and deletes."""
        self._writer.shutdown(wait=True)

    @staticmethod
    def _store(key: str, password: str) -> None:
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, key, password)
        except Exception as exc:
            log.warning("could not store the password in the keyring: %s", type(exc).__name__)

    def delete(self, host: HostConfig) -> None:
        """Forget the host's password (host removed, or its user or URL changed)."""
        self._memory.delete(host)
        if self.secure:
            self._writer.submit(self._erase, _key(host))

    @staticmethod
    def _erase(key: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, key)
        except PasswordDeleteError:
            pass  # there was none
        except Exception as exc:
            log.warning("could not delete the password from the keyring: %s", type(exc).__name__)

    def password(self, host: HostConfig) -> str | None:
        found = self._memory.password(host)
        if found is not None or not self.secure:
            return found
        # Through the same worker, so a read never overtakes a write or delete still queued.
        return self._writer.submit(self._fetch, _key(host)).result()

    @staticmethod
    def _fetch(key: str) -> str | None:
        import keyring

        try:
            value: str | None = keyring.get_password(KEYRING_SERVICE, key)
        except Exception as exc:
            log.warning("could not read the keyring: %s", type(exc).__name__)
            return None
        return value
