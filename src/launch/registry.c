/* The registry of running sandboxes: see registry.h. */
#include "launch/registry.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "launch/cgroup.h"
#include "util/util.h"

#define ENTRY_SUFFIX ".sandbox"

/* $XDG_RUNTIME_DIR/sbx (instance directories live there too, named by
 * digits only), made 0700 if create; NULL without $XDG_RUNTIME_DIR. */
static char *registry_dir(bool create)
{
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (!rt || rt[0] != '/')
    return NULL;
  char *dir = xasprintf("%s/sbx", rt);
  if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
    log_errno(errno, "Can't create %s", dir);
  return dir;
}

/* The registry directory, refused unless it is ours and only ours to
 * write (another user must not plant entries --stop would act on). */
static int open_registry(const char *dir)
{
  int fd = RETRY(open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 022)) {
    close(fd);
    return log_fail(EPERM, "%s is not a directory of uid %u that only it can write; refusing to use it", dir,
                    (unsigned)getuid());
  }
  return fd;
}

/* The length of ID if file is ID followed by suffix (ID: digits), else 0.
 * Entries are ID.sandbox; ID.sandbox.new is one being written. */
static size_t id_length(const char *file, const char *suffix)
{
  size_t n = strlen(file), sl = strlen(suffix);
  if (n <= sl || strcmp(file + n - sl, suffix) != 0 || strspn(file, "0123456789") != n - sl)
    return 0;
  return n - sl;
}

/* ID.sandbox -> ID (NULL for anything else). */
static char *id_of(const char *file)
{
  size_t n = id_length(file, ENTRY_SUFFIX);
  return n ? xasprintf("%.*s", (int)n, file) : NULL;
}

void registry_entry_free(struct registry_entry *e)
{
  free(e->id);
  free(e->name);
  free(e->profile);
  free(e->cgroup);
  free(e->command);
  strv_clear(&e->args);
  for (size_t i = 0; i < e->n_ns; i++)
    free(e->ns_kind[i]);
  for (size_t i = 0; i < e->n_shares; i++) {
    free(e->shares[i].src);
    free(e->shares[i].dest);
  }
  free(e->shares);
  memset(e, 0, sizeof *e);
}

void registry_entries_free(struct registry_entry *v, int n)
{
  for (int i = 0; i < n; i++)
    registry_entry_free(&v[i]);
  free(v);
}

/* A value on one line: '%' and newlines escaped as %25 and %0A. */
static void put_value(struct buf *b, const char *key, const char *v)
{
  buf_printf(b, "%s=", key);
  for (; v && *v; v++) {
    if (*v == '%' || *v == '\n')
      buf_printf(b, "%%%02X", (unsigned char)*v);
    else
      buf_add(b, v, 1);
  }
  buf_puts(b, "\n");
}

static char *unescape(const char *s)
{
  char *out = xmalloc(strlen(s) + 1), *o = out;
  for (; *s; s++) {
    unsigned c;
    if (*s == '%' && sscanf(s + 1, "%2X", &c) == 1 && s[1] && s[2]) {
      *o++ = (char)c;
      s += 2;
    } else {
      *o++ = *s;
    }
  }
  *o = '\0';
  return out;
}

/* share=MODE MADE DEV INO DEST, then share-src=SRC (one write: see
 * registry_share_add); unshare=DEST ends the latest share at DEST. */
static void parse_share(struct registry_entry *e, const char *key, char *v)
{
  if (strcmp(key, "share") == 0) {
    char mode[4];
    int made, at = 0;
    unsigned long long dev, ino;
    if (sscanf(v, "%3s %d %llu %llu %n", mode, &made, &dev, &ino, &at) != 4 || at == 0 || v[at] != '/')
      return;
    *ARRAY_PUSH(e->shares, e->n_shares, e->cap_shares) = (struct registry_share){
      .dest = xstrdup(v + at), .ro = strcmp(mode, "ro") == 0,
      .made = { .made_point = made != 0, .dev = (dev_t)dev, .ino = (ino_t)ino },
    };
  } else if (strcmp(key, "share-src") == 0) {
    if (e->n_shares && !e->shares[e->n_shares - 1].src)
      e->shares[e->n_shares - 1].src = xstrdup(v);
  } else { /* unshare */
    for (size_t i = e->n_shares; i-- > 0;)
      if (strcmp(e->shares[i].dest, v) == 0) {
        free(e->shares[i].src);
        free(e->shares[i].dest);
        memmove(&e->shares[i], &e->shares[i + 1], (e->n_shares - i - 1) * sizeof *e->shares);
        e->n_shares--;
        break;
      }
  }
}

