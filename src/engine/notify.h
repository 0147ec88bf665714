/* Learning mode's recorder (sbx --learn): a seccomp filter in the app that
 * turns the system calls naming a path (open, exec, mkdir, mknod, rename,
 * connect) into user notifications, and the monitor's loop that reads each
 * one's path from the app's memory, records it and lets the call go on
 * unchanged.  Only raw events here (what, which path, which program):
 * turning them into a profile needs the policy (compile/learn.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum learn_op {
  LEARN_READ,    /* opened for reading */
  LEARN_WRITE,   /* opened for writing (or created by open/creat) */
  LEARN_EXEC,    /* execve/execveat */
  LEARN_CREATE,  /* mkdir, mknod, a rename's target */
  LEARN_CONNECT, /* connect to a unix socket (a path, or an abstract name: '@' first) */
};

struct learn_event {
  enum learn_op op;
  char *path;          /* absolute, as the sandbox names it ("..", "." taken out) */
  char *by;            /* the program that made the call (its /proc/PID/exe) */
  unsigned long count; /* how many calls were the same (op, path, by) */
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
  static const char *const names[] = { "read", "write", "exec", "create", "connect" };
  return names[op];
}

/* In the app, as the very last step before its exec (after every other
 * filter, since the kernel allows one listener per filter chain and a
 * filter installed later could refuse seccomp(2)): install the notifying
 * filter and hand its listener fd to the monitor over sock (SCM_RIGHTS).
 * Returns 0 or -errno after a message. */
int notify_install(int sock);

/* The monitor's loop in learning mode: supervise() (reap, forward
 * signals) plus the listener it receives on sock, whose notifications are
 * recorded into log and answered with "continue".  Returns target's status
 * as an exit code. */
int notify_supervise(pid_t target, int signal_fd, int sock, struct learn_log *log);
