"""Toolbar with icons and Apply as the primary button; the Help menu: user guide (the README),
keyboard shortcuts (from the window's own actions), About."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import ui_helpers
from PySide6.QtWidgets import QMenu, QToolButton

import hvgui
from hvgui.ui.help_dialogs import AboutDialog, ShortcutsDialog, UserGuideDialog

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab


def test_toolbar_icons_and_the_primary_apply_button(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory()
    w = lab.window
    for a in w.toolbar.actions():
        if not a.isSeparator() and a is not w.read_only_label_action:
            assert not a.icon().isNull(), a.text()
            assert a.icon().pixmap(16, 16).toImage().pixelColor(8, 8).isValid()
    apply_button = w.toolbar.widgetForAction(w.act_apply)
    assert isinstance(apply_button, QToolButton) and apply_button.objectName() == "primary"
    assert "palette(highlight)" in apply_button.styleSheet()
    # Icon-only buttons still have a name for screen readers and a tooltip.
    undo = w.toolbar.widgetForAction(w.act_undo)
    assert isinstance(undo, QToolButton) and undo.accessibleName() and w.act_undo.toolTip()


def test_help_menu(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory()
    w = lab.window
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Help")
    assert isinstance(menu, QMenu)
    assert [a.text() for a in menu.actions()] == ["User guide", "Keyboard shortcuts", "About hvgui"]

    w.act_guide.trigger()
    guide = w.dialogs["guide"]
    assert isinstance(guide, UserGuideDialog) and guide.isVisible() and not guide.isModal()
    text = guide.browser.toPlainText()
    assert "Using it" in text and "Hyper-V integration services" in text

    w.act_shortcuts.trigger()
    keys = w.dialogs["shortcuts"]
    assert isinstance(keys, ShortcutsDialog)
    rows = {keys.table.item(r, 1).text(): keys.table.item(r, 0).text() for r in range(keys.table.rowCount())}
    assert rows["Refresh"] == "F5" and rows["Find VM"] == "Ctrl+F" and rows["Problems only"] == "Alt+P"
    assert rows["Redo"] == "Ctrl+Y, Ctrl+Shift+Z" and "Ctrl+Z" in rows.values()
    assert any(k == "Space" for k in rows.values())
    assert rows["Apply, in the plan (Enter alone does not apply)"] == "Ctrl+Enter"

    w.act_about.trigger()
    about = w.dialogs["about"]
    assert isinstance(about, AboutDialog) and f"hvgui {hvgui.__version__}" in about.text.text()
    assert f"Audit log: {lab.audit_path}" in about.text.text()
    import importlib.metadata
    import platform

    import PySide6
    from PySide6.QtCore import qVersion
    for version in (f"Qt {qVersion()}", f"PySide6 {PySide6.__version__}",
                    f"pywinrm {importlib.metadata.version('pywinrm')}", f"Python {platform.python_version()}"):
        assert version in about.text.text()
    assert not about.logo.pixmap().isNull()
    for d in (guide, keys, about):
        d.close()
    qtbot.waitUntil(lambda: not w.dialogs)
