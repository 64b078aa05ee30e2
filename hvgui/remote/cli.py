"""``hvgui-cli``: the same engine as the window, for scripts and helpdesk reports.

    hvgui-cli --host hv01 inventory                      # http://hv01:5985/wsman, your Windows logon
    hvgui-cli --host hv01 --user CORP\\admin plan --vm 'web*' --enable "Guest services"
    hvgui-cli apply --vm-id 3f2a... --disable "Time synchronization" --yes   # the saved hosts
    hvgui-cli hosts add hv01 --user CORP\\admin --password-env HV_PW; hvgui-cli doctor hv01

Options go before or after the command. The password comes from the system keyring (saved by
the window or ``hosts add``), ``--password-env VAR`` or a prompt, never from a flag value.
Exit codes: 0 fine, 1 some item or host failed, 2 bad usage or nothing could be done,
3 some changes have an unknown outcome (a host's answer was lost and it could not be read
again: run the same apply again, or ``inventory``, once it answers), 130 interrupted (Ctrl+C:
what was applied and what is unknown is reported first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import getpass
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from hvgui.core import advice, catalog, contract
from hvgui.core.hosts import (
    Auth,
    HostConfig,
    HostsFileError,
    default_hosts_path,
    load_hosts,
    normalize_url,
)
from hvgui.core.model import (
    DISK_OUTCOME_TEXT,
    OUTCOME_TEXT,
    VM,
    ApplyResult,
    Change,
    DiskResult,
    Inventory,
    Outcome,
    ServiceState,
)
from hvgui.core.plan import HostPlan, plan_host, select_vms
from hvgui.remote import scripts
from hvgui.remote.audit import AuditLog, default_audit_path
from hvgui.remote.credentials import KeyringCredentials, MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import HostError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNKNOWN = 3
"""Some changes were sent and their outcome is unknown (the answer was lost, no re-read yet)."""
EXIT_INTERRUPTED = 130
INTERRUPT_GRACE_S = 20.0
"""After Ctrl+C, how long the hosts get to stop their commands and be read again."""


class UsageError(Exception):
    pass


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "host")`` is "1 host", ``plural(2, "host")`` "2 hosts"."""
    return f"{n} {singular if n == 1 else plural_form or singular + 's'}"


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds greater than 0")
    return value


@dataclass(frozen=True)
class GlobalOption:
    flags: tuple[str, ...]
    dest: str
    kwargs: dict[str, Any]


GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
    GlobalOption(("--host",), "host", dict(action="append", metavar="URL", help=(
        "WinRM endpoint (repeatable); a bare name means http://NAME:5985/wsman (--https: https://NAME:5986/wsman). "
        "Without --host, the saved hosts (the window's) are used."))),
    GlobalOption(("--https",), "https", dict(action="store_true", help="bare --host names use HTTPS on port 5986")),
    GlobalOption(("--hosts-file",), "hosts_file", dict(type=Path, help="hosts file (default: the window's)")),
    GlobalOption(("--auth",), "auth", dict(choices=[a.value for a in Auth if a is not Auth.LOCAL], help=(
        "authentication (default negotiate: Kerberos, else NTLM; without --user, your Windows logon)"))),
    GlobalOption(("--user",), "user", dict(help="user name, e.g. CORP\\admin (default with negotiate: your Windows "
                                                "logon, no password)")),
    GlobalOption(("--password-env",), "password_env", dict(metavar="VAR", help=(
        "read the password from this environment variable (default: the system keyring, else a prompt)"))),
    GlobalOption(("--ca-file",), "ca_file", dict(metavar="PEM", help=(
        "CA certificate(s) to trust for HTTPS, besides the system's trust store"))),
    GlobalOption(("--allow-basic-http",), "allow_basic_http", dict(action="store_true", help=(
        "allow Basic authentication over plain HTTP (sends the password in clear; labs only)"))),
    GlobalOption(("--proxy",), "proxy", dict(help="HTTP proxy URL (default: none)")),
    GlobalOption(("--timeout",), "timeout", dict(type=positive_seconds, metavar="S", help=(
        "deadline per command in seconds (default 120)"))),
    GlobalOption(("--audit-log",), "audit_log", dict(type=Path, help=(
        "where every change is recorded (JSON lines; default: hvgui's audit log)"))),
)
_SUB = "sub_"
"""Prefix of the options given after the command (merged by :func:`merge_options`)."""


