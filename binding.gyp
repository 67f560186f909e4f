{
  "targets": [
    {
      "target_name": "netns_kit",
      "sources": ["native/addon.cc", "native/common.cc", "native/netns.cc", "native/netlink_socket.cc", "native/tun.cc", "native/lock.cc", "native/bound_socket.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      "target_name": "netns-kit-cni",
      "type": "executable",
      "sources": ["native/cni_shim.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "ldflags": ["-static"]
    }
  ]
}
