"""Left pane: the filter box and the hosts tree (each host with its VMs).

Selecting hosts or VMs here chooses which VMs the grid shows (the *scope*); the filter box
searches VM names across every host."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from hvgui.ui.controller import Controller
from hvgui.ui.delegates import FocusDelegate
from hvgui.ui.i18n import tr
from hvgui.ui.models import HostTreeModel, Scope, VmFilterProxy
from hvgui.ui.state import RowKey

AUTO_EXPAND_MAX_VMS = 500
"""A host shows its VMs in the tree unless it has more than this: laying out 10,000 rows under one
host was most of the time the window took to show them (the grid lists them anyway, and the host
unfolds with a click)."""


class HostsPane(QWidget):
    scopeChanged = Signal(object)
    """:class:`Scope`: the hosts and VMs selected, and the filter text."""
    menuRequested = Signal(QPoint)
    """Context menu at this global position (the window builds it: it owns the actions)."""
    hostActivated = Signal(str)
    """A host was double-clicked: its key."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = HostTreeModel(controller, self)
        self.proxy = VmFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(tr("Filter VMs by name (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.act_clear_filter = QAction(tr("Clear filter"), self)
        self.act_clear_filter.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.act_clear_filter.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_clear_filter.triggered.connect(self.filter_edit.clear)
        self.filter_edit.addAction(self.act_clear_filter)

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setItemDelegate(FocusDelegate(self.tree))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 150)
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(
            lambda pos: self.menuRequested.emit(self.tree.viewport().mapToGlobal(pos)))
        self.tree.doubleClicked.connect(self._double_clicked)
        self.proxy.rowsInserted.connect(self._expand_new_hosts)
        self.proxy.rowsAboutToBeInserted.connect(self._before_rows_inserted)
        self.model.modelReset.connect(self._expand_hosts)
        # Hosts added/edited/removed: the reset clears the tree's selection without a signal;
        # put back what is still there and make the grid follow.
        self._kept_keys: list[RowKey] = []
        self._kept_current: RowKey | None = None
        self.model.modelAboutToBeReset.connect(self._keep_selection)
        self.model.modelReset.connect(self._restore_selection)
        self._expand_hosts()
        # Esc clears the selection: the grid shows every host's VMs again.
        self.act_clear_selection = QAction(tr("Clear selection"), self)
        self.act_clear_selection.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.act_clear_selection.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_clear_selection.triggered.connect(self.tree.clearSelection)
        self.tree.addAction(self.act_clear_selection)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.filter_edit)
        box.addWidget(self.tree)
        self.setTabOrder(self.filter_edit, self.tree)

    # ------------------------------------------------------------ lookups
    def key_of(self, index: QModelIndex) -> RowKey:
        """``(host_key, vm_id)`` of a tree (proxy) index; ``(host_key, "")`` for a host."""
        return self.model.row_key(self.proxy.mapToSource(index))

    def index_of(self, key: RowKey) -> QModelIndex:
        src = self.model.vm_index(key) if key[1] else self.model.host_index(key[0])
        return self.proxy.mapFromSource(src) if src.isValid() else QModelIndex()

    def selected_keys(self) -> list[RowKey]:
        return [self.key_of(i) for i in self.tree.selectionModel().selectedRows(0)]

    def current_host_key(self) -> str | None:
        idx = self.tree.currentIndex()
        return self.key_of(idx)[0] if idx.isValid() else None

    def scope(self) -> Scope:
        hosts: set[str] = set()
        vms: set[RowKey] = set()
        for key in self.selected_keys():
            if key[1]:
                vms.add(key)
            else:
                hosts.add(key[0])
        return Scope(hosts=frozenset(hosts) if hosts or vms else None, vms=frozenset(vms), text=self.proxy.text)

    # ------------------------------------------------------------ actions
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def select(self, keys: list[RowKey], current: RowKey | None = None) -> None:
        """Select these hosts/VMs (the grid follows, once)."""
        sel = QItemSelection()
        for key in keys:
            idx = self.index_of(key)
            if idx.isValid():
                sel.select(idx, idx.siblingAtColumn(self.proxy.columnCount(idx.parent()) - 1))
        sm = self.tree.selectionModel()
        blocked = sm.blockSignals(True)  # one scope update below, not one per signal
        try:
            cur = self.index_of(current) if current else QModelIndex()
            if cur.isValid():
                sm.setCurrentIndex(cur, QItemSelectionModel.SelectionFlag.NoUpdate)
            sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            sm.blockSignals(blocked)
        self.tree.viewport().update()
        self.scopeChanged.emit(self.scope())

    # ------------------------------------------------------------ internals
    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._expand_hosts()
        self.scopeChanged.emit(self.scope())

    def _expand_hosts(self) -> None:
        """Show every host's VMs, but for a host with very many (see AUTO_EXPAND_MAX_VMS)."""
        for r in range(self.proxy.rowCount()):
            host = self.proxy.index(r, 0)
            self.tree.setExpanded(host, self.proxy.rowCount(host) <= AUTO_EXPAND_MAX_VMS)

    def _before_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        # A host's first VMs: a host with very many is folded before they arrive (laying them
        # out is what costs); a host the user unfolds afterwards stays as the user left it.
        if (parent.isValid() and not parent.parent().isValid() and self.proxy.rowCount(parent) == 0
                and last - first + 1 > AUTO_EXPAND_MAX_VMS and self.tree.isExpanded(parent)):
            self.tree.collapse(parent)

    def _selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.scopeChanged.emit(self.scope())

    def _double_clicked(self, index: QModelIndex) -> None:
        key = self.key_of(index)
        if not key[1]:
            self.hostActivated.emit(key[0])

    def _expand_new_hosts(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for r in range(first, last + 1):
                self.tree.expand(self.proxy.index(r, 0))

    def _keep_selection(self) -> None:
        self._kept_keys = self.selected_keys()
        current = self.tree.currentIndex()
        self._kept_current = self.key_of(current) if current.isValid() else None

    def _restore_selection(self) -> None:
        keys, self._kept_keys = self._kept_keys, []
        current, self._kept_current = self._kept_current, None
        self.select(keys, current)