def add_global_options(p: argparse.ArgumentParser, *, after_command: bool) -> None:
    group = p.add_argument_group("options (before or after the command)")
    for opt in GLOBAL_OPTIONS:
        kwargs = dict(opt.kwargs)
        if after_command:
            kwargs.update(dest=_SUB + opt.dest, default=argparse.SUPPRESS)
        else:
            kwargs.update(dest=opt.dest, default=[] if kwargs.get("action") == "append" else
                          False if kwargs.get("action") == "store_true" else None)
        group.add_argument(*opt.flags, **kwargs)


def merge_options(args: argparse.Namespace) -> argparse.Namespace:
    """Options given after the command count as if given before it (lists add up)."""
    for opt in GLOBAL_OPTIONS:
        late = getattr(args, _SUB + opt.dest, None)
        if late is None:
            continue
        delattr(args, _SUB + opt.dest)
        if isinstance(late, list):
            setattr(args, opt.dest, [*getattr(args, opt.dest), *late])
        elif late is not False:
            setattr(args, opt.dest, late)
    return args


def version_text() -> str:
    try:
        from importlib.metadata import version

        return f"hvgui {version('hvgui')}"
    except Exception:
        return "hvgui (version unknown: not installed)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hvgui-cli", description="Read and change Hyper-V integration services "
                                "on many VMs and hosts over WinRM.")
    p.add_argument("--version", action="version", version=version_text())
    add_global_options(p, after_command=False)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(parent: Any, name: str, text: str) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = parent.add_parser(name, help=text, description=text)
        add_global_options(sp, after_command=True)
        return sp

    def selection(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--vm", action="append", default=[], metavar="PATTERN",
                        help="VM name pattern, shell-style, case-insensitive (repeatable)")
        sp.add_argument("--vm-id", action="append", default=[], metavar="ID", help="VM Id (repeatable)")

    inv = command(sub, "inventory", "list VMs and their integration services")
    selection(inv)
    fmt = inv.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON (the operation contract's shape)")
    fmt.add_argument("--csv", action="store_true", help="CSV, one row per VM and service")
    from hvgui.remote import guest_cli

    guest_cli.add_arguments(inv)

    for name, text in (("plan", "show what apply would change, and the exact scripts"),
                       ("apply", "change integration services (asks for confirmation)")):
        sp = command(sub, name, text)
        selection(sp)
        sp.add_argument("--enable", action="append", default=[], metavar="SERVICE",
                        help="service to enable: English name, Hyper-V Manager label or GUID (repeatable)")
        sp.add_argument("--disable", action="append", default=[], metavar="SERVICE", help="service to disable")
        if name == "apply":
            sp.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    disk = command(sub, "setup-disk", "insert the Integration Services setup disk (vmguest.iso) into VMs "
                                      "of hosts older than Windows Server 2016 (asks for confirmation)")
    selection(disk)
    disk.add_argument("--replace", action="store_true",
                      help="also replace another disk found in a VM's DVD drive (default: leave it, say so)")
    disk.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    guest_cli.add_commands(sub, command, selection)

    doctor = command(sub, "doctor", "check step by step what stands between hvgui and a host (name, port, TLS, "
                                    "logon, rights, PowerShell, Hyper-V module, a read-only inventory), each "
                                    "failure with the command that fixes it")
    doctor.add_argument("target", metavar="HOST", help="a saved host's name, or a URL or bare name (with "
                                                       "--user, --auth...)")
    doctor.add_argument("--json", action="store_true", help="the report as JSON, for a bug report (no secrets)")

    from hvgui.remote import hosts_cli

    hosts = sub.add_parser("hosts", help="list, add, edit, remove, test and trust the saved hosts (shared with "
                                         "the window)", description="The saved hosts, shared with the window.")
    hosts_cli.add_commands(hosts, command)
    return p


def saved_hosts(args: argparse.Namespace) -> tuple[Path, list[HostConfig]]:
    path = args.hosts_file or default_hosts_path()
    try:
        return path, load_hosts(path)
    except HostsFileError as exc:
        raise UsageError(f"{exc}\n(the file is left as it is: fix it, or use --host)") from exc


def resolve_hosts(args: argparse.Namespace) -> list[HostConfig]:
    if args.host:
        auth = Auth(args.auth or Auth.NEGOTIATE.value)
        hosts = [HostConfig(url=normalize_url(h, https=args.https), auth=auth, username=args.user or "")
                 for h in args.host]
    else:
        path, hosts = saved_hosts(args)
        if not hosts:
            raise UsageError(f"no hosts: give --host NAME, or add hosts (hvgui-cli hosts add NAME, or the window's "
                             f"File > Add host...; hosts file {path})")
    out: list[HostConfig] = []
    for h in hosts:
        changes: dict[str, object] = {}
        if args.auth and not args.host:
            changes["auth"] = Auth(args.auth)
        if args.user and not args.host:
            changes["username"] = args.user
        if args.ca_file:
            changes["ca_file"] = args.ca_file
        if args.allow_basic_http:
            changes["allow_basic_http"] = True
        if args.proxy:
            changes["proxy"] = args.proxy
        if args.timeout:
            changes["timeout_s"] = args.timeout
        h = replace(h, **changes)  # type: ignore[arg-type]
        problems = h.validate()
        if problems:
            raise UsageError(f"{h.display_name}: " + "; ".join(problems))
        out.append(h)
    return out


def unmatched_selection(args: argparse.Namespace, inventories: list[Inventory]) -> list[str]:
    """Patterns and Ids that selected nothing: most likely a typo, never silently "0 changes"."""
    missing: list[str] = []
    for pattern in args.vm:
        if not any(select_vms(inv, [pattern], []) for inv in inventories):
            missing.append(f"--vm {pattern!r}")
    for vm_id in args.vm_id:
        if not any(select_vms(inv, [], [vm_id]) for inv in inventories):
            missing.append(f"--vm-id {vm_id}")
    return missing


def warn_about_transport(hosts: list[HostConfig], err: TextIO) -> None:
    for h in hosts:
        if h.auth is Auth.BASIC and not h.is_https:
            err.write(f"WARNING: {h.display_name}: Basic authentication over plain HTTP: the password crosses "
                      "the network in clear (allowed by --allow-basic-http)\n")
        if h.auth is Auth.CREDSSP:
            err.write(f"WARNING: {h.display_name}: CredSSP hands your full credentials to the host; use it only "
                      "for hosts you trust completely\n")


def keyring_passwords() -> KeyringCredentials:
    """The window's password store (the keyring library's usual backend selection)."""
    return KeyringCredentials()


def gather_credentials(hosts: list[HostConfig], args: argparse.Namespace) -> MemoryCredentials:
    """Each host's password: ``--password-env``, else the keyring (saved by the window or
    ``hosts add``), else a prompt (once per user name). Hosts on the current logon need none."""
    creds = MemoryCredentials()
    asked: dict[str, str] = {}
    needing = [h for h in hosts if h.needs_password]
    if not needing:
        return creds
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise UsageError(f"environment variable {args.password_env} is not set")
        for h in needing:
            creds.set(h, value)
        return creds
    store = keyring_passwords()
    try:
        for h in needing:
            saved = store.password(h)
            if saved is not None:
                creds.set(h, saved)
                continue
            if h.username not in asked:
                if not sys.stdin.isatty():
                    raise UsageError(f"no password saved for {h.username!r} on {h.display_name}, and no terminal to "
                                     "ask for it: use --password-env VAR, or save it (hvgui-cli hosts edit NAME "
                                     "--password-env VAR)")
                asked[h.username] = getpass.getpass(f"Password for {h.username} ({h.display_name}): ")
            creds.set(h, asked[h.username])
    finally:
        store.close()
    return creds


def service_targets(enable: list[str], disable: list[str]) -> dict[str, bool]:
    targets: dict[str, bool] = {}
    for names, value in ((enable, True), (disable, False)):
        for n in names:
            try:
                info = catalog.lookup(n)
            except KeyError:
                known = ", ".join(f'"{s.english_name}"' for s in catalog.SERVICES)
                raise UsageError(f"unknown integration service {n!r}; known: {known} (or a GUID)") from None
            if info.guid in targets and targets[info.guid] != value:
                raise UsageError(f"{info.english_name} is both enabled and disabled")
            targets[info.guid] = value
    if not targets:
        raise UsageError("say what to change with --enable SERVICE and/or --disable SERVICE")
    return targets


# ------------------------------------------------------------------------- output

def _cell(svc: ServiceState | None, vm: VM) -> str:
    if vm.error is not None:
        return "unreadable"
    if svc is None:
        return "-"
    status = svc.primary.text if svc.primary else ""
    return ("on" if svc.enabled else "off") + (f" {status}" if status else "")


def guest_os_text(vm: VM) -> str:
    """The guest OS as the host knows it, or why it is unknown, plainly."""
    if vm.guest_os:
        return vm.guest_os
    return "unknown (VM not running)" if vm.is_off else "unknown (Data Exchange off or not answering)"


_MECHANISM_SHORT = {advice.Mechanism.WINDOWS_UPDATE: "Windows Update", advice.Mechanism.SETUP_DISK: "setup disk",
                    advice.Mechanism.PACKAGE_MANAGER: "package manager"}


def _update_cell(a: advice.Advice) -> str:
    text = _MECHANISM_SHORT[a.mechanism] if a.mechanism else "unknown"
    if a.blocked:
        text += " (BLOCKED: Data Exchange off)"
    elif a.note in (advice.Note.REQUIRES_DATA_EXCHANGE,):
        text += " (needs Data Exchange)"
    elif a.note in (advice.Note.NOT_SUPPORTED_ON_HOST, advice.Note.EXTENDED_SUPPORT_ONLY,
                    advice.Note.NO_MAINSTREAM_SUPPORT):
        text += f" ({advice.NOTE_TEXT[a.note]})"
    if a.update_required:
        text = "UPDATE REQUIRED via " + text
    return text


def print_table(results: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]], out: TextIO) -> None:
    headers = ["HOST", "VM", "STATE", "IS VERSION"] + [s.short_label for s in catalog.SERVICES] + [
        "GUEST OS", "UPDATES"]
    rows: list[list[str]] = []
    for h, inv in results:
        for vm in selected[h.key]:
            rows.append([inv.host.name or h.display_name, vm.name.replace("\n", "\\n"), vm.state,
                         vm.is_version or ""] + [_cell(vm.service(s.guid), vm) for s in catalog.SERVICES]
                        + [guest_os_text(vm), _update_cell(advice.advise(inv.host, vm))])
    widths = [max([len(headers[i])] + [len(r[i]) for r in rows]) for i in range(len(headers))]
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


