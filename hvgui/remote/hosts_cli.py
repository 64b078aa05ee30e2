"""``hvgui-cli hosts ...``: the saved hosts, the very file and keyring the window uses.

    hvgui-cli hosts add hv01 [--url URL] [--auth A] [--user U] [--password-env VAR] [--https] ...
    hvgui-cli hosts edit hv01 [--url URL] [--rename NEW] [--user U] [--password-env VAR] ...
    hvgui-cli hosts list [--json]
    hvgui-cli hosts remove hv01
    hvgui-cli hosts test hv01 [--json]                    # the same check as `doctor`
    hvgui-cli hosts trust hv01 [--ca] [--fingerprint SHA256]

A hosts file that cannot be read is never written: fix it first (the error says where).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from hvgui.core.hosts import (
    AUTH_TEXT,
    Auth,
    HostConfig,
    normalize_fingerprint,
    normalize_url,
    save_hosts,
)
from hvgui.remote import trust
from hvgui.remote.credentials import KeyringCredentials

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_commands(hosts: argparse.ArgumentParser,
                 command: Callable[[Any, str, str], argparse.ArgumentParser]) -> None:
    sub = hosts.add_subparsers(dest="hosts_command", required=True, metavar="ACTION")
    add = command(sub, "add", "save a host (URL default: http://NAME:5985/wsman; --https: https://NAME:5986/wsman)")
    add.add_argument("name", metavar="NAME", help="the host's name as hvgui shows it")
    add.add_argument("--url", help="WinRM URL or host name to connect to (default: NAME)")
    edit = command(sub, "edit", "change a saved host (only what is given; --user '' means your Windows logon)")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--url", help="new WinRM URL or host name")
    edit.add_argument("--rename", metavar="NEW", help="new display name")
    lst = command(sub, "list", "the saved hosts and whether a password is saved for them")
    lst.add_argument("--json", action="store_true")
    remove = command(sub, "remove", "forget a host and its saved password")
    remove.add_argument("name", metavar="NAME")
    test = command(sub, "test", "check a saved host step by step (as hvgui-cli doctor)")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--json", action="store_true", help="the report as JSON (no secrets)")
    tr = command(sub, "trust", "show the certificate chain a host presents and trust this host's certificate "
                               "(pinned: exactly this one) or, with --ca, the CA that issued it")
    tr.add_argument("name", metavar="NAME")
    tr.add_argument("--ca", action="store_true", help="trust the issuing CA (saved as the host's CA file) instead "
                                                     "of pinning the host's own certificate")
    tr.add_argument("--fingerprint", metavar="SHA256", help="the SHA-256 you checked on the host: trusted only if "
                                                           "the presented certificate has it (no question asked)")


def find_host(hosts: list[HostConfig], target: str) -> HostConfig | None:
    """A saved host by its name (any case), its URL, or the name or URL it was saved from."""
    t = target.strip()
    for h in hosts:
        if t.casefold() in (h.name.casefold(), h.display_name.casefold()) or t == h.url:
            return h
    for https in (False, True):
        url = normalize_url(t, https=https)
        for h in hosts:
            if h.url.casefold() == url.casefold():
                return h
    return None


def with_options(h: HostConfig, args: argparse.Namespace) -> HostConfig:
    """A saved host with this run's options on top (not saved)."""
    changes: dict[str, Any] = {}
    if args.auth:
        changes["auth"] = Auth(args.auth)
    if args.user is not None:
        changes["username"] = args.user
    if args.ca_file:
        changes["ca_file"] = args.ca_file
    if args.allow_basic_http:
        changes["allow_basic_http"] = True
    if args.proxy:
        changes["proxy"] = args.proxy
    if args.timeout:
        changes["timeout_s"] = args.timeout
    return replace(h, **changes)


class _Out:
    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err

    def say(self, text: str) -> None:
        self.out.write(text + "\n")

    def warn(self, text: str) -> None:
        self.err.write(f"hvgui-cli: {text}\n")


async def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from hvgui.remote.cli import UsageError, saved_hosts

    if args.host:
        raise UsageError("hosts commands work on the saved hosts: give the host's name, not --host")
    path, hosts = saved_hosts(args)  # a broken file stops here, untouched
    io = _Out(out, err)
    action = args.hosts_command
    if action == "list":
        return _list(hosts, args, io)
    if action == "add":
        return _add(path, hosts, args, io)
    found = find_host(hosts, args.name)
    if found is None:
        known = ", ".join(h.display_name for h in hosts) or "none yet"
        raise UsageError(f"no saved host named {args.name!r} (saved: {known}; hvgui-cli hosts add NAME)")
    if action == "edit":
        return _edit(path, hosts, found, args, io)
    if action == "remove":
        return _remove(path, hosts, found, io)
    if action == "test":
        from hvgui.remote.cli import run_doctor

        args.target = found.name or found.url
        return await run_doctor(args, out, err)
    if action == "trust":
        return await _trust(path, hosts, found, args, io)
    raise UsageError(f"unknown action {action!r}")


