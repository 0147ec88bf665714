/* Learning mode's recorder: seccomp user notification (the listener fd
 * passed from the app to the monitor with SCM_RIGHTS, as crun hands one to
 * its caller), paths read from the app's memory, every call continued. */
#include "engine/notify.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/supervisor.h"
#include "util/util.h"

/* The calls that name a file the app uses.  (Where the architecture has no
 * such call, x86_64's open and aarch64's missing one, libseccomp says so
 * and it is skipped.) */
static const char *const notified[] = {
  "open", "openat", "openat2", "creat", "execve", "execveat", "mkdir", "mkdirat",
  "mknod", "mknodat", "rename", "renameat", "renameat2", "connect",
};

void learn_log_free(struct learn_log *log)
{
  for (size_t i = 0; i < log->n; i++) {
    free(log->v[i].path);
    free(log->v[i].by);
  }
  free(log->v);
  *log = (struct learn_log){ 0 };
}

/* ---- in the app ----------------------------------------------------------- */

/* Who waits on whom: only the app (and what it starts) runs under this
 * filter; the monitor that answers is outside it (it never installs it)
 * and so is pid 1, so nothing the answering side does -- opening
 * /proc/PID/mem, readlink, its own allocations -- can wait on an answer of
 * its own.  The app's one call made under the filter before the monitor
 * holds the listener is its exec, which just waits until the monitor has
 * received it (notify_supervise polls the socket and the listener alike). */
static bool is_notified(const char *name)
{
  for (size_t i = 0; i < sizeof notified / sizeof notified[0]; i++)
    if (strcmp(notified[i], name) == 0)
      return true;
  return false;
}

int notify_install(int sock, const struct notify_explain *explain)
{
  /* Everything is allowed (the default action): the filter only asks.
   * Another architecture's calls (a 32-bit program) are allowed too, not
   * killed as libseccomp would by default: learning must not change what
   * the app can do; those calls go unrecorded. */
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx)
    return log_fail(ENOMEM, "Can't create the learning filter");
  int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  for (size_t i = 0; r == 0 && i < sizeof notified / sizeof notified[0]; i++) {
    int nr = seccomp_syscall_resolve_name(notified[i]);
    if (nr != __NR_SCMP_ERROR && nr >= 0)
      r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  /* Explaining: sbx's own rules, notifying where the native program they
   * replace (run.c leaves it out) would fail the call.  A rule on a call
   * notified whole already (a profile's syscall-deny openat) adds
   * nothing: the monitor checks the rules first. */
  for (size_t i = 0; r == 0 && explain && i < explain->n_rules; i++)
    if (!is_notified(explain->rules[i].name) && seccomp_add_policy_rule(ctx, SCMP_ACT_NOTIFY, &explain->rules[i]) < 0)
      r = -EINVAL; /* said */
  /* With a notify rule libseccomp loads with SECCOMP_FILTER_FLAG_NEW_LISTENER;
   * the kernel makes the listener close-on-exec, so the app never holds it. */
  if (r == 0)
    r = seccomp_load(ctx);
  int fd = r == 0 ? seccomp_notify_fd(ctx) : -1;
  if (r == 0 && fd < 0)
    r = -EBADF;
  if (r < 0) {
    seccomp_release(ctx);
    return log_errno(-r, "Can't install the learning filter (seccomp user notification)");
  }
  r = fd_send(sock, 'n', fd);
  seccomp_release(ctx);
  close(sock);
  if (r < 0)
    return log_errno(-r, "Can't hand the learning filter's listener to sbx");
  return 0;
}

/* ---- in the monitor ------------------------------------------------------- */

/* "a/./b/../c" -> "/a/c", by text: the kernel follows symlinks where we
 * don't, so a path through a link is recorded as the app named it (the
 * name a profile line would use anyway). */
static char *normalize(const char *path)
{
  struct buf out = { 0 };
  const char *p = path;
  while (*p) {
    while (*p == '/')
      p++;
    size_t len = strcspn(p, "/");
    if (len == 0 || (len == 1 && p[0] == '.')) {
      ;
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      char *slash = out.s ? strrchr(out.s, '/') : NULL;
      if (slash) {
        out.n = (size_t)(slash - out.s);
        out.s[out.n] = '\0';
      }
    } else {
      buf_puts(&out, "/");
      buf_add(&out, p, len);
    }
    p += len;
  }
  if (out.n == 0)
    buf_puts(&out, "/");
  return buf_steal(&out);
}

