# SPDX-License-Identifier: GPL-3.0-or-later
# CPack NSIS settings for the Windows installer, included from cmake/Packaging.cmake.
#
# Layout: %ProgramFiles%\postfix-rest-connector\bin\*.exe (+ Qt DLLs and plugins from windeployqt),
# the configuration in %ProgramData%\postfix-rest-connector\config.json (created from the sample on the
# first installation, kept on uninstallation), a Windows service "postfix-rest-connector" running as
# LocalService with a service SID of its own, an Event Log source, and a Start-menu entry for the admin GUI.
#
# The NSIS snippets are bracket arguments and CPACK_VERBATIM_VARIABLES is ON, so they reach the .nsi
# file exactly as written here ($, quotes and backslashes included).

set(CPACK_NSIS_PACKAGE_NAME "Postfix REST Connector")
set(CPACK_NSIS_DISPLAY_NAME "Postfix REST Connector ${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "postfix-rest-connector")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_MODIFY_PATH OFF)
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
set(CPACK_NSIS_UNINSTALL_NAME "Uninstall")
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_HELP_LINK "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "${PRC_PACKAGE_MAINTAINER}")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
if(PRC_PACKAGE_ADMIN)
    set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\postfix-rest-connector-admin.exe")
else()
    set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\postfix-rest-connector.exe")
endif()

# Start-menu entry for the GUI, only if its component was selected.
set(CPACK_NSIS_CREATE_ICONS_EXTRA [=[
  IfFileExists "$INSTDIR\bin\postfix-rest-connector-admin.exe" 0 prc_no_admin_shortcut
    CreateShortCut "$SMPROGRAMS\$STARTMENU_FOLDER\Postfix REST Connector Admin.lnk" "$INSTDIR\bin\postfix-rest-connector-admin.exe"
  prc_no_admin_shortcut:
]=])
set(CPACK_NSIS_DELETE_ICONS_EXTRA [=[
  Delete "$SMPROGRAMS\$MUI_TEMP\Postfix REST Connector Admin.lnk"
]=])

# Upgrades install over the previous version instead of running its uninstaller first: that uninstaller deletes
# the service, and "sc create" right after fails with error 1072 while the old one is still marked for deletion.
# Installing over it keeps the registration and what the admin set on it (log-on account, recovery, ACLs).
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL OFF)

# Before the files are copied: a running service keeps its executable and the Qt DLLs locked.
set(CPACK_NSIS_EXTRA_PREINSTALL_COMMANDS [=[
  nsExec::ExecToLog 'sc.exe query postfix-rest-connector'
  Pop $R1
  StrCmp $R1 "0" 0 prc_no_running_service
    DetailPrint "Stopping the running postfix-rest-connector service for the upgrade"
    nsExec::ExecToLog 'net.exe stop postfix-rest-connector'
    Pop $R1
  prc_no_running_service:
]=])

