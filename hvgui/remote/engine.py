"""Async facade for the GUI and the CLI: inventory and apply per host, awaitable.

- Blocking WinRM work runs on one bounded ``ThreadPoolExecutor``; hosts run in parallel.
- Commands to one host run in order (one ``asyncio.Lock`` per host), and each host has one
  :class:`~hvgui.remote.transport.HostSession` (one connection), never used by two threads at once.
- Every operation is an :class:`Operation` record; listeners are called on the event loop's
  thread when it starts and when it ends (the activity panel listens).
- Cancelling the awaiting task abandons the wait at once; the worker finishes or hits its
  deadline and terminates the command. ``close()`` deletes every host's shell.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from hvgui.core import contract
from hvgui.core.hosts import HostConfig
from hvgui.core.model import ApplyResult, Change, Inventory
from hvgui.remote import scripts
from hvgui.remote.credentials import CredentialSource
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.remote.transport import HostSession, open_session

T = TypeVar("T")


class OpState(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class Operation:
    """One remote operation, as the activity panel shows it."""

    id: int
    host: str
    kind: str
    """``inventory`` or ``apply``."""
    summary: str
    script: str
    """The exact operation script sent (constant)."""
    payload: dict[str, Any]
    """The request, decoded (what travels as base64 JSON)."""
    started: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)
    finished: float | None = None
    state: OpState = OpState.RUNNING
    error: HostError | None = None
    outcome: str = ""
    """One-line result summary ("42 VMs", "12 changed, 1 conflict")."""

    @property
    def duration(self) -> float:
        return (self.finished if self.finished is not None else time.monotonic()) - self.started


Listener = Callable[[Operation], None]


class Engine:
    def __init__(self, credentials: CredentialSource, *, max_workers: int = 16) -> None:
        self._credentials = credentials
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="hvgui-remote")
        self._sessions: dict[str, HostSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._listeners: list[Listener] = []
        self._ids = itertools.count(1)
        self._closed = False

    # ------------------------------------------------------------ listeners
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, op: Operation) -> None:
        for listener in list(self._listeners):
            listener(op)

    # ------------------------------------------------------------ operations
    async def inventory(self, host: HostConfig) -> Inventory:
        request = contract.inventory_request()
        op = self._new_op(host, contract.OP_INVENTORY, "Read VMs and integration services", request)

        def work(session: HostSession) -> Inventory:
            return contract.parse_inventory(session.run_operation(scripts.INVENTORY, request))

        inv = await self._run(host, op, work)
        op.outcome = f"{len(inv.vms)} VMs"
        return inv

    async def apply(self, host: HostConfig, changes: list[Change]) -> ApplyResult:
        request = contract.apply_request(changes)
        vms = len({c.vm_id for c in changes})
        op = self._new_op(host, contract.OP_APPLY, f"Apply {len(changes)} changes to {vms} VMs", request)

        def work(session: HostSession) -> ApplyResult:
            return contract.parse_apply(session.run_operation(scripts.APPLY, request))

        result = await self._run(host, op, work)
        counts: dict[str, int] = {}
        for item in result.items:
            counts[item.outcome.value] = counts.get(item.outcome.value, 0) + 1
        op.outcome = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items()))
        return result

    def _new_op(self, host: HostConfig, kind: str, summary: str, request: dict[str, Any]) -> Operation:
        script = scripts.INVENTORY if kind == contract.OP_INVENTORY else scripts.APPLY
        return Operation(id=next(self._ids), host=host.display_name, kind=kind, summary=summary,
                         script=script, payload=request)

    async def _run(self, host: HostConfig, op: Operation, work: Callable[[HostSession], T]) -> T:
        if self._closed:
            raise HostError(ErrorKind.CANCELLED, "the engine is closed", host=host.display_name)
        self._emit(op)
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(host.key, asyncio.Lock())
        try:
            async with lock:
                session = self._session(host)
                result = await loop.run_in_executor(self._pool, work, session)
        except asyncio.CancelledError:
            op.state = OpState.CANCELLED
            op.finished = time.monotonic()
            self._emit(op)
            raise
        except HostError as exc:
            if not exc.host:
                exc.host = host.display_name
            op.state, op.error, op.finished = OpState.FAILED, exc, time.monotonic()
            self._emit(op)
            raise
        except contract.ContractError as exc:
            err = HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=host.display_name)
            op.state, op.error, op.finished = OpState.FAILED, err, time.monotonic()
            self._emit(op)
            raise err from exc
        op.state, op.finished = OpState.OK, time.monotonic()
        self._emit(op)
        return result

    def _session(self, host: HostConfig) -> HostSession:
        session = self._sessions.get(host.key)
        if session is None or session.config != host:
            if session is not None:
                self._pool.submit(session.close)
            session = open_session(host, self._credentials)
            self._sessions[host.key] = session
        return session

    def forget(self, host: HostConfig) -> None:
        """Drop the connection to a host (removed from the list, or new credentials)."""
        session = self._sessions.pop(host.key, None)
        if session is not None:
            self._pool.submit(session.close)

    def close(self, *, wait: bool = False) -> None:
        """Stop: running commands are aborted at their next poll, each host's shell is deleted
        and its connection closed, on the worker threads (``wait`` blocks until done)."""
        self._closed = True
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for session in sessions:
            session.abort()
        for session in sessions:
            self._pool.submit(session.close)
        self._pool.shutdown(wait=wait)
