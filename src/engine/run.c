/* Running a plan: the monitor (outside) clones the sandbox's first process,
 * which builds the sandbox and becomes pid 1 (or the app), while the monitor
 * reports to integrators, forwards signals and returns the app's status. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine/engine.h"
#include "engine/run.h"
#include "engine/info.h"
#include "engine/notify.h"
#include "engine/supervisor.h"
#include "util/util.h"

extern char **environ;

/* Every kind of namespace a process has, in the order setns(2) enters
 * them for --join (the user namespace first). */
static const struct ns_kind {
  const char *name;
  unsigned long flag;
} all_ns[] = {
  { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
  { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
};
#define N_ALL_NS (sizeof all_ns / sizeof all_ns[0])

struct run_state {
  const struct plan *plan;
  uid_t real_uid, sandbox_uid;
  gid_t real_gid, sandbox_gid;
  bool userns;       /* we create a user namespace */
  bool nested;       /* ...and a second one below it for the app */
  uint64_t keep_caps;
  char *old_cwd;
  sigset_t old_mask;
  int alive_rd;      /* EOF here: the monitor is gone */
  int go_rd;         /* --userns-block-fd: wait for the monitor's go */
  int exec_wr;       /* --json-status-fd: a byte when exec is reached */
  int info_done_rd;  /* EOF here: the monitor has read our namespaces */
  int *lock_fds;     /* --lock-file: held open (and locked) by pid 1 */
  size_t n_lock_fds;
  bool join_cgroup;  /* clone3 was refused: move into plan->cgroup_fd first thing */
  bool late_cgroupns; /* unshare the cgroup namespace once inside the cgroup */
  int cgns_wr;       /* ...then a byte here: the monitor reports the namespace ids */
  int learn_wr;      /* --learn: the app sends its notification listener here (notify.h) */
  const struct notify_explain *explain; /* --explain-denials (notify.h); NULL otherwise */
};

static bool plan_has_op(const struct plan *p, enum op_kind kind)
{
  for (size_t i = 0; i < p->n_ops; i++)
    if (p->ops[i].kind == kind)
      return true;
  return false;
}

static int compute_caps(const struct plan *p, uid_t real_uid, uint64_t *keep)
{
  /* Root keeps what it has (bubblewrap's behaviour); anyone else starts
   * with nothing.  --cap-add/--cap-drop then apply in order. */
  *keep = 0;
  if (real_uid == 0) {
    int r = caps_read_effective(keep);
    if (r < 0)
      return log_errno(r, "Can't read capabilities");
  }
  for (size_t i = 0; i < p->n_caps; i++) {
    if (p->caps[i].verb == CAP_VERB_ADD)
      *keep |= p->caps[i].mask;
    else
      *keep &= ~p->caps[i].mask;
  }
  return 0;
}

static int take_lock_files(struct run_state *l, const struct plan *p)
{
  l->lock_fds = xcalloc(p->n_lock_files + 1, sizeof *l->lock_fds);
  for (size_t i = 0; i < p->n_lock_files; i++) {
    int fd = RETRY(open(p->lock_files[i], O_RDONLY | O_CLOEXEC));
    if (fd < 0)
      return log_errno(errno, "Can't open lock file %s", p->lock_files[i]);
    struct flock lk = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
    if (RETRY(fcntl(fd, F_SETLK, &lk)) < 0)
      return log_errno(errno, "Can't lock file %s", p->lock_files[i]);
    /* Held (and the fd kept open) by pid 1 for the sandbox's lifetime:
     * closing any fd of the file would drop the process's lock. */
    l->lock_fds[l->n_lock_fds++] = fd;
  }
  return 0;
}

static int choose_cwd(const struct run_state *l, struct plan *p)
{
  const char *want = p->chdir;
  if (want) {
    if (chdir(want) < 0)
      return log_errno(errno, "Can't chdir to %s", want);
  } else if (l->old_cwd && chdir(l->old_cwd) == 0) {
    want = l->old_cwd;
  } else {
    const char *home = plan_getenv(p, "HOME");
    want = home && chdir(home) == 0 ? home : "/";
    if (want[0] == '/' && want[1] == '\0' && chdir("/") < 0)
      return log_errno(errno, "Can't chdir to /");
  }
  char *pwd = xstrdup(want);
  plan_setenv(p, "PWD", pwd);
  free(pwd);
  return 0;
}

/* The system call filter pid 1 and the app install beside sbx's own
 * (plan->policy_progs): a --seccomp program read from its fd. */
struct filters {
  struct seccomp_prog late;
};

/* Every system call filter of the plan, as the last step of setup: sbx's
 * own rules, then the caller's programs.  Filters stack (the kernel runs all
 * of them and the most restrictive answer wins), so the order does not
 * weaken either; but a caller's program may well refuse seccomp(2) and
 * prctl(PR_SET_SECCOMP) (bubblewrap's contract only asks every program but
 * the last to allow them), so it must come last. */
static int apply_filters(const struct plan *p, const struct filters *f, bool explaining)
{
  /* Explaining, the app's native program of sbx's rules (the first) is
   * left out: the notifying filter carries its rules (notify.h). */
  size_t skip = explaining && p->n_syscall_rules > 0 && p->n_policy_progs > 0 ? 1 : 0;
  int r = seccomp_apply(p->policy_progs + skip, p->n_policy_progs - skip);
  if (r == 0)
    r = seccomp_apply(p->seccomp_progs, p->n_seccomp_progs);
  const struct seccomp_prog *late = &f->late;
  if (r == 0 && late->data)
    r = seccomp_apply(late, 1);
  return r;
}

/* A side service started beside the sandbox (plan->ready_fd, and the
 * network helper's net_ready_fd): one byte means it serves.  EOF means
 * every write end is gone, i.e. the service exited first (the launch layer
 * keeps no copy of the write end); the poll bounds a service that hangs.
 * Called in the process that execs the app, as late as possible, so the
 * sandbox was built while the service started.  carrier: a socket of
 * ns_tap_carrier_watch, whose word that tap0's carrier is on counts as the
 * byte (plan->net_ready_on_carrier); -1: none.  With it the byte is left in
 * the pipe for pid 1 (supervise_net). */
static int wait_ready(int fd, const char *what, int timeout_ms, int carrier)
{
  struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = carrier, .events = POLLIN } };
  long long deadline = monotonic_ms() + timeout_ms;
  for (;;) {
    long long left = timeout_ms > 0 ? deadline - monotonic_ms() : -1;
    int n = timeout_ms <= 0 || left > 0 ? RETRY(poll(pfd, 2, (int)left)) : 0;
    if (n < 0)
      return log_errno(errno, "Can't wait for %s", what);
    if (n == 0)
      return log_fail(ETIMEDOUT, "%s did not become ready within %d s", what, timeout_ms / 1000);
    if (pfd[0].revents)
      break;
    int on = ns_tap_carrier_read(carrier);
    if (on != 0)
      return on < 0 ? on : 0;
  }
  int queued = 0;
  if (carrier >= 0 && ioctl(fd, FIONREAD, &queued) == 0 && queued > 0)
    return 0;
  char c;
  ssize_t r = RETRY(read(fd, &c, 1));
  if (r < 0)
    return log_errno(errno, "Can't read the ready pipe of %s", what);
  if (r == 0)
    return log_fail(EIO, "%s exited before it was ready", what);
  return 0;
}

