"""PowerShell values and their rules (Windows PowerShell 5.1): conversions, comparisons,
operators, enumeration, and the .NET members hvgui's scripts and an admin's one-liners use.

Python stands in for .NET like this: ``None`` is ``$null``; ``bool``/``int``/``float``/``str`` as
themselves; ``list`` is ``object[]``; :class:`~hvgui.simulator.formatting.ArrayList`,
:class:`~hvgui.simulator.formatting.PSDict` (Hashtable / OrderedDictionary),
:class:`~hvgui.simulator.formatting.PSGuid`, :class:`~hvgui.simulator.formatting.PSEnum`,
:class:`~hvgui.simulator.formatting.PSVersion`, :class:`~hvgui.simulator.formatting.PSObject`
(cmdlet output, PSCustomObject), ``bytes`` is ``byte[]``.

Anything not implemented raises :class:`NotImplementedInSimulator`, which the interpreter turns
into a loud error naming the construct: a script never silently does less on the simulator than
on Windows.
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from xml.etree import ElementTree

from hvgui.simulator.formatting import (
    ArrayList,
    PSDict,
    PSEnum,
    PSGuid,
    PSObject,
    PSVersion,
    display,
    format_double,
)

if TYPE_CHECKING:
    from hvgui.simulator.psparse import Parsed
    from hvgui.simulator.psparse import SyntaxNode as Node


class NotImplementedInSimulator(Exception):
    """A construct, type or member the simulated PowerShell does not implement."""


class PSRuntimeError(Exception):
    """A PowerShell error (what ``$_`` is in a ``catch``)."""

    def __init__(self, message: str, *, exception_type: str = "System.Management.Automation.RuntimeException",
                 category: str = "NotSpecified", error_id: str = "RuntimeException", target: str = "",
                 reason: str = "", inner: PSRuntimeError | None = None, script_terminating: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.exception_type = exception_type
        self.category = category
        self.error_id = error_id
        self.target = target
        self.reason = reason or exception_type.rsplit(".", 1)[-1]
        self.inner = inner
        self.script_terminating = script_terminating
        """``throw`` and ``-ErrorAction Stop`` end the script unless caught; other errors only
        end their statement."""
        self.command = ""
        """The command that wrote it (``Get-VM``), shown before the message."""
        self.position: tuple[int, int] | None = None
        """Character offset and length in the script, for ``At line:N char:M``."""
        self.script: str = ""

    @property
    def category_info(self) -> str:
        return f"{self.category}: ({self.target}:{'String' if self.target else ''}) [{self.command}], {self.reason}"


def cast_error(value: Any, type_name: str, detail: str, error_id: str = "InvalidCastFromStringToInteger") \
        -> PSRuntimeError:
    return PSRuntimeError(f'Cannot convert value "{display(value)}" to type "{type_name}". Error: "{detail}"',
                          exception_type="System.Management.Automation.PSInvalidCastException",
                          category="InvalidArgument", error_id=error_id, reason="RuntimeException")


def method_error(name: str, argc: int, inner: str) -> PSRuntimeError:
    return PSRuntimeError(f'Exception calling "{name}" with "{argc}" argument(s): "{inner}"',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          category="NotSpecified", error_id=_exception_id(inner), reason="MethodInvocationException",
                          inner=PSRuntimeError(inner))


def _exception_id(inner: str) -> str:
    if "Base-64" in inner:
        return "FormatException"
    return "DotNetMethodException"


def null_method_error() -> PSRuntimeError:
    return PSRuntimeError("You cannot call a method on a null-valued expression.", category="InvalidOperation",
                          error_id="InvokeMethodOnNull")


# ---------------------------------------------------------------- script blocks and other values

@dataclass(eq=False)
class ScriptBlock:
    """``{ ... }`` or ``[ScriptBlock]::Create(text)``: a parsed body, run by the interpreter."""

    text: str
    parsed: Any
    """:class:`hvgui.simulator.powershell.Parsed` of its own text, or None when part of a larger script."""
    node: Any
    """The ``script_block`` node (or program root) to run."""

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class PSType:
    """A type literal (``[Convert]``) used for its static members or with ``-is``/``-as``."""

    name: str
    """Canonical full name, e.g. ``System.Convert``."""
    element: PSType | None = None
    """For ``[string[]]``: the element type."""

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class TextWriter:
    """``[Console]::Out``: lines go to the command's stdout."""

    write: Callable[[str], None]

    def __str__(self) -> str:
        return "System.IO.TextWriter+SyncTextWriter"


