"""The hosts tree: each host with its connection state, its VMs under it; and the filter
that searches VM names across hosts."""

from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import VM
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.i18n import QT_TR_NOOP, error_text, error_title, tr, vm_state_text
from hvgui.ui.models.roles import KIND_ROLE, ROW_KEY_ROLE
from hvgui.ui.models.rows import blocks, sync_rows
from hvgui.ui.state import HostEntry, HostStatus, RowKey, VmDiff
from hvgui.ui.words import plain_tip

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_BOLD = QFont()
_BOLD.setBold(True)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def vm_matches(vm: VM, text: str) -> bool:
    """The filter box: VM name (or Id) contains the text, case-insensitive."""
    if not text:
        return True
    t = text.casefold()
    return t in vm.name.casefold() or t == vm.id



class HostTreeModel(QAbstractItemModel):
    """Hosts (top level) and their VMs. A host item's internal id is 0; a VM item's is
    its host's row + 1."""

    HEADERS = (QT_TR_NOOP("Name"), QT_TR_NOOP("State"))

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
            return tr(self.HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # The tree asks every row's flags twice when it lays out (10,000 VMs under one host).
        return _FLAGS if index.isValid() else _NO_FLAGS

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
            return look.host_icon(e.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(host_tooltip(e))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return tr("{name}, host, {state}").format(name=e.name, state=host_state_text(e)) if column == 0 \
                else host_state_text(e)
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return _BOLD
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and e.status is HostStatus.FAILED:
            return look.colour(look.RED)
        return None

    def _vm_data(self, vm: VM, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return vm.name if column == 0 else vm_state_text(vm.state)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return look.vm_state_icon(vm.state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(tr("{name}\nState: {state}\nVM Id: {id}").format(
                name=vm.name, state=vm_state_text(vm.state), id=vm.id))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = vm_state_text(vm.state)
            return tr("{name}, VM, {state}").format(name=vm.name, state=state) if column == 0 else state
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

    def refresh_all(self) -> None:
        """Repaint everything (e.g. the theme changed from light to dark)."""
        self._status_shown.clear()
        self._hosts_changed(list(self._hosts))
        for n, key in enumerate(self._hosts):
            last = len(self._vms.get(key, ())) - 1
            if last >= 0:
                self.dataChanged.emit(self.createIndex(0, 0, n + 1), self.createIndex(last, 1, n + 1))

    def _hosts_changed(self, keys: list[str]) -> None:
        # The state column in one signal per block of hosts. Column 0 (name and status icon)
        # only for hosts whose status changed, one row each: a column-0 range over several hosts
        # makes the filter proxy and the tree walk every VM under them (26,000 Python calls for
        # 20 hosts x 50 VMs, against 200 for the state column).
        where = {k: n for n, k in enumerate(self._hosts)}
        ns = sorted(where[k] for k in keys if k in where)
        for first, last in blocks(ns):
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
            for first, last in blocks(ns):
                self.dataChanged.emit(self.createIndex(first, 0, host_row), self.createIndex(last, 1, host_row))



_SERVER_RELEASE = re.compile(r"Server (\d{4}(?: R2)?)")


def short_os(caption: str) -> str:
    """"Microsoft Windows Server 2012 R2 Datacenter" -> "2012 R2"; other captions as they are."""
    m = _SERVER_RELEASE.search(caption)
    return m.group(1) if m else caption.replace("Microsoft Windows ", "")


def insecure_login(cfg: HostConfig) -> str:
    """Why this host's login is risky (shown on the host), or "" when it is not."""
    if cfg.auth is Auth.BASIC and not cfg.is_https:
        return tr("Basic authentication over plain HTTP: the password travels in clear")
    if cfg.auth is Auth.CREDSSP:
        return tr("CredSSP: your credentials are delegated to the host (a compromised host can reuse them)")
    return ""


def host_state_text(e: HostEntry) -> str:
    """Connection state, OS and last refresh at a glance; the tooltip has the details."""
    text = _host_state_text(e)
    return f"⚠ {text}" if insecure_login(e.config) else text


def _host_state_text(e: HostEntry) -> str:
    if e.status is HostStatus.FAILED:
        return tr("Error: {reason}").format(reason=error_title(e.error.kind) if e.error else tr("failed"))
    if e.status is HostStatus.CONNECTING:
        return tr("Connecting…")
    if e.applying:
        return tr("Applying…")
    parts = [tr("%n VM(s)", "", len(e.vms))]
    if e.facts and e.facts.os_caption:
        parts.append(short_os(e.facts.os_caption))
    if e.refreshing:
        parts.append(tr("refreshing…"))
    elif e.last_refresh:
        parts.append(time.strftime("%H:%M", time.localtime(e.last_refresh)))
    return " · ".join(parts)


def host_status_word(status: HostStatus) -> str:
    return {HostStatus.CONNECTED: tr("connected"), HostStatus.FAILED: tr("failed"),
            HostStatus.CONNECTING: tr("connecting")}.get(status, status.value)


def host_tooltip(e: HostEntry) -> str:
    """Plain text: the host, its login, and when it failed, why, in full."""
    lines = [e.name, e.config.url,
             tr("Login: {user} ({auth})").format(user=e.config.username or tr("the current Windows logon"),
                                                 auth=e.config.auth.value.upper())]
    risk = insecure_login(e.config)
    if risk:
        lines.append("⚠ " + tr("Warning: {risk}").format(risk=risk))
    if e.facts and (e.facts.os_caption or e.facts.os_version):
        lines.append(f"{e.facts.os_caption} {e.facts.os_version}".strip())
    lines.append(tr("State: {state}").format(state=host_status_word(e.status)))
    if e.error is not None:
        lines.append(error_text(e.error))
        if e.error.details and e.error.details not in e.error.message:
            lines.append(tr("Details: {details}").format(details=e.error.details))
        if e.error.fingerprint:
            lines.append(tr("Certificate SHA-256: {fingerprint}").format(fingerprint=e.error.fingerprint))
    if e.last_refresh:
        lines.append(tr("Last refresh: ") + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.last_refresh)))
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

    def flags(self, index: Index) -> Qt.ItemFlag:
        # The source's flags without mapping the index to the source: the tree asks every row's
        # flags twice when it lays out, and each mapping is a call of the source's index().
        return _FLAGS if index.isValid() else _NO_FLAGS

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._text:  # no filter: every row, without looking it up (10,000 VMs inserted at once)
            return True
        if not source_parent.isValid():
            return False
        model = self.sourceModel()
        assert isinstance(model, HostTreeModel)
        key = model.row_key(model.index(source_row, 0, source_parent))
        vm = model.controller.state.vm(*key)
        return vm is not None and vm_matches(vm, self._text)

