"""Connecting from the window as a domain admin does: bare names on HTTP 5985 with Negotiate,
single sign-on without a password, HTTPS only when chosen; a certificate chain to look at,
trusting the issuing CA or pinning the host's own certificate; a pinned host re-keyed is refused
like SSH's changed host key until the new certificate is checked; *Test connection* and
*Check step by step* run the same checks as ``hvgui-cli doctor``, over real WinRM."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ui_helpers
from PySide6.QtWidgets import QApplication

from hvgui.core.hosts import Auth, HostConfig, load_hosts, save_hosts
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.doctor import Report, Status
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.simulator.tls import TestCA
from hvgui.ui.controller import Controller
from hvgui.ui.doctor_dialog import DoctorDialog
from hvgui.ui.fix_dialogs import TrustDialog
from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.host_error_dialog import HostErrorDialog
from hvgui.ui.main_window import MainWindow
from hvgui.ui.state import HostStatus

qloop = ui_helpers.qloop

USER, PASSWORD = "connectui", "connect-ui-test-password"


def _host(name: str) -> HyperVHost:
    host = HyperVHost(name, logins=[Login(USER, PASSWORD)])
    host.add_vm(f"{name.lower()}-vm")
    return host


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path / "pki")


def _window(qtbot: Any, tmp_path: Path, cfg: HostConfig, creds: MemoryCredentials) -> MainWindow:
    save_hosts(tmp_path / "hosts.json", [cfg])
    ctl = Controller(Engine(creds), [cfg], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=tmp_path / "hosts.json", credentials=creds, cert_dir=tmp_path / "certs")
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def close_later(qtbot: Any) -> Iterator[list[MainWindow]]:
    windows: list[MainWindow] = []
    yield windows
    for w in windows:
        w.close()
        task = asyncio.ensure_future(w.controller.close())
        qtbot.waitUntil(task.done, timeout=20_000)


# ------------------------------------------------------------------ the host dialog

def test_a_bare_name_is_http_5985_with_negotiate_and_single_sign_on(qapp: Any) -> None:
    dlg = HostDialog()
    assert dlg.chosen_auth() is Auth.NEGOTIATE
    dlg.url.setText("hv01.corp.example")
    assert dlg.resolved.text() == "http://hv01.corp.example:5985/wsman"
    assert not dlg.password.isEnabled() and "your Windows logon" in dlg.sso_hint.text()
    cfg = dlg.host()
    assert cfg.url == "http://hv01.corp.example:5985/wsman" and cfg.single_sign_on and not cfg.needs_password
    dlg.https.setChecked(True)
    assert dlg.host().url == "https://hv01.corp.example:5986/wsman"
    dlg.user.setText(r"CORP\admin")  # an explicit account: its password is asked
    assert dlg.password.isEnabled() and dlg.host().username == r"CORP\admin" and dlg.host().needs_password
    dlg.url.setText("https://hv02:5986/wsman")  # an explicit scheme wins: never a silent HTTP
    assert not dlg.https.isEnabled() and dlg.https.isChecked()
    dlg.url.setText("http://hv03:5985/wsman")
    assert not dlg.https.isChecked() and dlg.host().url == "http://hv03:5985/wsman"


def test_editing_a_host_keeps_its_pin_unless_the_url_changes(qapp: Any) -> None:
    pin = ":".join(["AB"] * 32)
    dlg = HostDialog(HostConfig(url="https://hv01:5986/wsman", cert_pin=pin))
    assert dlg.https.isChecked() and dlg.host().cert_pin == pin
    dlg.url.setText("https://hv01-new:5986/wsman")
    assert dlg.host().cert_pin == ""


def test_test_connection_checks_the_settings_as_typed(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path, close_later: list[MainWindow]) -> None:
    ep = HostEndpoint(_host("HV-TEST"))
    ep.start()
    try:
        creds = MemoryCredentials()
        ctl = Controller(Engine(creds), [], auto_refresh_s=0)
        w = MainWindow(ctl, hosts_file=tmp_path / "hosts.json", credentials=creds)
        qtbot.addWidget(w)
        close_later.append(w)
        dlg = w.hosts.add_host()
        dlg.url.setText(ep.url)
        dlg.user.setText(USER)
        dlg.password.setText("a-wrong-password")
        assert dlg.test_connection()
        doctor, report = _doctor_report(qtbot)
        failed = report.failed
        assert failed is not None and failed.id == "logon" and "password" in (failed.detail + failed.fix).lower()
        assert "a-wrong-password" not in doctor.text.toPlainText()
        assert not (tmp_path / "hosts.json").exists(), "a test saves nothing"
        doctor.close()
        dlg.password.setText(PASSWORD)
        assert dlg.test_connection()
        doctor, report = _doctor_report(qtbot)
        assert report.ok, report.text()
        assert "every check passed" in doctor.status.text()
        doctor.copy_json.click()
        copied = json.loads(QApplication.clipboard().text())
        assert PASSWORD not in json.dumps(copied) and copied["steps"]
        doctor.close()
    finally:
        ep.stop()


def _doctor_report(qtbot: Any) -> tuple[DoctorDialog, Report]:
    """The check dialog just opened, once its report is in."""
    dialogs = [d for d in QApplication.topLevelWidgets() if isinstance(d, DoctorDialog) and d.isVisible()]
    assert dialogs, "no check dialog was opened"
    doctor = dialogs[-1]
    with qtbot.waitSignal(doctor.finishedReport, timeout=30_000) as blocker:
        pass
    report = blocker.args[0]
    assert isinstance(report, Report)
    return doctor, report


def test_check_step_by_step_from_a_failed_host(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path, close_later: list[MainWindow]) -> None:
    host = _host("HV-NOMOD")
    host.hyperv_module = False
    ep = HostEndpoint(host)
    ep.start()
    try:
        cfg = HostConfig(url=ep.url, username=USER, timeout_s=20)
        creds = MemoryCredentials()
        creds.set(cfg, PASSWORD)
        w = _window(qtbot, tmp_path, cfg, creds)
        close_later.append(w)
        w.controller.refresh()
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=20_000)
        diag = w.diagnose_host(cfg.key)
        assert isinstance(diag, HostErrorDialog)
        diag.checkRequested.emit(cfg.key)
        doctor, report = _doctor_report(qtbot)
        assert report.step("logon").status is Status.PASSED
        failed = report.failed
        assert failed is not None and failed.id == "hyperv_module"
        assert "Install-WindowsFeature Hyper-V-PowerShell" in failed.fix
        assert "Install-WindowsFeature Hyper-V-PowerShell" in doctor.status.text()
        doctor.close()
    finally:
        ep.stop()


# ------------------------------------------------------------------ certificates

def test_trusting_the_issuing_ca_saves_it_as_the_hosts_ca_file(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path, ca: TestCA,
        close_later: list[MainWindow]) -> None:
    ep = HostEndpoint(_host("HV-PKI"), https=True, ca=ca)
    ep.start()
    try:
        cfg = HostConfig(url=ep.url, username=USER, name="HV-PKI", timeout_s=20)
        creds = MemoryCredentials()
        creds.set(cfg, PASSWORD)
        w = _window(qtbot, tmp_path, cfg, creds)
        close_later.append(w)
        w.controller.refresh()
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=20_000)
        assert entry.error is not None and entry.error.kind is ErrorKind.TLS_UNTRUSTED
        dlg = w.fix_host(cfg.key)
        assert isinstance(dlg, TrustDialog)
        qtbot.waitUntil(dlg.trust_ca_button.isEnabled, timeout=20_000)
        chain = dlg.chain_text.toPlainText()
        assert "hvgui Test CA" in chain and "[1] CA" in chain and "Valid:" in chain and "SHA-256:" in chain
        ca_info = dlg.issuing_ca
        assert ca_info is not None and "CN=hvgui Test CA" in ca_info.subject
        assert dlg.confirm_ca()
        [saved] = load_hosts(tmp_path / "hosts.json")
        assert saved.ca_file and not saved.cert_pin
        assert Path(saved.ca_file).read_bytes().strip() == ca.cert_path.read_bytes().strip()
        new_entry = w.controller.state.hosts[saved.key]
        qtbot.waitUntil(lambda: new_entry.status is HostStatus.CONNECTED, timeout=20_000)
        # The CA, not the certificate, is trusted: a renewed certificate from it is accepted as is.
        ep.rekey()
        w.controller.refresh([saved.key], restart=True)
        qtbot.waitUntil(lambda: new_entry.refreshing, timeout=20_000)
        qtbot.waitUntil(lambda: not new_entry.refreshing, timeout=20_000)
        assert new_entry.status is HostStatus.CONNECTED, new_entry.error
    finally:
        ep.stop()


def test_a_pinned_host_presenting_another_certificate_is_refused_until_checked(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path, close_later: list[MainWindow]) -> None:
    ep = HostEndpoint(_host("HV-PIN"), https=True)
    ep.start()
    try:
        assert ep.fingerprint is not None
        cfg = HostConfig(url=ep.url, username=USER, name="HV-PIN", timeout_s=20, cert_pin=ep.fingerprint)
        creds = MemoryCredentials()
        creds.set(cfg, PASSWORD)
        w = _window(qtbot, tmp_path, cfg, creds)
        close_later.append(w)
        w.controller.refresh()
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.CONNECTED, timeout=20_000)
        new_fp = ep.rekey()
        requests_before = ep.stats.requests
        w.controller.refresh([cfg.key], restart=True)
        qtbot.waitUntil(lambda: entry.error is not None, timeout=20_000)
        assert entry.error is not None and entry.error.kind is ErrorKind.CERT_CHANGED
        assert ep.stats.requests == requests_before, "nothing was sent to a host with another certificate"
        assert w.host_fix(cfg.key) == ("Check the new certificate…", "trust")
        dlg = w.fix_host(cfg.key)
        assert isinstance(dlg, TrustDialog)
        qtbot.waitUntil(dlg.trust_button.isEnabled, timeout=20_000)
        assert "ANOTHER certificate" in dlg.windowTitle()
        assert "another certificate than the one you trusted" in dlg.changed.text() and dlg.changed.isVisibleTo(dlg)
        assert dlg.fingerprint.text() == new_fp and "Accept the new" in dlg.trust_button.text()
        assert dlg.confirm()
        [saved] = load_hosts(tmp_path / "hosts.json")
        assert saved.cert_pin == new_fp
        new_entry = w.controller.state.hosts[saved.key]
        qtbot.waitUntil(lambda: new_entry.status is HostStatus.CONNECTED, timeout=20_000)
    finally:
        ep.stop()