@dataclass(eq=False)
class TextReader:
    """``[Console]::In``: lines of the command's stdin, as they arrive (it may stay open)."""

    read_line: Callable[[], str | None]

    def __str__(self) -> str:
        return "System.IO.TextReader+SyncTextReader"


MEMORY_STREAM: Final = "System.IO.MemoryStream"
GZIP_STREAM: Final = "System.IO.Compression.GZipStream"


@dataclass(eq=False)
class Stream:
    """A ``System.IO.MemoryStream``, or a ``System.IO.Compression.GZipStream`` compressing into
    one (``inner``). As on Windows, what a GZipStream is given reaches its stream only when it is
    closed (the last block and the trailer): a script that reads the buffer first gets a cut
    stream. Closing a GZipStream closes its stream too; ``ToArray`` still works on a closed
    MemoryStream."""

    type_name: str
    data: bytearray = field(default_factory=bytearray)
    inner: Stream | None = None
    closed: bool = False

    def __str__(self) -> str:
        return self.type_name

    def call(self, name: str, args: list[Any]) -> Any:
        low = name.lower()
        if low == "write" and len(args) == 3:
            if self.closed:
                raise method_error(name, 3, "Cannot access a closed Stream.")
            data = to_bytes(args[0])
            offset, count = to_int(args[1]), to_int(args[2])
            if offset < 0 or count < 0 or offset + count > len(data):
                raise method_error(name, 3, "Offset and length were out of bounds for the array or count is "
                                            "greater than the number of elements from index to the end of the "
                                            "source collection.")
            self.data += data[offset:offset + count]
            return AUTOMATION_NULL
        if low in ("close", "dispose") and not args:
            if not self.closed and self.inner is not None:
                self.inner.data += gzip.compress(bytes(self.data))
                self.inner.closed = True
            self.closed = True
            return AUTOMATION_NULL
        if low == "toarray" and not args and self.inner is None:
            return bytes(self.data)
        raise NotImplementedInSimulator(f"the method {self.type_name}.{name}()")


@dataclass(frozen=True)
class Encoding:
    codec: str
    name: str

    def __str__(self) -> str:
        return f"System.Text.{self.name}"


@dataclass(eq=False)
class XmlNode:
    element: ElementTree.Element
    document: bool = False

    def __str__(self) -> str:
        return "#document" if self.document else self.element.tag


@dataclass(eq=False)
class Principal:
    """``WindowsIdentity`` / ``WindowsPrincipal`` of the logged-on user."""

    user: str
    groups: frozenset[str] = field(default_factory=frozenset)
    """SIDs of the groups the user is in (``S-1-5-32-544`` Administrators...)."""
    principal: bool = False

    def __str__(self) -> str:
        return ("System.Security.Principal.WindowsPrincipal" if self.principal
                else "System.Security.Principal.WindowsIdentity")


SID_ADMINISTRATORS: Final = "S-1-5-32-544"
SID_HYPERV_ADMINISTRATORS: Final = "S-1-5-32-578"
SID_REMOTE_MANAGEMENT_USERS: Final = "S-1-5-32-580"

class Cancelled(Exception):
    """The command was stopped (Signal terminate, shell deleted): not catchable by scripts."""


class ProcessEnded(Exception):
    """The process ended where it was (killed, or ended by a policy): not catchable by scripts;
    ``message`` (if any) goes to stderr and the command ends with ``code``."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Param:
    name: str
    type: PSType | None = None
    mandatory: bool = False
    default: Node | None = None


@dataclass
class FunctionDef:
    name: str
    params: list[Param]
    body: Node | None
    """``script_block`` (or the program root for a created script block); None when empty."""
    parsed: Parsed
    advanced: bool = False
    keys: list[str] = field(init=False, repr=False)
    """The parameters' names in lower case (binding compares them on every call)."""

    def __post_init__(self) -> None:
        self.keys = [p.name.lower() for p in self.params]


@dataclass
class Invocation:
    """One call of a cmdlet: its bound parameters and pipeline input."""

    name: str
    bound: dict[str, Any]
    pipeline: list[Any]
    offset: int
    length: int
    script: str
    positional: list[Any] = field(default_factory=list)

    def switch(self, name: str) -> bool:
        return is_true(self.bound.get(name))

    def strings(self, name: str) -> list[str] | None:
        if name not in self.bound:
            return None
        value = self.bound[name]
        items = value if isinstance(value, list) else [value]
        return [to_string(v) for v in items]


