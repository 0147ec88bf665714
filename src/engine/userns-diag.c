/* Why a user namespace could not be created, in one sentence with the one
 * command or file that lifts the restriction.
 *
 * The kernel answers every refusal with a bare errno (EPERM, ENOSPC,
 * EACCES, ENOSYS), but the causes differ by distribution and each has its
 * own remedy.  Each probe below reads one file (all read-only, no new
 * privileges) and recognises one cause; they run in order, most specific
 * first, after the failure (never on the success path). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/syscalls.h"
#include "util/util.h"

#define SYSCTL_MAX_USERNS "/proc/sys/user/max_user_namespaces"
#define SYSCTL_USERNS_CLONE "/proc/sys/kernel/unprivileged_userns_clone"
#define SYSCTL_APPARMOR "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
#define APPARMOR_PROFILE "/etc/apparmor.d/sbx"

/* The first line of a small file, without the newline; NULL + errno. */
static char *read_line(const char *path)
{
  _cleanup_close_ int fd = RETRY(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd < 0)
    return NULL;
  char buf[256];
  ssize_t n = RETRY(read(fd, buf, sizeof buf - 1));
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  return xstrdup(buf);
}

/* A numeric sysctl; -1 when the file is missing (the knob does not exist on
 * this kernel) or unreadable. */
static long read_sysctl(const char *path)
{
  _cleanup_free_ char *s = read_line(path);
  unsigned long long v;
  if (!s || parse_uint(s, &v) < 0)
    return -1;
  return (long)v;
}

/* A kernel built without CONFIG_USER_NS has no ns/user link at all. */
static char *probe_no_userns_support(int err)
{
  if (err != EINVAL || access("/proc/self/ns/user", F_OK) == 0 || errno != ENOENT)
    return NULL;
  return xstrdup("this kernel is built without user namespaces (CONFIG_USER_NS); sbx needs a kernel that has them");
}

/* user.max_user_namespaces=0 (any distribution; hardening guides suggest
 * it): no user namespace at all below this one, for anybody.  The limit is
 * per user namespace, so inside a container it is the container's. */
static char *probe_max_user_namespaces(int err)
{
  if (err != ENOSPC && err != EPERM)
    return NULL;
  long max = read_sysctl(SYSCTL_MAX_USERNS);
  if (max == 0)
    return xstrdup("user namespaces are disabled (user.max_user_namespaces is 0 in " SYSCTL_MAX_USERNS
                   "); lift it with: sysctl -w user.max_user_namespaces=15000 (as root; make it permanent in "
                   "/etc/sysctl.d/)");
  if (err == ENOSPC && max > 0)
    return xasprintf("the limit of %ld user namespaces (user.max_user_namespaces) is reached; end some sandboxes "
                     "or raise it with: sysctl -w user.max_user_namespaces=%ld (as root)",
                     max, max * 2 > 15000 ? max * 2 : 15000);
  return NULL;
}

/* Debian's (and older Ubuntu's) patch: kernel.unprivileged_userns_clone=0
 * refuses user namespaces to callers without CAP_SYS_ADMIN. */
static char *probe_userns_clone(int err)
{
  if (err != EPERM || read_sysctl(SYSCTL_USERNS_CLONE) != 0)
    return NULL;
  return xstrdup("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone is 0 in " SYSCTL_USERNS_CLONE
                 "); lift it with: sysctl -w kernel.unprivileged_userns_clone=1 (as root; make it permanent in "
                 "/etc/sysctl.d/)");
}

/* The AppArmor remedy: sbx's own profile where the package installed it
 * (it grants `userns`), else the system-wide switch. */
static const char *apparmor_remedy(void)
{
  if (access(APPARMOR_PROFILE, R_OK) == 0)
    return "load sbx's AppArmor profile, which allows them: apparmor_parser -r " APPARMOR_PROFILE " (as root)";
  return "install sbx's AppArmor profile (apparmor/sbx in the source, to " APPARMOR_PROFILE
         ") or, system-wide: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (as root)";
}

/* Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns=1.  Programs
 * without an AppArmor profile granting `userns` either get EACCES/EPERM, or
 * (the default on 24.04) get the namespace but inside AppArmor's
 * "unprivileged_userns" profile, which denies every capability there: then
 * the failure shows up a moment later, at the first id-map write or mount
 * (ns_check_apparmor_confinement). */
