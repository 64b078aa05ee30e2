"""Middle pane: the integration services grid (one row per VM in scope, one checkbox column
per service), and above it the banner of failed hosts, the panel of the selected failed hosts
and the filter bar; an empty grid says why it is empty."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QLine,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAccessible, QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.delegates import ALTERNATE_V, ENABLED_V, FOCUS_V, MOUSE_OVER_V, SELECTED_V, CellDelegate
from hvgui.ui.i18n import error_text, tr
from hvgui.ui.main_window.failed_hosts import Banner, HostProblemPanel
from hvgui.ui.main_window.grid_filters import FilterBar
from hvgui.ui.meaning import Meaning
from hvgui.ui.models import ColKind, Scope, ServiceGridModel
from hvgui.ui.models.service_grid import GridFilter, two_lines
from hvgui.ui.state import CellKey, HostStatus, RowKey

ROW_PADDING = 8
_HOVER_EVENTS = frozenset({QEvent.Type.HoverEnter, QEvent.Type.HoverMove, QEvent.Type.HoverLeave})


class GridView(QTableView):
    """The grid; Space toggles every selected checkbox at once (not only the current one), Esc
    clears the selection (it never drops pending changes)."""

    spacePressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fast_paint = True
        """Paint the cells in :meth:`paintEvent` (False: Qt's own loop, a delegate call per cell)."""
        self._hover: tuple[int, int] | None = None
        self.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The hovered cell, as the view tracks it for styles that draw hover (Windows').
        kind = event.type()
        if watched is self.viewport() and kind in _HOVER_EVENTS:
            index = self.indexAt(event.position().toPoint()) if kind != QEvent.Type.HoverLeave \
                else QModelIndex()  # type: ignore[attr-defined]
            self._hover = (index.row(), index.column()) if index.isValid() else None
        return super().eventFilter(watched, event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """What ``QTableView::paintEvent`` draws, pixel for pixel, in one Python call instead of a
        call to the delegate per cell: each visible cell's look comes from the delegate's kept
        pixmaps, so a repaint of a 1920x1080 grid (~360 cells) costs a copy per cell, not a
        crossing from C++ to Python with a style option, a painter and an index each (and a
        ``flags()``). Right-to-left layouts keep Qt's loop."""
        delegate = self.itemDelegate()
        model = self.model()
        paint_data = getattr(model, "paint_data", None)
        header, rows = self.horizontalHeader(), self.verticalHeader()
        if (not self.fast_paint or paint_data is None or not isinstance(delegate, CellDelegate)
                or self.isRightToLeft() or header.count() == 0 or rows.count() == 0):
            super().paintEvent(event)
            return
        base = QStyleOptionViewItem()
        self.initViewItemOption(base)
        base_state = base.state.value
        enabled = bool(base_state & ENABLED_V)
        features = base.features.value & ~ALTERNATE_V
        alternate = self.alternatingRowColors()
        show_grid = self.showGrid()
        grid = 1 if show_grid else 0
        viewport = self.viewport()
        dpr = viewport.devicePixelRatioF()
        x_end = header.length() - header.offset() - 1
        y_end = rows.length() - rows.offset() - 1
        first_row = max(self.rowAt(0), 0)
        last_row = self.rowAt(viewport.height() - 1)
        last_row = model.rowCount() - 1 if last_row < 0 else last_row
        selection = [(r.top(), r.bottom(), r.left(), r.right()) for r in self.selectionModel().selection()
                     if r.bottom() >= first_row and r.top() <= last_row]  # the ranges on screen
        current = self.currentIndex()
        focused = (current.row(), current.column()) if (
            current.isValid() and (self.hasFocus() or viewport.hasFocus())) else None
        hover = self._hover

        def cell(row: int, col: int, rect: QRect, state: int, feats: int) -> tuple[QStyleOptionViewItem, QModelIndex]:
            # What drawCell gives the delegate (only for a look not kept yet).
            opt = QStyleOptionViewItem(base)
            opt.rect = rect
            opt.state = QStyle.StateFlag(state)
            opt.features = QStyleOptionViewItem.ViewItemFeature(feats)
            if enabled:
                opt.palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
            return opt, model.index(row, col)

        painter = QPainter(viewport)
        drawn: set[tuple[int, int]] = set()
        lines: list[QLine] = []
        for dirty in event.region():
            dirty.setBottom(min(dirty.bottom(), y_end))
            dirty.setRight(min(dirty.right(), x_end))
            if not dirty.isValid():
                continue
            left, right = header.visualIndexAt(dirty.left()), header.visualIndexAt(dirty.right())
            left = 0 if left < 0 else left
            right = header.count() - 1 if right < 0 else right
            top, bottom = rows.visualIndexAt(dirty.top()), rows.visualIndexAt(dirty.bottom())
            bottom = rows.count() - 1 if bottom < 0 else bottom
            if top < 0 or top > bottom:
                continue
            columns = [(c, self.columnViewportPosition(c), self.columnWidth(c) - grid)
                       for c in (header.logicalIndex(v) for v in range(left, right + 1))
                       if not header.isSectionHidden(c)]
            shown_rows = [(r, self.rowViewportPosition(r), self.rowHeight(r) - grid)
                          for r in (rows.logicalIndex(v) for v in range(top, bottom + 1))
                          if not rows.isSectionHidden(r)]
            odd = bool(top & 1) and alternate
            for row, y, h in shown_rows:
                row_features = features | ALTERNATE_V if odd else features
                for col, x, w in columns:
                    if (row, col) in drawn:
                        continue
                    drawn.add((row, col))
                    state = base_state
                    if any(t <= row <= b and lft <= col <= rgt for t, b, lft, rgt in selection):
                        state |= SELECTED_V
                    if hover == (row, col):
                        state |= MOUSE_OVER_V
                    if focused == (row, col):
                        state |= FOCUS_V
                    pixmap = delegate.look(
                        paint_data(row, col), w, h, state, row_features, dpr,
                        lambda r=row, c=col, x=x, y=y, w=w, h=h, s=state, f=row_features:  # type: ignore[misc]
                            cell(r, c, QRect(x, y, w, h), s, f))
                    painter.drawPixmap(x, y, pixmap)
                odd = not odd and alternate
            if show_grid:
                for _row, y, h in shown_rows:
                    lines.append(QLine(dirty.left(), y + h, dirty.right(), y + h))
                for _col, x, w in columns:
                    lines.append(QLine(x + w, dirty.top(), x + w, dirty.bottom()))
        if lines:
            colour = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, base, self)
            painter.setPen(QPen(QColor.fromRgba(colour & 0xFFFFFFFF), 1, self.gridStyle()))
            painter.drawLines(lines)
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if event.key() == Qt.Key.Key_Space and plain:
            self.spacePressed.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and plain and self.selectionModel().hasSelection():
            self.selectionModel().clearSelection()
            event.accept()
            return
        super().keyPressEvent(event)

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,
                    bottom_right: QModelIndex | QPersistentModelIndex, roles: list[int] | None = None) -> None:
        """Repaint only the changed rows that are on screen. Qt repaints the whole viewport for a
        range of more than a few hundred cells, even one wholly off screen: during an apply each
        host's result (a block of its rows) repainted every visible cell, once per host."""
        if top_left.isValid() and bottom_right.isValid() and top_left.row() != bottom_right.row() \
                and not QAccessible.isActive():  # a screen reader is told of every change
            first_visible = self.rowAt(0)
            last_visible = self.rowAt(self.viewport().height() - 1)
            if first_visible >= 0:
                if last_visible < 0:
                    last_visible = self.model().rowCount() - 1
                first, last = max(top_left.row(), first_visible), min(bottom_right.row(), last_visible)
                if first > last:
                    return
                model = self.model()
                top_left = model.index(first, top_left.column())
                bottom_right = model.index(last, bottom_right.column())
        super().dataChanged(top_left, bottom_right, roles or [])


def column_width(kind: ColKind, title: str, view: QTableView) -> int:
    """Room for the column's content, compact enough for a 1366-pixel screen; longer texts are
    elided and complete in the tooltip."""
    fm = view.fontMetrics()
    header = max(fm.horizontalAdvance(line) for line in title.split("\n")) + 22  # + sort indicator
    if kind is ColKind.HOST:
        return max(header, fm.horizontalAdvance("HV-LEGACY-01") + 12)
    if kind is ColKind.VM:
        return max(header, fm.horizontalAdvance("Contrôleur de dom") + 12)
    if kind is ColKind.STATE:
        return max(header, fm.horizontalAdvance(tr("Running", "VM state")) + 32)
    if kind is ColKind.SERVICE:
        # checkbox + icon + "No Contact"; longer statuses elide, the tooltip has them in full
        return max(header, fm.horizontalAdvance(tr("No Contact")) + 48)
    return max(header, fm.horizontalAdvance("6.3.9600.16384") + 30)


def column_floor(kind: ColKind, title: str, view: QTableView) -> int:
    """The narrowest a column gets when the grid must fit a small screen (a long language): the
    header on two lines, and the state or status elided after a few letters ("En fonc…", "Pas
    de co…"; the icon, the colour and the tooltip say it whole). Host, VM and version keep their
    room: they are what a row is read by."""
    natural = column_width(kind, title, view)
    if kind not in (ColKind.STATE, ColKind.SERVICE):
        return natural
    fm = view.fontMetrics()
    header = max(fm.horizontalAdvance(line) for line in two_lines(title).split("\n")) + 22
    content = fm.horizontalAdvance("Abcdef…") + (48 if kind is ColKind.SERVICE else 32)
    return min(natural, max(header, content))


def fitted_widths(naturals: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` pixels: the natural ones when they fit, else each column
    narrowed toward its floor in proportion to how much it can give (never below its floor, so
    the grid may still scroll sideways when even the floors do not fit)."""
    excess = sum(naturals) - room
    give = [n - f for n, f in zip(naturals, floors, strict=True)]
    total = sum(give)
    if excess <= 0 or total <= 0:
        return list(naturals)
    take = min(excess, total)
    widths = [n - g * take // total for n, g in zip(naturals, give, strict=True)]
    short = sum(widths) - (sum(naturals) - take)  # what integer division left over
    for n in range(len(widths)):
        if short <= 0:
            break
        if widths[n] > floors[n]:
            widths[n] -= 1
            short -= 1
    return widths


class GridPane(QWidget):
    currentRowChanged = Signal()
    """The current cell moved to another row (or the rows changed under it)."""
    menuRequested = Signal(QPoint)
    """Context menu over the cells at this global position (the window owns the actions)."""
    showFailedHosts = Signal()
    retryHost = Signal(str)
    editHost = Signal(str)
    diagnoseHost = Signal(str)
    fixHost = Signal(str)

    def __init__(self, controller: Controller, host_fix: Callable[[str], tuple[str, str] | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = ServiceGridModel(controller, self)

        self.view = GridView()
        v = self.view
        self._sizing = False
        self._hand_sized = False
        """The user dragged a column's width: sizing no longer follows the view's width."""
        v.setModel(self.model)
        self.delegate = CellDelegate(v)
        v.setItemDelegate(self.delegate)
        v.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        v.setWordWrap(False)
        v.setTabKeyNavigation(False)  # Tab leaves the grid (arrows move inside it)
        v.setAlternatingRowColors(True)
        v.setAccessibleName(tr("Integration services of the VMs in view"))
        v.verticalHeader().setVisible(False)
        v.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + ROW_PADDING)
        v.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = v.horizontalHeader()
        header.setHighlightSections(False)
        header.sectionResized.connect(self._section_resized)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        # Sortable by any column; a third click goes back to the hosts' order.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        v.setSortingEnabled(True)
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        v.customContextMenuRequested.connect(lambda pos: self.menuRequested.emit(v.viewport().mapToGlobal(pos)))
        v.spacePressed.connect(self.toggle_selected)
        v.selectionModel().currentChanged.connect(lambda *_: self.currentRowChanged.emit())

        self.empty = QLabel(v.viewport())
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setVisible(False)
        v.viewport().installEventFilter(self)

        self.banner = Banner()
        self.banner.showRequested.connect(self.showFailedHosts)
        self.banner.fixRequested.connect(self.fixHost)
        self.hint = self.banner
        """The banner, by its older name."""
        self.problems = HostProblemPanel(controller, host_fix)
        self.problems.retryRequested.connect(self.retryHost)
        self.problems.editRequested.connect(self.editHost)
        self.problems.diagnoseRequested.connect(self.diagnoseHost)
        self.problems.fixRequested.connect(self.fixHost)
        self.filters = FilterBar()
        self.filters.changed.connect(self.set_filter)
        self.host_fix = host_fix
        self.hosts_file_note = ""
        """Said in the banner when the hosts file could not be read."""

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.banner)
        box.addWidget(self.problems)
        box.addWidget(self.filters)
        box.addWidget(self.view)

        # The banner, panel, count and empty message are rebuilt at most every 50 ms.
        self._rows_changed = QTimer(self)
        self._rows_changed.setSingleShot(True)
        self._rows_changed.setInterval(50)
        self._rows_changed.timeout.connect(self.update_notes)
        self.model.columnsInserted.connect(lambda *_: self._columns_changed())
        self.model.columnsRemoved.connect(lambda *_: self._columns_changed())
        self.model.rowsInserted.connect(lambda *_: self.ensure_current())
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.layoutChanged):
            signal.connect(lambda *_: self._rows_changed.start())
        controller.hostsChanged.connect(lambda _keys: self._rows_changed.start())
        controller.hostsReset.connect(self._hosts_reset)
        self.size_columns()
        self._hosts_reset()

    # ------------------------------------------------------------ scope and current cell
    def set_scope(self, scope: Scope) -> None:
        self.model.set_scope(scope)
        self.ensure_current()
        self.update_notes()
        self.currentRowChanged.emit()

    def set_filter(self, grid_filter: GridFilter) -> None:
        self.model.set_filter(grid_filter)
        self.ensure_current()
        self.update_notes()
        self.currentRowChanged.emit()

    def ensure_current(self) -> None:
        """Give the grid a current cell (and the details pane a VM) once there are rows."""
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.selectionModel().setCurrentIndex(self.model.index(0, 0),
                                                       QItemSelectionModel.SelectionFlag.NoUpdate)

    def go_to_top(self) -> None:
        if self.model.rowCount():
            self.view.selectionModel().setCurrentIndex(self.model.index(0, 0),
                                                       QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollToTop()

    def current_row_key(self) -> RowKey | None:
        idx = self.view.currentIndex()
        if not idx.isValid() or idx.row() >= self.model.rowCount():
            return None
        return self.model.row_key(idx.row())

    def selected_rows(self) -> list[RowKey]:
        """The VMs of the selected cells, top to bottom."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})
        return [self.model.row_key(r) for r in rows if r < self.model.rowCount()]

    def selected_cells(self) -> list[CellKey]:
        """The selected service cells; the current one when none is selected."""
        cells: list[CellKey] = []
        for idx in self.view.selectionModel().selectedIndexes():
            cell = self.model.cell_key(idx)
            if cell is not None:
                cells.append(cell)
        if not cells:
            cell = self.model.cell_key(self.view.currentIndex())
            if cell is not None:
                cells.append(cell)
        return cells

    def toggle_selected(self) -> None:
        if not self.controller.read_only:
            self.controller.toggle(self.selected_cells())

    # ------------------------------------------------------------ notes: banner, panel, count, empty grid
    def _hosts_reset(self) -> None:
        self.filters.set_hosts(list(self.controller.state.hosts.values()))
        self.update_notes()

    def update_notes(self) -> None:
        self._rows_changed.stop()
        st = self.controller.state
        self.filters.set_hosts(list(st.hosts.values()))
        self.filters.show_count(self.model.rowCount(), self.model.in_scope)
        # The selected hosts that failed: their error in full, and what can be done.
        scope = self.model.scope
        selected = set(scope.hosts or ()) | {k[0] for k in scope.vms}
        failed = [e for e in st.hosts.values() if e.status is HostStatus.FAILED]
        self.problems.show_hosts([e for e in failed if e.key in selected])
        # The banner: one line, for the failed hosts the panel does not show.
        others = [e for e in failed if e.key not in selected]
        if self.hosts_file_note:
            self.banner.show_message(self.hosts_file_note)
        elif len(others) == 1:
            e = others[0]
            fix = self.host_fix(e.key)
            self.banner.show_message(error_text(e.error) if e.error else tr("{host} failed").format(host=e.name),
                                     show=True, fix=(fix[0], e.key) if fix else None)
        elif others:
            self.banner.show_message(tr("%n host(s) failed:", "", len(others)), show=True)
        else:
            self.banner.show_message("")
        self._show_empty(self.empty_reason())

    def empty_reason(self) -> str:
        """Why the grid is empty, in words ("" when it is not)."""
        if self.model.rowCount():
            return ""
        st = self.controller.state
        if not st.hosts:
            return tr("No hosts configured. Use File > Add host…, or try hvgui --demo.")
        scope = self.model.scope
        in_scope = [e for k, e in st.hosts.items()
                    if scope.hosts is None or k in scope.hosts or any(v[0] == k for v in scope.vms)]
        if self.model.in_scope == 0:
            if any(not e.loaded and e.status is HostStatus.CONNECTING for e in in_scope):
                return tr("Reading the hosts…")
            failed = [e.name for e in in_scope if not e.loaded and e.status is HostStatus.FAILED]
            if failed:
                return tr("{hosts} could not be read, so there are no VMs to show: see above for why, and what "
                          "to do.").format(hosts=", ".join(failed))
            return tr("No VMs on the selected hosts.")
        f = self.model.filter
        why = []
        if f.problems_only:
            why.append(tr("has a problem"))
        if f.needs_attention:
            why.append(tr("needs attention (integration services updates)"))
        conditions = []
        if f.host is not None and f.host in st.hosts:
            conditions.append(tr("on {host}").format(host=st.hosts[f.host].name))
        if f.vm_state is not None:
            conditions.append(tr("in the state {state}").format(state=tr(f.vm_state.value)))
        if f.is_state is not None:
            conditions.append(tr("with integration services: {state}").format(state=tr(f.is_state.value)))
        if f.status is not None:
            conditions.append(tr("with a service: {status}").format(status=_status_words(f.status)))
        text = scope.text
        both = tr(" and ")
        if text:
            head = tr("No VM matches '{text}'").format(text=text)
            if why or conditions:
                head += both + both.join(why + conditions)
        else:
            head = tr("No VM {conditions}").format(conditions=both.join(why + conditions)) if (why or conditions) \
                else tr("No VM to show")
        hosts = [e.name for e in st.hosts.values() if text and text.casefold() in e.name.casefold()]
        tail = ""
        if hosts:
            tail = (tr(" The filter box searches VM names; {hosts} is a host: select it in the tree to see its VMs.")
                    if len(hosts) == 1 else
                    tr(" The filter box searches VM names; {hosts} are hosts: select them in the tree to see their "
                       "VMs.")).format(hosts=", ".join(hosts))
        if f.active:
            tail += tr(" Clear filters shows every VM in scope again.")
        return tr("{head} (of %n VM(s) in scope).{tail}", "", self.model.in_scope).format(head=head, tail=tail)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.empty.setVisible(bool(text))
        if text:
            self.empty.setStyleSheet(f"color: {look.theme().grey}; padding: 24px;")
            self._place_empty()

    def _place_empty(self) -> None:
        vp = self.view.viewport()
        self.empty.setGeometry(0, 0, vp.width(), max(80, vp.height() // 3))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            if self.empty.isVisible():
                self._place_empty()
            if event.size().width() != event.oldSize().width():  # type: ignore[attr-defined]
                self.size_columns()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ columns
    def _columns_changed(self) -> None:
        self._hand_sized = False  # the columns moved: widths set by hand no longer belong to them
        self.size_columns()
        # The Host column comes and goes: keep the sort indicator on the column sorted by.
        header = self.view.horizontalHeader()
        column = self.model.column_of(self.model.sort_by) if self.model.sort_by else -1
        if header.sortIndicatorSection() != column:
            header.setSortIndicator(column, self.model.sort_order)

    def size_columns(self) -> None:
        """Each column its natural width or, when the grid is too narrow for them (a laptop, a
        long language), narrower toward its floor with the headers on two lines, so every
        service column stays in view. Not once the user has sized a column by hand."""
        if self._hand_sized:
            return
        v = self.view
        header = v.horizontalHeader()
        header.setStretchLastSection(True)
        cols = self.model.columns
        naturals = [column_width(c.kind, c.title, v) for c in cols]
        room = v.viewport().width()
        fits = room <= 0 or sum(naturals) <= room
        widths = naturals if fits else fitted_widths(naturals, [column_floor(c.kind, c.title, v) for c in cols],
                                                     room)
        if self.model.wrap_headers == fits:
            self.model.wrap_headers = not fits
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(len(cols) - 1, 0))
        self._sizing = True
        try:
            for n, width in enumerate(widths):
                v.setColumnWidth(n, width)
        finally:
            self._sizing = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        # The last column stretches with the view; any other resized while we are not sizing
        # was dragged by the user: from then on their widths stay.
        if not self._sizing and column != self.view.horizontalHeader().count() - 1:
            self._hand_sized = True

    def needed_width(self) -> int:
        """Width the grid needs to show every column without scrolling sideways."""
        v = self.view
        return (sum(column_width(c.kind, c.title, v) for c in self.model.columns)
                + v.verticalScrollBar().sizeHint().width() + 2 * v.frameWidth() + 16)

    def service_column_at_current(self) -> int | None:
        column = self.view.currentIndex().column()
        if 0 <= column < len(self.model.columns) and self.model.columns[column].kind is ColKind.SERVICE:
            return column
        return None

    def _header_menu(self, pos: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = self.column_menu(header.logicalIndexAt(pos))
        if menu is not None:
            menu.popup(header.mapToGlobal(pos))

    def column_menu(self, column: int) -> QMenu | None:
        """'Enable/Disable for all VMs in view' for one service column."""
        if not 0 <= column < len(self.model.columns):
            return None
        col = self.model.columns[column]
        if col.kind is not ColKind.SERVICE:
            return None
        cells = self.model.cells_in_column(column)
        n = len(cells)
        ctl = self.controller
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        ro = ctl.read_only
        for text, slot in (
            (tr("Enable {service} for the|all %n VM(s) in view", "", n).format(service=col.title),
             lambda: ctl.set_target(cells, True)),
            (tr("Disable {service} for the|all %n VM(s) in view", "", n).format(service=col.title),
             lambda: ctl.set_target(cells, False)),
            (tr("Reset to default for all VMs in view"), lambda: ctl.reset_default(cells)),
            (tr("Revert this column"), lambda: ctl.revert(cells)),
        ):
            a = menu.addAction(text)
            a.triggered.connect(slot)
            a.setEnabled(not ro)
            if ro:
                a.setToolTip(tr("Read-only mode: nothing can be changed (Settings > Read-only mode)"))
        return menu


def _status_words(meaning: Meaning) -> str:
    """A service status filter in words ("not answering")."""
    return {
        Meaning.WORKING: tr("working"), Meaning.NOT_ANSWERING: tr("not answering"), Meaning.DEGRADED: tr("degraded"),
        Meaning.ERROR: tr("error"), Meaning.OFF: tr("off"), Meaning.NO_STATUS: tr("no status"),
        Meaning.NOT_OFFERED: tr("not offered"), Meaning.UNREADABLE: tr("unreadable"),
    }.get(meaning, meaning.value.replace("_", " "))
