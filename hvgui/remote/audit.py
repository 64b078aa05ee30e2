"""Audit log of every change: when, who (local user), host, VM id and name, service, before,
target, after, result. JSON lines, appended; never a password."""

from __future__ import annotations

import getpass
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from hvgui.core import catalog
from hvgui.core.hosts import HostConfig
from hvgui.core.model import ApplyResult, Change
from hvgui.remote.errors import HostError

log = logging.getLogger(__name__)


def default_audit_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("hvgui", appauthor=False)) / "audit.jsonl"


def _local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "unknown"


class AuditLog:
    """``path=None`` keeps records in memory only (``records``), e.g. for tests and previews."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.records: list[dict[str, object]] = []
        self._lock = threading.Lock()

    def record(self, host: HostConfig, changes: list[Change], result: ApplyResult | None,
               error: HostError | None) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        user = _local_user()
        items = {(i.vm_id, i.service_guid): i for i in result.items} if result else {}
        lines: list[dict[str, object]] = []
        for c in changes:
            item = items.get((c.vm_id.lower(), catalog.normalize_guid(c.service_guid)))
            lines.append({
                "time": now,
                "user": user,
                "host": host.display_name,
                "url": host.url,
                "vm_id": c.vm_id,
                "vm_name": c.vm_name,
                "service_guid": c.service_guid,
                "service": catalog.display_label(c.service_guid),
                "before": c.expected,
                "target": c.target,
                "after": item.enabled if item else None,
                "result": item.outcome.value if item else (f"host_error:{error.kind.value}" if error else "missing"),
                "message": item.message if item else (error.message if error else ""),
            })
        with self._lock:
            self.records.extend(lines)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    for line in lines:
                        f.write(json.dumps(line, ensure_ascii=False) + "\n")
            except OSError as exc:
                log.error("cannot write the audit log %s: %s", self.path, exc)
