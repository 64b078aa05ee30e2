# hvgui-operation: guest v1
# Inside Windows guests, through PowerShell Direct (Invoke-Command -VMId -Credential), for every VM
# of the request in one command: first the VM's actions in order (Start / Stop / Restart a vmic*
# service, or set its start type), then every vmic* service's status and start type and the
# guest's IntegrationServicesVersion. The guest credentials arrive only inside the request (base64
# JSON over the encrypted WinRM channel) and become a PSCredential here; they never appear in this
# text, in the guest's script block or in the result. Outcomes per VM, in request order: ok,
# host_too_old, vm_not_found, not_running, error (the message is Windows' own words).
param([Parameter(Mandatory = $true)][string]$PayloadB64)
# @include common.ps1
$preflight = Test-HvguiHost
if ($null -ne $preflight) { Write-HvguiPreflight $preflight; return }
$request = Read-HvguiRequest $PayloadB64 'guest'

# Runs inside the guest (Windows PowerShell 5.1). Its only input is the JSON text of the actions,
# used as data; its output is one JSON string, so nothing depends on how objects are serialized.
$inGuest = {
    param([string]$ActionsJson)
    $ErrorActionPreference = 'Stop'
    $done = New-Object System.Collections.ArrayList
    # Windows PowerShell 5.1 writes a JSON array as one object: foreach enumerates it.
    $actions = ConvertFrom-Json -InputObject $ActionsJson
    foreach ($a in $actions) {
        $entry = [ordered]@{ outcome = ''; message = '' }
        $null = $done.Add($entry)
        try {
            $name = [string]$a.service
            if ($name -notmatch '^vmic[a-z]{2,30}$') { throw ('Not a Hyper-V guest service: ' + $name) }
            $svc = Get-Service -Name $name
            $action = [string]$a.action
            if ($action -eq 'start') {
                if ([string]$svc.Status -eq 'Running') {
                    $entry.outcome = 'unchanged'
                } else {
                    Start-Service -Name $name
                    $entry.outcome = 'changed'
                }
            } elseif ($action -eq 'stop') {
                if ([string]$svc.Status -eq 'Stopped') {
                    $entry.outcome = 'unchanged'
                } else {
                    Stop-Service -Name $name -Force
                    $entry.outcome = 'changed'
                }
            } elseif ($action -eq 'restart') {
                Restart-Service -Name $name -Force
                $entry.outcome = 'changed'
            } elseif ($action -eq 'start_type') {
                if ([string]$svc.StartType -eq [string]$a.start_type) {
                    $entry.outcome = 'unchanged'
                } else {
                    Set-Service -Name $name -StartupType ([string]$a.start_type)
                    $entry.outcome = 'changed'
                }
            } else {
                throw ('Unknown action: ' + $action)
            }
            $after = Get-Service -Name $name
            $entry.message = [string]$after.Status + ' (start type: ' + [string]$after.StartType + ')'
        } catch {
            $entry.outcome = 'error'
            $entry.message = $_.Exception.Message
        }
    }
    $services = @(foreach ($s in @(Get-Service -Name 'vmic*')) {
        [ordered]@{ name = [string]$s.Name; display_name = [string]$s.DisplayName; status = [string]$s.Status
                    start_type = [string]$s.StartType }
    })
    $version = $null
    try {
        $key = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Virtual Machine\Auto' -Name 'IntegrationServicesVersion'
        $version = [string]$key.IntegrationServicesVersion
    } catch {
        $version = $null
    }
    ConvertTo-Json -InputObject ([ordered]@{ services = $services; is_version = $version; actions = @($done) }) -Depth 4 -Compress
}

$hostTooOld = $PSVersionTable.PSVersion.Major -lt 5
$results = New-Object System.Collections.ArrayList
foreach ($entry in @($request.vms)) {
    $vmId = ([string]$entry.vm_id).ToLowerInvariant()
    $item = [ordered]@{ vm_id = $vmId; outcome = ''; message = ''; services = @(); is_version = $null; actions = @() }
    $null = $results.Add($item)
    if ($hostTooOld) {
        $item.outcome = 'host_too_old'
        $item.message = 'this host has Windows PowerShell ' + [string]$PSVersionTable.PSVersion + ', without PowerShell Direct'
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
        $secret = ConvertTo-SecureString -String ([string]$entry.password) -AsPlainText -Force
        $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ([string]$entry.user), $secret
        $actionsJson = ConvertTo-Json -InputObject @($entry.actions) -Compress
        $answer = Invoke-Command -VMId $vm.Id -Credential $credential -ScriptBlock $inGuest -ArgumentList $actionsJson
        $guest = ConvertFrom-Json -InputObject ([string]$answer)
        $item.outcome = 'ok'
        $item.services = @($guest.services)
        $item.is_version = $guest.is_version
        $item.actions = @($guest.actions)
    } catch {
        $item.message = $_.Exception.Message
        $item.outcome = 'error'
        $now = Hyper-V\Get-VM -Id $vmId
        if ($now.State.ToString() -ne 'Running') { $item.outcome = 'not_running' }
    }
}

Write-HvguiResult ([ordered]@{ op = 'guest'; v = 1; results = @($results) })
