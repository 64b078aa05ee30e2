"""The guest side of a selection of VMs, for the window and ``hvgui-cli`` alike.

Windows guests of one host are read (and changed) in ONE host command (PowerShell Direct through
:meth:`Engine.guest`); Linux guests over SSH, in parallel (:mod:`hvgui.remote.ssh`). A VM that
cannot be read this way gets an unknown :class:`GuestSide` that says why, naming the requirement
(no credentials, host or guest too old, VM not running, no SSH target...). Changes are audited
ahead (intent, then outcome), like host changes. Secrets come from a :class:`SecretSource` (the
keyring or this session) and go only to the host (inside the request) or to asyncssh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from hvgui.core import contract
from hvgui.core import guest as g
from hvgui.core.hosts import HostConfig
from hvgui.core.model import VM, Inventory
from hvgui.remote import ssh
from hvgui.remote.credentials import SecretSource, guest_key
from hvgui.remote.engine import Engine
from hvgui.remote.errors import HostError

GuestAnswer = tuple[g.GuestSide, tuple[g.GuestActionResult, ...]]


@dataclass
class GuestDirectory:
    """Where each guest is reached (no secrets) and where SSH host keys are pinned."""

    access: dict[str, g.GuestAccess] = field(default_factory=dict)
    known_hosts: ssh.KnownHosts | None = None

    def get(self, vm_id: str) -> g.GuestAccess | None:
        return self.access.get(vm_id.lower())


def _secret(secrets: SecretSource, vm_id: str, user: str | None) -> str | None:
    return secrets.secret(guest_key(vm_id, user)) if user else None


async def read_guests(engine: Engine, secrets: SecretSource, directory: GuestDirectory, host: HostConfig,
                      inv: Inventory, vms: Sequence[VM],
                      actions: dict[str, list[g.GuestAction]] | None = None) -> dict[str, GuestAnswer]:
    """The guest side of these VMs of one host (after applying ``actions`` by VM id)."""
    actions = actions or {}
    out: dict[str, GuestAnswer] = {}
    windows: list[contract.GuestTarget] = []
    linux: list[tuple[VM, g.SshTarget, str | None]] = []

    def refuse(vm: VM, side: g.GuestSide) -> None:
        out[vm.id] = side, tuple(g.GuestActionResult(a, g.GuestOutcome.NOT_ATTEMPTED, side.reason)
                                 for a in actions.get(vm.id, []))

    for vm in vms:
        access = directory.get(vm.id)
        kind = family(vm, directory)
        if kind is None:
            refuse(vm, g.unknown(vm.id, g.WINDOWS, g.GuestProblem.UNKNOWN_OS,
                                 "it learns it through Data Exchange; give this guest's Windows user "
                                 "or SSH target"))
        elif kind == g.WINDOWS:
            blocked = g.blocker(inv.host, vm)
            user = access.windows_user if access is not None else None
            password = _secret(secrets, vm.id, user)
            if blocked is not None:
                refuse(vm, blocked)
            elif not user or password is None:
                refuse(vm, g.unknown(vm.id, g.WINDOWS, g.GuestProblem.NO_CREDENTIALS,
                                     "give the guest's administrator and password"))
            else:
                windows.append(contract.GuestTarget(vm.id, user, password, tuple(actions.get(vm.id, [])), vm.name))
        else:
            target = access.ssh if access is not None else None
            if target is None or directory.known_hosts is None:
                refuse(vm, g.unknown(vm.id, g.LINUX, g.GuestProblem.NO_SSH_TARGET))
            else:
                linux.append((vm, target, _secret(secrets, vm.id, target.user)))

    async def windows_part() -> None:
        if not windows:
            return
        try:
            answers = await engine.guest(host, windows)
        except HostError as exc:
            for t in windows:
                side = g.unknown(t.vm_id, g.WINDOWS, g.GuestProblem.ERROR, exc.text)
                out[t.vm_id] = side, tuple(g.GuestActionResult(a, g.GuestOutcome.NOT_ATTEMPTED
                                                               if "unknown" not in exc.message else
                                                               g.GuestOutcome.UNKNOWN, exc.message)
                                           for a in t.actions)
            return
        for side, results in answers:
            out[side.vm_id] = side, results

    async def linux_one(vm: VM, target: g.SshTarget, secret: str | None) -> None:
        assert directory.known_hosts is not None
        todo = [a if a.vm_name else g.GuestAction(a.vm_id, a.service, a.action, a.start_type, vm.name)
                for a in actions.get(vm.id, [])]
        where, url = f"{vm.name} (SSH)", target.url
        batch = engine.audit.guest_intent(where, url, todo) if todo else ""
        side, results = await ssh.linux_guest(target, secret, directory.known_hosts, todo)
        if todo:
            engine.audit.guest_outcome(batch, where, url, todo, results, None)
        out[vm.id] = side, results

    await asyncio.gather(windows_part(), *(linux_one(vm, t, s) for vm, t, s in linux))
    return out


def family(vm: VM, directory: GuestDirectory) -> str | None:
    """Windows or Linux: as the host says, else as the guest's settings say (the host learns the guest
    OS through Data Exchange, which may be what is broken)."""
    access = directory.get(vm.id)
    known = g.family_of(vm)
    if known is None and access is not None:
        known = g.WINDOWS if access.windows_user else g.LINUX if access.ssh else None
    return known


def action_for(vm: VM, service: str, kind: g.GuestActionKind, start_type: str | None = None,
               family: str | None = None) -> g.GuestAction:
    """A guest action from a name a person types: the Windows service (``vmickvpexchange``), the
    daemon's key (``kvp``) or the host-side service's name ("Data Exchange")."""
    family = family or g.family_of(vm)
    name = service.strip()
    from hvgui.core import catalog

    try:
        guid = catalog.lookup(name).guid
    except KeyError:
        guid = None
    if family == g.LINUX:
        if guid is not None and guid in g.LINUX_COMPONENTS:
            name = g.LINUX_COMPONENTS[guid].key
        else:
            for comp in g.LINUX_COMPONENTS.values():
                if name in comp.daemons or name in comp.units or name == comp.key:
                    name = comp.key
    elif guid is not None:
        name = g.WINDOWS_SERVICES[guid][0]
    action = g.GuestAction(vm.id, name.lower() if family != g.LINUX else name, kind, start_type, vm.name)
    g.check_action(action, family or g.WINDOWS)
    return action
