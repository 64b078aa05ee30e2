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
from hvgui.ui.i18n import QT_TR_NOOP, tr
from hvgui.ui.words import plain_tip

COLUMNS = (QT_TR_NOOP("When"), QT_TR_NOOP("User"), QT_TR_NOOP("Host"), QT_TR_NOOP("VM"), QT_TR_NOOP("Service"),
           QT_TR_NOOP("Change"), QT_TR_NOOP("Result"))
ANY = QT_TR_NOOP("(any)")


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class HistoryDialog(QDialog):
    def __init__(self, source: Path | list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Change history"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 560)
        self.source = source
        self.rows: list[HistoryRow] = []
        self.shown: list[HistoryRow] = []
        self.loaded = False
        self.bad_lines = 0

        self.host = QComboBox()
        self.user = QComboBox()
        for combo, name in ((self.host, tr("Host")), (self.user, tr("User"))):
            combo.addItem(tr(ANY), None)
            combo.setAccessibleName(tr("{name} filter").format(name=name))
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.vm = QLineEdit()
        self.vm.setPlaceholderText(tr("VM name or Id"))
        self.vm.setClearButtonEnabled(True)
        self.vm.setAccessibleName(tr("VM filter"))
        self.vm.textChanged.connect(lambda _t: self.apply_filter())
        self.since = QDateEdit()
        self.until = QDateEdit()
        for edit, name in ((self.since, tr("From date")), (self.until, tr("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setDate(QDate.currentDate())
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.count = QLabel(tr("Reading the audit log…"))
        reload_button = QPushButton(tr("Reload"))
        reload_button.setAutoDefault(False)
        reload_button.clicked.connect(self.reload)
        close = QPushButton(tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.close)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(FocusDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAccessibleName(tr("Changes applied"))
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((150, 110, 120, 190, 170, 160)):
            self.table.setColumnWidth(col, width)

        filters = QHBoxLayout()
        for label, widget in ((tr("Host:"), self.host), (tr("VM:"), self.vm), (tr("User:"), self.user),
                              (tr("From:"), self.since), (tr("To:"), self.until)):
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
            combo.addItem(tr(ANY), None)
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
            items[3].setToolTip(plain_tip(tr("{name}\nVM Id: {id}").format(name=r.vm_name, id=r.vm_id)))
            items[6].setToolTip(plain_tip(items[6].text()))
            if not r.ok:
                items[6].setForeground(red)
            self.model.appendRow(items)
        text = (tr("%n change(s)", "", len(self.rows)) if len(self.shown) == len(self.rows)
                else tr("{shown} of %n change(s)", "", len(self.rows)).format(shown=len(self.shown)))
        if not self.rows:
            text = tr("No change has been applied from this computer yet.")
        if self.bad_lines:
            n = self.bad_lines
            text += " " + tr("(%n line(s) of the log could not be read and is|are skipped)", "", n)
        self.count.setText(text)
