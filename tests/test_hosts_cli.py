"""hvgui-cli manages the saved hosts the window uses (same file, same keyring: a test backend
selected through PYTHON_KEYRING_BACKEND stands in for Windows Credential Manager), accepts its
options anywhere, and says exactly what happened; over real WinRM to simulated hosts."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from memory_keyring import MemoryKeyring

from hvgui.core import catalog
from hvgui.core.hosts import Auth, load_hosts
from hvgui.remote import cli
from hvgui.remote.trust import certificate_info
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint
from hvgui.simulator.tls import TestCA

USER, PASSWORD = "CORP-admin", "hosts-cli-test-pw"


@pytest.fixture(autouse=True)
def audit_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setattr(cli, "default_audit_path", lambda: path)
    return path


def select_keyring(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """As at the start of a process: the keyring library reads PYTHON_KEYRING_BACKEND."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"memory_keyring.{name}")
    keyring.core.init_backend()
    assert type(keyring.get_keyring()).__name__ == name


@pytest.fixture
def test_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[tuple[str, str], str]]:
    previous = keyring.get_keyring()
    MemoryKeyring.store.clear()
    select_keyring(monkeypatch, "MemoryKeyring")
    yield MemoryKeyring.store
    MemoryKeyring.store.clear()
    keyring.set_keyring(previous)


@pytest.fixture
def host() -> Iterator[tuple[HyperVHost, HostEndpoint]]:
    h = HyperVHost("HV-SAVED", logins=[Login(USER, PASSWORD)])
    for name in ("web1", "web2", "db1"):
        h.add_vm(name)
    ep = HostEndpoint(h)
    ep.start()
    yield h, ep
    ep.stop()


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = asyncio.run(cli.run(cli.build_parser().parse_args(list(args)), out, err))
    except cli.UsageError as exc:
        return 2, out.getvalue(), str(exc)
    return code, out.getvalue(), err.getvalue()


