/* Landlock's part of compiling: which mode, and the rules, as data in the
 * plan (plan/landlock.c derives them from the ops; the engine applies them;
 * --explain shows them).  TCP ports (ABI 4) are restricted only where the
 * profile says which: an app with the host's network usually needs any
 * port, and one without has only its own loopback. */
#include "compile/landlock.h"

#include <string.h>

#include "policy/query.h"

/* One of tcp-connect / tcp-bind into the plan.  The port rules are
 * Landlock's: with Landlock off they would be silently dropped, so that
 * is an error naming both settings. */
static int compile_tcp_ports(const struct policy *pol, struct plan *p, bool bind)
{
  struct landlock_ports *lp = bind ? &p->landlock.tcp_bind : &p->landlock.tcp_connect;
  const struct setting *s = policy_tcp_ports(pol, bind);
  if (!s || strcmp(s->value, "any") == 0)
    return 0;
  if (p->landlock.mode == LANDLOCK_OFF) {
    const struct setting *off = policy_scalar(pol, SCALAR_LANDLOCK);
    _cleanup_free_ char *why = off ? xasprintf("landlock off at %s:%d", off->loc.file, off->loc.line)
                                   : xstrdup("the default of a bubblewrap-style command line");
    return log_fail(EINVAL, "%s:%d: %s %s: port rules are Landlock's, and Landlock is off (%s); "
                            "turn it on (landlock on, --landlock on) or drop the rule",
                    s->loc.file, s->loc.line, s->key, s->value, why);
  }
  /* Checked by the directive: this cannot fail. */
  if (parse_port_list(s->value, bind ? 0 : 1, &lp->port, &lp->n) < 0)
    return log_fail(EINVAL, "%s: bad port list \"%s\"", s->key, s->value);
  lp->restricted = true;
  return 0;
}

int compile_landlock_mode(const struct policy *pol, struct plan *p, bool profile)
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
  int r = compile_tcp_ports(pol, p, false);
  return r < 0 ? r : compile_tcp_ports(pol, p, true);
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