static char *probe_apparmor(int err)
{
  if ((err != EPERM && err != EACCES) || read_sysctl(SYSCTL_APPARMOR) != 1)
    return NULL;
  return xasprintf("AppArmor restricts unprivileged user namespaces "
                   "(kernel.apparmor_restrict_unprivileged_userns is 1); %s",
                   apparmor_remedy());
}

/* A seccomp filter around sbx (a container runtime's default profile, a
 * systemd RestrictNamespaces=, a CI sandbox): the sysctls allow user
 * namespaces but the call fails with EPERM or ENOSYS.  Mode 2 in
 * /proc/self/status is "filtered". */
static char *probe_seccomp(int err)
{
  if (err != EPERM && err != ENOSYS)
    return NULL;
  if (!ns_seccomp_filtered())
    return NULL;
  return xasprintf("a seccomp filter around sbx refuses to create namespaces (%s; this process runs under a "
                   "filter: a container or a service with RestrictNamespaces=); lift it by allowing "
                   "clone/unshare with CLONE_NEWUSER there, e.g. run the container with --security-opt "
                   "seccomp=unconfined",
                   strerrorname_np(err) ? strerrorname_np(err) : strerror(err));
}

bool ns_seccomp_filtered(void)
{
  FILE *f = fopen("/proc/self/status", "re");
  if (!f)
    return false;
  char line[256];
  bool filtered = false;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "Seccomp:", 8) == 0)
      filtered = atoi(line + 8) == 2;
  fclose(f);
  return filtered;
}

char *ns_restriction_explain(int err)
{
  static char *(*const probes[])(int) = {
    probe_no_userns_support, probe_max_user_namespaces, probe_userns_clone, probe_apparmor, probe_seccomp,
  };
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    char *why = probes[i](err);
    if (why)
      return why;
  }
  return NULL;
}

int ns_explain_clone_failure(int err)
{
  _cleanup_free_ char *why = ns_restriction_explain(err);
  if (why)
    return log_fail(err, "can't create a user namespace: %s", why);
  return log_errno(err, "Creating new namespace failed (are unprivileged user namespaces allowed on this system?)");
}

bool ns_apparmor_confined(void)
{
  /* attr/apparmor/current since Linux 5.8; attr/current before (and it
   * then holds whichever LSM owns it). */
  _cleanup_free_ char *label = read_line("/proc/self/attr/apparmor/current");
  if (!label)
    label = read_line("/proc/self/attr/current");
  return label && strncmp(label, "unprivileged_userns", strlen("unprivileged_userns")) == 0;
}

char *ns_apparmor_confinement_explain(void)
{
  return xasprintf("AppArmor confines it to the \"unprivileged_userns\" profile, which denies every capability "
                   "in it (kernel.apparmor_restrict_unprivileged_userns is 1); %s",
                   apparmor_remedy());
}

int ns_check_apparmor_confinement(void)
{
  /* The switch first: one failed open on every kernel without it, where
   * the label can't be AppArmor's unprivileged_userns anyway. */
  if (read_sysctl(SYSCTL_APPARMOR) != 1 || !ns_apparmor_confined())
    return 0;
  _cleanup_free_ char *why = ns_apparmor_confinement_explain();
  return log_fail(EPERM, "can't set up the user namespace: %s", why);
}

/* ---- sbx --doctor: what this kernel lets sbx do, tried for real ---------
 * In a throw-away child, so that nothing it creates outlives the probe: the
 * namespaces and the mounts made in them end with the child. */

/* An errno for a call that failed, 0 for one that worked. */
static int outcome(long r)
{
  return r < 0 ? errno : 0;
}

/* Without a mount namespace to try them in (or after an earlier call
 * failed), the new mount API calls are only asked whether they exist: with
 * an invalid fd the kernel says EBADF (present) or ENOSYS (absent or
 * filtered); EPERM is what it says to a caller without CAP_SYS_ADMIN over
 * its mount namespace before it looks at the arguments, so that counts as
 * present too (a filter returning EPERM looks the same).  Fills in only
 * the calls still marked -1 (not tried). */
