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
from PySide6.QtGui import QFontDatabase
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
from hvgui.ui.i18n import error_text, tr
from hvgui.ui.meaning import Meaning
from hvgui.ui.plan_dialog import confirm_only_on_purpose
from hvgui.ui.setup_disk import DiskPlan, DiskSummary, after_insert, not_offered_reason, result_words
from hvgui.ui.state import FleetState
from hvgui.ui.words import plain_tip

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
    if plan.current_disk:
        return tr("Replace the other disk with the setup disk in %n VM(s)", "", plan.vm_count)
    return tr("Insert the setup disk into %n VM(s)", "", plan.vm_count)


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
        self.setWindowTitle(tr("Insert the Integration Services setup disk"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 600)
        n, hosts = plan.vm_count, plan.host_count
        what = (tr("Replace the disk in the DVD drive of %n VM(s)", "", n) if plan.current_disk
                else tr("Insert the setup disk (vmguest.iso) into the DVD drive of %n VM(s)", "", n))
        self.summary = QLabel(tr("<b>{what}</b> on <b>{hosts}</b>, one command per host, by VM Id. {after}").format(
            what=what, hosts=tr("%n host(s)", "", hosts), after=after_insert()))
        self.summary.setWordWrap(True)
        self.left_out = QLabel()
        self.left_out.setWordWrap(True)
        self.left_out.setTextFormat(Qt.TextFormat.PlainText)
        self.left_out.setStyleSheet(f"color: {look.theme().amber}")
        notes = []
        for key, names in plan.not_offered.items():
            notes.append(tr("Not offered on {host} (%n VM(s) left alone): {reason}.", "", len(names)).format(
                host=state.hosts[key].name, reason=not_offered_reason()))
        for key, names in plan.unknown.items():
            notes.append(tr("Not offered on {host} (%n VM(s) left alone): its Windows version is not known yet.",
                            "", len(names)).format(host=state.hosts[key].name))
        self.left_out.setText("\n".join(notes))
        self.left_out.setVisible(bool(notes))

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("Host / VM"), tr("Guest OS"), tr("Result")])
        self.tree.setAccessibleName(tr("VMs to receive the setup disk"))
        self.tree.setColumnWidth(0, 280)
        self.tree.setColumnWidth(1, 260)
        self.items: dict[tuple[str, str], QTreeWidgetItem] = {}
        for key, vms in plan.by_host.items():
            entry = state.hosts[key]
            host_item = QTreeWidgetItem([tr("{host} (%n VM(s))", "", len(vms)).format(host=entry.name)])
            self.tree.addTopLevelItem(host_item)
            for vm_id, name in vms:
                vm = entry.vms.get(vm_id)
                current = plan.current_disk.get(vm_id)
                item = QTreeWidgetItem([name, guest_os_text(vm, state.guest_os_seen.get((key, vm_id)))
                                        if vm is not None else "",
                                        tr("will replace {disk}").format(disk=current) if current else ""])
                item.setToolTip(0, plain_tip(tr("{name}\nVM Id: {id}").format(name=name, id=vm_id)))
                host_item.addChild(item)
                self.items[(key, vm_id)] = item
            host_item.setExpanded(True)

        self.replace = QCheckBox(tr("Replace another disk found in a VM's DVD drive"))
        self.replace.setToolTip(tr("Unticked, a VM whose drive holds another disk keeps it, and its result says so "
                                   "(you can then replace it for those VMs only)"))
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
        self.insert_button.setToolTip(tr("Send it to the hosts (click, or Ctrl+Enter; Enter alone does not)"))
        self.replace_button = QPushButton()
        self.replace_button.setVisible(False)
        self.replace_button.clicked.connect(self._ask_replace)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.insert_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.shortcuts = confirm_only_on_purpose(
            self, (self.insert_button, self.replace_button, self.cancel_button), self._confirm)

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
            parts.append(tr("# Request sent to {host} (travels as base64 of this JSON)").format(
                host=self.state.hosts[key].name) + "\n" + json.dumps(request, indent=2, ensure_ascii=False))
        self.script.setPlainText("\n\n".join(parts) + "\n\n" + tr("# Script (constant, sent on stdin):") + "\n"
                                 + scripts.SETUP_DISK)

    def _confirm(self) -> None:
        if not self.isVisible() or not self.insert_button.isEnabled() or self.summary_result is not None:
            return
        plan = DiskPlan(self.plan.by_host, self.plan.not_offered, self.plan.unknown, self.replace.isChecked(),
                        self.plan.current_disk)
        self.insert_button.setEnabled(False)
        self.replace.setEnabled(False)
        self.insert_button.setText(tr("Inserting…"))
        for item in self.items.values():
            item.setText(2, tr("Inserting…"))
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
                text = tr("Not done: {error}").format(error=error_text(error))
                icon = look.meaning_icon(Meaning.ERROR)
            else:
                text = tr("The host returned no result for it")
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
        self.result_label.setText(tr("Done: {summary}.").format(summary=summary.text()) + (
            " " + after_insert() if summary.count(DiskOutcome.INSERTED, DiskOutcome.UNCHANGED) else ""))
        self.result_label.setVisible(True)
        self.insert_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        present = summary.disk_present
        if present:
            self.replace_button.setText(tr("Replace the other disk in %n VM(s)…", "", len(present)))
            self.replace_button.setVisible(True)

    def _ask_replace(self) -> None:
        summary = self.summary_result
        if summary is None:
            return
        by_host: dict[str, list[tuple[str, str]]] = {}
        current: dict[str, str] = {}
        for row in summary.disk_present:
            by_host.setdefault(row[0], []).append((row[1], summary.names.get(row, row[1])))
            current[row[1]] = summary.results[row].path or tr("another disk")
        plan = DiskPlan({k: tuple(v) for k, v in by_host.items()}, replace=True, current_disk=current)
        self.replaceRequested.emit(plan)
        self.accept()
