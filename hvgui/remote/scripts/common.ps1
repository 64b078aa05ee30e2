# Shared by every hvgui operation. Constant text: request data never appears in this file,
# it arrives as base64 JSON in $PayloadB64 and is only ever used as data.
# Runs on Windows PowerShell 3.0 (Server 2012), 4.0 (2012 R2) and 5.1 (2016 and later): no
# ::new(), no classes, no PowerShell 5+ cmdlets or parameters. Test-HvguiHost runs first and
# must itself work on 2.0, to say that the host is too old instead of failing on a newer construct.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

function Test-HvguiHost {
    # What the host lacks to run hvgui, as 'kind:detail' (ASCII), or $null. The client says it
    # in words with the fix.
    $version = $PSVersionTable.PSVersion
    if ($null -eq $version -or $version.Major -lt 3) {
        return 'powershell_too_old:' + [string]$version
    }
    if (-not (Get-Module -ListAvailable 'Hyper-V')) {
        return 'hyperv_module_missing:'
    }
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object -TypeName Security.Principal.WindowsPrincipal -ArgumentList $identity
    $hyperVAdmins = New-Object -TypeName Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-32-578'
    $isAdmin = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
    if (-not ($isAdmin -or $principal.IsInRole($hyperVAdmins))) {
        return 'not_hyperv_admin:'
    }
    return $null
}

function Write-HvguiPreflight([string]$Failure) {
    [Console]::Out.WriteLine('HVGUI-PREFLIGHT:' + $Failure)
    [Console]::Out.Flush()
}

function Read-HvguiRequest([string]$Encoded, [string]$Operation) {
    $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Encoded))
    $request = ConvertFrom-Json -InputObject $text
    if ($request.op -ne $Operation -or [int]$request.v -ne 1) {
        throw "hvgui: this script runs '$Operation' v1 requests only"
    }
    return $request
}

function Write-HvguiResult($Result) {
    # Written with [Console]::Out: a result line, not pipeline output formatted to a width.
    # ASCII-safe whatever the shell's code page: base64 of gzip of UTF-8 JSON on one line.
    # Gzip: an inventory's JSON repeats the same keys and states for every VM and shrinks about
    # 20 times (55 KB to 3 KB for 50 VMs), which is what crosses the network, is sealed and
    # parsed as XML on every refresh.
    $json = ConvertTo-Json -InputObject $Result -Depth 8 -Compress
    $bytes = [Text.Encoding]::UTF8.GetBytes($json)
    $buffer = New-Object System.IO.MemoryStream
    $gzip = New-Object System.IO.Compression.GZipStream -ArgumentList $buffer, ([IO.Compression.CompressionMode]::Compress)
    $gzip.Write($bytes, 0, $bytes.Length)
    $gzip.Close()  # writes the last block and the trailer; ToArray still works on the closed buffer
    [Console]::Out.WriteLine('HVGUI-RESULT-GZIP:' + [Convert]::ToBase64String($buffer.ToArray()))
    [Console]::Out.Flush()
}

function Get-HvguiServiceGuid($Component) {
    # Id is 'Microsoft:<VMID>\<SERVICE GUID>'; the GUID is the same in every language.
    return ($Component.Id -split '\\')[-1].ToUpperInvariant()
}

function ConvertTo-HvguiStatus($Code, $Text) {
    if ($null -eq $Code) { return $null }
    return [ordered]@{ code = [int]$Code; name = $Code.ToString(); text = [string]$Text }
}

function ConvertTo-HvguiService($Component) {
    return [ordered]@{
        guid      = Get-HvguiServiceGuid $Component
        name      = [string]$Component.Name
        enabled   = [bool]$Component.Enabled
        primary   = ConvertTo-HvguiStatus $Component.PrimaryOperationalStatus $Component.PrimaryStatusDescription
        secondary = ConvertTo-HvguiStatus $Component.SecondaryOperationalStatus $Component.SecondaryStatusDescription
    }
}

function Get-HvguiGuestOs {
    # Guest OS names come from the Data Exchange (KVP) service: one CIM query for all VMs.
    $names = @{}
    try {
        $kvps = @(Get-CimInstance -Namespace 'root\virtualization\v2' -ClassName 'Msvm_KvpExchangeComponent')
    } catch {
        return $names  # not fatal: the grid simply shows no guest OS
    }
    foreach ($kvp in $kvps) {
        # Off VMs and guests without the KVP daemon have no items.
        if ($null -eq $kvp.GuestIntrinsicExchangeItems) { continue }
        try {
            foreach ($item in @($kvp.GuestIntrinsicExchangeItems)) {
                $xml = [xml]$item
                $name = $xml.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
                $data = $xml.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
                if ($null -ne $name -and $name.InnerText -eq 'OSName' -and $null -ne $data) {
                    $names[$kvp.SystemName.ToLowerInvariant()] = $data.InnerText
                }
            }
        } catch {
            continue
        }
    }
    return $names
}

function ConvertTo-HvguiVm($Vm, $Components, $GuestOs) {
    $id = $Vm.Id.ToString().ToLowerInvariant()
    $version = $null
    if ($null -ne $Vm.IntegrationServicesVersion) { $version = $Vm.IntegrationServicesVersion.ToString() }
    $os = $null
    if ($GuestOs.ContainsKey($id)) { $os = $GuestOs[$id] }
    return [ordered]@{
        id         = $id
        name       = [string]$Vm.Name
        state      = $Vm.State.ToString()
        is_version = $version
        is_state   = [string]$Vm.IntegrationServicesState
        guest_os   = $os
        error      = $null
        services   = @(foreach ($c in @($Components)) { ConvertTo-HvguiService $c })
    }
}
