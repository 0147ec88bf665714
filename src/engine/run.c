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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine/engine.h"
#include "engine/run.h"
#include "engine/info.h"
#include "engine/supervisor.h"
#include "util/util.h"

extern char **environ;

struct launch {
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
  int *lock_fds;     /* --lock-file: held open (and locked) by pid 1 */
  size_t n_lock_fds;
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

static int take_lock_files(struct launch *l, const struct plan *p)
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

static int choose_cwd(const struct launch *l, struct plan *p)
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

/* Every system call filter of the plan, as the last step of setup: sbx's
 * own rules, then the caller's programs.  Filters stack (the kernel runs all
 * of them and the most restrictive answer wins), so the order does not
 * weaken either; but a caller's program may well refuse seccomp(2) and
 * prctl(PR_SET_SECCOMP) (bubblewrap's contract only asks every program but
 * the last to allow them), so it must come last. */
static int apply_filters(const struct plan *p, const struct seccomp_prog *late)
{
  int r = seccomp_apply_rules(p->syscall_rules, p->n_syscall_rules);
  if (r == 0)
    r = seccomp_apply(p->seccomp_progs, p->n_seccomp_progs);
  if (r == 0 && late->data)
    r = seccomp_apply(late, 1);
  return r;
}

/* A side service started beside the sandbox (plan->ready_fd): one byte
 * means it serves.  EOF means every write end is gone, i.e. the service
 * exited first (the launch layer keeps no copy of the write end); the
 * poll bounds a service that hangs.  Called in the process that execs the
 * app, as late as possible, so the sandbox was built while the service
 * started. */
static int wait_ready(const struct plan *p)
{
  struct pollfd pfd = { .fd = p->ready_fd, .events = POLLIN };
  int n = RETRY(poll(&pfd, 1, p->ready_timeout_ms > 0 ? p->ready_timeout_ms : -1));
  if (n < 0)
    return log_errno(errno, "Can't wait for %s", p->ready_what);
  if (n == 0)
    return log_fail(ETIMEDOUT, "%s did not become ready within %d s", p->ready_what, p->ready_timeout_ms / 1000);
  char c;
  ssize_t r = RETRY(read(p->ready_fd, &c, 1));
  if (r < 0)
    return log_errno(errno, "Can't read the ready pipe of %s", p->ready_what);
  if (r == 0)
    return log_fail(EIO, "%s exited before it was ready", p->ready_what);
  return 0;
}

/* pid 1 keeps stdio, its signalfd, the sync and ready fds and the lock
 * files, and closes everything else, as bubblewrap's does: a copy of a pipe the app was
 * given would keep its reader from seeing EOF when the app closes it, and
 * an fd the caller handed down has no business outliving the app in a
 * process the app can't see. */
static int close_pid1_fds(const struct launch *l, const struct plan *p, int sfd)
{
  size_t n = 0;
  _cleanup_free_ int *keep = xcalloc(l->n_lock_fds + 3, sizeof *keep);
  keep[n++] = sfd;
  keep[n++] = p->sync_fd;
  keep[n++] = p->ready_fd;
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

/* The sandbox's first process: build everything, then become pid 1 or the app. */
_noreturn_ static void sandbox_main(struct launch *l, struct plan *p)
{
  struct setup s = { .plan = p, .proc_fd = -1, .oldroot_fd = -1, .root_fd = -1, .scratch_fd = -1,
                     .host_uid = l->real_uid };
  struct seccomp_prog late = { 0 };

  /* First thing after clone: die with the monitor, and make sure it did not
   * die before that was armed. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    _exit(1);
  struct pollfd pfd = { .fd = l->alive_rd, .events = POLLIN };
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLIN)))
    _exit(1);

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
      _exit(1);
    close(l->go_rd);
  }

  s.in_userns = l->userns || p->userns_fd >= 0;
  if (l->userns && p->userns_block_fd < 0) {
    uid_t inner_uid = l->nested ? 0 : l->sandbox_uid;
    gid_t inner_gid = l->nested ? 0 : l->sandbox_gid;
    /* Written from inside, so the kernel insists on setgroups being denied
     * for the gid map, even for root. */
    if (ns_write_id_maps(AT_FDCWD, "/proc/self", inner_uid, l->real_uid, inner_gid, l->real_gid, true) < 0)
      _exit(1);
  }
  if ((p->unshare & CLONE_NEWNET) && ns_loopback_up() < 0)
    _exit(1);
  if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
    die("Can't set hostname %s: %s", p->hostname, strerror(errno));

  mode_t old_umask = umask(0);
  if (label_create_files(p->file_label) < 0 || setup_build_root(&s) < 0 || setup_run_ops(&s) < 0 ||
      setup_enter_root(&s) < 0)
    _exit(1);

  if (l->nested && ns_nested_userns(&s, l->sandbox_uid, l->sandbox_gid, p->disable_userns) < 0)
    _exit(1);
  if (p->userns2_fd >= 0) {
    if (setns(p->userns2_fd, CLONE_NEWUSER) < 0)
      die("Can't switch to the --userns2 user namespace: %s", strerror(errno));
    close(p->userns2_fd);
  }
  if ((p->disable_userns || p->assert_userns_disabled) && ns_check_userns_disabled() < 0)
    _exit(1);
  close(s.proc_fd);

  if (choose_cwd(l, p) < 0)
    _exit(1);
  if (take_lock_files(l, p) < 0)
    _exit(1);
  if (caps_apply(l->keep_caps, geteuid() != 0) < 0)
    _exit(1);
  /* Setup may not have been done as the final uid; the dumpable flag is
   * reset by credential changes, and ptrace by the app's own uid is fine. */
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
    die("prctl(PR_SET_DUMPABLE): %s", strerror(errno));

  if (p->block_fd >= 0) {
    char c;
    (void)RETRY(read(p->block_fd, &c, 1));
    close(p->block_fd);
  }
  if (p->seccomp_fd >= 0) {
    if (seccomp_read_fd(p->seccomp_fd, &late) < 0)
      _exit(1);
    close(p->seccomp_fd);
  }
  if (p->new_session && setsid() < 0)
    die("setsid: %s", strerror(errno));
  if (label_exec(p->exec_label) < 0)
    _exit(1);
  umask(old_umask);
  /* Landlock once, before the fork: pid 1 and the app share its domain. */
  if (landlock_apply(&p->landlock) < 0)
    _exit(1);

  if (plan_needs_reaper(p)) {
    pid_t app = fork();
    if (app < 0)
      die("Can't fork: %s", strerror(errno));
    if (app > 0) {
      /* pid 1: no capabilities, the same system call filters as the app
       * (the app could ptrace us), and nothing but reaping and forwarding. */
      sigset_t set;
      supervisor_signals(&set);
      int sfd = signalfd(-1, &set, SFD_CLOEXEC);
      if (sfd < 0)
        die("signalfd: %s", strerror(errno));
      if (l->exec_wr >= 0)
        close(l->exec_wr);
      if (close_pid1_fds(l, p, sfd) < 0)
        die("Can't close file descriptors in pid 1: %s", strerror(errno));
      if (!p->die_with_parent && !p->die_with_sbx && prctl(PR_SET_PDEATHSIG, 0) < 0)
        die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
      if (caps_drop_all() < 0 || apply_filters(p, &late) < 0)
        _exit(1);
      _exit(supervise(app, sfd));
    }
    if (p->sync_fd >= 0)
      close(p->sync_fd);
  }

  /* The app.  First the side services it needs: pid 1 (if any) keeps its
   * copy of the ready pipe, ours goes before exec. */
  if (p->ready_fd >= 0) {
    if (wait_ready(p) < 0)
      _exit(1);
    close(p->ready_fd);
  }
  if (prctl(PR_SET_PDEATHSIG, p->die_with_parent || p->die_with_sbx ? SIGKILL : 0) < 0)
    die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
  /* The app must not start with the supervisor's signals blocked. */
  if (sigprocmask(SIG_SETMASK, &l->old_mask, NULL) < 0)
    die("sigprocmask: %s", strerror(errno));
  if (apply_filters(p, &late) < 0)
    _exit(1);
  if (l->exec_wr >= 0)
    (void)!write(l->exec_wr, "x", 1);
  char *file = p->argv[0];
  if (p->argv0)
    p->argv[0] = p->argv0;
  environ = p->env;
  execvp(file, p->argv);
  int e = errno;
  if (l->exec_wr >= 0)
    (void)!write(l->exec_wr, "x", 1);
  die("execvp %s: %s", file, strerror(e));
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

int sbx_run(struct plan *p)
{
  struct launch l = { .plan = p, .alive_rd = -1, .go_rd = -1, .exec_wr = -1 };
  int alive[2] = { -1, -1 }, go[2] = { -1, -1 }, exec_pipe[2] = { -1, -1 };
  pid_t parent = getppid();

  if (p->die_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
      return log_errno(errno, "prctl(PR_SET_PDEATHSIG)"), 1;
    if (getppid() != parent)
      return 1;
  }

  l.real_uid = getuid();
  l.real_gid = getgid();
  l.sandbox_uid = p->uid_set ? p->uid : l.real_uid;
  l.sandbox_gid = p->gid_set ? p->gid : l.real_gid;
  l.userns = (p->unshare & CLONE_NEWUSER) != 0;
  /* devpts and the user-namespace limit need uid 0 in the namespace that
   * does the setup; the app then gets its own uid one namespace down. */
  l.nested = l.userns && p->userns_block_fd < 0 &&
             (p->disable_userns || (plan_has_op(p, OP_DEV) && (l.sandbox_uid != 0 || l.sandbox_gid != 0)));
  if (compute_caps(p, l.real_uid, &l.keep_caps) < 0)
    return 1;
  char cwd[PATH_MAX];
  l.old_cwd = getcwd(cwd, sizeof cwd) ? cwd : NULL;

  if (p->userns_fd >= 0) {
    if (setns(p->userns_fd, CLONE_NEWUSER) < 0)
      return log_errno(errno, "Can't join the --userns user namespace"), 1;
    close(p->userns_fd);
  }
  if (p->pidns_fd >= 0) {
    if (setns(p->pidns_fd, CLONE_NEWPID) < 0)
      return log_errno(errno, "Can't join the --pidns pid namespace"), 1;
    close(p->pidns_fd);
  }

  sigset_t set;
  supervisor_signals(&set);
  if (sigprocmask(SIG_BLOCK, &set, &l.old_mask) < 0)
    return log_errno(errno, "sigprocmask"), 1;
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return log_errno(errno, "signalfd"), 1;

  if (pipe2(alive, O_CLOEXEC) < 0 || (p->userns_block_fd >= 0 && pipe2(go, O_CLOEXEC) < 0) ||
      (p->json_status_fd >= 0 && pipe2(exec_pipe, O_CLOEXEC) < 0))
    return log_errno(errno, "pipe"), 1;
  l.alive_rd = alive[0];
  l.go_rd = go[0];
  l.exec_wr = exec_pipe[1];

  unsigned long flags = CLONE_NEWNS | (p->unshare & (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP));
  bool via_intermediate = p->pidns_fd >= 0 && (flags & CLONE_NEWPID);
  int pidsock[2] = { -1, -1 };
  pid_t intermediate = -1;
  if (via_intermediate) {
    int one = 1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pidsock) < 0 ||
        setsockopt(pidsock[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
      return log_errno(errno, "socketpair"), 1;
    intermediate = fork();
    if (intermediate < 0)
      return log_errno(errno, "fork"), 1;
    if (intermediate > 0) {
      close(pidsock[1]);
      goto monitor;
    }
    /* The intermediate, inside the joined pid namespace. */
    close(pidsock[0]);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
      _exit(1);
    struct pollfd pfd = { .fd = alive[0], .events = POLLIN };
    if (poll(&pfd, 1, 0) > 0)
      _exit(1);
  }
  pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0) {
    int e = errno;
    if (e == EPERM || e == EUSERS || e == ENOSPC || e == EINVAL)
      log_errno(e, "Creating new namespace failed%s", l.userns ? " (are unprivileged user namespaces allowed on this system?)" : "");
    else
      log_errno(e, "clone");
    if (via_intermediate)
      _exit(1);
    return 1;
  }
  if (pid > 0 && via_intermediate) {
    if (send_pid(pidsock[1], pid) < 0 || close_monitor_fds(p) < 0)
      _exit(1);
    _exit(supervise(pid, sfd));
  }
  if (pid == 0) {
    close(alive[1]);
    if (go[1] >= 0)
      close(go[1]);
    if (exec_pipe[0] >= 0)
      close(exec_pipe[0]);
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
      return log_fail(ECHILD, "Can't learn the sandbox's pid in the --pidns namespace"), 1;
    }
  }
  close(alive[0]);
  if (go[0] >= 0)
    close(go[0]);
  if (exec_pipe[1] >= 0)
    close(exec_pipe[1]);
  /* Only pid 1 inside may keep the sync and ready fds: their EOF must mean
   * "the sandbox ended", not "the monitor ended". */
  if (p->sync_fd >= 0)
    close(p->sync_fd);
  if (p->ready_fd >= 0)
    close(p->ready_fd);
  if (close_monitor_fds(p) < 0) {
    pid_t child = via_intermediate ? intermediate : pid;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 1;
  }

  struct sandbox_info info;
  info_collect(&info, pid, flags);
  pid_t waited = via_intermediate ? intermediate : pid; /* our own child */
  if (write_info(p, &info) < 0) {
    kill(waited, SIGKILL);
    waitpid(waited, NULL, 0);
    return 1;
  }
  if (p->userns_block_fd >= 0) {
    char c;
    (void)RETRY(read(p->userns_block_fd, &c, 1));
    close(p->userns_block_fd);
    if (write(go[1], "g", 1) != 1) {
      kill(waited, SIGKILL);
      waitpid(waited, NULL, 0);
      return 1;
    }
    close(go[1]);
  }

  /* The monitor needs no privileges to wait and forward signals. */
  if (l.real_uid == 0 && caps_drop_all() < 0) {
    kill(waited, SIGKILL);
    waitpid(waited, NULL, 0);
    return 1;
  }
  int code = supervise(waited, sfd);

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
