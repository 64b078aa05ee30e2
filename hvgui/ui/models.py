"""Item models: the hosts/VMs tree, the integration services grid and the activity list.

No widgets here. Models listen to the :class:`~hvgui.ui.controller.Controller` and update
incrementally (``dataChanged``, row inserts/removals), never with a reset on refresh, so
selection, scroll position and the current cell survive.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import VM, ServiceState
from hvgui.core.status import SHORT_TEXT
from hvgui.core.status import OperationalStatus as S
from hvgui.remote.engine import Operation, OpState
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.explain import explain, result_text
from hvgui.ui.state import CellKey, CellPhase, HostEntry, HostStatus, RowKey, VmDiff, on_off

Index = QModelIndex | QPersistentModelIndex
K = TypeVar("K", bound=Hashable)

ROW_KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""``(host_key, vm_id)`` of a VM row/item; ``(host_key, "")`` for a host item."""
CELL_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""``(host_key, vm_id, guid)`` of a service cell, else None."""
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""``"host"`` or ``"vm"`` in the tree."""
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 4

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


def vm_matches(vm: VM, text: str) -> bool:
    """The filter box: VM name (or Id) contains the text, case-insensitive."""
    if not text:
        return True
    t = text.casefold()
    return t in vm.name.casefold() or t == vm.id


def sync_rows(model: QAbstractItemModel, parent: QModelIndex, rows: list[K], desired: Sequence[K]) -> bool:
    """Make ``rows`` hold the items of ``desired`` with minimal row removals/insertions (rows
    that stay keep their place, so their selection and persistent indexes survive)."""
    want = set(desired)
    changed = False
    i = len(rows) - 1
    while i >= 0:
        if rows[i] in want:
            i -= 1
            continue
        j = i
        while j > 0 and rows[j - 1] not in want:
            j -= 1
        model.beginRemoveRows(parent, j, i)
        del rows[j:i + 1]
        model.endRemoveRows()
        changed = True
        i = j - 1
    have = set(rows)
    # Runs of new items, each placed right after the existing item that precedes it in ``desired``.
    runs: list[tuple[K | None, list[K]]] = []
    anchor: K | None = None
    run: list[K] | None = None
    for key in desired:
        if key in have:
            anchor, run = key, None
            continue
        if run is None:
            run = []
            runs.append((anchor, run))
        run.append(key)
    if runs:
        where = {k: n for n, k in enumerate(rows)}
        placed = sorted((((where[a] + 1) if a is not None else 0, items) for a, items in runs),
                        key=lambda p: p[0])
        for pos, items in reversed(placed):
            model.beginInsertRows(parent, pos, pos + len(items) - 1)
            rows[pos:pos] = items
            model.endInsertRows()
        changed = True
    return changed


# ====================================================================== tree

