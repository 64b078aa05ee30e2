"""Item models (no widgets here): the hosts tree, the integration services grid and the
activity list, one module each. Models listen to the :class:`~hvgui.ui.controller.Controller`
and update incrementally (``dataChanged``, row inserts/removals), never with a reset on refresh,
so selection, scroll position and the current cell survive."""

from hvgui.ui.models.activity import ActivityModel, operation_text
from hvgui.ui.models.hosts_tree import (
    HostTreeModel,
    VmFilterProxy,
    host_state_text,
    host_tooltip,
    insecure_login,
    short_os,
    vm_matches,
)
from hvgui.ui.models.roles import CELL_ROLE, KIND_ROLE, ROW_KEY_ROLE, SORT_ROLE
from hvgui.ui.models.rows import blocks, sync_rows
from hvgui.ui.models.service_grid import (
    ColKind,
    Column,
    Scope,
    ServiceGridModel,
    badge_text,
    is_text,
    service_tooltip,
)

__all__ = [
    "CELL_ROLE",
    "KIND_ROLE",
    "ROW_KEY_ROLE",
    "SORT_ROLE",
    "ActivityModel",
    "ColKind",
    "Column",
    "HostTreeModel",
    "Scope",
    "ServiceGridModel",
    "VmFilterProxy",
    "badge_text",
    "blocks",
    "host_state_text",
    "host_tooltip",
    "insecure_login",
    "is_text",
    "operation_text",
    "service_tooltip",
    "short_os",
    "sync_rows",
    "vm_matches",
]
