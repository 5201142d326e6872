# SPDX-License-Identifier: GPL-3.0-or-later
# CPack NSIS settings for the Windows installer, included from cmake/Packaging.cmake.
#
# Layout: %ProgramFiles%\postfix-rest-connector\bin\*.exe (+ Qt DLLs and plugins from windeployqt),
# the configuration in %ProgramData%\postfix-rest-connector\config.json (created from the sample on the
# first installation, kept on uninstallation), a Windows service "postfix-rest-connector" running as
# LocalService, and a Start-menu entry for the admin GUI.
#
# The NSIS snippets are bracket arguments and CPACK_VERBATIM_VARIABLES is ON, so they reach the .nsi
# file exactly as written here ($, quotes and backslashes included).

set(CPACK_NSIS_PACKAGE_NAME "Postfix REST Connector")
set(CPACK_NSIS_DISPLAY_NAME "Postfix REST Connector ${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "postfix-rest-connector")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
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

# Runs after all component sections: the files are in place.
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  ; Configuration: never overwrite an existing one.
  ReadEnvStr $R0 "PROGRAMDATA"
  CreateDirectory "$R0\postfix-rest-connector"
  IfFileExists "$R0\postfix-rest-connector\config.json" prc_config_done
    CopyFiles /SILENT "$INSTDIR\share\postfix-rest-connector\config.sample.json" "$R0\postfix-rest-connector\config.json"
  prc_config_done:
  CreateDirectory "$R0\postfix-rest-connector\log"
  ; The configuration may hold auth tokens: SYSTEM and Administrators may write, LocalService may read, nobody else.
  nsExec::ExecToLog 'icacls "$R0\postfix-rest-connector" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-19:(OI)(CI)RX /T /Q'
  Pop $R1
  ; The service (LocalService) writes its log there.
  nsExec::ExecToLog 'icacls "$R0\postfix-rest-connector\log" /grant:r *S-1-5-19:(OI)(CI)M /T /Q'
  Pop $R1

  ; The Windows service (only when the service component is installed).
  IfFileExists "$INSTDIR\bin\postfix-rest-connector.exe" 0 prc_service_done
    nsExec::ExecToLog 'sc.exe create postfix-rest-connector binPath= "\"$INSTDIR\bin\postfix-rest-connector.exe\" \"$R0\postfix-rest-connector\config.json\"" start= auto obj= "NT AUTHORITY\LocalService" password= "" DisplayName= "Postfix REST Connector"'
    Pop $R1
    ; "create" fails if the service survived an earlier installation: point it at this one.
    nsExec::ExecToLog 'sc.exe config postfix-rest-connector binPath= "\"$INSTDIR\bin\postfix-rest-connector.exe\" \"$R0\postfix-rest-connector\config.json\"" start= auto obj= "NT AUTHORITY\LocalService" password= ""'
    Pop $R1
    nsExec::ExecToLog 'sc.exe description postfix-rest-connector "Postfix lookup table and policy service backed by a REST API"'
    Pop $R1
    nsExec::ExecToLog 'sc.exe failure postfix-rest-connector reset= 86400 actions= restart/5000/restart/5000/restart/60000'
    Pop $R1
    nsExec::ExecToLog 'sc.exe start postfix-rest-connector'
    Pop $R1
  prc_service_done:
]=])

# Runs before the files are removed. "net stop" waits until the service has drained and stopped.
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  nsExec::ExecToLog 'net.exe stop postfix-rest-connector'
  Pop $R1
  nsExec::ExecToLog 'sc.exe delete postfix-rest-connector'
  Pop $R1
]=])
