"""hvgui-cli against simulated hosts over real WinRM (NTLM), as a person would use it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvgui.core import catalog
from hvgui.core.hosts import Auth, HostConfig, save_hosts
from hvgui.remote import cli
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "helpdesk-admin", "cli-test-pw-123"


@pytest.fixture(autouse=True)
def audit_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the tests' audit records out of the user's real audit log."""
    path = tmp_path / "audit.jsonl"
    monkeypatch.setattr(cli, "default_audit_path", lambda: path)
    return path


@pytest.fixture
def two_hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[HyperVHost], list[HostEndpoint]]]:
    monkeypatch.setenv("HVGUI_TEST_PW", PASSWORD)
    en = HyperVHost("HV-EN", logins=[Login(USER, PASSWORD)])
    fr = HyperVHost("HV-FR", locale="fr-FR", os="2019", logins=[Login(USER, PASSWORD)])
    en.add_vm("web1")
    en.add_vm("web[1]")
    en.add_vm("db'01", state="Off")
    fr.add_vm("Comptabilité")
    fr.add_vm("web-fr")
    eps = [HostEndpoint(en), HostEndpoint(fr)]
    for ep in eps:
        ep.start()
    try:
        yield [en, fr], eps
    finally:
        for ep in eps:
            ep.stop()


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ns = cli.build_parser().parse_args(args)
    try:
        code = cli.asyncio.run(cli.run(ns, out, err))
    except cli.UsageError as exc:
        return 2, out.getvalue(), str(exc)
    return code, out.getvalue(), err.getvalue()


def host_args(eps: list[HostEndpoint]) -> list[str]:
    args: list[str] = []
    for ep in eps:
        args += ["--host", ep.url]
    return [*args, "--user", USER, "--password-env", "HVGUI_TEST_PW"]