def print_csv(results: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]], out: TextIO,
              sides: dict[str, Any] | None = None) -> None:
    """One row per VM and service; with ``sides`` (``inventory --guest``) the guest side's columns too."""
    w = csv.writer(out)
    guest_cols = ["guest_component", "guest_state", "effective_state", "effective_text"] if sides is not None else []
    w.writerow(["host", "vm_id", "vm_name", "vm_state", "is_version", "is_state", "guest_os", "service_guid",
                "service", "host_service_name", "enabled", "primary_status", "primary_text", "secondary_status",
                "secondary_text", "update_mechanism", "update_note", "update_advice", "needs_attention",
                *guest_cols])
    for h, inv in results:
        for vm in selected[h.key]:
            a = advice.advise(inv.host, vm)
            for s in vm.services:
                w.writerow([inv.host.name or h.display_name, vm.id, vm.name, vm.state, vm.is_version or "",
                            vm.is_state or "", guest_os_text(vm), s.guid, s.label, s.name, s.enabled,
                            s.primary.name if s.primary else "", s.primary.text if s.primary else "",
                            s.secondary.name if s.secondary else "", s.secondary.text if s.secondary else "",
                            a.mechanism.value if a.mechanism else "", a.note.value, a.text, a.needs_attention,
                            *_guest_cells(vm, s, sides)])


