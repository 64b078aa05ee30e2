"""Bottom pane: every remote operation with its host, what it does, state, duration and
outcome; routine refreshes one row per round; a filter (failures, changes, this host); the
newest row stays in sight unless the user scrolled up; *Show script...* shows the exact
PowerShell an operation ran and its request, decoded. The pane folds down to its header."""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, QRegularExpression, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from hvgui.remote.engine import Operation
from hvgui.ui.delegates import FocusDelegate
from hvgui.ui.i18n import QT_TR_NOOP, tr
from hvgui.ui.models import ActivityModel, operation_text
from hvgui.ui.models.activity import TAGS_ROLE


class ScriptDialog(QDialog):
    """The exact script and decoded request of one operation (non-modal)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 600)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(text)
        copy = QPushButton(tr("Copy"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)


FILTERS = ((QT_TR_NOOP("Everything"), ""), (QT_TR_NOOP("Failures"), "failures"), (QT_TR_NOOP("Changes"), "changes"),
           (QT_TR_NOOP("This host"), "host"))


class ActivityPane(QWidget):
    collapsedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ActivityModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterRole(TAGS_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.host = ""
        """The host "This host" means (display name): the current one in the tree or grid."""

        self.view = QTreeView()
        v = self.view
        v.setModel(self.proxy)
        v.setItemDelegate(FocusDelegate(v))
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.setUniformRowHeights(True)
        v.setRootIsDecorated(True)
        v.setAllColumnsShowFocus(True)
        v.setWordWrap(False)
        v.setAccessibleName(tr("Activity: remote operations"))
        v.header().setStretchLastSection(True)
        for col, width in enumerate((90, 110, 280, 130, 70)):
            v.setColumnWidth(col, width)
        v.doubleClicked.connect(self._double_clicked)
        # The newest row follows unless the user scrolled up to read older ones.
        self._follow = True
        self.proxy.rowsAboutToBeInserted.connect(self._before_insert)
        self.proxy.rowsInserted.connect(self._after_insert)

        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setText(tr("Activity"))
        self.toggle.setToolTip(tr("Show or fold the activity panel (View > Activity panel)"))
        self.toggle.setAccessibleName(tr("Activity panel"))
        self.toggle.toggled.connect(lambda on: self.set_collapsed(not on))
        self.filter = QComboBox()
        for label, key in FILTERS:
            self.filter.addItem(tr(label), key)
        self.filter.setAccessibleName(tr("Activity filter"))
        self.filter.setToolTip(tr("Show every operation, only failures, only changes, or only the current host's"))
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.summary = QLabel()
        self.script_button = QPushButton(tr("Show script…"))
        self.script_button.setToolTip(tr("The exact PowerShell sent and its request, decoded"))
        self.script_button.clicked.connect(self.show_current_operation)
        self.head = QWidget()
        head = QHBoxLayout(self.head)
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.toggle)
        head.addWidget(self.filter)
        head.addWidget(self.summary, 1)
        head.addWidget(self.script_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.head)
        box.addWidget(v)
        self.setTabOrder(self.toggle, self.filter)
        self.setTabOrder(self.filter, v)
        self.setTabOrder(v, self.script_button)
        # The summary is redone once per turn of the event loop, not on each of the model's
        # many signals (every cell of every operation's row sends one).
        self._summary_due = QTimer(self)
        self._summary_due.setSingleShot(True)
        self._summary_due.setInterval(0)
        self._summary_due.timeout.connect(self._summarize)
        self.model.rowsInserted.connect(self._summary_due.start)
        self.model.dataChanged.connect(self._summary_due.start)

    # ------------------------------------------------------------ folding
    @property
    def collapsed(self) -> bool:
        return not self.toggle.isChecked()

    def set_collapsed(self, collapsed: bool) -> None:
        if self.toggle.isChecked() == collapsed:
            self.toggle.setChecked(not collapsed)  # comes back here through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.RightArrow if collapsed else Qt.ArrowType.DownArrow)
        self.view.setVisible(not collapsed)
        self.filter.setVisible(not collapsed)
        self.script_button.setVisible(not collapsed)
        self.collapsedChanged.emit(collapsed)

    def header_height(self) -> int:
        return self.head.sizeHint().height() + 2

    def _summarize(self) -> None:
        count, failed = self.model.counts()
        text = tr("%n operation(s)", "", count)
        self.summary.setText(f"  {text}" + (", " + tr("{n} failed").format(n=failed) if failed else ""))

    # ------------------------------------------------------------ filter
    def set_host(self, name: str) -> None:
        if name != self.host:
            self.host = name
            if self.filter.currentData() == "host":
                self.apply_filter()

    def apply_filter(self) -> None:
        key = self.filter.currentData()
        pattern = {"": "", "failures": r"state:failed ", "changes": r"\bchange\b"}.get(key)
        if key == "host":
            pattern = rf"host:{re.escape(self.host)} " if self.host else "^$"
        self.proxy.setFilterRegularExpression(QRegularExpression(pattern or ""))
        self.view.scrollToBottom()

    # ------------------------------------------------------------ following the newest row
    def _before_insert(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if not parent.isValid():
            bar = self.view.verticalScrollBar()
            self._follow = bar.value() >= bar.maximum() - 2

    def _after_insert(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if not parent.isValid() and self._follow:
            self.view.scrollToBottom()

    # ------------------------------------------------------------ scripts
    def current_operation(self) -> Operation | None:
        idx = self.view.currentIndex()
        if idx.isValid():
            return self.model.operation_at(self.proxy.mapToSource(idx))
        rows = self.proxy.rowCount()
        return self.model.operation_at(self.proxy.mapToSource(self.proxy.index(rows - 1, 0))) if rows else None

    def show_current_operation(self) -> ScriptDialog | None:
        op = self.current_operation()
        return self.show_script(op) if op is not None else None

    def show_operation(self, row: int) -> ScriptDialog:
        """The script of a top-level row of the model."""
        return self.show_script(self.model.operation(row))

    def show_script(self, op: Operation) -> ScriptDialog:
        dlg = ScriptDialog(f"Operation #{op.id} on {op.host}", operation_text(op), self.window())
        dlg.show()
        return dlg

    def _double_clicked(self, idx: QModelIndex) -> None:
        op = self.model.operation_at(self.proxy.mapToSource(idx))
        if op is not None and (op.kind != "inventory" or idx.parent().isValid()):
            self.show_script(op)
