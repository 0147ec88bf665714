/* sbx --doctor (see doctor.h).  One function per probe; each adds one line
 * to the report: ok, missing (not on this machine) or restricted (there,
 * but refused to sbx), with what was found and, when not ok, what it costs
 * in words. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "doctor/doctor.h"
#include "engine/engine.h"
#include "launch/cgroup.h"
#include "launch/dbus-proxy.h"
#include "launch/wayland.h"
#include "util/util.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

enum state { OK, MISSING, RESTRICTED };
static const char *const state_names[] = { "ok", "missing", "restricted" };

struct item {
  const char *key;         /* JSON member */
  const char *title;       /* table column */
  enum state state;
  char *detail;            /* what was found */
  const char *consequence; /* what it costs; NULL when ok */
  int number;              /* a value of the item's own (Landlock ABI), or -1 */
};

struct report {
  struct item *items;
  size_t n, cap;
  bool root;
};

static void add(struct report *r, const char *key, const char *title, enum state st, char *detail,
                const char *consequence)
{
  *ARRAY_PUSH(r->items, r->n, r->cap) =
    (struct item){ key, title, st, detail, st == OK ? NULL : consequence, -1 };
}

static char *errno_text(int e)
{
  const char *name = strerrorname_np(e);
  return xasprintf("%s (%s)", name ? name : "?", strerror(e));
}

/* ---- the kernel ---------------------------------------------------------- */

static void probe_userns(struct report *r, const struct kernel_probe *k)
{
  const char *cost = r->root ? "root's bubblewrap-style sandboxes without --unshare-user still start; "
                               "--unshare-user and profile sandboxes fail"
                             : "no sandbox can start: sbx needs a user namespace for an unprivileged user";
  if (k->userns != 0) {
    char *why = ns_restriction_explain(k->userns);
    bool absent = k->userns == EINVAL && access("/proc/self/ns/user", F_OK) < 0;
    add(r, "user_namespaces", "user namespaces", absent ? MISSING : RESTRICTED,
        why ? why : xasprintf("unshare(CLONE_NEWUSER): %s", strerror(k->userns)), cost);
  } else if (k->apparmor_confined) {
    _cleanup_free_ char *why = ns_apparmor_confinement_explain();
    add(r, "user_namespaces", "user namespaces", RESTRICTED, xasprintf("created, but %s", why), cost);
  } else if (k->id_maps != 0) {
    add(r, "user_namespaces", "user namespaces", RESTRICTED,
        xasprintf("created, but its uid/gid maps can't be written: %s", strerror(k->id_maps)), cost);
  } else {
    add(r, "user_namespaces", "user namespaces", OK,
        xstrdup(r->root ? "work" : "work for unprivileged users"), NULL);
  }
}

/* One line per call of the new mount API: what the engine falls back to
 * without it (mount(2), always there) is the cost. */
static void probe_mount_call(struct report *r, const struct kernel_probe *k, const char *name,
                             const char *title, int outcome, const char *cost)
{
  enum state st = outcome == 0 || outcome == KERNEL_PROBE_PRESENT ? OK : outcome == ENOSYS ? MISSING : RESTRICTED;
  char *detail;
  if (outcome == 0)
    detail = xstrdup("works");
  else if (outcome == KERNEL_PROBE_PRESENT)
    detail = xstrdup(k->mntns == 0 ? "present (not tried: an earlier call it needs failed)"
                                   : "present (not tried: no mount namespace to try it in)");
  else if (outcome == ENOSYS && ns_seccomp_filtered())
    detail = xasprintf("%s: this kernel lacks it, or a seccomp filter around sbx refuses it", strerrorname_np(outcome));
  else if (outcome == ENOSYS)
    detail = xstrdup("ENOSYS: this kernel lacks it");
  else
    detail = xasprintf("refused: %s", strerror(outcome));
  add(r, name, title, st, detail, cost);
}

