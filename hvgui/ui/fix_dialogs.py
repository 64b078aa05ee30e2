"""What the admin can do about a failing host from the window: type the password again, or
trust the certificate the host presents (pinned) or the CA that issued it, after checking
the chain's fingerprints.

Both dialogs are non-modal (qasync: no nested event loop inside an async slot); their result
arrives through a signal. Fetching the certificate is network work: it runs off the GUI thread.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from hvgui.core.hosts import HostConfig, normalize_fingerprint
from hvgui.remote.trust import CertificateInfo, presented_chain
from hvgui.ui import look
from hvgui.ui.i18n import tr


class PasswordDialog(QDialog):
    """Type the password of one host again; ``entered`` carries it (never logged)."""

    entered = Signal(str)

    def __init__(self, host: HostConfig, reason: str, *, secure_store: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(tr("Password for {host}").format(host=host.display_name))
        form = QFormLayout(self)
        why = QLabel(reason)
        why.setWordWrap(True)
        form.addRow(why)
        form.addRow(tr("User:"), QLabel(host.username or tr("(none)")))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Password:"), self.password)
        if not secure_store:
            note = QLabel(tr("No secure password store on this machine: the password is kept for this "
                          "session only."))
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


class TrustChoice(StrEnum):
    PIN = "pin"
    """Exactly this host's certificate (like SSH's known hosts)."""
    CA = "ca"
    """The CA that issued it: every certificate it issues for this host's name is trusted."""


class TrustDialog(QDialog):
    """Shows the chain a host presents (subject, issuer, validity, SHA-256 of each) and lets the
    admin trust either this host's certificate (pinned) or the CA that issued it. A pinned host
    that now presents another certificate gets a warning like SSH's changed host key.
    ``trusted`` carries ``(TrustChoice, CertificateInfo)``."""

    trusted = Signal(object, object)

    def __init__(self, host: HostConfig, expected_fingerprint: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.expected = expected_fingerprint
        self.chain: list[CertificateInfo] = []
        self.pinned = normalize_fingerprint(host.cert_pin)
        self.setWindowTitle(tr("Trust the certificate of {host}?").format(host=host.display_name))
        self.resize(720, 0)
        form = QFormLayout(self)
        intro = QLabel(tr("<b>{host}</b> ({url}) presents a certificate this computer does not trust. Trust it only "
                          "if its fingerprint is the one on the host (ask its administrator, or run "
                          "<tt>Get-ChildItem Cert:\\LocalMachine\\My</tt> on the host; Windows shows the SHA-1 "
                          "thumbprint, listed too).").format(host=escape(host.display_name), url=escape(host.url)))
        intro.setWordWrap(True)
        form.addRow(intro)
        self.changed = QLabel()
        self.changed.setWordWrap(True)
        self.changed.setStyleSheet(f"color: {look.RED}; font-weight: bold")
        self.changed.setVisible(False)
        form.addRow(self.changed)
        self.chain_text = QPlainTextEdit(tr("Reading the certificate…"))
        self.chain_text.setReadOnly(True)
        self.chain_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.chain_text.setMinimumHeight(200)
        self.chain_text.setAccessibleName(tr("Certificates presented by the host"))
        form.addRow(self.chain_text)
        self.fingerprint = QLabel("—")
        self.fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        form.addRow(tr("Host SHA-256:"), self.fingerprint)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {look.RED}")
        self.warning.setVisible(False)
        form.addRow(self.warning)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # Trusting takes a deliberate click (or Alt+key): a stray Enter cancels.
        self.trust_button = QPushButton(tr("&Trust this host's certificate"))
        self.trust_button.setToolTip(tr("Pinned: exactly this certificate is accepted for this host; any other is "
                                     "refused and you are told"))
        self.trust_ca_button = QPushButton(tr("Trust the issuing &CA"))
        self.trust_ca_button.setToolTip(tr("Every certificate this CA issues for the host's name is accepted (it "
                                        "survives the host's certificate being renewed)"))
        for b in (self.trust_button, self.trust_ca_button):
            b.setEnabled(False)
            b.setAutoDefault(False)
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.trust_button.clicked.connect(self.confirm)
        self.trust_ca_button.clicked.connect(self.confirm_ca)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.task: asyncio.Task[None] = asyncio.ensure_future(self._fetch())
        self.finished.connect(lambda _r: self.task.cancel())

    @property
    def leaf(self) -> CertificateInfo | None:
        return self.chain[0] if self.chain else None

    @property
    def issuing_ca(self) -> CertificateInfo | None:
        """The top CA certificate the host sent (None when it sent only its own)."""
        cas = [c for c in self.chain[1:] if c.is_ca]
        return cas[-1] if cas else None

    async def _fetch(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            chain = await loop.run_in_executor(None, presented_chain, self.host.url, 10.0)
        except (OSError, ValueError) as exc:
            self.chain_text.setPlainText("—")
            self.warning.setText(tr("Could not read the certificate: {error}").format(error=exc))
            self.warning.setVisible(True)
            return
        self.chain = chain
        leaf = chain[0]
        blocks = []
        for i, c in enumerate(chain):
            role = tr("this host") if i == 0 else (tr("CA") if c.is_ca else tr("intermediate"))
            blocks.append(f"[{i}] {role}\n" + "\n".join(f"    {line}" for line in c.lines()))
        self.chain_text.setPlainText("\n\n".join(blocks))
        self.fingerprint.setText(leaf.sha256)
        if self.pinned and self.pinned != leaf.sha256:
            self.setWindowTitle(tr("{host} presents ANOTHER certificate").format(host=self.host.display_name))
            self.changed.setText(
                tr("WARNING: {host} now presents another certificate than the one you trusted ({pin}). Someone "
                   "may be intercepting the connection, or the host got a new certificate. Accept the new one only "
                   "after checking its fingerprint with the host's administrator.").format(
                    host=self.host.display_name, pin=self.pinned))
            self.changed.setVisible(True)
            self.trust_button.setText(tr("&Accept the new certificate"))
        if self.expected and self.expected != leaf.sha256:
            self.warning.setText(tr("This is not the certificate the host presented a moment ago: it changed. "
                                 "Check it with particular care."))
            self.warning.setVisible(True)
        if leaf.expired:
            self.warning.setText(self.warning.text() + ("\n" if self.warning.text() else "")
                                 + tr("This certificate is expired or not yet valid."))
            self.warning.setVisible(True)
        self.trust_button.setEnabled(True)
        ca = self.issuing_ca
        self.trust_ca_button.setEnabled(ca is not None)
        if ca is None:
            self.trust_ca_button.setToolTip(tr("The host did not send its CA's certificate") + (
                tr(" (it is self-signed)") if leaf.self_signed else tr(": get it from your PKI administrator and give "
                "it as the host's CA file (Edit host…)")))
        self.cancel_button.setFocus()

    def confirm(self) -> bool:
        if self.leaf is None:
            return False
        self.trusted.emit(TrustChoice.PIN, self.leaf)
        self.accept()
        return True

    def confirm_ca(self) -> bool:
        ca = self.issuing_ca
        if ca is None:
            return False
        self.trusted.emit(TrustChoice.CA, ca)
        self.accept()
        return True
