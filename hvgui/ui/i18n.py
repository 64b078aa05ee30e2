"""The window's languages: English (the source) and French.

Every user-visible string of the window goes through :func:`tr` with a literal, so
``pyside6-lupdate`` finds it (``hvgui/ui/translations/hvgui_fr.ts``, compiled to ``hvgui_fr.qm`` by
``pyside6-lrelease``: ``python -m hvgui.ui.i18n --update`` does both). Counts use Qt's plurals:
``tr("%n change(s)", "", n)``; English needs no translation file (:func:`english_plural`). Qt's own strings (the
buttons of message boxes, the file dialog...) come from Qt's ``qtbase_fr.qm``, shipped in PySide6.

The language is ``--lang fr|en``, else the system's (any French locale: French; anything else:
English)."""

from __future__ import annotations

import logging
import subprocess
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from hvgui.remote.errors import TITLES, ErrorKind, HostError

log = logging.getLogger(__name__)

LANGUAGES = ("en", "fr")
TRANSLATED = ("fr",)
"""English is the source: its plurals come from :func:`english_plural`."""
CONTEXT = ""
"""The context ``pyside6-lupdate`` gives a free function's ``tr()`` call."""

_installed: list[QTranslator] = []
_data: list[bytes] = []
_language = "en"


_said: dict[tuple[str, str | None, int], str] = {}
"""What :func:`tr` answered, until :func:`install` changes the language (the grid asks the same
few words for every cell it draws)."""
_SAID_KEPT = 20_000
_vm_states_per_language: dict[str, dict[str, str]] = {}


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the window's language. ``n`` >= 0: a count, ``%n`` in ``text`` and English
    plurals written ``change(s)`` or ``is|are`` (the French forms are in the .ts file)."""
    key = (text, disambiguation, n)
    result = _said.get(key)
    if result is None:
        result = QCoreApplication.translate(CONTEXT, text, disambiguation, n)
        if n >= 0 and result == text.replace("%n", str(n)):
            result = english_plural(result, n)
        if len(_said) >= _SAID_KEPT:
            _said.clear()
        _said[key] = result
    return result


def english_plural(text: str, n: int) -> str:
    """The English source's own plural: ``(s)`` and ``(es)`` endings, ``singular|plural`` words."""
    text = text.replace("(s)", "" if n == 1 else "s").replace("(es)", "" if n == 1 else "es")
    return " ".join(w.split("|")[0 if n == 1 else 1] if "|" in w else w for w in text.split(" "))


def QT_TR_NOOP(text: str) -> str:  # the name pyside6-lupdate looks for
    """Marks a literal for translation where it is defined (``QT_TR_NOOP``); :func:`tr` it
    where it is shown."""
    return text


def service_label(guid: str) -> str:
    """Hyper-V Manager's label of a known service (Settings > Management > Integration Services),
    as the French Hyper-V Manager shows it in French; a service hvgui does not know keeps the
    host's name (see :func:`hvgui.core.catalog.display_label`)."""
    from hvgui.core import catalog

    labels = {
        catalog.SHUTDOWN: tr("Operating system shutdown"),
        catalog.TIME_SYNC: tr("Time synchronization"),
        catalog.KVP: tr("Data Exchange"),
        catalog.HEARTBEAT: tr("Heartbeat"),
        catalog.VSS: tr("Backup (volume shadow copy)"),
        catalog.GUEST_SERVICE_INTERFACE: tr("Guest services"),
    }
    return labels.get(catalog.normalize_guid(guid)) or catalog.display_label(guid)


def error_title(kind: ErrorKind) -> str:
    """What kind of failure a host had, in the window's words ("Host unreachable")."""
    words = {
        ErrorKind.CONFIG: tr("Host settings need fixing"), ErrorKind.UNREACHABLE: tr("Host unreachable"),
        ErrorKind.NAME_NOT_RESOLVED: tr("Host name not resolved"),
        ErrorKind.TLS_UNTRUSTED: tr("TLS certificate not trusted"),
        ErrorKind.WRONG_CREDENTIALS: tr("Wrong user name or password"), ErrorKind.ACCESS_DENIED: tr("Access denied"),
        ErrorKind.QUOTA: tr("WinRM quota reached"), ErrorKind.TIMEOUT: tr("Timed out"),
        ErrorKind.POWERSHELL: tr("PowerShell error"), ErrorKind.MALFORMED_OUTPUT: tr("Unexpected output from the host"),
        ErrorKind.PROTOCOL: tr("WinRM error"), ErrorKind.CANCELLED: tr("Cancelled"),
        ErrorKind.POWERSHELL_TOO_OLD: tr("PowerShell too old"),
        ErrorKind.HYPERV_MODULE_MISSING: tr("No Hyper-V PowerShell module"),
        ErrorKind.NOT_HYPERV_ADMIN: tr("Not a Hyper-V administrator"),
        ErrorKind.CERT_CHANGED: tr("Host certificate CHANGED"),
    }
    return words.get(kind, TITLES.get(kind, str(kind)))


