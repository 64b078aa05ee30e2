"""The main window: hosts and VMs (left), the integration services grid (middle), details for
helpdesk staff (right), the activity panel (bottom)."""

from __future__ import annotations

import html
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QFontDatabase,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from hvgui.core import catalog
from hvgui.core.hosts import HostConfig, default_hosts_path, save_hosts
from hvgui.remote.errors import ErrorKind
from hvgui.ui import look
from hvgui.ui.controller import ApplySummary, Controller
from hvgui.ui.explain import explain, result_text, status_line, vm_report
from hvgui.ui.fix_dialogs import PasswordDialog, PresentedCertificate, TrustDialog, save_certificate
from hvgui.ui.host_dialog import NEEDS_PASSWORD, HostDialog
from hvgui.ui.models import (
    ActivityModel,
    ColKind,
    HostTreeModel,
    Scope,
    ServiceGridModel,
    VmFilterProxy,
    is_text,
    operation_text,
)
from hvgui.ui.plan_dialog import PlanDialog
from hvgui.ui.settings import AUTO_REFRESH_CHOICES, Settings
from hvgui.ui.state import CellKey, Plan, RowKey, on_off

log = logging.getLogger(__name__)


class GridView(QTableView):
    """The grid; Space toggles every selected checkbox at once (not only the current one)."""

    spacePressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.spacePressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ScriptDialog(QDialog):
    """The exact script and decoded request of one operation (non-modal)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 600)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(text)
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, controller: Controller, settings: Settings | None = None, *,
                 settings_path: Any = None, read_only_forced: bool = False,
                 hosts_file: Path | None = None, hosts_file_writable: bool = True,
                 credentials: Any = None, cert_dir: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.hosts_file = hosts_file
        """Where host edits are saved (None: not saved, e.g. ``--demo``)."""
        self.hosts_file_writable = hosts_file_writable
        """False when the file could not be read at start: it is kept as it is, never overwritten."""
        self.credentials = credentials
        self.host_dialog: HostDialog | None = None
        self.cert_dir = cert_dir
        """Where trusted host certificates are saved (default: ``certs`` beside the hosts file)."""
        self.fix_dialogs: dict[str, QDialog] = {}
        """Open "Enter password" / "Trust certificate" dialogs by host key (one per host)."""
        self.settings = settings or Settings()
        self.settings_path = settings_path
        self.read_only_forced = read_only_forced
        self.plan_dialog: PlanDialog | None = None
        self._details_key: RowKey | None = None
        self.setWindowTitle("Hyper-V integration services")
        self._initial_size()

        # ---- models
        self.tree_model = HostTreeModel(controller, self)
        self.tree_proxy = VmFilterProxy(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.grid_model = ServiceGridModel(controller, self)
        self.activity_model = ActivityModel(self)
        subscribe = getattr(controller.engine, "subscribe", None)
        if subscribe is not None:
            subscribe(self.activity_model.on_operation)

        self._build_actions()
        self._build_widgets()
        self._build_menus()

        controller.hostsChanged.connect(self._hosts_changed)
        controller.cellsChanged.connect(self._cells_changed)
        controller.vmsChanged.connect(self._vms_changed)
        controller.hostsReset.connect(self._update_status)
        controller.refreshFinished.connect(self._refresh_finished)
        controller.applyFinished.connect(self._apply_finished)
        self.grid_model.columnsInserted.connect(lambda *_: self._size_columns())
        self.grid_model.columnsRemoved.connect(lambda *_: self._size_columns())
        self.grid_model.rowsInserted.connect(lambda *_: self._ensure_current())
        self.grid_model.rowsRemoved.connect(lambda *_: self._update_status())

        # Status bar and details pane are rebuilt at most every few tens of ms: 20 hosts
        # answering at once must not rebuild them 60 times in one go.
        self._status_timer = self._coalescer(60, self._do_update_status)
        self._details_timer = self._coalescer(25, self._do_refresh_details)
        self._details_html = ""

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.activity_model.tick)
        self._clock.start()
        self._size_columns()
        self._apply_read_only()
        self._do_update_status()
        self._do_refresh_details()

    # ================================================================ building
    def _action(self, text: str, slot: Any, shortcut: str | QKeySequence.StandardKey | None = None,
                tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        self.act_refresh = self._action("Refresh", self.refresh, "F5", "Read every host again (F5)")
        self.act_apply = self._action("Apply", self.open_plan, "Ctrl+S",
                                      "Preview and apply the pending changes (Ctrl+S)")
        self.act_revert = self._action("Revert", self.revert_all, "Esc",
                                       "Drop every pending change (Esc in the grid)")
        # Esc reverts only from the grid (the action lives there, not on the window): Esc in the
        # filter box or a dialog must never wipe every pending change. Toolbar and menu still work.
        self.removeAction(self.act_revert)
        self.act_revert.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_clear_filter = QAction("Clear filter", self)
        self.act_clear_filter.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.act_clear_filter.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_clear_filter.triggered.connect(lambda: self.filter_edit.clear())
        self.act_retry = self._action("Retry failed", self.retry_failed, None,
                                      "Apply again the changes that failed")
        self.act_filter = self._action("Find VM", self.focus_filter, "Ctrl+F", "Filter VMs by name (Ctrl+F)")
        self.act_enable = self._action("Enable", lambda: self.set_selected(True), None,
                                       "Enable the selected services")
        self.act_disable = self._action("Disable", lambda: self.set_selected(False), None,
                                        "Disable the selected services")
        self.act_default = self._action("Reset to default", self.reset_selected, None,
                                        "Default: everything on except Guest services")
        self.act_revert_sel = self._action("Revert selected", self.revert_selected, None,
                                           "Drop the pending changes of the selected cells")
        # The column header's menu, from the keyboard: they act on the current cell's column.
        self.act_col_enable = self._action("Enable this column for all VMs in view",
                                           lambda: self.column_action("enable"), None,
                                           "Enable the current cell's service for every VM in the grid")
        self.act_col_disable = self._action("Disable this column for all VMs in view",
                                            lambda: self.column_action("disable"), None,
                                            "Disable the current cell's service for every VM in the grid")
        self.act_col_revert = self._action("Revert this column", lambda: self.column_action("revert"), None,
                                           "Drop the pending changes in the current cell's column")
        self.act_copy = self._action("Copy report", self.copy_report, "Ctrl+Shift+C",
                                     "Copy a text report of the current VM")
        self.act_quit = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_add_host = self._action("Add host…", self.add_host, None, "Add a Hyper-V host")
        self.act_edit_host = self._action("Edit host…", self.edit_host, None,
                                          "Change the selected host's address, login or certificate")
        self.act_remove_host = self._action("Remove host", self.remove_host, None,
                                            "Remove the selected host from the list")
        self.act_read_only = QAction("Read-only mode", self, checkable=True)
        self.act_read_only.setToolTip("Nothing can be ticked or applied (helpdesk)")
        self.act_read_only.toggled.connect(self._read_only_toggled)
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

    def _build_widgets(self) -> None:
        # ---- left: filter + tree
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter VMs by name (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.filter_edit.addAction(self.act_clear_filter)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_proxy)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 150)
        self.tree.selectionModel().selectionChanged.connect(self._tree_selection_changed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.doubleClicked.connect(self._tree_double_clicked)
        self.tree_proxy.rowsInserted.connect(self._expand_new_hosts)
        self.tree_model.modelReset.connect(self.tree.expandAll)
        # Hosts added/edited/removed: the reset clears the tree's selection without a signal;
        # put back what is still there and make the grid follow.
        self._kept_tree_keys: list[tuple[str, str]] = []
        self._kept_tree_current: tuple[str, str] | None = None
        self.tree_model.modelAboutToBeReset.connect(self._keep_tree_selection)
        self.tree_model.modelReset.connect(self._restore_tree_selection)
        self.tree.expandAll()
        left = _stacked(self.filter_edit, self.tree)

        # ---- middle: the grid
        self.grid = GridView()
        self.grid.setModel(self.grid_model)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setWordWrap(False)
        self.grid.setTabKeyNavigation(False)  # Tab leaves the grid (arrows move inside it)
        self.grid.setAlternatingRowColors(True)
        self.grid.verticalHeader().setVisible(False)
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.horizontalHeader().setHighlightSections(False)
        self.grid.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.horizontalHeader().customContextMenuRequested.connect(self._header_menu)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._grid_menu)
        self.grid.spacePressed.connect(self.toggle_selected)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._refresh_details())
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel, self.act_revert):
            self.grid.addAction(a)
        self.grid_hint = QLabel()
        self.grid_hint.setWordWrap(True)
        self.grid_hint.setVisible(False)
        self.grid_hint.setTextFormat(Qt.TextFormat.RichText)
        self.grid_hint.linkActivated.connect(self._hint_link)
        middle = _stacked(self.grid_hint, self.grid)

        # ---- right: details for helpdesk
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setToolTip("Put a readable text summary of this VM on the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_report)
        right = _stacked(self.details, self.copy_button)

        # ---- bottom: activity
        self.activity = QTableView()
        self.activity.setModel(self.activity_model)
        self.activity.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.activity.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.activity.verticalHeader().setVisible(False)
        self.activity.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.activity.setWordWrap(False)
        self.activity.setTabKeyNavigation(False)
        self.activity.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((70, 110, 260, 90, 70)):
            self.activity.setColumnWidth(col, width)
        self.activity.doubleClicked.connect(lambda idx: self.show_operation(idx.row()))
        self.activity_model.rowsInserted.connect(lambda *_: self.activity.scrollToBottom())
        self.script_button = QPushButton("Show script…")
        self.script_button.setToolTip("The exact PowerShell sent and its request, decoded")
        self.script_button.clicked.connect(self._show_current_operation)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Activity</b>"))
        head.addStretch(1)
        head.addWidget(self.script_button)
        bottom = _stacked(head, self.activity)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(middle)
        top.addWidget(right)
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)
        top.setStretchFactor(2, 0)
        top.setSizes([315, 1235, 250])
        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(top)
        self.vsplit.addWidget(bottom)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setSizes([680, 180])
        self.setCentralWidget(self.vsplit)

        # ---- toolbar and status bar
        tb = QToolBar("Main")
        tb.setObjectName("main-toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addAction(self.act_refresh)
        tb.addSeparator()
        tb.addAction(self.act_apply)
        tb.addAction(self.act_revert)
        tb.addAction(self.act_retry)
        self.read_only_label = QLabel("  Read-only mode: nothing can be changed  ")
        self.read_only_label.setStyleSheet(f"color: white; background: {look.BLUE}; border-radius: 3px;")
        tb.addSeparator()
        self.read_only_label_action = tb.addWidget(self.read_only_label)
        self.addToolBar(tb)
        self.status_hosts = QLabel()
        self.status_pending = QLabel()
        self.status_refresh = QLabel()
        # Fixed widths: a label whose text changes size would re-lay out (and repaint) the
        # whole window on every refresh.
        fm = self.fontMetrics()
        for w, sample in ((self.status_hosts, "888 hosts connected, 888 failed, 888 connecting"),
                          (self.status_pending, "  Pending changes: 88888 (88888 failed)  "),
                          (self.status_refresh, "Last refresh: 88:88:88")):
            w.setFixedWidth(fm.horizontalAdvance(sample) + 12)
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.statusBar().addPermanentWidget(w)

        self.setTabOrder(self.filter_edit, self.tree)
        self.setTabOrder(self.tree, self.grid)
        self.setTabOrder(self.grid, self.details)
        self.setTabOrder(self.details, self.copy_button)
        self.setTabOrder(self.copy_button, self.activity)
        self.setTabOrder(self.activity, self.script_button)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_refresh)
        m.addSeparator()
        for a in (self.act_add_host, self.act_edit_host, self.act_remove_host):
            m.addAction(a)
        audit = getattr(getattr(self.controller.engine, "audit", None), "path", None)
        if isinstance(audit, Path):
            self.act_audit = QAction("Open audit log folder", self)
            self.act_audit.setToolTip(f"Every change applied, one JSON line each: {audit}")
            self.act_audit.triggered.connect(lambda: self._open_folder(audit.parent))
            m.addSeparator()
            m.addAction(self.act_audit)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        for a in (self.act_apply, self.act_revert, self.act_retry):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_col_enable, self.act_col_disable, self.act_col_revert):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_filter)
        m.addAction(self.act_copy)
        m = mb.addMenu("&Settings")
        m.addAction(self.act_read_only)
        auto = m.addMenu("Auto-refresh")
        group = QActionGroup(self)
        for seconds in AUTO_REFRESH_CHOICES:
            label = "Off" if seconds == 0 else (f"Every {seconds} s" if seconds < 60 else
                                                f"Every {seconds // 60} min")
            a = auto.addAction(label)
            a.setCheckable(True)
            a.setChecked(seconds == self.settings.auto_refresh_s)
            a.triggered.connect(lambda _=False, s=seconds: self._set_auto_refresh(s))
            group.addAction(a)

    def _open_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.statusBar().showMessage(f"Audit log folder: {folder}", 10000)

    # ================================================================ layout
    def _initial_size(self) -> None:
        width, height = 1800, 980  # every column visible with three hosts' names
        screen = QGuiApplication.primaryScreen()
        if screen is not None and screen.availableGeometry().width() >= 1024:
            avail = screen.availableGeometry()
            width, height = min(width, avail.width()), min(height, avail.height())
        self.resize(width, height)

    def _size_columns(self) -> None:
        fm = self.grid.fontMetrics()
        header = self.grid.horizontalHeader()
        header.setStretchLastSection(True)
        for n, col in enumerate(self.grid_model.columns):
            text = fm.horizontalAdvance(col.title) + 28
            if col.kind is ColKind.HOST:
                width = max(text, 100)
            elif col.kind is ColKind.VM:
                width = max(text, 165)
            elif col.kind is ColKind.STATE:
                width = max(text, fm.horizontalAdvance("Running") + 40)
            elif col.kind is ColKind.SERVICE:
                # checkbox + badge + "No Contact"; longer statuses elide, the tooltip has them verbatim
                width = max(text, fm.horizontalAdvance("No Contact") + 54)
            else:
                width = max(text, fm.horizontalAdvance("6.3.9600.16384 (update)") + 16)
            self.grid.setColumnWidth(n, width)

    def _expand_new_hosts(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for r in range(first, last + 1):
                self.tree.expand(self.tree_proxy.index(r, 0))

    # ================================================================ scope
    def _filter_changed(self, text: str) -> None:
        self.tree_proxy.set_text(text)
        self.tree.expandAll()
        self._update_scope()

    def _tree_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._update_scope()

    def _keep_tree_selection(self) -> None:
        def key(idx: QModelIndex) -> tuple[str, str]:
            return self.tree_model.row_key(self.tree_proxy.mapToSource(idx))

        self._kept_tree_keys = [key(i) for i in self.tree.selectionModel().selectedRows(0)]
        current = self.tree.currentIndex()
        self._kept_tree_current = key(current) if current.isValid() else None

    def _restore_tree_selection(self) -> None:
        def index(key: tuple[str, str]) -> QModelIndex:
            src = self.tree_model.vm_index(key) if key[1] else self.tree_model.host_index(key[0])
            return self.tree_proxy.mapFromSource(src) if src.isValid() else QModelIndex()

        sel = QItemSelection()
        for key in self._kept_tree_keys:
            idx = index(key)
            if idx.isValid():
                sel.select(idx, idx.siblingAtColumn(self.tree_proxy.columnCount(idx.parent()) - 1))
        self._kept_tree_keys = []
        sm = self.tree.selectionModel()
        blocked = sm.blockSignals(True)  # one scope update below, not one per signal
        try:
            current = index(self._kept_tree_current) if self._kept_tree_current else QModelIndex()
            if current.isValid():
                sm.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
            sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            sm.blockSignals(blocked)
        self._kept_tree_current = None
        self.tree.viewport().update()
        self._update_scope()

    def _update_scope(self) -> None:
        hosts: set[str] = set()
        vms: set[RowKey] = set()
        for idx in self.tree.selectionModel().selectedRows(0):
            key = self.tree_model.row_key(self.tree_proxy.mapToSource(idx))
            if key[1]:
                vms.add(key)
            else:
                hosts.add(key[0])
        scope = Scope(hosts=frozenset(hosts) if hosts or vms else None, vms=frozenset(vms),
                      text=self.tree_proxy.text)
        self.grid_model.set_scope(scope)
        self._ensure_current()
        self._refresh_details()

    def _ensure_current(self) -> None:
        """Give the grid a current cell (and the details pane a VM) once there are rows."""
        if self.grid_model.rowCount() and not self.grid.currentIndex().isValid():
            self.grid.selectionModel().setCurrentIndex(self.grid_model.index(0, 0),
                                                       QItemSelectionModel.SelectionFlag.NoUpdate)
        self._update_status()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # ================================================================ edits
    def selected_cells(self) -> list[CellKey]:
        cells: list[CellKey] = []
        for idx in self.grid.selectionModel().selectedIndexes():
            cell = self.grid_model.cell_key(idx)
            if cell is not None:
                cells.append(cell)
        if not cells:
            cell = self.grid_model.cell_key(self.grid.currentIndex())
            if cell is not None:
                cells.append(cell)
        return cells

    def toggle_selected(self) -> None:
        if not self.controller.read_only:
            self.controller.toggle(self.selected_cells())

    def set_selected(self, target: bool) -> None:
        self.controller.set_target(self.selected_cells(), target)

    def reset_selected(self) -> None:
        self.controller.reset_default(self.selected_cells())

    def revert_selected(self) -> None:
        self.controller.revert(self.selected_cells())

    def revert_all(self) -> None:
        n = len(self.controller.state.pending)
        if self.controller.revert():
            self.statusBar().showMessage(f"Reverted {n} pending change{'s' if n != 1 else ''}", 5000)

    def _grid_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.act_col_enable, self.act_col_disable, self.act_col_revert):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.act_copy)
        menu.popup(self.grid.viewport().mapToGlobal(pos))

    def _header_menu(self, pos: QPoint) -> None:
        column = self.grid.horizontalHeader().logicalIndexAt(pos)
        menu = self.column_menu(column)
        if menu is not None:
            menu.popup(self.grid.horizontalHeader().mapToGlobal(pos))

    def column_menu(self, column: int) -> QMenu | None:
        """'Enable/Disable for all VMs in view' for one service column."""
        if not 0 <= column < len(self.grid_model.columns):
            return None
        col = self.grid_model.columns[column]
        if col.kind is not ColKind.SERVICE:
            return None
        cells = self.grid_model.cells_in_column(column)
        n = len(cells)
        menu = QMenu(self)
        ro = self.controller.read_only
        for text, slot in (
            (f"Enable {col.title} for all {n} VMs in view", lambda: self.controller.set_target(cells, True)),
            (f"Disable {col.title} for all {n} VMs in view", lambda: self.controller.set_target(cells, False)),
            ("Reset to default for all VMs in view", lambda: self.controller.reset_default(cells)),
            ("Revert this column", lambda: self.controller.revert(cells)),
        ):
            a = menu.addAction(text)
            a.triggered.connect(slot)
            a.setEnabled(not ro or text.startswith("Revert"))
        return menu

    def column_action(self, what: str) -> bool:
        """Enable/disable/revert the current cell's service column for every VM in view."""
        column = self.grid.currentIndex().column()
        if not 0 <= column < len(self.grid_model.columns) or \
                self.grid_model.columns[column].kind is not ColKind.SERVICE:
            self.statusBar().showMessage("Move to a service's column in the grid first", 4000)
            return False
        cells = self.grid_model.cells_in_column(column)
        if what == "revert":
            return self.controller.revert(cells)
        if self.controller.read_only:
            self.statusBar().showMessage("Read-only mode: nothing can be changed", 4000)
            return False
        return self.controller.set_target(cells, what == "enable")

    # ================================================================ hosts
    def selected_host_key(self) -> str | None:
        idx = self.tree.currentIndex()
        if not idx.isValid():
            return None
        return self.tree_model.row_key(self.tree_proxy.mapToSource(idx))[0]

    def _tree_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        key = self.selected_host_key()
        fix = self.host_fix(key) if key else None
        if key is not None and fix is not None:
            a = menu.addAction(fix[0])
            a.triggered.connect(lambda _=False, k=key: self.fix_host(k))
            menu.addSeparator()
        for act in (self.act_add_host, self.act_edit_host, self.act_remove_host):
            menu.addAction(act)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def _tree_double_clicked(self, index: QModelIndex) -> None:
        key = self.tree_model.row_key(self.tree_proxy.mapToSource(index))
        if not key[1] and self.host_fix(key[0]) is not None:
            self.fix_host(key[0])

    def host_fix(self, key: str) -> tuple[str, str] | None:
        """What the admin can do about this host's error: ``(label, kind)`` or None."""
        entry = self.controller.state.hosts.get(key)
        if entry is None or entry.error is None:
            return None
        if entry.error.kind is ErrorKind.WRONG_CREDENTIALS and entry.config.auth in NEEDS_PASSWORD:
            return ("Enter password…", "password")
        if entry.error.kind is ErrorKind.TLS_UNTRUSTED and entry.config.is_https:
            return ("Trust this certificate…", "trust")
        return None

    def fix_host(self, key: str) -> QDialog | None:
        fix = self.host_fix(key)
        if fix is None:
            return None
        return self.enter_password(key) if fix[1] == "password" else self.trust_certificate(key)

    def _show_fix(self, key: str, dlg: QDialog) -> QDialog:
        old = self.fix_dialogs.pop(key, None)
        if old is not None:
            old.close()
        self.fix_dialogs[key] = dlg
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda _r: self.fix_dialogs.pop(key, None) if self.fix_dialogs.get(key) is dlg
                             else None)
        dlg.show()
        return dlg

    def enter_password(self, key: str) -> PasswordDialog | None:
        """Ask for one host's password (the other hosts go on) and read that host again."""
        entry = self.controller.state.hosts.get(key)
        if entry is None or self.credentials is None:
            return None
        reason = entry.error.text if entry.error is not None else "Enter the password for this host."
        dlg = PasswordDialog(entry.config, reason, secure_store=self._secure_store(), parent=self)

        def entered(password: str, cfg: HostConfig = entry.config) -> None:
            self.credentials.set(cfg, password)
            # A read already running uses the old password: start it again.
            self.controller.refresh([cfg.key], restart=True)

        dlg.entered.connect(entered)
        self._show_fix(key, dlg)
        return dlg

    def trust_certificate(self, key: str) -> TrustDialog | None:
        """Show the fingerprint of the certificate the host presents; once confirmed, save it
        as a PEM and make it that host's CA file."""
        entry = self.controller.state.hosts.get(key)
        if entry is None:
            return None
        expected = entry.error.fingerprint if entry.error is not None else None
        dlg = TrustDialog(entry.config, expected, parent=self)

        def trusted(cert: PresentedCertificate, cfg: HostConfig = entry.config) -> None:
            directory = self.cert_dir or (self.hosts_file.parent if self.hosts_file else
                                          default_hosts_path().parent) / "certs"
            try:
                path = save_certificate(cert, cfg, directory)
            except OSError as exc:
                self.statusBar().showMessage(f"Could not save the certificate: {exc}", 10000)
                return
            self.save_host(cfg, replace(cfg, ca_file=str(path)), None)
            self.statusBar().showMessage(f"Trusting the certificate of {cfg.display_name} ({path})", 8000)

        dlg.trusted.connect(trusted)
        self._show_fix(key, dlg)
        return dlg

    def _secure_store(self) -> bool:
        return bool(getattr(self.credentials, "secure", True))

    def add_host(self) -> HostDialog:
        return self._open_host_dialog(None)

    def edit_host(self, key: str | None = None) -> HostDialog | None:
        key = key or self.selected_host_key()
        entry = self.controller.state.hosts.get(key) if key else None
        if entry is None:
            self.statusBar().showMessage("Select a host to edit", 4000)
            return None
        if entry.applying:
            self.statusBar().showMessage(f"{entry.name} is applying changes: edit it once that has finished", 6000)
            return None
        return self._open_host_dialog(entry.config)

    def _hint_link(self, link: str) -> None:
        if link.startswith("fix:"):
            self.fix_host(unquote(link[4:]))

    def _open_host_dialog(self, host: HostConfig | None) -> HostDialog:
        if self.host_dialog is not None:
            self.host_dialog.close()
        dlg = HostDialog(host, secure_store=self._secure_store(), parent=self)
        dlg.accepted_host.connect(lambda cfg, pw: self.save_host(host, cfg, pw))
        dlg.finished.connect(lambda _r: setattr(self, "host_dialog", None))
        self.host_dialog = dlg
        dlg.show()
        return dlg

    def save_host(self, old: HostConfig | None, new: HostConfig, password: str | None) -> None:
        """Put ``new`` in place of ``old`` (or at the end), store the password, save, read it."""
        configs = [e.config for e in self.controller.state.hosts.values()]
        if old is not None and old in configs:
            configs[configs.index(old)] = new
        else:
            configs = [c for c in configs if c.key != new.key] + [new]
        if password and self.credentials is not None:
            self.credentials.set(new, password)
        self._set_hosts(configs)
        self.controller.refresh([new.key])

    def remove_host(self, key: str | None = None) -> None:
        key = key or self.selected_host_key()
        if key is None or key not in self.controller.state.hosts:
            self.statusBar().showMessage("Select a host to remove", 4000)
            return
        entry = self.controller.state.hosts[key]
        if entry.applying:
            self.statusBar().showMessage(f"{entry.name} is applying changes: remove it once that has finished",
                                         6000)
            return
        self._set_hosts([e.config for k, e in self.controller.state.hosts.items() if k != key])
        # Its password and its connection go with it (when the store / engine can do that).
        delete = getattr(self.credentials, "delete", None)
        if callable(delete):
            try:
                delete(entry.config)
            except Exception as exc:  # the host is removed either way
                log.warning("could not delete the password of %s: %s", entry.name, type(exc).__name__)
        forget = getattr(self.controller.engine, "forget", None)
        if callable(forget):
            forget(entry.config)
        self.statusBar().showMessage(f"Removed {entry.name}", 5000)

    def _set_hosts(self, configs: list[HostConfig]) -> None:
        self.controller.set_hosts(configs)
        if self.hosts_file is None:
            return
        if not self.hosts_file_writable:
            self.statusBar().showMessage(f"Not saved: {self.hosts_file} could not be read at start and is kept "
                                         "as it is", 10000)
            return
        try:
            save_hosts(self.hosts_file, configs)
        except OSError as exc:
            self.statusBar().showMessage(f"Could not save {self.hosts_file}: {exc}", 10000)

    # ================================================================ refresh / apply
    def refresh(self) -> None:
        self.controller.refresh()
        self.statusBar().showMessage("Refreshing…", 2000)

    def open_plan(self, *, failed_only: bool = False) -> PlanDialog | None:
        if self.controller.read_only:
            self.statusBar().showMessage("Read-only mode: nothing can be applied", 5000)
            return None
        if self.controller.applying:
            self.statusBar().showMessage("An apply is running: wait for it to finish", 5000)
            return None
        plan = self.controller.plan(failed_only=failed_only)
        if not plan:
            if plan.skipped_applying:
                self.statusBar().showMessage("The hosts with pending changes are applying: wait for them to finish",
                                             5000)
            else:
                self.statusBar().showMessage("Nothing to apply" if not failed_only else
                                             "No failed changes to retry", 5000)
            return None
        if self.plan_dialog is not None:
            self.plan_dialog.close()
        title = "Retry failed changes" if failed_only else "Apply changes"
        dlg = PlanDialog(plan, self.controller.state, title=title, parent=self)
        dlg.confirmed.connect(self._run_plan)
        dlg.finished.connect(lambda _r: setattr(self, "plan_dialog", None))
        self.plan_dialog = dlg
        dlg.show()
        return dlg

    def retry_failed(self) -> None:
        self.open_plan(failed_only=True)

    def _run_plan(self, plan: Plan) -> None:
        if self.controller.read_only:
            return
        self.controller.apply(plan)
        self.statusBar().showMessage(f"Applying {plan.change_count} changes on {plan.host_count} hosts…")
        self._update_status()

    def _apply_finished(self, summary: ApplySummary) -> None:
        self.statusBar().showMessage("Apply finished: " + summary.text(), 15000)
        self._update_status()

    # ================================================================ details
    def current_row_key(self) -> RowKey | None:
        idx = self.grid.currentIndex()
        if not idx.isValid() or idx.row() >= self.grid_model.rowCount():
            return None
        return self.grid_model.row_key(idx.row())

    def _coalescer(self, ms: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _refresh_details(self) -> None:
        self._details_key = self.current_row_key()
        self._details_timer.start()

    def _vms_changed(self, diffs: dict[str, Any]) -> None:
        if self._details_key is None or self._details_key[0] in diffs:
            self._refresh_details()

    def _set_details(self, html_text: str) -> None:
        if html_text != self._details_html:  # setHtml re-lays out the whole document
            self._details_html = html_text
            self.details.setHtml(html_text)

    def _do_refresh_details(self) -> None:
        key = self.current_row_key()
        self._details_key = key
        st = self.controller.state
        vm = st.vm(*key) if key else None
        self.copy_button.setEnabled(vm is not None)
        if key is None or vm is None:
            self._set_details("<p style='color:#757575'>Select a VM to see its integration services "
                              "in plain words.</p>")
            return
        entry = st.hosts[key[0]]
        e = html.escape
        os_text = f"{entry.facts.os_caption}" if entry.facts else ""
        rows = []
        order = {s.guid: i for i, s in enumerate(catalog.SERVICES)}
        for svc in sorted(vm.services, key=lambda s: (order.get(s.guid, 99), s.guid)):
            cell = (key[0], key[1], svc.guid)
            colour = look.status_colour(svc.primary) if svc.enabled else look.GREY
            extra = ""
            if cell in st.pending:
                extra += (f"<br><span style='background:{look.BG_PENDING}'><b>Pending:</b> "
                          f"{on_off(svc.enabled)} → {on_off(st.pending[cell])}</span>")
            if cell in st.results:
                extra += f"<br><i>{e(result_text(st.results[cell]))}</i>"
            rows.append(
                f"<tr><td valign='top'><span style='color:{colour}'>●</span></td><td>"
                f"<b>{e(svc.label)}</b>: {on_off(svc.enabled)}, {e(status_line(svc))}<br>"
                f"<span style='color:#444'>{e(explain(vm, svc))}</span>{extra}</td></tr>")
        if vm.error:
            offered = {svc.guid for svc in vm.services}
            kept = "".join(f"<br><span style='background:{look.BG_PENDING}'><b>Pending (kept):</b> "
                           f"{e(catalog.display_label(c[2]))} → {on_off(t)}</span>"
                           for c, t in st.pending.items() if c[:2] == key and c[2] not in offered)
            rows.insert(0, f"<tr><td valign='top'><span style='color:{look.RED}'>●</span></td><td>"
                           f"<span style='color:{look.RED}'><b>Integration services could not be read on the "
                           f"host:</b> {e(vm.error)}</span>{kept}</td></tr>")
        when = time.strftime("%H:%M:%S", time.localtime(entry.last_refresh)) if entry.last_refresh else "—"
        self._set_details(
            f"<h3 style='margin-bottom:2px'>{e(vm.name)}</h3>"
            f"<table cellspacing='2'>"
            f"<tr><td>Host</td><td><b>{e(entry.name)}</b> {e(os_text)}</td></tr>"
            f"<tr><td>State</td><td>{e(vm.state)}</td></tr>"
            f"<tr><td>Integration services&nbsp;</td><td>{e(is_text(vm, long=True))}</td></tr>"
            + (f"<tr><td>Guest OS</td><td>{e(vm.guest_os)}</td></tr>" if vm.guest_os else "")
            + f"<tr><td>Read at</td><td>{when}</td></tr>"
            f"<tr><td>VM Id</td><td><small>{e(vm.id)}</small></td></tr></table>"
            f"<table cellspacing='4'>{''.join(rows)}</table>")

    def report_text(self) -> str:
        key = self.current_row_key()
        st = self.controller.state
        vm = st.vm(*key) if key else None
        if key is None or vm is None:
            return ""
        entry = st.hosts[key[0]]
        pending = {c[2]: t for c, t in st.pending.items() if c[:2] == key}
        results = {c[2]: r for c, r in st.results.items() if c[:2] == key}
        host_os = entry.facts.os_caption if entry.facts else ""
        return vm_report(entry.name, host_os, vm, pending, results, entry.last_refresh)

    def copy_report(self) -> None:
        text = self.report_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage("Report copied to the clipboard", 4000)

    # ================================================================ activity
    def _show_current_operation(self) -> None:
        idx = self.activity.currentIndex()
        row = idx.row() if idx.isValid() else self.activity_model.rowCount() - 1
        if row >= 0:
            self.show_operation(row)

    def show_operation(self, row: int) -> ScriptDialog:
        op = self.activity_model.operation(row)
        dlg = ScriptDialog(f"Operation #{op.id} on {op.host}", operation_text(op), self)
        dlg.show()
        return dlg

    # ================================================================ status
    def _hosts_changed(self, keys: list[str]) -> None:
        self._update_status()
        if self._details_key is not None and self._details_key[0] in keys:
            self._refresh_details()

    def _cells_changed(self, cells: list[CellKey]) -> None:
        self._update_status()
        key = self._details_key
        if key is not None and any(c[:2] == key for c in cells):
            self._refresh_details()

    def _refresh_finished(self) -> None:
        if self.controller.refresh_rounds == 1 and self.grid_model.rowCount():
            # Start at the top (hosts answered in any order).
            self.grid.selectionModel().setCurrentIndex(self.grid_model.index(0, 0),
                                                       QItemSelectionModel.SelectionFlag.NoUpdate)
            self.grid.scrollToTop()
        self._update_status()

    def _update_status(self) -> None:
        self._update_actions()  # at once: Ctrl+S right after a click must work
        self._status_timer.start()

    def _update_actions(self) -> None:
        st = self.controller.state
        n = len(st.pending)
        ro = self.controller.read_only
        self.act_apply.setText(f"Apply ({n})" if n else "Apply")
        applying = self.controller.applying  # one apply at a time: it re-enables when it ends
        self.act_apply.setEnabled(not ro and n > 0 and not applying)
        self.act_retry.setEnabled(not ro and not applying and bool(st.failed_cells()))
        self.act_revert.setEnabled(n > 0)

    def _do_update_status(self) -> None:
        st = self.controller.state
        ok, failed, connecting = st.counts()
        parts = [f"{ok} host{'s' if ok != 1 else ''} connected"]
        if failed:
            parts.append(f"<span style='color:{look.RED}'><b>{failed} failed</b></span>")
        if connecting:
            parts.append(f"{connecting} connecting")
        self.status_hosts.setText(", ".join(parts))
        n = len(st.pending)
        nf = len(st.failed_cells())
        nu = len(st.unknown_cells())
        notes = ([f"{nf} failed"] if nf else []) + ([f"{nu} outcome unknown"] if nu else [])
        self.status_pending.setText(f"  Pending changes: <b>{n}</b>" + (f" ({', '.join(notes)})" if notes else "")
                                    + "  ")
        last = st.last_refresh()
        self.status_refresh.setText("Last refresh: " + (time.strftime("%H:%M:%S", time.localtime(last))
                                                         if last else "—"))
        self._update_actions()
        if not st.hosts:
            text = "No hosts configured. Use <b>File &gt; Add host…</b>, or try <b>hvgui --demo</b>."
            if self.hosts_file is not None and not self.hosts_file_writable:
                text += (f"<br><span style='color:{look.RED}'>{html.escape(str(self.hosts_file))} could not be "
                         "read: it is kept as it is, and hosts you add now are not saved.</span>")
            self.grid_hint.setText(text)
            self.grid_hint.setVisible(True)
        else:
            failed_hosts = [e for e in st.hosts.values() if e.error is not None]
            if failed_hosts:
                lines = []
                for e in failed_hosts[:3]:
                    line = html.escape(e.error.text) if e.error else ""
                    fix = self.host_fix(e.key)
                    if fix is not None:
                        line += f" <a href='fix:{quote(e.key)}'>{html.escape(fix[0])}</a>"
                    lines.append(line)
                self.grid_hint.setText(f"<span style='color:{look.RED}'>" + "<br>".join(lines)
                                       + ("<br>…" if len(failed_hosts) > 3 else "") + "</span>")
            self.grid_hint.setVisible(bool(failed_hosts))

    # ================================================================ read-only
    def _apply_read_only(self) -> None:
        ro = self.controller.read_only
        self.act_read_only.blockSignals(True)
        self.act_read_only.setChecked(ro)
        self.act_read_only.blockSignals(False)
        self.act_read_only.setEnabled(not self.read_only_forced)
        self.read_only_label_action.setVisible(ro)
        for a in (self.act_enable, self.act_disable, self.act_default):
            a.setEnabled(not ro)
        self.setWindowTitle("Hyper-V integration services" + (" [read-only]" if ro else ""))
        self.grid_model.refresh_all()  # flags changed: checkboxes become (un)checkable
        self._update_status()

    def _read_only_toggled(self, on: bool) -> None:
        if self.read_only_forced:
            return
        self.controller.read_only = on
        if on:
            self.controller.revert()
        self.settings.read_only = on
        self.settings.save(self.settings_path)
        self._apply_read_only()

    def _set_auto_refresh(self, seconds: int) -> None:
        self.settings.auto_refresh_s = seconds
        self.settings.save(self.settings_path)
        self.controller.set_auto_refresh(seconds)

    # ================================================================ close
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.plan_dialog is not None:
            self.plan_dialog.close()
        if self.host_dialog is not None:
            self.host_dialog.close()
        for dlg in list(self.fix_dialogs.values()):
            dlg.close()
        self._clock.stop()
        unsubscribe = getattr(self.controller.engine, "unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe(self.activity_model.on_operation)
        super().closeEvent(event)
        self.closed.emit()


def _stacked(*parts: QWidget | QHBoxLayout) -> QWidget:
    """A pane: widgets and rows stacked top to bottom, edge to edge."""
    pane = QWidget()
    box = QVBoxLayout(pane)
    box.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QWidget):
            box.addWidget(part)
        else:
            box.addLayout(part)
    return pane
