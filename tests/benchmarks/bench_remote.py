"""By-hand benchmark of the remote layer (not a test): run it, read the ratios.

    .venv/bin/python tests/benchmarks/bench_remote.py [--hosts 20] [--vms 50] [--latency 0.3]

Against simulated hosts with a per-command latency (powershell.exe start + module load on a
real host), it measures in one run:

1. inventory of one host, then of all hosts in parallel: ratio (target <= 1.5);
2. applying 1,000 changes across all hosts (one batch per host, in parallel), as a ratio to
   one host's batch;
3. the naive way public scripts do it (one ``winrm.Session.run_ps`` per VM and service,
   ``Disable-VMIntegrationService -VMName ... -Name ...``), measured on a sample of changes
   and extrapolated to the same 1,000 (it would take minutes otherwise; the sample is printed).

The simulated hosts run in their own process (``hvgui-sim``), as real hosts are other
machines: in one process the 20 servers would compete with the client for the GIL.
The machine is shared and noisy: compare ratios within one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import winrm

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Inventory
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine

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
                      f'[[host]]\nname = "HV{h:02d}"\n[host.faults]\ncommand_latency_s = {args.latency}\n']
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

    timed(inventories(configs[:1]))  # warm-up: connection + NTLM handshake for host 0
    t_one = timed(inventories(configs[:1]))
    invs = asyncio.run(inventories(configs))  # connect everyone once
    t_all = timed(inventories(configs), "inventory")
    print(f"inventory: 1 host x {args.vms} VMs {t_one:.2f} s; {args.hosts} hosts in parallel {t_all:.2f} s; "
          f"ratio {t_all / t_one:.2f} (target <= 1.5); client CPU {cpu['inventory'] * 1000:.0f} ms "
          f"= {cpu['inventory'] * 1000 / args.hosts:.1f} ms per host")

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