def _guest_cells(vm: VM, svc: ServiceState, sides: dict[str, Any] | None) -> list[str]:
    from hvgui.core import guest as g

    if sides is None:
        return []
    side = sides.get(vm.id, (None, ()))[0]
    if not catalog.is_known(svc.guid):
        return ["", "", "", ""]
    e = g.effective(vm, svc, side)
    return [e.component, e.guest, e.state.value, e.text]


def print_plan(h: HostConfig, plan: HostPlan, out: TextIO, *, show_script: bool) -> None:
    name = plan.inventory.host.name or h.display_name
    vms = len({c.vm_id for c in plan.changes})
    out.write(f"== {name} ({h.url}): {len(plan.changes)} changes on {vms} VMs\n")
    for c in plan.changes:
        out.write(f"   {c.vm_name} [{c.vm_id}]  {catalog.display_label(c.service_guid)}: "
                  f"{'on' if c.expected else 'off'} -> {'on' if c.target else 'off'}\n")
    for vm, guid in plan.already:
        svc = vm.service(guid)
        out.write(f"   {vm.name} [{vm.id}]  {catalog.display_label(guid)}: already "
                  f"{'on' if svc is not None and svc.enabled else 'off'}\n")
    for s in plan.skipped:
        out.write(f"   {s.vm.name} [{s.vm.id}]  skipped: {s.reason}\n")
    for vm, warning in plan.warnings:
        out.write(f"   WARNING {vm.name} [{vm.id}]: {warning}\n")
    if show_script and plan.changes:
        request = contract.apply_request(list(plan.changes))
        out.write(f"-- command line: {contract.POWERSHELL_EXE} {' '.join(contract.POWERSHELL_ARGS)} "
                  "-EncodedCommand <bootstrap>\n-- bootstrap:\n")
        out.write(contract.BOOTSTRAP)
        out.write("-- script (stdin):\n")
        out.write(scripts.APPLY)
        out.write("-- payload (stdin, base64 of this JSON):\n")
        out.write(json.dumps(request, indent=2, ensure_ascii=False) + "\n")


