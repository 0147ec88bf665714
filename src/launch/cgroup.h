/* The sandbox's own cgroup (cgroup v2): made just before the sandbox
 * starts, removed right after it, swept when an sbx killed outright left
 * it behind.
 *
 * Where: a child sbx-NAME-ID (ID: sbx's pid) of the caller's own cgroup,
 * which someone must have delegated to the caller (systemd does for a
 * service or scope with Delegate=yes; root owns every cgroup).  The
 * sandbox's first process is born inside it (clone3 CLONE_INTO_CGROUP:
 * plan->cgroup_fd, engine/run.c), so neither the app nor anything it
 * starts is ever outside it.
 *
 * Backends sit behind one small table (crun's shape): cgroupfs, a child
 * of the caller's delegated cgroup, and, where the caller's cgroup is not
 * delegated, systemd: a transient scope with Delegate=yes from the user's
 * service manager (launch/cgroup-systemd.h), in which cgroupfs goes on;
 * there systemd carries the limits, as properties of the scope, and sbx
 * writes none itself (docs/cgroup-systemd.md).  Tested against a real
 * user manager in tests/test-systemd.sh.
 *
 * No delegated cgroup: the sandbox runs without one, after a one-line
 * notice, unless it asked for a limit: that fails before anything runs,
 * naming the controller and how to get it delegated.  A limit whose
 * controller the delegated cgroup lacks fails the same way. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan/plan.h"

struct cgroup_scope {
  char *path;      /* the sandbox's cgroup on the host (absolute), or NULL */
  char *parent;    /* the caller's cgroup it was made in */
  char *leaf;      /* the leaf sbx moved itself into, or NULL */
  int dirfd;       /* on path (O_DIRECTORY), or -1 */
};

void cgroup_scope_init(struct cgroup_scope *cg);

/* The caller's cgroup v2 as a host path (the cgroup2 mount point plus its
 * "0::" path below the mount's root): 0, or -errno. */
int cgroup_caller(char **out);
/* Whether path is delegated to us: owned by our euid, with its
 * cgroup.procs, and writable (what cgroup_start needs). */
bool cgroup_is_delegated(const char *path);

/* Make plan->cgroup's cgroup and write its limits.  Returns 0 (cg->path
 * set; cg->dirfd for the engine), 1 when the sandbox runs without one
 * (after a one-line notice), or -errno after a message (a limit that
 * can't be had among others; nothing is left behind). */
int cgroup_start(struct cgroup_scope *cg, const struct plan_cgroup *pc);

/* End every process still in it (cgroup.kill), wait until it is empty and
 * remove it.  Idempotent. */
void cgroup_stop(struct cgroup_scope *cg);

/* --explain: where the cgroup would be made and whether the limits could
 * be had, as pc->where.  Creates nothing. */
void cgroup_explain(struct plan_cgroup *pc);

/* ---- a running sandbox's cgroup (the registry's commands) -------------- */

/* Kill everything in the cgroup at path (cgroup.kill) and wait up to
 * timeout_ms for it to empty.  0, or -errno. */
int cgroup_kill_at(const char *path, int timeout_ms);
/* Freeze or thaw, and wait (up to timeout_ms) until cgroup.events says
 * the cgroup is (or no longer is) frozen.  0, or -errno after a message. */
int cgroup_freeze_at(const char *path, bool freeze, int timeout_ms);
/* cgroup.events: does the cgroup have processes?  Is it frozen?  -errno
 * when it can't be read (gone). */
int cgroup_populated_at(const char *path);
int cgroup_frozen_at(const char *path);
/* One "KEY VALUE" line of a flat-keyed file (cpu.stat, memory.stat...):
 * the value, or -1 when absent. */
int64_t cgroup_read_key(const char *path, const char *file, const char *key);
/* A single-number file (memory.current, pids.current...): -1 when absent
 * or "max". */
int64_t cgroup_read_number(const char *path, const char *file);
