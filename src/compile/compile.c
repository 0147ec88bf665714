#include "compile/compile.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/ctx.h"
#include "compile/desktop.h"
#include "compile/syscalls.h"
#include "compile/landlock.h"
#include "compile/resources.h"
#include "policy/query.h"
#include "util/util.h"
#include "util/walk.h"

/* Can the sandboxed app write into directory `dir` (so it could have
 * planted a symlink there in an earlier run)? */
static bool app_can_write(const struct compile_ctx *cc, const char *dir)
{
  return path_access_writable(policy_path_access(cc->pol, dir));
}

static bool app_cannot_write(void *cc, int dirfd, const char *dir)
{
  (void)dirfd;
  return !app_can_write(cc, dir);
}

/* Open a rule's host path without following symlinks the app could have
 * planted: a symlink inside a directory this policy makes writable is
 * refused (*bad_link names it); other symlinks (the admin's /bin -> usr/bin,
 * the user's own dotfile links) are followed.  The mount is then made from
 * the fd, and the engine checks it shows the same inode, so nothing can
 * change what it names between this check and the mount.  When a component
 * is missing, *missing_real is what is missing below the real path of what
 * exists. */
static int open_rule_source(const struct compile_ctx *cc, const char *path, int *out, char **bad_link,
                            char **missing_real)
{
  *bad_link = NULL;
  _cleanup_close_ int root = RETRY(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root < 0)
    return -errno;
  struct walk_opts o = { .may_follow = app_cannot_write, .ctx = (void *)cc };
  struct walk_out w;
  int r = walk_at(root, path, &o, out, &w);
  if (r == -ELOOP && w.refused)
    *bad_link = xasprintf("%s/%s", w.real, w.stop);
  if (r == -ENOENT && missing_real)
    *missing_real = xasprintf("%s/%s%s", w.real, w.stop, w.rest);
  walk_out_clear(&w);
  return r;
}

static int compile_paths(struct compile_ctx *cc)
{
  size_t it = 0;
  const struct setting *s;
  /* Freed on the error returns below too. */
  _cleanup_(strv_clear) struct strv hidden_dirs = { 0 };

  struct path_rule rule;
  while (policy_next_path(cc->pol, &it, &rule)) {
    s = rule.setting;
    const char *path = rule.path;
    struct stat st;
    bool exists = lstat(path, &st) == 0;

    if (rule.access == PATH_PERSIST && !exists) {
      /* The part that exists must not lead through a planted link either:
       * mkdir would follow it when the directory is created. */
      int fd = -1;
      _cleanup_free_ char *bad_link = NULL, *real = NULL;
      int r = open_rule_source(cc, path, &fd, &bad_link, &real);
      if (fd >= 0)
        close(fd);
      if (r == -ELOOP && bad_link)
        return log_fail(ELOOP, "%s:%d: persist %s: %s is a symlink in a directory the sandboxed app can write, so "
                               "the app could have planted it; refusing to follow it (add a rule for the real path "
                               "instead)", s->loc.file, s->loc.line, path, bad_link);
      /* The directories are made later, under the real path found now
       * (no symlink in it), by a walk that follows none. */
      const char *make = r == -ENOENT && real ? real : path;
      struct plan *p = cc->plan;
      *ARRAY_PUSH(p->host_dirs, p->n_host_dirs, p->cap_host_dirs) = xstrdup(make);
      pb_bind(&cc->ops, ACCESS_RW, make, path, false);
      continue;
    }
    if (rule.access == PATH_PRIVATE) {
      /* Same mode as the host's directory (1777 for /tmp), else 0755. */
      pb_tmpfs(&cc->ops, path, exists && S_ISDIR(st.st_mode) ? (int)(st.st_mode & 01777) : 0755);
      continue;
    }
    if (!exists)
      continue; /* profiles are shared between machines: absent is fine */

    if (rule.access == PATH_HIDE) {
      if (S_ISDIR(st.st_mode)) {
        pb_tmpfs(&cc->ops, path, 0755);
        strv_add(&hidden_dirs, path);
      } else {
        /* An empty file nobody may read in place of the real one. */
        pb_data(&cc->ops, path, "", 0, 0, true);
      }
      continue;
    }
    /* ro, rw, persist */
    if (S_ISLNK(st.st_mode)) {
      /* Mirror the host's symlink (usr-merge links, /etc/alternatives...);
       * what it points to is decided by the rules for the target. */
      char target[PATH_MAX];
      ssize_t n = readlink(path, target, sizeof target - 1);
      if (n > 0) {
        target[n] = '\0';
        pb_symlink(&cc->ops, target, path);
      }
      continue;
    }
    int fd = -1;
    _cleanup_free_ char *bad_link = NULL;
    int r = open_rule_source(cc, path, &fd, &bad_link, NULL);
    if (r == -ELOOP && bad_link)
      return log_fail(ELOOP, "%s:%d: %s %s: %s is a symlink in a directory the sandboxed app can write, so the "
                             "app could have planted it; refusing to follow it (add a rule for the real path instead)",
                      s->loc.file, s->loc.line, s->value, path, bad_link);
    if (r < 0)
      continue; /* vanished since lstat: like a missing path */
    struct plan_op *op = pb_op(&cc->ops, OP_BIND, path, path);
    op->access = rule.access == PATH_RO ? ACCESS_RO : ACCESS_RW;
    op->flags |= OPF_FROM_FD;
    op->fd = fd;
  }
  /* Hidden directories become read-only last, after any more specific rule
   * below them made its mount point inside. */
  for (size_t i = 0; i < hidden_dirs.n; i++)
    pb_op(&cc->ops, OP_REMOUNT_RO, NULL, hidden_dirs.v[i]);
  return 0;
}

