/* The sandbox's own cgroup and its limits (plan->cgroup): see plan.h. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "policy/policy.h"

/* Decide whether the sandbox gets a cgroup of its own -- a profile
 * sandbox always, a bubblewrap-style command line only when it was given
 * a name or a limit (bubblewrap's behaviour otherwise: no cgroup changes)
 * -- and compile the limits into cgroup files and values.  Returns 0 or
 * -errno after a message. */
int compile_resources(const struct policy *pol, struct plan *p, bool profile);
