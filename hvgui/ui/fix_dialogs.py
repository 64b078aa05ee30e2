"""What the admin can do about a failing host from the window: type the password again, or
trust the certificate the host presents after checking its fingerprint.

Both dialogs are non-modal (qasync: no nested event loop inside an async slot); their result
arrives through a signal. Fetching the certificate is network work: it runs off the GUI thread.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hvgui.core.hosts import HostConfig
from hvgui.remote.transport import presented_certificate, thumbprint
from hvgui.ui import look


@dataclass(frozen=True, slots=True)
class PresentedCertificate:
    pem: str
    fingerprint: str
    """SHA-256, upper-case hex pairs (:func:`hvgui.remote.transport.thumbprint`)."""


def fetch_certificate(url: str, timeout: float = 10.0) -> PresentedCertificate:
    """The certificate a host presents, read without trusting it (blocking: call it off the
    GUI thread). Raises OSError when the host cannot be reached."""
    der = presented_certificate(url, timeout)
    return PresentedCertificate(ssl.DER_cert_to_PEM_cert(der), thumbprint(der))


def save_certificate(cert: PresentedCertificate, host: HostConfig, directory: Path) -> Path:
    """Write the PEM under ``directory`` (one file per host and certificate) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", urlsplit(host.url).hostname or "host")
    path = directory / f"{name}-{cert.fingerprint.replace(':', '')[:16].lower()}.pem"
    path.write_text(cert.pem, encoding="ascii")
    return path


class PasswordDialog(QDialog):
    """Type the password of one host again; ``entered`` carries it (never logged)."""

    entered = Signal(str)

    def __init__(self, host: HostConfig, reason: str, *, secure_store: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(f"Password for {host.display_name}")
        form = QFormLayout(self)
        why = QLabel(reason)
        why.setWordWrap(True)
        form.addRow(why)
        form.addRow("User:", QLabel(host.username or "(none)"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Password:", self.password)
        if not secure_store:
            note = QLabel("No secure password store on this machine: the password is kept for this "
                          "session only.")
            note.setWordWrap(True)
            form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def try_accept(self) -> bool:
        if not self.password.text():
            return False
        self.entered.emit(self.password.text())
        self.password.clear()
        self.accept()
        return True


class TrustDialog(QDialog):
    """Shows the SHA-256 fingerprint of the certificate a host presents; ``trusted`` carries
    the certificate once the admin confirms it matches the one on the host."""

    trusted = Signal(object)
    """:class:`PresentedCertificate`."""

    def __init__(self, host: HostConfig, expected_fingerprint: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.expected = expected_fingerprint
        self.cert: PresentedCertificate | None = None
        self.setWindowTitle(f"Trust the certificate of {host.display_name}?")
        self.resize(640, 0)
        form = QFormLayout(self)
        intro = QLabel(f"<b>{host.display_name}</b> ({host.url}) presents a certificate this computer does not "
                       "trust. Trust it only if its fingerprint is the one on the host (ask its administrator, "
                       "or look at the WinRM listener's certificate on the host).")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.fingerprint = QLabel("Reading the certificate…")
        self.fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        form.addRow("SHA-256:", self.fingerprint)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {look.RED}")
        self.warning.setVisible(False)
        form.addRow(self.warning)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # Trusting takes a deliberate click (or Alt+T): a stray Enter cancels.
        self.trust_button = QPushButton("&Trust this certificate")
        self.trust_button.setEnabled(False)
        self.trust_button.setAutoDefault(False)
        self.buttons.addButton(self.trust_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.task: asyncio.Task[None] = asyncio.ensure_future(self._fetch())
        self.finished.connect(lambda _r: self.task.cancel())

    async def _fetch(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            cert = await loop.run_in_executor(None, fetch_certificate, self.host.url)
        except (OSError, ValueError) as exc:
            self.fingerprint.setText("—")
            self.warning.setText(f"Could not read the certificate: {exc}")
            self.warning.setVisible(True)
            return
        self.cert = cert
        self.fingerprint.setText(cert.fingerprint)
        if self.expected and self.expected != cert.fingerprint:
            self.warning.setText("This is not the certificate the host presented a moment ago: it changed. "
                                 "Check it with particular care.")
            self.warning.setVisible(True)
        self.trust_button.setEnabled(True)
        self.cancel_button.setFocus()

    def confirm(self) -> bool:
        if self.cert is None:
            return False
        self.trusted.emit(self.cert)
        self.accept()
        return True
