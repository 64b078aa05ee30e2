"""A small PowerShell interpreter over the tree-sitter syntax tree, with the Hyper-V cmdlets an
admin types (Get-VM, Get-/Enable-/Disable-VMIntegrationService, New-/Rename-/Remove-/Start-/Stop-VM)
and the formatting cmdlets (ConvertTo-Json, Format-Table, Format-List, Select-Object).

Semantics kept from Windows PowerShell 5.1: statements run in order and a failing one does not
stop the next; the exit code is 1 when the last statement failed (``$?`` false) or ``exit N``;
errors go to stderr as CLIXML; parameters bind by unique case-insensitive prefix, then by position,
then from the pipeline; ``-Name``/``-VMName`` are wildcard patterns.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import tree_sitter

from hvgui.simulator import clixml
from hvgui.simulator.formatting import (
    NL,
    FormattedLines,
    PSEnum,
    PSObject,
    PSVersion,
    convert_to_json,
    display,
    listing,
    out_default,
    table,
)
from hvgui.simulator.hyperv import VM_STATES, ComponentView, VMError, VMView

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext
    from hvgui.simulator.powershell import Parsed

Node = tree_sitter.Node

_SINGLE_QUOTES: Final = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES: Final = '"\u201c\u201d\u201e'
_HEARTBEAT_STATUS: Final = {"Unknown": 0, "Disabled": 1, "NoContact": 2, "Error": 3, "LostCommunication": 4,
                            "OkApplicationsUnknown": 5, "OkApplicationsHealthy": 6,
                            "OkApplicationsCritical": 7, "Paused": 8}

#: "Hyper-V was unable to find a virtual machine with name ..." per host locale. English is
#: verbatim from a real host; German and French are UNCONFIRMED translations.
_VM_NOT_FOUND: Final = {
    "en-US": 'Hyper-V was unable to find a virtual machine with name "{0}".',
    "de-DE": 'Hyper-V konnte keinen virtuellen Computer mit dem Namen "{0}" finden.',
    "fr-FR": "Hyper-V n’a pas trouvé d’ordinateur virtuel nommé « {0} ».",
}
_VM_ID_NOT_FOUND: Final = {
    "en-US": 'Hyper-V was unable to find a virtual machine with ID "{0}".',
    "de-DE": 'Hyper-V konnte keinen virtuellen Computer mit der ID "{0}" finden.',
    "fr-FR": "Hyper-V n’a pas trouvé d’ordinateur virtuel avec l’ID « {0} ».",
}
#: No integration component matching -Name. German is verbatim from a real host; English and
#: French are UNCONFIRMED.
_NO_COMPONENT: Final = {
    "en-US": "The parameter is invalid. No integration component with the given name was found.",
    "de-DE": "Ein Parameter ist ungültig. Es wurde keine Integrationskomponente mit dem angegebenen Namen "
             "gefunden.",
    "fr-FR": "Un paramètre n’est pas valide. Aucun composant d’intégration portant le nom spécifié n’a été "
             "trouvé.",
}
_NOT_RECOGNIZED: Final = ("{0} : The term '{0}' is not recognized as the name of a cmdlet, function, script file, "
                          "or operable program. Check the spelling of the name, or if a path was included, verify "
                          "that the path is correct and try again.")


class ScriptError(Exception):
    """A terminating error of one statement (written as an error record)."""

    def __init__(self, record: clixml.ErrorRecord) -> None:
        super().__init__(record.message)
        self.record = record


class ExitScript(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Cancelled(Exception):
    pass


class Unsupported(Exception):
    pass


# ---------------------------------------------------------------- wildcards

def has_wildcards(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """PowerShell ``WildcardPattern`` (``*``, ``?``, ``[abc]``, ``[a-z]``, backtick escapes),
    case-insensitive, whole string."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1:end]
                cls = "".join("\\" + c if c in "\\^]" else c for c in body)
                out.append(f"[{cls}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def wildcard_match(pattern: str, text: str) -> bool:
    if not has_wildcards(pattern) and "`" not in pattern:
        return pattern.casefold() == text.casefold()
    try:
        return wildcard_regex(pattern).fullmatch(text) is not None
    except re.error:
        return pattern.casefold() == text.casefold()


# ---------------------------------------------------------------- objects

def vm_object(host: HyperVHost, v: VMView) -> PSObject:
    running = v.state in ("Running", "RunningCritical")
    hb = v.heartbeat
    version = {"2012": "5.0", "2012R2": "5.0", "2016": "8.0", "2019": "9.0", "2022": "10.0",
               "2025": "12.0"}[host.os.key]
    props: dict[str, Any] = {
        "Name": v.name,
        "Id": v.id,
        "VMId": v.id,
        "VMName": v.name,
        "State": PSEnum(v.state, VM_STATES.get(v.state, 1)),
        "Status": "Operating normally",
        "CPUUsage": 0,
        "MemoryAssigned": 2147483648 if running else 0,
        "Uptime": "00:00:00" if not running else "1.02:03:04.5000000",
        "Heartbeat": None if hb is None else PSEnum(hb, _HEARTBEAT_STATUS[hb]),
        "IntegrationServicesVersion": PSVersion(v.is_version) if v.is_version else None,
        "IntegrationServicesState": v.is_state,
        "Version": version,
        "Generation": 2,
        "ComputerName": v.computer_name,
        "Notes": "",
        "IsDeleted": False,
    }
    obj = PSObject("Microsoft.HyperV.PowerShell.VirtualMachine", props, vm_id=v.id,
                   to_string=f"VirtualMachine (Name = '{v.name}') [Id = '{v.id}']")
    obj.default_columns = ("Name", "State", "CPUUsage(%)", "MemoryAssigned(M)", "Uptime", "Status", "Version")
    props_for_table = dict(props)
    props_for_table.update({"CPUUsage(%)": 0, "MemoryAssigned(M)": 2048 if running else 0})
    obj.extra["table"] = props_for_table
    return obj


def component_object(c: ComponentView) -> PSObject:
    statuses = [PSEnum(s.name, int(s)) for s in c.statuses]
    props: dict[str, Any] = {
        "VMCheckpointId": "00000000-0000-0000-0000-000000000000",
        "VMCheckpointName": None,
        "Enabled": c.enabled,
        "OperationalStatus": statuses,
        "PrimaryOperationalStatus": statuses[0] if statuses else None,
        "PrimaryStatusDescription": c.descriptions[0] if c.descriptions else None,
        "SecondaryOperationalStatus": statuses[1] if len(statuses) > 1 else None,
        "SecondaryStatusDescription": c.descriptions[1] if len(c.descriptions) > 1 else None,
        "StatusDescription": list(c.descriptions),
        "IsDeleted": False,
        "ComputerName": "",
        "Name": c.name,
        "Id": c.component_id,
        "VMId": c.vm_id,
        "VMName": c.vm_name,
        "VMSnapshotId": "00000000-0000-0000-0000-000000000000",
        "VMSnapshotName": "",
    }
    return PSObject(
        "Microsoft.HyperV.PowerShell.VMIntegrationComponent", props,
        default_columns=("VMName", "Name", "Enabled", "PrimaryStatusDescription", "SecondaryStatusDescription"),
        to_string=(f"VMIntegrationComponent (Name = '{c.name}', VMName = '{c.vm_name}') "
                   f"[Id = '{c.component_id}', VMId = '{c.vm_id}']"),
        vm_id=c.vm_id, guid=c.guid)


# ---------------------------------------------------------------- parameters

SWITCH: Final = "switch"
VALUE: Final = "value"
COMMON: Final = {"Confirm": SWITCH, "WhatIf": SWITCH, "Verbose": SWITCH, "Debug": SWITCH,
                 "ErrorAction": VALUE, "WarningAction": VALUE, "ErrorVariable": VALUE,
                 "OutVariable": VALUE}


@dataclass(frozen=True)
class Spec:
    name: str
    params: dict[str, str]
    """Parameter name (canonical case) -> SWITCH | VALUE."""
    positions: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass
class Invocation:
    spec: Spec
    bound: dict[str, Any]
    pipeline: list[Any]
    offset: int
    length: int

    def switch(self, name: str) -> bool:
        return bool(self.bound.get(name))

    def strings(self, name: str) -> list[str] | None:
        if name not in self.bound:
            return None
        value = self.bound[name]
        items = value if isinstance(value, list) else [value]
        return [display(v) for v in items]


_MISSING: Final = object()


# ---------------------------------------------------------------- the interpreter

class Interpreter:
    def __init__(self, host: HyperVHost, ctx: CommandContext, parsed: Parsed) -> None:
        self.host = host
        self.ctx = ctx
        self.p = parsed
        self.vars: dict[str, Any] = {"true": True, "false": False, "null": None}
        self.errors: list[clixml.ErrorRecord] = []
        self.last_ok = True
        self.cmdlets: dict[str, tuple[Spec, Callable[[Invocation], list[Any]]]] = {}
        self._register()

    # ---- running

    def run(self) -> int:
        code: int | None = None
        try:
            for stmt in self._statements(self.p.tree.root_node):
                self._run_statement(stmt)
        except ExitScript as e:
            code = e.code
        except Cancelled:
            self.errors.append(clixml.ErrorRecord("The pipeline has been stopped.",
                                                  "OperationStopped: (:) [], PipelineStoppedException",
                                                  "PipelineStoppedException"))
            code = 1
        if self.errors:
            self.ctx.write_stderr(clixml.render(self.errors))
        if code is not None:
            return code
        return 0 if self.last_ok else 1

    def _statements(self, node: Node) -> list[Node]:
        out: list[Node] = []
        for child in node.named_children:
            if child.type == "statement_list":
                out.extend(self._statements(child))
            elif child.type in ("empty_statement", "comment"):
                continue
            else:
                out.append(child)
        return out

    def _run_statement(self, stmt: Node) -> None:
        errors_before = len(self.errors)
        try:
            result = self._eval_statement(stmt)
        except ScriptError as e:
            self.errors.append(e.record)
            self.last_ok = False
            return
        except Unsupported as e:
            self.errors.append(self._error(stmt, f"The simulated host does not support this: {e}",
                                           "NotImplemented: (:) [], NotSupportedException", "NotSupported"))
            self.last_ok = False
            return
        self._write_output(result)
        self.last_ok = len(self.errors) == errors_before

    def _write_output(self, items: list[Any]) -> None:
        prepared: list[Any] = []
        for item in items:
            if isinstance(item, PSObject) and "table" in item.extra:
                prepared.append(PSObject(item.type_name, item.extra["table"], item.default_columns))
            else:
                prepared.append(item)
        lines = out_default(prepared)
        if lines:
            self.ctx.write_stdout(NL.join(lines) + NL)

    def _eval_statement(self, stmt: Node) -> list[Any]:
        if stmt.type == "pipeline":
            return self._eval_pipeline(stmt)
        if stmt.type == "flow_control_statement":
            keyword = stmt.children[0].type if stmt.children else ""
            if keyword == "exit":
                args = [c for c in stmt.named_children if c.type == "pipeline"]
                code = 0
                if args:
                    value = self._eval_pipeline(args[0])
                    try:
                        code = int(value[0]) if value else 0
                    except (TypeError, ValueError):
                        code = 0
                raise ExitScript(code)
            raise Unsupported(keyword)
        raise Unsupported(stmt.type)

    def _eval_pipeline(self, node: Node) -> list[Any]:
        named = node.named_children
        if len(named) == 1 and named[0].type == "assignment_expression":
            return self._assign(named[0])
        chains = [c for c in named if c.type == "pipeline_chain"]
        if len(chains) != 1:
            raise Unsupported(node.type)
        return self._eval_chain(chains[0])

    def _assign(self, node: Node) -> list[Any]:
        left = node.named_children[0]
        var = self._find(left, "variable")
        if var is None:
            raise Unsupported("assignment target")
        right = node.named_children[-1]
        value = self._eval_pipeline(right) if right.type == "pipeline" else self._eval_expr(right)
        self.vars[self._var_name(var)] = value[0] if isinstance(value, list) and len(value) == 1 else value
        return []

    def _find(self, node: Node, type_: str) -> Node | None:
        if node.type == type_:
            return node
        for c in node.named_children:
            f = self._find(c, type_)
            if f is not None:
                return f
        return None

    def _var_name(self, node: Node) -> str:
        return self.p.text(node).lstrip("$").strip("{}").lower()

    def _eval_chain(self, node: Node) -> list[Any]:
        items: list[Any] | None = None
        for element in node.named_children:
            if element.type == "command":
                items = self._run_command(element, items if items is not None else [], items is not None)
            else:
                if items is not None:
                    raise Unsupported("an expression after '|'")
                value = self._eval_expr(element)
                items = value if isinstance(value, list) else [value]
        return items or []

    # ---- expressions

    def _eval_expr(self, node: Node) -> Any:
        t = node.type
        named = node.named_children
        if t == "array_literal_expression":
            parts = [c for c in named]
            if len(parts) == 1:
                return self._eval_expr(parts[0])
            return [self._eval_expr(c) for c in parts]
        if t == "string_literal":
            return self._eval_string(node)
        if t == "integer_literal":
            text = self.p.text(node)
            return int(text, 16) if text.lower().startswith("0x") else int(text.rstrip("lL"))
        if t == "real_literal":
            return float(self.p.text(node))
        if t == "variable":
            name = self._var_name(node)
            if name == "_" or name not in self.vars:
                return None
            return self.vars[name]
        if t == "generic_token":
            return self._bare_word(self.p.text(node))
        if t in ("sub_expression", "array_expression"):
            out: list[Any] = []
            for c in named:
                if c.type == "statement_list":
                    for stmt in self._statements(c):
                        out.extend(self._eval_statement(stmt))
            return out if t == "array_expression" or len(out) != 1 else out[0]
        if t == "parenthesized_expression":
            inner = [c for c in named if c.type == "pipeline"]
            if not inner:
                raise Unsupported("empty parentheses")
            values = self._eval_pipeline(inner[0])
            return values[0] if len(values) == 1 else values
        if t == "member_access":
            target = self._eval_expr(named[0])
            member = self.p.text(named[-1])
            return self._member(target, member)
        if t == "pipeline":
            values = self._eval_pipeline(node)
            return values[0] if len(values) == 1 else values
        if len(named) == 1 and (t.endswith("_expression") or t == "unary_expression"):
            return self._eval_expr(named[0])
        raise Unsupported(f"{t} ({self.p.text(node)[:40]!r})")

    def _member(self, target: Any, member: str) -> Any:
        if isinstance(target, list):
            values = [self._member(t, member) for t in target]
            return values[0] if len(values) == 1 else values
        if isinstance(target, PSObject):
            return target.get(member)
        if member.lower() == "count":
            return 1
        if member.lower() == "length" and isinstance(target, str):
            return len(target)
        return None

    @staticmethod
    def _bare_word(text: str) -> str:
        # Typographic quotes are quotes to PowerShell (tree-sitter sees a bare word).
        if len(text) >= 2 and text[0] in _SINGLE_QUOTES and text[-1] in _SINGLE_QUOTES:
            return re.sub(f"[{_SINGLE_QUOTES}]([{_SINGLE_QUOTES}])", r"\1", text[1:-1])
        if len(text) >= 2 and text[0] in _DOUBLE_QUOTES and text[-1] in _DOUBLE_QUOTES:
            return text[1:-1]
        return text

    def _eval_string(self, node: Node) -> str:
        raw = self.p.text(node)
        child = node.named_children[0] if node.named_children else None
        if raw.startswith("@'") or raw.startswith("@\u2018"):
            body = raw[2:-2]
            return body[1:-1] if body.startswith("\n") or body.startswith("\r\n") else body
        if raw[0] in _SINGLE_QUOTES:
            return re.sub(f"[{_SINGLE_QUOTES}]([{_SINGLE_QUOTES}])", r"\1", raw[1:-1])
        # Expandable: walk text between embedded variables / sub-expressions.
        here = raw.startswith("@")
        start = node.start_byte + (2 if here else 1)
        end = node.end_byte - (2 if here else 1)
        out: list[str] = []
        pos = start
        embedded = [c for c in (child.named_children if child else []) if c.type in ("variable", "sub_expression")]
        for emb in embedded:
            out.append(self._unescape(self.p.data[pos:emb.start_byte].decode("utf-8")))
            value = self._eval_expr(emb)
            out.append(" ".join(display(v) for v in value) if isinstance(value, list) else display(value))
            pos = emb.end_byte
        out.append(self._unescape(self.p.data[pos:end].decode("utf-8")))
        text = "".join(out)
        if here:
            text = text[1:] if text.startswith("\n") else text[2:] if text.startswith("\r\n") else text
            text = text[:-1] if text.endswith("\n") else text
        return text

    @staticmethod
    def _unescape(text: str) -> str:
        escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
                   "e": "\x1b"}
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "`" and i + 1 < len(text):
                nxt = text[i + 1]
                out.append(escapes.get(nxt, nxt))
                i += 2
                continue
            if ch in _DOUBLE_QUOTES and i + 1 < len(text) and text[i + 1] in _DOUBLE_QUOTES:
                out.append(ch)
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    # ---- commands

    def _error(self, node: Node, message: str, category: str, error_id: str,
               offset: int | None = None, length: int | None = None) -> clixml.ErrorRecord:
        off = self.p.char_offset(node.start_byte) if offset is None else offset
        ln = len(self.p.text(node)) if length is None else length
        return clixml.ErrorRecord("\n".join([message, *clixml.position_lines(self.p.source, off, ln)]),
                                  category, error_id)

    def _run_command(self, node: Node, pipeline: list[Any], piped: bool) -> list[Any]:
        name_node = node.child_by_field_name("command_name") or next(
            (c for c in node.named_children if c.type == "command_name"), None)
        if name_node is None:
            raise Unsupported("a command without a name")
        name = self.p.text(name_node)
        found = self.cmdlets.get(name.lower())
        if found is None:
            raise ScriptError(self._error(
                name_node, _NOT_RECOGNIZED.format(name),
                f"ObjectNotFound: ({name}:String) [], CommandNotFoundException", "CommandNotFoundException"))
        spec, impl = found
        self.ctx.count_operation(spec.name)
        elements = next((c for c in node.named_children if c.type == "command_elements"), None)
        inv = Invocation(spec, {}, pipeline if piped else [], self.p.char_offset(node.start_byte),
                         len(self.p.text(node)))
        self._bind(inv, elements)
        return impl(inv)

    def _cmd_error(self, inv: Invocation, message: str, category: str, error_id: str) -> clixml.ErrorRecord:
        lines = clixml.position_lines(self.p.source, inv.offset, inv.length)
        return clixml.ErrorRecord("\n".join([f"{inv.spec.name} : {message}", *lines]), category, error_id)

    def _bind_error(self, inv: Invocation, message: str, error_id: str, arg: str = "") -> ScriptError:
        return ScriptError(self._cmd_error(
            inv, message, f"InvalidArgument: ({arg}:) [{inv.spec.name}], ParameterBindingException",
            f"{error_id},{inv.spec.name}"))

    def _resolve_param(self, inv: Invocation, text: str) -> tuple[str, str]:
        word = text.lstrip("-").rstrip(":").lower()
        all_params = {**{p.lower(): k for p, k in COMMON.items()},
                      **{p.lower(): k for p, k in inv.spec.params.items()}}
        canon = {p.lower(): p for p in (*COMMON, *inv.spec.params)}
        for alias, target in inv.spec.aliases.items():
            if alias.lower() == word:
                return target, inv.spec.params[target]
        if word in all_params:
            return canon.get(word, word), all_params[word]
        hits = [p for p in all_params if p.startswith(word)]
        if len(hits) == 1:
            return canon.get(hits[0], hits[0]), all_params[hits[0]]
        if not hits:
            raise self._bind_error(inv, f"A parameter cannot be found that matches parameter name '{word}'.",
                                   "NamedParameterNotFound")
        names = " ".join("-" + canon.get(h, h) for h in sorted(hits))
        raise self._bind_error(inv, f"Parameter cannot be processed because the parameter name '{word}' is "
                                    f"ambiguous. Possible matches include: {names}.", "AmbiguousParameter")

    def _bind(self, inv: Invocation, elements: Node | None) -> None:
        tokens: list[tuple[str, Any, bool]] = []  # (kind, value, colon_attached)
        colon_next = False
        if elements is not None:
            for el in elements.named_children:
                if el.type == "command_argument_sep":
                    if ":" in self.p.text(el):
                        colon_next = True
                    continue
                if el.type == "command_parameter":
                    tokens.append(("param", self.p.text(el), False))
                    if self.p.text(el).endswith(":"):
                        colon_next = True
                    continue
                if el.type == "comment":
                    continue
                tokens.append(("value", self._eval_expr(el), colon_next))
                colon_next = False
        positional: list[Any] = []
        i = 0
        while i < len(tokens):
            kind, value, _ = tokens[i]
            if kind == "value":
                positional.append(value)
                i += 1
                continue
            pname, pkind = self._resolve_param(inv, value)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if pkind == SWITCH:
                if nxt is not None and nxt[0] == "value" and nxt[2]:
                    inv.bound[pname] = bool(nxt[1])
                    i += 2
                else:
                    inv.bound[pname] = True
                    i += 1
                continue
            if nxt is None or nxt[0] != "value":
                raise self._bind_error(inv, f"Missing an argument for parameter '{pname}'. Specify a parameter of "
                                            "type 'System.String[]' and try again.", "MissingArgument")
            inv.bound[pname] = nxt[1]
            i += 2
        free = [p for p in inv.spec.positions if p not in inv.bound]
        for value in positional:
            if not free:
                raise self._bind_error(inv, f"A positional parameter cannot be found that accepts argument "
                                            f"'{display(value)}'.", "PositionalParameterNotFound", display(value))
            inv.bound[free.pop(0)] = value

    # ---- registry

    def _register(self) -> None:
        def reg(spec: Spec, impl: Callable[[Invocation], list[Any]], *aliases: str) -> None:
            for n in (spec.name, *aliases):
                self.cmdlets[n.lower()] = (spec, impl)

        reg(Spec("hostname", {}), lambda inv: [self.host.name], "hostname.exe")
        reg(Spec("Write-Output", {"InputObject": VALUE}, ("InputObject",)), self._write_output_cmd, "echo", "write")
        reg(Spec("Get-VM", {"Name": VALUE, "Id": VALUE, "ComputerName": VALUE}, ("Name",),
                 {"VMName": "Name", "VMId": "Id"}), self._get_vm)
        reg(Spec("Get-VMIntegrationService", {"VMName": VALUE, "Name": VALUE, "VM": VALUE, "ComputerName": VALUE},
                 ("VMName", "Name")), self._get_components)
        for verb, on in (("Enable", True), ("Disable", False)):
            reg(Spec(f"{verb}-VMIntegrationService",
                     {"Name": VALUE, "VMName": VALUE, "VM": VALUE, "VMIntegrationService": VALUE,
                      "Passthru": SWITCH, "ComputerName": VALUE}, ("Name", "VMName")),
                self._toggle(on))
        reg(Spec("New-VM", {"Name": VALUE, "MemoryStartupBytes": VALUE, "Generation": VALUE, "Path": VALUE,
                            "NoVHD": SWITCH, "SwitchName": VALUE}, ("Name",)), self._new_vm)
        reg(Spec("Rename-VM", {"Name": VALUE, "VM": VALUE, "NewName": VALUE, "Passthru": SWITCH},
                 ("Name", "NewName"), {"VMName": "Name"}), self._rename_vm)
        reg(Spec("Remove-VM", {"Name": VALUE, "VM": VALUE, "Force": SWITCH, "Passthru": SWITCH}, ("Name",),
                 {"VMName": "Name"}), self._remove_vm)
        reg(Spec("Start-VM", {"Name": VALUE, "VM": VALUE, "Passthru": SWITCH}, ("Name",), {"VMName": "Name"}),
            self._start_stop("Running"))
        reg(Spec("Stop-VM", {"Name": VALUE, "VM": VALUE, "Passthru": SWITCH, "Force": SWITCH, "TurnOff": SWITCH,
                             "Save": SWITCH}, ("Name",), {"VMName": "Name"}), self._start_stop("Off"))
        reg(Spec("ConvertTo-Json", {"InputObject": VALUE, "Depth": VALUE, "Compress": SWITCH},
                 ("InputObject",)), self._convert_to_json)
        reg(Spec("Format-Table", {"Property": VALUE, "AutoSize": SWITCH, "HideTableHeaders": SWITCH,
                                  "Wrap": SWITCH}, ("Property",)), self._format_table, "ft")
        reg(Spec("Format-List", {"Property": VALUE}, ("Property",)), self._format_list, "fl")
        reg(Spec("Select-Object", {"Property": VALUE, "ExpandProperty": VALUE, "First": VALUE, "Last": VALUE},
                 ("Property",)), self._select, "select")

    # ---- cmdlet helpers

    def _pace(self, count: int) -> None:
        if not self.host.pace(self.ctx, count):
            raise Cancelled

    def _nonterminating(self, inv: Invocation, message: str, category: str, error_id: str) -> None:
        self.errors.append(self._cmd_error(inv, message, category, error_id))

    def _vm_not_found(self, inv: Invocation, name: str) -> None:
        msg = _VM_NOT_FOUND.get(self.host.locale, _VM_NOT_FOUND["en-US"]).format(name)
        self._nonterminating(inv, msg, f"InvalidArgument: ({name}:String) [{inv.spec.name}], "
                                       "VirtualizationException",
                             "InvalidParameter,Microsoft.HyperV.PowerShell.Commands."
                             + inv.spec.name.replace("-", "") + ("" if inv.spec.name == "Get-VM" else "Command"))

    def _vms_by_name(self, inv: Invocation, names: list[str]) -> list[VMView]:
        views = self.host.snapshot()
        out: list[VMView] = []
        for pattern in names:
            hits = [v for v in views if wildcard_match(pattern, v.name)]
            if not hits and not has_wildcards(pattern):
                self._vm_not_found(inv, pattern)
            for v in hits:
                if v not in out:
                    out.append(v)
        return out

    def _target_vms(self, inv: Invocation, required: bool = True) -> list[VMView]:
        """VMs from -VM / pipeline (by id) or -Name/-VMName patterns."""
        objs: list[Any] = []
        if "VM" in inv.bound:
            raw = inv.bound["VM"]
            objs = raw if isinstance(raw, list) else [raw]
        elif inv.pipeline:
            objs = inv.pipeline
        if objs:
            ids = []
            for o in objs:
                if isinstance(o, PSObject) and o.vm_id:
                    ids.append(o.vm_id)
                elif isinstance(o, str):
                    ids.extend(v.id for v in self._vms_by_name(inv, [o]))
            views = self.host.snapshot(ids)
            for i in ids:
                if not any(v.id == i for v in views):
                    self._nonterminating(inv, _VM_ID_NOT_FOUND.get(self.host.locale, _VM_ID_NOT_FOUND["en-US"])
                                         .format(i), f"InvalidArgument: ({i}:Guid) [{inv.spec.name}], "
                                         "VirtualizationException", "InvalidParameter")
            return views
        names = inv.strings("Name") if "Name" in inv.spec.params and "VMName" not in inv.spec.params \
            else inv.strings("VMName")
        if names is None:
            if required:
                raise self._bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                            "parameters: Name.", "MissingMandatoryParameter")
            return self.host.snapshot()
        return self._vms_by_name(inv, names)

    def _check_vm(self, inv: Invocation, v: VMView) -> bool:
        try:
            self.host.check_vm_error(v.id)
        except VMError as e:
            self._nonterminating(inv, str(e), f"NotSpecified: ({v.name}:VirtualMachine) [{inv.spec.name}], "
                                              "VirtualizationException",
                                 "OperationFailed")
            return False
        return True

    # ---- cmdlets

    def _write_output_cmd(self, inv: Invocation) -> list[Any]:
        value = inv.bound.get("InputObject")
        if value is None:
            return list(inv.pipeline)
        return value if isinstance(value, list) else [value]

    def _get_vm(self, inv: Invocation) -> list[Any]:
        if "Id" in inv.bound:
            raw = inv.bound["Id"]
            out = []
            for item in raw if isinstance(raw, list) else [raw]:
                text = display(item).strip().strip("{}")
                try:
                    vm_id = str(uuid.UUID(text))
                except ValueError:
                    raise self._bind_error(
                        inv, f"Cannot bind parameter 'Id'. Cannot convert value \"{text}\" to type \"System.Guid\". "
                             "Error: \"Guid should contain 32 digits with 4 dashes "
                             "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).\"", "CannotConvertArgumentNoMessage",
                        text) from None
                views = self.host.snapshot([vm_id])
                if not views:
                    msg = _VM_ID_NOT_FOUND.get(self.host.locale, _VM_ID_NOT_FOUND["en-US"]).format(vm_id)
                    self._nonterminating(inv, msg, f"InvalidArgument: ({vm_id}:Guid) [Get-VM], "
                                                   "VirtualizationException",
                                         "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM")
                out.extend(views)
        else:
            names = inv.strings("Name")
            out = self.host.snapshot() if names is None else self._vms_by_name(inv, names)
        self._pace(len(out))
        fresh = self.host.snapshot([v.id for v in out])
        self.host.read_served()
        return [vm_object(self.host, v) for v in fresh]

    def _get_components(self, inv: Invocation) -> list[Any]:
        vms = self._target_vms(inv)
        names = inv.strings("Name")
        self._pace(len(vms))
        out: list[Any] = []
        for v in self.host.snapshot([v.id for v in vms]):
            if not self._check_vm(inv, v):
                continue
            comps = list(v.components)
            if names is not None:
                comps = [c for c in comps if any(wildcard_match(n, c.name) for n in names)]
                if any(not has_wildcards(n) and not any(wildcard_match(n, c.name) for c in v.components)
                       for n in names):
                    self._nonterminating(
                        inv, _NO_COMPONENT.get(self.host.locale, _NO_COMPONENT["en-US"]),
                        f"InvalidArgument: (:) [{inv.spec.name}], VirtualizationInvalidArgumentException",
                        "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVMIntegrationServiceCommand")
            out.extend(component_object(c) for c in comps)
        self.host.read_served()
        return out

    def _toggle(self, enable: bool) -> Callable[[Invocation], list[Any]]:
        def run(inv: Invocation) -> list[Any]:
            targets: list[tuple[str, str]] = []
            raw = inv.bound.get("VMIntegrationService")
            comps = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
            if not comps and inv.pipeline and all(isinstance(o, PSObject) and o.guid for o in inv.pipeline):
                comps = list(inv.pipeline)
            if comps:
                targets = [(c.vm_id, c.guid) for c in comps if isinstance(c, PSObject) and c.vm_id and c.guid]
            else:
                names = inv.strings("Name")
                if names is None:
                    raise self._bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                                "parameters: Name.", "MissingMandatoryParameter")
                for v in self._target_vms(inv):
                    matched = [c for c in v.components if any(wildcard_match(n, c.name) for n in names)]
                    if any(not has_wildcards(n) and not any(wildcard_match(n, c.name) for c in v.components)
                           for n in names):
                        self._nonterminating(
                            inv, _NO_COMPONENT.get(self.host.locale, _NO_COMPONENT["en-US"]),
                            f"InvalidArgument: (:) [{inv.spec.name}], VirtualizationInvalidArgumentException",
                            f"InvalidParameter,Microsoft.HyperV.PowerShell.Commands.{verb}VMIntegrationServiceCommand")
                    targets.extend((c.vm_id, c.guid) for c in matched)
            out: list[Any] = []
            for vm_id, guid in targets:
                views = self.host.snapshot([vm_id])
                if not views:
                    self._nonterminating(inv, _VM_ID_NOT_FOUND.get(self.host.locale, _VM_ID_NOT_FOUND["en-US"])
                                         .format(vm_id), f"InvalidArgument: ({vm_id}:Guid) [{inv.spec.name}], "
                                         "VirtualizationException", "InvalidParameter")
                    continue
                if not self._check_vm(inv, views[0]):
                    continue
                if inv.switch("WhatIf"):
                    name = self.host.service_name(guid)
                    self.ctx.write_stdout(f'What if: Performing the operation "{inv.spec.name}" on target '
                                          f'"{name}" of virtual machine "{views[0].name}".{NL}')
                    continue
                self._pace(1)
                try:
                    self.host.write_enabled(vm_id, guid, enable)
                except KeyError:
                    continue
                if inv.switch("Passthru"):
                    for c in self.host.snapshot([vm_id])[0].components:
                        if c.guid == guid:
                            out.append(component_object(c))
            return out

        verb = "Enable" if enable else "Disable"
        return run

    def _new_vm(self, inv: Invocation) -> list[Any]:
        names = inv.strings("Name")
        name = names[0] if names else "New Virtual Machine"
        sim = self.host.add_vm(name, state="Off", guest_os="")
        return [vm_object(self.host, v) for v in self.host.snapshot([sim.id])]

    def _rename_vm(self, inv: Invocation) -> list[Any]:
        new = inv.strings("NewName")
        if not new:
            raise self._bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                        "parameters: NewName.", "MissingMandatoryParameter")
        out: list[Any] = []
        for v in self._target_vms(inv):
            if not self._check_vm(inv, v):
                continue
            self.host.rename_vm(v.id, new[0])
            if inv.switch("Passthru"):
                out.extend(vm_object(self.host, x) for x in self.host.snapshot([v.id]))
        return out

    def _remove_vm(self, inv: Invocation) -> list[Any]:
        confirm = inv.bound.get("Confirm")
        if not inv.switch("Force") and confirm is not False:
            raise ScriptError(self._cmd_error(
                inv, "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
                "InvalidOperation: (:) [Remove-VM], PSInvalidOperationException",
                "InvalidOperation,Microsoft.HyperV.PowerShell.Commands.RemoveVM"))
        for v in self._target_vms(inv):
            if self._check_vm(inv, v):
                self.host.remove_vm(v.id)
        return []

    def _start_stop(self, target: str) -> Callable[[Invocation], list[Any]]:
        def run(inv: Invocation) -> list[Any]:
            out: list[Any] = []
            state = "Saved" if inv.switch("Save") else target
            for v in self._target_vms(inv):
                if not self._check_vm(inv, v):
                    continue
                self.host.set_state(v.id, state)
                if inv.switch("Passthru"):
                    out.extend(vm_object(self.host, x) for x in self.host.snapshot([v.id]))
            return out

        return run

    def _items(self, inv: Invocation) -> list[Any]:
        if "InputObject" in inv.bound:
            value = inv.bound["InputObject"]
            return value if isinstance(value, list) else [value]
        return list(inv.pipeline)

    def _convert_to_json(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        if not items:
            return []
        depth = int(display(inv.bound.get("Depth", 2)))
        if "InputObject" in inv.bound and isinstance(inv.bound["InputObject"], list):
            return [convert_to_json([inv.bound["InputObject"]], depth, inv.switch("Compress"))]
        return [convert_to_json(items, depth, inv.switch("Compress"))]

    def _columns(self, inv: Invocation, items: list[Any]) -> tuple[str, ...]:
        props = inv.strings("Property")
        first = next((o for o in items if isinstance(o, PSObject)), None)
        if props is None:
            if first is None:
                return ()
            return first.default_columns or tuple(first.props)
        cols: list[str] = []
        for p in props:
            if first is not None and has_wildcards(p):
                cols.extend(k for k in first.props if wildcard_match(p, k) and k not in cols)
            else:
                real = next((k for k in (first.props if first else {}) if k.casefold() == p.casefold()), p)
                cols.append(real)
        return tuple(cols)

    @staticmethod
    def _table_props(o: Any) -> Any:
        if isinstance(o, PSObject) and "table" in o.extra:
            return PSObject(o.type_name, o.extra["table"], o.default_columns)
        return o

    def _format_table(self, inv: Invocation) -> list[Any]:
        items = [self._table_props(o) for o in self._items(inv)]
        cols = self._columns(inv, items)
        if not cols:
            return [FormattedLines(tuple(display(i) for i in items))]
        lines = table(items, cols)
        if inv.switch("HideTableHeaders"):
            lines = [lines[0], *lines[3:]]
        return [FormattedLines(tuple(lines))]

    def _format_list(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        props = inv.strings("Property")
        first = next((o for o in items if isinstance(o, PSObject)), None)
        cols = tuple(props) if props and props != ["*"] else (tuple(first.props) if first else ())
        return [FormattedLines(tuple(listing(items, cols)))]

    def _select(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        if "First" in inv.bound:
            items = items[: int(display(inv.bound["First"]))]
        if "Last" in inv.bound:
            n = int(display(inv.bound["Last"]))
            items = items[-n:] if n else []
        expand = inv.strings("ExpandProperty")
        if expand:
            out: list[Any] = []
            for o in items:
                value = o.get(expand[0]) if isinstance(o, PSObject) else None
                out.extend(value if isinstance(value, list) else [value])
            return out
        if inv.strings("Property") is None:
            return items
        cols = self._columns(inv, items)
        return [PSObject("Selected." + (o.type_name if isinstance(o, PSObject) else "System.Object"),
                         {c: (o.get(c) if isinstance(o, PSObject) else None) for c in cols},
                         vm_id=o.vm_id if isinstance(o, PSObject) else None,
                         guid=o.guid if isinstance(o, PSObject) else None)
                for o in items]
