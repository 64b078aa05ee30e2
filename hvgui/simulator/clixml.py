"""PowerShell error records as Windows PowerShell 5.1 writes them to stderr over WinRS (CLIXML).

What pywinrm's ``Session._clean_error_msg`` parses: ``#< CLIXML\\r\\n`` then ``<Objs>`` with one
``<S S="Error">`` per line, each line ending in ``_x000D__x000A_`` (CRLF).
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = "#< CLIXML\r\n"
_OPEN = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
_CLOSE = "</Objs>"


def escape(text: str) -> str:
    """XML text escaping plus PowerShell's ``_xHHHH_`` encoding of control characters."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One error as ``$Error[0]`` would show it in the default view."""

    message: str
    """Everything before ``+ CategoryInfo`` (``Get-VM : ...`` and the position lines)."""
    category_info: str
    fully_qualified_error_id: str

    def lines(self) -> list[str]:
        return [
            *self.message.split("\n"),
            f"    + CategoryInfo          : {self.category_info}",
            f"    + FullyQualifiedErrorId : {self.fully_qualified_error_id}",
            " ",
        ]


def position_lines(script: str, offset: int, length: int) -> list[str]:
    """``At line:L char:C`` / ``+ <source line>`` / ``+ ~~~~`` as PowerShell points at a spot."""
    before = script[:offset]
    line_no = before.count("\n") + 1
    line_start = before.rfind("\n") + 1
    line_end = script.find("\n", offset)
    if line_end < 0:
        line_end = len(script)
    source = script[line_start:line_end].rstrip("\r")
    col = offset - line_start
    width = max(1, min(length, len(source) - col) if col < len(source) else 1)
    return [f"At line:{line_no} char:{col + 1}", f"+ {source}", "+ " + " " * col + "~" * width]


def render(records: list[ErrorRecord]) -> str:
    """The whole stderr text for these error records."""
    parts = [HEADER, _OPEN]
    for rec in records:
        for line in rec.lines():
            parts.append(f'<S S="Error">{escape(line)}_x000D__x000A_</S>')
    parts.append(_CLOSE)
    return "".join(parts)
