"""The simulated host's PowerShell: an interpreter over the tree-sitter syntax tree with Windows
PowerShell 5.1 semantics, executing hvgui's own operation scripts and what an admin types.

What it implements (the subset operation scripts may use; anything else fails loudly with
"The simulated host does not implement ..."):

- statements: pipelines, assignments (``=``, ``+=``, ``-=``, ``*=``; to variables, members and
  elements), ``function`` (inline parameters or a ``param`` block with ``[Parameter(Mandatory)]``
  and typed parameters), ``if``/``elseif``/``else``, ``foreach``, ``for``, ``while``,
  ``try``/``catch``/``finally``, ``throw``, ``return``, ``break``, ``continue``, ``exit``;
- scoping as PowerShell's (dynamic: a function sees its caller's variables, writes its own);
- errors: non-terminating errors of cmdlets, statement-terminating errors (a failed conversion, a
  .NET method throwing, an unknown command), script-terminating ``throw``; ``$ErrorActionPreference``
  and ``-ErrorAction`` (``Stop`` turns every error into a terminating one), ``$?`` and the exit code;
- expressions: literals, expandable strings, ``@()``, ``$()``, ``@{}``, ``[ordered]@{}``, casts,
  ``-eq -ne -gt -ge -lt -le -like -notlike -match -notmatch -contains -notcontains -in -notin -is
  -isnot -as -split -join -replace -and -or -xor -not -band -bor -f``, arithmetic, ranges, member
  enumeration, element access (negative indexes, slices), static members of the .NET types listed
  in :mod:`hvgui.simulator.psvalues`;
- pipelines unroll arrays (not hashtables or strings); a pipeline's output is ``$null``, one object
  or ``object[]``; a whole stage runs before the next (not object by object).

Versions: a host reports the PowerShell its OS ships (3.0 on 2012, 4.0 on 2012 R2, 5.1 on 2016+);
``::new()`` and ``class`` need 5.0, ``[ordered]``, ``ConvertFrom-Json`` and ``Get-CimInstance``
need 3.0; on an older host they fail as they would there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from hvgui.simulator import clixml
from hvgui.simulator.cmdlets import Cmdlets
from hvgui.simulator.formatting import (
    NL,
    ArrayList,
    FormattedLines,
    PSDict,
    PSEnum,
    PSGuid,
    PSObject,
    PSVersion,
    display,
    out_default,
)
from hvgui.simulator.psparse import SyntaxNode
from hvgui.simulator.psvalues import (
    AUTOMATION_NULL,
    Cancelled,
    Encoding,
    FunctionDef,
    Invocation,
    NotImplementedInSimulator,
    Param,
    Principal,
    ProcessEnded,
    PSRuntimeError,
    PSType,
    ScriptBlock,
    Stream,
    TextReader,
    TextWriter,
    XmlNode,
    binary_op,
    collect,
    collection_method,
    convert,
    dict_method,
    enumerate_value,
    format_op,
    has_wildcards,
    is_true,
    null_method_error,
    resolve_type,
    split_op,
    string_method,
    to_bytes,
    to_int,
    to_list,
    to_string,
    type_name_of,
    wildcard_match,
    wildcard_regex,
    xml_member,
    xpath_select,
)

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext
    from hvgui.simulator.psparse import Parsed

__all__ = ["Cancelled", "ExitScript", "Interpreter", "has_wildcards", "wildcard_match", "wildcard_regex"]

Node = SyntaxNode

_SINGLE_QUOTES: Final = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES: Final = '"\u201c\u201d\u201e'
#: PowerShell's own messages in the host's UI language (from public captures of French and German
#: hosts); others are English everywhere (a known difference).
_NOT_RECOGNIZED: Final = {
    "en-US": ("The term '{0}' is not recognized as the name of a cmdlet, function, script file, or operable "
              "program. Check the spelling of the name, or if a path was included, verify that the path is "
              "correct and try again."),
    "fr-FR": ("Le terme «{0}» n'est pas reconnu comme nom d'applet de commande, fonction, fichier de script ou "
              "programme exécutable. Vérifiez l'orthographe du nom, ou si un chemin d'accès existe, vérifiez que "
              "le chemin d'accès est correct et réessayez."),
    "de-DE": ('Die Benennung "{0}" wurde nicht als Name eines Cmdlet, einer Funktion, einer Skriptdatei oder '
              "eines ausführbaren Programms erkannt. Überprüfen Sie die Schreibweise des Namens, oder ob der Pfad "
              "korrekt ist (sofern enthalten), und wiederholen Sie den Vorgang."),
}
_NULL_METHOD: Final = {
    "fr-FR": "Impossible d’appeler une méthode dans une expression Null.",
    "de-DE": "Sie können keine Methode für einen Ausdruck mit dem Wert NULL aufrufen.",
}
#: Wrapper nodes of the grammar's precedence ladder: evaluated as their only child.
_WRAPPERS: Final = frozenset({
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression",
    "unary_expression", "argument_expression", "logical_argument_expression", "bitwise_argument_expression",
    "comparison_argument_expression", "additive_argument_expression", "multiplicative_argument_expression",
    "format_argument_expression", "range_argument_expression", "expression_with_unary_operator",
    "left_assignment_expression", "key_expression",
})
#: Modules whose commands may be called module-qualified (``Hyper-V\Get-VM``).
_RANGE_AS_COMMAND: Final = re.compile(r"(-?\d+)\.\.(-?\d+)")
_SPECIAL_VARS: Final = frozenset({"psversiontable", "?", "input"})
"""Variables :meth:`Interpreter.get_var` computes (names with a ``scope:`` prefix too)."""
_MISSING: Final = object()
_CORE_MODULES: Final = ("microsoft.powershell.utility", "microsoft.powershell.management", "microsoft.powershell.core",
                        "cimcmdlets", "microsoft.powershell.security")


class ExitScript(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Return(Exception):
    def __init__(self, values: list[Any]) -> None:
        super().__init__()
        self.values = values


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Scope:
    __slots__ = ("functions", "parent", "vars")

    def __init__(self, parent: Scope | None) -> None:
        self.parent = parent
        self.vars: dict[str, Any] = {}
        self.functions: dict[str, FunctionDef] = {}


class Interpreter:
    def __init__(self, host: HyperVHost, ctx: CommandContext, parsed: Parsed, *,
                 stdin: Callable[[], bytes | None] | None = None, env: dict[str, str] | None = None) -> None:
        self.host = host
        self.ctx = ctx
        self.p = parsed
        self.global_scope = Scope(None)
        self.scope = self.global_scope
        self.errors: list[clixml.ErrorRecord] = []
        self.error_list: list[Any] = []
        self.last_ok = True
        self.count_commands = True
        self.read_something = False
        self.try_depth = 0
        """Inside a ``try`` (dynamically): a statement-terminating error goes to its ``catch``."""
        self.ps_version = host.powershell_version
        self.guest_vm: str | None = None
        """Inside ``Invoke-Command -VMId``: the VM whose guest runs the script block."""
        self._stdin = stdin
        self.env = {k.upper(): v for k, v in (env if env is not None else host.environment(ctx)).items()}
        self._stdin_lines: list[str] | None = None
        self._request_open = False
        """A line was read from ``[Console]::In`` and nothing written to ``[Console]::Out`` since."""
        self.changes_made = 0
        """Changes this process made to the host for its command, or for the request it is running
        (``faults.kill_commands_after_changes``)."""
        v = self.global_scope.vars
        v.update({"true": True, "false": False, "null": None, "erroractionpreference": "Continue",
                  "progresspreference": "Continue", "warningpreference": "Continue",
                  "confirmpreference": "High", "ofs": " ", "error": self.error_list})
        self.cmdlets = Cmdlets(self)

    # ------------------------------------------------------------ running

    def run(self) -> int:
        """Run the whole script; return powershell.exe's exit code."""
        code: int | None = None
        try:
            for stmt in self._statements(self.p.root):
                out: list[Any] = []
                try:
                    self._exec_top(stmt, out)
                finally:
                    self._write_output(out)
        except ExitScript as e:
            code = e.code
        except (_Return, _Break, _Continue):
            pass
        except PSRuntimeError as e:
            self.errors.append(self._record(e))
            code = 1
        except ProcessEnded as e:
            # Killed where it was: no error records written, only what the killer says.
            if e.message:
                self.ctx.write_stderr(e.message + "\r\n")
            return e.code
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

    def _exec_top(self, stmt: Node, out: list[Any]) -> None:
        errors_before = len(self.errors)
        try:
            self._exec(stmt, out)
        except PSRuntimeError as e:
            if e.script_terminating or self.eap() == "stop":
                raise
            self.error_list.insert(0, e)
            self.errors.append(self._record(e))
            self.last_ok = False
            return
        self.last_ok = len(self.errors) == errors_before

    def _write_output(self, items: list[Any]) -> None:
        prepared: list[Any] = []
        for item in items:
            if item is AUTOMATION_NULL or item is None:
                continue
            if isinstance(item, PSObject) and "table" in item.extra:
                prepared.append(PSObject(item.type_name, item.extra["table"], item.default_columns))
            elif isinstance(item, PSDict):
                prepared.append(FormattedLines(tuple(_dict_table(item))))
            else:
                prepared.append(item)
        lines = out_default(prepared)
        if lines:
            self.ctx.write_stdout(NL.join(lines) + NL)

    def _record(self, e: PSRuntimeError) -> clixml.ErrorRecord:
        head = f"{e.command} : {e.message}" if e.command else e.message
        lines = [head]
        if e.position is not None:
            lines.extend(clixml.position_lines(e.script or self.p.source, *e.position))
        category = getattr(e, "category_text", None) or e.category_info
        error_id = e.error_id
        return clixml.ErrorRecord("\n".join(lines), category, error_id)

    # ------------------------------------------------------------ helpers over the tree

    def text(self, node: Node) -> str:
        found = node.text
        if found is None:
            found = self.p.text(node)
        return found

    def _statements(self, node: Node) -> list[Node]:
        found: list[Node] | None = node.memo.get("statements")
        if found is None:
            found = node.memo["statements"] = self._statements_of(node)
        return found

    def _statements_of(self, node: Node) -> list[Node]:
        out: list[Node] = []
        for child in node.named_children:
            if child.type in ("statement_list", "script_block_body"):
                out.extend(self._statements_of(child))
            elif child.type in ("empty_statement", "comment", "param_block"):
                continue
            else:
                out.append(child)
        return out

    def _at(self, e: PSRuntimeError, node: Node) -> PSRuntimeError:
        if e.position is None:
            e.position = (self.p.char_offset(node.start_byte), len(self.text(node)))
            e.script = self.p.source
        return e

    def unsupported(self, what: str) -> NotImplementedInSimulator:
        return NotImplementedInSimulator(what)

    # ------------------------------------------------------------ variables

    def get_var(self, name: str) -> Any:
        return self._get_low(name.lower())

    def _get_low(self, low: str) -> Any:
        if ":" not in low and low not in _SPECIAL_VARS:
            s: Scope | None = self.scope
            while s is not None:
                found = s.vars.get(low, _MISSING)
                if found is not _MISSING:
                    return found
                s = s.parent
            return None
        if low.startswith("env:"):
            return self.env.get(low[4:].upper())
        for prefix in ("script:", "global:", "local:", "private:"):
            if low.startswith(prefix):
                low = low[len(prefix):]
                if prefix == "global:":
                    return self.global_scope.vars.get(low)
        if low == "psversiontable":
            return self._ps_version_table()
        if low == "?":
            return self.last_ok
        s = self.scope
        if low == "input":
            while s is not None and s is not self.global_scope:
                if low in s.vars:
                    return s.vars[low]
                s = s.parent
            return self.stdin_lines()
        while s is not None:
            if low in s.vars:
                return s.vars[low]
            s = s.parent
        return None

    def set_var(self, name: str, value: Any) -> None:
        low = name.lower()
        if value is AUTOMATION_NULL:
            value = None
        if low.startswith("env:"):
            if value is None or value == "":
                self.env.pop(low[4:].upper(), None)
            else:
                self.env[low[4:].upper()] = to_string(value)
            return
        if low.startswith("global:"):
            self.global_scope.vars[low[7:]] = value
            return
        for prefix in ("script:", "local:", "private:"):
            if low.startswith(prefix):
                low = low[len(prefix):]
        if low in ("true", "false", "null") and low != "null":
            raise PSRuntimeError(f"Cannot overwrite variable {name} because it is read-only or constant.",
                                 category="WriteError", error_id="VariableNotWritable")
        if low == "null":
            return
        self.scope.vars[low] = value

    def stdin_lines(self) -> list[str]:
        """``$input`` of powershell.exe: the lines of its (redirected) stdin, read once."""
        if self._stdin_lines is None:
            raw = self._stdin() if self._stdin is not None else b""
            if raw is None:
                raise Cancelled
            self._stdin_lines = raw.decode("utf-8", "replace").splitlines()
        return list(self._stdin_lines)

    def console_read_line(self) -> str | None:
        """``[Console]::In.ReadLine()``: the next line of stdin, waiting for it (stdin may stay open
        across many Sends); None once stdin has ended."""
        reader = getattr(self.ctx, "read_stdin_line", None)
        if reader is None:
            raise self.unsupported("[Console]::In on this host")
        if self.read_something:
            # The request before this one read the host: "another admin" acts now, as after a command.
            self.read_something = False
            self.host.read_served()
        line = reader(None)
        if line is None:
            if self.ctx.cancelled.is_set():
                raise Cancelled
            return None
        self.host.count("kept_alive_requests")
        self._request_open = True
        self.changes_made = 0  # a request to a kept-alive process is counted as a command is
        if self.host.costs.per_request_s > 0 and self.ctx.cancelled.wait(self.host.costs.per_request_s):
            raise Cancelled
        return str(line)

    def console_in(self) -> TextReader:
        """``[Console]::In``. On a host whose policy forbids it (``kept_alive = false``), the process
        that opens its console input is ended there."""
        if not self.host.kept_alive:
            raise ProcessEnded(1, "Program 'powershell.exe' was ended by the host's policy: it opened its "
                                  "console input.")
        return TextReader(self.console_read_line)

    def console_write(self, text: str) -> None:
        """``[Console]::Out.Write*``. ``faults.kill_before_reply``: a process that read a request
        line ends (after carrying it out) before it writes anything about it."""
        if self._request_open:
            self._request_open = False
            with self.host.lock:
                kill = self.host.faults.kill_before_reply > 0
                if kill:
                    self.host.faults.kill_before_reply -= 1
            if kill:
                raise ProcessEnded(1)
        self.ctx.write_stdout(text)

    def _ps_version_table(self) -> PSDict:
        t = PSDict()
        t.set("PSVersion", PSVersion(self.ps_version))
        t.set("PSEdition", "Desktop")
        t.set("CLRVersion", PSVersion("4.0.30319.42000"))
        t.set("BuildVersion", PSVersion(self.host.os.version + ".0"))
        t.set("WSManStackVersion", PSVersion("3.0"))
        t.set("PSRemotingProtocolVersion", PSVersion("2.3"))
        t.set("SerializationVersion", PSVersion("1.1.0.1"))
        return t

    def eap(self) -> str:
        return to_string(self.get_var("ErrorActionPreference")).lower()

    def write_error(self, e: PSRuntimeError, action: Any = None) -> None:
        """A non-terminating error of a command: written, or thrown under ``Stop``."""
        pref = to_string(action).lower() if action is not None else self.eap()
        self.error_list.insert(0, e)
        if pref == "stop":
            e.script_terminating = True
            raise e
        if pref in ("silentlycontinue", "ignore"):
            return
        self.errors.append(self._record(e))

    # ------------------------------------------------------------ statements

    def exec_block(self, node: Node, out: list[Any]) -> None:
        for stmt in self._statements(node):
            self._exec_stmt(stmt, out)

    def _exec_stmt(self, stmt: Node, out: list[Any]) -> None:
        """One statement inside a block: a statement-terminating error is written and the next
        statement runs, unless ``$ErrorActionPreference`` is Stop."""
        try:
            self._exec(stmt, out)
            self.last_ok = True
        except PSRuntimeError as e:
            if self.try_depth > 0:
                raise
            if e.script_terminating or self.eap() == "stop":
                e.script_terminating = True
                raise
            self.error_list.insert(0, e)
            self.errors.append(self._record(e))
            self.last_ok = False

    def _exec(self, stmt: Node, out: list[Any]) -> None:
        t = stmt.type
        try:
            if t == "pipeline":
                out.extend(self.pipeline(stmt))
            elif t == "function_statement":
                self._define_function(stmt)
            elif t == "if_statement":
                self._if(stmt, out)
            elif t == "foreach_statement":
                self._foreach(stmt, out)
            elif t == "try_statement":
                self._try(stmt, out)
            elif t == "flow_control_statement":
                self._flow(stmt, out)
            elif t == "while_statement":
                self._while(stmt, out)
            elif t == "for_statement":
                self._for(stmt, out)
            elif t == "statement_block":
                self.exec_block(stmt, out)
            elif t == "class_statement" and self.ps_version < "5":
                raise PSRuntimeError("Unexpected token 'class' in expression or statement.",
                                     category="ParserError", error_id="UnexpectedToken", script_terminating=True)
            else:
                raise self.unsupported(f"the statement {t.replace('_', ' ')}")
        except PSRuntimeError as e:
            raise self._at(e, stmt) from None
        except NotImplementedInSimulator as e:
            raise self._at(PSRuntimeError(f"The simulated host does not implement {e}.",
                                          exception_type="System.NotSupportedException", category="NotImplemented",
                                          error_id="NotSupported", reason="NotSupportedException",
                                          script_terminating=True), stmt) from None

    def _block_of(self, node: Node) -> Node:
        found: Node | None = node.memo.get("block")
        if found is None:
            found = next((c for c in node.named_children if c.type == "statement_block"), None)
            if found is None:
                raise self.unsupported(f"{node.type} without a block")
            node.memo["block"] = found
        return found

    def _if(self, stmt: Node, out: list[Any]) -> None:
        cond = stmt.child_by_field_name("condition")
        if cond is not None and is_true(self.eval_condition(cond)):
            self.exec_block(self._block_of(stmt), out)
            return
        for child in stmt.named_children:
            if child.type == "elseif_clauses":
                for clause in child.named_children:
                    c = clause.child_by_field_name("condition")
                    if c is not None and is_true(self.eval_condition(c)):
                        self.exec_block(self._block_of(clause), out)
                        return
            elif child.type == "else_clause":
                self.exec_block(self._block_of(child), out)
                return

    def eval_condition(self, node: Node) -> Any:
        if node.type in ("while_condition", "for_initializer", "for_condition", "for_iterator"):
            inner = node.kids
            if not inner:
                return True
            node = inner[0]
        if node.type == "pipeline":
            return collect(self.pipeline(node)) if self._has_command(node) else self._pipeline_value(node)
        return self.eval(node)

    def _loop_body(self, body: Node, out: list[Any]) -> bool:
        """Run one iteration; False on ``break``."""
        try:
            self.exec_block(body, out)
        except _Continue:
            return True
        except _Break:
            return False
        return True

    def _foreach(self, stmt: Node, out: list[Any]) -> None:
        var = next(c for c in stmt.named_children if c.type == "variable")
        body = self._block_of(stmt)
        source = [c for c in stmt.named_children if c not in (var, body) and c.type != "comment"]
        if len(source) != 1:
            raise self.unsupported("this form of foreach")
        value = self.eval_condition(source[0]) if source[0].type == "pipeline" else self.eval(source[0])
        items = [] if value is None else enumerate_value(value) if isinstance(value, list | bytes) else [value]
        name = self._var_name(var)
        for item in items:
            self.set_var(name, item)
            if not self._loop_body(body, out):
                break

    def _while(self, stmt: Node, out: list[Any]) -> None:
        cond = stmt.child_by_field_name("condition")
        body = self._block_of(stmt)
        guard = 0
        while cond is not None and is_true(self.eval_condition(cond)):
            guard += 1
            if guard > 1_000_000:
                raise self.unsupported("a loop of more than 1,000,000 iterations")
            if not self._loop_body(body, out):
                break

    def _for(self, stmt: Node, out: list[Any]) -> None:
        init = stmt.child_by_field_name("for_initializer")
        cond = stmt.child_by_field_name("for_condition")
        step = stmt.child_by_field_name("for_iterator")
        body = self._block_of(stmt)
        if init is not None:
            self.eval_condition(init)
        guard = 0
        while cond is None or is_true(self.eval_condition(cond)):
            guard += 1
            if guard > 1_000_000:
                raise self.unsupported("a loop of more than 1,000,000 iterations")
            if not self._loop_body(body, out):
                break
            if step is not None:
                self.eval_condition(step)

    def _try(self, stmt: Node, out: list[Any]) -> None:
        body = self._block_of(stmt)
        clauses = next((c for c in stmt.named_children if c.type == "catch_clauses"), None)
        final = next((c for c in stmt.named_children if c.type == "finally_clause"), None)
        try:
            try:
                self.try_depth += 1 if clauses is not None else 0
                try:
                    self.exec_block(body, out)
                finally:
                    self.try_depth -= 1 if clauses is not None else 0
            except PSRuntimeError as e:
                if clauses is None:
                    raise
                e.script_terminating = False
                handled = False
                for clause in clauses.named_children:
                    types = [self.text(t).strip("[]") for t in clause.named_children if t.type == "catch_type_list"
                             or t.type == "type_literal"]
                    if types and not any(self._catch_matches(e, x) for x in types):
                        continue
                    self.set_var("_", self.error_record(e))
                    self.set_var("PSItem", self.error_record(e))
                    self.exec_block(self._block_of(clause), out)
                    handled = True
                    break
                if not handled:
                    raise
        finally:
            if final is not None:
                self.exec_block(self._block_of(final), out)

    @staticmethod
    def _catch_matches(e: PSRuntimeError, type_text: str) -> bool:
        names = {e.exception_type.lower(), e.exception_type.rsplit(".", 1)[-1].lower()}
        wanted = type_text.lower()
        return wanted in names or wanted in ("exception", "system.exception")

    def error_record(self, e: PSRuntimeError) -> PSObject:
        def exc(err: PSRuntimeError) -> PSObject:
            return PSObject(err.exception_type, {
                "Message": err.message,
                "InnerException": exc(err.inner) if err.inner is not None else None,
                "HResult": -2146233087,
            }, to_string=err.message)

        return PSObject("System.Management.Automation.ErrorRecord", {
            "Exception": exc(e),
            "TargetObject": e.target or None,
            "CategoryInfo": PSObject("System.Management.Automation.ErrorCategoryInfo",
                                     {"Category": e.category, "Reason": e.reason}, to_string=e.category_info),
            "FullyQualifiedErrorId": e.error_id,
            "ErrorDetails": None,
            "InvocationInfo": None,
            "ScriptStackTrace": "",
        }, to_string=e.message, extra={"error": e})

    def _flow(self, stmt: Node, out: list[Any]) -> None:
        memo: tuple[str, list[Node]] | None = stmt.memo.get("flow")
        if memo is None:
            memo = stmt.memo["flow"] = (stmt.children[0].type.lower() if stmt.children else "",
                                        [c for c in stmt.named_children if c.type not in ("comment", "label")])
        keyword, args = memo
        if keyword == "return":
            raise _Return(self.pipeline_or_expr(args[0]) if args else [])
        if keyword == "break":
            raise _Break
        if keyword == "continue":
            raise _Continue
        if keyword == "exit":
            code = 0
            if args:
                value = collect(self.pipeline_or_expr(args[0]))
                try:
                    code = to_int(value)
                except PSRuntimeError:
                    code = 0
            raise ExitScript(code)
        if keyword == "throw":
            value = collect(self.pipeline_or_expr(args[0])) if args else None
            if isinstance(value, PSObject) and "error" in value.extra:
                err: PSRuntimeError = value.extra["error"]
                err.script_terminating = True
                raise err
            message = to_string(value) if value is not None else "ScriptHalted"
            raise PSRuntimeError(message, category="OperationStopped", target=message,
                                 error_id=message if value is not None else "ScriptHalted",
                                 script_terminating=True)
        raise self.unsupported(f"the keyword {keyword}")

    def pipeline_or_expr(self, node: Node) -> list[Any]:
        if node.type == "pipeline":
            return self.pipeline(node)
        return enumerate_value(self.eval(node))

    # ------------------------------------------------------------ functions

    def _define_function(self, stmt: Node) -> None:
        name_node = next(c for c in stmt.named_children if c.type == "function_name")
        body = next((c for c in stmt.named_children if c.type == "script_block"), None)
        kw = self.text(stmt.children[0]).lower()
        if kw == "filter" or kw == "workflow":
            raise self.unsupported(f"{kw} definitions")
        params: list[Param] = []
        decl = next((c for c in stmt.named_children if c.type == "function_parameter_declaration"), None)
        if decl is not None:
            params = self._params(decl)
        advanced = False
        if body is not None:
            block = next((c for c in body.named_children if c.type == "param_block"), None)
            if block is not None:
                params = self._params(block)
                advanced = "[parameter" in self.text(block).lower() or "cmdletbinding" in self.text(block).lower()
            if any(c.type == "script_block_body" and any(x.type == "named_block_list" for x in c.named_children)
                   for c in body.named_children):
                raise self.unsupported("begin/process/end blocks")
        self.scope.functions[self.text(name_node).lower()] = FunctionDef(
            self.text(name_node), params, body, self.p, advanced)

    def _params(self, node: Node) -> list[Param]:
        plist = next((c for c in node.named_children if c.type == "parameter_list"), None)
        out: list[Param] = []
        if plist is None:
            return out
        for sp in plist.named_children:
            if sp.type != "script_parameter":
                continue
            var = next(c for c in sp.named_children if c.type == "variable")
            p = Param(self._var_name(var))
            attrs = next((c for c in sp.named_children if c.type == "attribute_list"), None)
            for attr in attrs.named_children if attrs is not None else []:
                tl = next((c for c in attr.named_children if c.type == "type_literal"), None)
                if tl is not None:
                    p.type = resolve_type(self.text(tl).strip()[1:-1])
                    continue
                name = self.text(attr).lower()
                if name.startswith("[parameter"):
                    args = next((c for c in attr.named_children if c.type == "attribute_arguments"), None)
                    for a in args.named_children if args is not None else []:
                        key = self.text(a).split("=")[0].strip().lower()
                        if key == "mandatory":
                            vals = [c for c in a.named_children if c.type != "simple_name"]
                            p.mandatory = is_true(self.eval(vals[0])) if vals else True
                elif name.startswith("[validate") or name.startswith("[alias") or name.startswith("[allow"):
                    continue
                else:
                    raise self.unsupported(f"the parameter attribute {self.text(attr)}")
            default = [c for c in sp.named_children if c.type not in ("variable", "attribute_list", "comment")]
            if default:
                p.default = default[-1]
            out.append(p)
        return out

    def call_function(self, fn: FunctionDef, order: list[tuple[str, Any]], pipeline: list[Any] | None,
                      under: Any = AUTOMATION_NULL) -> list[Any]:
        """Call a function or script block; ``under`` is ``$_`` (Where-Object, ForEach-Object...)."""
        scope = Scope(self.scope)
        if under is not AUTOMATION_NULL:
            scope.vars["_"] = under
            scope.vars["psitem"] = under
        bound: dict[str, Any] = {}
        keys = fn.keys
        lookup: dict[str, Param] = {}
        positional: list[Any] = []
        i = 0
        while i < len(order):
            kind, value = order[i]
            if kind != "param":
                positional.append(value)
                i += 1
                continue
            if not lookup:
                lookup = dict(zip(keys, fn.params, strict=True))
            key = str(value).lstrip("-").rstrip(":").lower()
            hits = [key] if key in lookup else [p for p in lookup if p.startswith(key)]
            if len(hits) != 1:
                if not hits and not fn.advanced:
                    positional.append(str(value))
                    i += 1
                    continue
                raise PSRuntimeError(
                    f"A parameter cannot be found that matches parameter name '{key}'." if not hits else
                    f"Parameter cannot be processed because the parameter name '{key}' is ambiguous.",
                    category="InvalidArgument", reason="ParameterBindingException",
                    error_id=f"{'NamedParameterNotFound' if not hits else 'AmbiguousParameter'},{fn.name}")
            p = lookup[hits[0]]
            is_switch = p.type is not None and p.type.name == "System.Management.Automation.SwitchParameter"
            nxt = order[i + 1] if i + 1 < len(order) else None
            if nxt is not None and nxt[0] == "colon":
                bound[hits[0]] = nxt[1]
                i += 2
            elif is_switch:
                bound[hits[0]] = True
                i += 1
            elif nxt is not None and nxt[0] == "value":
                bound[hits[0]] = nxt[1]
                i += 2
            else:
                raise PSRuntimeError(f"Missing an argument for parameter '{p.name}'. Specify a parameter of type "
                                     f"'{p.type.name if p.type else 'System.Object'}' and try again.",
                                     category="InvalidArgument", error_id=f"MissingArgument,{fn.name}",
                                     reason="ParameterBindingException")
        extra: list[Any] = []
        for value in positional:
            free = next((p for p, k in zip(fn.params, keys, strict=True) if k not in bound
                         and (p.type is None or p.type.name != "System.Management.Automation.SwitchParameter")), None)
            if free is None:
                if fn.advanced:
                    raise PSRuntimeError(f"A positional parameter cannot be found that accepts argument "
                                         f"'{to_string(value)}'.", category="InvalidArgument",
                                         error_id=f"PositionalParameterNotFound,{fn.name}",
                                         reason="ParameterBindingException")
                extra.append(value)
                continue
            bound[free.name.lower()] = value
        missing = [p.name for p, k in zip(fn.params, keys, strict=True) if p.mandatory and k not in bound]
        if missing:
            raise PSRuntimeError("Cannot process command because of one or more missing mandatory parameters: "
                                 f"{' '.join(missing)}.", category="InvalidArgument",
                                 error_id=f"MissingMandatoryParameter,{fn.name}", reason="ParameterBindingException")
        saved_scope, saved_parsed = self.scope, self.p
        self.scope = scope
        self.p = fn.parsed
        try:
            for p, k in zip(fn.params, keys, strict=True):
                if k in bound:
                    value = bound[k]
                elif p.default is not None:
                    value = self.eval(p.default)
                elif p.type is not None and p.type.name == "System.Management.Automation.SwitchParameter":
                    value = False
                else:
                    value = None
                if p.type is not None and not (value is None and p.type.name == "System.Object"):
                    if p.type.name == "System.Boolean" and isinstance(value, str):
                        raise PSRuntimeError(
                            f"Cannot process argument transformation on parameter '{p.name}'. Cannot convert value "
                            f"\"System.String\" to type \"System.Boolean\". Boolean parameters accept only Boolean "
                            "values and numbers, such as $True, $False, 1 or 0.", category="InvalidData",
                            error_id=f"ParameterArgumentTransformationError,{fn.name}",
                            reason="ParameterBindingArgumentTransformationException")
                    value = convert(value, p.type)
                scope.vars[k] = value
            scope.vars["args"] = extra
            scope.vars["input"] = list(pipeline or [])
            out: list[Any] = []
            try:
                if fn.body is not None:
                    self.exec_block(fn.body, out)
            except _Return as r:
                out.extend(r.values)
            return out
        finally:
            self.scope = saved_scope
            self.p = saved_parsed

    # ------------------------------------------------------------ pipelines

    @staticmethod
    def _has_command(node: Node) -> bool:
        found: bool | None = node.memo.get("has_command")
        if found is None:
            chains = [c for c in node.named_children if c.type == "pipeline_chain"]
            found = node.memo["has_command"] = any(c.type == "command" for ch in chains for c in ch.named_children)
        return found

    @staticmethod
    def _shape(node: Node) -> tuple[Node | None, int, int, list[Node]]:
        """Of a pipeline: (its assignment when it is one, its named children, its chains, the
        elements of its first chain)."""
        found: tuple[Node | None, int, int, list[Node]] | None = node.memo.get("shape")
        if found is None:
            named = node.kids
            assignment = named[0] if len(named) == 1 and named[0].type == "assignment_expression" else None
            chains = [c for c in named if c.type == "pipeline_chain"]
            elements = chains[0].kids if chains else []
            found = node.memo["shape"] = (assignment, len(named), len(chains), elements)
        return found

    def _pipeline_value(self, node: Node) -> Any:
        """A pipeline that is one expression, used as a value (no unrolling)."""
        assignment, _, chains, elements = self._shape(node)
        if assignment is not None:
            self._assign(assignment)
            return AUTOMATION_NULL
        if chains != 1:
            raise self.unsupported("'&&' and '||' between pipelines (PowerShell 7 only)")
        if len(elements) == 1 and elements[0].type != "command":
            return self.eval(elements[0])
        return collect(self.pipeline(node))

    def pipeline(self, node: Node) -> list[Any]:
        """Run a pipeline; its output objects."""
        assignment, named, chains, elements = self._shape(node)
        if assignment is not None:
            self._assign(assignment)
            return []
        if chains != 1 or named != 1:
            raise self.unsupported("'&&' and '||' between pipelines (PowerShell 7 only)")
        items: list[Any] | None = None
        for element in elements:
            if element.type == "command":
                items = self.run_command(element, items if items is not None else [], items is not None)
            else:
                if items is not None:
                    raise PSRuntimeError("Expressions are only allowed as the first element of a pipeline.",
                                         category="ParserError", error_id="ExpressionsMustBeFirstInPipeline",
                                         script_terminating=True)
                value = self.eval(element)
                items = enumerate_value(value)
        return [i for i in (items or []) if i is not AUTOMATION_NULL]

    # ------------------------------------------------------------ assignment

    def _assign(self, node: Node) -> None:
        memo = node.memo.get("assign")
        if memo is None:
            op_node = next(c for c in node.named_children if c.type == "assignement_operator")
            memo = node.memo["assign"] = (node.named_children[0], self.text(op_node).strip(),
                                          node.child_by_field_name("value") or node.named_children[-1])
        left, op, right = memo
        if right.type == "pipeline":
            value = self._pipeline_value(right) if not self._has_command(right) else collect(self.pipeline(right))
        else:
            value = self.eval(right)
        if value is AUTOMATION_NULL:
            value = None
        target = self._unwrap(left)
        if op != "=":
            current = self.eval(target)
            if op[0] in "+-*/%":
                value = binary_op(op[0], current, value, self._set_matches)
            else:
                raise self.unsupported(f"the assignment operator {op}")
        self.assign_to(target, value)

    @staticmethod
    def _unwrap(node: Node) -> Node:
        found: Node | None = node.memo.get("unwrap")
        if found is None:
            found = node
            while found.type in _WRAPPERS and len(found.named_children) == 1 and found.child_count == 1:
                found = found.named_children[0]
            node.memo["unwrap"] = found
        return found

    def assign_to(self, target: Node, value: Any) -> None:
        t = target.type
        if t == "variable":
            self.set_var(self._var_name(target), value)
            return
        if t == "cast_expression":
            type_node = next(c for c in target.named_children if c.type == "type_literal")
            inner = self._unwrap(target.named_children[-1])
            self.assign_to(inner, convert(value, resolve_type(self.text(type_node).strip()[1:-1])))
            return
        if t == "member_access":
            obj_node, member = target.named_children[0], self._member_name(target)
            static = any(self.text(c) == "::" for c in target.children if not c.is_named)
            if static:
                self.cmdlets.set_static(resolve_type(self.text(obj_node).strip()[1:-1]), member, value)
                return
            obj = self.eval(obj_node)
            if isinstance(obj, PSDict):
                obj.set(member, value)
                return
            if isinstance(obj, PSObject):
                real = next((k for k in obj.props if k.casefold() == member.casefold()), None)
                if real is None or obj.extra.get("readonly"):
                    raise PSRuntimeError(f"The property '{member}' cannot be found on this object. Verify that the "
                                         "property exists and can be set.", category="InvalidOperation",
                                         error_id="PropertyAssignmentException")
                obj.props[real] = value
                return
            if obj is None:
                raise PSRuntimeError(f"The property '{member}' cannot be found on this object. Verify that the "
                                     "property exists and can be set.", category="InvalidOperation",
                                     error_id="PropertyNotFound")
            raise self.unsupported(f"setting '{member}' on {type_name_of(obj)}")
        if t == "element_access":
            obj = self.eval(target.named_children[0])
            index = self.eval(target.named_children[1])
            if isinstance(obj, PSDict):
                obj.set(index, value)
                return
            if isinstance(obj, list):
                i = to_int(index)
                if not -len(obj) <= i < len(obj):
                    raise PSRuntimeError("Index was outside the bounds of the array.", category="OperationStopped",
                                         error_id="System.IndexOutOfRangeException",
                                         reason="IndexOutOfRangeException")
                obj[i] = value
                return
            if obj is None:
                raise PSRuntimeError("Cannot index into a null array.", category="InvalidOperation",
                                     error_id="NullArray")
            raise self.unsupported(f"assigning an element of {type_name_of(obj)}")
        raise self.unsupported(f"assigning to {self.text(target)[:40]!r}")

    def _set_matches(self, value: Any) -> None:
        self.set_var("Matches", value)

    # ------------------------------------------------------------ expressions

    def _var_name(self, node: Node) -> str:
        found: str | None = node.memo.get("var")
        if found is None:
            text = self.text(node)
            if text.startswith("@"):
                raise self.unsupported("splatting (@name)")
            found = node.memo["var"] = text.lstrip("$").strip("{}")
        return found

    def _collapsed(self, node: Node) -> Node:
        """The node a chain of precedence wrappers stands for (cached: the grammar nests ten
        levels of them around every value)."""
        found = node.collapsed
        if found is None:
            found = node
            while found.type in _WRAPPERS and found.child_count == 1:
                only = found.named_children
                if len(only) != 1:
                    break
                found = only[0]
            node.collapsed = found
        return found

    def eval(self, node: Node) -> Any:
        node = node.collapsed or self._collapsed(node)
        handler = _EVAL.get(node.type)
        if handler is None:
            raise self.unsupported(f"the expression {self.text(node)[:40]!r} ({node.type})")
        return handler(self, node)

    # One evaluator per node type (see _EVAL).

    def _e_variable(self, node: Node) -> Any:
        low: str | None = node.memo.get("var_low")
        if low is None:
            low = node.memo["var_low"] = self._var_name(node).lower()
        return self._get_low(low)

    def _e_string(self, node: Node) -> Any:
        return self._string(node)

    def _e_literal(self, node: Node) -> Any:
        """A number or a bare word: the same value every time."""
        memo = node.memo
        if "value" in memo:
            return memo["value"]
        t = node.type
        value: Any
        if t == "integer_literal":
            value = self._integer(self.text(node))
        elif t == "real_literal":
            value = float(self.text(node).rstrip("dD"))
        else:
            value = self._bare_word(self.text(node))
        memo["value"] = value
        return value

    def _e_array_literal(self, node: Node) -> Any:
        return [self.eval(c) for c in node.kids]

    def _e_array_expression(self, node: Node) -> Any:
        out: list[Any] = []
        for c in node.kids:
            self.exec_block(c, out) if c.type == "statement_list" else out.extend(self.pipeline_or_expr(c))
        return [x for x in out if x is not AUTOMATION_NULL]

    def _e_sub_expression(self, node: Node) -> Any:
        out: list[Any] = []
        for c in node.kids:
            self.exec_block(c, out) if c.type == "statement_list" else out.extend(self.pipeline_or_expr(c))
        return collect([x for x in out if x is not AUTOMATION_NULL])

    def _e_parenthesized(self, node: Node) -> Any:
        named = node.kids
        if not named:
            raise self.unsupported("empty parentheses")
        inner = named[0]
        if inner.type == "pipeline":
            if self._has_command(inner):
                return collect(self.pipeline(inner))
            value = self._pipeline_value(inner)
            return None if value is AUTOMATION_NULL else value
        return self.eval(inner)

    def _e_pipeline(self, node: Node) -> Any:
        return collect(self.pipeline(node)) if self._has_command(node) else self._pipeline_value(node)

    def _e_hash(self, node: Node) -> Any:
        return self._hash(node, ordered=False)

    def _e_type_literal(self, node: Node) -> Any:
        return resolve_type(self.text(node).strip()[1:-1])

    def _e_script_block(self, node: Node) -> Any:
        body = next((c for c in node.named_children if c.type == "script_block"), node)
        return ScriptBlock(self.text(node)[1:-1], self.p, body)

    def _e_format(self, node: Node) -> Any:
        named = node.kids
        left, right = named[0], named[-1]
        return format_op(to_string(self.eval(left)), to_list(self.eval(right)))

    def _e_range(self, node: Node) -> Any:
        named = node.kids
        a, b = to_int(self.eval(named[0])), to_int(self.eval(named[-1]))
        return list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))

    def _e_assignment(self, node: Node) -> Any:
        self._assign(node)
        return AUTOMATION_NULL

    def _e_increment(self, node: Node) -> Any:
        target = self._unwrap(node.kids[0])
        old = self.eval(target)
        delta = 1 if "increment" in node.type else -1
        self.assign_to(target, binary_op("+", old, delta, self._set_matches))
        return AUTOMATION_NULL

    @staticmethod
    def _integer(text: str) -> int:
        low = text.lower()
        mult = 1
        for suffix, m in (("kb", 1024), ("mb", 1024**2), ("gb", 1024**3), ("tb", 1024**4), ("pb", 1024**5)):
            if low.endswith(suffix):
                low, mult = low[:-2], m
                break
        low = low.rstrip("l")
        return (int(low, 16) if low.startswith("0x") else int(low)) * mult

    def _unary(self, node: Node) -> Any:
        named = node.kids
        if len(named) == 1 and named[0].type == "cast_expression" and node.child_count == 1:
            return self._cast(named[0])
        ops: list[str] | None = node.memo.get("ops")
        if ops is None:
            ops = node.memo["ops"] = [self.text(c).lower() for c in node.children if not c.is_named]
        if not ops:
            if len(named) == 1:
                return self.eval(named[0])
            raise self.unsupported(f"the expression {self.text(node)[:40]!r}")
        op = ops[0]
        operand = named[-1]
        if op in ("-not", "!"):
            return not is_true(self.eval(operand))
        if op == "-":
            v = self.eval(operand)
            return binary_op("*", v, -1, self._set_matches) if not isinstance(v, str) else -to_int(v)
        if op == "+":
            return self.eval(operand)
        if op == ",":
            return [self.eval(operand)]
        if op == "-join":
            return "".join(to_string(x) for x in to_list(self.eval(operand)))
        if op == "-split":
            return split_op(self.eval(operand), None)
        if op in ("++", "--"):
            target = self._unwrap(operand)
            self.assign_to(target, binary_op("+", self.eval(target), 1 if op == "++" else -1, self._set_matches))
            return AUTOMATION_NULL
        if op == "-bnot":
            return ~to_int(self.eval(operand))
        raise self.unsupported(f"the unary operator {op}")

    def _binary(self, node: Node) -> Any:
        named = node.kids
        if len(named) == 1:
            return self.eval(named[0])
        op: str | None = node.memo.get("op")
        if op is None:
            op_nodes = [c for c in node.children if c.type == "comparison_operator" or not c.is_named]
            op = node.memo["op"] = self.text(op_nodes[0]).strip()
        left = self.eval(named[0])
        right = self.eval(named[-1])
        if op.lower() in ("-is", "-isnot", "-as") and isinstance(right, str):
            right = resolve_type(right.strip("[]"))
        return binary_op(op, left, right, self._set_matches)

    def _logical(self, node: Node) -> Any:
        named = node.kids
        if len(named) == 1:
            return self.eval(named[0])
        op: str | None = node.memo.get("op")
        if op is None:
            op = node.memo["op"] = next(self.text(c).lower() for c in node.children if not c.is_named)
        left = is_true(self.eval(named[0]))
        if op == "-and":
            return left and is_true(self.eval(named[-1]))
        if op == "-or":
            return left or is_true(self.eval(named[-1]))
        if op == "-xor":
            return left != is_true(self.eval(named[-1]))
        raise self.unsupported(f"the operator {op}")

    def _cast(self, node: Node) -> Any:
        memo = node.memo.get("cast")
        if memo is None:
            type_node = next(c for c in node.named_children if c.type == "type_literal")
            operand = [c for c in node.named_children if c is not type_node][-1]
            memo = node.memo["cast"] = (self.text(type_node).strip()[1:-1].strip(), operand)
        type_text, operand = memo
        inner = self._unwrap(operand)
        if type_text.lower() == "ordered":
            if self.ps_version < "3":
                raise PSRuntimeError("Unable to find type [ordered].", category="InvalidOperation",
                                     error_id="TypeNotFound", target="ordered", reason="RuntimeException")
            if inner.type != "hash_literal_expression":
                raise PSRuntimeError("The ordered attribute can be specified only on a hash literal node.",
                                     category="ParserError", error_id="OrderedAttributeOnlyOnHashLiteralNode",
                                     script_terminating=True)
            return self._hash(inner, ordered=True)
        t = resolve_type(type_text)
        value = self.eval(operand)
        if value is AUTOMATION_NULL:
            value = None
        if t.name == "System.Management.Automation.PSObject" and isinstance(value, PSDict):
            return PSObject("System.Management.Automation.PSCustomObject", {str(k): v for k, v in value.items()})
        return convert(value, t)

    def _hash_entries(self, node: Node) -> list[tuple[str | None, Node, Node]]:
        """Of a hash literal: (the key when it is a bare name, the key's node, the value's node)."""
        found: list[tuple[str | None, Node, Node]] | None = node.memo.get("entries")
        if found is None:
            found = []
            body = next((c for c in node.named_children if c.type == "hash_literal_body"), None)
            for entry in body.named_children if body is not None else []:
                if entry.type != "hash_entry":
                    continue
                key_node = next(c for c in entry.named_children if c.type == "key_expression")
                key_inner = self._unwrap(key_node)
                values = [c for c in entry.named_children if c is not key_node and c.type != "comment"]
                found.append((self.text(key_inner) if key_inner.type == "simple_name" else None, key_inner,
                              values[0]))
            node.memo["entries"] = found
        return found

    def _hash(self, node: Node, ordered: bool) -> PSDict:
        out = PSDict(ordered=ordered)
        for name, key_inner, value_node in self._hash_entries(node):
            key = name if name is not None else self.eval(key_inner)
            value = self._pipeline_value(value_node) if value_node.type == "pipeline" and not self._has_command(
                value_node) else (collect(self.pipeline(value_node)) if value_node.type == "pipeline"
                                  else self.eval(value_node))
            if key in out:
                raise PSRuntimeError(f"Duplicate keys '{to_string(key)}' are not allowed in hash literals.",
                                     category="ParserError", error_id="DuplicateKeyInHashLiteral",
                                     script_terminating=True)
            out.set(key, None if value is AUTOMATION_NULL else value)
        return out

    # ---- members

    def _member_name(self, node: Node) -> str:
        found: str | Node | None = node.memo.get("member")
        if found is None:
            m = next((c for c in node.named_children if c.type == "member_name"), None)
            if m is None:
                raise self.unsupported(f"the member access {self.text(node)[:40]!r}")
            inner = m.named_children[0] if m.named_children else m
            found = node.memo["member"] = self.text(inner) if inner.type == "simple_name" else inner
        if isinstance(found, str):
            return found
        return to_string(self.eval(found))

    def _static(self, node: Node) -> bool:
        """``[Type]::Member`` rather than ``$obj.Member``."""
        found: bool | None = node.memo.get("static")
        if found is None:
            found = node.memo["static"] = any(self.text(c) == "::" for c in node.children if not c.is_named)
        return found

    def _member_access(self, node: Node) -> Any:
        obj_node = node.named_children[0]
        member = self._member_name(node)
        static = self._static(node)
        if static:
            return self.cmdlets.static_member(self._type_of(obj_node), member)
        return self.get_member(self.eval(obj_node), member)

    def _type_of(self, node: Node) -> PSType:
        inner = self._unwrap(node)
        if inner.type == "type_literal":
            return resolve_type(self.text(inner).strip()[1:-1])
        value = self.eval(inner)
        if isinstance(value, PSType):
            return value
        raise self.unsupported(f"static members of {self.text(node)[:40]!r}")

    def get_member(self, obj: Any, member: str) -> Any:
        if type(obj) is PSObject:
            # The usual case: the member as the object spells it (names are unique ignoring case).
            found = obj.props.get(member, _MISSING)
            if found is not _MISSING:
                return found
        low = member.lower()
        if obj is None or obj is AUTOMATION_NULL:
            return 0 if low in ("count", "length") else None
        if isinstance(obj, PSDict):
            entry = obj.entry(member)
            if entry is not None:
                return entry[1]
            if low == "count":
                return len(obj)
            if low == "keys":
                return obj.keys()
            if low == "values":
                return obj.values()
            return None
        if isinstance(obj, PSObject):
            if obj.type_name == "System.Management.Automation.ErrorRecord" and low == "exception":
                return obj.props["Exception"]
            for k, v in obj.props.items():
                if k.casefold() == member.casefold():
                    return v
            if low == "count":
                coll = obj.extra.get("collection")
                return len(coll) if isinstance(coll, list) else 1
            if low == "psobject":
                return obj
            return None
        if isinstance(obj, str):
            if low == "length":
                return len(obj)
            if low == "count":
                return 1
            return None
        if isinstance(obj, list | bytes):
            if low in ("count", "length"):
                return len(obj)
            if low in ("issynchronized", "isfixedsize", "isreadonly"):
                return False if low != "isfixedsize" else not isinstance(obj, ArrayList)
            # member enumeration (PowerShell 3.0+)
            out: list[Any] = []
            for item in obj:
                v = self.get_member(item, member)
                if v is not None:
                    out.extend(v if isinstance(v, list) else [v])
            return collect(out) if out else None
        if isinstance(obj, PSEnum):
            if low == "value__":
                return obj.value
            return None
        if isinstance(obj, PSVersion):
            return obj.as_props().get(member[:1].upper() + member[1:].lower(), None) if low != "minorrevision" \
                and low != "majorrevision" else obj.as_props()["MinorRevision" if low == "minorrevision"
                                                                  else "MajorRevision"]
        if isinstance(obj, PSGuid):
            return None
        if isinstance(obj, XmlNode):
            return xml_member(obj, member)
        if isinstance(obj, Encoding):
            return {"webname": obj.codec, "encodingname": obj.name}.get(low)
        if isinstance(obj, Principal):
            if low == "name":
                return obj.user
            if low == "identity":
                return Principal(obj.user, obj.groups)
            return None
        if isinstance(obj, PSType):
            if low in ("name", "fullname"):
                return obj.name.rsplit(".", 1)[-1] if low == "name" else obj.name
            return None
        if isinstance(obj, int | float | bool):
            if low == "count" or low == "length":
                return 1
            return None
        if isinstance(obj, ScriptBlock):
            return None
        raise self.unsupported(f"the property '{member}' of {type_name_of(obj)}")

    def _args(self, node: Node) -> list[Any]:
        found: list[Node] | None = node.memo.get("args")
        if found is None:
            found = []
            arglist = next((c for c in node.named_children if c.type == "argument_list"), None)
            exprs = next((c for c in arglist.named_children if c.type == "argument_expression_list"), None) \
                if arglist is not None else None
            if exprs is not None:
                found = exprs.kids
            node.memo["args"] = found
        return [self.eval(c) for c in found]

    def _invoke(self, node: Node) -> Any:
        obj_node = node.named_children[0]
        name = self._member_name(node)
        args = self._args(node)
        static = self._static(node)
        if static:
            t = self._type_of(obj_node)
            if name.lower() == "new":
                if self.ps_version < "5":
                    raise PSRuntimeError(f"Method invocation failed because [{t.name}] does not contain a method "
                                         "named 'new'.", category="InvalidOperation", error_id="MethodNotFound")
                return self.cmdlets.new_object(t, args)
            return self.cmdlets.static_call(t, name, args)
        return self.call_method(self.eval(obj_node), name, args)

    def call_method(self, obj: Any, name: str, args: list[Any]) -> Any:
        low = name.lower()
        if obj is None or obj is AUTOMATION_NULL:
            e = null_method_error()
            e.message = _NULL_METHOD.get(self.host.locale, e.message)
            raise e
        if isinstance(obj, str):
            return string_method(obj, name, args)
        if isinstance(obj, PSDict):
            return dict_method(obj, name, args)
        if isinstance(obj, list):
            if low == "tostring":
                return "System.Object[]" if not isinstance(obj, ArrayList) else "System.Collections.ArrayList"
            return collection_method(obj, name, args)
        if low == "tostring" and not args:
            if isinstance(obj, PSObject) and obj.type_name.endswith("PSCustomObject") and not obj.to_string:
                return ""
            return to_string(obj)
        if low == "gettype":
            return PSType(type_name_of(obj))
        if low == "equals":
            from hvgui.simulator.psvalues import equals

            return equals(obj, args[0] if args else None)
        if isinstance(obj, PSGuid) and low == "tostring":
            fmt = to_string(args[0]).upper() if args else "D"
            text = str(obj.value)
            return {"D": text, "N": text.replace("-", ""), "B": "{" + text + "}", "P": "(" + text + ")"}[fmt]
        if isinstance(obj, bytes):
            raise self.unsupported(f"the method Byte[].{name}()")
        if isinstance(obj, Encoding):
            if low == "getbytes":
                return to_string(args[0]).encode(obj.codec)
            if low == "getstring":
                data = to_bytes(args[0])
                return data.decode(obj.codec, "replace")
        if isinstance(obj, Stream):
            return obj.call(name, args)
        if isinstance(obj, TextReader) and low == "readline" and not args:
            return obj.read_line()
        if isinstance(obj, TextWriter):
            if low in ("writeline", "write"):
                obj.write((to_string(args[0]) if args else "") + ("\r\n" if low == "writeline" else ""))
                return AUTOMATION_NULL
            if low == "flush":
                return AUTOMATION_NULL
        if isinstance(obj, XmlNode):
            if low in ("selectsinglenode", "selectnodes"):
                if len(args) != 1:
                    raise self.unsupported("XPath with a namespace manager")
                return xpath_select(obj, to_string(args[0]), low == "selectsinglenode")
            if low == "getattribute":
                return obj.element.get(to_string(args[0]), "")
        if isinstance(obj, Principal) and low == "isinrole":
            role = args[0]
            sid = {"Administrator": "S-1-5-32-544", "User": "S-1-5-32-545"}.get(role.name, "") \
                if isinstance(role, PSEnum) else to_string(role)
            return sid in obj.groups
        if isinstance(obj, ScriptBlock) and low in ("invoke", "invokereturnasis"):
            return collect(self.cmdlets.invoke_block(obj, [("value", a) for a in args], None))
        if isinstance(obj, PSObject):
            method = obj.extra.get("methods", {}).get(low)
            if method is not None:
                return method(*args)
        raise self.unsupported(f"the method {type_name_of(obj)}.{name}()")

    def _element(self, node: Node) -> Any:
        named = node.kids
        obj = self.eval(named[0])
        index = self.eval(named[1])
        return self.index(obj, index)

    def index(self, obj: Any, index: Any) -> Any:
        if obj is None:
            raise PSRuntimeError("Cannot index into a null array.", category="InvalidOperation",
                                 error_id="NullArray")
        if isinstance(obj, PSDict):
            if isinstance(index, list):
                return [obj.get(i) for i in index]
            return obj.get(index)
        if isinstance(obj, list | str | bytes):
            if isinstance(index, list):
                return [self.index(obj, i) for i in index]
            i = to_int(index)
            if -len(obj) <= i < len(obj):
                return obj[i]
            return None
        if isinstance(obj, PSObject):
            coll = obj.extra.get("collection")
            if isinstance(coll, list):
                return self.index(coll, index)
        if isinstance(index, int) and index in (0, -1):
            return obj
        if isinstance(index, int):
            return None
        raise self.unsupported(f"indexing {type_name_of(obj)}")

    # ---- strings

    @staticmethod
    def _bare_word(text: str) -> str:
        # Typographic quotes are quotes to PowerShell (tree-sitter sees a bare word).
        if len(text) >= 2 and text[0] in _SINGLE_QUOTES and text[-1] in _SINGLE_QUOTES:
            return re.sub(f"[{_SINGLE_QUOTES}]([{_SINGLE_QUOTES}])", r"\1", text[1:-1])
        if len(text) >= 2 and text[0] in _DOUBLE_QUOTES and text[-1] in _DOUBLE_QUOTES:
            return text[1:-1]
        return text

    def _string(self, node: Node) -> str:
        parts: str | tuple[bool, list[str | Node]] | None = node.memo.get("string")
        if parts is None:
            parts = node.memo["string"] = self._string_parts(node)
        if isinstance(parts, str):
            return parts
        here, pieces = parts
        out: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            value = self.eval(piece)
            ofs = to_string(self.get_var("OFS")) if self.get_var("OFS") is not None else " "
            out.append(ofs.join(to_string(v) for v in value) if isinstance(value, list) else to_string(value))
        text = "".join(out)
        return self._here_trim(text) if here else text

    @staticmethod
    def _here_trim(text: str) -> str:
        text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
        return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text

    def _string_parts(self, node: Node) -> str | tuple[bool, list[str | Node]]:
        """A string literal's value when it has none of ``$var``/``$(...)`` in it, else its
        pieces: literal text (unescaped) and the nodes to evaluate in between."""
        raw = self.text(node)
        child = node.named_children[0] if node.named_children else None
        if raw.startswith("@'") or raw.startswith("@\u2018"):
            return self._here_trim(raw[2:-2])
        if raw[0] in _SINGLE_QUOTES:
            return re.sub(f"[{_SINGLE_QUOTES}]([{_SINGLE_QUOTES}])", r"\1", raw[1:-1])
        here = raw.startswith("@")
        start = node.start_byte + (2 if here else 1)
        end = node.end_byte - (2 if here else 1)
        pieces: list[str | Node] = []
        pos = start
        embedded = [c for c in (child.named_children if child else []) if c.type in ("variable", "sub_expression")]
        for emb in embedded:
            pieces.append(self._unescape(self.p.data[pos:emb.start_byte].decode("utf-8")))
            pieces.append(emb)
            pos = emb.end_byte
        pieces.append(self._unescape(self.p.data[pos:end].decode("utf-8")))
        if not embedded:
            text = "".join(p for p in pieces if isinstance(p, str))
            return self._here_trim(text) if here else text
        return here, pieces

    @staticmethod
    def _unescape(text: str) -> str:
        escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
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

    # ------------------------------------------------------------ commands

    def _command_parts(self, node: Node) -> tuple[Node, str | None, Node | None]:
        """Of a command: its name's node, its invocation operator (``&``, ``.``), its elements."""
        found: tuple[Node, str | None, Node | None] | None = node.memo.get("command")
        if found is None:
            name_node = next((c for c in node.named_children if c.type in ("command_name", "command_name_expr")),
                             None)
            if name_node is None:
                raise self.unsupported("a command without a name")
            invoke_op = next((self.text(c) for c in node.named_children if c.type == "command_invokation_operator"),
                             None)
            elements = next((c for c in node.named_children if c.type == "command_elements"), None)
            found = node.memo["command"] = (name_node, invoke_op, elements)
        return found

    def run_command(self, node: Node, pipeline: list[Any], piped: bool) -> list[Any]:
        name_node, invoke_op, elements = self._command_parts(node)
        order = self._command_args(elements)
        if invoke_op is not None:
            inner = name_node.named_children[0] if name_node.named_children else name_node
            target = self.eval(inner.named_children[0] if inner.type == "path_command_name"
                               and inner.named_children else inner)
            if invoke_op == ".":
                raise self.unsupported("dot-sourcing ('. ')")
            if isinstance(target, ScriptBlock):
                return self.cmdlets.invoke_block(target, order, pipeline if piped else None)
            name = to_string(target)
        else:
            name = self.text(name_node)
        try:
            return self._call_named(name, order, pipeline, piped, node)
        except PSRuntimeError as e:
            raise self._at(e, node) from None

    def _call_named(self, name: str, order: list[tuple[str, Any]], pipeline: list[Any], piped: bool,
                    node: Node) -> list[Any]:
        m = _RANGE_AS_COMMAND.fullmatch(name) if ".." in name else None
        if m and not order and not piped:
            # tree-sitter-powershell reads `foreach ($i in 1..3)` as a command named "1..3".
            a, b = int(m.group(1)), int(m.group(2))
            return list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
        short = name
        if "\\" in name:
            module, short = name.rsplit("\\", 1)
            if module.lower() == "hyper-v":
                if not self.host.hyperv_module:
                    raise self._not_found(name)
            elif module.lower() not in _CORE_MODULES:
                raise self._not_found(name)
        else:
            s: Scope | None = self.scope
            while s is not None:
                fn = s.functions.get(name.lower())
                if fn is not None:
                    return self.call_function(fn, order, pipeline if piped else None)
                s = s.parent
        found = self.cmdlets.find(short)
        if found is None:
            raise self._not_found(name)
        if self.count_commands:
            self.ctx.count_operation(found.name)
        offset: int | None = node.memo.get("offset")
        if offset is None:
            offset = node.memo["offset"] = self.p.char_offset(node.start_byte)
        inv = Invocation(found.name, {}, pipeline if piped else [], offset, len(self.text(node)), self.p.source)
        self.cmdlets.bind(inv, found, order)
        return found.impl(inv)

    def _not_found(self, name: str) -> PSRuntimeError:
        text = _NOT_RECOGNIZED.get(self.host.locale, _NOT_RECOGNIZED["en-US"]).format(name)
        e = PSRuntimeError(text, exception_type="System.Management.Automation."
                           "CommandNotFoundException", category="ObjectNotFound", target=name,
                           error_id="CommandNotFoundException", reason="CommandNotFoundException")
        e.command = name
        return e

    def _command_args(self, elements: Node | None) -> list[tuple[str, Any]]:
        """The arguments in order: ``("param", "-Name")``, ``("value", v)`` or ``("colon", v)`` (the
        value of ``-Switch:$false``)."""
        order: list[tuple[str, Any]] = []
        if elements is None:
            return order
        kids = elements.kids
        colon_next = False
        i = 0
        while i < len(kids):
            el = kids[i]
            if el.type == "command_argument_sep":
                if ":" in self.text(el):
                    colon_next = True
                i += 1
                continue
            if el.type == "command_parameter":
                text = self.text(el)
                order.append(("param", text))
                if text.endswith(":"):
                    colon_next = True
                i += 1
                continue
            if el.type in ("argument_list", "redirection", "file_redirection_operator", "merging_redirection_operator"):
                raise self.unsupported(f"the argument {self.text(el)!r}")
            nxt = kids[i + 1] if i + 1 < len(kids) else None
            if nxt is not None and nxt.type == "argument_list" and nxt.start_byte == el.end_byte:
                value = self._method_call_arg(el, nxt)
                i += 2
            else:
                value = self.eval(el)
                i += 1
            if value is AUTOMATION_NULL:
                value = None
            order.append(("colon" if colon_next else "value", value))
            colon_next = False
        return order

    def _method_call_arg(self, target: Node, arglist: Node) -> Any:
        """``$parts[1].Trim()`` as a command argument: tree-sitter splits it into a member access
        and an argument list."""
        target = self._unwrap(target)
        if target.type != "member_access":
            raise self.unsupported(f"the argument {self.text(target)!r}{self.text(arglist)}")
        obj_node = target.named_children[0]
        name = self._member_name(target)
        exprs = next((c for c in arglist.named_children if c.type == "argument_expression_list"), None)
        args = [self.eval(c) for c in exprs.named_children if c.type != "comment"] if exprs is not None else []
        if any(self.text(c) == "::" for c in target.children if not c.is_named):
            return self.cmdlets.static_call(self._type_of(obj_node), name, args)
        return self.call_method(self.eval(obj_node), name, args)