def test_inventory_table_json_csv(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    _, eps = two_hosts
    code, out, err = run_cli([*host_args(eps), "inventory"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["HOST", "VM", "STATE", "IS"]
    assert any("Comptabilité" in ln and "HV-FR" in ln for ln in lines)
    assert sum("db'01" in ln and "Off" in ln for ln in lines) == 1

    code, out, _ = run_cli([*host_args(eps), "inventory", "--json", "--vm", "web*"])
    doc = json.loads(out)
    assert sorted(v["name"] for h in doc for v in h["vms"]) == ["web-fr", "web1", "web[1]"]

    code, out, _ = run_cli([*host_args(eps), "inventory", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    fr_names = {r["host_service_name"] for r in rows if r["host"] == "HV-FR"}
    assert "Pulsation" in fr_names  # the host's own (localized) name, next to our label
    assert {r["service"] for r in rows if r["host"] == "HV-FR"} >= {"Heartbeat", "Guest services"}


def test_plan_shows_changes_and_the_exact_script(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    _, eps = two_hosts
    code, out, err = run_cli([*host_args(eps), "plan", "--vm", "web[[]1]", "--enable", "Guest services"])
    assert code == 0, err
    assert "web[1]" in out and "off -> on" in out
    assert out.count("off -> on") == 1  # the pattern is literal web[1], not web1
    assert "# hvgui-operation: apply v1" in out
    assert '"enabled": true' in out  # the decoded payload


def test_apply_with_yes_reports_every_item(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    hosts, eps = two_hosts
    code, out, err = run_cli([*host_args(eps), "apply", "--vm", "web*", "--disable", "Time synchronization",
                              "--yes"])
    assert code == 0, err
    assert out.count("changed ") == 3
    for h in hosts:
        for vm in h.vms:
            if vm.name.startswith("web"):
                assert vm.enabled[catalog.TIME_SYNC] is False
    # Again: nothing left to do.
    code, out, _ = run_cli([*host_args(eps), "apply", "--vm", "web*", "--disable", "Time synchronization", "--yes"])
    assert code == 0 and "0 changes on 0 VMs" in out


def test_apply_partial_failure_exits_non_zero(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    hosts, eps = two_hosts
    victim = hosts[1].find_vms("web-fr")[0]
    hosts[1].faults.vm_errors[victim.id] = "Le fichier est verrouillé."
    code, out, _ = run_cli([*host_args(eps), "apply", "--vm", "web*", "--disable", "VSS", "--yes"])
    assert code == 1
    assert "could not be read on the host: Le fichier est verrouillé." in out
    assert out.count("changed ") == 2
    assert victim.enabled[catalog.VSS] is True


def test_failing_host_does_not_hide_the_others(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    hosts, eps = two_hosts
    hosts[0].faults.wrong_credentials = True
    code, out, err = run_cli([*host_args(eps), "inventory"])
    assert code == 1
    where = eps[0].url.split("//")[1].split("/")[0]  # what --host said: 127.0.0.1:PORT
    assert f"{where}: Wrong user name or password" in err
    assert eps[1].url.split("//")[1].split("/")[0] not in err
    assert "Comptabilité" in out
    assert PASSWORD not in out + err


def test_usage_errors_are_clear(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]], tmp_path: Path) -> None:
    _, eps = two_hosts
    code, _, err = run_cli([*host_args(eps), "plan", "--enable", "Bogus"])
    assert code == 2 and "unknown integration service 'Bogus'" in err
    code, _, err = run_cli([*host_args(eps), "plan"])
    assert code == 2 and "--enable" in err
    bad = tmp_path / "hosts.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run_cli(["--hosts-file", str(bad), "inventory"])
    assert code == 2 and "not valid JSON" in err


def test_hosts_file_shared_with_the_gui(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]],
                                        tmp_path: Path) -> None:
    _, eps = two_hosts
    path = tmp_path / "hosts.json"
    save_hosts(path, [HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=ep.host.name) for ep in eps])
    code, out, err = run_cli(["--hosts-file", str(path), "--password-env", "HVGUI_TEST_PW", "inventory"])
    assert code == 0, err
    assert "Comptabilité" in out and "web[1]" in out


def test_apply_refuses_without_confirmation_when_not_interactive(
        two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    hosts, eps = two_hosts
    proc = subprocess.run(
        [sys.executable, "-m", "hvgui.remote.cli", *host_args(eps), "apply", "--vm", "web1", "--disable", "VSS"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
        env={**os.environ, "HVGUI_TEST_PW": PASSWORD})
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert hosts[0].find_vms("web1")[0].enabled[catalog.VSS] is True


def test_apply_is_audited(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]], audit_file: Path) -> None:
    hosts, eps = two_hosts
    target = hosts[0].find_vms("web[1]")[0]
    code, _, err = run_cli([*host_args(eps), "apply", "--vm-id", target.id, "--enable", "Guest services", "--yes"])
    assert code == 0, err
    records = [json.loads(line) for line in audit_file.read_text(encoding="utf-8").splitlines()]
    # Written ahead: the intent before the batch was sent, then its outcome.
    assert [r["event"] for r in records] == ["intent", "outcome"]
    assert records[0]["batch"] == records[1]["batch"] and records[0]["result"] == "pending"
    rec = records[1]
    assert (rec["host"], rec["vm_id"], rec["vm_name"], rec["service_guid"]) == (
        eps[0].url.split("//")[1].split("/")[0], target.id, "web[1]", catalog.GUEST_SERVICE_INTERFACE)
    assert (rec["before"], rec["target"], rec["after"], rec["result"]) == (False, True, True, "changed")
    assert rec["user"] and rec["time"]
    assert PASSWORD not in audit_file.read_text(encoding="utf-8")


def test_selection_that_matches_nothing_is_an_error(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]]) -> None:
    _, eps = two_hosts
    code, _, err = run_cli([*host_args(eps), "plan", "--vm", "wbe*", "--disable", "VSS"])
    assert code == 1 and "matched no VM" in err and "wbe*" in err
    code, _, err = run_cli([*host_args(eps), "inventory", "--vm-id", "00000000-0000-0000-0000-000000000000"])
    assert code == 1 and "--vm-id 00000000-0000-0000-0000-000000000000" in err


def test_transport_choices_are_guarded(two_hosts: tuple[list[HyperVHost], list[HostEndpoint]],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, eps = two_hosts
    code, _, err = run_cli(["--host", eps[0].url, "--auth", "basic", "--user", USER, "--password-env", "HVGUI_TEST_PW",
                            "inventory"])
    assert code == 2 and "in clear" in err  # refused without --allow-basic-http
    code, out, err = run_cli(["--host", eps[0].url, "--auth", "basic", "--allow-basic-http", "--user", USER,
                              "--password-env", "HVGUI_TEST_PW", "inventory"])
    assert code == 0 and "WARNING" in err and "in clear" in err and "web1" in out
    monkeypatch.delenv("HVGUI_TEST_PW")
    code, _, err = run_cli([*host_args(eps), "inventory"])
    assert code == 2 and "HVGUI_TEST_PW is not set" in err
