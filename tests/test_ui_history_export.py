"""History and export: *Change history…* lists the changes applied (from the audit log the
engine writes), filtered by host, VM, user and date; *Export…* writes the VMs in view to a CSV
file a spreadsheet opens safely."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import getpass
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import ui_helpers
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog

from hvgui.core import catalog
from hvgui.remote.audit import append_lines
from hvgui.ui.history_dialog import HistoryDialog
from hvgui.ui.models.service_grid import GridFilter

qloop = ui_helpers.qloop
lab_factory = ui_helpers.lab_factory
Lab = ui_helpers.Lab

GSI, KVP, HB = catalog.GUEST_SERVICE_INTERFACE, catalog.KVP, catalog.HEARTBEAT
FORMULA = "=HYPERLINK(\"http://x\")"


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads UTF-8 right
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_export_writes_the_vms_in_view(lab_factory: Callable[..., Lab], qtbot: Any, tmp_path: Path) -> None:
    lab = lab_factory(hosts={"HV-A": [{"name": "print", "guest": {"vmickvpexchange": "stopped"}}, "web1",
                                      {"name": "old", "state": "Off"}],
                             "HV-B": ["数据库服务器", FORMULA]})
    w, ctl = lab.window, lab.controller
    ctl.set_target([lab.cell("HV-A", "web1", GSI)], True)
    path = tmp_path / "all.csv"
    assert w.export_csv(path) == 5
    rows = _read(path)
    header = rows[0]
    assert header[:4] == ["Host", "VM", "VM Id", "State"]
    assert header[4:10] == [s.label for s in catalog.SERVICES]
    assert header[10:] == ["Integration services version", "Integration services state", "Guest OS", "Updates",
                           "Needs attention", "Pending changes", "Summary"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert [r[1].removeprefix("'") for r in rows[1:]] == lab.grid_names()  # the grid's order
    assert by_name["print"]["Data Exchange"] == "Enabled, No Contact"
    assert by_name["print"]["Summary"].startswith("Needs a look: Data Exchange not answering")
    assert by_name["web1"]["Guest services"] == "Disabled"
    assert by_name["web1"]["Pending changes"] == "Guest services → Enabled"
    assert by_name["old"]["Heartbeat"] == "Enabled, no live status"
    assert "数据库服务器" in by_name
    assert "'" + FORMULA in by_name  # never a formula when opened
    assert by_name["web1"]["VM Id"] == lab.vm_id("HV-A", "web1")
    # Only what is in view: Problems only.
    w.grid_pane.filters.set_value(GridFilter(problems_only=True))
    assert w.export_csv(tmp_path / "problems.csv") == 1
    assert [r[1] for r in _read(tmp_path / "problems.csv")[1:]] == ["print"]
    # From the menu: a file dialog that does not block the event loop, then the file.
    dlg = w.export()
    assert isinstance(dlg, QFileDialog) and dlg.isVisible()
    dlg.selectFile(str(tmp_path / "chosen.csv"))
    dlg.accept()
    assert [r[1] for r in _read(tmp_path / "chosen.csv")[1:]] == ["print"]
    assert "Exported 1 VM to" in w.statusBar().currentMessage()


def test_history_lists_applied_changes_and_filters_them(lab_factory: Callable[..., Lab], qtbot: Any) -> None:
    lab = lab_factory()
    w, ctl = lab.window, lab.controller
    ctl.set_target([lab.cell("HV-A", "app1", GSI), lab.cell("HV-B", "web[1]", GSI)], True)
    lab.apply_through_plan()
    ctl.set_target([lab.cell("HV-A", "app2", HB)], False)
    lab.apply_through_plan()
    # Another admin's change, yesterday, with hvgui-cli: a domain login.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    base = {"batch": "b-cli", "user": "CORP\\alice", "host": "HV-B", "url": "https://hv-b/wsman",
            "vm_id": lab.vm_id("HV-B", "app1"), "vm_name": "app1", "service_guid": KVP, "service": "Data Exchange",
            "before": True, "target": False}
    append_lines(lab.audit_path, [base | {"time": yesterday.isoformat(), "event": "intent", "after": None,
                                          "result": "pending", "message": ""},
                                  base | {"time": yesterday.isoformat(), "event": "outcome", "after": False,
                                          "result": "changed", "message": "", "reconciled": False}])
    with lab.audit_path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")  # a damaged line is skipped, not fatal

    dlg = w.show_history()
    assert isinstance(dlg, HistoryDialog) and dlg.isVisible() and not dlg.isModal()
    qtbot.waitUntil(lambda: dlg.loaded, timeout=ui_helpers.LAB_TIMEOUT)
    me = getpass.getuser()
    assert dlg.model.rowCount() == 4
    assert "4 changes" in dlg.count.text() and "1 line of the log could not be read" in dlg.count.text()
    first = [dlg.model.index(0, c).data() for c in range(dlg.model.columnCount())]
    assert first[1:6] == [me, "HV-A", "app2", "Heartbeat", "Enabled → Disabled"] and first[6] == "Changed"

    def shown() -> list[tuple[str, str, str]]:
        return [(r.host, r.vm_name, r.user) for r in dlg.shown]

    dlg.host.setCurrentIndex(dlg.host.findData("HV-B"))
    assert sorted(shown()) == [("HV-B", "app1", "CORP\\alice"), ("HV-B", "web[1]", me)]
    assert dlg.count.text().startswith("2 of 4 changes")
    dlg.vm.setText("WEB[")
    assert shown() == [("HV-B", "web[1]", me)]
    dlg.vm.clear()
    dlg.user.setCurrentIndex(dlg.user.findData("CORP\\alice"))
    assert shown() == [("HV-B", "app1", "CORP\\alice")]
    assert dlg.model.index(0, 1).data() == "CORP\\alice"  # one backslash, as typed
    dlg.user.setCurrentIndex(0)
    dlg.host.setCurrentIndex(0)
    today = date.today()
    dlg.since.setDate(QDate(today.year, today.month, today.day))
    assert len(shown()) == 3 and ("HV-B", "app1", "CORP\\alice") not in shown()
    y = (datetime.now() - timedelta(days=1)).date()
    dlg.since.setDate(QDate(y.year, y.month, y.day))
    dlg.until.setDate(QDate(y.year, y.month, y.day))
    assert shown() == [("HV-B", "app1", "CORP\\alice")]
    dlg.close()
