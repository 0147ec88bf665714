/* Where per-user desktop files live (the XDG Base Directory and Desktop
 * Entry specifications) and the names sbx gives them. */
#pragma once

#include <stdbool.h>

/* $XDG_DATA_HOME (absolute), else ~/.local/share; NULL without either. */
char *data_home(void);
/* DIR/sub for every DIR of $XDG_DATA_DIRS in lookup order, after the data
 * home's when with_home is set (a NULL-terminated vector). */
char **data_dirs(const char *sub, bool with_home);
/* "a, b, c", or "(none)". */
char *join_dirs(char **dirs);
/* Check a desktop file ID given by the user and add ".desktop" if it has
 * none.  Returns 0, or -EINVAL after printing. */
int desktop_id(const char *app, char **out);
/* The bus name a desktop file ID stands for: the ID without ".desktop". */
char *bus_name_of(const char *id);
/* Where our override of a D-Bus service goes, under the data home. */
char *service_dir(const char *home);
/* The names in dir ending in suffix (not hidden, not just the suffix),
 * sorted.  Returns 0, or -errno without printing. */
int dir_files(const char *dir, const char *suffix, char ***out);
