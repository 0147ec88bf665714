/* Waiting for the app, forwarding signals to it, and turning its end into
 * an exit status.  Used both by the monitor outside the sandbox and by
 * sbx's pid 1 inside it.  Also where side processes (the D-Bus proxy's
 * sandbox, started by engine/run.h sbx_spawn; later a network helper) are
 * reaped. */
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
/* supervise()'s two steps, for a loop that also waits on other fds
 * (engine/notify.c): reap what has exited (true when target has, with its
 * *code); read one signal from signal_fd and forward it (0, or -errno
 * after a message). */
bool supervise_reap(pid_t target, int *code);
int supervise_signal(pid_t target, int signal_fd);

/* A side process sbx starts beside the sandbox and ends after it. */
struct helper {
  pid_t pid;  /* 0: none */
  int pidfd;  /* -1 without pidfd_open (kernels before 5.3): pid is used */
};
#define HELPER_NONE ((struct helper){ 0, -1 })

/* Give the helper up to timeout_ms to exit by itself (it should once the
 * sandbox ended), then kill it; reap it either way.  Returns true if it
 * exited by itself (or was never started).  Idempotent. */
bool helper_reap(struct helper *h, int timeout_ms);
