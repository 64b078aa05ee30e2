"""Objects as Windows PowerShell 5.1 prints them: default table/list views and ``ConvertTo-Json``."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _encode_json_string
from typing import Any, Final

#: Width of the host's "console" for formatted output over WinRS.
TABLE_WIDTH: Final = 120
NL: Final = "\r\n"


@dataclass(frozen=True, slots=True)
class PSEnum:
    """An enum value: ConvertTo-Json (5.1) writes the number, tables write the name."""

    name: str
    value: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class PSVersion:
    """``System.Version``: an object with Major/Minor/Build/Revision in ConvertTo-Json."""

    text: str

    def __str__(self) -> str:
        return self.text

    def as_props(self) -> dict[str, Any]:
        parts = [int(p) for p in self.text.split(".")] + [-1, -1, -1, -1]
        rev = parts[3]
        return {"Major": parts[0], "Minor": parts[1], "Build": parts[2], "Revision": rev,
                "MajorRevision": (rev >> 16) if rev >= 0 else -1, "MinorRevision": (rev & 0xFFFF) if rev >= 0 else -1}


@dataclass(frozen=True, slots=True)
class PSGuid:
    """``System.Guid``: prints lower-case with dashes; ConvertTo-Json writes that string."""

    value: uuid.UUID

    def __str__(self) -> str:
        return str(self.value)


class PSDict:
    """``@{}`` (Hashtable) or ``[ordered]@{}`` (OrderedDictionary): string keys compare
    case-insensitively, as PowerShell's hashtables do. Insertion order is kept for both (a real
    Hashtable enumerates in hash order: scripts must not rely on it)."""

    __slots__ = ("_items", "ordered")

    def __init__(self, ordered: bool = False) -> None:
        self._items: dict[Any, tuple[Any, Any]] = {}
        self.ordered = ordered

    @staticmethod
    def _norm(key: Any) -> Any:
        return key.casefold() if isinstance(key, str) else key

    def __contains__(self, key: Any) -> bool:
        return self._norm(key) in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any, default: Any = None) -> Any:
        found = self._items.get(self._norm(key))
        return default if found is None else found[1]

    def entry(self, key: Any) -> tuple[Any, Any] | None:
        """(the key as first written, the value), or None when the key is not there."""
        return self._items.get(self._norm(key))

    def set(self, key: Any, value: Any) -> None:
        norm = self._norm(key)
        old = self._items.get(norm)
        self._items[norm] = (old[0] if old else key, value)

    def remove(self, key: Any) -> None:
        self._items.pop(self._norm(key), None)

    def clear(self) -> None:
        self._items.clear()

    def keys(self) -> list[Any]:
        return [k for k, _ in self._items.values()]

    def values(self) -> list[Any]:
        return [v for _, v in self._items.values()]

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(list(self._items.values()))

    @property
    def type_name(self) -> str:
        return "System.Collections.Specialized.OrderedDictionary" if self.ordered else "System.Collections.Hashtable"

    def __str__(self) -> str:
        return self.type_name


class ArrayList(list[Any]):
    """``System.Collections.ArrayList`` (a growable list; ``.Add`` returns the new index)."""


@dataclass(eq=False)
class PSObject:
    type_name: str
    props: dict[str, Any]
    default_columns: tuple[str, ...] = ()
    to_string: str = ""
    vm_id: str | None = None
    """For pipeline binding: the VM this object is or belongs to."""
    guid: str | None = None
    """For an integration component: its service GUID."""
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        for k, v in self.props.items():
            if k.casefold() == name.casefold():
                return v
        return None

    def __str__(self) -> str:
        return self.to_string or self.type_name


@dataclass(frozen=True, slots=True)
class FormattedLines:
    """Output of Format-Table / Format-List: already text."""

    lines: tuple[str, ...]


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list | tuple):
        inner = ", ".join(display(v) for v in value)
        return "{" + inner + "}"
    if isinstance(value, float):
        return format_double(value)
    return str(value)


def format_double(value: float) -> str:
    """``System.Double.ToString()`` for the usual cases (``2.5``, ``3``, ``1E+20``)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mantissa.removesuffix('.0')}E{sign}{exp.lstrip('+-').zfill(2)}"
    return text


