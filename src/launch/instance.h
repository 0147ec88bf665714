/* The directories of one sandbox instance on the host (layout: launch.h):
 * made so that nothing planted at their names is followed, locked while
 * the instance lives, removed after it, and swept when an sbx killed
 * outright left them behind. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"

/* parent/name, made with mkdir(2), which fails on anything already there
 * (symlinks included).  owned: parent is one of ours (sbx/, .flatpak/),
 * made 0700 if missing and refused unless only we can write it.  Returns
 * an fd on the new directory, or -errno after a message. */
int make_instance_dir(const char *parent, bool owned, const char *name);

/* Remove parent/name and what sbx put in it (two levels), without
 * following a symlink anywhere.  Errors are reported, not returned. */
void remove_instance_dir(const char *parent, bool owned, const char *name);

/* Remove every instance under s->runtime_parent whose sbx is gone (no
 * lock held in its directory), with its .flatpak twin; nothing if another
 * sbx is making or removing an instance directory right now. */
void remove_stale_instances(const struct plan_services *s);

/* s->runtime_dir (under s->runtime_parent, as make_instance_dir) with
 * sbx/ID/lock in it, flocked; the lock lives as long as *lock_fd (and its
 * copies).  Returns an fd on the directory, or -errno after a message
 * (and nothing made). */
int make_locked_instance_dir(const struct plan_services *s, int *lock_fd);

/* Remove what make_locked_instance_dir made (its lock with it), under the
 * same shared lock on s->runtime_parent.  Errors are reported, not
 * returned. */
void remove_locked_instance_dir(const struct plan_services *s);