static char *proc_link(pid_t pid, const char *what)
{
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/%d/%s", (int)pid, what);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  return xstrdup(target);
}

/* What a dirfd argument stands for, as the sandbox names it: the monitor
 * reads /proc/PID/cwd and /proc/PID/fd/N, which the kernel prints from the
 * root of the sandbox's own mount namespace, i.e. the sandbox's paths. */
static char *dir_of(pid_t pid, int dirfd)
{
  if (dirfd == AT_FDCWD)
    return proc_link(pid, "cwd");
  char what[32];
  snprintf(what, sizeof what, "fd/%d", dirfd);
  return proc_link(pid, what);
}

/* path (read from the app) made absolute against dirfd; NULL when dirfd
 * is no directory we can name (a socket, an anonymous inode). */
static char *resolve(pid_t pid, int dirfd, const char *path)
{
  if (path[0] == '/')
    return normalize(path);
  _cleanup_free_ char *base = dir_of(pid, dirfd);
  if (!base || base[0] != '/')
    return NULL;
  _cleanup_free_ char *joined = xasprintf("%s/%s", base, path);
  return normalize(joined);
}

/* A NUL-terminated string at addr in the app.  /proc/PID/mem reads up to
 * the first unmapped page, so a name near the end of a mapping is read
 * whole.  Returns NULL if there is none (a bad pointer: the call fails by
 * itself). */
static char *read_string(int mem, uint64_t addr)
{
  char buf[PATH_MAX];
  ssize_t n = pread(mem, buf, sizeof buf, (off_t)addr);
  if (n <= 0 || !memchr(buf, '\0', (size_t)n))
    return NULL;
  return xstrdup(buf);
}

/* An IP address connected to, as "ip:ADDR:PORT" ("ip:[ADDR]:PORT" for
 * IPv6); NULL for a family that is neither. */
static char *inet_name(const struct sockaddr_storage *ss)
{
  char addr[INET6_ADDRSTRLEN];
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
    return xasprintf("ip:%s:%u", addr, ntohs(in->sin_port));
  }
  if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
    return xasprintf("ip:[%s]:%u", addr, ntohs(in6->sin6_port));
  }
  return NULL;
}

/* What a connect() names: a unix socket's path, "@name" for an abstract
 * one, "ip:..." for an IP address; NULL for any other family. */
static char *read_sockaddr(int mem, uint64_t addr, uint64_t len)
{
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (len > sizeof ss)
    len = sizeof ss;
  if (len <= offsetof(struct sockaddr_un, sun_path) || pread(mem, &ss, len, (off_t)addr) != (ssize_t)len)
    return NULL;
  if (ss.ss_family != AF_UNIX)
    return inet_name(&ss);
  const struct sockaddr_un *sun = (const struct sockaddr_un *)&ss;
  size_t n = len - offsetof(struct sockaddr_un, sun_path);
  if (n > sizeof sun->sun_path)
    n = sizeof sun->sun_path;
  if (sun->sun_path[0] == '\0') {
    /* Abstract: not a file, not bound by any mount; recorded by name
     * (its NULs shown as '@', as ss(8) does). */
    char name[sizeof sun->sun_path + 1];
    for (size_t i = 0; i < n; i++)
      name[i] = sun->sun_path[i] ? sun->sun_path[i] : '@';
    name[n] = '\0';
    return xstrdup(name);
  }
  return xasprintf("%.*s", (int)strnlen(sun->sun_path, n), sun->sun_path);
}

/* open(2)'s flags: does the call write? */
static enum learn_op open_op(uint64_t flags)
{
  if ((flags & O_PATH) == O_PATH)
    return LEARN_READ;
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
    return LEARN_WRITE;
  return LEARN_READ;
}

/* One notification as an event (op, path); false for a call that names no
 * file we record. */
