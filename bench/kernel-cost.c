// kernel-cost: what the kernel itself charges for adding and deleting IPv4 routes, the
// baseline of the route workloads. One RTM_NEWROUTE (or RTM_DELROUTE) per sendmsg, and the
// program waits for each ACK before sending the next — no batching, no pipelining, no
// parsing beyond the error code. Compiled by `npm run bench` with `cc -O2`.
//
//   kernel-cost NETNS_PATH COUNT GATEWAY IFINDEX
// prints one JSON line: {"count":N,"addUs":µs per route,"delUs":…,"addCpuUs":CPU µs per route,"delCpuUs":…}
// Routes are the same as the bench's: 10.(100 + i/256).(i%256).0/24 via GATEWAY dev IFINDEX,
// proto boot, table main.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static void put_attr(struct nlmsghdr *h, unsigned short type, const void *data, unsigned short len) {
  struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

// Sends COUNT route requests of `type`, one per sendmsg, waiting for each ACK; returns µs.
static double run(int fd, int type, int count, struct in_addr gw, uint32_t ifindex) {
  char req[256];
  char reply[8192];
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  double t0 = now_us();
  for (int i = 0; i < count; i++) {
    memset(req, 0, sizeof req);
    struct nlmsghdr *h = (struct nlmsghdr *)req;
    h->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
    h->nlmsg_seq = i + 1;
    struct rtmsg *rt = NLMSG_DATA(h);
    rt->rtm_family = AF_INET;
    rt->rtm_dst_len = 24;
    rt->rtm_table = RT_TABLE_MAIN;
    if (type == RTM_NEWROUTE) {
      rt->rtm_protocol = RTPROT_BOOT;
      rt->rtm_scope = RT_SCOPE_UNIVERSE;
      rt->rtm_type = RTN_UNICAST;
    } else {
      rt->rtm_scope = RT_SCOPE_NOWHERE;
    }
    uint8_t dst[4] = {10, (uint8_t)(100 + i / 256), (uint8_t)(i % 256), 0};
    put_attr(h, RTA_DST, dst, 4);
    put_attr(h, RTA_GATEWAY, &gw, 4);
    put_attr(h, RTA_OIF, &ifindex, 4);
    if (sendto(fd, req, h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
      perror("sendto");
      exit(1);
    }
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) {
      perror("recv");
      exit(1);
    }
    struct nlmsghdr *r = (struct nlmsghdr *)reply;
    if (r->nlmsg_type == NLMSG_ERROR) {
      struct nlmsgerr *e = NLMSG_DATA(r);
      if (e->error != 0) {
        fprintf(stderr, "route %d: %s\n", i, strerror(-e->error));
        exit(1);
      }
    }
  }
  return (now_us() - t0) / count;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s NETNS_PATH COUNT GATEWAY IFINDEX\n", argv[0]);
    return 2;
  }
  int count = atoi(argv[2]);
  struct in_addr gw;
  if (inet_pton(AF_INET, argv[3], &gw) != 1) {
    fprintf(stderr, "bad gateway %s\n", argv[3]);
    return 2;
  }
  uint32_t ifindex = (uint32_t)atoi(argv[4]);
  int fd = rtnl_socket_in(argv[1]);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  double c0 = cpu_us();
  double add = run(fd, RTM_NEWROUTE, count, gw, ifindex);
  double c1 = cpu_us();
  double del = run(fd, RTM_DELROUTE, count, gw, ifindex);
  double c2 = cpu_us();
  printf("{\"count\":%d,\"addUs\":%.3f,\"delUs\":%.3f,\"addCpuUs\":%.3f,\"delCpuUs\":%.3f}\n", count, add, del, (c1 - c0) / count, (c2 - c1) / count);
  return 0;
}