/* pid 1 keeps stdio, its signalfd, the sync and ready fds and the lock
 * files, and closes everything else, as bubblewrap's does: a copy of a pipe the app was
 * given would keep its reader from seeing EOF when the app closes it, and
 * an fd the caller handed down has no business outliving the app in a
 * process the app can't see. */
static int close_pid1_fds(const struct run_state *l, const struct plan *p, int sfd)
{
  size_t n = 0;
  _cleanup_free_ int *keep = xcalloc(l->n_lock_fds + 4, sizeof *keep);
  keep[n++] = sfd;
  keep[n++] = p->sync_fd;
  keep[n++] = p->ready_fd;
  keep[n++] = p->net_ready_fd;
  for (size_t i = 0; i < l->n_lock_fds; i++)
    keep[n++] = l->lock_fds[i];
  int r = close_fds_except(keep, n);
  if (r < 0)
    errno = -r;
  return r;
}

/* The monitor (and the --pidns intermediate) only waits, forwards and
 * reports: every fd the caller handed down (those without close-on-exec)
 * is the app's, and a copy here would, for example, keep a pipe the app
 * closed from reaching EOF until the sandbox ends.  It keeps the
 * integrator fds it still writes to, and sbx's own fds (close-on-exec),
 * which the launch layer still needs after the sandbox. */
static int close_monitor_fds(const struct plan *p)
{
  const int keep[] = { p->info_fd, p->json_status_fd, p->userns_block_fd };
  int r = close_inheritable_fds(keep, sizeof keep / sizeof keep[0]);
  if (r < 0)
    return log_errno(r, "Can't close the caller's file descriptors in the monitor");
  return 0;
}

/* The app: the side services it needs, then its own signal mask, death
 * signal and system call filters, then execvp.  Runs in the sandbox's first
 * process, or in the child pid 1 started for it (spawn_app), which may share
 * pid 1's memory until the execvp.  Returns only on failure: -errno, after
 * a message. */
static int exec_app(struct run_state *l, struct plan *p, const struct filters *f)
{
  /* pid 1 (if any) keeps its copy of the ready pipes, ours go before exec. */
  if (p->ready_fd >= 0) {
    int r = wait_ready(p->ready_fd, p->ready_what, p->ready_timeout_ms, -1);
    if (r < 0)
      return r;
    close(p->ready_fd);
  }
  if (p->net_ready_fd >= 0) {
    _cleanup_close_ int carrier = p->net_ready_on_carrier ? ns_tap_carrier_watch() : -1;
    if (p->net_ready_on_carrier && carrier < 0)
      return carrier;
    int r = wait_ready(p->net_ready_fd, p->net_ready_what, p->net_ready_timeout_ms, carrier);
    if (r < 0)
      return r;
    close(p->net_ready_fd);
  }
  if (prctl(PR_SET_PDEATHSIG, p->die_with_parent || p->die_with_sbx ? SIGKILL : 0) < 0)
    return log_errno(errno, "prctl(PR_SET_PDEATHSIG)");
  /* The app must not start with the supervisor's signals blocked. */
  if (sigprocmask(SIG_SETMASK, &l->old_mask, NULL) < 0)
    return log_errno(errno, "sigprocmask");
  int r = apply_filters(p, f, l->explain != NULL);
  if (r < 0)
    return r;
  /* Learning: the notifying filter last of all, so that the filters above
   * (which may refuse seccomp(2)) are already in place and the monitor
   * hears of the exec below. */
  if (l->learn_wr >= 0 && (r = notify_install(steal_fd(&l->learn_wr), l->explain)) < 0)
    return r;
  if (l->exec_wr >= 0)
    (void)!write(l->exec_wr, "x", 1);
  char *file = p->argv[0];
  if (p->argv0)
    p->argv[0] = p->argv0;
  environ = p->env.v;
  execvp(file, p->argv);
  int e = errno;
  if (l->exec_wr >= 0)
    (void)!write(l->exec_wr, "x", 1);
  return log_errno(e, "execvp %s", file);
}

struct app_args {
  struct run_state *l;
  struct plan *p;
  const struct filters *f;
};

static int app_child(void *arg)
{
  struct app_args *a = arg;
  if (a->p->sync_fd >= 0)
    close(a->p->sync_fd);
  (void)exec_app(a->l, a->p, a->f);
  _exit(SBX_EXIT_SETUP);
}

