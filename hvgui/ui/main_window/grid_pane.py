"""Middle pane: the integration services grid (one row per VM in scope, one checkbox column
per service), the banner above it, and the column header's menu."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hvgui.ui.controller import Controller
from hvgui.ui.delegates import CellDelegate
from hvgui.ui.models import ColKind, Scope, ServiceGridModel
from hvgui.ui.state import CellKey, RowKey


class GridView(QTableView):
    """The grid; Space toggles every selected checkbox at once (not only the current one)."""

    spacePressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.spacePressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class GridPane(QWidget):
    currentRowChanged = Signal()
    """The current cell moved to another row (or the rows changed under it)."""
    menuRequested = Signal(QPoint)
    """Context menu over the cells at this global position (the window owns the actions)."""
    hintLinkActivated = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = ServiceGridModel(controller, self)

        self.view = GridView()
        v = self.view
        v.setModel(self.model)
        self.delegate = CellDelegate(v)
        v.setItemDelegate(self.delegate)
        v.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        v.setWordWrap(False)
        v.setTabKeyNavigation(False)  # Tab leaves the grid (arrows move inside it)
        v.setAlternatingRowColors(True)
        v.verticalHeader().setVisible(False)
        v.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        v.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        v.horizontalHeader().setHighlightSections(False)
        v.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        v.horizontalHeader().customContextMenuRequested.connect(self._header_menu)
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        v.customContextMenuRequested.connect(lambda pos: self.menuRequested.emit(v.viewport().mapToGlobal(pos)))
        v.spacePressed.connect(self.toggle_selected)
        v.selectionModel().currentChanged.connect(lambda *_: self.currentRowChanged.emit())

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.linkActivated.connect(self.hintLinkActivated)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.hint)
        box.addWidget(self.view)

        self.model.columnsInserted.connect(lambda *_: self.size_columns())
        self.model.columnsRemoved.connect(lambda *_: self.size_columns())
        self.model.rowsInserted.connect(lambda *_: self.ensure_current())
        self.size_columns()

    # ------------------------------------------------------------ scope and current cell
    def set_scope(self, scope: Scope) -> None:
        self.model.set_scope(scope)
        self.ensure_current()
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

    # ------------------------------------------------------------ columns
    def size_columns(self) -> None:
        fm = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for n, col in enumerate(self.model.columns):
            text = fm.horizontalAdvance(col.title) + 28
            if col.kind is ColKind.HOST:
                width = max(text, 100)
            elif col.kind is ColKind.VM:
                width = max(text, 165)
            elif col.kind is ColKind.STATE:
                width = max(text, fm.horizontalAdvance("Running") + 40)
            elif col.kind is ColKind.SERVICE:
                # checkbox + badge + "No Contact"; longer statuses elide, the tooltip has them verbatim
                width = max(text, fm.horizontalAdvance("No Contact") + 54)
            else:
                width = max(text, fm.horizontalAdvance("6.3.9600.16384 (update)") + 16)
            self.view.setColumnWidth(n, width)

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
        ro = ctl.read_only
        for text, slot in (
            (f"Enable {col.title} for all {n} VMs in view", lambda: ctl.set_target(cells, True)),
            (f"Disable {col.title} for all {n} VMs in view", lambda: ctl.set_target(cells, False)),
            ("Reset to default for all VMs in view", lambda: ctl.reset_default(cells)),
            ("Revert this column", lambda: ctl.revert(cells)),
        ):
            a = menu.addAction(text)
            a.triggered.connect(slot)
            a.setEnabled(not ro or text.startswith("Revert"))
        return menu
