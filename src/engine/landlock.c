/* Landlock: the plan's rules (plan/landlock.c derives them from the ops)
 * become a ruleset the sandbox's first process restricts itself with,
 * after the root is final and just before it forks pid 1 and the app, so
 * that both share one domain (a signal scope would otherwise keep pid 1
 * from forwarding signals to the app).
 *
 * Raw system calls, no library: three calls and three structs.  The kernel
 * refuses (EINVAL) any right it does not know, so every right is masked to
 * the ABI the kernel reports; where it has no Landlock at all, "on" warns
 * and "required" refuses to run. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/engine.h"
#include "util/util.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* The uapi structs as of ABI 6 (linux/landlock.h); older headers lack the
 * later fields, and the kernel accepts a struct whose unknown tail is zero. */
struct ll_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
struct ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* One rule: the path as the sandbox shows it, opened O_PATH (rules bind to
 * inodes).  A path that is not there is skipped: an op that was allowed to
 * fail (-try, a socket launch took out) made nothing, and no rule for it
 * means no access, which is the safe side. */
static int add_path_rule(int ruleset, const struct landlock_rule *rule, uint64_t handled)
{
  _cleanup_close_ int fd = RETRY(open(rule->path, O_PATH | O_CLOEXEC));
  if (fd < 0) {
    if (errno == ENOENT || errno == EACCES || errno == ENOTDIR)
      return 0;
    return log_errno(errno, "Landlock: can't open %s", rule->path);
  }
  struct stat st;
  if (fstat(fd, &st) < 0)
    return log_errno(errno, "Landlock: can't stat %s", rule->path);
  /* The kernel takes only file rights on a rule for a file. */
  uint64_t allowed = rule->access & handled & (S_ISDIR(st.st_mode) ? ~0ULL : LL_FILE_RIGHTS);
  if (!allowed)
    return 0;
  struct ll_path_beneath_attr attr = { .allowed_access = allowed, .parent_fd = fd };
  if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
    return log_errno(errno, "Landlock: can't add the rule for %s", rule->path);
  return 0;
}

/* The TCP rights the ruleset handles: those the policy restricts.  A
 * kernel before ABI 4 has no network rules: on warns, required refuses
 * (the same contract as no Landlock at all). */
static int tcp_handled(const struct plan_landlock *ll, int abi, uint64_t *handled)
{
  *handled = (ll->tcp_connect.restricted ? LL_ACCESS_NET_CONNECT_TCP : 0) |
             (ll->tcp_bind.restricted ? LL_ACCESS_NET_BIND_TCP : 0);
  if (!*handled || abi >= 4)
    return 0;
  *handled = 0;
  if (ll->mode == LANDLOCK_REQUIRED)
    return log_fail(EOPNOTSUPP, "the policy restricts TCP ports (tcp-connect, tcp-bind) and requires Landlock, "
                                "but this kernel's Landlock (ABI %d) has no network rules (ABI 4); refusing to run",
                    abi);
  log_warn("this kernel's Landlock (ABI %d) has no network rules (ABI 4): tcp-connect and tcp-bind are not enforced",
           abi);
  return 0;
}

/* One rule per allowed port. */
static int add_port_rules(int ruleset, const struct landlock_ports *lp, uint64_t right)
{
  for (size_t i = 0; i < lp->n; i++) {
    struct ll_net_port_attr attr = { .allowed_access = right, .port = lp->port[i] };
    if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &attr, 0) < 0)
      return log_errno(errno, "Landlock: can't add the rule for TCP port %u", lp->port[i]);
  }
  return 0;
}

int landlock_apply(const struct plan_landlock *ll)
{
  if (ll->mode == LANDLOCK_OFF)
    return 0;
  int abi = landlock_abi();
  if (abi < 0) {
    if (ll->mode == LANDLOCK_REQUIRED)
      return log_fail(-abi, "the policy requires Landlock (landlock required), but this kernel has none (%s); "
                            "refusing to run without it", strerror(-abi));
    /* Once per sandbox: only the first process applies the ruleset. */
    log_warn("Landlock is not available on this kernel (%s): the sandbox runs without it", strerror(-abi));
    return 0;
  }
  uint64_t net;
  int r = tcp_handled(ll, abi, &net);
  if (r < 0)
    return r;
  struct ll_ruleset_attr attr = {
    .handled_access_fs = landlock_fs_rights_for_abi(abi),
    .handled_access_net = net,
    .scoped = landlock_scope_for_abi(abi, ll),
  };
  /* Pass only the part of the struct this ABI knows (the scoped field is ABI 6). */
  size_t size = abi >= 6 ? sizeof attr : offsetof(struct ll_ruleset_attr, scoped);
  _cleanup_close_ int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
  if (ruleset < 0)
    return log_errno(errno, "Landlock: can't create a ruleset (ABI %d)", abi);
  for (size_t i = 0; i < ll->n_rules; i++) {
    r = add_path_rule(ruleset, &ll->rules[i], attr.handled_access_fs);
    if (r < 0)
      return r;
  }
  if ((net & LL_ACCESS_NET_CONNECT_TCP) && (r = add_port_rules(ruleset, &ll->tcp_connect, LL_ACCESS_NET_CONNECT_TCP)) < 0)
    return r;
  if ((net & LL_ACCESS_NET_BIND_TCP) && (r = add_port_rules(ruleset, &ll->tcp_bind, LL_ACCESS_NET_BIND_TCP)) < 0)
    return r;
  /* no_new_privs is set (main), as landlock_restrict_self requires. */
  if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
    return log_errno(errno, "Landlock: can't restrict the sandbox");
  return 0;
}