/* pid 1's child that becomes the app.  Not fork(): a fork copies pid 1's
 * page tables and write-protects every private page, to be undone when the
 * child execs a moment later; under a hypervisor that traps page-table
 * updates (as on the machine of docs/performance.md) that is ~1.8 ms, as
 * much as the rest of the sandbox's setup.  The child instead runs on its
 * own stack in pid 1's memory (CLONE_VM), and pid 1 sleeps until the child
 * has exec'd or exited (CLONE_VFORK), as posix_spawn does.  The child has
 * its own fd table, signal mask, capabilities and seccomp filters; what it
 * writes to memory before the exec (argv[0], environ, the filters' compile)
 * pid 1 no longer needs. */
static pid_t spawn_app(struct run_state *l, struct plan *p, const struct filters *f)
{
  const size_t stack_size = 1024 * 1024; /* touched lazily: a few pages */
  void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -errno;
  struct app_args a = { l, p, f };
  pid_t pid = clone(app_child, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  int e = errno;
  munmap(stack, stack_size);
  if (pid < 0 && (e == EINVAL || e == EPERM || e == ENOSYS)) {
    /* A system call filter (or an emulator) that refuses these flags: the
     * slow way still works. */
    pid = fork();
    e = errno;
    if (pid == 0)
      app_child(&a);
  }
  return pid < 0 ? -e : pid;
}

/* Our network namespace, as an fd over the unix socket plan->started_fd
 * (SCM_RIGHTS), with the byte "g": handed over rather than looked up by the
 * receiver in /proc/PID/ns, which a process that is not dumpable (pid 1,
 * and setup after a credential change) refuses to another of the uid. */
static int send_netns(int sock)
{
  _cleanup_close_ int fd = RETRY(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open the sandbox's network namespace");
  int r = fd_send(sock, 'g', fd);
  if (r < 0)
    return log_errno(-r, "Can't hand the network namespace to the network helper");
  return 0;
}

/* The sandbox's first process in the sandbox's own cgroup (launch made it,
 * plan->cgroup_fd), before it runs anything: moved there now if clone3
 * could not start it there (writing "0" moves the writer), and only then
 * a cgroup namespace, whose root is the cgroup of the process that
 * creates it -- created by the clone, it would be rooted at the caller's
 * cgroup and show the app its parent's. */
static int enter_cgroup(const struct run_state *l, const struct plan *p)
{
  if (l->join_cgroup) {
    int r = write_file_at(p->cgroup_fd, "cgroup.procs", "0");
    if (r < 0)
      return log_errno(r, "Can't move the sandbox into its cgroup");
  }
  if (l->late_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
    return log_errno(errno, "Can't create the cgroup namespace");
  if (l->cgns_wr >= 0) {
    (void)!write(l->cgns_wr, "c", 1);
    close(l->cgns_wr);
  }
  if (p->cgroup_fd >= 0)
    close(p->cgroup_fd);
  return 0;
}

/* The sandbox's first process, up to the point where it becomes pid 1 or
 * the app: namespaces filled in, the root built and entered, identity,
 * working directory, locks, capabilities, filters compiled.  Returns 0 or
 * -errno after a message (none when the monitor is gone: nobody to tell). */
static int sandbox_setup(struct run_state *l, struct plan *p, struct filters *f)
{
  struct setup s = { .plan = p, .proc_fd = -1, .oldroot_fd = -1, .root_fd = -1, .scratch_fd = -1,
                     .host_uid = l->real_uid };
  int r;

  /* First thing after clone: die with the monitor, and make sure it did not
   * die before that was armed. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return -errno;
  struct pollfd pfd = { .fd = l->alive_rd, .events = POLLIN };
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLIN)))
    return -EPIPE;

  if ((r = enter_cgroup(l, p)) < 0)
    return r;

  /* The integrator's ends stay with the monitor; the app must not hold them. */
  if (p->info_fd >= 0)
    close(p->info_fd);
  if (p->json_status_fd >= 0)
    close(p->json_status_fd);
  if (p->userns_block_fd >= 0)
    close(p->userns_block_fd);

  if (l->go_rd >= 0) {
    char c;
    if (RETRY(read(l->go_rd, &c, 1)) != 1)
      return -EPIPE; /* the monitor gave up */
    close(l->go_rd);
  }

  s.in_userns = l->userns || p->userns_fd >= 0;
  /* Ubuntu 24.04 lets an unconfined program create the namespace but
   * takes every capability in it away: say so before the id maps fail
   * with a bare EPERM. */
  if (l->userns && l->real_uid != 0 && (r = ns_check_apparmor_confinement()) < 0)
    return r;
  if (l->userns && p->userns_block_fd < 0) {
    uid_t inner_uid = l->nested ? 0 : l->sandbox_uid;
    gid_t inner_gid = l->nested ? 0 : l->sandbox_gid;
    /* Written from inside, so the kernel insists on setgroups being denied
     * for the gid map, even for root. */
    if ((r = ns_write_id_maps(AT_FDCWD, "/proc/self", inner_uid, l->real_uid, inner_gid, l->real_gid, true)) < 0)
      return r;
  }
  if ((p->unshare & CLONE_NEWNET) && (r = ns_loopback_up()) < 0)
    return r;
  const struct plan_net *net = p->services ? p->services->net : NULL;
  if ((p->unshare & CLONE_NEWNET) && net &&
      ((r = ns_reject_routes(net->host_addrs, net->n_host_addrs)) < 0 ||
       (r = ns_reject_routes6(net->host_addrs6, net->n_host_addrs6)) < 0 || (r = ns_tap_create()) < 0))
    return r;
  /* The namespaces are usable now (maps written, loopback up, tap0 made): hand the
   * side service that joins them our network namespace (plan->started_fd). */
  if (p->started_fd >= 0) {
    r = send_netns(p->started_fd);
    close(p->started_fd);
    if (r < 0)
      return r;
  }
  if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
    return log_errno(errno, "Can't set hostname %s", p->hostname);

  mode_t old_umask = umask(0);
  if ((r = label_create_files(p->file_label)) < 0 || (r = setup_build_root(&s)) < 0 ||
      (r = setup_run_ops(&s)) < 0 || (r = setup_enter_root(&s)) < 0)
    return r;

  if (l->nested && (r = ns_nested_userns(&s, l->sandbox_uid, l->sandbox_gid, p->disable_userns)) < 0)
    return r;
  if (p->userns2_fd >= 0) {
    if (setns(p->userns2_fd, CLONE_NEWUSER) < 0)
      return log_errno(errno, "Can't switch to the --userns2 user namespace");
    close(p->userns2_fd);
  }
  if ((p->disable_userns || p->assert_userns_disabled) && (r = ns_check_userns_disabled()) < 0)
    return r;
  close(s.proc_fd);

  if ((r = choose_cwd(l, p)) < 0 || (r = take_lock_files(l, p)) < 0 ||
      (r = caps_apply(l->keep_caps, geteuid() != 0)) < 0)
    return r;
  /* Setup may not have been done as the final uid; the dumpable flag is
   * reset by credential changes, and ptrace by the app's own uid is fine. */
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
    return log_errno(errno, "prctl(PR_SET_DUMPABLE)");

  if (p->block_fd >= 0) {
    char c;
    (void)RETRY(read(p->block_fd, &c, 1));
    close(p->block_fd);
  }
  if (p->seccomp_fd >= 0) {
    if ((r = seccomp_read_fd(p->seccomp_fd, &f->late)) < 0)
      return r;
    close(p->seccomp_fd);
  }
  if (p->new_session && setsid() < 0)
    return log_errno(errno, "setsid");
  if ((r = label_exec(p->exec_label)) < 0)
    return r;
  umask(old_umask);
  /* Landlock once, before the fork: pid 1 and the app share its domain. */
  if ((r = landlock_apply(&p->landlock)) < 0)
    return r;
  /* Launch compiled the rules before the sandbox started (through its
   * cache); a plan that did not go through launch is compiled here. */
  if ((p->n_syscall_rules > 0 || p->n_syscall_allowlist > 0) && p->n_policy_progs == 0)
    return seccomp_compile_policy(p, p->policy_progs, &p->n_policy_progs);
  return 0;
}

/* pid 1 not dumpable (plan->pid1_undumpable), before the app exists: a
 * handle the app took on /proc/1/exe or /proc/1/mem while it was would
 * outlive the change.  The flag belongs to the memory map, so the app's
 * child shares it until its exec, which gives the app its own.  A monitor
 * that reports the namespaces (--info-fd, --json-status-fd) reads
 * /proc/PID/ns/ as another process of the uid, which the flag forbids:
 * pid 1 waits until it has (EOF on info_done_rd). */
static int make_pid1_undumpable(struct run_state *l)
{
  if (l->info_done_rd >= 0) {
    char c;
    (void)RETRY(read(l->info_done_rd, &c, 1));
    close(l->info_done_rd);
    l->info_done_rd = -1;
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return log_errno(errno, "prctl(PR_SET_DUMPABLE)");
  return 0;
}

/* pid 1's loop when the app went ahead on tap0's carrier
 * (plan->net_ready_on_carrier): the helper's ready byte is still to come
 * on net_ready_fd.  EOF without it means the helper died while it set
 * itself up, and the app would run without its network: it is ended, and
 * the sandbox fails as a start whose helper failed does. */
static int supervise_net(pid_t app, int sfd, const struct plan *p)
{
  struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = p->net_ready_fd, .events = POLLIN } };
  bool helper_died = false;
  for (;;) {
    int code;
    if (supervise_reap(app, &code))
      return helper_died ? 1 : code;
    if (RETRY(poll(pfd, 2, -1)) < 0)
      return log_errno(errno, "poll");
    if (pfd[1].revents) {
      char c;
      if (RETRY(read(pfd[1].fd, &c, 1)) != 1) {
        log_fail(EIO, "%s exited before it was ready; the app was stopped", p->net_ready_what);
        helper_died = true;
        kill(app, SIGKILL);
      }
      pfd[1].fd = -1; /* the byte, or the end: nothing more to wait for */
    }
    if (pfd[0].revents && supervise_signal(app, sfd) < 0)
      return 255;
  }
}

/* pid 1: starts the app, then has no capabilities, the same system call
 * filters as the app (the app could ptrace us), and does nothing but reap
 * and forward.  Returns the app's exit status, or -errno after a message. */
static int run_pid1(struct run_state *l, struct plan *p, const struct filters *f)
{
  if (p->pid1_undumpable) {
    int r = make_pid1_undumpable(l);
    if (r < 0)
      return r;
  }
  pid_t app = spawn_app(l, p, f);
  if (app < 0)
    return log_errno(-app, "Can't fork");
  sigset_t set;
  supervisor_signals(&set);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return log_errno(errno, "signalfd");
  if (l->exec_wr >= 0)
    close(l->exec_wr);
  int r = close_pid1_fds(l, p, sfd);
  if (r < 0)
    return log_errno(r, "Can't close file descriptors in pid 1");
  if (!p->die_with_parent && !p->die_with_sbx && prctl(PR_SET_PDEATHSIG, 0) < 0)
    return log_errno(errno, "prctl(PR_SET_PDEATHSIG)");
  if ((r = caps_drop_all()) < 0 || (r = apply_filters(p, f, false)) < 0)
    return r;
  return p->net_ready_on_carrier && p->net_ready_fd >= 0 ? supervise_net(app, sfd, p) : supervise(app, sfd);
}

/* The sandbox's first process: build everything, then become pid 1 or the
 * app.  Every failure on the way ends here, with bubblewrap's status. */
_noreturn_ static void sandbox_main(struct run_state *l, struct plan *p)
{
  struct filters filters = { 0 };
  int r = sandbox_setup(l, p, &filters);
  if (r == 0 && plan_needs_reaper(p))
    r = run_pid1(l, p, &filters);
  else if (r == 0)
    r = exec_app(l, p, &filters);
  _exit(r < 0 ? SBX_EXIT_SETUP : r);
}

/* struct clone_args of <linux/sched.h> up to the cgroup field (5.7),
 * spelled out: the distribution's headers may be older than the kernel. */
struct sbx_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* The sandbox's first process, like fork (flags: the namespaces).  With a
 * cgroup of its own (plan->cgroup_fd) it is born inside it with clone3
 * CLONE_INTO_CGROUP, so nothing of the sandbox ever runs outside it.
 * Where clone3 is missing (before 5.3: ENOSYS, also what a system call
 * filter that refuses it says) or lacks CLONE_INTO_CGROUP (before 5.7:
 * E2BIG or EINVAL), plain clone, and the child moves itself before
 * anything else (enter_cgroup). */
static pid_t clone_sandbox(struct run_state *l, unsigned long flags, int cgroup_fd)
{
  if (cgroup_fd >= 0) {
    struct sbx_clone_args args = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
                                   .cgroup = (uint64_t)cgroup_fd };
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL && errno != EPERM))
      return pid;
    l->join_cgroup = true;
  }
  return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* --pidns with --unshare-pid: the kernel only creates a pid namespace
 * below the caller's *active* one, so an intermediate process that lives in
 * the joined namespace does the clone.  It tells the monitor the sandbox's
 * pid through SCM_CREDENTIALS, which the kernel translates into the
 * monitor's pid namespace, then stays to relay signals and the status. */
