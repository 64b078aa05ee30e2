"""The operation contract: the one place that says how hvgui asks a host to do something.

The client (``hvgui.remote``), the PowerShell scripts (``hvgui/remote/scripts``) and the
simulator (``hvgui.simulator``) all follow this module.

How one operation travels (one WinRM command):

1. Command line (well under cmd.exe's 8,191 characters, whatever the request size)::

       powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand <BOOTSTRAP>

2. stdin, ASCII only::

       <operation script, constant text shipped in the package>
       #HVGUI-PAYLOAD#
       <base64 of the UTF-8 JSON request>

   The bootstrap splits stdin at the marker, compiles the constant script and calls it
   with the base64 string as its only argument. Nothing from a user or a host is ever part
   of PowerShell source: it only exists inside that base64 literal.
3. stdout: one line ``HVGUI-RESULT-GZIP:<base64 of the gzip of the UTF-8 JSON result>``
   (ASCII, so no code page can mangle it; gzip, as an inventory's JSON shrinks ~20 times).
   ``HVGUI-RESULT:<base64 of the UTF-8 JSON result>`` is read too. Failures of the whole
   operation are PowerShell errors (CLIXML on stderr, non-zero exit code). Per-item failures are inside the result.

Each operation script starts with the header line ``# hvgui-operation: <name> v<version>``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import zlib
from dataclasses import dataclass, field
from typing import Any, Final

from hvgui.core import catalog
from hvgui.core import guest as g
from hvgui.core.model import (
    VM,
    ApplyResult,
    Change,
    DiskOutcome,
    DiskResult,
    HostFacts,
    Inventory,
    ItemResult,
    Outcome,
    ServiceState,
    StatusValue,
)

VERSION: Final = 1
OP_INVENTORY: Final = "inventory"
OP_APPLY: Final = "apply"
OP_SETUP_DISK: Final = "setup_disk"
OP_GUEST: Final = "guest"
OPERATIONS: Final = (OP_INVENTORY, OP_APPLY, OP_SETUP_DISK, OP_GUEST)
REDACTED: Final = "(hidden)"
"""What a request's secrets show as wherever a request is displayed or kept (:func:`redacted`)."""

PAYLOAD_MARKER: Final = "#HVGUI-PAYLOAD#"
RESULT_PREFIX: Final = "HVGUI-RESULT:"
RESULT_GZIP_PREFIX: Final = "HVGUI-RESULT-GZIP:"
RESULT_PREFIXES: Final = (RESULT_GZIP_PREFIX, RESULT_PREFIX)
RESULT_MAX_BYTES: Final = 256 * 1024 * 1024
"""The most a result may unpack to (10,000 VMs are ~11 MB of JSON): a host's answer is not
trusted to be small, and a few KB of gzip can unpack to gigabytes."""
PREFLIGHT_PREFIX: Final = "HVGUI-PREFLIGHT:"
"""What an operation writes instead of a result when the host cannot run it:
``HVGUI-PREFLIGHT:<kind>:<ASCII detail>`` with kind one of :data:`PREFLIGHT_KINDS`."""
PREFLIGHT_KINDS: Final = ("powershell_too_old", "hyperv_module_missing", "not_hyperv_admin")
HEADER_PREFIX: Final = "# hvgui-operation:"

BOOTSTRAP: Final = (
    "$ErrorActionPreference = 'Stop'\n"
    "$ProgressPreference = 'SilentlyContinue'\n"
    "$hvguiStdin = @($input) -join \"`n\"\n"
    "$hvguiParts = $hvguiStdin.Split([string[]]@('" + PAYLOAD_MARKER + "'), 2, [StringSplitOptions]::None)\n"
    "$hvguiOperation = [ScriptBlock]::Create($hvguiParts[0])\n"
    "& $hvguiOperation $hvguiParts[1].Trim()\n"
    "exit 0\n"
)

