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

/* Remove every instance under s->runtime_parent whose lock is free (its
 * sbx is gone), with its .flatpak twin. */
void remove_stale_instances(const struct plan_services *s);

/* Create and flock sbx/ID/lock in the instance directory dirfd; the lock
 * lives as long as the returned fd (and its copies).  Returns the fd or
 * -errno after a message. */
int take_instance_lock(const struct plan_services *s, int dirfd);
