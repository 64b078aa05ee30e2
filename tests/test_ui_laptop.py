"""Fits a laptop: at 1366x768 every service column and the version are visible without
scrolling sideways (compact headers that stay Hyper-V Manager's words, the details pane moved
below the grid, the activity panel folded); the window opens within the screen and remembers
its layout."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import test_i18n
import ui_helpers
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from hvgui.core import catalog
from hvgui.ui.main_window.grid_pane import fitted_widths
from hvgui.ui.main_window.layout import initial_geometry
from hvgui.ui.models import ColKind
from hvgui.ui.settings import Settings

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
french = test_i18n.french
Lab = ui_helpers.Lab

#: Long names, three hosts: what the demo fleet looks like.
FLEET: dict[str, ui_helpers.HostSpec] = {
    "HV-NYC-01": ["$(danger) `backtick` ;& |", "O'Brien's desktop", "web1"],
    "HV-PARIS-01": {"locale": "fr-FR", "os": "2019", "vms": ["Contrôleur de domaine", "Serveur d’impression"]},
    "HV-LEGACY-01": {"os": "2012R2", "vms": [{"name": "dc-2008r2", "guest_os": "Windows Server 2008 R2",
                                              "is_version": "6.3.9600.16384", "is_state": "Update required"}]},
}


def fully_visible(lab: Lab) -> list[str]:
    """The titles of the grid columns that are entirely in view."""
    grid = lab.window.grid
    width = grid.viewport().width()
    out = []
    for n, col in enumerate(lab.window.grid_model.columns):
        x = grid.columnViewportPosition(n)
        if x >= 0 and x + grid.columnWidth(n) <= width:
            out.append(col.title)
    return out


def test_every_service_column_and_the_version_fit_at_1366x768(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory(hosts=FLEET, size=(1366, 768))
    w = lab.window
    qtbot.waitUntil(lambda: w.grid.viewport().width() > 0)
    assert w.grid_model.columns[0].kind is ColKind.HOST  # three hosts in view: the worst case
    visible = fully_visible(lab)
    for title in ("Shutdown", "Time sync", "Data Exchange", "Heartbeat", "Backup", "Guest services", "Version"):
        assert title in visible, (title, visible)
    assert w.grid.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    # The details pane went below the grid (no room beside it), the activity panel folds.
    assert w.layout_.wide is False and w.details_pane.parent() is w.layout_.center
    assert w.details_pane.isVisible() and w.details_pane.height() >= 120
    w.activity_pane.set_collapsed(True)
    assert w.activity.isHidden() and w.activity_pane.height() <= w.activity_pane.header_height() + 2
    # Wide enough: the details go back beside the grid, every column still in view.
    w.resize(1920, 1080)
    qtbot.waitUntil(lambda: w.layout_.wide is True)
    assert w.details_pane.parent() is w.layout_.hsplit
    qtbot.waitUntil(lambda: w.grid.horizontalScrollBar().maximum() == 0)


def test_compact_headers_keep_hyper_v_managers_words(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(hosts={"HV-A": ["app1"]})
    model = lab.window.grid_model
    for s in catalog.SERVICES:
        col = model.service_column(s.guid)
        title = model.headerData(col, Qt.Orientation.Horizontal)
        tip = ui_helpers.shown(model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))
        # The compact title is the start of, or a word of, Hyper-V Manager's label, which the tooltip gives whole.
        assert title.split()[0].casefold() in s.label.casefold(), (title, s.label)
        assert tip.startswith(s.label)
    # One host in view: no Host column.
    assert model.columns[0].kind is ColKind.VM


def test_the_window_opens_within_the_screen(qapp: QApplication) -> None:
    for avail in (QRect(0, 0, 1366, 728), QRect(0, 0, 1280, 720), QRect(1920, 0, 1920, 1040),
                  QRect(0, 0, 3840, 2100)):
        rect, maximized = initial_geometry(avail)
        assert avail.contains(rect), (avail, rect)
        assert maximized is (avail.width() < 1816 or avail.height() < 1020)


def test_the_real_window_opens_within_the_available_geometry(lab_factory: Callable[..., Lab], qtbot: Any,
                                                              qapp: QApplication) -> None:
    from hvgui.ui.main_window import MainWindow

    lab = lab_factory(hosts={"HV-A": ["app1"]})
    w = MainWindow(lab.controller)  # as the app opens it: no size chosen by a test
    qtbot.addWidget(w)
    w.show()
    screen = w.screen()
    assert screen is not None
    qtbot.waitUntil(lambda: screen.availableGeometry().contains(w.frameGeometry()))
    w.close()


def test_the_layout_is_remembered(lab_factory: Callable[..., Lab], tmp_path: Path, qtbot: Any) -> None:
    path = tmp_path / "settings.json"
    lab = lab_factory(hosts={"HV-A": ["app1", "app2"]}, settings=Settings(), settings_path=path, size=(1366, 768))
    w = lab.window
    w.activity_pane.set_collapsed(True)
    w.layout_.center.setSizes([300, 250])
    w.layout_.hsplit.setSizes([260, 1100])
    w.close()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["activity_collapsed"] is True and saved["window_geometry"]
    assert {"center", "hsplit-narrow", "vsplit"} <= set(saved["layout"])

    again = lab_factory(hosts={"HV-A": ["app1", "app2"]}, settings=Settings.load(path), settings_path=path,
                        size=(1366, 768))
    w2 = again.window
    assert w2.activity_pane.collapsed
    qtbot.waitUntil(lambda: w2.layout_.hsplit.sizes()[0] == 260)
    top, bottom = w2.layout_.center.sizes()
    assert abs(top / (top + bottom) - 300 / 550) < 0.05


def test_beside_the_details_the_grid_keeps_every_column_when_the_host_column_comes(
        lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    # The window is placed before any host answered (no Host column yet); the column comes with
    # the second host's VMs, and the grid takes the width it needs from the details pane.
    lab = lab_factory(hosts=FLEET, size=(1920, 1080))
    w = lab.window
    qtbot.waitUntil(lambda: w.layout_.wide is True and w.grid_model.columns[0].kind is ColKind.HOST)
    qtbot.waitUntil(lambda: w.grid.horizontalScrollBar().maximum() == 0)
    assert len(fully_visible(lab)) == len(w.grid_model.columns)
    assert w.details_pane.width() >= 300


def test_the_filters_resting_words_are_read_whole_in_french(qapp: QApplication) -> None:
    """In French the filters' "Tout état de version" and "Tout statut de service" were cut to "Tout état
    de versio" and "Tout statut de serv" (compact combos sized for the English words)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from hvgui.ui import i18n
    from hvgui.ui.main_window.grid_filters import FilterBar

    assert i18n.install(qapp, "fr") == "fr"
    QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))
    try:
        bar = FilterBar()
        bar.resize(1366, 40)
        bar.show()
        combos = (bar.host, bar.vm_state, bar.is_state, bar.status)
        assert [c.currentText() for c in combos] == ["Tous les hôtes", "Tout état de VM", "Tout état de version",
                                                     "Tout statut de service"]
        for combo in combos:
            opt = QStyleOptionComboBox()
            combo.initStyleOption(opt)
            room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                                QStyle.SubControl.SC_ComboBoxEditField, combo)
            assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= room.width(), combo.currentText()
        # Still compact: the row fits a laptop's width with room for the count.
        assert bar.minimumSizeHint().width() <= 1366 - 250
        bar.deleteLater()
    finally:
        i18n.install(qapp, "en")
        QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))


