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
from hvgui.ui.i18n import error_text, tr
from hvgui.ui.state import HostEntry


def diagnosis_text(entry: HostEntry, operations: Sequence[Operation]) -> str:
    cfg = entry.config
    lines = [tr("Host: {host}").format(host=entry.name), tr("Address: {url}").format(url=cfg.url),
             tr("Login: {user} ({auth})").format(user=cfg.username or tr("the current Windows logon"),
                                                 auth=cfg.auth.value.upper()),
             tr("Timeout: {seconds} s").format(seconds=f"{cfg.timeout_s:g}")]
    if cfg.ca_file:
        lines.append(tr("CA file: {path}").format(path=cfg.ca_file))
    if entry.facts is not None and entry.facts.os_caption:
        lines.append(f"Windows: {entry.facts.os_caption} {entry.facts.os_version}".rstrip())
    lines.append(tr("State: {state}").format(state=entry.status.value) + "; "
                 + tr("%n failed read(s) in a row", "", entry.failures))
    if entry.last_refresh:
        lines.append(tr("Last good read: ") + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.last_refresh)))
    lines.append("")
    e = entry.error
    if e is None:
        lines.append(tr("No error: the last read worked."))
    else:
        lines += [tr("Error: {reason}").format(reason=e.title), e.message]
        if e.details:
            lines += ["", tr("Details:"), e.details]
        if e.fingerprint:
            lines.append(tr("Certificate presented (SHA-256): {fingerprint}").format(fingerprint=e.fingerprint))
    if operations:
        lines += ["", tr("Last operations on this host:")]
        for op in operations:
            when = time.strftime("%H:%M:%S", time.localtime(op.started_wall))
            outcome = error_text(op.error) if op.error is not None else op.outcome
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
        self.setWindowTitle(tr("Diagnose {host}").format(host=entry.name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 460)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(diagnosis_text(entry, operations))
        self.text.setAccessibleName(tr("Diagnosis of {host}").format(host=entry.name))
        key = entry.key
        buttons = QHBoxLayout()
        for label, slot in ((tr("Check step by step…"), lambda: self.checkRequested.emit(key)),
                            (tr("Retry"), lambda: self.retryRequested.emit(key)),
                            (tr("Edit host…"), lambda: self.editRequested.emit(key)),
                            (tr("Copy"), lambda: QGuiApplication.clipboard().setText(self.text.toPlainText())),
                            (tr("Close"), self.close)):
            b = QPushButton(label)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.insertStretch(0, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.text)
        box.addLayout(buttons)
