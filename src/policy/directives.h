/* The directives of the profile language.  Each one is also a command-line
 * option of the same name ("ro PATH" in a profile is "--ro PATH"), and both
 * record the same policy setting, so both compile to the same plan. */
#pragma once
#include "policy/policy.h"
#include "policy/vars.h"

struct directive {
  const char *name;
  const char *arg;  /* what the argument looks like, for messages and docs */
  const char *help;
  /* Validate the (variable-expanded) argument and record the setting. */
  int (*apply)(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc);
  /* The command line already has this option with bubblewrap's meaning
   * (e.g. --hostname, --cap-add): there it keeps that meaning, which puts
   * the same entry in the plan. */
  bool bwrap_option;
  /* Given as an option next to a bubblewrap-style command line (one whose
   * --bind, --tmpfs... describe the whole sandbox, with no profile), it
   * still applies (e.g. network none: --unshare-net).  The others refer
   * to the profile's view of the host (paths, sockets, buses) and are an
   * error there rather than silently ignored. */
  bool bwrap_plan;
};

const struct directive *directive_find(const char *name);
const struct directive *directive_table(size_t *n);
/* Expand variables in raw, validate and record.  Errors print FILE:LINE. */
int directive_apply(struct policy *pol, const struct vars *v, const struct directive *d,
                    const char *raw, struct src_loc loc);
