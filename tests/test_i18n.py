"""French: every user-visible string of the translated modules goes through tr(), every entry of
hvgui_fr.ts is finished (placeholders and plural forms kept), the .ts and .qm are in step with
the sources, Qt's own qtbase_fr is loaded, and the language follows --lang or the system locale."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import ast
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale
from PySide6.QtWidgets import QApplication

from hvgui.ui import i18n

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "hvgui" / "ui"
TS = UI / "translations" / "hvgui_fr.ts"
QM = UI / "translations" / "hvgui_fr.qm"

NOT_YET_TRANSLATED = {
    # Still English: the CSV export and the audit history's records (data for other tools), the
    # equivalent PowerShell (code), the self-test's console report. README says what remains.
    "export.py", "history.py", "equivalent_powershell.py", "selftest.py",
}
"""Modules whose user-visible strings are still English only (checked to exist, so the list
cannot go stale silently)."""

#: Qt calls whose string arguments a person reads.
SINKS = {
    "setText", "setToolTip", "setStatusTip", "setWindowTitle", "setPlaceholderText", "setAccessibleName",
    "setAccessibleDescription", "setWhatsThis", "addMenu", "addAction", "addButton", "showMessage", "addItem",
    "setHorizontalHeaderLabels", "setTitle", "setLabelText", "setHtml", "QAction", "QLabel", "QPushButton",
    "QCheckBox", "QRadioButton", "QGroupBox", "QToolBar", "QMessageBox", "QMenu", "_action", "show_message",
}


def _literal_text(node: ast.expr) -> str | None:
    """English text written in the call itself (a literal, an f-string's literal parts, or a
    concatenation), else None. ``tr(...)`` and names are fine."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        parts = [_literal_text(node.left), _literal_text(node.right)]
        return "".join(p for p in parts if p) or None
    if isinstance(node, ast.IfExp):
        parts = [_literal_text(node.body), _literal_text(node.orelse)]
        return "".join(p for p in parts if p) or None
    return None


def untranslated(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SINKS:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("text", "title", "tip"))]:
            text = _literal_text(arg)
            # Words (two letters in a row) a person would read; not key names or icon names ("add-host").
            if text and re.search(r"[A-Za-z]{2}", text) and not re.fullmatch(r"(Ctrl|Alt|Shift|F\d)[+\w]*", text) \
                    and not re.fullmatch(r"[a-z][a-z-]*", text):
                found.append(f"{path.relative_to(root)}:{arg.lineno}: {text[:70]!r}")
    return found


def ui_modules() -> Iterator[Path]:
    return (p for p in sorted(UI.rglob("*.py")) if p.name not in NOT_YET_TRANSLATED | {"__init__.py"})


def test_every_user_visible_string_of_the_translated_modules_goes_through_tr() -> None:
    assert {p.name for p in UI.rglob("*.py")} >= NOT_YET_TRANSLATED
    problems = [line for p in ui_modules() for line in untranslated(p)]
    assert problems == []


def test_the_check_does_catch_an_untranslated_string(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('def f(w, n):\n    w.setToolTip("Read every host")\n    w.setText(f"{n} hosts failed")\n'
                   '    w.setText(tr("Fine"))\n', encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in untranslated(bad, tmp_path)]
    assert found == ["'Read every host'", "' hosts failed'"]


def messages() -> list[ET.Element]:
    return list(ET.parse(TS).getroot().iter("message"))


def test_every_ts_entry_is_finished_with_its_placeholders_and_plural_forms() -> None:
    msgs = messages()
    assert len(msgs) > 300
    problems = []
    for m in msgs:
        source = m.findtext("source") or ""
        t = m.find("translation")
        assert t is not None
        if t.get("type") in ("unfinished", "vanished", "obsolete"):
            problems.append(f"{t.get('type')}: {source!r}")
            continue
        forms = [f.text or "" for f in t.findall("numerusform")] if m.get("numerus") == "yes" else [t.text or ""]
        if m.get("numerus") == "yes" and len(forms) != 2:
            problems.append(f"French has two plural forms: {source!r}")
        for form in forms:
            if not form.strip():
                problems.append(f"empty: {source!r}")
            if set(re.findall(r"\{\w+\}", form)) != set(re.findall(r"\{\w+\}", source)):
                problems.append(f"placeholders differ: {source!r} -> {form!r}")
        if m.get("numerus") == "yes" and "%n" in source and "%n" not in forms[-1]:
            problems.append(f"the plural form lost %n: {source!r}")
    assert problems == []


def test_ts_and_qm_are_in_step_with_the_sources(tmp_path: Path) -> None:
    """What pyside6-lupdate finds in the sources is exactly what the .ts holds (a new tr() string
    makes this fail until it is translated), and the .qm is the .ts compiled."""
    fresh = tmp_path / "fresh.ts"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = [str(p) for p in sorted(UI.rglob("*.py"))]
    subprocess.run([str(lupdate), "-locations", "none", "-target-language", "fr", *sources, "-ts", str(fresh)],
                   check=True, capture_output=True)

    def keys(path: Path) -> set[tuple[str, str]]:
        return {(m.findtext("source") or "", m.findtext("comment") or "")
                for m in ET.parse(path).getroot().iter("message")
                if m.find("translation") is None
                or m.find("translation").get("type") not in ("vanished", "obsolete")}  # type: ignore[union-attr]

    assert keys(fresh) == keys(TS)
    qm = tmp_path / "fresh.qm"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(TS), "-qm", str(qm)], check=True, capture_output=True)
    assert qm.read_bytes() == QM.read_bytes(), "run: python -m hvgui.ui.i18n --update"


