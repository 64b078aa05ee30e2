"""How each VM's integration services are kept up to date: the seed's three tables
(``data/update_advice.toml``), the host's Windows version and the guest OS the host reports.

Qt-free. The window, the report and ``hvgui-cli inventory`` all use :func:`advise`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

from hvgui.core import catalog
from hvgui.core.model import VM, HostFacts


class Mechanism(StrEnum):
    WINDOWS_UPDATE = "windows_update"
    SETUP_DISK = "setup_disk"
    PACKAGE_MANAGER = "package_manager"


class Note(StrEnum):
    NONE = ""
    REQUIRES_DATA_EXCHANGE = "requires_data_exchange"
    EXTENDED_SUPPORT_ONLY = "extended_support_only"
    NOT_SUPPORTED_ON_HOST = "not_supported_on_host"
    NO_MAINSTREAM_SUPPORT = "no_mainstream_support"
    BUILT_INTO_KERNEL = "built_into_kernel"
    SETUP_DISK_INSTRUCTIONS = "setup_disk_instructions"


MECHANISM_TEXT: Final = {
    Mechanism.WINDOWS_UPDATE: "Windows Update",
    Mechanism.SETUP_DISK: "Integration Services setup disk",
    Mechanism.PACKAGE_MANAGER: "the distribution's package manager",
}
NOTE_TEXT: Final = {
    Note.NONE: "",
    Note.REQUIRES_DATA_EXCHANGE: ("requires the Data Exchange integration service (otherwise: the CAB from the "
                                  "Microsoft Download Center, KB 3071740)"),
    Note.EXTENDED_SUPPORT_ONLY: "extended support only on this host",
    Note.NOT_SUPPORTED_ON_HOST: "not supported on this host",
    Note.NO_MAINSTREAM_SUPPORT: "no mainstream support",
    Note.BUILT_INTO_KERNEL: "built into the distribution's kernel; optional updates may exist",
    Note.SETUP_DISK_INSTRUCTIONS: ("insert the setup disk (vmguest.iso), then the guest's administrator installs "
                                   "it inside the guest; this cannot be automated for a running VM"),
}

#: ``Win32_OperatingSystem.Version`` (major.minor.build) -> host key of the tables.
_HOST_BY_BUILD: Final = {"6.2.9200": "2012", "6.3.9600": "2012R2", "10.0.14393": "2016", "10.0.17763": "2019",
                         "10.0.20348": "2022", "10.0.26100": "2025"}
#: Hosts that ship the Integration Services setup disk (``C:\\Windows\\System32\\vmguest.iso``).
SETUP_DISK_HOSTS: Final = ("2012", "2012R2")


@dataclass(frozen=True, slots=True)
class Row:
    table: str
    """Id of the seed's table (``2016``, ``2012R2``, ``2012``)."""
    guest: str
    """The guest as the seed's table names it."""
    patterns: tuple[re.Pattern[str], ...]
    mechanism: Mechanism
    note: Note
    seed: bool = True
    """False: a row added for guests later than the seed's tables."""


@dataclass(frozen=True, slots=True)
class Advice:
    """What to do about one VM's integration services updates."""

    mechanism: Mechanism | None
    """None: no advice (guest OS unknown, or not in the host's table)."""
    note: Note = Note.NONE
    row: Row | None = None
    reason: str = ""
    """Why there is no advice, in words (``mechanism`` None)."""
    update_required: bool = False
    """The host says "Update required"."""
    blocked: bool = False
    """The note requires Data Exchange, and it is disabled (or about to be) on this VM."""

    @property
    def text(self) -> str:
        """One line for a cell, a report or the CLI."""
        if self.mechanism is None:
            return self.reason
        parts = [f"Updates through {MECHANISM_TEXT[self.mechanism]}"]
        if self.note is not Note.NONE and self.note is not Note.SETUP_DISK_INSTRUCTIONS:
            parts.append(NOTE_TEXT[self.note])
        text = "; ".join(parts)
        if self.blocked:
            text += ". BLOCKED: Data Exchange is disabled on this VM, so Windows Update cannot update them"
        return text

    @property
    def needs_attention(self) -> bool:
        return self.update_required or self.blocked or self.note in (Note.NOT_SUPPORTED_ON_HOST,
                                                                      Note.EXTENDED_SUPPORT_ONLY,
                                                                      Note.NO_MAINSTREAM_SUPPORT)

    def as_json(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism.value if self.mechanism else None, "note": self.note.value or None,
                "table_guest": self.row.guest if self.row else None, "text": self.text,
                "blocked_by_data_exchange": self.blocked, "needs_attention": self.needs_attention}


@cache
def rows() -> tuple[Row, ...]:
    data = tomllib.loads(resources.files("hvgui.core").joinpath("data", "update_advice.toml")
                         .read_text(encoding="utf-8"))
    out: list[Row] = []
    for table in data["table"]:
        for r in table["rows"]:
            out.append(Row(table=table["id"], guest=r["guest"],
                           patterns=tuple(re.compile(p, re.IGNORECASE) for p in r["guests"]),
                           mechanism=Mechanism(r["mechanism"]), note=Note(r.get("note", "")),
                           seed=bool(r.get("seed", True))))
    return tuple(out)


@cache
def _tables() -> dict[str, str]:
    """Host key -> table id."""
    data = tomllib.loads(resources.files("hvgui.core").joinpath("data", "update_advice.toml")
                         .read_text(encoding="utf-8"))
    return {host: table["id"] for table in data["table"] for host in table["hosts"]}


def host_key(facts: HostFacts | None) -> str | None:
    """``2012``, ``2012R2``, ``2016``... from the host's OS version (or its caption)."""
    if facts is None:
        return None
    build = ".".join(facts.os_version.split(".")[:3])
    if build in _HOST_BY_BUILD:
        return _HOST_BY_BUILD[build]
    caption = facts.os_caption.casefold()
    for key in ("2012 r2", "2012", "2016", "2019", "2022", "2025"):
        if key in caption:
            return key.replace(" r", "R").upper() if key == "2012 r2" else key
    return None


def has_setup_disk(facts: HostFacts | None) -> bool:
    """Hosts before Windows Server 2016 ship vmguest.iso; later ones do not."""
    return host_key(facts) in SETUP_DISK_HOSTS


@lru_cache(maxsize=4096)
def find_row(host: str, guest_os: str) -> Row | None:
    table = _tables().get(host)
    if table is None:
        return None
    for row in rows():
        if row.table == table and any(p.search(guest_os) for p in row.patterns):
            return row
    return None


def advise(facts: HostFacts | None, vm: VM, kvp_enabled: bool | None = None) -> Advice:
    """The advice for one VM. ``kvp_enabled``: what Data Exchange will be (a pending change), else
    what the host says."""
    update_required = (vm.is_state or "").casefold() == "update required"
    host = host_key(facts)
    if host is None:
        return Advice(None, reason="host version unknown", update_required=update_required)
    if not vm.guest_os:
        why = ("guest OS unknown: the VM is not running" if vm.is_off
               else "guest OS unknown: Data Exchange is off or the guest does not report it")
        return Advice(None, reason=why, update_required=update_required)
    row = find_row(host, vm.guest_os)
    if row is None:
        return Advice(None, reason=f"{vm.guest_os} is not in the update table for this host",
                      update_required=update_required)
    kvp = vm.service(catalog.KVP)
    enabled = kvp_enabled if kvp_enabled is not None else (kvp.enabled if kvp is not None else None)
    blocked = row.note is Note.REQUIRES_DATA_EXCHANGE and enabled is False
    return Advice(row.mechanism, row.note, row, update_required=update_required, blocked=blocked)
