# hvgui-operation: setup_disk v1
# Insert the Integration Services setup disk (vmguest.iso, shipped by hosts before Windows Server
# 2016) into each VM's DVD drive, by VM Id. The installation inside the guest is then done by the
# guest's administrator. Outcomes per VM, in request order: inserted, unchanged (the drive already
# holds it), no_setup_disk (this host has none), no_dvd_drive, disk_present (another disk is in the
# drive: left alone unless the request says replace), vm_not_found, error.
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$preflight = Test-HvguiHost
if ($null -ne $preflight) { Write-HvguiPreflight $preflight; return }
$request = Read-HvguiRequest $PayloadB64 'setup_disk'

$iso = [string]$env:windir + '\System32\vmguest.iso'
$hasIso = Test-Path -LiteralPath $iso
$results = New-Object System.Collections.ArrayList
foreach ($entry in @($request.vms)) {
    $vmId = ([string]$entry.vm_id).ToLowerInvariant()
    $item = [ordered]@{ vm_id = $vmId; outcome = ''; message = ''; path = $null }
    $null = $results.Add($item)
    if (-not $hasIso) {
        $item.outcome = 'no_setup_disk'
        $item.message = 'This host has no Integration Services setup disk (' + $iso + '): Windows Server 2016 and later hosts update their guests through Windows Update.'
        continue
    }
    $vm = $null
    try {
        $vm = Hyper-V\Get-VM -Id $vmId
    } catch {
        $item.outcome = 'vm_not_found'
        $item.message = $_.Exception.Message
        continue
    }
    try {
        $drives = @(Hyper-V\Get-VMDvdDrive -VM $vm)
        if ($drives.Count -eq 0) {
            $item.outcome = 'no_dvd_drive'
            $item.message = 'This VM has no DVD drive: add one (Add-VMDvdDrive) to insert the setup disk.'
            continue
        }
        $drive = $drives[0]
        $current = [string]$drive.Path
        $item.path = $current
        if ($current -eq $iso) {
            $item.outcome = 'unchanged'
            $item.message = 'The setup disk is already in the DVD drive.'
            continue
        }
        if ($current -ne '' -and -not [bool]$entry.replace) {
            $item.outcome = 'disk_present'
            $item.message = 'The DVD drive holds ' + $current + '; it was left there (choose to replace it).'
            continue
        }
        Hyper-V\Set-VMDvdDrive -VMDvdDrive $drive -Path $iso -Confirm:$false
        $after = @(Hyper-V\Get-VMDvdDrive -VM $vm)
        $item.path = [string]$after[0].Path
        $item.outcome = 'inserted'
        if ($current -ne '') { $item.message = 'Replaced ' + $current + '.' }
    } catch {
        $item.outcome = 'error'
        $item.message = $_.Exception.Message
    }
}

Write-HvguiResult ([ordered]@{ op = 'setup_disk'; v = 1; results = @($results) })
