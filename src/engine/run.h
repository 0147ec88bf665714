#pragma once
#include "engine/supervisor.h"
#include "plan/plan.h"

/* The exit status of a sandbox that could not be set up (bubblewrap's): a
 * setup error anywhere (the monitor, the sandbox's first process, pid 1,
 * the process about to exec the app) ends with it, after one message. */
#define SBX_EXIT_SETUP 1

/* Build and run the sandbox the plan describes; returns the exit status
 * sbx should exit with (the app's, 128+signal, or SBX_EXIT_SETUP).  The
 * one place engine errors (-errno, already reported) become a status. */
int sbx_run(struct plan *p);
/* The same, learning (sbx --learn): the app runs with a notifying filter
 * and every path it uses is recorded into log (engine/notify.h). */
struct learn_log;
int sbx_run_learn(struct plan *p, struct learn_log *log);
/* The same, explaining denials (sbx --explain-denials): a normal run whose
 * app runs under the notifying filter; report(ctx, event) is called once
 * for each distinct access the sandbox refuses (engine/notify.h). */
struct learn_event;
int sbx_run_explain(struct plan *p, void (*report)(void *ctx, const struct learn_event *e), void *ctx);

/* --join: run argv (with environment envp) inside the running sandbox
 * whose app is `target` (a pid in sbx's pid namespace): its namespaces
 * (through pidfd, a pidfd on target the caller checked, or -1 to open one
 * here; taken over either way), then the
 * capabilities, Landlock rules and system call filters p describes (the
 * sandbox's own plan, compiled again from its command line).  The caller
 * has already moved into the sandbox's cgroup and set no_new_privs.
 * Returns the command's exit status, or SBX_EXIT_SETUP after a message. */
int sbx_join(struct plan *p, pid_t target, int pidfd, char **argv, char **envp);

/* Start a side service (the D-Bus proxy) in the sandbox the plan
 * describes, without waiting for it to serve: the plan's namespaces and
 * root, then its argv exec'd as the sandbox's first process (pid 1 of its
 * pid namespace, if it has one: no pid 1 of sbx's, no monitor; the caller
 * is its parent and reaps it with helper_reap).  Built in this process, so
 * starting it costs one clone, not an exec of sbx that parses everything
 * again; the clone shares this process's memory, which sleeps until the
 * service's exec (or its failure before it).  It gets stdin on /dev/null,
 * stdout and stderr, and the fds in pass (close-on-exec here), nothing
 * else.  The plan needs no pid 1 of its own (no lock files, sync or ready
 * fds), and no integrator fds.  Returns 0 or -errno after a message. */
int sbx_spawn(struct plan *p, const int *pass, size_t n_pass, struct helper *h);

/* --share / --unshare (share.c): mount the host path src (absolute, no
 * symlink on it) at dest (absolute, in the sandbox; no symlink followed,
 * missing directories made) in the mount namespace of the running process
 * target (pidfd: a pidfd of it, so a reused pid can't redirect us), read-only
 * if ro, always nosuid and nodev; and take it out again.
 * *out says what --unshare needs: whether the mount point was made for it
 * (it goes too) and the file the mount shows (so --unshare takes out that
 * mount, not another).  Both return 0 or -errno after a message. */
struct share_result {
  bool made_point;
  dev_t dev;
  ino_t ino;
};
int sbx_share(int pidfd, pid_t target, const char *src, const char *dest, bool ro, struct share_result *out);
int sbx_unshare(int pidfd, pid_t target, const char *dest, const struct share_result *made);
