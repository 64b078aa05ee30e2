"""The window's guest side: what runs inside each VM (Windows services through PowerShell Direct,
Linux daemons over SSH), read for the VMs a person looks at, and changed through a plan they
confirm, with the seed's warning.

:class:`GuestSides` keeps the sides read (by VM id) and tells the views when they change; the
details pane shows host side and guest side together, the grid a marker on each cell.
:class:`GuestAccessDialog` asks for a guest's credentials (kept like host passwords: the keyring,
or this session) and :class:`GuestChangeDialog` plans a Start / Stop / Restart / start type."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hvgui.core import catalog
from hvgui.core import guest as g
from hvgui.core.model import VM, Inventory
from hvgui.remote.credentials import guest_key
from hvgui.remote.errors import HostError
from hvgui.remote.guests import GuestAnswer, GuestDirectory, family, read_guests
from hvgui.ui.controller import Controller
from hvgui.ui.i18n import tr, vm_state_text
from hvgui.ui.state import RowKey

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- words in the window's language
# hvgui/core/guest.py is Qt-free and says the guest side in English; these say the same in the
# window's language from the same values (in English they are exactly the core's words:
# tests/test_ui_guest.py compares them).

def effective_text(state: g.Effective) -> str:
    """:data:`hvgui.core.guest.EFFECTIVE_TEXT`."""
    words = {
        g.Effective.WORKS: tr("works", "guest side"),
        g.Effective.STOPPED_IN_GUEST: tr("enabled on host, stopped in guest"),
        g.Effective.DISABLED_IN_GUEST: tr("disabled in guest (Hyper-V cannot start it)"),
        g.Effective.MISSING_IN_GUEST: tr("enabled on host, not installed in guest"),
        g.Effective.DISABLED_ON_HOST: tr("disabled on host"),
        g.Effective.UNKNOWN: tr("guest side unknown"),
    }
    return words[state]


def problem_text(problem: g.GuestProblem) -> str:
    """:data:`hvgui.core.guest.PROBLEM_TEXT`."""
    words = {
        g.GuestProblem.NO_CREDENTIALS: tr("no guest credentials for this VM"),
        g.GuestProblem.HOST_TOO_OLD: tr("PowerShell Direct needs a Windows Server 2016 / Windows 10 or later host"),
        g.GuestProblem.GUEST_TOO_OLD: tr("PowerShell Direct needs a Windows Server 2016 / Windows 10 or later guest"),
        g.GuestProblem.NOT_RUNNING: tr("PowerShell Direct needs the VM running"),
        g.GuestProblem.INVALID_CREDENTIAL: tr("the guest refused the credentials"),
        g.GuestProblem.VM_NOT_FOUND: tr("the VM is no longer on this host"),
        g.GuestProblem.NO_SSH_TARGET: tr("no SSH target for this Linux guest (address, user, key or password)"),
        g.GuestProblem.HOST_KEY_UNKNOWN: tr("the guest's SSH host key is not trusted yet"),
        g.GuestProblem.HOST_KEY_CHANGED: tr("the guest's SSH host key changed"),
        g.GuestProblem.UNREACHABLE: tr("the guest could not be reached"),
        g.GuestProblem.UNKNOWN_OS: tr("the host does not know the guest's operating system"),
        g.GuestProblem.ERROR: tr("reading the guest failed"),
    }
    return words[problem]


def _problem_message(side: g.GuestSide) -> str:
    """hvgui's own words of :func:`hvgui.core.guest.blocker` in the window's language; the words of
    whoever refused (Windows', SSH's) as they come."""
    m = side.message
    if side.problem is g.GuestProblem.NOT_RUNNING and (found := re.fullmatch(r"it is (\w+)", m)):
        return tr("it is {state}", "VM").format(state=vm_state_text(found.group(1)))
    if side.problem is g.GuestProblem.GUEST_TOO_OLD and (found := re.fullmatch(r"this guest runs (.+)", m)):
        return tr("this guest runs {os}").format(os=found.group(1))
    if side.problem is g.GuestProblem.HOST_TOO_OLD and (found := re.fullmatch(r"(.+) runs (.+)", m)):
        host = tr("the host") if found.group(1) == "the host" else found.group(1)
        caption = tr("an older Windows") if found.group(2) == "an older Windows" else found.group(2)
        return tr("{host} runs {os}").format(host=host, os=caption)
    return m


def reason_text(side: g.GuestSide) -> str:
    """:attr:`hvgui.core.guest.GuestSide.reason`: why the guest side is unknown."""
    if side.problem is None:
        return ""
    base = problem_text(side.problem)
    if side.message and side.message not in g.PROBLEM_TEXT[side.problem]:
        return tr("{problem}: {message}").format(problem=base, message=_problem_message(side))
    return base


def service_status_text(status: str) -> str:
    """A Windows service's status (``Get-Service``), as the Services console says it."""
    words = {"Running": tr("Running", "Windows service"), "Stopped": tr("Stopped", "Windows service"),
             "StartPending": tr("StartPending", "Windows service"), "StopPending": tr("StopPending", "Windows service"),
             "Paused": tr("Paused", "Windows service")}
    return words.get(status, status)


