"""Faults stand out: each status has its own colour, icon and word (not colour alone), readable
in light and dark themes; selection never hides a pending change; read-only cells are drawn as
indicators; the focused cell is always framed; every cell has an accessible name. Against
simulated hosts over real WinRM, whose guests are made to fail the ways real ones do."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from hvgui.core import catalog
from hvgui.ui import look
from hvgui.ui.meaning import Meaning
from hvgui.ui.models.roles import MARKER_ROLE, MEANING_ROLE

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

HB, KVP, TS, VSS, GSI = (catalog.HEARTBEAT, catalog.KVP, catalog.TIME_SYNC, catalog.VSS,
                         catalog.GUEST_SERVICE_INTERFACE)

FAULTS: dict[str, ui_helpers.HostSpec] = {
    "HV-EN": ["ok-vm",
              {"name": "nocontact", "guest": {"vmickvpexchange": "stopped"}},
              {"name": "hung", "guest": {"vmicheartbeat": "hung"}},
              {"name": "old", "guest": {"vmicvss": "old_protocol"}},
              {"name": "broken", "guest": {"vmictimesync": "incompatible"}},
              {"name": "stopped-vm", "state": "Off"}],
    "HV-DE": {"locale": "de-DE", "os": "2025",
              "vms": [{"name": "linux-nokvp", "guest_os": "Ubuntu 24.04 LTS", "guest": {"hv_kvp_daemon": "missing"}},
                      {"name": "linux-novss", "guest_os": "Ubuntu 24.04 LTS", "guest": {"hv_vss_daemon": "stopped"}}]},
}

#: cell -> (meaning, the word the grid shows)
EXPECTED = {
    ("HV-EN", "ok-vm", HB): (Meaning.WORKING, "OK"),
    ("HV-EN", "nocontact", KVP): (Meaning.NOT_ANSWERING, "No Contact"),
    ("HV-EN", "hung", HB): (Meaning.NOT_ANSWERING, "Lost Communication"),
    ("HV-EN", "old", VSS): (Meaning.DEGRADED, "Degraded"),
    ("HV-EN", "broken", TS): (Meaning.ERROR, "Error"),
    ("HV-EN", "ok-vm", GSI): (Meaning.OFF, "Off"),  # disabled on the host: "Off", not the guest's "OK"
    ("HV-EN", "stopped-vm", HB): (Meaning.NO_STATUS, "—"),
    ("HV-DE", "linux-nokvp", KVP): (Meaning.NOT_ANSWERING, "No Contact"),  # not "Kein Kontakt"
}


@pytest.fixture
def faults(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(hosts=FAULTS)


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[QPalette]:
    before = QPalette(qapp.palette())
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202020"), (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#2a2a2a"), (QPalette.ColorRole.Text, "#f0f0f0"),
                         (QPalette.ColorRole.WindowText, "#f0f0f0"), (QPalette.ColorRole.Button, "#2d2d2d"),
                         (QPalette.ColorRole.ButtonText, "#f0f0f0"), (QPalette.ColorRole.Highlight, "#2f65ca"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff")):
        dark.setColor(role, QColor(colour))
    yield dark
    qapp.setPalette(before)
    look.update_theme(before)


def _index(lab: Lab, host: str, vm: str, guid: str) -> QModelIndex:
    idx = lab.window.grid_model.cell_index(lab.cell(host, vm, guid))
    assert idx.isValid()
    return idx


def _icon_key(idx: QModelIndex) -> int | None:
    icon = idx.data(Qt.ItemDataRole.DecorationRole)
    return None if icon is None else icon.cacheKey()


def test_each_status_has_its_meaning_colour_icon_and_word(faults: Lab) -> None:
    grid = faults.window.grid
    bases = [grid.palette().color(QPalette.ColorRole.Base), grid.palette().color(QPalette.ColorRole.AlternateBase)]
    icons: dict[Meaning, int | None] = {}
    for (host, vm, guid), (meaning, word) in EXPECTED.items():
        idx = _index(faults, host, vm, guid)
        assert Meaning(idx.data(MEANING_ROLE)) is meaning, (vm, guid)
        assert idx.data() == word, (vm, guid)
        fg = idx.data(Qt.ItemDataRole.ForegroundRole)
        assert fg.name() == look.meaning_colour(meaning)
        for base in bases:  # readable: WCAG AA for text
            assert look.contrast(fg, base) >= 4.5, (meaning, fg.name(), base.name())
        icons[meaning] = _icon_key(idx)
    # Not by colour alone: each problem has its own shape; off and no-status have none, and their
    # word says it.
    problems = [icons[m] for m in (Meaning.WORKING, Meaning.NOT_ANSWERING, Meaning.DEGRADED, Meaning.ERROR)]
    assert None not in problems and len(set(problems)) == 4
    assert icons[Meaning.OFF] is None and icons[Meaning.NO_STATUS] is None
    # Enabled but not answering stands apart from disabled on the host (they were both grey).
    assert look.meaning_colour(Meaning.NOT_ANSWERING) != look.meaning_colour(Meaning.OFF)


def test_the_host_own_words_are_in_the_tooltip_only(faults: Lab) -> None:
    idx = _index(faults, "HV-DE", "linux-nokvp", KVP)
    assert idx.data() == "No Contact"
    tip = ui_helpers.shown(idx.data(Qt.ItemDataRole.ToolTipRole))
    assert tip.startswith("Data Exchange — linux-nokvp\nEnabled, but not answering: No Contact\n")
    assert "Host says: Austausch von Schlüsselwertepaaren · Kein Kontakt" in tip
    assert "Kein Kontakt" not in tip.split("Host says:")[0]
    # What to check names the guest side. Without Data Exchange the host does not know the guest
    # OS: both sides are named.
    assert "check the daemon hv_kvp_daemon" in tip
    assert 'check the service vmickvpexchange ("Hyper-V Data Exchange Service")' in tip
    # A Linux guest the host knows (its Data Exchange answers): only the daemon.
    vss = ui_helpers.shown(_index(faults, "HV-DE", "linux-novss", VSS).data(Qt.ItemDataRole.ToolTipRole))
    assert "Linux guest: check the daemon hv_vss_daemon (systemctl status hv-vss-daemon" in vss
    assert "vmicvss" not in vss and "Windows guest" not in vss
    # A Windows guest the host knows: only the Windows service, and what to do.
    win = ui_helpers.shown(_index(faults, "HV-EN", "hung", HB).data(Qt.ItemDataRole.ToolTipRole))
    assert 'Windows guest: check the service vmicheartbeat ("Hyper-V Heartbeat Service"): it has hung or ' \
           "stopped: restart it" in win
    assert "Linux" not in win


def test_dark_theme_has_its_own_readable_colours(faults: Lab, qapp: QApplication, dark_palette: QPalette,
                                                 qtbot: Any) -> None:
    idx = _index(faults, "HV-EN", "nocontact", KVP)
    light = idx.data(Qt.ItemDataRole.ForegroundRole).name()
    qapp.setPalette(dark_palette)
    qtbot.waitUntil(lambda: look.theme().dark)
    dark = idx.data(Qt.ItemDataRole.ForegroundRole).name()
    assert dark != light and dark == look.DARK.orange
    base = dark_palette.color(QPalette.ColorRole.Base)
    for (host, vm, guid), (meaning, _word) in EXPECTED.items():
        fg = _index(faults, host, vm, guid).data(Qt.ItemDataRole.ForegroundRole)
        assert look.contrast(fg, base) >= 4.5, meaning
    # Pending and apply tints keep the palette's (light) text readable on them.
    text = dark_palette.color(QPalette.ColorRole.Text)
    for tint in (look.DARK.bg_pending, look.DARK.bg_failed, look.DARK.bg_changed, look.DARK.bg_unknown):
        assert look.contrast(text, tint) >= 4.5


def _rect(lab: Lab, idx: QModelIndex) -> Any:
    return lab.window.grid.visualRect(idx)


def _pixel(image: Any, x: int, y: int) -> QColor:
    return QColor(image.pixel(x, y))


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def test_a_selected_pending_cell_keeps_its_tint_and_marker(faults: Lab, qtbot: Any) -> None:
    w = faults.window
    cell = faults.cell("HV-EN", "ok-vm", GSI)
    faults.controller.set_target([cell], True)
    idx = w.grid_model.cell_index(cell)
    tint = QColor(look.theme().bg_pending)
    marker = QColor(idx.data(MARKER_ROLE))
    faults.select_cells([cell])
    w.grid.selectionModel().setCurrentIndex(w.grid_model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    assert w.grid.selectionModel().isSelected(idx)
    image = w.grid.viewport().grab().toImage()
    r = _rect(faults, idx)
    highlight = w.grid.palette().color(QPalette.ColorRole.Highlight)
    inside = _pixel(image, r.right() - 6, r.center().y())  # right of the text, left of the frame
    assert _distance(inside, tint) < _distance(inside, highlight), inside.name()
    assert _distance(_pixel(image, r.left() + 1, r.top() + 1), marker) < 60  # the corner marker
    # The selection still shows: a frame in the highlight colour.
    assert _distance(_pixel(image, r.left() + 1, r.center().y()), highlight) < 60


class _Recording(QProxyStyle):
    def __init__(self) -> None:
        super().__init__()
        self.checkboxes = 0

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        if element is QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck:
            self.checkboxes += 1
        super().drawPrimitive(element, option, painter, widget)


def test_read_only_draws_indicators_not_checkboxes(lab_factory: Callable[..., Lab]) -> None:
    counts = {}
    for read_only in (False, True):
        lab = lab_factory(hosts={"HV-A": ["app1", "app2"]}, read_only=read_only)
        style = _Recording()
        lab.window.grid.setStyle(style)
        lab.window.grid.viewport().grab()
        counts[read_only] = style.checkboxes
        idx = lab.window.grid_model.cell_index(lab.cell("HV-A", "app1", HB))
        # The state is still there for a screen reader (checked), but it is not a control.
        assert idx.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        assert bool(idx.flags() & Qt.ItemFlag.ItemIsUserCheckable) is not read_only
    # Each distinct look of a cell is drawn once (then copied): a few checkboxes, none read-only.
    assert counts[False] >= 2 and counts[True] == 0


def test_the_focused_cell_is_always_framed(faults: Lab, qtbot: Any) -> None:
    w = faults.window
    idx = _index(faults, "HV-EN", "ok-vm", TS)
    w.grid.selectionModel().clearSelection()
    w.grid.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
    text = w.grid.palette().color(QPalette.ColorRole.Text)

    def framed() -> float:
        image = w.grid.viewport().grab().toImage()
        r = _rect(faults, idx)
        y = r.top() + 1
        dark = sum(1 for x in range(r.left() + 2, r.right() - 2) if _distance(_pixel(image, x, y), text) < 120)
        return dark / max(1, r.width() - 4)

    w.tree.setFocus()
    qtbot.waitUntil(lambda: not w.grid.hasFocus())
    assert framed() < 0.1
    w.grid.setFocus()
    qtbot.waitUntil(w.grid.hasFocus)
    assert framed() > 0.3  # a dashed frame: about half of the edge


def test_every_cell_has_an_accessible_name(faults: Lab) -> None:
    w, ctl = faults.window, faults.controller
    cell = faults.cell("HV-EN", "nocontact", TS)
    ctl.set_target([cell], False)
    idx = w.grid_model.cell_index(cell)
    assert idx.data(Qt.ItemDataRole.AccessibleTextRole) == \
        "nocontact, Time synchronization, enabled, OK, pending: disable"
    assert _index(faults, "HV-EN", "nocontact", KVP).data(Qt.ItemDataRole.AccessibleTextRole) == \
        "nocontact, Data Exchange, enabled, No Contact"
    assert _index(faults, "HV-EN", "ok-vm", GSI).data(Qt.ItemDataRole.AccessibleTextRole) == \
        "ok-vm, Guest services, disabled"
    assert _index(faults, "HV-EN", "stopped-vm", HB).data(Qt.ItemDataRole.AccessibleTextRole) == \
        "stopped-vm, Heartbeat, enabled, no live status"
    model = w.grid_model
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            assert model.index(r, c).data(Qt.ItemDataRole.AccessibleTextRole), (r, c)
    for c in range(model.columnCount()):
        assert model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.AccessibleTextRole)
    tree = w.tree_model
    for h in range(tree.rowCount()):
        host = tree.index(h, 0)
        assert tree.data(host, Qt.ItemDataRole.AccessibleTextRole)
        for v in range(tree.rowCount(host)):
            assert tree.data(tree.index(v, 0, host), Qt.ItemDataRole.AccessibleTextRole)
