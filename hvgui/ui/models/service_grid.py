"""The integration services grid: one row per VM in scope, one checkable column per service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from hvgui.core import catalog
from hvgui.core.model import VM, ServiceState
from hvgui.core.status import SHORT_TEXT
from hvgui.core.status import OperationalStatus as S
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.explain import explain, result_text
from hvgui.ui.models.hosts_tree import host_tooltip, vm_matches
from hvgui.ui.models.roles import CELL_ROLE, ROW_KEY_ROLE, SORT_ROLE
from hvgui.ui.models.rows import blocks, sync_rows
from hvgui.ui.state import CellKey, CellPhase, RowKey, VmDiff, on_off

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_BOLD = QFont()
_BOLD.setBold(True)

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_CHECK = int(Qt.ItemDataRole.CheckStateRole)
_GRID_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _BACKGROUND, _FOREGROUND, _CHECK,
                         ROW_KEY_ROLE, CELL_ROLE, SORT_ROLE})
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsUserCheckable


def _service(vm: VM, guid: str) -> ServiceState | None:
    """``vm.service(guid)`` for an already normalised GUID (no string work per call)."""
    for s in vm.services:
        if s.guid == guid:
            return s
    return None



class ColKind(Enum):
    HOST = "host"
    VM = "vm"
    STATE = "state"
    SERVICE = "service"
    IS = "is"


@dataclass(frozen=True, slots=True)
class Column:
    kind: ColKind
    title: str
    guid: str = ""
    tip: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which VMs the grid shows: everything, whole hosts, or chosen VMs; then the filter text."""

    hosts: frozenset[str] | None = None
    """None: every host (nothing selected in the tree)."""
    vms: frozenset[RowKey] = frozenset()
    text: str = ""


