; Inno Setup script of Piecework (Windows). Built on a Windows CI runner by build.ps1:
;   iscc /DAppVersion=0.1.0 installers\windows\piecework.iss  ->  dist\Piecework-0.1.0-setup.exe
; Installs the PyInstaller folder (dist\piecework) per user by default (no admin rights needed),
; with Start menu and optional desktop shortcuts. Uninstalling never removes user data
; (%LOCALAPPDATA%\piecework: the database, keys and logs).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{5E0D8A7C-2B5F-4C51-9E33-7D1B2C9A4F10}
AppName=Piecework
AppVersion={#AppVersion}
AppPublisher=Piecework
DefaultDirName={autopf}\Piecework
DefaultGroupName=Piecework
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=Piecework-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\piecework.ico
UninstallDisplayIcon={app}\piecework-desktop.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\piecework\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Piecework"; Filename: "{app}\piecework-desktop.exe"
Name: "{autodesktop}\Piecework"; Filename: "{app}\piecework-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\piecework-desktop.exe"; Description: "{cm:LaunchProgram,Piecework}"; Flags: nowait postinstall skipifsilent
