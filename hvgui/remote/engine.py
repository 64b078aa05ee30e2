"""Async facade for the GUI and the CLI: inventory and apply per host, awaitable.

- Blocking WinRM work runs on one bounded ``ThreadPoolExecutor``; hosts run in parallel.
- Commands to one host run in order (one ``asyncio.Lock`` per host), and each host has one
  :class:`~hvgui.remote.transport.HostSession` (one connection), never used by two threads at once.
- Every operation is an :class:`Operation` record; listeners are called on the event loop's
  thread when it starts and when it ends (the activity panel listens).
- Cancelling the awaiting task abandons the wait at once; the worker finishes or hits its
  deadline and terminates the command. ``close()`` deletes every host's shell.
- An apply is audited ahead (intent records on disk before anything is sent; if they cannot be
  written, nothing is sent). A batch whose answer is lost after it was sent is never reported as
  failed or not applied: the host is read again at once and each item reconciled
  (:func:`hvgui.core.reconcile.reconcile`); if the host cannot be read either, the items are
  *unknown* and the caller reconciles them from its next successful read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from hvgui.core import contract
from hvgui.core.guest import GuestActionResult, GuestSide
from hvgui.core.hosts import HostConfig
from hvgui.core.model import ApplyResult, Change, DiskOutcome, DiskResult, Inventory, ItemResult
from hvgui.core.reconcile import reconcile, unknown_items
from hvgui.remote import scripts
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import CredentialSource
from hvgui.remote.errors import ErrorKind, HostError
from hvgui.remote.transport import KEEP_ALIVE_IDLE_S, HostSession, OutcomeUnknown, WinRMSession, open_session

DISK_SUMMARY_WORDS: dict[DiskOutcome, str] = {
    DiskOutcome.INSERTED: "inserted",
    DiskOutcome.UNCHANGED: "already in the drive",
    DiskOutcome.NO_SETUP_DISK: "on a host without a setup disk",
    DiskOutcome.NO_DVD_DRIVE: "without a DVD drive",
    DiskOutcome.DISK_PRESENT: "with another disk (not replaced)",
    DiskOutcome.VM_NOT_FOUND: "not found",
    DiskOutcome.ERROR: "failed",
}
"""How the activity panel counts a setup disk insertion's results (the window's words, not the codes)."""

T = TypeVar("T")


def _count(n: int, word: str) -> str:
    """``1 VM``, ``2 VMs``: what an operation does, as the activity panel shows it."""
    return f"{n} {word}" + ("" if n == 1 else "s")


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


def fallback_note(session: HostSession) -> str:
    """What an operation's outcome says when it ran as its own command (the activity panel shows
    it): the host's kept-alive PowerShell could not be used."""
    why = session.fallback
    return f"; one command per operation: {why}" if why else ""


