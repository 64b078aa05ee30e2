"""The grid repaints what changed on screen, nothing else: a host's result for rows the user
cannot see costs no painting (an apply of 1,000 changes on 20 hosts repainted every visible cell
once per host before). Real window, simulated hosts over WinRM."""

from __future__ import annotations

import asyncio
from typing import Any

import ui_helpers
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QHoverEvent, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from hvgui.core import catalog
from hvgui.ui import look
from hvgui.ui.models.service_grid import PAINT_ROLES

lab_factory = ui_helpers.lab_factory
qloop = ui_helpers.qloop
Lab = ui_helpers.Lab

KVP = catalog.KVP


class PaintLog(QObject):
    """The regions the grid's viewport paints from now on (what was due is painted first)."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        QApplication.sendPostedEvents(viewport)
        viewport.repaint()
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())  # type: ignore[attr-defined]

        return False


def _lab(lab_factory: Any, qtbot: Any) -> Lab:
    # Sorted by host then name: HV-A's VMs fill the screen, HV-B's are below it.
    lab = lab_factory(hosts={"HV-A": [f"a{i:02d}" for i in range(30)], "HV-B": [f"b{i:02d}" for i in range(30)]},
                      size=(1366, 768))
    # Settled: the grid's notes (rebuilt 50 ms after a read) no longer say it is empty.
    qtbot.waitUntil(lambda: not lab.window.grid_pane.empty.isVisible())
    return lab


def test_a_change_off_screen_paints_nothing_and_one_on_screen_paints_its_row(lab_factory: Any, qtbot: Any) -> None:
    lab = _lab(lab_factory, qtbot)
    w = lab.window
    grid, model = w.grid, w.grid_model
    assert grid.rowAt(grid.viewport().height() - 1) < model.row_of(lab.row("HV-B", "b00"))  # HV-B is off screen
    log = PaintLog(grid.viewport())

    # Another admin changes a VM the user cannot see: the grid learns it, nothing is painted.
    off = lab.cell("HV-B", "b05", KVP)
    assert model.cell_index(off).data() == "OK"
    lab.hosts["HV-B"].set_guest(off[1], "vmickvpexchange", "hung")
    lab.refresh()
    assert model.cell_index(off).data() == "Lost Communication"
    assert log.rects == []

    # The same on screen: only that row is painted.
    on = lab.cell("HV-A", "a03", KVP)
    lab.hosts["HV-A"].set_guest(on[1], "vmickvpexchange", "hung")
    lab.refresh()
    qtbot.waitUntil(lambda: bool(log.rects))  # painted at the next event loop turn
    row = grid.visualRect(model.cell_index(on))
    assert all(r.top() >= row.top() - 2 and r.bottom() <= row.bottom() + 2 for r in log.rects), (log.rects, row)


def test_applying_changes_off_screen_does_not_repaint_the_visible_cells(lab_factory: Any, qtbot: Any) -> None:
    lab = _lab(lab_factory, qtbot)
    w = lab.window
    grid, model = w.grid, w.grid_model
    cells = [lab.cell("HV-B", f"b{i:02d}", catalog.GUEST_SERVICE_INTERFACE) for i in range(0, 30, 3)]
    where = grid.viewport().mapTo(w, QPoint(0, 0)), grid.viewport().size()
    assert not w.act_apply.isEnabled()
    lab.controller.set_target(cells, True)  # as Enable on a selection of HV-B's cells would
    assert len(lab.controller.state.pending) == len(cells)
    # Apply, now enabled, stands out without growing: the grid did not move (nor will it when
    # the apply disables it).
    qtbot.waitUntil(w.act_apply.isEnabled)
    QApplication.sendPostedEvents()  # the toolbar's layout
    assert (grid.viewport().mapTo(w, QPoint(0, 0)), grid.viewport().size()) == where
    plan = lab.controller.plan()  # what the plan dialog confirms (the dialog would repaint the window)
    log = PaintLog(grid.viewport())
    with qtbot.waitSignal(lab.controller.applyFinished, timeout=ui_helpers.LAB_TIMEOUT) as done:
        task = asyncio.ensure_future(lab.controller.apply(plan))
    summary = done.args[0]
    qtbot.waitUntil(task.done)
    assert summary.text().startswith(f"{len(cells)} changed")
    assert all(lab.sim_enabled(c) for c in cells)
    # HV-B's rows went applying -> changed, and its toolbar, status and activity changed: the
    # visible grid (HV-A) was never repainted whole.
    full = grid.viewport().rect()
    assert not any(r.height() > full.height() // 2 for r in log.rects), log.rects
    assert model.cell_index(cells[0]).data() != "Applying…"


def _looks(model: Any, rows: range) -> list[tuple[Any, ...]]:
    """What each cell would be painted with: the model's kept answer, or asked role by role."""
    out = []
    for r in rows:
        for c in range(model.columnCount()):
            out.append(_comparable(model.paint_data(r, c)))
    return out


def _fresh(model: Any, rows: range) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        for c in range(model.columnCount()):
            idx = model.index(r, c)
            checkable = bool(model.flags(idx) & Qt.ItemFlag.ItemIsUserCheckable)
            out.append(_comparable((*(model.data(idx, role) for role in PAINT_ROLES), checkable)))
    return out


def _comparable(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.pixmap(16, 16).toImage() if isinstance(v, QIcon) else v for v in values)


