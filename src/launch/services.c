/* Side services: see services.h for what, when and where. */
#include "launch/services.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "launch/dbus-proxy.h"
#include "desktop/wayland.h"
#include "plan/plan.h"
#include "util/util.h"

static char *new_instance_id(void)
{
  uint64_t id = 0;
  if (getrandom(&id, sizeof id, 0) != sizeof id) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    id = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
  }
  /* Never 0, never with fewer than 10 digits (Flatpak's ids look alike). */
  id = id % 9000000000000000000ULL + 1000000000ULL;
  return xasprintf("%" PRIu64, id);
}

struct services *services_get(struct plan *p, const char *host_runtime_dir)
{
  if (p->services)
    return p->services;
  struct services *s = xcalloc(1, sizeof *s);
  s->proxy_pidfd = -1;
  s->sync_rd = -1;
  s->ready_rd = -1;
  s->info_fd = -1;
  s->lock_fd = -1;
  s->instance_id = new_instance_id();
  if (host_runtime_dir) {
    s->runtime_parent = xasprintf("%s/sbx", host_runtime_dir);
    s->runtime_dir = xasprintf("%s/%s", s->runtime_parent, s->instance_id);
    s->flatpak_parent = xasprintf("%s/.flatpak", host_runtime_dir);
    s->flatpak_dir = xasprintf("%s/%s", s->flatpak_parent, s->instance_id);
  } else {
    /* mkdtemp's recipe with the name fixed now: an unguessable name and a
     * mkdir that fails if anything is already there. */
    s->runtime_dir = xasprintf("/tmp/sbx-%u-%s", (unsigned)getuid(), s->instance_id);
  }
  return p->services = s;
}

struct service_bus *services_add_bus(struct services *s, bool system, const char *address)
{
  struct service_bus *b = &s->buses[s->n_buses++];
  memset(b, 0, sizeof *b);
  b->system = system;
  b->address = xstrdup(address);
  /* Each socket has the name it has inside, where its directory is bound
   * (desktop/dbus.c). */
  b->subdir = system ? "system-bus" : "session-bus";
  b->dir = xasprintf("%s/%s", s->runtime_dir, b->subdir);
  b->socket = xasprintf("%s/%s", b->dir, system ? "system_bus_socket" : "bus");
  return b;
}

void service_bus_add_rule(struct service_bus *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *rule = xvasprintf(fmt, ap);
  va_end(ap);
  b->rules = xrealloc(b->rules, (b->n_rules + 2) * sizeof(char *));
  b->rules[b->n_rules++] = rule;
  b->rules[b->n_rules] = NULL;
}

/* ---- instance directories ------------------------------------------- */

/* Open a parent of instance directories without following a symlink there
 * ($XDG_RUNTIME_DIR itself is the session's and trusted).  owned: it is one
 * of ours (sbx/, .flatpak/): created 0700 if missing (create), and it must
 * belong to us and be writable by nobody else.  /tmp is not owned. */
static int open_parent(const char *parent, bool owned, bool create)
{
  if (create && mkdir(parent, 0700) < 0 && errno != EEXIST)
    return log_errno(errno, "Can't create %s", parent);
  int fd = RETRY(open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  struct stat st;
  if (owned && (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 022))) {
    close(fd);
    return log_fail(EPERM, "%s is not a directory of uid %u that only it can write; refusing to use it", parent,
                    (unsigned)getuid());
  }
  return fd;
}

/* parent/name, made with mkdir(2), which fails on anything already there
 * (symlinks included).  Returns an fd on the new directory. */
