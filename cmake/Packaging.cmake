# SPDX-License-Identifier: GPL-3.0-or-later
# Install rules and CPack configuration: Debian packages (+ tar.gz, + RPM when rpmbuild exists) on Linux,
# an NSIS installer (+ zip) on Windows. Included once, at the end of the top-level CMakeLists.txt, so that
# every target (service, optional admin GUI) exists by now.
#
# Components: "service" (the daemon, its configuration, systemd unit, man page) and "admin" (the GUI,
# only when the target postfix-rest-connector-admin is built). Each becomes its own .deb / .rpm.

include(GNUInstallDirs)

set(PRC_SOURCE_INSTALLER_DIR "${PROJECT_SOURCE_DIR}/installer")
set(PRC_PACKAGING_DIR "${PROJECT_BINARY_DIR}/packaging")

set(PRC_SERVICE_USER "postfix-rest-connector" CACHE STRING "System user the service runs as (Linux packages)")
set(PRC_PACKAGE_MAINTAINER "postfix-rest-connector maintainers <maintainers@postfix-rest-connector.org>"
    CACHE STRING "Maintainer field of the Linux packages")
set(PRC_PACKAGE_RELEASE "1" CACHE STRING "Package revision appended to the version (Debian revision, RPM release)")

set(PRC_DEB_PACKAGE "postfix-rest-connector")
set(PRC_DEB_ADMIN_PACKAGE "postfix-rest-connector-admin")
set(PRC_DEB_VERSION "${PROJECT_VERSION}-${PRC_PACKAGE_RELEASE}")

if(TARGET postfix-rest-connector-admin)
    set(PRC_PACKAGE_ADMIN ON)
else()
    set(PRC_PACKAGE_ADMIN OFF)
    message(STATUS "Packaging: target postfix-rest-connector-admin not built; no admin package")
endif()

# Reproducible dates: string(TIMESTAMP) honours SOURCE_DATE_EPOCH. Without it, the time of the last commit stands
# in, so two builds of one commit produce the same changelog and man pages (not the time of configuring).
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
    find_package(Git QUIET)
    if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
        execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${PROJECT_SOURCE_DIR}" log -1 --format=%ct
            OUTPUT_VARIABLE prc_commit_time OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE prc_git_rc)
        if(prc_git_rc EQUAL 0 AND prc_commit_time MATCHES "^[0-9]+$")
            set(ENV{SOURCE_DATE_EPOCH} "${prc_commit_time}")
        endif()
    endif()
    if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
        message(WARNING "Packaging: neither SOURCE_DATE_EPOCH nor a git checkout; the changelog date is today's")
    endif()
endif()
string(TIMESTAMP PRC_MANPAGE_DATE "%Y-%m-%d" UTC)
string(TIMESTAMP PRC_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)

