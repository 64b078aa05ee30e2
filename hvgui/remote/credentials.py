"""Where passwords come from. Never a file: the OS keyring, or memory for this session.

The keyring is chosen the ``keyring`` library's usual way (Windows Credential Manager, macOS
Keychain, Secret Service...; ``PYTHON_KEYRING_BACKEND`` overrides it), the same for the window
and ``hvgui-cli``: a password saved by one is found by the other. Entries are named
``hvgui`` / ``USER@URL``. Hosts that use the current Windows logon have none."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from hvgui.core.hosts import HostConfig

log = logging.getLogger(__name__)
KEYRING_SERVICE = "hvgui"


class CredentialSource(Protocol):
    def password(self, host: HostConfig) -> str | None:
        """The password for ``host.username`` on ``host``, or None when unknown."""


def _key(host: HostConfig) -> str:
    return f"{host.username}@{host.url}"


def guest_key(vm_id: str, user: str) -> str:
    """The keyring entry of a guest's password: ``guest:USER@VMID``."""
    return f"guest:{user}@{vm_id.lower()}"


class SecretSource(Protocol):
    def secret(self, key: str) -> str | None:
        """A guest secret (:func:`guest_key`), or None when unknown."""


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

    def set_secret(self, key: str, password: str, *, remember: bool = False) -> None:
        """``remember`` is ignored: memory is all there is."""
        with self._lock:
            self._passwords[key] = password

    def secret(self, key: str) -> str | None:
        with self._lock:
            return self._passwords.get(key)

    def delete_secret(self, key: str) -> None:
        with self._lock:
            self._passwords.pop(key, None)

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

    def set(self, host: HostConfig, password: str, *, remember: bool = True) -> Future[str | None]:
        """Usable at once (memory); written to the keyring by a worker thread, since a keyring
        can be slow or ask the desktop to unlock it, and the window calls this from the GUI
        thread. One worker: writes and deletes happen in the order asked, and finish before exit.

        The future says how the write went: None when saved, else why it was not (no secure
        store, or the keyring's error), for the caller to tell the user."""
        self._memory.set(host, password)
        if not remember:
            return _done(None)
        if not self.secure:
            return _done(f"no secure password store on this machine ({self.backend_name}): the password is kept "
                         "for this session only")
        return self._writer.submit(self._store, _key(host), password)

    def save(self, host: HostConfig, password: str) -> str | None:
        """:meth:`set` and wait: None when saved, else why not (``hvgui-cli hosts add``)."""
        return self.set(host, password).result()

    def close(self) -> None:
        """Wait for queued keyring writes and deletes."""
        self._writer.shutdown(wait=True)

    @staticmethod
    def _store(key: str, password: str) -> str | None:
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, key, password)
        except Exception as exc:
            log.warning("could not store the password in the keyring: %s", type(exc).__name__)
            # The exception's text is the backend's; it never holds the password, but say only its kind
            # and first line, to be sure.
            reason = str(exc).splitlines()[0][:200] if str(exc) else ""
            if password and password in reason:
                reason = ""
            return f"the system keyring refused to save the password ({type(exc).__name__}" + (
                f": {reason})" if reason else ")") + "; it is kept for this session only"
        return None

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

    # Guest secrets (a Windows guest's administrator for PowerShell Direct, a Linux guest's SSH/sudo
    # password): kept exactly like host passwords, under ``guest_key(vm_id)``.

    def set_secret(self, key: str, password: str, *, remember: bool = True) -> Future[str | None]:
        self._memory.set_secret(key, password)
        if not remember:
            return _done(None)
        if not self.secure:
            return _done(f"no secure password store on this machine ({self.backend_name}): the password is kept "
                         "for this session only")
        return self._writer.submit(self._store, key, password)

    def secret(self, key: str) -> str | None:
        found = self._memory.secret(key)
        if found is not None or not self.secure:
            return found
        found = self._writer.submit(self._fetch, key).result()
        if found is not None:
            self._memory.set_secret(key, found)
        return found

    def delete_secret(self, key: str) -> None:
        self._memory.delete_secret(key)
        if self.secure:
            self._writer.submit(self._erase, key)

    def password(self, host: HostConfig) -> str | None:
        found = self._memory.password(host)
        if found is not None or not self.secure:
            return found
        # Through the same worker, so a read never overtakes a write or delete still queued.
        found = self._writer.submit(self._fetch, _key(host)).result()
        if found is not None:
            self._memory.set(host, found)  # one keyring read per host and session
        return found

    @staticmethod
    def _fetch(key: str) -> str | None:
        import keyring

        try:
            value: str | None = keyring.get_password(KEYRING_SERVICE, key)
        except Exception as exc:
            log.warning("could not read the keyring: %s", type(exc).__name__)
            return None
        return value


def _done(value: str | None) -> Future[str | None]:
    future: Future[str | None] = Future()
    future.set_result(value)
    return future
