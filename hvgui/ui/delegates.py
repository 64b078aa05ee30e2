"""How cells of the item views are drawn, where Qt's default drawing hides something:

- the focused cell always has a visible frame (not only after a Tab, as some styles do);
- a selected cell with a pending change or an apply's outcome keeps its tint and its corner
  marker (the selection is drawn as a frame over it, not as a fill that hides it);
- a cell about which something needs attention beyond its own state (updates blocked by a
  disabled Data Exchange) has a badge in its top-right corner;
- a checkbox that cannot be ticked (read-only mode, a cell being applied or of unknown outcome)
  is drawn as an indicator, a plain tick, not as a control that invites a click.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

Index = QModelIndex | QPersistentModelIndex
_SELECTED = QStyle.StateFlag.State_Selected
_FOCUS = QStyle.StateFlag.State_HasFocus
_HAS_CHECK = QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_CHECKED = Qt.CheckState.Checked
# Flags as ints in the paint path (here and in the grid's paint loop): PySide's flags are Python
# enums, and each ``&`` or ``|`` on them builds a new one (a dozen per cell, thousands per repaint).
_StateFlag = QStyle.StateFlag
_Feature = QStyleOptionViewItem.ViewItemFeature
FOCUS_V = _FOCUS.value
SELECTED_V = _SELECTED.value
ENABLED_V = QStyle.StateFlag.State_Enabled.value
_OPEN_V = QStyle.StateFlag.State_Open.value
_HAS_CHECK_V = _HAS_CHECK.value
_HAS_DECORATION_V = _HAS_DECORATION.value
_HAS_DISPLAY_V = _HAS_DISPLAY.value
ALTERNATE_V = QStyleOptionViewItem.ViewItemFeature.Alternate.value
MOUSE_OVER_V = QStyle.StateFlag.State_MouseOver.value
_LOOK_EVENTS = frozenset({QEvent.Type.PaletteChange, QEvent.Type.StyleChange, QEvent.Type.FontChange,
                          QEvent.Type.LayoutDirectionChange, QEvent.Type.LocaleChange})
"""Events of the view after which no kept pixmap of a cell is right any more (each would cost a
call per cell to put in the pixmap's key instead)."""
_PIXMAPS_KEPT = 3000
"""Looks of grid cells kept as pixmaps (a few screens' worth of different ones)."""


def _init_style_option(opt: QStyleOptionViewItem, index: Index, state: int, text: Any, icon: QIcon | None, fg: Any,
                       bg: Any, font: QFont | None, check: Qt.CheckState | None) -> None:
    """What ``QStyledItemDelegate.initStyleOption`` does with these roles, from values the model
    gave in one call instead of one ``index.data`` per role (``state``: the option's, as an int)."""
    opt.index = QModelIndex(index)
    opt.styleObject = None
    features = opt.features.value
    if font is not None:
        opt.font = font.resolve(opt.font)
        opt.fontMetrics = QFontMetrics(opt.font)
    if fg is not None:
        palette = QPalette(opt.palette)
        palette.setBrush(QPalette.ColorRole.Text, QBrush(fg))
        opt.palette = palette
    if check is not None:
        features |= _HAS_CHECK_V
        opt.checkState = check
    if icon is not None:
        features |= _HAS_DECORATION_V
        opt.icon = icon
        mode = (QIcon.Mode.Disabled if not state & ENABLED_V else
                QIcon.Mode.Selected if state & SELECTED_V else QIcon.Mode.Normal)
        actual = icon.actualSize(opt.decorationSize, mode, QIcon.State.On if state & _OPEN_V else QIcon.State.Off)
        opt.decorationSize = actual.boundedTo(opt.decorationSize)
    if text is not None:
        features |= _HAS_DISPLAY_V
        opt.text = str(text)
    if bg is not None:
        opt.backgroundBrush = QBrush(bg)
    opt.features = _Feature(features)


def draw_focus_frame(painter: QPainter, rect: QRect, palette: QPalette) -> None:
    pen = QPen(palette.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine)
    painter.save()
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(1, 1, -2, -2))
    painter.restore()


