/* sbx: a setuid-free sandbox launcher.  main() checks how it was started,
 * lets the front ends (command line, profile) describe the sandbox as a
 * plan, and hands the plan to the engine. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "cli/options.h"
#include "compile/compile.h"
#include "compile/learn.h"
#include "install/install.h"
#include "config.h"
#include "engine/engine.h"
#include "engine/run.h"
#include "compile/explain.h"
#include "doctor/doctor.h"
#include "plan/plan.h"
#include "policy/policy.h"
#include "policy/directives.h"
#include "policy/profile.h"
#include "policy/vars.h"
#include "launch/launch.h"
#include "launch/registry.h"
#include "util/util.h"

extern char **environ;

/* Exit status for a policy that does not compile (bad profile, bad sbx
 * option argument): distinct from a setup failure (1). */
#define EXIT_POLICY 2

/* sbx needs no privileges beyond what an ordinary user has; a setuid or
 * file-capability install would turn every option into a way to use
 * privileges the caller does not have. */
static int refuse_privileged_install(void)
{
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
    return log_errno(errno, "Can't read process ids");
  if (ruid != euid || ruid != suid || rgid != egid || rgid != sgid)
    return log_fail(EPERM, "refusing to run setuid or setgid (real uid %u, effective uid %u): "
                           "sbx needs no privileges; remove the setuid/setgid bit (chmod ug-s)",
                    ruid, euid);
  /* The permitted set, not only the effective one: "setcap cap_x+p" puts
   * a capability there without making it effective, and a process may
   * raise it to effective at any time.  (Effective is a subset of it.) */
  uint64_t permitted = 0;
  int r = caps_read_permitted(&permitted);
  if (r < 0)
    return log_errno(r, "Can't read the capabilities of this process");
  if (ruid != 0 && permitted != 0)
    return log_fail(EPERM, "refusing to run with file capabilities as a non-root user: "
                           "sbx needs none; remove them (setcap -r)");
  return 0;
}

