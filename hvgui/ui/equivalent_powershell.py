"""The one-line command an admin would type for a change, shown in the plan next to the script
that will actually run: ``Disable-VMIntegrationService -ComputerName HV01 -VMName 'web1' -Name
'Time Synchronization'``. Qt-free.

Quoted the way PowerShell reads it: a single-quoted string in which each of the five characters
PowerShell takes for a single quote is doubled; ``-VMName`` and ``-Name`` are wildcard patterns,
so ``*``, ``?``, ``[``, ``]`` and the backtick are escaped with a backtick; the service is named as
that host names it (French or German hosts have their own names); a VM whose name is not unique
on its host, or holds a line break, is targeted by its Id instead."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hvgui.core import catalog
from hvgui.ui.state import FleetState, PlannedChange

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
"""The characters PowerShell accepts as a single quote."""
_WILDCARD = "`*?[]"
_PLAIN_WORD = re.compile(r"^[A-Za-z0-9._-]+$")


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string literal for ``text``."""
    return "'" + "".join(c * 2 if c in SINGLE_QUOTES else c for c in text) + "'"


def ps_wildcard_literal(text: str) -> str:
    """``text`` as a wildcard pattern that matches only itself, quoted."""
    return ps_quote("".join("`" + c if c in _WILDCARD else c for c in text))


def ps_word(text: str) -> str:
    """A bare argument when it is plain, else quoted."""
    return text if _PLAIN_WORD.match(text) else ps_quote(text)


def command(computer: str, vm_name: str, vm_id: str, service_name: str, target: bool, *,
            by_id: bool = False) -> str:
    verb = "Enable-VMIntegrationService" if target else "Disable-VMIntegrationService"
    name = ps_wildcard_literal(service_name)
    if by_id or "\n" in vm_name or "\r" in vm_name:
        return f"Get-VM -ComputerName {ps_word(computer)} -Id {vm_id} | {verb} -Name {name}"
    return f"{verb} -ComputerName {ps_word(computer)} -VMName {ps_wildcard_literal(vm_name)} -Name {name}"


def computer_name(state: FleetState, host_key: str) -> str:
    """The host's name as an admin would type it after ``-ComputerName``."""
    entry = state.hosts[host_key]
    if entry.facts is not None and entry.facts.name:
        return entry.facts.name
    return urlsplit(entry.config.url).hostname or entry.name


def for_change(state: FleetState, change: PlannedChange) -> str:
    """The command for one planned change."""
    host_key, vm_id, guid = change.cell
    entry = state.hosts[host_key]
    vm = entry.vms.get(vm_id)
    svc = vm.service(guid) if vm is not None else None
    service_name = svc.name if svc is not None and svc.name else catalog.display_label(guid)
    same_name = sum(1 for v in entry.vms.values() if v.name.casefold() == change.vm_name.casefold())
    return command(computer_name(state, host_key), change.vm_name, vm_id, service_name, change.target,
                   by_id=same_name != 1)