def start_type_text(start_type: str | None) -> str:
    words = {"Automatic": tr("Automatic", "start type"), "Manual": tr("Manual", "start type"),
             "Disabled": tr("Disabled", "start type")}
    return words.get(start_type or "", start_type or "")


def component_text(component: str) -> str:
    return tr("hv_utils (kernel driver)") if component == "hv_utils (kernel driver)" else component


def _guest_state(vm: VM, svc: Any, side: g.GuestSide) -> tuple[str, str]:
    """The guest side of one service in words, and the part of them an advice quotes in brackets
    (as :func:`hvgui.core.guest._windows_side` and ``_linux_side``)."""
    if side.family == g.LINUX:
        if svc.guid in g.LINUX_KERNEL_SERVICES:
            return (tr("hv_utils loaded"),) * 2 if side.hv_utils else (tr("hv_utils not loaded"),) * 2
        comp = g.LINUX_COMPONENTS.get(svc.guid)
        d = side.daemon(comp.key) if comp is not None else None
        if d is None or not d.present:
            return (tr("not installed", "guest side"),) * 2
        if d.running:
            return (tr("running", "daemon"),) * 2
        return tr("stopped (not running)"), tr("not running")
    name = g.WINDOWS_SERVICES.get(svc.guid, ("", ""))[0]
    s = side.service(name) if name else None
    if s is None:
        return (tr("not installed", "guest side"),) * 2
    start = tr("start type: {start_type}").format(start_type=start_type_text(s.start_type))
    return tr("{status} ({start})").format(status=service_status_text(s.status), start=start), start


def guest_words(vm: VM, svc: Any, side: g.GuestSide | None) -> str:
    """:attr:`hvgui.core.guest.EffectiveState.guest`."""
    if side is None or not side.readable:
        why = reason_text(side) if side is not None else tr("the guest side has not been read")
        return tr("unknown: {reason}").format(reason=why)
    return _guest_state(vm, svc, side)[0]


def advice_text(vm: VM, svc: Any, side: g.GuestSide | None) -> str:
    """:attr:`hvgui.core.guest.EffectiveState.advice`: one sentence for helpdesk staff."""
    from hvgui.ui.explain import service_label_of

    e = g.effective(vm, svc, side)
    label, comp = service_label_of(svc), component_text(e.component)
    if side is None or not side.readable:
        if e.state is g.Effective.DISABLED_ON_HOST:
            return tr("{label} is disabled on the host: Hyper-V does not offer it to the guest.").format(label=label)
        why = reason_text(side) if side is not None else tr("the guest side has not been read")
        return tr("{label} is enabled on the host; the guest side is unknown ({reason}).").format(label=label,
                                                                                               reason=why)
    why = _guest_state(vm, svc, side)[1]
    if e.state is g.Effective.DISABLED_ON_HOST:
        text = tr("{label} is disabled on the host: Hyper-V does not offer it to the guest.").format(label=label)
        name = g.WINDOWS_SERVICES.get(svc.guid, ("", ""))[0]
        s = side.service(name) if side.family != g.LINUX and name else None
        if s is not None and not s.running and s.start_type == "Disabled":
            text += " " + tr("{component} is also disabled in the guest: enabling it on the host will not start "
                             "it.").format(component=comp)
        return text
    if e.state is g.Effective.WORKS:
        return tr("{label} works: enabled on the host and {component} runs in the guest.").format(
            label=label, component=comp)
    if e.state is g.Effective.MISSING_IN_GUEST:
        if side.family == g.LINUX:
            return tr("{label} is enabled on the host but {component} is not installed in the guest: install the "
                      "distribution's Hyper-V daemons package (hyperv-daemons, linux-cloud-tools-common).").format(
                label=label, component=comp)
        return tr("{label} is enabled on the host but {component} is not installed in the guest: update or "
                  "reinstall the integration services.").format(label=label, component=comp)
    if e.state is g.Effective.DISABLED_IN_GUEST:
        return tr("{label} is enabled on the host but {component} is stopped in the guest ({why}): Hyper-V cannot "
                  "start it; set its start type to Manual in the guest, then start it.").format(
            label=label, component=comp, why=why)
    if side.family == g.LINUX:
        d = side.daemon(g.LINUX_COMPONENTS[svc.guid].key) if svc.guid in g.LINUX_COMPONENTS else None
        how = f"systemctl restart {d.unit}" if d is not None and d.unit else \
            tr("run {daemon} as root").format(daemon=d.name if d else comp)
        return tr("{label} is enabled on the host but {component} is stopped in the guest ({why}): restart it "
                  "({how}).").format(label=label, component=comp, why=why, how=how)
    return tr("{label} is enabled on the host but {component} is stopped in the guest ({why}): start it (Hyper-V "
              "starts it again eventually).").format(label=label, component=comp, why=why)


