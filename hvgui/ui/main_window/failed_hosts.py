"""Hosts that failed, above the grid: a one-line banner ("2 hosts failed: Show"), and for the
failed hosts the user selected, their error in full with what can be done about it (Retry,
Edit host…, Diagnose…, and Enter password… or Trust this certificate… when that is the fix)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.i18n import error_text, error_title, tr
from hvgui.ui.state import HostEntry
from hvgui.ui.widgets import ElidedLabel

MAX_SHOWN = 3
"""Failed hosts detailed at once in the panel; the banner counts the rest."""


def _link_button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setFlat(True)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    b.setStyleSheet("QPushButton { text-decoration: underline; padding: 0 4px; }")
    return b


class Banner(QFrame):
    """One line above the grid, however many hosts fail."""

    showRequested = Signal()
    """Select the failed hosts in the tree (the panel then shows what to do)."""
    fixRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = ElidedLabel()
        self.show_button = _link_button(tr("Show"))
        self.show_button.clicked.connect(self.showRequested)
        self.fix_button = _link_button("")
        self._fix_key = ""
        self.fix_button.clicked.connect(lambda: self.fixRequested.emit(self._fix_key))
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 1, 6, 1)
        row.addWidget(self.message, 1)
        row.addWidget(self.fix_button)
        row.addWidget(self.show_button)
        self.setVisible(False)
        self.setAccessibleName(tr("Hosts that failed"))

    def text(self) -> str:
        """What the banner says, actions included (as a screen reader would read it)."""
        parts = [self.message.text()]
        parts += [b.text() for b in (self.fix_button, self.show_button) if not b.isHidden()]
        return " ".join(p for p in parts if p)

    def show_message(self, text: str, *, show: bool = False, fix: tuple[str, str] | None = None) -> None:
        sheet = f"Banner {{ background: {look.theme().bg_failed}; }}"
        if self.styleSheet() != sheet:  # setting it, even unchanged, re-polishes the banner (~1 ms)
            self.setStyleSheet(sheet)
        self.message.setText(text)
        self.show_button.setVisible(show)
        self.fix_button.setVisible(fix is not None)
        if fix is not None:
            self.fix_button.setText(fix[0])
            self._fix_key = fix[1]
        self.setVisible(bool(text))


class HostProblemPanel(QFrame):
    """The error of each selected host that failed, in full, with what can be done."""

    retryRequested = Signal(str)
    editRequested = Signal(str)
    diagnoseRequested = Signal(str)
    fixRequested = Signal(str)

    def __init__(self, controller: Controller, host_fix: Callable[[str], tuple[str, str] | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.host_fix = host_fix
        self.keys: list[str] = []
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(8, 6, 8, 6)
        self.setVisible(False)
        self.setAccessibleName(tr("Selected hosts that failed"))
        self._shown: list[tuple[str, str, str]] = []

    def show_hosts(self, entries: list[HostEntry]) -> None:
        shown = [(e.key, error_text(e.error) if e.error else "", fix[0] if (fix := self.host_fix(e.key)) else "")
                 for e in entries[:MAX_SHOWN]]
        if shown == self._shown and len(entries) == len(self.keys):
            return
        self._shown = shown
        self.keys = [e.key for e in entries]
        while self.box.count():
            item = self.box.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        for e in entries[:MAX_SHOWN]:
            self.box.addWidget(self._host_block(e))
        if len(entries) > MAX_SHOWN:
            self.box.addWidget(QLabel(tr("… and %n more host(s) that failed (see the tree's tooltips)", "",
                                         len(entries) - MAX_SHOWN)))
        t = look.theme()
        self.setStyleSheet(f"HostProblemPanel {{ background: {t.bg_failed}; }}")
        self.setVisible(bool(entries))

    def _host_block(self, e: HostEntry) -> QWidget:
        block = QWidget()
        box = QVBoxLayout(block)
        box.setContentsMargins(0, 0, 0, 0)
        title = QLabel(tr("{host} could not be read").format(host=e.name)
                       + (f": {error_title(e.error.kind)}" if e.error else ""))
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        box.addWidget(title)
        text = e.error.message if e.error else ""
        if e.error is not None and e.error.details and e.error.details not in text:
            text += f"\n{e.error.details}"
        if e.loaded and e.last_refresh:
            text += "\n" + tr("The grid shows what it said at {time}.").format(
                time=time.strftime("%H:%M:%S", time.localtime(e.last_refresh)))
        message = QLabel(text)
        message.setTextFormat(Qt.TextFormat.PlainText)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(message)
        row = QHBoxLayout()
        fix = self.host_fix(e.key)
        buttons: list[tuple[str, SignalInstance]] = []
        if fix is not None:
            buttons.append((fix[0], self.fixRequested))
        buttons += [(tr("Retry"), self.retryRequested), (tr("Edit host…"), self.editRequested),
                    (tr("Diagnose…"), self.diagnoseRequested)]
        for text_, signal in buttons:
            b = QPushButton(text_)
            b.setAccessibleName(f"{text_.rstrip('…')} {e.name}")
            b.clicked.connect(lambda _=False, s=signal, k=e.key: s.emit(k))
            row.addWidget(b)
        row.addStretch(1)
        box.addLayout(row)
        return block

    def buttons(self) -> list[QPushButton]:
        return self.findChildren(QPushButton)
