// dump-floor: what a dump costs when nothing is decoded, the floor of the list workloads.
// One RTM_GETROUTE / RTM_GETLINK / RTM_GETADDR dump (AF_INET for routes and addresses, all
// links), read with the largest receive buffer that helps — the kernel sizes each dump chunk
// after the largest buffer a receive offered, capped at 32 KiB, so 64 KiB per recv and an
// 8 MiB socket buffer (as netns-kit asks for) — and decoded by nothing: the messages are
// only framed and counted. Compiled by `npm run bench` with `cc -O2`.
//
//   dump-floor NETNS_PATH routes|links|addresses
// One untimed dump first (caches warm, like the other implementations' warm-up), then one
// timed; prints one JSON line: {"count":messages,"us":wall µs,"cpuUs":CPU µs of the process}
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif


static char buf[64 * 1024];

// Dumps once; returns the number of messages before NLMSG_DONE.
static long dump(int fd, int type, int seq) {
  struct {
    struct nlmsghdr h;
    union {
      struct rtmsg rt;
      struct ifinfomsg ifi;
      struct ifaddrmsg ifa;
    } u;
  } req;
  memset(&req, 0, sizeof req);
  size_t body = type == RTM_GETROUTE ? sizeof(struct rtmsg) : type == RTM_GETLINK ? sizeof(struct ifinfomsg) : sizeof(struct ifaddrmsg);
  req.h.nlmsg_len = NLMSG_LENGTH(body);
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  if (type == RTM_GETROUTE) req.u.rt.rtm_family = AF_INET;
  else if (type == RTM_GETADDR) req.u.ifa.ifa_family = AF_INET;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    perror("sendto");
    exit(1);
  }
  long count = 0;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("recv");
      exit(1);
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return count;
      if (h->nlmsg_type == NLMSG_ERROR) {
        fprintf(stderr, "dump: %s\n", strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
        exit(1);
      }
      count++;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s NETNS_PATH routes|links|addresses\n", argv[0]);
    return 2;
  }
  int type = !strcmp(argv[2], "routes") ? RTM_GETROUTE : !strcmp(argv[2], "links") ? RTM_GETLINK : !strcmp(argv[2], "addresses") ? RTM_GETADDR : 0;
  if (type == 0) {
    fprintf(stderr, "unknown table %s\n", argv[2]);
    return 2;
  }
  int fd = rtnl_socket_in(argv[1]);
  int one = 1, rcv = 8 * 1024 * 1024;
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  dump(fd, type, 1);
  double c0 = cpu_us(), t0 = now_us();
  long count = dump(fd, type, 2);
  double t1 = now_us(), c1 = cpu_us();
  printf("{\"count\":%ld,\"us\":%.1f,\"cpuUs\":%.1f}\n", count, t1 - t0, c1 - c0);
  return 0;
}
