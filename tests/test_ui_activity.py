"""Activity panel: routine refreshes collapse into one row per refresh round; applies keep a
row of their own; a filter (failures, changes, this host); the newest row follows unless the
user scrolled up; the panel folds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import ui_helpers
from PySide6.QtCore import QModelIndex, Qt

from hvgui.core import catalog

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI = catalog.GUEST_SERVICE_INTERFACE


def _rows(pane: Any, parent: QModelIndex | None = None) -> list[tuple[str, str, str]]:
    """(host, what, state) of the rows the panel shows under ``parent``."""
    proxy = pane.proxy
    parent = parent or QModelIndex()
    return [(proxy.index(r, 1, parent).data(), proxy.index(r, 2, parent).data(), proxy.index(r, 3, parent).data())
            for r in range(proxy.rowCount(parent))]


def test_refresh_rounds_collapse_and_the_filter(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory()
    w, pane = lab.window, lab.window.activity_pane
    pane.set_collapsed(False)
    lab.refresh()
    lab.refresh()
    model = w.activity_model
    assert model.rowCount() == 3  # three rounds of two reads each: three rows, not six
    # A round asked for while the hosts are being read already joins those reads: no empty row.
    first, second = lab.controller.refresh(), lab.controller.refresh()
    qtbot.waitUntil(lambda: first.done() and second.done(), timeout=ui_helpers.LAB_TIMEOUT)
    assert model.rowCount() == 4 and model.index(3, 1).data() == "2 hosts"
    for r in range(3):
        assert model.index(r, 1).data() == "2 hosts" and model.rowCount(model.index(r, 0)) == 2
    # An apply: a row of its own.
    lab.controller.set_target([lab.cell("HV-A", "app1", GSI)], True)
    lab.apply_through_plan()
    qtbot.waitUntil(lambda: model.rowCount() == 5 and model.index(4, 3).data() == "OK")
    assert model.index(4, 1).data() == "HV-A" and "apply" in model.operation(4).kind
    # A round with a failure says so in its own row.
    lab.hosts["HV-B"].faults.refuse_connections = True
    assert lab.endpoints[1].wait_listening(False)
    lab.refresh()
    qtbot.waitUntil(lambda: model.rowCount() == 6 and model.index(5, 3).data() == "1 failed")
    assert "HV-B" in model.index(5, 5).data()
    # The panel's heading counts them (redone once per turn of the event loop).
    ops = model.operations()
    failed = [o for o in ops if o.state == "failed"]
    assert len(failed) == 1
    qtbot.waitUntil(lambda: pane.summary.text().strip() == f"{len(ops)} operations, 1 failed")

    pane.filter.setCurrentIndex(pane.filter.findData("failures"))
    assert [r[2] for r in _rows(pane)] == ["1 failed"]
    assert _rows(pane, pane.proxy.index(0, 0)) == [("HV-B", "Read VMs and integration services", "Failed")]
    pane.filter.setCurrentIndex(pane.filter.findData("changes"))
    assert [(h, s) for h, _w, s in _rows(pane)] == [("HV-A", "OK")]
    lab.select_cells([lab.cell("HV-B", "web[1]", GSI)])  # the current host: HV-B
    pane.filter.setCurrentIndex(pane.filter.findData("host"))
    rounds = _rows(pane)
    assert len(rounds) == 5 and all(h == "2 hosts" for h, _w, _s in rounds)  # HV-A's apply is not there
    assert {h for h, _w, _s in _rows(pane, pane.proxy.index(0, 0))} == {"HV-B"}
    pane.filter.setCurrentIndex(0)
    assert pane.proxy.rowCount() == 6
    # Show script… on a round shows one of its reads; the apply's shows the apply script.
    view = pane.view
    view.setCurrentIndex(pane.proxy.index(4, 0))
    dlg = pane.show_current_operation()
    assert dlg is not None and "# hvgui-operation: apply v1" in dlg.text.toPlainText()
    dlg.close()


def test_the_newest_row_follows_unless_the_user_scrolled(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts={"HV-A": ["app1"]}, size=(1366, 700))
    pane = lab.window.activity_pane
    pane.set_collapsed(False)
    lab.window.layout_.vsplit.setSizes([500, 120])
    bar = pane.view.verticalScrollBar()
    while bar.maximum() < 3:
        lab.refresh()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    lab.refresh()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())  # followed
    bar.setValue(0)  # the user scrolls up to read
    lab.refresh()
    lab.refresh()
    assert bar.value() == 0 and bar.maximum() > 0  # left where the user is
    bar.setValue(bar.maximum())
    lab.refresh()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())


def test_the_panel_folds(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory()
    w, pane = lab.window, lab.window.activity_pane
    pane.set_collapsed(False)
    assert pane.view.isVisible() and w.act_activity.isChecked()
    w.act_activity.trigger()
    assert pane.collapsed and pane.view.isHidden() and not w.act_activity.isChecked()
    assert pane.height() <= pane.header_height() + 2
    qtbot.mouseClick(pane.toggle, Qt.MouseButton.LeftButton)
    assert not pane.collapsed and pane.view.isVisible() and pane.height() > pane.header_height() + 40