static bool decode(const struct seccomp_notif *req, int mem, enum learn_op *op, char **path)
{
  const __u64 *a = req->data.args;
  int dirfd = AT_FDCWD;
  uint64_t name = 0;
  _cleanup_free_ char *raw = NULL;
  switch (req->data.nr) {
#ifdef __NR_open
  case __NR_open: name = a[0]; *op = open_op(a[1]); break;
#endif
#ifdef __NR_creat
  case __NR_creat: name = a[0]; *op = LEARN_WRITE; break;
#endif
  case __NR_openat: dirfd = (int)a[0]; name = a[1]; *op = open_op(a[2]); break;
  case __NR_openat2: {
    uint64_t flags = 0;
    if (pread(mem, &flags, sizeof flags, (off_t)a[2]) != sizeof flags)
      return false;
    dirfd = (int)a[0]; name = a[1]; *op = open_op(flags);
    break;
  }
  case __NR_execve: name = a[0]; *op = LEARN_EXEC; break;
  case __NR_execveat: dirfd = (int)a[0]; name = a[1]; *op = LEARN_EXEC; break;
#ifdef __NR_mkdir
  case __NR_mkdir: name = a[0]; *op = LEARN_CREATE; break;
#endif
  case __NR_mkdirat: dirfd = (int)a[0]; name = a[1]; *op = LEARN_CREATE; break;
#ifdef __NR_mknod
  case __NR_mknod: name = a[0]; *op = LEARN_CREATE; break;
#endif
  case __NR_mknodat: dirfd = (int)a[0]; name = a[1]; *op = LEARN_CREATE; break;
#ifdef __NR_rename
  case __NR_rename: name = a[1]; *op = LEARN_CREATE; break;
#endif
#ifdef __NR_renameat
  case __NR_renameat: dirfd = (int)a[2]; name = a[3]; *op = LEARN_CREATE; break;
#endif
  case __NR_renameat2: dirfd = (int)a[2]; name = a[3]; *op = LEARN_CREATE; break;
  case __NR_connect:
    raw = read_sockaddr(mem, a[1], a[2]);
    if (!raw)
      return false;
    *op = LEARN_CONNECT;
    *path = raw[0] == '@' || strncmp(raw, "ip:", 3) == 0 ? steal_ptr(&raw) : resolve(req->pid, AT_FDCWD, raw);
    return *path != NULL;
  default: return false;
  }
  raw = read_string(mem, name);
  if (!raw)
    return false;
  /* execveat(fd, "", AT_EMPTY_PATH): the file is the fd itself. */
  if (raw[0] == '\0' && dirfd != AT_FDCWD) {
    *path = dir_of(req->pid, dirfd);
    return *path && (*path)[0] == '/';
  }
  *path = raw[0] ? resolve(req->pid, dirfd, raw) : NULL;
  return *path != NULL;
}

/* Returns the event, new or counted: the newest entries are the likeliest
 * to repeat (a loop that opens one file), so the search starts there.
 * *is_new says which. */
static struct learn_event *record(struct learn_log *log, enum learn_op op, char *path, char *by, bool *is_new)
{
  for (size_t i = log->n; i-- > 0;) {
    struct learn_event *e = &log->v[i];
    if (e->op == op && strcmp(e->path, path) == 0 && strcmp(e->by, by) == 0) {
      e->count++;
      free(path);
      free(by);
      *is_new = false;
      return e;
    }
  }
  *is_new = true;
  struct learn_event *e = ARRAY_PUSH(log->v, log->n, log->cap);
  *e = (struct learn_event){ .op = op, .path = path, .by = by, .count = 1 };
  return e;
}

/* The last caller's /proc/PID/mem, kept open: opening it is a path walk
 * and a ptrace check per call, a good part of what a notification costs.
 * A kept fd can go stale but never wrong: it holds the memory map it was
 * opened on, and once that map is gone (the process exec'd or died, and
 * its pid may name another one now) reads return nothing; decode then
 * fails and the file is opened again.  Explaining also keeps the caller's
 * root (/proc/PID/root), dropped with the pid. */
struct mem_cache {
  pid_t pid;
  int fd;
  int root;
};

static void mem_cache_close(struct mem_cache *c)
{
  if (c->fd >= 0)
    close(c->fd);
  if (c->root >= 0)
    close(c->root);
}

static int mem_open(struct mem_cache *c, pid_t pid, bool fresh)
{
  if (c->fd >= 0 && c->pid == pid && !fresh)
    return c->fd;
  if (c->fd >= 0)
    close(c->fd);
  if (c->root >= 0 && c->pid != pid)
    c->root = (close(c->root), -1);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
  c->fd = open(path, O_RDONLY | O_CLOEXEC);
  c->pid = pid;
  return c->fd;
}

/* ---- explaining (notify.h: struct notify_explain) ------------------------- */

struct explainer {
  const struct notify_explain *x;
  int *nrs; /* each rule's call number (native), -1 where unknown */
  int path_nrs[sizeof notified / sizeof notified[0]]; /* the path calls' */
};

