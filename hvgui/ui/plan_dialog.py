"""Preview before apply: counts, every change current -> target, per host the exact script with
its decoded request, and per change the one-line PowerShell an admin would type for it.

Apply is an explicit click or Ctrl+Enter: Enter alone never applies (no default button).
Non-modal to the event loop (``show()``, never ``exec()``): a nested loop inside an async slot
breaks qasync."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hvgui.core import catalog, contract
from hvgui.core.model import HostFacts, Inventory
from hvgui.core.plan import update_warnings
from hvgui.remote import scripts
from hvgui.ui import equivalent_powershell, look
from hvgui.ui.i18n import service_label, tr
from hvgui.ui.meaning import Meaning
from hvgui.ui.state import CellKey, FleetState, Plan, on_off
from hvgui.ui.words import plain_tip

POWERSHELL_COLUMN = 4


def request_text(plan: Plan, host_key: str) -> str:
    changes = [p.change() for p in plan.by_host.get(host_key, ())]
    return json.dumps(contract.apply_request(changes), indent=2, ensure_ascii=False)


def plan_warnings(plan: Plan, state: FleetState) -> dict[CellKey, str]:
    """What the plan breaks, said before anything is applied (:func:`hvgui.core.plan.update_warnings`):
    disabling Data Exchange on a guest whose integration services update only with it. The guest
    OS is the one the host reported earlier in the session when it says nothing now."""
    out: dict[CellKey, str] = {}
    for key, items in plan.by_host.items():
        entry = state.hosts.get(key)
        if entry is None:
            continue
        vm_ids = dict.fromkeys(p.cell[1] for p in items)
        vms = tuple(v for v in (state.advice_vm(key, i) for i in vm_ids) if v is not None)
        inv = Inventory(entry.facts or HostFacts(entry.name), vms)
        for vm, _english in update_warnings(inv, [p.change() for p in items]):  # which VMs: the core's rule
            why = tr("{guest} on this host gets its integration services from Windows Update only with the Data "
                     "Exchange service enabled (otherwise: the CAB from the Microsoft Download Center, KB 3071740)"
                     ).format(guest=vm.guest_os or tr("this guest"))
            out[(key, vm.id, catalog.KVP)] = tr("disabling Data Exchange stops its integration services updates: "
                                                "{why}").format(why=why)
    return out


def apply_label(plan: Plan) -> str:
    """ "Apply 1 change to 1 VM", "Apply 12 changes to 4 VMs"."""
    return tr("Apply %n change(s)", "", plan.change_count) + " " + tr("to %n VM(s)", "", plan.vm_count)



def confirm_only_on_purpose(dialog: QDialog, buttons: Iterable[QPushButton],
                            confirm: Callable[[], object]) -> list[QShortcut]:
    """A dialog that sends something to hosts: no default button (a QDialogButtonBox would make
    its accept button one), so Enter never confirms; a click or Ctrl+Enter does."""
    for b in buttons:
        b.setAutoDefault(False)
        b.setDefault(False)
    shortcuts = [QShortcut(QKeySequence(keys), dialog) for keys in ("Ctrl+Return", "Ctrl+Enter")]
    for shortcut in shortcuts:
        shortcut.activated.connect(confirm)
    return shortcuts

class PlanDialog(QDialog):
    confirmed = Signal(object)
    """The :class:`Plan` to run."""

    def __init__(self, plan: Plan, state: FleetState, *, title: str = "Apply changes",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(tr(title))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(980, 660)
        n, vms, hosts = plan.change_count, plan.vm_count, plan.host_count
        self.summary = QLabel(
            "<b>" + tr("%n change(s)", "", n) + "</b> " + tr("to", "preposition") + " <b>"
            + tr("%n VM(s)", "", vms) + "</b> " + tr("on", "preposition") + " <b>" + tr("%n host(s)", "", hosts)
            + "</b>. "
            + (tr("Each host gets one batch; hosts run in parallel.") if hosts > 1 else tr("The host gets one batch."))
            + " " + tr("An item that someone else changed since it was read is reported as a conflict and left "
                       "alone."))
        self.summary.setWordWrap(True)
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setTextFormat(Qt.TextFormat.PlainText)
        self.skipped.setStyleSheet(f"color: {look.theme().amber}")
        if plan.skipped_applying:
            names = ", ".join(state.hosts[k].name if k in state.hosts else k for k in plan.skipped_applying)
            k = len(plan.skipped_applying)
            self.skipped.setText(tr("Not included: the pending changes of {hosts}, which is|are applying changes right "
                                    "now. Apply them once that apply has finished.", "", k).format(hosts=names))
        self.skipped.setVisible(bool(plan.skipped_applying))

        self.warnings = plan_warnings(plan, state)
        """Cell -> what applying it breaks (said here, before anything is applied)."""
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setAccessibleName(tr("Warnings about this plan"))
        if self.warnings:
            lines = []
            for cell, why in self.warnings.items():
                entry = state.hosts[cell[0]]
                vm = entry.vms.get(cell[1])
                lines.append("⚠ " + tr("{vm} on {host}: {why}.").format(vm=vm.name if vm else cell[1], host=entry.name,
                                                                         why=why))
            k = len(self.warnings)
            self.warning.setText(tr("Before you apply: %n change(s) stops|stop integration services updates.", "", k)
                                 + "\n" + "\n".join(lines))
            self.warning.setStyleSheet(f"color: {look.theme().orange}; font-weight: bold")
        self.warning.setVisible(bool(self.warnings))

        self.commands: list[str] = []
        """The equivalent PowerShell, one line per change, in the order shown."""
        self.changes = QTreeWidget()
        self.changes.setHeaderLabels([tr("Host / VM / service"), tr("Current"), "", tr("Target"),
                                      tr("Equivalent PowerShell")])
        self.changes.setUniformRowHeights(True)
        self.changes.setAccessibleName(tr("Changes to apply"))
        for key, items in plan.by_host.items():
            entry = state.hosts[key]
            host_item = QTreeWidgetItem([f"{entry.name} (" + tr("%n change(s)", "", len(items)) + ")"])
            self.changes.addTopLevelItem(host_item)
            vm_item: QTreeWidgetItem | None = None
            last_vm = ""
            for p in items:
                if p.cell[1] != last_vm:
                    vm_item = QTreeWidgetItem([p.vm_name])
                    vm_item.setToolTip(0, plain_tip(tr("{name}\nVM Id: {id}").format(name=p.vm_name, id=p.cell[1])))
                    host_item.addChild(vm_item)
                    last_vm = p.cell[1]
                assert vm_item is not None
                line = equivalent_powershell.for_change(state, p)
                self.commands.append(line)
                label = service_label(p.cell[2]) if catalog.get(p.cell[2]) is not None else p.service_label
                item = QTreeWidgetItem([label, on_off(p.current), "→", on_off(p.target), line])
                item.setToolTip(POWERSHELL_COLUMN, plain_tip(line))
                warning = self.warnings.get(p.cell)
                if warning is not None:
                    icon = look.meaning_icon(Meaning.NOT_ANSWERING)
                    if icon is not None:
                        item.setIcon(0, icon)
                    item.setText(0, tr("{service} (stops its updates)").format(service=label))
                    for column in range(4):
                        item.setToolTip(column, plain_tip(warning))
                vm_item.addChild(item)
            host_item.setExpanded(True)
            if len(items) <= 200:
                for i in range(host_item.childCount()):
                    child = host_item.child(i)
                    if child is not None:
                        child.setExpanded(True)
        self.changes.setColumnWidth(0, 330)
        self.changes.setColumnWidth(1, 80)
        self.changes.setColumnWidth(2, 24)
        self.changes.setColumnWidth(3, 80)
        self.show_powershell = QCheckBox(tr("Show the equivalent PowerShell of each change"))
        self.show_powershell.setToolTip(tr("The command an admin would type for each change (hvgui sends the "
                                        "script below instead: one command per host, names never in it)"))
        self.show_powershell.toggled.connect(lambda on: self.changes.setColumnHidden(POWERSHELL_COLUMN, not on))
        self.changes.setColumnHidden(POWERSHELL_COLUMN, True)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.scripts = QTabWidget()
        for key in plan.by_host:
            text = QPlainTextEdit()
            text.setReadOnly(True)
            text.setFont(mono)
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            text.setPlainText(
                tr("# Request sent to {host} (travels as base64 of this JSON; no name ever enters the "
                   "script)").format(host=state.hosts[key].name) + "\n"
                f"{request_text(plan, key)}\n\n"
                + tr("# Command line:") + f" {contract.POWERSHELL_EXE} {' '.join(contract.POWERSHELL_ARGS)} "
                "-EncodedCommand <bootstrap>\n"
                + tr("# Script (constant, sent on stdin):") + f"\n{scripts.APPLY}")
            self.scripts.addTab(text, tr("Script for {host}").format(host=state.hosts[key].name))
        self.powershell = QPlainTextEdit()
        self.powershell.setReadOnly(True)
        self.powershell.setFont(mono)
        self.powershell.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.powershell.setPlainText(
            tr("# What an admin would type for the same changes, one command per change. hvgui sends the\n"
            "# script in the other tabs instead: one batch per host, checked against what you saw.\n")
            + "\n".join(self.commands) + "\n")
        self.scripts.addTab(self.powershell, tr("Equivalent PowerShell"))

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.changes)
        split.addWidget(self.scripts)
        split.setSizes([380, 240])

        self.apply_button = QPushButton(apply_label(plan))
        self.apply_button.setToolTip(tr("Send the changes to the hosts (click, or Ctrl+Enter; Enter alone does not "
                                     "apply)"))
        self.copy_button = QPushButton(tr("Copy PowerShell"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText("\n".join(self.commands) + "\n"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.apply_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.shortcuts = confirm_only_on_purpose(
            self, (self.apply_button, self.copy_button, self.cancel_button), self._confirm)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.skipped)
        layout.addWidget(self.warning)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        row.addWidget(self.show_powershell)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)
        layout.addLayout(buttons)
        self.changes.setFocus()

    def _confirm(self) -> None:
        if not self.isVisible():
            return
        self.confirmed.emit(self.plan)
        self.accept()