class ServiceGridModel(QAbstractTableModel):
    """One row per VM in scope; one checkable column per integration service."""

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.scope = Scope()
        self._rows: list[RowKey] = []
        self._row_of: dict[RowKey, int] = {}
        self._columns: list[Column] = self._make_columns(show_host=False)
        self._col_of: dict[str, int] = {}
        self._applying: dict[str, bool] = {}
        self._index_columns()
        controller.hostsReset.connect(self._on_hosts_reset)
        controller.vmsChanged.connect(self._on_vms_changed)
        controller.cellsChanged.connect(self._on_cells_changed)
        controller.extraServicesChanged.connect(self._sync_columns)
        controller.hostsChanged.connect(self._on_hosts_changed)
        self._sync_rows()

    # ---------------------------------------------------------- columns
    def _make_columns(self, show_host: bool) -> list[Column]:
        cols: list[Column] = []
        if show_host:
            cols.append(Column(ColKind.HOST, "Host"))
        cols += [Column(ColKind.VM, "VM"), Column(ColKind.STATE, "State")]
        for s in catalog.SERVICES:
            cols.append(Column(ColKind.SERVICE, s.short_label, s.guid,
                               f"{s.label}\nGuest: {s.windows_service} (Windows), {s.linux_component} (Linux)\n"
                               f"Default: {'on' if s.default_enabled else 'off'}"))
        for guid, name in self.controller.state.extra_services.items():
            cols.append(Column(ColKind.SERVICE, name, guid, f"{name}\nNot a known integration service ({guid})"))
        cols.append(Column(ColKind.IS, "IS version",
                           tip="Integration services version the host detected (amber: update required)"))
        return cols

    def _index_columns(self) -> None:
        self._col_of = {c.guid: n for n, c in enumerate(self._columns) if c.kind is ColKind.SERVICE}

    def _sync_columns(self) -> None:
        hosts = {r[0] for r in self._rows}
        wanted = self._make_columns(show_host=len(hosts) > 1)
        if wanted == self._columns:
            return
        has_host = bool(self._columns) and self._columns[0].kind is ColKind.HOST
        if has_host and wanted[0].kind is not ColKind.HOST:
            self.beginRemoveColumns(QModelIndex(), 0, 0)
            del self._columns[0]
            self.endRemoveColumns()
        elif not has_host and wanted[0].kind is ColKind.HOST:
            self.beginInsertColumns(QModelIndex(), 0, 0)
            self._columns.insert(0, wanted[0])
            self.endInsertColumns()
        known = {c.guid for c in self._columns if c.kind is ColKind.SERVICE}
        new = [c for c in wanted if c.kind is ColKind.SERVICE and c.guid not in known]
        if new:
            pos = len(self._columns) - 1  # before the integration services column
            self.beginInsertColumns(QModelIndex(), pos, pos + len(new) - 1)
            self._columns[pos:pos] = new
            self.endInsertColumns()
        self._index_columns()

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def service_column(self, guid: str) -> int:
        return self._col_of.get(catalog.normalize_guid(guid), -1)

    # ---------------------------------------------------------- rows
    def set_scope(self, scope: Scope) -> None:
        if scope != self.scope:
            self.scope = scope
            self._sync_rows()

    def _desired_rows(self) -> list[RowKey]:
        s = self.scope
        hosts_with_vms = {k[0] for k in s.vms}
        out: list[RowKey] = []
        for key, entry in self.controller.state.hosts.items():
            whole = s.hosts is None or key in s.hosts
            if not whole and key not in hosts_with_vms:
                continue
            for vm_id in entry.sorted_vm_ids():
                if (whole or (key, vm_id) in s.vms) and vm_matches(entry.vms[vm_id], s.text):
                    out.append((key, vm_id))
        return out

    def _sync_rows(self) -> None:
        if sync_rows(self, QModelIndex(), self._rows, self._desired_rows()):
            self._row_of = {k: n for n, k in enumerate(self._rows)}
        self._sync_columns()

    def row_key(self, row: int) -> RowKey:
        return self._rows[row]

    def row_of(self, key: RowKey) -> int:
        return self._row_of.get(key, -1)

    def cell_index(self, cell: CellKey) -> QModelIndex:
        row, col = self._row_of.get(cell[:2], -1), self._col_of.get(cell[2], -1)
        return self.index(row, col) if row >= 0 and col >= 0 else QModelIndex()

    def cell_key(self, index: Index) -> CellKey | None:
        if not index.isValid():
            return None
        col = self._columns[index.column()]
        if col.kind is not ColKind.SERVICE:
            return None
        h, v = self._rows[index.row()]
        return (h, v, col.guid)

    def cells_in_column(self, column: int) -> list[CellKey]:
        col = self._columns[column]
        return [] if col.kind is not ColKind.SERVICE else [(h, v, col.guid) for h, v in self._rows]

    # ---------------------------------------------------------- Qt API
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        col = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip or None
        return None

    # data() and flags() run for every visible cell on every repaint: roles are compared as
    # ints (PySide hands ints; enum comparisons cost more), and unused roles return at once.
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        col = self._columns[index.column()]
        if col.kind is not ColKind.SERVICE or self.controller.read_only:
            return _FLAGS
        key = self._rows[index.row()]
        st = self.controller.state
        entry = st.hosts.get(key[0])
        if entry is None or entry.applying:
            return _FLAGS
        vm = entry.vms.get(key[1])
        if vm is None or _service(vm, col.guid) is None:
            return _FLAGS
        result = st.results.get((key[0], key[1], col.guid))
        if result is not None and result.phase in (CellPhase.APPLYING, CellPhase.UNKNOWN):
            return _FLAGS
        return _CHECKABLE_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in _GRID_ROLES or not index.isValid():
            return None
        key = self._rows[index.row()]
        col = self._columns[index.column()]
        entry = self.controller.state.hosts.get(key[0])
        vm = entry.vms.get(key[1]) if entry is not None else None
        if entry is None or vm is None:
            return None
        if role == ROW_KEY_ROLE:
            return key
        kind = col.kind
        if kind is ColKind.SERVICE:
            return self._service_data(vm, (key[0], key[1], col.guid), role)
        if role in (_DISPLAY, SORT_ROLE):
            if kind is ColKind.VM:
                return vm.name
            if kind is ColKind.STATE:
                return vm.state
            if kind is ColKind.HOST:
                return entry.name
            return is_text(vm)
        if role == _DECORATION:
            return look.dot(look.vm_state_colour(vm.state), hollow=vm.is_off) if kind is ColKind.STATE else None
        if role == _TOOLTIP:
            if kind is ColKind.VM:
                return f"{vm.name}\nVM Id: {vm.id}\nHost: {entry.name}"
            if kind is ColKind.HOST:
                return host_tooltip(entry)
            if kind is ColKind.IS:
                return f"Version: {vm.is_version or 'unknown'}\nState: {vm.is_state or 'not detected'}"
            return None
        if role == _FOREGROUND and kind is ColKind.IS and vm.is_state == "Update required":
            return look.colour(look.AMBER)
        return None

    def _service_data(self, vm: VM, cell: CellKey, role: int) -> Any:
        if role == CELL_ROLE:
            return cell
        svc = _service(vm, cell[2])
        if svc is None:
            if vm.error:  # unknown, not absent: a pending change stays until it can be read
                pending = self.controller.state.pending.get(cell)
                if role == _DISPLAY:
                    return "?" if pending is None else f"? → {_short(pending)}"
                if role == _TOOLTIP:
                    text = f"{catalog.display_label(cell[2])}: could not be read on the host: {vm.error}"
                    if pending is not None:
                        text += f"\nPending change kept: → {on_off(pending)} (not applied yet)"
                    return text
                if role == _FOREGROUND:
                    return look.colour(look.RED)
                if role == _BACKGROUND and pending is not None:
                    return look.colour(look.BG_PENDING)
                return None
            if role == _DISPLAY:
                return "n/a"
            if role == _TOOLTIP:
                return f"{catalog.display_label(cell[2])}: this VM does not offer this service"
            if role == _FOREGROUND:
                return look.colour(look.GREY)
            return None
        st = self.controller.state
        pending = st.pending.get(cell)
        result = st.results.get(cell)
        phase = result.phase if result is not None else None
        if role == _CHECK:
            on = svc.enabled if pending is None else pending
            return _CHECKED if on else _UNCHECKED
        if role == _DISPLAY:
            if phase is CellPhase.APPLYING:
                return "Applying…"
            if phase is CellPhase.UNKNOWN:
                return "Outcome unknown"
            if phase is CellPhase.FAILED:
                return "Failed"
            if phase is CellPhase.NOT_APPLIED:
                return "Not applied"
            if pending is not None:
                return f"{_short(svc.enabled)} → {_short(pending)}"
            if phase is CellPhase.CONFLICT:
                return "Conflict"
            return badge_text(svc)
        if role == _DECORATION:
            if phase in (CellPhase.FAILED, CellPhase.NOT_APPLIED):
                return look.dot(look.RED)
            if phase is CellPhase.UNKNOWN:
                return look.dot(look.AMBER, hollow=True)
            if phase is CellPhase.APPLYING or pending is not None:
                return None
            if phase is CellPhase.CONFLICT:
                return look.dot(look.AMBER)
            if svc.primary is None:
                return None
            # Disabled on the host: the guest's status is history, shown dimmed.
            return look.dot(look.status_colour(svc.primary) if svc.enabled else look.GREY, hollow=not svc.enabled)
        if role == _BACKGROUND:
            if phase is not None:
                return look.colour(look.PHASE_BG[phase])
            return look.colour(look.BG_PENDING) if pending is not None else None
        if role == _FOREGROUND:
            if phase in (CellPhase.FAILED, CellPhase.NOT_APPLIED):
                return look.colour(look.RED)
            if pending is not None or phase is not None:
                return None
            if svc.primary is None or not svc.enabled:
                return look.colour(look.GREY)
            return look.colour(look.status_colour(svc.primary))
        if role == _FONT:
            return _BOLD if pending is not None else None
        if role == _TOOLTIP:
            return service_tooltip(vm, svc, pending, result_text(result))
        if role == SORT_ROLE:
            return (svc.enabled, badge_text(svc))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not (self.flags(index) & Qt.ItemFlag.ItemIsUserCheckable):
            return False
        cell = self.cell_key(index)
        if cell is None:
            return False
        # PySide6 hands an int on a click: normalise.
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(int(value))
        self.controller.set_target([cell], state == Qt.CheckState.Checked)
        return True

    # ---------------------------------------------------------- updates
    def _on_hosts_reset(self) -> None:
        self._sync_rows()
        self._emit_all()

    def _on_hosts_changed(self, keys: list[str]) -> None:
        # Whether a host is applying changes which of its cells are checkable.
        flipped: set[str] = set()
        for key in keys:
            entry = self.controller.state.hosts.get(key)
            if entry is not None and entry.applying != self._applying.get(key, False):
                self._applying[key] = entry.applying
                flipped.add(key)
        if flipped:
            self._emit_rows([r for r in self._rows if r[0] in flipped])

    def _on_vms_changed(self, diffs: dict[str, VmDiff]) -> None:
        if any(d.added or d.removed for d in diffs.values()):
            self._sync_rows()
        self._emit_rows([(key, v) for key, d in diffs.items() for v in d.changed])

    def _on_cells_changed(self, cells: list[CellKey]) -> None:
        rows = {c[:2] for c in cells}
        self._emit_rows(list(rows))

    def _emit_rows(self, keys: list[RowKey]) -> None:
        ns = sorted(n for n in (self._row_of.get(k, -1) for k in keys) if n >= 0)
        if not ns:
            return
        last_col = len(self._columns) - 1
        runs = blocks(ns)
        if len(runs) > 16:  # one signal for a scattered bulk change; the view repaints only what is visible
            runs = [(ns[0], ns[-1])]
        for first, last in runs:
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))

    def refresh_all(self) -> None:
        self._emit_all()

    def _emit_all(self) -> None:
        if self._rows and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1))