# gzip -9n as Debian policy wants for man pages and changelogs (no name, no timestamp in the header).
find_program(PRC_GZIP gzip)
function(prc_gzip input output)
    if(NOT PRC_GZIP)
        message(FATAL_ERROR "Packaging: gzip not found")
    endif()
    execute_process(COMMAND "${PRC_GZIP}" -9nc "${input}" OUTPUT_FILE "${output}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "Packaging: gzip ${input} failed: ${rc}")
    endif()
endfunction()

# The Windows layout can be selected on Linux too, to generate and check the NSIS script with makensis.
option(PRC_PACKAGING_WINDOWS_LAYOUT "Install with the Windows layout and configure the NSIS installer" ${WIN32})

if(PRC_PACKAGING_WINDOWS_LAYOUT)
    # --- Windows ----------------------------------------------------------------------------------

    install(TARGETS postfix-rest-connector RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT service)
    install(FILES "${PRC_SOURCE_INSTALLER_DIR}/linux/config.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/postfix-rest-connector"
        RENAME config.sample.json
        COMPONENT service)
    install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT service)

    if(PRC_PACKAGE_ADMIN)
        install(TARGETS postfix-rest-connector-admin RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT admin)
        # A GUI program: no console window when started from the Start menu.
        set_target_properties(postfix-rest-connector-admin PROPERTIES WIN32_EXECUTABLE ON)
    endif()

    # windeployqt through Qt's deploy support: Qt DLLs, plugins (TLS backends, platform plugin) and qt.conf next to
    # the executables, deployed ONCE, for both executables, as part of the service component (always installed).
    # Two deployments, one per component, would put the same DLLs into both components, and removing the admin
    # component would delete them from under the service. The admin executable is read from the build tree: the
    # service component's staging directory does not contain it. Qt 6.4 implements this for Windows and macOS only;
    # the script is generated with the Windows layout on Linux too, so that tests/package/windows-check.sh can read it.
    if(QT_DEPLOY_SUPPORT)
        set(prc_deploy_executables "")
        if(PRC_PACKAGE_ADMIN)
            set(prc_deploy_executables "ADDITIONAL_EXECUTABLES \"$<TARGET_FILE:postfix-rest-connector-admin>\"")
        endif()
        set(prc_deploy_script "${CMAKE_CURRENT_BINARY_DIR}/prc-deploy-qt-$<CONFIG>.cmake")
        file(GENERATE OUTPUT "${prc_deploy_script}" CONTENT "
include(\"${QT_DEPLOY_SUPPORT}\")
qt_deploy_runtime_dependencies(
    EXECUTABLE \"\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:postfix-rest-connector>\"
    ${prc_deploy_executables}
    GENERATE_QT_CONF)
")
        if(WIN32)
            install(SCRIPT "${prc_deploy_script}" COMPONENT service)
        endif()
    endif()

    # MSVC runtime DLLs next to the executables (no separate vc_redist run needed).
    set(CMAKE_INSTALL_SYSTEM_RUNTIME_COMPONENT service)
    set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION "${CMAKE_INSTALL_BINDIR}")
    include(InstallRequiredSystemLibraries)

elseif(UNIX AND NOT APPLE)
    # --- Linux ------------------------------------------------------------------------------------
    set(PRC_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/postfix-rest-connector")
    set(PRC_CONFIG_FILE "${PRC_CONFIG_DIR}/config.json")
    # The pristine example: the unit refuses to start while the configuration is still identical to it.
    set(PRC_EXAMPLE_CONFIG_FILE "${CMAKE_INSTALL_FULL_DATADIR}/postfix-rest-connector/config.example.json")

    # Debian 12 keeps units in /lib/systemd/system (systemd.pc says so); other prefixes stay inside the prefix.
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
        find_package(PkgConfig QUIET)
        if(PkgConfig_FOUND)
            pkg_get_variable(prc_systemd_unit_dir systemd systemdsystemunitdir)
            pkg_get_variable(prc_sysusers_dir systemd sysusersdir)
        endif()
    endif()
    if(NOT prc_systemd_unit_dir)
        set(prc_systemd_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    endif()
    if(NOT prc_sysusers_dir)
        set(prc_sysusers_dir "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
    endif()
    set(PRC_SYSTEMD_UNIT_DIR "${prc_systemd_unit_dir}" CACHE PATH "Where the systemd unit is installed")
    set(PRC_SYSUSERS_DIR "${prc_sysusers_dir}" CACHE PATH "Where the sysusers.d file is installed")

    set(linux "${PRC_SOURCE_INSTALLER_DIR}/linux")
    configure_file("${linux}/postfix-rest-connector.service.in"
        "${PRC_PACKAGING_DIR}/postfix-rest-connector.service" @ONLY)
    configure_file("${linux}/postfix-rest-connector.sysusers.in"
        "${PRC_PACKAGING_DIR}/sysusers/postfix-rest-connector.conf" @ONLY)
    configure_file("${linux}/postfix-rest-connector.8.in" "${PRC_PACKAGING_DIR}/man/postfix-rest-connector.8" @ONLY)
    prc_gzip("${PRC_PACKAGING_DIR}/man/postfix-rest-connector.8" "${PRC_PACKAGING_DIR}/man/postfix-rest-connector.8.gz")

    set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PRC_PACKAGE_MAINTAINER}")
    set(PRC_DEB_PACKAGE_FOR_CHANGELOG "${PRC_DEB_PACKAGE}")
    foreach(pkg IN ITEMS ${PRC_DEB_PACKAGE} ${PRC_DEB_ADMIN_PACKAGE})
        set(PRC_DEB_PACKAGE "${pkg}")
        configure_file("${linux}/changelog.Debian.in" "${PRC_PACKAGING_DIR}/doc/${pkg}/changelog.Debian" @ONLY)
        prc_gzip("${PRC_PACKAGING_DIR}/doc/${pkg}/changelog.Debian"
            "${PRC_PACKAGING_DIR}/doc/${pkg}/changelog.Debian.gz")
    endforeach()
    set(PRC_DEB_PACKAGE "${PRC_DEB_PACKAGE_FOR_CHANGELOG}")
    foreach(pkg IN ITEMS ${PRC_DEB_PACKAGE} ${PRC_DEB_ADMIN_PACKAGE})
        set(PRC_LINTIAN_PACKAGE "${pkg}")
        configure_file("${linux}/lintian/overrides.in" "${PRC_PACKAGING_DIR}/lintian/${pkg}" @ONLY)
    endforeach()

    # Debian control files; CPack does not mark /etc files as conffiles by itself.
    foreach(script IN ITEMS postinst prerm postrm conffiles)
        configure_file("${linux}/debian/${script}.in" "${PRC_PACKAGING_DIR}/debian/${script}" @ONLY)
    endforeach()

    # Qt's project setup gives executables an $ORIGIN run path for relocatable installs; the packages link the
    # system's Qt from the default library path and need none (rpmlint rejects it, lintian notes it).
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
        set_target_properties(postfix-rest-connector PROPERTIES INSTALL_RPATH "")
        if(PRC_PACKAGE_ADMIN)
            set_target_properties(postfix-rest-connector-admin PROPERTIES INSTALL_RPATH "")
        endif()
    endif()
    install(TARGETS postfix-rest-connector RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT service)
    install(FILES "${linux}/config.json" DESTINATION "${PRC_CONFIG_DIR}" COMPONENT service)
    install(FILES "${linux}/config.json" DESTINATION "${CMAKE_INSTALL_DATADIR}/postfix-rest-connector"
        RENAME config.example.json COMPONENT service)
    install(FILES "${PRC_PACKAGING_DIR}/postfix-rest-connector.service"
        DESTINATION "${PRC_SYSTEMD_UNIT_DIR}" COMPONENT service)
    install(FILES "${PRC_PACKAGING_DIR}/sysusers/postfix-rest-connector.conf"
        DESTINATION "${PRC_SYSUSERS_DIR}" COMPONENT service)
    install(FILES "${PRC_PACKAGING_DIR}/man/postfix-rest-connector.8.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8" COMPONENT service)
    install(FILES "${linux}/copyright" "${PRC_PACKAGING_DIR}/doc/${PRC_DEB_PACKAGE}/changelog.Debian.gz"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${PRC_DEB_PACKAGE}" COMPONENT service)
    install(FILES "${PRC_PACKAGING_DIR}/lintian/${PRC_DEB_PACKAGE}"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" COMPONENT service)

    if(PRC_PACKAGE_ADMIN)
        configure_file("${linux}/postfix-rest-connector-admin.1.in"
            "${PRC_PACKAGING_DIR}/man/postfix-rest-connector-admin.1" @ONLY)
        prc_gzip("${PRC_PACKAGING_DIR}/man/postfix-rest-connector-admin.1"
            "${PRC_PACKAGING_DIR}/man/postfix-rest-connector-admin.1.gz")
        install(TARGETS postfix-rest-connector-admin RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT admin)
        install(FILES "${linux}/postfix-rest-connector-admin.desktop"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/applications" COMPONENT admin)
        install(FILES "${PRC_PACKAGING_DIR}/man/postfix-rest-connector-admin.1.gz"
            DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT admin)
        install(FILES "${linux}/copyright" "${PRC_PACKAGING_DIR}/doc/${PRC_DEB_ADMIN_PACKAGE}/changelog.Debian.gz"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${PRC_DEB_ADMIN_PACKAGE}" COMPONENT admin)
        install(FILES "${PRC_PACKAGING_DIR}/lintian/${PRC_DEB_ADMIN_PACKAGE}"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" COMPONENT admin)
    endif()
endif()

# --- CPack --------------------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "postfix-rest-connector")
set(CPACK_PACKAGE_VENDOR "postfix-rest-connector")
set(CPACK_PACKAGE_CONTACT "${PRC_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "postfix-rest-connector")
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/")
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Per-generator tweaks (grouping for archives, summary for .deb) happen at cpack time.
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/cmake/PackagingProjectConfig.cmake")
if(NOT PRC_PACKAGING_WINDOWS_LAYOUT)
    # The Linux layout has absolute destinations (/etc, /lib/systemd). Without DESTDIR an archive generator
    # would write those files into the real root file system of the machine running cpack.
    set(CPACK_SET_DESTDIR ON)
endif()

set(CPACK_COMPONENTS_ALL service)
if(PRC_PACKAGE_ADMIN)
    list(APPEND CPACK_COMPONENTS_ALL admin)
endif()

set(CPACK_COMPONENT_SERVICE_DISPLAY_NAME "Service")
set(CPACK_COMPONENT_SERVICE_REQUIRED ON)
set(CPACK_COMPONENT_SERVICE_DESCRIPTION
    "The postfix-rest-connector service: Postfix lookup tables and policy service answered by a REST backend.")
set(CPACK_DEBIAN_SERVICE_DESCRIPTION
    "Postfix lookup table and policy service backed by a REST API
postfix-rest-connector is a TCP server that Postfix queries as a tcp_table(5)
or socketmap_table(5) lookup table, or as an SMTPD policy service. It answers
each query by calling an HTTP or HTTPS REST backend, so mail routing data can
live in any application that offers a small JSON API.
.
This package contains the daemon, a systemd unit running it as a dedicated
system user, and an example configuration listening on 127.0.0.1 only; the
service starts once the example has been edited.")
set(CPACK_COMPONENT_ADMIN_DISPLAY_NAME "Admin GUI")
set(CPACK_COMPONENT_ADMIN_DESCRIPTION
    "postfix-rest-connector-admin: edit and validate the configuration, send test queries.")
set(CPACK_DEBIAN_ADMIN_DESCRIPTION
    "graphical configuration tool for postfix-rest-connector
postfix-rest-connector is a TCP server that Postfix queries as a lookup table
or policy service, answering each query from an HTTP REST backend.
.
This package contains postfix-rest-connector-admin, a Qt application to edit
and validate the configuration and to send test queries to a running endpoint
the way Postfix does.")

# Generators for a plain "cpack"; -DCPACK_GENERATOR=... or "cpack -G" choose others.
if(PRC_PACKAGING_WINDOWS_LAYOUT)
    if(NOT CPACK_GENERATOR)
        set(CPACK_GENERATOR "NSIS64;ZIP")
    endif()
    include("${PRC_SOURCE_INSTALLER_DIR}/windows/NsisConfig.cmake")
elseif(NOT CPACK_GENERATOR)
    set(CPACK_GENERATOR "DEB;TGZ")
    find_program(PRC_RPMBUILD rpmbuild)
    if(PRC_RPMBUILD)
        list(APPEND CPACK_GENERATOR RPM)
    endif()
endif()

# .deb
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${PRC_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PRC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_SERVICE_PACKAGE_NAME "${PRC_DEB_PACKAGE}")
set(CPACK_DEBIAN_SERVICE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVICE_PACKAGE_SUGGESTS "postfix")
set(CPACK_DEBIAN_SERVICE_PACKAGE_CONTROL_EXTRA
    "${PRC_PACKAGING_DIR}/debian/conffiles"
    "${PRC_PACKAGING_DIR}/debian/postinst"
    "${PRC_PACKAGING_DIR}/debian/prerm"
    "${PRC_PACKAGING_DIR}/debian/postrm")
set(CPACK_DEBIAN_ADMIN_PACKAGE_NAME "${PRC_DEB_ADMIN_PACKAGE}")
set(CPACK_DEBIAN_ADMIN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_ADMIN_PACKAGE_RECOMMENDS "${PRC_DEB_PACKAGE}")

# .tar.gz: one archive with every packaged component.
set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)

# .rpm (built when rpmbuild is installed; not tested on an RPM distribution)
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE "${PRC_PACKAGE_RELEASE}")
set(CPACK_RPM_PACKAGE_LICENSE "GPL-3.0-or-later")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_RELOCATABLE OFF)
# %packager fills the Packager tag.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none
%define packager ${PRC_PACKAGE_MAINTAINER}")
set(CPACK_RPM_SERVICE_PACKAGE_REQUIRES_PRE "shadow-utils")
# cmp: the unit and %post compare the configuration with the shipped example.
set(CPACK_RPM_SERVICE_PACKAGE_REQUIRES "diffutils")
set(CPACK_RPM_SERVICE_PACKAGE_NAME "${PRC_DEB_PACKAGE}")
set(CPACK_RPM_SERVICE_PACKAGE_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RPM_ADMIN_PACKAGE_NAME "${PRC_DEB_ADMIN_PACKAGE}")
set(CPACK_RPM_ADMIN_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_ADMIN_PACKAGE_SUMMARY "Graphical configuration tool for postfix-rest-connector")
# The Debian descriptions without their synopsis line (the RPM Summary) and Debian's "." paragraph marks.
foreach(component IN ITEMS SERVICE ADMIN)
    # (string(FIND)/SUBSTRING: a "^" in REGEX REPLACE would match again after each replacement.)
    string(FIND "${CPACK_DEBIAN_${component}_DESCRIPTION}" "\n" prc_newline)
    math(EXPR prc_newline "${prc_newline} + 1")
    string(SUBSTRING "${CPACK_DEBIAN_${component}_DESCRIPTION}" ${prc_newline} -1 prc_description)
    string(REPLACE "\n.\n" "\n\n" prc_description "${prc_description}")
    set(CPACK_RPM_${component}_PACKAGE_DESCRIPTION "${prc_description}")
endforeach()
# The Debian changelog and lintian overrides are installed for the .deb only; the RPMs leave them out.
set(CPACK_RPM_SERVICE_USER_FILELIST "%config(noreplace) %attr(0640,root,${PRC_SERVICE_USER}) ${PRC_CONFIG_FILE}"
    "%exclude ${CMAKE_INSTALL_FULL_DATADIR}/doc/${PRC_DEB_PACKAGE}/changelog.Debian.gz"
    "%exclude ${CMAKE_INSTALL_FULL_DATADIR}/lintian/overrides/${PRC_DEB_PACKAGE}")
set(CPACK_RPM_ADMIN_USER_FILELIST
    "%exclude ${CMAKE_INSTALL_FULL_DATADIR}/doc/${PRC_DEB_ADMIN_PACKAGE}/changelog.Debian.gz"
    "%exclude ${CMAKE_INSTALL_FULL_DATADIR}/lintian/overrides/${PRC_DEB_ADMIN_PACKAGE}")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /lib /lib/systemd /lib/systemd/system /usr/lib/sysusers.d /usr/share/applications
    /usr/share/man /usr/share/man/man1 /usr/share/man/man8 /usr/share/doc
    /usr/share/lintian /usr/share/lintian/overrides)
if(PRC_CONFIG_FILE)
    configure_file("${PRC_SOURCE_INSTALLER_DIR}/linux/rpm/post.sh.in" "${PRC_PACKAGING_DIR}/rpm/post.sh" @ONLY)
    configure_file("${PRC_SOURCE_INSTALLER_DIR}/linux/rpm/preun.sh.in" "${PRC_PACKAGING_DIR}/rpm/preun.sh" @ONLY)
    configure_file("${PRC_SOURCE_INSTALLER_DIR}/linux/rpm/pre.sh.in" "${PRC_PACKAGING_DIR}/rpm/pre.sh" @ONLY)
    configure_file("${PRC_SOURCE_INSTALLER_DIR}/linux/rpm/postun.sh.in" "${PRC_PACKAGING_DIR}/rpm/postun.sh" @ONLY)
    set(CPACK_RPM_SERVICE_PRE_INSTALL_SCRIPT_FILE "${PRC_PACKAGING_DIR}/rpm/pre.sh")
    set(CPACK_RPM_SERVICE_POST_INSTALL_SCRIPT_FILE "${PRC_PACKAGING_DIR}/rpm/post.sh")
    set(CPACK_RPM_SERVICE_PRE_UNINSTALL_SCRIPT_FILE "${PRC_PACKAGING_DIR}/rpm/preun.sh")
    set(CPACK_RPM_SERVICE_POST_UNINSTALL_SCRIPT_FILE "${PRC_PACKAGING_DIR}/rpm/postun.sh")
endif()

include(CPack)