# Runs after all component sections: the files are in place. Every sc.exe and icacls call is checked: a failure is
# printed in the details, collected in $R8 and shown in one message at the end (silent installations: the exit
# code is 3 and the details log has the lines).
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  !macro PRC_RUN description command
    nsExec::ExecToLog '${command}'
    Pop $R1
    StrCmp $R1 "0" +4
      DetailPrint "postfix-rest-connector: ${description} failed (exit code $R1)"
      IntOp $R9 $R9 + 1
      StrCpy $R8 "$R8$\r$\n- ${description} (exit code $R1)"
  !macroend
  StrCpy $R9 0
  StrCpy $R8 ""

  ; Configuration: never overwrite an existing one.
  ReadEnvStr $R0 "PROGRAMDATA"
  CreateDirectory "$R0\postfix-rest-connector"
  CreateDirectory "$R0\postfix-rest-connector\log"
  StrCpy $R7 "upgrade"
  IfFileExists "$R0\postfix-rest-connector\config.json" prc_config_done
    StrCpy $R7 "new"
    CopyFiles /SILENT "$INSTDIR\share\postfix-rest-connector\config.sample.json" "$R0\postfix-rest-connector\config.json"
  prc_config_done:

  ; The Windows service (only when the service component is installed).
  IfFileExists "$INSTDIR\bin\postfix-rest-connector.exe" 0 prc_service_done
    nsExec::ExecToLog 'sc.exe query postfix-rest-connector'
    Pop $R1
    StrCmp $R1 "0" prc_service_update
      !insertmacro PRC_RUN "registering the service" 'sc.exe create postfix-rest-connector binPath= "\"$INSTDIR\bin\postfix-rest-connector.exe\" \"$R0\postfix-rest-connector\config.json\"" start= auto obj= "NT AUTHORITY\LocalService" password= "" DisplayName= "Postfix REST Connector"'
      ; Restart after a failure: 5 s, 5 s, then every minute; the count resets after a day without failure.
      !insertmacro PRC_RUN "setting the recovery actions" 'sc.exe failure postfix-rest-connector reset= 86400 actions= restart/5000/restart/5000/restart/60000'
      Goto prc_service_registered
    prc_service_update:
      ; An upgrade: only the program path may have changed; account, start type and recovery stay as they are.
      !insertmacro PRC_RUN "updating the service's program path" 'sc.exe config postfix-rest-connector binPath= "\"$INSTDIR\bin\postfix-rest-connector.exe\" \"$R0\postfix-rest-connector\config.json\""'
    prc_service_registered:
    !insertmacro PRC_RUN "setting the description" 'sc.exe description postfix-rest-connector "Postfix lookup table and policy service backed by a REST API"'
    ; The wrapper reports a failed start or run as SERVICE_STOPPED with a service-specific error: Windows runs the
    ; recovery actions for that only with the failure-actions flag.
    !insertmacro PRC_RUN "enabling recovery after errors (failureflag)" 'sc.exe failureflag postfix-rest-connector 1'
    ; A service SID of its own (NT SERVICE\postfix-rest-connector) in the process token: the ACLs below name it,
    ; so no other LocalService service can read the auth tokens.
    !insertmacro PRC_RUN "giving the service its own SID (sidtype unrestricted)" 'sc.exe sidtype postfix-rest-connector unrestricted'

    ; The configuration may hold auth tokens: SYSTEM and Administrators may write, the service reads, nobody else.
    StrCmp $R7 "new" 0 prc_acl_upgrade
      !insertmacro PRC_RUN "restricting access to the configuration folder" 'icacls "$R0\postfix-rest-connector" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F "NT SERVICE\postfix-rest-connector:(OI)(CI)RX" /T /Q'
      Goto prc_acl_log
    prc_acl_upgrade:
      ; An upgrade keeps the admin's ACL; it only replaces the grant to every LocalService service that earlier
      ; versions made by the grant to this service alone.
      !insertmacro PRC_RUN "granting the service read access to its configuration" 'icacls "$R0\postfix-rest-connector" /grant "NT SERVICE\postfix-rest-connector:(OI)(CI)RX" /T /Q'
      !insertmacro PRC_RUN "removing LocalService's access to the configuration" 'icacls "$R0\postfix-rest-connector" /remove:g *S-1-5-19 /T /Q'
    prc_acl_log:
    ; The service writes its log there.
    !insertmacro PRC_RUN "granting the service write access to its log folder" 'icacls "$R0\postfix-rest-connector\log" /grant "NT SERVICE\postfix-rest-connector:(OI)(CI)M" /T /Q'

    ; The Event Log source: a message file that prints each event's text as it is ("%1").
    WriteRegExpandStr HKLM "SYSTEM\CurrentControlSet\Services\EventLog\Application\postfix-rest-connector" "EventMessageFile" "%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll"
    WriteRegDWORD HKLM "SYSTEM\CurrentControlSet\Services\EventLog\Application\postfix-rest-connector" "TypesSupported" 7

    IntCmp $R9 0 0 prc_service_done prc_service_done
      !insertmacro PRC_RUN "starting the service" 'sc.exe start postfix-rest-connector'
  prc_service_done:

  IntCmp $R9 0 prc_setup_ok
    MessageBox MB_OK|MB_ICONEXCLAMATION "Parts of the service setup failed:$R8$\r$\n$\r$\nThe program files are installed; see the installation details, fix the cause and install again." /SD IDOK
    SetErrorLevel 3
  prc_setup_ok:
]=])

# Runs before the files are removed, on uninstallation only (upgrades do not run the old uninstaller). "net stop"
# waits until the service has drained and stopped.
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  nsExec::ExecToLog 'net.exe stop postfix-rest-connector'
  Pop $R1
  nsExec::ExecToLog 'sc.exe delete postfix-rest-connector'
  Pop $R1
  StrCmp $R1 "0" prc_service_deleted
    DetailPrint "postfix-rest-connector: deleting the service failed (exit code $R1)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "The Windows service postfix-rest-connector could not be deleted (sc.exe exit code $R1). Delete it with: sc.exe delete postfix-rest-connector" /SD IDOK
  prc_service_deleted:
  DeleteRegKey HKLM "SYSTEM\CurrentControlSet\Services\EventLog\Application\postfix-rest-connector"
]=])
