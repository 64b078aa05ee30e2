"""Audit log of every change, written ahead: JSON lines, appended; never a password.

For every batch sent to a host:

1. before anything is sent, one ``intent`` record per change (time, local user, host, VM id and
   name, service, before, target), written and flushed to disk (``fsync``). If that fails,
   nothing is sent: :meth:`AuditLog.intent` raises :class:`AuditUnavailable`, which says why;
2. after it, one ``outcome`` record per change (after, result, message). A batch whose answer was
   lost has ``result: "unknown"``;
3. when such a batch is reconciled from a re-read, one ``reconciled`` record per change that was
   decided (changed, not_applied, conflict...).

Records of one batch share its ``batch`` id. Every append holds an OS lock on the file
(``fcntl.flock``; ``msvcrt.locking`` on Windows), so the window and ``hvgui-cli`` writing at the
same moment never interleave or lose a line.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from hvgui.core import catalog
from hvgui.core.guest import GuestAction, GuestActionResult
from hvgui.core.hosts import HostConfig
from hvgui.core.model import ApplyResult, Change, DiskResult, ItemResult
from hvgui.remote.errors import ErrorKind, HostError

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 30.0
"""How long an append waits for another writer (window, CLI) to release the file."""

EVENT_INTENT = "intent"
EVENT_OUTCOME = "outcome"
EVENT_RECONCILED = "reconciled"


def default_audit_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("hvgui", appauthor=False)) / "audit.jsonl"


def _local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "unknown"


class AuditUnavailable(HostError):
    """The audit log cannot be written: the batch is not sent."""

    @property
    def title(self) -> str:
        return "Audit log cannot be written"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (self.message, self.host, self.details))


def _rebuild(message: str, host: str, details: str) -> AuditUnavailable:
    return AuditUnavailable(ErrorKind.CONFIG, message, host=host, details=details)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        # A lock on the first byte is the file's mutex (writes append; the range may lie beyond EOF).
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(fd: int, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the OS lock of an open audit file (exclusive between processes and handles)."""
    deadline = time.monotonic() + timeout
    while not _try_lock(fd):
        if time.monotonic() > deadline:
            raise OSError(f"another program has held the file locked for over {timeout:g} s")
        time.sleep(0.005)
    try:
        yield
    finally:
        _unlock(fd)


def append_lines(path: Path, lines: Iterable[dict[str, object]]) -> None:
    """Append JSON lines under the file's OS lock, then flush them to disk. Raises OSError."""
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with file_lock(fd):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
    finally:
        os.close(fd)
    if created and sys.platform != "win32":
        # A new file's name is durable once its folder is.
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


