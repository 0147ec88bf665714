/* sbx --learn: the learning sandbox, and the proposed profile. */
#include "compile/learn.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/ctx.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/query.h"
#include "policy/vars.h"
#include "util/bus-address.h"
#include "util/util.h"

/* A directory below an XDG directory (or below a top-level one) where at
 * least this many used files lie is proposed whole instead of file by
 * file: an app that read three files of its own directory will read a
 * fourth on another day. */
#define LEARN_COLLAPSE_MIN 3

/* ---- where the profile goes ------------------------------------------------ */

static bool valid_name(const char *name)
{
  return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < 200;
}

char *learn_output_path(const char *name, const char *output)
{
  if (!valid_name(name))
    return log_fail(EINVAL, "--learn %s: a profile name is a file name (no '/', not starting with '.')", name), NULL;
  char *path;
  if (output) {
    path = xstrdup(output);
  } else {
    struct vars v;
    vars_init(&v, NULL);
    path = xasprintf("%s/sbx/profiles/%s.profile", vars_get(&v, "XDG_CONFIG_HOME"), name);
    vars_free(&v);
  }
  struct stat st;
  if (lstat(path, &st) == 0) {
    log_fail(EEXIST, "%s exists already: --learn never replaces a profile (remove it, or choose another with --output)", path);
    free(path);
    return NULL;
  }
  return path;
}

/* ---- the learning sandbox ---------------------------------------------------- */

/* The session bus through xdg-dbus-proxy with --log (launch/dbus-proxy.h):
 * the names the app called are learned from the log (main.c).  The proxy
 * logs only when it filters, and a rule can't say "every name" (a prefix
 * needs two elements: "org.*" is refused), so learning filters: the
 * desktop's own services below these prefixes go through as they would
 * outside; a call to any other name is refused while learning -- logged,
 * and proposed, all the same, which is what the run is for.  The proxy's
 * socket directory is bound where it is on the host, in case the scratch
 * home hides it. */
static void learn_bus(struct plan *p)
{
  static const char *const open_prefixes[] = {
    "org.freedesktop", "org.gnome", "org.gtk", "org.kde", "org.mpris", "org.a11y", "ca.desrt", "com.canonical",
  };
  const char *addr = plan_getenv(p, "DBUS_SESSION_BUS_ADDRESS");
  _cleanup_free_ char *host = bus_address_first_path(addr);
  struct stat st;
  if (!host || stat(host, &st) < 0 || !S_ISSOCK(st.st_mode))
    return;
  struct compile_ctx cc = { .plan = p, .host_runtime_dir = plan_getenv(p, "XDG_RUNTIME_DIR") };
  struct plan_bus *b = plan_services_add_bus(cc_services(&cc), false, addr);
  strv_add(&b->rules, "--filter");
  for (size_t i = 0; i < sizeof open_prefixes / sizeof open_prefixes[0]; i++) {
    strv_addf(&b->rules, "--talk=%s.*", open_prefixes[i]);
    strv_addf(&b->rules, "--own=%s.*", open_prefixes[i]);
  }
  plan_add_op(p, OP_BIND, b->dir, b->dir)->access = ACCESS_RO;
  _cleanup_free_ char *env = xasprintf("unix:path=%s", b->socket);
  plan_setenv(p, "DBUS_SESSION_BUS_ADDRESS", env);
}

void learn_plan(struct plan *p, bool bus)
{
  plan_add_op(p, OP_BIND, "/", "/")->access = ACCESS_RO;
  plan_add_op(p, OP_DEV, NULL, "/dev");
  plan_add_op(p, OP_PROC, NULL, "/proc");
  _cleanup_free_ char *home = home_dir();
  /* The scratch home: nothing of the user's files is shown (a learning run
   * trusts the app no more than a sandboxed one), and what the app writes
   * there is gone afterwards.  The app's attempts are recorded all the
   * same; only what it then does with a file it could not read may differ. */
  if (home && strcmp(home, "/") != 0)
    plan_add_op(p, OP_TMPFS, NULL, home);
  p->unshare |= CLONE_NEWUSER | CLONE_NEWPID;
  if (bus)
    learn_bus(p);
}

/* ---- from events to proposals ------------------------------------------------ */