AUTOMATION_NULL: Final = object()
"""What a void method or a command with no output gives: nothing at all in a pipeline."""


# ---------------------------------------------------------------- types

#: Type accelerators and short names -> canonical full name.
_TYPES: Final[dict[str, str]] = {
    "string": "System.String", "int": "System.Int32", "int32": "System.Int32", "long": "System.Int64",
    "int64": "System.Int64", "bool": "System.Boolean", "boolean": "System.Boolean", "double": "System.Double",
    "decimal": "System.Decimal", "char": "System.Char", "byte": "System.Byte", "guid": "System.Guid",
    "object": "System.Object", "array": "System.Array", "hashtable": "System.Collections.Hashtable",
    "ordered": "ordered", "xml": "System.Xml.XmlDocument", "void": "System.Void",
    "scriptblock": "System.Management.Automation.ScriptBlock",
    "pscustomobject": "System.Management.Automation.PSObject", "psobject": "System.Management.Automation.PSObject",
    "version": "System.Version", "regex": "System.Text.RegularExpressions.Regex",
    "convert": "System.Convert", "console": "System.Console", "text.encoding": "System.Text.Encoding",
    "environment": "System.Environment", "stringsplitoptions": "System.StringSplitOptions",
    "collections.arraylist": "System.Collections.ArrayList", "math": "System.Math",
    "security.principal.windowsidentity": "System.Security.Principal.WindowsIdentity",
    "security.principal.windowsprincipal": "System.Security.Principal.WindowsPrincipal",
    "security.principal.windowsbuiltinrole": "System.Security.Principal.WindowsBuiltInRole",
    "security.principal.securityidentifier": "System.Security.Principal.SecurityIdentifier",
    "io.path": "System.IO.Path", "io.memorystream": MEMORY_STREAM, "io.compression.gzipstream": GZIP_STREAM,
    "io.compression.compressionmode": "System.IO.Compression.CompressionMode", "datetime": "System.DateTime",
    "type": "System.Type",
    "uint16": "System.UInt16", "uint32": "System.UInt32", "switch": "System.Management.Automation.SwitchParameter",
    "parameter": "System.Management.Automation.ParameterAttribute",
    "cmdletbinding": "System.Management.Automation.CmdletBindingAttribute",
}


def resolve_type(name: str) -> PSType:
    """The type a type literal names (the same object for the same text: types never change)."""
    found = _resolved.get(name)
    if found is None:
        found = _resolve_type(name)
        if len(_resolved) < 1024:
            _resolved[name] = found
    return found


_resolved: dict[str, PSType] = {}


def _resolve_type(name: str) -> PSType:
    text = name.strip()
    if text.endswith("[]"):
        return PSType(resolve_type(text[:-2]).name + "[]", resolve_type(text[:-2]))
    low = text.lower()
    if low.startswith("system."):
        low = low[len("system."):]
    full = _TYPES.get(low)
    if full is None:
        known = {v.lower(): v for v in _TYPES.values()}
        full = known.get(text.lower()) or known.get("system." + low)
    if full is None:
        raise PSRuntimeError(f"Unable to find type [{text}].", category="InvalidOperation",
                             error_id="TypeNotFound", target=text, reason="RuntimeException")
    return PSType(full)


def type_name_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, int):
        return "System.Int32" if -2**31 <= value < 2**31 else "System.Int64"
    if isinstance(value, float):
        return "System.Double"
    if isinstance(value, str):
        return "System.String"
    if isinstance(value, ArrayList):
        return "System.Collections.ArrayList"
    if isinstance(value, list):
        return "System.Object[]"
    if isinstance(value, PSDict):
        return value.type_name
    if isinstance(value, PSGuid):
        return "System.Guid"
    if isinstance(value, PSVersion):
        return "System.Version"
    if isinstance(value, bytes):
        return "System.Byte[]"
    if isinstance(value, PSObject):
        return value.type_name
    if isinstance(value, ScriptBlock):
        return "System.Management.Automation.ScriptBlock"
    return str(value)


# ---------------------------------------------------------------- conversions

def is_true(value: Any) -> bool:
    """``LanguagePrimitives.IsTrue``."""
    if value is None or value is AUTOMATION_NULL:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return len(value) > 0
    if isinstance(value, PSEnum):
        return value.value != 0
    if isinstance(value, list):
        if not value:
            return False
        if len(value) == 1:
            return True if isinstance(value[0], list) else is_true(value[0])
        return True
    return True