/* sbx's own state on the host, $XDG_RUNTIME_DIR/sbx (instance dirs with
 * other sandboxes' proxy sockets, the compiled system call policies that
 * the next launches load), is never the app's to see, whatever a rule
 * above it shows.  Where the host's runtime dir is /run/user/UID, the
 * sandbox's private one already covers it; elsewhere it is hidden here. */
static void hide_own_state(struct compile_ctx *cc)
{
  if (!cc->host_runtime_dir || strcmp(cc->host_runtime_dir, cc->sandbox_runtime_dir) == 0)
    return;
  _cleanup_free_ char *own = xasprintf("%s/sbx", cc->host_runtime_dir);
  if (!path_access_shows_host(policy_path_access(cc->pol, own)))
    return;
  pb_tmpfs(&cc->ops, own, 0755);
  pb_op(&cc->ops, OP_REMOUNT_RO, NULL, own);
}

static uint64_t cap_mask_of(const char *name)
{
  if (strcmp(name, "ALL") == 0) {
    int last = cap_max_bits() - 1;
    return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
  }
  cap_value_t v;
  return cap_from_name(name, &v) == 0 && v >= 0 && v < 64 ? 1ULL << v : 0;
}

static void compile_caps(struct compile_ctx *cc)
{
  struct plan *p = cc->plan;
  struct cap_change changes[65];
  size_t n = 0;
  /* ALL comes first (policy_next_cap), so "cap-drop ALL" + "cap-add CAP_X"
   * means what it says. */
  size_t it = 0;
  struct cap_rule c;
  while (n < 65 && policy_next_cap(cc->pol, &it, &c))
    changes[n++] = (struct cap_change){ c.add ? CAP_VERB_ADD : CAP_VERB_DROP, cap_mask_of(c.name) };
  if (n == 0)
    return;
  /* The profile's changes come first: the command line's apply after them. */
  p->caps = array_grow(p->caps, sizeof *p->caps, &p->cap_caps, p->n_caps + n);
  memmove(p->caps + n, p->caps, p->n_caps * sizeof *p->caps);
  memcpy(p->caps, changes, n * sizeof *changes);
  p->n_caps += n;
}

static void compile_env(struct compile_ctx *cc)
{
  struct plan *p = cc->plan;
  /* The command line's edits are already in p->env; apply the policy's and
   * then replay the command line's, so the command line wins. */
  size_t it = 0;
  struct env_rule e;
  while (policy_next_env(cc->pol, &it, &e)) {
    if (e.value)
      plan_setenv(p, e.name, e.value);
    else
      plan_unsetenv(p, e.name);
  }
  plan_replay_env_edits(p);
}

/* sbx's own system call rules (compile/syscalls.c), installed by the
 * engine as the last step of setup, for pid 1 and the app. */
static void compile_syscalls(struct compile_ctx *cc, bool profile)
{
  syscalls_compile(cc->pol, cc->plan, profile);
}

/* network private: a network namespace of the sandbox's own (as with
 * "none") plus the helper that connects it, for launch/net.c to start. */
static void compile_private_network(struct compile_ctx *cc)
{
  struct plan_services *s = cc_services(cc);
  if (!s->net)
    s->net = xcalloc(1, sizeof *s->net);
  cc->plan->unshare |= CLONE_NEWNET;
  if (cc->notes)
    notes_add(cc->notes, "network: private: a network namespace of its own, connected by a user-mode helper "
                         "(tap0 %s/%d and %s/%d); the host's loopback and addresses are not reachable",
              PLAN_NET_ADDRESS, PLAN_NET_PREFIX, PLAN_NET_ADDRESS6, PLAN_NET_PREFIX6);
}

