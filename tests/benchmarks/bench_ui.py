"""By-hand benchmark of the window (not a test): how long the GUI thread stalls.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui.py [--hosts 20] [--vms 50]

The window is 1920x1080, on an offscreen screen of that size (the platform's own is 800x800).

Measures, with the real window, the real engine and simulated hosts over WinRM (the hosts run
in their own process, like real hosts on other machines):

1. the longest GUI-thread stall while refreshing every host (target < 16 ms: one frame);
2. the longest stall while applying 1,000 changes (one batch per host, in parallel), and
   while opening the plan preview of those 1,000 changes;
3. the time to fill the grid with 10,000 VMs (target < 150 ms; in-memory inventories, no network), and the
   longest stall while ticking 1,000 cells among them.

A stall is measured with a 2 ms ``QTimer``: the longest gap between two ticks, minus 2 ms; next to
it, the most CPU the GUI thread used between two ticks (``time.thread_time``), which other
processes on the machine do not inflate. The machine is shared and noisy: read the wall-clock stall
as an order of magnitude, and the CPU figure as what the window itself costs.

``--profile DIR`` profiles the GUI thread during each measured step (cProfile, one
``DIR/<step>.prof`` each; read with ``python -m pstats``) and prints its 12 costliest functions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A 1920x1080 screen: the offscreen platform's own is 800x800, which clamps the window to ~1300x800
# (a grid of 18 rows instead of 36, half the cells to paint).
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    _screen = Path(tempfile.mkdtemp(prefix="hvgui-bench-screen-")) / "screen.json"
    _screen.write_text('{"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080, '
                       '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}', encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import qasync  # isort: skip

from ui_helpers import FakeEngine, host_config, inventory, make_vm

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.worker import ProcessEngine
from hvgui.ui import gui_gc
from hvgui.ui.controller import Controller
from hvgui.ui.main_window import MainWindow

USER, PASSWORD = "bench", "bench-only-password"


PROFILE_DIR: Path | None = None
SAMPLER: Sampler | None = None


class Sampler:
    """Samples the GUI thread's stack every ~1 ms (``--sample``): what ran during the longest stall."""

    def __init__(self) -> None:
        import threading
        self.main = threading.get_ident()
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        self.on = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.on:
            frame = sys._current_frames().get(self.main)
            stack: list[str] = []
            while frame is not None and len(stack) < 40:
                code = frame.f_code
                stack.append(f"{Path(code.co_filename).name}:{code.co_name}")
                frame = frame.f_back
            self.samples.append((time.perf_counter(), tuple(stack)))
            time.sleep(0.001)

    def report(self, start: float, end: float) -> None:
        from collections import Counter
        inside = [st for t, st in self.samples if start <= t <= end]
        print(f"    {len(inside)} samples in the longest stall; innermost hvgui/Qt frames:")
        leaf: Counter[str] = Counter()
        for st in inside:
            mine = [f for f in st if not f.startswith(("bench_ui", "events.py", "__init__.py:", "base_events"))]
            leaf[" < ".join(mine[:4])] += 1
        for text, n in leaf.most_common(8):
            print(f"      {n:3d}  {text}")


class StallMeter:
    def __init__(self, interval_ms: int = 2) -> None:
        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = 0.0
        self.worst_cpu = 0.0
        self._last_cpu = 0.0

    def _tick(self) -> None:
        t, c = time.perf_counter(), time.thread_time()
        if t - self._last - self.interval > self.worst:
            self.worst_at = (self._last, t)
        self.worst = max(self.worst, t - self._last - self.interval)
        self.worst_cpu = max(self.worst_cpu, c - self._last_cpu)
        self._last, self._last_cpu = t, c

    def start(self, step: str = "") -> None:
        self.worst, self._last = 0.0, time.perf_counter()
        self.worst_at = (0.0, 0.0)
        self.worst_cpu, self._last_cpu = 0.0, time.thread_time()
        self._step, self._prof = step, None
        if PROFILE_DIR is not None and step:
            import cProfile
            self._prof = cProfile.Profile()
            self._prof.enable()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        if self._prof is not None:
            import pstats
            self._prof.disable()
            assert PROFILE_DIR is not None
            out = PROFILE_DIR / f"{self._step}.prof"
            self._prof.dump_stats(out)
            print(f"--- profile of {self._step} ({out}), by own time:")
            pstats.Stats(str(out)).sort_stats("tottime").print_stats(12)
        self.cpu_ms = self.worst_cpu * 1000
        if SAMPLER is not None and self.worst > 0:
            SAMPLER.report(*self.worst_at)
        return self.worst * 1000


async def until(pred: Callable[[], bool]) -> None:
    while not pred():
        await asyncio.sleep(0.005)


