# hvgui-operation: apply v1
# Set Enabled per (VM Id, service GUID); each change carries the state the user saw.
# Outcomes per item, in request order: unchanged (already in the target state, whatever the user
# saw), conflict (the host differs from what the user saw: left alone), changed, vm_not_found,
# service_not_offered, error. Touched VMs are read again and returned as the host now reports them.
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$preflight = Test-HvguiHost
if ($null -ne $preflight) { Write-HvguiPreflight $preflight; return }
$request = Read-HvguiRequest $PayloadB64 'apply'

function Get-HvguiWord([bool]$Enabled) {
    if ($Enabled) { return 'enabled' }
    return 'disabled'
}

# Each VM is looked up once (by Id) and its components read once, whatever its number of changes.
$vmCache = @{}
function Get-HvguiTarget([string]$VmId) {
    if ($vmCache.ContainsKey($VmId)) { return $vmCache[$VmId] }
    $target = [ordered]@{ vm = $null; components = @(); lookup_error = ''; read_error = $null }
    try {
        $target.vm = Hyper-V\Get-VM -Id $VmId
    } catch {
        $target.lookup_error = $_.Exception.Message
    }
    if ($null -ne $target.vm) {
        try {
            $target.components = @(Hyper-V\Get-VMIntegrationService -VM $target.vm)
        } catch {
            # This VM cannot be read (locked configuration, being removed...): its items fail,
            # the rest of the batch goes on.
            $target.read_error = $_.Exception.Message
        }
    }
    $vmCache[$VmId] = $target
    return $target
}

$results = New-Object System.Collections.ArrayList
$touched = [ordered]@{}
foreach ($change in @($request.changes)) {
    $vmId = ([string]$change.vm_id).ToLowerInvariant()
    $guid = ([string]$change.guid).ToUpperInvariant()
    $expected = [bool]$change.expected
    $wanted = [bool]$change.enabled
    $item = [ordered]@{ vm_id = $vmId; guid = $guid; outcome = ''; message = ''; enabled = $null }
    $null = $results.Add($item)
    $target = Get-HvguiTarget $vmId
    if ($null -eq $target.vm) {
        $item.outcome = 'vm_not_found'
        $item.message = $target.lookup_error
        continue
    }
    $touched[$vmId] = $true
    if ($null -ne $target.read_error) {
        $item.outcome = 'error'
        $item.message = $target.read_error
        continue
    }
    $component = $null
    foreach ($c in $target.components) {
        if ((Get-HvguiServiceGuid $c) -eq $guid) { $component = $c }
    }
    if ($null -eq $component) {
        $item.outcome = 'service_not_offered'
        continue
    }
    $current = [bool]$component.Enabled
    if ($current -eq $wanted) {
        $item.outcome = 'unchanged'
        $item.message = 'Already ' + (Get-HvguiWord $current) + '.'
        if ($current -ne $expected) { $item.message = 'Already ' + (Get-HvguiWord $current) + ' (changed on the host since it was read).' }
    } elseif ($current -ne $expected) {
        $item.outcome = 'conflict'
        $item.message = 'The host now says ' + (Get-HvguiWord $current) + ' (the plan expected ' + (Get-HvguiWord $expected) + '); not changed.'
    } else {
        try {
            if ($wanted) {
                Hyper-V\Enable-VMIntegrationService -VMIntegrationService $component -Confirm:$false
            } else {
                Hyper-V\Disable-VMIntegrationService -VMIntegrationService $component -Confirm:$false
            }
            $item.outcome = 'changed'
        } catch {
            $item.outcome = 'error'
            $item.message = $_.Exception.Message
        }
    }
}

# Read the touched VMs again: the result shows what the host now says.
$guestOs = Get-HvguiGuestOs
$after = @{}
$vmList = @(foreach ($vmId in @($touched.Keys)) {
    try {
        $vm = Hyper-V\Get-VM -Id $vmId
        $components = @(Hyper-V\Get-VMIntegrationService -VM $vm)
        foreach ($c in $components) { $after[$vmId + '/' + (Get-HvguiServiceGuid $c)] = [bool]$c.Enabled }
        ConvertTo-HvguiVm $vm $components $guestOs
    } catch {
        # Removed or unreadable between the write and the re-read: its items keep enabled = null.
    }
})
foreach ($item in $results) {
    $key = $item.vm_id + '/' + $item.guid
    if ($after.ContainsKey($key)) { $item.enabled = $after[$key] }
}

Write-HvguiResult ([ordered]@{ op = 'apply'; v = 1; results = @($results); vms = $vmList })
