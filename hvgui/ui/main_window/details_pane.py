"""The details pane, for helpdesk staff: the current VM's host, state, integration services
version, and every service in plain words; *Copy report* puts the same as text on the
clipboard."""

from __future__ import annotations

import html
import time
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QTextBrowser, QVBoxLayout, QWidget

from hvgui.core import catalog
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.explain import explain, result_text, status_line, vm_report
from hvgui.ui.models import is_text
from hvgui.ui.state import CellKey, RowKey, on_off


class DetailsPane(QWidget):
    reportCopied = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.key: RowKey | None = None
        """The VM shown (host key, VM id)."""
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setToolTip("Put a readable text summary of this VM on the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_report)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.browser)
        box.addWidget(self.copy_button)
        self.setTabOrder(self.browser, self.copy_button)
        self._html = ""
        # Rebuilt at most every 25 ms: 20 hosts answering at once must not rebuild it 20 times.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(25)
        self._timer.timeout.connect(self._render)
        controller.vmsChanged.connect(self._vms_changed)
        controller.hostsChanged.connect(self._hosts_changed)
        controller.cellsChanged.connect(self._cells_changed)
        self._render()

    def show_vm(self, key: RowKey | None) -> None:
        self.key = key
        self._timer.start()

    def refresh(self) -> None:
        self._timer.start()

    # ------------------------------------------------------------ what changed
    def _vms_changed(self, diffs: dict[str, Any]) -> None:
        if self.key is not None and self.key[0] in diffs:
            self._timer.start()

    def _hosts_changed(self, keys: list[str]) -> None:
        if self.key is not None and self.key[0] in keys:
            self._timer.start()

    def _cells_changed(self, cells: list[CellKey]) -> None:
        key = self.key
        if key is not None and any(c[:2] == key for c in cells):
            self._timer.start()

    # ------------------------------------------------------------ rendering
    def _set_html(self, text: str) -> None:
        if text != self._html:  # setHtml re-lays out the whole document
            self._html = text
            self.browser.setHtml(text)

    def _render(self) -> None:
        key = self.key
        st = self.controller.state
        vm = st.vm(*key) if key else None
        self.copy_button.setEnabled(vm is not None)
        if key is None or vm is None:
            self._set_html("<p style='color:#757575'>Select a VM to see its integration services "
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
        self._set_html(
            f"<h3 style='margin-bottom:2px'>{e(vm.name)}</h3>"
            f"<table cellspacing='2'>"
            f"<tr><td>Host</td><td><b>{e(entry.name)}</b> {e(os_text)}</td></tr>"
            f"<tr><td>State</td><td>{e(vm.state)}</td></tr>"
            f"<tr><td>Integration services&nbsp;</td><td>{e(is_text(vm, long=True))}</td></tr>"
            + (f"<tr><td>Guest OS</td><td>{e(vm.guest_os)}</td></tr>" if vm.guest_os else "")
            + f"<tr><td>Read at</td><td>{when}</td></tr>"
            f"<tr><td>VM Id</td><td><small>{e(vm.id)}</small></td></tr></table>"
            f"<table cellspacing='4'>{''.join(rows)}</table>")

    # ------------------------------------------------------------ report
    def report_text(self) -> str:
        key = self.key
        st = self.controller.state
        vm = st.vm(*key) if key else None
        if key is None or vm is None:
            return ""
        entry = st.hosts[key[0]]
        pending = {c[2]: t for c, t in st.pending.items() if c[:2] == key}
        results = {c[2]: r for c, r in st.results.items() if c[:2] == key}
        host_os = entry.facts.os_caption if entry.facts else ""
        return vm_report(entry.name, host_os, vm, pending, results, entry.last_refresh)

    def copy_report(self) -> bool:
        text = self.report_text()
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        self.reportCopied.emit()
        return True
