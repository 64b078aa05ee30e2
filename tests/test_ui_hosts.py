"""Hosts management in the window: add/edit/remove through the dialog, the hosts file
(never a password in it), a corrupt hosts file left untouched, Basic over HTTP refused."""

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
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from hvgui.core.hosts import Auth, HostConfig, load_hosts
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.ui.app import load_hosts_or_ask
from hvgui.ui.controller import Controller
from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.main_window import MainWindow
from hvgui.ui.state import HostStatus

qloop = ui_helpers.qloop

USER, PASSWORD = "hostsui", "hosts-ui-test-password"


@pytest.fixture
def endpoint() -> Iterator[HostEndpoint]:
    host = HyperVHost("HV-NEW", logins=[Login(USER, PASSWORD)])
    host.add_vm("fresh-vm")
    ep = HostEndpoint(host)
    ep.start()
    yield ep
    ep.stop()


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    creds = MemoryCredentials()
    ctl = Controller(Engine(creds), [], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=tmp_path / "hosts.json", credentials=creds)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    task = asyncio.ensure_future(ctl.close())
    qtbot.waitUntil(task.done, timeout=20_000)


def test_add_host_writes_the_file_without_password_and_reads_the_host(
        window: MainWindow, endpoint: HostEndpoint, qtbot: Any, tmp_path: Path) -> None:
    dlg = window.add_host()
    assert not dlg.isModal()
    dlg.url.setText(endpoint.url)
    dlg.name.setText("New host")
    assert dlg.chosen_auth() is Auth.NEGOTIATE  # the default, as Enter-PSSession
    dlg.user.setText(USER)
    dlg.password.setText(PASSWORD)
    assert dlg.try_accept()
    text = (tmp_path / "hosts.json").read_text(encoding="utf-8")
    assert PASSWORD not in text and "password" not in text.lower()
    [saved] = load_hosts(tmp_path / "hosts.json")
    assert (saved.url, saved.username, saved.name) == (endpoint.url, USER, "New host")
    entry = window.controller.state.hosts[saved.key]
    qtbot.waitUntil(lambda: entry.status is HostStatus.CONNECTED, timeout=20_000)
    assert [v.name for v in entry.vms.values()] == ["fresh-vm"]
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 1)

    window.remove_host(saved.key)
    assert load_hosts(tmp_path / "hosts.json") == []
    assert window.controller.state.hosts == {}


def test_a_bare_name_becomes_a_winrm_url(qtbot: Any) -> None:
    dlg = HostDialog()
    qtbot.addWidget(dlg)  # closed by the test's end, in this thread (never by a late garbage collection)
    dlg.url.setText("hv01.example.com")
    dlg.user.setText("admin")
    # As Windows does (Enter-PSSession): HTTP on 5985, messages encrypted by Negotiate/NTLM.
    assert dlg.host().url == "http://hv01.example.com:5985/wsman"
    assert dlg.check() == []


def test_basic_over_http_is_refused_unless_allowed_for_a_lab(qtbot: Any) -> None:
    dlg = HostDialog()
    qtbot.addWidget(dlg)
    dlg.url.setText("http://lab-hv:5985/wsman")
    dlg.auth.setCurrentIndex(dlg.auth.findData(Auth.BASIC.value))
    dlg.user.setText("admin")
    assert not dlg.try_accept()
    assert "in clear" in dlg.problems.text()
    assert not dlg.allow_basic_http.isHidden()
    dlg.allow_basic_http.setChecked(True)
    got: list[HostConfig] = []
    dlg.accepted_host.connect(lambda cfg, _pw: got.append(cfg))
    assert dlg.try_accept()
    assert got[0].allow_basic_http and got[0].auth is Auth.BASIC


def test_credssp_shows_a_warning(qtbot: Any) -> None:
    dlg = HostDialog()
    qtbot.addWidget(dlg)
    dlg.auth.setCurrentIndex(dlg.auth.findData(Auth.CREDSSP.value))
    assert "credentials" in dlg.auth_warning.text() and not dlg.auth_warning.isHidden()


