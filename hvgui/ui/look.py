"""Colours and small icons.

Two sets of colours, one for light and one for dark themes, chosen from the application's
palette (:func:`update_theme`, called again when the palette changes). Meaning never rests on
colour alone: each status, VM state and host state has its own icon shape and its own word.

The icons are SVG files in ``hvgui/ui/icons/`` (read with :mod:`importlib.resources`, so they
work from a wheel, a zip or a frozen build), drawn in the light theme's colours; for a dark
theme the same drawings are rendered with the dark theme's colours (:data:`DARK_SWAP`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from hvgui.core.model import StatusValue
from hvgui.core.status import OFF_STATES, RUNNING_STATES
from hvgui.ui.meaning import Meaning, status_meaning
from hvgui.ui.state import CellPhase, HostStatus

# Light-theme colours by name (dialogs use them in style sheets; dark themes have their own).
GREEN = "#2e7d32"
AMBER = "#8f5600"
ORANGE = "#bf360c"
RED = "#c62828"
GREY = "#666666"
BLUE = "#1565c0"
PURPLE = "#5e35b1"

#: Cell backgrounds of the light theme (light, so text stays readable).
BG_PENDING = "#ffe9a8"
BG_APPLYING = "#d6e6fb"
BG_CHANGED = "#dcf1dc"
BG_CONFLICT = "#ffd8b0"
BG_FAILED = "#f9d0d0"
BG_UNKNOWN = "#e4dcf4"


@dataclass(frozen=True, slots=True)
class Theme:
    dark: bool
    green: str
    amber: str
    orange: str
    red: str
    grey: str
    blue: str
    purple: str
    bg_pending: str
    bg_applying: str
    bg_changed: str
    bg_conflict: str
    bg_failed: str
    bg_unknown: str
    glyph: str
    """Colour of the sign drawn inside a status icon."""


LIGHT = Theme(False, GREEN, AMBER, ORANGE, RED, GREY, BLUE, PURPLE,
              BG_PENDING, BG_APPLYING, BG_CHANGED, BG_CONFLICT, BG_FAILED, BG_UNKNOWN, "#ffffff")
DARK = Theme(True, "#81c784", "#ffcc66", "#ff9e80", "#ff8a80", "#b0b0b0", "#90caf9", "#b39ddb",
             "#5c4700", "#1d3f66", "#1f4d22", "#663300", "#6b2020", "#3f3166", "#000000")

_theme = LIGHT


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def update_theme(palette: QPalette | None = None) -> Theme:
    """Choose the colours for the application's palette (or ``palette``); returns them."""
    global _theme
    if palette is None:
        palette = QGuiApplication.palette()
    _theme = DARK if is_dark(palette) else LIGHT
    return _theme


def theme() -> Theme:
    return _theme


# ------------------------------------------------------------------ what things mean, as colour

def meaning_colour(meaning: Meaning) -> str:
    t = _theme
    return {
        Meaning.WORKING: t.green,
        Meaning.NOT_ANSWERING: t.orange,
        Meaning.DEGRADED: t.amber,
        Meaning.ERROR: t.red,
        Meaning.UNREADABLE: t.red,
    }.get(meaning, t.grey)


def status_colour(status: StatusValue | None) -> str:
    return _theme.grey if status is None else meaning_colour(status_meaning(status))


def phase_background(phase: CellPhase | None, pending: bool) -> str | None:
    """The tint of a cell with a pending change or the outcome of the last apply."""
    t = _theme
    if phase is None:
        return t.bg_pending if pending else None
    return {
        CellPhase.APPLYING: t.bg_applying,
        CellPhase.CHANGED: t.bg_changed,
        CellPhase.UNCHANGED: t.bg_changed,
        CellPhase.CONFLICT: t.bg_conflict,
        CellPhase.FAILED: t.bg_failed,
        CellPhase.UNKNOWN: t.bg_unknown,
        CellPhase.NOT_APPLIED: t.bg_failed,
    }[phase]


def phase_marker(phase: CellPhase | None, pending: bool) -> str | None:
    """The corner marker's colour: pending, or the outcome of the last apply (drawn even when
    the cell is selected, so selection never hides state)."""
    t = _theme
    if phase is None:
        return t.amber if pending else None
    return {
        CellPhase.APPLYING: t.blue,
        CellPhase.CHANGED: t.green,
        CellPhase.UNCHANGED: t.green,
        CellPhase.CONFLICT: t.orange,
        CellPhase.FAILED: t.red,
        CellPhase.UNKNOWN: t.purple,
        CellPhase.NOT_APPLIED: t.red,
    }[phase]


def vm_state_colour(state: str) -> str:
    t = _theme
    if state in RUNNING_STATES:
        return t.green
    if state in OFF_STATES:
        return t.grey
    if state in ("Saved", "Paused"):
        return t.amber
    return t.red if "Critical" in state else t.blue


def host_colour(status: HostStatus) -> str:
    t = _theme
    return {HostStatus.CONNECTED: t.green, HostStatus.FAILED: t.red, HostStatus.CONNECTING: t.blue}[status]