/* egress and egress-allow: the policy the network helper's connections
 * are held to (launch/net-egress.c).  It filters what leaves through the
 * helper, so it means nothing for network host (the host's namespace is
 * not ours to filter) or none (nothing leaves): an error there, as
 * forward-port is, except an explicit "egress open", which asks for
 * nothing.  Names work (the helper's DNS forwarder may reach the host's
 * resolvers) unless deny-all names no host. */
static int compile_egress(struct compile_ctx *cc, struct plan_net *net)
{
  const struct setting *mode = policy_egress(cc->pol);
  size_t it = 0;
  const char *arg;
  const struct setting *st;
  if (!net && mode && strcmp(mode->value, "open") != 0)
    return log_fail(EINVAL, "%s:%d: egress needs network private", mode->loc.file, mode->loc.line);
  if (net && mode)
    net->egress = strcmp(mode->value, "deny-all") == 0     ? PLAN_EGRESS_DENY_ALL
                  : strcmp(mode->value, "deny-local") == 0 ? PLAN_EGRESS_DENY_LOCAL
                                                           : PLAN_EGRESS_OPEN;
  bool names = false;
  while (policy_next_egress_allow(cc->pol, &it, &arg, &st)) {
    if (!net)
      return log_fail(EINVAL, "%s:%d: egress-allow needs network private", st->loc.file, st->loc.line);
    const char *why = "";
    size_t first = net->n_allow;
    if (plan_egress_parse(arg, &net->allow, &net->n_allow, &net->cap_allow, &why) < 0)
      return log_fail(EINVAL, "%s:%d: egress-allow %s: %s", st->loc.file, st->loc.line, arg, why);
    names |= net->allow[first].name != NULL;
  }
  if (net)
    net->egress_dns = net->egress != PLAN_EGRESS_DENY_ALL || names;
  return 0;
}

/* forward-port and allow-host-port: holes in a private network, so they
 * mean nothing without one, and saying them with another network is an
 * error rather than a silent no-op (network host reaches every port).
 * --explain shows them with the helper (launch/net.c). */
static int compile_network_exceptions(struct compile_ctx *cc, bool private_net)
{
  size_t it = 0, cap = 0;
  struct port_forward f;
  unsigned port;
  const struct setting *st;
  struct plan_net *net = private_net ? cc_services(cc)->net : NULL;
  while (policy_next_forward(cc->pol, &it, &f)) {
    if (!net)
      return log_fail(EINVAL, "%s:%d: forward-port needs network private", f.setting->loc.file, f.setting->loc.line);
    struct plan_forward *pf = ARRAY_PUSH(net->forwards, net->n_forwards, cap);
    snprintf(pf->proto, sizeof pf->proto, "%s", f.proto);
    snprintf(pf->host_addr, sizeof pf->host_addr, "%s", f.host_addr);
    pf->host_port = (uint16_t)f.host_port;
    pf->port = (uint16_t)f.sandbox_port;
  }
  it = cap = 0;
  while (policy_next_host_port(cc->pol, &it, &port, &st)) {
    if (!net)
      return log_fail(EINVAL, "%s:%d: allow-host-port needs network private", st->loc.file, st->loc.line);
    *(uint16_t *)ARRAY_PUSH(net->host_ports, net->n_host_ports, cap) = (uint16_t)port;
  }
  return compile_egress(cc, net);
}

/* The sandbox's resolver is the helper's DNS forwarder: the host's own
 * (often 127.0.0.53, systemd-resolved's stub) is not reachable from the
 * sandbox's namespace.  The file is shown where /etc/resolv.conf leads
 * (it is often a symlink into /run), if the sandbox shows that path. */
/* Does the host's resolv.conf name an IPv6 resolver (and the kernel have
 * IPv6)?  The helper's IPv6 forwarder (fd00::3) asks the host's IPv6
 * resolvers only: with none, slirp4netns sends its queries to the host's
 * ::1, where usually nothing answers (measured: a timeout), so the
 * sandbox is told of it only when it leads somewhere. */
static bool host_has_ipv6_resolver(const char *path)
{
  if (access("/proc/sys/net/ipv6", F_OK) < 0)
    return false;
  FILE *f = fopen(path, "re");
  if (!f)
    return false;
  char line[256], addr[64];
  bool found = false;
  while (!found && fgets(line, sizeof line, f))
    found = sscanf(line, " nameserver %63s", addr) == 1 && strchr(addr, ':');
  fclose(f);
  return found;
}