def test_in_french_every_column_still_fits_at_1366x768(french: Any, lab_factory: Callable[..., Lab],
                                                       qtbot: Any) -> None:
    """French words are longer ("Échange de données", "En fonctionnement", "Pas de contact"):
    the state and service columns narrow, their headers go on two lines and long words are
    elided (the icon, colour and tooltip say them whole), rather than the grid scrolling sideways.
    A column the user sized by hand keeps its width."""
    lab = lab_factory(hosts=FLEET, size=(1366, 768))
    w = lab.window
    grid, model = w.grid, w.grid_model
    qtbot.waitUntil(lambda: model.rowCount() == 6 and model.columns[0].kind is ColKind.HOST)
    qtbot.waitUntil(lambda: grid.horizontalScrollBar().maximum() == 0)
    assert len(fully_visible(lab)) == len(model.columns), fully_visible(lab)
    data_exchange = next(n for n, c in enumerate(model.columns) if c.guid == catalog.KVP)
    header = model.headerData(data_exchange, Qt.Orientation.Horizontal)
    assert header.count("\n") == 1 and header.replace("\n", " ") == "Échange de données"
    assert model.columns[data_exchange].title == "Échange de données"  # menus and exports: one line
    # Wide enough again: natural widths, headers on one line.
    w.resize(1920, 1080)
    qtbot.waitUntil(lambda: "\n" not in model.headerData(data_exchange, Qt.Orientation.Horizontal))
    # Sized by hand: the view's width no longer moves it.
    grid.horizontalHeader().resizeSection(data_exchange, 200)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: grid.viewport().width() < 1300)
    assert grid.columnWidth(data_exchange) == 200


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(20, 300), st.integers(0, 200)), min_size=1, max_size=12),
       st.integers(0, 3000))
def test_fitted_widths_fit_when_they_can_and_never_go_below_a_floor(cols: list[tuple[int, int]], room: int) -> None:
    naturals = [n for n, _ in cols]
    floors = [min(n, f) for n, f in cols]
    widths = fitted_widths(naturals, floors, room)
    assert all(f <= w <= n for w, n, f in zip(widths, naturals, floors, strict=True))
    if sum(naturals) <= room:
        assert widths == naturals
    else:
        assert sum(widths) == max(room, sum(floors))