LOOP_READY: Final = "HVGUI-LOOP-READY:"
"""What the kept-alive PowerShell writes once it is ready for requests (the Hyper-V module loaded)."""
LOOP_UNAVAILABLE: Final = "HVGUI-LOOP-UNAVAILABLE:"
"""What it writes instead when it cannot serve (``HVGUI-LOOP-UNAVAILABLE:<ASCII reason>``), then exits."""
LOOP_DONE: Final = "HVGUI-DONE:"
"""``HVGUI-DONE:<seq>:ok`` or ``HVGUI-DONE:<seq>:error:<base64 of the UTF-8 message>``: request
``seq`` has ended; what the operation wrote before it (its result line) is its output."""
LOOP_SCRIPT_SENT: Final = "-"
"""In a request line, instead of the script: "the script you were given earlier under this key"."""

LOOP: Final = (
    # One kept-alive powershell.exe per host connection: constant text, run with -EncodedCommand.
    # It loads the Hyper-V module once, then reads one request per line of stdin:
    #   <seq> <script key> <base64 of the operation script, or -> <base64 of the UTF-8 JSON request>
    # compiles each operation script once (by key, the client's hash of it), runs it with the
    # request as its only argument, and ends each request with one HVGUI-DONE line. Stdin closed:
    # it exits. Nothing from a user or a host is ever part of its source or of a script it compiles.
    "$ErrorActionPreference = 'Stop'\n"
    "$ProgressPreference = 'SilentlyContinue'\n"
    "$hvguiOut = [Console]::Out\n"
    "$hvguiIn = [Console]::In\n"
    "if ($PSVersionTable.PSVersion.Major -lt 3) {\n"
    "    $hvguiOut.WriteLine('" + LOOP_UNAVAILABLE + "Windows PowerShell ' + [string]$PSVersionTable.PSVersion)\n"
    "    $hvguiOut.Flush()\n"
    "    exit 3\n"
    "}\n"
    "try { Import-Module Hyper-V } catch { }\n"
    "$hvguiScripts = @{}\n"
    "$hvguiOut.WriteLine('" + LOOP_READY + "1')\n"
    "$hvguiOut.Flush()\n"
    "while ($true) {\n"
    "    $hvguiLine = $hvguiIn.ReadLine()\n"
    "    if ($null -eq $hvguiLine) { break }\n"
    "    $hvguiFields = $hvguiLine.Trim().Split(' ')\n"
    "    $hvguiEnd = '" + LOOP_DONE + "' + $hvguiFields[0] + ':ok'\n"
    "    try {\n"
    "        if ($hvguiFields[2] -ne '" + LOOP_SCRIPT_SENT + "') {\n"
    "            $hvguiText = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($hvguiFields[2]))\n"
    "            $hvguiScripts[$hvguiFields[1]] = [ScriptBlock]::Create($hvguiText)\n"
    "        }\n"
    "        $hvguiOperation = $hvguiScripts[$hvguiFields[1]]\n"
    "        if ($null -eq $hvguiOperation) { throw 'hvgui: unknown script key' }\n"
    "        $null = & $hvguiOperation $hvguiFields[3]\n"
    "    } catch {\n"
    "        $hvguiBytes = [Text.Encoding]::UTF8.GetBytes([string]$_.Exception.Message)\n"
    "        $hvguiEnd = '" + LOOP_DONE + "' + $hvguiFields[0] + ':error:' + [Convert]::ToBase64String($hvguiBytes)\n"
    "    }\n"
    "    $hvguiOut.WriteLine($hvguiEnd)\n"
    "    $hvguiOut.Flush()\n"
    "}\n"
    "exit 0\n"
)

POWERSHELL_EXE: Final = "powershell.exe"
POWERSHELL_ARGS: Final = ("-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass")


class ContractError(ValueError):
    """A request or result that does not follow this contract (malformed output)."""


