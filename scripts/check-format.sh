#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a tracked C++ file differs from what clang-format (with the repository's .clang-format) makes
# of it. Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v clang-format >/dev/null || { echo "check-format.sh: clang-format is missing (apt-get install clang-format)" >&2; exit 2; }
bad=0
checked=0
while IFS= read -r file; do
    checked=$((checked + 1))
    if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
        echo "not formatted: $file"
        bad=$((bad + 1))
    fi
done < <(git ls-files '*.cpp' '*.h')
echo "format: $((checked - bad)) passed, $bad failed"
[[ $bad -eq 0 ]]