class HostTreeModel(QAbstractItemModel):
    """Hosts (top level) and their VMs. A host item's internal id is 0; a VM item's is
    its host's row + 1."""

    HEADERS = ("Name", "State")

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._hosts: list[str] = []
        self._vms: dict[str, list[str]] = {}
        self._shown: dict[RowKey, tuple[str, str]] = {}
        """What the tree last showed of each VM (name, state)."""
        self._status_shown: dict[str, HostStatus] = {}
        """The status each host's icon last showed."""
        controller.hostsReset.connect(self._reset)
        controller.hostsChanged.connect(self._hosts_changed)
        controller.vmsChanged.connect(self._vms_changed)
        self._reset()

    # ---------------------------------------------------------- structure
    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        # Bounds checked here rather than with hasIndex(): proxies call this for every row.
        if not 0 <= column < 2 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._hosts) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        host_row = parent.row()
        if row >= len(self._vms.get(self._hosts[host_row], ())):
            return QModelIndex()
        return self.createIndex(row, column, host_row + 1)

    def parent(self, index: Index | None = None) -> Any:
        if index is None:
            return super().parent()
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._hosts)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._vms.get(self._hosts[parent.row()], ()))
        return 0

    def columnCount(self, parent: Index = _ROOT) -> int:
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ---------------------------------------------------------- lookups
    def host_index(self, key: str, column: int = 0) -> QModelIndex:
        try:
            return self.createIndex(self._hosts.index(key), column, 0)
        except ValueError:
            return QModelIndex()

    def vm_index(self, key: RowKey, column: int = 0) -> QModelIndex:
        host_row = self._hosts.index(key[0]) if key[0] in self._vms else -1
        if host_row < 0:
            return QModelIndex()
        try:
            return self.createIndex(self._vms[key[0]].index(key[1]), column, host_row + 1)
        except ValueError:
            return QModelIndex()

    def row_key(self, index: Index) -> RowKey:
        if index.internalId() == 0:
            return (self._hosts[index.row()], "")
        host = self._hosts[index.internalId() - 1]
        return (host, self._vms[host][index.row()])

    # ---------------------------------------------------------- data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self.row_key(index)
        entry = self.controller.state.hosts.get(key[0])
        if entry is None:
            return None
        if role == ROW_KEY_ROLE:
            return key
        if role == KIND_ROLE:
            return "vm" if key[1] else "host"
        if not key[1]:
            return self._host_data(entry, index.column(), role)
        vm = entry.vms.get(key[1])
        return None if vm is None else self._vm_data(vm, index.column(), role)

    def _host_data(self, e: HostEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return e.name
            return host_state_text(e)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return look.host_icon(look.host_colour(e.status))
        if role == Qt.ItemDataRole.ToolTipRole:
            return host_tooltip(e)
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return _BOLD
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and e.status is HostStatus.FAILED:
            return look.colour(look.RED)
        return None

    def _vm_data(self, vm: VM, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return vm.name if column == 0 else vm.state
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return look.dot(look.vm_state_colour(vm.state), hollow=vm.is_off)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{vm.name}\nState: {vm.state}\nVM Id: {vm.id}"
        return None

    # ---------------------------------------------------------- updates
    def _reset(self) -> None:
        self.beginResetModel()
        self._hosts = list(self.controller.state.hosts)
        self._vms = {k: e.sorted_vm_ids() for k, e in self.controller.state.hosts.items()}
        self._shown = {(k, v.id): (v.name, v.state) for k, e in self.controller.state.hosts.items()
                       for v in e.vms.values()}
        self._status_shown = {k: e.status for k, e in self.controller.state.hosts.items()}
        self.endResetModel()

    def _hosts_changed(self, keys: list[str]) -> None:
        # The state column in one signal per block of hosts. Column 0 (name and status icon)
        # only for hosts whose status changed, one row each: a column-0 range over several hosts
        # makes the filter proxy and the tree walk every VM under them (26,000 Python calls for
        # 20 hosts x 50 VMs, against 200 for the state column).
        where = {k: n for n, k in enumerate(self._hosts)}
        ns = sorted(where[k] for k in keys if k in where)
        for first, last in _blocks(ns):
            self.dataChanged.emit(self.createIndex(first, 1, 0), self.createIndex(last, 1, 0))
        hosts = self.controller.state.hosts
        for n in ns:
            key = self._hosts[n]
            status = hosts[key].status
            if self._status_shown.get(key) is not status:
                self._status_shown[key] = status
                self.dataChanged.emit(self.createIndex(n, 0, 0), self.createIndex(n, 0, 0))

    def _vms_changed(self, diffs: dict[str, VmDiff]) -> None:
        for key, diff in diffs.items():
            self._host_vms_changed(key, diff)

    def _host_vms_changed(self, key: str, diff: VmDiff) -> None:
        entry = self.controller.state.hosts.get(key)
        parent = self.host_index(key)
        if entry is None or not parent.isValid():
            return
        rows = self._vms[key]
        if diff.added or diff.removed:
            sync_rows(self, parent, rows, entry.sorted_vm_ids())
            for v in diff.removed:
                self._shown.pop((key, v), None)
            for v in diff.added:
                vm = entry.vms.get(v)
                if vm is not None:
                    self._shown[(key, v)] = (vm.name, vm.state)
        if diff.changed:
            # The tree shows name and state only: most refreshes change neither.
            shown = self._shown
            visible = [v for v in diff.changed if v in entry.vms
                       and shown.get((key, v)) != (entry.vms[v].name, entry.vms[v].state)]
            for v in visible:
                shown[(key, v)] = (entry.vms[v].name, entry.vms[v].state)
            where = {v: n for n, v in enumerate(rows)}
            ns = sorted(where[v] for v in visible if v in where)
            host_row = parent.row() + 1
            for first, last in _blocks(ns):
                self.dataChanged.emit(self.createIndex(first, 0, host_row), self.createIndex(last, 1, host_row))


def _blocks(ns: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as contiguous ``(first, last)`` blocks: one dataChanged per block."""
    out: list[tuple[int, int]] = []
    for n in ns:
        if out and n <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], n))
        else:
            out.append((n, n))
    return out


_SERVER_RELEASE = re.compile(r"Server (\d{4}(?: R2)?)")


def short_os(caption: str) -> str:
    """"Microsoft Windows Server 2012 R2 Datacenter" -> "2012 R2"; other captions as they are."""
    m = _SERVER_RELEASE.search(caption)
    return m.group(1) if m else caption.replace("Microsoft Windows ", "")


def insecure_login(cfg: HostConfig) -> str:
    """Why this host's login is risky (shown on the host), or "" when it is not."""
    if cfg.auth is Auth.BASIC and not cfg.is_https:
        return "Basic authentication over plain HTTP: the password travels in clear"
    if cfg.auth is Auth.CREDSSP:
        return "CredSSP: your credentials are delegated to the host (a compromised host can reuse them)"
    return ""


def host_state_text(e: HostEntry) -> str:
    """Connection state, OS and last refresh at a glance; the tooltip has the details."""
    text = _host_state_text(e)
    return f"⚠ {text}" if insecure_login(e.config) else text


def _host_state_text(e: HostEntry) -> str:
    if e.status is HostStatus.FAILED:
        return f"Error: {e.error.title if e.error else 'failed'}"
    if e.status is HostStatus.CONNECTING:
        return "Connecting…"
    if e.applying:
        return "Applying…"
    parts = [f"{len(e.vms)} VMs"]
    if e.facts and e.facts.os_caption:
        parts.append(short_os(e.facts.os_caption))
    if e.refreshing:
        parts.append("refreshing…")
    elif e.last_refresh:
        parts.append(time.strftime("%H:%M", time.localtime(e.last_refresh)))
    return " · ".join(parts)


def host_tooltip(e: HostEntry) -> str:
    lines = [e.name, e.config.url]
    risk = insecure_login(e.config)
    if risk:
        lines.append(f"⚠ Warning: {risk}")
    if e.facts and (e.facts.os_caption or e.facts.os_version):
        lines.append(f"{e.facts.os_caption} {e.facts.os_version}".strip())
    lines.append(f"State: {e.status.value}")
    if e.error is not None:
        lines.append(e.error.text)
    if e.last_refresh:
        lines.append("Last refresh: " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.last_refresh)))
    return "\n".join(lines)


class VmFilterProxy(QSortFilterProxyModel):
    """Filters VMs by name across all hosts; a host stays visible when one of its VMs matches
    (or when there is no filter)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setRecursiveFilteringEnabled(True)
        # Re-filter on the filter text and on row inserts, not on every dataChanged: a refresh
        # of 20 hosts would otherwise re-run the filter over every VM (VM renames are rare).
        self.setDynamicSortFilter(False)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not source_parent.isValid():
            return not self._text
        model = self.sourceModel()
        assert isinstance(model, HostTreeModel)
        key = model.row_key(model.index(source_row, 0, source_parent))
        vm = model.controller.state.vm(*key)
        return vm is not None and vm_matches(vm, self._text)


# ====================================================================== grid

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
        blocks = _blocks(ns)
        if len(blocks) > 16:  # one signal for a scattered bulk change; the view repaints only what is visible
            blocks = [(ns[0], ns[-1])]
        for first, last in blocks:
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


# ====================================================================== activity

class ActivityModel(QStandardItemModel):
    """Every remote operation (newest last). Fed by ``Engine.subscribe`` on the loop's thread.

    The rows live in C++ items (not a Python ``data()``): painting the panel then never needs
    the GIL, which the WinRM worker threads hold much of the time during a refresh or an apply."""

    HEADERS = ("Started", "Host", "What", "State", "Duration", "Outcome")
    MAX_ROWS = 5000
    _STATE_TEXT: ClassVar[dict[OpState, str]] = {
        OpState.RUNNING: "Running…", OpState.OK: "OK", OpState.FAILED: "Failed", OpState.CANCELLED: "Cancelled"}
    _STATE_COLOUR: ClassVar[dict[OpState, str]] = {
        OpState.RUNNING: look.BLUE, OpState.OK: look.GREEN, OpState.FAILED: look.RED, OpState.CANCELLED: look.GREY}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self._ops: list[Operation] = []
        self._row_of: dict[int, int] = {}
        self._first = 0
        """Operations dropped from the top so far (row numbers shift by this)."""

    def on_operation(self, op: Operation) -> None:
        n = self._row_of.get(op.id)
        if n is not None and 0 <= n - self._first < len(self._ops):
            row = n - self._first
            self._ops[row] = op
            self._fill_row(row, op)
            return
        if len(self._ops) >= self.MAX_ROWS:
            drop = len(self._ops) - self.MAX_ROWS + 1
            for old in self._ops[:drop]:
                self._row_of.pop(old.id, None)
            del self._ops[:drop]
            self.removeRows(0, drop)
            self._first += drop
        items = [QStandardItem() for _ in self.HEADERS]
        for item in items:
            item.setEditable(False)
        items[4].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items[0].setText(time.strftime("%H:%M:%S", time.localtime(op.started_wall)))
        self._ops.append(op)
        self._row_of[op.id] = self._first + len(self._ops) - 1
        self._fill_items(items, op)
        self.appendRow(items)

    def _fill_row(self, row: int, op: Operation) -> None:
        self._fill_items([self.item(row, c) for c in range(len(self.HEADERS))], op)

    def _fill_items(self, items: list[QStandardItem], op: Operation) -> None:
        def put(item: QStandardItem, role: int, value: Any) -> None:
            if item.data(role) != value:  # an unchanged value must not repaint
                item.setData(value, role)

        put(items[1], _DISPLAY, op.host)
        put(items[2], _DISPLAY, op.summary)
        put(items[3], _DISPLAY, self._STATE_TEXT[op.state])
        items[3].setIcon(look.dot(self._STATE_COLOUR[op.state]))
        put(items[4], _DISPLAY, f"{op.duration:.1f} s")
        put(items[5], _DISPLAY, op.error.text if op.error is not None else op.outcome)
        if op.state is OpState.FAILED:
            items[5].setForeground(look.colour(look.RED))
        put(items[5], _TOOLTIP, (op.error.text + (f"\n\n{op.error.details}" if op.error.details else ""))
            if op.error is not None else None)

    def operation(self, row: int) -> Operation:
        return self._ops[row]

    def tick(self) -> None:
        """Refresh the duration of running operations (called once a second)."""
        for n, op in enumerate(self._ops):
            if op.state is OpState.RUNNING:
                item = self.item(n, 4)
                if item is not None:
                    item.setText(f"{op.duration:.1f} s")


def operation_text(op: Operation) -> str:
    """The exact script and the decoded request of one operation (what "Show script" shows)."""
    payload = json.dumps(op.payload, indent=2, ensure_ascii=False)
    return (f"# Host: {op.host}\n# Operation #{op.id}: {op.summary}\n"
            f"# The script below is sent as is; the request travels next to it as base64 JSON,\n"
            f"# decoded here:\n\n{op.script.rstrip()}\n\n# ---- request (decoded) ----\n{payload}\n")