/* One byte carrying (or ready to carry) a struct ucred. */
struct cred_msg {
  char byte;
  struct iovec iov;
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr msg;
};

static void cred_msg_init(struct cred_msg *m)
{
  memset(m, 0, sizeof *m);
  m->byte = 'p';
  m->iov = (struct iovec){ &m->byte, 1 };
  m->msg = (struct msghdr){ .msg_iov = &m->iov, .msg_iovlen = 1, .msg_control = m->u.buf,
                            .msg_controllen = sizeof m->u.buf };
}

static int send_pid(int sock, pid_t pid)
{
  struct ucred cred = { .pid = pid, .uid = getuid(), .gid = getgid() };
  struct cred_msg m;
  cred_msg_init(&m);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(sizeof cred);
  memcpy(CMSG_DATA(c), &cred, sizeof cred);
  return RETRY(sendmsg(sock, &m.msg, 0)) == 1 ? 0 : -errno;
}

static pid_t recv_pid(int sock)
{
  struct ucred cred;
  struct cred_msg m;
  cred_msg_init(&m);
  if (RETRY(recvmsg(sock, &m.msg, 0)) != 1)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS)
    return -1;
  memcpy(&cred, CMSG_DATA(c), sizeof cred);
  return cred.pid;
}

static int write_info(const struct plan *p, const struct sandbox_info *info)
{
  if (p->info_fd >= 0) {
    _cleanup_free_ char *json = info_to_json(info, true);
    int r = write_all(p->info_fd, json, strlen(json));
    close(p->info_fd);
    if (r < 0)
      return log_errno(r, "Write to info_fd");
  }
  if (p->json_status_fd >= 0) {
    _cleanup_free_ char *json = info_to_json(info, false);
    int r = write_all(p->json_status_fd, json, strlen(json));
    if (r < 0)
      return log_errno(r, "Write to json_status_fd");
  }
  return 0;
}