def _password_from_env(args: argparse.Namespace) -> str | None:
    from hvgui.remote.cli import UsageError

    if not args.password_env:
        return None
    value = os.environ.get(args.password_env)
    if value is None:
        raise UsageError(f"environment variable {args.password_env} is not set")
    return value


def _check(host: HostConfig) -> None:
    from hvgui.remote.cli import UsageError

    problems = host.validate()
    if problems:
        raise UsageError(f"{host.display_name}: " + "; ".join(problems) + " (nothing was saved)")


def _describe(h: HostConfig) -> str:
    who = h.username or "your Windows logon"
    tls = ""
    if h.is_https:
        tls = ", pinned certificate" if h.cert_pin else (f", CA file {h.ca_file}" if h.ca_file else "")
    return f"{h.display_name}: {h.url}, {AUTH_TEXT[h.auth]} as {who}{tls}"


def _save_password(store: KeyringCredentials, host: HostConfig, password: str, io: _Out) -> bool:
    problem = store.save(host, password)
    if problem is not None:
        io.warn(f"{host.display_name}: the password was NOT saved: {problem}. Give --password-env VAR each time, "
                "or try again once the keyring works.")
        return False
    io.say(f"Password saved in the system keyring ({store.backend_name}).")
    return True


def _add(path: Path, hosts: list[HostConfig], args: argparse.Namespace, io: _Out) -> int:
    from hvgui.remote.cli import UsageError

    name = args.name.strip()
    if not name:
        raise UsageError("the host needs a name")
    if any(h.display_name.casefold() == name.casefold() or h.name.casefold() == name.casefold() for h in hosts):
        raise UsageError(f"a host named {name!r} is saved already: hvgui-cli hosts edit {name} ...")
    url = normalize_url(args.url or name, https=args.https)
    if any(h.url.casefold() == url.casefold() for h in hosts):
        raise UsageError(f"{url} is saved already (as {find_host(hosts, url).display_name})")  # type: ignore[union-attr]
    host = HostConfig(url=url, auth=Auth(args.auth or Auth.NEGOTIATE.value), username=args.user or "",
                      name=name, ca_file=args.ca_file or "",
                      allow_basic_http=bool(args.allow_basic_http), proxy=args.proxy or "",
                      timeout_s=args.timeout or 120.0)
    _check(host)
    password = _password_from_env(args)
    if password is not None and not host.needs_password:
        raise UsageError(f"{host.display_name} uses your Windows logon: it needs no password (give --user too, "
                         "to log on as someone else)")
    save_hosts(path, [*hosts, host])
    io.say(f"Added {_describe(host)} (in {path}).")
    ok = True
    if password is not None:
        store = KeyringCredentials()
        try:
            ok = _save_password(store, host, password, io)
        finally:
            store.close()
    elif host.needs_password:
        io.say("No password saved: hvgui-cli asks for it (or give --password-env VAR); the window asks at start.")
    io.say(f"Check it: hvgui-cli hosts test {host.display_name}")
    return EXIT_OK if ok else EXIT_FAILED


def _edit(path: Path, hosts: list[HostConfig], old: HostConfig, args: argparse.Namespace, io: _Out) -> int:
    from hvgui.remote.cli import UsageError

    new = with_options(old, args)
    if args.url:
        new = replace(new, url=normalize_url(args.url, https=args.https or (old.is_https and "://" not in args.url)))
        if new.url != old.url:
            new = replace(new, cert_pin="")  # a pin belongs to the old URL's certificate
    if args.rename is not None:
        new = replace(new, name=args.rename.strip())
    if args.ca_file == "":
        new = replace(new, ca_file="")
    _check(new)
    if new.key != old.key and any(h.key == new.key for h in hosts if h is not old):
        raise UsageError(f"{new.url} is saved already as another host")
    password = _password_from_env(args)
    if new == old and password is None:
        io.say(f"Nothing to change: {_describe(old)}")
        return EXIT_OK
    save_hosts(path, [new if h is old else h for h in hosts])
    io.say(f"Saved {_describe(new)}.")
    ok = True
    store = KeyringCredentials()
    try:
        moved = (new.username, new.url) != (old.username, old.url)
        if password is None and moved and new.needs_password:
            password = store.password(old)  # the password stays with the host
        if moved:
            store.delete(old)
        if password is not None and new.needs_password:
            ok = _save_password(store, new, password, io)
        elif new.needs_password and store.password(new) is None:
            io.say("No password saved for it: hvgui-cli asks for it (or give --password-env VAR).")
    finally:
        store.close()
    return EXIT_OK if ok else EXIT_FAILED


