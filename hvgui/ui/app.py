"""``hvgui``: the window, on a qasync event loop.

- ``--demo``: start the built-in simulated fleet in-process on loopback, with a random
  password added as an extra admin login (never written anywhere), and connect to every host
  over WinRM with NTLM. The fleet stops when the window closes.
- ``--screenshot FILE``: save a PNG of the window once the first refresh has finished, exit 0.
- ``--self-test``: the demo end to end without a person (:mod:`hvgui.ui.selftest`), offscreen
  unless ``QT_QPA_PLATFORM`` says otherwise; exit 0, or 1 and what failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# PySide6 before qasync, so qasync binds to it.
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import qasync  # isort: skip

from hvgui.core.hosts import Auth, HostConfig, HostsFileError, default_hosts_path, load_hosts
from hvgui.remote.audit import default_audit_path
from hvgui.remote.cli import version_text
from hvgui.remote.credentials import KeyringCredentials, MemoryCredentials
from hvgui.remote.worker import ProcessEngine
from hvgui.ui import crash, gui_gc, i18n, look
from hvgui.ui.controller import Controller
from hvgui.ui.fix_dialogs import PasswordDialog
from hvgui.ui.main_window import MainWindow
from hvgui.ui.selftest import self_test_window
from hvgui.ui.settings import Settings

log = logging.getLogger("hvgui")
DEMO_USER = "hvgui-demo"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hvgui", description="See and change Hyper-V integration services "
                                "on many VMs and hosts at once.")
    p.add_argument("--version", action="version", version=version_text())
    p.add_argument("--demo", action="store_true",
                   help="start the built-in simulated fleet on loopback and connect to it")
    p.add_argument("--read-only", action="store_true", help="helpdesk mode: nothing can be ticked or applied")
    p.add_argument("--screenshot", type=Path, metavar="FILE",
                   help="save a PNG of the window after the first refresh, then exit")
    p.add_argument("--size", type=_size, metavar="WxH",
                   help="open the window at this size, e.g. 1366x768 (with --screenshot: pictures for the docs)")
    p.add_argument("--lang", choices=("fr", "en"), default=None,
                   help="the window's language (default: the system's; French for any French locale, else English)")
    p.add_argument("--self-test", action="store_true",
                   help="run the demo end to end without a person (offscreen): start the simulated fleet, "
                   "connect, refresh, change a service on two VMs, apply, re-read, check; exit 0 or say what "
                   "failed")
    p.add_argument("--self-test-report", type=Path, metavar="FILE",
                   help="with --self-test: also write its report to FILE (a windowed build has no console)")
    p.add_argument("--hosts-file", type=Path, metavar="PATH", help="hosts file (default: %(default)s)",
                   default=None)
    p.add_argument("--settings-file", type=Path, metavar="PATH", help=argparse.SUPPRESS, default=None)
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1366x768") from None
    if w < 320 or h < 240:
        raise argparse.ArgumentTypeError(f"{text} is too small")
    return w, h


@dataclass
class Demo:
    """The in-process simulated fleet of ``--demo``."""

    fleet: Any
    hosts: list[HostConfig] = field(default_factory=list)
    credentials: MemoryCredentials = field(default_factory=MemoryCredentials)
    guests: Any = None
    """The Linux guests' SSH servers (:class:`hvgui.simulator.sshguest.GuestSSH`)."""
    directory: Any = None
    """How the demo's guests are reached (:class:`hvgui.remote.guests.GuestDirectory`), in memory."""

    @classmethod
    def start(cls) -> Demo:
        from hvgui.simulator.fleet import load_fleet
        from hvgui.simulator.interfaces import Login
        from hvgui.simulator.server import SimulatorFleet

        password = secrets.token_urlsafe(24)  # only in this process's memory
        login = Login(DEMO_USER, password, admin=True)
        hosts: list[Any] = list(load_fleet())
        from hvgui.simulator.fleet import fill_guest_passwords

        fill_guest_passwords(hosts)  # random guest passwords, in memory only
        fleet = SimulatorFleet(hosts, extra_logins=[login])
        fleet.start()
        demo = cls(fleet)
        for ep in fleet.endpoints:
            cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=DEMO_USER, name=ep.host.name)
            demo.credentials.set(cfg, password)
            demo.hosts.append(cfg)
        demo._start_guests(hosts)
        return demo

    def _start_guests(self, hosts: list[Any]) -> None:
        """The demo's guests are readable out of the box: a Windows guest through PowerShell Direct, Linux
        guests over real SSH on loopback, whose host keys the demo pins itself (it started them)."""
        import tempfile

        from hvgui.core import guest as g
        from hvgui.remote.credentials import guest_key
        from hvgui.remote.guests import GuestDirectory
        from hvgui.remote.ssh import KnownHosts
        from hvgui.simulator.sshguest import GuestSSH

        self.guests = GuestSSH(hosts)
        self.guests.start()
        known = KnownHosts(Path(tempfile.mkdtemp(prefix="hvgui-demo-ssh-")) / "known_hosts")
        self.directory = GuestDirectory(known_hosts=known)
        for h in hosts:
            for vm in h.vms:
                if vm.guest_user and vm.guest_password:
                    self.directory.access[vm.id] = g.GuestAccess(vm.id, windows_user=vm.guest_user)
                    self.credentials.set_secret(guest_key(vm.id, vm.guest_user), vm.guest_password)
        for ep in self.guests.endpoints:
            vm = ep.host.vm(ep.vm_id)
            if vm is None or not vm.ssh_user or not vm.ssh_password:
                continue
            target = g.SshTarget(vm.id, "127.0.0.1", vm.ssh_user, ep.port)
            known.trust(target, ep.public_key)
            self.directory.access[vm.id] = g.GuestAccess(vm.id, ssh=target)
            self.credentials.set_secret(guest_key(vm.id, vm.ssh_user), vm.ssh_password)

    def stop(self) -> None:
        if self.guests is not None:
            self.guests.stop()
        if self.directory is not None and self.directory.known_hosts is not None:
            import shutil

            shutil.rmtree(self.directory.known_hosts.path.parent, ignore_errors=True)
        self.fleet.stop()