@dataclass
class Tally:
    done: int = 0
    """Changed or already in that state (confirmed by the host's answer or a re-read)."""
    failed: int = 0
    """Items the host did not apply (conflict, error, not applied...)."""
    unknown: int = 0
    """Sent, answer lost, not reconciled: they may or may not have been applied."""
    reconciled: int = 0


def print_apply(h: HostConfig, plan: HostPlan, result: ApplyResult, out: TextIO) -> Tally:
    names = {c.vm_id: c.vm_name for c in plan.changes}
    tally = Tally()
    out.write(f"== {plan.inventory.host.name or h.display_name}\n")
    if result.lost:
        if result.unknown:
            out.write(f"   the host's answer was lost ({result.lost}) and it could not be read again: "
                      f"{result.unknown} changes have an unknown outcome\n")
        else:
            out.write(f"   the host's answer was lost ({result.lost}); every change below was reconciled "
                      "from a re-read of the host\n")
    for item in result.items:
        if item.outcome is Outcome.UNKNOWN:
            tally.unknown += 1
        elif item.outcome.ok:
            tally.done += 1
        else:
            tally.failed += 1
        tally.reconciled += item.reconciled
        label = item.outcome.value + (" (re-read)" if item.reconciled else "")
        state = "" if item.enabled is None else f" (now {'on' if item.enabled else 'off'})"
        if item.reconciled:  # the message says what the re-read showed
            text = item.message or OUTCOME_TEXT[item.outcome]
        else:
            text = OUTCOME_TEXT[item.outcome] + (f": {item.message}" if item.message else "")
        out.write(f"   {label:<21} {names.get(item.vm_id, item.vm_id)} [{item.vm_id}]  "
                  f"{catalog.display_label(item.service_guid)}{state}  {text}\n")
    return tally


