"""The local transport (powershell.exe on this machine, no WinRM) with the simulator's
PowerShell standing in for powershell.exe: same bootstrap, stdin framing and result line."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import pytest

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Outcome
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind, HostError

FAKE = """#!{python}
# powershell.exe for tests: the simulator's cmd.exe/PowerShell on one fleet host.
import sys, threading
from pathlib import Path
from hvgui.simulator.cmdexe import run_command_line
from hvgui.simulator.fleet import load_fleet

host = load_fleet(Path({fleet!r}))[0]
data = sys.stdin.buffer.read()

class Ctx:
    command_line = " ".join(["powershell.exe", *sys.argv[1:]])
    codepage = 65001
    user = "local"
    cancelled = threading.Event()
    def read_stdin(self, timeout=None):
        return data
    def write_stdout(self, text):
        sys.stdout.write(text)
    def write_stderr(self, text):
        sys.stderr.write(text)
    def count_operation(self, name):
        pass

sys.exit(run_command_line(host, Ctx()))
"""

FLEET = """
[[host]]
name = "LOCALHV"
locale = "de-DE"
[[host.vm]]
name = "Prüfstand ’1’"
[[host.vm]]
name = "broken"
error = "Der Vorgang ist fehlgeschlagen."
"""


@pytest.fixture
def local_powershell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET, encoding="utf-8")
    exe = tmp_path / "bin" / "powershell.exe"
    exe.parent.mkdir()
    exe.write_text(FAKE.format(python=sys.executable, fleet=str(fleet)), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    return exe


def test_local_inventory_and_apply(local_powershell: Path) -> None:
    engine = Engine(MemoryCredentials())
    cfg = HostConfig(url="local", auth=Auth.LOCAL, name="this machine")
    try:
        inv = asyncio.run(engine.inventory(cfg))
        assert inv.host.name == "LOCALHV" and inv.host.locale == "de-DE"
        names = {v.name: v for v in inv.vms}
        assert set(names) == {"Prüfstand ’1’", "broken"}
        assert names["Prüfstand ’1’"].service(catalog.HEARTBEAT).name == "Takt"  # type: ignore[union-attr]
        assert names["broken"].error == "Der Vorgang ist fehlgeschlagen." and names["broken"].services == ()
        res = asyncio.run(engine.apply(cfg, [Change(v.id, catalog.VSS, True, False) for v in inv.vms]))
        got = {i.vm_id: i.outcome for i in res.items}
        assert got == {names["Prüfstand ’1’"].id: Outcome.CHANGED, names["broken"].id: Outcome.ERROR}
    finally:
        engine.close(wait=True)


def test_local_powershell_missing_is_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    engine = Engine(MemoryCredentials())
    try:
        with pytest.raises(HostError) as info:
            asyncio.run(engine.inventory(HostConfig(url="local", auth=Auth.LOCAL, name="here")))
        assert info.value.kind is ErrorKind.UNREACHABLE
        assert "powershell.exe" in info.value.message
    finally:
        engine.close(wait=True)


def test_powershell_starts_without_a_console_window_on_windows() -> None:
    import subprocess

    from hvgui.remote import transport

    # Windows: CREATE_NO_WINDOW (the windowed hvgui would otherwise flash a console at every
    # refresh); elsewhere Popen accepts only 0, which the tests above run with.
    assert transport.popen_flags("win32") == 0x08000000
    assert transport.popen_flags("linux") == 0
    if sys.platform == "win32":
        assert transport.popen_flags() == subprocess.CREATE_NO_WINDOW
