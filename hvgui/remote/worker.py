"""The engine in a child process, for the window.

WinRM work is CPU work too (NTLM sealing, XML, base64, JSON): with 20 hosts answering at once,
worker threads in the window's process hold the GIL long enough to stall the GUI thread by
50-100 ms. :class:`ProcessEngine` keeps the :class:`~hvgui.remote.engine.Engine` API but runs
the engine, its thread pool and its connections in a ``spawn``-ed child process; the window's
process only sends requests and unpickles results.

- Passwords are looked up in the parent (the keyring stays there, off the GUI thread) and
  travel with each request over the local pipe; the child keeps them in memory only.
- Operation records come back as the engine emits them and update the parent's copy in place,
  so listeners see one object per operation, as with :class:`Engine`.
- Cancelling an awaiting task tells the child, where the engine's own rules apply (a read is
  stopped, a write finishes and is recorded). If the child dies, every waiting call fails
  with a clear error.
- The audit log is written by the child (intent before a batch is sent, its outcome, and the
  items the window later reconciles, :meth:`ProcessEngine.record_reconciled`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from hvgui.core import contract
from hvgui.core.guest import GuestActionResult, GuestSide
from hvgui.core.hosts import Auth, HostConfig
from hvgui.core.model import ApplyResult, Change, DiskResult, Inventory, ItemResult
from hvgui.core.reconcile import unknown_items
from hvgui.remote.audit import AuditLog
from hvgui.remote.credentials import CredentialSource, MemoryCredentials
from hvgui.remote.engine import Engine, Listener, Operation
from hvgui.remote.errors import ErrorKind, HostError

log = logging.getLogger(__name__)


class ProcessEngine:
    def __init__(self, credentials: CredentialSource, *, max_workers: int = 16,
                 audit_path: Path | None = None) -> None:
        self._credentials = credentials
        self.audit = AuditLog(audit_path)
        """The audit log: the child writes the host operations' records; this process those of
        changes made inside Linux guests over SSH (:mod:`hvgui.remote.guests`). Each append holds
        the file's lock."""
        ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        self._conn, child_conn = ctx.Pipe()
        self._proc = ctx.Process(target=_child_main, args=(child_conn, max_workers, audit_path),
                                 name="hvgui-remote", daemon=True)
        self._proc.start()
        child_conn.close()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = {}
        self._ops: dict[int, Operation] = {}
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._dead: str | None = None
        self._reader = threading.Thread(target=self._read, name="hvgui-remote-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------ Engine's API
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def inventory(self, host: HostConfig) -> Inventory:
        result: Inventory = await self._call("inventory", host, None)
        return result

    async def apply(self, host: HostConfig, changes: list[Change]) -> ApplyResult:
        """As :meth:`Engine.apply`. If the worker process ends while the batch is out, the batch
        may or may not have reached the host: every item is *unknown* (a later read decides)."""
        try:
            result: ApplyResult = await self._call("apply", host, changes)
        except WorkerGone as exc:
            return ApplyResult(items=unknown_items(changes, exc.message), lost=exc.message)
        return result

    async def insert_setup_disk(self, host: HostConfig, vms: list[tuple[str, str]], *,
                                replace: bool = False) -> tuple[DiskResult, ...]:
        """As :meth:`Engine.insert_setup_disk` (audited by the child). If the worker process ends
        while the request is out, whether the disk was inserted is unknown: said in the error
        (running it again is safe)."""
        try:
            result: tuple[DiskResult, ...] = await self._call("setup_disk", host, (list(vms), replace))
        except WorkerGone as exc:
            raise HostError(ErrorKind.UNREACHABLE, f"{exc.message}; whether the setup disk was inserted is unknown: "
                            "run it again (a VM that already has it reports 'already in the drive')",
                            host=host.display_name) from exc
        return result

    async def guest(self, host: HostConfig, targets: list[contract.GuestTarget]) -> tuple[
            tuple[GuestSide, tuple[GuestActionResult, ...]], ...]:
        """As :meth:`Engine.guest` (PowerShell Direct through the host, audited by the child), over
        the same connection as the host's other operations. The guest passwords cross to the
        child in the request only. If the worker process ends while the request is out, whether
        the guest changed is unknown: said in the error (reading it again tells)."""
        try:
            result: tuple[tuple[GuestSide, tuple[GuestActionResult, ...]], ...] = await self._call(
                "guest", host, list(targets))
        except WorkerGone as exc:
            changes = any(t.actions for t in targets)
            raise HostError(ErrorKind.UNREACHABLE, exc.message + ("; whether the guest changed is unknown: read it "
                                                                  "again" if changes else ""),
                            host=host.display_name) from exc
        return result

    def forget(self, host: HostConfig) -> None:
        self._send(("forget", host))

    def record_reconciled(self, host: HostConfig, batch: str, changes: list[Change],
                          items: list[ItemResult]) -> None:
        """Audit items of an earlier batch that a later read decided (written by the child)."""
        self._send(("reconciled", host, batch, changes, items))

    def close(self, *, wait: bool = False, timeout: float = 130.0) -> None:
        """Stop: reads are cancelled, writes already sent run to their end (and are audited)
        in the child, which then deletes its shells and exits. ``wait`` blocks until it has
        (at most ``timeout`` seconds, then it is terminated)."""
        if not self._closed:
            self._closed = True
            self._send(("close",))
            for loop, future in list(self._pending.values()):
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_fail, future, HostError(ErrorKind.CANCELLED, "hvgui is closing"))
            self._pending.clear()
        if wait:
            self.join(timeout)

    def join(self, timeout: float) -> bool:
        """Wait for the child to finish; terminate it after ``timeout``. True if it ended by itself."""
        self._proc.join(timeout)
        if self._proc.is_alive():
            log.warning("the remote worker did not finish in %.0f s; stopping it", timeout)
            self._proc.terminate()
            self._proc.join(5)
            return False
        return True

    # ------------------------------------------------------------ plumbing
    async def _call(self, kind: str, host: HostConfig, changes: Any) -> Any:
        if self._closed or self._dead:
            raise HostError(ErrorKind.CANCELLED if self._closed else ErrorKind.PROTOCOL,
                            self._dead or "hvgui is closing", host=host.display_name)
        loop = asyncio.get_running_loop()
        self._loop = loop
        password = None
        if host.auth not in (Auth.KERBEROS, Auth.LOCAL):
            # The keyring may be slow (or ask the desktop): never on the GUI thread.
            password = await loop.run_in_executor(None, self._credentials.password, host)
        rid = next(self._ids)
        future: asyncio.Future[Any] = loop.create_future()
        self._pending[rid] = (loop, future)
        self._send(("call", rid, kind, host, changes, password))
        try:
            return await future
        except asyncio.CancelledError:
            self._send(("cancel", rid))
            raise
        finally:
            self._pending.pop(rid, None)

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._dead:
            return
        try:
            with self._send_lock:
                self._conn.send(message)
        except (OSError, EOFError) as exc:
            self._died(f"the remote worker process is gone ({type(exc).__name__})")

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                if not self._closed:
                    self._died(f"the remote worker process stopped (exit code {self._proc.exitcode})")
                return
            except Exception as exc:  # a message that cannot be read: fail loudly, never hang callers
                log.exception("unreadable message from the remote worker")
                self._died(f"the remote worker process sent something unreadable ({type(exc).__name__})")
                return
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._dispatch, message)

    def _died(self, why: str) -> None:
        self._dead = why
        log.error("%s", why)
        for loop, future in list(self._pending.values()):
            if not loop.is_closed():
                loop.call_soon_threadsafe(_fail, future, WorkerGone(ErrorKind.PROTOCOL, why))

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "op":
            snapshot: Operation = message[1]
            op = self._ops.get(snapshot.id)
            if op is None:
                op = self._ops[snapshot.id] = snapshot
            else:
                for f in dataclasses.fields(Operation):
                    setattr(op, f.name, getattr(snapshot, f.name))
            if op.state.value != "running":
                self._ops.pop(op.id, None)
            for listener in list(self._listeners):
                listener(op)
        elif message[0] == "result":
            _, rid, result, error = message
            pending = self._pending.get(rid)
            if pending is None or pending[1].done():
                return
            if error is not None:
                pending[1].set_exception(error)
            else:
                pending[1].set_result(result)


