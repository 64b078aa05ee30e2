"""``hvgui-cli`` inside the guest: ``inventory --guest`` (the effective state), ``guest`` (start, stop,
restart a guest service or daemon, set a Windows guest service's start type: plan, confirm, apply,
audit) and ``guest-access`` (how to reach a guest: its Windows user, or its SSH target; the password
to the keyring; the SSH host key pinned once compared)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from hvgui.core import catalog
from hvgui.core import guest as g
from hvgui.core.hosts import HostConfig, default_hosts_path
from hvgui.core.model import VM, Inventory
from hvgui.remote import ssh
from hvgui.remote.credentials import KeyringCredentials, MemoryCredentials, guest_key
from hvgui.remote.engine import Engine
from hvgui.remote.guests import GuestAnswer, GuestDirectory, action_for, family, read_guests


def add_arguments(inv: argparse.ArgumentParser) -> None:
    inv.add_argument("--guest", action="store_true", help="also read inside the guests (PowerShell Direct for "
                     "Windows, SSH for Linux) and show each service's effective state")
    inv.add_argument("--guest-password-env", metavar="VAR", help="the guests' password for this run (default: "
                     "the keyring, saved by the window or guest-access)")


def add_commands(sub: Any, command: Any, selection: Any) -> None:
    gp = command(sub, "guest", "start, stop or restart a guest service or daemon, or set a Windows guest "
                               "service's start type (asks for confirmation)")
    selection(gp)
    for verb in ("start", "stop", "restart"):
        gp.add_argument(f"--{verb}", action="append", default=[], metavar="SERVICE",
                        help=f"{verb} this guest service (vmickvpexchange, a daemon: kvp, hv_kvp_daemon, or the "
                             "host's name: 'Data Exchange')")
    gp.add_argument("--start-type", action="append", default=[], metavar="SERVICE=TYPE",
                    help="set a Windows guest service's start type (Automatic, Manual, Disabled)")
    gp.add_argument("--guest-password-env", metavar="VAR", help="the guests' password for this run")
    gp.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    ga = command(sub, "guest-access", "how to reach a VM's guest: --windows-user, or --ssh ADDRESS[:PORT] "
                                      "--ssh-user; the password from --password-env goes to the keyring")
    selection(ga)
    ga.add_argument("--windows-user", help="the Windows guest's administrator (PowerShell Direct)")
    ga.add_argument("--ssh", metavar="ADDRESS[:PORT]", help="the Linux guest's SSH address")
    ga.add_argument("--ssh-user", help="the Linux guest's SSH user (its password is also its sudo password)")
    ga.add_argument("--ssh-key", metavar="FILE", help="a private key file instead of the password (no passphrase)")
    ga.add_argument("--guest-password-env", metavar="VAR", help="read the guest's password from this variable")
    ga.add_argument("--trust", metavar="FINGERPRINT", help="pin the guest's SSH host key, once you compared this "
                                                            "SHA256:... fingerprint with the guest's own")
    ga.add_argument("--show-key", action="store_true", help="print the SSH host key's fingerprint the guest "
                                                             "presents now (nothing is trusted)")


class Secrets:
    """This run's guest password (``--guest-password-env``), else the keyring."""

    def __init__(self, keyring: KeyringCredentials, session: MemoryCredentials) -> None:
        self._keyring = keyring
        self._session = session

    def secret(self, key: str) -> str | None:
        found = self._session.secret(key)
        return found if found is not None else self._keyring.secret(key)

    def close(self) -> None:
        self._keyring.close()


def directory_for(args: argparse.Namespace) -> tuple[Path, GuestDirectory]:
    hosts_path = args.hosts_file or default_hosts_path()
    path = g.guests_path(hosts_path)
    return path, GuestDirectory(g.load_guests(path), ssh.KnownHosts(hosts_path.parent / "known_hosts"))


def _secrets(args: argparse.Namespace, directory: GuestDirectory, vms: list[VM]) -> Secrets:
    session = MemoryCredentials()
    var = getattr(args, "guest_password_env", None)
    if var:
        value = os.environ.get(var)
        if value is None:
            from hvgui.remote.cli import UsageError

            raise UsageError(f"--guest-password-env {var}: the variable is not set")
        for vm in vms:
            a = directory.get(vm.id)
            for user in (a.windows_user if a else None, a.ssh.user if a and a.ssh else None):
                if user:
                    session.set_secret(guest_key(vm.id, user), value)
    return Secrets(KeyringCredentials(), session)


