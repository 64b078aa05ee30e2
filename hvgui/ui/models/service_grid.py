"""The integration services grid: one row per VM in scope, one checkable column per service.

Which rows: the scope chosen in the hosts tree (every host, whole hosts, or chosen VMs), then the
name filter and the grid's own filters (problems only, host, VM state, integration services
state, service status). In which order: the hosts' order and VM names, or the column the user
sorted by. Rows are added, removed and moved in place (never a reset), so selection, scroll
position and the current cell survive a refresh."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QIcon

from hvgui.core import catalog
from hvgui.core.advice import Advice
from hvgui.core.model import VM, ServiceState
from hvgui.core.status import OFF_STATES, RUNNING_STATES
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.explain import (
    advice_lines,
    attention_reasons,
    blocked_text,
    explain,
    guest_check,
    guest_os_text,
    is_state_word,
    result_text,
    service_label_of,
    vm_advice,
)
from hvgui.ui.i18n import QT_TR_NOOP, service_label, tr, vm_state_text
from hvgui.ui.meaning import (
    SEVERITY,
    Meaning,
    host_words,
    service_meaning,
    status_word,
    update_required,
    vm_has_problem,
)
from hvgui.ui.models.hosts_tree import host_tooltip, vm_matches
from hvgui.ui.models.roles import BADGE_ROLE, CELL_ROLE, MARKER_ROLE, MEANING_ROLE, ROW_KEY_ROLE, SORT_ROLE
from hvgui.ui.models.rows import blocks, sync_rows
from hvgui.ui.state import CellKey, CellPhase, CellResult, RowKey, VmDiff, on_off
from hvgui.ui.words import plain_tip

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
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ACCESSIBLE_DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
_GRID_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _BACKGROUND, _FOREGROUND, _CHECK, _ACCESSIBLE,
                         _ACCESSIBLE_DESCRIPTION, ROW_KEY_ROLE, CELL_ROLE, SORT_ROLE, MARKER_ROLE, MEANING_ROLE,
                         BADGE_ROLE})
PAINT_ROLES: tuple[int, ...] = (_DISPLAY, _DECORATION, _FOREGROUND, _BACKGROUND, _FONT, _CHECK, MARKER_ROLE,
                                BADGE_ROLE)
"""The roles :meth:`ServiceGridModel.paint_data` returns (the grid's delegate reads them in this order)."""
_PAINT_AT: dict[int, int] = {role: n for n, role in enumerate(PAINT_ROLES)}
_LOOKS_KEPT = 2000
"""Rows whose looks are kept (a few screens' worth; scrolling through 10,000 VMs starts again)."""
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsUserCheckable
_LOCKED = (CellPhase.APPLYING, CellPhase.UNKNOWN)
_ATTENTION = frozenset({CellPhase.FAILED, CellPhase.CONFLICT, CellPhase.UNKNOWN, CellPhase.NOT_APPLIED})
"""Outcomes of the last apply that count as a problem of the VM."""

#: Compact column headers, still Hyper-V Manager's words (its full label is in the tooltip).
COMPACT_HEADERS: dict[str, str] = {
    catalog.SHUTDOWN: QT_TR_NOOP("Shutdown"),
    catalog.TIME_SYNC: QT_TR_NOOP("Time sync"),
    catalog.KVP: QT_TR_NOOP("Data Exchange"),
    catalog.HEARTBEAT: QT_TR_NOOP("Heartbeat"),
    catalog.VSS: QT_TR_NOOP("Backup"),
    catalog.GUEST_SERVICE_INTERFACE: QT_TR_NOOP("Guest services"),
}


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
    label: str = ""
    """The full name (accessible text, menus); the title is compact."""

    @property
    def ident(self) -> tuple[ColKind, str]:
        """What the column shows, whatever its position (the Host column comes and goes)."""
        return (self.kind, self.guid)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which VMs the grid shows: everything, whole hosts, or chosen VMs; then the filter text."""

    hosts: frozenset[str] | None = None
    """None: every host (nothing selected in the tree)."""
    vms: frozenset[RowKey] = frozenset()
    text: str = ""


class VmStateFilter(Enum):
    RUNNING = QT_TR_NOOP("Running")
    OFF = QT_TR_NOOP("Off")
    SAVED_OR_PAUSED = QT_TR_NOOP("Saved or paused")
    OTHER = QT_TR_NOOP("Starting, stopping, other")

    def matches(self, state: str) -> bool:
        if self is VmStateFilter.RUNNING:
            return state in RUNNING_STATES
        if self is VmStateFilter.OFF:
            return state in OFF_STATES
        if self is VmStateFilter.SAVED_OR_PAUSED:
            return state in ("Saved", "Paused", "SavedCritical", "PausedCritical")
        return not (state in RUNNING_STATES or state in OFF_STATES or state.startswith(("Saved", "Paused")))


class IsStateFilter(Enum):
    UPDATE_REQUIRED = QT_TR_NOOP("Update required")  # also what hosts say (compared with vm.is_state)
    UP_TO_DATE = QT_TR_NOOP("Up to date")
    UNKNOWN = QT_TR_NOOP("Not detected")

    def matches(self, vm: VM) -> bool:
        if self is IsStateFilter.UNKNOWN:
            return vm.is_state not in ("Up to date", "Update required")
        return bool(vm.is_state == self.value)


@dataclass(frozen=True, slots=True)
class GridFilter:
    """The grid's own filters, on top of the scope."""

    problems_only: bool = False
    host: str | None = None
    """A host key."""
    vm_state: VmStateFilter | None = None
    is_state: IsStateFilter | None = None
    status: Meaning | None = None
    """VMs with at least one service of this meaning."""
    needs_attention: bool = False
    """VMs whose integration services need an update, whose guest OS is not supported on its host,
    or whose updates are blocked by a disabled Data Exchange (or a pending change disabling it)."""

    @property
    def active(self) -> bool:
        return bool(self != GridFilter())

    @property
    def data_dependent(self) -> bool:
        """Whether a refresh can change which VMs pass (then rows are re-filtered on refresh)."""
        return self.problems_only or self.vm_state is not None or self.is_state is not None \
            or self.status is not None or self.needs_attention


_STATE_RANK = {"Running": 0, "Paused": 2, "Saved": 3, "Off": 4}


class ServiceGridModel(QAbstractTableModel):
    """One row per VM in scope; one checkable column per integration service."""

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.scope = Scope()
        self.filter = GridFilter()
        self.sort_by: tuple[ColKind, str] | None = None
        """The column the rows are sorted by (None: the hosts' order, then VM names)."""
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.in_scope = 0
        """VMs in scope before the name filter and the grid's filters (for "12 of 42 VMs")."""
        self._rows: list[RowKey] = []
        self._row_of: dict[RowKey, int] = {}
        self._columns: list[Column] = self._make_columns(show_host=False)
        self.guest: Any = None
        """The guest side (:class:`hvgui.ui.guest_side.GuestSides`): a marker on cells whose guest side is known."""
        self._col_of: dict[str, int] = {}
        self.wrap_headers = False
        """Headers of several words on two lines (set by the view when the columns must narrow)."""
        self._applying: dict[str, bool] = {}
        self._looks: dict[RowKey, dict[tuple[ColKind, str], tuple[Any, ...]]] = {}
        """What :meth:`paint_data` computed, per row and column, until the model says the row changed."""
        self._index_columns()
        self.dataChanged.connect(self._forget_looks)  # whoever emits it (the guest side does too)
        for signal in (self.modelReset, self.layoutChanged, self.rowsInserted, self.rowsRemoved, self.columnsInserted,
                       self.columnsRemoved):
            signal.connect(self._looks.clear)
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
            cols.append(Column(ColKind.HOST, tr("Host"), label=tr("Host")))
        cols += [Column(ColKind.VM, tr("VM"), label=tr("VM")), Column(ColKind.STATE, tr("State"), label=tr("State"))]
        for s in catalog.SERVICES:
            label = service_label(s.guid)
            cols.append(Column(ColKind.SERVICE, tr(COMPACT_HEADERS[s.guid]) if s.guid in COMPACT_HEADERS
                               else s.short_label, s.guid,
                               tr("{label}\nGuest: {windows} (Windows), {linux} (Linux)\nDefault: {default}").format(
                                   label=label, windows=s.windows_service, linux=s.linux_component,
                                   default=tr("on") if s.default_enabled else tr("off")), label))
        for guid, name in self.controller.state.extra_services.items():
            tip = tr("{name}\nNot a known integration service ({guid})").format(name=name, guid=guid)
            cols.append(Column(ColKind.SERVICE, name, guid, tip, name))
        cols.append(Column(ColKind.IS, tr("Version"), tip=tr("Integration services version the host detected, and its "
                           "state: amber with ◆ when the host says Update required; ▲ when the guest OS is not "
                           "supported on the host or its updates are blocked by a disabled Data Exchange (the "
                           "corner badge). The tooltip gives the state, the guest OS and how it is updated."),
                           label=tr("Integration services version")))
        return cols

    def _index_columns(self) -> None:
        self._col_of = {c.guid: n for n, c in enumerate(self._columns) if c.kind is ColKind.SERVICE}
        self._looks.clear()

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

    def column_of(self, ident: tuple[ColKind, str]) -> int:
        return next((n for n, c in enumerate(self._columns) if c.ident == ident), -1)

    # ---------------------------------------------------------- rows: scope, filters, order
    def set_scope(self, scope: Scope) -> None:
        if scope != self.scope:
            self.scope = scope
            self._sync_rows()

    def set_filter(self, grid_filter: GridFilter) -> None:
        if grid_filter != self.filter:
            self.filter = grid_filter
            self._sync_rows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (the view calls this on a header click); -1: the hosts' order."""
        sort_by = self._columns[column].ident if 0 <= column < len(self._columns) else None
        if (sort_by, order) != (self.sort_by, self.sort_order):
            self.sort_by, self.sort_order = sort_by, order
            self._sync_rows()

    def _row_has_problem(self, key: RowKey, vm: VM) -> bool:
        if vm_has_problem(vm):
            return True
        results = self.controller.state.results
        if not results:
            return False
        return any((r := results.get((key[0], key[1], g))) is not None and r.phase in _ATTENTION
                   for g in self._col_of)

    def advice(self, key: RowKey) -> tuple[VM, Advice] | None:
        """The VM as the update advice sees it (guest OS seen earlier when unknown now) and its
        advice, a pending change of Data Exchange taken as what it will be."""
        st = self.controller.state
        vm = st.advice_vm(*key)
        if vm is None:
            return None
        pending = st.pending.get((key[0], key[1], catalog.KVP))
        entry = st.hosts[key[0]]
        return vm, vm_advice(entry.facts, vm, {catalog.KVP: pending} if pending is not None else None)

    def attention(self, key: RowKey) -> list[str]:
        """Why this VM needs attention (its integration services updates), in words."""
        got = self.advice(key)
        return attention_reasons(*got) if got is not None else []

    def _passes(self, key: RowKey, vm: VM) -> bool:
        f = self.filter
        if f.host is not None and key[0] != f.host:
            return False
        if f.vm_state is not None and not f.vm_state.matches(vm.state):
            return False
        if f.is_state is not None and not f.is_state.matches(vm):
            return False
        if f.status is not None and not (any(service_meaning(vm, s) is f.status for s in vm.services)
                                         or (f.status is Meaning.UNREADABLE and vm.error)):
            return False
        if f.needs_attention and not self.attention(key):
            return False
        return not f.problems_only or self._row_has_problem(key, vm)

    def _desired_rows(self) -> list[RowKey]:
        s = self.scope
        hosts_with_vms = {k[0] for k in s.vms}
        out: list[RowKey] = []
        in_scope = 0
        check = self._passes if self.filter.active else None
        for key, entry in self.controller.state.hosts.items():
            whole = s.hosts is None or key in s.hosts
            if not whole and key not in hosts_with_vms:
                continue
            for vm_id in entry.sorted_vm_ids():
                if not (whole or (key, vm_id) in s.vms):
                    continue
                in_scope += 1
                vm = entry.vms[vm_id]
                if vm_matches(vm, s.text) and (check is None or check((key, vm_id), vm)):
                    out.append((key, vm_id))
        self.in_scope = in_scope
        if self.sort_by is not None:
            sort_key = self._sort_key(self.sort_by)
            out.sort(key=sort_key, reverse=self.sort_order is Qt.SortOrder.DescendingOrder)
        return out

    def _sort_key(self, ident: tuple[ColKind, str]) -> Callable[[RowKey], Any]:
        hosts = self.controller.state.hosts
        kind, guid = ident

        def vm(key: RowKey) -> VM:
            return hosts[key[0]].vms[key[1]]

        if kind is ColKind.HOST:
            return lambda k: hosts[k[0]].name.casefold()
        if kind is ColKind.VM:
            return lambda k: (vm(k).name.casefold(), k[1])
        if kind is ColKind.STATE:
            return lambda k: _STATE_RANK.get(vm(k).state, 1)
        if kind is ColKind.SERVICE:
            return lambda k: SEVERITY[service_meaning(vm(k), _service(vm(k), guid))]
        return lambda k: (not update_required(vm(k)), not self.attention(k), _version_key(vm(k).is_version))

    def _sync_rows(self) -> None:
        desired = self._desired_rows()
        if sync_rows(self, QModelIndex(), self._rows, desired):
            self._row_of = {k: n for n, k in enumerate(self._rows)}
        if self._rows != desired:  # same rows, another order: move them, keeping selection
            self._reorder(desired)
        self._sync_columns()

    def _reorder(self, desired: list[RowKey]) -> None:
        # (Emitted without arguments: PySide6 crashes converting an empty list of parents.)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        keys = [(self._rows[i.row()], i.column()) for i in old]
        self._rows[:] = desired
        self._row_of = {k: n for n, k in enumerate(self._rows)}
        self.changePersistentIndexList(old, [self.index(self._row_of[k], c) for k, c in keys])
        self.layoutChanged.emit()

    def row_key(self, row: int) -> RowKey:
        return self._rows[row]

    def row_keys(self) -> list[RowKey]:
        return list(self._rows)

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
            return two_lines(col.title) if self.wrap_headers else col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(col.tip) if col.tip else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return col.label or col.title
        return None

    # data() and flags() run for every visible cell on every repaint: roles are compared as
    # ints (PySide hands ints; enum comparisons cost more), and unused roles return at once.
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        return _CHECKABLE_FLAGS if self._checkable(index.row(), index.column()) else _FLAGS

    def _checkable(self, row: int, column: int) -> bool:
        col = self._columns[column]
        if col.kind is not ColKind.SERVICE or self.controller.read_only:
            return False
        key = self._rows[row]
        st = self.controller.state
        entry = st.hosts.get(key[0])
        if entry is None or entry.applying:
            return False
        vm = entry.vms.get(key[1])
        if vm is None or _service(vm, col.guid) is None:
            return False
        result = st.results.get((key[0], key[1], col.guid))
        return result is None or result.phase not in _LOCKED

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in _GRID_ROLES or not index.isValid():
            return None
        return self._data(index.row(), index.column(), role)

    def paint_data(self, row: int, column: int) -> tuple[Any, ...]:
        """What the grid's delegate draws, in one call (the roles of :data:`PAINT_ROLES`, in that
        order, and whether the cell can be ticked). Painting a cell through ``QModelIndex.data``
        crossed from C++ to Python once per role, most of a repaint's cost; and a cell is painted
        again (scrolling, selection, another row's change) far more often than it changes, so the
        answer is kept until ``dataChanged`` (or any change of rows or columns) says otherwise."""
        key = self._rows[row]
        ident = self._columns[column].ident
        looks = self._looks.get(key)
        if looks is None:
            if len(self._looks) > _LOOKS_KEPT:
                self._looks.clear()
            looks = self._looks[key] = {}
        got = looks.get(ident)
        if got is None:
            got = looks[ident] = (*self._looks_of(key, self._columns[column], row, column),
                                  self._checkable(row, column))
        return got

    def _looks_of(self, key: RowKey, col: Column, row: int, column: int) -> tuple[Any, ...]:
        """The :data:`PAINT_ROLES` of a cell. A service cell's (most of the grid) in one pass:
        asked role by role, each would look up the VM, the service, the pending change and the
        outcome again."""
        if col.kind is ColKind.SERVICE:
            entry = self.controller.state.hosts.get(key[0])
            vm = entry.vms.get(key[1]) if entry is not None else None
            if vm is None:
                return (None,) * len(PAINT_ROLES)
            return self._service_looks(vm, (key[0], key[1], col.guid), col)
        if col.kind is ColKind.IS:
            vm = self.controller.state.vm(*key)
            return (None,) * len(PAINT_ROLES) if vm is None else self._is_looks(key, vm)
        return tuple(self._data(row, column, role) for role in PAINT_ROLES)

    def _forget_looks(self, top_left: Index, bottom_right: Index, _roles: Any = None) -> None:
        first, last = top_left.row(), bottom_right.row()
        if last - first > len(self._looks):
            self._looks.clear()
            return
        for row in range(max(first, 0), min(last + 1, len(self._rows))):
            self._looks.pop(self._rows[row], None)

    def _data(self, row: int, column: int, role: int) -> Any:
        key = self._rows[row]
        col = self._columns[column]
        entry = self.controller.state.hosts.get(key[0])
        vm = entry.vms.get(key[1]) if entry is not None else None
        if entry is None or vm is None:
            return None
        if role == ROW_KEY_ROLE:
            return key
        kind = col.kind
        if kind is ColKind.SERVICE:
            return self._service_data(vm, (key[0], key[1], col.guid), col, role)
        if kind is ColKind.IS:
            return self._is_data(key, vm, role)
        if role in (_DISPLAY, SORT_ROLE):
            if kind is ColKind.VM:
                return vm.name
            if kind is ColKind.STATE:
                return vm_state_text(vm.state) if role == _DISPLAY else vm.state
            return entry.name
        if role == _DECORATION:
            if kind is ColKind.STATE:
                return look.vm_state_icon(vm.state)
            return None
        if role == _TOOLTIP:
            if kind is ColKind.VM:
                seen = self.controller.state.guest_os_seen.get(key)
                return plain_tip(tr("{name}\nVM Id: {id}\nHost: {host}\nGuest OS: {os}").format(
                    name=vm.name, id=vm.id, host=entry.name, os=guest_os_text(vm, seen)))
            if kind is ColKind.HOST:
                return plain_tip(host_tooltip(entry))
            return None
        if role == _ACCESSIBLE:
            if kind is ColKind.VM:
                return tr("{name}, VM on {host}").format(name=vm.name, host=entry.name)
            if kind is ColKind.HOST:
                return tr("{name}, host {host}").format(name=vm.name, host=entry.name)
            return tr("{name}, state {state}").format(name=vm.name, state=vm_state_text(vm.state))
        return None

    def _is_data(self, key: RowKey, vm: VM, role: int) -> Any:
        """The version cell: the version; ◆ and amber when the host says Update required; ▲ and a
        corner badge when the update path needs attention (guest OS not supported on this host,
        updates blocked by Data Exchange); the state, guest OS and advice in the tooltip."""
        at = _PAINT_AT.get(role)
        if at is not None:
            return self._is_looks(key, vm)[at]
        if role == SORT_ROLE:
            return vm.is_version or ""
        if role not in (_TOOLTIP, _ACCESSIBLE):
            return None
        got = self.advice(key)
        if got is None:
            return None
        avm, adv = got
        reasons = attention_reasons(avm, adv)
        seen = self.controller.state.guest_os_seen.get(key)
        if role == _ACCESSIBLE:
            parts = [vm.name, tr("integration services version {version}").format(
                         version=vm.is_version or tr("unknown")), is_state_word(vm),
                     tr("guest OS {os}").format(os=guest_os_text(vm, seen))]
            if reasons:
                parts.append(tr("needs attention: {reasons}").format(reasons="; ".join(reasons)))
            return ", ".join(parts)
        lines = [tr("Integration services {version}: {state} (as the host reports it)").format(
                     version=vm.is_version or tr("version unknown"), state=is_state_word(vm)),
                 tr("Guest OS: {os}").format(os=guest_os_text(vm, seen))]
        lines += [tr("Updates: {advice}").format(advice="\n".join(advice_lines(adv, avm)))]
        blocked = blocked_text(avm, adv)
        if blocked:
            lines.append(blocked)
        if reasons:
            lines.append(tr("Needs attention: {reasons}.").format(reasons="; ".join(reasons)))
        return plain_tip("\n".join(lines))

    def _service_data(self, vm: VM, cell: CellKey, col: Column, role: int) -> Any:
        if role == CELL_ROLE:
            return cell
        at = _PAINT_AT.get(role)
        if at is not None:
            return self._service_looks(vm, cell, col)[at]
        svc = _service(vm, cell[2])
        if role == MEANING_ROLE:
            return service_meaning(vm, svc).value
        st = self.controller.state
        pending = st.pending.get(cell)
        result = st.results.get(cell)
        if svc is None:
            return self._absent_data(vm, cell, col, role, pending)
        meaning = service_meaning(vm, svc)
        if role == _TOOLTIP:
            text = service_tooltip(vm, svc, pending, result)
            if self.guest is not None:
                text += self.guest.cell_tip(vm, svc)
            if cell[2] == catalog.KVP:
                blocked = self._blocked_text(cell)
                text += f"\n{blocked}" if blocked else ""
            return plain_tip(text)
        if role == _ACCESSIBLE:
            text = accessible_cell_text(vm, col.label or col.title, svc, pending, result)
            if self.guest is not None:
                text += self.guest.cell_accessible(vm, svc)
            if cell[2] == catalog.KVP and self._blocked_text(cell):
                text += tr(", integration services updates blocked")
            return text
        if role == _ACCESSIBLE_DESCRIPTION:
            return explain(vm, svc)
        if role == SORT_ROLE:
            return SEVERITY[meaning]
        return None

    def _is_looks(self, key: RowKey, vm: VM) -> tuple[Any, ...]:
        """The version cell's :data:`PAINT_ROLES` (its advice worked out once, not per role)."""
        text = is_text(vm)
        got = self.advice(key)
        if got is None:
            return (text, *(None,) * (len(PAINT_ROLES) - 1))
        avm, adv = got
        required = update_required(vm)
        icon = (look.meaning_icon(Meaning.DEGRADED) if required else
                look.meaning_icon(Meaning.NOT_ANSWERING) if attention_reasons(avm, adv) else None)
        return (text, icon, look.colour(look.theme().amber) if required else None, None, None, None, None,
                look.theme().orange if adv.blocked else None)

    def _service_looks(self, vm: VM, cell: CellKey, col: Column) -> tuple[Any, ...]:
        """A service cell's :data:`PAINT_ROLES`: its word, icon, text colour, tint, font, tick,
        corner marker and badge."""
        svc = _service(vm, cell[2])
        st = self.controller.state
        pending = st.pending.get(cell)
        if svc is None:
            return tuple(self._absent_data(vm, cell, col, role, pending) for role in PAINT_ROLES)
        result = st.results.get(cell)
        phase = result.phase if result is not None else None
        meaning = service_meaning(vm, svc)
        on = svc.enabled if pending is None else pending
        if phase is CellPhase.APPLYING:
            text = tr("Applying…")
        elif phase is CellPhase.UNKNOWN:
            text = tr("Outcome unknown")
        elif phase is CellPhase.FAILED:
            text = tr("Failed")
        elif phase is CellPhase.NOT_APPLIED:
            text = tr("Not applied")
        elif pending is not None:
            text = f"{_short(svc.enabled)} → {_short(pending)}"
        elif phase is CellPhase.CONFLICT:
            text = tr("Conflict")
        elif self.guest is not None:
            text = self.guest.cell_mark(vm, svc) + status_word(vm, svc)
        else:
            text = status_word(vm, svc)
        icon: QIcon | None
        if phase in (CellPhase.FAILED, CellPhase.NOT_APPLIED):
            icon = look.meaning_icon(Meaning.ERROR)
        elif phase is CellPhase.UNKNOWN:
            icon = look.dot(look.theme().purple, hollow=True)
        elif phase is CellPhase.APPLYING or pending is not None:
            icon = None
        elif phase is CellPhase.CONFLICT:
            icon = look.meaning_icon(Meaning.NOT_ANSWERING)
        else:
            icon = look.meaning_icon(meaning)
        # On a tint the palette's text colour reads best; the marker and the word say it.
        plain = pending is None and phase is None
        foreground = look.colour(look.meaning_colour(meaning)) if plain else None
        tint = look.phase_background(phase, pending is not None)
        return (text, icon, foreground, look.colour(tint) if tint is not None else None,
                _BOLD if pending is not None else None, _CHECKED if on else _UNCHECKED,
                look.phase_marker(phase, pending is not None),
                look.theme().orange if cell[2] == catalog.KVP and self._blocked_text(cell) else None)

    def _blocked_text(self, cell: CellKey) -> str:
        got = self.advice(cell[:2])
        return blocked_text(*got) if got is not None else ""

    def _absent_data(self, vm: VM, cell: CellKey, col: Column, role: int, pending: bool | None) -> Any:
        label = col.label or catalog.display_label(cell[2])
        if vm.error:  # unknown, not absent: a pending change stays until it can be read
            if role == _DISPLAY:
                return "?" if pending is None else f"? → {_short(pending)}"
            if role == _TOOLTIP:
                text = tr("{label}: could not be read on the host: {error}").format(label=label, error=vm.error)
                if pending is not None:
                    text += "\n" + tr("Pending change kept: → {target} (not applied yet)").format(
                        target=on_off(pending))
                return plain_tip(text)
            if role == _DECORATION:
                return look.meaning_icon(Meaning.UNREADABLE)
            if role == _FOREGROUND:
                return None if pending is not None else look.colour(look.theme().red)
            if role == _BACKGROUND and pending is not None:
                return look.colour(look.theme().bg_pending)
            if role == MARKER_ROLE and pending is not None:
                return look.theme().amber
            if role == _ACCESSIBLE:
                return tr("{name}, {label}, could not be read").format(name=vm.name, label=label) + (
                    ", " + (tr("pending: enable") if pending else tr("pending: disable")) if pending is not None
                    else "")
            return None
        if role == _DISPLAY:
            return tr("n/a")
        if role == _TOOLTIP:
            return plain_tip(tr("{label}: this VM does not offer this service").format(label=label))
        if role == _FOREGROUND:
            return look.colour(look.theme().grey)
        if role == _ACCESSIBLE:
            return tr("{name}, {label}, not offered by this VM").format(name=vm.name, label=label)
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
        if self.filter.host is not None and self.filter.host not in self.controller.state.hosts:
            self.filter = replace(self.filter, host=None)
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
        # Filters on what a host says, and a sort on anything but the names, may move rows.
        resort = self.sort_by is not None and self.sort_by[0] is not ColKind.VM
        if self.filter.data_dependent or resort or any(d.added or d.removed for d in diffs.values()):
            self._sync_rows()
        self._emit_rows([(key, v) for key, d in diffs.items() for v in d.changed])

    def _on_cells_changed(self, cells: list[CellKey]) -> None:
        # The outcome of an apply can make a VM a problem; a pending change of Data Exchange can
        # block its updates.
        if self.filter.problems_only or self.filter.needs_attention:
            self._sync_rows()
        self._emit_rows(list({c[:2] for c in cells}))

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


def two_lines(title: str) -> str:
    """A header of several words on two lines, cut at the space nearest its middle
    ("Échange de données" -> "Échange de\ndonnées")."""
    spaces = [n for n, ch in enumerate(title) if ch == " "]
    if not spaces:
        return title
    cut = min(spaces, key=lambda n: abs(len(title) - 2 * n - 1))
    return f"{title[:cut]}\n{title[cut + 1:]}"


def _version_key(version: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in (version or "").split("."))
    except ValueError:
        return ()


def phase_word(phase: CellPhase) -> str:
    """The outcome of the last apply in one word or two (screen readers)."""
    return {
        CellPhase.APPLYING: tr("applying", "apply outcome"), CellPhase.CHANGED: tr("changed", "apply outcome"),
        CellPhase.UNCHANGED: tr("unchanged", "apply outcome"), CellPhase.CONFLICT: tr("conflict", "apply outcome"),
        CellPhase.FAILED: tr("failed", "apply outcome"), CellPhase.UNKNOWN: tr("unknown", "apply outcome"),
        CellPhase.NOT_APPLIED: tr("not applied", "apply outcome"),
    }.get(phase, phase.value.replace("_", " "))


def _short(on: bool) -> str:
    return tr("On") if on else tr("Off")


def badge_text(vm: VM, svc: ServiceState) -> str:
    """The cell's word (kept for callers of the old name)."""
    return status_word(vm, svc)


def is_text(vm: VM) -> str:
    """Grid: the version (a ⚠ icon and amber when an update is required)."""
    return vm.is_version or "—"


def service_tooltip(vm: VM, svc: ServiceState, pending: bool | None, result: CellResult | None) -> str:
    """Plain text (the model wraps it for Qt): the UI's words first, the host's own after."""
    lines = [f"{service_label_of(svc)} — {vm.name}", status_word(vm, svc, long=True), explain(vm, svc)]
    check = guest_check(vm, svc)
    if check:
        lines.append(check)
    if pending is not None:
        lines.append(tr("Pending change: {current} → {target} (not applied yet)").format(
            current=on_off(svc.enabled), target=on_off(pending)))
    if result is not None:
        lines.append(result_text(result))
    lines.append(tr("Host says: {words}").format(words=host_words(svc)))
    return "\n".join(lines)


def accessible_cell_text(vm: VM, label: str, svc: ServiceState, pending: bool | None,
                         result: CellResult | None) -> str:
    """What a screen reader says for a cell: "web1, Time synchronization, enabled, No Contact,
    pending: disable"."""
    parts = [vm.name, label, tr("enabled") if svc.enabled else tr("disabled")]
    meaning = service_meaning(vm, svc)
    if meaning is not Meaning.OFF:
        word = status_word(vm, svc)
        parts.append(tr("no live status") if word == "—" else word.replace(" *", ""))
    if pending is not None:
        parts.append(tr("pending: enable") if pending else tr("pending: disable"))
    if result is not None:
        parts.append(tr("last apply: {outcome}").format(outcome=phase_word(result.phase)))
    return ", ".join(parts)
