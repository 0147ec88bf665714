/* Unit tests: the bubblewrap-compatible parser builds the plan we expect,
 * and rejects what bubblewrap rejects, without running anything. */
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/options.h"
#include "plan/plan.h"
#include "policy/directives.h"
#include "tap.h"
#include "util/util.h"

static char *env0[] = { "HOME=/home/u", "PATH=/usr/bin", NULL };

/* Parse a NULL-terminated word list; stderr goes to /dev/null. */
static int parse(struct plan *p, const char **words)
{
  int argc = 0;
  while (words[argc])
    argc++;
  enum cli_action action;
  plan_init(p, env0);
  int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
  dup2(devnull, 2);
  struct cli_extra extra = { 0 };
  int r = cli_parse(p, &extra, "sbx", argc, (char **)words, &action);
  cli_extra_free(&extra);
  dup2(saved, 2);
  close(saved);
  close(devnull);
  return r;
}

#define WORDS(...) ((const char *[]){ __VA_ARGS__, NULL })

static void test_binds(void)
{
  struct plan p;
  int r = parse(&p, WORDS("--ro-bind", "/usr", "/usr", "--bind-try", "/a", "/b", "--dev-bind", "/dev", "/dev",
                          "--perms", "0700", "--dir", "/d", "--tmpfs", "/t", "true"));
  ok(r == 0, "binds parse");
  ok(p.n_ops == 5, "five ops (got %zu)", p.n_ops);
  ok(p.ops[0].kind == OP_BIND && p.ops[0].access == ACCESS_RO, "--ro-bind is a read-only bind");
  is_str(p.ops[0].src, "/usr", "source kept");
  ok(p.ops[1].flags & OPF_TRY, "--bind-try is a try");
  ok(p.ops[1].access == ACCESS_RW, "--bind-try is writable");
  ok(p.ops[2].access == ACCESS_DEV, "--dev-bind allows devices");
  ok(p.ops[3].kind == OP_DIR && p.ops[3].perms == 0700, "--perms applies to the next --dir");
  ok(p.ops[4].kind == OP_TMPFS && p.ops[4].perms == -1, "--perms applies only once");
  is_str(p.argv[0], "true", "command");
  plan_free(&p);
}

static void test_modifiers(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--perms", "01777", "--size", "0x100000", "--tmpfs", "/a", "--size", "04000000", "--perms",
                     "0700", "--tmpfs", "/b", "true")) == 0, "--perms and --size in either order before --tmpfs");
  ok(p.n_ops == 2 && p.ops[0].perms == 01777 && p.ops[0].size == 1048576, "both apply to the first --tmpfs");
  ok(p.n_ops == 2 && p.ops[1].perms == 0700 && p.ops[1].size == 1048576, "and to the second (octal size)");
  plan_free(&p);
  ok(parse(&p, WORDS("--perms", " +700", "--dir", "/d", "true")) == 0 && p.ops[0].perms == 0700,
     "--perms reads as strtoul(base 8) does");
  plan_free(&p);
  ok(parse(&p, WORDS("--size", "08", "--tmpfs", "/x", "true")) < 0, "--size 08 is not octal: rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--size", " 4096", "--tmpfs", "/x", "true")) < 0, "--size with a leading space rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--perms", "0700", "--perms", "0700", "--dir", "/x", "true")) < 0, "--perms twice rejected");
  plan_free(&p);
}

