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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
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

int ns_check_apparmor_confinement(void)
{
  if (!ns_apparmor_confined())
    return 0;
  return log_fail(EPERM, "can't set up the user namespace: AppArmor confines it to the \"unprivileged_userns\" "
                        "profile, which denies every capability in it "
                        "(kernel.apparmor_restrict_unprivileged_userns is 1); %s",
                  apparmor_remedy());
}
