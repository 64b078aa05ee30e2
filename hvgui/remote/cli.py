"""``hvgui-cli``: the same engine as the window, for scripts and helpdesk reports.

    hvgui-cli --host https://hv01:5986/wsman --user CORP\\admin inventory
    hvgui-cli --host ... --user ... plan --vm 'web*' --enable "Guest services"
    hvgui-cli --host ... --user ... apply --vm-id 3f2a... --disable "Time synchronization" --yes

The password comes from a prompt or ``--password-env VAR``, never from a flag value.
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
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

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
from hvgui.remote.credentials import MemoryCredentials
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hvgui-cli", description="Read and change Hyper-V integration services "
                                "on many VMs and hosts over WinRM.")
    p.add_argument("--host", action="append", default=[], metavar="URL",
                   help="WinRM endpoint (repeatable); a bare name means https://NAME:5986/wsman. "
                   "Without --host, the hosts saved by the GUI are used.")
    p.add_argument("--hosts-file", type=Path, default=None, help="hosts file (default: the GUI's)")
    p.add_argument("--auth", choices=[a.value for a in Auth if a is not Auth.LOCAL], default=None,
                   help="authentication (default ntlm for --host)")
    p.add_argument("--user", default=None, help="user name, e.g. CORP\\admin")
    p.add_argument("--password-env", metavar="VAR", default=None,
                   help="read the password from this environment variable instead of prompting")
    p.add_argument("--ca-file", default=None, metavar="PEM", help="CA bundle or certificate to trust for HTTPS")
    p.add_argument("--allow-basic-http", action="store_true",
                   help="allow Basic authentication over plain HTTP (sends the password in clear; labs only)")
    p.add_argument("--proxy", default=None, help="HTTP proxy URL (default: none)")
    p.add_argument("--timeout", type=float, default=None, help="deadline per command in seconds (default 120)")
    p.add_argument("--audit-log", type=Path, default=None,
                   help="where every change is recorded (JSON lines; default: hvgui's audit log)")
    sub = p.add_subparsers(dest="command", required=True)

    def selection(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--vm", action="append", default=[], metavar="PATTERN",
                        help="VM name pattern, shell-style, case-insensitive (repeatable)")
        sp.add_argument("--vm-id", action="append", default=[], metavar="ID", help="VM Id (repeatable)")

    inv = sub.add_parser("inventory", help="list VMs and their integration services")
    selection(inv)
    fmt = inv.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON (the operation contract's shape)")
    fmt.add_argument("--csv", action="store_true", help="CSV, one row per VM and service")

    for name, text in (("plan", "show what apply would change, and the exact scripts"),
                       ("apply", "change integration services (asks for confirmation)")):
        sp = sub.add_parser(name, help=text)
        selection(sp)
        sp.add_argument("--enable", action="append", default=[], metavar="SERVICE",
                        help="service to enable: English name, Hyper-V Manager label or GUID (repeatable)")
        sp.add_argument("--disable", action="append", default=[], metavar="SERVICE", help="service to disable")
        if name == "apply":
            sp.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    disk = sub.add_parser("setup-disk", help="insert the Integration Services setup disk (vmguest.iso) into VMs "
                                             "of hosts older than Windows Server 2016 (asks for confirmation)")
    selection(disk)
    disk.add_argument("--replace", action="store_true",
                      help="also replace another disk found in a VM's DVD drive (default: leave it, say so)")
    disk.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


def resolve_hosts(args: argparse.Namespace) -> list[HostConfig]:
    if args.host:
        auth = Auth(args.auth or "ntlm")
        hosts = [HostConfig(url=normalize_url(h), auth=auth, username=args.user or "") for h in args.host]
    else:
        path = args.hosts_file or default_hosts_path()
        try:
            hosts = load_hosts(path)
        except HostsFileError as exc:
            raise UsageError(str(exc)) from exc
        if not hosts:
            raise UsageError(f"no hosts: give --host URL, or add hosts in the GUI (hosts file {path})")
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


def gather_credentials(hosts: list[HostConfig], args: argparse.Namespace) -> MemoryCredentials:
    creds = MemoryCredentials()
    asked: dict[str, str] = {}
    for h in hosts:
        if h.auth in (Auth.KERBEROS, Auth.LOCAL):
            continue
        if args.password_env:
            value = os.environ.get(args.password_env)
            if value is None:
                raise UsageError(f"environment variable {args.password_env} is not set")
            creds.set(h, value)
            continue
        if h.username not in asked:
            if not sys.stdin.isatty():
                raise UsageError("no terminal to ask for the password: use --password-env VAR")
            asked[h.username] = getpass.getpass(f"Password for {h.username}: ")
        creds.set(h, asked[h.username])
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


def print_csv(results: list[tuple[HostConfig, Inventory]], selected: dict[str, list[VM]], out: TextIO) -> None:
    w = csv.writer(out)
    w.writerow(["host", "vm_id", "vm_name", "vm_state", "is_version", "is_state", "guest_os", "service_guid",
                "service", "host_service_name", "enabled", "primary_status", "primary_text", "secondary_status",
                "secondary_text", "update_mechanism", "update_note", "update_advice", "needs_attention"])
    for h, inv in results:
        for vm in selected[h.key]:
            a = advice.advise(inv.host, vm)
            for s in vm.services:
                w.writerow([inv.host.name or h.display_name, vm.id, vm.name, vm.state, vm.is_version or "",
                            vm.is_state or "", guest_os_text(vm), s.guid, s.label, s.name, s.enabled,
                            s.primary.name if s.primary else "", s.primary.text if s.primary else "",
                            s.secondary.name if s.secondary else "", s.secondary.text if s.secondary else "",
                            a.mechanism.value if a.mechanism else "", a.note.value, a.text, a.needs_attention])


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
    hosts = resolve_hosts(args)
    targets = service_targets(args.enable, args.disable) if args.command in ("plan", "apply") else {}
    warn_about_transport(hosts, err)
    creds = gather_credentials(hosts, args)
    engine = Engine(creds, audit=AuditLog(args.audit_log or default_audit_path()))
    try:
        failures = 0
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
            failures += 1
            err.write(f"hvgui-cli: matched no VM on any host that answered: {', '.join(unmatched)}\n")
        if args.command == "inventory":
            if args.json:
                doc = []
                for h, inv in good:
                    one = contract.inventory_result(Inventory(inv.host, tuple(selected[h.key]))) | {"url": h.url}
                    for vm_json, vm in zip(one["vms"], selected[h.key], strict=True):
                        vm_json["advice"] = advice.advise(inv.host, vm).as_json()
                        vm_json["guest_os_text"] = guest_os_text(vm)
                    one["has_setup_disk"] = advice.has_setup_disk(inv.host)
                    doc.append(one)
                out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            elif args.csv:
                print_csv(good, selected, out)
            else:
                print_table(good, selected, out)
            return 1 if failures else 0

        if args.command == "setup-disk":
            return await setup_disk(engine, good, selected, failures, args, out, err)

        plans = [(h, plan_host(inv, selected[h.key], targets)) for h, inv in good]
        for h, plan in plans:
            print_plan(h, plan, out, show_script=args.command == "plan")
        unreadable = sum(1 for _, p in plans for sk in p.skipped if sk.failed)
        failures += 1 if unreadable else 0
        total = sum(len(p.changes) for _, p in plans)
        vm_count = sum(len({c.vm_id for c in p.changes}) for _, p in plans)
        host_count = sum(1 for _, p in plans if p.changes)
        out.write(f"\n{total} changes on {vm_count} VMs on {host_count} hosts")
        out.write(f" ({failures} hosts could not be read)\n" if failures else "\n")
        if args.command == "plan" or total == 0:
            return 1 if failures else 0
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
        return await apply_all(engine, todo, failures, out, err)
    finally:
        engine.close()


async def apply_all(engine: Engine, todo: list[tuple[HostConfig, HostPlan]], failures: int, out: TextIO,
                    err: TextIO) -> int:
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
    line = f"\n{tally.done} done, {tally.failed} failed items, {failures} failed hosts"
    if tally.unknown:
        line += f", {tally.unknown} with an unknown outcome (run the same apply again once the host answers)"
    if tally.reconciled:
        line += f"; {tally.reconciled} reconciled from a re-read after a lost answer"
    out.write(line + "\n")
    if interrupted:
        out.write("Interrupted.\n")
        return EXIT_INTERRUPTED
    if tally.unknown:
        return EXIT_UNKNOWN
    return EXIT_FAILED if failures or tally.failed else EXIT_OK


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
    out.write(f"\n{total} VMs on {len(todo)} hosts. Then the guest's administrator installs the integration "
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
    out.write(f"\n{failed} VMs without the disk, {failures} failed hosts\n")
    return EXIT_FAILED if failures or failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args, sys.stdout, sys.stderr))
    except UsageError as exc:
        print(f"hvgui-cli: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hvgui-cli: interrupted; changes already sent may have been applied: run the same command again "
              "(items already done show as such) or see the audit log", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
