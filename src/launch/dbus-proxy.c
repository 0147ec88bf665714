/* xdg-dbus-proxy in a sandbox of its own.
 *
 * Why a sandbox: xdg-desktop-portal asks the bus who called it and reads
 * /proc/PID/root/.flatpak-info of that peer to learn the app id and its
 * permissions.  Behind a proxy the peer is the proxy, so the proxy must see
 * the same /.flatpak-info as the app; without it the app would pass for an
 * unconfined host program.  Flatpak wraps the proxy in bubblewrap for the
 * same reason.  The sandbox is also defense in depth: the proxy parses what
 * the app sends, and a proxy taken over by the app sees no other process
 * and can write nowhere but its socket directories.
 *
 * The view is the least the proxy runs with (no /home, /tmp, /proc, /dev):
 * a smaller attack surface, and ~1.5 ms less to build and tear down than
 * the whole host's top level it had before (docs/performance.md).
 *
 * The sandbox, in bubblewrap's words (--explain prints it so):
 *
 *   --die-with-parent        it dies with the sbx that started it
 *   --unshare-pid/-ipc       it sees no other process, no SysV IPC
 *   --cap-drop ALL           root's capabilities stay outside
 *   --ro-bind /usr /usr ...  the system: /usr, /etc and /bin, /sbin, /lib*
 *   --symlink T /X ...       as they are (directories or merged-/usr links),
 *                            and the top-level directory of the proxy's
 *                            binary when it lives elsewhere; its root is
 *                            sbx's own tmpfs, so /.flatpak-info can be
 *                            placed at all
 *   --ro-bind SOCK SOCK      each bus's unix:path= socket file (abstract
 *                            sockets need nothing: see below)
 *   --bind RUNTIME RUNTIME   the instance directory: its sockets go there
 *   --ro-bind-data /.flatpak-info   (only with an app-id)
 *   -- xdg-dbus-proxy --fd=W ADDRESS SOCKET RULES... [ADDRESS SOCKET RULES...]
 *
 * It is built in sbx's own process (engine/run.h sbx_spawn), from the plan
 * below: a clone with the namespaces (sharing sbx's memory until its exec),
 * the engine's setup, then the exec of xdg-dbus-proxy, which is pid 1 of
 * its pid namespace (it starts no process, so it needs no reaper).  An
 * exec of sbx in bubblewrap mode would do the same after linking and
 * parsing everything again, and with a pid 1 and a monitor of its own:
 * three processes where one does, ~10 ms on the machine of
 * docs/performance.md.
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

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/run.h"
#include "util/bus-address.h"
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

/* A top-level entry of the host, as it is: a directory bound read-only,
 * a symlink (merged /usr: /lib -> usr/lib) mirrored; absent, nothing. */
static void add_top_level(struct plan *pp, const char *path)
{
  struct stat st;
  char target[PATH_MAX];
  ssize_t len;
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (len = readlink(path, target, sizeof target - 1)) > 0) {
    target[len] = '\0';
    plan_add_op(pp, OP_SYMLINK, target, path);
  } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    plan_add_op(pp, OP_BIND, path, path)->access = ACCESS_RO;
  }
}

/* What the proxy runs with: the system's programs, libraries and /etc,
 * and the top-level directory its binary lives in when that is elsewhere
 * (/opt, /nix, a test's stand-in).  Nothing else of the host: no home, no
 * /tmp, no /run but the bus sockets. */