async def bench_fleet(args: argparse.Namespace, urls: list[str]) -> None:
    creds = MemoryCredentials()
    configs = []
    for i, url in enumerate(urls):
        cfg = HostConfig(url=url, auth=Auth.NTLM, username=USER, name=f"HV{i:02d}", timeout_s=600)
        creds.set(cfg, PASSWORD)
        configs.append(cfg)
    engine: Any = (Engine(creds, max_workers=32) if args.in_process
                   else ProcessEngine(creds, max_workers=32))  # what the window uses
    ctl = Controller(engine, configs, auto_refresh_s=0)
    window = MainWindow(ctl)
    window.resize(1920, 1080)  # a desktop's window
    assert window.size().height() == 1080, f"the window is {window.size()}: not on a 1920x1080 screen"
    window.show()
    meter = StallMeter()

    await ctl.refresh()  # connect everyone once (NTLM handshakes)
    meter.start("refresh")
    t = time.perf_counter()
    await ctl.refresh()
    print(f"refresh {args.hosts} hosts x {args.vms} VMs: {time.perf_counter() - t:.2f} s, "
          f"longest GUI stall {meter.stop():.1f} ms (GUI thread CPU {meter.cpu_ms:.1f} ms) (target < 16)")

    per_host = 1000 // args.hosts
    cells = []
    for cfg in configs:
        entry = ctl.state.hosts[cfg.key]
        mine = [(cfg.key, vm_id, s.guid) for vm_id in entry.vms for s in catalog.SERVICES
                if s.guid != catalog.HEARTBEAT]
        cells += mine[:per_host]
    meter.start("tick")
    ctl.set_target([c for c in cells if ctl.state.current(c)], False)  # every cell flips
    ctl.set_target([c for c in cells if not ctl.state.current(c)], True)
    QApplication.processEvents()
    tick_ms = meter.stop()
    meter.start("plan")
    dlg = window.open_plan()
    QApplication.processEvents()
    plan_ms = meter.stop()
    assert dlg is not None
    plan = dlg.plan
    dlg.close()
    meter.start("apply")
    t = time.perf_counter()
    summary = await ctl.apply(plan)
    print(f"tick {len(cells)} cells: stall {tick_ms:.1f} ms; open the plan of {plan.change_count} changes: "
          f"{plan_ms:.1f} ms; apply: {time.perf_counter() - t:.2f} s ({summary.text()}), "
          f"longest GUI stall {meter.stop():.1f} ms (GUI thread CPU {meter.cpu_ms:.1f} ms) (target < 16)")
    window.close()
    await ctl.close()


async def bench_10k() -> None:
    n = 10_000
    engine = FakeEngine({"HV-BIG": inventory("HV-BIG", [make_vm(f"vm{i:05d}") for i in range(n)])})
    ctl = Controller(engine, [host_config("HV-BIG")], auto_refresh_s=0)
    window = MainWindow(ctl)
    window.resize(1920, 1080)  # a desktop's window
    assert window.size().height() == 1080, f"the window is {window.size()}: not on a 1920x1080 screen"
    window.show()
    QApplication.processEvents()
    meter = StallMeter()
    meter.start("fill_10k")
    t, c = time.perf_counter(), time.thread_time()
    await ctl.refresh()
    QApplication.processEvents()
    fill, fill_cpu = time.perf_counter() - t, time.thread_time() - c
    meter.stop()
    # Let the fill settle first (the grid's notes are rebuilt 50 ms after rows change, moving the
    # grid once): a refresh with no change alone, not the tail of the fill.
    await asyncio.sleep(0.2)
    meter.start("refresh_10k_no_change")
    await ctl.refresh()  # nothing changed: the diff alone
    QApplication.processEvents()
    again = meter.stop()
    key = next(iter(ctl.state.hosts))
    cells = [(key, v, catalog.GUEST_SERVICE_INTERFACE) for v in list(ctl.state.hosts[key].vms)[::10]]
    meter.start("tick_10k")
    ctl.toggle(cells)
    QApplication.processEvents()
    tick = meter.stop()
    window.grid.scrollToBottom()
    meter.start("scroll_10k")
    QApplication.processEvents()
    scroll = meter.stop()
    print(f"10,000 VMs: fill the grid {fill * 1000:.0f} ms (GUI thread CPU {fill_cpu * 1000:.0f} ms) "
          f"(target < 150); refresh with no change: "
          f"stall {again:.1f} ms; tick 1,000 cells: stall {tick:.1f} ms; scroll to the bottom: {scroll:.1f} ms")
    window.close()
    await ctl.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--vms", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.3,
                    help="seconds per command or kept-alive request (default 0.3)")
    ap.add_argument("--realistic", action="store_true",
                    help="the simulator's realistic cost model instead of --latency (powershell.exe start, "
                         "Hyper-V module load, per VM and per change)")
    ap.add_argument("--profile", type=Path, metavar="DIR",
                    help="profile the GUI thread during each measured step (DIR/<step>.prof)")
    ap.add_argument("--sample", action="store_true",
                    help="sample the GUI thread's stack and print what ran during each step's longest stall")
    ap.add_argument("--in-process", action="store_true",
                    help="run the engine's threads in this process (the window uses a worker process)")
    args = ap.parse_args()
    if args.profile is not None:
        global PROFILE_DIR
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile

    if args.sample:
        global SAMPLER
        SAMPLER = Sampler()
    app = QApplication.instance() or QApplication([])
    gui_gc.install(app)  # as the app does: the collector on the GUI thread, what is loaded frozen
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    lines = []
    for h in range(args.hosts):
        lines += [f'[[host]]\nname = "HV{h:02d}"\nrealistic = true\n' if args.realistic else
                  f'[[host]]\nname = "HV{h:02d}"\n[host.costs]\nper_request_s = {args.latency}\n'
                  f'[host.faults]\ncommand_latency_s = {args.latency}\n']
        lines += [f'[[host.vm]]\nname = "vm-{h:02d}-{v:03d}"\n' for v in range(args.vms)]
    fleet_file = Path(tempfile.mkdtemp(prefix="hvgui-bench-")) / "fleet.toml"
    fleet_file.write_text("\n".join(lines), encoding="utf-8")
    sim = subprocess.Popen([sys.executable, "-m", "hvgui.simulator", "--fleet", str(fleet_file), "--user", USER],
                           stdout=subprocess.PIPE, text=True, env={**os.environ, "HVGUI_SIM_PASSWORD": PASSWORD})
    assert sim.stdout is not None
    urls = [sim.stdout.readline().split()[1] for _ in range(args.hosts)]

    async def both() -> Any:
        await bench_fleet(args, urls)
        await bench_10k()

    try:
        with loop:
            loop.run_until_complete(both())
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    main()
