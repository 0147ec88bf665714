/* User namespace id maps, the network namespace's interfaces (lo, the
 * reject routes, tap0 for network private and the wait for its carrier),
 * and the nested user namespace that gives the app its final uid. */
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "engine/engine.h"
#include "util/util.h"

int ns_write_id_maps(int proc_fd, const char *pid, uid_t inner_uid, uid_t outer_uid,
                     gid_t inner_gid, gid_t outer_gid, bool deny_setgroups)
{
  char path[64], line[64];
  int r;

  if (deny_setgroups) {
    snprintf(path, sizeof path, "%s/setgroups", pid);
    r = write_file_at(proc_fd, path, "deny\n");
    /* Kernels before 3.19 have no such file; nothing to deny there. */
    if (r < 0 && r != -ENOENT)
      return log_errno(r, "Can't write %s", path);
  }
  snprintf(path, sizeof path, "%s/uid_map", pid);
  snprintf(line, sizeof line, "%u %u 1\n", inner_uid, outer_uid);
  r = write_file_at(proc_fd, path, line);
  if (r < 0)
    return log_errno(r, "Can't write uid map");
  snprintf(path, sizeof path, "%s/gid_map", pid);
  snprintf(line, sizeof line, "%u %u 1\n", inner_gid, outer_gid);
  r = write_file_at(proc_fd, path, line);
  if (r < 0)
    return log_errno(r, "Can't write gid map");
  return 0;
}

/* A new network namespace has only "lo", and it is down.  Bringing it up
 * gives it 127.0.0.1 and ::1 (the kernel adds them for loopback). */
