/* Waiting for the app, forwarding signals to it, and turning its end into
 * an exit status.  Used both by the monitor outside the sandbox and by
 * sbx's pid 1 inside it.  Also the one place side processes (the D-Bus
 * proxy's sandbox; later a network helper) are started and reaped. */
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

/* A side process sbx starts beside the sandbox and ends after it. */
struct helper {
  pid_t pid;  /* 0: none */
  int pidfd;  /* -1 without pidfd_open (kernels before 5.3): pid is used */
};
#define HELPER_NONE ((struct helper){ 0, -1 })

/* Start `path` with argv and envp in a session of its own (^C in the
 * terminal is for the app), stdin on /dev/null, in /, with the fds in pass
 * (close-on-exec in sbx) inherited and nothing else sbx opened.  Does not
 * wait for it.  Returns 0 or -errno after a message naming `what`. */
int helper_spawn(struct helper *h, const char *what, const char *path, char *const argv[], char *const envp[],
                 const int *pass, size_t n_pass);

/* Give the helper up to timeout_ms to exit by itself (it should once the
 * sandbox ended), then kill it; reap it either way.  Returns true if it
 * exited by itself (or was never started).  Idempotent. */
bool helper_reap(struct helper *h, int timeout_ms);
