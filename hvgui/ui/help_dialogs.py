"""The Help menu: the user guide (the README), the keyboard shortcuts (listed from the window's
own actions, so the list never goes stale) and About. All non-modal."""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from collections.abc import Iterable
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import hvgui
from hvgui.ui import look
from hvgui.ui.i18n import QT_TR_NOOP, tr

#: Keys that are not menu actions.
FIXED_KEYS: tuple[tuple[str, str], ...] = (
    (QT_TR_NOOP("Space"), QT_TR_NOOP("Tick or untick the selected cells (all on if any is off)")),
    (QT_TR_NOOP("Arrows, Shift+arrows"), QT_TR_NOOP("Move in the grid; extend the selection")),
    ("Esc", QT_TR_NOOP("Clear the selection (in the grid or the tree); clear the filter box")),
    (QT_TR_NOOP("Tab, Shift+Tab"), QT_TR_NOOP("Next and previous pane")),
    (QT_TR_NOOP("Menu key, Shift+F10"), QT_TR_NOOP("Context menu of the selected cells or host")),
    ("Ctrl+Enter", QT_TR_NOOP("Apply, in the plan (Enter alone does not apply)")),
)


def readme_text() -> tuple[str, Path | None]:
    """The README (Markdown) and the folder its images are relative to: the checkout's copy when
    hvgui runs from one, else the copy in the package's metadata."""
    checkout = Path(hvgui.__file__).resolve().parents[1] / "README.md"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8"), checkout.parent
    try:
        md = importlib.metadata.metadata("hvgui")
        return str(md.get_payload() or md.get("Description") or ""), None  # type: ignore[attr-defined]
    except importlib.metadata.PackageNotFoundError:
        return "", None


class UserGuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("hvgui user guide"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 700)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        text, folder = readme_text()
        if folder is not None:
            self.browser.setSearchPaths([str(folder)])
        self.browser.setMarkdown(text or tr("The README could not be found in this installation."))
        box = QVBoxLayout(self)
        box.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        box.addWidget(buttons)


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for a in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts())
        name = a.text().replace("&", "").rstrip("…").strip()
        if keys and name and (keys, name) not in seen:
            seen.add((keys, name))
            rows.append((keys, name))
    return rows + [(tr(keys), tr(what)) for keys, what in FIXED_KEYS]


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Keyboard shortcuts"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 520)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([tr("Keys"), tr("Does")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for r, (keys, what) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(what))
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        box.addWidget(buttons)


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return tr("not installed")


def about_text(paths: Iterable[tuple[str, object]] = ()) -> str:
    frozen = ", installed build" if getattr(sys, "frozen", False) else ""
    lines = [f"hvgui {hvgui.__version__}",
             tr("See and change the Hyper-V integration services of many VMs on many hosts over WinRM."), "",
             f"Qt {qVersion()}, PySide6 {PySide6.__version__}, pywinrm {package_version('pywinrm')}",
             f"Python {platform.python_version()} ({sys.platform}{frozen})"]
    lines += [f"{name}: {value}" for name, value in paths if value]
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, paths: Iterable[tuple[str, object]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("About hvgui"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.logo = QLabel()
        self.logo.setPixmap(look.app_icon().pixmap(64, 64))
        self.text = QLabel(about_text(paths))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        box.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        box.addWidget(buttons)
