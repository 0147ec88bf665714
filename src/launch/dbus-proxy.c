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

char **dbus_proxy_argv(const struct plan_services *s, const char *binary, int sync_fd, int info_fd, bool explain)
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
  strv_add(&sv, binary ? binary : "xdg-dbus-proxy");
  _cleanup_free_ char *fd = fd_word(sync_fd, explain);
  _cleanup_free_ char *fd_arg = xasprintf("--fd=%s", fd);
  strv_add(&sv, fd_arg);
  for (size_t i = 0; i < s->n_buses; i++) {
    const struct plan_bus *b = &s->buses[i];
    strv_add(&sv, b->address);
    strv_add(&sv, b->socket);
    for (size_t j = 0; j < b->rules.n; j++)
      strv_add(&sv, b->rules.v[j]);
  }
  return strv_steal(&sv);
}

static int make_info_memfd(const struct plan_services *s)
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

int dbus_proxy_spawn(const struct plan_services *s, const char *binary, int ready_wr, struct helper *out)
{
  _cleanup_close_ int info_fd = -1;
  if (s->app_info && (info_fd = make_info_memfd(s)) < 0)
    return info_fd;
  _cleanup_strv_ char **argv = dbus_proxy_argv(s, binary, ready_wr, info_fd, false);
  /* An empty environment, as Flatpak gives its wrapper: the proxy's
   * arguments say everything. */
  char *envp[] = { NULL };
  const int pass[] = { ready_wr, info_fd };
  return helper_spawn(out, "the D-Bus proxy's sandbox", "/proc/self/exe", argv, envp, pass, 2);
}