# ------------------------------------------------------------------ icons

def _pixmap(size: int) -> tuple[QPixmap, QPainter]:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, p


@cache
def dot(colour: str, hollow: bool = False) -> QIcon:
    """A 12 px coloured disc: VM states in the tree and the grid, operations in the activity."""
    pm, p = _pixmap(12)
    c = QColor(colour)
    p.setPen(c.darker(130))
    if hollow:
        p.setBrush(Qt.BrushStyle.NoBrush)
    else:
        p.setBrush(c)
    p.drawEllipse(QRectF(1.5, 1.5, 9, 9))
    p.end()
    return QIcon(pm)


_MEANING_ICONS = {
    Meaning.WORKING: "status-working",
    Meaning.NOT_ANSWERING: "status-not-answering",
    Meaning.DEGRADED: "status-degraded",
    Meaning.ERROR: "status-error",
    Meaning.UNREADABLE: "status-unreadable",
}

#: Light-theme colours in the SVG files -> the dark theme's (fills, their outlines, the glyph).
DARK_SWAP = {
    GREEN: DARK.green, "#1b5e20": "#4c8c4f",
    ORANGE: DARK.orange, "#8c2709": "#c5735c",
    AMBER: DARK.amber, "#663d00": "#b38f47",
    RED: DARK.red, "#8e1c1c": "#c25f59",
    GREY: DARK.grey,
    BLUE: DARK.blue, "#0d47a1": "#5a8db8",
    "#ffffff": DARK.glyph,
}
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def svg_text(name: str, dark: bool = False) -> str:
    """``hvgui/ui/icons/<name>.svg``, in the dark theme's colours when ``dark``."""
    text = resources.files("hvgui.ui").joinpath("icons", f"{name}.svg").read_text(encoding="utf-8")
    if dark:
        text = _HEX.sub(lambda m: DARK_SWAP.get(m.group(0).lower(), m.group(0)), text)
    return text


@cache
def themed_icon(name: str, dark: bool) -> QIcon:
    """A status, VM state or host icon, rendered at the sizes views ask for (crisp at 2x too)."""
    renderer = QSvgRenderer(QByteArray(svg_text(name, dark).encode("utf-8")))
    result = QIcon()
    for size in (16, 24, 32, 48):
        pm, p = _pixmap(size)
        renderer.render(p, QRectF(0, 0, size, size))
        p.end()
        result.addPixmap(pm)
    return result


def meaning_icon(meaning: Meaning) -> QIcon | None:
    """A shape per meaning (not colour alone): a ticked disc for working, a warning triangle for
    not answering, a diamond for degraded, a crossed disc for an error, a question mark for a VM
    that could not be read; nothing for off or no live status (their word says it)."""
    name = _MEANING_ICONS.get(meaning)
    return None if name is None else themed_icon(name, _theme.dark)


def vm_state_icon_name(state: str) -> str:
    if "Critical" in state:
        return "vm-critical"
    if state in RUNNING_STATES:
        return "vm-running"
    if state in OFF_STATES:
        return "vm-off"
    if state == "Paused":
        return "vm-paused"
    return "vm-saved" if state == "Saved" else "vm-busy"


def vm_state_icon(state: str) -> QIcon:
    """A shape per VM state: play (running), stop (off), pause, saved, clock (starting,
    stopping, saving...), exclamation (critical)."""
    return themed_icon(vm_state_icon_name(state), _theme.dark)


def host_icon(status: HostStatus) -> QIcon:
    """A server with a badge: ticked (connected), crossed (failed), clock (connecting)."""
    name = {HostStatus.CONNECTED: "host-connected", HostStatus.FAILED: "host-failed",
            HostStatus.CONNECTING: "host-connecting"}[status]
    return themed_icon(name, _theme.dark)


@cache
def app_icon() -> QIcon:
    """The application's icon (window, taskbar, About)."""
    renderer = QSvgRenderer(QByteArray(svg_text("hvgui").encode("utf-8")))
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pm, p = _pixmap(size)
        renderer.render(p, QRectF(0, 0, size, size))
        p.end()
        result.addPixmap(pm)
    return result


@cache
def icon(name: str) -> QIcon:
    """A toolbar/menu icon from ``hvgui/ui/icons/<name>.svg`` (shipped with the package)."""
    source = resources.files("hvgui.ui").joinpath("icons", f"{name}.svg")
    if isinstance(source, Path):
        return QIcon(str(source))  # scalable: crisp at any size and pixel ratio
    pm = QPixmap()
    pm.loadFromData(source.read_bytes(), "SVG")
    return QIcon(pm)


@cache
def colour(name: str) -> QColor:
    return QColor(name)


def contrast(a: QColor | str, b: QColor | str) -> float:
    """WCAG contrast ratio of two colours (1 to 21; text wants 4.5 or more)."""
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    la, lb = luminance(QColor(a)), luminance(QColor(b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)