def attach_guest_side(window: MainWindow, creds: Any, demo: Demo | None, hosts_path: Path | None) -> None:
    """The guest side (details, grid marker, report, the bar under the details). Its host commands
    (PowerShell Direct) go through the window's engine: the same worker process, the same
    connection and kept-alive PowerShell per host, the same audit log."""
    from hvgui.core import guest as g
    from hvgui.remote.guests import GuestDirectory
    from hvgui.remote.ssh import KnownHosts
    from hvgui.ui import guest_side

    engine = window.controller.engine
    if demo is not None:
        guest_side.attach(window, engine, demo.credentials, demo.directory)
        return
    base = hosts_path or default_hosts_path()
    try:
        access = g.load_guests(g.guests_path(base))
    except ValueError as exc:
        log.warning("guests file: %s", exc)
        access = {}
    directory = GuestDirectory(access, KnownHosts(base.parent / "known_hosts"))
    guest_side.attach(window, engine, creds, directory, save_path=g.guests_path(base))


def ask_passwords(hosts: list[HostConfig], creds: KeyringCredentials) -> None:
    """Asked before the event loop runs (never from inside an async slot), with the same
    dialog the window offers when a host refuses a password."""
    for h in hosts:
        if h.needs_password and creds.password(h) is None:
            dlg = PasswordDialog(h, f"{h.auth.value.upper()} login to {h.display_name} ({h.url})",
                                 secure_store=creds.secure)
            dlg.entered.connect(lambda password, host=h: creds.set(host, password))
            dlg.exec()


def ask_start_empty(message: str) -> bool:
    """Asked before the event loop runs: a corrupt hosts file is kept, never overwritten."""
    box = QMessageBox(QMessageBox.Icon.Warning, i18n.tr("Hosts file"),
                      message + "\n\n" + i18n.tr("The file is kept as it is. Start with an empty list? Hosts you "
                                                  "add in this session are not saved until the file is fixed."))
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Close)
    return box.exec() == QMessageBox.StandardButton.Yes


def load_hosts_or_ask(path: Path, ask: Callable[[str], bool]) -> tuple[list[HostConfig], bool] | None:
    """``(hosts, writable)``; a corrupt file gives ``([], False)`` if the user agrees to start
    empty (the file is left untouched), else None (quit)."""
    try:
        return load_hosts(path), True
    except HostsFileError as exc:
        log.warning("hosts file: %s", exc)
        return ([], False) if ask(str(exc)) else None


def save_screenshot(window: MainWindow, path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path), "PNG")
    log.info("screenshot %s: %s", "saved to" if ok else "could not be saved to", path)
    return bool(ok)


