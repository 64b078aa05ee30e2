"""Operational status codes of ``VMIntegrationComponentOperationalStatus`` and VM states.

Logic is keyed on the code or its name, never on the description (localized)."""

from __future__ import annotations

from enum import IntEnum


class OperationalStatus(IntEnum):
    Ok = 2
    Degraded = 3
    Error = 6
    NonRecoverableError = 7
    NoContact = 12
    LostCommunication = 13
    Paused = 15
    ProtocolMismatch = 32775
    ApplicationCritical = 32782
    CommunicationTimedOut = 32783
    CommunicationFailed = 32784
    Disabled = 32896


#: What an English host writes in Primary/SecondaryStatusDescription.
ENGLISH_DESCRIPTIONS: dict[OperationalStatus, str] = {
    OperationalStatus.Ok: "OK",
    OperationalStatus.Degraded: "Degraded",
    OperationalStatus.Error: "Error",
    OperationalStatus.NonRecoverableError: "Non-Recoverable Error",
    OperationalStatus.NoContact: "No Contact",
    OperationalStatus.LostCommunication: "Lost Communication",
    OperationalStatus.Paused: "Paused",
    OperationalStatus.ProtocolMismatch: (
        "The protocol version of the component installed in the virtual machine does not match "
        "the version expected by the hosting system"
    ),
    OperationalStatus.ApplicationCritical: "Application critical",
    OperationalStatus.CommunicationTimedOut: "Communication timed out",
    OperationalStatus.CommunicationFailed: "Communication failed",
    OperationalStatus.Disabled: "Disabled",
}

#: Short words for the grid's badge.
SHORT_TEXT: dict[OperationalStatus, str] = {
    OperationalStatus.Ok: "OK",
    OperationalStatus.Degraded: "Degraded",
    OperationalStatus.Error: "Error",
    OperationalStatus.NonRecoverableError: "Error",
    OperationalStatus.NoContact: "No Contact",
    OperationalStatus.LostCommunication: "Lost Communication",
    OperationalStatus.Paused: "Paused",
    OperationalStatus.ProtocolMismatch: "Protocol mismatch",
    OperationalStatus.ApplicationCritical: "App critical",
    OperationalStatus.CommunicationTimedOut: "Timed out",
    OperationalStatus.CommunicationFailed: "Comm. failed",
    OperationalStatus.Disabled: "Disabled",
}


#: VM states by name (numbers above 32781 differ between Windows versions).
RUNNING_STATES = frozenset({"Running", "RunningCritical"})
OFF_STATES = frozenset({"Off", "OffCritical"})
