"""*Diagnose…* on a failed host: everything hvgui knows about why it failed, in one place to
read or to paste into a ticket: the host's settings (never a password), the error in full with
its details and certificate fingerprint, and its last operations with their outcome.

Non-modal (``show()``): a nested event loop inside an async slot would break qasync."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from hvgui.remote.engine import Operation
from hvgui.ui.state import HostEntry


def diagnosis_text(entry: HostEntry, operations: Sequence[Operation]) -> str:
    cfg = entry.config
    lines = [f"Host: {entry.name}", f"Address: {cfg.url}",
             f"Login: {cfg.username or 'the current Windows logon'} ({cfg.auth.value.upper()})",
             f"Timeout: {cfg.timeout_s:g} s"]
    if cfg.ca_file:
        lines.append(f"CA file: {cfg.ca_file}")
    if entry.facts is not None and entry.facts.os_caption:
        lines.append(f"Windows: {entry.facts.os_caption} {entry.facts.os_version}".rstrip())
    lines.append(f"State: {entry.status.value}; {entry.failures} failed read{'s' if entry.failures != 1 else ''} "
                 "in a row")
    if entry.last_refresh:
        lines.append("Last good read: " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.last_refresh)))
    lines.append("")
    e = entry.error
    if e is None:
        lines.append("No error: the last read worked.")
    else:
        lines += [f"Error: {e.title}", e.message]
        if e.details:
            lines += ["", "Details:", e.details]
        if e.fingerprint:
            lines.append(f"Certificate presented (SHA-256): {e.fingerprint}")
    if operations:
        lines += ["", "Last operations on this host:"]
        for op in operations:
            when = time.strftime("%H:%M:%S", time.localtime(op.started_wall))
            outcome = op.error.text if op.error is not None else op.outcome
            lines.append(f"- {when} {op.summary}: {op.state.value}, {op.duration:.1f} s" + (f": {outcome}"
                                                                                             if outcome else ""))
    return "\n".join(lines) + "\n"


class HostErrorDialog(QDialog):
    retryRequested = Signal(str)
    editRequested = Signal(str)
    checkRequested = Signal(str)
    """Run the step-by-step check (name, port, TLS, logon, rights, PowerShell, Hyper-V module)."""

    def __init__(self, entry: HostEntry, operations: Sequence[Operation], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Diagnose {entry.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 460)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(diagnosis_text(entry, operations))
        self.text.setAccessibleName(f"Diagnosis of {entry.name}")
        key = entry.key
        buttons = QHBoxLayout()
        for label, slot in (("Check step by step…", lambda: self.checkRequested.emit(key)),
                            ("Retry", lambda: self.retryRequested.emit(key)),
                            ("Edit host…", lambda: self.editRequested.emit(key)),
                            ("Copy", lambda: QGuiApplication.clipboard().setText(self.text.toPlainText())),
                            ("Close", self.close)):
            b = QPushButton(label)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.insertStretch(0, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.text)
        box.addLayout(buttons)
