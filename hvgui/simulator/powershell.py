"""What the simulated host's ``powershell.exe`` does with a script.

Every script (from ``-EncodedCommand`` or stdin) is parsed with tree-sitter-powershell; a syntax
error gives a ParserError as CLIXML on stderr and exit code 1, as Windows PowerShell 5.1 does.

- The hvgui bootstrap (:data:`hvgui.core.contract.BOOTSTRAP`): the operation script and its payload
  come on stdin; the operation (inventory / apply) runs in Python against the host model and prints
  the contract's result line.
- Anything else is run by a small interpreter over the syntax tree: statements, pipelines, literals,
  variables, arrays, member access and the Hyper-V cmdlets of :mod:`hvgui.simulator.cmdlets`.

Known gap of the grammar worked around here: a list of bare words (``Select-Object Name, State``) is
a false syntax error in tree-sitter-powershell 0.26.4; when a script fails to parse, the bare words of
such lists are quoted and the script is parsed again (same meaning: bare words are strings).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import tree_sitter
import tree_sitter_powershell

from hvgui.core import catalog, contract
from hvgui.core.model import ApplyResult, Inventory, ItemResult, Outcome
from hvgui.simulator import clixml

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext

LANGUAGE: Final = tree_sitter.Language(tree_sitter_powershell.language())
STDIN_TIMEOUT_S: Final = 120.0

_local = threading.local()


def _parser() -> tree_sitter.Parser:
    parser: tree_sitter.Parser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = tree_sitter.Parser(LANGUAGE)
        _local.parser = parser
    return parser


# ---------------------------------------------------------------- parsing

@dataclass(frozen=True, slots=True)
class ParseError:
    offset: int
    """Character offset of the first error."""
    length: int
    message: str
    error_id: str


@dataclass(frozen=True, slots=True)
class Parsed:
    source: str
    """The text the tree was built from (possibly repaired, see module docstring)."""
    data: bytes
    tree: tree_sitter.Tree

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8")

    def char_offset(self, byte_offset: int) -> int:
        return len(self.data[:byte_offset].decode("utf-8", "replace"))


def _first_error(node: tree_sitter.Node) -> tree_sitter.Node | None:
    if node.is_missing or node.type == "ERROR":
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


_SINGLE_QUOTES: Final = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES: Final = '"\u201c\u201d\u201e'
_BARE_WORD: Final = re.compile(r"[A-Za-z_][\w.*?\-]*")


def _string_end(script: str, i: int) -> int:
    """Offset of the quote closing the string literal that opens at ``i`` (any of PowerShell's
    five single or three double quotes; doubled quotes and backtick escapes stay inside), or
    ``len(script)`` when it never closes."""
    quotes = _SINGLE_QUOTES if script[i] in _SINGLE_QUOTES else _DOUBLE_QUOTES
    j, n = i + 1, len(script)
    while j < n:
        if script[j] == "`" and quotes is _DOUBLE_QUOTES:
            j += 2
            continue
        if script[j] in quotes:
            if j + 1 < n and script[j + 1] in quotes:
                j += 2
                continue
            return j
        j += 1
    return n


def quote_bare_lists(script: str) -> str:
    """Quote the bare words of comma lists (``Name, State`` -> ``'Name', 'State'``), outside
    strings, comments and variables."""
    out: list[str] = []
    i, n = 0, len(script)
    while i < n:
        ch = script[i]
        if ch in _SINGLE_QUOTES or ch in _DOUBLE_QUOTES:
            j = _string_end(script, i)
            out.append(script[i:j + 1])
            i = j + 1
            continue
        if ch == "#":
            j = script.find("\n", i)
            j = n if j < 0 else j
            out.append(script[i:j])
            i = j
            continue
        m = _BARE_WORD.match(script, i)
        if m and (i == 0 or script[i - 1] in " \t,"):
            word = m.group(0)
            before = script[:i].rstrip(" \t")
            after = script[m.end():].lstrip(" \t")
            if before.endswith(",") or after.startswith(","):
                out.append(f"'{word}'")
            else:
                out.append(word)
            i = m.end()
            continue
        if m:
            out.append(m.group(0))
            i = m.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unterminated_string(script: str) -> int | None:
    """Offset of a string literal that never closes (outside comments), else None."""
    i, n = 0, len(script)
    while i < n:
        ch = script[i]
        if ch == "#":
            j = script.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch == "`":
            i += 2
            continue
        if ch == "@" and i + 1 < n and (script[i + 1] in _SINGLE_QUOTES or script[i + 1] in _DOUBLE_QUOTES):
            closer = "\n" + script[i + 1] + "@"
            j = script.find(closer, i + 2)
            if j < 0:
                return i
            i = j + 3
            continue
        if ch in _SINGLE_QUOTES or ch in _DOUBLE_QUOTES:
            j = _string_end(script, i)
            if j >= n:
                return i
            i = j + 1
            continue
        i += 1
    return None


def parse(script: str) -> Parsed | ParseError:
    data = script.encode("utf-8")
    tree = _parser().parse(data)
    if not tree.root_node.has_error:
        return Parsed(script, data, tree)
    repaired = quote_bare_lists(script)
    if repaired != script:
        rdata = repaired.encode("utf-8")
        rtree = _parser().parse(rdata)
        if not rtree.root_node.has_error:
            return Parsed(repaired, rdata, rtree)
    bad = _first_error(tree.root_node) or tree.root_node
    return _describe(script, data, bad)


def _leaves(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    if node.child_count == 0:
        return [node]
    out: list[tree_sitter.Node] = []
    for c in node.children:
        out.extend(_leaves(c))
    return out


def _describe(script: str, data: bytes, bad: tree_sitter.Node) -> ParseError:
    """The message PowerShell's parser gives for the most common mistakes."""

    def off(byte: int) -> int:
        return len(data[:byte].decode("utf-8", "replace"))

    def txt(n: tree_sitter.Node) -> str:
        return data[n.start_byte:n.end_byte].decode("utf-8", "replace")

    leaves = [leaf for leaf in _leaves(bad) if txt(leaf).strip() or leaf.is_missing]
    end = len(script.rstrip())
    open_at = _unterminated_string(script)
    if open_at is not None:
        quote = '"' if script[open_at] in _DOUBLE_QUOTES or script[open_at:open_at + 2] == '@"' else "'"
        return ParseError(open_at, max(1, end - open_at), f"The string is missing the terminator: {quote}.",
                          "TerminatorExpectedAtEndOfString")
    last = txt(leaves[-1]) if leaves else ""
    if leaves and leaves[-1].is_missing:
        last = leaves[-1].type
        if last == ")":
            return ParseError(end, 1, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression")
        if last == "}":
            return ParseError(end, 1, "Missing closing '}' in statement block or type definition.",
                              "MissingEndCurlyBrace")
    if last in ("(", "$(", "@("):
        return ParseError(end, 1, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression")
    if last in ("{", "@{"):
        return ParseError(end, 1, "Missing closing '}' in statement block or type definition.",
                          "MissingEndCurlyBrace")
    if last == "|":
        return ParseError(off(leaves[-1].start_byte), 1, "An empty pipe element is not allowed.",
                          "EmptyPipeElement")
    if last == "=":
        return ParseError(off(leaves[-1].end_byte), 1,
                          "You must provide a value expression following the '=' operator.",
                          "ExpectedValueExpression")
    anon = [c for c in bad.children if not c.is_named and txt(c).strip()]
    token_node = anon[0] if anon else (leaves[0] if leaves else bad)
    token = txt(token_node).strip() or txt(bad).strip()[:20]
    return ParseError(off(token_node.start_byte), max(1, len(token)),
                      f"Unexpected token '{token}' in expression or statement.", "UnexpectedToken")


def parser_error_record(script: str, err: ParseError) -> clixml.ErrorRecord:
    lines = clixml.position_lines(script, err.offset, err.length)
    return clixml.ErrorRecord("\n".join([*lines, err.message]),
                              "ParserError: (:) [], ParentContainsErrorRecordException", err.error_id)


# ---------------------------------------------------------------- entry points

def run_encoded_failure(ctx: CommandContext, message: str) -> int:
    """powershell.exe refusing its own command line (plain text, not CLIXML)."""
    ctx.write_stderr(message + "\r\n")
    return 1


def write_errors(ctx: CommandContext, records: list[clixml.ErrorRecord]) -> None:
    if records:
        ctx.write_stderr(clixml.render(records))


def run_script(host: HyperVHost, ctx: CommandContext, script: str) -> int:
    parsed = parse(script)
    if isinstance(parsed, ParseError):
        write_errors(ctx, [parser_error_record(script, parsed)])
        return 1
    if script == contract.BOOTSTRAP:
        return _run_bootstrap(host, ctx)
    from hvgui.simulator.interpreter import Interpreter

    return Interpreter(host, ctx, parsed).run()


def _operation_error(message: str, error_id: str = "RuntimeException") -> clixml.ErrorRecord:
    return clixml.ErrorRecord(message, "OperationStopped: (:) [], RuntimeException", error_id)


def _run_bootstrap(host: HyperVHost, ctx: CommandContext) -> int:
    raw = ctx.read_stdin(STDIN_TIMEOUT_S)
    if raw is None:
        write_errors(ctx, [_operation_error("The pipeline has been stopped.", "PipelineStoppedException")])
        return 1
    try:
        script, payload_b64 = contract.split_stdin(raw.decode("utf-8", "replace"))
    except contract.ContractError:
        # What the real bootstrap does when stdin has no marker: $hvguiParts[1] is $null.
        write_errors(ctx, [clixml.ErrorRecord(
            "You cannot call a method on a null-valued expression.\nAt line:6 char:1\n"
            "+ & $hvguiOperation $hvguiParts[1].Trim()\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
            "InvalidOperation: (:) [], RuntimeException", "InvokeMethodOnNull")])
        return 1
    parsed = parse(script)
    if isinstance(parsed, ParseError):
        inner = parser_error_record(script, parsed)
        write_errors(ctx, [clixml.ErrorRecord(
            'Exception calling "Create" with "1" argument(s): "' + inner.message.replace("\n", " ") + '"\n'
            "At line:5 char:1\n+ $hvguiOperation = [ScriptBlock]::Create($hvguiParts[0])\n"
            "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
            "NotSpecified: (:) [], MethodInvocationException", "ParseException")])
        return 1
    op = contract.operation_of(script)
    if op is None or op[0] not in contract.OPERATIONS or op[1] != contract.VERSION:
        write_errors(ctx, [_operation_error(f"hvgui: unsupported operation script header {op!r}.")])
        return 1
    name = op[0]
    try:
        request = contract.decode_payload(payload_b64)
        if request.get("op") != name or request.get("v") != contract.VERSION:
            raise contract.ContractError(f"request {request.get('op')!r} v{request.get('v')!r} does not match "
                                         f"the {name} v{contract.VERSION} script")
        if name == contract.OP_INVENTORY:
            ctx.count_operation("inventory")
            result = _inventory(host, ctx)
        else:
            ctx.count_operation("apply")
            result = _apply(host, ctx, request)
    except contract.ContractError as exc:
        write_errors(ctx, [_operation_error(f"hvgui: {exc}")])
        return 1
    except _Cancelled:
        write_errors(ctx, [_operation_error("The pipeline has been stopped.", "PipelineStoppedException")])
        return 1
    ctx.write_stdout(contract.encode_result(result) + "\r\n")
    return 0


class _Cancelled(Exception):
    pass


def _inventory(host: HyperVHost, ctx: CommandContext) -> dict[str, Any]:
    views = host.snapshot()
    if not host.pace(ctx, len(views)):
        raise _Cancelled
    views = host.snapshot()
    host.read_served()
    vms = []
    for view in views:
        vm = view.to_model()
        error = host.faults.vm_errors.get(view.id)
        if error is not None:  # as inventory.ps1 reports a VM whose services cannot be read
            vm = dataclasses.replace(vm, services=(), error=error)
        vms.append(vm)
    return contract.inventory_result(Inventory(host=host.facts, vms=tuple(vms)))


def _word(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"


def _apply(host: HyperVHost, ctx: CommandContext, request: dict[str, Any]) -> dict[str, Any]:
    changes = contract.changes_from_request(request)
    drafts: list[tuple[str, str, Outcome, str]] = []
    touched: list[str] = []
    for ch in changes:
        if not host.pace(ctx, 1):
            raise _Cancelled
        guid = catalog.normalize_guid(ch.service_guid)
        with host.lock:
            vm = host._find(ch.vm_id)
            if vm is None:
                drafts.append((ch.vm_id, guid, Outcome.VM_NOT_FOUND,
                               f"No VM with id {ch.vm_id} on {host.name}."))
                continue
            if ch.vm_id not in touched:
                touched.append(ch.vm_id)
            if guid not in vm.enabled:
                drafts.append((ch.vm_id, guid, Outcome.SERVICE_NOT_OFFERED,
                               f"VM '{vm.name}' does not offer the integration service {guid}."))
                continue
            fault = host.faults.vm_errors.get(vm.id)
            if fault is not None:
                drafts.append((ch.vm_id, guid, Outcome.ERROR, fault))
                continue
            current = vm.enabled[guid]
            if current != ch.expected:
                drafts.append((ch.vm_id, guid, Outcome.CONFLICT,
                               f"The host now says {_word(current)} (the plan expected {_word(ch.expected)}); "
                               "not changed."))
                continue
            if current == ch.target:
                drafts.append((ch.vm_id, guid, Outcome.UNCHANGED, f"Already {_word(current)}."))
                continue
            vm.enabled[guid] = ch.target
            drafts.append((ch.vm_id, guid, Outcome.CHANGED, f"{_word(current).capitalize()} -> {_word(ch.target)}."))
    readable = [i for i in touched if i not in host.faults.vm_errors]
    views = {v.id: v for v in host.snapshot(readable)}
    items: list[ItemResult] = []
    for vm_id, guid, outcome, message in drafts:
        enabled: bool | None = None
        view = views.get(vm_id)
        if view is not None and outcome in (Outcome.CHANGED, Outcome.UNCHANGED, Outcome.CONFLICT):
            for comp in view.components:
                if comp.guid == guid:
                    enabled = comp.enabled
        items.append(ItemResult(vm_id=vm_id, service_guid=guid, outcome=outcome, message=message,
                                enabled=enabled))
    res = ApplyResult(items=tuple(items), vms=tuple(views[i].to_model() for i in readable if i in views))
    return contract.apply_result(res)
