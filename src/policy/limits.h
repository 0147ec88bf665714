/* The resource-limit directives (memory-max, cpu-max, pids-max...): which
 * cgroup v2 controller and file each one sets, and how its argument becomes
 * the line written there.  The directives validate with it (so a bad size
 * is an error at FILE:LINE), compile converts with it; nothing here touches
 * the host except where io-max/io-weight name a device by path, and that
 * look-up is compile's (limit_parse leaves the path for it). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct limit_kind {
  const char *directive;  /* "memory-max" */
  const char *controller; /* "memory" */
  const char *file;       /* "memory.max" */
  const char *arg;        /* what the argument looks like, for help */
  const char *help;
  bool device;            /* io-max, io-weight: the argument may start with a device PATH */
};

/* The table, and one entry by directive name (NULL: not a limit). */
const struct limit_kind *limit_kinds(size_t *n);
const struct limit_kind *limit_kind_find(const char *directive);

/* Convert arg into what k->file takes.  For a device limit, *device gets
 * the PATH the argument starts with (or NULL: the default, io-weight N),
 * and *value the rest ("rbps=1048576 wbps=max", "200"); the caller puts
 * "MAJ:MIN " (or "default ") in front.  Returns 0, or -EINVAL with *why
 * set to a static explanation. */
int limit_parse(const struct limit_kind *k, const char *arg, char **value, char **device, const char **why);
