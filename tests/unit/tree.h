/* A scratch tree for the path-walking unit tests: each test file names its
 * own root (a mkdtemp template) and builds entries below it. */
#pragma once
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* Defined by the test file: "/tmp/sbx-NAME-XXXXXX", filled in by mkdtemp. */
extern char root[];

/* root/rel: a directory, or an empty file. */
static inline void mk(const char *rel, bool dir)
{
  char *p = xasprintf("%s/%s", root, rel);
  if (dir)
    mkdir(p, 0755);
  else
    close(open(p, O_CREAT | O_WRONLY, 0644));
  free(p);
}

/* root/rel: a symlink to target. */
static inline void ln(const char *target, const char *rel)
{
  char *p = xasprintf("%s/%s", root, rel);
  (void)!symlink(target, p);
  free(p);
}
