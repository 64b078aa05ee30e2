"""*Export…*: the VMs in view, as the grid shows them, to a CSV file a spreadsheet opens as it is
(UTF-8 with a byte order mark, so Excel reads accents and CJK right). Qt-free.

Cells that a spreadsheet would take for a formula (a VM named ``=cmd|...``) are prefixed with a
single quote, so opening the file never runs anything."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from hvgui.core import catalog
from hvgui.ui.explain import advice_lines, attention_reasons, guest_os_text, is_state_word, summary_line, vm_advice
from hvgui.ui.meaning import status_word
from hvgui.ui.state import FleetState, RowKey, on_off

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def header(guids: Sequence[str]) -> list[str]:
    return (["Host", "VM", "VM Id", "State"] + [catalog.display_label(g) for g in guids]
            + ["Integration services version", "Integration services state", "Guest OS", "Updates",
               "Needs attention", "Pending changes", "Summary"])


def rows(state: FleetState, keys: Sequence[RowKey], guids: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for key in keys:
        entry = state.hosts.get(key[0])
        vm = entry.vms.get(key[1]) if entry is not None else None
        if entry is None or vm is None:
            continue
        cells = []
        for guid in guids:
            svc = vm.service(guid)
            word = status_word(vm, svc)
            if svc is None:
                cells.append("could not be read" if vm.error else "not offered")
            elif not svc.enabled:
                cells.append("Disabled")
            else:
                cells.append(f"Enabled, {'no live status' if word == '—' else word.replace(' *', '')}")
        pending = {c[2]: t for c, t in state.pending.items() if c[:2] == key}
        results = {c[2]: r for c, r in state.results.items() if c[:2] == key}
        changes = "; ".join(f"{catalog.display_label(g)} → {on_off(t)}" for g, t in pending.items())
        avm = state.advice_vm(*key) or vm
        adv = vm_advice(entry.facts, avm, pending)
        out.append([entry.name, vm.name, vm.id, vm.state, *cells, vm.is_version or "", is_state_word(vm),
                    guest_os_text(vm, state.guest_os_seen.get(key)), " ".join(advice_lines(adv, avm)),
                    "; ".join(attention_reasons(avm, adv)), changes, summary_line(vm, pending, results, adv)])
    return out


def csv_text(header_row: list[str], data: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header_row)
    for row in data:
        w.writerow([_cell(v) for v in row])
    return buf.getvalue()


def write_csv(path: Path, state: FleetState, keys: Sequence[RowKey], guids: Sequence[str]) -> int:
    """Write the file (replacing it); returns the number of VMs written. Raises OSError."""
    data = rows(state, keys, guids)
    path.write_text(csv_text(header(guids), data), encoding="utf-8-sig", newline="")
    return len(data)
