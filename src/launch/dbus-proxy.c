/* xdg-dbus-proxy in a sandbox of its own.
 *
 * Why a sandbox: xdg-desktop-portal asks the bus who called it and reads
 * /proc/PID/root/.flatpak-info of that peer to learn the app id and its
 * permissions.  Behind a proxy the peer is the proxy, so the proxy must see
 * the same /.flatpak-info as the app; without it the app would pass for an
 * unconfined host program.  Flatpak wraps the proxy in bubblewrap for the
 * same reason.
 *
 * The wrapper is sbx itself (/proc/self/exe) in bubblewrap mode:
 *
 *   --die-with-parent        it dies with the sbx that started it
 *   --unshare-pid/-ipc       it sees no other process, no SysV IPC
 *   --cap-drop ALL           root's capabilities stay outside
 *   --ro-bind /X /X ...      every top-level directory of the host,
 *   --symlink T /X ...       read-only (its root is sbx's own tmpfs, so
 *                            /.flatpak-info can be placed at all), which
 *                            shows it any unix:path= bus address
 *   --proc /proc --dev /dev
 *   --bind RUNTIME RUNTIME   the instance directory: its sockets go there
 *   --ro-bind-data FD /.flatpak-info   (only with an app-id)
 *   -- xdg-dbus-proxy --fd=W ADDRESS SOCKET RULES... [ADDRESS SOCKET RULES...]
 *
 * It keeps the host network namespace, so abstract-socket buses work.  One
 * proxy process serves both buses, as in Flatpak.
 *
 * Lifetime (the --fd protocol): the proxy writes one byte to W once all its
 * sockets listen, then watches W; when every copy of the pipe's read end is
 * closed it exits.  sbx does not wait for the byte here: the read end goes
 * to the app sandbox (plan->ready_fd), which is built meanwhile and reads
 * the byte just before it runs the app; its pid 1 holds the read end until
 * the sandbox ends.  Nobody else holds W, so the proxy's early exit shows
 * there as EOF. */
#include "launch/dbus-proxy.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How long the proxy may take to exit after the sandbox ended before sbx
 * kills it. */
#define PROXY_EXIT_TIMEOUT_MS 5000

static bool is_executable_file(const char *path)
{
  struct stat st;
  return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *dbus_proxy_find_binary(const char *path_env)
{
  const char *override = getenv("SBX_DBUS_PROXY");
  if (override && *override)
    return is_executable_file(override) ? xstrdup(override) : NULL;
  _cleanup_free_ char *search = xasprintf("%s:/usr/bin", path_env ? path_env : "");
  for (char *save = NULL, *dir = strtok_r(search, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *candidate = xasprintf("%s/xdg-dbus-proxy", dir);
    if (is_executable_file(candidate))
      return steal_ptr(&candidate);
  }
  return NULL;
}

static char *fd_word(int fd, bool explain)
{
  return explain ? xstrdup("FD") : xasprintf("%d", fd);
}

/* The host's top level, read-only: directories bound, symlinks mirrored.
 * /proc and /dev get fresh instances; a host /.flatpak-info (sbx itself
 * running under Flatpak) is not the app's. */
static void add_host_top_level(struct strv *sv)
{
  struct dirent **names = NULL;
  int n = scandir("/", &names, NULL, alphasort);
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && strcmp(name, "proc") != 0 &&
        strcmp(name, "dev") != 0 && strcmp(name, ".flatpak-info") != 0) {
      _cleanup_free_ char *path = xasprintf("/%s", name);
      struct stat st;
      char target[PATH_MAX];
      ssize_t len;
      if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (len = readlink(path, target, sizeof target - 1)) > 0) {
        target[len] = '\0';
        strv_add(sv, "--symlink");
        strv_add(sv, target);
        strv_add(sv, path);
      } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        strv_add(sv, "--ro-bind");
        strv_add(sv, path);
        strv_add(sv, path);
      }
    }
    free(names[i]);
  }
  free(names);
}

char **dbus_proxy_argv(const struct services *s, int sync_fd, int info_fd, bool explain)
{
  struct strv sv = { 0 };
  /* argv[0] names the process in ps(1) and prefixes its messages. */
  strv_add(&sv, "sbx-dbus-proxy");
  static const char *const fixed[] = { "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--cap-drop", "ALL" };
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    strv_add(&sv, fixed[i]);
  if (explain) {
    strv_add(&sv, "--ro-bind /X /X / --symlink T /X (every top-level entry of the host)");
  } else {
    add_host_top_level(&sv);
  }
  strv_add(&sv, "--proc");
  strv_add(&sv, "/proc");
  strv_add(&sv, "--dev");
  strv_add(&sv, "/dev");
  strv_add(&sv, "--bind");
  strv_add(&sv, s->runtime_dir);
  strv_add(&sv, s->runtime_dir);
  if (s->app_info && (explain || info_fd >= 0)) {
    _cleanup_free_ char *fd = fd_word(info_fd, explain);
    strv_add(&sv, "--ro-bind-data");
    strv_add(&sv, fd);
    strv_add(&sv, "/.flatpak-info");
  }
  strv_add(&sv, "--");
  strv_add(&sv, s->proxy_binary ? s->proxy_binary : "xdg-dbus-proxy");
  _cleanup_free_ char *fd = fd_word(sync_fd, explain);
  _cleanup_free_ char *fd_arg = xasprintf("--fd=%s", fd);
  strv_add(&sv, fd_arg);
  for (size_t i = 0; i < s->n_buses; i++) {
    const struct service_bus *b = &s->buses[i];
    strv_add(&sv, b->address);
    strv_add(&sv, b->socket);
    for (size_t j = 0; j < b->n_rules; j++)
      strv_add(&sv, b->rules[j]);
  }
  return strv_steal(&sv);
}