struct want {
  char *path;          /* on the host */
  unsigned ops;        /* 1 << enum learn_op */
  bool persist;        /* the app made a directory the host does not have */
  unsigned long files; /* recorded paths merged into it */
  struct strv by;      /* programs, each once */
};

struct learner {
  struct vars vars;
  struct policy base, secrets;
  bool have_base, have_secrets;
  struct want *w;
  size_t n, cap;
  struct strv notes;   /* comment lines (without "# ") */
  struct strv sockets; /* "socket x11" lines with their comments */
  struct strv inet;    /* addresses connected to */
  struct strv ran;     /* programs executed, each once */
  unsigned long covered, scratch, absent, kernel;
};

static bool under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The variable a profile names path's directory with: the longest of the
 * XDG directories and $HOME that holds it; NULL for none. */
static const char *anchor_var(const struct learner *L, const char *path, const char **dir)
{
  static const char *const names[] = {
    "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
    "DOWNLOAD", "DOCUMENTS", "MUSIC", "PICTURES", "VIDEOS", "DESKTOP", "HOME",
  };
  const char *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *d = vars_get(&L->vars, names[i]);
    if (d && d[0] == '/' && strcmp(d, "/") != 0 && strlen(d) > best_len && under(path, d)) {
      best = names[i];
      best_len = strlen(d);
      *dir = d;
    }
  }
  return best;
}

/* How a profile spells path: "${XDG_CONFIG_HOME}/foo" rather than the
 * user's own directory, so the profile works for another user too. */
static char *spell(const struct learner *L, const char *path)
{
  const char *dir = NULL;
  const char *var = anchor_var(L, path, &dir);
  char *s = var ? xasprintf("${%s}%s", var, path + strlen(dir)) : xstrdup(path);
  /* Blanks and a leading '#' need quotes (sbx-profile(5)). */
  if (strpbrk(s, " \t\"\\#")) {
    struct buf b = { 0 };
    buf_puts(&b, "\"");
    for (const char *c = s; *c; c++) {
      if (*c == '"' || *c == '\\')
        buf_puts(&b, "\\");
      buf_add(&b, c, 1);
    }
    buf_puts(&b, "\"");
    free(s);
    s = buf_steal(&b);
  }
  return s;
}

/* The directory no proposal may collapse to or above: path's XDG
 * directory, or its top-level directory (/opt, /srv...). */
static size_t anchor_len(const struct learner *L, const char *path)
{
  const char *dir = NULL;
  if (anchor_var(L, path, &dir))
    return strlen(dir);
  const char *slash = strchr(path + 1, '/');
  return slash ? (size_t)(slash - path) : strlen(path);
}

static struct want *want_for(struct learner *L, const char *path)
{
  for (size_t i = 0; i < L->n; i++)
    if (strcmp(L->w[i].path, path) == 0)
      return &L->w[i];
  struct want *w = ARRAY_PUSH(L->w, L->n, L->cap);
  w->path = xstrdup(path);
  return w;
}

static void want_add(struct want *w, unsigned ops, unsigned long files, const char *by)
{
  w->ops |= ops;
  w->files += files;
  for (size_t i = 0; i < w->by.n; i++)
    if (strcmp(w->by.v[i], by) == 0)
      return;
  strv_add(&w->by, by);
}

