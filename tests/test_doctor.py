"""Diagnose names the step that fails, with the command that fixes it, for every way a host
can be out of reach, over real WinRM to simulated hosts; the preflight steps come from the
operation scripts' own Test-HvguiHost (hosts simulated as tests/test_preflight.py does)."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvgui.core.hosts import Auth, HostConfig
from hvgui.remote import cli
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.doctor import STEPS, Report, Status, diagnose
from hvgui.simulator.fleet import parse_fleet
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "ops", "doctor-test-pw"

FLEET = f"""
[[host]]
name = "HV-GOOD"
os = "2022"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
[[host.login]]
user = "clerk"
password = "{PASSWORD}"
admin = false
[[host.vm]]
name = "vm1"

[[host]]
name = "HV-2008R2"
os = "2012"
powershell = "2.0"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"

[[host]]
name = "HV-NOMODULE"
os = "2019"
hyperv_module = false
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"

[[host]]
name = "HV-RMU"
os = "2022"
[[host.login]]
user = "{USER}"
password = "{PASSWORD}"
admin = false
remote_management = true
"""


@pytest.fixture(scope="module")
def fleet() -> Iterator[dict[str, HostEndpoint]]:
    eps = [HostEndpoint(h) for h in parse_fleet(FLEET, "doctor.toml")]
    tls = HostEndpoint(HyperVHost("HV-TLS", logins=[Login(USER, PASSWORD)]), https=True)
    for ep in [*eps, tls]:
        ep.start()
    try:
        yield {ep.host.name: ep for ep in [*eps, tls]}
    finally:
        for ep in [*eps, tls]:
            ep.stop()


def check(url: str, *, user: str = USER, password: str = PASSWORD, **kw: object) -> Report:
    cfg = HostConfig(url=url, username=user, timeout_s=20, **kw)  # type: ignore[arg-type]
    creds = MemoryCredentials()
    creds.set(cfg, password)
    seen: list[str] = []
    report = diagnose(cfg, creds, on_step=lambda s: seen.append(s.id))
    assert seen == [s for s, _ in STEPS]  # every step reported, in order, as it was decided
    assert [s.id for s in report.steps] == seen
    assert password not in json.dumps(report.as_json()) + report.text()
    return report


def assert_fails_at(report: Report, step: str, fix: str) -> None:
    failed = report.failed
    assert failed is not None, report.text()
    assert failed.id == step, report.text()
    assert fix in failed.fix, failed.fix
    order = [s for s, _ in STEPS]
    before = order[:order.index(step)]
    assert all(report.step(s).status in (Status.PASSED, Status.SKIPPED) for s in before), report.text()
    assert all(report.step(s).status is Status.NOT_CHECKED for s in order[order.index(step) + 1:]), report.text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_healthy_host_passes_every_step(fleet: dict[str, HostEndpoint]) -> None:
    report = check(fleet["HV-GOOD"].url)
    assert report.ok and report.failed is None, report.text()
    assert report.step("tls").status is Status.SKIPPED  # HTTP: messages are encrypted instead
    assert "Negotiate (NTLM)" in report.step("logon").detail and "encrypted" in report.step("logon").detail
    assert "1 VMs read from HV-GOOD" in report.step("inventory").detail
    doc = report.as_json()
    assert doc["ok"] is True and doc["failed_step"] is None and doc["user"] == USER


def test_unknown_name() -> None:
    assert_fails_at(check("http://no-such-hyperv-host.invalid:5985/wsman"), "name", "nslookup")


def test_closed_port() -> None:
    report = check(f"http://127.0.0.1:{free_port()}/wsman")
    assert_fails_at(report, "port", "Enable-PSRemoting")
    https = check(f"https://127.0.0.1:{free_port()}/wsman")
    assert_fails_at(https, "port", "winrm quickconfig -transport:https")


def test_untrusted_certificate(fleet: dict[str, HostEndpoint]) -> None:
    ep = fleet["HV-TLS"]
    report = check(ep.url)
    assert_fails_at(report, "tls", "hosts trust")
    failed = report.failed
    assert failed is not None and "self-signed" in failed.detail
    assert [c.sha256 for c in failed.chain] == [ep.fingerprint]
    assert report.as_json()["steps"][3]["certificates"][0]["sha256"] == ep.fingerprint
    assert check(ep.url, cert_pin=ep.fingerprint).ok  # once trusted, everything passes


def test_wrong_password(fleet: dict[str, HostEndpoint]) -> None:
    assert_fails_at(check(fleet["HV-GOOD"].url, password="not-it"), "logon", "type the password again")


def test_not_an_administrator(fleet: dict[str, HostEndpoint]) -> None:
    report = check(fleet["HV-GOOD"].url, user="clerk")
    assert_fails_at(report, "admin", "Add-LocalGroupMember -Group Administrators -Member 'clerk'")
    assert report.step("logon").status is Status.PASSED


def test_admitted_by_winrm_but_not_by_hyperv(fleet: dict[str, HostEndpoint]) -> None:
    assert_fails_at(check(fleet["HV-RMU"].url), "hyperv_rights", "Add-LocalGroupMember -SID S-1-5-32-578")


def test_missing_hyperv_module(fleet: dict[str, HostEndpoint]) -> None:
    assert_fails_at(check(fleet["HV-NOMODULE"].url), "hyperv_module", "Install-WindowsFeature Hyper-V-PowerShell")


def test_powershell_too_old(fleet: dict[str, HostEndpoint]) -> None:
    report = check(fleet["HV-2008R2"].url)
    assert_fails_at(report, "powershell", "Windows Management Framework")
    assert "runs Windows PowerShell 2.0" in (report.failed.detail if report.failed else "")


def test_bad_settings_fail_first() -> None:
    report = check("http://lab:5985/wsman", user="", password="settings-pw", auth=Auth.BASIC)
    assert_fails_at(report, "settings", "edit the host's settings")


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = asyncio.run(cli.run(cli.build_parser().parse_args(args), out, err))
    except cli.UsageError as exc:
        return 2, out.getvalue(), str(exc)
    return code, out.getvalue(), err.getvalue()


def test_hvgui_cli_doctor_names_the_step_and_gives_json(fleet: dict[str, HostEndpoint],
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCTOR_PW", PASSWORD)
    hosts_file = ["--hosts-file", str(tmp_path / "none.json")]
    code, out, err = run_cli(["doctor", fleet["HV-NOMODULE"].url, "--user", USER, "--password-env", "DOCTOR_PW",
                              *hosts_file])
    assert code == 1
    assert "[FAIL] Hyper-V PowerShell module" in out and "fix: on the host, as an administrator: " \
        "Install-WindowsFeature Hyper-V-PowerShell" in out
    where = fleet["HV-NOMODULE"].url.split("//")[1].split("/")[0]
    assert f"{where}: fails at 'Hyper-V PowerShell module'" in out
    assert "Hyper-V PowerShell module: failed" in err  # progress, step by step
    code, out, _ = run_cli(["--user", USER, "--password-env", "DOCTOR_PW", *hosts_file, "doctor", "--json",
                            fleet["HV-GOOD"].url])
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] and [s["status"] for s in doc["steps"]].count("failed") == 0
    assert PASSWORD not in out
