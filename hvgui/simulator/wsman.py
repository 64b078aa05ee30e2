"""WS-Management (SOAP 1.2) parsing and building for the WinRS shell, as Windows answers it.

Requests are parsed by local element names (pywinrm and pypsrp use different prefixes, and
the simulator should be lenient where Windows is); responses copy the shape of real Windows
answers (see ``/work/shared/docs/winrm-protocol.md``).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Final
from xml.sax.saxutils import escape, quoteattr

NS_SOAP: Final = "http://www.w3.org/2003/05/soap-envelope"
NS_ADDRESSING: Final = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_TRANSFER: Final = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
NS_WSMAN: Final = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
NS_WSMAN_MS: Final = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
NS_SHELL: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS_FAULT: Final = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

ANONYMOUS: Final = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
RESOURCE_CMD: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"

ACTION_CREATE: Final = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE: Final = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
ACTION_RECEIVE: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
ACTION_SEND: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
ACTION_SIGNAL: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
ACTION_FAULT: Final = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

STATE_RUNNING: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
STATE_DONE: Final = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"

# WSManFault codes (winerror.h ERROR_WSMAN_*), as real hosts send them.
CODE_ACCESS_DENIED: Final = 5
CODE_OPERATION_TIMEOUT: Final = 2150858793
CODE_INVALID_SELECTORS: Final = 2150858843
CODE_SHELL_QUOTA: Final = 2150859173
CODE_ACTION_NOT_SUPPORTED: Final = 2150858772
CODE_INVALID_XML: Final = 2150858812
CODE_INVALID_PARAMETER: Final = 87
CODE_INVALID_TIMEOUT_HEADER: Final = 2150858881
CODE_OPERATIONS_QUOTA: Final = 2150859174

_ENVELOPE_OPEN: Final = (
    '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
    'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" '
    'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">'
)

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d*)?)D)?(?:T(?:(?P<h>\d+(?:\.\d*)?)H)?(?:(?P<m>\d+(?:\.\d*)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d*)?)S)?)?$"
)


class WSManFault(Exception):
    """A SOAP fault to answer with (HTTP 500)."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: str = "w:InternalError",
        value: str = "s:Receiver",
        reason: str | None = None,
        fault_detail: str | None = None,
        provider: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.value = value
        self.reason = reason if reason is not None else message
        self.fault_detail = fault_detail
        self.provider = provider


def operation_timeout_fault() -> WSManFault:
    text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "
    return WSManFault(CODE_OPERATION_TIMEOUT, text, subcode="w:TimedOut")


def invalid_shell_fault(shell_id: str) -> WSManFault:
    return WSManFault(
        CODE_INVALID_SELECTORS,
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not "
        "found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer "
        "exists on the server. Provide the correct ShellId or create a new shell and retry the operation. ",
        subcode="w:InvalidSelectors",
        value="s:Sender",
        reason="The WS-Management service cannot process the request because the request contained invalid "
        "selectors for the resource. ",
        fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
    )


def invalid_command_fault() -> WSManFault:
    return WSManFault(
        CODE_INVALID_SELECTORS,
        "The Windows Remote Shell received a request to perform an operation on a command identifier that "
        "does not exist. Either the command has completed execution or the client specified an invalid "
        "command identifier. ",
        subcode="w:InvalidSelectors",
        value="s:Sender",
        reason="The WS-Management service cannot process the request because the request contained invalid "
        "selectors for the resource. ",
        fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
    )


def shell_quota_fault(maximum: int) -> WSManFault:
    text = (
        "The WS-Management service cannot process the request. This user is allowed a maximum number of "
        f"{maximum} concurrent shells, which has been exceeded. Close existing shells or raise the quota for "
        "this user. "
    )
    return WSManFault(CODE_SHELL_QUOTA, text, provider=True)


def invalid_timeout_fault() -> WSManFault:
    return WSManFault(CODE_INVALID_TIMEOUT_HEADER, "The WS-Management service cannot process the request because "
                      "the timeout header in the request is invalid. ", subcode="w:InvalidHeader", value="s:Sender")


def missing_command_id_fault() -> WSManFault:
    """A Receive (or Send/Signal) on a cmd shell without its CommandId."""
    return WSManFault(CODE_INVALID_PARAMETER, "The parameter is incorrect. ", subcode="w:InvalidParameter",
                      value="s:Sender")


