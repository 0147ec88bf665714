/* Launch: see launch.h for what, when and where. */
#include "launch/launch.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/dbus-proxy.h"
#include "launch/instance.h"
#include "launch/net.h"
#include "launch/net-egress.h"
#include "launch/seccomp-cache.h"
#include "launch/registry.h"
#include "launch/wayland.h"
#include "plan/plan.h"
#include "util/util.h"
#include "util/walk.h"

/* The handed-over fd, remembered so that only our very file is closed. */
static int hand_over(struct launch_fd *lf, int *fd)
{
  struct stat st;
  fstat(*fd, &st);
  lf->dev = st.st_dev;
  lf->ino = st.st_ino;
  return lf->fd = steal_fd(fd);
}

/* sbx_run closes the fds it was given at some point, and we cannot tell
 * from here whether it got that far; close ours only if the number still
 * names the very file we opened.  The plan forgets it either way. */
static void take_back(struct launch_fd *lf, int *plan_fd)
{
  if (lf->fd < 0)
    return;
  if (*plan_fd == lf->fd)
    *plan_fd = -1;
  struct stat st;
  if (fstat(lf->fd, &st) == 0 && st.st_dev == lf->dev && st.st_ino == lf->ino)
    close(lf->fd);
  lf->fd = -1;
}

static int write_flatpak_files(struct launch *l, struct plan *p, int dfd)
{
  const struct plan_services *s = p->services;
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
  p->info_fd = hand_over(&l->info, &info);
  return 0;
}

/* $XDG_RUNTIME_DIR/sbx, or /tmp for the fallback /tmp/sbx-UID-ID. */
static const char *runtime_parent_of(const struct plan_services *s)
{
  return s->runtime_parent ? s->runtime_parent : "/tmp";
}

/* ---- persist directories ---------------------------------------------- */

/* One persist directory: mkdir -p of `path` (a real path, found when the
 * policy was compiled), one component at a time relative to the directory
 * before it, following no symlink: anything that became one since (another
 * instance's app may write the parent) is refused, not followed. */
static int create_host_dir(const char *path)
{
  _cleanup_close_ int root = RETRY(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root < 0)
    return log_errno(errno, "persist: can't open /");
  struct walk_opts o = { .flags = WALK_MKDIR_LAST | WALK_NOFOLLOW, .mode = 0700 };
  struct walk_out out;
  _cleanup_close_ int fd = -1;
  int r = walk_at(root, path, &o, &fd, &out);
  if (r == -ELOOP && out.refused)
    r = log_fail(ELOOP, "persist: %s in the way to %s is now a symlink; not following it", out.stop, path);
  else if (r < 0)
    r = log_errno(r, "persist: can't create %s in the way to %s", out.stop, path);
  walk_out_clear(&out);
  return r;
}

/* mkdir -p on the host, as the user, for "persist" paths.  Done only when
 * the sandbox is about to start, never for --explain or a failed setup. */
static int create_host_dirs(const struct plan *p)
{
  for (size_t i = 0; i < p->n_host_dirs; i++) {
    int r = create_host_dir(p->host_dirs[i]);
    if (r < 0)
      return r;
  }
  return 0;
}

/* ---- start / stop ----------------------------------------------------- */

void launch_init(struct launch *l)
{
  memset(l, 0, sizeof *l);
  l->proxy = HELPER_NONE;
  l->bus_log_reader = HELPER_NONE;
  l->bus_log_fd = -1;
  l->lock_fd = -1;
  l->ready.fd = l->sync.fd = l->info.fd = -1;
  l->started.fd = l->net_ready.fd = -1;
  wayland_conn_init(&l->wayland);
  net_state_init(&l->net);
  cgroup_scope_init(&l->cgroup);
  l->registry_lock = l->registry_pid = -1;
}

static void undo(struct launch *l, struct plan *p)
{
  const struct plan_services *s = p->services;
  take_back(&l->ready, &p->ready_fd);
  take_back(&l->sync, &p->sync_fd);
  take_back(&l->info, &p->info_fd);
  take_back(&l->started, &p->started_fd);
  take_back(&l->net_ready, &p->net_ready_fd);
  /* The network helper is told by the closed exit pipe (reported if it
   * had died before).  With its pipe's read end gone the proxy exits by
   * itself (and with the sync pipe's the compositor stops accepting on our
   * Wayland socket).  Their exits (GLib's, libslirp's, then their
   * namespaces') take a few ms: the files go meanwhile.  The proxy's socket
   * directory is a mount point in its mount namespace, which does not keep
   * us from removing it (Linux >= 3.18); nobody is left to connect: the
   * sandbox has ended. */
  net_tell_stop(&l->net);
  wayland_disconnect(&l->wayland);
  if (l->flatpak_made)
    remove_instance_dir(s->flatpak_parent, true, s->instance_id);
  if (l->runtime_made && s->runtime_parent)
    remove_locked_instance_dir(s);
  else if (l->runtime_made)
    remove_instance_dir(runtime_parent_of(s), false, strrchr(s->runtime_dir, '/') + 1);
  l->flatpak_made = l->runtime_made = false;
  net_stop(&l->net);
  if (!helper_reap(&l->proxy, DBUS_PROXY_EXIT_TIMEOUT_MS))
    log_warn("the D-Bus proxy did not exit when the sandbox ended; killed it");
  /* Its log ended with it: the reader has printed the last denial. */
  (void)helper_reap(&l->bus_log_reader, DBUS_PROXY_EXIT_TIMEOUT_MS);
  if (l->lock_fd >= 0)
    close(l->lock_fd);
  l->lock_fd = -1;
}

