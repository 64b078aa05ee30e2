"""``hvgui-sim``: serve a fleet of simulated Hyper-V hosts over WinRM until Ctrl+C.

hvgui-sim [--fleet FILE] [--https [--ca]] [--user U [--password P]] [--port FIRST_PORT] [--listen ADDR]
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import SimulatorFleet, is_loopback

PASSWORD_ENV = "HVGUI_SIM_PASSWORD"
DEMO_USER = "hvgui-demo"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hvgui-sim",
        description="Serve simulated Hyper-V hosts over a real WinRM endpoint (one port per host).",
    )
    p.add_argument("--fleet", type=Path, help="fleet file (TOML); default: the built-in demo fleet")
    p.add_argument("--https", action="store_true", help="serve HTTPS with a self-signed certificate per host")
    p.add_argument("--ca", action="store_true",
                   help="with --https: certificates issued by a new test CA (as a company's CA issues them); its "
                   "certificate's path is printed, to trust as a CA file or in the system's trust store")
    p.add_argument("--user", help="an extra administrator login accepted by every host")
    p.add_argument(
        "--password",
        help=f"password of --user (default: ${PASSWORD_ENV}, else asked on the terminal)",
    )
    p.add_argument(
        "--port", type=int, default=0, help="port of the first host, the next ones follow (default: free ports)"
    )
    p.add_argument(
        "--listen",
        default="127.0.0.1",
        metavar="ADDR",
        help="address to bind (default 127.0.0.1); anything but loopback exposes the simulator to the network",
    )
    p.add_argument("--realistic", action="store_true",
                   help="every host costs what a real one does: powershell.exe start, Hyper-V module load, "
                        "per VM and per change, a guest answering late")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log requests (-vv: debug)")
    return p


def _demo_login() -> Login:
    """A random administrator login for hosts that have none (the demo fleet has no passwords).
    The password goes to a file only the current user can read; it is never printed."""
    password = secrets.token_urlsafe(15)
    directory = Path(tempfile.mkdtemp(prefix="hvgui-sim-"))
    path = directory / "password.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")
    print(
        f"hvgui-sim: no --user given: hosts without logins accept {DEMO_USER!r}; its password is in {path}",
        file=sys.stderr,
    )
    return Login(DEMO_USER, password, admin=True)


def _write_guest_passwords(hosts: list[HyperVHost], generated: dict[str, str]) -> None:
    """Random guest passwords of the fleet's guests without one (the demo's): to a file only the
    current user can read, never printed."""
    directory = Path(tempfile.mkdtemp(prefix="hvgui-sim-guests-"))
    path = directory / "guest-passwords.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for h in hosts:
            for vm in h.vms:
                if vm.id in generated:
                    fh.write(f"{h.name}\t{vm.name}\t{vm.id}\t{vm.guest_user or vm.ssh_user}\t{generated[vm.id]}\n")
    print(f"hvgui-sim: guest logins (PowerShell Direct, SSH) and their passwords are in {path}", file=sys.stderr)


def main(argv: list[str] | None = None, *, stop: threading.Event | None = None) -> int:
    """Run the CLI; ``stop`` (for tests) ends serving like Ctrl+C does."""
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.password is not None and not args.user:
        print("hvgui-sim: --password needs --user", file=sys.stderr)
        return 2
    extra: list[Login] = []
    if args.user:
        password = args.password or os.environ.get(PASSWORD_ENV)
        if password is None:
            try:
                password = getpass.getpass(f"Password for {args.user}: ")
            except (EOFError, KeyboardInterrupt):
                print("\nhvgui-sim: no password given", file=sys.stderr)
                return 2
        extra.append(Login(args.user, password, admin=True))
    if not 0 <= args.port <= 65535:
        print("hvgui-sim: --port must be 0..65535", file=sys.stderr)
        return 2
    if not is_loopback(args.listen):
        print(
            f"hvgui-sim: WARNING: listening on {args.listen}: other machines can reach these simulated hosts"
            + ("" if args.https else " and Basic logins cross the network in clear text"),
            file=sys.stderr,
        )

    from hvgui.simulator.fleet import load_fleet

    try:
        hosts = load_fleet(args.fleet)
    except (OSError, ValueError) as exc:
        print(f"hvgui-sim: cannot load the fleet: {exc}", file=sys.stderr)
        return 1
    if args.realistic:
        from hvgui.simulator.hyperv import Costs

        for host in hosts:
            host.costs = Costs.realistic()
    if any(not host.logins for host in hosts) and not extra:
        extra.append(_demo_login())
    ca = None
    if args.ca:
        if not args.https:
            print("hvgui-sim: --ca needs --https", file=sys.stderr)
            return 2
        import tempfile

        from hvgui.simulator.tls import TestCA

        ca = TestCA(Path(tempfile.mkdtemp(prefix="hvgui-sim-ca-")))
        print(f"hvgui-sim: test CA certificate: {ca.cert_path}", file=sys.stderr, flush=True)
    fleet = SimulatorFleet(list(hosts), https=args.https, first_port=args.port, bind=args.listen, extra_logins=extra,
                           ca=ca)
    from hvgui.simulator.fleet import fill_guest_passwords
    from hvgui.simulator.sshguest import GuestSSH

    generated = fill_guest_passwords(list(hosts))
    guests = GuestSSH(list(hosts), bind=args.listen)
    try:
        fleet.start()
        guests.start()
    except OSError as exc:
        fleet.stop()
        print(f"hvgui-sim: cannot listen: {exc}", file=sys.stderr)
        return 1
    if generated:
        _write_guest_passwords(hosts, generated)

    stop_event = stop or threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():

        def on_term(signum: int, frame: FrameType | None) -> None:
            stop_event.set()

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        for ep in fleet.endpoints:
            line = f"{ep.host.name} {ep.url}"
            if ep.https:
                line += f" sha256={ep.fingerprint} cert={ep.cert_path}"
            print(line, flush=True)
        for g in guests.endpoints:
            vm = g.host.vm(g.vm_id)
            user = vm.ssh_user if vm is not None else "?"
            print(f"  guest {g.host.name}/{g.vm_name} {g.vm_id} ssh://{user}@{args.listen}:{g.port} "
                  f"{g.fingerprint}", flush=True)
        users = sorted({login.user for ep in fleet.endpoints for login in ep.logins})
        print(
            f"hvgui-sim: {len(fleet.endpoints)} host(s) serving; logins: {', '.join(users) or '(none)'}. "
            "Press Ctrl+C to stop.",
            file=sys.stderr,
            flush=True,
        )
        while not stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        guests.stop()
        fleet.stop()
        if ca is not None:
            import shutil

            shutil.rmtree(ca.directory, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("hvgui-sim: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
