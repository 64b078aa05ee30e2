"""``hvgui-sim``: the command line that serves a fleet of simulated hosts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import winrm

from hvgui.simulator.__main__ import main

FLEET = """
[[host]]
name = "HV-CLI-01"
[[host.login]]
user = "fileadmin"
password = "from-the-file"

[[host]]
name = "HV-CLI-02"
"""


def _run(p: winrm.Protocol, command: str) -> tuple[bytes, bytes, int]:
    shell = p.open_shell(codepage=65001)
    try:
        cid = p.run_command(shell, command)
        result = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)
        return result
    finally:
        p.close_shell(shell, close_session=False)


def test_cli_serves_https_fleet_until_ctrl_c(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET, encoding="utf-8")
    password = "cli-Secret-42"
    env = {**os.environ, "HVGUI_SIM_PASSWORD": password}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvgui.simulator", "--fleet", str(fleet), "--https", "--user", "cliuser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(2)]
        pattern = re.compile(
            r"^(\S+) (https://127\.0\.0\.1:\d+/wsman) sha256=((?:[0-9A-F]{2}:){31}[0-9A-F]{2}) cert=(.+)$"
        )
        matches = [pattern.match(line) for line in lines]
        assert all(matches), lines
        names = [m.group(1) for m in matches if m]
        assert names == ["HV-CLI-01", "HV-CLI-02"]
        for m in matches:
            assert m is not None
            p = winrm.Protocol(
                m.group(2), transport="ssl", username="cliuser", password=password, ca_trust_path=m.group(4), proxy=None
            )
            try:
                assert _run(p, "hostname")[0] == m.group(1).encode() + b"\r\n"
            finally:
                p.transport.close_session()
        first = matches[0]
        assert first is not None
        p = winrm.Protocol(
            first.group(2),
            transport="ssl",
            username="fileadmin",
            password="from-the-file",
            ca_trust_path=first.group(4),
            proxy=None,
        )
        try:
            assert _run(p, "hostname")[2] == 0
        finally:
            p.transport.close_session()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert password not in out + err and "from-the-file" not in out + err
    assert "stopped" in err


def test_cli_warns_when_listening_beyond_loopback_and_never_prints_passwords(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET, encoding="utf-8")
    stop = threading.Event()
    stop.set()  # serve, print, stop at once
    assert main(["--fleet", str(fleet), "--listen", "0.0.0.0"], stop=stop) == 0
    captured = capsys.readouterr()
    assert "WARNING: listening on 0.0.0.0" in captured.err
    assert "Basic logins cross the network in clear text" in captured.err
    # HV-CLI-02 has no login: a random demo login, its password in a private file, not on screen
    m = re.search(r"its password is in (\S+)", captured.err)
    assert m is not None
    pw_file = Path(m.group(1))
    try:
        assert pw_file.stat().st_mode & 0o077 == 0
        password = pw_file.read_text(encoding="utf-8").strip()
        assert len(password) >= 16
        assert password not in captured.out + captured.err
    finally:
        pw_file.unlink()
        pw_file.parent.rmdir()
    assert [line.split()[0] for line in captured.out.splitlines()] == ["HV-CLI-01", "HV-CLI-02"]
    assert all(line.split()[1].endswith("/wsman") for line in captured.out.splitlines())


def test_cli_rejects_password_without_user_and_bad_fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--password", "x"]) == 2
    assert main(["--fleet", str(tmp_path / "missing.toml")]) == 1
    assert "cannot load the fleet" in capsys.readouterr().err
