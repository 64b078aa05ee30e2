<#
    Pester 5 tests of the operation scripts in a real Windows PowerShell 5.1, with the Hyper-V
    cmdlets mocked (Pester's Mock on the real Hyper-V module's commands: the module is installed
    without the Hyper-V role, so the commands and their parameters exist, but no VM does).

        Invoke-Pester -Path hvgui\remote\scripts -Output Detailed

    The scripts are assembled as hvgui sends them (hvgui/remote/scripts.py: the '# @include
    common.ps1' line replaced by common.ps1), run with a base64 JSON request, and their result
    line (HVGUI-RESULT-GZIP: base64 of gzip of JSON, written with [Console]::Out) is decoded and checked.

    Saved as UTF-8 with a byte order mark, as Windows PowerShell 5.1 needs for its non-ASCII names.
    Not packaged: pyproject.toml and installer/hvgui.spec leave *.Tests.ps1 out.
    Runs on the Windows workflow (.github/workflows/windows.yml) only: there is no Windows
    PowerShell here. The same scripts run in the simulator's PowerShell in every pytest run.
#>

BeforeAll {
    Import-Module Hyper-V -ErrorAction Stop

    $script:Folder = $PSScriptRoot

    function Get-AssembledScript([string]$Name) {
        $common = Get-Content -LiteralPath (Join-Path $script:Folder 'common.ps1') -Encoding Ascii
        $lines = foreach ($line in Get-Content -LiteralPath (Join-Path $script:Folder $Name) -Encoding Ascii) {
            if ($line.StartsWith('# @include ')) { $common } else { $line }
        }
        $path = Join-Path $TestDrive $Name
        Set-Content -LiteralPath $path -Value $lines -Encoding Ascii
        return $path
    }

    function ConvertTo-Payload($Request) {
        $json = ConvertTo-Json -InputObject $Request -Depth 8 -Compress
        return [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
    }

    function Invoke-Operation([string]$Name, $Request) {
        # What the script writes to [Console]::Out, as hvgui reads it: a preflight line or a result.
        $path = Get-AssembledScript $Name
        $payload = ConvertTo-Payload $Request
        $writer = [System.IO.StringWriter]::new()
        $console = [Console]::Out
        [Console]::SetOut($writer)
        try {
            & $path $payload  # the script's only parameter, PayloadB64
        } finally {
            [Console]::SetOut($console)
        }
        $out = [ordered]@{ preflight = $null; result = $null; text = $writer.ToString() }
        foreach ($line in $out.text -split "`r?`n") {
            if ($line.StartsWith('HVGUI-PREFLIGHT:')) { $out.preflight = $line.Substring(16) }
            if ($line.StartsWith('HVGUI-RESULT-GZIP:')) {
                $packed = New-Object System.IO.MemoryStream -ArgumentList (, [Convert]::FromBase64String($line.Substring(18)))
                $gzip = New-Object System.IO.Compression.GZipStream -ArgumentList $packed, ([IO.Compression.CompressionMode]::Decompress)
                $json = (New-Object System.IO.StreamReader -ArgumentList $gzip, ([Text.Encoding]::UTF8)).ReadToEnd()
                $out.result = ConvertFrom-Json -InputObject $json
            }
        }
        return [pscustomobject]$out
    }

    # Operational status codes as the Hyper-V module's enum has them (hvgui/core/status.py).
    Add-Type -TypeDefinition @'
namespace HvguiPester {
    public enum OperationalStatus { Ok = 2, Degraded = 3, Error = 6, NonRecoverableError = 7, NoContact = 12,
                                    LostCommunication = 13, ProtocolMismatch = 32775 }
}
'@

    $script:Guids = @{
        Heartbeat  = '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47'
        Shutdown   = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'
        TimeSync   = '2497F4DE-E9FA-4204-80E4-4B75C46419C0'
        Kvp        = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
        Vss        = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'
        GuestSvc   = '6C09BB55-D683-4DA0-8931-C9BF705F6480'
    }

    function New-FakeVm([string]$Name, [string]$Id, [string]$State = 'Running') {
        [pscustomobject]@{
            Name = $Name; Id = [guid]$Id; State = $State
            IntegrationServicesVersion = [version]'10.0.20348.1'; IntegrationServicesState = 'Up to date'
        }
    }

    function New-FakeService($Vm, [string]$Name, [string]$Guid, [bool]$Enabled, $Primary = $null) {
        $text = $null
        if ($null -ne $Primary) { $text = [string]$Primary }
        [pscustomobject]@{
            Name = $Name; VMId = $Vm.Id; VMName = $Vm.Name; Enabled = $Enabled
            Id = 'Microsoft:' + $Vm.Id.ToString().ToUpperInvariant() + '\' + $Guid
            PrimaryOperationalStatus = $Primary; PrimaryStatusDescription = $text
            SecondaryOperationalStatus = $null; SecondaryStatusDescription = $null
        }
    }

    function Set-HostMocks {
        # What the host is besides Hyper-V: an OS, a UI culture, no guest KVP data.
        Mock Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' } -MockWith {
            [pscustomobject]@{ Caption = 'Microsoft Windows Server 2022 Datacenter'; Version = '10.0.20348' }
        }
        Mock Get-CimInstance -ParameterFilter { $ClassName -eq 'Msvm_KvpExchangeComponent' } -MockWith {
            throw 'Invalid namespace'
        }
        Mock Get-UICulture -MockWith { [Globalization.CultureInfo]::GetCultureInfo('fr-FR') }
    }
}

Describe 'inventory.ps1' {
    BeforeEach {
        Set-HostMocks
        $script:Web = New-FakeVm 'web1 ''prod'' $(danger)' '3f2a9c1e-0000-4000-8000-000000000001'
        $script:Off = New-FakeVm 'archive' '3f2a9c1e-0000-4000-8000-000000000002' 'Off'
        Mock Get-VM -MockWith { $script:Web; $script:Off }
        Mock Get-VMIntegrationService -RemoveParameterType VM -MockWith {
            foreach ($vm in @($VM)) {
                New-FakeService $vm 'Pulsation' $script:Guids.Heartbeat $true ([HvguiPester.OperationalStatus]::Ok)
                New-FakeService $vm 'Échange de données' $script:Guids.Kvp $true ([HvguiPester.OperationalStatus]::NoContact)
                New-FakeService $vm 'Interface de services d’invité' $script:Guids.GuestSvc $false
            }
        }
    }

    It 'returns host facts and every VM with every service, by Id and GUID, in one call' {
        $out = Invoke-Operation 'inventory.ps1' @{ op = 'inventory'; v = 1 }
        $out.preflight | Should -BeNullOrEmpty
        $r = $out.result
        $r.op | Should -Be 'inventory'
        $r.host.os_caption | Should -Be 'Microsoft Windows Server 2022 Datacenter'
        $r.host.locale | Should -Be 'fr-FR'
        @($r.vms).Count | Should -Be 2
        $web = @($r.vms)[0]
        $web.id | Should -Be '3f2a9c1e-0000-4000-8000-000000000001'
        $web.name | Should -BeExactly 'web1 ''prod'' $(danger)'
        $web.state | Should -Be 'Running'
        $web.is_version | Should -Be '10.0.20348.1'
        $web.guest_os | Should -BeNullOrEmpty
        $services = @($web.services)
        $services.Count | Should -Be 3
        $services[0].guid | Should -Be $script:Guids.Heartbeat
        $services[0].enabled | Should -BeTrue
        $services[0].primary.code | Should -Be 2
        $services[0].primary.name | Should -Be 'Ok'
        $services[1].name | Should -BeExactly 'Échange de données'
        $services[1].primary.name | Should -Be 'NoContact'
        $services[2].enabled | Should -BeFalse
        $services[2].primary | Should -BeNullOrEmpty
        Should -Invoke Get-VMIntegrationService -Times 1 -Exactly
    }

    It 'marks only the VM whose services cannot be read' {
        Mock Get-VMIntegrationService -RemoveParameterType VM -MockWith {
            $vms = @($VM)
            if ($vms.Count -gt 1) { throw 'one VM failed the whole call' }
            if ($vms[0].Name -eq 'archive') { throw 'The operation failed: configuration locked.' }
            New-FakeService $vms[0] 'Heartbeat' $script:Guids.Heartbeat $true ([HvguiPester.OperationalStatus]::Ok)
        }
        $r = (Invoke-Operation 'inventory.ps1' @{ op = 'inventory'; v = 1 }).result
        $vms = @($r.vms)
        $vms[0].error | Should -BeNullOrEmpty
        @($vms[0].services).Count | Should -Be 1
        $vms[1].error | Should -Be 'The operation failed: configuration locked.'
        @($vms[1].services).Count | Should -Be 0
    }

    It 'answers a host without VMs with an empty list' {
        Mock Get-VM -MockWith { @() }  # no output at all, as a host without VMs
        $r = (Invoke-Operation 'inventory.ps1' @{ op = 'inventory'; v = 1 }).result
        @($r.vms).Count | Should -Be 0
        Should -Invoke Get-VMIntegrationService -Times 0 -Exactly
    }

    It 'refuses a request for another operation' {
        { Invoke-Operation 'inventory.ps1' @{ op = 'apply'; v = 1 } } | Should -Throw "*runs 'inventory' v1 requests only*"
    }
}

Describe 'apply.ps1' {
    BeforeEach {
        Set-HostMocks
        $script:Vm = New-FakeVm 'app1' '3f2a9c1e-0000-4000-8000-00000000000a'
        $script:State = @{ ($script:Guids.TimeSync) = $true; ($script:Guids.Vss) = $false; ($script:Guids.Kvp) = $true }
        Mock Get-VM -MockWith {
            if ([string]$Id -eq $script:Vm.Id.ToString()) { return $script:Vm }
            throw "Hyper-V was unable to find a virtual machine with id '$Id'."
        }
        Mock Get-VMIntegrationService -RemoveParameterType VM -MockWith {
            New-FakeService $script:Vm 'Time Synchronization' $script:Guids.TimeSync $script:State[$script:Guids.TimeSync]
            New-FakeService $script:Vm 'Backup (volume shadow copy)' $script:Guids.Vss $script:State[$script:Guids.Vss]
            New-FakeService $script:Vm 'Key-Value Pair Exchange' $script:Guids.Kvp $script:State[$script:Guids.Kvp]
        }
        Mock Enable-VMIntegrationService -RemoveParameterType VMIntegrationService -MockWith {
            $guid = ($VMIntegrationService.Id -split '\\')[-1]
            $script:State[$guid] = $true
        }
        Mock Disable-VMIntegrationService -RemoveParameterType VMIntegrationService -MockWith {
            $guid = ($VMIntegrationService.Id -split '\\')[-1]
            if ($guid -eq $script:Guids.Kvp) { throw 'Failed to modify the integration service: access denied.' }
            $script:State[$guid] = $false
        }
    }

    It 'gives each change its outcome, in request order, and re-reads the touched VM' {
        $id = $script:Vm.Id.ToString()
        $request = @{ op = 'apply'; v = 1; changes = @(
            @{ vm_id = $id; guid = $script:Guids.TimeSync; expected = $true; enabled = $false },   # changed
            @{ vm_id = $id; guid = $script:Guids.Vss; expected = $true; enabled = $false },        # unchanged (already off)
            @{ vm_id = $id; guid = $script:Guids.Vss; expected = $true; enabled = $true },         # conflict (host says off)
            @{ vm_id = $id; guid = $script:Guids.Kvp; expected = $true; enabled = $false },        # error
            @{ vm_id = $id; guid = $script:Guids.GuestSvc; expected = $false; enabled = $true },   # not offered
            @{ vm_id = '00000000-0000-0000-0000-000000000000'; guid = $script:Guids.Vss; expected = $false; enabled = $true }
        ) }
        $r = (Invoke-Operation 'apply.ps1' $request).result
        $items = @($r.results)
        ($items | ForEach-Object { $_.outcome }) -join ',' |
            Should -Be 'changed,unchanged,conflict,error,service_not_offered,vm_not_found'
        $items[0].enabled | Should -BeFalse
        $items[1].message | Should -Be 'Already disabled (changed on the host since it was read).'
        $items[2].message | Should -BeLike '*now says disabled*'
        $items[3].message | Should -Be 'Failed to modify the integration service: access denied.'
        $items[3].enabled | Should -BeTrue
        $items[5].message | Should -BeLike '*unable to find a virtual machine*'
        @($r.vms).Count | Should -Be 1
        $script:State[$script:Guids.TimeSync] | Should -BeFalse
        Should -Invoke Disable-VMIntegrationService -Times 2 -Exactly
        Should -Invoke Enable-VMIntegrationService -Times 0 -Exactly
    }

    It 'enables with Enable-VMIntegrationService, by the VM Id' {
        $id = $script:Vm.Id.ToString()
        $request = @{ op = 'apply'; v = 1; changes = @(@{ vm_id = $id.ToUpperInvariant(); guid = $script:Guids.Vss.ToLowerInvariant(); expected = $false; enabled = $true }) }
        $r = (Invoke-Operation 'apply.ps1' $request).result
        @($r.results)[0].outcome | Should -Be 'changed'
        @($r.results)[0].enabled | Should -BeTrue
        Should -Invoke Enable-VMIntegrationService -Times 1 -Exactly
        Should -Invoke Get-VM -ParameterFilter { [string]$Id -eq $script:Vm.Id.ToString() }
    }

    It 'fails only the items of a VM whose services cannot be read' {
        Mock Get-VMIntegrationService -RemoveParameterType VM -MockWith { throw 'The virtual machine is locked.' }
        $request = @{ op = 'apply'; v = 1; changes = @(
            @{ vm_id = $script:Vm.Id.ToString(); guid = $script:Guids.Vss; expected = $false; enabled = $true }) }
        $item = @((Invoke-Operation 'apply.ps1' $request).result.results)[0]
        $item.outcome | Should -Be 'error'
        $item.message | Should -Be 'The virtual machine is locked.'
        Should -Invoke Enable-VMIntegrationService -Times 0 -Exactly
    }
}

Describe 'preflight (Test-HvguiHost in common.ps1)' {
    BeforeEach {
        Set-HostMocks
        Mock Get-VM -MockWith { @() }  # no output at all, as a host without VMs
        Mock Get-VMIntegrationService -RemoveParameterType VM -MockWith { @() }  # no output at all, as a host without VMs
    }

    It 'passes on an administrator with the Hyper-V module' {
        (Invoke-Operation 'inventory.ps1' @{ op = 'inventory'; v = 1 }).preflight | Should -BeNullOrEmpty
    }

    It 'says so when the Hyper-V PowerShell module is missing, and reads nothing' -ForEach @(
        @{ File = 'inventory.ps1'; Op = 'inventory' }, @{ File = 'apply.ps1'; Op = 'apply' }
    ) {
        Mock Get-Module -ParameterFilter { $ListAvailable } -MockWith { @() }  # no output at all, as a host without VMs
        $out = Invoke-Operation $File @{ op = $Op; v = 1; changes = @() }
        $out.preflight | Should -Be 'hyperv_module_missing:'
        $out.result | Should -BeNullOrEmpty
        Should -Invoke Get-VM -Times 0 -Exactly
    }

    It 'says so when the account is in neither Administrators nor Hyper-V Administrators' {
        Mock New-Object -ParameterFilter { $TypeName -eq 'Security.Principal.WindowsPrincipal' } -MockWith {
            $principal = [pscustomobject]@{}
            $principal | Add-Member -MemberType ScriptMethod -Name IsInRole -Value { param($Role) $false }
            $principal
        }
        $out = Invoke-Operation 'apply.ps1' @{ op = 'apply'; v = 1; changes = @() }
        $out.preflight | Should -Be 'not_hyperv_admin:'
        Should -Invoke Get-VM -Times 0 -Exactly
    }

    It 'accepts a member of Hyper-V Administrators (S-1-5-32-578) who is not an administrator' {
        Mock New-Object -ParameterFilter { $TypeName -eq 'Security.Principal.WindowsPrincipal' } -MockWith {
            $principal = [pscustomobject]@{}
            $principal | Add-Member -MemberType ScriptMethod -Name IsInRole -Value {
                param($Role)
                return ($Role -is [Security.Principal.SecurityIdentifier]) -and $Role.Value -eq 'S-1-5-32-578'
            }
            $principal
        }
        (Invoke-Operation 'inventory.ps1' @{ op = 'inventory'; v = 1 }).preflight | Should -BeNullOrEmpty
    }
}
