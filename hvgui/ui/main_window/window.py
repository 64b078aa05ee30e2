"""The main window: composes the panes (hosts tree, grid, details, activity, status bar),
owns the actions and menus, and wires the panes to each other and to the controller."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu, QSplitter, QToolBar, QWidget

from hvgui.ui import look
from hvgui.ui.controller import ApplySummary, Controller
from hvgui.ui.fix_dialogs import PasswordDialog, TrustDialog
from hvgui.ui.host_dialog import HostDialog
from hvgui.ui.main_window.activity_pane import ActivityPane, ScriptDialog
from hvgui.ui.main_window.details_pane import DetailsPane
from hvgui.ui.main_window.grid_pane import GridPane
from hvgui.ui.main_window.host_actions import HostActions
from hvgui.ui.main_window.hosts_pane import HostsPane
from hvgui.ui.main_window.status_bar import StatusBar
from hvgui.ui.models import Scope
from hvgui.ui.plan_dialog import PlanDialog
from hvgui.ui.settings import AUTO_REFRESH_CHOICES, Settings
from hvgui.ui.state import CellKey, Plan, RowKey
from hvgui.ui.words import plural

log = logging.getLogger(__name__)

TITLE = "Hyper-V integration services"


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
        self.hosts = HostActions(controller, self, hosts_file=hosts_file, hosts_file_writable=hosts_file_writable,
                                 credentials=credentials, cert_dir=cert_dir)
        self.hosts.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.setWindowTitle(TITLE)
        look.update_theme(self.palette())
        self._initial_size()

        # ---- panes
        self.hosts_pane = HostsPane(controller)
        self.grid_pane = GridPane(controller)
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
        self.grid, self.grid_model, self.grid_hint = self.grid_pane.view, self.grid_pane.model, self.grid_pane.hint
        self.details, self.copy_button = self.details_pane.browser, self.details_pane.copy_button
        self.activity, self.activity_model = self.activity_pane.view, self.activity_pane.model
        self.script_button = self.activity_pane.script_button
        self.status_hosts, self.status_pending = self.status.hosts, self.status.pending

        self._build_actions()
        self._build_layout()
        self._build_menus()

        self.hosts_pane.scopeChanged.connect(self._scope_changed)
        self.hosts_pane.menuRequested.connect(self._tree_menu)
        self.hosts_pane.hostActivated.connect(lambda key: self.fix_host(key) if self.host_fix(key) else None)
        self.grid_pane.currentRowChanged.connect(self._current_row_changed)
        self.grid_pane.menuRequested.connect(self._grid_menu)
        self.grid_pane.hintLinkActivated.connect(self._hint_link)
        self.copy_button.clicked.connect(self.copy_report)
        self.details_pane.reportCopied.connect(
            lambda n: self.statusBar().showMessage(f"Report of {plural(n, 'VM')} copied to the clipboard", 4000))
        controller.hostsChanged.connect(lambda _keys: self._update_status())
        controller.cellsChanged.connect(lambda _cells: self._update_status())
        controller.hostsReset.connect(self._update_status)
        controller.refreshFinished.connect(self._refresh_finished)
        controller.applyFinished.connect(self._apply_finished)
        self.grid_model.rowsInserted.connect(lambda *_: self._update_status())
        self.grid_model.rowsRemoved.connect(lambda *_: self._update_status())

        # Status bar and banner are rebuilt at most every 60 ms: 20 hosts answering at once
        # must not rebuild them 60 times in one go.
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(60)
        self._status_timer.timeout.connect(self._render_status)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.activity_model.tick)
        self._clock.start()
        self._apply_read_only()
        self._render_status()
        self.details_pane.show_vm(self.grid_pane.current_row_key())

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
        for a in (self.act_enable, self.act_disable, self.act_default, self.act_revert_sel, self.act_revert):
            self.grid.addAction(a)

    def _build_layout(self) -> None:
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.hosts_pane)
        top.addWidget(self.grid_pane)
        top.addWidget(self.details_pane)
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)
        top.setStretchFactor(2, 0)
        top.setSizes([315, 1235, 250])
        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(top)
        self.vsplit.addWidget(self.activity_pane)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setSizes([680, 180])
        self.setCentralWidget(self.vsplit)

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

    def _initial_size(self) -> None:
        width, height = 1800, 980  # every column visible with three hosts' names
        screen = QGuiApplication.primaryScreen()
        if screen is not None and screen.availableGeometry().width() >= 1024:
            avail = screen.availableGeometry()
            width, height = min(width, avail.width()), min(height, avail.height())
        self.resize(width, height)

    # ================================================================ scope and current VM
    def _scope_changed(self, scope: Scope) -> None:
        self.grid_pane.set_scope(scope)
        self._update_status()

    def _current_row_changed(self) -> None:
        self.details_pane.show_vm(self.grid_pane.current_row_key())

    def current_row_key(self) -> RowKey | None:
        return self.grid_pane.current_row_key()

    def focus_filter(self) -> None:
        self.hosts_pane.focus_filter()

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
        menu.popup(pos)

    def column_menu(self, column: int) -> QMenu | None:
        return self.grid_pane.column_menu(column)

    def column_action(self, what: str) -> bool:
        """Enable/disable/revert the current cell's service column for every VM in view."""
        column = self.grid_pane.service_column_at_current()
        if column is None:
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
        fix = self.host_fix(key) if key else None
        if key is not None and fix is not None:
            a = menu.addAction(fix[0])
            a.triggered.connect(lambda _=False, k=key: self.fix_host(k))
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

    def _hint_link(self, link: str) -> None:
        if link.startswith("fix:"):
            self.fix_host(unquote(link[4:]))

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

    def _refresh_finished(self) -> None:
        if self.controller.refresh_rounds == 1:
            self.grid_pane.go_to_top()  # start at the top (hosts answered in any order)
        self._update_status()

    # ================================================================ report, activity
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

    def show_operation(self, row: int) -> ScriptDialog:
        return self.activity_pane.show_operation(row)

    # ================================================================ status
    def _update_status(self) -> None:
        self._update_actions()  # at once: Ctrl+S right after a click must work
        self._status_timer.start()

    def _render_status(self) -> None:
        self._status_timer.stop()
        self.status.show_counts()
        self._update_actions()
        self._render_hint()

    def _update_actions(self) -> None:
        st = self.controller.state
        n = len(st.pending)
        ro = self.controller.read_only
        self.act_apply.setText(f"Apply ({n})" if n else "Apply")
        applying = self.controller.applying  # one apply at a time: it re-enables when it ends
        self.act_apply.setEnabled(not ro and n > 0 and not applying)
        self.act_retry.setEnabled(not ro and not applying and bool(st.failed_cells()))
        self.act_revert.setEnabled(n > 0)

    def _render_hint(self) -> None:
        st = self.controller.state
        hint = self.grid_hint
        if not st.hosts:
            text = "No hosts configured. Use <b>File &gt; Add host…</b>, or try <b>hvgui --demo</b>."
            hosts_file = self.hosts.hosts_file
            if hosts_file is not None and not self.hosts.hosts_file_writable:
                text += (f"<br><span style='color:{look.RED}'>{html.escape(str(hosts_file))} could not be "
                         "read: it is kept as it is, and hosts you add now are not saved.</span>")
            hint.setText(text)
            hint.setVisible(True)
            return
        failed_hosts = [e for e in st.hosts.values() if e.error is not None]
        if failed_hosts:
            lines = []
            for e in failed_hosts[:3]:
                line = html.escape(e.error.text) if e.error else ""
                fix = self.host_fix(e.key)
                if fix is not None:
                    line += f" <a href='fix:{quote(e.key)}'>{html.escape(fix[0])}</a>"
                lines.append(line)
            hint.setText(f"<span style='color:{look.RED}'>" + "<br>".join(lines)
                         + ("<br>…" if len(failed_hosts) > 3 else "") + "</span>")
        hint.setVisible(bool(failed_hosts))

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
        self.setWindowTitle(TITLE + (" [read-only]" if ro else ""))
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

    # ================================================================ theme
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            before = look.theme()
            if look.update_theme(self.palette()) is not before:  # light <-> dark: recolour everything
                self.grid_model.refresh_all()
                self.tree_model.refresh_all()
                self.details_pane.rebuild()
                self._render_status()
        super().changeEvent(event)

    # ================================================================ close
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.plan_dialog is not None:
            self.plan_dialog.close()
        self.hosts.close_dialogs()
        self._clock.stop()
        unsubscribe = getattr(self.controller.engine, "unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe(self.activity_model.on_operation)
        super().closeEvent(event)
        self.closed.emit()
