"""Keeping integration services up to date: the seed's three tables (transcribed here from the
French document, independently of hvgui/core/data/update_advice.toml), the advice hvgui gives
through ``hvgui-cli inventory --json`` on simulated hosts, the plan's warning when Data Exchange
is about to be disabled on a guest that needs it, and the setup disk on older hosts."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvgui.core import advice, catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import VM, DiskOutcome, HostFacts, ServiceState
from hvgui.remote import cli
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.simulator.hyperv import VMGUEST_ISO, HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

WU, DISK, PKG = "windows_update", "setup_disk", "package_manager"
KVP, EXT, NOTSUP, NOMAIN, KERNEL, INSTR = ("requires_data_exchange", "extended_support_only", "not_supported_on_host",
                                           "no_mainstream_support", "built_into_kernel", "setup_disk_instructions")

# (seed table, guest OS name as a host reports it, mechanism, note): every row of the seed's tables.
SEED_ROWS = [
    # "Pour les ordinateurs virtuels qui s'exécutent sur des hôtes Windows 10/Windows Server 2016/2019"
    ("2016", "Windows 10 Enterprise", WU, ""),
    ("2016", "Windows 8.1 Pro", WU, ""),
    ("2016", "Windows 8 Enterprise", WU, KVP),
    ("2016", "Windows 7 Enterprise", WU, KVP),
    ("2016", "Windows Vista Business", WU, KVP),
    ("2016", "Windows Server 2016 Datacenter", WU, ""),
    ("2016", "Windows Server Datacenter", WU, ""),  # semi-annual channel
    ("2016", "Windows Server 2012 R2 Standard", WU, ""),
    ("2016", "Windows Server 2012 Standard", WU, KVP),
    ("2016", "Windows Server 2008 R2 Datacenter", WU, KVP),
    ("2016", "Windows Server 2008 Enterprise", WU, EXT),
    ("2016", "Windows Home Server 2011", WU, NOTSUP),
    ("2016", "Windows Small Business Server 2011 Standard", WU, NOMAIN),
    ("2016", "Ubuntu 24.04 LTS", PKG, KERNEL),
    # "... hôtes Windows 8.1 2012 R2/Windows Server"
    ("2012R2", "Windows 10 Enterprise", WU, ""),
    ("2012R2", "Windows 8.1 Pro", DISK, INSTR),
    ("2012R2", "Windows 8 Pro", DISK, INSTR),
    ("2012R2", "Windows 7 Professional", DISK, INSTR),
    ("2012R2", "Windows Vista Ultimate", DISK, INSTR),
    ("2012R2", "Windows XP Professional", DISK, INSTR),
    ("2012R2", "Windows Server 2016 Standard", WU, ""),
    ("2012R2", "Windows Server Standard", WU, ""),
    ("2012R2", "Windows Server 2012 R2 Datacenter", DISK, INSTR),
    ("2012R2", "Windows Server 2012 Datacenter", DISK, INSTR),
    ("2012R2", "Windows Server 2008 R2 Enterprise", DISK, INSTR),
    ("2012R2", "Windows Server 2008 Standard", DISK, INSTR),
    ("2012R2", "Windows Home Server 2011", DISK, INSTR),
    ("2012R2", "Windows Small Business Server 2011 Essentials", DISK, INSTR),
    ("2012R2", "Windows Server 2003 R2 Enterprise Edition", DISK, INSTR),
    ("2012R2", "Windows Server 2003 Standard Edition", DISK, INSTR),
    ("2012R2", "Red Hat Enterprise Linux 9.4", PKG, KERNEL),
    # "... hôtes Windows 8/Windows Server 2012"
    ("2012", "Windows 8.1 Enterprise", DISK, INSTR),
    ("2012", "Windows 8 Enterprise", DISK, INSTR),
    ("2012", "Windows 7 Ultimate", DISK, INSTR),
    ("2012", "Windows Vista Enterprise", DISK, INSTR),
    ("2012", "Windows XP Professional", DISK, INSTR),
    ("2012", "Windows Server 2012 R2 Standard", DISK, INSTR),
    ("2012", "Windows Server 2012 Standard", DISK, INSTR),
    ("2012", "Windows Server 2008 R2 Standard", DISK, INSTR),
    ("2012", "Windows Server 2008 Datacenter", DISK, INSTR),
    ("2012", "Windows Home Server 2011", DISK, INSTR),
    ("2012", "Windows Small Business Server 2011 Standard", DISK, INSTR),
    ("2012", "Windows Server 2003 R2 Standard Edition", DISK, INSTR),
    ("2012", "Windows Server 2003 Enterprise Edition", DISK, INSTR),
    ("2012", "Debian GNU/Linux 12", PKG, KERNEL),
]
_FACTS = {"2012": HostFacts("H", "Microsoft Windows Server 2012 Datacenter", "6.2.9200"),
          "2012R2": HostFacts("H", "Microsoft Windows Server 2012 R2 Datacenter", "6.3.9600"),
          "2016": HostFacts("H", "Microsoft Windows Server 2016 Datacenter", "10.0.14393")}


def _vm(guest: str, kvp: bool = True, state: str = "Running") -> VM:
    return VM("11111111-0000-0000-0000-000000000001", "vm", state, guest_os=guest,
              services=(ServiceState(catalog.KVP, "Key-Value Pair Exchange", kvp),))


@pytest.mark.parametrize(("table", "guest", "mechanism", "note"), SEED_ROWS)
def test_every_row_of_the_seeds_tables(table: str, guest: str, mechanism: str, note: str) -> None:
    a = advice.advise(_FACTS[table], _vm(guest))
    assert a.mechanism is not None, a.reason
    assert (a.mechanism.value, a.note.value) == (mechanism, note)
    assert a.row is not None and a.row.seed and a.row.table == table


def test_the_data_file_holds_exactly_the_seeds_rows() -> None:
    seed_rows = [r for r in advice.rows() if r.seed]
    assert len(seed_rows) == len(SEED_ROWS) == 45
    assert {(r.table, r.guest) for r in seed_rows} == {(advice.find_row(t if t != "2016" else "2019", g).table,  # type: ignore[union-attr]
                                                        advice.find_row(t if t != "2016" else "2019", g).guest)  # type: ignore[union-attr]
                                                       for t, g, _, _ in SEED_ROWS}


def test_later_hosts_and_unknowns() -> None:
    later = HostFacts("H", "Microsoft Windows Server 2025 Datacenter", "10.0.26100")
    assert advice.advise(later, _vm("Windows 7 Enterprise")).note is advice.Note.REQUIRES_DATA_EXCHANGE
    assert advice.advise(later, _vm("Windows Server 2022 Datacenter")).mechanism is advice.Mechanism.WINDOWS_UPDATE
    off = VM("x", "vm", "Off")
    assert advice.advise(later, off).reason == "guest OS unknown: the VM is not running"
    assert "Data Exchange is off" in advice.advise(later, VM("x", "vm", "Running")).reason
    assert "not in the update table" in advice.advise(_FACTS["2012"], _vm("Windows 10 Enterprise")).reason
    assert advice.has_setup_disk(_FACTS["2012R2"]) and not advice.has_setup_disk(later)


def test_data_exchange_disabled_blocks_the_update_path() -> None:
    a = advice.advise(_FACTS["2016"], _vm("Windows 7 Enterprise", kvp=False))
    assert a.blocked and a.needs_attention and "BLOCKED" in a.text
    assert not advice.advise(_FACTS["2016"], _vm("Windows 10 Enterprise", kvp=False)).blocked
    # A pending change counts: about to be disabled.
    assert advice.advise(_FACTS["2016"], _vm("Windows 7 Enterprise"), kvp_enabled=False).blocked


# ---------------------------------------------------------------- through the CLI, over real WinRM

USER, PASSWORD = "advice-admin", "advice-test-pw-1"


@pytest.fixture
def fleet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, tuple[HyperVHost, HostEndpoint]]]:
    monkeypatch.setenv("HVGUI_ADVICE_PW", PASSWORD)
    monkeypatch.setattr(cli, "default_audit_path", lambda: tmp_path / "audit.jsonl")
    hosts = {"2012": HyperVHost("HV-2012", os="2012", logins=[Login(USER, PASSWORD)]),
             "2012R2": HyperVHost("HV-2012R2", os="2012R2", logins=[Login(USER, PASSWORD)]),
             "2016": HyperVHost("HV-2019", os="2019", logins=[Login(USER, PASSWORD)])}
    for i, (table, guest, _, _) in enumerate(SEED_ROWS):
        hosts[table].add_vm(f"vm{i:02d}", guest_os=guest)
    eps = {k: HostEndpoint(h) for k, h in hosts.items()}
    for ep in eps.values():
        ep.start()
    try:
        yield {k: (hosts[k], eps[k]) for k in hosts}
    finally:
        for ep in eps.values():
            ep.stop()


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = asyncio.run(cli.run(cli.build_parser().parse_args(args), out, err))
    return code, out.getvalue(), err.getvalue()


def host_args(fleet: dict[str, tuple[HyperVHost, HostEndpoint]], *keys: str) -> list[str]:
    out: list[str] = []
    for k in keys or tuple(fleet):
        out += ["--host", fleet[k][1].url]
    return [*out, "--user", USER, "--password-env", "HVGUI_ADVICE_PW"]


def test_cli_inventory_json_gives_the_seeds_advice_for_every_pair(
        fleet: dict[str, tuple[HyperVHost, HostEndpoint]]) -> None:
    code, out, err = run_cli([*host_args(fleet), "inventory", "--json"])
    assert code == 0, err
    got = {}
    for host_doc in json.loads(out):
        for vm in host_doc["vms"]:
            got[(host_doc["host"]["name"], vm["name"])] = vm["advice"]
    table_host = {"2012": "HV-2012", "2012R2": "HV-2012R2", "2016": "HV-2019"}
    for i, (table, guest, mechanism, note) in enumerate(SEED_ROWS):
        a = got[(table_host[table], f"vm{i:02d}")]
        assert (a["mechanism"], a["note"] or "") == (mechanism, note), guest
    docs = {d["host"]["name"]: d for d in json.loads(out)}
    assert docs["HV-2012R2"]["has_setup_disk"] and not docs["HV-2019"]["has_setup_disk"]


def test_cli_inventory_says_unknown_guest_os_plainly(fleet: dict[str, tuple[HyperVHost, HostEndpoint]]) -> None:
    host, _ = fleet["2016"]
    off = host.add_vm("stopped-one", state="Off", guest_os="Windows Server 2019 Datacenter")
    quiet = host.add_vm("no-kvp", guest_os="Windows 7 Enterprise", enabled={"Key-Value Pair Exchange": False})
    code, out, _ = run_cli([*host_args(fleet, "2016"), "inventory", "--csv", "--vm-id", off.id, "--vm-id", quiet.id])
    assert code == 0
    assert "unknown (VM not running)" in out and "unknown (Data Exchange off or not answering)" in out


def test_plan_warns_before_disabling_data_exchange_that_updates_need(
        fleet: dict[str, tuple[HyperVHost, HostEndpoint]]) -> None:
    code, out, _ = run_cli([*host_args(fleet, "2016"), "plan", "--vm", "vm0[23]", "--disable", "Data Exchange"])
    assert code == 0
    warnings = [ln for ln in out.splitlines() if "WARNING" in ln]
    # vm02 is Windows 8, vm03 Windows 7: both need Data Exchange for Windows Update.
    assert len(warnings) == 2 and all("stops its integration services updates" in w for w in warnings)
    code, out, _ = run_cli([*host_args(fleet, "2016"), "plan", "--vm", "vm00", "--disable", "Data Exchange"])
    assert "WARNING" not in out  # Windows 10 does not need it


def test_setup_disk_on_an_older_host_and_not_on_a_2019_host(
        fleet: dict[str, tuple[HyperVHost, HostEndpoint]], tmp_path: Path) -> None:
    old, _ = fleet["2012R2"]
    new, _ = fleet["2016"]
    ok = old.add_vm("disk-ok")
    none = old.add_vm("disk-nodrive", dvd=None)
    busy = old.add_vm("disk-busy", dvd="D:\\ISO\\tools.iso")
    recent = new.add_vm("disk-recent")
    code, out, err = run_cli([*host_args(fleet, "2012R2", "2016"), "setup-disk", "--vm", "disk-*", "--yes"])
    assert code == 1, err  # two VMs could not get it
    assert "HV-2019: not offered: this host is Windows Server 2016 or later" in out
    assert "disk-ok: Setup disk inserted" in out
    assert "disk-nodrive: No DVD drive: This VM has no DVD drive: add one (Add-VMDvdDrive)" in out
    assert "disk-busy: Another disk is in the drive (not replaced): The DVD drive holds D:\\ISO\\tools.iso" in out
    assert "the guest's administrator installs" in out
    assert old.vm(ok.id).dvd == VMGUEST_ISO  # type: ignore[union-attr]
    assert old.vm(busy.id).dvd == "D:\\ISO\\tools.iso"  # type: ignore[union-attr]
    assert old.vm(none.id).dvd is None and new.vm(recent.id).dvd == ""  # type: ignore[union-attr]
    records = [json.loads(ln) for ln in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    mine = [r for r in records if r.get("action") == "insert_setup_disk"]
    assert [(r["event"], r["vm_name"], r["result"]) for r in mine if r["event"] == "outcome"] == [
        ("outcome", "disk-ok", "inserted"), ("outcome", "disk-nodrive", "no_dvd_drive"),
        ("outcome", "disk-busy", "disk_present")]
    assert sum(1 for r in mine if r["event"] == "intent") == 3
    # Asked to, it replaces the other disk.
    code, out, _ = run_cli([*host_args(fleet, "2012R2"), "setup-disk", "--vm-id", busy.id, "--replace", "--yes"])
    assert code == 0 and old.vm(busy.id).dvd == VMGUEST_ISO  # type: ignore[union-attr]
    assert "Replaced D:\\ISO\\tools.iso" in out


def test_engine_setup_disk_results(fleet: dict[str, tuple[HyperVHost, HostEndpoint]]) -> None:
    host, ep = fleet["2016"]
    vm = host.add_vm("new-host-vm")
    cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name="HV-2019")
    creds = MemoryCredentials()
    creds.set(cfg, PASSWORD)
    engine = Engine(creds, audit=AuditLog(None))
    try:
        [r] = asyncio.run(engine.insert_setup_disk(cfg, [(vm.id, vm.name)]))
    finally:
        engine.close(wait=True)
    assert r.outcome is DiskOutcome.NO_SETUP_DISK and "Windows Server 2016 and later" in r.message
