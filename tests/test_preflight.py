"""Each operation checks the host first, by executing the scripts' own preflight on simulated
hosts: Windows PowerShell too old, the Hyper-V role without its PowerShell module, an account
that WinRS admits but Hyper-V does not. Each is its own error, in words with the fix, in the
engine, the CLI and the window; nothing is changed on such a host."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ui_helpers

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change
from hvgui.remote import cli
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.simulator.fleet import parse_fleet
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

qloop = ui_helpers.qloop
USER, PASSWORD = "ops", "preflight-test-pw"

FLEET = f"""
[[host]]
name = "HV-2008R2"
os = "2012"
powershell = "2.0"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
[[host.vm]]
name = "old"

[[host]]
name = "HV-NOMODULE"
os = "2019"
locale = "de-DE"
hyperv_module = false
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
[[host.vm]]
name = "vm"

[[host]]
name = "HV-RMU"
os = "2022"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
admin = false
remote_management = true
[[host.vm]]
name = "vm"

[[host]]
name = "HV-HVADMIN"
os = "2012R2"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
admin = false
remote_management = true
hyperv_admin = true
[[host.vm]]
name = "vm"
"""


@pytest.fixture
def fleet() -> Iterator[dict[str, tuple[HyperVHost, HostConfig]]]:
    hosts = parse_fleet(FLEET, "preflight.toml")
    eps = [HostEndpoint(h) for h in hosts]
    for ep in eps:
        ep.start()
    try:
        yield {ep.host.name: (ep.host, HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=ep.host.name,
                                                  timeout_s=20)) for ep in eps}
    finally:
        for ep in eps:
            ep.stop()


def _engine(configs: list[HostConfig]) -> Engine:
    creds = MemoryCredentials()
    for c in configs:
        creds.set(c, PASSWORD)
    return Engine(creds)


async def _inventory_error(engine: Engine, cfg: HostConfig) -> HostError:
    with pytest.raises(HostError) as info:
        await engine.inventory(cfg)
    return info.value


def test_each_preflight_failure_is_its_own_error_with_the_fix(
        fleet: dict[str, tuple[HyperVHost, HostConfig]]) -> None:
    engine = _engine([c for _, c in fleet.values()])
    try:
        old = asyncio.run(_inventory_error(engine, fleet["HV-2008R2"][1]))
        assert old.kind is ErrorKind.POWERSHELL_TOO_OLD
        assert "runs Windows PowerShell 2.0" in old.message and "3.0 or later" in old.message

        nomod = asyncio.run(_inventory_error(engine, fleet["HV-NOMODULE"][1]))
        assert nomod.kind is ErrorKind.HYPERV_MODULE_MISSING
        assert nomod.message == ("HV-NOMODULE has no Hyper-V PowerShell module: run Install-WindowsFeature "
                                 "Hyper-V-PowerShell on the host (as an administrator)")

        rmu = asyncio.run(_inventory_error(engine, fleet["HV-RMU"][1]))
        assert rmu.kind is ErrorKind.NOT_HYPERV_ADMIN
        assert "Hyper-V Administrators" in rmu.message and repr(USER) in rmu.message

        # Hyper-V Administrators without Administrators (admitted through Remote Management
        # Users): enough for hvgui, on a 2012 R2 host (PowerShell 4.0).
        inv = asyncio.run(engine.inventory(fleet["HV-HVADMIN"][1]))
        assert [v.name for v in inv.vms] == ["vm"]
    finally:
        engine.close(wait=True)


def test_apply_is_refused_before_anything_changes(fleet: dict[str, tuple[HyperVHost, HostConfig]]) -> None:
    host, cfg = fleet["HV-RMU"]
    vm = host.vms[0]
    engine = _engine([cfg])
    try:
        with pytest.raises(HostError) as info:
            asyncio.run(engine.apply(cfg, [Change(vm.id, catalog.VSS, True, False)]))
        assert info.value.kind is ErrorKind.NOT_HYPERV_ADMIN
        assert host.vm(vm.id).enabled[catalog.VSS] is True  # type: ignore[union-attr]
    finally:
        engine.close(wait=True)


def test_the_cli_says_it(fleet: dict[str, tuple[HyperVHost, HostConfig]], monkeypatch: pytest.MonkeyPatch,
                         tmp_path: Path) -> None:
    monkeypatch.setenv("HVGUI_PREFLIGHT_PW", PASSWORD)
    monkeypatch.setattr(cli, "default_audit_path", lambda: tmp_path / "audit.jsonl")
    out, err = io.StringIO(), io.StringIO()
    args = ["--host", fleet["HV-NOMODULE"][1].url, "--host", fleet["HV-HVADMIN"][1].url, "--user", USER,
            "--password-env", "HVGUI_PREFLIGHT_PW", "inventory"]
    code = asyncio.run(cli.run(cli.build_parser().parse_args(args), out, err))
    assert code == 1
    assert "Install-WindowsFeature Hyper-V-PowerShell" in err.getvalue()
    assert "No Hyper-V PowerShell module" in err.getvalue()
    assert "HV-HVADMIN" in out.getvalue()  # the other host is listed all the same


def test_the_window_says_it(qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path,
                            fleet: dict[str, tuple[HyperVHost, HostConfig]]) -> None:
    from hvgui.ui.controller import Controller
    from hvgui.ui.main_window import MainWindow
    from hvgui.ui.state import HostStatus

    cfg = fleet["HV-2008R2"][1]
    creds = MemoryCredentials()
    creds.set(cfg, PASSWORD)
    ctl = Controller(Engine(creds), [cfg], auto_refresh_s=0)
    w = MainWindow(ctl, hosts_file=tmp_path / "hosts.json", credentials=creds)
    qtbot.addWidget(w)
    w.show()
    try:
        ctl.refresh()
        entry = ctl.state.hosts[cfg.key]
        qtbot.waitUntil(lambda: entry.status is HostStatus.FAILED, timeout=20_000)
        assert entry.error is not None and entry.error.kind is ErrorKind.POWERSHELL_TOO_OLD
        qtbot.waitUntil(lambda: "runs Windows PowerShell 2.0" in w.grid_hint.text())
    finally:
        w.close()
        task = asyncio.ensure_future(ctl.close())
        qtbot.waitUntil(task.done, timeout=20_000)


def test_unknown_login_flags_refused_in_fleet_file() -> None:
    from hvgui.simulator.fleet import FleetError

    with pytest.raises(FleetError, match="powershell"):
        parse_fleet('[[host]]\nname = "A"\npowershell = "7.4"\n', "f.toml")
    with pytest.raises(FleetError, match="hyperv_admin"):
        parse_fleet('[[host]]\nname = "A"\n[[host.login]]\nuser = "u"\nhyperv_admin = "yes"\n', "f.toml")
    assert Login("u", "p", admin=False).winrs_allowed is False
