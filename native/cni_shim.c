/*
 * netns-kit-cni shim: the `netns-kit-bridge` CNI plugin as a small static executable that
 * hands each call to a resident `netns-kit-cni serve` daemon, so a call costs a connect and
 * the daemon's work instead of starting Node. A runtime starts a plugin once per call; Node's
 * own start-up (tens of ms) is then most of a call's cost.
 *
 * Without a daemon listening (no socket, or nobody behind it) it becomes the Node plugin:
 * exec of dist/cni/bin.js, found two directories above this executable's real path (it lives
 * in build/Release/ or prebuilds/linux-<arch>/ of the package).
 *
 * The request is one stream: u32 length (little endian) of a header of NUL-terminated
 * strings, the header, then stdin until EOF (shutdown of the write side). Header strings:
 *   "pid=<this pid>"            the daemon opens /proc/<pid>/ns/net as the host namespace
 *   "netns=/proc/<pid>/fd/<n>"  CNI_NETNS opened here (so the daemon needs no access to the
 *                               runtime's mount namespace), absent when it cannot be opened
 *   ""                          the end of those
 *   "KEY=VALUE"...              this process's environment
 * The answer: u32 exit status (little endian), then what goes to stdout until EOF.
 *
 * Socket path: $NETNS_KIT_CNI_SOCKET, else /run/netns-kit/cni.sock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_SOCKET "/run/netns-kit/cni.sock"

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Growable byte buffer; aborts the call (exit 1 with a CNI error) when memory runs out. */
struct buf {
  char *data;
  size_t len, cap;
};

static void fail(const char *msg, const char *details);

static void buf_add(struct buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) fail("out of memory", "netns-kit-cni shim");
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s) + 1); }

/* s as a JSON string's contents into out (at most n bytes, always terminated). */
static void json_escape(char *out, size_t n, const char *s) {
  size_t o = 0;
  for (; *s && o + 7 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(out + o, n - o, "\\u%04x", c);
    } else {
      out[o++] = (char)c;
    }
  }
  out[o] = 0;
}

/* A CNI error object on stdout (code 11: try again later), exit status 1. */
static void fail(const char *msg, const char *details) {
  char m[256], d[512], out[1024];
  json_escape(m, sizeof m, msg);
  json_escape(d, sizeof d, details);
  int n = snprintf(out, sizeof out, "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 11,\n    \"msg\": \"%s\",\n    \"details\": \"%s\"\n}\n", m, d);
  if (n > 0) write_all(1, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
  _exit(1);
}

/* Becomes the Node plugin: <dir of real path>/../../dist/cni/bin.js. */
static void exec_node_plugin(char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) fail("netns-kit-cni: cannot find its own path", strerror(errno));
  self[n] = 0;
  for (int up = 0; up < 3; up++) {
    char *slash = strrchr(self, '/');
    if (!slash) fail("netns-kit-cni: unexpected path", self);
    *slash = 0;
  }
  char script[PATH_MAX];
  if (snprintf(script, sizeof script, "%s/dist/cni/bin.js", self) >= (int)sizeof script) fail("netns-kit-cni: path too long", self);
  char *args[] = {script, NULL};
  (void)argv;
  execv(script, args);
  fail("netns-kit-cni: no daemon and cannot start the Node plugin", script);
}

int main(int argc, char **argv) {
  (void)argc;
  const char *path = getenv("NETNS_KIT_CNI_SOCKET");
  if (!path || !*path) path = DEFAULT_SOCKET;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path) fail("netns-kit-cni: socket path too long", path);
  strcpy(sa.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
    if (s >= 0) close(s);
    exec_node_plugin(argv); /* no daemon: the plugin runs in this process */
  }
  signal(SIGPIPE, SIG_IGN); /* a daemon gone mid-call is an answer (EPIPE), not a death */

  struct buf hdr = {0};
  char line[64];
  snprintf(line, sizeof line, "pid=%d", (int)getpid());
  buf_str(&hdr, line);
  const char *netns = getenv("CNI_NETNS");
  if (netns && *netns) {
    int fd = open(netns, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      snprintf(line, sizeof line, "netns=/proc/%d/fd/%d", (int)getpid(), fd);
      buf_str(&hdr, line);
    }
  }
  buf_str(&hdr, ""); /* end of the call's own entries; the environment follows */
  for (char **e = environ; *e; e++) buf_str(&hdr, *e);

  uint32_t len = (uint32_t)hdr.len;
  unsigned char le[4] = {len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >> 24) & 0xff};
  if (write_all(s, le, 4) < 0 || write_all(s, hdr.data, hdr.len) < 0) fail("netns-kit-cni: the daemon closed the connection", strerror(errno));
  char chunk[65536];
  for (;;) {
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (write_all(s, chunk, (size_t)n) < 0) fail("netns-kit-cni: the daemon closed the connection", strerror(errno));
  }
  shutdown(s, SHUT_WR);

  unsigned char st[4];
  size_t got = 0;
  while (got < 4) {
    ssize_t n = read(s, st + got, 4 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("netns-kit-cni: the daemon ended the call without an answer", n < 0 ? strerror(errno) : "connection closed");
    got += (size_t)n;
  }
  int status = (int)(st[0] | (st[1] << 8) | (st[2] << 16) | ((uint32_t)st[3] << 24));
  for (;;) {
    ssize_t n = read(s, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (write_all(1, chunk, (size_t)n) < 0) break;
  }
  return status;
}
