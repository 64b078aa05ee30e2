"""Add or edit one host: URL, name, authentication, user, password, CA file, timeout; and
*Test connection*, which checks the settings as typed step by step before anything is saved.

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
from hvgui.ui.i18n import QT_TR_NOOP, tr

AUTH_CHOICES: tuple[tuple[Auth, str], ...] = (
    (Auth.NEGOTIATE, QT_TR_NOOP("Negotiate: Kerberos, else NTLM (as Enter-PSSession)")),
    (Auth.KERBEROS, QT_TR_NOOP("Kerberos only")),
    (Auth.NTLM, QT_TR_NOOP("NTLM (user and password)")),
    (Auth.CREDSSP, QT_TR_NOOP("CredSSP (hands your credentials to the host)")),
    (Auth.BASIC, QT_TR_NOOP("Basic (user and password; HTTPS only)")),
)
NEEDS_PASSWORD = (Auth.NTLM, Auth.BASIC, Auth.CREDSSP)
SINGLE_SIGN_ON = (Auth.NEGOTIATE, Auth.KERBEROS)
"""A user name is optional: without one, the current Windows logon is used (no password)."""


class HostDialog(QDialog):
    accepted_host = Signal(object, object)
    """``(HostConfig, password or None)``; None: keep the stored password."""
    testRequested = Signal(object, object)
    """``(HostConfig as typed, password typed or None)``: check it step by step."""

    def __init__(self, host: HostConfig | None = None, *, secure_store: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = host
        self.setWindowTitle(tr("Edit host") if host else tr("Add host"))
        form = QFormLayout(self)
        self.url = QLineEdit(host.url if host else "")
        self.url.setPlaceholderText(tr("hv01.example.com, or https://hv01:5986/wsman"))
        form.addRow(tr("Host or URL:"), self.url)
        self.https = QCheckBox(tr("HTTPS (port 5986)"))
        self.https.setToolTip(tr("A bare name means http://NAME:5985/wsman, the listener Enable-PSRemoting "
                              "creates (Negotiate encrypts every message). Tick for the HTTPS listener "
                              "(winrm quickconfig -transport:https). An https:// URL is always HTTPS: "
                              "never a silent fallback to HTTP."))
        self.https.setChecked(bool(host and host.is_https))
        form.addRow("", self.https)
        self.resolved = QLabel()
        self.resolved.setEnabled(False)  # a hint, greyed: the URL that will be used
        form.addRow("", self.resolved)
        self.name = QLineEdit(host.name if host else "")
        self.name.setPlaceholderText(tr("optional display name"))
        form.addRow(tr("Display name:"), self.name)
        self.auth = QComboBox()
        for auth, text in AUTH_CHOICES:
            self.auth.addItem(tr(text), auth.value)
        if host is not None:
            self.auth.setCurrentIndex(max(0, self.auth.findData(host.auth.value)))
        form.addRow(tr("Authentication:"), self.auth)
        self.auth_warning = QLabel()
        self.auth_warning.setWordWrap(True)
        self.auth_warning.setStyleSheet(f"color: {look.RED}")
        form.addRow(self.auth_warning)
        self.allow_basic_http = QCheckBox(tr("Allow Basic over HTTP (lab only, password in clear)"))
        self.allow_basic_http.setChecked(bool(host and host.allow_basic_http))
        form.addRow(self.allow_basic_http)
        self.user = QLineEdit(host.username if host else "")
        self.user.setPlaceholderText(tr(r"DOMAIN\user or user@domain"))
        form.addRow(tr("User:"), self.user)
        self.sso_hint = QLabel()
        self.sso_hint.setWordWrap(True)
        form.addRow("", self.sso_hint)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("leave empty to keep the stored one") if host else "")
        form.addRow(tr("Password:"), self.password)
        if not secure_store:
            note = QLabel(tr("No secure password store on this machine: the password is kept for this "
                          "session only."))
            note.setWordWrap(True)
            form.addRow(note)
        self.ca_file = QLineEdit(host.ca_file if host else "")
        self.ca_file.setPlaceholderText(tr("PEM certificate or bundle to trust (HTTPS)"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.ca_file)
        row.addWidget(browse)
        form.addRow(tr("CA file:"), row)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(5, 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(host.timeout_s if host else 120.0)
        form.addRow(tr("Command timeout:"), self.timeout)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {look.RED}")
        form.addRow(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton(tr("&Test connection"))
        self.test_button.setToolTip(tr("Check these settings step by step (name, port, TLS, logon, rights, "
                                    "PowerShell, Hyper-V module, a read-only inventory) before saving"))
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.auth.currentIndexChanged.connect(self._auth_changed)
        self.url.textChanged.connect(self._auth_changed)
        self.user.textChanged.connect(self._auth_changed)
        self.https.toggled.connect(self._auth_changed)
        self._auth_changed()

    def _browse(self) -> None:
        dlg = QFileDialog(self, tr("Certificate to trust"), "",
                          tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        dlg.fileSelected.connect(self.ca_file.setText)
        dlg.open()

    def _auth_changed(self) -> None:
        auth = self.chosen_auth()
        sso = auth in SINGLE_SIGN_ON
        self.user.setEnabled(auth in NEEDS_PASSWORD or sso)
        self.password.setEnabled(auth in NEEDS_PASSWORD or (sso and bool(self.user.text().strip())))
        if sso:
            self.user.setPlaceholderText(tr(r"empty: your Windows logon; or DOMAIN\user"))
            self.sso_hint.setText(tr("Single sign-on: with no user, hvgui logs on as you (your Windows logon), "
                                  "no password asked or stored.") if not self.user.text().strip() else
                                  tr("Logs on as this user with the password below."))
        else:
            self.user.setPlaceholderText(tr(r"DOMAIN\user or user@domain"))
            self.sso_hint.setText("")
        self.sso_hint.setVisible(bool(self.sso_hint.text()))
        text = self.url.text().strip()
        explicit = "://" in text
        self.https.setEnabled(not explicit)
        if explicit:
            self.https.setChecked(text.lower().startswith("https://"))
        self.resolved.setText(normalize_url(text, https=self.https.isChecked()) if text else "")
        self.allow_basic_http.setVisible(auth is Auth.BASIC)
        if auth is Auth.CREDSSP:
            self.auth_warning.setText(tr("CredSSP hands your full credentials to the host: choose it only for "
                                      "hosts you trust as much as your own workstation."))
        elif auth is Auth.BASIC:
            self.auth_warning.setText(tr("Basic sends the password with every request: use it over HTTPS."))
        else:
            self.auth_warning.setText("")
        self.auth_warning.setVisible(bool(self.auth_warning.text()))

    def chosen_auth(self) -> Auth:
        # The combo box hands the enum back as its plain string value.
        try:
            return Auth(str(self.auth.currentData()))
        except ValueError:
            return Auth.NEGOTIATE

    def host(self) -> HostConfig:
        """The host as typed (a bare name becomes http://NAME:5985/wsman, or HTTPS 5986 when ticked)."""
        text = self.url.text().strip()
        auth = self.chosen_auth()
        base = self.original or HostConfig(url="")
        url = normalize_url(text, https=self.https.isChecked()) if text else ""
        return HostConfig(
            url=url, auth=auth,
            username=self.user.text().strip() if auth in NEEDS_PASSWORD + SINGLE_SIGN_ON else "",
            name=self.name.text().strip(), ca_file=self.ca_file.text().strip(),
            allow_basic_http=auth is Auth.BASIC and self.allow_basic_http.isChecked(),
            proxy=base.proxy, timeout_s=float(self.timeout.value()), tags=base.tags,
            # A pin belongs to the host's certificate: kept while the URL stays the same.
            cert_pin=base.cert_pin if base.url == url else "")

    def check(self) -> list[str]:
        if not self.url.text().strip():
            return ["Type the host's name or its WinRM URL"]
        return self.host().validate()

    def test_connection(self) -> bool:
        """Ask for a step-by-step check of the settings as typed (nothing is saved)."""
        problems = self.check()
        self.problems.setText("\n".join(problems))
        if problems:
            return False
        self.testRequested.emit(self.host(), self.password.text() or None)
        return True

    def try_accept(self) -> bool:
        problems = self.check()
        self.problems.setText("\n".join(problems))
        if problems:
            return False
        self.accepted_host.emit(self.host(), self.password.text() or None)
        self.accept()
        return True
