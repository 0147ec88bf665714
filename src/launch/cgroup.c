/* The sandbox's own cgroup: see cgroup.h. */
#include "launch/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "launch/cgroup-systemd.h"
#include "util/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How long the end of a sandbox may take to empty its cgroup once
 * cgroup.kill was written (the kernel kills synchronously; exiting takes a
 * moment on a loaded machine). */
#define CGROUP_EMPTY_TIMEOUT_MS 5000

void cgroup_scope_init(struct cgroup_scope *cg)
{
  memset(cg, 0, sizeof *cg);
  cg->dirfd = -1;
}

/* ---- finding the caller's cgroup -------------------------------------- */

/* The cgroup2 hierarchy's mount point and the root it shows, from
 * /proc/self/mountinfo (field 4 is the root within the file system, field
 * 5 the mount point, the fstype follows the " - ").  A hybrid host (this
 * one) mounts it at /sys/fs/cgroup/unified, a unified one at
 * /sys/fs/cgroup. */
static int find_cgroup2_mount(char **mnt, char **root)
{
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f)
    return -errno;
  char *line = NULL;
  size_t cap = 0;
  int r = -ENOENT;
  while (r < 0 && getline(&line, &cap, f) > 0) {
    char *dash = strstr(line, " - ");
    char rt[4096], mp[4096], type[64];
    if (!dash || sscanf(dash + 3, "%63s", type) != 1 || strcmp(type, "cgroup2") != 0)
      continue;
    if (sscanf(line, "%*s %*s %*s %4095s %4095s", rt, mp) != 2)
      continue;
    *mnt = xstrdup(mp); /* mount points with blanks (\040) are not ours to guess at */
    *root = xstrdup(rt);
    r = 0;
  }
  free(line);
  fclose(f);
  return r;
}

/* The "0::PATH" line of /proc/self/cgroup: the caller's cgroup v2. */
static int own_cgroup_path(char **out)
{
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f)
    return -errno;
  char *line = NULL;
  size_t cap = 0;
  int r = -ENOENT;
  while (r < 0 && getline(&line, &cap, f) > 0) {
    if (strncmp(line, "0::", 3) != 0)
      continue;
    line[strcspn(line, "\n")] = '\0';
    *out = xstrdup(line + 3);
    r = 0;
  }
  free(line);
  fclose(f);
  return r;
}

/* The caller's cgroup as a host path: the mount point plus the part of
 * the cgroup path below the mount's root. */
