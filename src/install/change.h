/* Changing files all together or not at all: writes through a temporary
 * file beside the destination, removals that can be undone. */
#pragma once

#include <stddef.h>

#include "util/util.h"

struct change {
  char *dest;
  char *tmp; /* before the commit, the new contents (NULL for a removal);
              * after it, the old file, until change_finish */
  enum { CH_PREPARED, CH_CREATED, CH_SWAPPED, CH_OVERWRITTEN, CH_MOVED_ASIDE } state;
};

/* Create the missing directories of dir (0700), recording the ones made
 * in made.  Prints. */
int mkdir_parents(const char *dir, struct strv *made);
/* Remove the directories mkdir_parents made, deepest first. */
void rmdir_made(const struct strv *made);

/* Prepare writing data to dir/name.  Prints. */
int change_write(struct change *c, const char *dir, const char *name, const char *data, size_t len);
/* Prepare removing dest. */
void change_remove(struct change *c, const char *dest);
/* Commit the changes in order; when one fails, undo those before it.
 * Prints. */
int commit_all(struct change *changes, size_t n);
/* Remove what is left beside dest and free. */
void change_finish(struct change *c);
