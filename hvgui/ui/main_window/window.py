"""The main window: composes the panes (hosts tree, grid, details, activity, status bar), owns
the actions, the menus and the toolbar, and wires the panes to each other and to the
controller. Where each pane goes is :mod:`.layout`'s business; what each pane does is its own."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from hvgui.ui import export, look
from hvgui.ui.controller import ApplySummary, Controller
from hvgui.ui.fix_dialogs import PasswordDialog, TrustDialog
from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.i18n import QT_TR_NOOP, tr
from hvgui.ui.main_window.activity_pane import ActivityPane, ScriptDialog
from hvgui.ui.main_window.details_pane import DetailsPane
from hvgui.ui.main_window.grid_pane import GridPane
from hvgui.ui.main_window.host_actions import HostActions
from hvgui.ui.main_window.hosts_pane import HostsPane
from hvgui.ui.main_window.layout import SHORT_SCREEN, WindowLayout
from hvgui.ui.main_window.status_bar import StatusBar
from hvgui.ui.models import ColKind, Scope
from hvgui.ui.plan_dialog import PlanDialog
from hvgui.ui.settings import AUTO_REFRESH_CHOICES, Settings
from hvgui.ui.setup_disk import DiskPlan, DiskSummary, disk_plan, not_offered_text
from hvgui.ui.setup_disk_dialog import SetupDiskDialog
from hvgui.ui.state import CellKey, Plan, RowKey

log = logging.getLogger(__name__)

TITLE = QT_TR_NOOP("Hyper-V integration services")
READ_ONLY_REASON = QT_TR_NOOP("Read-only mode: nothing can be changed (Settings > Read-only mode)")


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, controller: Controller, settings: Settings | None = None, *,
                 settings_path: Any = None, read_only_forced: bool = False,
                 hosts_file: Path | None = None, hosts_file_writable: bool = True,
                 credentials: Any = None, cert_dir: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings or Settings()
        self.settings_path = settings_path
        self.read_only_forced = read_only_forced
        self.plan_dialog: PlanDialog | None = None
        self.setup_disk_dialog: SetupDiskDialog | None = None
        self.revert_box: QMessageBox | None = None
        self.dialogs: dict[str, QDialog] = {}
        """Open single-instance dialogs (history, help...) by name."""
        self.hosts = HostActions(controller, self, hosts_file=hosts_file, hosts_file_writable=hosts_file_writable,
                                 credentials=credentials, cert_dir=cert_dir)
        self.hosts.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.setWindowTitle(tr(TITLE))
        self.setWindowIcon(look.app_icon())
        look.update_theme(self.palette())

        # ---- panes
        self.hosts_pane = HostsPane(controller)
        self.grid_pane = GridPane(controller, self.hosts.host_fix)
        if hosts_file is not None and not hosts_file_writable:
            self.grid_pane.hosts_file_note = (tr("{file} could not be read: it is kept as it is, and hosts you "
                                                 "add now are not saved.").format(file=hosts_file))
        self.details_pane = DetailsPane(controller)
        self.activity_pane = ActivityPane()
        self.status = StatusBar(controller)
        self.setStatusBar(self.status)
        subscribe = getattr(controller.engine, "subscribe", None)
        if subscribe is not None:
            subscribe(self.activity_pane.model.on_operation)

        # The panes' widgets under the names the rest of the code (and the tests) use.
        self.tree, self.tree_model, self.tree_proxy = self.hosts_pane.tree, self.hosts_pane.model, self.hosts_pane.proxy
        self.filter_edit = self.hosts_pane.filter_edit
        self.grid, self.grid_model, self.grid_hint = self.grid_pane.view, self.grid_pane.model, self.grid_pane.banner
        self.details, self.copy_button = self.details_pane.browser, self.details_pane.copy_button
        self.activity, self.activity_model = self.activity_pane.view, self.activity_pane.model
        self.script_button = self.activity_pane.script_button
        self.status_hosts, self.status_pending = self.status.hosts, self.status.pending

        self._build_actions()
        self.layout_ = WindowLayout(self, self.hosts_pane, self.grid_pane, self.details_pane, self.activity_pane)
        self.setCentralWidget(self.layout_.vsplit)
        self._build_toolbar()
        self._build_menus()

        self.hosts_pane.scopeChanged.connect(self._scope_changed)
        self.hosts_pane.menuRequested.connect(self._tree_menu)
        self.hosts_pane.hostActivated.connect(lambda key: self.fix_host(key) if self.host_fix(key) else None)
        self.grid_pane.currentRowChanged.connect(self._current_row_changed)
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        controller.setupDiskFinished.connect(lambda _s: self.details_pane.rebuild())
        self.grid_pane.menuRequested.connect(self._grid_menu)
        self.grid_pane.showFailedHosts.connect(self.show_failed_hosts)
        self.grid_pane.retryHost.connect(self.retry_host)
        self.grid_pane.editHost.connect(self.edit_host)
        self.grid_pane.diagnoseHost.connect(self.diagnose_host)
        self.grid_pane.fixHost.connect(self.fix_host)
        self.copy_button.clicked.connect(self.copy_report)
        self.details_pane.reportCopied.connect(
            lambda n: self.statusBar().showMessage(tr("Report of %n VM(s) copied to the clipboard", "", n), 4000))
        self.activity_pane.collapsedChanged.connect(self._activity_collapsed)
        controller.hostsChanged.connect(lambda _keys: self._update_status())
        controller.cellsChanged.connect(lambda _cells: self._update_status())
        controller.hostsReset.connect(self._update_status)
        controller.refreshFinished.connect(self._refresh_finished)
        controller.applyFinished.connect(self._apply_finished)
        controller.historyChanged.connect(self._update_actions)
        controller.roundStarted.connect(
            lambda rid, keys: self.activity_model.begin_round(
                rid, [controller.state.hosts[k].name for k in keys if k in controller.state.hosts]))
        controller.roundFinished.connect(self.activity_model.end_round)
        self.grid_model.rowsInserted.connect(lambda *_: self._update_status())
        self.grid_model.rowsRemoved.connect(lambda *_: self._update_status())
        self.grid_model.columnsInserted.connect(lambda *_: self._place_details(columns_changed=True))
        self.grid_model.columnsRemoved.connect(lambda *_: self._place_details(columns_changed=True))

        # Status bar is rebuilt at most every 60 ms: 20 hosts answering at once must not
        # rebuild it 60 times in one go.
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(60)
        self._status_timer.timeout.connect(self._render_status)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.activity_model.tick)
        self._clock.start()

        self.layout_.open_window(self.settings)
        self.layout_.restore(self.settings)
        self._place_details()
        collapsed = self.settings.activity_collapsed
        if collapsed is None:
            screen = self.screen()
            collapsed = screen is not None and screen.availableGeometry().height() < SHORT_SCREEN
        self.activity_pane.set_collapsed(collapsed)
        self._activity_collapsed(collapsed)
        self._apply_read_only()
        self._render_status()
        self.grid_pane.update_notes()
        self.details_pane.show_vm(self.grid_pane.current_row_key())

    # ================================================================ building
    def _action(self, text: str, slot: Any, shortcut: str | QKeySequence.StandardKey | None = None,
                tip: str = "", icon: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        if icon:
            a.setIcon(look.icon(icon))
        a.triggered.connect(slot)
        self.addAction(a)
        self._tips[a] = tip or text
        return a

    def _build_actions(self) -> None:
        self._tips: dict[QAction, str] = {}
        self.act_refresh = self._action(tr("Refresh"), self.refresh, "F5", tr("Read every host again (F5)"), "refresh")
        self.act_apply = self._action(tr("Apply"), self.open_plan, "Ctrl+S",
                                      tr("Preview and apply the pending changes (Ctrl+S)"), "apply")
        # No shortcut: Esc clears the selection, and dropping every pending change takes a
        # deliberate click (and a question when some are out of view); Ctrl+Z brings them back.
        self.act_revert = self._action(tr("Revert all"), self.revert_all, None, tr("Drop every pending change"),
                                       "revert")
        self.act_retry = self._action(tr("Retry failed"), self.retry_failed, None,
                                      tr("Apply again the changes that failed"), "retry")
        self.act_undo = self._action(tr("Undo"), self.controller.undo, QKeySequence.StandardKey.Undo,
                                     tr("Undo the last edit of the pending changes (Ctrl+Z)"), "undo")
        self.act_redo = self._action(tr("Redo"), self.controller.redo, "Ctrl+Y",
                                     tr("Redo the edit just undone (Ctrl+Y)"), "redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.act_filter = self._action(tr("Find VM"), self.focus_filter, "Ctrl+F", tr("Filter VMs by name (Ctrl+F)"),
                                       "find")
        self.act_problems = self._action(tr("Problems only"), self._toggle_problems, "Alt+P",
                                         tr("Only the VMs that need a look (Alt+P)"))
        self.act_problems.setCheckable(True)
        self.grid_pane.filters.problems.toggled.connect(self.act_problems.setChecked)
        self.act_attention = self._action(tr("Needs attention"), self._toggle_attention, "Alt+N",
                                          tr("Only the VMs whose integration services need an update, whose guest "
                                          "OS is not supported on its host, or whose updates are blocked by a "
                                          "disabled Data Exchange (Alt+N)"))
        self.act_attention.setCheckable(True)
        self.grid_pane.filters.attention.toggled.connect(self.act_attention.setChecked)
        self.act_enable = self._action(tr("Enable"), lambda: self.set_selected(True), None,
                                       tr("Enable the selected services"))
        self.act_disable = self._action(tr("Disable"), lambda: self.set_selected(False), None,
                                        tr("Disable the selected services"))
        self.act_default = self._action(tr("Reset to default"), self.reset_selected, None,
                                        tr("Default: everything on except Guest services"))
        self.act_revert_sel = self._action(tr("Revert selected"), self.revert_selected, None,
                                           tr("Drop the pending changes of the selected cells"))
        # The column header's menu, from the keyboard: they act on the current cell's column.
        self.act_col_enable = self._action(tr("Enable this column for all VMs in view"),
                                           lambda: self.column_action("enable"), None,
                                           tr("Enable the current cell's service for every VM in the grid"))
        self.act_col_disable = self._action(tr("Disable this column for all VMs in view"),
                                            lambda: self.column_action("disable"), None,
                                            tr("Disable the current cell's service for every VM in the grid"))
        self.act_col_revert = self._action(tr("Revert this column"), lambda: self.column_action("revert"), None,
                                           tr("Drop the pending changes in the current cell's column"))
        self.act_setup_disk = self._action(tr("Insert Integration Services setup disk…"),
                                           lambda: self.insert_setup_disk(), None,
                                           tr("Insert vmguest.iso into the selected VMs' DVD drives (hosts older "
                                              "than Windows Server 2016), after a preview"))
        self.act_copy = self._action(tr("Copy report"), self.copy_report, "Ctrl+Shift+C",
                                     tr("Copy a text report of the current VM, or of every selected VM"), "copy")
        self.act_export = self._action(tr("Export VMs in view…"), self.export, "Ctrl+E",
                                       tr("Save the VMs the grid shows to a CSV file (Ctrl+E)"), "export")
        self.act_history = self._action(tr("Change history…"), self.show_history, "Ctrl+H",
                                        tr("Every change applied from this computer, from the audit log (Ctrl+H)"),
                                        "history")
        self.act_quit = self._action(tr("Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.act_add_host = self._action(tr("Add host…"), self.add_host, None, tr("Add a Hyper-V host"), "add-host")
        self.act_edit_host = self._action(tr("Edit host…"), self.edit_host, None,
                                          tr("Change the selected host's address, login or certificate"))
        self.act_remove_host = self._action(tr("Remove host"), self.remove_host, None,
                                            tr("Remove the selected host from the list"))
        self.act_activity = self._action(tr("Activity panel"), lambda on: self.activity_pane.set_collapsed(not on),
                                         "Ctrl+J", tr("Show or fold the activity panel (Ctrl+J)"))
        self.act_activity.setCheckable(True)
        self.act_guide = self._action(tr("User guide"), self.show_user_guide, "F1", tr("The README (F1)"), "help")
        self.act_shortcuts = self._action(tr("Keyboard shortcuts"), self.show_shortcuts, None,
                                          tr("Every key the window understands"))
        self.act_about = self._action(tr("About hvgui"), self.show_about)
        self.act_read_only = QAction(tr("Read-only mode"), self, checkable=True)
        self.act_read_only.setToolTip(tr("Nothing can be ticked or applied (helpdesk)"))
        self.act_read_only.toggled.connect(self._read_only_toggled)
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.grid.addAction(a)

    def _build_toolbar(self) -> None:
        tb = QToolBar(tr("Main"))
        tb.setObjectName("main-toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addAction(self.act_refresh)
        tb.addSeparator()
        tb.addAction(self.act_apply)
        # Apply is the primary button: it stands out (when there is something to apply).
        apply_button = tb.widgetForAction(self.act_apply)
        if isinstance(apply_button, QToolButton):
            apply_button.setObjectName("primary")
            # The same box enabled or not: a button that changes size moves the whole window's
            # content down and up (and repaints all of it) each time Apply is enabled.
            apply_button.setStyleSheet(
                "QToolButton#primary { font-weight: bold; border-radius: 4px; padding: 3px 10px; }"
                "QToolButton#primary:enabled { background: palette(highlight); color: palette(highlighted-text); }")
        tb.addAction(self.act_retry)
        tb.addAction(self.act_revert)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        tb.addSeparator()
        tb.addAction(self.act_copy)
        tb.addAction(self.act_export)
        tb.addAction(self.act_history)
        # The main actions say their name; the others are icons (their name is in the tooltip), so
        # the toolbar fits a laptop's width.
        for a in (self.act_undo, self.act_redo, self.act_copy, self.act_export, self.act_history):
            button = tb.widgetForAction(a)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
                button.setAccessibleName(a.text())
        self.read_only_label = QLabel(tr("  Read-only mode: nothing can be changed  "))
        self.read_only_label.setStyleSheet(f"color: white; background: {look.BLUE}; border-radius: 3px;")
        tb.addSeparator()
        self.read_only_label_action = tb.addWidget(self.read_only_label)
        self.toolbar = tb
        self.addToolBar(tb)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(tr("&File"))
        m.addAction(self.act_refresh)
        m.addSeparator()
        for a in (self.act_add_host, self.act_edit_host, self.act_remove_host):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_export)
        m.addAction(self.act_history)
        audit = self._audit_path()
        if audit is not None:
            self.act_audit = QAction(tr("Open audit log folder"), self)
            self.act_audit.setToolTip(tr("Every change applied, one JSON line each: {path}").format(path=audit))
            self.act_audit.triggered.connect(lambda: self._open_folder(audit.parent))
            m.addAction(self.act_audit)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu(tr("&Edit"))
        for a in (self.act_undo, self.act_redo):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_apply, self.act_retry, self.act_revert):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_col_enable, self.act_col_disable, self.act_col_revert):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_setup_disk)
        m.addSeparator()
        m.addAction(self.act_copy)
        m = mb.addMenu(tr("&View"))
        m.addAction(self.act_filter)
        m.addAction(self.act_problems)
        m.addAction(self.act_attention)
        m.addAction(self.act_activity)
        m = mb.addMenu(tr("&Settings"))
        m.addAction(self.act_read_only)
        auto = m.addMenu(tr("Auto-refresh"))
        group = QActionGroup(self)
        for seconds in AUTO_REFRESH_CHOICES:
            label = tr("Off") if seconds == 0 else (tr("Every {n} s").format(n=seconds) if seconds < 60 else
                                                    tr("Every {n} min").format(n=seconds // 60))
            a = auto.addAction(label)
            a.setCheckable(True)
            a.setChecked(seconds == self.settings.auto_refresh_s)
            a.triggered.connect(lambda _=False, s=seconds: self._set_auto_refresh(s))
            group.addAction(a)
        m = mb.addMenu(tr("&Help"))
        for a in (self.act_guide, self.act_shortcuts, self.act_about):
            m.addAction(a)
        for menu in mb.findChildren(QMenu):
            menu.setToolTipsVisible(True)  # disabled actions say why in their tooltip

    def _tab_order(self) -> None:
        f = self.grid_pane.filters
        chain: list[QWidget] = [self.filter_edit, self.tree, f.problems, f.attention, f.host, f.vm_state,
                                f.is_state, f.status, self.grid, self.details, self.copy_button,
                                self.activity_pane.toggle, self.activity_pane.filter, self.activity, self.script_button]
        for a, b in itertools.pairwise(chain):
            self.setTabOrder(a, b)

    def _audit_path(self) -> Path | None:
        path = getattr(getattr(self.controller.engine, "audit", None), "path", None)
        return path if isinstance(path, Path) else None

    def _open_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.statusBar().showMessage(tr("Audit log folder: {path}").format(path=folder), 10000)

    def _dialog(self, name: str, dlg: QDialog, *, window_modal: bool = False) -> QDialog:
        """Show a non-modal dialog, one of each kind at a time (``window_modal``: over the window,
        still without a nested event loop)."""
        old = self.dialogs.pop(name, None)
        if old is not None and shiboken6.isValid(old):
            old.close()
        self.dialogs[name] = dlg
        dlg.finished.connect(lambda _r: self.dialogs.pop(name, None) if self.dialogs.get(name) is dlg else None)
        dlg.open() if window_modal else dlg.show()
        return dlg

    # ================================================================ layout
    def _place_details(self, *, columns_changed: bool = False) -> None:
        needs = self.grid_pane.needed_width()
        if self.layout_.place_details(needs):
            self._tab_order()  # a widget that moves loses its place in the focus chain
        elif columns_changed:
            self.layout_.fit_grid(needs)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_details()

    def _activity_collapsed(self, collapsed: bool) -> None:
        self.act_activity.setChecked(not collapsed)
        self.layout_.set_activity_collapsed(collapsed, self.activity_pane.header_height())
        self.settings.activity_collapsed = collapsed

    # ================================================================ scope and current VM
    def _scope_changed(self, scope: Scope) -> None:
        self.grid_pane.set_scope(scope)
        self._update_status()

    def _current_row_changed(self) -> None:
        self._update_actions()
        key = self.grid_pane.current_row_key()
        self.details_pane.show_vm(key)
        host = key[0] if key else self.hosts_pane.current_host_key()
        entry = self.controller.state.hosts.get(host) if host else None
        self.activity_pane.set_host(entry.name if entry is not None else "")

    def current_row_key(self) -> RowKey | None:
        return self.grid_pane.current_row_key()

    def focus_filter(self) -> None:
        self.hosts_pane.focus_filter()

    def _toggle_problems(self, on: bool) -> None:
        self.grid_pane.filters.problems.setChecked(on)

    def _toggle_attention(self, on: bool) -> None:
        self.grid_pane.filters.attention.setChecked(on)

    # ================================================================ edits
    def selected_cells(self) -> list[CellKey]:
        return self.grid_pane.selected_cells()

    def toggle_selected(self) -> None:
        self.grid_pane.toggle_selected()

    def set_selected(self, target: bool) -> None:
        self.controller.set_target(self.selected_cells(), target)

    def reset_selected(self) -> None:
        self.controller.reset_default(self.selected_cells())

    def revert_selected(self) -> None:
        self.controller.revert(self.selected_cells())

    def revert_all(self) -> QMessageBox | None:
        """Drop every pending change; when some are out of view (filter, tree selection), ask first.
        Returns the question when one is asked (non-modal)."""
        pending = list(self.controller.state.pending)
        if not pending:
            self.statusBar().showMessage(tr("No pending changes"), 4000)
            return None
        in_view = [c for c in pending if self.grid_model.row_of(c[:2]) >= 0]
        hidden = len(pending) - len(in_view)
        if not hidden:
            self._revert(pending)
            return None
        box = QMessageBox(QMessageBox.Icon.Question, tr("Revert all pending changes?"),
                          tr("%n pending change(s), of which", "", len(pending)) + " "
                          + tr("%n is|are not in view (hidden by the filters or the hosts selected in the tree). "
                               "Revert them all?", "", hidden), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        all_button = box.addButton(tr("Revert all {n}").format(n=len(pending)), QMessageBox.ButtonRole.DestructiveRole)
        view_button = (box.addButton(tr("Revert the {n} in view").format(n=len(in_view)),
                                     QMessageBox.ButtonRole.AcceptRole)
                       if in_view else None)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def answered(button: Any) -> None:
            if button is all_button:
                self._revert(pending)
            elif view_button is not None and button is view_button:
                self._revert(in_view)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _r: setattr(self, "revert_box", None) if self.revert_box is box else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.revert_box = box
        box.open()
        return box

    def _revert(self, cells: list[CellKey]) -> None:
        if self.controller.revert(cells):
            self.statusBar().showMessage(tr("Reverted %n pending change(s) (Ctrl+Z brings it|them back)", "",
                                            len(cells)), 6000)

    def _grid_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.act_col_enable, self.act_col_disable, self.act_col_revert):
            menu.addAction(a)
        menu.addSeparator()
        self._update_actions()
        menu.addAction(self.act_setup_disk)
        menu.addSeparator()
        menu.addAction(self.act_copy)
        menu.popup(pos)

    def column_menu(self, column: int) -> QMenu | None:
        return self.grid_pane.column_menu(column)

    def column_action(self, what: str) -> bool:
        """Enable/disable/revert the current cell's service column for every VM in view."""
        if self.controller.read_only:
            self.statusBar().showMessage(tr(READ_ONLY_REASON), 4000)
            return False
        column = self.grid_pane.service_column_at_current()
        if column is None:
            self.statusBar().showMessage(tr("Move to a service's column in the grid first"), 4000)
            return False
        cells = self.grid_model.cells_in_column(column)
        if what == "revert":
            return self.controller.revert(cells)
        return self.controller.set_target(cells, what == "enable")

    # ================================================================ hosts
    @property
    def credentials(self) -> Any:
        return self.hosts.credentials

    @property
    def host_dialog(self) -> HostDialog | None:
        return self.hosts.host_dialog

    @property
    def fix_dialogs(self) -> dict[str, QDialog]:
        return self.hosts.fix_dialogs

    def selected_host_key(self) -> str | None:
        return self.hosts_pane.current_host_key()

    def _tree_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        key = self.selected_host_key()
        entry = self.controller.state.hosts.get(key) if key else None
        if key is not None and entry is not None and entry.error is not None:
            fix = self.host_fix(key)
            if fix is not None:
                menu.addAction(fix[0]).triggered.connect(lambda _=False, k=key: self.fix_host(k))
            menu.addAction(tr("Retry")).triggered.connect(lambda _=False, k=key: self.retry_host(k))
            menu.addAction(tr("Diagnose…")).triggered.connect(lambda _=False, k=key: self.diagnose_host(k))
            menu.addSeparator()
        for act in (self.act_add_host, self.act_edit_host, self.act_remove_host):
            menu.addAction(act)
        menu.popup(pos)

    def host_fix(self, key: str) -> tuple[str, str] | None:
        return self.hosts.host_fix(key)

    def fix_host(self, key: str) -> QDialog | None:
        return self.hosts.fix_host(key)

    def enter_password(self, key: str) -> PasswordDialog | None:
        return self.hosts.enter_password(key)

    def trust_certificate(self, key: str) -> TrustDialog | None:
        return self.hosts.trust_certificate(key)

    def add_host(self) -> HostDialog:
        return self.hosts.add_host()

    def edit_host(self, key: str | None = None) -> HostDialog | None:
        return self.hosts.edit_host(key or self.selected_host_key())

    def remove_host(self, key: str | None = None) -> None:
        self.hosts.remove_host(key or self.selected_host_key())

    def save_host(self, old: Any, new: Any, password: str | None) -> None:
        self.hosts.save_host(old, new, password)

    def retry_host(self, key: str) -> None:
        """Read one host again now (a read already running is started again)."""
        if key in self.controller.state.hosts:
            self.controller.refresh([key], restart=True)
            self.statusBar().showMessage(
                tr("Reading {host} again…").format(host=self.controller.state.hosts[key].name), 4000)

    def show_failed_hosts(self) -> None:
        """Select the hosts that failed in the tree: the panel above the grid says what to do."""
        failed = [(k, "") for k, e in self.controller.state.hosts.items() if e.error is not None]
        self.hosts_pane.select(failed, failed[0] if failed else None)

    def diagnose_host(self, key: str) -> QDialog | None:
        """Everything known about a host's failure, to read or to paste into a ticket."""
        from hvgui.ui.host_error_dialog import HostErrorDialog

        entry = self.controller.state.hosts.get(key)
        if entry is None:
            return None
        ops = [op for op in self.activity_model.operations() if op.host == entry.name][-5:]
        dlg = HostErrorDialog(entry, ops, parent=self)
        dlg.retryRequested.connect(self.retry_host)
        dlg.editRequested.connect(self.edit_host)
        dlg.checkRequested.connect(self.check_host)
        return self._dialog("diagnose", dlg)

    def check_host(self, key: str) -> QDialog | None:
        """The step-by-step check of a saved host (as ``hvgui-cli doctor``), its saved password."""
        entry = self.controller.state.hosts.get(key)
        if entry is None:
            return None
        return self.hosts.check_host(entry.config, key=key)

    # ================================================================ refresh / apply
    def refresh(self) -> None:
        self.controller.refresh()
        self.statusBar().showMessage(tr("Refreshing…"), 2000)

    def open_plan(self, *, failed_only: bool = False) -> PlanDialog | None:
        if self.controller.read_only:
            self.statusBar().showMessage(tr("Read-only mode: nothing can be applied"), 5000)
            return None
        if self.controller.applying:
            self.statusBar().showMessage(tr("An apply is running: wait for it to finish"), 5000)
            return None
        plan = self.controller.plan(failed_only=failed_only)
        if not plan:
            if plan.skipped_applying:
                self.statusBar().showMessage(tr("The hosts with pending changes are applying: wait for them to finish"),
                                             5000)
            else:
                self.statusBar().showMessage(tr("Nothing to apply") if not failed_only else
                                             tr("No failed changes to retry"), 5000)
            return None
        if self.plan_dialog is not None:
            self.plan_dialog.close()
        title = tr("Retry failed changes") if failed_only else tr("Apply changes")
        dlg = PlanDialog(plan, self.controller.state, title=title, parent=self)
        dlg.confirmed.connect(self._run_plan)
        dlg.finished.connect(lambda _r: setattr(self, "plan_dialog", None))
        self.plan_dialog = dlg
        dlg.show()
        return dlg

    def retry_failed(self) -> None:
        self.open_plan(failed_only=True)

    def insert_setup_disk(self, plan: DiskPlan | None = None) -> SetupDiskDialog | None:
        """Preview inserting the setup disk into the selected VMs (or the current one), on the hosts
        that have it; the dialog confirms, runs it and shows a result per VM."""
        if self.controller.read_only:
            self.statusBar().showMessage(tr(READ_ONLY_REASON), 5000)
            return None
        if self.controller.applying:
            self.statusBar().showMessage(tr("An apply is running: wait for it to finish"), 5000)
            return None
        if plan is None:
            keys = self._report_keys()
            why = not_offered_text(self.controller.state, keys)
            if why:
                self.statusBar().showMessage(why, 8000)
                return None
            plan = disk_plan(self.controller.state, keys)
        if self.setup_disk_dialog is not None and shiboken6.isValid(self.setup_disk_dialog):
            self.setup_disk_dialog.close()
        dlg = SetupDiskDialog(plan, self.controller.state, parent=self)
        dlg.confirmed.connect(lambda p, d=dlg: self._run_setup_disk(p, d))
        dlg.replaceRequested.connect(self.insert_setup_disk)
        dlg.finished.connect(lambda _r, d=dlg: setattr(self, "setup_disk_dialog", None)
                             if self.setup_disk_dialog is d else None)
        self.setup_disk_dialog = dlg
        dlg.show()
        return dlg

    def _run_setup_disk(self, plan: DiskPlan, dlg: SetupDiskDialog) -> None:
        if self.controller.read_only:
            return
        task = self.controller.insert_setup_disk(plan)
        self.statusBar().showMessage(tr("Inserting the setup disk into %n VM(s)…", "", plan.vm_count))
        self._update_status()

        def done(t: Any) -> None:
            if t.cancelled() or t.exception() is not None:
                return
            summary: DiskSummary = t.result()
            self.statusBar().showMessage(tr("Setup disk: ") + summary.text(), 15000)
            if shiboken6.isValid(dlg):
                dlg.show_results(summary)
            self._update_status()

        task.add_done_callback(done)

    def _run_plan(self, plan: Plan) -> None:
        if self.controller.read_only:
            return
        self.controller.apply(plan)
        self.statusBar().showMessage(tr("Applying %n change(s)", "", plan.change_count) + " "
                                     + tr("on %n host(s)…", "", plan.host_count))
        self._update_status()

    def _apply_finished(self, summary: ApplySummary) -> None:
        self.statusBar().showMessage(tr("Apply finished: ") + summary.text(), 15000)
        self._update_status()

    def _refresh_finished(self) -> None:
        if self.controller.refresh_rounds == 1:
            self.grid_pane.go_to_top()  # start at the top (hosts answered in any order)
        self._update_status()

    # ================================================================ report, export, history, activity
    def _report_keys(self) -> list[RowKey]:
        """Every VM with a selected cell; the current VM when at most one is selected."""
        rows = self.grid_pane.selected_rows()
        if len(rows) > 1:
            return rows
        current = self.grid_pane.current_row_key()
        return [current] if current is not None else rows

    def report_text(self) -> str:
        return self.details_pane.report_text(self._report_keys())

    def copy_report(self) -> None:
        self.details_pane.copy_report(self._report_keys())

    def _service_guids(self) -> list[str]:
        return [c.guid for c in self.grid_model.columns if c.kind is ColKind.SERVICE]

    def export_csv(self, path: Path) -> int:
        """Write the VMs in view, in the grid's order, to a CSV file; returns how many."""
        n = export.write_csv(path, self.controller.state, self.grid_model.row_keys(), self._service_guids())
        self.statusBar().showMessage(tr("Exported %n VM(s) to {path}", "", n).format(path=path), 8000)
        return n

    def export(self) -> QFileDialog:
        """Ask where to save the VMs in view (non-modal), then save them."""
        dlg = QFileDialog(self, tr("Export the VMs in view"), str(Path.home() / "integration-services.csv"),
                          tr("CSV files (*.csv);;All files (*)"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix("csv")

        def chosen(name: str) -> None:
            try:
                self.export_csv(Path(name))
            except OSError as exc:
                self.statusBar().showMessage(
                    tr("Could not export to {path}: {error}").format(path=name, error=exc), 10000)

        dlg.fileSelected.connect(chosen)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog("export", dlg, window_modal=True)
        return dlg

    def show_history(self) -> QDialog:
        from hvgui.ui.history_dialog import HistoryDialog

        audit = getattr(self.controller.engine, "audit", None)
        path = self._audit_path()
        source: Path | list[dict[str, Any]] = path if path is not None else list(getattr(audit, "records", []))
        return self._dialog("history", HistoryDialog(source, self))

    def show_operation(self, row: int) -> ScriptDialog:
        return self.activity_pane.show_operation(row)

    def show_user_guide(self) -> QDialog:
        from hvgui.ui.help_dialogs import UserGuideDialog

        return self._dialog("guide", UserGuideDialog(self))

    def show_shortcuts(self) -> QDialog:
        from hvgui.ui.help_dialogs import ShortcutsDialog

        return self._dialog("shortcuts", ShortcutsDialog(self.actions(), self))

    def show_about(self) -> QDialog:
        from hvgui.ui.help_dialogs import AboutDialog

        paths = [(tr("Hosts file"), self.hosts.hosts_file), (tr("Settings"), self.settings_path),
                 (tr("Audit log"), self._audit_path())]
        return self._dialog("about", AboutDialog(paths, self))

    # ================================================================ status and actions
    def _update_status(self) -> None:
        self._update_actions()  # at once: Ctrl+S right after a click must work
        self._status_timer.start()

    def _render_status(self) -> None:
        self._status_timer.stop()
        self.status.show_counts()
        self._update_actions()

    def _set(self, action: QAction, enabled: bool, why_not: str = "") -> None:
        action.setEnabled(enabled)
        tip = self._tips.get(action, action.text())
        action.setToolTip(tip if enabled or not why_not else f"{tip}. {why_not}")

    def _update_actions(self) -> None:
        st = self.controller.state
        n = len(st.pending)
        ro = self.controller.read_only
        applying = self.controller.applying  # one apply at a time: it re-enables when it ends
        self.act_apply.setText(tr("Apply ({n})").format(n=n) if n else tr("Apply"))
        busy = tr("An apply is running: wait for it to finish") if applying else ""
        self._set(self.act_apply, not ro and n > 0 and not applying, tr(READ_ONLY_REASON) if ro else busy or
                  tr("No pending changes"))
        self._set(self.act_retry, not ro and not applying and bool(st.failed_cells()),
                  tr(READ_ONLY_REASON) if ro else busy or tr("No failed changes"))
        self._set(self.act_revert, not ro and n > 0, tr(READ_ONLY_REASON) if ro else tr("No pending changes"))
        undo, redo = self.controller.history.undo_text, self.controller.history.redo_text
        self.act_undo.setText(tr("Undo {what}").format(what=undo) if undo else tr("Undo"))
        self.act_redo.setText(tr("Redo {what}").format(what=redo) if redo else tr("Redo"))
        self._set(self.act_undo, not ro and undo is not None, tr(READ_ONLY_REASON) if ro else tr("Nothing to undo"))
        self._set(self.act_redo, not ro and redo is not None, tr(READ_ONLY_REASON) if ro else tr("Nothing to redo"))
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel, self.act_col_enable,
                  self.act_col_disable, self.act_col_revert):
            self._set(a, not ro, tr(READ_ONLY_REASON))
        why = tr(READ_ONLY_REASON) if ro else busy or not_offered_text(st, self._report_keys())
        self._set(self.act_setup_disk, not why, why)

    # ================================================================ read-only
    def _apply_read_only(self) -> None:
        ro = self.controller.read_only
        self.act_read_only.blockSignals(True)
        self.act_read_only.setChecked(ro)
        self.act_read_only.blockSignals(False)
        self.act_read_only.setEnabled(not self.read_only_forced)
        if self.read_only_forced:
            self.act_read_only.setToolTip(tr("Started with --read-only: it cannot be switched off in this session"))
        self.read_only_label_action.setVisible(ro)
        self.setWindowTitle(tr(TITLE) + (tr(" [read-only]") if ro else ""))
        self.grid_model.refresh_all()  # flags changed: checkboxes become indicators (or controls again)
        self._update_status()

    def _read_only_toggled(self, on: bool) -> None:
        if self.read_only_forced:
            return
        self.controller.read_only = on
        if on:
            self.controller.revert()
            self.controller.history.clear()
        self.settings.read_only = on
        self.settings.save(self.settings_path)
        self._apply_read_only()

    def _set_auto_refresh(self, seconds: int) -> None:
        self.settings.auto_refresh_s = seconds
        self.settings.save(self.settings_path)
        self.controller.set_auto_refresh(seconds)

    # ================================================================ theme
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            before = look.theme()
            if look.update_theme(self.palette()) is not before:  # light <-> dark: recolour everything
                self.grid_model.refresh_all()
                self.tree_model.refresh_all()
                self.details_pane.rebuild()
                self.grid_pane.update_notes()
                self._render_status()
        super().changeEvent(event)

    # ================================================================ close
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.plan_dialog is not None:
            self.plan_dialog.close()
        if self.setup_disk_dialog is not None and shiboken6.isValid(self.setup_disk_dialog):
            self.setup_disk_dialog.close()
        if self.revert_box is not None:
            self.revert_box.close()
        for dlg in list(self.dialogs.values()):
            if shiboken6.isValid(dlg):
                dlg.close()
        self.hosts.close_dialogs()
        self.layout_.save(self.settings)
        self.settings.save(self.settings_path)
        self._clock.stop()
        unsubscribe = getattr(self.controller.engine, "unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe(self.activity_model.on_operation)
        super().closeEvent(event)
        self.closed.emit()
