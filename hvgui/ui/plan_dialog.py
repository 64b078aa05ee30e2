"""Preview before apply: counts, every change current -> target, and per host the exact
script with its decoded request. Non-modal to the event loop (``show()``, never ``exec()``):
a nested loop inside an async slot breaks qasync."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
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

from hvgui.core import contract
from hvgui.remote import scripts
from hvgui.ui import look
from hvgui.ui.state import FleetState, Plan, on_off


def request_text(plan: Plan, host_key: str) -> str:
    changes = [p.change() for p in plan.by_host.get(host_key, ())]
    return json.dumps(contract.apply_request(changes), indent=2, ensure_ascii=False)


class PlanDialog(QDialog):
    confirmed = Signal(object)
    """The :class:`Plan` to run."""

    def __init__(self, plan: Plan, state: FleetState, *, title: str = "Apply changes",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 640)
        n, vms, hosts = plan.change_count, plan.vm_count, plan.host_count
        self.summary = QLabel(
            f"<b>{n} change{'s' if n != 1 else ''}</b> to <b>{vms} VM{'s' if vms != 1 else ''}</b> "
            f"on <b>{hosts} host{'s' if hosts != 1 else ''}</b>. Each host gets one batch; hosts run in "
            "parallel. An item that someone else changed since it was read is reported as a conflict "
            "and left alone.")
        self.summary.setWordWrap(True)
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setStyleSheet(f"color: {look.AMBER}")
        if plan.skipped_applying:
            names = ", ".join(state.hosts[k].name if k in state.hosts else k for k in plan.skipped_applying)
            self.skipped.setText(f"Not included: the pending changes of {names}, which "
                                 f"{'is' if len(plan.skipped_applying) == 1 else 'are'} applying changes right "
                                 "now. Apply them once that apply has finished.")
        self.skipped.setVisible(bool(plan.skipped_applying))

        self.changes = QTreeWidget()
        self.changes.setHeaderLabels(["Host / VM / service", "Current", "", "Target"])
        self.changes.setUniformRowHeights(True)
        for key, items in plan.by_host.items():
            entry = state.hosts[key]
            host_item = QTreeWidgetItem([f"{entry.name} ({len(items)} change{'s' if len(items) != 1 else ''})"])
            self.changes.addTopLevelItem(host_item)
            vm_item: QTreeWidgetItem | None = None
            last_vm = ""
            for p in items:
                if p.cell[1] != last_vm:
                    vm_item = QTreeWidgetItem([p.vm_name])
                    vm_item.setToolTip(0, f"VM Id: {p.cell[1]}")
                    host_item.addChild(vm_item)
                    last_vm = p.cell[1]
                assert vm_item is not None
                vm_item.addChild(QTreeWidgetItem([p.service_label, on_off(p.current), "→", on_off(p.target)]))
            host_item.setExpanded(True)
            if len(items) <= 200:
                for i in range(host_item.childCount()):
                    child = host_item.child(i)
                    if child is not None:
                        child.setExpanded(True)
        self.changes.setColumnWidth(0, 360)
        self.changes.setColumnWidth(1, 90)
        self.changes.setColumnWidth(2, 24)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.scripts = QTabWidget()
        for key in plan.by_host:
            text = QPlainTextEdit()
            text.setReadOnly(True)
            text.setFont(mono)
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            text.setPlainText(
                f"# Request sent to {state.hosts[key].name} (travels as base64 of this JSON; "
                "no name ever enters the script)\n"
                f"{request_text(plan, key)}\n\n"
                f"# Command line: {contract.POWERSHELL_EXE} {' '.join(contract.POWERSHELL_ARGS)} "
                "-EncodedCommand <bootstrap>\n"
                f"# Script (constant, sent on stdin):\n{scripts.APPLY}")
            self.scripts.addTab(text, state.hosts[key].name)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.changes)
        split.addWidget(self.scripts)
        split.setSizes([360, 240])

        self.buttons = QDialogButtonBox()
        self.apply_button = QPushButton(f"Apply {n} change{'s' if n != 1 else ''}")
        self.apply_button.setDefault(True)
        self.apply_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.skipped)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.apply_button.setFocus()

    def _confirm(self) -> None:
        self.confirmed.emit(self.plan)
        self.accept()