def encode_powershell(script: str) -> str:
    """``-EncodedCommand`` form: base64 of UTF-16LE."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def decode_powershell(encoded: str) -> str:
    return base64.b64decode(encoded).decode("utf-16-le")


def command_line() -> str:
    """The full command line of every operation (constant)."""
    return " ".join((POWERSHELL_EXE, *POWERSHELL_ARGS, "-EncodedCommand", encode_powershell(BOOTSTRAP)))


def loop_command_line() -> str:
    """The command line of the kept-alive PowerShell (constant)."""
    return " ".join((POWERSHELL_EXE, *POWERSHELL_ARGS, "-EncodedCommand", encode_powershell(LOOP)))


@functools.lru_cache(maxsize=32)
def script_key(script: str) -> str:
    """The key a kept-alive PowerShell files a compiled operation script under: its name, version
    and a hash of its text (ASCII, no spaces). Cached: the scripts are a few constant texts, asked
    for twice per request."""
    import hashlib

    op = operation_of(script)
    name = f"{op[0]}-v{op[1]}" if op is not None else "script"
    return f"{name}-{hashlib.sha256(script.encode('ascii')).hexdigest()[:16]}"


def loop_request(seq: int, script: str, request: dict[str, Any], *, send_script: bool) -> str:
    """One request line for the kept-alive PowerShell (ASCII, ends with a newline)."""
    if not script.isascii():
        raise ContractError("operation scripts must be ASCII")
    text = base64.b64encode(script.encode("ascii")).decode("ascii") if send_script else LOOP_SCRIPT_SENT
    return f"{seq} {script_key(script)} {text} {encode_payload(request)}\n"


def parse_loop_request(line: str) -> tuple[int, str, str | None, str]:
    """The simulator's and the tests' view of a request line: ``(seq, key, script or None, payload_b64)``."""
    parts = line.strip().split(" ")
    if len(parts) != 4 or not parts[0].isdigit():
        raise ContractError("malformed request line")
    script = None if parts[2] == LOOP_SCRIPT_SENT else base64.b64decode(parts[2]).decode("ascii")
    return int(parts[0]), parts[1], script, parts[3]


def loop_done(line: str, seq: int) -> tuple[bool, str] | None:
    """For a stdout line of the kept-alive PowerShell: None unless it ends request ``seq``;
    else ``(ok, error message)``."""
    prefix = f"{LOOP_DONE}{seq}:"
    if not line.startswith(prefix):
        return None
    rest = line[len(prefix):].strip()
    if rest == "ok":
        return True, ""
    if rest.startswith("error:"):
        try:
            return False, base64.b64decode(rest[6:]).decode("utf-8", "replace")
        except ValueError:
            return False, rest[6:]
    return False, rest


def header(name: str) -> str:
    return f"{HEADER_PREFIX} {name} v{VERSION}"


def operation_of(script: str) -> tuple[str, int] | None:
    """``(name, version)`` from an operation script's header line, or None."""
    first = script.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first.startswith(HEADER_PREFIX):
        return None
    parts = first[len(HEADER_PREFIX):].split()
    if len(parts) != 2 or not parts[1].startswith("v") or not parts[1][1:].isdigit():
        return None
    return parts[0], int(parts[1][1:])


def encode_payload(request: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(request, ensure_ascii=False).encode("utf-8")).decode("ascii")


def decode_payload(b64: str) -> dict[str, Any]:
    try:
        data = base64.b64decode(b64.strip(), validate=True)
    except ValueError as exc:
        raise ContractError(f"payload is not base64 JSON: {exc}") from exc
    return _json_object(data, "payload")


def stdin_for(script: str, request: dict[str, Any]) -> str:
    if not script.isascii():
        raise ContractError("operation scripts must be ASCII")
    return f"{script.rstrip()}\n{PAYLOAD_MARKER}\n{encode_payload(request)}\n"


def split_stdin(stdin: str) -> tuple[str, str]:
    """The simulator's view of the bootstrap: ``(script, payload_b64)``."""
    parts = "\n".join(stdin.replace("\r\n", "\n").split("\n")).split(PAYLOAD_MARKER, 1)
    if len(parts) != 2:
        raise ContractError("no payload marker on stdin")
    return parts[0], parts[1].strip()


def encode_result(result: dict[str, Any]) -> str:
    """The stdout line an operation writes."""
    data = json.dumps(result, ensure_ascii=False).encode("utf-8")
    return RESULT_PREFIX + base64.b64encode(data).decode("ascii")


def preflight_failure(stdout: str) -> tuple[str, str] | None:
    """``(kind, detail)`` when the operation refused to run on this host, else None."""
    if PREFLIGHT_PREFIX not in stdout:  # an inventory's output is ~100 KB: don't split it for nothing
        return None
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith(PREFLIGHT_PREFIX):
            kind, _, detail = line[len(PREFLIGHT_PREFIX):].partition(":")
            return kind, detail
    return None


