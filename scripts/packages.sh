# SPDX-License-Identifier: GPL-3.0-or-later
# Debian 12 packages, sourced by the scripts that build or test the project.
# shellcheck disable=SC2034
# libsystemd-dev and pkg-config: socket activation and sd_notify (built without them where they are missing).
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libsystemd-dev)
# postmap for the end-to-end tests, systemd-socket-activate for the socket activation tests; xauth/xvfb are not
# needed (GUI tests run on the offscreen platform).
TEST_PACKAGES=(postfix systemd)
