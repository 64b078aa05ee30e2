"""The details pane, for helpdesk staff: the current VM's host, state, integration services
version and state, guest OS, how its integration services are kept up to date (the seed's
tables, and what blocks it), and every service in plain words, with what to check inside the guest; *Copy report*
puts the same as text on the clipboard, for one VM or every selected one.

It speaks the UI's language; what the host wrote (French or German on those hosts) is in each
line's tooltip as "Host says: ..."."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QPushButton, QTextBrowser, QVBoxLayout, QWidget

from hvgui.core.advice import Advice
from hvgui.core.model import VM
from hvgui.ui import look
from hvgui.ui.controller import Controller
from hvgui.ui.explain import (
    ReportItem,
    advice_lines,
    attention_reasons,
    blocked_text,
    explain,
    fleet_report,
    guest_check,
    guest_os_text,
    is_state_word,
    ordered,
    result_text,
    service_label_of,
    status_line,
    summary_line,
    vm_advice,
)
from hvgui.ui.i18n import service_label, tr, vm_state_text
from hvgui.ui.meaning import PROBLEMS, Meaning, host_words, service_meaning
from hvgui.ui.setup_disk import result_words
from hvgui.ui.state import CellKey, RowKey, on_off
from hvgui.ui.words import esc

_ICON_SCHEME = "meaning"


class _Browser(QTextBrowser):
    """Serves the status icons (``meaning:working``...) to the document: the same shapes as
    in the grid, so meaning never rests on colour alone here either."""

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        url = QUrl(url)
        if kind == QTextDocument.ResourceType.ImageResource and url.scheme() == _ICON_SCHEME:
            icon = look.meaning_icon(Meaning(url.path()))
            return icon.pixmap(14, 14) if icon is not None else None
        return super().loadResource(kind, url)


def _icon(meaning: Meaning) -> str:
    if look.meaning_icon(meaning) is None:
        return "<span style='font-size:14px'>&nbsp;&nbsp;&nbsp;</span>"
    return f"<img src='{_ICON_SCHEME}:{meaning.value}' width='14' height='14'>"


class DetailsPane(QWidget):
    reportCopied = Signal(int)
    """A report was put on the clipboard: how many VMs it covers."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.key: RowKey | None = None
        """The VM shown (host key, VM id)."""
        self.browser = _Browser()
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(tr("Details of the current VM"))
        self.copy_button = QPushButton(tr("Copy report"))
        self.copy_button.setToolTip(tr("Put a readable text summary of this VM (or of every selected VM) on the "
                                    "clipboard (Ctrl+Shift+C)"))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.browser)
        box.addWidget(self.copy_button)
        self.setTabOrder(self.browser, self.copy_button)
        self._html = ""
        self.guest: Any = None
        """The guest side (:class:`hvgui.ui.guest_side.GuestSides`), once attached."""
        # Rebuilt at most every 25 ms: 20 hosts answering at once must not rebuild it 20 times.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(25)
        self._timer.timeout.connect(self.rebuild)
        controller.vmsChanged.connect(self._vms_changed)
        controller.hostsChanged.connect(self._hosts_changed)
        controller.cellsChanged.connect(self._cells_changed)
        self.rebuild()

    def show_vm(self, key: RowKey | None) -> None:
        self.key = key
        self._timer.start()

    # ------------------------------------------------------------ what changed
    def _vms_changed(self, diffs: dict[str, Any]) -> None:
        if self.key is not None and self.key[0] in diffs:
            self._timer.start()

    def _hosts_changed(self, keys: list[str]) -> None:
        if self.key is not None and self.key[0] in keys:
            self._timer.start()

    def _cells_changed(self, cells: list[CellKey]) -> None:
        key = self.key
        if key is not None and any(c[:2] == key for c in cells):
            self._timer.start()

    # ------------------------------------------------------------ rendering
    def _set_html(self, text: str) -> None:
        if text != self._html:  # setHtml re-lays out the whole document
            self._html = text
            self.browser.setHtml(text)

    def rebuild(self) -> None:
        self._timer.stop()
        key = self.key
        st = self.controller.state
        vm = st.vm(*key) if key else None
        self.copy_button.setEnabled(vm is not None)
        t = look.theme()
        if key is None or vm is None:
            self._set_html(f"<p style='color:{t.grey}'>"
                           + esc(tr("Select a VM to see its integration services in plain words.")) + "</p>")
            return
        entry = st.hosts[key[0]]
        pending = {c[2]: v for c, v in st.pending.items() if c[:2] == key}
        results = {c[2]: r for c, r in st.results.items() if c[:2] == key}
        rows = []
        # What needs a look first (on a laptop the pane is short), then Hyper-V Manager's order.
        for svc in sorted(ordered(vm.services), key=lambda sv: service_meaning(vm, sv) not in PROBLEMS):
            cell = (key[0], key[1], svc.guid)
            meaning = service_meaning(vm, svc)
            extra = ""
            check = guest_check(vm, svc)
            if check and self.guest is not None and self.guest.explains(vm, svc):
                check = ""  # the guest side was read: its own words say what to do (below)
            if check:
                extra += "<br><b>" + esc(tr("What to check:")) + f"</b> {esc(check)}"
            if cell in st.pending:
                extra += (f"<br><span style='background:{t.bg_pending}'><b>" + esc(tr("Pending:")) + "</b> "
                          f"{on_off(svc.enabled)} → {on_off(st.pending[cell])}</span>")
            if cell in st.results:
                extra += f"<br><i>{esc(result_text(st.results[cell]))}</i>"
            if self.guest is not None:
                extra += self.guest.details_html(vm, svc)
            rows.append(
                f"<tr><td valign='top'>{_icon(meaning)}</td><td>"
                "<span title='" + esc(tr("Host says: {words}").format(words=host_words(svc))) + "'>"
                f"<b>{esc(service_label_of(svc))}</b>: "
                f"<span style='color:{look.meaning_colour(meaning)}'>{esc(status_line(vm, svc))}</span></span><br>"
                f"{esc(explain(vm, svc))}{extra}</td></tr>")
        if vm.error:
            offered = {svc.guid for svc in vm.services}
            kept_word = esc(tr("Pending (kept):"))
            kept = "".join(f"<br><span style='background:{t.bg_pending}'><b>{kept_word}</b> "
                           f"{esc(service_label(c[2]))} → {on_off(v)}</span>"
                           for c, v in st.pending.items() if c[:2] == key and c[2] not in offered)
            rows.insert(0, f"<tr><td valign='top'>{_icon(Meaning.UNREADABLE)}</td><td>"
                           f"<span style='color:{t.red}'><b>"
                           + esc(tr("Integration services could not be read on the host:")) + "</b> "
                           f"{esc(vm.error)}</span>{kept}</td></tr>")
        when = time.strftime("%H:%M:%S", time.localtime(entry.last_refresh)) if entry.last_refresh else "—"
        os_text = entry.facts.os_caption if entry.facts else ""
        avm = st.advice_vm(*key) or vm
        adv = vm_advice(entry.facts, avm, pending)
        seen = st.guest_os_seen.get(key)
        state_colour = t.amber if adv.update_required else t.grey if vm.is_state not in (
            "Up to date", "Update required") else ""
        state_html = (f"<span style='color:{state_colour}'>{esc(is_state_word(vm))}</span>" if state_colour
                      else esc(is_state_word(vm)))
        guest_html = esc(guest_os_text(vm, seen))
        if not vm.guest_os:
            guest_html = f"<span style='color:{t.grey}'>{guest_html}</span>"
        info = [(tr("Host"), f"<b>{esc(entry.name)}</b> {esc(os_text)}"),
                (tr("State"), esc(vm_state_text(vm.state))),
                (tr("Integration services"), esc(vm.is_version or tr("version unknown")) + f" · {state_html}"),
                (tr("Guest OS"), guest_html)]
        disk = st.disk_results.get(key)
        if disk is not None:
            info.append((tr("Setup disk"), esc(result_words(disk))))
        info += [(tr("Read at"), when), (tr("VM Id"), f"<small>{esc(vm.id)}</small>")]
        if self.guest is not None:
            info.append((tr("Inside the guest"), self.guest.summary_html(vm)))
        table = "".join(f"<tr><td style='color:{t.grey}'>{k}&nbsp;</td><td>{v}</td></tr>" for k, v in info)
        self._set_html(
            f"<h3 style='margin-bottom:2px'>{esc(vm.name)}</h3>"
            f"<p style='margin-top:0'>{esc(summary_line(vm, pending, results, adv))}</p>"
            f"<table cellspacing='1'>{table}</table>"
            f"{self._updates_html(avm, adv)}"
            f"<table cellspacing='4'>{''.join(rows)}</table>")

    @staticmethod
    def _updates_html(vm: VM, adv: Advice) -> str:
        """How this VM's integration services are kept up to date (the seed's tables), and what
        needs attention about it."""
        t = look.theme()
        lines = advice_lines(adv, vm)
        body = "<b>" + esc(tr("Updates:")) + f"</b> {esc(lines[0])}" + "".join(f"<br>{esc(line)}" for line in lines[1:])
        blocked = blocked_text(vm, adv)
        reasons = attention_reasons(vm, adv)
        meaning = Meaning.DEGRADED if adv.update_required and not adv.blocked else Meaning.NOT_ANSWERING
        icon = _icon(meaning) if reasons else _icon(Meaning.OFF)
        if blocked:
            body += f"<br><span style='color:{t.orange}'><b>{esc(blocked)}</b></span>"
        if reasons:
            body += (f"<br><span style='color:{look.meaning_colour(meaning)}'><b>"
                     + esc(tr("Needs attention:")) + "</b> "
                     f"{esc('; '.join(reasons))}.</span>")
        return f"<table cellspacing='4'><tr><td valign='top'>{icon}</td><td>{body}</td></tr></table>"

    # ------------------------------------------------------------ report
    def report_text(self, keys: Sequence[RowKey] | None = None) -> str:
        """The report of these VMs (default: the one shown)."""
        st = self.controller.state
        items: list[ReportItem] = []
        for key in (keys if keys else [self.key] if self.key else []):
            vm = st.vm(*key)
            if vm is None:
                continue
            entry = st.hosts[key[0]]
            items.append(ReportItem(entry.name, entry.facts, vm,
                                    {c[2]: t for c, t in st.pending.items() if c[:2] == key},
                                    {c[2]: r for c, r in st.results.items() if c[:2] == key},
                                    entry.last_refresh, st.guest_os_seen.get(key)))
        text = fleet_report(items) if items else ""
        if text and self.guest is not None:
            text += self.guest.report_text([i.vm for i in items])
        return text

    def copy_report(self, keys: Sequence[RowKey] | None = None) -> bool:
        text = self.report_text(keys)
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        self.reportCopied.emit(len(keys) if keys else 1)
        return True
