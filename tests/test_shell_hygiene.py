"""No shell left behind: whatever a host does to hvgui's requests (answers dropped after it acted,
before a command started, in the middle of cleanup), hvgui never holds more than one WinRS shell
on it, deletes a shell it had to give up as soon as the host answers again (before it opens a
new one), and leaves none after closing. Real pywinrm over loopback against the simulator; the
counters come from the simulator's ``/_sim/stats``."""

from __future__ import annotations

import asyncio
import json
import random
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import Change, Inventory, Outcome
from hvgui.remote.credentials import MemoryCredentials
from hvgui.remote.engine import Engine
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.remote.transport import WinRMSession
from hvgui.simulator.hyperv import HyperVHost
from hvgui.simulator.interfaces import Login
from hvgui.simulator.server import HostEndpoint

USER, PASSWORD = "shell-admin", "shell-test-pw"


def sim_stats(ep: HostEndpoint) -> dict[str, Any]:
    """What the host itself says, over HTTP (``GET /_sim/stats``)."""
    url = ep.url.rsplit("/", 1)[0] + "/_sim/stats"
    with urllib.request.urlopen(url, timeout=10) as resp:
        stats: dict[str, Any] = json.loads(resp.read())
    return stats


class Fleet:
    def __init__(self, count: int) -> None:
        self.hosts: list[HyperVHost] = []
        self.endpoints: list[HostEndpoint] = []
        self.configs: list[HostConfig] = []
        self.creds = MemoryCredentials()
        for n in range(count):
            host = HyperVHost(f"HV-S{n:02d}", logins=[Login(USER, PASSWORD)])
            host.add_vm(f"vm-{n}")
            ep = HostEndpoint(host)
            ep.start()
            cfg = HostConfig(url=ep.url, auth=Auth.NTLM, username=USER, name=host.name, timeout_s=10)
            self.creds.set(cfg, PASSWORD)
            self.hosts.append(host)
            self.endpoints.append(ep)
            self.configs.append(cfg)
        self.engine = Engine(self.creds)

    def inventory(self, i: int = 0) -> Inventory | HostError:
        try:
            inv: Inventory = asyncio.run(self.engine.inventory(self.configs[i]))
        except HostError as exc:
            return exc
        return inv

    def close(self) -> None:
        self.engine.close(wait=True)
        for ep in self.endpoints:
            ep.stop()


@pytest.fixture
def fleet_of() -> Iterator[Callable[[int], Fleet]]:
    made: list[Fleet] = []

    def make(count: int) -> Fleet:
        made.append(Fleet(count))
        return made[-1]

    yield make
    for f in made:
        f.close()


@pytest.mark.parametrize("drop", [
    {"drop_after_command": 1},          # the command ran to its end; its output never arrives
    {"drop_answers": {"Command": 1}},   # the shell exists, the command started: failure before it runs
    {"drop_answers": {"Send": 1}},      # the request arrived in full, its acknowledgement did not
    {"drop_answers": {"Receive": 1}},   # part of the output was lost
    {"drop_answers": {"Signal": 1}},    # the operation worked; its terminate's answer was lost
    {"drop_answers": {"Delete": 1}},    # deleting a shell after a failure: the answer was lost
], ids=["after-command", "command", "send", "receive", "signal", "delete"])
def test_a_host_that_drops_answers_repeatedly_never_has_more_than_one_shell(
        fleet_of: Callable[[int], Fleet], drop: dict[str, Any]) -> None:
    fleet = fleet_of(1)
    host, ep = fleet.hosts[0], fleet.endpoints[0]
    assert isinstance(fleet.inventory(), Inventory)
    for _ in range(5):
        for name, value in drop.items():
            setattr(host.faults, name, dict(value) if isinstance(value, dict) else value)
        if "Delete" in drop.get("drop_answers", {}):
            host.faults.drop_after_command = 1  # a failure, whose shell is deleted, answer lost
        fleet.inventory()  # fails or not, depending on the fault
        assert sim_stats(ep)["shells_open"] <= 1
    host.faults.drop_answers.clear()
    host.faults.drop_after_command = 0
    inv = fleet.inventory()
    assert isinstance(inv, Inventory) and [v.name for v in inv.vms] == ["vm-0"]
    assert sim_stats(ep)["shells_open"] == 1  # the one in use
    fleet.engine.close(wait=True)
    stats = sim_stats(ep)
    assert stats["shells_open"] == 0, stats
    assert stats["shells_open_max"] <= 1, stats