static void explainer_free(struct explainer *ex)
{
  free(ex->nrs);
}

/* The rule a call matched, compared as the BPF program compares (the
 * whole 64-bit argument); NULL for none (a path call).  A call that only
 * a rule can have notified and that none matches here (were our compare
 * ever to differ from libseccomp's) gets the first rule on it: it is
 * refused, never continued, so a slip here can't let a refused call
 * through. */
static const struct syscall_rule *matched_rule(const struct explainer *ex, const struct seccomp_data *d)
{
  const struct syscall_rule *first = NULL;
  for (size_t i = 0; ex->x && i < ex->x->n_rules; i++) {
    const struct syscall_rule *r = &ex->x->rules[i];
    if (ex->nrs[i] != d->nr)
      continue;
    if (!first)
      first = r;
    uint64_t a = r->cmp == SYSCALL_ANY ? 0 : d->args[r->arg];
    bool hit = r->cmp == SYSCALL_ANY || (r->cmp == SYSCALL_MASKED_EQ && (a & r->mask) == r->value) ||
               (r->cmp == SYSCALL_EQ && a == r->value) || (r->cmp == SYSCALL_GE && a >= r->value) ||
               (r->cmp == SYSCALL_GT && a > r->value);
    if (hit)
      return r;
  }
  for (size_t i = 0; first && i < sizeof ex->path_nrs / sizeof ex->path_nrs[0]; i++)
    if (ex->path_nrs[i] == d->nr)
      return NULL; /* notified as a path call */
  return first;
}

static bool below(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool host_has(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

/* path as the sandbox sees it: looked up from the app's root with
 * RESOLVE_IN_ROOT, so an absolute symlink in the sandbox resolves in the
 * sandbox (a plain walk through /proc/PID/root would follow it to the
 * monitor's root, the host's).  An O_PATH fd, or -errno. */
static int open_in_view(int root, const char *path)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
  return fd < 0 ? -errno : fd;
}

static bool on_read_only_mount(int fd)
{
  struct statfs sf;
  return fstatfs(fd, &sf) == 0 && (sf.f_flags & ST_RDONLY);
}

/* Can pid open a file whatever its mode (CAP_DAC_OVERRIDE in effect: root's
 * app keeps root's capabilities)? */
static bool overrides_modes(pid_t pid)
{
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "re");
  unsigned long long eff = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "CapEff: %llx", &eff) == 1)
      break;
  if (f)
    fclose(f);
  return eff & (1ULL << 1); /* CAP_DAC_OVERRIDE */
}

/* hide's stand-in for a file (compile.c): an empty file of mode 0, not the
 * host's, which an app without capabilities can't open.  (One with
 * CAP_DAC_OVERRIDE reads it, empty: nothing is refused.) */
static bool replaced_unreadable(int fd, const char *path, pid_t pid)
{
  struct stat in, host;
  return fstat(fd, &in) == 0 && S_ISREG(in.st_mode) && (in.st_mode & 07777) == 0 && stat(path, &host) == 0 &&
         (in.st_dev != host.st_dev || in.st_ino != host.st_ino) && !overrides_modes(pid);
}

/* The errno the call will fail with because of the sandbox's view (0: it
 * will not, or not because of the sandbox).  /proc and /dev are the
 * sandbox's own file systems, not views of the host's: a path there the
 * sandbox lacks is not a denial to explain.  A write the host has a file
 * for and the sandbox lets go to a writable directory of its own (the
 * private home) goes to the sandbox's copy, and is not reported. */
static int predict(int root, pid_t pid, enum learn_op op, const char *path)
{
  if (path[0] != '/' || below(path, "/proc") || below(path, "/dev"))
    return 0;
  _cleanup_close_ int fd = open_in_view(root, path);
  if (fd >= 0) {
    if (op != LEARN_CREATE && op != LEARN_CONNECT && replaced_unreadable(fd, path, pid))
      return EACCES;
    return op == LEARN_WRITE && on_read_only_mount(fd) ? EROFS : 0;
  }
  if (fd != -ENOENT)
    return 0; /* ELOOP, EACCES...: the kernel's own answer */
  if (op != LEARN_WRITE && op != LEARN_CREATE)
    return host_has(path) ? ENOENT : 0;
  /* Something new: its directory decides. */
  _cleanup_free_ char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  slash[slash == dir ? 1 : 0] = '\0';
  _cleanup_close_ int dfd = open_in_view(root, dir);
  if (dfd < 0)
    return dfd == -ENOENT && host_has(dir) ? ENOENT : 0;
  return on_read_only_mount(dfd) ? EROFS : 0;
}

