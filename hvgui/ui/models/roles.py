"""Item data roles shared by the models and the views."""

from __future__ import annotations

from PySide6.QtCore import Qt

ROW_KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""``(host_key, vm_id)`` of a VM row/item; ``(host_key, "")`` for a host item."""
CELL_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""``(host_key, vm_id, guid)`` of a service cell, else None."""
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""``"host"`` or ``"vm"`` in the tree."""
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 4
MARKER_ROLE = int(Qt.ItemDataRole.UserRole) + 5
"""The colour (name) of a cell's corner marker: a pending change or the last apply's outcome."""
MEANING_ROLE = int(Qt.ItemDataRole.UserRole) + 6
"""The :class:`~hvgui.ui.meaning.Meaning` of a service cell, by value (``"not_answering"``)."""
BADGE_ROLE = int(Qt.ItemDataRole.UserRole) + 7
"""The colour (name) of a cell's top-right badge: something about the VM needs attention beyond the
cell's own state (e.g. its integration services updates are blocked by a disabled Data Exchange);
the tooltip says what. The top-left corner is the pending/outcome marker's."""