def error_text(error: HostError) -> str:
    """``HostError.text`` with its title in the window's words; the message after it is the
    engine's or the host's own (English, or the host's language)."""
    where = f"{error.host}: " if error.host else ""
    return where + tr("{title}: {message}", "host error").format(title=error_title(error.kind), message=error.message)


def vm_state_text(state: str) -> str:
    """A VM state (``VMState`` by name, as every host reports it) in the window's words."""
    words = _vm_states_per_language.get(_language)
    if words is None:
        words = _vm_states_per_language[_language] = _vm_state_words()
    return words.get(state, state)


def _vm_state_words() -> dict[str, str]:
    return {
        "Running": tr("Running", "VM state"), "Off": tr("Off", "VM state"), "Saved": tr("Saved", "VM state"),
        "Paused": tr("Paused", "VM state"), "Starting": tr("Starting", "VM state"),
        "Stopping": tr("Stopping", "VM state"), "Saving": tr("Saving", "VM state"),
        "Pausing": tr("Pausing", "VM state"),
        "Resuming": tr("Resuming", "VM state"), "Reset": tr("Reset", "VM state"), "Other": tr("Other", "VM state"),
        "RunningCritical": tr("Running (critical)", "VM state"), "OffCritical": tr("Off (critical)", "VM state"),
        "SavedCritical": tr("Saved (critical)", "VM state"), "PausedCritical": tr("Paused (critical)", "VM state"),
    }


def system_language() -> str:
    return "fr" if QLocale.system().language() == QLocale.Language.French else "en"


def language() -> str:
    return _language


def qm_bytes(lang: str) -> bytes | None:
    source = resources.files("hvgui.ui").joinpath("translations", f"hvgui_{lang}.qm")
    return source.read_bytes() if source.is_file() else None


def install(app: QCoreApplication, lang: str | None = None) -> str:
    """Install the translators for ``lang`` (default: the system's); returns the language used."""
    global _language
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    chosen = lang if lang in LANGUAGES else system_language()
    data = qm_bytes(chosen)
    if data is not None:
        ours = QTranslator(app)
        if ours.load(data):
            app.installTranslator(ours)
            _installed.append(ours)
            _data.append(data)  # QTranslator reads the bytes in place: kept for the process's life
        else:
            log.warning("could not load the %s translation", chosen)
    if chosen != "en":
        qt = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(f"qtbase_{chosen}", folder):
            app.installTranslator(qt)
            _installed.append(qt)
        else:
            log.warning("Qt's own %s translation (qtbase_%s.qm) was not found in %s", chosen, chosen, folder)
    QLocale.setDefault(QLocale(QLocale.Language.French if chosen == "fr" else QLocale.Language.English,
                               QLocale.Country.France if chosen == "fr" else QLocale.Country.UnitedStates))
    _language = chosen
    _said.clear()
    return chosen


def check_translations(lang: str = "fr") -> list[str]:
    """What is wrong with this installation's ``lang`` translations ([] when both hvgui's and
    Qt's own load and translate): the self-test runs it, so a build that lost them says so."""
    problems: list[str] = []
    data = qm_bytes(lang)
    ours = QTranslator()
    if data is None or not ours.load(data):
        problems.append(f"hvgui_{lang}.qm is missing or unreadable")
    elif ours.translate(CONTEXT, "Refresh") in ("", "Refresh"):
        problems.append(f"hvgui_{lang}.qm does not translate 'Refresh'")
    qt = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt.load(f"qtbase_{lang}", folder):
        problems.append(f"Qt's qtbase_{lang}.qm was not found in {folder}")
    return problems


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def update() -> int:
    """Developers: refresh the .ts files from the sources (new strings come in unfinished), then
    compile them to .qm."""
    ui = Path(__file__).resolve().parent
    sources = sorted(str(p) for p in ui.rglob("*.py"))
    rc = 0
    for lang in TRANSLATED:
        ts = ui / "translations" / f"hvgui_{lang}.ts"
        rc |= subprocess.call([_tool("lupdate"), "-no-obsolete", "-locations", "none", "-source-language", "en",
                               "-target-language", lang, *sources, "-ts", str(ts)])
        rc |= subprocess.call([_tool("lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))])
    return rc


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m hvgui.ui.i18n --update")
    raise SystemExit(update())