def warning_text() -> str:
    """:data:`hvgui.core.guest.WARNING`, the seed's warning."""
    return tr("Stopping a guest integration service can badly affect managing the VM from the host (shutdown, "
              "backup, heartbeat, PowerShell Direct itself). The host is the right place to turn an integration "
              "service on or off: prefer enabling or disabling it there.")


def action_text(a: g.GuestAction) -> str:
    """:meth:`hvgui.core.guest.GuestAction.describe`."""
    if a.action is g.GuestActionKind.START_TYPE:
        return tr("set {service}'s start type to {start_type}").format(service=a.service,
                                                                     start_type=start_type_text(a.start_type))
    what = next((c.daemons[0] for c in g.LINUX_COMPONENTS.values() if c.key == a.service), a.service)
    verbs = {g.GuestActionKind.START: tr("start {service}"), g.GuestActionKind.STOP: tr("stop {service}"),
             g.GuestActionKind.RESTART: tr("restart {service}")}
    return verbs[a.action].format(service=what)


def outcome_text(outcome: g.GuestOutcome) -> str:
    words = {g.GuestOutcome.CHANGED: tr("changed", "guest change"),
             g.GuestOutcome.UNCHANGED: tr("unchanged", "guest change"),
             g.GuestOutcome.ERROR: tr("error", "guest change"),
             g.GuestOutcome.NOT_ATTEMPTED: tr("not_attempted", "guest change"),
             g.GuestOutcome.UNKNOWN: tr("unknown", "guest change")}
    return words[outcome]


def daemon_state_text(d: g.LinuxDaemon) -> str:
    return tr("running", "daemon") if d.running else tr("stopped", "daemon") if d.present else \
        tr("not installed", "guest side")


class GuestSecrets(Protocol):
    def secret(self, key: str) -> str | None: ...

    def set_secret(self, key: str, password: str, *, remember: bool = True) -> Any: ...


def _esc(text: str) -> str:
    from hvgui.ui.words import esc

    return esc(text)