static void test_relative_sources(void)
{
  struct plan p;
  char cwd[4096];
  ok(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
  _cleanup_free_ char *dot = realpath(".", NULL);
  _cleanup_free_ char *missing = xasprintf("%s/no-such-source-here", cwd);
  ok(parse(&p, WORDS("--ro-bind", ".", "/a", "--bind-try", "no-such-source-here", "/b", "--ro-bind", "/usr", "/c",
                     "true")) == 0, "relative sources parse");
  is_str(p.ops[0].src, dot, "a relative source is realpath()ed in the cwd");
  is_str(p.ops[1].src, missing, "a missing -try source stays in the cwd");
  is_str(p.ops[2].src, "/usr", "an absolute source is left to the engine");
  plan_free(&p);
  ok(parse(&p, WORDS("--bind", "no-such-source-here", "/b", "true")) < 0, "a missing relative source is an error");
  plan_free(&p);
}

static void test_command_split(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--unshare-pid", "--", "--not-an-option", "x")) == 0, "-- ends options");
  is_str(p.argv[0], "--not-an-option", "command after --");
  is_str(p.argv[1], "x", "its argument");
  ok(p.unshare & CLONE_NEWPID, "--unshare-pid sets CLONE_NEWPID");
  plan_free(&p);
  ok(parse(&p, WORDS("--unshare-all", "--share-net", "sh")) == 0, "--unshare-all --share-net");
  ok(!(p.unshare & CLONE_NEWNET) && (p.unshare & CLONE_NEWIPC) && p.unshare_user_try, "--share-net undoes only net");
  plan_free(&p);
}

static void test_env(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--setenv", "A", "1", "--setenv", "A", "2", "--unsetenv", "PATH", "env")) == 0, "env parse");
  is_str(plan_getenv(&p, "A"), "2", "last --setenv wins");
  ok(plan_getenv(&p, "PATH") == NULL, "--unsetenv removes");
  is_str(plan_getenv(&p, "HOME"), "/home/u", "the rest is inherited");
  plan_free(&p);
  ok(parse(&p, WORDS("--clearenv", "--setenv", "B", "x", "env")) == 0, "clearenv parse");
  ok(plan_getenv(&p, "HOME") == NULL && p.env.n == 1, "--clearenv then --setenv leaves one variable");
  plan_free(&p);
}

static void test_errors(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--bogus", "true")) < 0, "unknown option rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--bind", "/a")) < 0, "missing argument rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--perms", "0999", "--dir", "/x", "true")) < 0, "bad octal rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--chmod", "abc", "/x", "true")) < 0, "bad --chmod mode rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--perms", "0755", "--bind", "/a", "/b", "true")) < 0, "--perms before a bind rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--size", "100", "--dir", "/x", "true")) < 0, "--size before --dir rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--size", "0", "--tmpfs", "/x", "true")) < 0, "--size 0 rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--overlay", "/u", "/w", "/d", "true")) < 0, "--overlay without --overlay-src rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--overlay-src", "/a", "--ro-overlay", "/d", "true")) < 0, "--ro-overlay with one source rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--overlay-src", "/a", "true")) < 0, "dangling --overlay-src rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--info-fd", "-1", "true")) < 0, "negative fd rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--info-fd", "987", "true")) < 0, "closed fd rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--cap-add", "CAP_NOPE", "true")) < 0, "unknown capability rejected");
  plan_free(&p);
  ok(parse(&p, WORDS("--ro-bind", "/", "/")) < 0, "no command rejected");
  plan_free(&p);
}

static void test_overlay_order(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--overlay-src", "/l1", "--overlay-src", "/l2", "--tmp-overlay", "/d", "true")) == 0, "overlay parse");
  ok(p.n_ops == 1 && p.ops[0].kind == OP_TMP_OVERLAY && p.ops[0].n_overlay_srcs == 2, "one overlay op, two sources");
  is_str(p.ops[0].overlay_srcs[1], "/l2", "sources kept in command-line order");
  plan_free(&p);
}

static void test_caps_and_seccomp(void)
{
  struct plan p;
  ok(parse(&p, WORDS("--cap-drop", "ALL", "--cap-add", "cap_net_admin", "true")) == 0, "caps parse");
  ok(p.n_caps == 2 && p.caps[0].verb == CAP_VERB_DROP && p.caps[1].mask == (1ULL << 12), "cap changes in order");
  plan_free(&p);

  int fds[2];
  if (pipe(fds) < 0)
    abort();
  (void)!write(fds[1], "1234567", 7);
  close(fds[1]);
  char fd[16];
  snprintf(fd, sizeof fd, "%d", fds[0]);
  ok(parse(&p, WORDS("--add-seccomp-fd", fd, "true")) < 0, "seccomp data not a multiple of 8 rejected");
  plan_free(&p);

  if (pipe(fds) < 0)
    abort();
  snprintf(fd, sizeof fd, "%d", fds[0]);
  ok(parse(&p, WORDS("--seccomp", fd, "--add-seccomp-fd", fd, "true")) < 0, "--seccomp with --add-seccomp-fd rejected");
  plan_free(&p);
  close(fds[0]);
  close(fds[1]);
}

static void test_args_fd(void)
{
  struct plan p;
  char path[] = "/tmp/sbx-unit-XXXXXX";
  int fd = mkstemp(path);
  unlink(path);
  static const char data[] = "--setenv\0X\0y\0--ro-bind\0/usr\0/usr\0--args\0" "0";
  (void)!write(fd, data, sizeof data - 1);
  lseek(fd, 0, SEEK_SET);
  char fdstr[16];
  snprintf(fdstr, sizeof fdstr, "%d", fd);
  ok(parse(&p, WORDS("--args", fdstr, "true")) < 0, "--args inside an args file rejected");
  plan_free(&p);

  char path2[] = "/tmp/sbx-unit-XXXXXX";
  fd = mkstemp(path2);
  unlink(path2);
  static const char data2[] = "--setenv\0X\0y\0--ro-bind\0/usr\0/usr"; /* no trailing NUL */
  (void)!write(fd, data2, sizeof data2 - 1);
  lseek(fd, 0, SEEK_SET);
  snprintf(fdstr, sizeof fdstr, "%d", fd);
  ok(parse(&p, WORDS("--args", fdstr, "--dir", "/d", "true")) == 0, "--args parsed in place");
  ok(p.n_ops == 2 && p.ops[0].kind == OP_BIND && p.ops[1].kind == OP_DIR, "args-file ops come before later options");
  is_str(plan_getenv(&p, "X"), "y", "last word without NUL");
  ok(fcntl(fd, F_GETFD) < 0, "the --args fd is closed after reading");
  plan_free(&p);
}

/* sbx's own options: kept aside for the policy, not put into the plan. */
static void test_sbx_options(void)
{
  struct plan p;
  struct cli_extra x = { 0 };
  enum cli_action action;
  const char **w = WORDS("--profile", "firefox", "--ro", "/opt", "--socket", "x11", "--bind", "/a", "/b", "ls");
  plan_init(&p, env0);
  int r = cli_parse(&p, &x, "sbx", 10, (char **)w, &action);
  ok(r == 0 && action == CLI_RUN, "sbx options parse");
  is_str(x.profile, "firefox", "--profile kept");
  ok(x.n_directives == 2 && strcmp(x.directives[0].d->name, "ro") == 0 && strcmp(x.directives[1].arg, "x11") == 0,
     "directive options kept in order for the policy");
  ok(p.n_ops == 1 && x.shapes_sandbox, "bubblewrap ops still go to the plan and mark bubblewrap mode");
  cli_extra_free(&x);
  plan_free(&p);
}

/* --seccomp-default between directive options: the list grows by one
 * rule, so the next directive is written inside it (fuzz-options found a
 * heap overflow here; the valgrind and ASan runs of this test catch it). */
static void test_seccomp_default_between_directives(void)
{
  struct plan p;
  struct cli_extra x = { 0 };
  enum cli_action action;
  const char **w = WORDS("--ro", "/a", "--seccomp-default", "--ro", "/b", "--ro", "/c", "--ro", "/d", "--ro", "/e", "ls");
  plan_init(&p, env0);
  int r = cli_parse(&p, &x, "sbx", 12, (char **)w, &action);
  ok(r == 0 && x.n_directives == 6, "--seccomp-default among directive options parses (%zu directives)", x.n_directives);
  ok(x.n_directives == 6 && strcmp(x.directives[1].d->name, "syscall-filter") == 0 &&
       strcmp(x.directives[5].arg, "/e") == 0, "all six kept in order");
  cli_extra_free(&x);
  plan_free(&p);
}

int main(void)
{
  log_init("sbx");
  test_binds();
  test_modifiers();
  test_relative_sources();
  test_command_split();
  test_env();
  test_errors();
  test_overlay_order();
  test_caps_and_seccomp();
  test_args_fd();
  test_sbx_options();
  test_seccomp_default_between_directives();
  return tap_done();
}
