"""The status bar: hosts connected / failed, pending changes, last refresh."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.i18n import tr


class StatusBar(QStatusBar):
    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.hosts = QLabel()
        self.pending = QLabel()
        self.refresh = QLabel()
        # Fixed widths: a label whose text changes size would re-lay out (and repaint) the
        # whole window on every refresh.
        fm = self.fontMetrics()
        for w, sample in ((self.hosts, tr("888 hosts connected, 888 failed, 888 connecting")),
                          (self.pending, tr("  Pending changes: 88888 (88888 failed)  ")),
                          (self.refresh, tr("Last refresh: 88:88:88"))):
            w.setFixedWidth(fm.horizontalAdvance(sample) + 12)
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.addPermanentWidget(w)
    def show_counts(self) -> None:
        st = self.controller.state
        ok, failed, connecting = st.counts()
        parts = [tr("%n host(s) connected", "", ok)]
        if failed:
            parts.append(f"<span style='color:{look.RED}'><b>{tr('{n} failed').format(n=failed)}</b></span>")
        if connecting:
            parts.append(tr("{n} connecting").format(n=connecting))
        self.hosts.setText(", ".join(parts))
        n = len(st.pending)
        nf = len(st.failed_cells())
        nu = len(st.unknown_cells())
        notes = ([tr("{n} failed").format(n=nf)] if nf else []) + ([tr("{n} outcome unknown").format(n=nu)]
                                                                   if nu else [])
        self.pending.setText("  " + tr("Pending changes: <b>{n}</b>").format(n=n)
                             + (f" ({', '.join(notes)})" if notes else "") + "  ")
        last = st.last_refresh()
        self.refresh.setText(tr("Last refresh: ") + (time.strftime("%H:%M:%S", time.localtime(last)) if last else "—"))