class GuestSides(QObject):
    """The guest sides read so far, and the reads and changes in flight."""

    changed = Signal(list)
    """VM ids whose guest side changed."""
    busyChanged = Signal(bool)

    def __init__(self, controller: Controller, engine: Any, secrets: GuestSecrets, directory: GuestDirectory,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.engine = engine
        self.secrets = secrets
        self.directory = directory
        self.sides: dict[str, g.GuestSide] = {}
        self.results: dict[str, tuple[g.GuestActionResult, ...]] = {}
        self._busy = 0

    # ------------------------------------------------------------ what is known
    def side(self, vm_id: str) -> g.GuestSide | None:
        return self.sides.get(vm_id.lower())

    def family(self, vm: VM) -> str | None:
        return family(vm, self.directory)

    def configured(self, vm: VM) -> bool:
        a = self.directory.get(vm.id)
        return a is not None and (a.windows_user is not None or a.ssh is not None)

    def effective(self, vm: VM) -> list[tuple[str, g.EffectiveState]]:
        """(service GUID, effective state) for every known service, once the guest side was read."""
        side = self.side(vm.id)
        if side is None:
            return []
        return [(svc.guid, g.effective(vm, svc, side)) for svc in vm.services if catalog.is_known(svc.guid)]

    @property
    def busy(self) -> bool:
        return self._busy > 0

    # ------------------------------------------------------------ access
    def set_windows_access(self, vm_id: str, user: str, password: str, *, remember: bool) -> Any:
        vm_id = vm_id.lower()
        old = self.directory.get(vm_id)
        self.directory.access[vm_id] = g.GuestAccess(vm_id, user, old.ssh if old else None)
        self._save()
        return self.secrets.set_secret(guest_key(vm_id, user), password, remember=remember)

    def set_ssh_access(self, target: g.SshTarget, password: str, *, remember: bool) -> Any:
        vm_id = target.vm_id.lower()
        old = self.directory.get(vm_id)
        self.directory.access[vm_id] = g.GuestAccess(vm_id, old.windows_user if old else None, target)
        self._save()
        return self.secrets.set_secret(guest_key(vm_id, target.user), password, remember=remember)

    save_path: Any = None
    """Where the guests file is saved (None: this session only, as in the demo)."""

    def _save(self) -> None:
        if self.save_path is not None:
            try:
                g.save_guests(self.save_path, self.directory.access)
            except OSError as exc:
                log.warning("guests file not saved: %s", exc)

    # ------------------------------------------------------------ reads and changes
    async def read(self, keys: Sequence[RowKey],
                   actions: dict[str, list[g.GuestAction]] | None = None) -> dict[str, GuestAnswer]:
        """Read (after changing, with ``actions``) the guest side of these VMs: one host command per
        host for the Windows guests, SSH for the Linux ones."""
        st = self.controller.state
        by_host: dict[str, list[VM]] = {}
        for host_key, vm_id in keys:
            vm = st.vm(host_key, vm_id)
            if vm is not None:
                by_host.setdefault(host_key, []).append(vm)
        self._busy += 1
        self.busyChanged.emit(True)
        out: dict[str, GuestAnswer] = {}
        try:
            async def one(host_key: str, vms: list[VM]) -> None:
                entry = st.hosts.get(host_key)
                if entry is None or entry.facts is None:
                    return
                inv = Inventory(entry.facts, tuple(entry.vms.values()))
                try:
                    got = await read_guests(self.engine, self.secrets, self.directory, entry.config, inv, vms,
                                            actions)
                except HostError as exc:
                    got = {vm.id: (g.unknown(vm.id, self.family(vm) or g.WINDOWS, g.GuestProblem.ERROR, exc.text),
                                   ()) for vm in vms}
                out.update(got)

            await asyncio.gather(*(one(h, v) for h, v in by_host.items()))
        finally:
            self._busy -= 1
            self.busyChanged.emit(self.busy)
        for vm_id, (side, results) in out.items():
            self.sides[vm_id] = side
            if results:
                self.results[vm_id] = results
        self.changed.emit(list(out))
        return out

    # ------------------------------------------------------------ what the views show
    def details_html(self, vm: VM, svc: Any) -> str:
        """The guest side of one service, under its host side in the details pane."""
        from hvgui.ui import look

        side = self.side(vm.id)
        if side is None or not catalog.is_known(svc.guid):
            return ""
        e = g.effective(vm, svc, side)
        t = look.theme()
        colour = t.orange if e.problem else t.grey if e.state is g.Effective.UNKNOWN else ""
        words = f"<b>{_esc(effective_text(e.state))}</b>"
        if colour:
            words = f"<span style='color:{colour}'>{words}</span>"
        inside = tr("Inside the guest:")
        html = f"<br><b>{_esc(inside)}</b> {_esc(g.EFFECTIVE_MARK[e.state])} {_esc(component_text(e.component))}"
        if side.readable:
            html += f" {_esc(guest_words(vm, svc, side))}"
        html += f" → {words}"
        if e.problem:
            html += f"<br><span style='color:{t.orange}'>{_esc(advice_text(vm, svc, side))}</span>"
        return html


    def summary_html(self, vm: VM) -> str:
        side = self.side(vm.id)
        kind = self.family(vm)
        if side is None:
            if not self.configured(vm):
                return _esc(tr("not read: no guest access given (Guest access…)"))
            return _esc(tr("not read yet"))
        if not side.readable:
            return _esc(tr("unknown: {reason}").format(reason=reason_text(side)))
        if side.family == g.WINDOWS:
            extra = [s for s in side.services if s.name in g.GUEST_ONLY_SERVICES]
            text = tr("Windows, read through PowerShell Direct · IntegrationServicesVersion {version}").format(
                version=side.is_version or tr("not in the registry"))
            text += "".join(f" · {s.name} {service_status_text(s.status)} ({start_type_text(s.start_type)})"
                            for s in extra)
            return _esc(text)
        daemons = ", ".join(f"{d.name} {daemon_state_text(d)}" for d in side.daemons)
        return _esc(tr("{family}, read over SSH · hv_utils {state} · {daemons}").format(
            family="Linux" if kind == g.LINUX else side.family,
            state=tr("loaded", "hv_utils") if side.hv_utils else tr("NOT loaded", "hv_utils"), daemons=daemons))


    def report_text(self, vms: Sequence[VM]) -> str:
        parts: list[str] = []
        for vm in vms:
            lines = side_lines(vm, self.side(vm.id))
            parts.append("\n" + (f"{vm.name}: " if len(vms) > 1 else "") + "\n".join(lines))
        return "\n".join(parts) + "\n"


    def explains(self, vm: VM, svc: Any) -> bool:
        """The guest side was read: it says what the generic "what to check" would guess."""
        side = self.side(vm.id)
        return side is not None and side.readable and catalog.is_known(svc.guid)

    def cell_mark(self, vm: VM, svc: Any) -> str:
        """The effective state's marker, put before the cell's word (a narrow cell cuts the end)."""
        side = self.side(vm.id)
        if side is None or not catalog.is_known(svc.guid):
            return ""
        return g.EFFECTIVE_MARK[g.effective(vm, svc, side).state] + " "


    def cell_tip(self, vm: VM, svc: Any) -> str:
        side = self.side(vm.id)
        if side is None or not catalog.is_known(svc.guid):
            return ""
        e = g.effective(vm, svc, side)
        text = "\n" + tr("Inside the guest: {component} {guest}: {state}").format(
            component=component_text(e.component), guest=guest_words(vm, svc, side), state=effective_text(e.state))
        return text + ("\n" + advice_text(vm, svc, side) if e.problem else "")


    def cell_accessible(self, vm: VM, svc: Any) -> str:
        side = self.side(vm.id)
        if side is None or not catalog.is_known(svc.guid):
            return ""
        return ", " + tr("inside the guest: {state}").format(state=effective_text(g.effective(vm, svc, side).state))


# ---------------------------------------------------------------- dialogs

class GuestAccessDialog(QDialog):
    """Ask how to reach one guest: its Windows administrator for PowerShell Direct, or its SSH target.
    The password goes to the keyring (or this session) and never to a file."""

    def __init__(self, vm: VM, kind: str | None, access: g.GuestAccess | None, *, secure_store: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setWindowTitle(tr("Guest access: {vm}").format(vm=vm.name))
        self.kind = QComboBox()
        self.kind.addItem(tr("Windows (PowerShell Direct through the host)"), g.WINDOWS)
        self.kind.addItem(tr("Linux (SSH to the guest)"), g.LINUX)
        self.kind.setCurrentIndex(1 if kind == g.LINUX else 0)
        self.user = QLineEdit((access.windows_user if access and kind != g.LINUX else None)
                              or (access.ssh.user if access and access.ssh else "") or "")
        self.user.setPlaceholderText(tr("Administrator") if kind != g.LINUX else "hvadmin")
        self.address = QLineEdit(access.ssh.address if access and access.ssh else "")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(access.ssh.port if access and access.ssh else 22)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(tr("Remember in the system keyring") if secure_store else
                                  tr("No secure password store here: kept for this session only"))
        self.remember.setChecked(secure_store)
        self.remember.setEnabled(secure_store)
        form = QFormLayout()
        form.addRow(tr("Guest"), self.kind)
        form.addRow(tr("User"), self.user)
        form.addRow(tr("SSH address"), self.address)
        form.addRow(tr("SSH port"), self.port)
        form.addRow(tr("Password"), self.password)
        note = QLabel(tr("Windows: the guest's administrator; the password travels only inside the encrypted WinRM "
                      "channel to the host, which hands it to the guest (PowerShell Direct: host and guest Windows "
                      "Server 2016 / Windows 10 or later, VM running). Linux: the SSH login; its password is also "
                      "used for sudo, on stdin. The guest's SSH host key is checked before anything is sent."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.remember)
        box.addWidget(note)
        box.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        linux = self.kind.currentData() == g.LINUX
        self.address.setEnabled(linux)
        self.port.setEnabled(linux)


class GuestChangeDialog(QDialog):
    """Plan one change inside a guest: which service, what to do; the seed's warning; Apply is a click."""

    def __init__(self, vm: VM, kind: str, side: g.GuestSide | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.family = kind
        self.setWindowTitle(tr("Change a service inside {vm}").format(vm=vm.name))
        self.setMinimumWidth(520)  # the title and the warning are read whole, not cut to a narrow column
        self.service = QComboBox()
        if kind == g.LINUX:
            for comp in g.LINUX_COMPONENTS.values():
                d = side.daemon(comp.key) if side is not None else None
                label = f"{d.name} ({d.unit})" if d is not None and d.unit else (d.name if d else comp.daemons[0])
                if d is not None:
                    label = tr("{daemon}: {state}").format(daemon=label, state=daemon_state_text(d))
                self.service.addItem(label, comp.key)
        else:
            if side is not None and side.services:
                for s in side.services:
                    self.service.addItem(tr("{name}: {status} (start type: {start_type})").format(
                        name=s.name, status=service_status_text(s.status), start_type=start_type_text(s.start_type)),
                        s.name)
            else:
                for name, _ in g.WINDOWS_SERVICES.values():
                    self.service.addItem(name, name)
        self.action = QComboBox()
        for k, label in ((g.GuestActionKind.START, tr("Start", "guest service")),
                         (g.GuestActionKind.STOP, tr("Stop", "guest service")),
                         (g.GuestActionKind.RESTART, tr("Restart", "guest service"))):
            self.action.addItem(label, k.value)
        if kind == g.WINDOWS:
            self.action.addItem(tr("Set start type"), g.GuestActionKind.START_TYPE.value)
        self.start_type = QComboBox()
        for start_type in g.START_TYPES:
            self.start_type.addItem(start_type_text(start_type), start_type)
        self.start_type.setCurrentIndex(self.start_type.findData("Manual"))
        form = QFormLayout()
        form.addRow(tr("Service"), self.service)
        form.addRow(tr("Action"), self.action)
        form.addRow(tr("Start type"), self.start_type)
        warning = QLabel(tr("<b>Warning:</b> {warning}").format(warning=_esc(warning_text())))
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton(tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setAutoDefault(False)  # Enter does not apply
        self.apply_button.setDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(warning)
        box.addLayout(form)
        box.addWidget(self.plan)
        box.addWidget(buttons)
        self._preselect(vm, side)
        for w in (self.service, self.action, self.start_type):
            w.currentIndexChanged.connect(self._update)
        self._update()

    def _preselect(self, vm: VM, side: g.GuestSide | None) -> None:
        """Open on the first service that needs a look inside the guest, with the action that fixes it
        (start type Disabled: set it to Manual; stopped: start it), not on the first of the list."""
        if side is None or not side.readable:
            return
        for svc in vm.services:
            e = g.effective(vm, svc, side)
            if e.state not in (g.Effective.STOPPED_IN_GUEST, g.Effective.DISABLED_IN_GUEST):
                continue
            if self.family == g.LINUX:
                comp = g.LINUX_COMPONENTS.get(svc.guid)
                name = comp.key if comp is not None else ""
            else:
                name = g.WINDOWS_SERVICES.get(svc.guid, ("", ""))[0]
            i = self.service.findData(name) if name else -1
            if i < 0:
                continue
            self.service.setCurrentIndex(i)
            fix = g.GuestActionKind.START_TYPE if e.state is g.Effective.DISABLED_IN_GUEST else g.GuestActionKind.START
            self.action.setCurrentIndex(max(0, self.action.findData(fix.value)))
            return

    def action_planned(self) -> g.GuestAction:
        kind = g.GuestActionKind(self.action.currentData())
        start_type = str(self.start_type.currentData()) if kind is g.GuestActionKind.START_TYPE else None
        return g.GuestAction(self.vm.id, str(self.service.currentData()), kind, start_type, self.vm.name)

    def _update(self) -> None:
        a = self.action_planned()
        self.start_type.setEnabled(a.action is g.GuestActionKind.START_TYPE)
        how = tr("through the host (PowerShell Direct)") if self.family == g.WINDOWS else tr("over SSH (sudo)")
        self.plan.setText(tr("Plan: {action} inside {vm}, {how}. Audited like host changes.").format(
            action=action_text(a), vm=self.vm.name, how=how))


def side_lines(vm: VM, side: g.GuestSide | None) -> list[str]:
    """The guest side of one VM as report lines (Copy report)."""
    if side is None:
        return ["Inside the guest: not read"]
    if not side.readable:
        return [f"Inside the guest: unknown: {side.reason}"]
    head = (f"Inside the guest (Windows, IntegrationServicesVersion {side.is_version or 'not in the registry'}):"
            if side.family == g.WINDOWS else
            f"Inside the guest (Linux, hv_utils {'loaded' if side.hv_utils else 'not loaded'}):")
    lines = [head]
    for svc in vm.services:
        if not catalog.is_known(svc.guid):
            continue
        e = g.effective(vm, svc, side)
        lines.append(f"- {svc.label}: host {'enabled' if svc.enabled else 'disabled'}; guest {e.component} "
                     f"{e.guest}: {e.text}")
        if e.problem:
            lines.append(f"  {e.advice}")
    for s in side.services:
        if s.name in g.GUEST_ONLY_SERVICES:
            lines.append(f"- {s.display_name}: {s.name} {s.status} (start type: {s.start_type})")
    return lines


class _StatusLine(QLabel):
    """The guest bar's last message; it takes no room while there is none (on a laptop the details
    pane below the grid is short)."""

    def __init__(self) -> None:
        super().__init__()
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


class GuestBar(QWidget):
    """Under the details: read the current VM's guest side, give its guest access, change a service
    inside it (plan, warning, confirm). Asks for guest credentials when they are what is missing, and
    for a Linux guest's SSH host key to be trusted once its fingerprint was compared."""

    message = Signal(str)

    def __init__(self, sides: GuestSides, details: Any, *, read_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QHBoxLayout, QPushButton

        self.sides = sides
        self.details = details
        self.read_only = read_only
        self.read_button = QPushButton(tr("Read guest side"))
        self.read_button.setToolTip(tr("Read inside this VM: Windows services through PowerShell Direct, Linux "
                                    "daemons over SSH"))
        self.access_button = QPushButton(tr("Guest access…"))
        self.access_button.setToolTip(tr("How hvgui reaches this guest: its administrator (Windows) or SSH login "
                                      "(Linux); the password is kept like host passwords"))
        self.change_button = QPushButton(tr("Change inside the guest…"))
        self.change_button.setToolTip(tr("Start, stop or restart a guest service or daemon, or set its start type "
                                      "(read-only mode: disabled)") if read_only else
                                      tr("Start, stop or restart a guest service or daemon, or set its start type"))
        self.status = _StatusLine()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for b in (self.read_button, self.access_button, self.change_button):
            row.addWidget(b)
        row.addStretch(1)
        self._row, self._row2 = row, QHBoxLayout()
        self._row2.setContentsMargins(0, 0, 0, 0)
        self._row2.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addLayout(self._row2)
        box.addWidget(self.status)
        self.read_button.clicked.connect(lambda: self._spawn(self.read_current()))
        self.access_button.clicked.connect(self.ask_access)
        self.change_button.clicked.connect(self.ask_change)
        sides.busyChanged.connect(lambda _b: self.update_buttons())
        self._tasks: set[asyncio.Future[Any]] = set()
        self.update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """Beside the grid the details pane is narrow: the last button goes to a second line rather
        than past the pane's edge, cut off."""
        buttons = (self.read_button, self.access_button, self.change_button)
        need = sum(b.sizeHint().width() for b in buttons) + max(0, self._row.spacing()) * (len(buttons) - 1)
        wrap = self.width() < need
        if wrap == (self._row2.indexOf(self.change_button) >= 0):
            return
        if wrap:
            self._row.removeWidget(self.change_button)
            self._row2.insertWidget(0, self.change_button)
        else:
            self._row2.removeWidget(self.change_button)
            self._row.insertWidget(len(buttons) - 1, self.change_button)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def current(self) -> tuple[RowKey, VM] | None:
        key = self.details.key
        vm = self.sides.controller.state.vm(*key) if key else None
        return (key, vm) if key and vm is not None else None

    def update_buttons(self) -> None:
        cur = self.current()
        busy = self.sides.busy
        self.read_button.setEnabled(cur is not None and not busy)
        self.access_button.setEnabled(cur is not None)
        side = self.sides.side(cur[1].id) if cur else None
        self.change_button.setEnabled(cur is not None and not busy and not self.read_only
                                      and side is not None and side.readable)

    async def read_current(self) -> g.GuestSide | None:
        cur = self.current()
        if cur is None:
            return None
        key, vm = cur
        if not self.sides.configured(vm) and g.family_of(vm) is None:
            self.ask_access()
            return None
        self.status.setText(tr("Reading inside {vm}…").format(vm=vm.name))
        answers = await self.sides.read([key])
        side = answers.get(vm.id, (None, ()))[0]
        self._said(vm, side)
        if side is not None and side.problem in (g.GuestProblem.NO_CREDENTIALS, g.GuestProblem.NO_SSH_TARGET,
                                                 g.GuestProblem.INVALID_CREDENTIAL):
            self.ask_access()
        elif side is not None and side.problem is g.GuestProblem.HOST_KEY_UNKNOWN:
            await self.ask_trust(vm)
        return side

    def _said(self, vm: VM, side: g.GuestSide | None) -> None:
        if side is None:
            self.status.setText("")
        elif side.readable:
            self.status.setText(tr("Guest side of {vm} read.").format(vm=vm.name))
        else:
            self.status.setText(tr("Guest side of {vm} unknown: {reason}").format(vm=vm.name, reason=reason_text(side)))
        self.update_buttons()

    async def ask_trust(self, vm: VM) -> None:
        from PySide6.QtWidgets import QMessageBox

        from hvgui.remote import ssh

        access = self.sides.directory.get(vm.id)
        side = self.sides.side(vm.id)
        known = self.sides.directory.known_hosts
        if access is None or access.ssh is None or side is None or known is None:
            return
        fp = side.message.rsplit("(", 1)[-1].split(")", 1)[0] if "(" in side.message else ""
        box = QMessageBox(QMessageBox.Icon.Question, tr("Trust this SSH host key?"),
                          tr("{vm} ({address}) presents the SSH host key\n\n{fingerprint}\n\nCompare it with the "
                             "guest's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting "
                             "it.").format(vm=vm.name, address=access.ssh.host_id, fingerprint=fp),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        try:
            await ssh.trust_host_key(access.ssh, known, fp)
        except ssh.SshRefused as exc:
            self.status.setText(exc.message)
            return
        await self.read_current()

    def ask_access(self) -> None:
        cur = self.current()
        if cur is None:
            return
        _key, vm = cur
        secure = bool(getattr(self.sides.secrets, "secure", False))
        dlg = GuestAccessDialog(vm, self.sides.family(vm), self.sides.directory.get(vm.id), secure_store=secure,
                                parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        user, password = dlg.user.text().strip(), dlg.password.text()
        if not user:
            return
        if dlg.kind.currentData() == g.LINUX:
            self.sides.set_ssh_access(g.SshTarget(vm.id, dlg.address.text().strip(), user, dlg.port.value()),
                                      password, remember=dlg.remember.isChecked())
        else:
            self.sides.set_windows_access(vm.id, user, password, remember=dlg.remember.isChecked())
        self._spawn(self.read_current())

    def ask_change(self) -> None:
        cur = self.current()
        if cur is None or self.read_only:
            return
        key, vm = cur
        side = self.sides.side(vm.id)
        kind = side.family if side is not None else self.sides.family(vm) or g.WINDOWS
        dlg = GuestChangeDialog(vm, kind, side, parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        self._spawn(self.apply(key, dlg.action_planned()))

    async def apply(self, key: RowKey, action: g.GuestAction) -> tuple[g.GuestActionResult, ...]:
        vm = self.sides.controller.state.vm(*key)
        self.status.setText(tr("{action} inside {vm}…").format(action=action_text(action),
                                                                vm=vm.name if vm else key[1]))
        answers = await self.sides.read([key], {key[1]: [action]})
        _side, results = answers.get(key[1], (None, ()))
        text = "; ".join(tr("{action}: {outcome}").format(action=action_text(r.action), outcome=outcome_text(r.outcome))
                         + (f" ({r.message})" if r.message else "") for r in results) or tr("nothing done")
        self.status.setText(text)
        self.message.emit(text)
        self.update_buttons()
        return results


GUEST_OPERATION_IDS = 1_000_000_000
"""The guest side's engine numbers its operations from 1 like the window's: its rows in the activity
panel are numbered from here, so the two never take each other's row."""


def _show_operations(window: Any, engine: Any) -> None:
    """The guest side's host commands (PowerShell Direct reads and changes) are in the activity panel
    like any other, with their script and request (the guest password reads "(hidden)")."""
    subscribe = getattr(engine, "subscribe", None)
    activity = getattr(window, "activity_model", None)
    if subscribe is None or activity is None:
        return

    def on_operation(op: Any) -> None:
        try:
            activity.on_operation(dataclasses.replace(op, id=GUEST_OPERATION_IDS + op.id))
        except RuntimeError:  # the window is gone (closing): nothing to show it in
            engine.unsubscribe(on_operation)

    subscribe(on_operation)


def attach(window: Any, engine: Any, secrets: GuestSecrets, directory: GuestDirectory, *,
           save_path: Any = None, read_on_first_refresh: bool = True) -> tuple[GuestSides, GuestBar]:
    """Give the window its guest side: the details pane shows it under each service, the grid a marker,
    Copy report includes it, and the bar under the details reads and changes it."""
    controller = window.controller
    sides = GuestSides(controller, engine, secrets, directory, window)
    sides.save_path = save_path
    details = window.details_pane
    model = window.grid_pane.model
    details.guest = sides
    model.guest = sides
    bar = GuestBar(sides, details, read_only=controller.read_only, parent=details)
    if engine is not controller.engine:  # the window's own engine is in the activity panel already
        _show_operations(window, engine)
    layout = details.layout()
    layout.insertWidget(layout.indexOf(details.copy_button), bar)
    bar.message.connect(lambda text: window.statusBar().showMessage(text, 8000))

    def changed(vm_ids: list[str]) -> None:
        details.show_vm(details.key)
        rows, cols = model.rowCount(), model.columnCount()
        if rows and cols:
            model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, cols - 1))
        bar.update_buttons()

    sides.changed.connect(changed)
    window.grid_pane.view.selectionModel().currentChanged.connect(lambda *_: bar.update_buttons())
    done = {"first": not read_on_first_refresh}

    def first_refresh() -> None:
        if done["first"]:
            return
        done["first"] = True
        keys = [(h.key, vm.id) for h in controller.state.hosts.values() for vm in h.vms.values()
                if sides.configured(vm)]
        if keys:
            bar._spawn(sides.read(keys))

    controller.refreshFinished.connect(first_refresh)
    return sides, bar