def to_string(value: Any) -> str:
    if value is None or value is AUTOMATION_NULL:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, list):
        return " ".join(to_string(v) for v in value)
    if isinstance(value, PSObject) and not value.to_string and value.type_name.endswith("PSCustomObject"):
        return "@{" + "; ".join(f"{k}={to_string(v)}" for k, v in value.props.items()) + "}"
    if isinstance(value, bytes):
        return "System.Byte[]"
    return str(value)


_INT_RE: Final = re.compile(r"^\s*([+-]?)(0x[0-9a-f]+|\d+)\s*$", re.IGNORECASE)


def to_number(value: Any, type_name: str = "System.Int32") -> int | float:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, PSEnum):
        return value.value
    if isinstance(value, str):
        m = _INT_RE.match(value)
        if m:
            return int(m.group(1) + m.group(2), 16 if m.group(2).lower().startswith("0x") else 10)
        try:
            return float(value.strip())
        except ValueError:
            raise cast_error(value, type_name, "Input string was not in a correct format.") from None
    if isinstance(value, list) and len(value) == 1:
        return to_number(value[0], type_name)
    raise cast_error(value, type_name, f'Cannot convert the "{display(value)}" value of type '
                                       f'"{type_name_of(value)}" to type "{type_name}".',
                     "InvalidCastException")


def to_int(value: Any) -> int:
    n = to_number(value)
    if isinstance(n, float):
        return round(n)  # Python rounds half to even, as .NET's Convert does
    return n


def to_guid(value: Any) -> PSGuid:
    if isinstance(value, PSGuid):
        return value
    text = to_string(value).strip()
    try:
        return PSGuid(uuid.UUID(text))
    except ValueError:
        raise cast_error(value, "System.Guid", "Guid should contain 32 digits with 4 dashes "
                                               "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
                         "InvalidCastParseTargetInvocation") from None


def to_list(value: Any) -> list[Any]:
    """``@(value)``: arrays as they are, $null as nothing, anything else as one element."""
    if value is None or value is AUTOMATION_NULL:
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, bytes):
        return list(value)
    return [value]


def to_bytes(value: Any) -> bytes:
    """A ``[byte[]]`` argument: bytes as they are, an array of numbers converted."""
    return value if isinstance(value, bytes) else bytes(to_int(x) for x in to_list(value))


def enumerate_value(value: Any) -> list[Any]:
    """What a value writes to the pipeline: collections one element at a time, dictionaries
    and strings whole, $null as one $null, a void result as nothing."""
    if value is AUTOMATION_NULL:
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, PSObject) and isinstance(value.extra.get("collection"), list):
        return list(value.extra["collection"])
    return [value]


def collect(items: list[Any]) -> Any:
    """A pipeline's output used as a value: nothing -> $null, one -> it, more -> object[]."""
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return list(items)


def convert(value: Any, t: PSType) -> Any:
    """``[type]value``."""
    name = t.name
    if t.element is not None:
        return [convert(v, t.element) for v in to_list(value)]
    if name in ("System.Object", "System.Management.Automation.PSObject") and not isinstance(value, PSDict):
        return value
    if name == "System.Management.Automation.PSObject":
        return PSObject("System.Management.Automation.PSCustomObject", dict(value.items()))
    if name == "System.String":
        return to_string(value)
    if name == "System.Boolean" or name == "System.Management.Automation.SwitchParameter":
        return is_true(value)
    if name in ("System.Int32", "System.Int64", "System.Byte", "System.UInt16", "System.UInt32"):
        return to_int(value)
    if name in ("System.Double", "System.Decimal"):
        return float(to_number(value, name))
    if name == "System.Guid":
        return to_guid(value)
    if name == "System.Array":
        return to_list(value)
    if name == "System.Collections.Hashtable":
        if isinstance(value, PSDict):
            out = PSDict()
            for k, v in value.items():
                out.set(k, v)
            return out
        raise cast_error(value, name, "", "ConvertToFinalInvalidCastException")
    if name == "System.Void":
        return AUTOMATION_NULL
    if name == "System.Version":
        if isinstance(value, PSVersion):
            return value
        text = to_string(value).strip()
        if not re.fullmatch(r"\d+(\.\d+){1,3}", text):
            raise cast_error(value, name, "Version string portion was too short or too long.",
                             "InvalidCastParseTargetInvocation")
        return PSVersion(text)
    if name == "System.Xml.XmlDocument":
        if isinstance(value, XmlNode):
            return value
        try:
            root = ElementTree.fromstring(to_string(value))
        except ElementTree.ParseError as exc:
            raise cast_error(value, name, f"{exc}", "InvalidCastToXmlDocument") from None
        return XmlNode(root, document=True)
    if name == "System.Security.Principal.WindowsPrincipal" and isinstance(value, Principal):
        return Principal(value.user, value.groups, principal=True)
    if name == "System.Security.Principal.SecurityIdentifier":
        text = to_string(value)
        if not re.fullmatch(r"S-\d+(-\d+)+", text):
            raise cast_error(value, name, "Value was invalid.", "InvalidCastConstructorException")
        return PSObject(name, {"Value": text}, to_string=text)
    if name == "System.Management.Automation.ScriptBlock" and isinstance(value, ScriptBlock):
        return value
    if name == "System.Text.RegularExpressions.Regex":
        return to_string(value)
    if name == "ordered":
        raise PSRuntimeError("The ordered attribute can be specified only on a hash literal node.",
                             category="ParserError", error_id="OrderedAttributeOnlyOnHashLiteralNode")
    if type_name_of(value) == name:
        return value
    raise NotImplementedInSimulator(f"conversion of {type_name_of(value)} to [{name}]")


