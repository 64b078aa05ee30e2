"""A big fleet stays smooth: a host with very many VMs is folded in the tree (laying out its rows
was most of the time the window took to show 10,000 VMs), and what a refresh read is kept out of
the cyclic garbage collector's way (its full collections stopped the window 50-100 ms). Real
window, simulated hosts over WinRM."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import ui_helpers
from PySide6.QtCore import Qt

from hvgui.core.model import VM
from hvgui.ui.main_window import hosts_pane

lab_factory = ui_helpers.lab_factory
qloop = ui_helpers.qloop


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> int:
    """"Very many" VMs, made small for the test."""
    monkeypatch.setattr(hosts_pane, "AUTO_EXPAND_MAX_VMS", 5)
    return 5


def test_a_host_with_very_many_vms_is_folded_until_the_user_unfolds_it(lab_factory: Any, qtbot: Any,
                                                                       few: int) -> None:
    lab = lab_factory(hosts={"HV-BIG": [f"big{i}" for i in range(few + 3)], "HV-SMALL": ["s1", "s2"]})
    pane = lab.window.hosts_pane
    tree, proxy = pane.tree, pane.proxy

    def host(name: str) -> Any:
        return next(proxy.index(r, 0) for r in range(proxy.rowCount())
                    if proxy.index(r, 0).data(Qt.ItemDataRole.DisplayRole).startswith(name))

    assert proxy.rowCount(host("HV-BIG")) == few + 3 and not tree.isExpanded(host("HV-BIG"))
    assert tree.isExpanded(host("HV-SMALL"))
    # The grid lists them all anyway.
    assert sorted(n for n in lab.grid_names() if n.startswith("big")) == sorted(f"big{i}" for i in range(few + 3))
    # Unfolded by the user, it stays so when the host grows.
    tree.expand(host("HV-BIG"))
    lab.hosts["HV-BIG"].add_vm("big-new")
    lab.refresh()
    assert proxy.rowCount(host("HV-BIG")) == few + 4 and tree.isExpanded(host("HV-BIG"))
    # A search shows the few matching VMs under their host.
    tree.collapse(host("HV-BIG"))
    pane.filter_edit.setText("big-n")
    assert proxy.rowCount(host("HV-BIG")) == 1 and tree.isExpanded(host("HV-BIG"))


def test_what_a_refresh_read_is_not_scanned_by_the_garbage_collector(lab_factory: Any) -> None:
    lab = lab_factory(hosts={"HV-A": ["a1", "a2", "a3"]})
    lab.hosts["HV-A"].add_vm("a4")
    lab.refresh()
    read = [vm for e in lab.controller.state.hosts.values() for vm in e.vms.values()]
    assert len(read) == 4
    ids = {id(vm) for vm in read}
    scanned = [o for o in gc.get_objects() if type(o) is VM and id(o) in ids]
    assert scanned == []  # frozen: a full collection would not walk through them
