/* The registry of running sandboxes: one file per sandbox in
 * $XDG_RUNTIME_DIR/sbx/ (beside the instance directories, launch.h),
 * ID.sandbox, where ID is the pid of its sbx (as in its cgroup
 * sbx-NAME-ID), holding "key=value" lines: name,
 * id, monitor (sbx's pid), profile, cgroup, started (seconds since the
 * epoch), command (the sandbox's), one arg= line per word of sbx's own command line (what --join
 * rebuilds the sandbox's policy from), pid= (the sandbox's first
 * process, appended by the monitor once it runs: plan->pid_fd) and
 * ns.KIND= lines (the inode number of each of its namespaces, user, mnt,
 * pid, net, ipc, uts and cgroup, read by the monitor from outside; --join
 * checks the process it enters against them).
 *
 * The monitor holds an flock on its file for as long as it lives; a file
 * nobody holds whose cgroup (if any) is empty is stale, and is removed by
 * whoever notices (the next sandbox's start, --list...).  A sandbox whose
 * sbx was killed outright but that still runs in its cgroup stays listed,
 * so it can still be stopped. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "engine/run.h"
#include "plan/plan.h"
#include "util/util.h"

#define REGISTRY_MAX_NS 8

/* A host path shared into the sandbox while it runs (sbx --share). */
struct registry_share {
  char *src, *dest;
  bool ro;
  struct share_result made; /* engine/run.h: what --unshare checks */
};

struct registry_entry {
  char *id, *name, *profile, *cgroup; /* cgroup: "" when none */
  char *command;                      /* the sandbox's, words joined by blanks */
  pid_t monitor, pid;                 /* pid: 0 until the sandbox ran */
  long long started;
  struct strv args;                   /* sbx's command line, argv[0] first */
  size_t n_ns;                        /* the ns.KIND= lines, in file order */
  char *ns_kind[REGISTRY_MAX_NS];
  unsigned long long ns_id[REGISTRY_MAX_NS];
  struct registry_share *shares;      /* in force now, oldest first */
  size_t n_shares, cap_shares;
  bool monitor_alive;
};
void registry_entry_free(struct registry_entry *e);

/* Register the sandbox about to start (p->cgroup says it has a name);
 * cgroup is the path of its cgroup or NULL.  *lock_fd gets the locked
 * entry (kept open while the sandbox lives), p->pid_fd an fd the monitor
 * appends pid= to.  Without $XDG_RUNTIME_DIR nothing is registered (0).
 * A name given with the name directive must be unique among the running
 * sandboxes: -EEXIST after a message.  Returns 0 or -errno. */
int registry_add(const struct plan *p, const char *cgroup, char **argv, int *lock_fd, int *pid_fd, char **id_out);
/* Remove the entry (after the sandbox ended).  id may be NULL. */
void registry_remove(const char *id);

/* The running sandboxes (stale entries are removed on the way), in the
 * order they started.  Returns the count, or -errno after a message
 * (no $XDG_RUNTIME_DIR). */
int registry_load(struct registry_entry **out);
void registry_entries_free(struct registry_entry *v, int n);
/* The one running sandbox called NAME (or with that id).  0, or -errno
 * after a message (none, or several: the ids are listed). */
int registry_find(const char *name, struct registry_entry *out);

/* --join, before the engine enters the sandbox: the process whose
 * namespaces to join (the app: the child of sbx's pid 1 when there is
 * one, else the sandbox's first process) and a pidfd on it, checked
 * against the namespace ids the registry recorded (so a pid since reused
 * by another process is refused), its environment, and the move of the
 * caller into the sandbox's cgroup (so its limits apply).  0, or -errno
 * after a message. */
int registry_join_prepare(const struct registry_entry *e, pid_t *app, int *pidfd, struct strv *env);

/* The sandbox's app (the child of sbx's pid 1 when there is one: that
 * pid 1 is not dumpable, and its namespaces are out of an unprivileged
 * caller's reach), else its first process; 0 before it ran. */
pid_t registry_app_pid(const struct registry_entry *e);

/* Is pid (of entry e) running as the caller's own uid, in the namespaces
 * e's monitor recorded?  0 with *pidfd (the caller closes it: the process
 * checked, for what acts on it next), or -errno after a message: no sbx
 * acts on another user's sandbox, nor on a process an entry merely names. */
int registry_check_owner(const struct registry_entry *e, pid_t pid, int *pidfd);

/* --share / --unshare: record a share in the sandbox's entry (appended:
 * the entry's own lock stays with its monitor), or its end.  0 or -errno
 * after a message. */
int registry_share_add(const struct registry_entry *e, const struct registry_share *s);
int registry_share_remove(const struct registry_entry *e, const char *dest);
/* The share in force at dest, or else of src, in e; NULL if none. */
const struct registry_share *registry_share_find(const struct registry_entry *e, const char *path);

/* The commands. */
int registry_cmd_list(bool json);
int registry_cmd_stop(const char *name, int grace_ms);
int registry_cmd_freeze(const char *name, bool freeze);
/* --stats [NAME]; with watch_ms, again every watch_ms (registry.c says
 * until when). */
int registry_cmd_stats(const char *name, bool json, unsigned watch_ms);