def is_instance(value: Any, t: PSType) -> bool:
    name = t.name
    if name == "System.Object":
        return value is not None
    if name == "System.Array":
        return isinstance(value, list) and not isinstance(value, ArrayList)
    if name == "System.Collections.Hashtable":
        return isinstance(value, PSDict) and not value.ordered
    if name == "System.Management.Automation.PSObject":
        return isinstance(value, PSObject)
    return type_name_of(value) == name or (name.endswith("[]") and isinstance(value, list))


# ---------------------------------------------------------------- comparisons

def _fold(text: str) -> str:
    return text.casefold()


def equals(left: Any, right: Any, case_sensitive: bool = False) -> bool:
    """``left -eq right`` for one left value: the right side converted to the left's type."""
    if left is None:
        return right is None
    if right is None:
        return False
    if isinstance(left, str):
        r = to_string(right)
        return left == r if case_sensitive else _fold(left) == _fold(r)
    if isinstance(left, bool):
        return left == is_true(right)
    if isinstance(left, int | float):
        try:
            return left == to_number(right)
        except PSRuntimeError:
            return False
    if isinstance(left, PSEnum):
        if isinstance(right, str):
            return _fold(left.name) == _fold(right) or right.strip() == str(left.value)
        try:
            return left.value == to_number(right)
        except PSRuntimeError:
            return False
    if isinstance(left, PSGuid):
        try:
            return left == to_guid(right)
        except PSRuntimeError:
            return False
    if isinstance(left, PSVersion):
        return str(left) == to_string(right)
    return left is right or left == right


def compare(left: Any, right: Any, case_sensitive: bool = False) -> int:
    """-1/0/1 for ``-lt``/``-gt``..."""
    if isinstance(left, str):
        a, b = (left, to_string(right)) if case_sensitive else (_fold(left), _fold(to_string(right)))
        return (a > b) - (a < b)
    if left is None:
        return 0 if right is None else -1
    if isinstance(left, PSVersion):
        la = [int(x) for x in str(left).split(".")]
        ra = [int(x) for x in to_string(right).split(".")]
        return (la > ra) - (la < ra)
    a_num = to_number(left)
    b_num = to_number(right) if right is not None else 0
    return (a_num > b_num) - (a_num < b_num)


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


def has_wildcards(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def wildcard_match(pattern: str, text: str) -> bool:
    if not has_wildcards(pattern) and "`" not in pattern:
        return pattern.casefold() == text.casefold()
    try:
        return wildcard_regex(pattern).fullmatch(text) is not None
    except re.error:
        return pattern.casefold() == text.casefold()


@functools.lru_cache(maxsize=512)
def dotnet_regex(pattern: str) -> str:
    """.NET regex syntax to Python's for the common subset (named groups)."""
    return re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern)


