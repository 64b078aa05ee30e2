"""Reconcile a batch whose answer was lost, from a fresh read of the host.

A batch that reached the host and whose answer never came back (connection dropped, deadline
passed, process ended) may have been applied in full, in part or not at all. Each item is
decided by what the host says now:

- in the target state: *changed* (confirmed by the re-read);
- still in the old state: *not applied* (it stays pending, and Retry sends it again);
- anything else (the VM or the service is gone): *conflict*, left alone;
- the host cannot read that VM's services: still *unknown*.

Never "failed" and never "not applied" without a read that shows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvgui.core import catalog
from hvgui.core.model import Change, Inventory, ItemResult, Outcome


def _word(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"


def unknown_items(changes: Sequence[Change], why: str) -> tuple[ItemResult, ...]:
    """Every item of a batch whose answer was lost, before any re-read."""
    return tuple(ItemResult(vm_id=c.vm_id.lower(), service_guid=catalog.normalize_guid(c.service_guid),
                            outcome=Outcome.UNKNOWN, message=f"the host's answer was lost: {why}" if why else "")
                 for c in changes)


def reconcile(changes: Sequence[Change], inventory: Inventory, why: str = "") -> tuple[ItemResult, ...]:
    """One :class:`ItemResult` per change (same order), decided by ``inventory`` (read after the
    answer was lost). ``why`` (the reason it was lost) goes into the messages."""
    lost = f" (the host's answer was lost: {why})" if why else ""
    out: list[ItemResult] = []
    for c in changes:
        vm_id, guid = c.vm_id.lower(), catalog.normalize_guid(c.service_guid)

        def item(outcome: Outcome, message: str, enabled: bool | None = None,
                 vm_id: str = vm_id, guid: str = guid) -> ItemResult:
            return ItemResult(vm_id=vm_id, service_guid=guid, outcome=outcome, message=message, enabled=enabled,
                              reconciled=outcome is not Outcome.UNKNOWN)

        vm = inventory.vm(vm_id)
        if vm is None:
            out.append(item(Outcome.CONFLICT, f"the VM is no longer on this host{lost}"))
            continue
        if vm.error is not None:
            out.append(item(Outcome.UNKNOWN, f"still unknown: the host cannot read this VM's services ({vm.error})"))
            continue
        svc = vm.service(guid)
        if svc is None:
            out.append(item(Outcome.CONFLICT, f"the VM no longer offers this service{lost}"))
        elif svc.enabled == c.target:
            outcome = Outcome.UNCHANGED if c.expected == c.target else Outcome.CHANGED
            out.append(item(outcome, f"{_word(svc.enabled).capitalize()}: confirmed by a re-read{lost}",
                            svc.enabled))
        elif svc.enabled == c.expected:
            out.append(item(Outcome.NOT_APPLIED, f"not applied: a re-read shows it still {_word(svc.enabled)}{lost}",
                            svc.enabled))
        else:  # neither: only when the change's target was what it expected
            out.append(item(Outcome.CONFLICT, f"the host now says {_word(svc.enabled)}{lost}", svc.enabled))
    return tuple(out)
