#!/usr/bin/env bash
# Print the path of a Python of version $1 (e.g. 3.12) that runs, or exit 1 naming what
# was looked for. `python3.12` on the PATH first; else an interpreter installed by pyenv,
# whose shims refuse a version that is not the selected one ("command not found"), so the
# version's own binary is used.
set -euo pipefail
version="$1"
if command -v "python$version" >/dev/null 2>&1 && "python$version" -c '' 2>/dev/null; then
    command -v "python$version"
    exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
    root="$(pyenv root)"
    for installed in $(pyenv versions --bare | grep -E "^${version//./\\.}\.[0-9]+$" | sort -rV); do
        candidate="$root/versions/$installed/bin/python$version"
        if [ -x "$candidate" ] && "$candidate" -c '' 2>/dev/null; then
            echo "$candidate"
            exit 0
        fi
    done
fi
echo "no Python $version found (python$version on the PATH, or installed by pyenv)" >&2
exit 1
