"""``hvgui --self-test`` as an admin (or CI on the frozen build) runs it: a separate process,
the simulated fleet over real WinRM, the real window offscreen, the engine's worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_self_test_runs_the_demo_end_to_end(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.run([sys.executable, "-m", "hvgui.ui.app", "--self-test", "--self-test-report", str(report)],
                          capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr
    text = report.read_text(encoding="utf-8")
    assert text.rstrip().splitlines()[-1].startswith("hvgui self-test passed in ")
    for step in ("6 hosts connected over WinRM, 42 VMs read", "2 changed",
                 "an intent and a 'changed' outcome per change", "the hosts and the grid show the new state"):
        assert step in text
    assert text in proc.stderr + "\n"  # also on the console
    assert "Traceback" not in proc.stderr  # nothing cut off half-way when it closes
    # Nothing of the user's was touched: no settings, hosts file or audit log written.
    assert not any((tmp_path / d).exists() for d in ("config", "state", ".local", ".config"))