static int make_instance_dir(const char *parent, bool owned, const char *name)
{
  _cleanup_close_ int pfd = open_parent(parent, owned, true);
  if (pfd < 0)
    return pfd == -EPERM ? pfd : log_errno(-pfd, "Can't open %s", parent);
  if (mkdirat(pfd, name, 0700) < 0)
    return log_errno(errno, "Can't create the instance directory %s/%s", parent, name);
  int fd = RETRY(openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open %s/%s", parent, name);
  return fd;
}

/* Everything we put in an instance directory is a plain entry at its top
 * (files, sockets) or in a directory there (a bus's socket), so two levels
 * of unlinkat are all it takes.  Every step is relative to a directory fd
 * opened without following symlinks, so a symlink planted in the runtime
 * dir can't point the removal elsewhere. */
static void remove_dir_at(int pfd, const char *parent, const char *name, int depth)
{
  int fd = RETRY(openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0) {
    if (errno != ENOENT)
      log_errno(errno, "Can't open %s/%s to remove it", parent, name);
    return;
  }
  _cleanup_free_ char *path = xasprintf("%s/%s", parent, name);
  int dfd = dup(fd);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d && dfd >= 0)
    close(dfd);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
      continue;
    if (errno == EISDIR && depth > 1)
      remove_dir_at(fd, path, de->d_name, depth - 1);
    else
      log_errno(errno, "Can't remove %s/%s", path, de->d_name);
  }
  if (d)
    closedir(d);
  close(fd);
  if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    log_errno(errno, "Can't remove %s/%s", parent, name);
}

static void remove_instance_dir_at(int pfd, const char *parent, const char *name)
{
  remove_dir_at(pfd, parent, name, 2);
}

static void remove_instance_dir(const char *parent, bool owned, const char *name)
{
  _cleanup_close_ int pfd = open_parent(parent, owned, false);
  if (pfd >= 0)
    remove_instance_dir_at(pfd, parent, name);
}