class FocusDelegate(QStyledItemDelegate):
    """Draws the focused cell's frame whatever the style (focus is always visible)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not option.state & _FOCUS:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        opt.state &= ~_FOCUS
        super().paint(painter, opt, index)
        draw_focus_frame(painter, option.rect, option.palette)


class CellDelegate(FocusDelegate):
    """The grid's cells (see the module's docstring)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pixmaps: dict[tuple[Any, ...], QPixmap] = {}
        if parent is not None:  # the view: its palette, style or font changing changes every look
            parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _LOOK_EVENTS:
            self._pixmaps.clear()
        return False

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        paint_data = getattr(index.model(), "paint_data", None)
        if paint_data is None:  # not the grid's model: Qt's drawing, with the focus frame
            super().paint(painter, option, index)
            return
        rect: QRect = option.rect
        pixmap = self.look(paint_data(index.row(), index.column()), rect.width(), rect.height(), option.state.value,
                           option.features.value, painter.device().devicePixelRatioF(), lambda: (option, index))
        painter.drawPixmap(rect.topLeft(), pixmap)

    def look(self, data: tuple[Any, ...], width: int, height: int, state: int, features: int, dpr: float,
             cell: Callable[[], tuple[QStyleOptionViewItem, Index]]) -> QPixmap:
        """The pixmap of a cell that shows ``data`` (the model's ``paint_data``) at that size, in
        that state (``cell`` gives its whole style option and index, asked only to draw it anew).
        Most cells look like many others ("OK", ticked, green): each look is drawn once and copied
        after that (drawing a cell through the style cost ~100 us)."""
        text, icon, fg, bg, font, check, marker, badge, checkable = data
        key = (text, icon.cacheKey() if icon is not None else 0, fg.rgba() if fg is not None else None,
               bg.rgba() if bg is not None else None, font.key() if font is not None else None,
               check.value if check is not None else None, marker, badge, checkable, width, height, state, features,
               dpr)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            if len(self._pixmaps) >= _PIXMAPS_KEPT:
                self._pixmaps.clear()
            pixmap = self._pixmaps[key] = self._render(*cell(), data, dpr)
        return pixmap

    def _render(self, option: QStyleOptionViewItem, index: Index, data: tuple[Any, ...], dpr: float) -> QPixmap:
        size = option.rect.size()
        pixmap = QPixmap(size * dpr)
        pixmap.setDevicePixelRatio(dpr)
        # The view's own background under it, as when drawn in place (text keeps its antialiasing).
        alternate = bool(option.features.value & ALTERNATE_V)
        pixmap.fill(option.palette.color(QPalette.ColorRole.AlternateBase if alternate else QPalette.ColorRole.Base))
        painter = QPainter(pixmap)
        try:
            opt = QStyleOptionViewItem(option)
            opt.rect = QRect(QPoint(0, 0), size)
            self._draw(painter, opt, index, data)
        finally:
            painter.end()
        return pixmap

    def _draw(self, painter: QPainter, option: QStyleOptionViewItem, index: Index, data: tuple[Any, ...]) -> None:
        text, icon, fg, bg, font, check, marker, badge, checkable = data
        opt = QStyleOptionViewItem(option)
        state = option.state.value
        _init_style_option(opt, index, state, text, icon, fg, bg, font, check)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        rect: QRect = opt.rect
        focus = bool(state & FOCUS_V)
        selected_tinted = marker is not None and bool(state & SELECTED_V)
        if focus or selected_tinted:
            opt.state = _StateFlag(state & ~(FOCUS_V | SELECTED_V) if selected_tinted else state & ~FOCUS_V)
        if check is not None and not checkable:  # an indicator, not a control
            check_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, widget)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
            opt.features &= ~_HAS_CHECK
            opt.rect = rect.adjusted(check_rect.right() - rect.left() + 1, 0, 0, 0)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
            if check == _CHECKED:
                self._draw_tick(painter, check_rect, opt.palette, bool(state & SELECTED_V) and not selected_tinted)
        else:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if selected_tinted:
            self._draw_selection(painter, rect, option.palette)
        if marker is not None:  # over the selection's frame: selection never hides it
            self._draw_marker(painter, rect, QColor(marker))
        if badge is not None:
            self._draw_badge(painter, rect, QColor(badge))
        if focus:
            draw_focus_frame(painter, rect, option.palette)

    @staticmethod
    def _draw_tick(painter: QPainter, r: QRect, palette: QPalette, selected: bool) -> None:
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(palette.color(role), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        c = QPointF(r.center())
        painter.drawPolyline([c + QPointF(-4, 0), c + QPointF(-1.2, 3), c + QPointF(4, -3.5)])
        painter.restore()

    @staticmethod
    def _draw_marker(painter: QPainter, r: QRect, colour: QColor) -> None:
        size = 7
        path = QPainterPath()
        path.moveTo(r.left(), r.top())
        path.lineTo(r.left() + size, r.top())
        path.lineTo(r.left(), r.top() + size)
        path.closeSubpath()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, colour)
        painter.restore()

    @staticmethod
    def _draw_badge(painter: QPainter, r: QRect, colour: QColor) -> None:
        """A triangle in the top-right corner (the top-left one is the pending marker's)."""
        size = 9
        path = QPainterPath()
        path.moveTo(r.right() + 1, r.top())
        path.lineTo(r.right() + 1 - size, r.top())
        path.lineTo(r.right() + 1, r.top() + size)
        path.closeSubpath()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, colour)
        painter.restore()

    @staticmethod
    def _draw_selection(painter: QPainter, r: QRect, palette: QPalette) -> None:
        highlight = palette.color(QPalette.ColorRole.Highlight)
        veil = QColor(highlight)
        veil.setAlpha(40)
        painter.save()
        painter.fillRect(r, veil)
        painter.setPen(QPen(highlight, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(r.adjusted(1, 1, -1, -1))
        painter.restore()