static int root_open(struct mem_cache *c, pid_t pid)
{
  if (c->root >= 0 && c->pid == pid)
    return c->root;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
  c->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return c->root;
}

/* ---- the loop ------------------------------------------------------------- */

/* One path call's event: op and path read from the app.  false when none
 * (not a call we record, or it raced away). */
static bool read_event(const struct seccomp_notif *req, struct mem_cache *cache, enum learn_op *op, char **path)
{
  bool kept = cache->fd >= 0 && cache->pid == (pid_t)req->pid;
  int mem = mem_open(cache, (pid_t)req->pid, false);
  bool decoded = mem >= 0 && decode(req, mem, op, path);
  if (!decoded && kept && (mem = mem_open(cache, (pid_t)req->pid, true)) >= 0)
    decoded = decode(req, mem, op, path);
  return decoded;
}

/* Receive one notification, record it, answer it: "continue", or for a
 * call sbx's filter refuses (explaining), the rule's errno. */
static int handle_one(int listener, struct seccomp_notif *req, size_t req_size, struct seccomp_notif_resp *resp,
                      size_t resp_size, struct learn_log *log, struct mem_cache *cache, const struct explainer *ex)
{
  memset(req, 0, req_size); /* the kernel insists */
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
    return errno == EINTR || errno == ENOENT ? 0 : -errno; /* ENOENT: the caller was gone */
  log->notifications++;

  enum learn_op op = LEARN_SYSCALL;
  char *path = NULL, *by = NULL;
  int error = 0;
  const struct syscall_rule *rule = matched_rule(ex, &req->data);
  if (rule) {
    path = xstrdup(rule->name);
    error = rule->error;
  } else if (read_event(req, cache, &op, &path) && ex->x) {
    int root = root_open(cache, (pid_t)req->pid);
    error = root >= 0 ? predict(root, (pid_t)req->pid, op, path) : 0;
    if (error == 0)
      path = (free(path), NULL); /* explaining records denials only */
    /* A path through a host symlink the sandbox lacks the target of
     * (/usr/share/locale/locale.alias -> /etc/locale.alias): the target
     * is what a rule must show. */
    char *real = error == ENOENT ? realpath(path, NULL) : NULL;
    if (real && strcmp(real, path) != 0)
      path = (free(path), real);
    else
      free(real);
  }
  if (path)
    by = proc_link(req->pid, "exe");
  /* Everything above was read from a pid, which names the caller only
   * while it is still in this call: had it died (or been killed by a
   * racing thread's exec) and the pid been reused, we would have read a
   * stranger.  The id check after the reads proves the pid was still the
   * caller's for all of them. */
  if (path && ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0) {
    bool is_new;
    struct learn_event *e = record(log, op, path, by ? by : xstrdup("?"), &is_new);
    e->error = error;
    e->rule = rule;
    if (is_new && ex->x && ex->x->report)
      ex->x->report(ex->x->ctx, e);
  } else {
    if (path)
      log->dropped++;
    free(path);
    free(by);
  }

  /* Continue, unless a rule refuses the call.  The usual warning about
   * CONTINUE (the kernel reads the arguments again when the call resumes,
   * so another thread of the app may have changed the path since we read
   * it) does not weaken anything here: neither learning nor explaining
   * decides anything.  The app runs with exactly the rights it would have
   * without the filter (the kernel's own checks, the sandbox's mounts and
   * Landlock, apply to the call as it resumes), and what we recorded is
   * advisory -- a proposed profile, an explanation -- so an app that races
   * us can at worst mislead its own.  A refused call is answered with its
   * rule's errno whatever the pointers say: its arguments are registers,
   * which the kernel does not read again. */
  memset(resp, 0, resp_size);
  resp->id = req->id;
  if (rule)
    resp->error = -rule->error;
  else
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT && errno != EINTR)
    return -errno;
  return 0;
}

