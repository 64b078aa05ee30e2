"""A keyring backend for tests, standing in for Windows Credential Manager: selected the way
keyring selects any backend (``PYTHON_KEYRING_BACKEND=memory_keyring.MemoryKeyring``), it keeps
passwords in this process's memory only. ``FailingKeyring`` refuses every write, as a locked
or broken keyring does."""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    store: ClassVar[dict[tuple[str, str], str]] = {}
    """Shared by every instance, as the one store of this (test) machine."""

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class FailingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring is locked")