def binary_op(op: str, left: Any, right: Any, set_matches: Callable[[Any], None]) -> Any:
    """Every binary operator of the language but ``-and``/``-or`` (short-circuit) and ``-f``."""
    o = op.lower()
    if o in ("+", "-", "*", "/", "%"):
        return _arith(o, left, right)
    if o.startswith("-"):
        o = o[1:]
    cs = o.startswith("c") and o[1:] in _CMP_NAMES
    if (o.startswith("c") or o.startswith("i")) and o[1:] in _CMP_NAMES:
        o = o[1:]
    if o in ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch"):
        if isinstance(left, list):
            # on a collection -match filters it and leaves $Matches alone, as PowerShell does
            return [x for x in left if _scalar_cmp(o, x, right, cs, None)]
        return _scalar_cmp(o, left, right, cs, set_matches)
    if o in ("contains", "notcontains"):
        hit = any(equals(x, right, cs) for x in to_list(left) or ([None] if left is None else []))
        return hit if o == "contains" else not hit
    if o in ("in", "notin"):
        hit = any(equals(x, left, cs) for x in to_list(right))
        return hit if o == "in" else not hit
    if o == "join":
        return to_string(right).join(to_string(x) for x in to_list(left))
    if o == "split":
        return split_op(left, right, cs)
    if o == "replace":
        pattern, repl = [*right, ""][:2] if isinstance(right, list) else (right, "")
        regex = re.compile(dotnet_regex(to_string(pattern)), 0 if cs else re.IGNORECASE)
        py_repl = re.sub(r"\$(\d+)", r"\\\1", to_string(repl).replace("\\", "\\\\"))
        return [regex.sub(py_repl, to_string(x)) for x in left] if isinstance(left, list) \
            else regex.sub(py_repl, to_string(left))
    if o in ("is", "isnot"):
        t = right if isinstance(right, PSType) else resolve_type(to_string(right))
        return is_instance(left, t) == (o == "is")
    if o == "as":
        t = right if isinstance(right, PSType) else resolve_type(to_string(right))
        try:
            return convert(left, t)
        except PSRuntimeError:
            return None
    if o in ("band", "bor", "bxor"):
        a, b = to_int(left), to_int(right)
        return a & b if o == "band" else a | b if o == "bor" else a ^ b
    if o == "xor":
        return is_true(left) != is_true(right)
    raise NotImplementedInSimulator(f"the operator {op}")


_CMP_NAMES: Final = ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                     "notcontains", "in", "notin", "replace", "split")


def _scalar_cmp(o: str, left: Any, right: Any, cs: bool, set_matches: Callable[[Any], None] | None) -> bool:
    if o == "eq":
        return equals(left, right, cs)
    if o == "ne":
        return not equals(left, right, cs)
    if o in ("like", "notlike"):
        pattern = to_string(right)
        text = to_string(left)
        hit = (wildcard_regex(pattern).fullmatch(text) is not None) if not cs else \
            re.fullmatch(wildcard_regex(pattern).pattern, text, re.DOTALL) is not None
        return hit if o == "like" else not hit
    if o in ("match", "notmatch"):
        m = re.search(dotnet_regex(to_string(right)), to_string(left), 0 if cs else re.IGNORECASE)
        if m and set_matches is not None:
            groups = PSDict()
            groups.set(0, m.group(0))
            for i, g in enumerate(m.groups(), start=1):
                if g is not None:
                    groups.set(i, g)
            for k, g in m.groupdict().items():
                if g is not None:
                    groups.set(k, g)
            set_matches(groups)
        return (m is not None) if o == "match" else m is None
    c = compare(left, right, cs)
    return {"gt": c > 0, "ge": c >= 0, "lt": c < 0, "le": c <= 0}[o]


def split_op(left: Any, right: Any, cs: bool = False) -> list[str]:
    if right is None:  # unary -split: on whitespace
        return [p for x in to_list(left) for p in to_string(x).split()]
    args = right if isinstance(right, list) else [right]
    pattern = to_string(args[0])
    limit = to_int(args[1]) if len(args) > 1 else 0
    regex = re.compile(dotnet_regex(pattern), 0 if cs else re.IGNORECASE)
    out: list[str] = []
    for x in to_list(left):
        out.extend(regex.split(to_string(x), maxsplit=max(0, limit - 1)) if limit > 0 else regex.split(to_string(x)))
    return out


