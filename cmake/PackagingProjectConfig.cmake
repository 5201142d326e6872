# SPDX-License-Identifier: GPL-3.0-or-later
# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE), with CPACK_GENERATOR set to that generator.

if(CPACK_GENERATOR MATCHES "^(TGZ|TXZ|ZIP)$")
    # One archive holding every packaged component.
    set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
    set(CPACK_ARCHIVE_FILE_NAME "${CPACK_PACKAGE_NAME}-${CPACK_PACKAGE_VERSION}-${CPACK_SYSTEM_NAME}")
else()
    set(CPACK_COMPONENTS_GROUPING IGNORE)
endif()

if(CPACK_GENERATOR STREQUAL "DEB")
    # Each .deb brings its own synopsis as the first line of CPACK_DEBIAN_<COMPONENT>_DESCRIPTION;
    # CPackDeb would otherwise put the project summary in front of both.
    set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()

