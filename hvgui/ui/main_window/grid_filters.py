"""The bar above the grid: "Problems only", "Needs attention" (integration services updates),
filters by host, VM state, integration services state and service status, and how many VMs
match ("12 of 42 VMs")."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from hvgui.ui.i18n import tr
from hvgui.ui.meaning import GROUP_WORDS, Meaning
from hvgui.ui.models.service_grid import GridFilter, IsStateFilter, VmStateFilter
from hvgui.ui.state import HostEntry

_STATUSES = (Meaning.NOT_ANSWERING, Meaning.DEGRADED, Meaning.ERROR, Meaning.UNREADABLE, Meaning.WORKING,
             Meaning.OFF, Meaning.NO_STATUS)


class FilterBar(QWidget):
    changed = Signal(object)
    """The new :class:`GridFilter`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems = QCheckBox(tr("Problems only"))
        self.problems.setToolTip(tr("VMs with a service that is not answering, degraded or in error, integration "
                                 "services that need an update, or changes that failed (Alt+P)"))
        self.attention = QCheckBox(tr("Needs attention"))
        self.attention.setToolTip(tr("VMs whose integration services need an update, whose guest OS is not "
                                  "supported on its host, or whose updates are blocked by a disabled Data "
                                  "Exchange (or a pending change disabling it) (Alt+N)"))
        self.host = QComboBox()
        self.host.addItem(tr("All hosts"), None)
        self.vm_state = QComboBox()
        self.vm_state.addItem(tr("Any VM state"), None)
        for s in VmStateFilter:
            self.vm_state.addItem(tr(s.value), s)
        self.is_state = QComboBox()
        self.is_state.addItem(tr("Any version state"), None)
        for i in IsStateFilter:
            self.is_state.addItem(tr(i.value), i)
        self.status = QComboBox()
        self.status.addItem(tr("Any service status"), None)
        for m in _STATUSES:
            self.status.addItem(tr(GROUP_WORDS[m]), m.value)  # a str enum would arrive as a plain str
        tips = {self.host: tr("Only the VMs of this host"), self.vm_state: tr("Only VMs in this state"),
                self.is_state: tr("Integration services version state, as the host reports it"),
                self.status: tr("Only VMs with at least one service in this state")}
        names = {self.host: tr("Host filter"), self.vm_state: tr("VM state filter"),
                 self.is_state: tr("Integration services state filter"), self.status: tr("Service status filter")}
        for combo in (self.host, self.vm_state, self.is_state, self.status):
            combo.setToolTip(tips[combo])
            combo.setAccessibleName(names[combo])
            # Compact (a laptop's width is for the grid); the list that opens shows the words in full.
            # The resting words ("Any service status", "Tout statut de service") are read whole.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            fm = combo.fontMetrics()
            chars = -(-fm.horizontalAdvance(combo.itemText(0)) // max(1, fm.horizontalAdvance("x")))
            combo.setMinimumContentsLength(max(11, chars))
            combo.currentIndexChanged.connect(self._emit)
        self.problems.toggled.connect(self._emit)
        self.attention.toggled.connect(self._emit)
        self.count = QLabel()
        self.count.setAccessibleName(tr("VMs shown"))
        self.clear = QPushButton(tr("Clear filters"))
        self.clear.setFlat(True)
        self.clear.clicked.connect(self.reset)
        self.clear.setVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.problems)
        row.addWidget(self.attention)
        for combo in (self.host, self.vm_state, self.is_state, self.status):
            row.addWidget(combo)
        row.addWidget(self.clear)
        row.addStretch(1)
        row.addWidget(self.count)
        self._blocked = False

    def value(self) -> GridFilter:
        return GridFilter(problems_only=self.problems.isChecked(), host=self.host.currentData(),
                          vm_state=self.vm_state.currentData(), is_state=self.is_state.currentData(),
                          status=Meaning(self.status.currentData()) if self.status.currentData() else None,
                          needs_attention=self.attention.isChecked())

    def set_value(self, f: GridFilter) -> None:
        self._blocked = True
        try:
            self.problems.setChecked(f.problems_only)
            self.attention.setChecked(f.needs_attention)
            for combo, data in ((self.host, f.host), (self.vm_state, f.vm_state), (self.is_state, f.is_state),
                                (self.status, f.status.value if f.status else None)):
                combo.setCurrentIndex(max(0, combo.findData(data)))
        finally:
            self._blocked = False
        self._emit()

    def reset(self) -> None:
        self.set_value(GridFilter())

    def set_hosts(self, entries: list[HostEntry]) -> None:
        current = self.host.currentData()
        wanted = [(e.name, e.key) for e in entries]
        have = [(self.host.itemText(i), self.host.itemData(i)) for i in range(1, self.host.count())]
        if wanted == have:
            return
        self._blocked = True
        try:
            while self.host.count() > 1:
                self.host.removeItem(1)
            for name, key in wanted:
                self.host.addItem(name, key)
            self.host.setCurrentIndex(max(0, self.host.findData(current)))
        finally:
            self._blocked = False
        if self.host.currentData() != current:
            self._emit()

    def show_count(self, shown: int, in_scope: int) -> None:
        self.count.setText(tr("%n VM(s)", "", in_scope) if shown == in_scope
                           else tr("{shown} of %n VM(s)", "", in_scope).format(shown=shown))

    def _emit(self) -> None:
        if self._blocked:
            return
        f = self.value()
        self.clear.setVisible(f.active)
        self.changed.emit(f)