def _arith(o: str, left: Any, right: Any) -> Any:
    if o == "+":
        if left is None:
            return right
        if isinstance(left, str):
            return left + to_string(right)
        if isinstance(left, list):
            return [*left, *(right if isinstance(right, list) else [right])]
        if isinstance(left, PSDict):
            if not isinstance(right, PSDict):
                raise PSRuntimeError("A hash table can only be added to another hash table.",
                                     category="InvalidOperation", error_id="AddHashTableToNonHashTable")
            out = PSDict(left.ordered)
            for k, v in left.items():
                out.set(k, v)
            for k, v in right.items():
                if k in out:
                    raise PSRuntimeError(f"Item has already been added. Key in dictionary: '{k}'  Key being added: "
                                         f"'{k}'", category="InvalidOperation", error_id="DuplicateKeyInHashLiteral")
                out.set(k, v)
            return out
    if o == "*" and isinstance(left, str):
        return left * to_int(right)
    if o == "*" and isinstance(left, list):
        return left * to_int(right)
    if left is None and o != "+":
        left = 0
    a = to_number(left)
    b = to_number(right)
    if o == "+":
        return a + b
    if o == "-":
        return a - b
    if o == "*":
        return a * b
    if b == 0:
        raise PSRuntimeError("Attempted to divide by zero.", category="NotSpecified",
                             error_id="RuntimeException", reason="RuntimeException")
    if o == "/":
        q = a / b
        return int(q) if isinstance(a, int) and isinstance(b, int) and q.is_integer() else q
    return math.fmod(a, b) if isinstance(a, float) or isinstance(b, float) else int(math.fmod(a, b))