def print_interrupted(h: HostConfig, plan: HostPlan, out: TextIO) -> int:
    """A host still applying when the user gave up waiting: each change's outcome is unknown."""
    out.write(f"== {plan.inventory.host.name or h.display_name}\n"
              "   interrupted while the host was applying: it did not answer in time after being stopped\n")
    for c in plan.changes:
        out.write(f"   {Outcome.UNKNOWN.value:<21} {c.vm_name} [{c.vm_id}]  {catalog.display_label(c.service_guid)}"
                  f"  {OUTCOME_TEXT[Outcome.UNKNOWN]}\n")
    return len(plan.changes)


# ------------------------------------------------------------------------- main

async def _inventories(engine: Engine, hosts: list[HostConfig]) -> list[Inventory | HostError]:
    async def one(h: HostConfig) -> Inventory | HostError:
        try:
            return await engine.inventory(h)
        except HostError as exc:
            return exc

    return list(await asyncio.gather(*(one(h) for h in hosts)))


async def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    merge_options(args)
    if args.command == "hosts":
        from hvgui.remote import hosts_cli

        return await hosts_cli.run(args, out, err)
    if args.command == "doctor":
        return await run_doctor(args, out, err)
    hosts = resolve_hosts(args)
    targets = service_targets(args.enable, args.disable) if args.command in ("plan", "apply") else {}
    warn_about_transport(hosts, err)
    creds = gather_credentials(hosts, args)
    engine = Engine(creds, audit=AuditLog(args.audit_log or default_audit_path()))
    try:
        failures = 0
        """Hosts that could not be read."""
        good: list[tuple[HostConfig, Inventory]] = []
        for h, res in zip(hosts, await _inventories(engine, hosts), strict=True):
            if isinstance(res, HostError):
                failures += 1
                err.write(f"{res.text}\n")
            else:
                good.append((h, res))
        selected = {h.key: select_vms(inv, args.vm, args.vm_id) for h, inv in good}
        unmatched = unmatched_selection(args, [inv for _, inv in good])
        if unmatched:
            err.write(f"hvgui-cli: matched no VM on any host that answered: {', '.join(unmatched)}\n")
        if args.command == "inventory":
            from hvgui.remote import guest_cli

            sides = await guest_cli.read_all(engine, args, good, selected) if args.guest else {}
            if args.guest and not args.json and not args.csv:
                guest_cli.print_guest_table(good, selected, sides, out)
                return 1 if failures or unmatched else 0
            if args.json:
                doc = []
                for h, inv in good:
                    one = contract.inventory_result(Inventory(inv.host, tuple(selected[h.key]))) | {"url": h.url}
                    for vm_json, vm in zip(one["vms"], selected[h.key], strict=True):
                        vm_json["advice"] = advice.advise(inv.host, vm).as_json()
                        vm_json["guest_os_text"] = guest_os_text(vm)
                    one["has_setup_disk"] = advice.has_setup_disk(inv.host)
                    doc.append(one)
                if args.guest:
                    guest_cli.inventory_json(doc, sides, good, selected)
                out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            elif args.csv:
                print_csv(good, selected, out, sides if args.guest else None)
            else:
                print_table(good, selected, out)
            return 1 if failures or unmatched else 0

        if unmatched and args.command in ("apply", "setup-disk", "guest", "guest-access"):
            # One pattern that matched nothing is most likely a typo: apply none of it.
            err.write("hvgui-cli: nothing was changed: every --vm and --vm-id must match a VM (fix the selection "
                      "and run it again)\n")
            return EXIT_FAILED
        if args.command == "setup-disk":
            return await setup_disk(engine, good, selected, failures, args, out, err)
        if args.command in ("guest", "guest-access"):
            from hvgui.remote import guest_cli

            if args.command == "guest":
                return await guest_cli.guest_command(engine, args, good, selected, failures, out, err)
            return await guest_cli.guest_access(args, good, selected, out, err)

        plans = [(h, plan_host(inv, selected[h.key], targets)) for h, inv in good]
        for h, plan in plans:
            print_plan(h, plan, out, show_script=args.command == "plan")
        unreadable = sum(1 for _, p in plans for sk in p.skipped if sk.failed)
        total = sum(len(p.changes) for _, p in plans)
        vm_count = sum(len({c.vm_id for c in p.changes}) for _, p in plans)
        host_count = sum(1 for _, p in plans if p.changes)
        notes = []
        if failures:
            notes.append(f"{plural(failures, 'host')} could not be read")
        if unreadable:
            notes.append(f"{plural(unreadable, 'VM')} could not be read")
        out.write(f"\n{plural(total, 'change')} on {plural(vm_count, 'VM')} on {plural(host_count, 'host')}"
                  + (f" ({'; '.join(notes)})" if notes else "") + "\n")
        if args.command == "plan" or total == 0:
            return 1 if failures or unreadable or unmatched else 0
        try:
            engine.audit.check()  # an audit log that cannot be written: say so before asking anything
        except HostError as exc:
            raise UsageError(exc.message) from exc
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("refusing to apply without confirmation: add --yes")
            answer = input(f"Apply {total} changes to {vm_count} VMs on {host_count} hosts? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                out.write("Nothing changed.\n")
                return 1
        todo = [(h, p) for h, p in plans if p.changes]
        return await apply_all(engine, todo, failures, out, err, unreadable=unreadable)
    finally:
        engine.close()


async def apply_all(engine: Engine, todo: list[tuple[HostConfig, HostPlan]], failures: int, out: TextIO,
                    err: TextIO, *, unreadable: int = 0) -> int:
    """One batch per host, in parallel; then every item's outcome, and the exit code. Ctrl+C stops
    the hosts' commands, reconciles what they did from a re-read, and reports it."""

    async def one(h: HostConfig, changes: list[Change]) -> ApplyResult | HostError:
        try:
            return await engine.apply(h, changes)
        except HostError as exc:
            return exc

    tasks = [asyncio.ensure_future(one(h, list(p.changes))) for h, p in todo]
    interrupted = False
    try:
        await asyncio.wait(tasks)
    except asyncio.CancelledError:  # Ctrl+C (asyncio.run cancels the main task)
        interrupted = True
        err.write("hvgui-cli: interrupted: stopping the hosts' commands and reading them again to see what was "
                  "applied (Ctrl+C again to quit at once)\n")
        engine.abort()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait(tasks, timeout=INTERRUPT_GRACE_S)
    tally = Tally()
    for (h, p), task in zip(todo, tasks, strict=True):
        if not task.done():
            tally.unknown += print_interrupted(h, p, out)
            continue
        outcome = task.result()
        if isinstance(outcome, HostError):
            failures += 1
            err.write(f"{outcome.text} ({len(p.changes)} changes not applied)\n")
        else:
            t = print_apply(h, p, outcome, out)
            tally.done += t.done
            tally.failed += t.failed
            tally.unknown += t.unknown
            tally.reconciled += t.reconciled
    line = f"\n{tally.done} done, {plural(tally.failed, 'failed item')}, {plural(failures, 'failed host')}"
    if tally.unknown:
        line += f", {tally.unknown} with an unknown outcome (run the same apply again once the host answers)"
    if tally.reconciled:
        line += f"; {tally.reconciled} reconciled from a re-read after a lost answer"
    if unreadable:
        line += f"; {plural(unreadable, 'VM')} could not be read and {'was' if unreadable == 1 else 'were'} left alone"
    out.write(line + "\n")
    if interrupted:
        out.write("Interrupted.\n")
        return EXIT_INTERRUPTED
    if tally.unknown:
        return EXIT_UNKNOWN
    return EXIT_FAILED if failures or tally.failed or unreadable else EXIT_OK


async def setup_disk(engine: Engine, good: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]],
                     failures: int, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Plan, confirm, then one command per host; a result per VM."""
    todo: list[tuple[HostConfig, list[VM]]] = []
    for h, inv in good:
        vms = selected[h.key]
        name = inv.host.name or h.display_name
        if not vms:
            continue
        if not advice.has_setup_disk(inv.host):
            out.write(f"== {name}: not offered: this host is Windows Server 2016 or later and has no setup disk "
                      f"(vmguest.iso); its guests update through Windows Update ({len(vms)} VMs left alone)\n")
            continue
        out.write(f"== {name} ({h.url}): insert vmguest.iso into {len(vms)} VMs\n")
        for vm in vms:
            out.write(f"  {vm.name}  [{vm.id}]\n")
        todo.append((h, vms))
    total = sum(len(v) for _, v in todo)
    out.write(f"\n{plural(total, 'VM')} on {plural(len(todo), 'host')}. Then the guest's administrator installs the "
              "integration "
              "services inside each guest from that disk (this cannot be automated for a running VM).\n")
    if total == 0:
        return 1 if failures else 0
    try:
        engine.audit.check()
    except HostError as exc:
        raise UsageError(exc.message) from exc
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to insert the setup disk without confirmation: add --yes")
        answer = input(f"Insert the setup disk into {total} VMs on {len(todo)} hosts? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            out.write("Nothing changed.\n")
            return 1

    async def one(h: HostConfig, vms: list[VM]) -> tuple[DiskResult, ...] | HostError:
        try:
            return await engine.insert_setup_disk(h, [(v.id, v.name) for v in vms], replace=args.replace)
        except HostError as exc:
            return exc

    results = await asyncio.gather(*(one(h, vms) for h, vms in todo))
    failed = 0
    for (_h, vms), res in zip(todo, results, strict=True):
        if isinstance(res, HostError):
            failures += 1
            err.write(f"{res.text} ({len(vms)} VMs)\n")
            continue
        names = {v.id: v.name for v in vms}
        for r in res:
            failed += 0 if r.outcome.ok else 1
            detail = f": {r.message}" if r.message else ""
            out.write(f"  {names.get(r.vm_id, r.vm_id)}: {DISK_OUTCOME_TEXT[r.outcome]}{detail}\n")
    out.write(f"\n{plural(failed, 'VM')} without the disk, {plural(failures, 'failed host')}\n")
    return EXIT_FAILED if failures or failed else EXIT_OK


async def run_doctor(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``doctor HOST``: a saved host by name, else HOST as a URL or bare name with the options."""
    from hvgui.remote import doctor, hosts_cli

    target = args.target
    try:
        _path, saved = saved_hosts(args) if not args.host else (None, [])
    except UsageError:
        if args.hosts_file:
            raise
        saved = []  # a broken hosts file does not stop checking a URL
    found = hosts_cli.find_host(saved, target)
    if found is not None:
        host = hosts_cli.with_options(found, args)
    else:
        args.host = [target]
        [host] = resolve_hosts(args)
    problems = host.validate()
    if problems:
        raise UsageError(f"{host.display_name}: " + "; ".join(problems))
    warn_about_transport([host], err)
    creds = gather_credentials([host], args)
    loop = asyncio.get_running_loop()

    def progress(step: doctor.Step) -> None:
        if not args.json:
            err.write(f"  {step.title}: {step.status.value}\n")

    report = await loop.run_in_executor(None, lambda: doctor.diagnose(host, creds, on_step=progress))
    if args.json:
        out.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(report.text())
    return EXIT_OK if report.ok else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args, sys.stdout, sys.stderr))
    except UsageError as exc:
        print(f"hvgui-cli: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HostsFileError as exc:
        print(f"hvgui-cli: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hvgui-cli: interrupted; changes already sent may have been applied: run the same command again "
              "(items already done show as such) or see the audit log", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
