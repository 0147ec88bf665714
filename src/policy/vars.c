#include "policy/vars.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

void vars_set(struct vars *v, const char *name, const char *value)
{
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->items[i].name, name) == 0) {
      free(v->items[i].value);
      v->items[i].value = xstrdup(value);
      return;
    }
  *ARRAY_PUSH(v->items, v->n, v->cap) = (struct var){ xstrdup(name), xstrdup(value) };
}

const char *vars_get(const struct vars *v, const char *name)
{
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->items[i].name, name) == 0)
      return v->items[i].value;
  return NULL;
}

void vars_free(struct vars *v)
{
  for (size_t i = 0; i < v->n; i++) {
    free(v->items[i].name);
    free(v->items[i].value);
  }
  free(v->items);
  memset(v, 0, sizeof *v);
}

static bool covers_home(const char *dir, const char *home);

static char *env_dir_or(const char *env, const char *home, const char *fallback)
{
  const char *e = getenv(env);
  if (e && e[0] == '/' && !covers_home(e, home))
    return xstrdup(e);
  return xasprintf("%s/%s", home, fallback);
}

/* Would a folder variable open the whole home (or more)?  "$HOME/",
 * "/home/u//", "/home" all do.  Compared component-wise, ignoring repeated
 * and trailing slashes and "." components. */
static bool covers_home(const char *dir, const char *home)
{
  for (;;) {
    while (*dir == '/' || (dir[0] == '.' && (dir[1] == '/' || !dir[1])))
      dir++;
    while (*home == '/' || (home[0] == '.' && (home[1] == '/' || !home[1])))
      home++;
    if (!*dir)
      return true; /* dir is home or an ancestor of it */
    if (!*home)
      return false; /* dir is below home */
    size_t a = strcspn(dir, "/"), b = strcspn(home, "/");
    if (a != b || strncmp(dir, home, a) != 0)
      return false;
    dir += a;
    home += b;
  }
}

/* user-dirs.dirs lines look like XDG_DOWNLOAD_DIR="$HOME/Downloads". */
static void read_user_dirs(struct vars *v, const char *home, const char *config)
{
  static const struct { const char *key, *var, *fallback; } dirs[] = {
    { "XDG_DESKTOP_DIR", "DESKTOP", "Desktop" },
    { "XDG_DOWNLOAD_DIR", "DOWNLOAD", "Downloads" },
    { "XDG_DOCUMENTS_DIR", "DOCUMENTS", "Documents" },
    { "XDG_MUSIC_DIR", "MUSIC", "Music" },
    { "XDG_PICTURES_DIR", "PICTURES", "Pictures" },
    { "XDG_VIDEOS_DIR", "VIDEOS", "Videos" },
    { "XDG_TEMPLATES_DIR", "TEMPLATES", "Templates" },
    { "XDG_PUBLICSHARE_DIR", "PUBLICSHARE", "Public" },
  };
  size_t n = sizeof dirs / sizeof dirs[0];
  for (size_t i = 0; i < n; i++) {
    char *d = xasprintf("%s/%s", home, dirs[i].fallback);
    vars_set(v, dirs[i].var, d);
    free(d);
  }
  char *path = xasprintf("%s/user-dirs.dirs", config);
  FILE *f = fopen(path, "re");
  free(path);
  if (!f)
    return;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *eq = strchr(line, '=');
    if (line[0] == '#' || !eq)
      continue;
    *eq = '\0';
    char *val = eq + 1;
    val[strcspn(val, "\n")] = '\0';
    size_t len = strlen(val);
    if (len < 2 || val[0] != '"' || val[len - 1] != '"')
      continue;
    val[len - 1] = '\0';
    val++;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(line, dirs[i].key) != 0)
        continue;
      char *d = NULL;
      if (strncmp(val, "$HOME/", 6) == 0)
        d = xasprintf("%s/%s", home, val + 6);
      else if (strcmp(val, "$HOME") == 0)
        d = NULL; /* "disabled": keep the fallback, never the whole home */
      else if (val[0] == '/')
        d = xstrdup(val);
      /* A folder that is the home itself means "disabled" to xdg-user-dirs;
       * a profile's "rw ${DOCUMENTS}" must never open the whole home. */
      if (d && !covers_home(d, home))
        vars_set(v, dirs[i].var, d);
      free(d);
    }
  }
  free(line);
  fclose(f);
}

void vars_init(struct vars *v, const char *profile_name)
{
  memset(v, 0, sizeof *v);
  /* ${HOME} always has a value: "/" when nothing names a home. */
  _cleanup_free_ char *found = home_dir();
  const char *home = found ? found : "/";
  vars_set(v, "HOME", home);
  struct passwd *pw = getpwuid(getuid());
  char buf[32];
  snprintf(buf, sizeof buf, "%u", getuid());
  vars_set(v, "UID", buf);
  snprintf(buf, sizeof buf, "%u", getgid());
  vars_set(v, "GID", buf);
  if (pw && pw->pw_name)
    vars_set(v, "USER", pw->pw_name);

  char *config = env_dir_or("XDG_CONFIG_HOME", home, ".config");
  char *data = env_dir_or("XDG_DATA_HOME", home, ".local/share");
  char *cache = env_dir_or("XDG_CACHE_HOME", home, ".cache");
  char *state = env_dir_or("XDG_STATE_HOME", home, ".local/state");
  vars_set(v, "XDG_CONFIG_HOME", config);
  vars_set(v, "XDG_DATA_HOME", data);
  vars_set(v, "XDG_CACHE_HOME", cache);
  vars_set(v, "XDG_STATE_HOME", state);
  const char *rt = getenv("XDG_RUNTIME_DIR");
  char *runtime = rt && rt[0] == '/' ? xstrdup(rt) : xasprintf("/run/user/%u", getuid());
  vars_set(v, "XDG_RUNTIME_DIR", runtime);
  read_user_dirs(v, home, config);
  vars_set(v, "PROFILE", profile_name ? profile_name : "");
  free(config);
  free(data);
  free(cache);
  free(state);
  free(runtime);
}

char *vars_expand(const struct vars *v, const char *in, char **bad)
{
  struct buf out = { 0 };
  *bad = NULL;

  if (in[0] == '~' && (in[1] == '/' || in[1] == '\0')) {
    buf_puts(&out, vars_get(v, "HOME"));
    in++;
  }
  while (*in) {
    const char *val = NULL;
    size_t skip = 1;
    if (in[0] == '$' && in[1] == '{') {
      const char *end = strchr(in + 2, '}');
      if (!end) {
        *bad = xasprintf("%s (no closing brace)", in + 2);
        buf_free(&out);
        return NULL;
      }
      char *name = xasprintf("%.*s", (int)(end - in - 2), in + 2);
      val = vars_get(v, name);
      if (!val) {
        *bad = name;
        buf_free(&out);
        return NULL;
      }
      free(name);
      skip = (size_t)(end - in) + 1;
    }
    if (val)
      buf_puts(&out, val);
    else
      buf_add(&out, in, 1);
    in += skip;
  }
  return buf_steal(&out);
}
