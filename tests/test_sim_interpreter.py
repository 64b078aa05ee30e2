"""The simulator's PowerShell, construct by construct, as Windows PowerShell 5.1 answers (what
hvgui's scripts rely on); what it does not implement fails loudly; older hosts refuse newer
constructs."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from test_sim_behaviour import Ctx, clixml_text, ps

from hvgui.core import contract
from hvgui.simulator.cmdexe import run_command_line
from hvgui.simulator.hyperv import HyperVHost


@pytest.fixture
def host() -> HyperVHost:
    h = HyperVHost("HV01", os="2022", locale="fr-FR")
    h.add_vm("a", id="11111111-2222-3333-4444-555555555555")
    h.add_vm("b", state="Off")
    return h


def out(host: HyperVHost, script: str) -> str:
    rc, ctx = ps(host, script)
    assert rc == 0, clixml_text(ctx.stderr) if ctx.stderr else ctx.stdout
    assert not ctx.stderr, clixml_text(ctx.stderr)
    return ctx.stdout.replace("\r\n", "\n").rstrip("\n")


@pytest.mark.parametrize(("script", "expected"), [
    # pipelines unroll arrays, not hashtables; the $null rules
    ("@(1,2,3).Count", "3"),
    ("@($null).Count", "1"),
    ("@(@()).Count", "0"),
    ("function f { }; $null -eq (f)", "True"),
    ("function f { @() }; @(f).Count", "0"),
    ("function f { return @(1,2) }; (f).Count", "2"),
    ("function f { ,@(1,2) }; (f).Count", "2"),
    ("$h = @{a=1}; @($h).Count", "1"),
    ("foreach ($x in $null) { 'never' }; 'done'", "done"),
    ("$a = @(foreach ($i in 1..3) { $i * 2 }); $a -join ','", "2,4,6"),
    ("@(1,2,3,2) -eq 2 | Measure-Count", None),
    # comparison rules: case-insensitive, right converted to left's type
    ("'ABC' -eq 'abc'", "True"),
    ("'ABC' -ceq 'abc'", "False"),
    ("1 -eq '1'", "True"),
    ("$true -eq 'False'", "True"),
    ("$null -eq $null", "True"),
    ("@(1,2,3) -contains 2", "True"),
    ("2 -in @(1,2)", "True"),
    ("'web1' -like 'WEB[0-9]'", "True"),
    ("'a\\b\\c' -split '\\\\' | Select-Object -Last 1", "c"),
    ("('Microsoft:ABC\\DEF' -split '\\\\')[-1]", "DEF"),
    ("(@('x','y') -join '+')", "x+y"),
    ("'x' + 1", "x1"),
    ("1 + '2'", "3"),
    ("5 / 2", "2.5"),
    ("'{0}-{1}' -f 'a', 7", "a-7"),
    ("[int]'42' + 1", "43"),
    ("[bool]'False'", "True"),
    ("[bool]@()", "False"),
    ("[string]$null -eq ''", "True"),
    ("[guid]'11111111-2222-3333-4444-555555555555'", "11111111-2222-3333-4444-555555555555"),
    ("-not $null", "True"),
    # hashtables, ordered, ArrayList, PSCustomObject
    ("$h = @{}; $h['Key'] = 1; $h.key", "1"),
    ("$h = [ordered]@{ b = 1; a = 2 }; $h.Keys -join ','", "b,a"),
    ("$h = @{ a = 1 }; $h.ContainsKey('A')", "True"),
    ("$l = New-Object System.Collections.ArrayList; $l.Add('x')", "0"),
    ("$l = New-Object System.Collections.ArrayList; $null = $l.Add('x'); $null = $l.Add('y'); $l.Count", "2"),
    ("$o = ConvertFrom-Json '{\"a\":{\"b\":[1,2]}}'; $o.a.b[1]", "2"),
    ("$o = ConvertFrom-Json '[{\"n\":1},{\"n\":2}]'; $o.n -join ','", "1,2"),
    # functions, scopes, param blocks
    ("$x = 1; function f { $x = 2; $x }; f; $x", "2\n1"),
    ("function f([string]$A, $B) { \"$A|$B\" }; f -B 2 1", "1|2"),
    ("function f([string]$S) { $S.Length }; f $null", "0"),
    ("$c = @{}; function f { $c['k'] = 1 }; f; $c.k", "1"),
    # errors
    ("try { throw 'boom' } catch { $_.Exception.Message }", "boom"),
    ("$ErrorActionPreference = 'Stop'; try { Get-VM -Name nope } catch { 'caught' }", "caught"),
    ("try { Get-VM -Name nope -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }",
     "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"),
    ("try { [int]'x' } catch { 'bad cast' }", "bad cast"),
    ("try { $null.Trim() } catch { $_.Exception.Message }",
     "Impossible d’appeler une méthode dans une expression Null."),  # French host
    ("try { 1 } finally { 2 }", "1\n2"),
    ("try { [int]'x' } catch [System.Management.Automation.PSInvalidCastException] { 'typed' } catch { 'other' }",
     "typed"),
    ("try { throw 'x' } catch [System.IO.IOException] { 'io' } catch { 'other' }", "other"),
    ("$o = [pscustomobject]@{ a = 1; b = 'x' }; $o.b", "x"),
    ("$a = @(); $a += 1; $a += 2; $a.Count", "2"),
    ("$i = 0; while ($i -lt 3) { $i++ }; $i", "3"),
    ("for ($i = 0; $i -lt 3; $i++) { $i }", "0\n1\n2"),
    ("'abc' -replace 'b', 'X'", "aXc"),
    ("$null = 'a1b22' -match '(\\d+)$'; $Matches[1]", "22"),
    ("foreach ($i in 1..5) { if ($i -eq 2) { continue }; if ($i -eq 4) { break }; $i }", "1\n3"),
    # .NET members the scripts use
    ("[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Convert]::ToBase64String("
     "[Text.Encoding]::UTF8.GetBytes('é€'))))", "é€"),
    ("'AbC'.ToUpperInvariant() + 'AbC'.ToLowerInvariant()", "ABCabc"),
    ("'a#M#b'.Split([string[]]@('#M#'), 2, [StringSplitOptions]::None)[1]", "b"),
    ("[Console]::Out.WriteLine('direct')", "direct"),
    ("(Get-VM -Id 11111111-2222-3333-4444-555555555555).Id.ToString()", "11111111-2222-3333-4444-555555555555"),
    ("(Get-VM -Name a).State.ToString() + ' ' + [int](Get-VM -Name a).State", "Running 2"),
    ("(Get-VM -Name b).State -eq 'Off'", "True"),
    ("@(Hyper-V\\Get-VMIntegrationService -VM (Get-VM -Name a))[0].Id",
     "Microsoft:11111111-2222-3333-4444-555555555555\\9F8233AC-BE49-4C79-8EE3-E7E1985B2077"),
    ("@(Get-VMIntegrationService -VMName a | Group-Object -Property Enabled).Count", "2"),
    ("(Get-UICulture).Name + ' ' + $env:COMPUTERNAME", "fr-FR HV01"),
    ("(Get-CimInstance -ClassName Win32_OperatingSystem).Version", "10.0.20348"),
    ("$PSVersionTable.PSVersion.Major", "5"),
    ("([xml]'<A><B n=\"1\">x</B></A>').SelectSingleNode(\"/A/B[@n='1']\").InnerText", "x"),
    # ConvertTo-Json as 5.1 writes it
    ("ConvertTo-Json -InputObject ([ordered]@{ a = 1; b = @('x'); c = $null; d = $true }) -Compress",
     '{"a":1,"b":["x"],"c":null,"d":true}'),
    ("ConvertTo-Json -InputObject 'it''s <b> & é' -Compress", '"it\\u0027s \\u003cb\\u003e \\u0026 é"'),
    ("@(1,2) | ConvertTo-Json -Compress", "[1,2]"),
])
def test_constructs(host: HyperVHost, script: str, expected: str | None) -> None:
    if expected is None:  # a cmdlet the simulator does not have: loud, never a silent no-op
        rc, ctx = ps(host, script)
        assert rc == 1 and "Le terme «Measure-Count» n'est pas reconnu" in clixml_text(ctx.stderr)
        return
    assert out(host, script) == expected


_GZIP = ("$b = New-Object System.IO.MemoryStream\n"
         "$g = New-Object System.IO.Compression.GZipStream -ArgumentList $b, "
         "([IO.Compression.CompressionMode]::Compress)\n"
         "$d = [Text.Encoding]::UTF8.GetBytes('hé hé hé hé')\n$g.Write($d, 0, $d.Length)\n")


def test_gzip_streams_hold_their_data_until_closed_as_on_windows(host: HyperVHost) -> None:
    """Write-HvguiResult's compression: the buffer has the whole gzip stream only after the
    GZipStream is closed (its last block and trailer), and a closed stream refuses writes."""
    early = out(host, _GZIP + "$early = [Convert]::ToBase64String($b.ToArray())\n$g.Close()\n"
                              "$early + ' ' + [Convert]::ToBase64String($b.ToArray())")
    before, after = (base64.b64decode(p) for p in early.split(" ", 1))
    assert gzip.decompress(after).decode("utf-8") == "hé hé hé hé"
    assert before != after and len(before) < len(after)  # not the stream a client can read
    rc, ctx = ps(host, _GZIP + "$g.Close()\n$g.Write($d, 0, 1)")
    assert rc == 1 and "Cannot access a closed Stream." in clixml_text(ctx.stderr)


def test_non_terminating_errors_continue_and_set_the_exit_code(host: HyperVHost) -> None:
    rc, ctx = ps(host, "Get-VM -Name nope; 'after'")
    assert rc == 0 and ctx.stdout == "after\r\n"  # the last statement succeeded
    assert "Hyper-V n’a pas trouvé d’ordinateur virtuel nommé « nope »." in clixml_text(ctx.stderr)
    rc, ctx = ps(host, "throw 'stop here'; 'never'")
    assert rc == 1 and ctx.stdout == "" and "stop here" in clixml_text(ctx.stderr)


@pytest.mark.parametrize("script", [
    "switch (1) {\n 1 { 'one' }\n}",
    "$a = 1; $a -shl 2",
    "Get-VM | Where-Object { $_.Name -eq 'a' } | Sort-Object -Property Name -Descending -Stable",
    "$x = @{}; $x.Frobnicate()",
    "[System.IO.File]::ReadAllText('c:\\x')",
    "trap { 'x' }; 1",
])
def test_what_is_not_implemented_fails_loudly(host: HyperVHost, script: str) -> None:
    rc, ctx = ps(host, script)
    assert rc != 0 or ctx.stderr
    text = clixml_text(ctx.stderr)
    assert any(w in text for w in ("does not implement", "n'est pas reconnu", "Unable to find type",
                                   "Unexpected token", "ParserError", "not allowed",
                                   "A parameter cannot be found")), text


def test_console_output_encoding_cannot_be_set_without_a_console(host: HyperVHost) -> None:
    """What made the old bootstrap fail on real hosts: WinRS commands have no console."""
    rc, ctx = ps(host, "$ErrorActionPreference = 'Stop'\n[Console]::OutputEncoding = [Text.Encoding]::UTF8\n'after'")
    assert rc == 1 and ctx.stdout == ""
    assert 'Exception setting "OutputEncoding": "The handle is invalid.' in clixml_text(ctx.stderr)
    assert "OutputEncoding" not in contract.BOOTSTRAP


@pytest.mark.parametrize(("os", "version"), [("2012", "3"), ("2012R2", "4"), ("2016", "5"), ("2025", "5")])
def test_hosts_report_the_powershell_their_os_ships(os: str, version: str) -> None:
    h = HyperVHost("H", os=os)
    assert out(h, "$PSVersionTable.PSVersion.Major") == version


def test_older_hosts_refuse_newer_constructs() -> None:
    h = HyperVHost("H", os="2012R2")  # PowerShell 4.0
    rc, ctx = ps(h, "[System.Collections.ArrayList]::new()")
    assert rc == 1 and "does not contain a method named 'new'" in clixml_text(ctx.stderr)
    assert out(h, "(New-Object System.Collections.ArrayList).Count") == "0"
    h.powershell = "2.0"
    rc, ctx = ps(h, "ConvertFrom-Json '{}'")
    assert rc == 1 and "is not recognized" in clixml_text(ctx.stderr)
    rc, ctx = ps(h, "$x = [ordered]@{ a = 1 }")
    assert rc == 1 and "Unable to find type [ordered]" in clixml_text(ctx.stderr)
    h.powershell = "5.1"
    assert out(h, "[System.Collections.ArrayList]::new().Count") == "0"


def test_module_qualified_names_need_the_module() -> None:
    h = HyperVHost("H", os="2022")
    h.add_vm("a")
    assert out(h, "@(Hyper-V\\Get-VM).Count") == "1"
    h.hyperv_module = False
    for script in ("Hyper-V\\Get-VM", "Get-VM"):
        rc, ctx = ps(h, script)
        assert rc == 1 and "is not recognized" in clixml_text(ctx.stderr)
    assert out(h, "@(Get-Module -ListAvailable Hyper-V).Count") == "0"


def test_script_block_and_stdin_like_the_bootstrap(host: HyperVHost) -> None:
    script = "param([Parameter(Mandatory = $true)][string]$P)\n\"got $P\""
    stdin = f"{script}\n#M#\n  payload  \n".encode("ascii")
    boot = ("$ErrorActionPreference = 'Stop'\n$s = @($input) -join \"`n\"\n"
            "$p = $s.Split([string[]]@('#M#'), 2, [StringSplitOptions]::None)\n"
            "& ([ScriptBlock]::Create($p[0])) $p[1].Trim()\n")
    ctx = Ctx("powershell -NonInteractive -EncodedCommand " + contract.encode_powershell(boot), stdin=stdin)
    assert run_command_line(host, ctx) == 0, clixml_text(ctx.stderr)
    assert ctx.stdout == "got payload\r\n"
    # A mandatory parameter without a value is an error in NonInteractive mode, not a prompt.
    ctx = Ctx("powershell -EncodedCommand " + contract.encode_powershell(
        "& ([ScriptBlock]::Create('param([Parameter(Mandatory = $true)][string]$P) $P'))"))
    assert run_command_line(host, ctx) == 1
    assert "missing mandatory parameters: P." in clixml_text(ctx.stderr)


def test_convert_to_json_of_hyperv_objects_is_51_shaped(host: HyperVHost) -> None:
    data = json.loads(out(host, "Get-VM -Name a | ConvertTo-Json -Depth 1"))
    assert data["Id"] == "11111111-2222-3333-4444-555555555555" and data["State"] == 2


# ---------------------------------------------------------------- the parsed tree the interpreter walks

def _same_tree(mine: Any, theirs: Any) -> None:
    """``mine`` (psparse's node) says what tree-sitter's node says, down to every leaf."""
    stack = [(mine, theirs)]
    while stack:
        a, b = stack.pop()
        assert (a.type, a.is_named, a.start_byte, a.end_byte, a.is_missing) == (
            b.type, b.is_named, b.start_byte, b.end_byte, b.is_missing)
        assert a.child_count == b.child_count == len(a.children)
        assert [c.start_byte for c in a.named_children] == [
            c.start_byte for c in b.named_children]
        for i in range(b.child_count):
            field = b.field_name_for_child(i)
            if field is not None:
                got, want = a.child_by_field_name(field), b.child_by_field_name(field)
                assert (got.type, got.start_byte) == (want.type, want.start_byte)
        stack.extend(zip(a.children, b.children, strict=True))


@pytest.mark.parametrize("name", ["INVENTORY", "APPLY", "SETUP_DISK", "GUEST", "LOOP", "BOOTSTRAP", "non-ASCII"])
def test_the_walked_tree_is_tree_sitters(name: str) -> None:
    from hvgui.remote import scripts
    from hvgui.simulator import psparse

    text = {"LOOP": contract.LOOP, "BOOTSTRAP": contract.BOOTSTRAP,
            "non-ASCII": "$s = 'été'; if ($s -eq \"é$($s)\") { @{ a = 1; 'b' = [int]'2' } } # ü\n"}.get(name) \
        or getattr(scripts, name)
    parsed = psparse.parse(text)
    assert isinstance(parsed, psparse.Parsed)
    assert psparse.parse(text) is parsed  # parsed once per text
    _same_tree(parsed.root, psparse._parser().parse(parsed.data).root_node)


def test_a_cached_script_still_evaluates_each_time(host: HyperVHost) -> None:
    # The same text runs twice on one parse: strings with variables, counters and error
    # positions (after non-ASCII text: characters, not bytes) are evaluated again each time.
    script = "$n = 0; foreach ($i in 1..3) { $n += $i; \"v$i $($n * 2)\" }; \"$n\""
    assert out(host, script) == out(host, script) == "v1 2\nv2 6\nv3 12\n6"
    for _ in range(2):
        rc, ctx = ps(host, "$s = 'été'; Get-Nope")
        assert rc == 1 and "char:13" in clixml_text(ctx.stderr)
