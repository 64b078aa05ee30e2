"""*Change history…*: every change applied from this computer (by the window or hvgui-cli), from
the audit log, filtered by host, VM, user and date.

Non-modal; the log is read off the GUI thread (it can be long)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hvgui.ui import look
from hvgui.ui.delegates import FocusDelegate
from hvgui.ui.history import HistoryFilter, HistoryRow, filter_rows, read_log, rows_from_records
from hvgui.ui.words import plain_tip, plural, word

COLUMNS = ("When", "User", "Host", "VM", "Service", "Change", "Result")
ANY = "(any)"


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class HistoryDialog(QDialog):
    def __init__(self, source: Path | list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change history")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 560)
        self.source = source
        self.rows: list[HistoryRow] = []
        self.shown: list[HistoryRow] = []
        self.loaded = False
        self.bad_lines = 0

        self.host = QComboBox()
        self.user = QComboBox()
        for combo, name in ((self.host, "Host"), (self.user, "User")):
            combo.addItem(ANY, None)
            combo.setAccessibleName(f"{name} filter")
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.vm = QLineEdit()
        self.vm.setPlaceholderText("VM name or Id")
        self.vm.setClearButtonEnabled(True)
        self.vm.setAccessibleName("VM filter")
        self.vm.textChanged.connect(lambda _t: self.apply_filter())
        self.since = QDateEdit()
        self.until = QDateEdit()
        for edit, name in ((self.since, "From date"), (self.until, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setDate(QDate.currentDate())
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.count = QLabel("Reading the audit log…")
        reload_button = QPushButton("Reload")
        reload_button.setAutoDefault(False)
        reload_button.clicked.connect(self.reload)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(FocusDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Changes applied")
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((150, 110, 120, 190, 170, 160)):
            self.table.setColumnWidth(col, width)

        filters = QHBoxLayout()
        for label, widget in (("Host:", self.host), ("VM:", self.vm), ("User:", self.user), ("From:", self.since),
                              ("To:", self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(reload_button)
        bottom.addWidget(close)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(bottom)
        self.task: asyncio.Task[None] | None = None
        self.finished.connect(lambda _r: self.task.cancel() if self.task is not None else None)
        self.reload()

    # ------------------------------------------------------------ loading
    def reload(self) -> None:
        self.loaded = False
        self.task = asyncio.ensure_future(self._load())

    async def _load(self) -> None:
        bad = 0
        if isinstance(self.source, Path):
            records, bad = await asyncio.get_running_loop().run_in_executor(None, read_log, self.source)
        else:
            records = list(self.source)
        self.set_rows(rows_from_records(records), bad)

    def set_rows(self, rows: list[HistoryRow], bad_lines: int = 0) -> None:
        self.rows = rows
        self.bad_lines = bad_lines
        for combo, values in ((self.host, sorted({r.host for r in rows})), (self.user, sorted({r.user for r in rows}))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY, None)
            for v in values:
                combo.addItem(v, v)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        if rows:
            for edit, d in ((self.since, min(r.when for r in rows).date()), (self.until, date.today())):
                edit.blockSignals(True)
                edit.setDate(_qdate(d))
                edit.blockSignals(False)
        self.loaded = True
        self.apply_filter()

    # ------------------------------------------------------------ filtering
    def value(self) -> HistoryFilter:
        s, u = self.since.date(), self.until.date()
        return HistoryFilter(host=self.host.currentData(), vm=self.vm.text(), user=self.user.currentData(),
                             since=date(s.year(), s.month(), s.day()), until=date(u.year(), u.month(), u.day()))

    def apply_filter(self) -> None:
        if not self.loaded:
            return
        self.shown = filter_rows(self.rows, self.value())
        self.model.removeRows(0, self.model.rowCount())
        red = look.colour(look.theme().red)
        for r in self.shown:
            items = [QStandardItem(v) for v in (f"{r.when:%Y-%m-%d %H:%M:%S}", r.user, r.host, r.vm_name, r.service,
                                                r.change, r.result + (f": {r.message}" if r.message else ""))]
            items[3].setToolTip(plain_tip(f"{r.vm_name}\nVM Id: {r.vm_id}"))
            items[6].setToolTip(plain_tip(items[6].text()))
            if not r.ok:
                items[6].setForeground(red)
            self.model.appendRow(items)
        text = (f"{plural(len(self.rows), 'change')}" if len(self.shown) == len(self.rows)
                else f"{len(self.shown)} of {plural(len(self.rows), 'change')}")
        if not self.rows:
            text = "No change has been applied from this computer yet."
        if self.bad_lines:
            n = self.bad_lines
            text += f" ({plural(n, 'line')} of the log could not be read and {word(n, 'is')} skipped)"
        self.count.setText(text)
