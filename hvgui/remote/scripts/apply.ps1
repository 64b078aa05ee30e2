# hvgui-operation: apply v1
# Set Enabled per (VM Id, service GUID); each change carries the state it expects.
# Outcomes per item: changed, unchanged, conflict (host differs from what the user saw:
# left alone), vm_not_found, service_not_offered, error. Touched VMs are read again.
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$request = Read-HvguiRequest $PayloadB64 'apply'

$results = New-Object System.Collections.ArrayList
$touched = [ordered]@{}
foreach ($group in @($request.changes | Group-Object -Property vm_id)) {
    $vmId = [string]$group.Name
    $vm = $null
    $lookupError = ''
    try {
        $vm = Hyper-V\Get-VM -Id $vmId
    } catch {
        $lookupError = $_.Exception.Message
    }
    if ($null -eq $vm) {
        foreach ($change in $group.Group) {
            $null = $results.Add([ordered]@{ vm_id = $vmId; guid = [string]$change.guid; outcome = 'vm_not_found'; message = $lookupError; enabled = $null })
        }
        continue
    }
    $touched[$vmId] = $true
    try {
        $components = @(Hyper-V\Get-VMIntegrationService -VM $vm)
    } catch {
        # This VM cannot be read (locked configuration, being removed...): its items fail, the
        # rest of the batch goes on.
        $message = $_.Exception.Message
        foreach ($change in $group.Group) {
            $null = $results.Add([ordered]@{ vm_id = $vmId; guid = ([string]$change.guid).ToUpperInvariant(); outcome = 'error'; message = $message; enabled = $null })
        }
        continue
    }
    foreach ($change in $group.Group) {
        $guid = ([string]$change.guid).ToUpperInvariant()
        $component = $null
        foreach ($c in $components) {
            if ((Get-HvguiServiceGuid $c) -eq $guid) { $component = $c }
        }
        $item = [ordered]@{ vm_id = $vmId; guid = $guid; outcome = ''; message = ''; enabled = $null }
        if ($null -eq $component) {
            $item.outcome = 'service_not_offered'
        } elseif ([bool]$component.Enabled -ne [bool]$change.expected) {
            $item.outcome = 'conflict'
            $item.message = 'Enabled on the host is now ' + [bool]$component.Enabled
        } elseif ([bool]$component.Enabled -eq [bool]$change.enabled) {
            $item.outcome = 'unchanged'
        } else {
            try {
                if ([bool]$change.enabled) {
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
        $null = $results.Add($item)
    }
}

# Read the touched VMs again: the result shows what the host now says.
$guestOs = Get-HvguiGuestOs
$after = @{}
$vmList = @(foreach ($vmId in $touched.Keys) {
    try {
        $vm = Hyper-V\Get-VM -Id $vmId
        $components = @(Hyper-V\Get-VMIntegrationService -VM $vm)
        foreach ($c in $components) { $after[$vmId + '/' + (Get-HvguiServiceGuid $c)] = [bool]$c.Enabled }
        ConvertTo-HvguiVm $vm $components $guestOs
    } catch {
        # Removed between the write and the re-read: its items keep enabled = null.
    }
})
foreach ($item in $results) {
    $key = $item.vm_id + '/' + $item.guid
    if ($after.ContainsKey($key)) { $item.enabled = $after[$key] }
}

Write-HvguiResult ([ordered]@{ op = 'apply'; v = 1; results = @($results); vms = $vmList })