static void compile_resolv_conf(struct compile_ctx *cc)
{
  _cleanup_free_ char *target = realpath("/etc/resolv.conf", NULL);
  if (!target || !cc_path_visible(cc, target))
    return;
  static const char conf[] = "# network private: sbx's network helper forwards DNS to the host's resolver\n"
                             "nameserver " PLAN_NET_DNS "\n";
  static const char conf6[] = "# network private: sbx's network helper forwards DNS to the host's resolvers\n"
                              "nameserver " PLAN_NET_DNS "\n"
                              "nameserver " PLAN_NET_DNS6 "\n";
  bool ipv6 = host_has_ipv6_resolver(target);
  pb_data(&cc->ops, target, ipv6 ? conf6 : conf, ipv6 ? sizeof conf6 - 1 : sizeof conf - 1, 0644, true);
  notes_add(cc->notes, "network: %s names the helper's DNS forwarder (%s%s)", target, PLAN_NET_DNS,
            ipv6 ? " and " PLAN_NET_DNS6 ", the host having an IPv6 resolver" : "");
}

int policy_compile_bwrap(const struct policy *pol, struct plan *p)
{
  enum network_mode net = policy_network(pol);
  if (net == NETWORK_NONE)
    p->unshare |= CLONE_NEWNET;
  if (net == NETWORK_HOST && (p->unshare & CLONE_NEWNET))
    return log_fail(EINVAL, "--network host contradicts --unshare-net (or --unshare-all without --share-net)");
  struct compile_ctx cc = { .plan = p, .pol = pol };
  if (net == NETWORK_PRIVATE)
    compile_private_network(&cc);
  int r = compile_network_exceptions(&cc, net == NETWORK_PRIVATE);
  if (r < 0)
    return r;
  compile_env(&cc);
  compile_syscalls(&cc, false);
  r = compile_landlock_mode(pol, p, false);
  if (r < 0)
    return r;
  compile_landlock_rules(p);
  /* "name" or a limit: a cgroup of the sandbox's own. */
  return compile_resources(pol, p, false);
}

int policy_compile(const struct policy *pol, struct plan *p, struct notes *notes)
{
  struct compile_ctx cc = {
    .plan = p, .pol = pol, .notes = notes, .uid = getuid(), .gid = getgid(),
  };
  int r = 0;
  const char *home = plan_getenv(p, "HOME");
  cc.home = home ? home : "/";
  const char *rt = getenv("XDG_RUNTIME_DIR");
  cc.host_runtime_dir = rt && rt[0] == '/' ? rt : NULL;
  cc.share_net = policy_network(pol) == NETWORK_HOST;
  r = compile_landlock_mode(pol, p, true);
  if (r < 0)
    return r;
  cc.abstract_scoped = compile_landlock_scopes_abstract(p);
  cc.sandbox_runtime_dir = xasprintf("/run/user/%u", cc.uid);

  /* Every namespace, except the network one when the policy shares it. */
  p->unshare |= CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
  p->unshare_user_try = true; /* and the cgroup namespace: compile_resources */
  if (!cc.share_net)
    p->unshare |= CLONE_NEWNET;
  bool private_net = policy_network(pol) == NETWORK_PRIVATE;
  if (private_net)
    compile_private_network(&cc);
  r = compile_network_exceptions(&cc, private_net);
  if (r < 0) {
    free(cc.sandbox_runtime_dir);
    return r;
  }
  p->die_with_sbx = true;
  p->pid1_undumpable = true;

  const char *hostname = policy_hostname(pol);
  if (hostname && !p->hostname)
    p->hostname = xstrdup(hostname);

  pb_op(&cc.ops, OP_PROC, NULL, "/proc");
  pb_op(&cc.ops, OP_DEV, NULL, "/dev");
  r = compile_paths(&cc);
  if (r == 0)
    hide_own_state(&cc);
  if (r == 0) {
    /* The app's own runtime dir: private even where the host's /run shows. */
    pb_tmpfs(&cc.ops, cc.sandbox_runtime_dir, 0700);
    plan_setenv(p, "XDG_RUNTIME_DIR", cc.sandbox_runtime_dir);
    r = desktop_compile(&cc);
  }
  if (r == 0 && private_net)
    compile_resolv_conf(&cc);
  if (r == 0) {
    compile_caps(&cc);
    compile_env(&cc);
    compile_syscalls(&cc, true);
    pb_prepend_to(&cc.ops, p);
    compile_landlock_rules(p); /* from the complete list of ops */
    r = compile_resources(pol, p, true);
  }
  /* On an error, the ops compiled so far are dropped: with them the fds
   * open_rule_source opened for their sources. */
  pb_free(&cc.ops);
  free(cc.sandbox_runtime_dir);
  return r;
}
