"""Behaviour of a simulated Hyper-V host, driven through its shell (``cmdexe.run_command_line``) directly."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvgui.core import catalog, contract
from hvgui.core.model import Change, Outcome
from hvgui.remote import scripts
from hvgui.simulator.cmdexe import run_command_line
from hvgui.simulator.faults import ExternalChange
from hvgui.simulator.fleet import FleetError, load_fleet, parse_fleet
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interpreter import wildcard_match
from hvgui.simulator.powershell import ParseError, parse, quote_bare_lists

INVENTORY_SCRIPT = scripts.INVENTORY
APPLY_SCRIPT = scripts.APPLY


@dataclass
class Ctx:
    """A CommandContext for unit tests."""

    command_line: str
    stdin: bytes | None = None
    codepage: int = 65001
    user: str = "labadmin"
    cancelled: threading.Event = field(default_factory=threading.Event)
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)

    def read_stdin(self, timeout: float | None = None) -> bytes | None:
        return self.stdin

    def write_stdout(self, text: str) -> None:
        self.out.append(text)

    def write_stderr(self, text: str) -> None:
        self.err.append(text)

    def count_operation(self, name: str) -> None:
        self.ops.append(name)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)


def ps(host: HyperVHost, script: str) -> tuple[int, Ctx]:
    ctx = Ctx("powershell -encodedcommand " + contract.encode_powershell(script))
    return run_command_line(host, ctx), ctx


def clixml_text(stderr: str) -> str:
    """What pywinrm shows of a CLIXML error (its _clean_error_msg)."""
    assert stderr.startswith("#< CLIXML\r\n")
    root = ET.fromstring(stderr[len("#< CLIXML\r\n"):])
    ns = "{http://schemas.microsoft.com/powershell/2004/04}"
    return "".join((s.text or "").replace("_x000D__x000A_", "\n") for s in root.findall(f"./{ns}S")).strip()


def run_op(host: HyperVHost, script: str, request: dict[str, object]) -> tuple[int, Ctx]:
    ctx = Ctx(contract.command_line(), stdin=contract.stdin_for(script, request).encode("ascii"))
    return run_command_line(host, ctx), ctx


def inventory(host: HyperVHost):  # type: ignore[no-untyped-def]
    rc, ctx = run_op(host, INVENTORY_SCRIPT, contract.inventory_request())
    assert rc == 0, ctx.stderr
    return contract.parse_inventory(contract.decode_result(ctx.stdout))


def apply(host: HyperVHost, changes: list[Change]):  # type: ignore[no-untyped-def]
    rc, ctx = run_op(host, APPLY_SCRIPT, contract.apply_request(changes))
    assert rc == 0, ctx.stderr
    assert ctx.ops == ["apply"]
    return contract.parse_apply(contract.decode_result(ctx.stdout))


@pytest.fixture
def host() -> HyperVHost:
    h = HyperVHost("HV01", os="2019", locale="en-US")
    h.add_vm("DemoVM", id="7cca7664-91d0-40a9-9769-7809f256f603")
    h.add_vm("web1")
    h.add_vm("web[1]", state="Off")
    h.add_vm("ubu", guest_os="Ubuntu 24.04 LTS")
    return h


# ---------------------------------------------------------------- cmd.exe

def test_cmd_builtins_and_unknown(host: HyperVHost) -> None:
    ctx = Ctx("hostname")
    assert run_command_line(host, ctx) == 0 and ctx.stdout == "HV01\r\n"
    ctx = Ctx("echo hello world")
    assert run_command_line(host, ctx) == 0 and ctx.stdout == "hello world\r\n"
    ctx = Ctx("whoami")
    assert run_command_line(host, ctx) == 0 and ctx.stdout == "hv01\\labadmin\r\n"
    ctx = Ctx("exit 7")
    assert run_command_line(host, ctx) == 7
    ctx = Ctx("ver")
    assert run_command_line(host, ctx) == 0 and "10.0.17763" in ctx.stdout
    ctx = Ctx("frobnicate --now")
    assert run_command_line(host, ctx) == 9009  # cmd.exe /c's exit code for an unknown command
    assert ctx.stderr == ("'frobnicate' is not recognized as an internal or external command,\r\n"
                          "operable program or batch file.\r\n")


def test_cmd_line_limit() -> None:
    h = HyperVHost("HV01")
    script = "hostname;" * 500
    line = "powershell -encodedcommand " + contract.encode_powershell(script)
    assert len(line) > 8191
    ctx = Ctx(line)
    assert run_command_line(h, ctx) == 1 and ctx.stderr == "The command line is too long.\r\n" and not ctx.out
    ok = Ctx("echo " + "x" * (8191 - 5))
    assert run_command_line(h, ok) == 0


@pytest.mark.parametrize("switches", ["-encodedcommand", "-EncodedCommand", "-enc", "-e", "-EC",
                                      "-NoProfile -NonInteractive -NoLogo -ExecutionPolicy Bypass -encodedCommand",
                                      "-InputFormat Text -OutputFormat Text -e"])
def test_powershell_switches(switches: str) -> None:
    h = HyperVHost("HV01")
    ctx = Ctx(f"PowerShell.exe {switches} {contract.encode_powershell('hostname')}")
    assert run_command_line(h, ctx) == 0, ctx.stderr
    assert ctx.stdout == "HV01\r\n"


def test_pywinrm_run_ps_command_line() -> None:
    """What pywinrm's Session.run_ps sends."""
    import base64

    h = HyperVHost("HV01")
    encoded = base64.b64encode("Get-VM".encode("utf_16_le")).decode("ascii")
    ctx = Ctx(f"powershell -encodedcommand {encoded}")
    assert run_command_line(h, ctx) == 0
    assert ctx.ops == ["Get-VM"]


