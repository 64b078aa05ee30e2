"""The six Hyper-V integration services, keyed by the GUID at the end of their ``Id``.

Names are localized on non-English hosts; the GUID never is, so everything here and
everywhere else in hvgui is keyed on the GUID.
"""

from __future__ import annotations

from dataclasses import dataclass

HEARTBEAT = "84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47"
SHUTDOWN = "9F8233AC-BE49-4C79-8EE3-E7E1985B2077"
TIME_SYNC = "2497F4DE-E9FA-4204-80E4-4B75C46419C0"
KVP = "2A34B1C2-FD73-4043-8A5B-DD2159BC743F"
VSS = "5CED1297-4598-4915-A5FC-AD21BB4D02A4"
GUEST_SERVICE_INTERFACE = "6C09BB55-D683-4DA0-8931-C9BF705F6480"


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    guid: str
    english_name: str
    """The ``Name`` an English host reports."""
    label: str
    """Hyper-V Manager's label in Settings > Management > Integration Services."""
    short_label: str
    """Column header in the grid."""
    windows_service: str
    linux_component: str
    default_enabled: bool


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(SHUTDOWN, "Shutdown", "Operating system shutdown", "Shutdown",
                "vmicshutdown", "hv_utils (kernel)", True),
    ServiceInfo(TIME_SYNC, "Time Synchronization", "Time synchronization", "Time sync",
                "vmictimesync", "hv_utils (kernel)", True),
    ServiceInfo(KVP, "Key-Value Pair Exchange", "Data Exchange", "Data Exchange",
                "vmickvpexchange", "hv_kvp_daemon", True),
    ServiceInfo(HEARTBEAT, "Heartbeat", "Heartbeat", "Heartbeat",
                "vmicheartbeat", "hv_utils (kernel)", True),
    ServiceInfo(VSS, "VSS", "Backup (volume shadow copy)", "Backup (VSS)",
                "vmicvss", "hv_vss_daemon", True),
    ServiceInfo(GUEST_SERVICE_INTERFACE, "Guest Service Interface", "Guest services", "Guest services",
                "vmicguestinterface", "hv_fcopy_daemon", False),
)

_BY_GUID = {s.guid: s for s in SERVICES}

#: ``Name`` as hosts of each locale report it. French names are partly unconfirmed
#: (hyperv-facts.md §4); the apostrophe in the French Guest Service Interface is typographic.
LOCALIZED_NAMES: dict[str, dict[str, str]] = {
    "en-US": {s.guid: s.english_name for s in SERVICES},
    "de-DE": {
        GUEST_SERVICE_INTERFACE: "Gastdienstschnittstelle",
        HEARTBEAT: "Takt",
        KVP: "Austausch von Schlüsselwertepaaren",
        SHUTDOWN: "Herunterfahren",
        TIME_SYNC: "Zeitsynchronisierung",
        VSS: "VSS",
    },
    "fr-FR": {
        GUEST_SERVICE_INTERFACE: "Interface de services d’invité",
        HEARTBEAT: "Pulsation",
        KVP: "Échange de paires clé-valeur",
        SHUTDOWN: "Arrêt",
        TIME_SYNC: "Synchronisation date/heure",
        VSS: "VSS",
    },
}


_GUID_TRIM = " \t\r\n{}"


def normalize_guid(guid: str) -> str:
    """Upper-case, without surrounding braces or blanks (idempotent)."""
    return guid.strip(_GUID_TRIM).upper()


def service_guid_from_id(component_id: str) -> str:
    """``Microsoft:<VMID>\\<GUID>`` -> ``<GUID>`` (upper-case)."""
    return normalize_guid(component_id.rsplit("\\", 1)[-1])


def get(guid: str) -> ServiceInfo | None:
    return _BY_GUID.get(normalize_guid(guid))


def is_known(guid: str) -> bool:
    return normalize_guid(guid) in _BY_GUID


def lookup(text: str) -> ServiceInfo:
    """Find a service by GUID, English name, Hyper-V Manager label, short label, guest
    service name or any localized name (case-insensitive). Raises ``KeyError``."""
    wanted = text.strip()
    if not wanted:
        raise KeyError(text)
    guid = normalize_guid(wanted)
    if guid in _BY_GUID:
        return _BY_GUID[guid]
    folded = wanted.casefold().replace("’", "'")
    for s in SERVICES:
        names = {s.english_name, s.label, s.short_label, s.windows_service}
        names.update(loc[s.guid] for loc in LOCALIZED_NAMES.values())
        if folded in {n.casefold().replace("’", "'") for n in names}:
            return s
    raise KeyError(text)


def display_label(guid: str, host_name: str | None = None) -> str:
    """Hyper-V Manager's label for a known service, else what the host called it."""
    info = get(guid)
    if info is not None:
        return info.label
    return host_name or normalize_guid(guid)
