# SPDX-License-Identifier: GPL-3.0-or-later
# Debian 12 packages, sourced by the scripts that build or test the project.
# shellcheck disable=SC2034
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libhiredis-dev)
# postmap for the end-to-end tests; redis-server (with redis-cli) for the shared cache tests; xauth/xvfb are
# not needed (GUI tests run on the offscreen platform).
TEST_PACKAGES=(postfix redis-server)
