"""The audit history as the window shows it: one row per change sent (its latest record: the
reconciled outcome, else the host's answer, else only the intent), read from the audit log
(``hvgui.remote.audit``), and filtered by host, VM, user and date. Qt-free."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hvgui.core.model import DISK_OUTCOME_TEXT, OUTCOME_TEXT, DiskOutcome, Outcome
from hvgui.remote.errors import TITLES, ErrorKind

_RANK = {"intent": 0, "outcome": 1, "reconciled": 2}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    when: datetime
    """Local time of the change's first record (when it was sent)."""
    user: str
    host: str
    vm_name: str
    vm_id: str
    service: str
    change: str
    """ "Enabled → Disabled", or "Insert the setup disk"."""
    result: str
    """In words."""
    message: str
    ok: bool
    batch: str

    def as_text(self) -> str:
        return (f"{self.when:%Y-%m-%d %H:%M:%S}  {self.user}  {self.host}  {self.vm_name}  {self.service}  "
                f"{self.change}  {self.result}" + (f": {self.message}" if self.message else ""))


def _on_off(value: object) -> str:
    return {True: "Enabled", False: "Disabled"}.get(value, "?") if isinstance(value, bool) else "?"


def result_words(record: dict[str, Any]) -> tuple[str, bool]:
    """The result of a record in words, and whether it went as asked."""
    result = str(record.get("result", ""))
    if record.get("action") == "insert_setup_disk":
        try:
            d = DiskOutcome(result)
            return DISK_OUTCOME_TEXT[d], d.ok
        except ValueError:
            pass
    try:
        o = Outcome(result)
        return OUTCOME_TEXT[o], o.ok
    except ValueError:
        pass
    if result == "pending":
        return "No outcome recorded (sent, and the window or the CLI ended before the answer)", False
    if result.startswith("host_error:"):
        try:
            return f"Not sent: {TITLES[ErrorKind(result.split(':', 1)[1])]}", False
        except ValueError:
            return "Not sent: the host failed", False
    if result == "missing":
        return "The host returned no result for it", False
    return result or "?", False


def _local(stamp: object) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        t = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone() if t.tzinfo else t


def rows_from_records(records: Iterable[dict[str, Any]]) -> list[HistoryRow]:
    """One row per change (batch, VM, service), from its latest record; newest first."""
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    first: dict[tuple[str, str, str], datetime] = {}
    for r in records:
        if not isinstance(r, dict) or r.get("event") not in _RANK:
            continue
        key = (str(r.get("batch", "")), str(r.get("vm_id", "")),
               str(r.get("service_guid") or r.get("action") or ""))
        when = _local(r.get("time"))
        if when is None:
            continue
        first.setdefault(key, when)
        old = latest.get(key)
        if old is None or _RANK[str(r["event"])] >= _RANK[str(old["event"])]:
            latest[key] = r
    rows: list[HistoryRow] = []
    for key, r in latest.items():
        words, ok = result_words(r)
        if r.get("action") == "insert_setup_disk":
            service, change = "Setup disk", "Insert the setup disk"
        else:
            service = str(r.get("service", ""))
            change = f"{_on_off(r.get('before'))} → {_on_off(r.get('target'))}"
        if r.get("event") == "reconciled":
            words += " (decided by a re-read: the host's answer was lost)"
        rows.append(HistoryRow(first[key], str(r.get("user", "")), str(r.get("host", "")), str(r.get("vm_name", "")),
                               str(r.get("vm_id", "")), service, change, words, str(r.get("message", "") or ""), ok,
                               key[0]))
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows


def read_log(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of an audit log, and how many lines could not be read (a log cut short by a
    crash, an edited line): they are skipped, never fatal. Blocking: call it off the GUI thread."""
    records: list[dict[str, Any]] = []
    bad = 0
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(value, dict):
                    records.append(value)
                else:
                    bad += 1
    except FileNotFoundError:
        return [], 0
    return records, bad


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    host: str | None = None
    vm: str = ""
    """Part of a VM name, or a VM Id."""
    user: str | None = None
    since: date | None = None
    until: date | None = None

    def matches(self, row: HistoryRow) -> bool:
        if self.host is not None and row.host != self.host:
            return False
        if self.user is not None and row.user != self.user:
            return False
        if self.vm:
            v = self.vm.strip().casefold()
            if v not in row.vm_name.casefold() and v != row.vm_id.casefold():
                return False
        d = row.when.date()
        if self.since is not None and d < self.since:
            return False
        return self.until is None or d <= self.until


def filter_rows(rows: Sequence[HistoryRow], f: HistoryFilter) -> list[HistoryRow]:
    return [r for r in rows if f.matches(r)]