def format_op(fmt: str, args: list[Any]) -> str:
    """``-f``: .NET composite formatting for ``{0}``, ``{0,5}``, ``{0:N2}``, ``{{``."""

    def one(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        index = int(m.group(1))
        if index >= len(args):
            raise PSRuntimeError("Error formatting a string: Index (zero based) must be greater than or equal to "
                                 "zero and less than the size of the argument list..", category="InvalidOperation",
                                 error_id="FormatError")
        value = args[index]
        spec = m.group(3) or ""
        if spec[:1] in ("N", "n") and isinstance(value, int | float):
            digits = int(spec[1:] or 2)
            text = f"{value:,.{digits}f}"
        elif spec[:1] in ("D", "d") and isinstance(value, int):
            text = str(value).zfill(int(spec[1:] or 0))
        else:
            text = to_string(value)
        width = int(m.group(2)) if m.group(2) else 0
        return text.rjust(width) if width > 0 else text.ljust(-width)

    return re.sub(r"\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}", one, fmt)


# ---------------------------------------------------------------- .NET members

def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(re.sub(r"\s", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise method_error("FromBase64String", 1,
                           "The input is not a valid Base-64 string as it contains a non-base 64 character, more "
                           "than two padding characters, or an illegal character among the padding characters. ") \
            from None


def string_method(s: str, name: str, args: list[Any]) -> Any:
    n = name.lower()
    a = args
    if n == "tolowerinvariant" or n == "tolower":
        return s.lower()
    if n == "toupperinvariant" or n == "toupper":
        return s.upper()
    if n == "tostring":
        return s
    if n in ("trim", "trimstart", "trimend"):
        chars = "".join(to_string(x) for x in a) if a else None
        return {"trim": s.strip, "trimstart": s.lstrip, "trimend": s.rstrip}[n](chars)
    if n == "split":
        return _string_split(s, a)
    if n == "replace":
        return s.replace(to_string(a[0]), to_string(a[1]))
    if n == "contains":
        return to_string(a[0]) in s
    if n == "startswith":
        return s.startswith(to_string(a[0]))
    if n == "endswith":
        return s.endswith(to_string(a[0]))
    if n == "substring":
        start = to_int(a[0])
        length = to_int(a[1]) if len(a) > 1 else len(s) - start
        if start < 0 or start + length > len(s) or length < 0:
            raise method_error("Substring", len(a), "Index and length must refer to a location within the string.\r\n"
                                                     "Parameter name: length")
        return s[start:start + length]
    if n == "indexof":
        return s.find(to_string(a[0]))
    if n == "lastindexof":
        return s.rfind(to_string(a[0]))
    if n == "padleft":
        return s.rjust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " ")
    if n == "padright":
        return s.ljust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " ")
    if n == "equals":
        return s == to_string(a[0])
    if n == "gettype":
        return PSType("System.String")
    raise NotImplementedInSimulator(f"the method String.{name}()")


def _string_split(s: str, args: list[Any]) -> list[str]:
    """``String.Split``: (char[]/string) | (string[], count, options) | (string[], options)."""
    if not args:
        return s.split()
    seps_arg = args[0]
    count = -1
    remove_empty = False
    for extra in args[1:]:
        if isinstance(extra, PSEnum):
            remove_empty = extra.name == "RemoveEmptyEntries"
        else:
            count = to_int(extra)
    if isinstance(seps_arg, list):
        seps = [to_string(x) for x in seps_arg]
    else:
        text = to_string(seps_arg)
        seps = list(text) if not isinstance(seps_arg, list) and len(args) == 1 else [text]
    seps = [x for x in seps if x] or [" "]
    regex = "|".join(re.escape(x) for x in seps)
    parts = re.split(regex, s, maxsplit=count - 1) if count > 0 else re.split(regex, s)
    if remove_empty:
        parts = [p for p in parts if p]
    return parts


def collection_method(target: list[Any], name: str, args: list[Any]) -> Any:
    n = name.lower()
    if n == "add" and isinstance(target, ArrayList):
        target.append(args[0] if args else None)
        return len(target) - 1
    if n == "addrange" and isinstance(target, ArrayList):
        target.extend(to_list(args[0]))
        return AUTOMATION_NULL
    if n == "add":
        raise method_error("Add", len(args), "Collection was of a fixed size.")
    if n == "contains":
        return any(equals(x, args[0], True) if isinstance(x, str) else equals(x, args[0]) for x in target)
    if n == "indexof":
        for i, x in enumerate(target):
            if equals(x, args[0], True):
                return i
        return -1
    if n == "remove" and isinstance(target, ArrayList):
        for i, x in enumerate(target):
            if equals(x, args[0], True):
                del target[i]
                break
        return AUTOMATION_NULL
    if n == "clear" and isinstance(target, ArrayList):
        target.clear()
        return AUTOMATION_NULL
    if n == "toarray":
        return list(target)
    if n == "gettype":
        return PSType(type_name_of(target))
    raise NotImplementedInSimulator(f"the method {type_name_of(target)}.{name}()")


def dict_method(target: PSDict, name: str, args: list[Any]) -> Any:
    n = name.lower()
    if n in ("containskey", "contains"):
        return args[0] in target
    if n == "containsvalue":
        return any(equals(v, args[0]) for v in target.values())
    if n == "add":
        if args[0] in target:
            raise method_error("Add", 2, f"Item has already been added. Key in dictionary: '{to_string(args[0])}'  "
                                         f"Key being added: '{to_string(args[0])}'")
        target.set(args[0], args[1])
        return AUTOMATION_NULL
    if n == "remove":
        target.remove(args[0])
        return AUTOMATION_NULL
    if n == "clear":
        target.clear()
        return AUTOMATION_NULL
    if n == "getenumerator":
        return [PSObject("System.Collections.DictionaryEntry", {"Name": k, "Key": k, "Value": v})
                for k, v in target.items()]
    if n == "gettype":
        return PSType(target.type_name)
    raise NotImplementedInSimulator(f"the method {target.type_name}.{name}()")


def xpath_select(node: XmlNode, xpath: str, single: bool) -> Any:
    """``SelectSingleNode``/``SelectNodes`` for absolute or relative element paths with
    ``[@attr='value']`` predicates (ElementTree's XPath subset)."""
    path = xpath.strip()
    root = node.element
    if path.startswith("/"):
        steps = path.lstrip("/").split("/", 1)
        first = re.match(r"([\w.\-]+)(\[.*\])?$", steps[0])
        if not first or not node.document:
            raise NotImplementedInSimulator(f"the XPath {xpath!r}")
        if first.group(1) != root.tag:
            return None if single else []
        if first.group(2):
            raise NotImplementedInSimulator(f"the XPath {xpath!r}")
        rest = steps[1] if len(steps) > 1 else ""
        found = [root] if not rest else root.findall(rest)
    else:
        found = root.findall(path)
    nodes = [XmlNode(e) for e in found]
    if single:
        return nodes[0] if nodes else None
    return nodes


def xml_member(node: XmlNode, name: str) -> Any:
    n = name.lower()
    if n in ("innertext", "#text"):
        return "".join(node.element.itertext())
    if n == "documentelement":
        return XmlNode(node.element)
    if n in ("name", "localname"):
        return "#document" if node.document else node.element.tag
    if n == "outerxml":
        return ElementTree.tostring(node.element, encoding="unicode")
    if node.document and node.element.tag == name:
        return XmlNode(node.element)
    attr = node.element.get(name)
    if attr is not None:
        return attr
    kids = [XmlNode(c) for c in node.element if c.tag == name]
    if not kids:
        return None
    if len(kids) == 1 and len(kids[0].element) == 0 and not kids[0].element.attrib:
        return kids[0].element.text or ""
    return kids[0] if len(kids) == 1 else kids