/* The proxy's directories (made here, so the sandbox can bind them before
 * the sockets exist), then the proxy itself, not waited for: the read end
 * of its --fd pipe becomes plan->ready_fd, and the sandbox waits for the
 * byte just before it runs the app.  The write end goes to the proxy
 * only, so EOF there means the proxy exited. */
static int start_proxy(struct launch *l, struct plan *p, int dfd)
{
  const struct plan_services *s = p->services;
  for (size_t i = 0; i < s->n_buses; i++)
    if (mkdirat(dfd, s->buses[i].subdir, 0700) < 0)
      return log_errno(errno, "Can't create %s", s->buses[i].dir);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  _cleanup_close_ int wr = pipefd[1];
  /* The log: a pipe to a reader that reports (--explain-denials), or
   * learning's file. */
  int logp[2] = { -1, -1 };
  if (l->bus_denied && pipe2(logp, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  int r = dbus_proxy_spawn(s, l->proxy_binary, wr, l->bus_denied ? logp[1] : l->bus_log_fd, &l->proxy);
  if (l->bus_denied) {
    close(logp[1]);
    if (r == 0)
      r = bus_log_reader_start(logp[0], l->bus_denied, l->bus_denied_ctx, &l->bus_log_reader);
    else
      close(logp[0]);
  }
  if (r < 0)
    return r;
  p->ready_fd = hand_over(&l->ready, &rd);
  free(p->ready_what);
  p->ready_what = xasprintf("the D-Bus proxy (%s)", l->proxy_binary);
  p->ready_timeout_ms = DBUS_PROXY_READY_TIMEOUT_MS;
  return 0;
}

/* The network helper's starter, forked now (the helper itself runs once
 * the sandbox exists, launch/net.h): the sandbox sends its network namespace
 * on started_fd, the app waits for net_ready_fd. */
static int start_net(struct launch *l, struct plan *p)
{
  int started_wr, ready_rd;
  int r = net_list_host_addrs(p->services->net);
  if (r == 0)
    r = net_egress_prepare(p->services->net);
  if (r == 0)
    r = net_start(&l->net, p->services->net, &started_wr, &ready_rd);
  if (r < 0)
    return r;
  p->started_fd = hand_over(&l->started, &started_wr);
  p->net_ready_fd = hand_over(&l->net_ready, &ready_rd);
  free(p->net_ready_what);
  p->net_ready_what = xasprintf("the network helper (%s)", l->net.binary);
  p->net_ready_timeout_ms = NET_READY_TIMEOUT_MS;
  /* The finisher's own work (net-finish.h) must come before the app. */
  p->net_ready_on_carrier = p->services->net->n_forwards == 0 && p->services->net->n_host_ports == 0;
  return 0;
}

static int start_services(struct launch *l, struct plan *p)
{
  const struct plan_services *s = p->services;
  int r;
  /* The network helper's starter first: a missing helper fails before
   * anything is made, and the fork copies none of the fds made below. */
  if (s->net && ((r = net_find_helper(&l->net)) < 0 || (r = start_net(l, p)) < 0))
    return r;
  if (s->n_buses > 0) {
    l->proxy_binary = dbus_proxy_find_binary(getenv("PATH"));
    if (!l->proxy_binary)
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
  if (s->wayland && wayland_probe(&l->wayland, p) == WAYLAND_OFFERED) {
    const char *why = wayland_blocker(p);
    if (why)
      wayland_give_up(&l->wayland, p, why);
    else
      wayland = true;
  }
  /* The instance directory holds the proxy's sockets, the Wayland
   * listener and, under $XDG_RUNTIME_DIR, the lock that marks the instance
   * alive. */
  _cleanup_close_ int dfd = -1;
  if (s->n_buses > 0 || (s->app_info && s->flatpak_dir) || wayland) {
    if (s->runtime_parent) {
      remove_stale_instances(s);
      dfd = make_locked_instance_dir(s, &l->lock_fd);
    } else {
      dfd = make_instance_dir(runtime_parent_of(s), false, strrchr(s->runtime_dir, '/') + 1);
    }
    if (dfd < 0)
      return dfd;
    l->runtime_made = true;
  }
  if (s->app_info && s->flatpak_dir) {
    _cleanup_close_ int ffd = make_instance_dir(s->flatpak_parent, true, s->instance_id);
    if (ffd < 0)
      return ffd;
    l->flatpak_made = true;
    if ((r = write_flatpak_files(l, p, ffd)) < 0)
      return r;
  }
  /* First the proxy, the slowest to start: everything after this runs
   * while it does. */
  if (s->n_buses > 0 && (r = start_proxy(l, p, dfd)) < 0)
    return r;

  if (!wayland)
    return 0;
  /* The pipe that tells the compositor the sandbox ended (see
   * launch.h): it gets the write end, the sandbox's pid 1 the read end. */
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  _cleanup_close_ int wr = pipefd[1];
  if (wayland_attach(&l->wayland, p, dfd, wr) < 0)
    return 0; /* warned; nobody needs the pipe now */
  p->sync_fd = hand_over(&l->sync, &rd);
  return 0;
}

/* The cgroup, and the fd the engine starts the sandbox in; then the
 * registry's entry (a name already running fails here, and the cgroup
 * goes again). */
static int start_cgroup(struct launch *l, struct plan *p, char **sbx_argv)
{
  int r = cgroup_start(&l->cgroup, p->cgroup);
  if (r < 0)
    return r;
  p->cgroup_fd = l->cgroup.dirfd; /* launch's: closed by cgroup_stop */
  r = registry_add(p, l->cgroup.path, sbx_argv, &l->registry_lock, &l->registry_pid, &l->registry_id);
  if (r < 0)
    return r;
  p->pid_fd = l->registry_pid;
  return 0;
}

static int start(struct launch *l, struct plan *p, char **sbx_argv)
{
  int r = p->cgroup ? start_cgroup(l, p, sbx_argv) : 0;
  if (r == 0 && p->services)
    r = start_services(l, p);
  if (r == 0)
    r = create_host_dirs(p);
  /* After the proxy's start, which this overlaps. */
  return r < 0 ? r : seccomp_policy_prepare(p);
}

int launch_start(struct launch *l, struct plan *p, char **sbx_argv)
{
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
  int r = start(l, p, sbx_argv);
  if (r == 0 && sigpending(&pending) == 0)
    for (int sig = 1; sig < NSIG && r == 0; sig++)
      if (sigismember(&term, sig) && sigismember(&pending, sig) && !sigismember(&old, sig))
        r = -EINTR;
  if (r < 0)
    launch_stop(l, p);
  if (sigprocmask(SIG_SETMASK, &old, NULL) < 0 && r == 0)
    r = log_errno(errno, "sigprocmask");
  return r;
}

/* The proxy's command as a note. */
static void note_proxy(const struct plan_services *s, const char *binary, struct notes *notes)
{
  notes_add(notes, "dbus proxy: %s, in its own sandbox; sockets in %s (mode 0700), removed when the sandbox ends",
            binary ? binary : "xdg-dbus-proxy (NOT FOUND: the sandbox would fail to start)", s->runtime_dir);
  _cleanup_free_ char *line = dbus_proxy_describe(s, binary);
  notes_add(notes, "dbus proxy command: %s", line);
}

void launch_explain(struct plan *p, struct notes *notes)
{
  if (p->cgroup)
    cgroup_explain(p->cgroup);
  const struct plan_services *s = p->services;
  if (!s)
    return;
  if (s->n_buses > 0) {
    _cleanup_free_ char *binary = dbus_proxy_find_binary(getenv("PATH"));
    note_proxy(s, binary, notes);
  }
  if (s->wayland)
    wayland_explain(p, notes);
  if (s->net)
    net_explain(s->net, notes);
  if (s->net)
    net_egress_explain(s->net, notes);
}

void launch_stop(struct launch *l, struct plan *p)
{
  if (p->services)
    undo(l, p);
  p->cgroup_fd = p->pid_fd = -1;
  cgroup_stop(&l->cgroup);
  /* The entry goes after the cgroup: a sandbox listed is one that can
   * still be stopped. */
  registry_remove(l->registry_id);
  free(l->registry_id);
  l->registry_id = NULL;
  if (l->registry_pid >= 0)
    close(l->registry_pid);
  if (l->registry_lock >= 0)
    close(l->registry_lock);
  l->registry_pid = l->registry_lock = -1;
  free(l->proxy_binary);
  l->proxy_binary = NULL;
}
