"""Shared fixtures: start simulated WinRM endpoints for test host objects and stop them."""

from __future__ import annotations

import os

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