def test_corrupt_hosts_file_is_reported_and_left_untouched(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "hosts.json"
    path.write_text('{"version": 1, "hosts": [', encoding="utf-8")
    before = path.read_bytes()
    asked: list[str] = []
    assert load_hosts_or_ask(path, lambda msg: asked.append(msg) or False) is None
    assert "not valid JSON" in asked[0]
    hosts, writable = load_hosts_or_ask(path, lambda _msg: True) or ([], True)
    assert hosts == [] and writable is False
    creds = MemoryCredentials()
    ctl = Controller(Engine(creds), [], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=path, hosts_file_writable=False, credentials=creds)
    qtbot.addWidget(w)
    assert "could not be read: it is kept as it is" in w.grid_hint.text()
    w.save_host(None, HostConfig(url="https://hv9.example.test:5986/wsman", username="a"), "pw")
    assert path.read_bytes() == before
    assert "kept" in w.statusBar().currentMessage()
    w.close()
    task = asyncio.ensure_future(ctl.close())
    qtbot.waitUntil(task.done, timeout=20_000)
    assert json.dumps(before.decode()) and path.read_bytes() == before


# ------------------------------------------------------------------ fixing a failing host

def _window_with(qtbot: Any, tmp_path: Path, cfg: HostConfig, creds: MemoryCredentials) -> MainWindow:
    from hvgui.core.hosts import save_hosts

    save_hosts(tmp_path / "hosts.json", [cfg])
    ctl = Controller(Engine(creds), [cfg], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=tmp_path / "hosts.json", credentials=creds, cert_dir=tmp_path / "certs")
    qtbot.addWidget(w)
    w.show()
    return w


def _close(w: MainWindow, qtbot: Any) -> None:
    w.close()
    task = asyncio.ensure_future(w.controller.close())
    qtbot.waitUntil(task.done, timeout=20_000)


def test_wrong_password_then_enter_password_connects(
        qloop: asyncio.AbstractEventLoop, endpoint: HostEndpoint, qtbot: Any, tmp_path: Path) -> None:
    cfg = HostConfig(url=endpoint.url, auth=Auth.NTLM, username=USER, name="HV-NEW", timeout_s=20)
    creds = MemoryCredentials()
    creds.set(cfg, "not-the-password")
    w = _window_with(qtbot, tmp_path, cfg, creds)
    try:
        w.controller.refresh()
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=20_000)
        assert w.host_fix(cfg.key) == ("Enter password…", "password")
        qtbot.waitUntil(lambda: "Enter password" in w.grid_hint.text())
        dlg = w.fix_host(cfg.key)
        assert dlg is not None and not dlg.isModal()
        dlg.password.setText(PASSWORD)  # type: ignore[attr-defined]
        assert dlg.try_accept()  # type: ignore[attr-defined]
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.CONNECTED, timeout=20_000)
        assert w.host_fix(cfg.key) is None
        assert PASSWORD not in (tmp_path / "hosts.json").read_text(encoding="utf-8")
    finally:
        _close(w, qtbot)


def test_untrusted_certificate_then_trust_pins_it_and_connects(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path) -> None:
    host = HyperVHost("HV-TLS", logins=[Login(USER, PASSWORD)])
    host.add_vm("tls-vm")
    ep = HostEndpoint(host, https=True)
    ep.start()
    cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name="HV-TLS", timeout_s=20)
    creds = MemoryCredentials()
    creds.set(cfg, PASSWORD)
    w = _window_with(qtbot, tmp_path, cfg, creds)
    try:
        w.controller.refresh()
        entry = w.controller.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=20_000)
        assert entry.error is not None and entry.error.fingerprint
        assert w.host_fix(cfg.key) == ("Trust this certificate…", "trust")
        dlg = w.fix_host(cfg.key)
        assert dlg is not None
        qtbot.waitUntil(lambda: dlg.trust_button.isEnabled(), timeout=20_000)  # type: ignore[attr-defined]
        assert dlg.fingerprint.text() == entry.error.fingerprint == ep.fingerprint  # type: ignore[attr-defined]
        assert "self-signed" in dlg.chain_text.toPlainText()  # type: ignore[attr-defined]
        assert not dlg.trust_ca_button.isEnabled()  # type: ignore[attr-defined]  # no CA was sent
        assert dlg.confirm()  # type: ignore[attr-defined]
        [saved] = load_hosts(tmp_path / "hosts.json")
        assert saved.cert_pin == ep.fingerprint and not saved.ca_file
        new_entry = w.controller.state.hosts[saved.key]
        qtbot.waitUntil(lambda: new_entry.status is HostStatus.CONNECTED, timeout=20_000)
        assert [v.name for v in new_entry.vms.values()] == ["tls-vm"]
    finally:
        _close(w, qtbot)
        ep.stop()


