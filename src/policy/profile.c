#include "policy/profile.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "policy/directives.h"
#include "util/util.h"

#define MAX_INCLUDE_DEPTH 16
#define MAX_LINE 8192

void profile_paths_init(struct profile_paths *pp, const struct vars *v)
{
  memset(pp, 0, sizeof *pp);
  const char *env = getenv("SBX_PROFILE_PATH");
  char *list = NULL;
  if (env && *env)
    list = xasprintf("%s:", env);
  else
    list = xstrdup("");
  char *all = xasprintf("%s%s/sbx/profiles:" SYSCONFDIR "/sbx/profiles:" DATADIR "/sbx/profiles", list,
                        vars_get(v, "XDG_CONFIG_HOME"));
  free(list);
  char *save = NULL;
  for (char *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    bool dup = false;
    for (size_t i = 0; i < pp->n; i++)
      dup |= strcmp(pp->dirs[i], d) == 0;
    if (dup || d[0] != '/')
      continue;
    *ARRAY_PUSH(pp->dirs, pp->n, pp->cap) = xstrdup(d);
  }
  free(all);
}

void profile_paths_free(struct profile_paths *pp)
{
  for (size_t i = 0; i < pp->n; i++)
    free(pp->dirs[i]);
  free(pp->dirs);
  memset(pp, 0, sizeof *pp);
}

static char *find_in(const struct profile_paths *pp, const char *file)
{
  for (size_t i = 0; i < pp->n; i++) {
    char *p = xasprintf("%s/%s", pp->dirs[i], file);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
      return p;
    free(p);
  }
  return NULL;
}

char *profile_find(const struct profile_paths *pp, const char *name_or_path)
{
  if (strchr(name_or_path, '/')) {
    struct stat st;
    return stat(name_or_path, &st) == 0 && S_ISREG(st.st_mode) ? xstrdup(name_or_path) : NULL;
  }
  _cleanup_free_ char *file = xasprintf("%s.profile", name_or_path);
  return find_in(pp, file);
}

char *profile_name_of(const char *path)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t len = strlen(base);
  const char *dot = strrchr(base, '.');
  if (dot && (strcmp(dot, ".profile") == 0 || strcmp(dot, ".inc") == 0 || strcmp(dot, ".local") == 0))
    len = (size_t)(dot - base);
  return xasprintf("%.*s", (int)len, base);
}

struct loader {
  struct policy *pol;
  const struct vars *vars;
  const struct profile_paths *pp;
  char *stack[MAX_INCLUDE_DEPTH + 1]; /* real paths of the files being read */
  size_t depth;
  struct strv profiles; /* every .profile file read (the main one first) */
};

/* Split a line into words: blanks separate words; inside "double quotes"
 * blanks are kept and a backslash escapes the next character (quotes may
 * appear anywhere in a word: env A="b c").  A '#' at the start of a word
 * begins a comment. */
static int split_words(char *line, char **words, int max, const char *file, int lineno)
{
  int n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p || *p == '#')
      return n;
    if (n == max)
      return log_fail(EINVAL, "%s:%d: too many words on one line", file, lineno);
    char *out = p;
    words[n++] = out;
    bool quoted = false;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
      if (*p == '"') {
        quoted = !quoted;
        p++;
        continue;
      }
      if (quoted && *p == '\\' && p[1])
        p++;
      *out++ = *p++;
    }
    if (quoted)
      return log_fail(EINVAL, "%s:%d: unterminated quote", file, lineno);
    bool end = !*p;
    *out = '\0';
    if (end)
      return n;
    p++;
  }
}

static int load_file(struct loader *ld, const char *path, enum layer layer, const char *from_file, int from_line);

static int do_include(struct loader *ld, const char *arg, const char *file, int lineno, enum layer layer)
{
  char *badvar = NULL;
  _cleanup_free_ char *name = vars_expand(ld->vars, arg, &badvar);
  if (!name) {
    int r = log_fail(EINVAL, "%s:%d: include: undefined variable ${%s}", file, lineno, badvar);
    free(badvar);
    return r;
  }
  _cleanup_free_ char *path = NULL;
  if (strchr(name, '/')) {
    path = xstrdup(name);
  } else {
    /* Beside the including file first, then the search path. */
    const char *slash = strrchr(file, '/');
    if (slash) {
      char *beside = xasprintf("%.*s/%s", (int)(slash - file), file, name);
      struct stat st;
      if (stat(beside, &st) == 0 && S_ISREG(st.st_mode))
        path = beside;
      else
        free(beside);
    }
    if (!path)
      path = find_in(ld->pp, name);
  }
  struct stat st;
  if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
    return log_fail(ENOENT, "%s:%d: include: can't find \"%s\" (searched beside %s and in the profile path)",
                    file, lineno, name, file);
  /* Includes pulled in by a .local file belong to the .local layer. */
  return load_file(ld, path, layer == LAYER_LOCAL ? LAYER_LOCAL : LAYER_INCLUDE, file, lineno);
}

