/* Learning mode's recorder (sbx --learn): a seccomp filter in the app that
 * turns the system calls naming a path (open, exec, mkdir, mknod, rename,
 * connect) into user notifications, and the monitor's loop that reads each
 * one's path from the app's memory, records it and lets the call go on
 * unchanged.  Only raw events here (what, which path, which program):
 * turning them into a profile needs the policy (compile/learn.c).
 *
 * The same recorder explains denials (sbx --explain-denials) on a normal
 * run: see struct notify_explain. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "plan/plan.h"

enum learn_op {
  LEARN_READ,    /* opened for reading */
  LEARN_WRITE,   /* opened for writing (or created by open/creat) */
  LEARN_EXEC,    /* execve/execveat */
  LEARN_CREATE,  /* mkdir, mknod, a rename's target */
  LEARN_CONNECT, /* connect to a unix socket (a path, or an abstract name: '@' first) */
  LEARN_SYSCALL, /* explaining only: a call sbx's filter refuses (path: the call's name) */
  LEARN_TALK,    /* learning: a D-Bus name called on the session bus (path: the name; by: the call),
                    from the proxy's log (launch/dbus-proxy.h), not from this recorder */
};

struct learn_event {
  enum learn_op op;
  char *path;          /* absolute, as the sandbox names it ("..", "." taken out) */
  char *by;            /* the program that made the call (its /proc/PID/exe) */
  unsigned long count; /* how many calls were the same (op, path, by) */
  /* Explaining only: the errno the call fails with (0: it does not), and
   * for LEARN_SYSCALL the rule of plan.syscall_rules that refuses it. */
  int error;
  const struct syscall_rule *rule;
};

struct learn_log {
  struct learn_event *v;
  size_t n, cap;
  unsigned long notifications; /* every notification answered */
  unsigned long dropped;       /* raced away (the call ended, or its process) */
};
void learn_log_free(struct learn_log *log);
/* Inline: compile/learn.c uses it in binaries that link no engine. */
static inline const char *learn_op_name(enum learn_op op)
{
  static const char *const names[] = { "read", "write", "exec", "create", "connect", "syscall", "talk" };
  return names[op];
}

/* Denial explanations: what the monitor needs beyond learning's record.
 *
 * The kernel runs every filter and the most restrictive answer wins
 * (ERRNO over USER_NOTIF), and it allows one listener per filter chain;
 * so the app's native-architecture copy of sbx's own filter is left out
 * (the engine skips it) and its rules go into the notifying filter
 * instead, as notifications.  The monitor finds the rule a notification
 * matched, reports it and fails the call with the rule's errno: the app
 * sees what it would have seen.  (Calls through another architecture's
 * entry points are still refused by that architecture's filter, silently;
 * so are the calls a syscall-filter allowlist leaves out, whose program
 * stays.)
 *
 * For the path calls the monitor can't see the outcome (it answers
 * "continue" before the kernel runs the call), so it predicts it from the
 * sandbox's own mounts: the path looked up in the app's root
 * (/proc/PID/root, RESOLVE_IN_ROOT, so the sandbox's absolute links stay
 * in the sandbox), compared with the host.  A path the host has and the
 * sandbox does not (ENOENT), a file the sandbox replaced with one nobody
 * may open (EACCES: hide), a write to a read-only mount (EROFS).  Not
 * seen: Landlock's refusals and the file modes of the host's own files,
 * which the app meets as it would outside. */
struct notify_explain {
  const struct syscall_rule *rules; /* plan.syscall_rules */
  size_t n_rules;
  /* Called once per distinct denial (op, path, program), as it happens. */
  void (*report)(void *ctx, const struct learn_event *e);
  void *ctx;
};

/* In the app, as the very last step before its exec (after every other
 * filter, since the kernel allows one listener per filter chain and a
 * filter installed later could refuse seccomp(2)): install the notifying
 * filter and hand its listener fd to the monitor over sock (SCM_RIGHTS).
 * With explain, the rules of sbx's own filter notify too.  Returns 0 or
 * -errno after a message. */
int notify_install(int sock, const struct notify_explain *explain);

/* The monitor's loop in learning mode: supervise() (reap, forward
 * signals) plus the listener it receives on sock, whose notifications are
 * recorded into log and answered with "continue".  With explain, only the
 * denials are recorded (and reported), and a refused call is failed.
 * Returns target's status as an exit code. */
int notify_supervise(pid_t target, int signal_fd, int sock, struct learn_log *log,
                     const struct notify_explain *explain);

/* ---- socket calls taken over (network private's egress policy) -------
 * The same mechanism for another end: a process whose connect() and
 * sendto() with an address are decided outside it.  For such a call the
 * answering side reads the destination from the caller's memory once,
 * takes a duplicate of the caller's socket (pidfd_getfd), checks that the
 * notification is still the caller's (SECCOMP_IOCTL_NOTIF_ID_VALID) and
 * then, if allowed, makes the call itself on the duplicate and answers
 * with its result: the address checked is the address used, whatever the
 * caller's memory says by then.  Such a call is never continued. */
struct notify_call {
  const char *name; /* connect, sendto... */
  int nonzero_arg;  /* notify only when this argument is not 0 (sendto's
                     * address: 4); -1: always */
};
/* In the process: a filter that notifies on calls (every other call is
 * allowed) and its listener (close-on-exec), or -errno after a message. */
int notify_filter_load(const struct notify_call *calls, size_t n);

/* What decide() is told: the destination (read once), the duplicate of
 * the caller's socket, its family and protocol. */
struct notify_dest {
  struct sockaddr_storage addr;
  unsigned addr_len;
  int sock; /* the duplicate (owned by the handler) */
  int domain, protocol;
  int nr;   /* the call */
};
/* 0: make the call; a positive errno: fail it with that. */
typedef int (*notify_decide_fn)(void *ctx, const struct notify_dest *d);

struct notify_bufs;
/* Buffers of the kernel's notification sizes; NULL after a message. */
struct notify_bufs *notify_bufs_new(void);
void notify_bufs_free(struct notify_bufs *b);

/* Receive one notification on listener and answer it: connect and sendto
 * as above; any other call is refused (EPERM).  The caller is found by
 * pidfd_open of the notification's thread id: a thread other than a
 * process's first is refused (ESRCH) on kernels before 6.9 (PIDFD_THREAD),
 * which the single-threaded network helper never is.  Returns 0, or
 * -errno when the listener failed. */
int notify_handle_socket_call(int listener, struct notify_bufs *b, notify_decide_fn decide, void *ctx);
