"""Take the README's pictures of the real window on the demo fleet (simulated hosts over real
WinRM, the engine in its worker process), after the first refresh:

- ``screenshot-1920x1080.png`` and ``screenshot-1366x768.png``: a pending change (web1: Guest
  services on) and a Data Exchange that does not answer, selected;
- ``details-2008r2-on-2012r2.png``: the details pane of a Windows Server 2008 R2 guest on the
  Windows Server 2012 R2 host (HV-LEGACY-01): version, state, guest OS, how it is updated.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python resources/make_screenshots.py`` (or under Xvfb
for the platform's own style). Writes next to this file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtWidgets import QApplication

import qasync  # isort: skip

from hvgui.core import catalog
from hvgui.remote.worker import ProcessEngine
from hvgui.ui.app import Demo
from hvgui.ui.controller import Controller
from hvgui.ui.main_window import MainWindow
from hvgui.ui.settings import Settings

HERE = Path(__file__).resolve().parent


def select(window: MainWindow, host: str, vm: str, guid: str) -> None:
    st = window.controller.state
    key = next(k for k, e in st.hosts.items() if e.name == host)
    vm_id = next(v.id for v in st.hosts[key].vms.values() if v.name == vm)
    idx = window.grid_model.cell_index((key, vm_id, guid))
    sm = window.grid.selectionModel()
    sm.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    sm.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
    window.grid.scrollTo(idx)
    window.grid.setFocus()
    window.details_pane.rebuild()


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)


async def shoot(demo: Demo, size: tuple[int, int], name: str, details: str | None, tmp: Path) -> None:
    engine = ProcessEngine(demo.credentials, audit_path=tmp / "audit.jsonl")
    controller = Controller(engine, demo.hosts, auto_refresh_s=0)
    window = MainWindow(controller, Settings(), settings_path=tmp / "settings.json", credentials=demo.credentials)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.setGeometry(QRect(0, 0, *size))
    window.show()
    done = asyncio.Event()
    controller.refreshFinished.connect(done.set)
    controller.refresh()
    await done.wait()
    await settle()
    st = controller.state
    web1 = next((k, v.id) for k, e in st.hosts.items() if e.name == "HV-NYC-01" for v in e.vms.values()
                if v.name == "web1")
    controller.set_target([(web1[0], web1[1], catalog.GUEST_SERVICE_INTERFACE)], True)
    select(window, "HV-PARIS-01", "Serveur d’impression", catalog.KVP)
    await settle()
    window.grab().save(str(HERE / name), "PNG")
    print("saved", HERE / name)
    if details:
        select(window, "HV-LEGACY-01", "dc-2008r2", catalog.KVP)
        await settle()
        window.details_pane.grab().save(str(HERE / details), "PNG")
        print("saved", HERE / details)
    window.close()
    await controller.close()
    engine.join(30)


async def main_async(tmp: Path) -> None:
    demo = Demo.start()
    try:
        await shoot(demo, (1920, 1080), "screenshot-1920x1080.png", "details-2008r2-on-2012r2.png", tmp)
        await shoot(demo, (1366, 768), "screenshot-1366x768.png", None, tmp)
    finally:
        demo.stop()


def main() -> int:
    import tempfile

    app: Any = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        loop.run_until_complete(main_async(Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
