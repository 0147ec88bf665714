/* The .desktop entry: finding the original an ID stands for, checking it
 * can run through sbx, and writing our marked copy of it. */
#pragma once

#include <stdbool.h>

#include "install/keyfile.h"

struct source {
  char *path;      /* the original .desktop file */
  char *data;      /* its contents */
  char *main_exec; /* [Desktop Entry] Exec, unescaped */
};

void source_clear(struct source *s);

/* The value of key in [Desktop Entry], or NULL. */
char *main_group_value(const char *data, const char *key);
/* Is the entry at path one sbx wrote?  1 yes (its markers in *profile and
 * *original when given), 0 no (a symlink is never ours), or -errno without
 * printing (-ENOENT when absent). */
int entry_written_by_sbx(const char *path, bool follow, char **profile, char **original);
/* The original for id, in lookup order, skipping copies of ours; dest is
 * where our copy goes (a file there not ours is refused).  Prints. */
int find_source(const char *id, const char *dest, struct source *src);
/* Check the original is an application entry we can wrap and find its
 * main Exec line.  Prints. */
int source_check(struct source *src);
/* Our copy of src into out: Exec lines prefixed by exec_prefix, markers
 * added, DBusActivatable=true replaced by a comment ending in dbus_note. */
int entry_rewrite(const struct source *src, const char *exec_prefix, const char *profile_value,
                  const char *dbus_note, struct buf *out);