static void probe_mount_api(struct report *r, const struct kernel_probe *k)
{
  probe_mount_call(r, k, "open_tree", "mount API: open_tree", k->open_tree,
                   "binds are made with mount(2) MS_BIND instead: the same sandbox, a slower setup");
  probe_mount_call(r, k, "move_mount", "mount API: move_mount", k->move_mount,
                   "every mount of the new API is unusable; sbx mounts with mount(2) instead (same sandbox, slower)");
  probe_mount_call(r, k, "mount_setattr", "mount API: mount_setattr", k->mount_setattr,
                   "read-only binds are remounted one submount at a time with mount(2) (same result, slower)");
  probe_mount_call(r, k, "fsopen", "mount API: fsopen", k->fsopen, "tmpfs, proc and mqueue are mounted with mount(2) instead");
  probe_mount_call(r, k, "fsconfig", "mount API: fsconfig", k->fsconfig, "tmpfs, proc and mqueue are mounted with mount(2) instead");
  probe_mount_call(r, k, "fsmount", "mount API: fsmount", k->fsmount, "tmpfs, proc and mqueue are mounted with mount(2) instead");
}

static void probe_openat2(struct report *r, const struct kernel_probe *k)
{
  const char *cost = "paths inside the new root are resolved by sbx's own component walk: as safe, more system calls";
  if (k->openat2 == 0)
    add(r, "openat2", "openat2", OK, xstrdup("works (RESOLVE_NO_SYMLINKS)"), NULL);
  else
    add(r, "openat2", "openat2", k->openat2 == ENOSYS ? MISSING : RESTRICTED, errno_text(k->openat2), cost);
}

static void probe_landlock(struct report *r)
{
  const char *cost = "profiles' filesystem and port rules are not enforced: a warning, or a failure where a "
                     "profile requires Landlock";
  int abi = landlock_abi();
  if (abi > 0)
    add(r, "landlock", "Landlock", OK, xasprintf("ABI %d", abi), NULL);
  else if (abi == -EOPNOTSUPP)
    add(r, "landlock", "Landlock", RESTRICTED,
        xstrdup("built in but not enabled: add landlock to the lsm= kernel parameter"), cost);
  else if (abi == -ENOSYS && ns_seccomp_filtered())
    add(r, "landlock", "Landlock", MISSING,
        xstrdup("ENOSYS: this kernel lacks it (5.13+), or a seccomp filter around sbx refuses it"), cost);
  else
    add(r, "landlock", "Landlock", abi == -ENOSYS ? MISSING : RESTRICTED, errno_text(-abi), cost);
  r->items[r->n - 1].number = abi > 0 ? abi : 0;
}

static void probe_seccomp(struct report *r)
{
  const char *cost = "no system call filter: the syscall-* directives, --seccomp and --add-seccomp-fd fail";
  unsigned action = SECCOMP_RET_ERRNO;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
    int e = errno;
    add(r, "seccomp", "seccomp", e == ENOSYS || e == EINVAL ? MISSING : RESTRICTED, errno_text(e), cost);
    return;
  }
  add(r, "seccomp", "seccomp", OK,
      xstrdup(ns_seccomp_filtered() ? "works; sbx itself runs under a filter (a container?), which its "
                                      "sandboxes inherit"
                                    : "works"),
      NULL);
}

/* ---- cgroups and the service manager ------------------------------------- */