def decode_result(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith(RESULT_GZIP_PREFIX):
            return _json_object(_gunzip(line[len(RESULT_GZIP_PREFIX):]), "result")
        if line.startswith(RESULT_PREFIX):
            return decode_payload(line[len(RESULT_PREFIX):])
    raise ContractError("the host's output has no result line")


def _gunzip(b64: str) -> bytes:
    try:
        packed = base64.b64decode(b64, validate=True)
        unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip's header and trailer
        data = unpacker.decompress(packed, RESULT_MAX_BYTES + 1)
    except (ValueError, zlib.error) as exc:
        raise ContractError(f"result is not base64 gzip: {exc}") from exc
    if len(data) > RESULT_MAX_BYTES:
        raise ContractError(f"result unpacks to more than {RESULT_MAX_BYTES // 2**20} MB: refused")
    if not unpacker.eof:
        raise ContractError("result is cut short (its gzip stream does not end)")
    return data


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ContractError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ContractError(f"{what} is not a JSON object")
    return value


# ---------------------------------------------------------------- requests

def inventory_request() -> dict[str, Any]:
    return {"op": OP_INVENTORY, "v": VERSION}


def apply_request(changes: list[Change]) -> dict[str, Any]:
    return {
        "op": OP_APPLY,
        "v": VERSION,
        "changes": [
            {
                "vm_id": c.vm_id.lower(),
                "guid": catalog.normalize_guid(c.service_guid),
                "expected": c.expected,
                "enabled": c.target,
            }
            for c in changes
        ],
    }


def setup_disk_request(vm_ids: list[str], *, replace: bool = False) -> dict[str, Any]:
    """Insert vmguest.iso into these VMs' DVD drives; ``replace`` another disk found there."""
    return {"op": OP_SETUP_DISK, "v": VERSION,
            "vms": [{"vm_id": v.strip().strip("{}").lower(), "replace": replace} for v in vm_ids]}


def parse_setup_disk(result: dict[str, Any]) -> tuple[DiskResult, ...]:
    _check(result, OP_SETUP_DISK)
    try:
        return tuple(DiskResult(vm_id=str(i["vm_id"]).lower(), outcome=DiskOutcome(str(i["outcome"])),
                                message=str(i.get("message") or ""), path=_opt_str(i.get("path")))
                     for i in _listify(result.get("results")))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"malformed setup_disk result: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class GuestTarget:
    """One VM to read (and change) through PowerShell Direct, with the guest credentials."""

    vm_id: str
    user: str
    password: str = field(repr=False)
    actions: tuple[g.GuestAction, ...] = ()
    vm_name: str = ""


def guest_request(targets: list[GuestTarget]) -> dict[str, Any]:
    """Read every vmic* service of these VMs through PowerShell Direct, after applying their actions.
    The passwords travel only here: base64 JSON inside the encrypted WinRM channel."""
    for t in targets:
        for a in t.actions:
            g.check_action(a, g.WINDOWS)
    return {"op": OP_GUEST, "v": VERSION, "vms": [
        {"vm_id": t.vm_id.strip().strip("{}").lower(), "user": t.user, "password": t.password,
         "actions": [{"service": a.service, "action": a.action.value, "start_type": a.start_type}
                     for a in t.actions]}
        for t in targets]}


def redacted(request: dict[str, Any]) -> dict[str, Any]:
    """The request as it may be shown or kept: every ``password`` replaced by :data:`REDACTED`."""
    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (REDACTED if k == "password" and v else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    out: dict[str, Any] = walk(request)
    return out


def parse_guest(result: dict[str, Any], targets: list[GuestTarget]) -> tuple[
        tuple[g.GuestSide, tuple[g.GuestActionResult, ...]], ...]:
    """Per VM, in request order: its guest side (or why it is unknown) and its actions' results."""
    _check(result, OP_GUEST)
    by_id = {t.vm_id.lower(): t for t in targets}
    out: list[tuple[g.GuestSide, tuple[g.GuestActionResult, ...]]] = []
    try:
        for item in _listify(result.get("results")):
            vm_id = str(item["vm_id"]).lower()
            outcome = str(item.get("outcome") or "error")
            message = str(item.get("message") or "")
            if outcome == "ok":
                side = g.GuestSide(
                    vm_id=vm_id, family=g.WINDOWS, is_version=_opt_str(item.get("is_version")),
                    services=tuple(g.GuestService(name=str(s["name"]), display_name=str(s.get("display_name") or ""),
                                                  status=str(s.get("status") or ""),
                                                  start_type=str(s.get("start_type") or ""))
                                   for s in _listify(item.get("services"))))
            else:
                try:
                    problem = g.GuestProblem(outcome)
                except ValueError:
                    problem = g.classify(message)
                if problem is g.GuestProblem.ERROR:
                    problem = g.classify(message)
                side = g.unknown(vm_id, g.WINDOWS, problem, message)
            target = by_id.get(vm_id)
            actions: list[g.GuestActionResult] = []
            sent = list(target.actions) if target is not None else []
            answers = _listify(item.get("actions"))
            for i, a in enumerate(sent):
                answer = answers[i] if i < len(answers) else None
                if answer is None:
                    actions.append(g.GuestActionResult(a, g.GuestOutcome.NOT_ATTEMPTED, side.reason))
                else:
                    actions.append(g.GuestActionResult(a, g.GuestOutcome(str(answer["outcome"])),
                                                       str(answer.get("message") or "")))
            out.append((side, tuple(actions)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"malformed guest result: {exc!r}") from exc
    return tuple(out)


def changes_from_request(request: dict[str, Any]) -> list[Change]:
    try:
        return [
            Change(
                vm_id=str(item["vm_id"]).lower(),
                service_guid=catalog.normalize_guid(str(item["guid"])),
                expected=bool(item["expected"]),
                target=bool(item["enabled"]),
            )
            for item in request["changes"]
        ]
    except (KeyError, TypeError) as exc:
        raise ContractError(f"malformed apply request: {exc!r}") from exc


# ---------------------------------------------------------------- results
# Result JSON (what the scripts print and the simulator reproduces):
#
# inventory: {"op": "inventory", "v": 1, "host": HOST, "vms": [VM, ...]}
# apply:     {"op": "apply", "v": 1, "results": [ITEM, ...], "vms": [VM, ...]}
# HOST = {"name", "os_caption", "os_version", "locale"}
# VM   = {"id", "name", "state", "is_version", "is_state", "guest_os", "services": [SERVICE, ...],
#         "error": str|null (the services of this VM could not be read)}
# SERVICE = {"guid", "name", "enabled", "primary": STATUS|null, "secondary": STATUS|null}
# STATUS  = {"code": int, "name": str, "text": str}
# ITEM = {"vm_id", "guid", "outcome": one of Outcome, "message": str, "enabled": bool|null}

def status_to_json(s: StatusValue | None) -> dict[str, Any] | None:
    return None if s is None else {"code": s.code, "name": s.name, "text": s.text}


def vm_to_json(vm: VM) -> dict[str, Any]:
    return {
        "id": vm.id,
        "name": vm.name,
        "state": vm.state,
        "is_version": vm.is_version,
        "is_state": vm.is_state,
        "guest_os": vm.guest_os,
        "error": vm.error,
        "services": [
            {
                "guid": s.guid,
                "name": s.name,
                "enabled": s.enabled,
                "primary": status_to_json(s.primary),
                "secondary": status_to_json(s.secondary),
            }
            for s in vm.services
        ],
    }


def host_to_json(h: HostFacts) -> dict[str, Any]:
    return {"name": h.name, "os_caption": h.os_caption, "os_version": h.os_version, "locale": h.locale}


def inventory_result(inv: Inventory) -> dict[str, Any]:
    return {"op": OP_INVENTORY, "v": VERSION, "host": host_to_json(inv.host),
            "vms": [vm_to_json(v) for v in inv.vms]}


def apply_result(res: ApplyResult) -> dict[str, Any]:
    return {
        "op": OP_APPLY,
        "v": VERSION,
        "results": [
            {"vm_id": i.vm_id, "guid": i.service_guid, "outcome": i.outcome.value,
             "message": i.message, "enabled": i.enabled}
            for i in res.items
        ],
        "vms": [vm_to_json(v) for v in res.vms],
    }


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text else None


_STATUS_CACHE: dict[tuple[int, str, str], StatusValue] = {}


def _status(value: Any) -> StatusValue | None:
    """Statuses repeat thousands of times in a fleet's inventory: share the immutable values."""
    if value is None:
        return None
    key = (int(value["code"]), str(value["name"]), str(value.get("text") or ""))
    found = _STATUS_CACHE.get(key)
    if found is None:
        found = _STATUS_CACHE.setdefault(key, StatusValue(*key)) if len(_STATUS_CACHE) < 4096 else StatusValue(*key)
    return found


def _listify(value: Any) -> list[Any]:
    """Windows PowerShell 5.1 may write a one-element array as a bare object, or an array
    as ``{"value": [...], "Count": n}``; accept all three."""
    if value is None:
        return []
    if isinstance(value, dict) and "value" in value and "Count" in value:
        return list(value["value"])
    if isinstance(value, list):
        return value
    return [value]


_SERVICE_CACHE: dict[tuple[Any, ...], ServiceState] = {}


def _status_key(value: Any) -> tuple[Any, ...] | None:
    return None if value is None else (value["code"], value["name"], value.get("text"))


def _service(s: dict[str, Any]) -> ServiceState:
    """A fleet's services repeat the same few states thousands of times: build each distinct one
    once and share it (they are immutable)."""
    key = (s["guid"], s.get("name"), s["enabled"], _status_key(s.get("primary")), _status_key(s.get("secondary")))
    try:
        found = _SERVICE_CACHE.get(key)
    except TypeError:  # an unhashable value: malformed, let the constructor say so
        found = None
    if found is None:
        found = ServiceState(
            guid=catalog.normalize_guid(str(s["guid"])),
            name=str(s.get("name") or ""),
            enabled=bool(s["enabled"]),
            primary=_status(s.get("primary")),
            secondary=_status(s.get("secondary")),
        )
        if len(_SERVICE_CACHE) < 8192:
            with contextlib.suppress(TypeError):
                _SERVICE_CACHE[key] = found
    return found


def vm_from_json(d: dict[str, Any]) -> VM:
    services = tuple(map(_service, _listify(d.get("services"))))
    return VM(
        id=str(d["id"]).lower(),
        name=str(d["name"]),
        state=str(d.get("state") or "Unknown"),
        is_version=_opt_str(d.get("is_version")),
        is_state=_opt_str(d.get("is_state")),
        guest_os=_opt_str(d.get("guest_os")),
        services=services,
        error=_opt_str(d.get("error")),
    )


def _check(result: dict[str, Any], op: str) -> None:
    if result.get("op") != op:
        raise ContractError(f"expected a {op} result, got {result.get('op')!r}")
    if result.get("v") != VERSION:
        raise ContractError(f"unsupported {op} result version {result.get('v')!r}")


def parse_inventory(result: dict[str, Any]) -> Inventory:
    _check(result, OP_INVENTORY)
    try:
        h = result["host"]
        host = HostFacts(name=str(h["name"]), os_caption=str(h.get("os_caption") or ""),
                         os_version=str(h.get("os_version") or ""), locale=str(h.get("locale") or ""))
        return Inventory(host=host, vms=tuple(vm_from_json(v) for v in _listify(result.get("vms"))))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"malformed inventory result: {exc!r}") from exc


def parse_apply(result: dict[str, Any]) -> ApplyResult:
    _check(result, OP_APPLY)
    try:
        items = tuple(
            ItemResult(
                vm_id=str(i["vm_id"]).lower(),
                service_guid=catalog.normalize_guid(str(i["guid"])),
                outcome=Outcome(str(i["outcome"])),
                message=str(i.get("message") or ""),
                enabled=None if i.get("enabled") is None else bool(i["enabled"]),
            )
            for i in _listify(result.get("results"))
        )
        return ApplyResult(items=items, vms=tuple(vm_from_json(v) for v in _listify(result.get("vms"))))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"malformed apply result: {exc!r}") from exc