class Engine:
    def __init__(self, credentials: CredentialSource, *, max_workers: int = 16,
                 audit: AuditLog | None = None, keep_alive: bool = True,
                 kept_alive_idle_s: float = KEEP_ALIVE_IDLE_S) -> None:
        """``keep_alive``: run each host's operations in one kept-alive PowerShell (False: one
        command per operation); ``kept_alive_idle_s``: end it after this long without a request."""
        self._credentials = credentials
        self._keep_alive = keep_alive
        self._idle_s = kept_alive_idle_s
        self.audit = audit if audit is not None else AuditLog(None)
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
            self._check_open(host)
            return contract.parse_inventory(session.run_operation(scripts.INVENTORY, request))

        def summary(inv: Inventory) -> str:
            unread = sum(1 for v in inv.vms if v.error is not None)
            return f"{len(inv.vms)} VMs" + (f" ({unread} could not be read)" if unread else "")

        return await self._run(host, op, work, summary)

    async def apply(self, host: HostConfig, changes: list[Change]) -> ApplyResult:
        """Send one batch. Raises :class:`HostError` only when nothing was sent (or the audit log
        cannot be written); once sent, the result says what happened to each item, reconciled
        from a re-read when the answer was lost (``ApplyResult.lost``)."""
        request = contract.apply_request(changes)
        vms = len({c.vm_id for c in changes})
        op = self._new_op(host, contract.OP_APPLY, f"Apply {len(changes)} changes to {vms} VMs", request)

        def work(session: HostSession) -> ApplyResult:
            self._check_open(host)
            batch = self.audit.intent(host, changes)  # on disk before anything is sent
            try:
                result = contract.parse_apply(session.run_operation(scripts.APPLY, request))
            except OutcomeUnknown as exc:
                return self._answer_lost(session, host, changes, batch, exc)
            except HostError as exc:
                self.audit.outcome(batch, host, changes, None, exc)
                raise
            except contract.ContractError as exc:
                lost = HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=host.display_name)
                return self._answer_lost(session, host, changes, batch, lost)
            self.audit.outcome(batch, host, changes, result, None)
            return dataclasses.replace(result, batch=batch)

        def summary(result: ApplyResult) -> str:
            counts: dict[str, int] = {}
            for item in result.items:
                counts[item.outcome.value] = counts.get(item.outcome.value, 0) + 1
            text = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items()))
            if result.lost:
                how = "outcome unknown until the host answers" if result.unknown else "reconciled from a re-read"
                text = f"answer lost ({result.lost}); {how}: {text}"
            return text

        def failure(result: ApplyResult) -> HostError | None:
            if not result.unknown:
                return None
            return HostError(ErrorKind.UNREACHABLE, f"the answer to the apply was lost ({result.lost}) and the "
                             f"host could not be read again: {result.unknown} changes have an unknown outcome",
                             host=host.display_name)

        return await self._run(host, op, work, summary, failure)

    async def insert_setup_disk(self, host: HostConfig, vms: list[tuple[str, str]], *,
                                replace: bool = False) -> tuple[DiskResult, ...]:
        """Insert the Integration Services setup disk into these (VM id, VM name)s' DVD drives, one
        command for all of them; audited ahead like an apply. ``replace``: also where another
        disk is in the drive."""
        request = contract.setup_disk_request([v for v, _ in vms], replace=replace)
        what = f"Insert the setup disk into {_count(len(vms), 'VM')}"
        op = self._new_op(host, contract.OP_SETUP_DISK, what, request)

        def work(session: HostSession) -> tuple[DiskResult, ...]:
            self._check_open(host)
            batch = self.audit.disk_intent(host, vms)
            try:
                results = contract.parse_setup_disk(session.run_operation(scripts.SETUP_DISK, request))
            except OutcomeUnknown as exc:
                # Sent, answer lost: running it again is safe (a VM that has it says so).
                self.audit.disk_outcome(batch, host, vms, None, exc, unknown=True)
                raise HostError(exc.kind, f"{exc.message}; whether the setup disk was inserted is unknown: "
                                "run it again (a VM that already has it reports 'already in the drive')",
                                host=exc.host, details=exc.details) from exc
            except HostError as exc:
                self.audit.disk_outcome(batch, host, vms, None, exc)
                raise
            except contract.ContractError as exc:
                error = HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=host.display_name)
                self.audit.disk_outcome(batch, host, vms, None, error)
                raise error from exc
            self.audit.disk_outcome(batch, host, vms, results, None)
            return results

        def summary(results: tuple[DiskResult, ...]) -> str:
            # In the words of the setup disk's own results ("1 with another disk (not replaced)"), not
            # its codes ("1 disk present"), inserted first.
            counts = {o: sum(1 for r in results if r.outcome is o) for o in DiskOutcome}
            return ", ".join(f"{n} {DISK_SUMMARY_WORDS[o]}" for o, n in counts.items() if n)

        return await self._run(host, op, work, summary)

    async def guest(self, host: HostConfig, targets: list[contract.GuestTarget]) -> tuple[
            tuple[GuestSide, tuple[GuestActionResult, ...]], ...]:
        """Read (after changing, when targets carry actions) Windows guests through PowerShell Direct:
        one command for all these VMs of one host. Changes are audited ahead. The guest passwords
        exist only in the request sent; the operation record keeps it redacted."""
        request = contract.guest_request(targets)
        actions = [a for t in targets for a in t.actions]
        what = (f"Change {_count(len(actions), 'guest service')} in {_count(len(targets), 'VM')}" if actions
                else f"Read the guest side of {_count(len(targets), 'VM')}")
        op = self._new_op(host, contract.OP_GUEST, what, contract.redacted(request))

        def work(session: HostSession) -> tuple[tuple[GuestSide, tuple[GuestActionResult, ...]], ...]:
            self._check_open(host)
            batch = self.audit.guest_intent(host.display_name, host.url, actions) if actions else ""
            try:
                results = contract.parse_guest(session.run_operation(scripts.GUEST, request), targets)
            except OutcomeUnknown as exc:
                if actions:
                    self.audit.guest_outcome(batch, host.display_name, host.url, actions, None, exc, unknown=True)
                raise HostError(exc.kind, f"{exc.message}; whether the guest services changed is unknown: read the "
                                "guests again", host=exc.host, details=exc.details) from exc
            except HostError as exc:
                if actions:
                    self.audit.guest_outcome(batch, host.display_name, host.url, actions, None, exc)
                raise
            except contract.ContractError as exc:
                error = HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=host.display_name)
                if actions:
                    self.audit.guest_outcome(batch, host.display_name, host.url, actions, None, error)
                raise error from exc
            if actions:
                self.audit.guest_outcome(batch, host.display_name, host.url, actions,
                                         [r for _, rs in results for r in rs], None)
            return results

        def summary(results: tuple[tuple[GuestSide, tuple[GuestActionResult, ...]], ...]) -> str:
            read = sum(1 for side, _ in results if side.readable)
            text = f"{read} of {len(results)} guests read"
            done = [r for _, rs in results for r in rs]
            if done:
                text += f", {sum(1 for r in done if r.outcome.ok)} of {len(done)} changes done"
            return text

        return await self._run(host, op, work, summary)

    def _answer_lost(self, session: HostSession, host: HostConfig, changes: list[Change], batch: str,
                     exc: HostError) -> ApplyResult:
        """The batch was sent and no result came back: audit *unknown*, read the host again at once
        (the transport first deletes the old shell, which ends the command on the host) and
        reconcile each item from what it says now."""
        why = exc.message
        unknown = ApplyResult(items=unknown_items(changes, why), lost=why, batch=batch)
        self.audit.outcome(batch, host, changes, unknown, None)
        if self._closed:
            return unknown
        try:
            inv = contract.parse_inventory(session.run_operation(scripts.INVENTORY, contract.inventory_request()))
        except (HostError, contract.ContractError):
            return unknown
        items = reconcile(changes, inv, why)
        self.audit.reconciled(batch, host, changes, items)
        touched = {c.vm_id.lower() for c in changes}
        return ApplyResult(items=items, vms=tuple(v for v in inv.vms if v.id in touched), lost=why, batch=batch)

    def record_reconciled(self, host: HostConfig, batch: str, changes: list[Change],
                          items: list[ItemResult]) -> None:
        """Audit the items of an earlier batch (outcome unknown) that a later read of the host
        decided (``items`` in the order of ``changes``)."""
        self.audit.reconciled(batch, host, changes, items)

    def abort(self) -> None:
        """Stop every running command at its next poll (Ctrl+C in the CLI). A batch already sent
        is then reconciled from a re-read, as when its answer is lost."""
        for key, session in list(self._sessions.items()):
            lock = self._locks.get(key)
            if lock is not None and lock.locked():
                session.abort()

    def _new_op(self, host: HostConfig, kind: str, summary: str, request: dict[str, Any]) -> Operation:
        return Operation(id=next(self._ids), host=host.display_name, kind=kind, summary=summary,
                         script=scripts.BY_OPERATION[kind], payload=request)

    def _check_open(self, host: HostConfig) -> None:
        if self._closed:
            raise HostError(ErrorKind.CANCELLED, "hvgui is closing", host=host.display_name)

    def _finish(self, op: Operation, state: OpState, error: HostError | None = None) -> None:
        op.state, op.error, op.finished = state, error, time.monotonic()
        self._emit(op)

    async def _run(self, host: HostConfig, op: Operation, work: Callable[[HostSession], T],
                   summarize: Callable[[T], str], failure: Callable[[T], HostError | None] = lambda _r: None) -> T:
        self._check_open(host)
        self._emit(op)
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(host.key, asyncio.Lock())
        try:
            async with lock:
                self._check_open(host)
                session = self._session(host)
                try:
                    future = loop.run_in_executor(self._pool, work, session)
                except RuntimeError as exc:  # the pool is shut down: we are closing
                    raise HostError(ErrorKind.CANCELLED, "hvgui is closing", host=host.display_name) from exc
                try:
                    result = await asyncio.shield(future)
                except asyncio.CancelledError:
                    # Keep this host's lock until its command has really ended, so commands to
                    # one host stay in order. A read is stopped; a write is left to finish (it
                    # changes the host either way) and its real outcome is recorded.
                    if op.kind == contract.OP_INVENTORY:
                        session.abort()
                    await asyncio.wait({future})
                    if op.kind == contract.OP_APPLY and not future.cancelled() and future.exception() is None:
                        op.outcome = summarize(future.result()) + " (finished after the window stopped waiting)"
                        late = failure(future.result())
                        self._finish(op, OpState.FAILED if late is not None else OpState.OK, late)
                    else:
                        self._finish(op, OpState.CANCELLED)
                    raise
        except asyncio.CancelledError:
            if op.state is OpState.RUNNING:
                self._finish(op, OpState.CANCELLED)
            raise
        except HostError as exc:
            if not exc.host:
                exc.host = host.display_name
            self._finish(op, OpState.CANCELLED if exc.kind is ErrorKind.CANCELLED else OpState.FAILED, exc)
            raise
        except contract.ContractError as exc:
            err = HostError(ErrorKind.MALFORMED_OUTPUT, str(exc), host=host.display_name)
            self._finish(op, OpState.FAILED, err)
            raise err from exc
        except Exception as exc:
            err = HostError(ErrorKind.PROTOCOL, f"{type(exc).__name__}: {exc}", host=host.display_name)
            self._finish(op, OpState.FAILED, err)
            raise err from exc
        op.outcome = summarize(result) + fallback_note(session)
        error = failure(result)
        self._finish(op, OpState.FAILED if error is not None else OpState.OK, error)
        return result

    def _session(self, host: HostConfig) -> HostSession:
        session = self._sessions.get(host.key)
        if session is None or session.config != host:
            if session is not None:
                self._pool.submit(session.close)
            session = open_session(host, self._credentials)
            if isinstance(session, WinRMSession):
                session.keep_alive, session.idle_s = self._keep_alive, self._idle_s
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
