"""Read-only looks read-only: every change action is disabled, in the toolbar, the menus, the
grid's and the column header's menus, and says why in its tooltip; nothing reaches a host.
(Checkboxes drawn as indicators: test_ui_faults.py.)"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import ui_helpers
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from hvgui.core import catalog

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI = catalog.GUEST_SERVICE_INTERFACE
CHANGE_ACTIONS = ("act_apply", "act_retry", "act_revert", "act_undo", "act_redo", "act_enable", "act_disable",
                  "act_default", "act_revert_sel", "act_col_enable", "act_col_disable", "act_col_revert")
REASON = "Read-only mode: nothing can be changed"


def _menu(w: Any, title: str) -> QMenu:
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == title)
    assert isinstance(menu, QMenu)
    return menu


def test_every_change_action_is_disabled_and_says_why(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(read_only=True)
    w, ctl = lab.window, lab.controller
    for name in CHANGE_ACTIONS:
        a: QAction = getattr(w, name)
        assert not a.isEnabled(), name
        assert REASON in a.toolTip(), (name, a.toolTip())
    edit = _menu(w, "&Edit")
    assert edit.toolTipsVisible()  # so the reasons show in the menu too
    changing = [a for a in edit.actions() if not a.isSeparator()]
    assert changing and all(not a.isEnabled() for a in changing if a is not w.act_copy)
    assert w.act_copy.isEnabled() and w.act_export.isEnabled() and w.act_history.isEnabled()
    menu = w.column_menu(w.grid_model.service_column(GSI))
    assert menu is not None
    for a in menu.actions():
        assert not a.isEnabled() and REASON in a.toolTip()
    # Keys and clicks change nothing either.
    cell = lab.cell("HV-A", "app1", GSI)
    lab.select_cells([cell])
    qtbot.keyClick(w.grid, Qt.Key.Key_Space)
    qtbot.keyClick(w.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not w.grid_model.setData(w.grid_model.cell_index(cell), 2, Qt.ItemDataRole.CheckStateRole)
    assert not w.column_action("enable")
    assert ctl.state.pending == {} and lab.sim_enabled(cell) is False


def test_switching_read_only_on_drops_pending_changes_and_their_undo(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory()
    w, ctl = lab.window, lab.controller
    ctl.set_target([lab.cell("HV-A", "app1", GSI)], True)
    assert w.act_apply.isEnabled() and w.act_undo.isEnabled()
    w.act_read_only.trigger()
    assert ctl.read_only and ctl.state.pending == {}
    assert not w.act_undo.isEnabled() and ctl.history.undo_text is None
    assert "[read-only]" in w.windowTitle()
    w.act_read_only.trigger()
    assert not ctl.read_only and w.act_enable.isEnabled() and REASON not in w.act_enable.toolTip()