def test_what_the_grid_paints_follows_every_kind_of_change(lab_factory: Any, qtbot: Any, qapp: Any) -> None:
    """The delegate paints from answers the model keeps per row: after each kind of change they
    must be what the model says now, for every cell on screen."""
    lab = _lab(lab_factory, qtbot)
    w = lab.window
    grid, model = w.grid, w.grid_model
    rows = range(grid.rowAt(0), grid.rowAt(grid.viewport().height() - 1) + 1)
    a = [lab.cell("HV-A", f"a{i:02d}", catalog.TIME_SYNC) for i in range(4)]

    def check(step: str) -> None:
        grid.viewport().repaint()  # paint (and keep) what the model says now...
        assert _looks(model, rows) == _fresh(model, rows), step  # ...which is what it says afresh

    check("first read")
    lab.controller.set_target(a, False)  # ticked
    check("pending")
    lab.hosts["HV-A"].set_guest(a[3][1], "vmictimesync", "hung")  # changed behind our back
    lab.refresh()
    check("refresh")
    with qtbot.waitSignal(lab.controller.applyFinished, timeout=ui_helpers.LAB_TIMEOUT):
        task = asyncio.ensure_future(lab.controller.apply(lab.controller.plan()))
    qtbot.waitUntil(task.done)
    check("applied")
    w.act_read_only.trigger()
    check("read-only")
    w.act_read_only.trigger()
    check("read-write")
    before = QPalette(qapp.palette())
    dark = QPalette(before)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    try:
        qapp.setPalette(dark)
        qtbot.waitUntil(lambda: look.theme().dark)
        check("dark theme")
    finally:
        qapp.setPalette(before)
        look.update_theme(before)


def test_cells_follow_a_new_palette_and_font(lab_factory: Any, qtbot: Any) -> None:
    """The delegate keeps a pixmap per look of a cell: a new palette (a dark theme) or font must
    not leave the old ones on screen."""
    lab = _lab(lab_factory, qtbot)
    grid, model = lab.window.grid, lab.window.grid_model
    index = model.index(0, 0)  # a VM name: the view's own background behind it
    spot = grid.visualRect(index).bottomRight() - QPoint(2, 2)

    def colour_at_the_cell() -> QColor:
        grid.viewport().repaint()
        return grid.viewport().grab().toImage().pixelColor(spot)

    before = colour_at_the_cell()
    palette = QPalette(grid.palette())
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        palette.setColor(role, QColor("#123456"))
    grid.setPalette(palette)
    after = colour_at_the_cell()
    assert after != before and after == QColor("#123456")

    font = grid.font()
    name = grid.visualRect(index).adjusted(2, 2, -2, -2)
    ink = grid.viewport().grab(name).toImage()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    grid.setFont(font)
    grid.viewport().repaint()
    assert grid.viewport().grab(name).toImage() != ink


def _both_ways(grid: Any) -> tuple[Any, Any]:
    """The viewport as the grid paints it, and as Qt's own loop (a delegate call per cell) does."""
    images = []
    for fast in (True, False):
        grid.fast_paint = fast
        grid.viewport().repaint()
        images.append(grid.viewport().grab().toImage())
    grid.fast_paint = True
    return images[0], images[1]


def test_the_grid_paints_what_qts_own_loop_paints_pixel_for_pixel(lab_factory: Any, qtbot: Any) -> None:
    """The grid draws its cells in one call (GridView.paintEvent): the same pixels as
    QTableView's loop, with a selection, the focused cell, pending changes, the alternate rows,
    a hovered cell, and scrolled both ways."""
    lab = _lab(lab_factory, qtbot)
    w = lab.window
    grid, model = w.grid, w.grid_model

    def same(why: str) -> None:
        fast, qt = _both_ways(grid)
        assert fast == qt, why

    same("as loaded")
    w.controller.toggle([lab.cell("HV-A", "a01", KVP), lab.cell("HV-A", "a02", catalog.VSS)])
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus)
    grid.setCurrentIndex(model.index(3, 4))
    grid.selectionModel().select(QItemSelection(model.index(2, 2), model.index(5, 6)),
                                 QItemSelectionModel.SelectionFlag.Select)
    same("pending changes, a selection and the focused cell")
    # Hover, drawn by styles that draw it (Windows'; here a style sheet).
    grid.setStyleSheet("QTableView::item:hover { background: #ff00ff; }")
    grid.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
    hovered = grid.visualRect(model.index(4, 1))
    spot = QPointF(hovered.center())
    QApplication.sendEvent(grid.viewport(), QHoverEvent(QEvent.Type.HoverEnter, spot, spot, QPointF(-1, -1)))
    QApplication.sendEvent(grid.viewport(), QHoverEvent(QEvent.Type.HoverMove, spot, spot, spot))
    fast, qt = _both_ways(grid)
    assert fast.pixelColor(hovered.topLeft() + QPoint(3, 3)) == QColor("#ff00ff")
    assert fast == qt, "a hovered cell"
    grid.setStyleSheet("")
    grid.verticalScrollBar().setValue(grid.verticalScrollBar().maximum() // 2 + 1)
    grid.setColumnWidth(0, grid.viewport().width())  # wider than the view: it scrolls sideways
    grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum() // 2 + 3)
    same("scrolled down and sideways")
    grid.clearFocus()
    same("without focus")
