"""Add or edit one host: URL, name, authentication, user, password, CA file, timeout.

Non-modal (``show()``, never ``exec()`` inside the qasync loop): the result arrives through
``accepted_host``. The password goes to the credential store by the caller, never into the
hosts file.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hvgui.core.hosts import Auth, HostConfig, normalize_url
from hvgui.ui import look

AUTH_CHOICES: tuple[tuple[Auth, str], ...] = (
    (Auth.NTLM, "NTLM (user and password)"),
    (Auth.KERBEROS, "Kerberos (current Windows logon)"),
    (Auth.CREDSSP, "CredSSP (hands your credentials to the host)"),
    (Auth.BASIC, "Basic (user and password; HTTPS only)"),
)
NEEDS_PASSWORD = (Auth.NTLM, Auth.BASIC, Auth.CREDSSP)


class HostDialog(QDialog):
    accepted_host = Signal(object, object)
    """``(HostConfig, password or None)``; None: keep the stored password."""

    def __init__(self, host: HostConfig | None = None, *, secure_store: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = host
        self.setWindowTitle("Edit host" if host else "Add host")
        form = QFormLayout(self)
        self.url = QLineEdit(host.url if host else "")
        self.url.setPlaceholderText("hv01.example.com, or https://hv01:5986/wsman")
        form.addRow("Host or URL:", self.url)
        self.name = QLineEdit(host.name if host else "")
        self.name.setPlaceholderText("optional display name")
        form.addRow("Display name:", self.name)
        self.auth = QComboBox()
        for auth, text in AUTH_CHOICES:
            self.auth.addItem(text, auth.value)
        if host is not None:
            self.auth.setCurrentIndex(max(0, self.auth.findData(host.auth.value)))
        form.addRow("Authentication:", self.auth)
        self.auth_warning = QLabel()
        self.auth_warning.setWordWrap(True)
        self.auth_warning.setStyleSheet(f"color: {look.RED}")
        form.addRow(self.auth_warning)
        self.allow_basic_http = QCheckBox("Allow Basic over HTTP (lab only, password in clear)")
        self.allow_basic_http.setChecked(bool(host and host.allow_basic_http))
        form.addRow(self.allow_basic_http)
        self.user = QLineEdit(host.username if host else "")
        self.user.setPlaceholderText(r"DOMAIN\user or user@domain")
        form.addRow("User:", self.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("leave empty to keep the stored one" if host else "")
        form.addRow("Password:", self.password)
        if not secure_store:
            note = QLabel("No secure password store on this machine: the password is kept for this "
                          "session only.")
            note.setWordWrap(True)
            form.addRow(note)
        self.ca_file = QLineEdit(host.ca_file if host else "")
        self.ca_file.setPlaceholderText("PEM certificate or bundle to trust (HTTPS)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.ca_file)
        row.addWidget(browse)
        form.addRow("CA file:", row)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(5, 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(host.timeout_s if host else 120.0)
        form.addRow("Command timeout:", self.timeout)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {look.RED}")
        form.addRow(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.auth.currentIndexChanged.connect(self._auth_changed)
        self.url.textChanged.connect(self._auth_changed)
        self._auth_changed()

    def _browse(self) -> None:
        dlg = QFileDialog(self, "Certificate to trust", "", "Certificates (*.pem *.crt *.cer);;All files (*)")
        dlg.fileSelected.connect(self.ca_file.setText)
        dlg.open()

    def _auth_changed(self) -> None:
        auth = self.chosen_auth()
        needs = auth in NEEDS_PASSWORD
        self.user.setEnabled(needs)
        self.password.setEnabled(needs)
        self.allow_basic_http.setVisible(auth is Auth.BASIC)
        if auth is Auth.CREDSSP:
            self.auth_warning.setText("CredSSP hands your full credentials to the host: choose it only for "
                                      "hosts you trust as much as your own workstation.")
        elif auth is Auth.BASIC:
            self.auth_warning.setText("Basic sends the password with every request: use it over HTTPS.")
        else:
            self.auth_warning.setText("")
        self.auth_warning.setVisible(bool(self.auth_warning.text()))

    def chosen_auth(self) -> Auth:
        # The combo box hands the enum back as its plain string value.
        try:
            return Auth(str(self.auth.currentData()))
        except ValueError:
            return Auth.NTLM

    def host(self) -> HostConfig:
        """The host as typed (a bare name becomes an HTTPS WinRM URL)."""
        text = self.url.text().strip()
        auth = self.chosen_auth()
        base = self.original or HostConfig(url="")
        return HostConfig(
            url=normalize_url(text) if text else "", auth=auth,
            username=self.user.text().strip() if auth in NEEDS_PASSWORD else "",
            name=self.name.text().strip(), ca_file=self.ca_file.text().strip(),
            allow_basic_http=auth is Auth.BASIC and self.allow_basic_http.isChecked(),
            proxy=base.proxy, timeout_s=float(self.timeout.value()), tags=base.tags)

    def check(self) -> list[str]:
        if not self.url.text().strip():
            return ["Type the host's name or its WinRM URL"]
        return self.host().validate()

    def try_accept(self) -> bool:
        problems = self.check()
        self.problems.setText("\n".join(problems))
        if problems:
            return False
        self.accepted_host.emit(self.host(), self.password.text() or None)
        self.accept()
        return True
