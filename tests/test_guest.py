"""Inside the guest, over the real stack: PowerShell Direct through WinRM to the simulated host (the
guest.ps1 operation executed by the simulator's PowerShell), real SSH to the simulated Linux guests
(asyncssh on loopback), ``hvgui-cli`` as a person uses it, and the effective state."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.core
import pytest
from memory_keyring import MemoryKeyring

from hvgui.core import catalog, contract
from hvgui.core import guest as g
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import VM, ServiceState, StatusValue
from hvgui.remote import cli
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine, Operation
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.simulator.sshguest import GuestSSH

USER, PASSWORD = "lab-admin", "host-pw-Guest-Test-1"
WIN_PW = "Win-Guest-Secret-7731"
SSH_PW = "Ssh-Guest-Secret-4419"
KVP_NAME = "vmickvpexchange"


@dataclass
class Lab:
    host: HyperVHost
    old_host: HyperVHost
    eps: list[HostEndpoint]
    ssh: GuestSSH
    tmp: Path
    audit: Path
    win: str
    off: str
    old_guest: str
    ubuntu: str
    rhel: str
    legacy: str

    def args(self, *rest: str, old: bool = False) -> list[str]:
        ep = self.eps[1] if old else self.eps[0]
        return ["--host", ep.url, "--user", USER, "--password-env", "HVGUI_TEST_PW", "--auth", "ntlm",
                "--hosts-file", str(self.tmp / "cfg" / "hosts.json"), *rest]


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ns = cli.build_parser().parse_args(args)
    try:
        code = asyncio.run(cli.run(ns, out, err))
    except cli.UsageError as exc:
        return 2, out.getvalue(), str(exc)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("HVGUI_TEST_PW", PASSWORD)
    monkeypatch.setenv("WIN_PW", WIN_PW)
    monkeypatch.setenv("SSH_PW", SSH_PW)
    monkeypatch.setenv("WRONG_PW", "not-the-password")
    audit = tmp_path / "audit.jsonl"
    monkeypatch.setattr(cli, "default_audit_path", lambda: audit)
    previous = keyring.get_keyring()
    MemoryKeyring.store.clear()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "memory_keyring.MemoryKeyring")
    keyring.core.init_backend()
    h = HyperVHost("HV-GUEST", os="2022", logins=[Login(USER, PASSWORD)])
    win = h.add_vm("win-app", guest_user="Administrator", guest_password=WIN_PW, is_version="10.0.20348.1",
                   guest={KVP_NAME: "stopped"}).id
    off = h.add_vm("win-off", state="Off", guest_user="Administrator", guest_password=WIN_PW).id
    old_guest = h.add_vm("app-2012r2", guest_os="Windows Server 2012 R2 Datacenter", guest_user="Administrator",
                         guest_password=WIN_PW).id
    ubuntu = h.add_vm("ubuntu-web", guest_os="Ubuntu 24.04 LTS", ssh_user="hvadmin", ssh_password=SSH_PW,
                      guest={"hv_kvp_daemon": "stopped"}).id
    rhel = h.add_vm("rhel-db", guest_os="Red Hat Enterprise Linux 9.4", ssh_user="hvadmin", ssh_password=SSH_PW).id
    old = HyperVHost("HV-2012R2", os="2012R2", logins=[Login(USER, PASSWORD)])
    legacy = old.add_vm("win2019-on-old-host", guest_os="Windows Server 2019 Datacenter",
                        guest_user="Administrator", guest_password=WIN_PW).id
    eps = [HostEndpoint(h), HostEndpoint(old)]
    for ep in eps:
        ep.start()
    guests = GuestSSH([h])
    guests.start()
    try:
        yield Lab(h, old, eps, guests, tmp_path, audit, win, off, old_guest, ubuntu, rhel, legacy)
    finally:
        guests.stop()
        for ep in eps:
            ep.stop()
        MemoryKeyring.store.clear()
        keyring.set_keyring(previous)


def give_windows_access(lab: Lab, vm_id: str, env: str = "WIN_PW", *, old: bool = False) -> None:
    code, out, err = run_cli(lab.args("guest-access", "--vm-id", vm_id, "--windows-user", "Administrator",
                                      "--guest-password-env", env, old=old))
    assert code == 0, (out, err)
    assert "password saved in the system keyring" in out


def give_ssh_access(lab: Lab, vm_id: str) -> None:
    port = lab.ssh.endpoint(vm_id).port
    code, out, err = run_cli(lab.args("guest-access", "--vm-id", vm_id, "--ssh", f"127.0.0.1:{port}",
                                      "--ssh-user", "hvadmin", "--guest-password-env", "SSH_PW"))
    assert code == 0, (out, err)


def section(out: str, vm_name: str) -> str:
    """The lines of ``inventory --guest`` about one VM."""
    start = out.index(f"== {vm_name} ")
    end = out.find("\n== ", start + 1)
    return out[start:] if end < 0 else out[start:end]


def line_of(text: str, label: str) -> str:
    return next(ln for ln in text.splitlines() if ln.strip().startswith(label))


def audit_records(lab: Lab) -> list[dict[str, object]]:
    return [json.loads(x) for x in lab.audit.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- the effective state (core)

def test_effective_state_words() -> None:
    nc = StatusValue(12, "NoContact", "No Contact")
    kvp = ServiceState(catalog.KVP, "Key-Value Pair Exchange", True, nc)
    vm = VM("a", "web", "Running", guest_os="Windows Server 2022 Datacenter", services=(kvp,))
    disabled = g.GuestSide("a", g.WINDOWS, services=(g.GuestService(KVP_NAME, "Hyper-V Data Exchange Service",
                                                                      "Stopped", "Disabled"),))
    e = g.effective(vm, kvp, disabled)
    assert e.state is g.Effective.DISABLED_IN_GUEST and e.text == "disabled in guest (Hyper-V cannot start it)"
    assert g.no_contact_advice(vm, kvp, disabled) == e.advice
    assert e.advice.startswith("Data Exchange is enabled on the host but vmickvpexchange is stopped in the guest "
                               "(start type: Disabled)")
    stopped = g.GuestSide("a", g.WINDOWS, services=(g.GuestService(KVP_NAME, "", "Stopped", "Manual"),))
    assert g.effective(vm, kvp, stopped).text == "enabled on host, stopped in guest"
    off_host = ServiceState(catalog.KVP, "Key-Value Pair Exchange", False)
    assert g.effective(vm, off_host, stopped).state is g.Effective.DISABLED_ON_HOST
    unknown = g.unknown("a", g.WINDOWS, g.GuestProblem.NO_CREDENTIALS)
    e = g.effective(vm, kvp, unknown)
    assert e.state is g.Effective.UNKNOWN and "no guest credentials" in e.guest
    # Where PowerShell Direct cannot work, the reason names the requirement.
    old = g.blocker(None, VM("b", "old", "Running", guest_os="Windows Server 2012 R2 Datacenter"))
    assert old is not None and "Windows Server 2016 / Windows 10 or later guest" in old.reason
    from hvgui.core.model import HostFacts
    host_2012r2 = HostFacts("HV", "Microsoft Windows Server 2012 R2 Datacenter", "6.3.9600")
    blocked = g.blocker(host_2012r2, vm)
    assert blocked is not None and "Windows Server 2016 / Windows 10 or later host" in blocked.reason
    off = g.blocker(None, VM("c", "off", "Off", guest_os="Windows 11 Enterprise"))
    assert off is not None and off.reason == "PowerShell Direct needs the VM running: it is Off"


# ---------------------------------------------------------------- Windows guests (PowerShell Direct)

def test_windows_guest_read_then_started_through_plan_apply(lab: Lab) -> None:
    code, out, err = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert code == 0, err
    # Data Exchange is what is stopped: the host does not even know the guest's OS.
    assert "guest side unknown: the host does not know the guest's operating system" in out

    give_windows_access(lab, lab.win)
    code, out, err = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert code == 0, err
    part = section(out, "win-app")
    assert "Windows guest, IntegrationServicesVersion 10.0.20348.1" in part
    kvp = line_of(part, "Data Exchange")
    assert "host: enabled, No Contact" in kvp and "vmickvpexchange Stopped (start type: Manual)" in kvp
    assert kvp.endswith("=> enabled on host, stopped in guest")
    assert "Data Exchange is enabled on the host but vmickvpexchange is stopped in the guest (start type: " \
           "Manual)" in part
    assert line_of(part, "Heartbeat").endswith("=> works")
    assert "vmicvmsession Stopped (start type: Manual)" in part  # the guest-only services too

    # plan / confirm / apply: the warning first, one change, audited ahead.
    code, out, err = run_cli(lab.args("guest", "--vm", "win-app", "--start", "Data Exchange", "--yes"))
    assert code == 0, (out, err)
    assert out.startswith("WARNING: Stopping a guest integration service can badly affect")
    assert "win-app on HV-GUEST" in out and "start vmickvpexchange" in out
    assert "start vmickvpexchange: changed: Running (start type: Manual)" in out
    records = [r for r in audit_records(lab) if r["action"] == "guest_start"]
    assert [r["event"] for r in records] == ["intent", "outcome"]
    assert records[1]["result"] == "changed" and records[0]["vm_id"] == lab.win and records[0]["service"] == KVP_NAME

    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    kvp = line_of(section(out, "win-app"), "Data Exchange")
    assert "host: enabled, OK" in kvp and kvp.endswith("=> works")
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--csv", "--vm", "win-app"))
    import csv
    rows = list(csv.DictReader(io.StringIO(out)))
    kvp_row = next(r for r in rows if r["service"] == "Data Exchange")
    assert (kvp_row["guest_component"], kvp_row["guest_state"], kvp_row["effective_state"]) == (
        "vmickvpexchange", "Running (start type: Manual)", "works")


def test_disabled_in_guest_stays_stopped_after_the_host_re_enables(lab: Lab) -> None:
    give_windows_access(lab, lab.win)
    code, out, err = run_cli(lab.args("guest", "--vm", "win-app", "--start-type", "vmickvpexchange=Disabled",
                                      "--yes"))
    assert code == 0 and "changed: Stopped (start type: Disabled)" in out, (out, err)
    # The host disables, then enables Data Exchange again: Hyper-V cannot start a disabled service.
    for verb in ("--disable", "--enable"):
        code, out, err = run_cli(lab.args("apply", "--vm", "win-app", verb, "Data Exchange", "--yes"))
        assert code == 0, (out, err)
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    part = section(out, "win-app")
    kvp = line_of(part, "Data Exchange")
    assert "host: enabled, No Contact" in kvp and kvp.endswith("=> disabled in guest (Hyper-V cannot start it)")
    assert "Data Exchange is enabled on the host but vmickvpexchange is stopped in the guest (start type: " \
           "Disabled): Hyper-V cannot start it" in part
    # Starting it in the guest is refused in Windows' words, per item.
    code, out, _ = run_cli(lab.args("guest", "--vm", "win-app", "--start", KVP_NAME, "--yes"))
    assert code == 1
    assert ("start vmickvpexchange: error: Service 'Hyper-V Data Exchange Service (vmickvpexchange)' cannot be "
            "started due to the following error: Cannot start service vmickvpexchange on computer '.'.") in out
    # Set back to Manual and started: works again.
    code, out, _ = run_cli(lab.args("guest", "--vm", "win-app", "--start-type", "vmickvpexchange=Manual",
                                    "--start", KVP_NAME, "--yes"))
    assert code == 0, out
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert line_of(section(out, "win-app"), "Data Exchange").endswith("=> works")


def test_seed_rules_host_disable_stops_and_hyperv_restarts_a_stopped_service(lab: Lab) -> None:
    give_windows_access(lab, lab.win)
    lab.host.guest_restart_s = 3600.0
    code, out, _ = run_cli(lab.args("guest", "--vm", "win-app", "--stop", "vmictimesync", "--yes"))
    assert code == 0 and "stop vmictimesync: changed: Stopped (start type: Manual)" in out
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert line_of(section(out, "win-app"), "Time synchronization").endswith("=> enabled on host, stopped in guest")
    lab.host.guest_restart_s = 0.0  # "eventually": Hyper-V starts it again
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert line_of(section(out, "win-app"), "Time synchronization").endswith("=> works")
    # Disabled on the host: the guest service stops; enabled again: Hyper-V starts it.
    run_cli(lab.args("apply", "--vm", "win-app", "--disable", "Time synchronization", "--yes"))
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    ts = line_of(section(out, "win-app"), "Time synchronization")
    assert "vmictimesync Stopped" in ts and ts.endswith("=> disabled on host")
    run_cli(lab.args("apply", "--vm", "win-app", "--enable", "Time synchronization", "--yes"))
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-app"))
    assert line_of(section(out, "win-app"), "Time synchronization").endswith("=> works")


def test_powershell_direct_refusals_in_windows_words(lab: Lab) -> None:
    """What the host itself says (guest.ps1 sent anyway), and what hvgui says before sending."""
    host = HostConfig(url=lab.eps[0].url, auth=Auth.NTLM, username=USER)
    old_host = HostConfig(url=lab.eps[1].url, auth=Auth.NTLM, username=USER)
    creds = MemoryCredentials()
    creds.set(host, PASSWORD)
    creds.set(old_host, PASSWORD)
    engine = Engine(creds)
    try:
        answers = asyncio.run(engine.guest(host, [
            contract.GuestTarget(lab.win, "Administrator", "wrong-password"),
            contract.GuestTarget(lab.off, "Administrator", WIN_PW),
            contract.GuestTarget(lab.old_guest, "Administrator", WIN_PW)]))
        [(bad, _), (off, _), (old, _)] = answers
        assert bad.problem is g.GuestProblem.INVALID_CREDENTIAL and bad.message == "The credential is invalid."
        assert off.problem is g.GuestProblem.NOT_RUNNING
        assert off.message == "The virtual machine win-off is not in running state."
        assert old.problem is g.GuestProblem.GUEST_TOO_OLD
        assert old.message == ("An error has occurred which Windows PowerShell cannot handle. A remote session "
                               "might have ended.")
        [(legacy, _)] = asyncio.run(engine.guest(old_host, [contract.GuestTarget(lab.legacy, "Administrator",
                                                                                  WIN_PW)]))
        assert legacy.problem is g.GuestProblem.HOST_TOO_OLD
        assert legacy.message == "this host has Windows PowerShell 4.0, without PowerShell Direct"
        assert "PowerShell Direct needs a Windows Server 2016 / Windows 10 or later host" in legacy.reason
    finally:
        engine.close(wait=True)

    # Through the CLI: the wrong password in Windows' words; the others refused before sending, naming
    # the requirement.
    give_windows_access(lab, lab.win, "WRONG_PW")
    for vm_id in (lab.off, lab.old_guest):
        give_windows_access(lab, vm_id)
    _, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "win-*", "--vm", "app-2012r2"))
    assert "win-app on HV-GUEST" in out
    assert "guest side unknown: the guest refused the credentials: The credential is invalid." in out
    assert "guest side unknown: PowerShell Direct needs the VM running: it is Off" in out
    assert ("guest side unknown: PowerShell Direct needs a Windows Server 2016 / Windows 10 or later guest: this "
            "guest runs Windows Server 2012 R2 Datacenter") in out
    give_windows_access(lab, lab.legacy, old=True)
    _code, out, _ = run_cli(lab.args("inventory", "--guest", old=True))
    assert ("guest side unknown: PowerShell Direct needs a Windows Server 2016 / Windows 10 or later host: "
            "HV-2012R2 runs Microsoft Windows Server 2012 R2 Datacenter") in out


# ---------------------------------------------------------------- Linux guests (SSH)

def test_linux_daemons_read_restarted_and_host_keys_pinned(lab: Lab) -> None:
    give_ssh_access(lab, lab.ubuntu)
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "ubuntu-web"))
    fp = lab.ssh.endpoint(lab.ubuntu).fingerprint
    assert f"presents an SSH host key not trusted yet ({fp})" in section(out, "ubuntu-web")
    assert "guest side unknown: the guest's SSH host key is not trusted yet" in out

    code, out, err = run_cli(lab.args("guest-access", "--vm", "ubuntu-web", "--trust", fp))
    assert code == 0 and f"host key {fp} trusted" in out, (out, err)
    known = (lab.tmp / "cfg" / "known_hosts").read_text(encoding="utf-8")
    assert lab.ssh.endpoint(lab.ubuntu).public_key in known

    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "ubuntu-web"))
    part = section(out, "ubuntu-web")
    assert "Linux guest, hv_utils loaded" in part
    assert line_of(part, "Heartbeat").endswith("guest: hv_utils (kernel driver) hv_utils loaded  => works")
    kvp = line_of(part, "Data Exchange")
    assert "hv_kvp_daemon (hv-kvp-daemon.service) stopped" in kvp and kvp.endswith("=> enabled on host, stopped in "
                                                                                    "guest")
    assert line_of(part, "Backup").endswith("hv_vss_daemon (hv-vss-daemon.service) running  => works")
    assert line_of(part, "Guest services").endswith("disabled on host")

    code, out, err = run_cli(lab.args("guest", "--vm", "ubuntu-web", "--restart", "hv_kvp_daemon", "--yes"))
    assert code == 0, (out, err)
    assert "restart hv_kvp_daemon: changed: systemctl restart hv-kvp-daemon.service" in out
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "ubuntu-web"))
    assert line_of(section(out, "ubuntu-web"), "Data Exchange").endswith("=> works")
    records = [r for r in audit_records(lab) if r["action"] == "guest_restart"]
    assert [r["event"] for r in records] == ["intent", "outcome"] and records[1]["result"] == "changed"

    # The guest now presents another key: refused, nothing sent, the pinned key kept.
    lab.ssh.rekey(lab.ubuntu)
    code, out, _ = run_cli(lab.args("guest", "--vm", "ubuntu-web", "--stop", "kvp", "--yes"))
    assert code == 1 and "guest side unknown: the guest's SSH host key changed" in out
    assert "not_attempted" in out
    assert lab.host.vm(lab.ubuntu).guest["hv_kvp_daemon"] == "running"  # type: ignore[union-attr]
    assert (lab.tmp / "cfg" / "known_hosts").read_text(encoding="utf-8") == known


def test_rhel_units_and_a_daemon_without_its_device(lab: Lab) -> None:
    give_ssh_access(lab, lab.rhel)
    run_cli(lab.args("guest-access", "--vm", "rhel-db", "--trust", lab.ssh.endpoint(lab.rhel).fingerprint))
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "rhel-db"))
    assert "hypervkvpd (hypervkvpd.service) running" in line_of(section(out, "rhel-db"), "Data Exchange")
    # Disabled on the host: the device node goes away, the daemon exits; a start fails in the guest's words.
    run_cli(lab.args("apply", "--vm", "rhel-db", "--disable", "VSS", "--yes"))
    code, out, _ = run_cli(lab.args("guest", "--vm", "rhel-db", "--start", "vss", "--yes"))
    assert code == 1 and "/dev/vmbus/hv_vss is missing" in out
    run_cli(lab.args("apply", "--vm", "rhel-db", "--enable", "VSS", "--yes"))
    code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "rhel-db"))
    assert line_of(section(out, "rhel-db"), "Backup").endswith("=> works")  # udev started the unit again


def test_wrong_ssh_or_sudo_password(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    give_ssh_access(lab, lab.ubuntu)
    run_cli(lab.args("guest-access", "--vm", "ubuntu-web", "--trust", lab.ssh.endpoint(lab.ubuntu).fingerprint))
    _code, out, _ = run_cli(lab.args("inventory", "--guest", "--vm", "ubuntu-web", "--guest-password-env",
                                    "WRONG_PW"))
    assert "guest side unknown: the guest refused the credentials: hvadmin@127.0.0.1 refused the login" in out


# ---------------------------------------------------------------- secrets never written

def test_no_guest_secret_in_any_file_log_audit_or_script(lab: Lab, caplog: pytest.LogCaptureFixture,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    give_windows_access(lab, lab.win)
    give_ssh_access(lab, lab.ubuntu)
    run_cli(lab.args("guest-access", "--vm", "ubuntu-web", "--trust", lab.ssh.endpoint(lab.ubuntu).fingerprint))
    outputs = []
    for args in (("inventory", "--guest"), ("inventory", "--guest", "--json"),
                 ("guest", "--vm", "win-app", "--start", KVP_NAME, "--yes"),
                 ("guest", "--vm", "ubuntu-web", "--restart", "kvp", "--yes"),
                 ("guest", "--vm", "win-app", "--stop", "vmicvss", "--yes", "--guest-password-env", "WRONG_PW"),
                 ("plan", "--vm", "win-app", "--disable", "VSS")):
        _code, out, err = run_cli(lab.args(*args))
        outputs.append(out + err)
    assert "works" in outputs[0] and '"effective"' in outputs[1]
    assert "changed" in outputs[2] and "changed" in outputs[3]

    # The operation record (what the activity panel and "Show script..." show) is redacted.
    host = HostConfig(url=lab.eps[0].url, auth=Auth.NTLM, username=USER)
    creds = MemoryCredentials()
    creds.set(host, PASSWORD)
    engine = Engine(creds)
    ops: list[Operation] = []
    engine.subscribe(ops.append)
    try:
        asyncio.run(engine.guest(host, [contract.GuestTarget(lab.win, "Administrator", WIN_PW)]))
    finally:
        engine.close(wait=True)
    assert ops and all(WIN_PW not in json.dumps(op.payload) + op.script + op.summary + op.outcome for op in ops)
    assert ops[0].payload["vms"][0]["password"] == contract.REDACTED

    captured = capfd.readouterr()
    secrets = [s.encode() for s in (WIN_PW, SSH_PW)]
    forms = [f for s in secrets for f in (s, s.decode().encode("utf-16-le"), base64.b64encode(s))]
    files = [p for p in lab.tmp.rglob("*") if p.is_file()]
    assert any(p.name == "audit.jsonl" for p in files) and any(p.name == "known_hosts" for p in files)
    assert any(p.name == "guests.json" for p in files)
    for p in files:
        data = p.read_bytes()
        for f in forms:
            assert f not in data, f"a guest secret in {p}"
    text = "\n".join(outputs) + caplog.text + captured.out + captured.err
    for s in (WIN_PW, SSH_PW):
        assert s not in text
    from hvgui.remote import scripts
    assert all(s not in scripts.GUEST for s in (WIN_PW, SSH_PW))
    # The secrets are in the test keyring, and only there.
    assert WIN_PW in MemoryKeyring.store.values() and SSH_PW in MemoryKeyring.store.values()


def test_hvgui_sim_serves_and_prints_the_linux_guests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import re
    import threading

    from hvgui.simulator.__main__ import main

    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[[host]]\nname = "HV-SSH"\n[[host.login]]\nuser = "u"\npassword = "p"\n'
                     '[[host.vm]]\nname = "deb"\nguest_os = "Debian GNU/Linux 12"\nssh_user = "hvadmin"\n'
                     '[[host.vm]]\nname = "win"\nguest_user = "Administrator"\nguest_password = "lab-only"\n',
                     encoding="utf-8")
    stop = threading.Event()
    stop.set()
    assert main(["--fleet", str(fleet)], stop=stop) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("HV-SSH http://127.0.0.1:")
    assert re.match(r"^  guest HV-SSH/deb [0-9a-f-]{36} ssh://hvadmin@127\.0\.0\.1:\d+ SHA256:\S+$", lines[1]), lines
    m = re.search(r"guest logins \(PowerShell Direct, SSH\) and their passwords are in (\S+)", captured.err)
    assert m is not None
    pw_file = Path(m.group(1))
    try:
        assert pw_file.stat().st_mode & 0o077 == 0
        [row] = pw_file.read_text(encoding="utf-8").splitlines()
        host, vm, _vm_id, user, password = row.split("\t")
        assert (host, vm, user) == ("HV-SSH", "deb", "hvadmin") and len(password) >= 12
        assert password not in captured.out + captured.err
    finally:
        pw_file.unlink()
        pw_file.parent.rmdir()