static int parse_entry(const char *text, struct registry_entry *e)
{
  _cleanup_free_ char *copy = xstrdup(text);
  char *save = NULL;
  for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(l, '=');
    if (!eq)
      continue;
    *eq = '\0';
    char *v = unescape(eq + 1);
    if (strcmp(l, "id") == 0)
      e->id = v;
    else if (strcmp(l, "name") == 0)
      e->name = v;
    else if (strcmp(l, "profile") == 0)
      e->profile = v;
    else if (strcmp(l, "cgroup") == 0)
      e->cgroup = v;
    else if (strcmp(l, "command") == 0)
      e->command = v;
    else if (strcmp(l, "arg") == 0)
      strv_push(&e->args, v);
    else if (strncmp(l, "ns.", 3) == 0 && l[3] && e->n_ns < REGISTRY_MAX_NS) {
      e->ns_kind[e->n_ns] = xstrdup(l + 3);
      e->ns_id[e->n_ns++] = strtoull(v, NULL, 10);
      free(v);
    } else if (strcmp(l, "share") == 0 || strcmp(l, "share-src") == 0 || strcmp(l, "unshare") == 0) {
      parse_share(e, l, v);
      free(v);
    } else {
      if (strcmp(l, "monitor") == 0)
        e->monitor = (pid_t)atoi(v);
      else if (strcmp(l, "pid") == 0)
        e->pid = (pid_t)atoi(v);
      else if (strcmp(l, "started") == 0)
        e->started = atoll(v);
      free(v);
    }
  }
  if (!e->id || !e->name || e->monitor <= 0)
    return -EINVAL;
  if (!e->profile)
    e->profile = xstrdup("");
  if (!e->cgroup)
    e->cgroup = xstrdup("");
  if (!e->command)
    e->command = xstrdup("");
  for (size_t i = 0; i < e->n_shares; i++)
    if (!e->shares[i].src)
      e->shares[i].src = xstrdup("?");
  return 0;
}

/* Read the entry dir/name; is it alive?  Its monitor holds the flock; a
 * sandbox whose monitor was killed but that still runs in its cgroup is
 * alive too.  1: alive (e filled), 0: stale (e empty), -errno. */