int ns_loopback_up(void)
{
  _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (sock < 0)
    return log_errno(errno, "Can't create a socket to configure loopback");
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
    return log_errno(errno, "Can't read the flags of lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
    return log_errno(errno, "Can't bring up lo");
  return 0;
}

/* Routes that refuse the given IPv4 addresses (network order) at once
 * (EHOSTUNREACH), installed before any other interface exists.  Used for
 * the host's own addresses with a private network: the helper would
 * otherwise connect to them on the app's behalf, as to any other
 * address, and reach the host's services bound there.  The app cannot
 * remove them: it has no capability over this network namespace.
 * (SIOCADDRT with RTF_REJECT makes an "unreachable" route, no device
 * needed.) */
int ns_reject_routes(const uint32_t *addrs, size_t n)
{
  if (n == 0)
    return 0;
  _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return log_errno(errno, "Can't create a socket to add routes");
  for (size_t i = 0; i < n; i++) {
    struct rtentry rt = { 0 };
    struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
    struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;
    dst->sin_family = mask->sin_family = AF_INET;
    dst->sin_addr.s_addr = addrs[i];
    mask->sin_addr.s_addr = 0xffffffffu;
    rt.rt_flags = RTF_UP | RTF_HOST | RTF_REJECT;
    if (ioctl(sock, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
      char text[INET_ADDRSTRLEN];
      return log_errno(errno, "Can't add a route refusing %s", inet_ntop(AF_INET, &addrs[i], text, sizeof text));
    }
  }
  return 0;
}

/* IPv6: struct in6_rtmsg through an AF_INET6 socket; its type is what
 * the route answers (RTN_UNREACHABLE: EHOSTUNREACH at once).  The kernel
 * wants a device even for a reject route: lo, the only one yet. */
int ns_reject_routes6(const struct plan_net_addr6 *addrs, size_t n)
{
  if (n == 0)
    return 0;
  _cleanup_close_ int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return log_errno(errno, "Can't create a socket to add IPv6 routes");
  unsigned lo = if_nametoindex("lo");
  if (lo == 0)
    return log_errno(errno, "Can't find lo");
  for (size_t i = 0; i < n; i++) {
    struct in6_rtmsg rt = { .rtmsg_type = RTN_UNREACHABLE, .rtmsg_dst_len = 128, .rtmsg_metric = 1,
                            .rtmsg_flags = RTF_UP | RTF_HOST | RTF_REJECT, .rtmsg_ifindex = (int)lo };
    memcpy(&rt.rtmsg_dst, addrs[i].a, 16);
    if (ioctl(sock, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
      char text[INET6_ADDRSTRLEN];
      return log_errno(errno, "Can't add a route refusing %s", inet_ntop(AF_INET6, addrs[i].a, text, sizeof text));
    }
  }
  return 0;
}

/* struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct in6_ifreq_ {
  struct in6_addr addr;
  uint32_t prefixlen;
  int ifindex;
};

/* ifr for one of tap0's ioctls. */
static struct ifreq tap_ifreq(void)
{
  struct ifreq ifr = { 0 };
  strncpy(ifr.ifr_name, PLAN_NET_IFNAME, IFNAMSIZ - 1);
  return ifr;
}

/* The device itself: made here, persistent, and left with no queue.  The
 * helper attaches to it by name (TUNSETIFF on an existing device) and
 * finds it configured; its exit then only detaches its queue, and tap0
 * goes with the network namespace, in the kernel's cleanup worker, after
 * the sandbox has ended (unregistering it in the helper's exit, which sbx
 * waits for, waits for RCU grace periods: ~20 ms here). */
static int tap_make(void)
{
  _cleanup_close_ int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tun < 0)
    return log_errno(errno, "network private: Can't open /dev/net/tun");
  struct ifreq ifr = tap_ifreq();
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (ioctl(tun, TUNSETIFF, &ifr) < 0)
    return log_errno(errno, "network private: Can't create " PLAN_NET_IFNAME);
  if (ioctl(tun, TUNSETPERSIST, 1) < 0)
    return log_errno(errno, "network private: Can't make " PLAN_NET_IFNAME " persistent");
  return 0;
}

/* IPv4: the MTU, the address, up, the default route via the helper. */
static int tap_configure4(void)
{
  _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return log_errno(errno, "Can't create a socket to configure " PLAN_NET_IFNAME);
  struct ifreq ifr = tap_ifreq();
  ifr.ifr_mtu = PLAN_NET_MTU;
  if (ioctl(sock, SIOCSIFMTU, &ifr) < 0)
    return log_errno(errno, "Can't set the MTU of " PLAN_NET_IFNAME);
  ifr = tap_ifreq();
  struct sockaddr_in *in = (struct sockaddr_in *)&ifr.ifr_addr;
  in->sin_family = AF_INET;
  inet_pton(AF_INET, PLAN_NET_ADDRESS, &in->sin_addr);
  if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
    return log_errno(errno, "Can't give " PLAN_NET_IFNAME " its address");
  in->sin_addr.s_addr = htonl(~0u << (32 - PLAN_NET_PREFIX));
  if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
    return log_errno(errno, "Can't set the netmask of " PLAN_NET_IFNAME);
  ifr = tap_ifreq();
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
    return log_errno(errno, "Can't read the flags of " PLAN_NET_IFNAME);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
    return log_errno(errno, "Can't bring up " PLAN_NET_IFNAME);
  struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = (char *)PLAN_NET_IFNAME };
  struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
  ((struct sockaddr_in *)&rt.rt_dst)->sin_family = ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
  gw->sin_family = AF_INET;
  inet_pton(AF_INET, PLAN_NET_GATEWAY, &gw->sin_addr);
  if (ioctl(sock, SIOCADDRT, &rt) < 0)
    return log_errno(errno, "Can't add the default route via " PLAN_NET_GATEWAY);
  return 0;
}

/* IPv6: a static address and default route.  Router advertisements off
 * first (the helper sends them: a second, random address and route would
 * follow), duplicate address detection off (it would hold the address
 * back for a second; tap0's only peer is the helper).  /proc/sys/net shows
 * the network namespace of the process that opens it: ours. */
static int tap_configure6(void)
{
  /* A kernel without IPv6 (ipv6.disable=1): IPv4 only. */
  if (access("/proc/sys/net/ipv6", F_OK) < 0 && errno == ENOENT)
    return 0;
  int r;
  if ((r = write_file_at(AT_FDCWD, "/proc/sys/net/ipv6/conf/" PLAN_NET_IFNAME "/accept_ra", "0")) < 0 ||
      (r = write_file_at(AT_FDCWD, "/proc/sys/net/ipv6/conf/" PLAN_NET_IFNAME "/accept_dad", "0")) < 0)
    return log_errno(r, "Can't turn off router advertisements and address detection on " PLAN_NET_IFNAME);
  unsigned ifindex = if_nametoindex(PLAN_NET_IFNAME);
  if (ifindex == 0)
    return log_errno(errno, "Can't find " PLAN_NET_IFNAME);
  _cleanup_close_ int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return log_errno(errno, "Can't create a socket to configure " PLAN_NET_IFNAME);
  struct in6_ifreq_ ifr = { .prefixlen = PLAN_NET_PREFIX6, .ifindex = (int)ifindex };
  inet_pton(AF_INET6, PLAN_NET_ADDRESS6, &ifr.addr);
  if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
    return log_errno(errno, "Can't give " PLAN_NET_IFNAME " its IPv6 address");
  struct in6_rtmsg rt = { .rtmsg_flags = RTF_UP | RTF_GATEWAY, .rtmsg_metric = 1, .rtmsg_ifindex = (int)ifindex };
  inet_pton(AF_INET6, PLAN_NET_GATEWAY6, &rt.rtmsg_gateway);
  if (ioctl(sock, SIOCADDRT, &rt) < 0)
    return log_errno(errno, "Can't add the IPv6 default route via " PLAN_NET_GATEWAY6);
  return 0;
}

int ns_tap_create(void)
{
  int r;
  if ((r = tap_make()) < 0 || (r = tap_configure4()) < 0 || (r = tap_configure6()) < 0)
    return r;
  return 0;
}

/* linux/if.h has it, but clashes with net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* The carrier of ifindex in one netlink message: 1 on, 0 off or not about
 * it, -errno for an error answer. */
static int carrier_in(const struct nlmsghdr *h, int ifindex)
{
  if (h->nlmsg_type == NLMSG_ERROR) {
    const struct nlmsgerr *e = NLMSG_DATA(h);
    return h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error < 0 ? e->error : 0;
  }
  if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
    return 0;
  const struct ifinfomsg *ifi = NLMSG_DATA(h);
  return ifi->ifi_index == ifindex && (ifi->ifi_flags & IFF_LOWER_UP);
}

/* Ask nl for ifindex's state (the answer comes as a RTM_NEWLINK). */
static int ask_link(int nl, int ifindex)
{
  struct {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
  } req = { .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST },
            .ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex } };
  if (RETRY(send(nl, &req, sizeof req, 0)) < 0)
    return log_errno(errno, "Can't ask for " PLAN_NET_IFNAME "'s link");
  return 0;
}

