#!/usr/bin/env bash
# Installs the Node.js versions the package is tested on besides the machine's own (22 and
# 24) from the npm registry (packages node-linux-<arch>@<major>: the official binaries),
# into a cache kept between runs. Prints the directory; test/integration/package.test.ts
# looks there (NETNS_KIT_NODES, default ~/.cache/netns-kit/node).
set -euo pipefail
cache="${NETNS_KIT_NODES:-$HOME/.cache/netns-kit/node}"
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "[nodes] no Node package for $(uname -m)"; exit 0 ;; esac
for major in 22 24; do
  dir="$cache/$major"
  if [ -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then continue; fi
  echo "[nodes] installing Node $major (node-linux-$arch@$major) into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock --ignore-scripts "node-linux-$arch@$major" >/dev/null
done
for major in 22 24; do echo "[nodes] $("$cache/$major/node_modules/node-linux-$arch/bin/node" --version) in $cache/$major"; done