# ---------------------------------------------------------------- parsing

def test_parser_error_is_clixml_and_exit_1(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-VM (")
    assert rc == 1 and not ctx.out
    text = clixml_text(ctx.stderr)
    assert "Missing closing ')' in expression." in text
    assert "ParserError" in text and "At line:1 char:9" in text
    assert "_x000D__x000A_" in ctx.stderr
    rc, ctx = ps(host, 'Get-VM "unterminated')
    assert rc == 1 and "The string is missing the terminator" in clixml_text(ctx.stderr)


def test_grammar_known_false_errors() -> None:
    """Known false errors of tree-sitter-powershell 0.26.4 (winrm-protocol.md). When a grammar
    upgrade fixes one, this test fails: update the list (and drop the workaround if it's the
    bare-word list)."""
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))

    def has_error(s: str) -> bool:
        return parser.parse(s.encode()).root_node.has_error

    # One-line switch with a default branch.
    assert has_error("switch ($s) { 'a' { 1 } default { 2 } }")
    assert not has_error("switch ($s) {\n 'a' { 1 }\n default { 2 }\n}")
    # A comma list of bare words: the doc's `Get-Service -Name vm* | Select-Object Name, Status`.
    assert has_error("Get-Service -Name vm* | Select-Object Name, Status")
    assert has_error("Get-VM | Select-Object Name, State")
    # The doc's exact `vmic* | Select-Object Name` (single property) already parses in 0.26.4.
    assert not has_error("Get-Service -Name vmic* | Select-Object Name")
    # ... which the simulator repairs by quoting the bare words.
    assert not isinstance(parse("Get-VM | Select-Object Name, State"), ParseError)
    assert quote_bare_lists("Get-VM 'a, b' | Select-Object Name,State") == \
        "Get-VM 'a, b' | Select-Object 'Name','State'"