/* Who the sandbox's processes are, and whether it needs a user namespace
 * below its own for the app. */
static int run_state_init(struct run_state *l, const struct plan *p)
{
  *l = (struct run_state){ .plan = p, .alive_rd = -1, .go_rd = -1, .exec_wr = -1, .info_done_rd = -1, .cgns_wr = -1,
                           .learn_wr = -1 };
  l->real_uid = getuid();
  l->real_gid = getgid();
  l->sandbox_uid = p->uid_set ? p->uid : l->real_uid;
  l->sandbox_gid = p->gid_set ? p->gid : l->real_gid;
  l->userns = (p->unshare & CLONE_NEWUSER) != 0;
  /* devpts and the user-namespace limit need uid 0 in the namespace that
   * does the setup; the app then gets its own uid one namespace down.  So
   * does a side service that joins the sandbox's namespaces (the network
   * helper: slirp4netns configures tap0 as uid 0 there). */
  l->nested = l->userns && p->userns_block_fd < 0 &&
              (p->disable_userns || (plan_has_op(p, OP_DEV) && (l->sandbox_uid != 0 || l->sandbox_gid != 0)) ||
               p->started_fd >= 0);
  return compute_caps(p, l->real_uid, &l->keep_caps);
}

/* For launch's registry: the inode numbers of every namespace of the
 * sandbox's first process, read here, from outside (what runs inside could
 * write anything), once it is in its cgroup namespace and before it stops
 * being dumpable.  --join compares them with the process it is about to
 * enter, so a pid reused by some other process is never joined. */
static void register_namespaces(const struct plan *p, pid_t pid)
{
  if (p->pid_fd < 0)
    return;
  struct buf b = { 0 };
  for (size_t i = 0; i < N_ALL_NS; i++) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, all_ns[i].name);
    if (stat(path, &st) == 0)
      buf_printf(&b, "ns.%s=%llu\n", all_ns[i].name, (unsigned long long)st.st_ino);
  }
  if (b.n)
    (void)write_all(p->pid_fd, b.s, b.n);
  buf_free(&b);
}

/* The monitor's side of sbx_run: the app's exit status, or -errno after a
 * message.  With a log (--learn, --explain-denials), the app records into
 * it (notify.h). */