async def run_window(args: argparse.Namespace, window: MainWindow, controller: Controller) -> int:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    rc = 0
    if args.screenshot is not None:
        def shoot() -> None:
            nonlocal rc
            if controller.refresh_rounds != 1:
                return
            # Let the views lay out and paint the data that just arrived.
            def later() -> None:
                nonlocal rc
                rc = 0 if save_screenshot(window, args.screenshot) else 1
                window.close()
            QTimer.singleShot(300, later)
        controller.refreshFinished.connect(shoot)
    if args.size is not None:
        window.setWindowState(Qt.WindowState.WindowNoState)
        screen = window.screen()
        corner = screen.availableGeometry().topLeft() if screen is not None else QPoint(0, 0)
        window.setGeometry(QRect(corner, QSize(*args.size)))
    window.show()
    controller.refresh()
    controller.start_auto_refresh()
    await closed.wait()
    await controller.close()
    return rc


def say(text: str) -> None:
    """To the console when there is one (a windowed build has none: ``sys.stderr`` is None)."""
    if sys.stderr is not None:
        print(text, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the engine's worker process, in a PyInstaller build
    args = parse_args(argv)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        args.demo = True
        args.screenshot = None
        with tempfile.TemporaryDirectory(prefix="hvgui-self-test-") as tmp:
            return run(args, scratch=Path(tmp))
    return run(args)


def run(args: argparse.Namespace, scratch: Path | None = None) -> int:
    """``scratch``: a folder for the audit log and the settings (the self-test touches nothing of the user's)."""
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "hvgui"])
    assert isinstance(app, QApplication)
    # Before any worker thread starts: only the GUI thread may free a Qt object in a reference cycle.
    gui_gc.install(app)
    app.setApplicationName("hvgui")
    app.setWindowIcon(look.app_icon())
    i18n.install(app, args.lang)
    app.setQuitOnLastWindowClosed(False)  # the loop ends when the window's task ends
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    crash.install(loop)

    settings_path = scratch / "gui-settings.json" if scratch else args.settings_file or Settings.default_path()
    audit_path = scratch / "audit.jsonl" if scratch else default_audit_path()
    settings = Settings.load(settings_path)
    demo: Demo | None = None
    engine: ProcessEngine | None = None
    path: Path | None = None
    writable = True
    try:
        if args.demo:
            demo = Demo.start()
            hosts, creds = demo.hosts, demo.credentials
            say(f"Demo fleet: {len(hosts)} simulated hosts on loopback")
        else:
            path = args.hosts_file or default_hosts_path()
            # --screenshot runs unattended: start empty (the file is kept all the same).
            loaded = load_hosts_or_ask(path, ask_start_empty if args.screenshot is None else lambda _m: True)
            if loaded is None:
                return 1
            hosts, writable = loaded
            keyring_creds = KeyringCredentials()
            if args.screenshot is None:
                ask_passwords(hosts, keyring_creds)
            creds = keyring_creds  # type: ignore[assignment]
        # The engine runs in a worker process: its CPU work never holds this process's GIL,
        # so the GUI thread does not stall while many hosts answer at once.
        engine = ProcessEngine(creds, audit_path=audit_path)
        read_only = args.read_only or settings.read_only
        controller = Controller(engine, hosts, read_only=read_only, auto_refresh_s=settings.auto_refresh_s)
        window = MainWindow(controller, settings, settings_path=settings_path, read_only_forced=args.read_only,
                            hosts_file=None if args.demo else path, hosts_file_writable=writable,
                            credentials=creds)
        attach_guest_side(window, creds, demo, path)
        with loop:
            if args.self_test:
                assert demo is not None
                report = loop.run_until_complete(self_test_window(window, controller, fleet=demo.fleet,
                                                                  audit_path=audit_path))
                say(report.text())
                if args.self_test_report is not None:
                    args.self_test_report.write_text(report.text() + "\n", encoding="utf-8")
                return 0 if report.ok else 1
            rc: int = loop.run_until_complete(run_window(args, window, controller))
            return rc
    finally:
        if engine is not None:
            # Changes already sent run to their end and are audited before we exit (the
            # window is gone by now); reads were cancelled.
            engine.close(wait=True)
        if demo is not None:
            demo.stop()


if __name__ == "__main__":
    raise SystemExit(main())