static void probe_cgroups(struct report *r)
{
  const char *cost = "resource limits (memory, cpu, pids) can't be applied to sandboxes";
  struct statfs sf;
  if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
    bool hybrid = statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
    add(r, "cgroup2", "cgroup v2", MISSING,
        xstrdup(hybrid ? "hybrid hierarchy: v1 controllers, cgroup v2 only at /sys/fs/cgroup/unified (no "
                         "controllers there); boot with systemd.unified_cgroup_hierarchy=1"
                       : "/sys/fs/cgroup is not cgroup v2 (cgroup v1)"),
        cost);
    /* Every report has the same lines. */
    add(r, "cgroup_delegation", "cgroup delegation", MISSING, xstrdup("no cgroup v2"), cost);
    add(r, "cgroup_controllers", "cgroup controllers", MISSING, xstrdup("no cgroup v2"), cost);
    return;
  }
  add(r, "cgroup2", "cgroup v2", OK, xstrdup("mounted at /sys/fs/cgroup"), NULL);

  /* The same look-up and test cgroup_start makes. */
  _cleanup_free_ char *dir = NULL;
  if (cgroup_caller(&dir) < 0)
    add(r, "cgroup_delegation", "cgroup delegation", MISSING, xstrdup("no cgroup v2 entry in /proc/self/cgroup"),
        "limits need a scope from the service manager");
  else if (cgroup_is_delegated(dir))
    add(r, "cgroup_delegation", "cgroup delegation", OK, xasprintf("%s is delegated to this user", dir), NULL);
  else
    add(r, "cgroup_delegation", "cgroup delegation", RESTRICTED,
        xasprintf("%s is not delegated to this user (not owned by it, or not writable)", dir),
        "limits need a transient scope from the systemd user manager");
  if (!dir)
    dir = xstrdup("/sys/fs/cgroup");

  _cleanup_free_ char *ctl_path = xasprintf("%s/cgroup.controllers", dir);
  _cleanup_close_ int fd = RETRY(open(ctl_path, O_RDONLY | O_CLOEXEC));
  _cleanup_free_ char *ctl = NULL;
  size_t len = 0;
  if (fd < 0 || read_all_fd(fd, &ctl, &len) < 0) {
    add(r, "cgroup_controllers", "cgroup controllers", MISSING, xasprintf("%s: %s", ctl_path, strerror(errno)), cost);
    return;
  }
  ctl[strcspn(ctl, "\n")] = '\0';
  _cleanup_buf_ struct buf missing = { 0 };
  static const char *const wanted[] = { "memory", "cpu", "pids" };
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
    _cleanup_free_ char *spaced = xasprintf(" %s ", ctl), *w = xasprintf(" %s ", wanted[i]);
    if (!strstr(spaced, w))
      buf_printf(&missing, "%s%s", missing.n ? ", " : "", wanted[i]);
  }
  if (missing.n == 0)
    add(r, "cgroup_controllers", "cgroup controllers", OK, xasprintf("%s", ctl), NULL);
  else
    add(r, "cgroup_controllers", "cgroup controllers", RESTRICTED,
        xasprintf("available: %s; not: %s", *ctl ? ctl : "none", missing.s),
        "limits on the controllers not available can't be applied");
}

static void probe_systemd(struct report *r)
{
  const char *cost = "no transient scope per sandbox: limits only in a cgroup already delegated to this user";
  if (r->root) {
    bool ok = is_socket("/run/systemd/private");
    add(r, "systemd_manager", "systemd manager", ok ? OK : MISSING,
        xstrdup(ok ? "the system manager at /run/systemd/private" : "no /run/systemd/private"), cost);
    return;
  }
  const char *rt = getenv("XDG_RUNTIME_DIR");
  _cleanup_free_ char *priv = rt ? xasprintf("%s/systemd/private", rt) : NULL;
  const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
  if (priv && is_socket(priv))
    add(r, "systemd_manager", "systemd user manager", OK, xasprintf("its socket at %s", priv), NULL);
  else if (bus && *bus)
    add(r, "systemd_manager", "systemd user manager", OK,
        xasprintf("no %s; reachable through the session bus", priv ? priv : "$XDG_RUNTIME_DIR/systemd/private"),
        NULL);
  else
    add(r, "systemd_manager", "systemd user manager", MISSING,
        xstrdup(rt ? "no $XDG_RUNTIME_DIR/systemd/private and no session bus" : "no XDG_RUNTIME_DIR"), cost);
}

/* ---- helpers and desktop services ---------------------------------------- */