class AuditLog:
    """``path=None`` keeps records in memory only (``records``), e.g. for tests and previews."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.records: list[dict[str, object]] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------ the three records
    def intent(self, host: HostConfig, changes: Sequence[Change]) -> str:
        """Write (and fsync) one intent record per change before the batch is sent; returns the
        batch id. Raises :class:`AuditUnavailable` when they cannot be written: then the batch
        must not be sent."""
        batch = uuid.uuid4().hex
        lines = [self._base(batch, EVENT_INTENT, host, c) | {"after": None, "result": "pending", "message": ""}
                 for c in changes]
        try:
            self._write(lines)
        except OSError as exc:
            raise AuditUnavailable(
                ErrorKind.CONFIG,
                f"the audit log {self.path} cannot be written ({exc.strerror or exc}); nothing was sent to "
                "the host. Fix the file or its folder (permissions, disk space), then apply again",
                host=host.display_name, details=str(exc)) from exc
        return batch

    def outcome(self, batch: str, host: HostConfig, changes: Sequence[Change], result: ApplyResult | None,
                error: HostError | None) -> None:
        """One outcome record per change: the host's answer, ``unknown`` when it was lost, or the
        host error that kept the batch from being sent."""
        items = {(i.vm_id, i.service_guid): i for i in result.items} if result else {}
        lines: list[dict[str, object]] = []
        for c in changes:
            item = items.get((c.vm_id.lower(), catalog.normalize_guid(c.service_guid)))
            if item is not None:
                lines.append(self._base(batch, EVENT_OUTCOME, host, c) | self._result(item))
            else:
                lines.append(self._base(batch, EVENT_OUTCOME, host, c) | {
                    "after": None,
                    "result": f"host_error:{error.kind.value}" if error else "missing",
                    "message": error.message if error else "the host returned no result for it",
                })
        self._write_logged(lines)

    def reconciled(self, batch: str, host: HostConfig, changes: Sequence[Change],
                   items: Sequence[ItemResult]) -> None:
        """One ``reconciled`` record per change decided by a re-read (``items`` in the order of
        ``changes``; items still unknown are skipped)."""
        lines = [self._base(batch, EVENT_RECONCILED, host, c) | self._result(i)
                 for c, i in zip(changes, items, strict=True) if i.reconciled]
        if lines:
            self._write_logged(lines)

    def disk_intent(self, host: HostConfig, vms: Sequence[tuple[str, str]]) -> str:
        """Intent records for inserting the setup disk into (VM id, VM name)s, written ahead like
        :meth:`intent` (raises :class:`AuditUnavailable`)."""
        batch = uuid.uuid4().hex
        lines = [self._disk_base(batch, EVENT_INTENT, host, vm_id, name)
                 | {"after": None, "result": "pending", "message": ""} for vm_id, name in vms]
        try:
            self._write(lines)
        except OSError as exc:
            raise AuditUnavailable(
                ErrorKind.CONFIG,
                f"the audit log {self.path} cannot be written ({exc.strerror or exc}); nothing was sent to "
                "the host. Fix the file or its folder (permissions, disk space), then try again",
                host=host.display_name, details=str(exc)) from exc
        return batch

    def disk_outcome(self, batch: str, host: HostConfig, vms: Sequence[tuple[str, str]],
                     results: Sequence[DiskResult] | None, error: HostError | None, *,
                     unknown: bool = False) -> None:
        """One outcome record per VM; ``unknown``: the request was sent and its answer lost."""
        by_id = {r.vm_id: r for r in results or ()}
        lines: list[dict[str, object]] = []
        for vm_id, name in vms:
            r = by_id.get(vm_id.lower())
            if r is not None:
                extra: dict[str, object] = {"after": r.path, "result": r.outcome.value, "message": r.message}
            elif error is not None and unknown:
                extra = {"after": None, "result": "unknown", "message": error.message}
            else:
                extra = {"after": None, "result": f"host_error:{error.kind.value}" if error else "missing",
                         "message": error.message if error else "the host returned no result for it"}
            lines.append(self._disk_base(batch, EVENT_OUTCOME, host, vm_id, name) | extra)
        self._write_logged(lines)

    @staticmethod
    def _disk_base(batch: str, event: str, host: HostConfig, vm_id: str, name: str) -> dict[str, object]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "batch": batch,
            "user": _local_user(),
            "host": host.display_name,
            "url": host.url,
            "vm_id": vm_id,
            "vm_name": name,
            "action": "insert_setup_disk",
            "target": "vmguest.iso",
        }

    def guest_intent(self, host: str, url: str, actions: Sequence[GuestAction]) -> str:
        """Intent records for changes inside guests (start/stop/restart a guest service or daemon, set a
        start type), written ahead like :meth:`intent`. ``host``/``url``: the Hyper-V host (PowerShell
        Direct) or the guest's SSH target. Never a credential."""
        batch = uuid.uuid4().hex
        lines = [self._guest_base(batch, EVENT_INTENT, host, url, a) | {"result": "pending", "message": ""}
                 for a in actions]
        try:
            self._write(lines)
        except OSError as exc:
            raise AuditUnavailable(
                ErrorKind.CONFIG,
                f"the audit log {self.path} cannot be written ({exc.strerror or exc}); nothing was sent. Fix the "
                "file or its folder (permissions, disk space), then try again", host=host, details=str(exc)) from exc
        return batch

    def guest_outcome(self, batch: str, host: str, url: str, actions: Sequence[GuestAction],
                      results: Sequence[GuestActionResult] | None, error: HostError | None, *,
                      unknown: bool = False) -> None:
        by_action = {id(r.action): r for r in results or ()}
        lines: list[dict[str, object]] = []
        for a in actions:
            r = by_action.get(id(a))
            if r is not None:
                extra: dict[str, object] = {"result": r.outcome.value, "message": r.message}
            elif error is not None:
                extra = {"result": "unknown" if unknown else f"host_error:{error.kind.value}", "message": error.message}
            else:
                extra = {"result": "missing", "message": "no result for it"}
            lines.append(self._guest_base(batch, EVENT_OUTCOME, host, url, a) | extra)
        self._write_logged(lines)

    @staticmethod
    def _guest_base(batch: str, event: str, host: str, url: str, a: GuestAction) -> dict[str, object]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "batch": batch,
            "user": _local_user(),
            "host": host,
            "url": url,
            "vm_id": a.vm_id,
            "vm_name": a.vm_name,
            "action": f"guest_{a.action.value}",
            "service": a.service,
            "target": a.start_type if a.start_type is not None else a.action.value,
        }

    def check(self) -> None:
        """Raise :class:`AuditUnavailable` if the log cannot be opened for appending and locked now
        (e.g. before asking for a confirmation)."""
        if self.path is None:
            return
        try:
            append_lines(self.path, [])
        except OSError as exc:
            raise AuditUnavailable(ErrorKind.CONFIG, f"the audit log {self.path} cannot be written "
                                   f"({exc.strerror or exc}); nothing can be applied", details=str(exc)) from exc

    # ------------------------------------------------------------ plumbing
    @staticmethod
    def _base(batch: str, event: str, host: HostConfig, c: Change) -> dict[str, object]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "batch": batch,
            "user": _local_user(),
            "host": host.display_name,
            "url": host.url,
            "vm_id": c.vm_id,
            "vm_name": c.vm_name,
            "service_guid": c.service_guid,
            "service": catalog.display_label(c.service_guid),
            "before": c.expected,
            "target": c.target,
        }

    @staticmethod
    def _result(item: ItemResult) -> dict[str, object]:
        return {"after": item.enabled, "result": item.outcome.value, "message": item.message,
                "reconciled": item.reconciled}

    def _write(self, lines: list[dict[str, object]]) -> None:
        with self._lock:
            if self.path is not None:
                append_lines(self.path, lines)
            self.records.extend(lines)

    def _write_logged(self, lines: list[dict[str, object]]) -> None:
        try:
            self._write(lines)
        except OSError as exc:
            with self._lock:
                self.records.extend(lines)
            log.error("cannot write the audit log %s: %s", self.path, exc)