def test_the_old_shell_is_deleted_before_a_new_one_is_opened(fleet_of: Callable[[int], Fleet]) -> None:
    fleet = fleet_of(1)
    host, ep, cfg = fleet.hosts[0], fleet.endpoints[0], fleet.configs[0]
    session = WinRMSession(cfg, fleet.creds)
    try:
        from hvgui.core import contract
        from hvgui.remote import scripts

        host.faults.drop_after_command = 1
        with pytest.raises(HostError) as info:
            session.run_operation(scripts.INVENTORY, contract.inventory_request())
        assert info.value.kind is ErrorKind.UNREACHABLE
        left = session.stale_shells
        assert len(left) == 1 and sim_stats(ep)["shells_open"] == 1  # remembered, still on the host
        created = sim_stats(ep)["shells_created"]
        session.run_operation(scripts.INVENTORY, contract.inventory_request())
        stats = sim_stats(ep)
        assert session.stale_shells == []
        assert stats["shells_created"] == created + 1 and stats["shells_open"] == 1
        assert stats["shells_open_max"] == 1  # deleted first, then the new one
    finally:
        session.close()
    assert sim_stats(ep)["shells_open"] == 0


def test_a_host_at_its_shell_quota_accepts_hvgui_again_as_soon_as_it_answers(
        fleet_of: Callable[[int], Fleet]) -> None:
    """The soak's failure: one shell allowed, each dropped answer used to leak one, and the host
    refused hvgui until its idle timeout long after the network recovered."""
    fleet = fleet_of(1)
    host, ep = fleet.hosts[0], fleet.endpoints[0]
    host.faults.max_shells_per_user = 1
    host.faults.idle_timeout_s = 3600
    for _ in range(3):
        host.faults.drop_after_command = 1
        err = fleet.inventory()
        assert isinstance(err, HostError) and err.kind is ErrorKind.UNREACHABLE
    assert isinstance(fleet.inventory(), Inventory)  # no quota fault
    assert sim_stats(ep)["shells_open"] == 1


def test_unknown_outcome_then_re_read_uses_one_shell(fleet_of: Callable[[int], Fleet]) -> None:
    fleet = fleet_of(1)
    host, ep, cfg = fleet.hosts[0], fleet.endpoints[0], fleet.configs[0]
    vm_id = host.vms[0].id
    guid = next(iter(host.vms[0].enabled))
    for i in range(4):
        host.faults.drop_after_command = 1 + i % 2  # the apply's answer; every other time the re-read's too
        on = host.vms[0].enabled[guid]
        res = asyncio.run(fleet.engine.apply(cfg, [Change(vm_id, guid, on, not on)]))
        assert res.lost and res.items[0].outcome in (Outcome.CHANGED, Outcome.UNKNOWN)
        assert sim_stats(ep)["shells_open"] <= 1
        host.faults.drop_after_command = 0
        assert isinstance(fleet.inventory(), Inventory)
    fleet.engine.close(wait=True)
    stats = sim_stats(ep)
    assert stats["shells_open"] == 0 and stats["shells_open_max"] <= 1, stats


def test_soak_faults_switched_on_and_off(fleet_of: Callable[[int], Fleet]) -> None:
    """Many hosts, one engine, answers dropped at random points for several rounds: no host ever
    holds more than one of our shells, and none is left after closing."""
    fleet = fleet_of(8)
    rng = random.Random(20240611)
    kinds = ["Command", "Send", "Receive", "Signal", "Delete"]

    async def round_() -> list[Inventory | HostError]:
        async def one(cfg: HostConfig) -> Inventory | HostError:
            try:
                return await fleet.engine.inventory(cfg)
            except HostError as exc:
                return exc
        return list(await asyncio.gather(*(one(c) for c in fleet.configs)))

    failures = 0
    for _ in range(6):
        for host in fleet.hosts:
            host.faults.drop_answers.clear()
            host.faults.drop_after_command = 0
            roll = rng.random()
            if roll < 0.3:
                host.faults.drop_after_command = 1
            elif roll < 0.7:
                host.faults.drop_answers[rng.choice(kinds)] = rng.randint(1, 2)
        results = asyncio.run(round_())
        failures += sum(isinstance(r, HostError) for r in results)
        for ep in fleet.endpoints:
            assert sim_stats(ep)["shells_open"] <= 1
    assert failures > 0
    for host in fleet.hosts:
        host.faults.drop_answers.clear()
        host.faults.drop_after_command = 0
    assert all(isinstance(r, Inventory) for r in asyncio.run(round_()))
    fleet.engine.close(wait=True)
    for ep in fleet.endpoints:
        stats = sim_stats(ep)
        assert stats["shells_open"] == 0 and stats["shells_open_max"] <= 1, (ep.host.name, stats)
