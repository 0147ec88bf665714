/* Loading profile files into a policy: the search path, includes, the user's
 * .local files, and the line syntax. */
#pragma once
#include "policy/policy.h"
#include "policy/vars.h"

struct profile_paths {
  char **dirs; /* searched in order */
  size_t n, cap;
};

/* $SBX_PROFILE_PATH (colon-separated, for tests and development), then
 * $XDG_CONFIG_HOME/sbx/profiles, /etc/sbx/profiles, $datadir/sbx/profiles. */
void profile_paths_init(struct profile_paths *pp, const struct vars *v);
void profile_paths_free(struct profile_paths *pp);

/* Find NAME.profile (or use PATH when it contains a '/').  Returns an
 * allocated path, or NULL. */
char *profile_find(const struct profile_paths *pp, const char *name_or_path);
/* The profile name a file stands for ("firefox" for .../firefox.profile). */
char *profile_name_of(const char *path);

/* Load a profile and everything it includes, then NAME.local files found in
 * the search path, into pol.  Errors print FILE:LINE and return < 0. */
int profile_load(struct policy *pol, const struct vars *v, const struct profile_paths *pp, const char *path);