static int run(struct plan *p, struct learn_log *log, const struct notify_explain *explain)
{
  struct run_state l;
  int alive[2] = { -1, -1 }, go[2] = { -1, -1 }, exec_pipe[2] = { -1, -1 }, info_done[2] = { -1, -1 };
  pid_t parent = getppid();

  if (p->die_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
      return log_errno(errno, "prctl(PR_SET_PDEATHSIG)");
    if (getppid() != parent)
      return -ESRCH; /* the parent is gone already: nobody to tell */
  }

  int r = run_state_init(&l, p);
  if (r < 0)
    return r;
  l.explain = explain;
  char cwd[PATH_MAX];
  l.old_cwd = getcwd(cwd, sizeof cwd) ? cwd : NULL;

  if (p->userns_fd >= 0) {
    if (setns(p->userns_fd, CLONE_NEWUSER) < 0)
      return log_errno(errno, "Can't join the --userns user namespace");
    close(p->userns_fd);
  }
  if (p->pidns_fd >= 0) {
    if (setns(p->pidns_fd, CLONE_NEWPID) < 0)
      return log_errno(errno, "Can't join the --pidns pid namespace");
    close(p->pidns_fd);
  }

  sigset_t set;
  supervisor_signals(&set);
  if (sigprocmask(SIG_BLOCK, &set, &l.old_mask) < 0)
    return log_errno(errno, "sigprocmask");
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return log_errno(errno, "signalfd");

  if (pipe2(alive, O_CLOEXEC) < 0 || (p->userns_block_fd >= 0 && pipe2(go, O_CLOEXEC) < 0) ||
      (p->json_status_fd >= 0 && pipe2(exec_pipe, O_CLOEXEC) < 0) ||
      (p->pid1_undumpable && (p->info_fd >= 0 || p->json_status_fd >= 0 || p->pid_fd >= 0) &&
       pipe2(info_done, O_CLOEXEC) < 0))
    return log_errno(errno, "pipe");
  l.info_done_rd = info_done[0];
  l.alive_rd = alive[0];
  l.go_rd = go[0];
  l.exec_wr = exec_pipe[1];
  int learn[2] = { -1, -1 };
  if (log && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, learn) < 0)
    return log_errno(errno, "socketpair");
  l.learn_wr = learn[1];

  unsigned long flags = CLONE_NEWNS | (p->unshare & (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP));
  bool via_intermediate = p->pidns_fd >= 0 && (flags & CLONE_NEWPID);
  /* The cgroup namespace the integrator fds report is the one the child
   * makes once in its cgroup (enter_cgroup): wait for it. */
  l.late_cgroupns = p->cgroup_fd >= 0 && (flags & CLONE_NEWCGROUP);
  int cgns[2] = { -1, -1 };
  if (l.late_cgroupns && (p->info_fd >= 0 || p->json_status_fd >= 0 || p->pid_fd >= 0) && pipe2(cgns, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  l.cgns_wr = cgns[1];
  int pidsock[2] = { -1, -1 };
  pid_t intermediate = -1;
  if (via_intermediate) {
    int one = 1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pidsock) < 0 ||
        setsockopt(pidsock[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
      return log_errno(errno, "socketpair");
    intermediate = fork();
    if (intermediate < 0)
      return log_errno(errno, "fork");
    if (intermediate > 0) {
      close(pidsock[1]);
      goto monitor;
    }
    /* The intermediate, inside the joined pid namespace.  It reports no
     * namespaces: only the monitor may hold the info_done write end. */
    close(pidsock[0]);
    if (info_done[1] >= 0) {
      close(info_done[1]);
      info_done[1] = -1;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
      _exit(SBX_EXIT_SETUP);
    struct pollfd pfd = { .fd = alive[0], .events = POLLIN };
    if (poll(&pfd, 1, 0) > 0)
      _exit(SBX_EXIT_SETUP);
  }
  pid_t pid = clone_sandbox(&l, l.late_cgroupns ? flags & ~(unsigned long)CLONE_NEWCGROUP : flags, p->cgroup_fd);
  if (pid < 0) {
    int e = errno;
    if (l.userns && (e == EPERM || e == EACCES || e == ENOSPC || e == EINVAL || e == ENOSYS))
      ns_explain_clone_failure(e); /* which restriction, and its remedy */
    else if (e == EPERM || e == EUSERS || e == ENOSPC || e == EINVAL)
      log_errno(e, "Creating new namespace failed%s", l.userns ? " (are unprivileged user namespaces allowed on this system?)" : "");
    else
      log_errno(e, "clone");
    if (via_intermediate)
      _exit(SBX_EXIT_SETUP);
    return -e;
  }
  if (pid > 0 && via_intermediate) {
    if (cgns[1] >= 0)
      close(cgns[1]); /* the sandbox's write end is the one that counts */
    if (send_pid(pidsock[1], pid) < 0 || close_monitor_fds(p) < 0)
      _exit(SBX_EXIT_SETUP);
    _exit(supervise(pid, sfd));
  }
  if (pid == 0) {
    close(alive[1]);
    if (learn[0] >= 0)
      close(learn[0]);
    if (go[1] >= 0)
      close(go[1]);
    if (exec_pipe[0] >= 0)
      close(exec_pipe[0]);
    if (info_done[1] >= 0)
      close(info_done[1]);
    close(sfd);
    sandbox_main(&l, p);
  }

monitor:
  /* The monitor. */
  if (via_intermediate) {
    /* Wait on the intermediate; report the sandbox's own pid. */
    pid = recv_pid(pidsock[0]);
    close(pidsock[0]);
    if (pid <= 0) {
      waitpid(intermediate, NULL, 0);
      return log_fail(ECHILD, "Can't learn the sandbox's pid in the --pidns namespace");
    }
  }
  /* Only the sandbox speaks on started_fd: its EOF then means the sandbox
   * failed before it was joinable. */
  if (p->started_fd >= 0)
    close(p->started_fd);
  close(alive[0]);
  if (learn[1] >= 0)
    close(learn[1]);
  if (go[0] >= 0)
    close(go[0]);
  if (exec_pipe[1] >= 0)
    close(exec_pipe[1]);
  if (info_done[0] >= 0)
    close(info_done[0]);
  /* Only pid 1 inside may keep the sync and ready fds: their EOF must mean
   * "the sandbox ended", not "the monitor ended". */
  if (p->sync_fd >= 0)
    close(p->sync_fd);
  if (p->ready_fd >= 0)
    close(p->ready_fd);
  if (p->net_ready_fd >= 0)
    close(p->net_ready_fd);
  if ((r = close_monitor_fds(p)) < 0) {
    pid_t child = via_intermediate ? intermediate : pid;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return r;
  }

  /* For launch's registry (--list, --join): the sandbox's first process. */
  if (p->pid_fd >= 0) {
    char line[32];
    int len = snprintf(line, sizeof line, "pid=%d\n", (int)pid);
    (void)write_all(p->pid_fd, line, (size_t)len);
  }

  /* The namespace ids, for the integrator fds and the registry. */
  struct sandbox_info info;
  if (cgns[1] >= 0) {
    char c;
    close(cgns[1]);
    (void)RETRY(read(cgns[0], &c, 1)); /* EOF: the sandbox died first */
    close(cgns[0]);
  }
  register_namespaces(p, pid);
  if (p->info_fd >= 0 || p->json_status_fd >= 0)
    info_collect(&info, pid, flags);
  if (info_done[1] >= 0)
    close(info_done[1]); /* pid 1 may now stop being dumpable */
  pid_t waited = via_intermediate ? intermediate : pid; /* our own child */
  if ((r = write_info(p, &info)) < 0) {
    kill(waited, SIGKILL);
    waitpid(waited, NULL, 0);
    return r;
  }
  if (p->userns_block_fd >= 0) {
    char c;
    (void)RETRY(read(p->userns_block_fd, &c, 1));
    close(p->userns_block_fd);
    if (write(go[1], "g", 1) != 1) {
      r = log_errno(errno, "Can't tell the sandbox to go on");
      kill(waited, SIGKILL);
      waitpid(waited, NULL, 0);
      return r;
    }
    close(go[1]);
  }

  /* The monitor needs no privileges to wait and forward signals. */
  if (l.real_uid == 0 && (r = caps_drop_all()) < 0) {
    kill(waited, SIGKILL);
    waitpid(waited, NULL, 0);
    return r;
  }
  int code = log ? notify_supervise(waited, sfd, learn[0], log, explain) : supervise(waited, sfd);
  if (learn[0] >= 0)
    close(learn[0]);

  if (p->json_status_fd >= 0) {
    char buf[4];
    fcntl(exec_pipe[0], F_SETFL, O_NONBLOCK);
    ssize_t n = read(exec_pipe[0], buf, sizeof buf);
    if (n == 1) {
      char line[64];
      int len = snprintf(line, sizeof line, "{ \"exit-code\": %d }\n", code);
      (void)write_all(p->json_status_fd, line, (size_t)len);
    }
    close(p->json_status_fd);
  }
  return code;
}

int sbx_run(struct plan *p)
{
  int r = run(p, NULL, NULL);
  return r < 0 ? SBX_EXIT_SETUP : r;
}

int sbx_run_learn(struct plan *p, struct learn_log *log)
{
  if (p->pidns_fd >= 0)
    return log_fail(EINVAL, "--learn can't join a pid namespace (--pidns)"), SBX_EXIT_SETUP;
  int r = run(p, log, NULL);
  return r < 0 ? SBX_EXIT_SETUP : r;
}

int sbx_run_explain(struct plan *p, void (*report)(void *ctx, const struct learn_event *e), void *ctx)
{
  if (p->pidns_fd >= 0)
    return log_fail(EINVAL, "--explain-denials can't join a pid namespace (--pidns)"), SBX_EXIT_SETUP;
  /* The monitor drops root's capabilities; without a user namespace of
   * the sandbox's (which its uid owns) it may then no longer read the
   * memory of an app that kept them. */
  if (getuid() == 0 && !(p->unshare & CLONE_NEWUSER))
    log_warn("--explain-denials: without a user namespace (--unshare-user) root's app can't be read: "
             "paths it is refused go unreported");
  struct notify_explain x = { p->syscall_rules, p->n_syscall_rules, report, ctx };
  struct learn_log log = { 0 };
  int r = run(p, &log, &x);
  learn_log_free(&log);
  return r < 0 ? SBX_EXIT_SETUP : r;
}

/* ---- --join ---------------------------------------------------------- */

/* The namespaces target is in and we are not: joining one's own user
 * namespace again is refused by the kernel (EINVAL), the others would be
 * no-ops. */
static unsigned long namespaces_to_join(pid_t target)
{
  const struct ns_kind *ns = all_ns;
  unsigned long flags = 0;
  for (size_t i = 0; i < N_ALL_NS; i++) {
    char path[64];
    struct stat mine, theirs;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)target, ns[i].name);
    if (stat(path, &theirs) < 0)
      continue;
    snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i].name);
    if (stat(path, &mine) < 0 || mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev)
      flags |= ns[i].flag;
  }
  return flags;
}

