"""PowerShell's parser as the simulated host has it: tree-sitter-powershell, with the messages
Windows PowerShell 5.1 gives for the usual syntax errors.

Each parse is turned once into a tree of plain Python nodes (:class:`SyntaxNode`, the same shape
and names as tree-sitter's) and cached by the script's text: the interpreter walks a script many
times (every request of a kept-alive PowerShell runs the same operation script), and reading a
tree-sitter node's fields allocates a new wrapper object on every access.

Known gap of the grammar worked around here: a list of bare words (``Select-Object Name, State``) is
a false syntax error in tree-sitter-powershell 0.26.4; when a script fails to parse, the bare words of
such lists are quoted and the script is parsed again (same meaning: bare words are strings).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

import tree_sitter
import tree_sitter_powershell

from hvgui.simulator import clixml

LANGUAGE: Final = tree_sitter.Language(tree_sitter_powershell.language())

_local = threading.local()


def _parser() -> tree_sitter.Parser:
    parser: tree_sitter.Parser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = tree_sitter.Parser(LANGUAGE)
        _local.parser = parser
    return parser


# ---------------------------------------------------------------- the syntax tree

class SyntaxNode:
    """One node of a parsed script: what the interpreter reads of a tree-sitter node, copied once
    into plain attributes. ``memo`` holds what the interpreter derives from a node (its
    statements, its operator...), computed the first time it is needed: the tree never changes."""

    __slots__ = ("child_count", "children", "collapsed", "end_byte", "fields", "is_missing", "is_named", "kids",
                 "memo", "named_children", "start_byte", "text", "type")

    def __init__(self, type_: str, is_named: bool, start_byte: int, end_byte: int, is_missing: bool) -> None:
        self.type = type_
        self.is_named = is_named
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.is_missing = is_missing
        self.children: list[SyntaxNode] = []
        self.named_children: list[SyntaxNode] = []
        self.kids: list[SyntaxNode] = []
        """The named children that are not comments."""
        self.child_count = 0
        self.fields: dict[str, SyntaxNode] | None = None
        self.text: str | None = None
        """The node's source text, once asked for (see :meth:`Parsed.text`)."""
        self.collapsed: SyntaxNode | None = None
        """The node a chain of precedence wrappers stands for, once asked for."""
        self.memo: dict[str, Any] = {}

    def child_by_field_name(self, name: str) -> SyntaxNode | None:
        return self.fields.get(name) if self.fields is not None else None

    def __repr__(self) -> str:
        return f"<SyntaxNode {self.type} {self.start_byte}-{self.end_byte}>"


def _mirror(tree: tree_sitter.Tree) -> SyntaxNode:
    """The tree as :class:`SyntaxNode` objects (iteratively: scripts can nest deeper than Python's
    recursion limit)."""
    cursor = tree.walk()
    n = cursor.node
    assert n is not None
    root = SyntaxNode(n.type, n.is_named, n.start_byte, n.end_byte, n.is_missing)
    stack = [root]
    while True:
        if cursor.goto_first_child():
            parent = stack[-1]
        else:
            while not cursor.goto_next_sibling():
                _finish(stack.pop())
                if not stack or not cursor.goto_parent():
                    return root
            _finish(stack.pop())
            parent = stack[-1]
        n = cursor.node
        assert n is not None
        node = SyntaxNode(n.type, n.is_named, n.start_byte, n.end_byte, n.is_missing)
        parent.children.append(node)
        field = cursor.field_name
        if field is not None:
            if parent.fields is None:
                parent.fields = {}
            parent.fields.setdefault(field, node)
        stack.append(node)


_NONE: Final[list[SyntaxNode]] = []
"""The children of every leaf (never changed once a tree is built)."""


def _finish(node: SyntaxNode) -> None:
    # Lists shared where they are equal: a cached tree is kept, and most nodes are leaves.
    node.child_count = len(node.children)
    if not node.children:
        node.children = node.named_children = node.kids = _NONE
        return
    named = [c for c in node.children if c.is_named]
    node.named_children = node.children if len(named) == node.child_count else named
    node.kids = named if all(c.type != "comment" for c in named) else [c for c in named if c.type != "comment"]


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
    root: SyntaxNode
    ascii: bool
    """The text is ASCII: a byte offset is a character offset."""

    def text(self, node: SyntaxNode) -> str:
        found = node.text
        if found is None:
            found = node.text = self.data[node.start_byte:node.end_byte].decode("utf-8")
        return found

    def char_offset(self, byte_offset: int) -> int:
        if self.ascii:
            return byte_offset
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


_CACHE_SIZE: Final = 64
"""Scripts whose parse is kept (a 7 KB operation script is about 2 MB of nodes)."""
_cache: OrderedDict[str, Parsed | ParseError] = OrderedDict()
_cache_lock = threading.Lock()


def parse(script: str) -> Parsed | ParseError:
    """The script parsed (the same object for the same text: nothing in it changes once built)."""
    with _cache_lock:
        found = _cache.get(script)
        if found is not None:
            _cache.move_to_end(script)
            return found
    found = _parse(script)
    with _cache_lock:
        _cache[script] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _parse(script: str) -> Parsed | ParseError:
    data = script.encode("utf-8")
    tree = _parser().parse(data)
    if not tree.root_node.has_error:
        return Parsed(script, data, _mirror(tree), data.isascii())
    repaired = quote_bare_lists(script)
    if repaired != script:
        rdata = repaired.encode("utf-8")
        rtree = _parser().parse(rdata)
        if not rtree.root_node.has_error:
            return Parsed(repaired, rdata, _mirror(rtree), rdata.isascii())
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