def test_unknown_command(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-Frob -x")
    assert rc == 1
    assert clixml_text(ctx.stderr).startswith(
        "Get-Frob : The term 'Get-Frob' is not recognized as the name of a cmdlet, function, script file, or "
        "operable program. Check the spelling of the name, or if a path was included, verify that the path is "
        "correct and try again.")
    assert "CommandNotFoundException" in ctx.stderr


def test_statements_continue_after_error_and_exit_code_is_last(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-VM nope; hostname")
    assert rc == 0 and ctx.stdout == "HV01\r\n"
    assert 'Get-VM : Hyper-V was unable to find a virtual machine with name "nope".' in clixml_text(ctx.stderr)
    rc, ctx = ps(host, "hostname\nexit 3")
    assert rc == 3


# ---------------------------------------------------------------- cmdlets

def test_get_vmintegrationservice_default_table(host: HyperVHost) -> None:
    rc, ctx = ps(host, 'Get-VMIntegrationService -VMName "DemoVM"')
    assert rc == 0, ctx.stderr
    assert ctx.ops == ["Get-VMIntegrationService"]
    lines = ctx.stdout.split("\r\n")
    assert lines[1].split() == ["VMName", "Name", "Enabled", "PrimaryStatusDescription", "SecondaryStatusDescription"]
    rows = lines[3:9]
    assert rows[0] == "DemoVM Guest Service Interface False   OK"
    assert rows[1] == "DemoVM Heartbeat               True    OK                       OK"
    assert "\n" not in ctx.stdout.replace("\r\n", "")


def test_wildcards_vmname(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-VMIntegrationService -VMName 'web[1]' -Name Heartbeat | Select-Object VMName")
    assert rc == 0
    names = [ln.strip() for ln in ctx.stdout.split("\r\n")[3:] if ln.strip()]
    assert names == ["web1"]  # a pattern: not the VM literally named web[1]
    rc, ctx = ps(host, "Get-VM -Name 'web`[1`]' | Select-Object -ExpandProperty Name")
    assert ctx.stdout == "web[1]\r\n"
    rc, ctx = ps(host, "Get-VM web* | Select-Object -ExpandProperty Name")
    assert ctx.stdout.split("\r\n")[:2] == ["web1", "web[1]"]
    assert wildcard_match("w?b[0-9]", "WEB1") and not wildcard_match("w?b[a-z]", "web1")


def test_duplicate_names_by_id(host: HyperVHost) -> None:
    twin = host.add_vm("DemoVM", state="Off")
    rc, ctx = ps(host, "Get-VM DemoVM | ConvertTo-Json -Compress")
    data = json.loads(ctx.stdout)
    assert [d["Id"] for d in data] == ["7cca7664-91d0-40a9-9769-7809f256f603", twin.id]
    rc, ctx = ps(host, f"Get-VM -Id {twin.id} | Enable-VMIntegrationService -Name 'Guest Service Interface'")
    assert rc == 0 and ctx.ops == ["Get-VM", "Enable-VMIntegrationService"]
    assert host.vm(twin.id).enabled[catalog.GUEST_SERVICE_INTERFACE] is True  # type: ignore[union-attr]
    assert host.vm("7cca7664-91d0-40a9-9769-7809f256f603").enabled[  # type: ignore[union-attr]
        catalog.GUEST_SERVICE_INTERFACE] is False


def test_enable_disable_positional_and_passthru(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Enable-VMIntegrationService 'Guest Service Interface' DemoVM -Passthru -Confirm:$false")
    assert rc == 0, ctx.stderr
    assert "DemoVM Guest Service Interface True    OK" in ctx.stdout
    rc, ctx = ps(host, "Get-VMIntegrationService DemoVM -Name Guest* | Disable-VMIntegrationService")
    assert rc == 0 and ctx.stdout == ""
    assert host.vm("7cca7664-91d0-40a9-9769-7809f256f603").enabled[  # type: ignore[union-attr]
        catalog.GUEST_SERVICE_INTERFACE] is False
    rc, ctx = ps(host, "Enable-VMIntegrationService -Na 'Guest Service Interface' -VMN ubu -WhatIf")
    assert rc == 0 and ctx.stdout.startswith("What if:")
    assert host.vm(host.find_vms("ubu")[0].id).enabled[catalog.GUEST_SERVICE_INTERFACE] is False  # type: ignore[union-attr]


def test_parameter_binding_errors(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Rename-VM -N web1 x")
    assert rc == 1 and "ambiguous" in clixml_text(ctx.stderr) and "-Name -NewName" in clixml_text(ctx.stderr)
    rc, ctx = ps(host, "Get-VM -Bogus 1")
    assert rc == 1 and "A parameter cannot be found that matches parameter name 'bogus'." in ctx.stderr


def test_no_matching_service_name_localized() -> None:
    de = HyperVHost("HVDE", os="2025", locale="de-DE")
    de.add_vm("vm1")
    rc, ctx = ps(de, "Get-VMIntegrationService -VMName vm1 -Name 'Guest Service Interface'")
    assert rc == 1
    text = clixml_text(ctx.stderr)
    assert text.startswith("Get-VMIntegrationService : Ein Parameter ist ungültig. Es wurde keine "
                           "Integrationskomponente mit dem angegebenen Namen gefunden.")
    assert "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVMIntegrationServiceCommand" in text
    rc, ctx = ps(de, "Get-VMIntegrationService vm1 -Name Gastdienstschnittstelle | Select-Object -ExpandProperty Name")
    assert rc == 0 and ctx.stdout == "Gastdienstschnittstelle\r\n"


def test_localized_names_and_descriptions() -> None:
    for locale, nc in (("de-DE", "Kein Kontakt"), ("fr-FR", "Aucun contact")):
        h = HyperVHost("H", os="2022", locale=locale)
        vm = h.add_vm("x", guest={"vmickvpexchange": "stopped"})
        inv = inventory(h)
        kvp = inv.vm(vm.id).service(catalog.KVP)  # type: ignore[union-attr]
        assert kvp is not None and kvp.name == catalog.LOCALIZED_NAMES[locale][catalog.KVP]
        assert kvp.primary is not None and kvp.primary.name == "NoContact" and kvp.primary.text == nc
        hb = inv.vm(vm.id).service(catalog.HEARTBEAT)  # type: ignore[union-attr]
        assert hb is not None and hb.primary is not None and hb.primary.text == "OK"


def test_status_semantics() -> None:
    h = HyperVHost("H", os="2022")
    off = h.add_vm("off", state="Off")
    win = h.add_vm("win", enabled={"VSS": False}, guest={"vmicvss": "missing"})
    old = h.add_vm("old", guest_os="Windows Server 2008 R2 Enterprise", enabled={"Guest Service Interface": True})
    lin = h.add_vm("lin", guest_os="Ubuntu 24.04 LTS", guest={"hv_kvp_daemon": "missing"})
    rh = h.add_vm("rh", guest_os="Red Hat Enterprise Linux 9.4")
    inv = inventory(h)

    def svc(vm_id: str, guid: str):  # type: ignore[no-untyped-def]
        s = inv.vm(vm_id).service(guid)  # type: ignore[union-attr]
        assert s is not None
        return s

    assert all(s.primary is None and s.secondary is None for s in inv.vm(off.id).services)  # type: ignore[union-attr]
    assert svc(win.id, catalog.VSS).enabled is False and svc(win.id, catalog.VSS).primary.code == 2  # type: ignore[union-attr]
    assert svc(win.id, catalog.HEARTBEAT).secondary.name == "Ok"  # type: ignore[union-attr]
    assert svc(old.id, catalog.GUEST_SERVICE_INTERFACE).primary.code == 12  # type: ignore[union-attr]
    assert svc(lin.id, catalog.KVP).primary.name == "NoContact"  # type: ignore[union-attr]
    mismatch = svc(lin.id, catalog.VSS).secondary
    assert mismatch is not None and mismatch.code == 32775 and mismatch.text.startswith("The protocol version")
    assert svc(rh.id, catalog.VSS).secondary is None
    h2012 = HyperVHost("old", os="2012")
    v = h2012.add_vm("x")
    assert inventory(h2012).vm(v.id).service(catalog.GUEST_SERVICE_INTERFACE) is None  # type: ignore[union-attr]
    assert len(inventory(h2012).vm(v.id).services) == 5  # type: ignore[union-attr]


def test_convert_to_json_51_shapes(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-VMIntegrationService DemoVM -Name Heartbeat | ConvertTo-Json")
    one = json.loads(ctx.stdout)
    assert isinstance(one, dict)  # a single object is not wrapped
    assert one["PrimaryOperationalStatus"] == 2 and one["OperationalStatus"] == [2, 2]  # enums as numbers
    assert one["Id"] == "Microsoft:7CCA7664-91D0-40A9-9769-7809F256F603\\84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47"
    assert '"Enabled":  true' in ctx.stdout  # 5.1's two spaces after the colon
    rc, ctx = ps(host, "Get-VMIntegrationService DemoVM | ConvertTo-Json -Compress")
    assert rc == 0
    many = json.loads(ctx.stdout)
    assert isinstance(many, list) and len(many) == 6
    _, ctx = ps(host, "Get-VM DemoVM | ConvertTo-Json -Depth 1")
    vm = json.loads(ctx.stdout)
    assert vm["State"] == 2 and vm["Heartbeat"] == 6
    _rc, ctx = ps(host, "Get-VM DemoVM | Select-Object Name, State | ConvertTo-Json -Compress")
    assert json.loads(ctx.stdout) == {"Name": "DemoVM", "State": 2}


def test_vm_lifecycle_cmdlets(host: HyperVHost) -> None:
    rc, ctx = ps(host, "New-VM -Name 'fresh'; Rename-VM fresh -NewName \"re named\"; Start-VM 're named'")
    assert rc == 0, ctx.stderr
    [vm] = host.find_vms("re named")
    assert vm.state == "Running"
    rc, ctx = ps(host, "Stop-VM 're named' -TurnOff; Remove-VM 're named'")
    assert rc == 1 and "NonInteractive" in ctx.stderr
    rc, ctx = ps(host, "Remove-VM 're named' -Force")
    assert rc == 0 and host.find_vms("re named") == []


def test_quoting_forms(host: HyperVHost) -> None:
    host.add_vm("O'Brien")
    for literal in ("'O''Brien'", "\u2018O''Brien\u2019", "\u2018O\u2018'Brien\u2019", '"O\'Brien"'):
        rc, ctx = ps(host, f"Get-VM -Name {literal} | Select-Object -ExpandProperty Name")
        assert (rc, ctx.stdout) == (0, "O'Brien\r\n"), literal
    rc, ctx = ps(host, '$n = "Demo"; Get-VM "${n}VM" | Select-Object -ExpandProperty Name')
    assert ctx.stdout == "DemoVM\r\n"
    rc, ctx = ps(host, '"$(danger)"')
    assert rc == 1 and "'danger' is not recognized" in ctx.stderr


# ---------------------------------------------------------------- contract operations

def test_inventory_round_trip(host: HyperVHost) -> None:
    rc, ctx = run_op(host, INVENTORY_SCRIPT, contract.inventory_request())
    assert rc == 0 and ctx.ops == ["inventory"] and not ctx.err
    assert ctx.stdout.startswith(contract.RESULT_GZIP_PREFIX) and ctx.stdout.isascii()
    inv = contract.parse_inventory(contract.decode_result(ctx.stdout))
    assert inv.host.name == "HV01" and inv.host.os_version == "10.0.17763"
    assert inv.host.os_caption == "Microsoft Windows Server 2019 Datacenter" and inv.host.locale == "en-US"
    assert [v.name for v in inv.vms] == ["DemoVM", "web1", "web[1]", "ubu"]
    demo = inv.vm("7cca7664-91d0-40a9-9769-7809f256f603")
    assert demo is not None and len(demo.services) == 6
    assert demo.service(catalog.GUEST_SERVICE_INTERFACE).enabled is False  # type: ignore[union-attr]


def test_bootstrap_errors(host: HyperVHost) -> None:
    """The bootstrap and the scripts' own request check, executed: a script that does not parse
    fails in [ScriptBlock]::Create; a request for another operation or version is refused by the
    script itself; stdin without the payload marker fails on the bootstrap's null part."""
    rc, ctx = run_op(host, INVENTORY_SCRIPT + "if (\n", contract.inventory_request())
    assert rc == 1 and "ParseException" in ctx.stderr and not ctx.out
    assert 'Exception calling "Create" with "1" argument(s)' in clixml_text(ctx.stderr)
    rc, ctx = run_op(host, INVENTORY_SCRIPT, {"op": "apply", "v": 1, "changes": []})
    assert rc == 1 and not ctx.out
    assert "hvgui: this script runs 'inventory' v1 requests only" in clixml_text(ctx.stderr)
    rc, ctx = run_op(host, INVENTORY_SCRIPT, {"op": "inventory", "v": 9})
    assert rc == 1 and "v1 requests only" in clixml_text(ctx.stderr)
    ctx = Ctx(contract.command_line(), stdin=b"'no marker'\r\n")
    assert run_command_line(host, ctx) == 1 and not ctx.out
    assert "You cannot call a method on a null-valued expression." in clixml_text(ctx.stderr)
    # The operation script sees the payload as data only: hostile text is never code.
    rc, ctx = run_op(host, INVENTORY_SCRIPT, {"op": "inventory", "v": 1, "x": "'; Remove-VM * -Force; '$(exit 7)"})
    assert rc == 0 and len(host.vms) == 4


def test_apply_outcomes(host: HyperVHost) -> None:
    demo = "7cca7664-91d0-40a9-9769-7809f256f603"
    [web1] = host.find_vms("web1")
    h2012 = HyperVHost("old", os="2012")
    gsi, vss, hb = catalog.GUEST_SERVICE_INTERFACE, catalog.VSS, catalog.HEARTBEAT
    host.faults.vm_errors[web1.id] = "The operation failed because the file was not found."
    res = apply(host, [
        Change(demo, gsi, expected=False, target=True),                        # changed
        Change(demo, hb, expected=True, target=True),                          # unchanged
        Change(demo, vss, expected=False, target=False),                       # conflict (host says True)
        Change("00000000-0000-0000-0000-000000000001", gsi, False, True),      # vm_not_found
        Change(demo, "11111111-2222-3333-4444-555555555555", False, True),     # service_not_offered
        Change(web1.id, gsi, False, True),                                     # error
    ])
    by_key = {(i.vm_id, i.service_guid): i.outcome for i in res.items}
    assert len(res.items) == 6
    assert [by_key[(c[0], c[1])] for c in [
        (demo, gsi), (demo, hb), (demo, vss), ("00000000-0000-0000-0000-000000000001", gsi),
        (demo, "11111111-2222-3333-4444-555555555555"), (web1.id, gsi)]] == [
        Outcome.CHANGED, Outcome.UNCHANGED, Outcome.CONFLICT, Outcome.VM_NOT_FOUND,
        Outcome.SERVICE_NOT_OFFERED, Outcome.ERROR]
    assert [i.enabled for i in res.items] == [True, True, True, None, None, None]
    assert "The host now says enabled (the plan expected disabled)" in res.items[2].message
    assert res.items[5].message == "The operation failed because the file was not found."
    assert host.vm(demo).enabled[vss] is True and host.vm(demo).enabled[gsi] is True  # type: ignore[union-attr]
    assert host.vm(web1.id).enabled[gsi] is False  # type: ignore[union-attr]
    assert [v.id for v in res.vms] == [demo]
    assert res.vms[0].service(gsi).enabled is True  # type: ignore[union-attr]
    v = h2012.add_vm("x")
    res = apply(h2012, [Change(v.id, gsi, False, True)])
    assert res.items[0].outcome is Outcome.SERVICE_NOT_OFFERED


def test_external_change_after_next_read(host: HyperVHost) -> None:
    demo = "7cca7664-91d0-40a9-9769-7809f256f603"
    host.faults.external_changes.append(ExternalChange(demo, catalog.VSS, False))
    before = inventory(host)  # served the old value, then "another admin" disables VSS
    assert before.vm(demo).service(catalog.VSS).enabled is True  # type: ignore[union-attr]
    assert host.faults.external_changes == []
    # Another admin made the very change asked for: already in the target state, so unchanged
    # (the target is tested before the conflict), and said so.
    res = apply(host, [Change(demo, catalog.VSS, expected=True, target=False)])
    assert res.items[0].outcome is Outcome.UNCHANGED and res.items[0].enabled is False
    assert "changed on the host since it was read" in res.items[0].message
    # The host differs from what the user saw and from the target: left alone.
    res = apply(host, [Change(demo, catalog.VSS, expected=True, target=True)])
    assert res.items[0].outcome is Outcome.CONFLICT and res.items[0].enabled is False
    assert host.vm(demo).enabled[catalog.VSS] is False  # type: ignore[union-attr]
    res = apply(host, [Change(demo, catalog.VSS, expected=False, target=True)])
    assert res.items[0].outcome is Outcome.CHANGED and res.items[0].enabled is True


def test_per_vm_latency_is_cancellable(host: HyperVHost) -> None:
    host.faults.per_vm_latency_s = 30.0
    ctx = Ctx(contract.command_line(),
              stdin=contract.stdin_for(INVENTORY_SCRIPT, contract.inventory_request()).encode("ascii"))
    ctx.cancelled.set()
    assert run_command_line(host, ctx) == 1 and not ctx.out


def test_kill_after_changes_ends_the_command_as_a_kill_does(host: HyperVHost) -> None:
    """``kill_commands_after_changes``: the N-th change stays done, nothing after it is; the client
    sees what a command its kill cut short shows (here: one cut short before its first change)."""
    vms = host.vms[:2]
    changes = [Change(v.id, g, on, not on) for v in vms for g, on in v.enabled.items()]
    stdin = contract.stdin_for(APPLY_SCRIPT, contract.apply_request(changes)).encode("ascii")

    def run(kill: threading.Event | None = None) -> tuple[int, str, str, int]:
        before = {(c.vm_id, c.service_guid): c.expected for c in changes}
        ctx = Ctx(contract.command_line(), stdin=stdin)
        if kill is not None:
            ctx.cancelled = kill
        rc = run_command_line(host, ctx)
        done = sum(host.vm(vm_id).enabled[g] != on for (vm_id, g), on in before.items())  # type: ignore[union-attr]
        for c in changes:  # back to where it started
            host.write_enabled(c.vm_id, c.service_guid, c.expected)
        return rc, ctx.stdout, ctx.stderr, done

    host.faults.kill_commands_after_changes = 4
    rc, out, err, done = run()
    assert done == 4 and rc == 1 and not out and "The pipeline has been stopped." in clixml_text(err)
    host.faults.kill_commands_after_changes = 0
    killed = threading.Event()
    killed.set()  # what kill_commands_after_s does to a command, from its start
    assert run(killed) == (rc, out, err, 0)
    assert run()[::3] == (0, len(changes))  # 0: never


_NASTY = st.lists(
    st.sampled_from([*list("ab ’‘'\"“”„‚‛`$()[]*?{};|&\n\r\tÉé数"), "$(danger)", "`n", "web[1]"]),
    min_size=1, max_size=20).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_NASTY)
def test_any_vm_name_round_trips_through_inventory(name: str) -> None:
    h = HyperVHost("H", os="2022", locale="fr-FR")
    vm = h.add_vm(name)
    h.add_vm(name, state="Off")
    inv = inventory(h)
    assert [v.name for v in inv.vms] == [name, name]
    assert inv.vm(vm.id).name == name  # type: ignore[union-attr]


# ---------------------------------------------------------------- fleet

def test_demo_fleet() -> None:
    hosts = load_fleet()
    assert len(hosts) >= 5
    assert sum(len(h.vms) for h in hosts) >= 40
    assert {h.locale for h in hosts} == {"en-US", "fr-FR", "de-DE"}
    assert all(not h.logins for h in hosts)
    again = load_fleet()
    assert [v.id for h in hosts for v in h.vms] == [v.id for h in again for v in h.vms]
    by_name = {h.name: h for h in hosts}
    nyc = by_name["HV-NYC-01"]
    assert len(nyc.find_vms("sql-prod")) == 2
    names = "".join(v.name for h in hosts for v in h.vms)
    for ch in "'‘’\"“”[]`$":
        assert ch in names
    for h in hosts:
        inv = inventory(h)  # every demo host answers the contract
        assert len(inv.vms) == len(h.vms)


def test_fleet_file_and_errors(tmp_path: Path) -> None:
    from hvgui.simulator.interfaces import Login

    text = """
[[host]]
name = "A"
os = "2016"
locale = "de-DE"
[[host.login]]
user = "u"
password = "p"
[host.faults]
per_vm_latency_s = 0.5
kill_commands_after_changes = 3
external_changes = [{ vm = "v1", service = "VSS", enabled = false }]
[[host.vm]]
name = "v1"
enabled = { "Guest Service Interface" = true, "84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47" = false }
guest = { vmicvss = "stopped" }
error = "boom"
"""
    path = tmp_path / "fleet.toml"
    path.write_text(text, encoding="utf-8")
    [h] = load_fleet(path, extra_logins=[Login("demo", "x")])
    assert [lg.user for lg in h.logins] == ["u", "demo"]
    [vm] = h.vms
    assert vm.enabled[catalog.GUEST_SERVICE_INTERFACE] and not vm.enabled[catalog.HEARTBEAT]
    assert h.faults.per_vm_latency_s == 0.5 and h.faults.vm_errors == {vm.id: "boom"}
    assert h.faults.kill_commands_after_changes == 3
    assert h.faults.external_changes[0].vm_id == vm.id
    for bad, words in [
        (text.replace('os = "2016"', 'os = "2008"'), ["fleet.toml", "'A'", "'os'"]),
        (text.replace("per_vm_latency_s", "latency"), ["'faults.latency'"]),
        (text.replace('vmicvss = "stopped"', 'vmicvss = "sleepy"'), ["VM 'v1'", "guest.vmicvss"]),
        (text.replace('"Guest Service Interface"', '"Teleport"'), ["VM 'v1'", "Teleport"]),
    ]:
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(FleetError) as info:
            load_fleet(path)
        for w in words:
            assert w in str(info.value)
    with pytest.raises(FleetError, match="not valid TOML"):
        parse_fleet("[[host]\n", "x.toml")


def test_guest_os_comes_from_data_exchange() -> None:
    """The inventory reads the guest OS from the KVP intrinsic items over CIM, as on a real host:
    only a running VM whose Data Exchange works (enabled on the host, guest side running) has one."""
    h = HyperVHost("HV01", os="2022")
    ok = h.add_vm("win", guest_os="Windows Server 2019 Datacenter")
    off = h.add_vm("off", guest_os="Windows Server 2019 Datacenter", state="Off")
    no_daemon = h.add_vm("lin", guest_os="Ubuntu 22.04 LTS", guest={"hv_kvp_daemon": "missing"})
    disabled = h.add_vm("kvp-off", guest_os="Windows 10 Enterprise", enabled={"Key-Value Pair Exchange": False})
    lin = h.add_vm("rhel", guest_os="Red Hat Enterprise Linux 9.4")
    inv = inventory(h)
    os_of = {v.id: v.guest_os for v in inv.vms}
    assert os_of == {ok.id: "Windows Server 2019 Datacenter", off.id: None, no_daemon.id: None,
                     disabled.id: None, lin.id: "Red Hat Enterprise Linux 9.4"}


def test_inventory_reports_vm_state_and_versions_as_the_host_does() -> None:
    h = HyperVHost("HV01", os="2016", locale="de-DE")
    v = h.add_vm("saved", state="Saved", guest_os="Windows 7 Enterprise", is_version="6.3.9600.18080",
                 is_state="Update required")
    [vm] = inventory(h).vms
    assert (vm.id, vm.state, vm.is_version, vm.is_state) == (v.id, "Saved", "6.3.9600.18080", "Update required")
    assert {s.name for s in vm.services} == set(catalog.LOCALIZED_NAMES["de-DE"].values())


def test_one_unreadable_vm_costs_only_itself_in_the_inventory(host: HyperVHost) -> None:
    [web1] = host.find_vms("web1")
    host.faults.vm_errors[web1.id] = "Le fichier est verrouillé."
    inv = inventory(host)
    by_name = {v.name: v for v in inv.vms}
    assert by_name["web1"].error == "Le fichier est verrouillé." and by_name["web1"].services == ()
    assert all(v.error is None and len(v.services) == 6 for n, v in by_name.items() if n != "web1")
