"""The simulated host answers a client as Windows does: cmd.exe, the PowerShell an admin types,
French and German PowerShell messages, realistic costs and guest states. Everything goes through
unmodified pywinrm over loopback; each assertion is what a real host answers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from winrm.exceptions import WinRMOperationTimeoutError
from winrm.protocol import Protocol

from hvgui.core import catalog, contract
from hvgui.simulator.hyperv import Costs, HyperVHost
from hvgui.simulator.interfaces import Login
from tests.conftest import StartEndpoint

USER, PASSWORD = "winadmin", "windows-like-pw-1"


@pytest.fixture
def proto(start_endpoint: StartEndpoint) -> Iterator[tuple[HyperVHost, Protocol]]:
    host = HyperVHost("HV-WIN", os="2019", locale="de-DE", logins=[Login(USER, PASSWORD)])
    host.add_vm("alpha")
    host.add_vm("beta", state="Off")
    ep = start_endpoint(host)
    p = Protocol(endpoint=ep.url, transport="ntlm", username=USER, password=PASSWORD, message_encryption="auto",
                 operation_timeout_sec=1, read_timeout_sec=6)
    yield host, p


def run(p: Protocol, command: str, args: tuple[str, ...] = (), *, env: dict[str, str] | None = None,
        stdin: bytes | None = None, codepage: int = 65001) -> tuple[str, str, int]:
    shell = p.open_shell(codepage=codepage, env_vars=env)
    try:
        cmd = p.run_command(shell, command, list(args), console_mode_stdin=stdin is None)
        if stdin is not None:
            p.send_command_input(shell, cmd, stdin, end=True)
        out, err, code = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
    finally:
        p.close_shell(shell)
    return out.decode("utf-8"), err.decode("utf-8", "replace"), code


def ps(p: Protocol, script: str) -> tuple[str, str, int]:
    return run(p, "powershell", ("-NoProfile", "-EncodedCommand", contract.encode_powershell(script)))


# ---------------------------------------------------------------- cmd.exe

def test_cmd_exe_as_windows_runs_it(proto: tuple[HyperVHost, Protocol]) -> None:
    _, p = proto
    assert run(p, "cmd.exe", ("/c", "echo", "hi")) == ("hi\r\n", "", 0)
    assert run(p, "echo %GREETING% from %COMPUTERNAME% %UNSET%", env={"GREETING": "hallo"}) == \
        ("hallo from HV-WIN %UNSET%\r\n", "", 0)
    out, _, code = run(p, "set", env={"ZZ_LAST": "1"})
    assert code == 0 and "COMPUTERNAME=HV-WIN\r\n" in out and out.endswith("ZZ_LAST=1\r\n")
    assert run(p, "set ZZ_NOPE") == ("", "Environment variable ZZ_NOPE not defined\r\n", 1)
    assert run(p, "set A=1 & echo %A% & set A") == ("%A%\r\nA=1\r\n", "", 0)  # expanded once, before running
    assert run(p, "cmd /c exit 3 || echo failed") == ("failed\r\n", "", 0)
    assert run(p, "cmd /c exit 3 && echo never") == ("", "", 3)
    out, _, code = run(p, "ipconfig")
    assert code == 0 and "Windows IP Configuration" in out and "IPv4 Address. . . . . . . . . . . : 127.0.0.1" in out
    assert run(p, "ver")[0] == "\r\nMicrosoft Windows [Version 10.0.17763]\r\n"
    assert run(p, "whoami")[0] == f"hv-win\\{USER}\r\n"
    assert run(p, "frobnicate") == ("", "'frobnicate' is not recognized as an internal or external command,\r\n"
                                        "operable program or batch file.\r\n", 9009)


# ---------------------------------------------------------------- PowerShell an admin types

def test_powershell_an_admin_types(proto: tuple[HyperVHost, Protocol]) -> None:
    _, p = proto
    assert ps(p, "Write-Host 'a' -NoNewline; Write-Host 'b'; Write-Output 'c'") == ("ab\r\nc\r\n", "", 0)
    out, _, code = ps(p, "Get-VM | Where-Object { $_.State -eq 'Running' } | ForEach-Object { $_.Name }")
    assert (out, code) == ("alpha\r\n", 0)
    assert ps(p, "Get-VM | Where-Object State -EQ 'Off' | Select-Object -ExpandProperty Name")[0] == "beta\r\n"
    assert ps(p, "(Get-VM | Sort-Object -Property Name -Descending | Select-Object -First 1).Name")[0] == "beta\r\n"
    assert ps(p, "$PSVersionTable.PSVersion.ToString()")[0] == "5.1\r\n"
    assert ps(p, "Import-Module Hyper-V; (Get-Command Get-VMIntegrationService).Source")[0] == "Hyper-V\r\n"
    assert ps(p, "(Get-VMHost).Name")[0] == "HV-WIN\r\n"
    assert ps(p, "@(Get-VM | Select-Object -Property Name, State)[1].State")[0] == "Off\r\n"


def test_powershell_reads_its_script_from_stdin(proto: tuple[HyperVHost, Protocol]) -> None:
    _, p = proto
    script = b"$x = 'from stdin'\r\n$x\r\n(Get-VM -Name alpha).Name\r\n"
    assert run(p, "powershell", ("-NoProfile", "-"), stdin=script) == ("from stdin\r\nalpha\r\n", "", 0)
    assert run(p, "powershell", ("-NoProfile", "-Command", "-"), stdin=script)[0] == "from stdin\r\nalpha\r\n"


def test_start_sleep_outlives_the_operation_timeout(proto: tuple[HyperVHost, Protocol]) -> None:
    """A command silent for longer than OperationTimeout: Receive faults (pywinrm raises its
    timeout error), then the output and exit code 0 arrive."""
    _, p = proto
    shell = p.open_shell(codepage=65001)
    try:
        cmd = p.run_command(shell, "powershell", ["-EncodedCommand",
                                                  contract.encode_powershell("Start-Sleep -Seconds 2; 'awake'")])
        timeouts = 0
        while True:
            try:
                out, _err, code, done = p.get_command_output_raw(shell, cmd)
            except WinRMOperationTimeoutError:
                timeouts += 1
                continue
            if done:
                break
        p.cleanup_command(shell, cmd)
    finally:
        p.close_shell(shell)
    assert timeouts >= 1 and code == 0 and out == b"awake\r\n"


def test_powershell_messages_in_the_hosts_language(proto: tuple[HyperVHost, Protocol]) -> None:
    _, p = proto
    _, err, code = ps(p, "Get-Nothing")
    assert code == 1 and 'Die Benennung "Get-Nothing" wurde nicht als Name eines Cmdlet' in err
    _, err, _ = ps(p, "$null.Trim()")
    assert "Sie können keine Methode für einen Ausdruck mit dem Wert NULL aufrufen." in err
    _, err, _ = ps(p, "Get-VM -Name nope")
    assert 'Hyper-V konnte keinen virtuellen Computer mit dem Namen "nope" finden.' in err


# ---------------------------------------------------------------- costs and guest states

def test_realistic_costs(proto: tuple[HyperVHost, Protocol]) -> None:
    host, p = proto
    host.costs = Costs(powershell_start_s=0.3, module_load_s=0.5, per_vm_read_s=0.1)
    started = time.monotonic()
    assert ps(p, "'no Hyper-V here'")[0] == "no Hyper-V here\r\n"
    no_module = time.monotonic() - started
    started = time.monotonic()
    assert ps(p, "(Get-VM).Count; (Get-VM).Count")[0] == "2\r\n2\r\n"
    with_module = time.monotonic() - started
    # Lower bounds only (a loaded machine is slower, never faster): powershell.exe start for every
    # command, the module load for the first Hyper-V cmdlet, 0.1 s per VM read.
    assert no_module >= 0.3 and with_module >= 0.3 + 0.5 + 4 * 0.1
    assert Costs.realistic().powershell_start_s > 0 and Costs.realistic().module_load_s > 0


def test_guest_states_as_a_host_reports_them() -> None:
    h = HyperVHost("H", os="2022", locale="fr-FR")
    vm = h.add_vm("g")
    h.set_guest(vm.id, "vmickvpexchange", "hung")
    h.set_guest(vm.id, "vmicvss", "old_protocol")
    h.set_guest(vm.id, "vmictimesync", "incompatible")
    h.costs.guest_answer_s = 60.0
    h.write_enabled(vm.id, catalog.GUEST_SERVICE_INTERFACE, True)
    view = {c.guid: c for c in h.snapshot([vm.id])[0].components}
    assert [s.name for s in view[catalog.KVP].statuses] == ["LostCommunication"]
    assert view[catalog.KVP].descriptions == ("Communication perdue",)
    assert [s.name for s in view[catalog.VSS].statuses] == ["Degraded"]
    assert [s.name for s in view[catalog.TIME_SYNC].statuses] == ["NonRecoverableError"]
    assert [s.name for s in view[catalog.GUEST_SERVICE_INTERFACE].statuses] == ["NoContact"]  # answers late
    h.set_guest(vm.id, "vmickvpexchange", "running")  # the guest recovers
    h.costs.guest_answer_s = 0.0
    view = {c.guid: c for c in h.snapshot([vm.id])[0].components}
    assert [s.name for s in view[catalog.KVP].statuses] == ["Ok"]
    assert [s.name for s in view[catalog.GUEST_SERVICE_INTERFACE].statuses] == ["Ok"]


# ---------------------------------------------------------------- the wire as Windows answers it

def test_receive_without_a_command_id_is_an_invalid_parameter(proto: tuple[HyperVHost, Protocol]) -> None:
    import xmltodict
    from winrm.exceptions import WSManFaultError

    _, p = proto
    shell = p.open_shell()
    try:
        req = {"env:Envelope": p.build_wsman_header(
            resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
            action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive", shell_id=shell)}
        req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Receive", {})["rsp:DesiredStream"] = \
            "stdout stderr"
        with pytest.raises(WSManFaultError) as info:
            p.send_message(xmltodict.unparse(req))
        assert info.value.wsman_fault_code == 87 and info.value.code == 500
    finally:
        p.close_shell(shell)


def test_malformed_operation_timeout_is_refused(proto: tuple[HyperVHost, Protocol]) -> None:
    import xmltodict
    from winrm.exceptions import WSManFaultError

    _, p = proto
    req = {"env:Envelope": p.build_wsman_header(
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        action="http://schemas.xmlsoap.org/ws/2004/09/transfer/Create")}
    req["env:Envelope"]["env:Header"]["w:OperationTimeout"] = "soon"
    req["env:Envelope"].setdefault("env:Body", {})["rsp:Shell"] = {"rsp:InputStreams": "stdin",
                                                                   "rsp:OutputStreams": "stdout stderr"}
    with pytest.raises(WSManFaultError) as info:
        p.send_message(xmltodict.unparse(req))
    assert info.value.wsman_fault_code == 2150858881
    assert "timeout header in the request is invalid" in info.value.reason


def test_oversized_envelope_and_wrong_content_type(proto: tuple[HyperVHost, Protocol],
                                                   start_endpoint: StartEndpoint) -> None:
    import requests
    from winrm.exceptions import WinRMTransportError

    host, p = proto
    host.faults.max_envelope_kb = 64
    shell = p.open_shell()
    try:
        cmd = p.run_command(shell, "powershell", ["-"], console_mode_stdin=False)
        with pytest.raises(WinRMTransportError) as info:
            p.send_command_input(shell, cmd, b"x" * 100_000)
        assert info.value.code == 413
    finally:
        host.faults.max_envelope_kb = 500
    basic = HyperVHost("HV-BASIC", logins=[Login(USER, PASSWORD)])
    ep = start_endpoint(basic)
    r = requests.post(ep.url, data=b"<s:Envelope/>", headers={"Content-Type": "text/xml"},
                      auth=(USER, PASSWORD), timeout=10)
    assert r.status_code == 415


def test_idle_timeout_is_echoed_and_honoured(proto: tuple[HyperVHost, Protocol]) -> None:
    from pypsrp.shell import WinRS
    from pypsrp.wsman import WSMan

    _, p = proto
    url = p.transport.endpoint
    hostname, port = url.split("//")[1].split("/")[0].split(":")
    wsman = WSMan(hostname, port=int(port), username=USER, password=PASSWORD, ssl=False, auth="ntlm",
                  cert_validation=False)
    with WinRS(wsman) as default:
        assert default.idle_time_out == "PT7200.000S"  # a real host's default
    shell = WinRS(wsman, idle_time_out=30)
    shell.open()
    assert shell.idle_time_out == "PT30.000S"
    shell.close()
    wsman.close()


def test_operations_quota_fault_and_unlimited_shells_by_default(proto: tuple[HyperVHost, Protocol]) -> None:
    from winrm.exceptions import WSManFaultError

    host, p = proto
    shells = [p.open_shell() for _ in range(35)]  # more than the old 30: modern hosts do not limit
    host.faults.too_many_operations = True
    try:
        with pytest.raises(WSManFaultError) as info:
            p.run_command(shells[0], "hostname")
        assert info.value.wsman_fault_code == 2150859174
    finally:
        host.faults.too_many_operations = False
        for s in shells:
            p.close_shell(s, close_session=False)


def test_skip_cmd_shell_runs_programs_only(proto: tuple[HyperVHost, Protocol]) -> None:
    _, p = proto
    shell = p.open_shell()
    try:
        for command, expected in (("hostname", (b"HV-WIN\r\n", 0)), ("echo %COMPUTERNAME%", (b"", 2))):
            cmd = p.run_command(shell, command, skip_cmd_shell=True)
            out, _err, code = p.get_command_output(shell, cmd)
            p.cleanup_command(shell, cmd)
            assert (out, code) == expected
    finally:
        p.close_shell(shell)


def test_guest_states_through_the_wire(proto: tuple[HyperVHost, Protocol]) -> None:
    host, p = proto
    vm = host.find_vms("alpha")[0]
    host.set_guest(vm.id, "vmickvpexchange", "hung")
    host.set_guest(vm.id, "vmicvss", "old_protocol")
    out, _, code = ps(p, "Get-VMIntegrationService -VMName alpha | "
                         "ForEach-Object { \"$($_.Name)=$($_.PrimaryStatusDescription)\" }")
    assert code == 0
    assert "Austausch von Schlüsselwertepaaren=Kommunikation unterbrochen" in out and "VSS=Beeinträchtigt" in out
    host.set_guest(vm.id, "vmickvpexchange", "running")  # it recovers
    out, _, _ = ps(p, "(Get-VMIntegrationService -VMName alpha -Name 'Austausch*').PrimaryStatusDescription")
    assert out == "OK\r\n"


def test_fleet_file_costs() -> None:
    from hvgui.simulator.fleet import FleetError, parse_fleet

    [h1, h2] = parse_fleet('[[host]]\nname = "A"\nrealistic = true\n[[host]]\nname = "B"\n[host.costs]\n'
                           'module_load_s = 0.25\n', "f.toml")
    assert h1.costs == Costs.realistic() and h2.costs == Costs(module_load_s=0.25)
    with pytest.raises(FleetError, match=r"costs\.bogus_s"):
        parse_fleet('[[host]]\nname = "A"\n[host.costs]\nbogus_s = 1\n', "f.toml")
    with pytest.raises(FleetError, match="expected seconds"):
        parse_fleet('[[host]]\nname = "A"\n[host.costs]\nmodule_load_s = -1\n', "f.toml")
