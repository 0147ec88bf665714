/* --explain-denials' words without a sandbox: the D-Bus proxy's log lines
 * in (launch/dbus-proxy.c's parser), and made-up refusals against a
 * profile's policy (compile/explain.c), the reported lines out.  The cases
 * tests/test-explain.sh can't easily stage: both buses filtered, a
 * wildcard rule, a call rule, the ENOSYS fall-back, a group denied by the
 * profile itself. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/explain.h"
#include "launch/dbus-proxy.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/vars.h"
#include "tap.h"
#include "util/util.h"

static char T[] = "/tmp/sbx-unit-explain.XXXXXX";

static struct strv arena; /* strings kept until the end */

/* fmt with every %s the temp dir (kept until the end). */
static const char *S_(const char *fmt)
{
  struct buf b = { 0 };
  for (const char *p = fmt; *p;) {
    const char *at = strstr(p, "%s");
    size_t n = at ? (size_t)(at - p) : strlen(p);
    buf_add(&b, p, n);
    p += n;
    if (at) {
      buf_puts(&b, T);
      p += 2;
    }
  }
  char *s = buf_steal(&b);
  strv_push(&arena, s);
  return s;
}

/* The policy of a profile with `text` (and nothing included). */
static void load(struct policy *pol, const char *text)
{
  _cleanup_free_ char *path = xasprintf("%s/t.profile", T);
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0)
    bail_out("cannot write %s", path);
  struct vars v;
  struct profile_paths pp;
  vars_init(&v, "t");
  profile_paths_init(&pp, &v);
  policy_init(pol);
  if (profile_load(pol, &v, &pp, path) < 0)
    bail_out("cannot load %s", path);
  policy_resolve(pol);
  profile_paths_free(&pp);
  vars_free(&v);
}

/* What was written to a memstream (closed here), without its last
 * newline. */
static char *closed_text(FILE *f, char *const *text, const size_t *len)
{
  fclose(f);
  if (*len && (*text)[*len - 1] == '\n')
    (*text)[*len - 1] = '\0';
  return *text;
}

/* What explain_denial / explain_bus_denial print, without the newline. */
static char *said_event(const struct policy *pol, const struct learn_event *e)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  explain_denial(f, pol, e);
  return closed_text(f, &text, &len);
}

static char *said_bus(const struct policy *pol, const struct bus_denial *d)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  explain_bus_denial(f, pol, d);
  return closed_text(f, &text, &len);
}

/* The parser's reports, as "NEED NAME | WHAT" lines. */
static void collect(void *ctx, const struct bus_denial *d)
{
  strv_addf(ctx, "%d %s | %s", (int)d->need, d->name, d->what);
}

static void t_bus_log(void)
{
  struct bus_log bl = { 0 };
  struct strv got = { 0 };
  const char *log[] = {
    "C1: -> org.freedesktop.DBus call org.freedesktop.DBus.Hello at /org/freedesktop/DBus",
    "B1: <- org.freedesktop.DBus return from C1",
    "*SKIPPED*",
    "C4: -> org.sbx.Nope call org.x.Y at /x",
    "*HIDDEN* (ping)",
    "B5: <- (no sender) return from C4",
    "*REWRITTEN*",
    "C5: -> org.sbx.Nope call org.x.Z at /x", /* the same name again: once */
    "*HIDDEN* (ping)",
    "C6: -> org.sbx.Seen call org.x.Y at /y",
    "*DENIED* (ping)",
    "C7: -> org.freedesktop.DBus call org.freedesktop.DBus.RequestName at /org/freedesktop/DBus",
    "Filtering message due to arg0 org.sbx.Mine, policy: 0 (required 3)",
  };
  for (size_t i = 0; i < sizeof log / sizeof log[0]; i++)
    bus_log_line(&bl, log[i], collect, &got);
  ok(got.n == 3, "three refusals in the log (a name twice: once), got %zu", got.n);
  is_str(got.n > 0 ? got.v[0] : NULL, "2 org.sbx.Nope | call org.x.Y at /x", "*HIDDEN*: talk, the call before it");
  is_str(got.n > 1 ? got.v[1] : NULL, "2 org.sbx.Seen | call org.x.Y at /y", "*DENIED*: talk");
  is_str(got.n > 2 ? got.v[2] : NULL,
         "3 org.sbx.Mine | call org.freedesktop.DBus.RequestName at /org/freedesktop/DBus",
         "a bus method naming a name: the need the proxy says");
  strv_clear(&got);
  bus_log_free(&bl);
}