async def read_all(engine: Engine, args: argparse.Namespace, good: list[tuple[HostConfig, Inventory]],
                   selected: dict[str, list[VM]],
                   actions: dict[str, list[g.GuestAction]] | None = None) -> dict[str, GuestAnswer]:
    _path, directory = directory_for(args)
    secrets = _secrets(args, directory, [vm for vms in selected.values() for vm in vms])
    try:
        parts = await asyncio.gather(*(read_guests(engine, secrets, directory, h, inv, selected[h.key], actions)
                                       for h, inv in good if selected[h.key]))
    finally:
        secrets.close()
    out: dict[str, GuestAnswer] = {}
    for p in parts:
        out.update(p)
    return out


def side_json(side: g.GuestSide) -> dict[str, Any]:
    return {"family": side.family, "readable": side.readable, "problem": side.problem.value if side.problem else None,
            "reason": side.reason, "is_version": side.is_version, "hv_utils": side.hv_utils,
            "services": [{"name": s.name, "display_name": s.display_name, "status": s.status,
                          "start_type": s.start_type} for s in side.services],
            "daemons": [{"key": d.key, "name": d.name, "unit": d.unit, "present": d.present, "running": d.running}
                        for d in side.daemons]}


def print_guest_table(good: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]],
                      sides: dict[str, GuestAnswer], out: TextIO) -> int:
    """Per VM: the guest side in a line, then each service's host side, guest side and effective state.
    Returns how many services need a look (stopped, disabled or missing in the guest)."""
    problems = 0
    for h, inv in good:
        for vm in selected[h.key]:
            side = sides.get(vm.id, (None, ()))[0]
            head = f"== {vm.name} on {inv.host.name or h.display_name} [{vm.id}]"
            if side is None or not side.readable:
                out.write(f"{head}: guest side unknown: {side.reason if side else 'not read'}\n")
            elif side.family == g.WINDOWS:
                out.write(f"{head}: Windows guest, IntegrationServicesVersion {side.is_version or '(none)'}\n")
            else:
                out.write(f"{head}: Linux guest, hv_utils {'loaded' if side.hv_utils else 'NOT loaded'}\n")
            for s in catalog.SERVICES:
                svc = vm.service(s.guid)
                if svc is None:
                    continue
                e = g.effective(vm, svc, side)
                problems += 1 if e.problem else 0
                host_side = "enabled" if svc.enabled else "disabled"
                if svc.primary is not None:
                    host_side += f", {svc.primary.text}"
                out.write(f"   {s.label:<28} host: {host_side:<24} guest: {e.component} {e.guest}"
                          f"  => {e.text}\n")
                if e.problem:
                    out.write(f"      {e.advice}\n")
            if side is not None and side.readable and side.family == g.WINDOWS:
                extra = [x for x in side.services if x.name in g.GUEST_ONLY_SERVICES]
                for x in extra:
                    out.write(f"   {x.display_name:<28} guest: {x.name} {x.status} (start type: {x.start_type})\n")
    return problems


def inventory_json(doc: list[dict[str, Any]], sides: dict[str, GuestAnswer],
                   good: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]]) -> None:
    by_id = {vm.id: vm for _, vms in selected.items() for vm in vms}
    for host_doc in doc:
        for vm_json in host_doc["vms"]:
            vm = by_id.get(vm_json["id"])
            side = sides.get(vm_json["id"], (None, ()))[0]
            if vm is None or side is None:
                continue
            vm_json["guest"] = side_json(side)
            for s_json in vm_json["services"]:
                svc = vm.service(s_json["guid"])
                if svc is not None:
                    e = g.effective(vm, svc, side)
                    s_json["effective"] = {"state": e.state.value, "text": e.text, "guest_component": e.component,
                                           "guest": e.guest, "advice": e.advice}


def _parse_actions(args: argparse.Namespace, vm: VM, kind: str | None) -> list[g.GuestAction]:
    out: list[g.GuestAction] = []
    for spec in args.start_type:
        name, _, start_type = spec.partition("=")
        wanted = next((t for t in g.START_TYPES if t.casefold() == start_type.strip().casefold()), None)
        if wanted is None:
            raise ValueError(f"--start-type {spec!r}: the type must be one of {', '.join(g.START_TYPES)}")
        out.append(action_for(vm, name, g.GuestActionKind.START_TYPE, wanted, family=kind))
    # Start types first: a service set to Manual can then be started in the same run.
    for verb in ("start", "stop", "restart"):
        for name in getattr(args, verb):
            out.append(action_for(vm, name, g.GuestActionKind(verb), family=kind))
    return out