/* The first executable NAME in $PATH, or NULL. */
static char *find_in_path(const char *name)
{
  const char *env = getenv("PATH");
  _cleanup_free_ char *search = xstrdup(env && *env ? env : "/usr/bin:/bin");
  for (char *save = NULL, *dir = strtok_r(search, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *candidate = xasprintf("%s/%s", dir, name);
    if (access(candidate, X_OK) == 0)
      return steal_ptr(&candidate);
  }
  return NULL;
}

static void probe_helpers(struct report *r)
{
  char *proxy = dbus_proxy_find_binary(getenv("PATH"));
  add(r, "xdg_dbus_proxy", "xdg-dbus-proxy", proxy ? OK : MISSING, proxy ? proxy : xstrdup("not found"),
      "sandboxes whose profile filters D-Bus get no session bus (install xdg-dbus-proxy)");

  static const char *const nets[] = { "pasta", "slirp4netns" };
  char *found = NULL;
  for (size_t i = 0; !found && i < sizeof nets / sizeof nets[0]; i++)
    found = find_in_path(nets[i]);
  add(r, "user_network", "pasta / slirp4netns", found ? OK : MISSING, found ? found : xstrdup("neither found"),
      "a sandbox can share the host's network or have none, nothing of its own in between (install passt "
      "or slirp4netns)");
}

/* The compositor's socket: $WAYLAND_DISPLAY, absolute or in the runtime
 * directory; NULL when there is none to ask. */
static char *wayland_socket_path(void)
{
  const char *display = getenv("WAYLAND_DISPLAY");
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (!display || !*display)
    return NULL;
  if (display[0] == '/')
    return xstrdup(display);
  return rt ? xasprintf("%s/%s", rt, display) : NULL;
}

static int connect_unix(const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path)
    return -ENAMETOOLONG;
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (RETRY(connect(fd, (struct sockaddr *)&sa, sizeof sa)) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

static void probe_wayland(struct report *r)
{
  const char *none = "sandboxed apps get no Wayland (X11 or nothing)";
  _cleanup_free_ char *path = wayland_socket_path();
  if (!path) {
    add(r, "wayland", "Wayland security context", MISSING, xstrdup("no compositor in this session (WAYLAND_DISPLAY)"),
        none);
    return;
  }
  int fd = connect_unix(path);
  if (fd < 0) {
    add(r, "wayland", "Wayland security context", MISSING, xasprintf("%s: %s", path, strerror(-fd)), none);
    return;
  }
  struct wayland_wire ww;
  struct wayland_globals g = { 0 };
  wayland_wire_init(&ww, fd, WAYLAND_TIMEOUT_MS);
  int e = wayland_wire_globals(&ww, &g);
  close(fd);
  if (e < 0)
    add(r, "wayland", "Wayland security context", MISSING, xasprintf("%s: %s", path, ww.error), none);
  else if (g.offered)
    add(r, "wayland", "Wayland security context", OK,
        xasprintf("the compositor offers wp_security_context_v1 (version %u)", g.manager_version), NULL);
  else
    add(r, "wayland", "Wayland security context", RESTRICTED,
        xstrdup("the compositor does not offer wp_security_context_v1"),
        "sandboxes get the compositor's own socket, untagged: it can't tell them from other clients");
}

static void probe_docportal(struct report *r)
{
  const char *cost = "files chosen through the portal's file chooser are not reachable inside sandboxes";
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (!rt) {
    add(r, "document_portal", "document portal", MISSING, xstrdup("no XDG_RUNTIME_DIR"), cost);
    return;
  }
  _cleanup_free_ char *doc = xasprintf("%s/doc", rt);
  struct statfs sf;
  if (statfs(doc, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC)
    add(r, "document_portal", "document portal", OK, xasprintf("mounted at %s", doc), NULL);
  else
    add(r, "document_portal", "document portal", MISSING, xasprintf("no FUSE mount at %s", doc), cost);
}

/* ---- output -------------------------------------------------------------- */

static void print_json(FILE *f, const struct report *r)
{
  fprintf(f, "{\n  \"version\": \"%s\",\n  \"checks\": {\n", PACKAGE_VERSION);
  for (size_t i = 0; i < r->n; i++) {
    const struct item *it = &r->items[i];
    fprintf(f, "    \"%s\": {\"state\": \"%s\", \"detail\": ", it->key, state_names[it->state]);
    json_write_str(f, it->detail);
    fputs(", \"consequence\": ", f);
    json_write_str(f, it->consequence);
    if (it->number >= 0)
      fprintf(f, ", \"abi\": %d", it->number);
    fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
  }
  fputs("  }\n}\n", f);
}

static void print_text(FILE *f, const struct report *r)
{
  fprintf(f, "sbx %s: what this machine supports%s\n", PACKAGE_VERSION, r->root ? " (as root)" : "");
  for (size_t i = 0; i < r->n; i++) {
    const struct item *it = &r->items[i];
    fprintf(f, "%-10s  %-26s  %s%s%s\n", state_names[it->state], it->title, it->detail,
            it->consequence ? ". Without it: " : "", it->consequence ? it->consequence : "");
  }
}

int doctor_run(bool json)
{
  struct report r = { .root = geteuid() == 0 };
  struct kernel_probe k;
  if (kernel_probe_run(&k) < 0)
    return 1;
  probe_userns(&r, &k);
  probe_mount_api(&r, &k);
  probe_openat2(&r, &k);
  probe_landlock(&r);
  probe_seccomp(&r);
  probe_cgroups(&r);
  probe_systemd(&r);
  probe_helpers(&r);
  probe_wayland(&r);
  probe_docportal(&r);
  if (json)
    print_json(stdout, &r);
  else
    print_text(stdout, &r);
  for (size_t i = 0; i < r.n; i++)
    free(r.items[i].detail);
  free(r.items);
  return fflush(stdout) == 0 ? 0 : 1;
}
