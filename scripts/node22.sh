#!/usr/bin/env bash
# Prints the bin folder of a Node 22 (the Lambda runtime's major version), fetched once from the npm registry's
# `node-linux-<arch>` package into .cache/node22/. Used to run the tests on both Node 20 and Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(node -p 'process.arch')
dir=.cache/node22
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack "node-linux-${arch}@22" --silent 2>/dev/null | tail -n 1)
  tar xzf "$dir/$tarball" -C "$dir"
  rm -f "$dir/$tarball"
fi
echo "$PWD/$dir/package/bin"