static void add_system(struct plan *pp, const char *binary)
{
  static const char *const system_dirs[] = { "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };
  for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
    add_top_level(pp, system_dirs[i]);
  _cleanup_free_ char *real = binary ? realpath(binary, NULL) : NULL;
  for (const char *path = binary; path; path = path == binary ? real : NULL) {
    if (!path || path[0] != '/')
      continue;
    _cleanup_free_ char *top = xasprintf("/%.*s", (int)strcspn(path + 1, "/"), path + 1);
    bool known = false;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
      known |= strcmp(top, system_dirs[i]) == 0;
    for (size_t i = 0; i < pp->n_ops && !known; i++)
      known = strcmp(pp->ops[i].dest, top) == 0;
    if (!known)
      add_top_level(pp, top);
  }
}

/* Each bus's socket file, read-only (connecting needs no write access
 * to the mount), at its own path; abstract sockets need nothing: the
 * proxy keeps the host's network namespace. */
static void add_bus_sockets(struct plan *pp, const struct plan_services *s)
{
  for (size_t i = 0; i < s->n_buses; i++) {
    struct strv paths = { 0 };
    bus_address_paths(s->buses[i].address, &paths);
    for (size_t j = 0; j < paths.n; j++)
      plan_add_op(pp, OP_BIND, paths.v[j], paths.v[j])->access = ACCESS_RO;
    strv_clear(&paths);
  }
}

/* The plan; host=false leaves the system directories out (--explain names
 * them in a few words instead). */
static void proxy_plan(struct plan *pp, const struct plan_services *s, const char *binary, int sync_fd, bool host,
                       bool log)
{
  /* An empty environment, as Flatpak gives its wrapper: the proxy's
   * arguments say everything. */
  plan_init(pp, NULL);
  pp->unshare = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC;
  pp->die_with_parent = true;
  pp->new_session = true; /* ^C in the terminal is for the app */
  pp->chdir = xstrdup("/");
  *ARRAY_PUSH(pp->caps, pp->n_caps, pp->cap_caps) = (struct cap_change){ CAP_VERB_DROP, ~0ULL };
  if (host)
    add_system(pp, binary);
  add_bus_sockets(pp, s);
  plan_add_op(pp, OP_BIND, s->runtime_dir, s->runtime_dir)->access = ACCESS_RW;
  if (s->app_info) {
    struct plan_op *op = plan_add_op(pp, OP_BIND_DATA, NULL, "/.flatpak-info");
    op->access = ACCESS_RO;
    op->data = xmalloc(s->app_info_len + 1);
    memcpy(op->data, s->app_info, s->app_info_len);
    op->data[s->app_info_len] = '\0';
    op->data_len = s->app_info_len;
  }
  struct strv argv = { 0 };
  strv_add(&argv, binary ? binary : "xdg-dbus-proxy");
  if (sync_fd >= 0)
    strv_addf(&argv, "--fd=%d", sync_fd);
  else
    strv_add(&argv, "--fd=FD");
  for (size_t i = 0; i < s->n_buses; i++) {
    const struct plan_bus *b = &s->buses[i];
    strv_add(&argv, b->address);
    strv_add(&argv, b->socket);
    if (log)
      strv_add(&argv, "--log"); /* an option of each bus's proxy */
    for (size_t j = 0; j < b->rules.n; j++)
      strv_add(&argv, b->rules.v[j]);
  }
  pp->argv = strv_steal(&argv);
}

char *dbus_proxy_describe(const struct plan_services *s, const char *binary)
{
  struct plan pp;
  proxy_plan(&pp, s, binary, -1, false, false);
  struct buf line = { 0 };
  /* The name --explain has always given the proxy's sandbox. */
  buf_puts(&line, "sbx-dbus-proxy --die-with-parent --unshare-pid --unshare-ipc --cap-drop ALL");
  buf_puts(&line, " --ro-bind /X /X / --symlink T /X (/usr, /etc, /bin, /sbin, /lib*: as on the host)");
  for (size_t i = 0; i < pp.n_ops; i++) {
    const struct plan_op *op = &pp.ops[i];
    buf_printf(&line, " --%s", op_kind_name(op));
    if (op->kind == OP_BIND)
      buf_printf(&line, " %s", op->src);
    buf_printf(&line, " %s", op->dest);
  }
  buf_puts(&line, " --");
  for (size_t i = 0; pp.argv[i]; i++)
    buf_printf(&line, " %s", pp.argv[i]);
  plan_free(&pp);
  return buf_steal(&line);
}

/* With a log, the proxy's stdout is sbx's at the spawn (the engine gives
 * a service sbx's stdout and stderr): log_wr stands in for it for that
 * moment. */
int dbus_proxy_spawn(const struct plan_services *s, const char *binary, int ready_wr, int log_wr,
                     struct helper *out)
{
  _cleanup_close_ int saved = -1;
  if (log_wr >= 0 && ((saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 || dup2(log_wr, STDOUT_FILENO) < 0))
    return log_errno(errno, "Can't hand the D-Bus proxy's log a pipe");
  struct plan pp;
  proxy_plan(&pp, s, binary, ready_wr, true, log_wr >= 0);
  const int pass[] = { ready_wr };
  int r = sbx_spawn(&pp, pass, 1, out);
  plan_free(&pp);
  if (saved >= 0 && dup2(saved, STDOUT_FILENO) < 0)
    return log_errno(errno, "Can't restore stdout after starting the D-Bus proxy");
  return r;
}

/* ---- the log ---------------------------------------------------------------- */

void bus_log_free(struct bus_log *bl)
{
  free(bl->last);
  strv_clear(&bl->seen);
  bl->last = NULL;
}

static void report_once(struct bus_log *bl, const char *name, enum bus_need need, bus_denial_fn *report, void *ctx)
{
  _cleanup_free_ char *key = xasprintf("%d %s", (int)need, name);
  for (size_t i = 0; i < bl->seen.n; i++)
    if (strcmp(bl->seen.v[i], key) == 0)
      return;
  strv_push(&bl->seen, steal_ptr(&key));
  /* "C3: -> NAME call IFACE.METHOD at PATH": what follows the name. */
  const char *what = bl->last ? strstr(bl->last, " -> ") : NULL;
  if (what && (what = strchr(what + 4, ' ')))
    what++;
  report(ctx, &(struct bus_denial){ name, need, what ? what : "" });
}

void bus_log_line(struct bus_log *bl, const char *line, bus_denial_fn *report, void *ctx)
{
  int policy, required;
  char name[256];
  if (line[0] == 'C' && strstr(line, ": -> ")) {
    free(bl->last);
    bl->last = xstrdup(line);
    /* "C3: -> NAME call ...": a unique name (":1.5") names no rule, and
     * the bus itself is always reachable. */
    const char *dest = strstr(line, ": -> ") + 5;
    size_t len = strcspn(dest, " ");
    if (bl->calls && dest[0] != ':' && strncmp(dest + len, " call ", 6) == 0 &&
        !(len == 20 && strncmp(dest, "org.freedesktop.DBus", 20) == 0)) {
      _cleanup_free_ char *n = xasprintf("%.*s", (int)len, dest);
      report_once(bl, n, BUS_NEED_TALK, report, ctx);
    }
  } else if (bl->calls) {
    ;
  } else if ((strncmp(line, "*HIDDEN*", 8) == 0 || strncmp(line, "*DENIED*", 8) == 0) && bl->last) {
    /* About the last call: its destination is the name. */
    const char *dest = strstr(bl->last, " -> ") + 4;
    size_t len = strcspn(dest, " ");
    _cleanup_free_ char *n = xasprintf("%.*s", (int)len, dest);
    report_once(bl, n, BUS_NEED_TALK, report, ctx);
  } else if (sscanf(line, "Filtering message due to arg0 %255[^,], policy: %d (required %d)", name, &policy,
                    &required) == 3 &&
             required >= BUS_NEED_SEE && required <= BUS_NEED_OWN) {
    report_once(bl, name, (enum bus_need)required, report, ctx);
  }
}

void bus_log_read(struct bus_log *bl, FILE *f, bus_denial_fn *report, void *ctx)
{
  _cleanup_free_ char *line = NULL;
  size_t size = 0;
  ssize_t n;
  while ((n = getline(&line, &size, f)) > 0) {
    if (line[n - 1] == '\n')
      line[n - 1] = '\0';
    bus_log_line(bl, line, report, ctx);
  }
}

int bus_log_reader_start(int rd, bus_denial_fn *report, void *ctx, struct helper *out)
{
  *out = HELPER_NONE;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(rd);
    return log_errno(e, "Can't start the D-Bus log reader: fork");
  }
  if (pid == 0) {
    const int keep[] = { STDERR_FILENO, rd };
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || close_fds_except(keep, 2) < 0)
      _exit(1);
    FILE *f = fdopen(rd, "r");
    struct bus_log bl = { 0 };
    if (f)
      bus_log_read(&bl, f, report, ctx);
    _exit(0);
  }
  close(rd);
  out->pid = pid;
  out->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  return 0;
}