class WorkerGone(HostError):
    """The worker process ended while a call was out (never crosses a process boundary)."""


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _child_main(conn: Connection, max_workers: int, audit_path: Path | None) -> None:
    """The child: one asyncio loop, the ordinary Engine, a thread reading requests."""
    credentials = MemoryCredentials()
    engine = Engine(credentials, max_workers=max_workers, audit=AuditLog(audit_path))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    tasks: dict[int, asyncio.Task[None]] = {}
    writes: set[int] = set()
    closing: list[asyncio.Task[None]] = []
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        try:
            with send_lock:
                conn.send(message)
        except (OSError, EOFError):
            loop.call_soon_threadsafe(loop.stop)

    engine.subscribe(lambda op: send(("op", op)))

    async def run(rid: int, kind: str, host: HostConfig, changes: Any) -> None:
        try:
            if kind == "inventory":
                result: Any = await engine.inventory(host)
            elif kind == "setup_disk":
                vms, replace = changes
                result = await engine.insert_setup_disk(host, vms, replace=replace)
            elif kind == "guest":
                result = await engine.guest(host, changes)
            else:
                result = await engine.apply(host, changes or [])
            send(("result", rid, result, None))
        except asyncio.CancelledError:
            pass
        except HostError as exc:
            send(("result", rid, None, exc))
        except Exception as exc:  # never leave the parent waiting
            send(("result", rid, None, HostError(ErrorKind.PROTOCOL, f"{type(exc).__name__}: {exc}",
                                                 host=host.display_name)))
        finally:
            tasks.pop(rid, None)
            writes.discard(rid)

    def handle(message: tuple[Any, ...]) -> None:
        if message[0] == "call":
            _, rid, kind, host, changes, password = message
            if password is not None:
                credentials.set(host, password)
            tasks[rid] = loop.create_task(run(rid, kind, host, changes))
            if kind in ("apply", "setup_disk") or (kind == "guest" and any(t.actions for t in changes)):
                writes.add(rid)  # changes a host or a guest: runs to its end even when closing
        elif message[0] == "cancel":
            task = tasks.get(message[1])
            if task is not None:
                task.cancel()
        elif message[0] == "forget":
            engine.forget(message[1])
        elif message[0] == "reconciled":
            _, host, batch, changes, items = message
            engine.record_reconciled(host, batch, changes, items)
        elif message[0] == "close":
            closing.append(loop.create_task(shutdown()))

    async def shutdown() -> None:
        # Reads stop; writes already sent finish (they change hosts either way) and are audited.
        for rid, task in list(tasks.items()):
            if rid not in writes:
                task.cancel()
        pending = [t for rid, t in tasks.items() if rid in writes]
        if pending:
            await asyncio.wait(pending)
        await loop.run_in_executor(None, lambda: engine.close(wait=True))
        loop.stop()

    def reader() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = ("close",)
            loop.call_soon_threadsafe(handle, message)
            if message[0] == "close":
                return

    threading.Thread(target=reader, name="hvgui-remote-requests", daemon=True).start()
    try:
        loop.run_forever()
    finally:
        loop.close()