/* A route netlink socket told of every link change, that has asked for
 * ifindex's state once: the answer and the changes come the same way, so
 * none is missed between the two. */
int ns_tap_carrier_watch(void)
{
  unsigned ifindex = if_nametoindex(PLAN_NET_IFNAME);
  if (ifindex == 0)
    return log_errno(errno, "Can't find " PLAN_NET_IFNAME);
  _cleanup_close_ int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
  if (nl < 0 || bind(nl, (struct sockaddr *)&sa, sizeof sa) < 0)
    return log_errno(errno, "Can't watch " PLAN_NET_IFNAME "'s link");
  int r = ask_link(nl, (int)ifindex);
  return r < 0 ? r : steal_fd(&nl);
}

int ns_tap_carrier_read(int nl)
{
  union {
    struct nlmsghdr h;
    char bytes[8192];
  } buf;
  struct sockaddr_nl from = { 0 };
  socklen_t from_len = sizeof from;
  unsigned ifindex = if_nametoindex(PLAN_NET_IFNAME);
  if (ifindex == 0)
    return log_errno(errno, "Can't find " PLAN_NET_IFNAME);
  ssize_t len = RETRY(recvfrom(nl, &buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len));
  if (len < 0 && errno == ENOBUFS) /* changes were lost: ask again */
    return ask_link(nl, (int)ifindex);
  if (len < 0)
    return errno == EAGAIN ? 0 : log_errno(errno, "Can't read " PLAN_NET_IFNAME "'s link");
  if (from.nl_pid != 0)
    return 0; /* only the kernel's word counts */
  for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
    int on = carrier_in(h, (int)ifindex);
    if (on != 0)
      return on < 0 ? log_errno(on, "Can't read " PLAN_NET_IFNAME "'s link") : 1;
  }
  return 0;
}

/* Enter a user namespace below the one we set up in, mapping the sandbox's
 * uid/gid onto the setup namespace's root.  Used when setup needed uid 0
 * (devpts, the max_user_namespaces knob) but the app wants another id. */
int ns_nested_userns(struct setup *s, uid_t uid, gid_t gid, bool disable_userns)
{
  int r;
  if (disable_userns) {
    /* The limit counts namespaces below this one: the nested one we are
     * about to create takes the only slot. */
    r = write_file_at(s->proc_fd, "sys/user/max_user_namespaces", "1");
    if (r < 0)
      return log_errno(r, "Can't disable user namespaces in the sandbox");
  }
  if (unshare(CLONE_NEWUSER) < 0)
    return log_errno(errno, "Can't create the sandbox's user namespace");
  return ns_write_id_maps(s->proc_fd, "self", uid, 0, gid, 0, true);
}

int ns_check_userns_disabled(void)
{
  /* Try in a throw-away child so a success does not change us. */
  pid_t pid = fork();
  if (pid < 0)
    return log_errno(errno, "fork");
  if (pid == 0)
    _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  int status;
  if (RETRY(waitpid(pid, &status, 0)) < 0)
    return log_errno(errno, "waitpid");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return log_fail(EPERM, "creation of new user namespaces was not disabled as requested");
  return 0;
}