static int read_entry(int dfd, const char *name, struct registry_entry *e)
{
  memset(e, 0, sizeof *e);
  _cleanup_close_ int fd = RETRY(openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = read_all_fd(fd, &text, &len);
  if (r < 0)
    return r;
  r = parse_entry(text, e);
  e->monitor_alive = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  if (r == 0 && (e->monitor_alive || (e->cgroup[0] && cgroup_populated_at(e->cgroup) > 0)))
    return 1;
  /* Stale: its cgroup (empty) goes too, if sbx did not get to it. */
  if (r == 0 && e->cgroup[0])
    (void)rmdir(e->cgroup);
  registry_entry_free(e);
  return 0;
}

static int by_start(const void *a, const void *b)
{
  const struct registry_entry *x = a, *y = b;
  return x->started != y->started ? (x->started < y->started ? -1 : 1) : strcmp(x->id, y->id);
}

/* An ID.sandbox.new is flocked by its writer from the moment it is made
 * to its rename, and the writer holds the directory itself shared
 * meanwhile (registry_add).  Only under an exclusive lock on the
 * directory, taken without waiting, is an unlocked one known to be an
 * sbx's that was killed while it wrote it.  Looked for only when a
 * listing met one: a start lists the registry. */
static void remove_dead_new_entries(int dfd, DIR *d)
{
  _cleanup_close_ int lock = RETRY(openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
    return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!id_length(de->d_name, ENTRY_SUFFIX ".new"))
      continue;
    _cleanup_close_ int fd = RETRY(openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
      (void)unlinkat(dfd, de->d_name, 0);
  }
}

/* Every live entry; stale ones are removed. */
static int load_dir(const char *dir, struct registry_entry **out)
{
  *out = NULL;
  _cleanup_close_ int dfd = open_registry(dir);
  if (dfd < 0)
    return dfd == -ENOENT ? 0 : dfd == -EPERM ? dfd : log_errno(-dfd, "Can't open %s", dir);
  int dup_fd = dup(dfd);
  DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  if (!d) {
    if (dup_fd >= 0)
      close(dup_fd);
    return log_errno(errno, "Can't read %s", dir);
  }
  struct registry_entry *v = NULL;
  size_t n = 0, cap = 0;
  bool new_seen = false;
  struct dirent *de;
  while ((de = readdir(d))) {
    _cleanup_free_ char *id = id_of(de->d_name);
    if (!id) { /* instance directories, ID.sandbox.new being written */
      new_seen = new_seen || id_length(de->d_name, ENTRY_SUFFIX ".new");
      continue;
    }
    struct registry_entry e;
    int r = read_entry(dfd, de->d_name, &e);
    if (r == 0)
      (void)unlinkat(dfd, de->d_name, 0);
    if (r == 1)
      *ARRAY_PUSH(v, n, cap) = e;
  }
  if (new_seen) {
    rewinddir(d);
    remove_dead_new_entries(dfd, d);
  }
  closedir(d);
  if (n)
    qsort(v, n, sizeof *v, by_start);
  *out = v;
  return (int)n;
}

int registry_load(struct registry_entry **out)
{
  _cleanup_free_ char *dir = registry_dir(false);
  if (!dir)
    return log_fail(ENOENT, "XDG_RUNTIME_DIR is not set: there is no registry of running sandboxes");
  return load_dir(dir, out);
}

int registry_find(const char *name, struct registry_entry *out)
{
  struct registry_entry *v;
  int n = registry_load(&v);
  if (n < 0)
    return n;
  int found = -1, count = 0;
  struct buf ids = { 0 };
  for (int i = 0; i < n; i++)
    if (strcmp(v[i].name, name) == 0 || strcmp(v[i].id, name) == 0) {
      found = i;
      count++;
      buf_printf(&ids, "%s%s", ids.n ? ", " : "", v[i].id);
    }
  int r = 0;
  if (count == 0)
    r = log_fail(ESRCH, "no running sandbox called %s (sbx --list shows them)", name);
  else if (count > 1)
    r = log_fail(EEXIST, "%d running sandboxes are called %s (ids %s): give the id instead", count, name, ids.s);
  else
    *out = v[found], memset(&v[found], 0, sizeof v[found]);
  buf_free(&ids);
  registry_entries_free(v, n);
  return r;
}

/* ---- registering -------------------------------------------------------- */

static char *entry_text(const struct plan *p, const char *id, const char *cgroup, char **argv)
{
  struct buf b = { 0 };
  char num[32];
  put_value(&b, "id", id);
  put_value(&b, "name", p->cgroup->name);
  snprintf(num, sizeof num, "%d", (int)getpid());
  put_value(&b, "monitor", num);
  put_value(&b, "profile", p->cgroup->profile ? p->cgroup->profile : "");
  put_value(&b, "cgroup", cgroup ? cgroup : "");
  snprintf(num, sizeof num, "%lld", (long long)time(NULL));
  put_value(&b, "started", num);
  struct buf cmd = { 0 };
  for (size_t i = 0; p->argv && p->argv[i]; i++)
    buf_printf(&cmd, "%s%s", i ? " " : "", p->argv[i]);
  put_value(&b, "command", cmd.s ? cmd.s : "");
  buf_free(&cmd);
  for (size_t i = 0; argv && argv[i]; i++)
    put_value(&b, "arg", argv[i]);
  return buf_steal(&b);
}

/* A name given with the name directive is the sandbox's handle for
 * --stop, --join...: two running sandboxes may not share it.  Reading the
 * entries also removes the stale ones (an sbx killed outright). */
static int check_unique(const char *dir, const struct plan *p)
{
  struct registry_entry *v;
  int n = load_dir(dir, &v), r = 0;
  for (int i = 0; i < n && r == 0 && p->cgroup->named; i++)
    if (strcmp(v[i].name, p->cgroup->name) == 0)
      r = log_fail(EEXIST, "a sandbox called %s is running already (id %s); sbx --stop %s ends it",
                   p->cgroup->name, v[i].id, v[i].id);
  if (n > 0)
    registry_entries_free(v, n);
  return r;
}

int registry_add(const struct plan *p, const char *cgroup, char **argv, int *lock_fd, int *pid_fd, char **id_out)
{
  *lock_fd = *pid_fd = -1;
  *id_out = NULL;
  _cleanup_free_ char *dir = registry_dir(true);
  if (!dir)
    return 0;
  int r = check_unique(dir, p);
  if (r < 0)
    return r;
  _cleanup_close_ int dfd = open_registry(dir);
  if (dfd < 0)
    return dfd == -EPERM ? dfd : log_errno(-dfd, "Can't open %s", dir);
  _cleanup_free_ char *id = xasprintf("%d", (int)getpid());
  _cleanup_free_ char *name = xasprintf("%s" ENTRY_SUFFIX, id);
  _cleanup_free_ char *tmp = xasprintf("%s.new", name);
  _cleanup_free_ char *text = entry_text(p, id, cgroup, argv);
  (void)unlinkat(dfd, tmp, 0);
  /* Locked before it gets its name, so it is never seen unlocked (and
   * swept) while this sbx lives; the directory is held shared until then,
   * so the moment before the file's own lock is never seen either
   * (remove_dead_new_entries). */
  if (flock(dfd, LOCK_SH) < 0)
    return log_errno(errno, "Can't lock %s", dir);
  _cleanup_close_ int fd = RETRY(openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd < 0)
    return log_errno(errno, "Can't create %s/%s", dir, tmp);
  if (flock(fd, LOCK_EX) < 0 || (r = write_all(fd, text, strlen(text))) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
    r = log_errno(r < 0 ? -r : errno, "Can't register the sandbox in %s", dir);
    (void)unlinkat(dfd, tmp, 0);
    return r;
  }
  *pid_fd = RETRY(openat(dfd, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
  *lock_fd = steal_fd(&fd);
  *id_out = steal_ptr(&id);
  return 0;
}

void registry_remove(const char *id)
{
  _cleanup_free_ char *dir = registry_dir(false);
  if (!id || !dir)
    return;
  _cleanup_free_ char *path = xasprintf("%s/%s" ENTRY_SUFFIX, dir, id);
  if (unlink(path) < 0 && errno != ENOENT)
    log_errno(errno, "Can't remove %s", path);
}

/* ---- the commands ---------------------------------------------------------- */

static void uptime_str(long long started, char *buf, size_t size)
{
  long long s = (long long)time(NULL) - started;
  if (s < 0)
    s = 0;
  if (s < 3600)
    snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
  else
    snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

int registry_cmd_list(bool json)
{
  struct registry_entry *v;
  int n = registry_load(&v);
  if (n < 0)
    return n;
  if (json)
    printf("[");
  else
    printf("%-16s %-8s %-8s %-12s %-8s %-10s %s\n", "NAME", "ID", "PID", "PROFILE", "UPTIME", "MEMORY", "COMMAND");
  for (int i = 0; i < n; i++) {
    const struct registry_entry *e = &v[i];
    const char *cmd = e->command;
    int64_t mem = e->cgroup[0] ? cgroup_read_number(e->cgroup, "memory.current") : -1;
    char up[32], memtxt[32] = "-";
    uptime_str(e->started, up, sizeof up);
    if (mem >= 0)
      snprintf(memtxt, sizeof memtxt, "%lldK", (long long)mem / 1024);
    if (!json) {
      printf("%-16s %-8s %-8d %-12s %-8s %-10s %s\n", e->name, e->id, (int)e->pid, e->profile[0] ? e->profile : "-",
             up, memtxt, cmd);
      for (size_t k = 0; k < e->n_shares; k++)
        printf("  shared: %s -> %s (%s)\n", e->shares[k].src, e->shares[k].dest, e->shares[k].ro ? "read-only" : "read-write");
      continue;
    }
    printf("%s\n  {\"name\": ", i ? "," : "");
    json_write_str(stdout, e->name);
    printf(", \"id\": ");
    json_write_str(stdout, e->id);
    printf(", \"pid\": %d, \"monitor\": %d, \"monitor_alive\": %s, \"profile\": ", (int)e->pid, (int)e->monitor,
           e->monitor_alive ? "true" : "false");
    if (e->profile[0])
      json_write_str(stdout, e->profile);
    else
      printf("null");
    printf(", \"cgroup\": ");
    if (e->cgroup[0])
      json_write_str(stdout, e->cgroup);
    else
      printf("null");
    printf(", \"started\": %lld, \"uptime_s\": %lld, \"memory_bytes\": ", e->started, (long long)time(NULL) - e->started);
    if (mem >= 0)
      printf("%lld", (long long)mem);
    else
      printf("null");
    printf(", \"command\": ");
    json_write_str(stdout, cmd);
    printf(", \"namespaces\": {");
    for (size_t k = 0; k < e->n_ns; k++) {
      printf("%s", k ? ", " : "");
      json_write_str(stdout, e->ns_kind[k]);
      printf(": %llu", e->ns_id[k]);
    }
    printf("}");
    printf(", \"shares\": [");
    for (size_t k = 0; k < e->n_shares; k++) {
      printf("%s{\"src\": ", k ? ", " : "");
      json_write_str(stdout, e->shares[k].src);
      printf(", \"dest\": ");
      json_write_str(stdout, e->shares[k].dest);
      printf(", \"read_only\": %s}", e->shares[k].ro ? "true" : "false");
    }
    printf("]}");
  }
  if (json)
    printf("%s]\n", n ? "\n" : "");
  registry_entries_free(v, n);
  return 0;
}

/* Has pid exited within timeout_ms?  Through a pidfd, which can't name a
 * reused pid once open. */
static bool exits_within(pid_t pid, int timeout_ms)
{
  _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0)
    return errno == ESRCH;
  struct pollfd p = { .fd = pfd, .events = POLLIN };
  return RETRY(poll(&p, 1, timeout_ms)) > 0;
}

int registry_cmd_stop(const char *name, int grace_ms)
{
  struct registry_entry e;
  int r = registry_find(name, &e);
  if (r < 0)
    return r;
  /* SIGTERM to sbx, which forwards it to the app and cleans up once the
   * app ended; without sbx (killed outright), to the sandbox itself. */
  pid_t target = e.monitor_alive ? e.monitor : e.pid;
  if (target > 0 && kill(target, SIGTERM) < 0 && errno != ESRCH)
    r = log_errno(errno, "Can't signal %s (pid %d)", e.name, (int)target);
  if (r == 0 && target > 0 && !exits_within(target, grace_ms)) {
    if (e.cgroup[0]) {
      if ((r = cgroup_kill_at(e.cgroup, 5000)) < 0)
        log_errno(r, "Can't kill what runs in %s", e.cgroup);
    } else if (kill(target, SIGKILL) < 0 && errno != ESRCH) {
      r = log_errno(errno, "Can't kill %s (pid %d)", e.name, (int)target);
    }
    if (r == 0 && e.monitor_alive && !exits_within(e.monitor, 5000))
      r = log_fail(ETIMEDOUT, "%s's sbx (pid %d) did not exit", e.name, (int)e.monitor);
  }
  if (r == 0 && !e.monitor_alive && e.cgroup[0] && cgroup_kill_at(e.cgroup, 5000) == 0)
    (void)rmdir(e.cgroup); /* nobody else will */
  registry_entry_free(&e);
  return r;
}

int registry_cmd_freeze(const char *name, bool freeze)
{
  struct registry_entry e;
  int r = registry_find(name, &e);
  if (r < 0)
    return r;
  if (!e.cgroup[0])
    r = log_fail(EOPNOTSUPP, "%s has no cgroup of its own (none was delegated when it started): it can't be %s",
                 e.name, freeze ? "frozen" : "thawed");
  else if ((r = cgroup_freeze_at(e.cgroup, freeze, 10000)) == 0)
    printf("%s: %s\n", e.name, cgroup_frozen_at(e.cgroup) == 1 ? "frozen" : "thawed");
  registry_entry_free(&e);
  return r;
}

/* One sandbox's numbers, from its cgroup; -1 where the controller is
 * missing (only cpu.stat's usage is always there). */
struct stats {
  int64_t cpu_usec, user_usec, system_usec, mem, mem_peak, pids, rbytes, wbytes;
};

static void io_totals(const char *cg, struct stats *s)
{
  _cleanup_free_ char *path = xasprintf("%s/io.stat", cg);
  FILE *f = fopen(path, "re");
  s->rbytes = s->wbytes = -1;
  if (!f)
    return;
  s->rbytes = s->wbytes = 0;
  char word[128];
  while (fscanf(f, "%127s", word) == 1) {
    long long v;
    if (sscanf(word, "rbytes=%lld", &v) == 1)
      s->rbytes += v;
    else if (sscanf(word, "wbytes=%lld", &v) == 1)
      s->wbytes += v;
  }
  fclose(f);
}

static void read_stats(const char *cg, struct stats *s)
{
  s->cpu_usec = cgroup_read_key(cg, "cpu.stat", "usage_usec");
  s->user_usec = cgroup_read_key(cg, "cpu.stat", "user_usec");
  s->system_usec = cgroup_read_key(cg, "cpu.stat", "system_usec");
  s->mem = cgroup_read_number(cg, "memory.current");
  s->mem_peak = cgroup_read_number(cg, "memory.peak");
  s->pids = cgroup_read_number(cg, "pids.current");
  io_totals(cg, s);
}

static void json_num(const char *key, int64_t v, bool last)
{
  if (v >= 0)
    printf("\"%s\": %lld%s", key, (long long)v, last ? "" : ", ");
  else
    printf("\"%s\": null%s", key, last ? "" : ", ");
}

static void num_col(int64_t v, int64_t div, const char *unit)
{
  char buf[32];
  if (v < 0)
    snprintf(buf, sizeof buf, "-");
  else
    snprintf(buf, sizeof buf, "%lld%s", (long long)(v / div), unit);
  printf(" %-12s", buf);
}

/* One table (or JSON array) of the running sandboxes, or of NAME only:
 * the number of rows, or -errno after a message. */
static int stats_frame(const char *name, bool json)
{
  struct registry_entry *v;
  int n = registry_load(&v);
  if (n < 0)
    return n;
  int shown = 0;
  if (json)
    printf("[");
  else
    printf("%-16s %-8s %-12s %-12s %-12s %-12s %-12s %-12s %-12s\n", "NAME", "ID", "CPU", "USER", "SYSTEM", "MEMORY",
           "MEM-PEAK", "PIDS", "IO-R/W");
  for (int i = 0; i < n; i++) {
    const struct registry_entry *e = &v[i];
    if (name && strcmp(e->name, name) != 0 && strcmp(e->id, name) != 0)
      continue;
    struct stats s = { -1, -1, -1, -1, -1, -1, -1, -1 };
    if (e->cgroup[0])
      read_stats(e->cgroup, &s);
    if (json) {
      printf("%s\n  {\"name\": ", shown ? "," : "");
      json_write_str(stdout, e->name);
      printf(", \"id\": ");
      json_write_str(stdout, e->id);
      printf(", ");
      json_num("cpu_usec", s.cpu_usec, false);
      json_num("user_usec", s.user_usec, false);
      json_num("system_usec", s.system_usec, false);
      json_num("memory_bytes", s.mem, false);
      json_num("memory_peak_bytes", s.mem_peak, false);
      json_num("pids", s.pids, false);
      json_num("io_read_bytes", s.rbytes, false);
      json_num("io_write_bytes", s.wbytes, true);
      printf("}");
    } else {
      printf("%-16s %-8s", e->name, e->id);
      num_col(s.cpu_usec, 1000, "ms");
      num_col(s.user_usec, 1000, "ms");
      num_col(s.system_usec, 1000, "ms");
      num_col(s.mem, 1024, "K");
      num_col(s.mem_peak, 1024, "K");
      num_col(s.pids, 1, "");
      char io[48] = "-";
      if (s.rbytes >= 0)
        snprintf(io, sizeof io, "%lldK/%lldK", (long long)s.rbytes / 1024, (long long)s.wbytes / 1024);
      printf(" %s\n", io);
    }
    shown++;
  }
  if (json)
    printf("%s]\n", shown ? "\n" : "");
  registry_entries_free(v, n);
  return shown;
}

/* Is a sandbox called name (or with that id) running? */
static bool is_running(const char *name)
{
  struct registry_entry *v;
  int n = registry_load(&v);
  bool found = false;
  for (int i = 0; i < n && !found; i++)
    found = strcmp(v[i].name, name) == 0 || strcmp(v[i].id, name) == 0;
  if (n > 0)
    registry_entries_free(v, n);
  return found;
}

/* --watch: a frame every watch_ms until interrupted, or, for one NAME,
 * until that sandbox has ended (the last frame shown is its last, not an
 * empty one).  On a terminal each frame replaces the last; elsewhere the
 * tables follow each other, a blank line between (JSON: one array after
 * another). */
int registry_cmd_stats(const char *name, bool json, unsigned watch_ms)
{
  bool clear = watch_ms && !json && isatty(STDOUT_FILENO);
  for (unsigned frame = 0;; frame++) {
    if (frame && name && !is_running(name))
      return 0;
    if (clear)
      printf("\033[H\033[2J");
    else if (frame && !json)
      printf("\n");
    int shown = stats_frame(name, json);
    if (fflush(stdout) == EOF && errno == EPIPE)
      return 0; /* nobody reads any more */
    if (shown < 0)
      return shown;
    if (name && shown == 0)
      return frame ? 0 : log_fail(ESRCH, "no running sandbox called %s (sbx --list shows them)", name);
    if (!watch_ms)
      return 0;
    struct timespec ts = { watch_ms / 1000, (long)(watch_ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
      ;
  }
}

/* ---- --join ---------------------------------------------------------------- */

/* Is pid a copy of this very sbx binary (the sandbox's pid 1 is a clone of
 * sbx that never execs)? */
/* Whether pid runs this sbx binary.  /proc/PID/exe of a process that is
 * not dumpable can't be read (EACCES): the sandbox's pid 1 of a profile
 * sandbox is made so (plan.pid1_undumpable), so that answer means sbx too;
 * its namespaces are then out of reach as well, and join needs the app. */
static bool runs_sbx(pid_t pid)
{
  char a[PATH_MAX], b[PATH_MAX], path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  ssize_t na = readlink(path, a, sizeof a - 1);
  if (na < 0 && errno == EACCES)
    return true;
  ssize_t nb = readlink("/proc/self/exe", b, sizeof b - 1);
  return na > 0 && nb > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;
}

static pid_t parent_of(pid_t pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  _cleanup_close_ int fd = RETRY(open(path, O_RDONLY | O_CLOEXEC));
  char buf[512];
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  char *close_paren = strrchr(buf, ')');
  int ppid;
  return close_paren && sscanf(close_paren + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : -1;
}

/* The first process whose parent is `parent`, among the pids listed in
 * the file f reads (a cgroup.procs) or, without one, in /proc; 0 if none. */
static pid_t child_in(FILE *f, pid_t parent)
{
  int pid;
  if (f) {
    while (fscanf(f, "%d", &pid) == 1)
      if (parent_of(pid) == parent)
        return pid;
    return 0;
  }
  DIR *d = opendir("/proc");
  struct dirent *de;
  pid_t found = 0;
  while (d && !found && (de = readdir(d)))
    if (de->d_name[strspn(de->d_name, "0123456789")] == '\0' && parent_of(pid = atoi(de->d_name)) == parent)
      found = pid;
  if (d)
    closedir(d);
  return found;
}

/* The app: sbx's pid 1 starts it as its child; pick that child from the
 * cgroup's processes, or from all of them when there is no cgroup. */
static pid_t find_app(const struct registry_entry *e)
{
  if (!runs_sbx(e->pid))
    return e->pid;
  _cleanup_free_ char *path = e->cgroup[0] ? xasprintf("%s/cgroup.procs", e->cgroup) : NULL;
  FILE *f = path ? fopen(path, "re") : NULL;
  pid_t app = path && !f ? 0 : child_in(f, e->pid);
  if (f)
    fclose(f);
  return app > 0 ? app : e->pid;
}

/* Is the process behind pidfd (pid) still the sandbox e?  Each namespace
 * the registry recorded must be pid's; the pidfd, opened before the
 * looks, still naming a live process after them means they were its.
 * The user namespace is left out: the app may sit in one nested in the
 * recorded one (--disable-userns, --userns2), made after the record. */
static int check_namespaces(const struct registry_entry *e, pid_t pid, int pidfd)
{
  for (size_t i = 0; i < e->n_ns; i++) {
    if (strcmp(e->ns_kind[i], "user") == 0)
      continue;
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, e->ns_kind[i]);
    if (stat(path, &st) < 0)
      return log_errno(errno, "Can't look at %s's process %d (%s)", e->name, (int)pid, path);
    if ((unsigned long long)st.st_ino != e->ns_id[i])
      return log_fail(ESRCH, "process %d is not %s's any more: its %s namespace is %llu, the registry recorded %llu",
                      (int)pid, e->name, e->ns_kind[i], (unsigned long long)st.st_ino, e->ns_id[i]);
  }
  if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    return log_errno(errno, "%s's process %d ended", e->name, (int)pid);
  return 0;
}

int registry_check_owner(const struct registry_entry *e, pid_t pid, int *pidfd_out)
{
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "re");
  long uid = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "Uid: %ld", &uid) == 1)
      break;
  if (f)
    fclose(f);
  if (uid < 0)
    return log_fail(ESRCH, "%s's process %d is gone", e->name, (int)pid);
  if ((uid_t)uid != getuid())
    return log_fail(EPERM, "%s runs as uid %ld, not as you (uid %u): refused", e->name, uid, (unsigned)getuid());
  /* And it is the sandbox the entry's monitor recorded, not any process
   * of ours an entry names. */
  if (e->n_ns == 0)
    return log_fail(EPERM, "%s's entry records no namespaces (not written by a sandbox's sbx): refused", e->name);
  _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return log_errno(errno, "Can't open %s's process %d", e->name, (int)pid);
  int r = check_namespaces(e, pid, pidfd);
  if (r == 0)
    *pidfd_out = steal_fd(&pidfd);
  return r;
}

pid_t registry_app_pid(const struct registry_entry *e)
{
  return e->pid > 0 ? find_app(e) : 0;
}

static void read_environ(pid_t pid, struct strv *env)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  _cleanup_close_ int fd = RETRY(open(path, O_RDONLY | O_CLOEXEC));
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (fd < 0 || read_all_fd(fd, &text, &len) < 0)
    return;
  for (size_t i = 0; i < len; i += strlen(text + i) + 1)
    if (text[i])
      strv_add(env, text + i);
}


int registry_join_prepare(const struct registry_entry *e, pid_t *app, int *pidfd, struct strv *env)
{
  *pidfd = -1;
  if (e->pid <= 0)
    return log_fail(ESRCH, "%s has not started yet", e->name);
  *app = find_app(e);
  _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, *app, 0);
  if (fd < 0)
    return log_errno(errno, "Can't open %s's process %d", e->name, (int)*app);
  int r = check_namespaces(e, *app, fd);
  if (r < 0)
    return r;
  read_environ(*app, env);
  if (e->cgroup[0]) {
    _cleanup_close_ int dfd = RETRY(open(e->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    r = dfd < 0 ? -errno : write_file_at(dfd, "cgroup.procs", "0");
    if (r < 0)
      return log_errno(-r, "Can't move into %s's cgroup %s", e->name, e->cgroup);
  }
  *pidfd = steal_fd(&fd);
  return 0;
}

/* ---- shares ----------------------------------------------------------------- */

/* Append text to e's entry, in one write (O_APPEND: whole, never
 * interleaved with another sbx's). */
static int append_entry(const struct registry_entry *e, const char *text)
{
  _cleanup_free_ char *dir = registry_dir(false);
  if (!dir)
    return log_fail(ENOENT, "XDG_RUNTIME_DIR is not set");
  _cleanup_close_ int dfd = open_registry(dir);
  if (dfd < 0)
    return log_errno(-dfd, "Can't open %s", dir);
  _cleanup_free_ char *name = xasprintf("%s" ENTRY_SUFFIX, e->id);
  _cleanup_close_ int fd = RETRY(openat(dfd, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
  int r = fd < 0 ? -errno : write_all(fd, text, strlen(text));
  if (r < 0)
    return log_errno(-r, "Can't record it in %s/%s", dir, name);
  return 0;
}

int registry_share_add(const struct registry_entry *e, const struct registry_share *s)
{
  struct buf b = { 0 };
  _cleanup_free_ char *head = xasprintf("%s %d %llu %llu %s", s->ro ? "ro" : "rw", s->made.made_point ? 1 : 0,
                                        (unsigned long long)s->made.dev, (unsigned long long)s->made.ino, s->dest);
  put_value(&b, "share", head);
  put_value(&b, "share-src", s->src);
  int r = append_entry(e, b.s);
  buf_free(&b);
  return r;
}

int registry_share_remove(const struct registry_entry *e, const char *dest)
{
  struct buf b = { 0 };
  put_value(&b, "unshare", dest);
  int r = append_entry(e, b.s);
  buf_free(&b);
  return r;
}

const struct registry_share *registry_share_find(const struct registry_entry *e, const char *path)
{
  for (size_t i = e->n_shares; i-- > 0;)
    if (strcmp(e->shares[i].dest, path) == 0)
      return &e->shares[i];
  for (size_t i = e->n_shares; i-- > 0;)
    if (strcmp(e->shares[i].src, path) == 0)
      return &e->shares[i];
  return NULL;
}