static void probe_mount_api_presence(struct kernel_probe *k)
{
  struct {
    int *field;
    long r;
  } calls[] = {
    { &k->open_tree, -1 }, { &k->move_mount, -1 }, { &k->mount_setattr, -1 },
    { &k->fsopen, -1 },    { &k->fsconfig, -1 },   { &k->fsmount, -1 },
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    if (*calls[i].field != -1)
      continue;
    errno = 0;
    switch (i) {
    case 0: calls[i].r = sys_open_tree(-1, "", 0); break;
    case 1: calls[i].r = sys_move_mount(-1, "", -1, "", 0); break;
    case 2: calls[i].r = sys_mount_setattr(-1, "", 0, 0, 0); break;
    case 3: calls[i].r = sys_fsopen("", 0); break;
    case 4: calls[i].r = sys_fsconfig(-1, 0, NULL, NULL, 0); break;
    default: calls[i].r = sys_fsmount(-1, 0, 0); break;
    }
    *calls[i].field = calls[i].r < 0 && errno == ENOSYS ? ENOSYS : KERNEL_PROBE_PRESENT;
  }
}

/* Each call as the engine makes it, inside the child's own mount
 * namespace (made private first, so that nothing propagates back): a tmpfs
 * through fsopen/fsconfig/fsmount, a recursive clone of / made read-only
 * with mount_setattr, and one of them attached with move_mount. */
static void probe_mount_api(struct kernel_probe *k)
{
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return; /* nothing may propagate back: only ask whether they exist */
  _cleanup_close_ int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
  k->fsopen = outcome(fs);
  k->fsconfig = fs < 0 ? -1 : outcome(sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
  _cleanup_close_ int mnt = k->fsconfig != 0 ? -1 : sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
  k->fsmount = k->fsconfig != 0 ? -1 : outcome(mnt);
  _cleanup_close_ int tree = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  k->open_tree = outcome(tree);
  k->mount_setattr = tree < 0 ? -1
                              : outcome(sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0));
  int from = mnt >= 0 ? mnt : tree;
  const char *to = access("/tmp", F_OK) == 0 ? "/tmp" : "/";
  k->move_mount = from < 0 ? -1 : outcome(sys_move_mount(from, "", AT_FDCWD, to, MOVE_MOUNT_F_EMPTY_PATH));
}

/* The child: a user namespace (as sbx makes one), its id maps, a mount
 * namespace, the mount API; results through `wr`. */
_noreturn_ static void probe_child(int wr)
{
  struct kernel_probe k = { .id_maps = -1, .mntns = -1, .open_tree = -1, .move_mount = -1, .mount_setattr = -1,
                            .fsopen = -1, .fsconfig = -1, .fsmount = -1 };
  char map[64];
  uid_t uid = geteuid();
  gid_t gid = getegid();

  k.userns = outcome(unshare(CLONE_NEWUSER));
  if (k.userns == 0) {
    k.apparmor_confined = ns_apparmor_confined();
    int r = write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny\n");
    snprintf(map, sizeof map, "0 %u 1\n", uid);
    if (r == 0 || r == -ENOENT)
      r = write_file_at(AT_FDCWD, "/proc/self/uid_map", map);
    snprintf(map, sizeof map, "0 %u 1\n", gid);
    if (r == 0)
      r = write_file_at(AT_FDCWD, "/proc/self/gid_map", map);
    k.id_maps = -r;
  }
  /* Root can do without the user namespace; anyone else needs its maps. */
  if (k.id_maps == 0 || (k.userns != 0 && uid == 0))
    k.mntns = outcome(unshare(CLONE_NEWNS));
  if (k.mntns == 0)
    probe_mount_api(&k);
  probe_mount_api_presence(&k); /* the calls not tried */
  errno = 0;
  _cleanup_close_ int o = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS);
  k.openat2 = outcome(o);
  _exit(write_all(wr, &k, sizeof k) < 0 ? 1 : 0);
}

int kernel_probe_run(struct kernel_probe *k)
{
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return log_errno(e, "fork");
  }
  if (pid == 0) {
    close(pipefd[0]);
    probe_child(pipefd[1]);
  }
  close(pipefd[1]);
  ssize_t n = RETRY(read(pipefd[0], k, sizeof *k));
  int e = errno;
  close(pipefd[0]);
  int status;
  if (RETRY(waitpid(pid, &status, 0)) < 0)
    return log_errno(errno, "waitpid");
  if (n != (ssize_t)sizeof *k)
    return log_fail(n < 0 ? e : EIO, "the kernel probe's child ended without a report");
  return 0;
}
