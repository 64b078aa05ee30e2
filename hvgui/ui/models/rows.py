"""Keeping a model's rows in step with a wanted list without a reset: rows that stay keep
their place, so selection, scroll position and persistent indexes survive a refresh."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex

K = TypeVar("K", bound=Hashable)


def sync_rows(model: QAbstractItemModel, parent: QModelIndex, rows: list[K], desired: Sequence[K]) -> bool:
    """Make ``rows`` hold the items of ``desired`` with minimal row removals/insertions (rows
    that stay keep their place, so their selection and persistent indexes survive)."""
    want = set(desired)
    changed = False
    i = len(rows) - 1
    while i >= 0:
        if rows[i] in want:
            i -= 1
            continue
        j = i
        while j > 0 and rows[j - 1] not in want:
            j -= 1
        model.beginRemoveRows(parent, j, i)
        del rows[j:i + 1]
        model.endRemoveRows()
        changed = True
        i = j - 1
    have = set(rows)
    # Runs of new items, each placed right after the existing item that precedes it in ``desired``.
    runs: list[tuple[K | None, list[K]]] = []
    anchor: K | None = None
    run: list[K] | None = None
    for key in desired:
        if key in have:
            anchor, run = key, None
            continue
        if run is None:
            run = []
            runs.append((anchor, run))
        run.append(key)
    if runs:
        where = {k: n for n, k in enumerate(rows)}
        placed = sorted((((where[a] + 1) if a is not None else 0, items) for a, items in runs),
                        key=lambda p: p[0])
        for pos, items in reversed(placed):
            model.beginInsertRows(parent, pos, pos + len(items) - 1)
            rows[pos:pos] = items
            model.endInsertRows()
        changed = True
    return changed



def blocks(ns: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as contiguous ``(first, last)`` blocks: one dataChanged per block."""
    out: list[tuple[int, int]] = []
    for n in ns:
        if out and n <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], n))
        else:
            out.append((n, n))
    return out
