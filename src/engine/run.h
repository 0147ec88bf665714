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

/* --join: run argv (with environment envp) inside the running sandbox
 * whose app is `target` (a pid in sbx's pid namespace): its namespaces
 * (through a pidfd, so a reused pid can't redirect us), then the
 * capabilities, Landlock rules and system call filters p describes (the
 * sandbox's own plan, compiled again from its command line).  The caller
 * has already moved into the sandbox's cgroup and set no_new_privs.
 * Returns the command's exit status, or SBX_EXIT_SETUP after a message. */
int sbx_join(struct plan *p, pid_t target, char **argv, char **envp);