def _remove(path: Path, hosts: list[HostConfig], host: HostConfig, io: _Out) -> int:
    save_hosts(path, [h for h in hosts if h is not host])
    store = KeyringCredentials()
    try:
        store.delete(host)
    finally:
        store.close()
    io.say(f"Removed {host.display_name} and its saved password.")
    return EXIT_OK


def _list(hosts: list[HostConfig], args: argparse.Namespace, io: _Out) -> int:
    store = KeyringCredentials()
    try:
        rows = []
        for h in hosts:
            if not h.needs_password:
                pw = "not needed (Windows logon)" if h.single_sign_on else "not needed"
            else:
                pw = "saved" if store.password(h) is not None else "not saved"
            rows.append((h, pw))
    finally:
        store.close()
    if args.json:
        io.say(json.dumps([{"name": h.display_name, "url": h.url, "auth": h.auth.value, "user": h.username,
                            "ca_file": h.ca_file, "cert_pin": h.cert_pin, "password": pw} for h, pw in rows],
                          indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        io.say("No saved hosts (hvgui-cli hosts add NAME).")
        return EXIT_OK
    table = [("NAME", "URL", "AUTH", "USER", "PASSWORD")] + [
        (h.display_name, h.url, h.auth.value, h.username or "(Windows logon)" if h.single_sign_on else h.username,
         pw) for h, pw in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for r in table:
        io.say("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return EXIT_OK


async def _trust(path: Path, hosts: list[HostConfig], host: HostConfig, args: argparse.Namespace,
                 io: _Out) -> int:
    from hvgui.remote.cli import UsageError

    if not host.is_https:
        raise UsageError(f"{host.display_name} uses HTTP ({host.url}): there is no certificate to trust")
    loop = asyncio.get_running_loop()
    try:
        chain = await loop.run_in_executor(None, trust.presented_chain, host.url, 10.0)
    except OSError as exc:
        raise UsageError(f"cannot read the certificate of {host.display_name}: {exc}") from exc
    leaf = chain[0]
    pin = normalize_fingerprint(host.cert_pin)
    if pin and pin != leaf.sha256:
        io.say(f"WARNING: {host.display_name} now presents ANOTHER certificate than the one you trusted ({pin}). "
               "Someone may be intercepting the connection, or the host got a new certificate: accept it only "
               "after checking it with the host's administrator.")
    io.say(f"{host.display_name} ({host.url}) presents:")
    for i, c in enumerate(chain):
        io.say(f"  [{i}] " + "\n      ".join(c.lines()))
    if args.ca:
        cas = [c for c in chain[1:] if c.is_ca] or ([leaf] if leaf.is_ca else [])
        if not cas:
            raise UsageError(f"{host.display_name} did not send its CA's certificate: get it from your PKI "
                             "administrator and give it as --ca-file (hvgui-cli hosts edit NAME --ca-file CA.pem)")
        chosen = cas[-1]  # the top of the chain the host sent
        what = f"the CA {chosen.subject}"
    else:
        chosen = leaf
        what = f"this host's certificate ({leaf.subject})"
    if args.fingerprint:
        if normalize_fingerprint(args.fingerprint) != chosen.sha256:
            io.warn(f"the certificate presented is NOT the one you checked: its SHA-256 is {chosen.sha256}. "
                    "Nothing was trusted.")
            return EXIT_FAILED
    else:
        if not sys.stdin.isatty():
            raise UsageError("refusing to trust a certificate without checking it: compare its SHA-256 with the "
                             "host's, then give it as --fingerprint SHA256")
        answer = input(f"Trust {what}, SHA-256 {chosen.sha256}? Compare it with the host's first. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            io.say("Nothing trusted.")
            return EXIT_FAILED
    if args.ca:
        saved = trust.save_pem(chosen, host, path.parent / "certs")
        new = replace(host, ca_file=str(saved), cert_pin="")
        io.say(f"Trusting {what} for {host.display_name} (CA file {saved}).")
    else:
        new = replace(host, cert_pin=leaf.sha256)
        io.say(f"Trusting exactly this certificate for {host.display_name} (SHA-256 {leaf.sha256}); if the host "
               "ever presents another, hvgui refuses it and says so.")
    save_hosts(path, [new if h is host else h for h in hosts])
    return EXIT_OK