def operations_quota_fault() -> WSManFault:
    text = ("The WS-Management service cannot process the request. This user is allowed a maximum number of 1500 "
            "concurrent operations, which has been exceeded. Close existing operations for this user, or raise "
            "the quota for this user. ")
    return WSManFault(CODE_OPERATIONS_QUOTA, text, provider=True)


def access_denied_fault() -> WSManFault:
    return WSManFault(CODE_ACCESS_DENIED, "Access is denied. ", subcode="w:AccessDenied", value="s:Sender")


def invalid_xml_fault(detail: str) -> WSManFault:
    return WSManFault(
        CODE_INVALID_XML,
        "The WS-Management service cannot process the request because the XML is invalid. " + detail,
        subcode="w:SchemaValidationError",
        value="s:Sender",
    )


def action_not_supported_fault(action: str, resource_uri: str) -> WSManFault:
    return WSManFault(
        CODE_ACTION_NOT_SUPPORTED,
        f"The WS-Management service cannot process the request. The action {action!r} is not supported "
        f"for the resource {resource_uri!r}. ",
        subcode="a:ActionNotSupported",
        value="s:Sender",
        fault_detail=None,
    )


@dataclass
class WSManRequest:
    action: str
    message_id: str | None
    resource_uri: str
    operation_timeout_s: float
    max_envelope_size: int
    selectors: dict[str, str]
    options: dict[str, str]
    """Option names upper-cased; values as sent."""
    body: ET.Element | None
    """The first child of ``s:Body`` (None for an empty body)."""
    extra: dict[str, str] = field(default_factory=dict)


def local(tag: str) -> str:
    """Local part of a ``{namespace}name`` tag."""
    return tag.rsplit("}", 1)[-1]


def child(elem: ET.Element, name: str) -> ET.Element | None:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if local(c.tag) == name]


def parse_duration(text: str | None, default: float) -> float:
    """xs:duration (``PT20S``, ``PT20.000S``, ``P0DT0H0M20S``) in seconds."""
    if not text:
        return default
    m = _DURATION.match(text.strip().upper())
    if not m:
        return default
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def format_duration(seconds: float) -> str:
    """``P0DT0H0M5S``, as ShellRunTime/ShellInactivity."""
    total = int(seconds)
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"P{d}DT{h}H{m}M{s}S"


def _operation_timeout(text: str | None) -> float:
    if text is None:
        return 60.0
    if not _DURATION.match(text.strip().upper()) or not text.strip().upper().startswith("P"):
        raise invalid_timeout_fault()
    return parse_duration(text, 60.0)


