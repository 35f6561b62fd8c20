; Inno Setup script around the PyInstaller folder (dist\tandem): a per-user install with no
; admin rights, a Start-menu entry and an uninstaller. Built by the release workflow:
;   iscc /DAppVersion=0.1.0 /DBackend=cpu packaging\windows\tandem.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Backend
  #define Backend "cpu"
#endif

[Setup]
AppId={{7B0C7E52-3F0A-4C1E-9D7A-5A1E2C9D4F10}
AppName=Tandem
AppVersion={#AppVersion}
AppPublisher=The Tandem developers
DefaultDirName={localappdata}\Programs\Tandem
DefaultGroupName=Tandem
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=Tandem-{#AppVersion}-windows-x64-{#Backend}-setup
SetupIconFile=..\..\resources\icons\tandem.ico
UninstallDisplayIcon={app}\tandem.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\tandem\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Tandem"; Filename: "{app}\tandem.exe"
Name: "{group}\Uninstall Tandem"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Tandem"; Filename: "{app}\tandem.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\tandem.exe"; Description: "Start Tandem"; Flags: nowait postinstall skipifsilent
