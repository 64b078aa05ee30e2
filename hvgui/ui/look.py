"""Colours and small icons, painted once (no image files to ship or regenerate)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from hvgui.core.model import StatusValue
from hvgui.core.status import OFF_STATES, RUNNING_STATES
from hvgui.core.status import OperationalStatus as S
from hvgui.ui.state import CellPhase, HostStatus

GREEN = "#2e7d32"
AMBER = "#b26a00"
RED = "#c62828"
GREY = "#757575"
BLUE = "#1565c0"

#: Cell backgrounds (light, so text stays readable).
BG_PENDING = "#ffe9a8"
BG_APPLYING = "#d6e6fb"
BG_CHANGED = "#dcf1dc"
BG_CONFLICT = "#ffd8b0"
BG_FAILED = "#f9d0d0"
BG_UNKNOWN = "#e4dcf4"

PHASE_BG = {
    CellPhase.APPLYING: BG_APPLYING,
    CellPhase.CHANGED: BG_CHANGED,
    CellPhase.UNCHANGED: BG_CHANGED,
    CellPhase.CONFLICT: BG_CONFLICT,
    CellPhase.FAILED: BG_FAILED,
    CellPhase.UNKNOWN: BG_UNKNOWN,
    CellPhase.NOT_APPLIED: BG_FAILED,
}


def status_colour(status: StatusValue | None) -> str:
    if status is None:
        return GREY
    k = status.known
    if k is S.Ok:
        return GREEN
    if k in (S.NoContact, S.Disabled, S.Paused):
        return GREY
    if k in (S.Degraded, S.LostCommunication, S.ProtocolMismatch, S.ApplicationCritical,
             S.CommunicationTimedOut):
        return AMBER
    return RED


def vm_state_colour(state: str) -> str:
    if state in RUNNING_STATES:
        return GREEN
    if state in OFF_STATES:
        return GREY
    if state in ("Saved", "Paused", "Saving", "Pausing", "Resuming", "Starting", "Stopping"):
        return AMBER if state in ("Saved", "Paused") else BLUE
    return RED if "Critical" in state else BLUE


def host_colour(status: HostStatus) -> str:
    return {HostStatus.CONNECTED: GREEN, HostStatus.FAILED: RED, HostStatus.CONNECTING: BLUE}[status]


@cache
def dot(colour: str, hollow: bool = False) -> QIcon:
    """A 12 px coloured disc: the status badge used in the tree and the grid."""
    size = 12
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(colour)
    p.setPen(c.darker(130))
    if hollow:
        p.setBrush(Qt.BrushStyle.NoBrush)
    else:
        p.setBrush(c)
    p.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))
    p.end()
    return QIcon(pm)


@cache
def host_icon(colour: str) -> QIcon:
    """A small server: a rounded box with a status light."""
    size = 16
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
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
def colour(name: str) -> QColor:
    return QColor(name)
