"""What the window does to the list of hosts: add, edit, remove (saved to the hosts file), and
the fixes a failing host offers (type the password again, trust its certificate or its CA,
accept a pinned host's new certificate), and the step-by-step check of a host."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from hvgui.core.hosts import HostConfig, default_hosts_path, save_hosts
from hvgui.remote import trust
from hvgui.remote.credentials import CredentialSource, MemoryCredentials
from hvgui.remote.errors import ErrorKind
from hvgui.remote.trust import CertificateInfo
from hvgui.ui.controller import Controller
from hvgui.ui.doctor_dialog import DoctorDialog, OneHostCredentials
from hvgui.ui.fix_dialogs import PasswordDialog, TrustChoice, TrustDialog
from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.i18n import error_text, tr

log = logging.getLogger(__name__)


class HostActions(QObject):
    message = Signal(str, int)
    """A line for the status bar, and how long to show it (ms)."""

    def __init__(self, controller: Controller, parent_widget: QWidget, *, hosts_file: Path | None,
                 hosts_file_writable: bool, credentials: Any, cert_dir: Path | None) -> None:
        super().__init__(parent_widget)
        self.controller = controller
        self.parent_widget = parent_widget
        self.hosts_file = hosts_file
        """Where host edits are saved (None: not saved, e.g. ``--demo``)."""
        self.hosts_file_writable = hosts_file_writable
        """False when the file could not be read at start: it is kept as it is, never overwritten."""
        self.credentials = credentials
        self.cert_dir = cert_dir
        """Where trusted host certificates are saved (default: ``certs`` beside the hosts file)."""
        self.host_dialog: HostDialog | None = None
        self.fix_dialogs: dict[str, QDialog] = {}
        """Open "Enter password" / "Trust certificate" dialogs by host key (one per host)."""

    def _say(self, text: str, ms: int = 5000) -> None:
        self.message.emit(text, ms)

    # ------------------------------------------------------------ fixes for a failing host
    def host_fix(self, key: str) -> tuple[str, str] | None:
        """What the admin can do about this host's error: ``(label, kind)`` or None."""
        entry = self.controller.state.hosts.get(key)
        if entry is None or entry.error is None:
            return None
        if entry.error.kind is ErrorKind.WRONG_CREDENTIALS and entry.config.needs_password:
            return (tr("Enter password…"), "password")
        if entry.error.kind is ErrorKind.TLS_UNTRUSTED and entry.config.is_https:
            return (tr("Trust this certificate…"), "trust")
        if entry.error.kind is ErrorKind.CERT_CHANGED and entry.config.is_https:
            return (tr("Check the new certificate…"), "trust")
        return None

    def fix_host(self, key: str) -> QDialog | None:
        fix = self.host_fix(key)
        if fix is None:
            return None
        return self.enter_password(key) if fix[1] == "password" else self.trust_certificate(key)

    def _show_fix(self, key: str, dlg: QDialog) -> QDialog:
        old = self.fix_dialogs.pop(key, None)
        if old is not None:
            old.close()
        self.fix_dialogs[key] = dlg
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda _r: self.fix_dialogs.pop(key, None) if self.fix_dialogs.get(key) is dlg
                             else None)
        dlg.show()
        return dlg

    def secure_store(self) -> bool:
        return bool(getattr(self.credentials, "secure", True))

    def enter_password(self, key: str) -> PasswordDialog | None:
        """Ask for one host's password (the other hosts go on) and read that host again."""
        entry = self.controller.state.hosts.get(key)
        if entry is None or self.credentials is None:
            return None
        reason = error_text(entry.error) if entry.error is not None else tr("Enter the password for this host.")
        dlg = PasswordDialog(entry.config, reason, secure_store=self.secure_store(), parent=self.parent_widget)

        def entered(password: str, cfg: HostConfig = entry.config) -> None:
            self.credentials.set(cfg, password)
            # A read already running uses the old password: start it again.
            self.controller.refresh([cfg.key], restart=True)

        dlg.entered.connect(entered)
        self._show_fix(key, dlg)
        return dlg

    def trust_certificate(self, key: str) -> TrustDialog | None:
        """Show the chain the host presents; once the admin has compared it, pin this host's
        certificate, or save the issuing CA as a PEM and make it the host's CA file."""
        entry = self.controller.state.hosts.get(key)
        if entry is None:
            return None
        expected = entry.error.fingerprint if entry.error is not None else None
        dlg = TrustDialog(entry.config, expected, parent=self.parent_widget)

        def trusted(choice: TrustChoice, cert: CertificateInfo, cfg: HostConfig = entry.config) -> None:
            if choice is TrustChoice.PIN:
                self.save_host(cfg, replace(cfg, cert_pin=cert.sha256), None)
                self._say(f"Trusting exactly this certificate for {cfg.display_name} (SHA-256 {cert.sha256}); "
                          "any other is refused", 10000)
                return
            directory = self.cert_dir or (self.hosts_file.parent if self.hosts_file else
                                          default_hosts_path().parent) / "certs"
            try:
                path = trust.save_pem(cert, cfg, directory)
            except OSError as exc:
                self._say(f"Could not save the certificate: {exc}", 10000)
                return
            self.save_host(cfg, replace(cfg, ca_file=str(path), cert_pin=""), None)
            self._say(f"Trusting {cert.subject} for {cfg.display_name} ({path})", 8000)

        dlg.trusted.connect(trusted)
        self._show_fix(key, dlg)
        return dlg

    # ------------------------------------------------------------ checking a host step by step
    def check_host(self, config: HostConfig, password: str | None = None, *,
                   key: str | None = None) -> DoctorDialog:
        """Run the step-by-step check (``hvgui-cli doctor``) on ``config``; a typed password is
        used for this check only, else the saved one."""
        saved: CredentialSource = self.credentials if self.credentials is not None else MemoryCredentials()
        dlg = DoctorDialog(config, OneHostCredentials(password, saved), parent=self.parent_widget)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if key is not None and key in self.controller.state.hosts:
            dlg.trustRequested.connect(lambda k=key: self.trust_certificate(k))
        dlg.show()
        return dlg

    # ------------------------------------------------------------ add / edit / remove
    def add_host(self) -> HostDialog:
        return self._open_host_dialog(None)

    def edit_host(self, key: str | None) -> HostDialog | None:
        entry = self.controller.state.hosts.get(key) if key else None
        if entry is None:
            self._say(tr("Select a host to edit"), 4000)
            return None
        if entry.applying:
            self._say(f"{entry.name} is applying changes: edit it once that has finished", 6000)
            return None
        return self._open_host_dialog(entry.config)

    def _open_host_dialog(self, host: HostConfig | None) -> HostDialog:
        if self.host_dialog is not None:
            self.host_dialog.close()
        dlg = HostDialog(host, secure_store=self.secure_store(), parent=self.parent_widget)
        dlg.accepted_host.connect(lambda cfg, pw: self.save_host(host, cfg, pw))
        dlg.testRequested.connect(lambda cfg, pw: self.check_host(cfg, pw))
        dlg.finished.connect(lambda _r: setattr(self, "host_dialog", None))
        self.host_dialog = dlg
        dlg.show()
        return dlg

    def save_host(self, old: HostConfig | None, new: HostConfig, password: str | None) -> None:
        """Put ``new`` in place of ``old`` (or at the end), store the password, save, read it."""
        configs = [e.config for e in self.controller.state.hosts.values()]
        if old is not None and old in configs:
            configs[configs.index(old)] = new
        else:
            configs = [c for c in configs if c.key != new.key] + [new]
        if password and self.credentials is not None:
            self.credentials.set(new, password)
        self._set_hosts(configs)
        self.controller.refresh([new.key])

    def remove_host(self, key: str | None) -> None:
        if key is None or key not in self.controller.state.hosts:
            self._say(tr("Select a host to remove"), 4000)
            return
        entry = self.controller.state.hosts[key]
        if entry.applying:
            self._say(f"{entry.name} is applying changes: remove it once that has finished", 6000)
            return
        self._set_hosts([e.config for k, e in self.controller.state.hosts.items() if k != key])
        # Its password and its connection go with it (when the store / engine can do that).
        delete = getattr(self.credentials, "delete", None)
        if callable(delete):
            try:
                delete(entry.config)
            except Exception as exc:  # the host is removed either way
                log.warning("could not delete the password of %s: %s", entry.name, type(exc).__name__)
        forget = getattr(self.controller.engine, "forget", None)
        if callable(forget):
            forget(entry.config)
        self._say(f"Removed {entry.name}", 5000)

    def _set_hosts(self, configs: list[HostConfig]) -> None:
        self.controller.set_hosts(configs)
        if self.hosts_file is None:
            return
        if not self.hosts_file_writable:
            self._say(f"Not saved: {self.hosts_file} could not be read at start and is kept as it is", 10000)
            return
        try:
            save_hosts(self.hosts_file, configs)
        except OSError as exc:
            self._say(f"Could not save {self.hosts_file}: {exc}", 10000)

    def close_dialogs(self) -> None:
        if self.host_dialog is not None:
            self.host_dialog.close()
        for dlg in list(self.fix_dialogs.values()):
            dlg.close()
