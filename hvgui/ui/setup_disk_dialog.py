"""Insert the Integration Services setup disk: the preview (which VMs, on which hosts; the hosts
where it is not offered and why; whether another disk found in a drive may be replaced; the
exact request and script), the confirmation, then a result per VM in words.

A VM whose drive holds another disk is left alone and said so; *Replace the other disk...*
opens a new preview for those VMs only, naming the disk each holds, so replacing it is always
asked. As the plan dialog: Enter never confirms (a click or Ctrl+Enter), and it never runs a
nested event loop."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hvgui.core import contract
from hvgui.core.model import DiskOutcome
from hvgui.remote import scripts
from hvgui.ui import look
from hvgui.ui.explain import guest_os_text
from hvgui.ui.meaning import Meaning
from hvgui.ui.setup_disk import AFTER_INSERT, NOT_OFFERED_REASON, DiskPlan, DiskSummary, result_words
from hvgui.ui.state import FleetState
from hvgui.ui.words import plain_tip, plural

_OUTCOME_MEANING = {
    DiskOutcome.INSERTED: Meaning.WORKING,
    DiskOutcome.UNCHANGED: Meaning.WORKING,
    DiskOutcome.NO_DVD_DRIVE: Meaning.NOT_ANSWERING,
    DiskOutcome.DISK_PRESENT: Meaning.NOT_ANSWERING,
    DiskOutcome.NO_SETUP_DISK: Meaning.ERROR,
    DiskOutcome.VM_NOT_FOUND: Meaning.ERROR,
    DiskOutcome.ERROR: Meaning.ERROR,
}


def insert_label(plan: DiskPlan) -> str:
    verb = "Replace the other disk with the setup disk in" if plan.current_disk else "Insert the setup disk into"
    return f"{verb} {plural(plan.vm_count, 'VM')}"


class SetupDiskDialog(QDialog):
    confirmed = Signal(object)
    """The :class:`DiskPlan` to run (``replace`` as ticked)."""
    replaceRequested = Signal(object)
    """A :class:`DiskPlan` for the VMs whose drive held another disk (to preview, then confirm)."""

    def __init__(self, plan: DiskPlan, state: FleetState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.state = state
        self.summary_result: DiskSummary | None = None
        self.setWindowTitle("Insert the Integration Services setup disk")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 600)
        n, hosts = plan.vm_count, plan.host_count
        what = ("Replace the disk in the DVD drive of" if plan.current_disk else "Insert the setup disk (vmguest.iso) "
                "into the DVD drive of")
        self.summary = QLabel(f"<b>{what} {plural(n, 'VM')}</b> on <b>{plural(hosts, 'host')}</b>, one command "
                              f"per host, by VM Id. {AFTER_INSERT}")
        self.summary.setWordWrap(True)
        self.left_out = QLabel()
        self.left_out.setWordWrap(True)
        self.left_out.setTextFormat(Qt.TextFormat.PlainText)
        self.left_out.setStyleSheet(f"color: {look.theme().amber}")
        notes = []
        for key, names in plan.not_offered.items():
            notes.append(f"Not offered on {state.hosts[key].name} ({plural(len(names), 'VM')} left alone): "
                         f"{NOT_OFFERED_REASON}.")
        for key, names in plan.unknown.items():
            notes.append(f"Not offered on {state.hosts[key].name} ({plural(len(names), 'VM')} left alone): its "
                         "Windows version is not known yet.")
        self.left_out.setText("\n".join(notes))
        self.left_out.setVisible(bool(notes))

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Host / VM", "Guest OS", "Result"])
        self.tree.setAccessibleName("VMs to receive the setup disk")
        self.tree.setColumnWidth(0, 280)
        self.tree.setColumnWidth(1, 260)
        self.items: dict[tuple[str, str], QTreeWidgetItem] = {}
        for key, vms in plan.by_host.items():
            entry = state.hosts[key]
            host_item = QTreeWidgetItem([f"{entry.name} ({plural(len(vms), 'VM')})"])
            self.tree.addTopLevelItem(host_item)
            for vm_id, name in vms:
                vm = entry.vms.get(vm_id)
                current = plan.current_disk.get(vm_id)
                item = QTreeWidgetItem([name, guest_os_text(vm, state.guest_os_seen.get((key, vm_id)))
                                        if vm is not None else "",
                                        f"will replace {current}" if current else ""])
                item.setToolTip(0, plain_tip(f"{name}\nVM Id: {vm_id}"))
                host_item.addChild(item)
                self.items[(key, vm_id)] = item
            host_item.setExpanded(True)

        self.replace = QCheckBox("Replace another disk found in a VM's DVD drive")
        self.replace.setToolTip("Unticked, a VM whose drive holds another disk keeps it, and its result says so "
                                "(you can then replace it for those VMs only)")
        self.replace.setChecked(plan.replace or bool(plan.current_disk))
        self.replace.setVisible(not plan.current_disk)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.script = QPlainTextEdit()
        self.script.setReadOnly(True)
        self.script.setFont(mono)
        self.script.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._show_script()
        self.replace.toggled.connect(lambda _on: self._show_script())

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.script)
        split.setSizes([360, 180])

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setVisible(False)
        self.insert_button = QPushButton(insert_label(plan))
        self.insert_button.setToolTip("Send it to the hosts (click, or Ctrl+Enter; Enter alone does not)")
        self.replace_button = QPushButton()
        self.replace_button.setVisible(False)
        self.replace_button.clicked.connect(self._ask_replace)
        self.cancel_button = QPushButton("Cancel")
        for b in (self.insert_button, self.replace_button, self.cancel_button):
            b.setAutoDefault(False)
            b.setDefault(False)
        self.insert_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.shortcuts = [QShortcut(QKeySequence(keys), self) for keys in ("Ctrl+Return", "Ctrl+Enter")]
        for shortcut in self.shortcuts:
            shortcut.activated.connect(self._confirm)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.left_out)
        layout.addWidget(split, 1)
        layout.addWidget(self.replace)
        layout.addWidget(self.result_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.replace_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.insert_button)
        layout.addLayout(buttons)
        self.tree.setFocus()

    def _show_script(self) -> None:
        parts = []
        for key, vms in self.plan.by_host.items():
            request = contract.setup_disk_request([v for v, _ in vms], replace=self.replace.isChecked())
            parts.append(f"# Request sent to {self.state.hosts[key].name} (travels as base64 of this JSON)\n"
                         + json.dumps(request, indent=2, ensure_ascii=False))
        self.script.setPlainText("\n\n".join(parts) + "\n\n# Script (constant, sent on stdin):\n" + scripts.SETUP_DISK)

    def _confirm(self) -> None:
        if not self.isVisible() or not self.insert_button.isEnabled() or self.summary_result is not None:
            return
        plan = DiskPlan(self.plan.by_host, self.plan.not_offered, self.plan.unknown, self.replace.isChecked(),
                        self.plan.current_disk)
        self.insert_button.setEnabled(False)
        self.replace.setEnabled(False)
        self.insert_button.setText("Inserting…")
        for item in self.items.values():
            item.setText(2, "Inserting…")
        self.confirmed.emit(plan)

    # ------------------------------------------------------------ results
    def show_results(self, summary: DiskSummary) -> None:
        """A result per VM in words; the dialog stays open until closed."""
        self.summary_result = summary
        for row, item in self.items.items():
            result = summary.results.get(row)
            error = summary.host_errors.get(row[0])
            if result is not None:
                text = result_words(result)
                icon = look.meaning_icon(_OUTCOME_MEANING[result.outcome])
            elif error is not None:
                text = f"Not done: {error.text}"
                icon = look.meaning_icon(Meaning.ERROR)
            else:
                text = "The host returned no result for it"
                icon = look.meaning_icon(Meaning.ERROR)
            item.setText(2, text)
            item.setToolTip(2, plain_tip(text))
            if icon is not None:
                item.setIcon(2, icon)
        # The results need the room now: the request and script have been sent, and each VM's
        # words are read in full (the tooltip has them too).
        self.script.setVisible(False)
        self.replace.setVisible(False)
        self.tree.setColumnWidth(0, 180)
        self.tree.setColumnWidth(1, 200)
        self.tree.resizeColumnToContents(2)
        needed = 180 + 200 + self.tree.columnWidth(2) + 60
        if needed > self.width():
            self.resize(min(needed, 1500), self.height())
        self.result_label.setText(f"Done: {summary.text()}. " + (AFTER_INSERT if summary.count(
            DiskOutcome.INSERTED, DiskOutcome.UNCHANGED) else ""))
        self.result_label.setVisible(True)
        self.insert_button.setVisible(False)
        self.cancel_button.setText("Close")
        present = summary.disk_present
        if present:
            self.replace_button.setText(f"Replace the other disk in {plural(len(present), 'VM')}…")
            self.replace_button.setVisible(True)

    def _ask_replace(self) -> None:
        summary = self.summary_result
        if summary is None:
            return
        by_host: dict[str, list[tuple[str, str]]] = {}
        current: dict[str, str] = {}
        for row in summary.disk_present:
            by_host.setdefault(row[0], []).append((row[1], summary.names.get(row, row[1])))
            current[row[1]] = summary.results[row].path or "another disk"
        plan = DiskPlan({k: tuple(v) for k, v in by_host.items()}, replace=True, current_disk=current)
        self.replaceRequested.emit(plan)
        self.accept()
