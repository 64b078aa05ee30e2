# hvgui-operation: inventory v1
# Host facts and every VM with every integration service, in one command. A VM whose
# components cannot be read is listed with its error; it never costs the other VMs.
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$preflight = Test-HvguiHost
if ($null -ne $preflight) { Write-HvguiPreflight $preflight; return }
$null = Read-HvguiRequest $PayloadB64 'inventory'

$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
$hostFacts = [ordered]@{
    name       = [string]$env:COMPUTERNAME
    os_caption = [string]$os.Caption
    os_version = [string]$os.Version
    locale     = [string](Get-UICulture).Name
}

$vms = @(Hyper-V\Get-VM)
$byVm = @{}
$readErrors = @{}
if ($vms.Count -gt 0) {
    try {
        $components = @(Hyper-V\Get-VMIntegrationService -VM $vms)
    } catch {
        # One VM can fail the whole call: read them one by one so only that VM is marked.
        $components = @(foreach ($vm in $vms) {
            try {
                Hyper-V\Get-VMIntegrationService -VM $vm
            } catch {
                $readErrors[$vm.Id.ToString().ToLowerInvariant()] = $_.Exception.Message
            }
        })
    }
    foreach ($c in $components) {
        $key = $c.VMId.ToString().ToLowerInvariant()
        if (-not $byVm.ContainsKey($key)) { $byVm[$key] = New-Object System.Collections.ArrayList }
        $null = $byVm[$key].Add($c)
    }
}
$guestOs = Get-HvguiGuestOs
$vmList = @(foreach ($vm in $vms) {
    $key = $vm.Id.ToString().ToLowerInvariant()
    $mine = @()
    if ($byVm.ContainsKey($key)) { $mine = $byVm[$key] }
    $record = ConvertTo-HvguiVm $vm $mine $guestOs
    if ($readErrors.ContainsKey($key)) { $record.error = $readErrors[$key] }
    $record
})

Write-HvguiResult ([ordered]@{ op = 'inventory'; v = 1; host = $hostFacts; vms = $vmList })