async def guest_command(engine: Engine, args: argparse.Namespace, good: list[tuple[HostConfig, Inventory]],
                        selected: dict[str, list[VM]], failures: int, out: TextIO, err: TextIO) -> int:
    """Plan (with the seed's warning), confirm, apply: one host command per host for Windows guests,
    SSH for Linux guests; a result per item; audited ahead."""
    from hvgui.remote.cli import EXIT_FAILED, EXIT_OK, UsageError, plural

    actions: dict[str, list[g.GuestAction]] = {}
    _path, directory = directory_for(args)
    for _h, _inv in good:
        for vm in selected[_h.key]:
            try:
                todo = _parse_actions(args, vm, family(vm, directory))
            except ValueError as exc:
                raise UsageError(f"{vm.name}: {exc}") from exc
            if todo:
                actions[vm.id] = todo
    total = sum(len(a) for a in actions.values())
    if total == 0:
        raise UsageError("nothing to do: give --start, --stop, --restart or --start-type, and --vm")
    out.write(f"WARNING: {g.WARNING}\n\n")
    for h, inv in good:
        for vm in selected[h.key]:
            for a in actions.get(vm.id, []):
                out.write(f"   {vm.name} on {inv.host.name or h.display_name} [{vm.id}]: {a.describe()}\n")
    out.write(f"\n{plural(total, 'change')} in {plural(len(actions), 'guest')}\n")
    try:
        engine.audit.check()
    except Exception as exc:
        raise UsageError(str(exc)) from exc
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to change guest services without confirmation: add --yes")
        answer = input(f"Make {total} changes inside {len(actions)} guests? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            out.write("Nothing changed.\n")
            return EXIT_FAILED
    sides = await read_all(engine, args, good, {k: [v for v in vms if v.id in actions] for k, vms in selected.items()},
                           actions)
    failed = 0
    for h, _inv in good:
        for vm in selected[h.key]:
            if vm.id not in actions:
                continue
            side, results = sides.get(vm.id, (None, ()))
            for r in results:
                failed += 0 if r.outcome.ok else 1
                out.write(f"   {vm.name}: {r.action.describe()}: {r.outcome.value}"
                          + (f": {r.message}" if r.message else "") + "\n")
            if side is not None and not side.readable:
                out.write(f"   {vm.name}: guest side unknown: {side.reason}\n")
    out.write(f"\n{plural(failed, 'failed item')}, {plural(failures, 'failed host')}\n")
    return EXIT_FAILED if failed or failures else EXIT_OK


async def guest_access(args: argparse.Namespace, good: list[tuple[HostConfig, Inventory]],
                       selected: dict[str, list[VM]], out: TextIO, err: TextIO) -> int:
    from hvgui.remote.cli import EXIT_OK, UsageError

    path, directory = directory_for(args)
    vms = [vm for _, inv in good for vm in selected.get(_host_key(good, inv), [])]
    if len(vms) != 1:
        raise UsageError(f"guest-access applies to exactly one VM ({len(vms)} selected): use --vm-id")
    vm = vms[0]
    current = directory.get(vm.id) or g.GuestAccess(vm.id)
    target = current.ssh
    if args.ssh:
        address, _, port = args.ssh.rpartition(":") if args.ssh.count(":") == 1 else (args.ssh, "", "22")
        if not args.ssh_user and target is None:
            raise UsageError("--ssh needs --ssh-user")
        target = g.SshTarget(vm.id, address or args.ssh, args.ssh_user or (target.user if target else ""),
                             int(port or 22), args.ssh_key or (target.key_file if target else None))
    access = g.GuestAccess(vm.id, args.windows_user or current.windows_user, target)
    directory.access[vm.id] = access
    g.save_guests(path, directory.access)
    out.write(f"{vm.name}: " + (f"Windows user {access.windows_user}" if access.windows_user else "")
              + (f"; SSH {access.ssh.url}" if access.ssh else "") + f" (saved in {path})\n")
    if args.guest_password_env:
        value = os.environ.get(args.guest_password_env)
        if value is None:
            raise UsageError(f"--guest-password-env {args.guest_password_env}: the variable is not set")
        user = access.windows_user if family(vm, directory) == g.WINDOWS else (access.ssh.user if access.ssh
                                                                                 else None)
        if not user:
            raise UsageError("give --windows-user or --ssh-user first")
        keyring = KeyringCredentials()
        problem = keyring.set_secret(guest_key(vm.id, user), value).result()
        keyring.close()
        out.write("password saved in the system keyring\n" if problem is None else f"password not saved: {problem}\n")
    if (args.trust or args.show_key) and access.ssh is not None and directory.known_hosts is not None:
        key = await ssh.fetch_host_key(access.ssh)
        print_fp = ssh.fingerprint_of(key)
        if args.show_key:
            out.write(f"{access.ssh.host_id} presents {print_fp}\n")
        if args.trust:
            await ssh.trust_host_key(access.ssh, directory.known_hosts, args.trust.strip())
            out.write(f"{access.ssh.host_id}: host key {print_fp} trusted\n")
    return EXIT_OK


def _host_key(good: list[tuple[HostConfig, Inventory]], inv: Inventory) -> str:
    return next(h.key for h, i in good if i is inv)


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)