static int pidfd_open_(pid_t pid)
{
  return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int pidfd, int sig)
{
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Kill and reap the wrapper (its pid 1 and the proxy die with it:
 * --die-with-parent, and the pid namespace ends with its pid 1). */
static void kill_and_reap(struct services *s)
{
  if (s->proxy_pidfd >= 0) {
    pidfd_kill(s->proxy_pidfd, SIGKILL);
    siginfo_t si;
    (void)RETRY(waitid((idtype_t)P_PIDFD, (id_t)s->proxy_pidfd, &si, WEXITED));
    close(s->proxy_pidfd);
  } else if (s->proxy_pid > 0 && waitpid(s->proxy_pid, NULL, WNOHANG) == 0) {
    /* Not reaped yet, so the pid is still ours to signal. */
    kill(s->proxy_pid, SIGKILL);
    (void)RETRY(waitpid(s->proxy_pid, NULL, 0));
  }
  s->proxy_pidfd = -1;
  s->proxy_pid = 0;
}

static int make_info_memfd(const struct services *s)
{
  int fd = (int)syscall(SYS_memfd_create, "sbx-flatpak-info", MFD_CLOEXEC);
  if (fd < 0)
    return log_errno(errno, "memfd_create");
  int r = write_all(fd, s->app_info, s->app_info_len);
  if (r < 0 || lseek(fd, 0, SEEK_SET) < 0) {
    r = r < 0 ? r : -errno;
    close(fd);
    return log_errno(-r, "Can't write the proxy's /.flatpak-info");
  }
  return fd;
}

/* The wrapper's process: its own session (^C in the terminal is for the
 * app, which may well handle it; the proxy goes when the sandbox goes),
 * the two fds it is given, stdin from /dev/null, then sbx itself.
 *
 * vfork: the child makes only system calls before its execve, and a fork
 * of sbx after the compile (a large heap by then) costs ~2 ms on a
 * hypervisor that traps page-table updates; sbx sleeps the ~0.1 ms until
 * the exec instead. */
static pid_t spawn_wrapper(char **argv, char **envp, int ready_wr, int info_fd)
{
  pid_t pid = vfork();
  if (pid != 0)
    return pid;
  setsid();
  if (fcntl(ready_wr, F_SETFD, 0) < 0 || (info_fd >= 0 && fcntl(info_fd, F_SETFD, 0) < 0))
    _exit(127);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0)
    dup2(null, STDIN_FILENO);
  if (chdir("/") < 0)
    _exit(127);
  execve("/proc/self/exe", argv, envp);
  /* No stdio in a vfork child: the message in pieces, and the errno text
   * from the table (strerror may format into a buffer). */
  const char *piece[] = { log_prog(), ": Can't run the D-Bus proxy's sandbox (/proc/self/exe): ",
                          strerrordesc_np(errno), "\n" };
  for (size_t i = 0; i < sizeof piece / sizeof piece[0]; i++)
    if (piece[i])
      (void)!write(STDERR_FILENO, piece[i], strlen(piece[i]));
  _exit(127);
}

int dbus_proxy_spawn(struct services *s, int ready_wr)
{
  _cleanup_close_ int info_fd = -1;
  if (s->app_info && (info_fd = make_info_memfd(s)) < 0)
    return info_fd;

  char **argv = dbus_proxy_argv(s, ready_wr, info_fd, false);
  /* An empty environment, as Flatpak gives its wrapper: the proxy's
   * arguments say everything. */
  char *envp[] = { NULL };
  pid_t pid = spawn_wrapper(argv, envp, ready_wr, info_fd);
  if (pid < 0) {
    int e = errno;
    strv_free(argv);
    return log_errno(e, "fork");
  }
  strv_free(argv);
  s->proxy_pid = pid;
  s->proxy_pidfd = pidfd_open_(pid); /* -1 on kernels before 5.3: pid is used then */
  return 0;
}

void dbus_proxy_reap(struct services *s)
{
  if (s->proxy_pid <= 0)
    return;
  if (s->proxy_pidfd >= 0) {
    struct pollfd pfd = { .fd = s->proxy_pidfd, .events = POLLIN };
    int r;
    do
      r = poll(&pfd, 1, PROXY_EXIT_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r == 0)
      log_warn("the D-Bus proxy did not exit when the sandbox ended; killing it");
    /* Exited (or not): SIGKILL on an exited process is harmless, and the
     * wait reaps it unless the monitor already did. */
    kill_and_reap(s);
    return;
  }
  for (int waited = 0; waited < PROXY_EXIT_TIMEOUT_MS; waited += 50) {
    pid_t r = waitpid(s->proxy_pid, NULL, WNOHANG);
    if (r == s->proxy_pid || (r < 0 && errno == ECHILD)) {
      s->proxy_pid = 0;
      return;
    }
    usleep(50 * 1000);
  }
  kill_and_reap(s);
}
