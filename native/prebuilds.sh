#!/usr/bin/env bash
# Builds the prebuilt N-API binaries shipped in the package: prebuilds/linux-<arch>/
# netns-kit.glibc.node, found at run time by node-gyp-build (so installing needs no
# compiler), and beside each the fast CNI plugin netns-kit-cni (native/cni_shim.c, linked
# statically: it runs on glibc and musl alike). linux-arm64 is cross-compiled with Debian's
# g++-aarch64-linux-gnu; the musl (Alpine) addon has no cross toolchain in Debian and builds
# from source on install.
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
# the host's own last: prebuildify builds in build/, which then holds the host's build again
npx prebuildify --napi --strip --tag-libc >/dev/null
host_arch=$(node -p process.arch)
cc -O2 -Wall -static -s -o "prebuilds/linux-$host_arch/netns-kit-cni" native/cni_shim.c
find prebuilds -type f | sort