int notify_supervise(pid_t target, int signal_fd, int sock, struct learn_log *log, const struct notify_explain *explain)
{
  struct seccomp_notif_sizes sizes = { 0 };
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return log_errno(errno, "Can't learn the size of seccomp notifications"), 255;
  size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif : sizeof(struct seccomp_notif);
  size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sizes.seccomp_notif_resp
                                                                                 : sizeof(struct seccomp_notif_resp);
  _cleanup_free_ struct seccomp_notif *req = xcalloc(1, req_size);
  _cleanup_free_ struct seccomp_notif_resp *resp = xcalloc(1, resp_size);
  _cleanup_close_ int listener = -1;
  _cleanup_(mem_cache_close) struct mem_cache cache = { 0, -1, -1 };
  _cleanup_(explainer_free) struct explainer ex = { explain, NULL, { 0 } };
  if (explain) {
    ex.nrs = xcalloc(explain->n_rules + 1, sizeof *ex.nrs);
    for (size_t i = 0; i < explain->n_rules; i++)
      ex.nrs[i] = seccomp_syscall_resolve_name(explain->rules[i].name);
    for (size_t i = 0; i < sizeof notified / sizeof notified[0]; i++)
      ex.path_nrs[i] = seccomp_syscall_resolve_name(notified[i]);
  }
  int code;

  for (;;) {
    if (supervise_reap(target, &code))
      return code;
    /* The app blocks in its first recorded call (its exec) until we answer,
     * so the listener is read here as soon as the app sends it. */
    struct pollfd pfd[3] = {
      { .fd = signal_fd, .events = POLLIN },
      { .fd = sock, .events = POLLIN },
      { .fd = listener, .events = POLLIN },
    };
    if (RETRY(poll(pfd, 3, -1)) < 0)
      return log_errno(errno, "poll"), 255;
    if (pfd[2].revents & POLLIN) {
      int r = handle_one(listener, req, req_size, resp, resp_size, log, &cache, &ex);
      if (r < 0)
        log_errno(-r, "seccomp notification");
    } else if (pfd[2].revents & (POLLHUP | POLLERR | POLLNVAL)) {
      /* No process is left under the filter. */
      close(steal_fd(&listener));
    }
    if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      int fd = -1, r = fd_recv(sock, &fd);
      if (r > 0 && listener < 0)
        listener = fd;
      else if (r > 0)
        close(fd);
      if (r <= 0)
        sock = -1; /* poll skips it now */
    }
    if ((pfd[0].revents & POLLIN) && supervise_signal(target, signal_fd) < 0)
      return 255;
  }
}

/* ---- socket calls taken over (notify.h) ---------------------------------- */

/* Linux 6.6's synchronous wake-up (uapi seccomp.h; older headers lack it):
 * the notifying thread hands the CPU straight to the answering one and
 * back, as a call and return do, instead of two trips through the
 * scheduler.  Best effort: an older kernel says EINVAL and the loop
 * works as before. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

int notify_filter_load(const struct notify_call *calls, size_t n)
{
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx)
    return log_fail(ENOMEM, "Can't create a notifying filter");
  int r = 0;
  for (size_t i = 0; r == 0 && i < n; i++) {
    int nr = seccomp_syscall_resolve_name(calls[i].name);
    if (nr == __NR_SCMP_ERROR || nr < 0)
      continue;
    if (calls[i].nonzero_arg >= 0)
      r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1, SCMP_CMP((unsigned)calls[i].nonzero_arg, SCMP_CMP_NE, 0));
    else
      r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  if (r == 0)
    r = seccomp_load(ctx);
  /* Our own copy: libseccomp keeps its fd as global state. */
  int fd = r == 0 ? seccomp_notify_fd(ctx) : -1;
  int listener = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
  if (r == 0 && listener < 0)
    r = fd < 0 ? -EBADF : -errno;
  seccomp_release(ctx);
  if (r < 0)
    return log_errno(-r, "Can't install a notifying filter (seccomp user notification)");
  (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
  return listener;
}

struct notify_bufs {
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  size_t req_size, resp_size;
};

struct notify_bufs *notify_bufs_new(void)
{
  struct seccomp_notif_sizes sizes = { 0 };
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return log_errno(errno, "Can't learn the size of seccomp notifications"), NULL;
  struct notify_bufs *b = xcalloc(1, sizeof *b);
  b->req_size = sizes.seccomp_notif > sizeof *b->req ? sizes.seccomp_notif : sizeof *b->req;
  b->resp_size = sizes.seccomp_notif_resp > sizeof *b->resp ? sizes.seccomp_notif_resp : sizeof *b->resp;
  b->req = xcalloc(1, b->req_size);
  b->resp = xcalloc(1, b->resp_size);
  return b;
}

