"""The constant PowerShell operation scripts shipped in the package.

Each script is assembled once at import from ``scripts/*.ps1`` (``# @include`` lines pull in
``common.ps1`` after the ``param`` block). They are ASCII and contain no request data: the
request travels next to them as base64 JSON (see :mod:`hvgui.core.contract`)."""

from __future__ import annotations

from importlib import resources

from hvgui.core import contract

_INCLUDE = "# @include "


def _read(name: str) -> str:
    return resources.files("hvgui.remote").joinpath("scripts", name).read_text(encoding="ascii")


def load(name: str) -> str:
    lines: list[str] = []
    for line in _read(name).splitlines():
        if line.startswith(_INCLUDE):
            lines.extend(_read(line[len(_INCLUDE):].strip()).splitlines())
        else:
            lines.append(line)
    text = "\n".join(lines) + "\n"
    if contract.operation_of(text) is None:
        raise RuntimeError(f"{name} has no hvgui-operation header")
    return text


INVENTORY = load("inventory.ps1")
APPLY = load("apply.ps1")
SETUP_DISK = load("setup_disk.ps1")
GUEST = load("guest.ps1")
BY_OPERATION = {contract.OP_INVENTORY: INVENTORY, contract.OP_APPLY: APPLY, contract.OP_SETUP_DISK: SETUP_DISK,
                contract.OP_GUEST: GUEST}
