"""PowerShell's parser as the simulated host has it: tree-sitter-powershell, with the messages
Windows PowerShell 5.1 gives for the usual syntax errors.

Known gap of the grammar worked around here: a list of bare words (``Select-Object Name, State``) is
a false syntax error in tree-sitter-powershell 0.26.4; when a script fails to parse, the bare words of
such lists are quoted and the script is parsed again (same meaning: bare words are strings).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Final

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
