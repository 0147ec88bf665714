/* The profile an installed .desktop entry runs its app with.
 *
 * The Exec line is run later by a launcher (the menu, a file manager, the
 * session bus), whose environment has none of the user's shell settings:
 * no $SBX_PROFILE_PATH in particular.  So the line names the profile only
 * when such a launcher would find the very same file by that name, and by
 * its absolute path otherwise.  The profile is loaded once here, so that a
 * broken one is reported now rather than when the menu entry is clicked.
 * This is the one part of install/ that reads the policy layer. */
#include "install/profile-ref.h"

#include <limits.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/vars.h"
#include "util/util.h"

/* The file for requested, or for program (else default.profile); NULL
 * after printing when there is none. */
static char *find_profile(const struct profile_paths *pp, const char *requested, const char *program)
{
  char *path = NULL;
  if (requested) {
    path = profile_find(pp, requested);
    if (!path)
      log_fail(ENOENT, "no profile \"%s\" (looked for %s%s in the profile path)", requested, requested,
               strchr(requested, '/') ? "" : ".profile");
    return path;
  }
  path = profile_find(pp, program);
  if (!path)
    path = profile_find(pp, "default");
  if (!path)
    log_fail(ENOENT, "no profile for \"%s\" and no default.profile in the profile path", program);
  return path;
}

/* Does the profile load (profile_load prints why not)? */
static int profile_loads(struct vars *vars, const struct profile_paths *pp, const char *path, const char *name)
{
  struct policy pol;
  policy_init(&pol);
  vars_set(vars, "PROFILE", name);
  int r = profile_load(&pol, vars, pp, path);
  policy_free(&pol);
  return r;
}

/* Does a launcher without $SBX_PROFILE_PATH find the file abs by name? */
static bool found_by_name(const struct vars *vars, const char *name, const char *abs)
{
  _cleanup_free_ char *saved = getenv("SBX_PROFILE_PATH") ? xstrdup(getenv("SBX_PROFILE_PATH")) : NULL;
  struct profile_paths plain;
  unsetenv("SBX_PROFILE_PATH");
  profile_paths_init(&plain, vars);
  if (saved)
    setenv("SBX_PROFILE_PATH", saved, 1);
  _cleanup_free_ char *found = profile_find(&plain, name);
  _cleanup_free_ char *found_abs = found ? realpath(found, NULL) : NULL;
  profile_paths_free(&plain);
  return found_abs && abs && strcmp(found_abs, abs) == 0;
}

static int profile_ref(struct vars *vars, const struct profile_paths *pp, const char *requested, const char *path,
                       char **value, char **shown)
{
  _cleanup_free_ char *name = profile_name_of(path);
  int r = profile_loads(vars, pp, path, name);
  if (r < 0)
    return r;
  _cleanup_free_ char *abs = realpath(path, NULL);
  int saved_errno = errno;
  bool by_name = !strchr(requested ? requested : "", '/') && found_by_name(vars, name, abs);
  if (!by_name && !abs)
    return log_errno(saved_errno, "Can't resolve %s", path);
  *value = by_name ? xstrdup(name) : steal_ptr(&abs);
  *shown = steal_ptr(&name);
  return 0;
}

int resolve_profile(const char *requested, const char *program, char **value, char **shown)
{
  struct vars vars;
  struct profile_paths pp;
  vars_init(&vars, NULL);
  profile_paths_init(&pp, &vars);
  _cleanup_free_ char *path = find_profile(&pp, requested, program);
  int r = path ? profile_ref(&vars, &pp, requested, path, value, shown) : -ENOENT;
  profile_paths_free(&pp);
  vars_free(&vars);
  return r;
}