static const char *basename_of(const char *s)
{
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

/* Which profile applies?  NULL: none (bubblewrap mode, or --noprofile). */
static int choose_profile(const struct cli_extra *x, const struct plan *p, const char *prog,
                          enum cli_action action, const struct profile_paths *pp, char **out)
{
  *out = NULL;
  if (x->noprofile)
    return 0;
  if (x->profile) {
    *out = profile_find(pp, x->profile);
    if (!*out)
      return log_fail(ENOENT, "no profile \"%s\" (looked for %s%s in the profile path)", x->profile, x->profile,
                      strchr(x->profile, '/') ? "" : ".profile");
    return 0;
  }
  /* Called as bwrap, or with bubblewrap options that build the sandbox:
   * the caller describes the sandbox itself; no profile. */
  if (strcmp(basename_of(prog), "bwrap") == 0 || x->shapes_sandbox)
    return 0;
  if (action == CLI_EXPLAIN && !p->argv)
    return 0;
  *out = profile_find(pp, basename_of(p->argv[0]));
  if (!*out)
    *out = profile_find(pp, "default");
  if (!*out)
    return log_fail(ENOENT, "no profile for \"%s\" and no default.profile in the profile path",
                    basename_of(p->argv[0]));
  return 0;
}

/* Directive options next to a bubblewrap-style command line: the command
 * line describes the sandbox, so only the directives that mean the same in
 * any sandbox apply (directive.bwrap_plan: network, env, name); any other
 * would be silently meaningless, so it is an error that names it. */
static int build_bwrap_policy(struct plan *p, struct policy *pol, const struct cli_extra *x)
{
  for (size_t i = 0; i < x->n_directives; i++) {
    const struct directive *d = x->directives[i].d;
    if (!d->bwrap_plan)
      return log_fail(EINVAL, "--%s can't be used with a bubblewrap-style command line (--bind, --tmpfs, "
                              "--unshare-net... describe the whole sandbox): only --network, --env, --name, "
                              "the limits (--memory-max...), cgroup, system call and Landlock options apply there; use --profile or --noprofile for sbx's directives",
                      d->name);
  }
  struct vars vars;
  vars_init(&vars, NULL);
  const char *cmdline = policy_intern(pol, "command line");
  int r = 0;
  for (size_t i = 0; r == 0 && i < x->n_directives; i++)
    r = directive_apply(pol, &vars, x->directives[i].d, x->directives[i].arg,
                        (struct src_loc){ cmdline, x->directives[i].index, LAYER_CMDLINE });
  vars_free(&vars);
  if (r == 0) {
    policy_resolve(pol);
    r = policy_compile_bwrap(pol, p);
  }
  return r < 0 ? r : 1;
}

/* Load the profile and sbx's own options into pol and compile them into p.
 * Returns 0, 1 if there was nothing to compile (bubblewrap mode), < 0 on error. */
static int build_policy(struct plan *p, struct policy *pol, struct notes *notes, const struct cli_extra *x,
                        const char *prog, enum cli_action action)
{
  struct vars vars;
  struct profile_paths pp;
  _cleanup_free_ char *path = NULL;
  int r;

  /* Bubblewrap mode (called as bwrap, or bubblewrap options that build
   * the sandbox): no profile, and without directive options no policy and
   * none of the user-database and file look-ups below on the hot path. */
  bool bwrap_mode = !x->profile && !x->noprofile && (strcmp(basename_of(prog), "bwrap") == 0 || x->shapes_sandbox);
  if (bwrap_mode && x->n_directives == 0)
    return 1;
  if (bwrap_mode)
    return build_bwrap_policy(p, pol, x);

  vars_init(&vars, NULL);
  profile_paths_init(&pp, &vars);
  r = choose_profile(x, p, prog, action, &pp, &path);
  if (r == 0 && path) {
    pol->profile_path = xstrdup(path);
    pol->profile_name = profile_name_of(path);
    vars_set(&vars, "PROFILE", pol->profile_name);
    r = profile_load(pol, &vars, &pp, path);
  }
  const char *cmdline = policy_intern(pol, "command line");
  for (size_t i = 0; r == 0 && i < x->n_directives; i++)
    r = directive_apply(pol, &vars, x->directives[i].d, x->directives[i].arg,
                        (struct src_loc){ cmdline, x->directives[i].index, LAYER_CMDLINE });
  if (r == 0) {
    policy_resolve(pol);
    if (!path && !x->noprofile && x->n_directives == 0)
      r = 1; /* bubblewrap mode */
    else
      r = policy_compile(pol, p, notes);
  }
  profile_paths_free(&pp);
  vars_free(&vars);
  return r;
}

/* --stop's grace period: $SBX_STOP_GRACE seconds (default 10, docker's). */
static int stop_grace_ms(void)
{
  const char *g = getenv("SBX_STOP_GRACE");
  unsigned long long s;
  if (g && parse_uint(g, &s) == 0 && s <= 3600)
    return (int)s * 1000;
  return 10000;
}

/* A profile sandbox is sbx's to describe, not the caller's: an fd the
 * caller leaked (an open directory outside the view, a socket) must not
 * reach the app, the D-Bus proxy or the monitor.  Everything but stdio and
 * the fds the command line's own options name (--sync-fd, --info-fd,
 * --file FD, ...; plan_fds) is closed before anything else starts.  (A
 * bubblewrap-style command line keeps bubblewrap's behaviour: the app
 * inherits the caller's fds.) */
static int close_caller_fds(const struct plan *p)
{
  size_t n;
  _cleanup_free_ int *keep = plan_fds(p, &n);
  int r = close_fds_except(keep, n);
  if (r < 0)
    return log_errno(r, "Can't close inherited file descriptors");
  return 0;
}

static int check_profile(const struct cli_extra *x)
{
  struct vars vars;
  struct profile_paths pp;
  struct policy pol;
  vars_init(&vars, NULL);
  profile_paths_init(&pp, &vars);
  policy_init(&pol);
  int r = -ENOENT;
  _cleanup_free_ char *path = profile_find(&pp, x->profile);
  if (!path) {
    log_fail(ENOENT, "no profile \"%s\" in the profile path", x->profile);
  } else {
    _cleanup_free_ char *name = profile_name_of(path);
    vars_set(&vars, "PROFILE", name);
    r = profile_load(&pol, &vars, &pp, path);
    if (r == 0) {
      policy_resolve(&pol);
      printf("%s: ok (%zu settings from %zu file%s)\n", path, pol.n, pol.n_files, pol.n_files == 1 ? "" : "s");
    }
  }
  policy_free(&pol);
  profile_paths_free(&pp);
  vars_free(&vars);
  return r < 0 ? EXIT_POLICY : 0;
}

/* --join NAME [CMD]: the sandbox's own plan, compiled again from the
 * command line its sbx was started with (so CMD gets the same system call
 * filter, Landlock rules and capabilities as the app), then the engine
 * enters its namespaces; the sandbox's cgroup and environment come from
 * the registry. */
static int join(const struct cli_extra *x, struct plan *cmd)
{
  struct registry_entry e;
  if (registry_find(x->target, &e) < 0)
    return 1;
  struct plan jp;
  struct cli_extra jx = { 0 };
  struct policy pol;
  struct notes notes = { 0 };
  struct strv env = { 0 };
  enum cli_action action;
  pid_t app = 0;
  int r = 1, pidfd = -1;
  plan_init(&jp, environ);
  policy_init(&pol);
  if (e.args.n == 0 || cli_parse(&jp, &jx, e.args.v[0], (int)e.args.n - 1, e.args.v + 1, &action) < 0 ||
      action != CLI_RUN || build_policy(&jp, &pol, &notes, &jx, e.args.v[0], action) < 0) {
    log_error("Can't rebuild the policy of %s from its command line", e.name);
  } else if (registry_join_prepare(&e, &app, &pidfd, &env) == 0) {
    char *shell[] = { "/bin/sh", NULL };
    r = sbx_join(&jp, app, pidfd, cmd->argv ? cmd->argv : shell, env.n ? env.v : jp.env.v);
  }
  strv_clear(&env);
  notes_free(&notes);
  policy_free(&pol);
  cli_extra_free(&jx);
  plan_free(&jp);
  registry_entry_free(&e);
  return r;
}

/* --share NAME PATH [--ro] [--as DEST] and --unshare NAME PATH: the mount
 * is the engine's (share.c), the record the registry's, so --list shows
 * it; it goes with the sandbox's mount namespace. */
static int share(const struct cli_extra *x, bool add)
{
  struct registry_entry e;
  if (registry_find(x->target, &e) < 0)
    return 1;
  pid_t app = registry_app_pid(&e);
  const char *dest = x->share_as ? x->share_as : x->share_path;
  const struct registry_share *old = registry_share_find(&e, add ? dest : x->share_path);
  _cleanup_close_ int pidfd = -1; /* the app, as registry_check_owner checked it */
  int r;
  if (app <= 0)
    r = log_fail(ESRCH, "%s has not started yet", e.name);
  else if ((r = registry_check_owner(&e, app, &pidfd)) < 0)
    ;
  else if (add && old)
    r = log_fail(EEXIST, "%s is already shared into %s at %s (--unshare it first)", old->src, e.name, old->dest);
  else if (!add && !old)
    r = log_fail(ENOENT, "nothing is shared into %s at %s (sbx --list shows what is)", e.name, x->share_path);
  else if (!add && (r = sbx_unshare(pidfd, app, old->dest, &old->made)) == 0)
    r = registry_share_remove(&e, old->dest);
  else if (add) {
    struct registry_share s = { .src = x->share_path, .dest = (char *)dest, .ro = x->share_ro };
    r = sbx_share(pidfd, app, s.src, dest, s.ro, &s.made);
    if (r == 0 && (r = registry_share_add(&e, &s)) < 0)
      (void)sbx_unshare(pidfd, app, dest, &s.made); /* unrecorded, it would outlive every --unshare */
  }
  registry_entry_free(&e);
  return r < 0 ? 1 : 0;
}

/* The names the app called on the session bus, from the learning proxy's
 * log (launch/dbus-proxy.h), as LEARN_TALK events after the recorder's. */
static void learned_name(void *ctx, const struct bus_denial *d)
{
  struct learn_log *log = ctx;
  *ARRAY_PUSH(log->v, log->n, log->cap) =
    (struct learn_event){ .op = LEARN_TALK, .path = xstrdup(d->name), .by = xstrdup(d->what), .count = 1 };
}

static void learn_bus_names(int fd, struct learn_log *log)
{
  FILE *f = lseek(fd, 0, SEEK_SET) == 0 ? fdopen(dup(fd), "r") : NULL;
  struct bus_log bl = { .calls = true };
  if (f)
    bus_log_read(&bl, f, learned_name, log);
  bus_log_free(&bl);
  if (f)
    fclose(f);
}

/* --learn NAME [--output FILE] CMD...: the app in the learning sandbox
 * (compile/learn.c) while the engine records the paths it uses
 * (engine/notify.c) and a proxy logs its session bus's calls; then the
 * proposed profile.  The output is checked before the app runs, so a run
 * is never wasted on a name that is taken. */
static int learn(const struct cli_extra *x, struct plan *p, struct launch *l)
{
  if (x->shapes_sandbox || x->n_directives || x->profile || x->noprofile)
    return log_fail(EINVAL, "--learn runs the app in a sandbox of its own: no profile, directive or bubblewrap "
                            "option beside it"), EXIT_POLICY;
  _cleanup_free_ char *out = learn_output_path(x->learn_name, x->learn_output);
  if (!out)
    return EXIT_POLICY;
  if (close_caller_fds(p) < 0)
    return 1;
  _cleanup_free_ char *proxy = dbus_proxy_find_binary(plan_getenv(p, "PATH"));
  learn_plan(p, proxy != NULL);
  struct learn_log log = { 0 };
  /* The proxy's log, read once it has exited (launch_stop). */
  _cleanup_close_ int bus_log = p->services ? memfd_create("sbx-bus-log", MFD_CLOEXEC) : -1;
  l->bus_log_fd = bus_log;
  int code = launch_start(l, p, NULL) < 0 ? 1 : sbx_run_learn(p, &log);
  launch_stop(l, p);
  if (bus_log >= 0)
    learn_bus_names(bus_log, &log);
  if (log.notifications == 0)
    log_error("nothing was recorded (the app did not start?): no profile written");
  else if (learn_write_profile(out, x->learn_name, p->argv, &log) < 0 && code == 0)
    code = 1;
  learn_log_free(&log);
  return code;
}

int main(int argc, char **argv)
{
  log_init(argv[0]);
  signal(SIGCHLD, SIG_DFL);

  if (refuse_privileged_install() < 0)
    return 1;
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("sbx %s\n", PACKAGE_VERSION);
    return 0;
  }
  /* Whatever happens next, nothing we start can gain privileges. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return log_errno(errno, "prctl(PR_SET_NO_NEW_PRIVS)"), 1;

  /* Everything below owns heap memory; every path ends at `out`, which
   * frees it, so a leak checker sees none of it (and a real leak stands out). */
  struct plan plan;
  struct cli_extra extra = { 0 };
  struct policy pol;
  struct notes notes = { 0 };
  struct launch launch;
  enum cli_action action;
  int r;
  plan_init(&plan, environ);
  policy_init(&pol);
  launch_init(&launch);
  if (cli_parse(&plan, &extra, argv[0], argc - 1, argv + 1, &action) < 0) {
    r = 1;
    goto out;
  }
  switch (action) {
  case CLI_HELP:
    cli_print_usage(argv[0], STDOUT_FILENO);
    r = 0;
    goto out;
  case CLI_VERSION:
    printf("sbx %s\n", PACKAGE_VERSION);
    r = 0;
    goto out;
  case CLI_CHECK:
    r = check_profile(&extra);
    goto out;
  case CLI_DESKTOP_INSTALL:
    r = desktop_file_install(extra.desktop_app, extra.profile) < 0 ? 1 : 0;
    goto out;
  case CLI_DESKTOP_REMOVE:
    r = desktop_file_remove(extra.desktop_app) < 0 ? 1 : 0;
    goto out;
  case CLI_DESKTOP_LIST:
    r = desktop_file_list() < 0 ? 1 : 0;
    goto out;
  case CLI_DOCTOR:
    r = doctor_run(extra.json);
    goto out;
  case CLI_LIST:
    r = registry_cmd_list(extra.json) < 0 ? 1 : 0;
    goto out;
  case CLI_STOP:
    r = registry_cmd_stop(extra.target, stop_grace_ms()) < 0 ? 1 : 0;
    goto out;
  case CLI_FREEZE:
  case CLI_THAW:
    r = registry_cmd_freeze(extra.target, action == CLI_FREEZE) < 0 ? 1 : 0;
    goto out;
  case CLI_STATS:
    r = registry_cmd_stats(extra.target, extra.json, extra.watch_ms) < 0 ? 1 : 0;
    goto out;
  case CLI_JOIN:
    r = join(&extra, &plan);
    goto out;
  case CLI_SHARE:
  case CLI_UNSHARE:
    r = share(&extra, action == CLI_SHARE);
    goto out;
  case CLI_LEARN:
    r = learn(&extra, &plan, &launch);
    goto out;
  case CLI_EXPLAIN:
    /* "sbx --explain NAME [CMD]": NAME is the profile, unless the command
     * line is bubblewrap-style (its options describe the sandbox, and
     * the first word is the command, as it would be for a run). */
    if (!extra.profile && !extra.noprofile && !extra.shapes_sandbox &&
        strcmp(basename_of(argv[0]), "bwrap") != 0 && plan.argv && plan.argv[0]) {
      extra.profile = xstrdup(plan.argv[0]);
      free(plan.argv[0]);
      size_t n = 1;
      while (plan.argv[n])
        n++;
      memmove(plan.argv, plan.argv + 1, sizeof(char *) * n); /* includes the NULL */
      if (!plan.argv[0]) {
        free(plan.argv);
        plan.argv = NULL;
      }
    }
    break;
  case CLI_RUN:
    break;
  }

  r = build_policy(&plan, &pol, &notes, &extra, argv[0], action);
  if (r < 0) {
    r = EXIT_POLICY;
    goto out;
  }
  if (action == CLI_EXPLAIN) {
    launch_explain(&plan, &notes); /* asks the host read-only (Wayland), creates nothing */
    if (extra.json)
      explain_json(stdout, &plan, &pol, &notes);
    else
      explain_text(stdout, &plan, &pol, &notes);
    r = 0;
    goto out;
  }
  if (extra.explain_denials) {
    launch.bus_denied = explain_bus_denial_report; /* the proxy's log */
    launch.bus_denied_ctx = &pol;
  }
  if (cli_validate(&plan) < 0 || (r == 0 && close_caller_fds(&plan) < 0) || launch_start(&launch, &plan, argv) < 0)
    r = 1;
  else if (extra.explain_denials)
    r = sbx_run_explain(&plan, explain_denial_report, &pol);
  else
    r = sbx_run(&plan);
out:
  launch_stop(&launch, &plan); /* also when nothing was started */
  notes_free(&notes);
  policy_free(&pol);
  cli_extra_free(&extra);
  plan_free(&plan);
  return r;
}