_Evaluator = Callable[[Interpreter, Node], Any]
_EVAL: Final[dict[str, _Evaluator]] = {
    "variable": Interpreter._e_variable,
    "string_literal": Interpreter._e_string,
    "integer_literal": Interpreter._e_literal,
    "real_literal": Interpreter._e_literal,
    "generic_token": Interpreter._e_literal,
    "array_literal_expression": Interpreter._e_array_literal,
    "array_expression": Interpreter._e_array_expression,
    "sub_expression": Interpreter._e_sub_expression,
    "parenthesized_expression": Interpreter._e_parenthesized,
    "pipeline": Interpreter._e_pipeline,
    "hash_literal_expression": Interpreter._e_hash,
    "cast_expression": Interpreter._cast,
    "type_literal": Interpreter._e_type_literal,
    "member_access": Interpreter._member_access,
    "invokation_expression": Interpreter._invoke,
    "element_access": Interpreter._element,
    "script_block_expression": Interpreter._e_script_block,
    "expression_with_unary_operator": Interpreter._unary,
    "unary_expression": Interpreter._unary,
    **dict.fromkeys(("comparison_expression", "comparison_argument_expression", "additive_expression",
                     "additive_argument_expression", "multiplicative_expression",
                     "multiplicative_argument_expression", "bitwise_expression", "bitwise_argument_expression"),
                    Interpreter._binary),
    "logical_expression": Interpreter._logical,
    "logical_argument_expression": Interpreter._logical,
    "format_expression": Interpreter._e_format,
    "format_argument_expression": Interpreter._e_format,
    "range_expression": Interpreter._e_range,
    "range_argument_expression": Interpreter._e_range,
    "assignment_expression": Interpreter._e_assignment,
    **dict.fromkeys(("pre_increment_expression", "post_increment_expression", "pre_decrement_expression",
                     "post_decrement_expression"), Interpreter._e_increment),
}
"""How :meth:`Interpreter.eval` evaluates each type of node."""


def _dict_table(d: PSDict) -> list[str]:
    rows = [(to_string(k), display(v)) for k, v in d.items()]
    kw = max([4, *(len(k) for k, _ in rows)])
    lines = ["", f"{'Name'.ljust(kw)} Value", f"{'----'.ljust(kw)} -----"]
    lines += [f"{k.ljust(kw)} {v}".rstrip() for k, v in rows]
    return [*lines, "", ""]

