<#
.SYNOPSIS
    Build hvgui for Windows in one command: the PyInstaller one-folder build, then the MSI.

.DESCRIPTION
    From a checkout, on Windows with Python 3.11+ and the .NET SDK (for the WiX Toolset):

        powershell -ExecutionPolicy Bypass -File installer\build.ps1

    1. a virtual environment (.venv-build) with hvgui and PyInstaller (pip install -e '.[build]');
    2. dist\hvgui\hvgui.exe (installer\hvgui.spec: one folder, windowed), then its
       `hvgui.exe --self-test` (the demo end to end, offscreen);
    3. the WiX Toolset v5 (`dotnet tool install --global wix`) if `wix` is missing;
    4. dist\hvgui-<version>-x64.msi (installer\hvgui.wxs), the version taken from the package.

    Install it silently with:  msiexec /i dist\hvgui-<version>-x64.msi /qn /l*v install.log
#>
[CmdletBinding()]
param(
    [string]$Python = 'py',
    [string]$WixVersion = '5.0.2',
    [switch]$SkipSelfTest
)

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Set-Location $root

function Invoke-Checked {
    param([string]$What, [scriptblock]$Command)
    Write-Host "== $What"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

$venvPython = Join-Path $root '.venv-build\Scripts\python.exe'
if (-not (Test-Path $venvPython)) {
    if ($Python -eq 'py') {
        Invoke-Checked 'virtual environment' { & py -3 -m venv .venv-build }
    } else {
        Invoke-Checked 'virtual environment' { & $Python -m venv .venv-build }
    }
}
Invoke-Checked 'pip install hvgui[build]' { & $venvPython -m pip install --quiet --upgrade pip }
Invoke-Checked 'pip install hvgui[build]' { & $venvPython -m pip install --quiet -e '.[build]' }

$version = (& $venvPython -c 'import hvgui; print(hvgui.__version__)').Trim()
if ($LASTEXITCODE -ne 0 -or -not $version) { throw 'cannot read hvgui.__version__' }
Write-Host "hvgui $version"

if (Test-Path 'dist\hvgui') { Remove-Item -Recurse -Force 'dist\hvgui' }
$watch = [System.Diagnostics.Stopwatch]::StartNew()
Invoke-Checked 'PyInstaller (installer\hvgui.spec)' {
    & $venvPython -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller installer\hvgui.spec
}
Write-Host ("bundle built in {0:n0} s" -f $watch.Elapsed.TotalSeconds)

if (-not $SkipSelfTest) {
    # A windowed executable has no console: its report goes to a file, its verdict to the exit code.
    $report = Join-Path $env:TEMP 'hvgui-self-test.txt'
    $env:QT_QPA_PLATFORM = 'offscreen'
    $proc = Start-Process -FilePath 'dist\hvgui\hvgui.exe' -ArgumentList @('--self-test', '--self-test-report', $report) -Wait -PassThru
    Remove-Item Env:\QT_QPA_PLATFORM
    if (Test-Path $report) { Get-Content $report | Write-Host }
    if ($proc.ExitCode -ne 0) { throw "frozen hvgui --self-test failed (exit code $($proc.ExitCode))" }
}

if (-not (Get-Command wix -ErrorAction SilentlyContinue)) {
    Invoke-Checked "WiX Toolset $WixVersion" { & dotnet tool install --global wix --version $WixVersion }
    $env:PATH = "$env:PATH;$(Join-Path $env:USERPROFILE '.dotnet\tools')"
}

$msi = "dist\hvgui-$version-x64.msi"
Invoke-Checked 'WiX (installer\hvgui.wxs)' {
    & wix build installer\hvgui.wxs -arch x64 -d "Version=$version" -d 'IconFile=resources\hvgui.ico' `
        -bindpath 'App=dist\hvgui' -o $msi
}
Write-Host ("{0}: {1:n1} MB" -f $msi, ((Get-Item $msi).Length / 1048576))
