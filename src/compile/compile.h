/* Compiling a resolved policy into plan operations.  Used for profiles and
 * for sbx's own high-level options alike (they share the policy).  Compile
 * decides and describes; it creates nothing on the host (launch/ does, when
 * the sandbox starts), so --explain and a policy that fails leave no trace. */
#pragma once

#include "plan/plan.h"
#include "policy/policy.h"

/* Compile pol into p (whose command-line parts are already parsed).
 * Returns 0 or a negative errno after a message. */
int policy_compile(const struct policy *pol, struct plan *p, struct notes *notes);

/* The directive options a bubblewrap-style command line allows
 * (directive.bwrap_plan: network, env, name), applied to its plan without
 * anything of a profile's sandbox.  Returns 0 or -errno after a message. */
int policy_compile_bwrap(const struct policy *pol, struct plan *p);
