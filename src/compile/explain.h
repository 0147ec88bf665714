/* --explain: the effective sandbox, as a table for people or JSON for tools.
 * --explain-denials: each access a running sandbox refused, with the rule
 * that refused it. */
#pragma once
#include <stdio.h>

#include "compile/compile.h"
#include "engine/notify.h"
#include "launch/dbus-proxy.h"
#include "plan/plan.h"
#include "policy/policy.h"

void explain_text(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes);
void explain_json(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes);

/* One refused access (engine/notify.h) as one line on f: what was refused,
 * the rule that refused it (file:line of the profile or include, or sbx's
 * built-in policy), and the directive that would allow it:
 *   sbx: denied: read /home/u/.ssh/id_rsa (ENOENT) by /usr/bin/cat: hidden by
 *   .../secrets.inc:3 (hide /home/u/.ssh); allow with: ro /home/u/.ssh/id_rsa */
void explain_denial(FILE *f, const struct policy *pol, const struct learn_event *e);
/* The same on stderr, in one write, in the shape sbx_run_explain's report
 * takes (ctx: the policy). */
void explain_denial_report(void *pol, const struct learn_event *e);

/* A bus name the D-Bus proxy dropped (launch/dbus-proxy.h), as one line:
 * the bus's filter and the rule on the name there is (file:line), and the
 * dbus-talk (see, own) line that would allow it. */
void explain_bus_denial(FILE *f, const struct policy *pol, const struct bus_denial *d);
/* The same on stderr, in one write, as the log reader's report (ctx: the
 * policy). */
void explain_bus_denial_report(void *pol, const struct bus_denial *d);
