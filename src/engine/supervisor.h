/* Waiting for the app, forwarding signals to it, and turning its end into
 * an exit status.  Used both by the monitor outside the sandbox and by
 * sbx's pid 1 inside it. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* The signals forwarded to the app (plus SIGCHLD, which we wait on). */
void supervisor_signals(sigset_t *set);
/* Loop until `target` ends; returns its status as an exit code (its exit
 * code, or 128+signal).  Forwards the forwarded signals to `target`. */
int supervise(pid_t target, int signal_fd);
int exit_code_from_status(int status);