static bool exists(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

static bool hidden_by_secrets(const struct learner *L, const char *path)
{
  return L->have_secrets && policy_path_access(&L->secrets, path) == PATH_HIDE;
}

/* The desktop sockets sbx connects by name (socket DIRECTIVE): proposed as
 * such, not as paths, which differ between hosts. */
static bool desktop_socket(struct learner *L, const struct learn_event *e)
{
  const char *rt = vars_get(&L->vars, "XDG_RUNTIME_DIR");
  const char *p = e->path[0] == '@' ? e->path + 1 : e->path;
  const char *what = NULL;
  if (strncmp(p, "/tmp/.X11-unix/X", 16) == 0)
    what = "x11";
  else if (rt && under(p, rt) && strncmp(p + strlen(rt), "/wayland-", 9) == 0)
    what = "wayland";
  else if (rt && under(p, rt) && strcmp(p + strlen(rt), "/pulse/native") == 0)
    what = "pulseaudio";
  else if (rt && under(p, rt) && strncmp(p + strlen(rt), "/pipewire-", 10) == 0)
    what = "pipewire";
  const char *bus = NULL;
  /* The learning proxy's socket, $XDG_RUNTIME_DIR/sbx/ID/session-bus/bus
   * (launch.h): the names called through it are learned. */
  static const char suffix[] = "/session-bus/bus";
  size_t n = strlen(p), sn = sizeof suffix - 1;
  bool proxied = rt && under(p, rt) && strncmp(p + strlen(rt), "/sbx/", 5) == 0 && n > sn &&
                 strcmp(p + n - sn, suffix) == 0;
  if ((rt && under(p, rt) && strcmp(p + strlen(rt), "/bus") == 0) || proxied)
    bus = "dbus-session";
  else if (strcmp(p, "/run/dbus/system_bus_socket") == 0 || strcmp(p, "/var/run/dbus/system_bus_socket") == 0)
    bus = "dbus-system";
  if (!what && !bus)
    return false;
  /* A bus goes through the filtering proxy; which names the app talks to
   * is not learned (yet): the comment says what to add. */
  _cleanup_free_ char *line = what ? xasprintf("socket %s", what) : xasprintf("%s filter", bus);
  for (size_t i = 0; i < L->sockets.n; i += 2)
    if (strcmp(L->sockets.v[i], line) == 0)
      return true;
  strv_add(&L->sockets, line);
  if (proxied)
    strv_addf(&L->sockets, "connected to the session bus by %s; the names it called follow", e->by);
  else if (bus)
    strv_addf(&L->sockets, "connected to %s by %s; the names it talks to are not learned: add %s-talk lines",
              e->path, e->by, strcmp(bus, "dbus-system") == 0 ? "dbus-system" : "dbus");
  else
    strv_addf(&L->sockets, "connected to %s by %s", e->path, e->by);
  return true;
}

/* Where an event that names a path the host does not have leads: a write
 * or a new directory inside an existing directory of the app's needs that
 * directory writable (rw), or the missing directory made (persist); a read
 * of a missing file needs nothing. */
static void learn_absent(struct learner *L, const struct learn_event *e)
{
  if (e->op == LEARN_READ || e->op == LEARN_EXEC || e->op == LEARN_CONNECT) {
    L->absent++;
    return;
  }
  char *parent = xstrdup(e->path);
  char *first_missing = xstrdup(e->path);
  for (;;) {
    char *slash = strrchr(parent, '/');
    if (!slash || slash == parent) {
      parent[1] = '\0';
      break;
    }
    *slash = '\0';
    if (exists(parent))
      break;
    free(first_missing);
    first_missing = xstrdup(parent);
  }
  size_t anchor = anchor_len(L, e->path);
  if (strlen(first_missing) <= anchor + 1 && strcmp(first_missing, e->path) != 0) {
    /* The XDG directory itself is missing on the host: persist makes it,
     * with the app's own directory below it. */
    const char *slash = strchr(e->path + anchor + 1, '/');
    free(first_missing);
    first_missing = slash ? xasprintf("%.*s", (int)(slash - e->path), e->path) : xstrdup(e->path);
    free(parent);
    parent = xasprintf("%.*s", (int)anchor, e->path);
  }
  if (hidden_by_secrets(L, first_missing) ||
      (strcmp(first_missing, e->path) == 0 && strlen(parent) <= anchor)) {
    strv_addf(&L->notes, "not proposed: %s (%s by %s): its directory %s is too wide to open; make %s on the host "
                         "first, or give the app a directory of its own",
              e->path, learn_op_name(e->op), e->by, parent, e->path);
    free(first_missing);
    return;
  }
  struct want *w;
  if (strcmp(first_missing, e->path) == 0 && e->op != LEARN_CREATE) {
    w = want_for(L, parent); /* a new file in an existing directory */
  } else {
    w = want_for(L, first_missing);
    w->persist = true;
  }
  free(first_missing);
  want_add(w, 1u << e->op, 1, e->by);
  free(parent);
}

static void learn_event(struct learner *L, const struct learn_event *e)
{
  if (strncmp(e->path, "ip:", 3) == 0) {
    for (size_t i = 0; i < L->inet.n; i++)
      if (strcmp(L->inet.v[i], e->path + 3) == 0)
        return;
    strv_add(&L->inet, e->path + 3);
    return;
  }
  if (e->op == LEARN_CONNECT && desktop_socket(L, e))
    return;
  if (e->op == LEARN_TALK) {
    /* After the bus's own line (the connect came first). */
    strv_addf(&L->sockets, "dbus-talk %s", e->path);
    strv_addf(&L->sockets, "called: %s", strncmp(e->by, "call ", 5) == 0 ? e->by + 5 : e->by);
    return;
  }
  if (e->op == LEARN_SYSCALL)
    return;
  if (e->op == LEARN_EXEC && exists(e->path)) {
    bool seen = false;
    for (size_t i = 0; i < L->ran.n && !seen; i++)
      seen = strcmp(L->ran.v[i], e->path) == 0;
    if (!seen)
      strv_add(&L->ran, e->path);
  }
  if (e->path[0] == '@') {
    strv_addf(&L->notes, "abstract unix socket %s (connected by %s): not a file; only \"network host\" reaches it",
              e->path, e->by);
    return;
  }
  if (under(e->path, "/proc") || under(e->path, "/dev") || under(e->path, "/sys")) {
    L->kernel++; /* every sandbox has its own /proc and /dev; /sys as base.inc says */
    return;
  }
  if (hidden_by_secrets(L, e->path)) {
    strv_addf(&L->notes, "not proposed: %s (%s by %s) is hidden by secrets.inc", e->path, learn_op_name(e->op), e->by);
    return;
  }
  enum path_access base = L->have_base ? policy_path_access(&L->base, e->path) : PATH_NO_RULE;
  bool writes = e->op == LEARN_WRITE || e->op == LEARN_CREATE;
  if (base == PATH_RO && !writes) {
    L->covered++;
    return;
  }
  if (base == PATH_RO) {
    strv_addf(&L->notes, "not proposed: %s (%s by %s): read-only in every sandbox", e->path, learn_op_name(e->op), e->by);
    return;
  }
  /* private (/tmp, the home): a write there lands in the sandbox's scratch
   * unless the host has the file, which then needs a line. */
  if (!exists(e->path)) {
    if (base == PATH_PRIVATE && writes && !under(e->path, vars_get(&L->vars, "HOME")))
      L->scratch++;
    else
      learn_absent(L, e);
    return;
  }
  if (e->op == LEARN_CREATE)
    return; /* mkdir of what the host has already (EEXIST) */
  if (strlen(e->path) <= anchor_len(L, e->path)) {
    /* ~ or ~/.config itself (listed, or its metadata read): opening the
     * whole of it is never the answer a learning run can give. */
    strv_addf(&L->notes, "not proposed: %s (%s by %s): all of it", e->path, learn_op_name(e->op), e->by);
    return;
  }
  want_add(want_for(L, e->path), 1u << e->op, 1, e->by);
}

/* Does dir hold a path secrets.inc hides?  Then it is never proposed
 * whole: the hide line would still win, but the proposal would read as if
 * it opened the secret. */
static bool holds_secret(const struct learner *L, const char *dir)
{
  size_t it = 0;
  struct path_rule rule;
  while (L->have_secrets && policy_next_path(&L->secrets, &it, &rule))
    if (rule.access == PATH_HIDE && under(rule.path, dir))
      return true;
  return false;
}

/* The highest directory strictly below w's anchor with at least
 * LEARN_COLLAPSE_MIN proposals below it, or NULL. */
static char *collapse_dir(const struct learner *L, const struct want *w)
{
  size_t min = anchor_len(L, w->path);
  if (strlen(w->path) <= min + 1)
    return NULL;
  for (const char *s = strchr(w->path + min + 1, '/'); s; s = strchr(s + 1, '/')) {
    _cleanup_free_ char *dir = xasprintf("%.*s", (int)(s - w->path), w->path);
    unsigned long count = 0;
    for (size_t i = 0; i < L->n; i++)
      if (under(L->w[i].path, dir))
        count += L->w[i].files ? L->w[i].files : 1;
    if (count >= LEARN_COLLAPSE_MIN && !holds_secret(L, dir) && !hidden_by_secrets(L, dir))
      return steal_ptr(&dir);
  }
  return NULL;
}

static void collapse(struct learner *L)
{
  for (size_t i = 0; i < L->n; i++) {
    _cleanup_free_ char *dir = collapse_dir(L, &L->w[i]);
    if (!dir)
      continue;
    size_t di = (size_t)(want_for(L, dir) - L->w); /* may move L->w: an index, not a pointer */
    for (size_t j = 0; j < L->n; j++) {
      struct want *o = &L->w[j], *d = &L->w[di];
      if (j == di || !under(o->path, dir))
        continue;
      d->persist = false;
      d->files += o->files;
      d->ops |= o->ops;
      for (size_t k = 0; k < o->by.n; k++)
        want_add(d, 0, 0, o->by.v[k]);
      free(steal_ptr(&o->path));
      strv_clear(&o->by);
    }
    size_t kept = 0;
    for (size_t j = 0; j < L->n; j++)
      if (L->w[j].path)
        L->w[kept++] = L->w[j];
    L->n = kept;
    i = (size_t)-1; /* start over: the array changed */
  }
}

static int want_cmp(const void *a, const void *b)
{
  return strcmp(((const struct want *)a)->path, ((const struct want *)b)->path);
}

/* "read, written by /usr/bin/foo: 12 files" */
static char *describe(const struct want *w)
{
  static const char *const verbs[] = { "read", "written", "executed", "created", "connected to" };
  struct buf b = { 0 };
  for (int op = LEARN_READ; op <= LEARN_CONNECT; op++)
    if (w->ops & (1u << op))
      buf_printf(&b, "%s%s", b.n ? ", " : "", verbs[op]);
  buf_puts(&b, " by ");
  for (size_t i = 0; i < w->by.n && i < 3; i++)
    buf_printf(&b, "%s%s", i ? ", " : "", w->by.v[i]);
  if (w->by.n > 3)
    buf_printf(&b, " and %zu more", w->by.n - 3);
  if (w->persist)
    buf_puts(&b, " (new: made on the host at the next start)");
  else
    buf_printf(&b, ": %lu file%s", w->files, w->files == 1 ? "" : "s");
  return buf_steal(&b);
}

static const char *access_word(const struct want *w)
{
  if (w->persist)
    return "persist";
  return w->ops & ((1u << LEARN_WRITE) | (1u << LEARN_CREATE)) ? "rw" : "ro";
}

static void emit(struct learner *L, struct buf *out, const char *name, char *const *argv, const struct learn_log *log)
{
  buf_printf(out, "# %s.profile: proposed by sbx --learn from a run of:", name);
  for (size_t i = 0; argv && argv[i] && i < 16; i++)
    buf_printf(out, " %s", argv[i]);
  buf_printf(out, "\n# %lu calls seen, %zu paths recorded%s.  Review every line: a path is\n"
                  "# here because the app used it once, not because it needs it.\n",
             log->notifications, log->n, log->dropped ? " (some raced away)" : "");
  buf_printf(out, "include base.inc  # the read-only system: %lu reads and execs were covered by it\n", L->covered);
  buf_puts(out, "include secrets.inc  # credentials stay hidden whatever else is opened\n");
  for (size_t i = 0; i + 1 < L->sockets.n; i += 2)
    buf_printf(out, "%s  # %s\n", L->sockets.v[i], L->sockets.v[i + 1]);
  if (L->inet.n) {
    buf_printf(out, "include network.inc  # connected to %s", L->inet.v[0]);
    for (size_t i = 1; i < L->inet.n && i < 4; i++)
      buf_printf(out, ", %s", L->inet.v[i]);
    buf_puts(out, L->inet.n > 4 ? ", ...\n" : "\n");
  } else {
    buf_puts(out, "network none  # no network connection seen\n");
  }
  if (L->n)
    qsort(L->w, L->n, sizeof *L->w, want_cmp);
  for (size_t i = 0; i < L->n; i++) {
    _cleanup_free_ char *path = spell(L, L->w[i].path);
    _cleanup_free_ char *why = describe(&L->w[i]);
    buf_printf(out, "%s %s  # %s\n", access_word(&L->w[i]), path, why);
  }
  for (size_t i = 0; i < L->notes.n; i++) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(L->notes.v[i], L->notes.v[j]) == 0;
    if (!seen)
      buf_printf(out, "# %s\n", L->notes.v[i]);
  }
  if (L->ran.n) {
    buf_puts(out, "# programs run:");
    for (size_t i = 0; i < L->ran.n; i++)
      buf_printf(out, " %s", L->ran.v[i]);
    buf_puts(out, "\n");
  }
  if (L->scratch)
    buf_printf(out, "# %lu writes went to /tmp or /var/tmp, private in every sandbox (base.inc)\n", L->scratch);
  if (L->absent)
    buf_printf(out, "# %lu paths the app looked for do not exist on the host: not proposed\n", L->absent);
  if (L->kernel)
    buf_printf(out, "# %lu uses of /proc, /dev and /sys: every sandbox has its own\n", L->kernel);
}

