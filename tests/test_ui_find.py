"""Find problems fast: sort by any column, "Problems only", filters by host, VM state,
integration services state and service status, the count of matching VMs, and an empty grid
that says why. Simulated hosts over real WinRM, the real window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import Qt

from hvgui.core import catalog
from hvgui.ui.meaning import Meaning
from hvgui.ui.models import ColKind
from hvgui.ui.models.service_grid import GridFilter, IsStateFilter, VmStateFilter

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

KVP, HB = catalog.KVP, catalog.HEARTBEAT

FLEET: dict[str, ui_helpers.HostSpec] = {
    "HV-NYC": [{"name": "web1", "is_version": "10.0.20348.1", "is_state": "Up to date"},
               {"name": "print", "guest": {"vmickvpexchange": "stopped"}, "is_version": "10.0.14393.0",
                "is_state": "Up to date"},
               {"name": "archive", "state": "Off"}],
    "HV-PARIS-01": {"locale": "fr-FR", "os": "2019",
                    "vms": [{"name": "compta", "is_version": "6.3.9600.16384", "is_state": "Update required"},
                            {"name": "accueil", "state": "Saved"},
                            {"name": "bad-vss", "guest": {"vmicvss": "incompatible"}}]},
}


@pytest.fixture
def lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(hosts=FLEET)


def _click_header(lab: Lab, ident: tuple[ColKind, str], qtbot: Any) -> None:
    header = lab.window.grid.horizontalHeader()
    col = lab.window.grid_model.column_of(ident)
    assert col >= 0
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.viewport().rect().center()
                     .__class__(x, header.height() // 2))


def test_sort_by_any_column_by_clicking_its_header(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    natural = lab.grid_names()
    assert natural == ["archive", "print", "web1", "accueil", "bad-vss", "compta"]  # hosts' order, then names
    # A service column, worst first: the VM whose Data Exchange is not answering comes first.
    _click_header(lab, (ColKind.SERVICE, KVP), qtbot)
    assert w.grid_model.sort_by == (ColKind.SERVICE, KVP)
    names = lab.grid_names()
    assert names[0] == "print"
    assert names.index("web1") < names.index("archive")  # working before no live status
    # VM name, both ways.
    _click_header(lab, (ColKind.VM, ""), qtbot)
    assert lab.grid_names() == sorted(natural)
    _click_header(lab, (ColKind.VM, ""), qtbot)
    assert lab.grid_names() == sorted(natural, reverse=True)
    # Host, state, integration services version.
    _click_header(lab, (ColKind.HOST, ""), qtbot)
    assert lab.grid_names()[:3] == ["archive", "print", "web1"]
    _click_header(lab, (ColKind.STATE, ""), qtbot)
    names = lab.grid_names()
    assert names.index("web1") < names.index("accueil") < names.index("archive")  # running, saved, off
    _click_header(lab, (ColKind.IS, ""), qtbot)
    assert lab.grid_names()[0] == "compta"  # "Update required" first
    # A third click on the same header: back to the hosts' order.
    _click_header(lab, (ColKind.IS, ""), qtbot)
    _click_header(lab, (ColKind.IS, ""), qtbot)
    assert w.grid_model.sort_by is None and lab.grid_names() == natural


def test_sorting_moves_rows_but_keeps_the_selection_and_survives_a_refresh(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    cell = lab.cell("HV-PARIS-01", "compta", HB)
    lab.select_cells([cell])
    resets: list[int] = []
    w.grid_model.modelReset.connect(lambda: resets.append(1))
    w.grid.sortByColumn(w.grid_model.column_of((ColKind.VM, "")), Qt.SortOrder.DescendingOrder)
    assert [w.grid_model.cell_key(i) for i in w.grid.selectionModel().selectedIndexes()] == [cell]
    assert w.grid_model.cell_key(w.grid.currentIndex()) == cell
    # A VM changes behind our back: still sorted, still selected, no reset.
    w.grid.sortByColumn(w.grid_model.column_of((ColKind.SERVICE, KVP)), Qt.SortOrder.AscendingOrder)
    lab.hosts["HV-NYC"].set_guest(lab.vm_id("HV-NYC", "web1"), "vmickvpexchange", "hung")
    lab.refresh()
    assert lab.grid_names()[:2] in (["print", "web1"], ["web1", "print"])
    assert [w.grid_model.cell_key(i) for i in w.grid.selectionModel().selectedIndexes()] == [cell]
    assert resets == []


def test_problems_only_and_each_filter_with_the_count(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    bar = w.grid_pane.filters
    qtbot.waitUntil(lambda: bar.count.text() == "6 VMs")
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Alt+P
    assert bar.problems.isChecked() and w.act_problems.isChecked()
    # Not answering, an incompatible guest component, an update required.
    assert sorted(lab.grid_names()) == ["bad-vss", "compta", "print"]
    qtbot.waitUntil(lambda: bar.count.text() == "3 of 6 VMs")
    bar.problems.setChecked(False)
    cases: list[tuple[GridFilter, list[str]]] = [
        (GridFilter(host=lab.configs["HV-NYC"].key), ["archive", "print", "web1"]),
        (GridFilter(vm_state=VmStateFilter.OFF), ["archive"]),
        (GridFilter(vm_state=VmStateFilter.SAVED_OR_PAUSED), ["accueil"]),
        (GridFilter(vm_state=VmStateFilter.RUNNING), ["bad-vss", "compta", "print", "web1"]),
        (GridFilter(is_state=IsStateFilter.UPDATE_REQUIRED), ["compta"]),
        (GridFilter(is_state=IsStateFilter.UP_TO_DATE), ["print", "web1"]),
        (GridFilter(status=Meaning.NOT_ANSWERING), ["print"]),
        (GridFilter(status=Meaning.ERROR), ["bad-vss"]),
        (GridFilter(status=Meaning.NO_STATUS), ["accueil", "archive"]),
        (GridFilter(problems_only=True, host=lab.configs["HV-PARIS-01"].key), ["bad-vss", "compta"]),
    ]
    for f, expected in cases:
        bar.set_value(f)  # through the combo boxes, as a click would
        assert bar.value() == f
        assert sorted(lab.grid_names()) == expected, f
        bar.show_count(w.grid_model.rowCount(), w.grid_model.in_scope)
        assert bar.count.text() == f"{len(expected)} of 6 VMs"
    # One host left in view: no Host column.
    bar.set_value(GridFilter(host=lab.configs["HV-NYC"].key))
    assert w.grid_model.columns[0].kind is ColKind.VM
    bar.reset()
    assert w.grid_model.columns[0].kind is ColKind.HOST and w.grid_model.rowCount() == 6


def test_problems_only_follows_the_hosts_answers(lab: Lab) -> None:
    w = lab.window
    w.grid_pane.filters.problems.setChecked(True)
    assert "web1" not in lab.grid_names()
    lab.hosts["HV-NYC"].set_guest(lab.vm_id("HV-NYC", "web1"), "vmicheartbeat", "hung")
    lab.refresh()
    assert "web1" in lab.grid_names()  # Lost Communication now: a problem
    lab.hosts["HV-NYC"].set_guest(lab.vm_id("HV-NYC", "print"), "vmickvpexchange", "running")
    lab.refresh()
    assert "print" not in lab.grid_names()


def test_an_empty_grid_says_why(lab: Lab, qtbot: Any) -> None:
    w = lab.window
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.filter_edit, "paris")
    assert w.grid_model.rowCount() == 0
    qtbot.waitUntil(w.grid_pane.empty.isVisible)
    text = w.grid_pane.empty.text()
    assert text.startswith("No VM matches 'paris' (of 6 VMs in scope).")
    assert "HV-PARIS-01 is a host: select it in the tree" in text
    w.filter_edit.clear()
    assert not w.grid_pane.empty.isVisible() and w.grid_model.rowCount() == 6
    w.grid_pane.filters.set_value(GridFilter(problems_only=True, vm_state=VmStateFilter.OFF))
    assert w.grid_pane.empty.text() == ("No VM has a problem and in the state Off (of 6 VMs in scope). "
                                        "Clear filters shows every VM in scope again.")
    assert not w.grid_pane.filters.clear.isHidden()
    w.grid_pane.filters.clear.click()
    assert w.grid_model.rowCount() == 6 and w.grid_pane.filters.clear.isHidden()