/* The joined process: the sandbox app's restrictions, then exec. */
_noreturn_ static void join_child(struct plan *p, uint64_t keep, char **argv, char **envp)
{
  struct filters f = { 0 };
  const char *cwd = p->chdir ? p->chdir : "/";
  int r = 0;
  if (chdir(cwd) < 0 && chdir("/") < 0)
    r = log_errno(errno, "Can't chdir to %s", cwd);
  if (r == 0)
    r = caps_apply(keep, geteuid() != 0);
  if (r == 0)
    r = landlock_apply(&p->landlock);
  if (r == 0 && p->n_policy_progs == 0)
    r = seccomp_compile_policy(p, p->policy_progs, &p->n_policy_progs);
  if (r == 0)
    r = apply_filters(p, &f, false);
  if (r == 0) {
    environ = envp;
    execvp(argv[0], argv);
    log_errno(errno, "execvp %s", argv[0]);
  }
  _exit(SBX_EXIT_SETUP);
}

int sbx_join(struct plan *p, pid_t target, int pidfd, char **argv, char **envp)
{
  uint64_t keep;
  if (pidfd < 0)
    pidfd = (int)syscall(SYS_pidfd_open, target, 0);
  if (pidfd < 0)
    return log_errno(errno, "Can't open the sandbox's process %d", (int)target), SBX_EXIT_SETUP;
  unsigned long flags = namespaces_to_join(target);
  int r = compute_caps(p, getuid(), &keep);
  /* One call for all of them: the kernel enters the user namespace first,
   * so the others are judged with the capabilities held there. */
  if (r == 0 && flags && setns(pidfd, (int)flags) < 0)
    r = log_errno(errno, "Can't enter the namespaces of the sandbox's process %d", (int)target);
  close(pidfd);
  if (r < 0)
    return SBX_EXIT_SETUP;
  /* A new pid namespace takes effect for children only. */
  sigset_t set, old;
  supervisor_signals(&set);
  if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
    return log_errno(errno, "sigprocmask"), SBX_EXIT_SETUP;
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return log_errno(errno, "signalfd"), SBX_EXIT_SETUP;
  pid_t pid = fork();
  if (pid < 0)
    return log_errno(errno, "fork"), SBX_EXIT_SETUP;
  if (pid == 0) {
    close(sfd);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || sigprocmask(SIG_SETMASK, &old, NULL) < 0)
      _exit(SBX_EXIT_SETUP);
    join_child(p, keep, argv, envp);
  }
  if (getuid() == 0)
    (void)caps_drop_all();
  int code = supervise(pid, sfd);
  close(sfd);
  return code;
}

