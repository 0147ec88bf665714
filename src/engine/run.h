#pragma once
#include "plan/plan.h"

/* Build and run the sandbox the plan describes; returns the exit status
 * sbx should exit with (the app's, 128+signal, or 1 on setup failure). */
int sbx_run(struct plan *p);
