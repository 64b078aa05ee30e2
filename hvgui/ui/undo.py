"""Undo and redo of edits to the pending changes (ticks, bulk edits, reverts): Ctrl+Z brings
back what a click or *Revert all* dropped. Qt-free.

An edit remembers, for each cell it touched, the pending target before and after (None: no
pending change). Undoing puts the "before" values back, redoing the "after" ones, through
:meth:`FleetState.restore_pending`, which skips cells that can no longer be edited (being
applied, of unknown outcome, gone)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hvgui.ui.i18n import service_label, tr
from hvgui.ui.state import CellKey

MAX_STEPS = 200


@dataclass(frozen=True, slots=True)
class Edit:
    text: str
    """What the edit did, for the Undo/Redo menu items ("Enable Guest services on 3 VMs")."""
    before: dict[CellKey, bool | None]
    after: dict[CellKey, bool | None]


class EditHistory:
    def __init__(self) -> None:
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []

    def push(self, edit: Edit) -> None:
        self._undo.append(edit)
        del self._undo[:-MAX_STEPS]
        self._redo.clear()

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    @property
    def undo_text(self) -> str | None:
        return self._undo[-1].text if self._undo else None

    @property
    def redo_text(self) -> str | None:
        return self._redo[-1].text if self._redo else None

    def take_undo(self) -> Edit | None:
        if not self._undo:
            return None
        edit = self._undo.pop()
        self._redo.append(edit)
        return edit

    def take_redo(self) -> Edit | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        self._undo.append(edit)
        return edit


def describe(verb: str, cells: Iterable[CellKey]) -> str:
    """ "Enable Guest services on 3 VMs", "Disable 12 services on 4 VMs"."""
    cells = list(cells)
    guids = {c[2] for c in cells}
    vms = len({c[:2] for c in cells})
    verb = {"Enable": tr("Enable"), "Disable": tr("Disable"), "Change": tr("Change"),
            "Reset to default": tr("Reset to default"), "Revert": tr("Revert")}.get(verb, verb)
    if len(guids) == 1:
        what = service_label(next(iter(guids)))
        return tr("{verb} {service} on %n VM(s)", "", vms).format(verb=verb, service=what)
    return tr("{verb} %n service(s)", "", len(cells)).format(verb=verb) + " " + tr("on %n VM(s)", "", vms)
