/* Shared by the option harnesses (fuzz-options, fuzz-args): one run of the
 * command-line front end as main() drives it, inside the fd guard. */
#pragma once
#include "cli/options.h"
#include "fuzz-fds.h"
#include "plan/plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  log_init("sbx");
  return 0;
}

/* Parse argv into a fresh plan and validate it when it is to run, free
 * everything, then check the fd table is as fd_guard_start found it.
 * cli_parse may keep pointers into argv no longer than the call. */
static inline void fuzz_parse_once(struct fd_guard *g, char **env, int argc, char **argv)
{
  struct plan p;
  struct cli_extra extra = { 0 };
  enum cli_action action;
  plan_init(&p, env);
  int r = cli_parse(&p, &extra, "sbx", argc, argv, &action);
  if (r == 0 && action == CLI_RUN)
    (void)cli_validate(&p);
  cli_extra_free(&extra);
  plan_free(&p);
  fd_guard_end(g);
}
