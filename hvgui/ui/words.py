"""How the window writes things: counts with the right singular or plural, and text from hosts
and users shown as plain text wherever Qt would otherwise guess it is HTML (tooltips, labels,
message boxes)."""

from __future__ import annotations

import html

_PLURALS = {"is": "are", "was": "were", "has": "have", "this": "these", "it": "them"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "change")`` is "1 change", ``plural(3, "change")`` "3 changes"."""
    if n == 1:
        return f"{n} {singular}"
    return f"{n} {plural_form or _PLURALS.get(singular) or singular + 's'}"


def word(n: int, singular: str, plural_form: str | None = None) -> str:
    """The word alone, agreeing with ``n``: ``word(2, "is")`` is "are"."""
    if n == 1:
        return singular
    return plural_form or _PLURALS.get(singular) or singular + "s"


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` exactly as it is. Qt renders a tooltip as HTML when it
    *looks* like HTML, so a VM named ``<b>x</b>`` would turn bold: escape it and say it is
    rich text (lines kept, long ones wrapped)."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def esc(text: str) -> str:
    """Text from a host or a user, for a rich-text label or the details pane."""
    return html.escape(text)
