"""What can be checked here of the Windows-only files: every PowerShell file parses (tree-sitter-
powershell, the grammar the simulator runs our scripts with), the Windows workflow's YAML parses
and does what the issue asks, the WiX source is well-formed XML with the upgrade and per-machine
settings, and packaging leaves the Pester tests out. None of them runs here: see README."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
import yaml

ROOT = Path(__file__).resolve().parents[1]
PS_FILES = sorted(p for p in ROOT.rglob("*.ps1") if not {".venv", "build", "dist"} & set(p.relative_to(ROOT).parts))
LANGUAGE = tree_sitter.Language(tree_sitter_powershell.language())


def syntax_errors(source: bytes) -> list[str]:
    tree = tree_sitter.Parser(LANGUAGE).parse(source)
    bad: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line = node.start_point[0] + 1
            bad.append(f"line {line}: {'missing ' + node.type if node.is_missing else 'syntax error'}: "
                       f"{source.splitlines()[line - 1].decode('utf-8', 'replace').strip()[:100]}")
        stack.extend(node.children)
    return bad


def test_the_powershell_files_are_all_found() -> None:
    names = {p.name for p in PS_FILES}
    assert {"common.ps1", "inventory.ps1", "apply.ps1", "setup_disk.ps1", "Operations.Tests.ps1",
            "build.ps1"} <= names


@pytest.mark.parametrize("path", PS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_powershell_file_parses(path: Path) -> None:
    data = path.read_bytes()
    assert syntax_errors(data.removeprefix(b"\xef\xbb\xbf")) == []
    if path.name.endswith(".Tests.ps1") or any(b > 127 for b in data):
        # Windows PowerShell 5.1 reads a file without a BOM as the ANSI code page.
        assert data.startswith(b"\xef\xbb\xbf") or data.isascii(), f"{path.name}: non-ASCII without a UTF-8 BOM"


def test_the_parser_does_find_errors() -> None:
    assert syntax_errors(b"function f( { if ($a -eq ) { }") != []
    assert syntax_errors(b"Describe 'x' { It 'y' { $a | Should -Be 1 } }") == []


def test_windows_workflow_parses_and_does_what_the_issue_asks() -> None:
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8"))
    jobs = wf["jobs"]
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on:` as True
    assert {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    steps = [s for job in jobs.values() for s in job["steps"]]
    assert all(job["runs-on"] == "windows-latest" for job in jobs.values())
    text = "\n".join(str(s.get("run", "")) + str(s.get("uses", "")) + str(s.get("with", "")) for s in steps)
    for needed in ("pytest", "Invoke-Pester", "Microsoft-Hyper-V-Management-PowerShell", "installer\\build.ps1",
                   "msiexec", "/qn", "--self-test", "actions/upload-artifact@v4", ".msi"):
        assert needed in text, needed
    shells = {s.get("shell") for s in steps if "Invoke-Pester" in str(s.get("run", ""))}
    assert shells == {"powershell"}  # Windows PowerShell 5.1, not pwsh


def test_wix_source_is_per_machine_with_major_upgrade_and_start_menu_entry() -> None:
    ns = {"w": "http://wixtoolset.org/schemas/v4/wxs"}
    root = ET.parse(ROOT / "installer" / "hvgui.wxs").getroot()
    package = root.find("w:Package", ns)
    assert package is not None
    assert package.get("Scope") == "perMachine" and package.get("Version") == "$(var.Version)"
    assert package.get("UpgradeCode")
    assert package.find("w:MajorUpgrade", ns) is not None
    assert root.find(".//w:StandardDirectory[@Id='ProgramMenuFolder']//w:Shortcut", ns) is not None
    assert root.find(".//w:StandardDirectory[@Id='ProgramFiles6432Folder']", ns) is not None
    files = root.find(".//w:Files", ns)
    assert files is not None and files.get("Include") == "!(bindpath.App)\\**"


def test_packaging_leaves_the_pester_tests_out() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    excluded = pyproject["tool"]["setuptools"]["exclude-package-data"]["hvgui.remote"]
    assert "scripts/*.Tests.ps1" in excluded
    spec = (ROOT / "installer" / "hvgui.spec").read_text(encoding="utf-8")
    assert 'excludes=["**/*.Tests.ps1"]' in spec
