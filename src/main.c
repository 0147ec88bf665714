/* sbx: a setuid-free sandbox launcher.  main() checks how it was started,
 * lets the front end describe the sandbox as a plan, and hands the plan to
 * the engine. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli/options.h"
#include "config.h"
#include "engine/engine.h"
#include "engine/run.h"
#include "plan.h"
#include "util.h"

extern char **environ;

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
  uint64_t eff = 0;
  if (ruid != 0 && caps_read_effective(&eff) == 0 && eff != 0)
    return log_fail(EPERM, "refusing to run with file capabilities as a non-root user: "
                           "sbx needs none; remove them (setcap -r)");
  return 0;
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

  struct plan plan;
  enum cli_action action;
  plan_init(&plan, environ);
  int r = cli_parse(&plan, argv[0], argc - 1, argv + 1, &action);
  if (r < 0)
    return 1;
  switch (action) {
  case CLI_HELP:
    cli_print_usage(argv[0], STDOUT_FILENO);
    return 0;
  case CLI_VERSION:
    printf("sbx %s\n", PACKAGE_VERSION);
    return 0;
  case CLI_RUN:
    break;
  }
  if (cli_validate(&plan) < 0)
    return 1;
  return sbx_run(&plan);
}
