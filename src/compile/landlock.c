/* Landlock's part of compiling: which mode, and the rules, as data in the
 * plan (plan/landlock.c derives them from the ops; the engine applies them;
 * --explain shows them).  TCP ports (ABI 4) are left unhandled: a profile
 * has either no network at all (its own network namespace) or the host's,
 * and port rules would need directives sbx does not have yet. */
#include "compile/landlock.h"

#include "policy/query.h"

void compile_landlock_mode(const struct policy *pol, struct plan *p, bool profile)
{
  switch (policy_landlock(pol)) {
  case POLICY_LANDLOCK_UNSET:
    p->landlock.mode = profile ? LANDLOCK_ON : LANDLOCK_OFF;
    break;
  case POLICY_LANDLOCK_OFF:
    p->landlock.mode = LANDLOCK_OFF;
    break;
  case POLICY_LANDLOCK_ON:
    p->landlock.mode = LANDLOCK_ON;
    break;
  case POLICY_LANDLOCK_REQUIRED:
    p->landlock.mode = LANDLOCK_REQUIRED;
    break;
  }
  p->landlock.scope_abstract = p->landlock.scope_signal = policy_landlock_scope(pol);
}

void compile_landlock_rules(struct plan *p)
{
  if (p->landlock.mode != LANDLOCK_OFF)
    plan_landlock_derive(p);
}

bool compile_landlock_scopes_abstract(const struct plan *p)
{
  /* The same probe the engine makes when it applies the ruleset. */
  return p->landlock.mode != LANDLOCK_OFF &&
         (landlock_scope_for_abi(landlock_abi(), &p->landlock) & LL_SCOPE_ABSTRACT_UNIX_SOCKET);
}
