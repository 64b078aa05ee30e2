"""Shared fixtures: start simulated WinRM endpoints for test host objects and stop them."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hvgui.simulator.interfaces import SimulatedHost
from hvgui.simulator.server import HostEndpoint

StartEndpoint = Callable[..., HostEndpoint]


@pytest.fixture
def start_endpoint() -> Iterator[StartEndpoint]:
    """``start_endpoint(host, https=False, **kwargs) -> HostEndpoint``, started; every endpoint
    started through it is stopped at the end of the test."""
    started: list[HostEndpoint] = []

    def start(host: SimulatedHost, **kwargs: Any) -> HostEndpoint:
        endpoint = HostEndpoint(host, **kwargs)
        endpoint.start()
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in reversed(started):
        endpoint.stop()


@pytest.fixture(scope="session")
def qapp(qapp: Any) -> Any:
    """pytest-qt's application, with the cyclic garbage collector on the GUI thread only, as in the
    app (:mod:`hvgui.ui.gui_gc`): the simulated hosts' and the engine's threads must never free a Qt
    object."""
    from hvgui.ui import gui_gc

    gui_gc.install(qapp)
    return qapp


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Between tests the GUI thread may not process Qt events for a while (tests without Qt):
    it collects what is due here."""
    gui_gc = sys.modules.get("hvgui.ui.gui_gc")
    collector = gui_gc.installed() if gui_gc is not None else None
    if collector is not None:
        collector.collect_due()
