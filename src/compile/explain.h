/* --explain: the effective sandbox, as a table for people or JSON for tools. */
#pragma once
#include <stdio.h>

#include "compile/compile.h"
#include "plan/plan.h"
#include "policy/policy.h"

void explain_text(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes);
void explain_json(FILE *f, const struct plan *p, const struct policy *pol, const struct notes *notes);