def test_file_menu_offers_the_audit_log_folder(qloop: asyncio.AbstractEventLoop, qtbot: Any,
                                               tmp_path: Path) -> None:
    from hvgui.remote.audit import AuditLog

    ctl = Controller(Engine(MemoryCredentials(), audit=AuditLog(tmp_path / "audit" / "audit.jsonl")), [],
                     auto_refresh_s=0)
    w = MainWindow(ctl)
    qtbot.addWidget(w)
    assert str(tmp_path / "audit") in w.act_audit.toolTip()
    _close(w, qtbot)


def test_one_password_dialog_at_start_and_in_the_window(qapp: Any, qtbot: Any) -> None:
    """The password asked before the window opens comes from the same dialog the window offers
    when a host refuses its password (app.py no longer has a dialog of its own)."""
    import hvgui.ui.app as app
    from hvgui.ui.fix_dialogs import PasswordDialog

    assert not [name for name, obj in vars(app).items()
                if isinstance(obj, type) and issubclass(obj, QDialog) and obj.__module__ == app.__name__]

    class Creds(MemoryCredentials):
        secure = True

    creds = Creds()
    cfg = HostConfig(url="https://hv7.example.test:5986/wsman", auth=Auth.NTLM, username="CORP\\admin", name="HV7")
    kerberos = HostConfig(url="https://hv8.example.test:5986/wsman", auth=Auth.KERBEROS, name="HV8")
    shown: list[PasswordDialog] = []

    def answer() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, PasswordDialog)
        shown.append(dlg)
        dlg.password.setText("typed-at-start")
        dlg.try_accept()

    QTimer.singleShot(0, answer)
    app.ask_passwords([cfg, kerberos], creds)  # type: ignore[arg-type]
    assert len(shown) == 1  # Kerberos needs no password
    assert creds.password(cfg) == "typed-at-start"


@pytest.mark.parametrize(("host", "expected"), [
    ({"url": "hv01", "timeout_s": "thirty"}, "field 'timeout_s': expected a number of seconds"),
    ({"name": "HV02"}, "field 'url' is missing"),
    ({"url": "ftp://hv03/"}, "field 'url'"),
    ({"url": "hv04", "tags": "lab"}, "field 'tags': expected a list of texts"),
])
def test_a_wrongly_typed_hosts_file_is_explained_at_start_and_kept(
        qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path, host: dict[str, Any], expected: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    from hvgui.ui.app import ask_start_empty

    path = tmp_path / "hosts.json"
    path.write_text(json.dumps({"version": 1, "hosts": [{"url": "http://ok:5985/wsman"}, host]}), encoding="utf-8")
    before = path.read_bytes()
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, answer)
    loaded = load_hosts_or_ask(path, ask_start_empty)
    assert loaded == ([], False)
    assert "host #2" in seen[0] and expected in seen[0] and "kept as it is" in seen[0]
    creds = MemoryCredentials()
    ctl = Controller(Engine(creds), [], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=path, hosts_file_writable=False, credentials=creds)
    qtbot.addWidget(w)
    w.show()
    assert "could not be read: it is kept as it is" in w.grid_hint.text()
    w.close()
    task = asyncio.ensure_future(ctl.close())
    qtbot.waitUntil(task.done, timeout=20_000)
    assert path.read_bytes() == before