void notify_bufs_free(struct notify_bufs *b)
{
  if (b) {
    free(b->req);
    free(b->resp);
    free(b);
  }
}

/* Answer the notification: error (a positive errno), else val; or let the
 * call go on (cont).  ENOENT: the caller is gone, nobody to answer. */
static int notify_answer(int listener, struct notify_bufs *b, int error, int64_t val, bool cont)
{
  memset(b->resp, 0, b->resp_size);
  b->resp->id = b->req->id;
  if (cont)
    b->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else if (error)
    b->resp->error = -error;
  else
    b->resp->val = val;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, b->resp) < 0 && errno != ENOENT && errno != EINTR)
    return -errno;
  return 0;
}

/* len bytes at addr in pid, exactly; -EFAULT if not all are there. */
static int read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
  struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
  return len == 0 || process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static bool id_valid(int listener, uint64_t id)
{
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* The caller's socket fd, duplicated into ours, with what it is: 0, or a
 * positive errno for the caller (EBADF, ENOTSOCK). */
static int take_socket(pid_t pid, int fd, struct notify_dest *d)
{
  _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return ESRCH; /* the caller is gone: the answer goes nowhere */
  d->sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  if (d->sock < 0)
    return errno == EBADF ? EBADF : EPERM;
  socklen_t len = sizeof(int);
  if (getsockopt(d->sock, SOL_SOCKET, SO_DOMAIN, &d->domain, &len) < 0)
    return ENOTSOCK;
  len = sizeof(int);
  (void)getsockopt(d->sock, SOL_SOCKET, SO_PROTOCOL, &d->protocol, &len);
  return 0;
}

/* connect(fd, addr, len) or sendto(fd, buf, n, flags, addr, len): read,
 * decided, made on the duplicate; see notify.h. */
static int take_over(int listener, struct notify_bufs *b, struct notify_dest *d, notify_decide_fn decide, void *ctx)
{
  const __u64 *a = b->req->data.args;
  pid_t pid = (pid_t)b->req->pid;
  bool is_connect = d->nr == __NR_connect;
  uint64_t addr = is_connect ? a[1] : a[4], addr_len = is_connect ? a[2] : a[5];
  if (addr_len > sizeof d->addr)
    return notify_answer(listener, b, EINVAL, 0, false);
  d->addr_len = (unsigned)addr_len;
  if (read_mem(pid, addr, &d->addr, d->addr_len) < 0)
    return notify_answer(listener, b, EFAULT, 0, false);
  _cleanup_free_ char *payload = NULL;
  size_t n = is_connect ? 0 : (size_t)a[2];
  if (n > 65536) /* more than a datagram can carry */
    return notify_answer(listener, b, EMSGSIZE, 0, false);
  if (n > 0) {
    payload = xmalloc(n);
    if (read_mem(pid, a[1], payload, n) < 0)
      return notify_answer(listener, b, EFAULT, 0, false);
  }
  /* Everything was read from pid and its fd table: still the caller's? */
  if (!id_valid(listener, b->req->id))
    return 0;
  int e = decide(ctx, d);
  if (e > 0)
    return notify_answer(listener, b, e, 0, false);
  long r = is_connect ? connect(d->sock, (struct sockaddr *)&d->addr, d->addr_len)
                      : sendto(d->sock, payload, n, (int)a[3] | MSG_NOSIGNAL, (struct sockaddr *)&d->addr, d->addr_len);
  return r < 0 ? notify_answer(listener, b, errno, 0, false) : notify_answer(listener, b, 0, r, false);
}

int notify_handle_socket_call(int listener, struct notify_bufs *b, notify_decide_fn decide, void *ctx)
{
  memset(b->req, 0, b->req_size);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, b->req) < 0)
    return errno == EINTR || errno == ENOENT ? 0 : -errno;
  struct notify_dest d = { .sock = -1, .nr = b->req->data.nr };
  int e = take_socket((pid_t)b->req->pid, (int)b->req->data.args[0], &d);
  _cleanup_close_ int sock = d.sock;
  if (e > 0)
    return notify_answer(listener, b, e, 0, false);
  if (d.nr == __NR_connect || d.nr == __NR_sendto)
    return take_over(listener, b, &d, decide, ctx);
  return notify_answer(listener, b, EPERM, 0, false); /* a call this handler does not know */
}
