#pragma once
#include "plan/plan.h"

/* The exit status of a sandbox that could not be set up (bubblewrap's): a
 * setup error anywhere (the monitor, the sandbox's first process, pid 1,
 * the process about to exec the app) ends with it, after one message. */
#define SBX_EXIT_SETUP 1

/* Build and run the sandbox the plan describes; returns the exit status
 * sbx should exit with (the app's, 128+signal, or SBX_EXIT_SETUP).  The
 * one place engine errors (-errno, already reported) become a status. */
int sbx_run(struct plan *p);