static bool all_digits(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

/* An sbx killed outright (SIGKILL, or --die-with-parent when its parent
 * died) can't clean up; its proxy dies with it, its files stay.  Each live
 * instance holds an flock on sbx/ID/lock (the monitor, and the sandbox's
 * pid 1, which inherits the fd), so an instance whose lock can be taken is
 * gone: remove its directories.  A directory without a lock file is being
 * created right now and is left alone. */
static void remove_stale_instances(const struct services *s)
{
  _cleanup_close_ int pfd = open_parent(s->runtime_parent, true, false);
  if (pfd < 0)
    return;
  int dfd = dup(pfd);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    if (dfd >= 0)
      close(dfd);
    return;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!all_digits(de->d_name))
      continue;
    _cleanup_close_ int ifd = RETRY(openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (ifd < 0)
      continue;
    _cleanup_close_ int lfd = RETRY(openat(ifd, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)
      continue;
    if (s->flatpak_parent)
      remove_instance_dir(s->flatpak_parent, true, de->d_name);
    remove_instance_dir_at(pfd, s->runtime_parent, de->d_name);
  }
  closedir(d);
}

/* The lock that says "this instance is alive" (see above).  It only gets
 * its name once it is locked: a "lock" that exists unlocked for a moment
 * would let a concurrent sbx take it and sweep this live instance. */
static int take_instance_lock(struct services *s, int dirfd)
{
  _cleanup_close_ int fd = RETRY(openat(dirfd, "lock.new", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd < 0)
    return log_errno(errno, "Can't create %s/lock.new", s->runtime_dir);
  if (flock(fd, LOCK_EX) < 0)
    return log_errno(errno, "Can't lock %s/lock.new", s->runtime_dir);
  if (renameat(dirfd, "lock.new", dirfd, "lock") < 0)
    return log_errno(errno, "Can't rename %s/lock.new", s->runtime_dir);
  s->lock_fd = fd;
  fd = -1;
  return 0;
}

static int write_flatpak_files(struct services *s, struct plan *p, int dfd)
{
  _cleanup_close_ int fd = RETRY(openat(dfd, "info", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd < 0)
    return log_errno(errno, "Can't create %s/info", s->flatpak_dir);
  int r = write_all(fd, s->app_info, s->app_info_len);
  if (r < 0)
    return log_errno(-r, "Can't write %s/info", s->flatpak_dir);
  if (p->info_fd >= 0)
    return 0; /* the caller's --info-fd takes the JSON; noted by --explain */
  /* The monitor writes --info-fd's JSON (child-pid, namespaces) here. */
  int info = RETRY(openat(dfd, "bwrapinfo.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (info < 0)
    return log_errno(errno, "Can't create %s/bwrapinfo.json", s->flatpak_dir);
  struct stat st;
  fstat(info, &st);
  s->info_fd = p->info_fd = info;
  s->info_dev = st.st_dev;
  s->info_ino = st.st_ino;
  return 0;
}

/* sbx_run closes the fds it was given at some point, and we cannot tell
 * from here whether it got that far; close ours only if the number still
 * names the very file we opened. */
static void close_if_ours(int *fd, dev_t dev, ino_t ino)
{
  struct stat st;
  if (*fd >= 0 && fstat(*fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
    close(*fd);
  *fd = -1;
}

/* $XDG_RUNTIME_DIR/sbx, or /tmp for the fallback /tmp/sbx-UID-ID. */
static const char *runtime_parent_of(const struct services *s)
{
  return s->runtime_parent ? s->runtime_parent : "/tmp";
}

/* ---- start / stop ----------------------------------------------------- */

static void undo(struct services *s, struct plan *p)
{
  if (s->ready_rd >= 0) {
    if (p->ready_fd == s->ready_rd)
      p->ready_fd = -1;
    close_if_ours(&s->ready_rd, s->ready_dev, s->ready_ino);
  }
  if (s->sync_rd >= 0) {
    if (p->sync_fd == s->sync_rd)
      p->sync_fd = -1;
    close_if_ours(&s->sync_rd, s->sync_dev, s->sync_ino);
  }
  if (s->info_fd >= 0) {
    if (p->info_fd == s->info_fd)
      p->info_fd = -1;
    close_if_ours(&s->info_fd, s->info_dev, s->info_ino);
  }
  /* With its pipe's read end gone the proxy exits by itself (and with the
   * sync pipe's the compositor stops accepting on our Wayland socket). */
  dbus_proxy_reap(s);
  wayland_disconnect(s->wayland);
  if (s->flatpak_made)
    remove_instance_dir(s->flatpak_parent, true, s->instance_id);
  if (s->runtime_made)
    remove_instance_dir(runtime_parent_of(s), s->runtime_parent != NULL, strrchr(s->runtime_dir, '/') + 1);
  s->flatpak_made = s->runtime_made = false;
  if (s->lock_fd >= 0)
    close(s->lock_fd);
  s->lock_fd = -1;
}

/* The proxy's directories (made here, so the sandbox can bind them before
 * the sockets exist), then the proxy itself, not waited for: the read end
 * of its --fd pipe becomes plan->ready_fd, and the sandbox waits for the
 * byte just before it runs the app.  The write end goes to the proxy
 * only, so EOF there means the proxy exited. */
static int start_proxy(struct services *s, struct plan *p, int dfd)
{
  for (size_t i = 0; i < s->n_buses; i++)
    if (mkdirat(dfd, s->buses[i].subdir, 0700) < 0)
      return log_errno(errno, "Can't create %s", s->buses[i].dir);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  _cleanup_close_ int wr = pipefd[1];
  int r = dbus_proxy_spawn(s, wr);
  if (r < 0)
    return r;
  struct stat st;
  fstat(rd, &st);
  s->ready_rd = p->ready_fd = steal_fd(&rd);
  s->ready_dev = st.st_dev;
  s->ready_ino = st.st_ino;
  free(p->ready_what);
  p->ready_what = xasprintf("the D-Bus proxy (%s)", s->proxy_binary);
  p->ready_timeout_ms = DBUS_PROXY_READY_TIMEOUT_MS;
  return 0;
}

static int start(struct services *s, struct plan *p)
{
  int r;
  if (s->n_buses > 0) {
    if (!s->proxy_binary)
      return log_fail(ENOENT, "a filtered D-Bus bus needs xdg-dbus-proxy (Debian/Ubuntu package xdg-dbus-proxy; "
                              "or set SBX_DBUS_PROXY), and none was found in $PATH");
    if (p->as_pid_1)
      return log_fail(EINVAL, "--as-pid-1 can't be combined with a filtered D-Bus bus "
                              "(no pid 1 would hold the proxy's pipe)");
  }
  /* Wayland: ask the compositor first.  Only an offered
   * wp_security_context_v1 needs the instance directory and the pipe;
   * anything that goes wrong with it takes Wayland away from the app
   * (with a warning), never the sandbox. */
  bool wayland = false;
  if (s->wayland && wayland_probe(s->wayland, p) == WAYLAND_OFFERED) {
    const char *why = wayland_blocker(p);
    if (why)
      wayland_give_up(s->wayland, p, why);
    else
      wayland = true;
  }
  /* The instance directory holds the proxy's sockets, the Wayland
   * listener and, under $XDG_RUNTIME_DIR, the lock that marks the instance
   * alive. */
  _cleanup_close_ int dfd = -1;
  if (s->n_buses > 0 || (s->app_info && s->flatpak_dir) || wayland) {
    if (s->runtime_parent)
      remove_stale_instances(s);
    dfd = make_instance_dir(runtime_parent_of(s), s->runtime_parent != NULL, strrchr(s->runtime_dir, '/') + 1);
    if (dfd < 0)
      return dfd;
    s->runtime_made = true;
    if (s->runtime_parent && (r = take_instance_lock(s, dfd)) < 0)
      return r;
  }
  if (s->app_info && s->flatpak_dir) {
    _cleanup_close_ int ffd = make_instance_dir(s->flatpak_parent, true, s->instance_id);
    if (ffd < 0)
      return ffd;
    s->flatpak_made = true;
    if ((r = write_flatpak_files(s, p, ffd)) < 0)
      return r;
  }
  /* First the proxy, the slowest to start: everything after this runs
   * while it does. */
  if (s->n_buses > 0 && (r = start_proxy(s, p, dfd)) < 0)
    return r;
  if (!wayland)
    return 0;
  /* The pipe that tells the compositor the sandbox ended (see
   * services.h): it gets the write end, the sandbox's pid 1 the read end. */
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  _cleanup_close_ int wr = pipefd[1];
  if (wayland_attach(s->wayland, p, s->instance_id, dfd, wr) < 0)
    return 0; /* warned; nobody needs the pipe now */
  struct stat st;
  fstat(rd, &st);
  s->sync_rd = p->sync_fd = steal_fd(&rd);
  s->sync_dev = st.st_dev;
  s->sync_ino = st.st_ino;
  return 0;
}

int services_start(struct plan *p)
{
  struct services *s = p->services;
  if (!s)
    return 0;
  /* A ^C while we set up must not leave a half-made instance behind: hold
   * termination signals until it is all made (or all undone). */
  sigset_t term, old, pending;
  sigemptyset(&term);
  sigaddset(&term, SIGINT);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGHUP);
  sigaddset(&term, SIGQUIT);
  if (sigprocmask(SIG_BLOCK, &term, &old) < 0)
    return log_errno(errno, "sigprocmask");
  int r = start(s, p);
  if (r == 0 && sigpending(&pending) == 0)
    for (int sig = 1; sig < NSIG && r == 0; sig++)
      if (sigismember(&term, sig) && sigismember(&pending, sig) && !sigismember(&old, sig))
        r = -EINTR;
  if (r < 0)
    undo(s, p);
  if (sigprocmask(SIG_SETMASK, &old, NULL) < 0 && r == 0)
    r = log_errno(errno, "sigprocmask");
  return r;
}

void services_explain(struct plan *p, struct notes *notes)
{
  struct services *s = p->services;
  if (s && s->wayland)
    wayland_explain(s->wayland, p, notes, s->instance_id);
}

void services_stop(struct plan *p)
{
  struct services *s = p->services;
  if (!s)
    return;
  undo(s, p);
  for (size_t i = 0; i < s->n_buses; i++) {
    free(s->buses[i].address);
    free(s->buses[i].dir);
    free(s->buses[i].socket);
    strv_free(s->buses[i].rules);
  }
  free(s->instance_id);
  free(s->runtime_parent);
  free(s->runtime_dir);
  free(s->flatpak_parent);
  free(s->flatpak_dir);
  free(s->app_info);
  free(s->proxy_binary);
  wayland_service_free(s->wayland);
  free(s);
  p->services = NULL;
}
