/* User namespace id maps, the loopback interface, and the nested user
 * namespace that gives the app its final uid. */
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <net/route.h>
#include <netinet/in.h>
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