def _truncate(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    return text[: width - 3] + "..."


def table(objects: list[Any], columns: tuple[str, ...]) -> list[str]:
    rows = [[display(o.get(c) if isinstance(o, PSObject) else None).replace("\n", " ").replace("\r", "")
             for c in columns] for o in objects]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    # PowerShell shrinks the last columns to fit the console, truncating with "...".
    total = sum(widths) + len(widths) - 1
    if total > TABLE_WIDTH:
        for i in range(len(widths) - 1, -1, -1):
            excess = sum(widths) + len(widths) - 1 - TABLE_WIDTH
            if excess <= 0:
                break
            widths[i] = max(len(columns[i]) if i < len(columns) - 1 else 4, widths[i] - excess)

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            text = _truncate(cell, widths[i])
            parts.append(text if i == len(cells) - 1 else text.ljust(widths[i]))
        return " ".join(parts).rstrip()

    out = ["", line(list(columns)), line(["-" * len(c) for c in columns])]
    out += [line(r) for r in rows]
    return [*out, "", ""]


def listing(objects: list[Any], columns: tuple[str, ...]) -> list[str]:
    out = [""]
    width = max((len(c) for c in columns), default=0)
    for o in objects:
        for c in columns:
            out.append(f"{c.ljust(width)} : {display(o.get(c) if isinstance(o, PSObject) else None)}")
        out.append("")
    return [*out, ""]


def out_default(items: list[Any]) -> list[str]:
    """Lines that Out-Default prints for a statement's output."""
    lines: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, FormattedLines):
            lines.extend(item.lines)
            i += 1
            continue
        if isinstance(item, PSObject):
            j = i
            while j < len(items) and isinstance(items[j], PSObject) and items[j].type_name == item.type_name:
                j += 1
            group = items[i:j]
            cols = item.default_columns or tuple(item.props)
            lines.extend(table(group, cols) if len(cols) <= 4 or item.default_columns else listing(group, cols))
            i = j
            continue
        lines.append(display(item))
        i += 1
    return lines


# ---------------------------------------------------------------- ConvertTo-Json (Windows PowerShell 5.1)

_HTML_UNSAFE: Final = re.compile("[<>&']")
_HTML_ESCAPES: Final = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}


def _json_string(text: str) -> str:
    # 5.1's JavaScriptSerializer escapes these for HTML safety; non-ASCII stays as is.
    s: str = _encode_json_string(text)
    if _HTML_UNSAFE.search(s) is None:
        return s
    return _HTML_UNSAFE.sub(lambda m: _HTML_ESCAPES[m.group(0)], s)


def to_plain(value: Any, depth: int, max_depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, PSEnum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        if depth > max_depth:
            return " ".join(display(v) for v in value)
        return [to_plain(v, depth + 1, max_depth) for v in value]
    if isinstance(value, PSVersion):
        if depth > max_depth:
            return str(value)
        return value.as_props()
    if isinstance(value, PSObject):
        if depth > max_depth:
            return str(value)
        return {k: to_plain(v, depth + 1, max_depth) for k, v in value.props.items()}
    if isinstance(value, PSDict):
        if depth > max_depth:
            return str(value)
        return {str(k): to_plain(v, depth + 1, max_depth) for k, v in value.items()}
    if isinstance(value, bytes):
        return to_plain(list(value), depth, max_depth)
    return str(value)


def _dump(value: Any, indent: int, compress: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, list):
        if compress:
            return "[" + ",".join(_dump(v, 0, True) for v in value) + "]"
        if not value:
            return "[\r\n\r\n" + " " * indent + "]"
        pad = " " * (indent + 4)
        inner = ",\r\n".join(pad + _dump(v, indent + 4, False) for v in value)
        return "[\r\n" + inner + "\r\n" + " " * indent + "]"
    assert isinstance(value, dict)
    if compress:
        return "{" + ",".join(f"{_json_string(k)}:{_dump(v, 0, True)}" for k, v in value.items()) + "}"
    if not value:
        return "{\r\n\r\n" + " " * indent + "}"
    pad = " " * (indent + 4)
    parts = []
    for k, v in value.items():
        key = _json_string(k) + ":  "
        # 5.1 aligns a nested value under its key.
        parts.append(pad + key + _dump(v, indent + 4 + len(key), False))
    return "{\r\n" + ",\r\n".join(parts) + "\r\n" + " " * indent + "}"


def convert_to_json(items: list[Any], depth: int = 2, compress: bool = False) -> str:
    plain = [to_plain(i, 0, depth) for i in items]
    value: Any = plain[0] if len(plain) == 1 else plain
    return _dump(value, 0, compress)
