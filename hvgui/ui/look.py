"""Colours and small icons, painted once (no image files to ship or regenerate).

Two sets of colours, one for light and one for dark themes, chosen from the application's
palette (:func:`update_theme`, called again when the palette changes). Meaning never rests on
colour alone: each status has its own icon shape and its own word."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

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


def meaning_icon(meaning: Meaning) -> QIcon | None:
    """A shape per meaning (not colour alone): a ticked disc for working, a warning triangle for
    not answering, a diamond for degraded, a crossed disc for an error, a question mark for a VM
    that could not be read; nothing for off or no live status (their word says it)."""
    return _meaning_icon(meaning, _theme)


@cache
def _meaning_icon(meaning: Meaning, t: Theme) -> QIcon | None:
    if meaning in (Meaning.OFF, Meaning.NO_STATUS, Meaning.NOT_OFFERED):
        return None
    size = 14
    pm, p = _pixmap(size)
    fill = QColor(meaning_colour(meaning) if meaning is not Meaning.UNREADABLE else t.red)
    p.setPen(QPen(fill.darker(125), 1))
    p.setBrush(fill)
    glyph = QPen(QColor(t.glyph), 1.8)
    glyph.setCapStyle(Qt.PenCapStyle.RoundCap)
    glyph.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if meaning is Meaning.NOT_ANSWERING:
        path = QPainterPath()
        path.moveTo(7, 0.8)
        path.lineTo(13.4, 12.8)
        path.lineTo(0.6, 12.8)
        path.closeSubpath()
        p.drawPath(path)
        p.setPen(glyph)
        p.drawLine(QPointF(7, 4.6), QPointF(7, 8.2))
        p.drawPoint(QPointF(7, 10.6))
    elif meaning is Meaning.DEGRADED:
        path = QPainterPath()
        path.moveTo(7, 0.5)
        path.lineTo(13.5, 7)
        path.lineTo(7, 13.5)
        path.lineTo(0.5, 7)
        path.closeSubpath()
        p.drawPath(path)
        p.setPen(glyph)
        p.drawLine(QPointF(4.2, 7), QPointF(9.8, 7))
    else:
        p.drawEllipse(QRectF(0.8, 0.8, 12.4, 12.4))
        p.setPen(glyph)
        if meaning is Meaning.WORKING:
            p.drawPolyline([QPointF(4, 7.2), QPointF(6.2, 9.4), QPointF(10.2, 4.8)])
        elif meaning is Meaning.ERROR:
            p.drawLine(QPointF(4.6, 4.6), QPointF(9.4, 9.4))
            p.drawLine(QPointF(9.4, 4.6), QPointF(4.6, 9.4))
        else:  # unreadable: a question mark
            font = QFont()
            font.setBold(True)
            font.setPixelSize(10)
            p.setFont(font)
            p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "?")
    p.end()
    return QIcon(pm)


@cache
def host_icon(colour: str) -> QIcon:
    """A small server: a rounded box with a status light."""
    pm, p = _pixmap(16)
    p.setPen(QColor("#455a64"))
    p.setBrush(QColor("#eceff1"))
    p.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 2, 2)
    p.drawLine(4, 8, 9, 8)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(QRectF(10, 6, 4, 4))
    p.end()
    return QIcon(pm)


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
