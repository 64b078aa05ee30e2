"""Mutation check of the PowerShell hvgui sends to hosts, run by hand:

    .venv/bin/python tests/mutants.py            # every mutant
    .venv/bin/python tests/mutants.py -k swap    # the ones whose name contains "swap"

Each mutant changes one thing in the bootstrap or an operation script (swap Enable/Disable, invert
a comparison, read the wrong part of an Id, negate a property...), in a copy of the source tree,
and runs the tests that execute the scripts on the simulator. A mutant the tests do not kill is a
gap in the tests (or a mutation that does not change behaviour): the script exits 1 and lists it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/test_kept_alive.py", "tests/test_guest.py", "tests/test_sim_behaviour.py", "tests/test_remote.py",
         "tests/test_core.py", "tests/test_preflight.py", "tests/test_cli.py", "tests/test_sim_cmdlets.py"]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str


MUTANTS = [
    Mutant("read the result buffer before the gzip stream is closed", "hvgui/remote/scripts/common.ps1",
           "    $gzip.Close()  # writes the last block and the trailer; ToArray still works on the closed buffer\n"
           "    [Console]::Out.WriteLine('HVGUI-RESULT-GZIP:' + [Convert]::ToBase64String($buffer.ToArray()))",
           "    $packed = $buffer.ToArray()\n    $gzip.Close()\n"
           "    [Console]::Out.WriteLine('HVGUI-RESULT-GZIP:' + [Convert]::ToBase64String($packed))"),
    Mutant("write only part of the result", "hvgui/remote/scripts/common.ps1",
           "$gzip.Write($bytes, 0, $bytes.Length)", "$gzip.Write($bytes, 0, $bytes.Length - 1)"),
    Mutant("swap Enable/Disable in apply", "hvgui/remote/scripts/apply.ps1",
           "Hyper-V\\Enable-VMIntegrationService -VMIntegrationService $component -Confirm:$false\n"
           "            } else {\n"
           "                Hyper-V\\Disable-VMIntegrationService",
           "Hyper-V\\Disable-VMIntegrationService -VMIntegrationService $component -Confirm:$false\n"
           "            } else {\n"
           "                Hyper-V\\Enable-VMIntegrationService"),
    Mutant("invert the conflict test", "hvgui/remote/scripts/apply.ps1",
           "} elseif ($current -ne $expected) {", "} elseif ($current -eq $expected) {"),
    Mutant("invert the already-in-target test", "hvgui/remote/scripts/apply.ps1",
           "if ($current -eq $wanted) {", "if ($current -ne $wanted) {"),
    Mutant("conflict tested before the target", "hvgui/remote/scripts/apply.ps1",
           "if ($current -eq $wanted) {", "if ($current -eq $wanted -and $current -eq $expected) {"),
    Mutant("read the VM part of the component Id", "hvgui/remote/scripts/common.ps1",
           "return ($Component.Id -split '\\\\')[-1].ToUpperInvariant()",
           "return ($Component.Id -split '\\\\')[0].ToUpperInvariant()"),
    Mutant("negate Enabled in the inventory", "hvgui/remote/scripts/common.ps1",
           "enabled   = [bool]$Component.Enabled", "enabled   = -not [bool]$Component.Enabled"),
    Mutant("status code off by one", "hvgui/remote/scripts/common.ps1",
           "code = [int]$Code;", "code = [int]$Code + 1;"),
    Mutant("guest OS from the wrong KVP item", "hvgui/remote/scripts/common.ps1",
           "$name.InnerText -eq 'OSName'", "$name.InnerText -eq 'OSVersion'"),
    Mutant("VM state as a number", "hvgui/remote/scripts/common.ps1",
           "state      = $Vm.State.ToString()", "state      = [string][int]$Vm.State"),
    Mutant("PowerShell version check off", "hvgui/remote/scripts/common.ps1",
           "$version.Major -lt 3", "$version.Major -lt 2"),
    Mutant("Hyper-V Administrators not enough", "hvgui/remote/scripts/common.ps1",
           "-not ($isAdmin -or $principal.IsInRole($hyperVAdmins))",
           "-not ($isAdmin -and $principal.IsInRole($hyperVAdmins))"),
    Mutant("module check inverted", "hvgui/remote/scripts/common.ps1",
           "if (-not (Get-Module -ListAvailable 'Hyper-V')) {", "if ((Get-Module -ListAvailable 'Hyper-V')) {"),
    Mutant("re-read value negated", "hvgui/remote/scripts/apply.ps1",
           "$item.enabled = $after[$key]", "$item.enabled = -not $after[$key]"),
    Mutant("look the VM up by name", "hvgui/remote/scripts/apply.ps1",
           "$target.vm = Hyper-V\\Get-VM -Id $VmId", "$target.vm = Hyper-V\\Get-VM -Name $VmId"),
    Mutant("one VM's read error fails the inventory", "hvgui/remote/scripts/inventory.ps1",
           "$readErrors[$vm.Id.ToString().ToLowerInvariant()] = $_.Exception.Message", "throw"),
    Mutant("wrong VM gets the read error", "hvgui/remote/scripts/inventory.ps1",
           "if ($readErrors.ContainsKey($key)) { $record.error = $readErrors[$key] }",
           "if ($readErrors.Count -gt 0) { $record.error = 'x' }"),
    Mutant("bootstrap runs the payload as the script", "hvgui/core/contract.py",
           "& $hvguiOperation $hvguiParts[1].Trim()", "& $hvguiOperation $hvguiParts[0].Trim()"),
    Mutant("kept-alive loop runs the script text as the request", "hvgui/core/contract.py",
           "$null = & $hvguiOperation $hvguiFields[3]", "$null = & $hvguiOperation $hvguiFields[2]"),
    Mutant("kept-alive loop never compiles a script it is sent", "hvgui/core/contract.py",
           "if ($hvguiFields[2] -ne '", "if ($hvguiFields[2] -eq '"),
    Mutant("kept-alive loop reports a failed request as done", "hvgui/core/contract.py",
           "':error:' + [Convert]::ToBase64String($hvguiBytes)", "':ok'"),
    Mutant("kept-alive loop serves PowerShell 2.0", "hvgui/core/contract.py",
           "$PSVersionTable.PSVersion.Major -lt 3", "$PSVersionTable.PSVersion.Major -lt 2"),
    Mutant("kept-alive loop stops after one request", "hvgui/core/contract.py",
           "if ($null -eq $hvguiLine) { break }", "if ($null -ne $hvguiLine) { break }"),
    Mutant("request check accepts any operation", "hvgui/remote/scripts/common.ps1",
           "if ($request.op -ne $Operation -or", "if ($request.op -eq $Operation -and"),
    # guest.ps1 (PowerShell Direct)
    Mutant("guest: start stops the service", "hvgui/remote/scripts/guest.ps1",
           "Start-Service -Name $name\n", "Stop-Service -Name $name -Force\n"),
    Mutant("guest: already-running test inverted", "hvgui/remote/scripts/guest.ps1",
           "if ([string]$svc.Status -eq 'Running') {", "if ([string]$svc.Status -ne 'Running') {"),
    Mutant("guest: start type always Manual", "hvgui/remote/scripts/guest.ps1",
           "Set-Service -Name $name -StartupType ([string]$a.start_type)",
           "Set-Service -Name $name -StartupType Manual"),
    Mutant("guest: status read from the start type", "hvgui/remote/scripts/guest.ps1",
           "status = [string]$s.Status", "status = [string]$s.StartType"),
    Mutant("guest: host version check off", "hvgui/remote/scripts/guest.ps1",
           "$PSVersionTable.PSVersion.Major -lt 5", "$PSVersionTable.PSVersion.Major -lt 3"),
    Mutant("guest: version from another registry value", "hvgui/remote/scripts/guest.ps1",
           "$version = [string]$key.IntegrationServicesVersion", "$version = [string]$key.PSProvider"),
    Mutant("guest: credential for another user", "hvgui/remote/scripts/guest.ps1",
           "-ArgumentList ([string]$entry.user), $secret", "-ArgumentList ([string]$entry.vm_id), $secret"),
    Mutant("guest: stop skips a running service", "hvgui/remote/scripts/guest.ps1",
           "if ([string]$svc.Status -eq 'Stopped') {", "if ([string]$svc.Status -ne 'Stopped') {"),
]


def run(mutant: Mutant, python: str) -> tuple[bool, float, str]:
    with tempfile.TemporaryDirectory(prefix="hvgui-mutant-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info",
                                                                  ".mypy_cache", ".ruff_cache", ".pytest_cache"))
        target = copy / mutant.path
        text = target.read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            return False, 0.0, f"the text to mutate is found {text.count(mutant.old)} times in {mutant.path}"
        target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(copy), QT_QPA_PLATFORM="offscreen")
        check = subprocess.run([python, "-c", "import hvgui; print(hvgui.__file__)"], cwd=copy, env=env,
                               capture_output=True, text=True, check=True)
        assert check.stdout.strip().startswith(str(copy)), check.stdout
        start = time.monotonic()
        proc = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS], cwd=copy,
                              env=env, capture_output=True, text=True)
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED")]
        return proc.returncode != 0, time.monotonic() - start, failed[0] if failed else proc.stdout[-200:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", help="only mutants whose name contains this")
    args = parser.parse_args()
    survivors = []
    for m in MUTANTS:
        if args.k.lower() not in m.name.lower():
            continue
        killed, seconds, detail = run(m, sys.executable)
        print(f"{'KILLED  ' if killed else 'SURVIVED'} {m.name:45} {seconds:5.1f}s  {detail}", flush=True)
        if not killed:
            survivors.append(m.name)
    print(f"{len(survivors)} survived" if survivors else "every mutant killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
