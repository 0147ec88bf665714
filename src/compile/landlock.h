/* Landlock: the mode and rules the policy implies, set in the plan. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "policy/policy.h"

/* Set p->landlock's mode, scope and TCP ports from the landlock,
 * landlock-scope, tcp-connect and tcp-bind directives (the default: on for
 * a profile, off for a bubblewrap-style command line).  Port rules with
 * Landlock off are an error (-EINVAL, printed). */
int compile_landlock_mode(const struct policy *pol, struct plan *p, bool profile);
/* Unless off, derive the rules from p's ops, which must be complete. */
void compile_landlock_rules(struct plan *p);
/* Will the sandbox be unable to reach abstract unix sockets outside it
 * (Landlock on, scoping on, a kernel with ABI 6 or later)?  The desktop
 * modules then have no shared-network leak to warn about. */
bool compile_landlock_scopes_abstract(const struct plan *p);