static void t_bus_explained(void)
{
  struct policy pol;
  load(&pol, "dbus-session filter\ndbus-system filter\ndbus-see org.a.*\ndbus-call org.b=M@/p\n");
  _cleanup_free_ char *a = said_bus(&pol, &(struct bus_denial){ "org.a.B", BUS_NEED_TALK, "call x.Y at /" });
  is_str(a,
         S_("sbx: denied: dbus talk org.a.B (call x.Y at /): the session bus is filtered by %s/t.profile:1 "
            "(dbus-session filter), and only %s/t.profile:3 (dbus-see org.a.*) is said of it; or the system bus is "
            "filtered by %s/t.profile:2 (dbus-system filter), and no rule names it; allow with: dbus-talk org.a.B "
            "(session bus) or dbus-system-talk org.a.B (system bus)"),
         "both buses filtered, a wildcard rule that gives less");
  _cleanup_free_ char *b = said_bus(&pol, &(struct bus_denial){ "org.b", BUS_NEED_TALK, "" });
  ok(strstr(b, "only ") && strstr(b, "/t.profile:4 (dbus-call org.b=M@/p) is said of it"), "a call rule: %s", b);
  _cleanup_free_ char *c = said_bus(&pol, &(struct bus_denial){ "org.ab", BUS_NEED_OWN, "" });
  ok(strstr(c, "and no rule names it; or") && strstr(c, "allow with: dbus-own org.ab (session bus)"),
     "org.a.* does not name org.ab; own: %s", c);
  policy_free(&pol);
}

static void t_syscalls(void)
{
  struct policy pol;
  load(&pol, "syscall-deny @debug\n");
  struct syscall_rule clone3 = { "clone3", SYSCALL_ANY, 0, 0, 0, ENOSYS, "@namespaces", "libc falls back" };
  struct learn_event e = { LEARN_SYSCALL, "clone3", "/bin/app", 1, ENOSYS, &clone3 };
  _cleanup_free_ char *a = said_event(&pol, &e);
  is_str(a, "", "a built-in ENOSYS rule (the C library falls back): not reported");
  struct syscall_rule ptrace = { "ptrace", SYSCALL_ANY, 0, 0, 0, EPERM, "@debug", "tracing" };
  e = (struct learn_event){ LEARN_SYSCALL, "ptrace", "/bin/app", 1, EPERM, &ptrace };
  _cleanup_free_ char *b = said_event(&pol, &e);
  is_str(b,
         S_("sbx: denied: syscall ptrace (EPERM) by /bin/app: refused by %s/t.profile:1 (syscall-deny @debug); "
            "allow with: syscall-allow @debug"),
         "a group the profile denies: its line");
  policy_free(&pol);
  load(&pol, "syscall-errno ENOSYS\n");
  e = (struct learn_event){ LEARN_SYSCALL, "clone3", "/bin/app", 1, ENOSYS, &clone3 };
  _cleanup_free_ char *c = said_event(&pol, &e);
  ok(strstr(c, "refused by sbx's built-in system call policy (@namespaces: libc falls back)") != NULL,
     "with syscall-errno ENOSYS every refusal says ENOSYS: reported: %s", c);
  policy_free(&pol);
}

static void t_paths(void)
{
  struct policy pol;
  _cleanup_free_ char *ro = xasprintf("%s/ro", T);
  if (mkdir(ro, 0755) < 0)
    bail_out("mkdir %s", ro);
  _cleanup_free_ char *text = xasprintf("ro %s\n", ro);
  load(&pol, text);
  _cleanup_free_ char *new_file = xasprintf("%s/new", ro);
  struct learn_event e = { LEARN_WRITE, new_file, "/bin/app", 1, EROFS, NULL };
  _cleanup_free_ char *a = said_event(&pol, &e);
  is_str(a,
         S_("sbx: denied: write %s/ro/new (EROFS) by /bin/app: read-only by %s/t.profile:1 (ro %s/ro); "
            "allow with: rw %s/ro"),
         "a new file in a read-only directory: the directory suggested");
  e = (struct learn_event){ LEARN_EXEC, "/opt/x/bin", "/bin/app", 1, ENOENT, NULL };
  _cleanup_free_ char *b = said_event(&pol, &e);
  is_str(b, "sbx: denied: exec /opt/x/bin (ENOENT) by /bin/app: not in the view: no rule shows it; allow with: ro /opt/x/bin",
         "no rule");
  policy_free(&pol);
}

int main(void)
{
  log_init("sbx");
  if (!mkdtemp(T))
    bail_out("mkdtemp");
  t_bus_log();
  t_bus_explained();
  t_syscalls();
  t_paths();
  _cleanup_free_ char *rm = xasprintf("rm -rf '%s'", T);
  (void)!system(rm);
  strv_clear(&arena);
  return tap_done();
}
