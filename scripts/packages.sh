# SPDX-License-Identifier: GPL-3.0-or-later
# Debian 12 packages, sourced by the scripts that build or test the project.
# shellcheck disable=SC2034
# The service links libcurl, libsystemd (socket activation, sd_notify) and hiredis; the .deb takes its
# dependencies on them from dpkg-shlibdeps.
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev
    libcurl4-openssl-dev libsystemd-dev libhiredis-dev)
# postmap for the end-to-end tests, redis-server (with redis-cli) for the shared cache tests,
# systemd-socket-activate for the socket activation tests, openssl for the
# test certificates; xauth/xvfb are not needed (GUI tests run on the offscreen platform).
TEST_PACKAGES=(postfix systemd openssl redis-server)
