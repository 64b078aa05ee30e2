"""By-hand benchmark of the remote layer (not a test): run it, read the ratios.

    .venv/bin/python tests/benchmarks/bench_remote.py [--hosts 20] [--vms 50] [--latency 0.3]
    .venv/bin/python tests/benchmarks/bench_remote.py --realistic [--profile]

Against simulated hosts, it measures in one run:

1. refreshes of every host (all in parallel) in hosts' kept-alive PowerShell, and the same refresh
   the one-command-per-operation way (``Engine(keep_alive=False)``): the ratio of a second (and
   later) refresh to the one-command refresh (target <= 0.1 with --realistic);
2. inventory of one host, then of all hosts in parallel: ratio (target <= 1.2), and the client's
   CPU per host inventory (target <= 3 ms); ``--profile`` prints where that CPU goes (cProfile);
3. applying 1,000 changes across all hosts (one batch per host, in parallel), as a ratio to
   one host's batch;
4. the naive way public scripts do it (one ``winrm.Session.run_ps`` per VM and service,
   ``Disable-VMIntegrationService -VMName ... -Name ...``), measured on a sample of changes
   and extrapolated to the same 1,000 (it would take minutes otherwise; the sample is printed).

Costs: ``--latency S`` makes every command and every request to a kept-alive PowerShell cost S
seconds (nothing else); ``--realistic`` is the simulator's cost model (``powershell.exe`` start
0.6 s and Hyper-V module load 1 s per process, 5 ms per request to a running one, 12 ms per VM
read by ``Get-VM`` and again by ``Get-VMIntegrationService``, 50 ms per change).
The simulated hosts run in their own processes (``hvgui-sim``), as real hosts are other
machines: in one process the 20 servers would compete with the client for the GIL.
The machine is shared and noisy: compare ratios within one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import winrm

from hvgui.core import catalog, contract
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Inventory
from hvgui.remote import scripts
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.transport import WinRMSession

USER, PASSWORD = "bench", "bench-only-password"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--vms", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.3, help="seconds per command (default 0.3)")
    ap.add_argument("--realistic", action="store_true",
                    help="the simulator's realistic cost model instead of --latency (powershell.exe start, "
                         "Hyper-V module load, per VM and per change)")
    ap.add_argument("--sim-procs", type=int, default=4, help="processes serving the simulated hosts")
    ap.add_argument("--naive-sample", type=int, default=40, help="naive run_ps calls actually made")
    ap.add_argument("--profile", action="store_true", help="profile the client during the parallel inventory")
    args = ap.parse_args()

    # The simulated hosts run in --sim-procs processes (real hosts do not share one GIL).
    workdir = Path(tempfile.mkdtemp(prefix="hvgui-bench-"))
    sims: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    for p in range(args.sim_procs):
        mine = [h for h in range(args.hosts) if h % args.sim_procs == p]
        lines = []
        for h in mine:
            lines += [f'[[host]]\nname = "HV{h:02d}"\nrealistic = true\n' if args.realistic else
                      f'[[host]]\nname = "HV{h:02d}"\n[host.costs]\nper_request_s = {args.latency}\n'
                      f'[host.faults]\ncommand_latency_s = {args.latency}\n']
            lines += [f'[[host.vm]]\nname = "vm-{h:02d}-{v:03d}"\n' for v in range(args.vms)]
        fleet_file = workdir / f"fleet{p}.toml"
        fleet_file.write_text("\n".join(lines), encoding="utf-8")
        sim = subprocess.Popen([sys.executable, "-m", "hvgui.simulator", "--fleet", str(fleet_file), "--user", USER],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "HVGUI_SIM_PASSWORD": PASSWORD})
        assert sim.stdout is not None
        urls += [sim.stdout.readline().split()[1] for _ in mine]
        sims.append(sim)
    per_host = 1000 // args.hosts
    try:
        run(args, urls, per_host)
    finally:
        for sim in sims:
            sim.terminate()
            sim.wait(10)


def run(args: argparse.Namespace, urls: list[str], per_host: int) -> None:
    creds = MemoryCredentials()
    configs = []
    for i, url in enumerate(urls):
        cfg = HostConfig(url=url, auth=Auth.NTLM, username=USER, name=f"HV{i:02d}", timeout_s=600)
        creds.set(cfg, PASSWORD)
        configs.append(cfg)
    engine = Engine(creds, max_workers=32)

    async def inventories(cfgs: list[HostConfig]) -> list[Inventory]:
        return list(await asyncio.gather(*(engine.inventory(c) for c in cfgs)))

    async def applies(plans: list[tuple[HostConfig, list[Change]]]) -> None:
        await asyncio.gather(*(engine.apply(c, ch) for c, ch in plans))

    cpu: dict[str, float] = {}

    def timed(fn: object, label: str = "") -> float:
        t, c = time.perf_counter(), time.process_time()
        asyncio.run(fn)  # type: ignore[arg-type]
        cpu[label] = time.process_time() - c
        return time.perf_counter() - t

    what = "realistic costs" if args.realistic else f"{args.latency:g} s per command or request"
    print(f"{args.hosts} hosts x {args.vms} VMs, {what}")
    # The one-command-per-operation way (as before the kept-alive PowerShell), same hosts, same run.
    by_command = Engine(creds, max_workers=32, keep_alive=False)

    def inventories_with(eng: Engine, cfgs: list[HostConfig]) -> Any:
        async def go() -> list[Inventory]:
            return list(await asyncio.gather(*(eng.inventory(c) for c in cfgs)))
        return go()

    asyncio.run(inventories_with(by_command, configs))  # connect everyone once (NTLM, shell)
    t_cmd_one = min(timed(inventories_with(by_command, configs[:1])) for _ in range(2))
    t_cmd = timed(inventories_with(by_command, configs), "by-command")
    by_command.close(wait=True)
    asyncio.run(inventories(configs[:1]))
    t_ka_one = min(timed(inventories(configs[:1])) for _ in range(2))
    print(f"refresh of 1 host: one command {t_cmd_one:.2f} s; kept-alive PowerShell {t_ka_one:.2f} s; "
          f"ratio {t_ka_one / t_cmd_one:.3f}")
    t_first = timed(inventories(configs))  # starts every host's kept-alive PowerShell
    t_second = timed(inventories(configs))
    t_third = timed(inventories(configs))
    print(f"refresh of {args.hosts} hosts: one command per refresh {t_cmd:.2f} s; kept-alive PowerShell: "
          f"first {t_first:.2f} s, second {t_second:.2f} s, third {t_third:.2f} s; ratio second/one-command "
          f"{t_second / t_cmd:.3f}, third/one-command {t_third / t_cmd:.3f} (target <= 0.1)")

    t_one = min(timed(inventories(configs[:1])) for _ in range(3))
    t_all = timed(inventories(configs), "inventory")
    invs = asyncio.run(inventories(configs))
    print(f"inventory: 1 host x {args.vms} VMs {t_one:.3f} s; {args.hosts} hosts in parallel {t_all:.3f} s; "
          f"ratio {t_all / t_one:.2f} (target <= 1.2); client CPU {cpu['inventory'] * 1000:.0f} ms "
          f"= {cpu['inventory'] * 1000 / args.hosts:.1f} ms per host (target <= 3; one-command way: "
          f"{cpu['by-command'] * 1000 / args.hosts:.1f} ms per host)")
    # One host's inventories one after the other on this thread: the client's CPU per inventory
    # without contention, and (--profile) where it goes.
    session = WinRMSession(configs[0], creds)
    session.run_operation(scripts.INVENTORY, contract.inventory_request())
    profiler = cProfile.Profile() if args.profile else None
    rounds = 20
    c = time.process_time()
    if profiler is not None:
        profiler.enable()
    for _ in range(rounds):
        contract.parse_inventory(session.run_operation(scripts.INVENTORY, contract.inventory_request()))
    if profiler is not None:
        profiler.disable()
    print(f"client CPU of one inventory ({args.vms} VMs), one host at a time: "
          f"{(time.process_time() - c) * 1000 / rounds:.1f} ms")
    session.close()
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        print(out.getvalue())

    def changes_for(inv: Inventory) -> list[Change]:
        out: list[Change] = []
        for vm in inv.vms:
            for s in catalog.SERVICES:
                if len(out) < per_host and s.guid != catalog.HEARTBEAT:
                    out.append(Change(vm.id, s.guid, s.default_enabled, not s.default_enabled))
        return out

    # Host 0 alone, then all hosts at once (host 0 flips back), 1,000 changes in all.
    off = [(c, changes_for(inv)) for c, inv in zip(configs, invs, strict=True)]
    t_one_apply = timed(applies(off[:1]))
    back = [Change(ch.vm_id, ch.service_guid, ch.target, ch.expected) for ch in off[0][1]]
    every = [(configs[0], back), *off[1:]]
    total = sum(len(ch) for _, ch in every)
    t_all_apply = timed(applies(every))
    print(f"apply: 1 host x {len(off[0][1])} changes {t_one_apply:.2f} s; {len(every)} hosts in parallel "
          f"({total} changes) {t_all_apply:.2f} s; ratio {t_all_apply / t_one_apply:.2f}")
    engine.close()

    # The naive way: one Session.run_ps per VM and service (new shell, new connection, new
    # NTLM handshake each time, names spliced into the script).
    sample = [(url, vm.name, catalog.get(s.guid).english_name)  # type: ignore[union-attr]
              for url, inv in zip(urls, invs, strict=True) for vm in inv.vms
              for s in catalog.SERVICES if s.guid == catalog.TIME_SYNC][: args.naive_sample]
    t = time.perf_counter()
    for url, vm_name, svc in sample:
        session = winrm.Session(url, auth=(USER, PASSWORD), transport="ntlm")
        r = session.run_ps(f"Disable-VMIntegrationService -VMName '{vm_name}' -Name '{svc}'")
        assert r.status_code == 0, r.std_err
    t_naive_sample = time.perf_counter() - t
    per_call = t_naive_sample / len(sample)
    print(f"naive: {len(sample)} run_ps calls {t_naive_sample:.2f} s = {per_call:.3f} s per change; "
          f"1,000 changes sequentially ~ {per_call * 1000:.0f} s (extrapolated), "
          f"i.e. {per_call * 1000 / t_all_apply:.0f}x hvgui's batched apply of {total} "
          f"({t_all_apply:.2f} s measured above)")


if __name__ == "__main__":
    main()
