#!/usr/bin/env bash
# Installs what the benchmark scripts drive into .bench-tools/ (git-ignored), once, from the
# package registries, so that nothing downloads while a benchmark runs:
#   - wrk (Debian's package and its LuaJIT, unpacked, not installed system-wide);
#   - oha (crates.io), for open-loop runs at a fixed rate;
#   - PostGraphile v4 (npm), the generic GraphQL layer bench-peer.sh compares against.
# Source it: `. scripts/bench-tools.sh` puts them on PATH.
set -euo pipefail

tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.bench-tools"
mkdir -p "$tools"

if ! command -v wrk >/dev/null && [ ! -x "$tools/deb/usr/bin/wrk" ]; then
  (cd "$tools" && apt-get download wrk libluajit-5.1-2 libluajit-5.1-common >/dev/null \
    && for deb in ./*.deb; do dpkg -x "$deb" deb; done && rm -f ./*.deb)
fi
if [ ! -x "$tools/bin/oha" ]; then
  cargo install --locked --quiet --root "$tools" oha@1.16.0
fi
if [ ! -x "$tools/node_modules/.bin/postgraphile" ]; then
  npm install --prefix "$tools" --no-audit --no-fund --silent postgraphile@4.14.1
fi

export PATH="$tools/bin:$tools/deb/usr/bin:$tools/node_modules/.bin:$PATH"
export LD_LIBRARY_PATH="$tools/deb/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