/* ---- a side service's sandbox ------------------------------------------ */

/* The service's first process: only the fds it is given, then the
 * sandbox, then its program.  Never returns. */
_noreturn_ static void service_main(struct run_state *l, struct plan *p, const int *pass, size_t n_pass)
{
  /* sbx's fds are close-on-exec, but the caller's named in the app's plan
   * (--sync-fd, --file FD...) are not: they are the app's, not the
   * service's.  Stdin reads nothing: the terminal is the app's. */
  _cleanup_free_ int *keep = xcalloc(n_pass + 1, sizeof *keep);
  memcpy(keep, pass, n_pass * sizeof *pass);
  keep[n_pass] = l->alive_rd;
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || close_fds_except(keep, n_pass + 1) < 0)
    _exit(SBX_EXIT_SETUP);
  for (size_t i = 0; i < n_pass; i++)
    if (pass[i] >= 0 && fcntl(pass[i], F_SETFD, 0) < 0)
      _exit(SBX_EXIT_SETUP);
  struct filters filters = { 0 };
  int r = sandbox_setup(l, p, &filters);
  if (r == 0)
    r = exec_app(l, p, &filters);
  _exit(SBX_EXIT_SETUP);
}

struct service_args {
  struct run_state *l;
  struct plan *p;
  const int *pass;
  size_t n_pass;
};

static int service_child(void *arg)
{
  struct service_args *a = arg;
  service_main(a->l, a->p, a->pass, a->n_pass);
}

/* The service's first process runs in sbx's memory on a stack of its own
 * (CLONE_VM), and sbx sleeps until it has exec'd or exited (CLONE_VFORK),
 * as for the app's process in the sandbox (spawn_app): a fork would copy
 * sbx's page tables and write-protect every private page, and each page
 * either process then writes is copied, with a TLB flush each time, which
 * is dear under a hypervisor (docs/performance.md).  The child's setup is
 * sbx's own code on data it was given; what it writes before its exec
 * (the run state, environ, argv[0], allocations it never frees) sbx puts
 * back or does not use again.  Where a filter or an emulator refuses these
 * flags the spawn is a plain fork-like clone. */
static pid_t clone_service(struct service_args *a, unsigned long flags)
{
  const size_t stack_size = 1024 * 1024; /* touched lazily: a few pages */
  void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  pid_t pid = -1;
  int e = EINVAL;
  if (stack != MAP_FAILED) {
    char **env = environ;
    char *arg0 = a->p->argv[0];
    pid = clone(service_child, (char *)stack + stack_size, (int)(flags | CLONE_VM | CLONE_VFORK | SIGCHLD), a);
    e = errno;
    environ = env;
    a->p->argv[0] = arg0;
    munmap(stack, stack_size);
  }
  if (pid < 0 && (e == EINVAL || e == EPERM || e == ENOSYS || stack == MAP_FAILED)) {
    pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    e = errno;
    if (pid == 0)
      service_main(a->l, a->p, a->pass, a->n_pass);
  }
  errno = e;
  return pid;
}

int sbx_spawn(struct plan *p, const int *pass, size_t n_pass, struct helper *h)
{
  *h = HELPER_NONE;
  struct run_state l;
  int r = run_state_init(&l, p);
  if (r < 0)
    return r;
  /* The service starts with no signal blocked, whatever sbx blocks now. */
  sigemptyset(&l.old_mask);
  /* The child arms its parent-death signal, then checks that sbx did not
   * die before that: sbx's pidfd polls readable once sbx has exited.
   * (Without pidfd_open, kernels before 5.3, the check is skipped.) */
  l.alive_rd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  int alive_rd = l.alive_rd; /* the child may change l: it shares our memory */
  unsigned long flags = CLONE_NEWNS | (p->unshare & (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP));
  struct service_args a = { &l, p, pass, n_pass };
  pid_t pid = clone_service(&a, flags);
  int e = errno;
  if (alive_rd >= 0)
    close(alive_rd);
  if (pid < 0)
    return log_errno(e, "Can't start %s: clone", p->argv[0]);
  h->pid = pid;
  /* Not reaped yet, so the pid still names our child. */
  h->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  return 0;
}
