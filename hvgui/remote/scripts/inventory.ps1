# hvgui-operation: inventory v1
# Host facts and every VM with every integration service, in one command.
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$null = Read-HvguiRequest $PayloadB64 'inventory'

$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
$hostFacts = [ordered]@{
    name       = [string]$env:COMPUTERNAME
    os_caption = [string]$os.Caption
    os_version = [string]$os.Version
    locale     = [string](Get-UICulture).Name
}

$vms = @(Get-VM)
$byVm = @{}
if ($vms.Count -gt 0) {
    foreach ($c in @(Get-VMIntegrationService -VM $vms)) {
        $key = $c.VMId.ToString().ToLowerInvariant()
        if (-not $byVm.ContainsKey($key)) { $byVm[$key] = New-Object System.Collections.ArrayList }
        $null = $byVm[$key].Add($c)
    }
}
$guestOs = Get-HvguiGuestOs
$vmList = @(foreach ($vm in $vms) {
    $key = $vm.Id.ToString().ToLowerInvariant()
    $components = @()
    if ($byVm.ContainsKey($key)) { $components = $byVm[$key] }
    ConvertTo-HvguiVm $vm $components $guestOs
})

Write-HvguiResult ([ordered]@{ op = 'inventory'; v = 1; host = $hostFacts; vms = $vmList })