/* A directory mkdir -p made (or opened) on the way to another path the
 * app made or wrote: the deeper one says what the app needs. */
static bool made_on_the_way(const struct learn_log *log, const struct learn_event *e)
{
  if (e->op != LEARN_CREATE && e->op != LEARN_READ)
    return false;
  for (size_t i = 0; i < log->n; i++) {
    const struct learn_event *o = &log->v[i];
    if ((o->op == LEARN_CREATE || o->op == LEARN_WRITE) && o != e && strcmp(o->path, e->path) != 0 &&
        under(o->path, e->path))
      return true;
  }
  return false;
}

/* base.inc and secrets.inc, as a profile that includes them sees them. */
static void load_include(struct learner *L, struct profile_paths *pp, const char *file, struct policy *pol, bool *ok)
{
  policy_init(pol);
  for (size_t i = 0; i < pp->n && !*ok; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", pp->dirs[i], file);
    if (exists(path) && profile_load(pol, &L->vars, pp, path) == 0) {
      policy_resolve(pol);
      *ok = true;
    }
  }
  if (!*ok)
    log_warn("%s is not in the profile path: the proposal can't take it into account", file);
}

static int write_new_file(const char *path, const char *text)
{
  /* ${XDG_CONFIG_HOME}/sbx/profiles may not exist yet (nor --output's
   * directory): made as mkdir -p would.  O_EXCL below: never over a file,
   * even one that appeared while the app ran. */
  _cleanup_free_ char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    *slash = '\0';
    for (char *c = dir + 1; (c = strchr(c, '/')); c++) {
      *c = '\0';
      (void)mkdir(dir, 0755);
      *c = '/';
    }
    (void)mkdir(dir, 0755);
  }
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return log_errno(errno, "Can't create %s", path);
  int r = write_all(fd, text, strlen(text));
  if (r < 0)
    return log_errno(r, "Can't write %s", path);
  return 0;
}