def settle() -> None:
    """Deliver the LanguageChange events (un)installing a translator posts, here and now, not
    in a later test's event loop."""
    QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))
    QCoreApplication.processEvents()


@pytest.fixture
def french(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install(qapp, "fr") == "fr"
    settle()
    yield qapp
    i18n.install(qapp, "en")
    settle()


def test_french_words_plurals_and_qts_own_strings(french: Any) -> None:
    assert i18n.tr("Refresh") == "Actualiser"
    assert i18n.tr("%n host(s) connected", "", 1) == "1 hôte connecté"
    assert i18n.tr("%n host(s) connected", "", 6) == "6 hôtes connectés"
    assert i18n.tr("%n operation(s)", "", 0) == "0 opération"  # French: 0 is singular
    from hvgui.core import catalog

    assert i18n.service_label(catalog.TIME_SYNC) == "Synchronisation date/heure"
    assert i18n.service_label(catalog.GUEST_SERVICE_INTERFACE) == "Services d'invité"
    assert i18n.vm_state_text("Running") == "En fonctionnement" and i18n.vm_state_text("Off") == "Arrêté"
    assert i18n.tr("Off") == "Désactivé"  # a service, not a VM state
    # Qt's own strings (message box buttons) come from qtbase_fr.
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "&Oui"
    assert i18n.check_translations("fr") == []


def test_english_is_the_source_with_its_own_plurals(qapp: QApplication) -> None:
    assert i18n.install(qapp, "en") == "en"
    settle()
    assert i18n.tr("Refresh") == "Refresh"
    assert i18n.tr("%n host(s) connected", "", 1) == "1 host connected"
    assert i18n.tr("%n host(s) connected", "", 2) == "2 hosts connected"
    assert i18n.tr("%n is|are not in view", "", 1) == "1 is not in view"
    assert i18n.tr("Reverted %n pending change(s) (Ctrl+Z brings it|them back)", "", 3) == \
        "Reverted 3 pending changes (Ctrl+Z brings them back)"


@pytest.mark.parametrize(("env", "expected"), [({"LANG": "fr_FR.UTF-8"}, "fr"), ({"LANG": "fr_CA.UTF-8"}, "fr"),
                                               ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en")])
def test_the_system_locale_chooses_the_language(env: dict[str, str], expected: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    code = ("from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
            "from hvgui.ui import i18n; print(i18n.install(app, None), i18n.tr('Refresh'))")
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert out[0] == expected
    assert out[1] == ("Actualiser" if expected == "fr" else "Refresh")


def test_lang_option_overrides_the_system(qapp: QApplication) -> None:
    from hvgui.ui.app import parse_args

    assert parse_args(["--lang", "fr"]).lang == "fr" and parse_args([]).lang is None
    with pytest.raises(SystemExit):
        parse_args(["--lang", "de"])
    assert QLocale.system() is not None


def test_the_step_by_step_checks_steps_and_outcomes_are_french(french: Any) -> None:
    from hvgui.remote.doctor import Status, Step
    from hvgui.ui.doctor_dialog import step_text

    text = step_text(Step("hyperv_module", Status.FAILED, "no module", "Install-WindowsFeature Hyper-V-PowerShell"))
    assert text.splitlines() == ["✘ Module Hyper-V pour Windows PowerShell : échec — no module",
                                 "      Pour corriger : Install-WindowsFeature Hyper-V-PowerShell"]
    assert step_text(Step("inventory", Status.NOT_CHECKED)) == "· Inventaire en lecture seule : non vérifié"


def _guest_cases() -> Iterator[tuple[Any, Any, Any]]:
    """(VM, service, guest side) covering every branch of hvgui.core.guest.effective."""
    from hvgui.core import catalog
    from hvgui.core import guest as g
    from hvgui.core.model import VM, HostFacts, ServiceState

    guids = [catalog.HEARTBEAT, catalog.KVP, catalog.VSS, catalog.GUEST_SERVICE_INTERFACE]
    vm_id = "0f0e0d0c-0000-4000-8000-000000000001"
    for enabled in (True, False):
        services = tuple(ServiceState(guid, catalog.display_label(guid), enabled) for guid in guids)
        vm = VM(vm_id, "web2", "Running", guest_os="Windows Server 2022 Datacenter", services=services)
        old = VM(vm_id, "dc-2008r2", "Running", guest_os="Windows Server 2008 R2 Enterprise", services=services)
        off = VM(vm_id, "web3", "Off", guest_os="Windows Server 2022 Datacenter", services=services)
        windows = [
            g.GuestSide(vm_id, g.WINDOWS, services=(
                g.GuestService("vmicheartbeat", "Hyper-V Heartbeat Service", "Running", "Manual"),
                g.GuestService("vmickvpexchange", "Hyper-V Data Exchange Service", "Stopped", "Disabled"),
                g.GuestService("vmicvss", "Hyper-V Volume Shadow Copy Requestor", "Stopped", "Manual"))),
            g.unknown(vm_id, g.WINDOWS, g.GuestProblem.INVALID_CREDENTIAL, "The credential is invalid."),
            g.unknown(vm_id, g.WINDOWS, g.GuestProblem.NO_CREDENTIALS),
        ]
        linux = [
            g.GuestSide(vm_id, g.LINUX, hv_utils=True, daemons=(
                g.LinuxDaemon("kvp", "hv_kvp_daemon", "hv-kvp-daemon.service", True, True),
                g.LinuxDaemon("vss", "hv_vss_daemon", "hv-vss-daemon.service", True, False),
                g.LinuxDaemon("fcopy", "hypervfcopyd", None, True, False))),
            g.GuestSide(vm_id, g.LINUX, hv_utils=False, daemons=()),
        ]
        blocked = [x for x in (g.blocker(HostFacts(name="HV-OLD", os_version="6.3.9600",
                                                   os_caption="Microsoft Windows Server 2012 R2"), vm),
                               g.blocker(None, old), g.blocker(None, off)) if x is not None]
        for svc in services:
            for side in [*windows, *linux, *blocked, None]:
                yield (old if side in blocked[1:2] else off if side in blocked[2:] else vm), svc, side


def test_the_guest_sides_words_are_the_cores_own_in_english(qapp: QApplication) -> None:
    """hvgui/core/guest.py says the guest side in English; the window says it again through tr():
    in English, word for word the same (so the two cannot drift apart)."""
    from hvgui.core import guest as g
    from hvgui.ui import guest_side as gs

    assert i18n.install(qapp, "en") == "en"
    settle()
    cases = list(_guest_cases())
    assert len(cases) > 50
    for vm, svc, side in cases:
        e = g.effective(vm, svc, side)
        assert gs.effective_text(e.state) == e.text
        assert gs.guest_words(vm, svc, side) == e.guest, (svc.label, side)
        assert gs.advice_text(vm, svc, side) == e.advice, (svc.label, side)
        if side is not None:
            assert gs.reason_text(side) == side.reason
    for problem in g.GuestProblem:
        assert gs.problem_text(problem) == g.PROBLEM_TEXT[problem]
    assert gs.warning_text() == g.WARNING
    for action in (g.GuestAction("x", "vmickvpexchange", g.GuestActionKind.START_TYPE, "Manual"),
                   g.GuestAction("x", "vss", g.GuestActionKind.RESTART),
                   g.GuestAction("x", "vmicvss", g.GuestActionKind.STOP)):
        assert gs.action_text(action) == action.describe()


def test_the_guest_side_in_french(french: Any) -> None:
    from hvgui.core import guest as g
    from hvgui.ui import guest_side as gs

    vm, svc, side = next((v, s, x) for v, s, x in _guest_cases() if s.enabled and x is not None and x.readable
                         and g.effective(v, s, x).state is g.Effective.DISABLED_IN_GUEST)
    assert gs.guest_words(vm, svc, side) == "Arrêté (type de démarrage : Désactivé)"
    assert gs.advice_text(vm, svc, side) == (
        "Le service « Échange de données » est activé sur l'hôte mais vmickvpexchange est arrêté dans l'invité "
        "(type de démarrage : Désactivé) : Hyper-V ne peut pas le démarrer ; définissez son type de démarrage sur "
        "Manuel dans l'invité, puis démarrez-le.")
    off = g.unknown("x", g.WINDOWS, g.GuestProblem.NOT_RUNNING, "it is Off")
    assert gs.reason_text(off) == ("PowerShell Direct exige que la VM soit en fonctionnement : elle est dans l'état "
                                   "« Arrêté »")
    assert gs.action_text(g.GuestAction("x", "vmickvpexchange", g.GuestActionKind.START_TYPE, "Manual")) == \
        "définir le type de démarrage de vmickvpexchange sur Manuel"


def test_host_errors_are_titled_in_french(french: Any) -> None:
    """Every kind of host failure has a French title; the message after it is the engine's own."""
    from hvgui.remote.errors import TITLES, ErrorKind, HostError

    for kind in ErrorKind:
        assert i18n.error_title(kind) != TITLES[kind], kind
    error = HostError(ErrorKind.UNREACHABLE, "connection refused", host="HV01")
    assert i18n.error_text(error) == "HV01: Hôte injoignable : connection refused"