static int load_file(struct loader *ld, const char *path, enum layer layer, const char *from_file, int from_line)
{
  char real[PATH_MAX];
  if (!realpath(path, real))
    return from_file ? log_errno(errno, "%s:%d: include: can't open %s", from_file, from_line, path)
                     : log_errno(errno, "can't open profile %s", path);
  for (size_t i = 0; i < ld->depth; i++)
    if (strcmp(ld->stack[i], real) == 0) {
      char chain[2048] = "";
      for (size_t j = i; j < ld->depth; j++)
        snprintf(chain + strlen(chain), sizeof chain - strlen(chain), "%s -> ", ld->stack[j]);
      return log_fail(ELOOP, "%s:%d: include loop: %s%s", from_file, from_line, chain, real);
    }
  if (ld->depth == MAX_INCLUDE_DEPTH)
    return log_fail(ELOOP, "%s:%d: includes nested deeper than %d", from_file, from_line, MAX_INCLUDE_DEPTH);

  FILE *f = fopen(path, "re");
  if (!f)
    return from_file ? log_errno(errno, "%s:%d: include: can't open %s", from_file, from_line, path)
                     : log_errno(errno, "can't open profile %s", path);
  const char *file = policy_intern(ld->pol, path);
  ld->stack[ld->depth++] = xstrdup(real);
  size_t plen = strlen(path);
  if (plen > 8 && strcmp(path + plen - 8, ".profile") == 0) {
    strv_add(&ld->profiles, path);
  }

  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int lineno = 0, r = 0;
  while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (len > MAX_LINE) {
      r = log_fail(E2BIG, "%s:%d: line longer than %d bytes", file, lineno, MAX_LINE);
      break;
    }
    if (memchr(line, '\0', (size_t)len)) {
      r = log_fail(EINVAL, "%s:%d: NUL byte in line", file, lineno);
      break;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *words[4];
    int n = split_words(line, words, 4, file, lineno);
    if (n < 0) {
      r = n;
      break;
    }
    if (n == 0)
      continue;
    if (n != 2) {
      r = log_fail(EINVAL, "%s:%d: \"%s\" takes exactly one argument (quote paths with blanks)", file, lineno, words[0]);
      break;
    }
    if (strcmp(words[0], "include") == 0) {
      r = do_include(ld, words[1], file, lineno, layer);
      continue;
    }
    const struct directive *d = directive_find(words[0]);
    if (!d) {
      r = log_fail(EINVAL, "%s:%d: unknown directive \"%s\"", file, lineno, words[0]);
      break;
    }
    r = directive_apply(ld->pol, ld->vars, d, words[1], (struct src_loc){ file, lineno, layer });
  }
  free(line);
  fclose(f);
  free(ld->stack[--ld->depth]);
  return r;
}

/* Apply NAME.local for one profile file: beside it and in every search
 * directory, each file read once (`seen` collects real paths). */
static int load_locals(struct loader *ld, const char *path, char **seen, size_t *n_seen, size_t max_seen)
{
  _cleanup_free_ char *name = profile_name_of(path);
  _cleanup_free_ char *local_name = xasprintf("%s.local", name);
  const char *slash = strrchr(path, '/');
  int r = 0;
  for (size_t i = 0; r == 0 && i <= ld->pp->n; i++) {
    _cleanup_free_ char *cand = i == 0 ? (slash ? xasprintf("%.*s/%s", (int)(slash - path), path, local_name)
                                                : xstrdup(local_name))
                                       : xasprintf("%s/%s", ld->pp->dirs[i - 1], local_name);
    char real[PATH_MAX];
    if (!realpath(cand, real))
      continue;
    bool dup = false;
    for (size_t j = 0; j < *n_seen; j++)
      dup |= strcmp(seen[j], real) == 0;
    if (dup || *n_seen == max_seen)
      continue;
    seen[(*n_seen)++] = xstrdup(real);
    r = load_file(ld, cand, LAYER_LOCAL, NULL, 0);
  }
  return r;
}

int profile_load(struct policy *pol, const struct vars *v, const struct profile_paths *pp, const char *path)
{
  struct loader ld = { .pol = pol, .vars = v, .pp = pp };
  int r = load_file(&ld, path, LAYER_PROFILE, NULL, 0);

  /* The user's .local files, for the profile and for every profile it
   * includes (firefox-esr.profile includes firefox.profile, so
   * firefox.local applies to both). */
  char *seen[64];
  size_t n_seen = 0, n_profiles = ld.profiles.n;
  for (size_t i = 0; r == 0 && i < n_profiles; i++)
    r = load_locals(&ld, ld.profiles.v[i], seen, &n_seen, 64);
  for (size_t j = 0; j < n_seen; j++)
    free(seen[j]);
  strv_free(ld.profiles.v);
  return r;
}