int learn_write_profile(const char *path, const char *name, char *const *argv, const struct learn_log *log)
{
  struct learner L = { 0 };
  struct profile_paths pp;
  vars_init(&L.vars, NULL);
  vars_set(&L.vars, "PROFILE", name);
  profile_paths_init(&pp, &L.vars);
  load_include(&L, &pp, "base.inc", &L.base, &L.have_base);
  load_include(&L, &pp, "secrets.inc", &L.secrets, &L.have_secrets);

  for (size_t i = 0; i < log->n; i++)
    if (!made_on_the_way(log, &log->v[i]))
      learn_event(&L, &log->v[i]);
  collapse(&L);
  struct buf out = { 0 };
  emit(&L, &out, name, argv, log);
  _cleanup_free_ char *text = buf_steal(&out);
  int r = write_new_file(path, text);
  if (r == 0)
    fprintf(stderr, "%s: wrote %s (%zu path%s proposed); review it, then: sbx --check %s\n", log_prog(), path, L.n,
            L.n == 1 ? "" : "s", path);

  for (size_t i = 0; i < L.n; i++) {
    free(L.w[i].path);
    strv_clear(&L.w[i].by);
  }
  free(L.w);
  strv_clear(&L.notes);
  strv_clear(&L.sockets);
  strv_clear(&L.inet);
  strv_clear(&L.ran);
  policy_free(&L.base);
  policy_free(&L.secrets);
  profile_paths_free(&pp);
  vars_free(&L.vars);
  return r;
}
