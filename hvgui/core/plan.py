"""Turn "set these services on these VMs" into per-host changes, before anything is sent."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from hvgui.core import catalog
from hvgui.core.model import VM, Change, Inventory


def name_matches(name: str, patterns: Iterable[str]) -> bool:
    """Shell-style (``*``, ``?``, ``[...]``), case-insensitive like Windows. Matched here,
    never handed to PowerShell."""
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, p.casefold()) for p in patterns)


def select_vms(inv: Inventory, patterns: list[str], ids: list[str]) -> list[VM]:
    """VMs whose name matches a pattern or whose Id is listed; everything when both are empty."""
    wanted_ids = {i.strip().strip("{}").lower() for i in ids}
    if not patterns and not wanted_ids:
        return list(inv.vms)
    return [v for v in inv.vms if v.id in wanted_ids or (patterns and name_matches(v.name, patterns))]


@dataclass(frozen=True, slots=True)
class Skipped:
    vm: VM
    service_guid: str
    reason: str
    failed: bool = False
    """The VM could not be read (as opposed to a service it simply does not offer)."""


@dataclass(frozen=True, slots=True)
class HostPlan:
    inventory: Inventory
    changes: tuple[Change, ...]
    already: tuple[tuple[VM, str], ...]
    """(VM, service GUID) already in the target state: nothing to send."""
    skipped: tuple[Skipped, ...]
    warnings: tuple[tuple[VM, str], ...] = ()
    """Said before anything is applied: (VM, what this plan breaks), e.g. disabling Data Exchange
    on a guest whose integration services update only with it."""


def update_warnings(inv: Inventory, changes: list[Change]) -> list[tuple[VM, str]]:
    """Changes that would block a VM's integration services updates (the seed's tables)."""
    from hvgui.core import advice

    out: list[tuple[VM, str]] = []
    for c in changes:
        if catalog.normalize_guid(c.service_guid) != catalog.KVP or c.target:
            continue
        vm = inv.vm(c.vm_id)
        if vm is None:
            continue
        a = advice.advise(inv.host, vm, kvp_enabled=False)
        if a.blocked:
            guest = vm.guest_os or "this guest"
            out.append((vm, f"disabling Data Exchange stops its integration services updates: {guest} on this "
                            "host updates them through Windows Update only with Data Exchange enabled "
                            "(otherwise: the CAB from the Microsoft Download Center, KB 3071740)"))
    return out


def plan_host(inv: Inventory, vms: list[VM], targets: dict[str, bool]) -> HostPlan:
    changes: list[Change] = []
    already: list[tuple[VM, str]] = []
    skipped: list[Skipped] = []
    for vm in vms:
        if vm.error is not None:
            skipped.extend(Skipped(vm, guid, f"could not be read on the host: {vm.error}", failed=True)
                           for guid in targets)
            continue
        for guid, target in targets.items():
            svc = vm.service(guid)
            if svc is None:
                skipped.append(Skipped(vm, guid, f"{catalog.display_label(guid)} is not offered to this VM"))
            elif svc.enabled == target:
                already.append((vm, guid))
            else:
                changes.append(Change(vm_id=vm.id, service_guid=svc.guid, expected=svc.enabled, target=target,
                                      vm_name=vm.name))
    return HostPlan(inv, tuple(changes), tuple(already), tuple(skipped), tuple(update_warnings(inv, changes)))
