/* The XDG directories that per-user desktop integration writes to and
 * reads from, and the names of the files in them.
 *
 * A desktop file ID (APP.desktop) found first in $XDG_DATA_HOME/applications
 * shadows the same ID in every $XDG_DATA_DIRS/applications, and the session
 * bus reads $XDG_DATA_HOME/dbus-1/services before the same directory of
 * every $XDG_DATA_DIRS: that lookup order is what makes a per-user copy
 * enough.  References: XDG Base Directory Specification 0.8; Desktop Entry
 * Specification 1.5, "Desktop File ID" and "D-Bus Activation". */
#include "install/xdg.h"

#include <dirent.h>
#include <limits.h>
#include <string.h>

#include "util/util.h"

/* Only absolute values count, as the basedir spec says. */
char *data_home(void)
{
  const char *d = getenv("XDG_DATA_HOME");
  if (d && d[0] == '/')
    return xstrdup(d);
  _cleanup_free_ char *home = home_dir();
  return home ? xasprintf("%s/.local/share", home) : NULL;
}

/* $XDG_DATA_DIRS defaults to /usr/local/share:/usr/share; relative entries
 * are ignored. */
char **data_dirs(const char *sub, bool with_home)
{
  const char *env = getenv("XDG_DATA_DIRS");
  _cleanup_free_ char *list = xstrdup(env && *env ? env : "/usr/local/share:/usr/share");
  _cleanup_free_ char *home = with_home ? data_home() : NULL;
  struct strv v = { 0 };
  if (home)
    strv_addf(&v, "%s/%s", home, sub);
  char *save = NULL;
  for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save))
    if (d[0] == '/')
      strv_addf(&v, "%s/%s", d, sub);
  return strv_steal(&v);
}

char *join_dirs(char **dirs)
{
  if (!dirs[0])
    return xstrdup("(none)");
  struct buf b = { 0 };
  for (size_t i = 0; dirs[i]; i++)
    buf_printf(&b, "%s%s", i ? ", " : "", dirs[i]);
  return buf_steal(&b);
}

/* "firefox-esr" or "firefox-esr.desktop" -> "firefox-esr.desktop".  An ID
 * names a file in the applications directory: no '/', no leading '.'; the
 * length leaves room for the temporary names written beside it. */
int desktop_id(const char *app, char **out)
{
  size_t len = strlen(app);
  bool has_ext = len > 8 && strcmp(app + len - 8, ".desktop") == 0;
  if (len == 0 || app[0] == '.' || strchr(app, '/') || len > NAME_MAX - 16)
    return log_fail(EINVAL, "\"%s\" is not a desktop file ID (expected e.g. firefox-esr or firefox-esr.desktop)", app);
  for (const char *c = app; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return log_fail(EINVAL, "\"%s\" is not a desktop file ID (control characters)", app);
  *out = has_ext ? xstrdup(app) : xasprintf("%s.desktop", app);
  return 0;
}

char *bus_name_of(const char *id) { return xasprintf("%.*s", (int)(strlen(id) - 8), id); }

char *service_dir(const char *home) { return xasprintf("%s/dbus-1/services", home); }

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int dir_files(const char *dir, const char *suffix, char ***out)
{
  DIR *d = opendir(dir);
  if (!d)
    return -errno;
  size_t slen = strlen(suffix);
  struct strv v = { 0 };
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] != '.' && len > slen && strcmp(de->d_name + len - slen, suffix) == 0)
      strv_add(&v, de->d_name);
  }
  closedir(d);
  if (v.n) /* v.v is NULL while empty, and qsort's base must not be */
    qsort(v.v, v.n, sizeof(char *), cmp_str);
  *out = strv_steal(&v);
  return 0;
}
