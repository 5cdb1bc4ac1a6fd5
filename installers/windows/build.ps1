# Windows CI: builds the frozen app (PyInstaller), the Inno Setup installer, installs it silently
# for the current user and smoke-tests the installed piecework.exe.
#   pwsh installers\windows\build.ps1 [-SkipSmokeTest]
# Needs Python 3.11+ and Inno Setup 6 (preinstalled on GitHub's windows images; else
# `choco install innosetup`).
param([switch]$SkipSmokeTest)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv)) { python -m venv .venv }
.\.venv\Scripts\python -m pip install --quiet --upgrade pip
.\.venv\Scripts\python -m pip install --quiet -e ".[package]"
.\.venv\Scripts\pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\piecework.spec
if ($LASTEXITCODE -ne 0) { throw "pyinstaller failed" }

$version = (& dist\piecework\piecework.exe --version).Split(" ")[1]
$iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" installers\windows\piecework.iss
if ($LASTEXITCODE -ne 0) { throw "iscc failed" }
$setup = "dist\Piecework-$version-setup.exe"
Write-Host "built $setup ($([math]::Round((Get-Item $setup).Length / 1MB)) MB)"

if ($SkipSmokeTest) { exit 0 }
$target = Join-Path $env:RUNNER_TEMP "Piecework"
if (-not $env:RUNNER_TEMP) { $target = Join-Path $env:TEMP "Piecework" }
$install = Start-Process -FilePath $setup -Wait -PassThru -ArgumentList @(
    "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER", "/DIR=$target")
if ($install.ExitCode -ne 0) { throw "setup failed with $($install.ExitCode)" }
.\.venv\Scripts\python installers\smoke_test.py --binary "$target\piecework.exe"
if ($LASTEXITCODE -ne 0) { throw "smoke test failed" }
$uninstall = Start-Process -FilePath "$target\unins000.exe" -Wait -PassThru -ArgumentList @("/VERYSILENT", "/SUPPRESSMSGBOXES")
if ($uninstall.ExitCode -ne 0) { throw "uninstall failed with $($uninstall.ExitCode)" }