def parse_request(data: bytes) -> WSManRequest:
    """Parse a SOAP request; raise :class:`WSManFault` for anything that is not one."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise invalid_xml_fault("DTDs are not allowed.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise invalid_xml_fault(str(exc)) from None
    if local(root.tag) != "Envelope":
        raise invalid_xml_fault("The root element is not a SOAP Envelope.")
    header = child(root, "Header")
    if header is None:
        raise invalid_xml_fault("The SOAP Header is missing.")

    def text_of(name: str) -> str | None:
        elem = child(header, name)
        if elem is None:
            return None
        return (elem.text or "").strip()

    action = text_of("Action")
    if not action:
        raise invalid_xml_fault("The Action header is missing.")
    selectors: dict[str, str] = {}
    selector_set = child(header, "SelectorSet")
    if selector_set is not None:
        for sel in children(selector_set, "Selector"):
            selectors[sel.get("Name", "")] = (sel.text or "").strip()
    options: dict[str, str] = {}
    option_set = child(header, "OptionSet")
    if option_set is not None:
        for opt in children(option_set, "Option"):
            options[opt.get("Name", "").upper()] = (opt.text or "").strip()
    try:
        max_env = int(text_of("MaxEnvelopeSize") or "153600")
    except ValueError:
        max_env = 153600
    body_elem = child(root, "Body")
    body = body_elem[0] if body_elem is not None and len(body_elem) else None
    return WSManRequest(
        action=action,
        message_id=text_of("MessageID"),
        resource_uri=text_of("ResourceURI") or "",
        operation_timeout_s=_operation_timeout(text_of("OperationTimeout")),
        max_envelope_size=max(max_env, 8192),
        selectors=selectors,
        options=options,
        body=body,
    )


def _header(action: str, relates_to: str | None) -> str:
    parts = [
        "<s:Header>",
        f"<a:Action>{escape(action)}</a:Action>",
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>",
        f"<a:To>{ANONYMOUS}</a:To>",
    ]
    if relates_to is not None:
        parts.append(f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>")
    parts.append("</s:Header>")
    return "".join(parts)


def envelope(action: str, relates_to: str | None, body: str) -> bytes:
    return (_ENVELOPE_OPEN + _header(action, relates_to) + "<s:Body>" + body + "</s:Body></s:Envelope>").encode("utf-8")


def fault_envelope(fault: WSManFault, relates_to: str | None, machine: str) -> bytes:
    detail = ""
    if fault.fault_detail:
        detail += f"<w:FaultDetail>{escape(fault.fault_detail)}</w:FaultDetail>"
    message = escape(fault.message)
    if fault.provider:
        message = (
            '<f:ProviderFault provider="Shell cmd plugin" path="%systemroot%\\system32\\winrscmd.dll">'
            f"{message}</f:ProviderFault>"
        )
    detail += (
        f'<f:WSManFault xmlns:f="{NS_FAULT}" Code="{fault.code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{message}</f:Message></f:WSManFault>"
    )
    body = (
        "<s:Fault><s:Code>"
        f"<s:Value>{fault.value}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value></s:Subcode>"
        "</s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        f"<s:Detail>{detail}</s:Detail></s:Fault>"
    )
    return envelope(ACTION_FAULT, relates_to, body)


@dataclass
class ShellInfo:
    shell_id: str
    owner: str
    client_ip: str
    idle_timeout_s: float
    input_streams: str
    output_streams: str
    run_time_s: float = 0.0
    inactivity_s: float = 0.0


def create_response(relates_to: str | None, endpoint_url: str, info: ShellInfo) -> bytes:
    body = (
        "<x:ResourceCreated>"
        f"<a:Address>{escape(endpoint_url)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{RESOURCE_CMD}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{info.shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters></x:ResourceCreated>"
        f'<rsp:Shell xmlns:rsp="{NS_SHELL}">'
        f"<rsp:ShellId>{info.shell_id}</rsp:ShellId>"
        f"<rsp:ResourceUri>{RESOURCE_CMD}</rsp:ResourceUri>"
        f"<rsp:Owner>{escape(info.owner)}</rsp:Owner>"
        f"<rsp:ClientIP>{escape(info.client_ip)}</rsp:ClientIP>"
        f"<rsp:IdleTimeOut>PT{info.idle_timeout_s:.3f}S</rsp:IdleTimeOut>"
        f"<rsp:InputStreams>{escape(info.input_streams)}</rsp:InputStreams>"
        f"<rsp:OutputStreams>{escape(info.output_streams)}</rsp:OutputStreams>"
        f"<rsp:ShellRunTime>{format_duration(info.run_time_s)}</rsp:ShellRunTime>"
        f"<rsp:ShellInactivity>{format_duration(info.inactivity_s)}</rsp:ShellInactivity>"
        "</rsp:Shell>"
    )
    return envelope(ACTION_CREATE + "Response", relates_to, body)


def command_response(relates_to: str | None, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return envelope(ACTION_COMMAND + "Response", relates_to, body)


def receive_response(
    relates_to: str | None,
    command_id: str,
    streams: list[tuple[str, str]],
    *,
    done: bool,
    exit_code: int = 0,
) -> bytes:
    """``streams``: (name, base64 text) in order. On ``done``, stdout and stderr get ``End="true"``."""
    parts = ["<rsp:ReceiveResponse>"]
    for name, b64 in streams:
        parts.append(f'<rsp:Stream Name="{name}" CommandId="{command_id}">{b64}</rsp:Stream>')
    if done:
        parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>')
        parts.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}" End="true"></rsp:Stream>')
        parts.append(
            f'<rsp:CommandState CommandId="{command_id}" State="{STATE_DONE}">'
            f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    else:
        parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{STATE_RUNNING}"></rsp:CommandState>')
    parts.append("</rsp:ReceiveResponse>")
    return envelope(ACTION_RECEIVE + "Response", relates_to, "".join(parts))


RECEIVE_OVERHEAD: Final = 2048
"""Bytes of a Receive response that are not stream data (headers, CommandState, End markers)."""


def send_response(relates_to: str | None) -> bytes:
    return envelope(ACTION_SEND + "Response", relates_to, "<rsp:SendResponse/>")


def signal_response(relates_to: str | None) -> bytes:
    return envelope(ACTION_SIGNAL + "Response", relates_to, "<rsp:SignalResponse/>")


def delete_response(relates_to: str | None) -> bytes:
    return envelope(ACTION_DELETE + "Response", relates_to, "")
