"""Bottom pane: every remote operation with its host, what it does, state, duration and
outcome; *Show script...* shows the exact PowerShell it ran and its request, decoded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hvgui.ui.delegates import FocusDelegate
from hvgui.ui.models import ActivityModel, operation_text


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
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)


class ActivityPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ActivityModel(self)
        self.view = QTableView()
        v = self.view
        v.setModel(self.model)
        v.setItemDelegate(FocusDelegate(v))
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.verticalHeader().setVisible(False)
        v.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        v.setWordWrap(False)
        v.setTabKeyNavigation(False)
        v.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((70, 110, 260, 90, 70)):
            v.setColumnWidth(col, width)
        v.doubleClicked.connect(lambda idx: self.show_operation(idx.row()))
        self.model.rowsInserted.connect(lambda *_: v.scrollToBottom())
        self.script_button = QPushButton("Show script…")
        self.script_button.setToolTip("The exact PowerShell sent and its request, decoded")
        self.script_button.clicked.connect(self.show_current_operation)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Activity</b>"))
        head.addStretch(1)
        head.addWidget(self.script_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(v)
        self.setTabOrder(v, self.script_button)

    def show_current_operation(self) -> ScriptDialog | None:
        idx = self.view.currentIndex()
        row = idx.row() if idx.isValid() else self.model.rowCount() - 1
        return self.show_operation(row) if row >= 0 else None

    def show_operation(self, row: int) -> ScriptDialog:
        op = self.model.operation(row)
        dlg = ScriptDialog(f"Operation #{op.id} on {op.host}", operation_text(op), self.window())
        dlg.show()
        return dlg
