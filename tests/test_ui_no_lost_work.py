"""No lost work: Esc clears the selection and never drops pending changes; *Revert all* asks
first when some changes are out of view; Ctrl+Z / Ctrl+Y undo and redo edits of the pending
changes; Enter in the plan dialog does not apply (a click or Ctrl+Enter does)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from hvgui.core import catalog
from hvgui.ui.models.service_grid import GridFilter

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI, HB, TS = catalog.GUEST_SERVICE_INTERFACE, catalog.HEARTBEAT, catalog.TIME_SYNC


@pytest.fixture
def lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory()


def test_esc_clears_the_selection_and_never_reverts(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    cells = [lab.cell("HV-A", "app1", GSI), lab.cell("HV-B", "web[1]", GSI)]
    ctl.set_target(cells, True)
    lab.select_cells(cells)
    assert w.grid.selectionModel().hasSelection()
    qtbot.keyClick(w.grid, Qt.Key.Key_Escape)
    assert not w.grid.selectionModel().hasSelection()
    qtbot.keyClick(w.grid, Qt.Key.Key_Escape)  # nothing selected: still nothing dropped
    assert ctl.state.pending == dict.fromkeys(cells, True)
    # In the filter box Esc clears the filter; in the tree, the tree's selection.
    w.focus_filter()
    qtbot.keyClicks(w.filter_edit, "app")
    qtbot.keyClick(w.filter_edit, Qt.Key.Key_Escape)
    assert w.filter_edit.text() == ""
    host_a = w.hosts_pane.index_of((lab.configs["HV-A"].key, ""))
    w.tree.setCurrentIndex(host_a)
    assert w.grid_model.rowCount() == 3
    w.tree.setFocus()
    qtbot.keyClick(w.tree, Qt.Key.Key_Escape)
    assert not w.tree.selectionModel().hasSelection() and w.grid_model.rowCount() == 5
    assert ctl.state.pending == dict.fromkeys(cells, True)
    assert not w.act_revert.shortcut().toString()  # no key drops everything


def test_revert_all_asks_first_when_changes_are_hidden(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    in_view = lab.cell("HV-A", "app1", GSI)
    hidden = [lab.cell("HV-B", "app1", GSI), lab.cell("HV-B", "web[1]", HB)]
    ctl.set_target([in_view, hidden[0]], True)
    ctl.set_target([hidden[1]], False)
    # Nothing hidden: no question.
    assert w.revert_all() is None and ctl.state.pending == {}
    ctl.undo()
    ctl.undo()
    ctl.undo()  # the revert, then the two edits: back to nothing; redo both edits
    ctl.redo()
    ctl.redo()
    assert len(ctl.state.pending) == 3
    # HV-B's changes are out of view (only HV-A is selected in the tree).
    w.hosts_pane.select([(lab.configs["HV-A"].key, "")])
    assert w.grid_model.rowCount() == 3
    box = w.revert_all()
    assert isinstance(box, QMessageBox) and box.isVisible()  # open(): no nested event loop
    assert "3 pending changes, of which 2 are not in view" in box.text()
    assert len(ctl.state.pending) == 3  # nothing reverted while it asks
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert box.defaultButton() is cancel
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert len(ctl.state.pending) == 3
    # "Revert the 1 in view" keeps the hidden ones.
    box = w.revert_all()
    assert box is not None
    only_view = next(b for b in box.buttons() if b.text() == "Revert the 1 in view")
    qtbot.mouseClick(only_view, Qt.MouseButton.LeftButton)
    assert set(ctl.state.pending) == set(hidden)
    # And "Revert all 2" drops them too.
    box = w.revert_all()
    assert box is not None
    everything = next(b for b in box.buttons() if b.text() == "Revert all 2")
    qtbot.mouseClick(everything, Qt.MouseButton.LeftButton)
    assert ctl.state.pending == {}
    # A filter hides changes just as the tree does.
    w.hosts_pane.select([])
    ctl.undo()
    w.grid_pane.filters.set_value(GridFilter(host=lab.configs["HV-A"].key))
    box = w.revert_all()
    assert box is not None and "of which 2 are not in view" in box.text()
    box.close()


def test_ctrl_z_and_ctrl_y_undo_and_redo_edits(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    a1, a2 = lab.cell("HV-A", "app1", GSI), lab.cell("HV-A", "app2", GSI)
    lab.select_cells([a1, a2])
    qtbot.keyClick(w.grid, Qt.Key.Key_Space)  # tick both
    assert ctl.state.pending == {a1: True, a2: True}
    assert w.act_undo.isEnabled() and w.act_undo.text() == "Undo Change Guest services on 2 VMs"
    lab.select_cells([a1])
    w.act_disable.trigger()  # back to the host's value: no longer pending
    assert ctl.state.pending == {a2: True}
    w.revert_all()  # everything in view: no question
    assert ctl.state.pending == {}
    qtbot.keyClick(w.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ctl.state.pending == {a2: True}  # the revert undone
    qtbot.keyClick(w.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ctl.state.pending == {a1: True, a2: True}
    qtbot.keyClick(w.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ctl.state.pending == {} and not w.act_undo.isEnabled()
    assert w.grid_model.cell_index(a1).data() == "Off"  # the grid follows
    qtbot.keyClick(w.grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert ctl.state.pending == {a1: True, a2: True}
    assert w.grid_model.cell_index(a1).data() == "Off → On"
    qtbot.keyClick(w.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    assert ctl.state.pending == {a2: True}  # Ctrl+Shift+Z redoes too
    # Once applied, the changes are the host's: nothing left to undo.
    lab.apply_through_plan()
    assert lab.sim_enabled(a2) and not w.act_undo.isEnabled() and not w.act_redo.isEnabled()


def test_enter_in_the_plan_does_not_apply_ctrl_enter_does(lab: Lab, qtbot: Any) -> None:
    w, ctl = lab.window, lab.controller
    cell = lab.cell("HV-B", "web[1]", GSI)
    ctl.set_target([cell], True)
    dlg = w.open_plan()
    assert dlg is not None
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    assert dlg.apply_button.text() == "Apply 1 change to 1 VM"
    applied: list[Any] = []
    ctl.applyFinished.connect(applied.append)
    for target in (dlg, dlg.changes, dlg.apply_button):
        target.setFocus()
        qtbot.keyClick(target, Qt.Key.Key_Return)
        qtbot.keyClick(target, Qt.Key.Key_Enter)
        assert dlg.isVisible() and not ctl.applying and not applied, target
    assert not dlg.apply_button.isDefault() and not dlg.apply_button.autoDefault()
    with qtbot.waitSignal(ctl.applyFinished, timeout=ui_helpers.LAB_TIMEOUT):
        qtbot.keyClick(dlg.changes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert lab.sim_enabled(cell)
