"""The commands and .NET types the simulated PowerShell knows: the Hyper-V cmdlets an admin types
and hvgui's scripts call (``Get-VM``, ``Get-/Enable-/Disable-VMIntegrationService``, ``New-``/
``Rename-``/``Remove-``/``Start-``/``Stop-VM``), the utility cmdlets (``ConvertTo-Json``,
``ConvertFrom-Json``, ``Group-Object``, ``Select-Object``, ``Format-Table``, ``New-Object``,
``Get-CimInstance``, ``Get-UICulture``, ``Get-Module``...) and static members (``[Convert]``,
``[Text.Encoding]``, ``[Console]``, ``[ScriptBlock]``, ``[guid]``...).

Parameters bind as PowerShell's do: by unique case-insensitive prefix, then by position, then from
the pipeline; ``-Name``/``-VMName`` are wildcard patterns.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from hvgui.core import contract
from hvgui.simulator import psparse
from hvgui.simulator.formatting import (
    NL,
    ArrayList,
    FormattedLines,
    PSDict,
    PSEnum,
    PSGuid,
    PSObject,
    PSVersion,
    convert_to_json,
    listing,
    table,
)
from hvgui.simulator.hyperv import VM_STATES, ComponentView, VMError, VMView
from hvgui.simulator.psvalues import (
    AUTOMATION_NULL,
    GZIP_STREAM,
    MEMORY_STREAM,
    Cancelled,
    Encoding,
    FunctionDef,
    Invocation,
    NotImplementedInSimulator,
    Principal,
    PSRuntimeError,
    PSType,
    ScriptBlock,
    Stream,
    TextWriter,
    b64decode,
    enumerate_value,
    equals,
    has_wildcards,
    is_true,
    method_error,
    to_bytes,
    to_int,
    to_list,
    to_string,
    type_name_of,
    wildcard_match,
)

if TYPE_CHECKING:
    from hvgui.simulator.interpreter import Interpreter

_HEARTBEAT_STATUS: Final = {"Unknown": 0, "Disabled": 1, "NoContact": 2, "Error": 3, "LostCommunication": 4,
                            "OkApplicationsUnknown": 5, "OkApplicationsHealthy": 6,
                            "OkApplicationsCritical": 7, "Paused": 8}

#: "Hyper-V was unable to find a virtual machine with name ..." per host locale. English is
#: verbatim from a real host; German and French are UNCONFIRMED translations.
_VM_NOT_FOUND: Final = {
    "en-US": 'Hyper-V was unable to find a virtual machine with name "{0}".',
    "de-DE": 'Hyper-V konnte keinen virtuellen Computer mit dem Namen "{0}" finden.',
    "fr-FR": "Hyper-V n’a pas trouvé d’ordinateur virtuel nommé « {0} ».",
}
_VM_ID_NOT_FOUND: Final = {
    "en-US": 'Hyper-V was unable to find a virtual machine with ID "{0}".',
    "de-DE": 'Hyper-V konnte keinen virtuellen Computer mit der ID "{0}" finden.',
    "fr-FR": "Hyper-V n’a pas trouvé d’ordinateur virtuel avec l’ID « {0} ».",
}
#: No integration component matching -Name. German is verbatim from a real host; English and
#: French are UNCONFIRMED.
_NO_COMPONENT: Final = {
    "en-US": "The parameter is invalid. No integration component with the given name was found.",
    "de-DE": "Ein Parameter ist ungültig. Es wurde keine Integrationskomponente mit dem angegebenen Namen "
             "gefunden.",
    "fr-FR": "Un paramètre n’est pas valide. Aucun composant d’intégration portant le nom spécifié n’a été "
             "trouvé.",
}
_WHERE_OPERATORS: Final = ("EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains",
                            "NotContains", "In", "NotIn", "CEQ", "CNE", "CLike", "CMatch")
_NONINTERACTIVE: Final = "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."

SWITCH: Final = "switch"
VALUE: Final = "value"
COMMON: Final = {"Confirm": SWITCH, "WhatIf": SWITCH, "Verbose": SWITCH, "Debug": SWITCH,
                 "ErrorAction": VALUE, "WarningAction": VALUE, "ErrorVariable": VALUE,
                 "OutVariable": VALUE, "InformationAction": VALUE}


@dataclass(frozen=True)
class Cmdlet:
    name: str
    params: dict[str, str]
    """Parameter name (canonical case) -> SWITCH | VALUE."""
    positions: tuple[str, ...]
    impl: Callable[[Invocation], list[Any]]
    aliases: dict[str, str] = field(default_factory=dict)
    module: str = "Microsoft.PowerShell.Utility"
    min_version: str = "1"


# ---------------------------------------------------------------- Hyper-V objects

def vm_object(host_os_key: str, v: VMView) -> PSObject:
    running = v.state in ("Running", "RunningCritical")
    hb = v.heartbeat
    version = {"2012": "5.0", "2012R2": "5.0", "2016": "8.0", "2019": "9.0", "2022": "10.0",
               "2025": "12.0"}[host_os_key]
    guid = PSGuid(uuid.UUID(v.id))
    props: dict[str, Any] = {
        "Name": v.name,
        "Id": guid,
        "VMId": guid,
        "VMName": v.name,
        "State": PSEnum(v.state, VM_STATES.get(v.state, 1)),
        "Status": "Operating normally",
        "CPUUsage": 0,
        "MemoryAssigned": 2147483648 if running else 0,
        "Uptime": "00:00:00" if not running else "1.02:03:04.5000000",
        "Heartbeat": None if hb is None else PSEnum(hb, _HEARTBEAT_STATUS[hb]),
        "IntegrationServicesVersion": PSVersion(v.is_version) if v.is_version else None,
        "IntegrationServicesState": v.is_state,
        "Version": version,
        "Generation": 2,
        "ComputerName": v.computer_name,
        "Notes": "",
        "IsDeleted": False,
    }
    obj = PSObject("Microsoft.HyperV.PowerShell.VirtualMachine", props, vm_id=v.id,
                   to_string=f"VirtualMachine (Name = '{v.name}') [Id = '{v.id}']")
    obj.default_columns = ("Name", "State", "CPUUsage(%)", "MemoryAssigned(M)", "Uptime", "Status", "Version")
    props_for_table = dict(props)
    props_for_table.update({"CPUUsage(%)": 0, "MemoryAssigned(M)": 2048 if running else 0})
    obj.extra["table"] = props_for_table
    return obj


def component_object(c: ComponentView) -> PSObject:
    statuses = [PSEnum(s.name, int(s)) for s in c.statuses]
    props: dict[str, Any] = {
        "VMCheckpointId": PSGuid(uuid.UUID(int=0)),
        "VMCheckpointName": None,
        "Enabled": c.enabled,
        "OperationalStatus": statuses,
        "PrimaryOperationalStatus": statuses[0] if statuses else None,
        "PrimaryStatusDescription": c.descriptions[0] if c.descriptions else None,
        "SecondaryOperationalStatus": statuses[1] if len(statuses) > 1 else None,
        "SecondaryStatusDescription": c.descriptions[1] if len(c.descriptions) > 1 else None,
        "StatusDescription": list(c.descriptions),
        "IsDeleted": False,
        "ComputerName": "",
        "Name": c.name,
        "Id": c.component_id,
        "VMId": PSGuid(uuid.UUID(c.vm_id)),
        "VMName": c.vm_name,
        "VMSnapshotId": PSGuid(uuid.UUID(int=0)),
        "VMSnapshotName": "",
    }
    return PSObject(
        "Microsoft.HyperV.PowerShell.VMIntegrationComponent", props,
        default_columns=("VMName", "Name", "Enabled", "PrimaryStatusDescription", "SecondaryStatusDescription"),
        to_string=(f"VMIntegrationComponent (Name = '{c.name}', VMName = '{c.vm_name}') "
                   f"[Id = '{c.component_id}', VMId = '{c.vm_id}']"),
        vm_id=c.vm_id, guid=c.guid)


# ---------------------------------------------------------------- the command table

class Cmdlets:
    def __init__(self, interp: Interpreter) -> None:
        self.i = interp
        self.host = interp.host
        self.table: dict[str, Cmdlet] = {}
        self._module_loaded = False
        self._register()

    # ---- lookup and binding

    def find(self, name: str) -> Cmdlet | None:
        found = self.table.get(name.lower())
        if found is None:
            return None
        if found.module == "Hyper-V" and not self.host.hyperv_module:
            return None
        if found.module == "Hyper-V":
            self.load_hyperv()
        if found.min_version > self.i.ps_version:
            return None
        return found

    def load_hyperv(self) -> None:
        """The first Hyper-V cmdlet of a PowerShell process (or ``Import-Module Hyper-V``) loads
        the module (about a second), once per process."""
        if self._module_loaded:
            return
        self._module_loaded = True
        self.host.count("module_loads")
        if self.host.costs.module_load_s > 0 and self.i.ctx.cancelled.wait(self.host.costs.module_load_s):
            raise Cancelled

    def error(self, inv: Invocation, message: str, category: str, error_id: str,
              exception_type: str = "System.Management.Automation.RuntimeException") -> PSRuntimeError:
        e = PSRuntimeError(message, exception_type=exception_type, error_id=error_id)
        e.command = inv.name
        e.position = (inv.offset, inv.length)
        e.script = inv.script
        e.category_text = category  # type: ignore[attr-defined]
        return e

    def nonterminating(self, inv: Invocation, message: str, category: str, error_id: str,
                       exception_type: str = "Microsoft.HyperV.PowerShell.VirtualizationException") -> None:
        self.i.write_error(self.error(inv, message, category, error_id, exception_type), inv.bound.get("ErrorAction"))

    def bind_error(self, inv: Invocation, message: str, error_id: str, arg: str = "") -> PSRuntimeError:
        return self.error(inv, message, f"InvalidArgument: ({arg}:) [{inv.name}], ParameterBindingException",
                          f"{error_id},{inv.name}", "System.Management.Automation.ParameterBindingException")

    def _resolve_param(self, inv: Invocation, spec: Cmdlet, text: str) -> tuple[str, str]:
        word = text.lstrip("-").rstrip(":").lower()
        all_params = {**{p.lower(): k for p, k in COMMON.items()}, **{p.lower(): k for p, k in spec.params.items()}}
        canon = {p.lower(): p for p in (*COMMON, *spec.params)}
        for alias, target in spec.aliases.items():
            if alias.lower() == word:
                return target, spec.params[target]
        if word == "ea":
            return "ErrorAction", VALUE
        if word in all_params:
            return canon.get(word, word), all_params[word]
        hits = [p for p in all_params if p.startswith(word)]
        if len(hits) == 1:
            return canon.get(hits[0], hits[0]), all_params[hits[0]]
        if not hits:
            raise self.bind_error(inv, f"A parameter cannot be found that matches parameter name '{word}'.",
                                  "NamedParameterNotFound")
        names = " ".join("-" + canon.get(h, h) for h in sorted(hits))
        raise self.bind_error(inv, f"Parameter cannot be processed because the parameter name '{word}' is "
                                   f"ambiguous. Possible matches include: {names}.", "AmbiguousParameter")

    def bind(self, inv: Invocation, spec: Cmdlet, order: list[tuple[str, Any]]) -> None:
        positional: list[Any] = []
        i = 0
        while i < len(order):
            kind, value = order[i]
            if kind != "param":
                positional.append(value)
                i += 1
                continue
            pname, pkind = self._resolve_param(inv, spec, str(value))
            nxt = order[i + 1] if i + 1 < len(order) else None
            if pkind == SWITCH:
                if nxt is not None and nxt[0] == "colon":
                    inv.bound[pname] = is_true(nxt[1])
                    i += 2
                else:
                    inv.bound[pname] = True
                    i += 1
                continue
            if nxt is None or nxt[0] == "param":
                raise self.bind_error(inv, f"Missing an argument for parameter '{pname}'. Specify a parameter of "
                                           "type 'System.String[]' and try again.", "MissingArgument")
            inv.bound[pname] = nxt[1]
            i += 2
        free = [p for p in spec.positions if p not in inv.bound]
        for value in positional:
            if not free:
                raise self.bind_error(inv, f"A positional parameter cannot be found that accepts argument "
                                           f"'{to_string(value)}'.", "PositionalParameterNotFound", to_string(value))
            inv.bound[free.pop(0)] = value
        inv.positional = positional

    def invoke_block(self, block: ScriptBlock, order: list[tuple[str, Any]], pipeline: list[Any] | None,
                     under: Any = AUTOMATION_NULL) -> list[Any]:
        """``& $block args``: a new scope; the block's ``param`` binds the arguments."""
        node = block.node
        params: list[Any] = []
        advanced = False
        param_block = next((c for c in node.named_children if c.type == "param_block"), None)
        if param_block is not None:
            saved = self.i.p
            self.i.p = block.parsed
            try:
                params = self.i._params(param_block)
            finally:
                self.i.p = saved
            advanced = "[parameter" in block.parsed.text(param_block).lower()
        fn = FunctionDef("<ScriptBlock>", params, node, block.parsed, advanced)
        op = contract.operation_of(block.text)
        if op is not None and self.i.count_commands:
            # One hvgui operation per command: count it once, not its cmdlets.
            self.i.ctx.count_operation(op[0])
            self.i.count_commands = False
            try:
                return self.i.call_function(fn, order, pipeline)
            finally:
                self.i.count_commands = True
        return self.i.call_function(fn, order, pipeline, under)

    # ---- static members and constructors

    def static_member(self, t: PSType, member: str) -> Any:
        n, m = t.name, member.lower()
        if n == "System.Text.Encoding":
            codecs = {"utf8": ("utf-8", "UTF8Encoding"), "ascii": ("ascii", "ASCIIEncoding"),
                      "unicode": ("utf-16-le", "UnicodeEncoding"), "utf32": ("utf-32-le", "UTF32Encoding"),
                      "bigendianunicode": ("utf-16-be", "UnicodeEncoding"),
                      "default": ("cp1252", "SBCSCodePageEncoding")}
            if m in codecs:
                return Encoding(*codecs[m])
        if n == "System.Console":
            if m == "out":
                return TextWriter(self.i.console_write)
            if m == "in":
                return self.i.console_in()
            if m == "error":
                return TextWriter(self.i.ctx.write_stderr)
            if m in ("outputencoding", "inputencoding"):
                return Encoding("cp437", "OEMEncoding")
        if n == "System.IO.Compression.CompressionMode" and m in ("decompress", "compress"):
            return PSEnum("Decompress" if m == "decompress" else "Compress", 0 if m == "decompress" else 1)
        if n == "System.StringSplitOptions" and m in ("none", "removeemptyentries"):
            return PSEnum("None" if m == "none" else "RemoveEmptyEntries", 0 if m == "none" else 1)
        if n == "System.Environment":
            if m == "machinename":
                return self.host.name
            if m == "newline":
                return "\r\n"
            if m == "username":
                return self.i.ctx.user.split("\\")[-1]
        if n == "System.Guid" and m == "empty":
            return PSGuid(uuid.UUID(int=0))
        if n == "System.Security.Principal.WindowsBuiltInRole":
            roles = {"administrator": ("Administrator", 544), "user": ("User", 545)}
            if m in roles:
                return PSEnum(*roles[m])
        if n == "System.Int32" and m in ("maxvalue", "minvalue"):
            return 2**31 - 1 if m == "maxvalue" else -(2**31)
        raise NotImplementedInSimulator(f"the static member [{n}]::{member}")

    def set_static(self, t: PSType, member: str, value: Any) -> None:
        if t.name == "System.Console" and member.lower() in ("outputencoding", "inputencoding"):
            # A WinRS command has no console: setting its encoding fails (as on a real host).
            raise PSRuntimeError(f'Exception setting "{member}": "The handle is invalid.\r\n"',
                                 exception_type="System.Management.Automation.SetValueInvocationException",
                                 category="NotSpecified", error_id="ExceptionWhenSetting",
                                 reason="SetValueInvocationException")
        raise NotImplementedInSimulator(f"setting [{t.name}]::{member}")

    def static_call(self, t: PSType, method: str, args: list[Any]) -> Any:
        n, m = t.name, method.lower()
        if n == "System.Convert":
            if m == "frombase64string":
                return b64decode(to_string(args[0]))
            if m == "tobase64string":
                data = to_bytes(args[0])
                import base64

                return base64.b64encode(data).decode("ascii")
            if m == "toint32":
                return to_int(args[0])
        if n == "System.Management.Automation.ScriptBlock" and m == "create":
            return self.create_script_block(to_string(args[0]) if args else "")
        if n == "System.Guid":
            if m == "newguid":
                return PSGuid(uuid.uuid4())
            if m == "parse":
                try:
                    return PSGuid(uuid.UUID(to_string(args[0]).strip()))
                except ValueError:
                    raise method_error("Parse", 1, "Guid should contain 32 digits with 4 dashes "
                                                   "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).") from None
        if n == "System.String":
            if m == "isnullorempty":
                return not to_string(args[0])
            if m == "isnullorwhitespace":
                return not to_string(args[0]).strip()
            if m == "join":
                return to_string(args[0]).join(to_string(x) for x in to_list(args[1] if len(args) == 2 else args[1:]))
        if n == "System.Security.Principal.WindowsIdentity" and m == "getcurrent":
            return Principal(self.i.ctx.user, frozenset(self.host.groups_of(self.i.ctx.user)))
        if n == "System.Math":
            if m == "max":
                return max(args[0], args[1])
            if m == "min":
                return min(args[0], args[1])
        raise NotImplementedInSimulator(f"the static method [{n}]::{method}()")

    def create_script_block(self, text: str) -> ScriptBlock:
        parsed = psparse.parse(text)
        if isinstance(parsed, psparse.ParseError):
            inner = psparse.parser_error_record(text, parsed)
            error = method_error("Create", 1, inner.message.replace("\n", " "))
            error.error_id = "ParseException"
            raise error
        return ScriptBlock(text, parsed, parsed.root)

    def new_object(self, t: PSType, args: list[Any]) -> Any:
        n = t.name
        if n == "System.Collections.ArrayList":
            return ArrayList()
        if n == "System.Collections.Hashtable":
            return PSDict()
        if n == "System.Security.Principal.WindowsPrincipal" and args and isinstance(args[0], Principal):
            return Principal(args[0].user, args[0].groups, principal=True)
        if n == "System.Security.Principal.SecurityIdentifier" and args:
            text = to_string(args[0])
            return PSObject(n, {"Value": text}, to_string=text)
        if n == "System.Text.UTF8Encoding":
            return Encoding("utf-8", "UTF8Encoding")
        if n == MEMORY_STREAM and not args:
            return Stream(n)
        if n == GZIP_STREAM and len(args) == 2 and isinstance(args[0], Stream):
            mode = args[1]
            if not (isinstance(mode, PSEnum) and mode.name == "Compress"):
                raise NotImplementedInSimulator("a GZipStream that decompresses")
            if args[0].closed:
                raise method_error(".ctor", 2, "Stream does not support writing.")
            return Stream(n, inner=args[0])
        if n == "System.Management.Automation.PSCredential" and len(args) == 2:
            secure = args[1]
            if not (isinstance(secure, PSObject) and "secret" in secure.extra):
                raise method_error("PSCredential", 2, "Cannot convert argument \"password\" to type "
                                                      "\"System.Security.SecureString\".")
            user = to_string(args[0])
            return PSObject(n, {"UserName": user, "Password": secure}, to_string=n,
                            extra={"credential": (user, secure.extra["secret"])})
        raise NotImplementedInSimulator(f"New-Object {n}")

    # ---- registry

    def _register(self) -> None:
        def reg(name: str, params: dict[str, str], positions: tuple[str, ...], impl: Callable[[Invocation], list[Any]],
                *aliases: str, param_aliases: dict[str, str] | None = None,
                module: str = "Microsoft.PowerShell.Utility", min_version: str = "1") -> None:
            c = Cmdlet(name, params, positions, impl, param_aliases or {}, module, min_version)
            for n in (name, *aliases):
                self.table[n.lower()] = c

        hv = "Hyper-V"
        reg("hostname", {}, (), lambda inv: [self.host.name], "hostname.exe")
        reg("Write-Output", {"InputObject": VALUE, "NoEnumerate": SWITCH}, ("InputObject",), self._write_output,
            "echo", "write")
        reg("Write-Host", {"Object": VALUE, "NoNewline": SWITCH, "ForegroundColor": VALUE, "BackgroundColor": VALUE,
                           "Separator": VALUE}, ("Object",), self._write_host)
        reg("Write-Error", {"Message": VALUE, "ErrorId": VALUE, "Category": VALUE}, ("Message",), self._write_error)
        reg("Write-Warning", {"Message": VALUE}, ("Message",), lambda inv: [])
        reg("Write-Verbose", {"Message": VALUE}, ("Message",), lambda inv: [])
        reg("Write-Debug", {"Message": VALUE}, ("Message",), lambda inv: [])
        reg("Out-Null", {"InputObject": VALUE}, (), lambda inv: [])
        reg("New-Object", {"TypeName": VALUE, "ArgumentList": VALUE, "Property": VALUE}, ("TypeName", "ArgumentList"),
            self._new_object_cmd)
        reg("Get-VM", {"Name": VALUE, "Id": VALUE, "ComputerName": VALUE}, ("Name",), self._get_vm,
            param_aliases={"VMName": "Name", "VMId": "Id"}, module=hv)
        reg("Get-VMIntegrationService", {"VMName": VALUE, "Name": VALUE, "VM": VALUE, "ComputerName": VALUE},
            ("VMName", "Name"), self._get_components, module=hv)
        for verb, on in (("Enable", True), ("Disable", False)):
            reg(f"{verb}-VMIntegrationService",
                {"Name": VALUE, "VMName": VALUE, "VM": VALUE, "VMIntegrationService": VALUE, "Passthru": SWITCH,
                 "ComputerName": VALUE}, ("Name", "VMName"), self._toggle(on), module=hv)
        reg("New-VM", {"Name": VALUE, "MemoryStartupBytes": VALUE, "Generation": VALUE, "Path": VALUE,
                       "NoVHD": SWITCH, "SwitchName": VALUE}, ("Name",), self._new_vm, module=hv)
        reg("Rename-VM", {"Name": VALUE, "VM": VALUE, "NewName": VALUE, "Passthru": SWITCH}, ("Name", "NewName"),
            self._rename_vm, param_aliases={"VMName": "Name"}, module=hv)
        reg("Remove-VM", {"Name": VALUE, "VM": VALUE, "Force": SWITCH, "Passthru": SWITCH}, ("Name",),
            self._remove_vm, param_aliases={"VMName": "Name"}, module=hv)
        reg("Start-VM", {"Name": VALUE, "VM": VALUE, "Passthru": SWITCH}, ("Name",), self._start_stop("Running"),
            param_aliases={"VMName": "Name"}, module=hv)
        reg("Stop-VM", {"Name": VALUE, "VM": VALUE, "Passthru": SWITCH, "Force": SWITCH, "TurnOff": SWITCH,
                        "Save": SWITCH}, ("Name",), self._start_stop("Off"), param_aliases={"VMName": "Name"},
            module=hv)
        reg("ConvertTo-Json", {"InputObject": VALUE, "Depth": VALUE, "Compress": SWITCH}, ("InputObject",),
            self._convert_to_json, min_version="3")
        reg("ConvertFrom-Json", {"InputObject": VALUE}, ("InputObject",), self._convert_from_json, min_version="3")
        reg("Group-Object", {"Property": VALUE, "InputObject": VALUE, "NoElement": SWITCH, "CaseSensitive": SWITCH,
                             "AsHashTable": SWITCH, "AsString": SWITCH}, ("Property",), self._group_object, "group")
        reg("Format-Table", {"Property": VALUE, "AutoSize": SWITCH, "HideTableHeaders": SWITCH, "Wrap": SWITCH},
            ("Property",), self._format_table, "ft")
        reg("Format-List", {"Property": VALUE}, ("Property",), self._format_list, "fl")
        reg("Select-Object", {"Property": VALUE, "ExpandProperty": VALUE, "First": VALUE, "Last": VALUE,
                              "Unique": SWITCH}, ("Property",), self._select, "select")
        reg("Get-CimInstance", {"ClassName": VALUE, "Namespace": VALUE, "Filter": VALUE, "ComputerName": VALUE},
            ("ClassName",), self._get_cim, module="CimCmdlets", min_version="3", param_aliases={"Class": "ClassName"})
        reg("Get-UICulture", {}, (), self._get_ui_culture)
        reg("Get-Culture", {}, (), self._get_ui_culture)
        reg("Get-Module", {"Name": VALUE, "ListAvailable": SWITCH}, ("Name",), self._get_module)
        reg("Import-Module", {"Name": VALUE, "Force": SWITCH}, ("Name",), self._import_module)
        reg("Start-Sleep", {"Seconds": VALUE, "Milliseconds": VALUE}, ("Seconds",), self._start_sleep, "sleep",
            module="Microsoft.PowerShell.Utility")
        ops = {o: SWITCH for o in _WHERE_OPERATORS}
        reg("Where-Object", {"FilterScript": VALUE, "Property": VALUE, "Value": VALUE, "InputObject": VALUE, **ops},
            ("FilterScript", "Value"), self._where, "where", "?", module="Microsoft.PowerShell.Core")
        reg("ForEach-Object", {"Process": VALUE, "MemberName": VALUE, "Begin": VALUE, "End": VALUE,
                               "InputObject": VALUE}, ("Process",), self._foreach, "foreach", "%",
            module="Microsoft.PowerShell.Core")
        reg("Sort-Object", {"Property": VALUE, "Descending": SWITCH, "Unique": SWITCH, "InputObject": VALUE},
            ("Property",), self._sort, "sort")
        reg("Measure-Object", {"Property": VALUE, "Sum": SWITCH, "Average": SWITCH, "Maximum": SWITCH,
                               "Minimum": SWITCH, "InputObject": VALUE}, ("Property",), self._measure, "measure")
        reg("Get-Command", {"Name": VALUE, "Module": VALUE, "CommandType": VALUE}, ("Name",), self._get_command,
            "gcm", module="Microsoft.PowerShell.Core")
        reg("Get-VMHost", {"ComputerName": VALUE}, (), self._get_vmhost, module=hv)
        reg("Get-VMDvdDrive", {"VMName": VALUE, "VM": VALUE, "ControllerNumber": VALUE, "ControllerLocation": VALUE,
                               "ComputerName": VALUE}, ("VMName",), self._get_dvd, module=hv)
        reg("Set-VMDvdDrive", {"VMName": VALUE, "VMDvdDrive": VALUE, "Path": VALUE, "ControllerNumber": VALUE,
                               "ControllerLocation": VALUE, "Passthru": SWITCH, "ComputerName": VALUE},
            ("VMName", "ControllerNumber", "ControllerLocation", "Path"), self._set_dvd, module=hv)
        reg("Test-Path", {"Path": VALUE, "LiteralPath": VALUE, "PathType": VALUE}, ("Path",), self._test_path,
            module="Microsoft.PowerShell.Management")
        # PowerShell Direct and what its script blocks do inside a Windows guest (guest-facts.md §1, §2).
        reg("Invoke-Command", {"VMId": VALUE, "VMName": VALUE, "Credential": VALUE, "ScriptBlock": VALUE,
                               "ArgumentList": VALUE, "ComputerName": VALUE}, ("ScriptBlock",), self._invoke_command,
            "icm", param_aliases={"VMGuid": "VMId", "Args": "ArgumentList"}, module="Microsoft.PowerShell.Core")
        reg("ConvertTo-SecureString", {"String": VALUE, "AsPlainText": SWITCH, "Force": SWITCH}, ("String",),
            self._secure_string, module="Microsoft.PowerShell.Security")
        mgmt = "Microsoft.PowerShell.Management"
        reg("Get-Service", {"Name": VALUE, "DisplayName": VALUE}, ("Name",), self._get_service, "gsv", module=mgmt)
        for verb in ("Start", "Stop", "Restart"):
            reg(f"{verb}-Service", {"Name": VALUE, "InputObject": VALUE, "Force": SWITCH, "PassThru": SWITCH,
                                    "NoWait": SWITCH}, ("Name",), self._control_service(verb.lower()), module=mgmt)
        reg("Set-Service", {"Name": VALUE, "StartupType": VALUE, "Status": VALUE, "PassThru": SWITCH}, ("Name",),
            self._set_service, module=mgmt)
        reg("Get-ItemProperty", {"Path": VALUE, "LiteralPath": VALUE, "Name": VALUE}, ("Path", "Name"),
            self._get_item_property, "gp", module=mgmt)

    # ---- cmdlet helpers

    def _pace(self, count: int, per_vm_s: float | None = None) -> None:
        if not self.host.pace(self.i.ctx, count, per_vm_s=per_vm_s):
            raise Cancelled
        self.i.read_something = True

    def _changed(self) -> None:
        """One change made. ``faults.kill_commands_after_changes``: after the N-th, the process is
        ended as ``kill_commands_after_s`` ends it (its next step sees the cancellation)."""
        self.i.changes_made += 1
        limit = self.host.faults.kill_commands_after_changes
        if 0 < limit <= self.i.changes_made:
            self.i.ctx.cancelled.set()

    def _vm_not_found(self, inv: Invocation, name: str) -> None:
        msg = _VM_NOT_FOUND.get(self.host.locale, _VM_NOT_FOUND["en-US"]).format(name)
        self.nonterminating(inv, msg, f"InvalidArgument: ({name}:String) [{inv.name}], VirtualizationException",
                            "InvalidParameter,Microsoft.HyperV.PowerShell.Commands."
                            + inv.name.replace("-", "") + ("" if inv.name == "Get-VM" else "Command"))

    def _vm_id_not_found(self, inv: Invocation, vm_id: str) -> None:
        msg = _VM_ID_NOT_FOUND.get(self.host.locale, _VM_ID_NOT_FOUND["en-US"]).format(vm_id)
        self.nonterminating(inv, msg, f"InvalidArgument: ({vm_id}:Guid) [{inv.name}], VirtualizationException",
                            "InvalidParameter,Microsoft.HyperV.PowerShell.Commands."
                            + inv.name.replace("-", "") + ("" if inv.name == "Get-VM" else "Command"))

    def _vms_by_name(self, inv: Invocation, names: list[str]) -> list[VMView]:
        views = self.host.snapshot()
        out: list[VMView] = []
        for pattern in names:
            hits = [v for v in views if wildcard_match(pattern, v.name)]
            if not hits and not has_wildcards(pattern):
                self._vm_not_found(inv, pattern)
            for v in hits:
                if v not in out:
                    out.append(v)
        return out

    def _target_vms(self, inv: Invocation, required: bool = True) -> list[VMView]:
        """VMs from -VM / pipeline (by id) or -Name/-VMName patterns."""
        objs: list[Any] = []
        if "VM" in inv.bound:
            objs = to_list(inv.bound["VM"])
            if not objs:
                raise self.bind_error(inv, "Cannot validate argument on parameter 'VM'. The argument is null or "
                                           "empty. Provide an argument that is not null or empty, and then try the "
                                           "command again.", "ParameterArgumentValidationError")
        elif inv.pipeline:
            objs = inv.pipeline
        if objs:
            ids = []
            for o in objs:
                if isinstance(o, PSObject) and o.vm_id and o.type_name.endswith("VirtualMachine"):
                    ids.append(o.vm_id)
                elif isinstance(o, str):
                    ids.extend(v.id for v in self._vms_by_name(inv, [o]))
                else:
                    raise self.bind_error(inv, f"Cannot bind parameter 'VM'. Cannot convert the \"{to_string(o)}\" "
                                               f"value of type \"{type_name_of(o)}\" to type "
                                               "\"Microsoft.HyperV.PowerShell.VirtualMachine\".",
                                          "CannotConvertArgumentNoMessage")
            views = self.host.snapshot(ids)
            for i in ids:
                if not any(v.id == i for v in views):
                    self._vm_id_not_found(inv, i)
            return views
        names = inv.strings("Name") if "Name" in inv.name and "VMName" not in self.table[inv.name.lower()].params \
            else inv.strings("VMName")
        if "VMName" not in self.table[inv.name.lower()].params:
            names = inv.strings("Name")
        if names is None:
            if required:
                raise self.bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                           "parameters: Name.", "MissingMandatoryParameter")
            return self.host.snapshot()
        return self._vms_by_name(inv, names)

    def _check_vm(self, inv: Invocation, v: VMView) -> bool:
        try:
            self.host.check_vm_error(v.id)
        except VMError as e:
            self.nonterminating(inv, str(e), f"NotSpecified: ({v.name}:VirtualMachine) [{inv.name}], "
                                             "VirtualizationException", "OperationFailed")
            return False
        return True

    # ---- cmdlets

    def _write_output(self, inv: Invocation) -> list[Any]:
        if "InputObject" not in inv.bound:
            return list(inv.pipeline)
        value = inv.bound["InputObject"]
        if inv.switch("NoEnumerate"):
            return [value]
        return enumerate_value(value) if value is not None else [None]

    def _write_host(self, inv: Invocation) -> list[Any]:
        sep = to_string(inv.bound.get("Separator", " "))
        value = inv.bound.get("Object")
        text = sep.join(to_string(v) for v in to_list(value)) if isinstance(value, list) else to_string(value)
        self.i.ctx.write_stdout(text + ("" if inv.switch("NoNewline") else NL))
        return []

    def _write_error(self, inv: Invocation) -> list[Any]:
        message = to_string(inv.bound.get("Message"))
        self.nonterminating(inv, message, "NotSpecified: (:) [Write-Error], WriteErrorException",
                            "Microsoft.PowerShell.Commands.WriteErrorException",
                            "Microsoft.PowerShell.Commands.WriteErrorException")
        return []

    def _new_object_cmd(self, inv: Invocation) -> list[Any]:
        from hvgui.simulator.psvalues import resolve_type

        name = to_string(inv.bound.get("TypeName"))
        try:
            t = resolve_type(name)
        except PSRuntimeError:
            t = PSType(name if name.lower().startswith("system.") else "System." + name)
            known = ("System.Collections.ArrayList", "System.Text.UTF8Encoding",
                     "System.Management.Automation.PSCredential")
            if t.name not in known:
                raise self.error(inv, f'Cannot find type [{name}]: verify that the assembly containing this type '
                                      "is loaded.", "InvalidType: (:) [New-Object], PSArgumentException",
                                 "TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand") from None
        args = to_list(inv.bound.get("ArgumentList")) if "ArgumentList" in inv.bound else []
        return [self.new_object(t, args)]

    def _get_vm(self, inv: Invocation) -> list[Any]:
        if "Id" in inv.bound:
            out: list[VMView] = []
            for item in to_list(inv.bound["Id"]):
                text = to_string(item).strip().strip("{}")
                try:
                    vm_id = str(uuid.UUID(text))
                except ValueError:
                    raise self.bind_error(
                        inv, f"Cannot bind parameter 'Id'. Cannot convert value \"{text}\" to type \"System.Guid\". "
                             "Error: \"Guid should contain 32 digits with 4 dashes "
                             "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).\"", "CannotConvertArgumentNoMessage",
                        text) from None
                views = self.host.snapshot([vm_id])
                if not views:
                    self._vm_id_not_found(inv, vm_id)
                out.extend(views)
        else:
            names = inv.strings("Name")
            out = self.host.snapshot() if names is None else self._vms_by_name(inv, names)
        self._pace(len(out))
        fresh = self.host.snapshot([v.id for v in out])
        return [vm_object(self.host.os.key, v) for v in fresh]

    def _get_components(self, inv: Invocation) -> list[Any]:
        vms = self._target_vms(inv)
        names = inv.strings("Name")
        self._pace(len(vms))
        out: list[Any] = []
        for v in self.host.snapshot([v.id for v in vms]):
            if not self._check_vm(inv, v):
                continue
            comps = list(v.components)
            if names is not None:
                comps = [c for c in comps if any(wildcard_match(n, c.name) for n in names)]
                if any(not has_wildcards(n) and not any(wildcard_match(n, c.name) for c in v.components)
                       for n in names):
                    self.nonterminating(
                        inv, _NO_COMPONENT.get(self.host.locale, _NO_COMPONENT["en-US"]),
                        f"InvalidArgument: (:) [{inv.name}], VirtualizationInvalidArgumentException",
                        "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVMIntegrationServiceCommand")
            out.extend(component_object(c) for c in comps)
        return out

    def _toggle(self, enable: bool) -> Callable[[Invocation], list[Any]]:
        verb = "Enable" if enable else "Disable"

        def run(inv: Invocation) -> list[Any]:
            targets: list[tuple[str, str]] = []
            comps = to_list(inv.bound.get("VMIntegrationService")) if "VMIntegrationService" in inv.bound else []
            if not comps and inv.pipeline and all(isinstance(o, PSObject) and o.guid for o in inv.pipeline):
                comps = list(inv.pipeline)
            if comps:
                for c in comps:
                    if not (isinstance(c, PSObject) and c.vm_id and c.guid):
                        raise self.bind_error(inv, "Cannot bind parameter 'VMIntegrationService'. Cannot convert "
                                                   f"the \"{to_string(c)}\" value of type \"{type_name_of(c)}\" to "
                                                   "type \"Microsoft.HyperV.PowerShell.VMIntegrationComponent\".",
                                              "CannotConvertArgumentNoMessage")
                    targets.append((c.vm_id, c.guid))
            else:
                names = inv.strings("Name")
                if names is None:
                    raise self.bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                               "parameters: Name.", "MissingMandatoryParameter")
                for v in self._target_vms(inv):
                    matched = [c for c in v.components if any(wildcard_match(n, c.name) for n in names)]
                    if any(not has_wildcards(n) and not any(wildcard_match(n, c.name) for c in v.components)
                           for n in names):
                        self.nonterminating(
                            inv, _NO_COMPONENT.get(self.host.locale, _NO_COMPONENT["en-US"]),
                            f"InvalidArgument: (:) [{inv.name}], VirtualizationInvalidArgumentException",
                            f"InvalidParameter,Microsoft.HyperV.PowerShell.Commands.{verb}VMIntegrationServiceCommand")
                    targets.extend((c.vm_id, c.guid) for c in matched)
            out: list[Any] = []
            for vm_id, guid in targets:
                views = self.host.snapshot([vm_id])
                if not views:
                    self._vm_id_not_found(inv, vm_id)
                    continue
                if not self._check_vm(inv, views[0]):
                    continue
                if inv.switch("WhatIf"):
                    name = self.host.service_name(guid)
                    self.i.ctx.write_stdout(f'What if: Performing the operation "{inv.name}" on target '
                                            f'"{name}" of virtual machine "{views[0].name}".{NL}')
                    continue
                self._pace(1, per_vm_s=self.host.costs.per_change_s)
                try:
                    self.host.write_enabled(vm_id, guid, enable)
                except KeyError:
                    continue
                self._changed()
                if inv.switch("Passthru"):
                    for c in self.host.snapshot([vm_id])[0].components:
                        if c.guid == guid:
                            out.append(component_object(c))
            return out

        return run

    def _new_vm(self, inv: Invocation) -> list[Any]:
        names = inv.strings("Name")
        name = names[0] if names else "New Virtual Machine"
        sim = self.host.add_vm(name, state="Off", guest_os="")
        return [vm_object(self.host.os.key, v) for v in self.host.snapshot([sim.id])]

    def _rename_vm(self, inv: Invocation) -> list[Any]:
        new = inv.strings("NewName")
        if not new:
            raise self.bind_error(inv, "Cannot process command because of one or more missing mandatory "
                                       "parameters: NewName.", "MissingMandatoryParameter")
        out: list[Any] = []
        for v in self._target_vms(inv):
            if not self._check_vm(inv, v):
                continue
            self.host.rename_vm(v.id, new[0])
            if inv.switch("Passthru"):
                out.extend(vm_object(self.host.os.key, x) for x in self.host.snapshot([v.id]))
        return out

    def _remove_vm(self, inv: Invocation) -> list[Any]:
        confirm = inv.bound.get("Confirm")
        if not inv.switch("Force") and confirm is not False:
            raise self.error(inv, _NONINTERACTIVE, "InvalidOperation: (:) [Remove-VM], PSInvalidOperationException",
                             "InvalidOperation,Microsoft.HyperV.PowerShell.Commands.RemoveVM")
        for v in self._target_vms(inv):
            if self._check_vm(inv, v):
                self.host.remove_vm(v.id)
        return []

    def _start_stop(self, target: str) -> Callable[[Invocation], list[Any]]:
        def run(inv: Invocation) -> list[Any]:
            out: list[Any] = []
            state = "Saved" if inv.switch("Save") else target
            for v in self._target_vms(inv):
                if not self._check_vm(inv, v):
                    continue
                self.host.set_state(v.id, state)
                if inv.switch("Passthru"):
                    out.extend(vm_object(self.host.os.key, x) for x in self.host.snapshot([v.id]))
            return out

        return run

    def _items(self, inv: Invocation) -> list[Any]:
        if "InputObject" in inv.bound:
            return to_list(inv.bound["InputObject"]) if inv.bound["InputObject"] is not None else [None]
        return list(inv.pipeline)

    def _convert_to_json(self, inv: Invocation) -> list[Any]:
        depth = to_int(inv.bound.get("Depth", 2))
        compress = inv.switch("Compress")
        if "InputObject" in inv.bound:
            value = inv.bound["InputObject"]
            return [convert_to_json([value], depth, compress)]
        items = list(inv.pipeline)
        if not items:
            return []
        return [convert_to_json(items, depth, compress)]

    def _convert_from_json(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        text = "\n".join(to_string(x) for x in items)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self.error(inv, f"Invalid JSON primitive: {text[:30]}.",
                             "NotSpecified: (:) [ConvertFrom-Json], ArgumentException",
                             "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand") from exc

        def ps(v: Any) -> Any:
            if isinstance(v, dict):
                return PSObject("System.Management.Automation.PSCustomObject", {k: ps(x) for k, x in v.items()})
            if isinstance(v, list):
                return [ps(x) for x in v]
            return v

        # Windows PowerShell 5.1 writes a top-level JSON array as one object (not enumerated).
        return [ps(data)]

    def _property_value(self, obj: Any, prop: Any) -> Any:
        if isinstance(prop, ScriptBlock):
            raise NotImplementedInSimulator("Group-Object/Select-Object with a script block property")
        return self.i.get_member(obj, to_string(prop))

    def _group_object(self, inv: Invocation) -> list[Any]:
        props = to_list(inv.bound.get("Property"))
        if len(props) != 1 or inv.switch("AsHashTable") or inv.switch("NoElement"):
            raise NotImplementedInSimulator("this form of Group-Object (one -Property only)")
        cs = inv.switch("CaseSensitive")
        groups: list[tuple[Any, list[Any]]] = []
        for item in self._items(inv):
            key = self._property_value(item, props[0])
            for g in groups:
                if (to_string(g[0]) == to_string(key)) if cs else equals(to_string(g[0]), to_string(key)):
                    g[1].append(item)
                    break
            else:
                groups.append((key, [item]))
        out = []
        for key, members in groups:
            out.append(PSObject("Microsoft.PowerShell.Commands.GroupInfo",
                                {"Count": len(members), "Name": to_string(key), "Group": list(members),
                                 "Values": [key]},
                                default_columns=("Count", "Name", "Group")))
        return out

    def _columns(self, inv: Invocation, items: list[Any]) -> tuple[str, ...]:
        props = inv.strings("Property")
        first = next((o for o in items if isinstance(o, PSObject)), None)
        if props is None:
            if first is None:
                return ()
            return first.default_columns or tuple(first.props)
        cols: list[str] = []
        for p in props:
            if first is not None and has_wildcards(p):
                cols.extend(k for k in first.props if wildcard_match(p, k) and k not in cols)
            else:
                real = next((k for k in (first.props if first else {}) if k.casefold() == p.casefold()), p)
                cols.append(real)
        return tuple(cols)

    @staticmethod
    def _table_props(o: Any) -> Any:
        if isinstance(o, PSObject) and "table" in o.extra:
            return PSObject(o.type_name, o.extra["table"], o.default_columns)
        return o

    def _format_table(self, inv: Invocation) -> list[Any]:
        items = [self._table_props(o) for o in self._items(inv)]
        cols = self._columns(inv, items)
        if not cols:
            return [FormattedLines(tuple(to_string(i) for i in items))]
        lines = table(items, cols)
        if inv.switch("HideTableHeaders"):
            lines = [lines[0], *lines[3:]]
        return [FormattedLines(tuple(lines))]

    def _format_list(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        props = inv.strings("Property")
        first = next((o for o in items if isinstance(o, PSObject)), None)
        cols = tuple(props) if props and props != ["*"] else (tuple(first.props) if first else ())
        return [FormattedLines(tuple(listing(items, cols)))]

    def _select(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        if "First" in inv.bound:
            items = items[: to_int(inv.bound["First"])]
        if "Last" in inv.bound:
            n = to_int(inv.bound["Last"])
            items = items[-n:] if n else []
        expand = inv.strings("ExpandProperty")
        if expand:
            out: list[Any] = []
            for o in items:
                value = self.i.get_member(o, expand[0])
                out.extend(value if isinstance(value, list) else [value])
            return out
        if inv.strings("Property") is None:
            return items
        cols = self._columns(inv, items)
        return [PSObject("Selected." + (o.type_name if isinstance(o, PSObject) else "System.Object"),
                         {c: self.i.get_member(o, c) for c in cols},
                         vm_id=o.vm_id if isinstance(o, PSObject) else None,
                         guid=o.guid if isinstance(o, PSObject) else None)
                for o in items]

    def _get_cim(self, inv: Invocation) -> list[Any]:
        cls = to_string(inv.bound.get("ClassName")).lower()
        ns = to_string(inv.bound.get("Namespace", "root\\cimv2")).lower().replace("/", "\\")
        if "Filter" in inv.bound:
            raise NotImplementedInSimulator("Get-CimInstance -Filter")
        if ns in ("root\\cimv2", "\\root\\cimv2") and cls == "win32_operatingsystem":
            os = self.host.os
            return [PSObject("Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_OperatingSystem", {
                "Caption": os.caption, "Version": os.version, "BuildNumber": os.version.rsplit(".", 1)[-1],
                "CSName": self.host.name, "OSLanguage": {"en-US": 1033, "de-DE": 1031, "fr-FR": 1036}[self.host.locale],
                "MUILanguages": [self.host.locale], "ProductType": 3,
            }, default_columns=("SystemDirectory", "Organization", "BuildNumber", "RegisteredUser", "SerialNumber",
                                "Version"))]
        if ns in ("root\\virtualization\\v2", "\\root\\virtualization\\v2"):
            if not self.host.hyperv_role:
                raise self.error(inv, "Invalid namespace ", "MetadataError: (root\\virtualization\\v2:String) "
                                 "[Get-CimInstance], CimException",
                                 "HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets."
                                 "GetCimInstanceCommand")
            if cls == "msvm_kvpexchangecomponent":
                self._pace(0)
                return [PSObject("Microsoft.Management.Infrastructure.CimInstance#root/virtualization/v2/"
                                 "Msvm_KvpExchangeComponent", {
                                     "SystemName": vm_id.upper(),
                                     "EnabledState": 2 if items is not None else 3,
                                     "GuestIntrinsicExchangeItems": items,
                                 }) for vm_id, items in self.host.kvp_intrinsic_items()]
        raise self.error(inv, "Invalid class ", f"MetadataError: ({cls}:String) [Get-CimInstance], CimException",
                         "HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand")

    def _get_ui_culture(self, inv: Invocation) -> list[Any]:
        names = {"en-US": "English (United States)", "de-DE": "Deutsch (Deutschland)", "fr-FR": "Français (France)"}
        lcid = {"en-US": 1033, "de-DE": 1031, "fr-FR": 1036}
        loc = self.host.locale
        return [PSObject("System.Globalization.CultureInfo", {"LCID": lcid[loc], "Name": loc,
                                                              "DisplayName": names[loc]},
                         default_columns=("LCID", "Name", "DisplayName"), to_string=loc)]

    def _get_module(self, inv: Invocation) -> list[Any]:
        names = inv.strings("Name") or ["*"]
        mods = [("Hyper-V", "2.0.0.0" if self.host.os.key not in ("2012", "2012R2") else "1.1")] \
            if self.host.hyperv_module else []
        if not inv.switch("ListAvailable"):
            mods = [m for m in mods if m[0] in self.i.__dict__.get("_imported", ())]
        return [PSObject("System.Management.Automation.PSModuleInfo",
                         {"ModuleType": "Binary", "Version": PSVersion(v), "Name": n,
                          "ExportedCommands": [c.name for c in self.table.values() if c.module == "Hyper-V"]},
                         default_columns=("ModuleType", "Version", "Name"))
                for n, v in mods if any(wildcard_match(p, n) for p in names)]

    def _import_module(self, inv: Invocation) -> list[Any]:
        names = inv.strings("Name") or []
        for n in names:
            if n.lower() == "hyper-v" and self.host.hyperv_module:
                self.i.__dict__.setdefault("_imported", set()).add("Hyper-V")
                self.load_hyperv()
                continue
            raise self.error(inv, f"The specified module '{n}' was not loaded because no valid module file was "
                                  "found in any module directory.",
                             f"ResourceUnavailable: ({n}:String) [Import-Module], FileNotFoundException",
                             "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand")
        return []


    def _start_sleep(self, inv: Invocation) -> list[Any]:
        seconds = float(to_string(inv.bound.get("Seconds", 0)) or 0)
        if "Milliseconds" in inv.bound:
            seconds = to_int(inv.bound["Milliseconds"]) / 1000.0
        if self.i.ctx.cancelled.wait(max(0.0, seconds)):
            raise Cancelled
        return []

    def _block(self, inv: Invocation, name: str) -> ScriptBlock | None:
        value = inv.bound.get(name)
        if value is None:
            return None
        if not isinstance(value, ScriptBlock):
            raise self.bind_error(inv, f"Cannot bind parameter '{name}'. Cannot convert the \"{to_string(value)}\" "
                                       "value of type \"System.String\" to type \"System.Management.Automation."
                                       "ScriptBlock\".", "CannotConvertArgumentNoMessage")
        return value

    def _where(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        block = inv.bound.get("FilterScript")
        if isinstance(block, ScriptBlock):
            return [x for x in items if is_true(self._collect(self.invoke_block(block, [], None, x)))]
        # Simplified syntax: Where-Object Name -EQ value (the property arrived as FilterScript).
        prop = to_string(inv.bound.get("Property", block))
        op = next((o for o in _WHERE_OPERATORS if inv.switch(o)), None)
        if op is None:
            return [x for x in items if is_true(self.i.get_member(x, prop))]
        from hvgui.simulator.psvalues import binary_op

        value = inv.bound.get("Value")
        return [x for x in items
                if is_true(binary_op("-" + op.lower(), self.i.get_member(x, prop), value, lambda _m: None))]

    @staticmethod
    def _collect(values: list[Any]) -> Any:
        from hvgui.simulator.psvalues import collect

        return collect(values)

    def _foreach(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        out: list[Any] = []
        begin, end = self._block(inv, "Begin"), self._block(inv, "End")
        if begin is not None:
            out.extend(self.invoke_block(begin, [], None))
        process = inv.bound.get("Process")
        member = inv.bound.get("MemberName")
        if isinstance(process, str) and member is None:
            member, process = process, None
        for x in items:
            if isinstance(process, ScriptBlock):
                out.extend(self.invoke_block(process, [], None, x))
            elif member is not None:
                out.extend(enumerate_value(self.i.get_member(x, to_string(member))))
        if end is not None:
            out.extend(self.invoke_block(end, [], None))
        return out

    def _sort(self, inv: Invocation) -> list[Any]:
        import functools

        from hvgui.simulator.psvalues import compare

        items = self._items(inv)
        props = to_list(inv.bound.get("Property")) if "Property" in inv.bound else []

        def key_of(x: Any) -> list[Any]:
            if not props:
                return [x]
            out = []
            for p in props:
                if isinstance(p, ScriptBlock):
                    out.append(self._collect(self.invoke_block(p, [], None, x)))
                else:
                    out.append(self.i.get_member(x, to_string(p)))
            return out

        def cmp(a: Any, b: Any) -> int:
            for x, y in zip(key_of(a), key_of(b), strict=True):
                try:
                    c = compare(x, y)
                except PSRuntimeError:
                    c = compare(to_string(x), to_string(y))
                if c:
                    return c
            return 0

        result = sorted(items, key=functools.cmp_to_key(cmp), reverse=inv.switch("Descending"))
        if inv.switch("Unique"):
            unique: list[Any] = []
            for x in result:
                if not unique or cmp(unique[-1], x) != 0:
                    unique.append(x)
            result = unique
        return result

    def _measure(self, inv: Invocation) -> list[Any]:
        items = self._items(inv)
        prop = inv.strings("Property")
        values = [self.i.get_member(x, prop[0]) for x in items] if prop else items
        props: dict[str, Any] = {"Count": len(items), "Average": None, "Sum": None, "Maximum": None,
                                 "Minimum": None, "Property": prop[0] if prop else None}
        numbers = [float(x) if isinstance(x, float) else to_int(x) for x in values if x is not None] \
            if any(inv.switch(s) for s in ("Sum", "Average", "Maximum", "Minimum")) else []
        if inv.switch("Sum"):
            props["Sum"] = sum(numbers)
        if inv.switch("Average") and numbers:
            props["Average"] = sum(numbers) / len(numbers)
        if inv.switch("Maximum") and numbers:
            props["Maximum"] = max(numbers)
        if inv.switch("Minimum") and numbers:
            props["Minimum"] = min(numbers)
        return [PSObject("Microsoft.PowerShell.Commands.GenericMeasureInfo", props)]

    def _get_command(self, inv: Invocation) -> list[Any]:
        names = inv.strings("Name") or ["*"]
        module = inv.strings("Module")
        seen: dict[str, Cmdlet] = {}
        for c in self.table.values():
            if self.find(c.name) is c and c.name not in seen:
                seen[c.name] = c
        out: list[Any] = []
        for pattern in names:
            hits = [c for n, c in sorted(seen.items()) if wildcard_match(pattern, n)
                    and (module is None or any(wildcard_match(m, c.module) for m in module))]
            if not hits and not has_wildcards(pattern):
                e = self.i._not_found(pattern)
                e.command = "Get-Command"
                self.i.write_error(e, inv.bound.get("ErrorAction"))
            out.extend(PSObject("System.Management.Automation.CmdletInfo",
                                {"CommandType": "Cmdlet", "Name": c.name,
                                 "Version": PSVersion("2.0.0.0" if c.module == "Hyper-V" else "3.1.0.0"),
                                 "Source": c.module, "ModuleName": c.module},
                                default_columns=("CommandType", "Name", "Version", "Source"), to_string=c.name)
                       for c in hits)
        return out

    def _dvd_object(self, v: VMView) -> PSObject:
        path = v.dvd or None
        return PSObject("Microsoft.HyperV.PowerShell.DvdDrive", {
            "VMName": v.name, "VMId": PSGuid(uuid.UUID(v.id)), "ControllerType": PSEnum("SCSI", 1),
            "ControllerNumber": 0, "ControllerLocation": 1,
            "DvdMediaType": PSEnum("ISO", 1) if path else PSEnum("None", 0), "Path": path,
            "Name": "DVD Drive on SCSI controller number 0 at location 1", "ComputerName": self.host.name,
        }, default_columns=("VMName", "ControllerType", "ControllerNumber", "ControllerLocation", "DvdMediaType",
                            "Path"), vm_id=v.id, extra={"dvd": True})

    def _get_dvd(self, inv: Invocation) -> list[Any]:
        vms = self._target_vms(inv)
        self._pace(len(vms))
        out: list[Any] = []
        for v in self.host.snapshot([v.id for v in vms]):
            if not self._check_vm(inv, v):
                continue
            if v.dvd is not None:
                out.append(self._dvd_object(v))
        return out

    def _set_dvd(self, inv: Invocation) -> list[Any]:
        drives = to_list(inv.bound.get("VMDvdDrive")) if "VMDvdDrive" in inv.bound else \
            [o for o in inv.pipeline if isinstance(o, PSObject) and o.extra.get("dvd")]
        if drives:
            ids = [d.vm_id for d in drives if isinstance(d, PSObject) and d.vm_id]
            views = self.host.snapshot(ids)
        else:
            views = [v for v in self._target_vms(inv)]
        path = to_string(inv.bound.get("Path")) if inv.bound.get("Path") is not None else ""
        out: list[Any] = []
        for v in views:
            if not self._check_vm(inv, v):
                continue
            if v.dvd is None:
                self.nonterminating(inv, f"'{v.name}' has no DVD drive at the given location.",
                                    f"ObjectNotFound: ({v.name}:VirtualMachine) [{inv.name}], "
                                    "VirtualizationException", "ObjectNotFound,Microsoft.HyperV.PowerShell."
                                    "Commands.SetVMDvdDrive")
                continue
            if path and not self.host.file_exists(path):
                self.nonterminating(inv, f"Failed to add device 'Virtual CD/DVD Disk'.\r\n'{v.name}' failed to "
                                         f"add device 'Virtual CD/DVD Disk'. (Virtual machine ID {v.id.upper()})"
                                         "\r\nThe system cannot find the file specified. (0x80070002)",
                                    f"NotSpecified: (:) [{inv.name}], VirtualizationException",
                                    "Unspecified,Microsoft.HyperV.PowerShell.Commands.SetVMDvdDrive")
                continue
            if inv.switch("WhatIf"):
                continue
            self._pace(1, per_vm_s=self.host.costs.per_change_s)
            self.host.set_dvd(v.id, path)
            if inv.switch("Passthru"):
                out.extend(self._dvd_object(x) for x in self.host.snapshot([v.id]))
        return out

    def _test_path(self, inv: Invocation) -> list[Any]:
        paths = inv.strings("LiteralPath") or inv.strings("Path") or []
        return [self.host.file_exists(p) for p in paths]

    # ---- PowerShell Direct and the guest

    def _invoke_command(self, inv: Invocation) -> list[Any]:
        if "VMId" not in inv.bound and "VMName" not in inv.bound:
            raise NotImplementedInSimulator("Invoke-Command without -VMId or -VMName (only PowerShell Direct)")
        if self.host.os.key in ("2012", "2012R2"):
            # No PowerShell Direct before Windows Server 2016: the parameter does not exist.
            word = "VMId" if "VMId" in inv.bound else "VMName"
            raise self.bind_error(inv, f"A parameter cannot be found that matches parameter name '{word}'.",
                                  "NamedParameterNotFound")
        block = self._block(inv, "ScriptBlock")
        if block is None:
            raise self.bind_error(inv, "Cannot process command because of one or more missing mandatory parameters: "
                                       "ScriptBlock.", "MissingMandatoryParameter")
        cred = inv.bound.get("Credential")
        if not (isinstance(cred, PSObject) and "credential" in cred.extra):
            # -Credential is mandatory for -VMId/-VMName, and nothing can prompt inside WinRM.
            raise self.bind_error(inv, "Cannot process command because of one or more missing mandatory parameters: "
                                       "Credential.", "MissingMandatoryParameter")
        user, password = cred.extra["credential"]
        if "VMId" in inv.bound:
            text = to_string(inv.bound["VMId"]).strip().strip("{}")
            try:
                vm_ids = [str(uuid.UUID(text))]
            except ValueError:
                raise self.bind_error(inv, f"Cannot bind parameter 'VMId'. Cannot convert value \"{text}\" to type "
                                           "\"System.Guid\".", "CannotConvertArgumentNoMessage", text) from None
        else:
            vm_ids = [v.id for v in self.host.snapshot() if wildcard_match(to_string(inv.bound["VMName"]), v.name)]
        refusal = self.host.direct_refusal(vm_ids[0], user, password) if vm_ids else (
            "vm_not_found", "The input VMName parameter does not resolve to any virtual machine.")
        if refusal is not None:
            kind, words = refusal
            ids = {"invalid_credential": "InvalidCredential", "not_running": "InvalidVMState",
                   "vm_not_found": "InvalidVMNameNotSingle", "guest_too_old": "PSSessionStateBroken"}
            self.nonterminating(inv, words, "InvalidArgument: (:) [Invoke-Command], ArgumentException" if kind ==
                                "invalid_credential" else "OpenError: (:) [Invoke-Command], PSDirectException",
                                f"{ids.get(kind, kind)},Microsoft.PowerShell.Commands.InvokeCommandCommand",
                                "System.Management.Automation.Remoting.PSDirectException")
            return []
        args = to_list(inv.bound["ArgumentList"]) if "ArgumentList" in inv.bound else []
        # A remote session: the guest's own scope, none of the caller's variables.
        saved_scope, saved_global, saved_guest = self.i.scope, self.i.global_scope, self.i.guest_vm
        fresh = type(self.i.scope)(None)
        fresh.vars.update({"true": True, "false": False, "null": None, "erroractionpreference": "Continue",
                           "progresspreference": "Continue", "warningpreference": "Continue",
                           "confirmpreference": "High", "ofs": " ", "error": []})
        self.i.scope = self.i.global_scope = fresh
        self.i.guest_vm = vm_ids[0]
        try:
            out = self.invoke_block(block, [("value", a) for a in args], None)
        finally:
            self.i.scope, self.i.global_scope, self.i.guest_vm = saved_scope, saved_global, saved_guest
        # Results come back serialized: strings and numbers as they are.
        return [o for o in out if o is not AUTOMATION_NULL]

    def _secure_string(self, inv: Invocation) -> list[Any]:
        if not inv.switch("AsPlainText"):
            raise NotImplementedInSimulator("ConvertTo-SecureString without -AsPlainText")
        if not inv.switch("Force"):
            raise self.error(inv, "The system cannot protect plain text input. To suppress this warning and convert "
                                  "the plain text to a SecureString, reissue the command specifying the Force "
                                  "parameter.", "InvalidArgument: (:) [ConvertTo-SecureString], ArgumentException",
                             "ImportSecureString_InvalidArgument,Microsoft.PowerShell.Commands."
                             "ConvertToSecureStringCommand")
        text = to_string(inv.bound.get("String"))
        return [PSObject("System.Security.SecureString", {"Length": len(text)},
                         to_string="System.Security.SecureString", extra={"secret": text})]

    def _guest(self, inv: Invocation) -> str:
        vm_id = self.i.guest_vm
        if vm_id is None:
            raise NotImplementedInSimulator(f"{inv.name} on the host (only inside a guest, through PowerShell Direct)")
        return vm_id

    def _service_object(self, name: str, display: str, status: str, start_type: str) -> PSObject:
        statuses = {"Stopped": 1, "StartPending": 2, "StopPending": 3, "Running": 4}
        starts = {"Automatic": 2, "Manual": 3, "Disabled": 4}
        return PSObject("System.ServiceProcess.ServiceController", {
            "Name": name, "DisplayName": display, "Status": PSEnum(status, statuses.get(status, 0)),
            "StartType": PSEnum(start_type, starts.get(start_type, 0)), "ServiceName": name,
            "CanStop": status == "Running", "MachineName": ".",
        }, default_columns=("Status", "Name", "DisplayName"), to_string="System.ServiceProcess.ServiceController",
            extra={"service": name})

    def _no_service(self, inv: Invocation, name: str) -> None:
        self.nonterminating(inv, f"Cannot find any service with service name '{name}'.",
                            f"ObjectNotFound: ({name}:String) [{inv.name}], ServiceCommandException",
                            "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands."
                            + inv.name.replace("-", "") + "Command",
                            "Microsoft.PowerShell.Commands.ServiceCommandException")

    def _get_service(self, inv: Invocation) -> list[Any]:
        vm_id = self._guest(inv)
        services = self.host.guest_services(vm_id)
        names = inv.strings("Name") or ["*"]
        out: list[Any] = []
        for pattern in names:
            hits = [s for s in services if wildcard_match(pattern, s[0])]
            if not hits and not has_wildcards(pattern):
                self._no_service(inv, pattern)
            out.extend(self._service_object(*s) for s in hits if self._service_object(*s) not in out)
        return out

    def _service_names(self, inv: Invocation) -> list[str]:
        objs = to_list(inv.bound["InputObject"]) if "InputObject" in inv.bound else list(inv.pipeline)
        names = [o.extra["service"] for o in objs if isinstance(o, PSObject) and "service" in o.extra]
        return names or (inv.strings("Name") or [])

    def _control_service(self, action: str) -> Callable[[Invocation], list[Any]]:
        def run(inv: Invocation) -> list[Any]:
            vm_id = self._guest(inv)
            out: list[Any] = []
            for name in self._service_names(inv):
                failure = self.host.guest_control(vm_id, name, action)
                if failure is not None:
                    if failure.startswith("Cannot find"):
                        self._no_service(inv, name)
                    else:
                        self.nonterminating(inv, failure, f"OpenError: (System.ServiceProcess.ServiceController:"
                                            f"ServiceController) [{inv.name}], ServiceCommandException",
                                            f"CouldNotStartService,Microsoft.PowerShell.Commands.{verb}ServiceCommand",
                                            "Microsoft.PowerShell.Commands.ServiceCommandException")
                    continue
                if inv.switch("PassThru"):
                    out.extend(self._service_object(*s) for s in self.host.guest_services(vm_id) if s[0] == name)
            return out

        verb = action.capitalize()
        return run

    def _set_service(self, inv: Invocation) -> list[Any]:
        vm_id = self._guest(inv)
        if "Status" in inv.bound:
            raise NotImplementedInSimulator("Set-Service -Status (use Start-Service / Stop-Service)")
        start_type = to_string(inv.bound.get("StartupType")) if "StartupType" in inv.bound else None
        for name in self._service_names(inv):
            if start_type is None:
                continue
            wanted = next((t for t in ("Automatic", "Manual", "Disabled") if t.casefold() == start_type.casefold()),
                          None)
            if wanted is None:
                raise self.bind_error(inv, f"Cannot bind parameter 'StartupType'. Cannot convert value \"{start_type}\""
                                           " to type \"System.ServiceProcess.ServiceStartMode\". Error: \"Unable to "
                                           "match the identifier name " + start_type + " to a valid enumerator name. "
                                           "Specify one of the following enumerator names and try again:\r\n"
                                           "Boot, System, Automatic, Manual, Disabled\"",
                                      "CannotConvertArgumentNoMessage")
            failure = self.host.guest_control(vm_id, name, "start_type", wanted)
            if failure is not None:
                self._no_service(inv, name)
        return []

    _VM_AUTO: Final = "hkey_local_machine\\software\\microsoft\\virtual machine\\auto"

    def _get_item_property(self, inv: Invocation) -> list[Any]:
        vm_id = self._guest(inv)
        path = (inv.strings("LiteralPath") or inv.strings("Path") or [""])[0]
        full = path.replace("HKLM:", "HKEY_LOCAL_MACHINE").replace("/", "\\").rstrip("\\")
        if full.casefold() != self._VM_AUTO:
            raise NotImplementedInSimulator(f"Get-ItemProperty {path} (only the guest's Virtual Machine\\Auto key)")
        version = self.host.guest_registry_version(vm_id)
        names = inv.strings("Name")
        if version is None and names and any(n.casefold() == "integrationservicesversion" for n in names):
            self.nonterminating(inv, f"Property IntegrationServicesVersion does not exist at path {full}.",
                                "InvalidArgument: (IntegrationServicesVersion:String) [Get-ItemProperty], "
                                "PSArgumentException", "System.Management.Automation.PSArgumentException,"
                                "Microsoft.PowerShell.Commands.GetItemPropertyCommand",
                                "System.Management.Automation.PSArgumentException")
            return []
        props: dict[str, Any] = {"IntegrationServicesVersion": version} if version is not None else {}
        props.update({"PSPath": "Microsoft.PowerShell.Core\\Registry::" + full,
                      "PSProvider": "Microsoft.PowerShell.Core\\Registry"})
        return [PSObject("System.Management.Automation.PSCustomObject", props)]

    def _get_vmhost(self, inv: Invocation) -> list[Any]:
        h = self.host
        return [PSObject("Microsoft.HyperV.PowerShell.VMHost", {
            "Name": h.name, "ComputerName": h.name, "FullyQualifiedDomainName": h.name,
            "LogicalProcessorCount": 16, "MemoryCapacity": 137438953472,
            "VirtualMachinePath": "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
            "VirtualHardDiskPath": "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks",
            "MacAddressMinimum": "00155D010A00", "MacAddressMaximum": "00155D010AFF",
            "NumaSpanningEnabled": True, "SupportedVmVersions": None,
        }, default_columns=("Name", "LogicalProcessorCount", "MemoryCapacity(M)"))]


__all__ = ["AUTOMATION_NULL", "Cmdlets", "component_object", "vm_object"]
