"""Check a host step by step, as ``hvgui-cli doctor`` does: the name resolves, the port answers,
TLS, logon, WinRM rights, then the operation scripts' own preflight (PowerShell, Hyper-V module,
Hyper-V rights) and a read-only inventory. Each step appears as it is decided; a failed step
shows the command that fixes it. The report can be copied as JSON (it holds no secret).

Used by *Test connection* in the host dialog (with the settings as typed) and by *Diagnose...*
on a failed host. The checks block on the network, so they run on a worker thread; only their
results come back to the GUI thread.

The steps' titles and outcomes are in the window's language; what each step found and its fix
come from :mod:`hvgui.remote.doctor` (Qt-free) and stay in English, like the engine's errors.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import weakref

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from hvgui.core.hosts import HostConfig
from hvgui.remote.credentials import CredentialSource
from hvgui.remote.doctor import Report, Status, Step, diagnose
from hvgui.ui.i18n import tr

log = logging.getLogger(__name__)

MARKS = {Status.PASSED: "✔", Status.FAILED: "✘", Status.SKIPPED: "–", Status.NOT_CHECKED: "·"}


class OneHostCredentials:
    """The password typed in the host dialog, for that one check (never stored)."""

    def __init__(self, password: str | None, fallback: CredentialSource | None) -> None:
        self._password = password
        self._fallback = fallback

    def password(self, host: HostConfig) -> str | None:
        if self._password:
            return self._password
        return self._fallback.password(host) if self._fallback is not None else None

    def __repr__(self) -> str:
        return "OneHostCredentials(<hidden>)"


def step_title(step: Step) -> str:
    """The step's title (:data:`hvgui.remote.doctor.STEPS`) in the window's language."""
    titles = {
        "settings": tr("Host settings"), "name": tr("Name resolves"), "port": tr("Port answers"),
        "tls": tr("TLS certificate"), "logon": tr("Logon (authentication)"),
        "admin": tr("Administrator rights (WinRM)"), "powershell": tr("Windows PowerShell 3.0 or later"),
        "hyperv_module": tr("Hyper-V PowerShell module"), "hyperv_rights": tr("Hyper-V rights"),
        "inventory": tr("Read-only inventory"),
    }
    return titles.get(step.id, step.title)


def status_text(status: Status) -> str:
    words = {Status.PASSED: tr("passed", "check step"), Status.FAILED: tr("failed", "check step"),
             Status.SKIPPED: tr("skipped", "check step"), Status.NOT_CHECKED: tr("not checked", "check step")}
    return words[status]


def step_text(step: Step) -> str:
    lines = [tr("{mark} {step}: {status}").format(mark=MARKS[step.status], step=step_title(step),
                                                 status=status_text(step.status))
             + (f" — {step.detail}" if step.detail else "")]
    for c in step.chain:
        lines += [f"      {line}" for line in c.lines()]
    if step.status is Status.FAILED and step.fix:
        lines.append("      " + tr("Fix: {fix}").format(fix=step.fix))
    return "\n".join(lines)


class DoctorDialog(QDialog):
    """Runs :func:`hvgui.remote.doctor.diagnose` off the GUI thread and shows each step."""

    finishedReport = Signal(object)
    """The :class:`Report` once every step is decided."""
    trustRequested = Signal()
    """The TLS step failed: the admin wants to look at the certificate."""

    def __init__(self, config: HostConfig, credentials: CredentialSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.report: Report | None = None
        self.steps: list[Step] = []
        self.setWindowTitle(tr("Check {host}").format(host=config.display_name))
        self.resize(780, 480)
        self.status = QLabel(tr("Checking {host} ({url})…").format(host=config.display_name, url=config.url))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(tr("Checks of {host}").format(host=config.display_name))
        self.copy_json = QPushButton(tr("Copy as JSON"))
        self.copy_json.setToolTip(tr("The report for a ticket or a bug report (it holds no password)"))
        self.copy_json.setEnabled(False)
        self.copy_json.clicked.connect(self._copy)
        self.trust = QPushButton(tr("Look at the certificate…"))
        self.trust.setVisible(False)
        self.trust.clicked.connect(self.trustRequested)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.close)
        for b in (self.copy_json, self.trust, close):
            b.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.trust)
        buttons.addWidget(self.copy_json)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.text, 1)
        box.addLayout(buttons)
        self.task: asyncio.Task[None] = asyncio.ensure_future(self._run(credentials))
        self.finished.connect(lambda _r: self.task.cancel())

    async def _run(self, credentials: CredentialSource) -> None:
        loop = asyncio.get_running_loop()
        dialog = weakref.ref(self)

        def on_step(step: Step) -> None:  # on the worker thread
            loop.call_soon_threadsafe(_show_step, dialog, step)

        # The worker thread holds no reference to the dialog (only a weak one, followed on the GUI
        # thread): if it held the last one, the dialog would be deleted there, which Qt forbids.
        check = functools.partial(diagnose, self.config, credentials, on_step=on_step)
        try:
            report = await loop.run_in_executor(None, check)
        except Exception as exc:  # a bug in a check must not take the window down
            log.exception("checking %s failed", self.config.display_name)
            self.status.setText(tr("The checks stopped: {error}").format(error=f"{type(exc).__name__}: {exc}"))
            return
        self.report = report
        self.text.setPlainText("\n".join(step_text(s) for s in report.steps))
        failed = report.failed
        if report.ok:
            self.status.setText(tr("{host}: every check passed.").format(host=self.config.display_name))
        elif failed is not None:
            self.status.setText(tr("{host}: “{step}” failed — {detail}").format(
                host=self.config.display_name, step=step_title(failed), detail=failed.detail)
                + ("\n" + tr("Fix: {fix}").format(fix=failed.fix) if failed.fix else ""))
        self.trust.setVisible(failed is not None and failed.id == "tls" and self.config.is_https)
        self.copy_json.setEnabled(True)
        self.finishedReport.emit(report)

    def _add(self, step: Step) -> None:
        if self.report is not None:
            return
        self.steps.append(step)
        self.text.appendPlainText(step_text(step))

    def _copy(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(json.dumps(self.report.as_json(), indent=2, ensure_ascii=False))


def _show_step(dialog: weakref.ref[DoctorDialog], step: Step) -> None:
    """On the GUI thread: a step decided on the worker thread, for the dialog if it is still there."""
    dlg = dialog()
    if dlg is not None and shiboken6.isValid(dlg):
        dlg._add(step)
