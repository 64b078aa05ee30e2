"""Where the panes go, and how big the window opens.

- The window opens within the screen's available geometry (maximized when the default size does
  not fit, as on a 1366x768 laptop), or where the user left it last time.
- The details pane sits beside the grid when the window is wide enough for every column of the
  grid *and* the details; otherwise below the grid, so the grid never needs to scroll sideways.
- The activity panel folds down to its header line.
- Splitter positions are remembered, per placement of the details pane.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from hvgui.ui.settings import Settings

DEFAULT_SIZE = QSize(1800, 980)
FRAME_ALLOWANCE = QSize(16, 40)
"""Room for the window frame and title bar, which Qt does not know before the window is shown."""
TREE_WIDTH = 210
WIDE_TREE_WIDTH = 250
DETAILS_MIN_WIDTH = 300
HANDLES = 12
SHORT_SCREEN = 900
"""Below this available height, the activity panel starts folded."""


def initial_geometry(available: QRect, size: QSize = DEFAULT_SIZE) -> tuple[QRect, bool]:
    """Where a window opens on a screen with this available geometry: ``(geometry, maximized)``.
    The geometry always fits; maximized when the default size does not."""
    w = min(size.width(), available.width() - FRAME_ALLOWANCE.width())
    h = min(size.height(), available.height() - FRAME_ALLOWANCE.height())
    rect = QRect(0, 0, max(w, 200), max(h, 200))
    rect.moveCenter(available.center())
    return rect, (w < size.width() or h < size.height())


class WindowLayout:
    def __init__(self, window: QMainWindow, hosts: QWidget, grid: QWidget, details: QWidget,
                 activity: QWidget) -> None:
        self.window = window
        self.details = details
        self.activity = activity
        self.center = QSplitter(Qt.Orientation.Vertical)
        self.center.setObjectName("center")
        self.center.addWidget(grid)
        self.center.setChildrenCollapsible(False)
        hosts.setMinimumWidth(140)
        details.setMinimumWidth(220)
        details.setMinimumHeight(120)
        self.hsplit = QSplitter(Qt.Orientation.Horizontal)
        self.hsplit.setObjectName("hsplit")
        self.hsplit.addWidget(hosts)
        self.hsplit.addWidget(self.center)
        self.hsplit.setStretchFactor(0, 0)
        self.hsplit.setStretchFactor(1, 1)
        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.setObjectName("vsplit")
        self.vsplit.addWidget(self.hsplit)
        self.vsplit.addWidget(activity)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setStretchFactor(1, 0)
        self.vsplit.setChildrenCollapsible(False)
        self.wide: bool | None = None
        """Details beside the grid (True) or below it (False); None before the first placement."""
        self.saved: dict[str, str] = {}
        self.activity_height = 170
        """The activity panel's height when open."""

    # ------------------------------------------------------------ window
    def open_window(self, settings: Settings) -> None:
        """Size and place the window before it is shown."""
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)
        restored = bool(settings.window_geometry) and self.window.restoreGeometry(
            QByteArray.fromBase64(settings.window_geometry.encode("ascii")))
        if restored and (available.contains(self.window.frameGeometry()) or self.window.isMaximized()):
            return
        rect, maximized = initial_geometry(available)
        self.window.setGeometry(rect)
        if maximized:
            self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowMaximized)

    # ------------------------------------------------------------ details beside or below the grid
    def place_details(self, grid_needs: int) -> bool:
        """Beside the grid when the window has room for every grid column and the details; else
        below the grid. A little slack avoids flipping back and forth at the threshold. Returns
        whether the details pane moved."""
        tree = self.hsplit.sizes()[0] if self.hsplit.count() and self.hsplit.sizes()[0] > 0 else TREE_WIDTH
        need = tree + grid_needs + DETAILS_MIN_WIDTH + HANDLES
        width = self.window.width()
        wide = width >= need + (0 if self.wide is not False else 40)
        if wide == self.wide:
            return False
        self._remember()
        self.wide = wide
        if wide:
            self.hsplit.addWidget(self.details)
            # The grid gets what it needs; the details pane the rest (they share what comes later).
            self.hsplit.setStretchFactor(2, 1)
            if not self._restore("hsplit-wide", self.hsplit):
                tree = max(tree, WIDE_TREE_WIDTH)
                grid = grid_needs + 8
                self.hsplit.setSizes([tree, grid, max(DETAILS_MIN_WIDTH, width - tree - grid - HANDLES)])
        else:
            self.center.addWidget(self.details)
            # Grid and details share the height 2:1 as the window grows or shrinks.
            self.center.setStretchFactor(0, 2)
            self.center.setStretchFactor(1, 1)
            if not self._restore("hsplit-narrow", self.hsplit):
                self.hsplit.setSizes([min(tree, TREE_WIDTH), max(200, width - min(tree, TREE_WIDTH))])
            if not self._restore("center", self.center):
                total = max(300, self.window.height() - 160)
                self.center.setSizes([total * 2 // 3, total // 3])
        return True

    def fit_grid(self, grid_needs: int) -> bool:
        """Beside the details, give the grid the width its columns need when it has less (a column
        came, e.g. the Host column once a second host answers), taken from the details pane as far
        as its minimum allows. Returns whether the sizes changed."""
        sizes = self.hsplit.sizes()
        if not self.wide or len(sizes) != 3 or sizes[1] >= grid_needs + 8:
            return False
        take = min(grid_needs + 8 - sizes[1], sizes[2] - DETAILS_MIN_WIDTH)
        if take <= 0:
            return False
        self.hsplit.setSizes([sizes[0], sizes[1] + take, sizes[2] - take])
        return True

    # ------------------------------------------------------------ activity panel
    def set_activity_collapsed(self, collapsed: bool, header_height: int) -> None:
        sizes = self.vsplit.sizes()
        total = sum(sizes) or self.window.height()
        if collapsed:
            if len(sizes) == 2 and sizes[1] > header_height + 20:
                self.activity_height = sizes[1]
            self.activity.setMaximumHeight(header_height)
            self.vsplit.setSizes([total - header_height, header_height])
        else:
            self.activity.setMaximumHeight(16777215)
            h = max(self.activity_height, 120)
            self.vsplit.setSizes([max(200, total - h), h])

    # ------------------------------------------------------------ remembering
    def _splitters(self) -> dict[str, QSplitter]:
        mode = "hsplit-wide" if self.wide else "hsplit-narrow"
        return {mode: self.hsplit, "center": self.center, "vsplit": self.vsplit}

    def _remember(self) -> None:
        if self.wide is None:
            return
        for name, splitter in self._splitters().items():
            if name == "center" and self.wide:
                continue
            self.saved[name] = bytes(splitter.saveState().toBase64().data()).decode("ascii")

    def _restore(self, name: str, splitter: QSplitter) -> bool:
        state = self.saved.get(name)
        return state is not None and splitter.restoreState(QByteArray.fromBase64(state.encode("ascii")))

    def restore(self, settings: Settings) -> None:
        self.saved = dict(settings.layout)
        self._restore("vsplit", self.vsplit)

    def save(self, settings: Settings) -> None:
        self._remember()
        settings.layout = dict(self.saved)
        settings.window_geometry = bytes(self.window.saveGeometry().toBase64().data()).decode("ascii")