def _short(on: bool) -> str:
    return "On" if on else "Off"


def badge_text(svc: ServiceState) -> str:
    if svc.primary is None:
        return "—"
    k = svc.primary.known
    text = SHORT_TEXT.get(k, svc.primary.name) if k is not None else svc.primary.name
    second = svc.secondary.known if svc.secondary is not None else None
    # A secondary status worth a look (the tooltip has it verbatim); the protocol mismatch
    # next to OK is harmless by design (KB 4014894).
    if svc.secondary is not None and second != k and not (k is S.Ok and second is S.ProtocolMismatch):
        text += " *"
    return text


def is_text(vm: VM, *, long: bool = False) -> str:
    """Grid: the version, plus a word when an update is required; ``long``: with the state."""
    version = vm.is_version or "unknown"
    if long:
        return f"{version} ({vm.is_state})" if vm.is_state else f"{version} (state not detected)"
    if vm.is_state == "Update required":
        return f"{version} (update)"
    return vm.is_version or "—"


def service_tooltip(vm: VM, svc: ServiceState, pending: bool | None, result: str) -> str:
    lines = [f"{svc.label} — {vm.name}", f"Enabled on the host: {'Yes' if svc.enabled else 'No'}"]
    lines.append("Primary status: " + (f"{svc.primary.text} ({svc.primary.name})" if svc.primary else "none"))
    if svc.secondary is not None:
        lines.append(f"Secondary status: {svc.secondary.text} ({svc.secondary.name})")
    lines.append(explain(vm, svc))
    if pending is not None:
        lines.append(f"Pending change: {on_off(svc.enabled)} → {on_off(pending)} (not applied yet)")
    if result:
        lines.append(result)
    return "\n".join(lines)

