"""Turn PowerShell's CLIXML error stream into the message a person reads."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NS = "{http://schemas.microsoft.com/powershell/2004/04}"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def error_text(stderr: str) -> str:
    """The error records of a ``#< CLIXML`` stream as plain text (progress records dropped);
    anything that is not CLIXML is returned as it is, stripped."""
    text = stderr.strip()
    if not text.startswith("#< CLIXML"):
        return text
    errors: list[str] = []
    for chunk in text.split("#< CLIXML")[1:]:
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            root = ET.fromstring(chunk)
        except ET.ParseError:
            errors.append(chunk)
            continue
        for el in root.iter(f"{_NS}S"):
            if el.get("S") == "Error" and el.text:
                errors.append(_unescape(el.text))
    return "".join(errors).replace("\r\n", "\n").strip()


def first_line(message: str) -> str:
    """The part of a PowerShell error a person needs first (drops the position block)."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for ln in lines:
        if not ln.startswith(("At line:", "+ ", "At ")):
            return ln
    return lines[0] if lines else ""