int cgroup_caller(char **out)
{
  _cleanup_free_ char *mnt = NULL, *root = NULL, *path = NULL;
  int r = find_cgroup2_mount(&mnt, &root);
  if (r < 0)
    return r;
  if ((r = own_cgroup_path(&path)) < 0)
    return r;
  const char *rel = path;
  size_t rl = strlen(root);
  if (strcmp(root, "/") != 0) {
    if (strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
      return -ENOENT; /* our cgroup is not below what is mounted */
    rel = path + rl;
  }
  *out = xasprintf("%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
  return 0;
}

/* Delegated: we may make children here and move processes between them.
 * systemd chowns the directory and its cgroup.procs (and
 * cgroup.subtree_control, cgroup.threads) to the user of a unit with
 * Delegate=yes; root's cgroups are root's.  Ownership, not access(2):
 * root may write anywhere while it has CAP_DAC_OVERRIDE, but the monitor
 * drops its capabilities before the sandbox ends, and removing the
 * cgroup then takes a parent that is root's by its mode bits. */
bool cgroup_is_delegated(const char *path)
{
  struct statfs sfs;
  struct stat dir, procs;
  _cleanup_free_ char *procs_path = xasprintf("%s/cgroup.procs", path);
  return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC && stat(path, &dir) == 0 &&
         stat(procs_path, &procs) == 0 && dir.st_uid == geteuid() && procs.st_uid == geteuid() &&
         (dir.st_mode & S_IWUSR) && (procs.st_mode & S_IWUSR) && access(path, W_OK) == 0;
}

/* ---- small file helpers ------------------------------------------------ */

static char *read_text_at(const char *dir, const char *file)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  _cleanup_close_ int fd = RETRY(open(path, O_RDONLY | O_CLOEXEC));
  char *text = NULL;
  size_t len;
  if (fd < 0 || read_all_fd(fd, &text, &len) < 0)
    return NULL;
  return text;
}

/* Is word one of the blank-separated words of list? */
static bool has_word(const char *list, const char *word)
{
  size_t n = strlen(word);
  for (const char *p = list; p && (p = strstr(p, word)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
      return true;
  return false;
}

int64_t cgroup_read_key(const char *path, const char *file, const char *key)
{
  _cleanup_free_ char *text = read_text_at(path, file);
  size_t n = strlen(key);
  for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
    if (strncmp(l, key, n) == 0 && l[n] == ' ')
      return strtoll(l + n + 1, NULL, 10);
  return -1;
}

int64_t cgroup_read_number(const char *path, const char *file)
{
  _cleanup_free_ char *text = read_text_at(path, file);
  if (!text || text[0] < '0' || text[0] > '9')
    return -1;
  return strtoll(text, NULL, 10);
}

static int events_key(const char *path, const char *key)
{
  int64_t v = cgroup_read_key(path, "cgroup.events", key);
  return v < 0 ? -ENOENT : (int)v;
}

int cgroup_populated_at(const char *path)
{
  return events_key(path, "populated");
}

int cgroup_frozen_at(const char *path)
{
  return events_key(path, "frozen");
}

/* Wait until cgroup.events has key == want: the kernel wakes pollers of
 * that file (POLLPRI) whenever it changes; the deadline bounds it. */
static int wait_events(const char *path, const char *key, int want, int timeout_ms)
{
  _cleanup_free_ char *ev = xasprintf("%s/cgroup.events", path);
  _cleanup_close_ int fd = RETRY(open(ev, O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  long long deadline = monotonic_ms() + timeout_ms;
  for (;;) {
    int v = events_key(path, key);
    if (v == -ENOENT && strcmp(key, "populated") == 0 && want == 0)
      return 0; /* removed meanwhile (by the sandbox's sbx): empty */
    if (v < 0 || v == want)
      return v < 0 ? v : 0;
    long long left = deadline - monotonic_ms();
    if (left <= 0)
      return -ETIMEDOUT;
    struct pollfd pfd = { .fd = fd, .events = POLLPRI };
    if (RETRY(poll(&pfd, 1, (int)(left < 100 ? left : 100))) < 0)
      return -errno;
  }
}

/* ---- the lifecycle of one cgroup --------------------------------------- */

/* Kill what is in it: cgroup.kill (5.14) kills every process at once,
 * including any forked meanwhile; older kernels get SIGKILL pid by pid,
 * which a forking app could outrun, so the loop repeats until empty. */
int cgroup_kill_at(const char *path, int timeout_ms)
{
  _cleanup_free_ char *kill_file = xasprintf("%s/cgroup.kill", path);
  _cleanup_close_ int fd = RETRY(open(kill_file, O_WRONLY | O_CLOEXEC));
  if (fd >= 0 && write_all(fd, "1", 1) == 0)
    return wait_events(path, "populated", 0, timeout_ms);
  for (int round = 0; round < 100 && cgroup_populated_at(path) > 0; round++) {
    _cleanup_free_ char *pids = read_text_at(path, "cgroup.procs");
    for (char *p = pids; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
      kill((pid_t)atoi(p), SIGKILL);
    int r = wait_events(path, "populated", 0, timeout_ms / 100 + 1);
    if (r == 0)
      return 0;
  }
  return cgroup_populated_at(path) == 0 ? 0 : -EBUSY;
}

int cgroup_freeze_at(const char *path, bool freeze, int timeout_ms)
{
  _cleanup_close_ int dfd = RETRY(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd < 0)
    return log_errno(errno, "Can't open %s", path);
  int r = write_file_at(dfd, "cgroup.freeze", freeze ? "1" : "0");
  if (r < 0)
    return log_errno(-r, "Can't write %s/cgroup.freeze (cgroup freezer: kernel 5.2 or later)", path);
  r = wait_events(path, "frozen", freeze ? 1 : 0, timeout_ms);
  if (r < 0)
    return log_errno(-r, "%s did not become %s", path, freeze ? "frozen" : "thawed");
  return 0;
}

/* sbx-NAME-PID or sbx-launcher-PID: the pid of the sbx that made it. */
static pid_t maker_of(const char *name)
{
  const char *dash = strrchr(name, '-');
  if (strncmp(name, "sbx-", 4) != 0 || !dash || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1))
    return 0;
  return (pid_t)atoi(dash + 1);
}

/* An sbx killed outright can't remove its cgroup.  One that is empty and
 * whose maker is gone is left over: remove it.  (A cgroup being made right
 * now is empty too, but its maker lives; a reused pid only keeps a stale
 * cgroup until the next sweep.) */
static void sweep_stale(const char *parent)
{
  DIR *d = opendir(parent);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    pid_t maker = maker_of(de->d_name);
    if (maker <= 0 || de->d_type != DT_DIR || (kill(maker, 0) == 0 || errno != ESRCH))
      continue;
    _cleanup_free_ char *path = xasprintf("%s/%s", parent, de->d_name);
    if (cgroup_populated_at(path) == 0 && rmdir(path) < 0 && errno != ENOENT && errno != EBUSY)
      log_errno(errno, "Can't remove the left-over cgroup %s", path);
  }
  if (d)
    closedir(d);
}

/* The controllers the limits need, each once, as "+memory +cpu": those the
 * parent has (avail, its cgroup.controllers; check_controllers made sure
 * that is all of them unless SBX_TEST_UNENFORCED_LIMITS said otherwise). */
static char *needed_controllers(const struct plan_cgroup *pc, const char *avail)
{
  struct buf b = { 0 };
  for (size_t i = 0; i < pc->n_limits; i++) {
    _cleanup_free_ char *w = xasprintf("+%s", pc->limits[i].controller);
    if (!avail || !has_word(avail, pc->limits[i].controller))
      continue;
    if (!b.s || !has_word(b.s, w))
      buf_printf(&b, "%s%s", b.n ? " " : "", w);
  }
  return b.s;
}

/* For tests/test-systemd.sh only, which has a real systemd user manager
 * but no controllers to give it (a hybrid host): a limit carried by
 * systemd without its controller gets a warning instead of an error, so
 * that the test can see the properties on the scope while the app runs.
 * Never set it otherwise: the limits are then not enforced. */
static bool unenforced_limits_ok(void)
{
  const char *v = getenv("SBX_TEST_UNENFORCED_LIMITS");
  return v && strcmp(v, "1") == 0;
}

/* A limit whose controller the caller's cgroup doesn't offer (its
 * cgroup.controllers) can't be had: say which and how to get it.  In a
 * scope systemd just made (by_systemd) the advice to run sbx in such a
 * scope would be no help: the user manager has no more than its own unit
 * is given. */
static int check_controllers(const struct plan_cgroup *pc, const char *parent, bool by_systemd)
{
  _cleanup_free_ char *avail = read_text_at(parent, "cgroup.controllers");
  for (size_t i = 0; i < pc->n_limits; i++) {
    const struct plan_limit *l = &pc->limits[i];
    if (avail && has_word(avail, l->controller))
      continue;
    if (avail)
      avail[strcspn(avail, "\n")] = '\0';
    if (by_systemd && unenforced_limits_ok()) {
      log_warn("warning: %s %s is NOT enforced: the scope %s has no \"%s\" controller (its cgroup.controllers: "
               "%s); going on as SBX_TEST_UNENFORCED_LIMITS says", l->directive, l->arg,
               strrchr(parent, '/') ? strrchr(parent, '/') + 1 : parent, l->controller, avail && *avail ? avail : "none");
      continue;
    }
    if (by_systemd)
      return log_fail(EOPNOTSUPP, "%s %s needs the cgroup controller \"%s\", which the systemd user manager did not "
                                  "delegate to the scope it made for sbx, %s (its cgroup.controllers: %s): a user "
                                  "manager has only the controllers its own unit is given (for user@.service, "
                                  "Delegate=%s in a drop-in: systemctl edit user@.service)",
                      l->directive, l->arg, l->controller, strrchr(parent, '/') ? strrchr(parent, '/') + 1 : parent,
                      avail && *avail ? avail : "none", l->controller);
    return log_fail(EOPNOTSUPP, "%s %s needs the cgroup controller \"%s\", which is not delegated to %s "
                                "(its cgroup.controllers: %s); run sbx where it is, e.g. in a systemd unit or scope "
                                "with Delegate=%s (systemd-run --user --scope -p Delegate=%s ...)",
                    l->directive, l->arg, l->controller, parent, avail && *avail ? avail : "none", l->controller,
                    l->controller);
  }
  return 0;
}

/* Does any process live in the cgroup at path itself (not its children)? */
static bool has_procs(const char *path)
{
  _cleanup_free_ char *procs = read_text_at(path, "cgroup.procs");
  return procs && *procs;
}

/* sbx leaves the caller's cgroup for a leaf of its own, sbx-launcher-PID. */
static int move_to_leaf(struct cgroup_scope *cg)
{
  cg->leaf = xasprintf("%s/sbx-launcher-%d", cg->parent, (int)getpid());
  if (mkdir(cg->leaf, 0755) < 0 && errno != EEXIST)
    return log_errno(errno, "Can't create %s", cg->leaf);
  _cleanup_close_ int lfd = RETRY(open(cg->leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int r = lfd < 0 ? -errno : write_file_at(lfd, "cgroup.procs", "0");
  if (r < 0)
    return log_errno(-r, "Can't move sbx into %s", cg->leaf);
  return 0;
}

/* The no-internal-processes rule: a cgroup that has processes can't hand
 * controllers to its children.  For the domain controllers (memory, io)
 * subtree_control says EBUSY; the threaded ones (pids, cpu) are enabled
 * all the same, but that makes the cgroup a thread root whose children
 * can't take a process (the clone into the sandbox's cgroup fails with
 * EOPNOTSUPP; seen in the qemu guest of tests/test-limits.sh).  So sbx
 * moves itself into a leaf of its own whenever processes live there, and
 * anything else living in the caller's cgroup (a shell) must be elsewhere
 * already. */
static int enable_controllers(struct cgroup_scope *cg, const char *want)
{
  _cleanup_free_ char *have = read_text_at(cg->parent, "cgroup.subtree_control");
  bool all = true;
  _cleanup_free_ char *copy = xstrdup(want);
  char *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
    all &= have && has_word(have, w + 1);
  if (all)
    return 0;
  _cleanup_close_ int pfd = RETRY(open(cg->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (pfd < 0)
    return log_errno(errno, "Can't open %s", cg->parent);
  int r = has_procs(cg->parent) ? move_to_leaf(cg) : 0;
  if (r < 0)
    return r;
  r = has_procs(cg->parent) ? -EBUSY : write_file_at(pfd, "cgroup.subtree_control", want);
  if (r == -EBUSY)
    return log_fail(EBUSY, "Can't enable %s in %s: other processes live in it (cgroup v2 gives controllers only to "
                           "cgroups without processes); start sbx from a cgroup of its own, e.g. "
                           "systemd-run --user --scope -p Delegate=yes sbx ...", want, cg->parent);
  if (r < 0)
    return log_errno(-r, "Can't enable %s in %s/cgroup.subtree_control", want, cg->parent);
  return 0;
}

static int write_limits(const struct cgroup_scope *cg, const struct plan_cgroup *pc)
{
  for (size_t i = 0; i < pc->n_limits; i++) {
    const struct plan_limit *l = &pc->limits[i];
    int r = write_file_at(cg->dirfd, l->file, l->value);
    if (r < 0)
      return log_errno(-r, "%s %s: can't write \"%s\" to %s/%s", l->directive, l->arg, l->value, cg->path, l->file);
  }
  return 0;
}

/* No cgroup to be had: fine without limits, an error with.  A sandbox
 * given a name (--name: the caller means to --stop or --freeze it) gets a
 * one-line notice; a profile's sandbox without one runs as it always did,
 * without a word on every start. */
static int no_cgroup(const struct plan_cgroup *pc, const char *why)
{
  if (pc->n_limits == 0) {
    if (pc->named)
      log_warn("notice: running without a cgroup of the sandbox's own (%s)", why);
    return 1;
  }
  const struct plan_limit *l = &pc->limits[0];
  return log_fail(EOPNOTSUPP, "%s %s needs the cgroup controller \"%s\", and %s; run sbx where a cgroup v2 is "
                              "delegated to you, e.g. in a systemd unit or scope with Delegate=%s "
                              "(systemd-run --user --scope -p Delegate=%s ...)",
                  l->directive, l->arg, l->controller, why, l->controller, l->controller);
}

/* The cgroupfs backend: a child of the caller's delegated cgroup. */
static bool cgroupfs_usable(struct cgroup_scope *cg, char **why)
{
  free(cg->parent);
  cg->parent = NULL;
  if (cgroup_caller(&cg->parent) < 0) {
    *why = xstrdup("no cgroup v2 hierarchy is mounted");
    return false;
  }
  if (!cgroup_is_delegated(cg->parent)) {
    *why = xasprintf("%s is not delegated to uid %u", cg->parent, (unsigned)getuid());
    return false;
  }
  return true;
}

/* The sandbox's cgroup sbx-NAME-PID in cg->parent, its limits' controllers
 * enabled for it (the limits, or with the systemd backend the accounting
 * --stats reads), and its limits written unless systemd carries them
 * (by_systemd: the scope has them as properties, cgroup-systemd.h). */
static int make_sandbox_cgroup(struct cgroup_scope *cg, const struct plan_cgroup *pc, bool by_systemd)
{
  sweep_stale(cg->parent);
  /* Everything that can fail for want of a controller fails before
   * anything is made. */
  int r = check_controllers(pc, cg->parent, by_systemd);
  if (r < 0)
    return r;
  _cleanup_free_ char *avail = read_text_at(cg->parent, "cgroup.controllers");
  _cleanup_free_ char *want = needed_controllers(pc, avail);
  if (want && (r = enable_controllers(cg, want)) < 0)
    return r;
  /* At most 255 bytes to a file name: the first 200 of the name do (the
   * registry keeps the whole name). */
  _cleanup_free_ char *path = xasprintf("%s/sbx-%.200s-%d", cg->parent, pc->name, (int)getpid());
  if (mkdir(path, 0755) < 0)
    return log_errno(errno, "Can't create the cgroup %s", path);
  cg->path = steal_ptr(&path);
  cg->dirfd = RETRY(open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cg->dirfd < 0)
    return log_errno(errno, "Can't open %s", cg->path);
  return by_systemd ? 0 : write_limits(cg, pc);
}

static int cgroupfs_create(struct cgroup_scope *cg, const struct plan_cgroup *pc)
{
  return make_sandbox_cgroup(cg, pc, false);
}

/* The systemd backend: where the caller's own cgroup is not delegated,
 * ask the user's service manager for a scope that is (cgroup-systemd.h),
 * then go on as cgroupfs does in it (tests/test-systemd.sh). */
static bool systemd_usable(struct cgroup_scope *cg, char **why)
{
  (void)cg;
  if (systemd_scope_possible())
    return true;
  *why = xstrdup("there is no user bus to ask systemd for a delegated scope");
  return false;
}

static int systemd_create(struct cgroup_scope *cg, const struct plan_cgroup *pc)
{
  _cleanup_free_ char *why = NULL;
  int r = systemd_enter_scope(pc, &why);
  if (r == -ENOTCONN || r == -ENOSYS) {
    _cleanup_free_ char *both = cg->parent ? xasprintf("%s is not delegated to uid %u, and %s", cg->parent,
                                                       (unsigned)getuid(), why) : NULL;
    return no_cgroup(pc, both ? both : why);
  }
  if (r < 0)
    return r;
  if (!cgroupfs_usable(cg, &why))
    return log_fail(EPERM, "systemd made a scope for sbx, but %s", why);
  /* systemd applies the limits to the scope only where it has their
   * controllers, and says nothing where it hasn't: that is checked here,
   * before anything runs (sbx leaving, the empty scope goes). */
  return make_sandbox_cgroup(cg, pc, true);
}

static void cgroupfs_destroy(struct cgroup_scope *cg)
{
  if (cg->dirfd >= 0)
    close(cg->dirfd);
  cg->dirfd = -1;
  if (!cg->path)
    return;
  /* The app is gone; anything it left running (no pid namespace for a
   * bubblewrap-style sandbox) goes with the cgroup. */
  if (cgroup_populated_at(cg->path) > 0 && cgroup_kill_at(cg->path, CGROUP_EMPTY_TIMEOUT_MS) < 0)
    log_warn("processes of the sandbox were still in %s after it ended", cg->path);
  if (rmdir(cg->path) < 0 && errno != ENOENT)
    log_errno(errno, "Can't remove the cgroup %s", cg->path);
  /* The leaf sbx moved itself into stays until sbx exits (a process can't
   * leave a cgroup for one whose subtree_control is set): the next sbx
   * sweeps it. */
}

/* The backends, tried in order (crun's shape): the caller's own delegated
 * cgroup first (it may be a scope or service its systemd delegated
 * already); else a delegated scope from the user's systemd. */
static const struct cgroup_backend {
  const char *name;
  bool (*usable)(struct cgroup_scope *cg, char **why);
  int (*create)(struct cgroup_scope *cg, const struct plan_cgroup *pc);
  void (*destroy)(struct cgroup_scope *cg);
} backends[] = {
  { "cgroupfs", cgroupfs_usable, cgroupfs_create, cgroupfs_destroy },
  { "systemd", systemd_usable, systemd_create, cgroupfs_destroy },
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

int cgroup_start(struct cgroup_scope *cg, const struct plan_cgroup *pc)
{
  struct buf why = { 0 };
  int r = 1;
  size_t i;
  for (i = 0; i < N_BACKENDS; i++) {
    _cleanup_free_ char *w = NULL;
    if (backends[i].usable(cg, &w))
      break;
    buf_printf(&why, "%s%s", why.n ? ", and " : "", w);
  }
  if (i < N_BACKENDS)
    r = backends[i].create(cg, pc);
  else
    r = no_cgroup(pc, why.s);
  buf_free(&why);
  if (r < 0)
    cgroup_stop(cg);
  return r;
}

void cgroup_stop(struct cgroup_scope *cg)
{
  cgroupfs_destroy(cg); /* every backend's cgroup is cgroupfs's to remove */
  free(cg->path);
  free(cg->parent);
  free(cg->leaf);
  cgroup_scope_init(cg);
}

void cgroup_explain(struct plan_cgroup *pc)
{
  _cleanup_free_ char *parent = NULL;
  free(pc->where);
  if (cgroup_caller(&parent) < 0) {
    pc->where = xstrdup("none: no cgroup v2 hierarchy is mounted");
  } else if (!cgroup_is_delegated(parent) && systemd_scope_possible()) {
    _cleanup_free_ char *props = systemd_limits_text(pc);
    pc->where = xasprintf("%s is not delegated to uid %u: sbx would ask the systemd user manager for a scope "
                          "app-sbx-%s-PID.scope (Delegate=yes) and make sbx-%s-PID in it%s%s%s", parent,
                          (unsigned)getuid(), pc->name, pc->name,
                          props ? "; systemd would carry the limits, as properties of the scope: " : "",
                          props ? props : "", props ? " (sbx writes none of the files below then)" : "");
  } else if (!cgroup_is_delegated(parent)) {
    pc->where = xasprintf("none: %s is not delegated to uid %u, and there is no user bus to ask systemd for a "
                          "scope%s", parent, (unsigned)getuid(), pc->n_limits ? " (the limits below would FAIL)" : "");
  } else {
    _cleanup_free_ char *avail = read_text_at(parent, "cgroup.controllers");
    if (avail)
      avail[strcspn(avail, "\n")] = '\0';
    struct buf missing = { 0 };
    for (size_t i = 0; i < pc->n_limits; i++)
      if ((!avail || !has_word(avail, pc->limits[i].controller)) && !(missing.s && has_word(missing.s, pc->limits[i].controller)))
        buf_printf(&missing, "%s%s", missing.n ? " " : "", pc->limits[i].controller);
    pc->where = xasprintf("%s/sbx-%s-PID (cgroupfs; PID is sbx's; delegated controllers: %s)%s%s%s", parent, pc->name,
                          avail && *avail ? avail : "none", missing.s ? "; NOT delegated, the limits would FAIL: " : "",
                          missing.s ? missing.s : "", "");
    buf_free(&missing);
  }
}