def test_hosts_add_then_inventory_uses_the_saved_host_and_keyring_password(
        host: tuple[HyperVHost, HostEndpoint], test_keyring: dict[tuple[str, str], str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, ep = host
    hosts_file = str(tmp_path / "hosts.json")
    monkeypatch.setenv("HV_PW", PASSWORD)
    code, out, err = run_cli("hosts", "add", "hv-saved", "--url", ep.url, "--user", USER, "--password-env", "HV_PW",
                             "--hosts-file", hosts_file)
    assert code == 0, err
    assert "Password saved in the system keyring (MemoryKeyring)" in out
    assert list(test_keyring.values()) == [PASSWORD]
    text = Path(hosts_file).read_text(encoding="utf-8")
    assert PASSWORD not in text and "password" not in text.lower()
    [saved] = load_hosts(Path(hosts_file))
    assert (saved.name, saved.url, saved.auth, saved.username) == ("hv-saved", ep.url, Auth.NEGOTIATE, USER)
    monkeypatch.delenv("HV_PW")
    # No --host, no --password-env, no terminal: the saved host and the keyring's password.
    code, out, err = run_cli("inventory", "--hosts-file", hosts_file)
    assert code == 0, err
    assert "web1" in out and "db1" in out and "HV-SAVED" in out
    assert ep.stats.as_json()["logons"] == {"negotiate/ntlm": 1}
    code, out, _ = run_cli("hosts", "list", "--hosts-file", hosts_file)
    assert "hv-saved" in out and "saved" in out.splitlines()[1]
    code, out, _ = run_cli("hosts", "remove", "HV-SAVED", "--hosts-file", hosts_file)  # any case
    assert code == 0 and load_hosts(Path(hosts_file)) == [] and test_keyring == {}


def test_a_keyring_that_fails_to_save_is_said(host: tuple[HyperVHost, HostEndpoint], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _, ep = host
    previous = keyring.get_keyring()
    select_keyring(monkeypatch, "FailingKeyring")
    try:
        monkeypatch.setenv("HV_PW", PASSWORD)
        code, out, err = run_cli("hosts", "add", "hv-x", "--url", ep.url, "--user", USER, "--password-env", "HV_PW",
                                 "--hosts-file", str(tmp_path / "hosts.json"))
    finally:
        keyring.set_keyring(previous)
    assert code == 1
    assert "the password was NOT saved" in err and "PasswordSetError" in err and "locked" in err
    assert PASSWORD not in out + err
    assert [h.name for h in load_hosts(tmp_path / "hosts.json")] == ["hv-x"]  # the host itself is saved


def test_hosts_edit_moves_the_password_with_the_host(host: tuple[HyperVHost, HostEndpoint],
                                                     test_keyring: dict[tuple[str, str], str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _, ep = host
    hf = str(tmp_path / "hosts.json")
    monkeypatch.setenv("HV_PW", PASSWORD)
    assert run_cli("hosts", "add", "a", "--url", ep.url, "--user", "someone", "--password-env", "HV_PW",
                   "--hosts-file", hf)[0] == 0
    code, _out, err = run_cli("hosts", "edit", "a", "--user", USER, "--rename", "b", "--timeout", "30",
                             "--hosts-file", hf)
    assert code == 0, err
    [h] = load_hosts(Path(hf))
    assert (h.name, h.username, h.timeout_s) == ("b", USER, 30.0)
    assert list(test_keyring) == [("hvgui", f"{USER}@{ep.url}")]  # moved, not copied
    monkeypatch.delenv("HV_PW")
    assert run_cli("inventory", "--hosts-file", hf)[0] == 0


def test_options_before_or_after_the_command(host: tuple[HyperVHost, HostEndpoint],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _, ep = host
    monkeypatch.setenv("HV_PW", PASSWORD)
    before = run_cli("--host", ep.url, "--user", USER, "--password-env", "HV_PW", "inventory", "--json")
    after = run_cli("inventory", "--json", "--host", ep.url, "--user", USER, "--password-env", "HV_PW")
    mixed = run_cli("--user", USER, "inventory", "--host", ep.url, "--password-env", "HV_PW", "--json")
    assert before[0] == after[0] == mixed[0] == 0, (before[2], after[2], mixed[2])
    assert json.loads(before[1]) == json.loads(after[1]) == json.loads(mixed[1])
    # A repeatable option adds up across both sides.
    args = cli.merge_options(cli.build_parser().parse_args(["--host", "a", "inventory", "--host", "b"]))
    assert args.host == ["a", "b"]


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon"])
def test_a_timeout_of_zero_or_less_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["inventory", "--timeout", value])
    assert info.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_version() -> None:
    for program in ("hvgui.remote.cli", "hvgui.ui.app"):
        proc = subprocess.run([sys.executable, "-m", program, "--version"], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().startswith("hvgui 0."), proc.stdout


def test_counts_and_messages_are_exact(host: tuple[HyperVHost, HostEndpoint],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _h, ep = host
    monkeypatch.setenv("HV_PW", PASSWORD)
    base = ["--host", ep.url, "--user", USER, "--password-env", "HV_PW"]
    code, out, err = run_cli(*base, "plan", "--vm", "web1", "--disable", "VSS")
    assert code == 0, err
    assert out.rstrip().endswith("\n1 change on 1 VM on 1 host")  # every host was read: nothing more said
    assert "could not be read" not in out + err
    # One of two patterns matches nothing: said plainly, and no host is blamed for it.
    code, out, err = run_cli(*base, "plan", "--vm", "web1", "--vm", "wbe2", "--disable", "VSS")
    assert code == 1 and "matched no VM on any host that answered: --vm 'wbe2'" in err
    assert "could not be read" not in out + err


def test_one_pattern_matching_nothing_applies_nothing(host: tuple[HyperVHost, HostEndpoint],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    h, ep = host
    monkeypatch.setenv("HV_PW", PASSWORD)
    code, _out, err = run_cli("--host", ep.url, "--user", USER, "--password-env", "HV_PW", "apply",
                             "--vm", "web*", "--vm", "dbb*", "--disable", "Time synchronization", "--yes")
    assert code == 1
    assert "nothing was changed" in err and "--vm 'dbb*'" in err
    assert all(vm.enabled[catalog.TIME_SYNC] for vm in h.vms)  # web1 and web2 untouched
    operations = ep.stats.as_json()["operations"]
    assert operations["inventory"] == 1 and "apply" not in operations  # read, never applied


def test_a_hosts_file_that_cannot_be_used_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps({"version": 1, "hosts": [
        {"url": "http://hv01:5985/wsman", "name": "hv01", "timeout_s": "soon"},
        {"url": "hv02 with spaces", "colour": "blue"}]}), encoding="utf-8")
    before = path.read_bytes()
    for args in (("inventory",), ("hosts", "list"), ("hosts", "add", "hv03")):
        code, _, err = run_cli(*args, "--hosts-file", str(path))
        assert code == 2
        assert "host #1 ('hv01'): field 'timeout_s': expected a number of seconds, found text \"soon\"" in err
        assert "host #2 ('hv02 with spaces'): unknown field 'colour'" in err
        assert "field 'url'" in err
        assert path.read_bytes() == before
    proc = subprocess.run([sys.executable, "-m", "hvgui.remote.cli", "--hosts-file", str(path), "inventory"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "timeout_s" in proc.stderr


def test_trust_pins_a_certificate_refuses_a_changed_one_and_accepts_the_checked_new_one(
        tmp_path: Path, test_keyring: dict[tuple[str, str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    h = HyperVHost("HV-PIN", logins=[Login(USER, PASSWORD)])
    h.add_vm("pinned-vm")
    ep = HostEndpoint(h, https=True)
    ep.start()
    hf = str(tmp_path / "hosts.json")
    monkeypatch.setenv("HV_PW", PASSWORD)
    try:
        assert run_cli("hosts", "add", "hv-pin", "--url", ep.url, "--user", USER, "--password-env", "HV_PW",
                       "--hosts-file", hf)[0] == 0
        code, _, err = run_cli("inventory", "--hosts-file", hf)
        assert code == 1 and "TLS certificate not trusted" in err and str(ep.fingerprint) in err
        # Without a terminal, trusting takes the fingerprint the admin checked.
        code, _, err = run_cli("hosts", "trust", "hv-pin", "--hosts-file", hf)
        assert code == 2 and "--fingerprint" in err
        wrong = "AA" * 32
        code, out, err = run_cli("hosts", "trust", "hv-pin", "--fingerprint", wrong, "--hosts-file", hf)
        assert code == 1 and "NOT the one you checked" in err and load_hosts(Path(hf))[0].cert_pin == ""
        code, out, err = run_cli("hosts", "trust", "hv-pin", "--fingerprint", str(ep.fingerprint), "--hosts-file", hf)
        assert code == 0 and "Trusting exactly this certificate" in out and "Windows thumbprint (SHA-1)" in out
        assert run_cli("inventory", "--hosts-file", hf)[0] == 0
        new = ep.rekey()
        code, out, err = run_cli("inventory", "--hosts-file", hf)
        assert code == 1 and "Host certificate CHANGED" in err and new in err and "hosts trust" in err
        code, out, err = run_cli("hosts", "trust", "hv-pin", "--fingerprint", new, "--hosts-file", hf)
        assert code == 0 and "ANOTHER certificate than the one you trusted" in out
        assert run_cli("inventory", "--hosts-file", hf)[0] == 0
    finally:
        ep.stop()


def test_trust_the_issuing_ca(tmp_path: Path, test_keyring: dict[tuple[str, str], str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    ca = TestCA(tmp_path / "pki")
    h = HyperVHost("HV-CA", logins=[Login(USER, PASSWORD)])
    ep = HostEndpoint(h, https=True, ca=ca)
    ep.start()
    hf = tmp_path / "cfg" / "hosts.json"
    monkeypatch.setenv("HV_PW", PASSWORD)
    try:
        assert run_cli("hosts", "add", "hv-ca", "--url", ep.url, "--user", USER, "--password-env", "HV_PW",
                       "--hosts-file", str(hf))[0] == 0
        ca_fp = certificate_info(ca.certificate.public_bytes(Encoding.DER)).sha256
        code, _out, err = run_cli("hosts", "trust", "hv-ca", "--ca", "--fingerprint", ca_fp, "--hosts-file", str(hf))
        assert code == 0, err
        [saved] = load_hosts(hf)
        assert Path(saved.ca_file).parent == hf.parent / "certs" and not saved.cert_pin
        assert run_cli("inventory", "--hosts-file", str(hf))[0] == 0
        ep.rekey()  # renewed by the same CA: still trusted, nothing to do
        assert run_cli("inventory", "--hosts-file", str(hf))[0] == 0
    finally:
        ep.stop()
