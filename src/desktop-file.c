/* .desktop integration without root (the per-user half of firecfg --fix).
 *
 * A desktop file ID (APP.desktop) found first in $XDG_DATA_HOME/applications
 * shadows the same ID in every $XDG_DATA_DIRS/applications, for menus, MIME
 * associations (mimeinfo.cache names IDs, not paths) and autostart alike.  So
 * a per-user copy whose Exec lines go through sbx is all it takes to sandbox
 * an app everywhere the desktop launches it -- no symlinks in /usr/local/bin,
 * no root.
 *
 * The copy is the original, line for line, except:
 *   - every Exec= (main group and [Desktop Action ...] groups) becomes
 *     `Exec=SBX --profile PROFILE -- ORIGINAL-VALUE`: the original value is
 *     kept verbatim after our prefix, so its quoting, escapes and field codes
 *     (%u %F ...) mean exactly what they meant before, to every launcher;
 *   - DBusActivatable=true is dropped (with a comment saying why): the session
 *     would start the app by activating its bus name, never reading Exec;
 *   - X-Sbx-Profile= and X-Sbx-Original= are added after [Desktop Entry];
 *     they mark the file as ours: we overwrite or remove only marked files.
 * TryExec is kept: it names the real program, so the entry still disappears
 * when the app is uninstalled.
 *
 * Reference: Desktop Entry Specification 1.5, "Recognized desktop entry
 * keys" and "The Exec key". */
#include "desktop-file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"
#include "profile/profile.h"
#include "profile/vars.h"
#include "util.h"

#define MARK_PROFILE "X-Sbx-Profile"
#define MARK_ORIGINAL "X-Sbx-Original"
#define MAX_DESKTOP_FILE (1 << 20)

/* ------------------------------------------------------------ buffers */

struct buf {
  char *s;
  size_t n, cap;
};

static void buf_add(struct buf *b, const char *s, size_t len)
{
  if (b->n + len + 1 > b->cap)
    b->s = xrealloc(b->s, b->cap = (b->n + len + 1) * 2);
  memcpy(b->s + b->n, s, len);
  b->n += len;
  b->s[b->n] = '\0';
}

static void buf_puts(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}
static void strv_freep(char ***v) { strv_free(*v); }
#define _cleanup_strv_ _cleanup_(strv_freep)

/* ------------------------------------------------------ the XDG paths */

static char *home_dir(void)
{
  const char *h = getenv("HOME");
  return h && h[0] == '/' ? xstrdup(h) : NULL;
}

/* $XDG_DATA_HOME (absolute values only, as the basedir spec says), else
 * ~/.local/share. */
static char *data_home(void)
{
  const char *d = getenv("XDG_DATA_HOME");
  if (d && d[0] == '/')
    return xstrdup(d);
  _cleanup_free_ char *home = home_dir();
  return home ? xasprintf("%s/.local/share", home) : NULL;
}

/* The applications directories in lookup order, data home first. */
static char **app_dirs(void)
{
  const char *env = getenv("XDG_DATA_DIRS");
  _cleanup_free_ char *list = xstrdup(env && *env ? env : "/usr/local/share:/usr/share");
  _cleanup_free_ char *home = data_home();
  size_t n = 0;
  char **v = xcalloc(2, sizeof(char *));
  if (home)
    v[n++] = xasprintf("%s/applications", home);
  char *save = NULL;
  for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    if (d[0] != '/')
      continue;
    v = xrealloc(v, (n + 2) * sizeof(char *));
    v[n++] = xasprintf("%s/applications", d);
    v[n] = NULL;
  }
  return v;
}

/* "firefox-esr" or "firefox-esr.desktop" -> "firefox-esr.desktop".  An ID
 * names a file in the applications directory: no '/', no leading '.'. */
static int desktop_id(const char *app, char **out)
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

/* ------------------------------------------------- reading the files */

/* Read a desktop file (following symlinks only when follow is set). */
static int read_desktop(const char *path, bool follow, char **out)
{
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0)
    return -errno;
  if (!S_ISREG(st.st_mode))
    return -EISDIR; /* "not a regular file"; callers phrase it */
  if (st.st_size > MAX_DESKTOP_FILE)
    return -EFBIG;
  char *data = NULL;
  size_t len = 0;
  int r = read_all_fd(fd, &data, &len);
  if (r < 0)
    return r;
  if (memchr(data, '\0', len)) {
    free(data);
    return -EBADMSG;
  }
  *out = data;
  return 0;
}

enum line_kind { LINE_OTHER, LINE_GROUP, LINE_KEY };

struct parsed_line {
  enum line_kind kind;
  const char *name; /* group name or key (with [locale]) */
  size_t name_len;
  const char *value; /* key's value, up to the end of the line */
  size_t value_len;
};

/* Parse one line (without its newline; a trailing \r is ignored).  Spaces
 * around '=' are allowed by the spec. */
static struct parsed_line parse_line(const char *s, size_t len)
{
  struct parsed_line pl = { LINE_OTHER, NULL, 0, NULL, 0 };
  if (len && s[len - 1] == '\r')
    len--;
  if (len == 0 || s[0] == '#')
    return pl;
  if (s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (close) {
      pl.kind = LINE_GROUP;
      pl.name = s + 1;
      pl.name_len = (size_t)(close - s - 1);
    }
    return pl;
  }
  const char *eq = memchr(s, '=', len);
  if (!eq)
    return pl;
  size_t klen = (size_t)(eq - s);
  while (klen && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
    klen--;
  const char *v = eq + 1, *end = s + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  pl.kind = LINE_KEY;
  pl.name = s;
  pl.name_len = klen;
  pl.value = v;
  pl.value_len = (size_t)(end - v);
  return pl;
}

static bool name_is(const struct parsed_line *pl, const char *name)
{
  return pl->name_len == strlen(name) && memcmp(pl->name, name, pl->name_len) == 0;
}

static bool value_is(const struct parsed_line *pl, const char *value)
{
  return pl->value_len == strlen(value) && memcmp(pl->value, value, pl->value_len) == 0;
}

/* Iterate over lines: *pos advances past the newline. */
static bool next_line(const char *data, size_t *pos, const char **line, size_t *len)
{
  if (data[*pos] == '\0')
    return false;
  *line = data + *pos;
  const char *nl = strchr(*line, '\n');
  *len = nl ? (size_t)(nl - *line) : strlen(*line);
  *pos += *len + (nl ? 1 : 0);
  return true;
}

/* The value of KEY in [Desktop Entry] (allocated, string escapes not
 * undone -- our markers never need them), or NULL. */
static char *main_group_value(const char *data, const char *key)
{
  size_t pos = 0, len;
  const char *line;
  bool in_main = false;
  while (next_line(data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP)
      in_main = pl.name_len == 13 && memcmp(pl.name, "Desktop Entry", 13) == 0;
    else if (pl.kind == LINE_KEY && in_main && name_is(&pl, key))
      return xasprintf("%.*s", (int)pl.value_len, pl.value);
  }
  return NULL;
}

/* Is the file at path one sbx wrote?  1 yes, 0 no (or absent: -ENOENT). */
static int written_by_sbx(const char *path, bool follow, char **profile, char **original)
{
  _cleanup_free_ char *data = NULL;
  int r = read_desktop(path, follow, &data);
  if (r < 0)
    return r == -ELOOP ? 0 : r; /* a symlink: not something we write */
  _cleanup_free_ char *p = main_group_value(data, MARK_PROFILE);
  if (!p)
    return 0;
  if (profile)
    *profile = steal_ptr(&p);
  if (original)
    *original = main_group_value(data, MARK_ORIGINAL);
  return 1;
}

/* -------------------------------------------------- the Exec key */

/* Undo the string-level escapes (\s \n \t \r \\); the spec applies them
 * before the Exec quoting rules.  Other backslashes are left for those. */
static char *unescape_string(const char *s, size_t len)
{
  char *out = xmalloc(len + 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len && strchr("sntr\\", s[i + 1])) {
      char c = s[++i];
      *o++ = c == 's' ? ' ' : c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* Split an (unescaped) Exec value into words, the way launchers do:
 * double quotes with \" \` \$ \\ escapes (the spec), plus single quotes and
 * unquoted backslashes (GLib parses Exec as a shell word list, and real
 * files rely on it).  Only used to check the value and to find the program;
 * the value itself is copied verbatim. */
static int exec_split(const char *s, char ***out)
{
  char **v = xcalloc(1, sizeof(char *));
  size_t n = 0;
  struct buf w = { 0 };
  bool in_word = false;
  for (const char *p = s;; p++) {
    if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
      if (in_word) {
        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n++] = w.s ? steal_ptr(&w.s) : xstrdup("");
        v[n] = NULL;
        w.n = w.cap = 0;
        in_word = false;
      }
      if (*p == '\0')
        break;
      continue;
    }
    in_word = true;
    if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1] && strchr("\"`$\\", p[1]))
          p++;
        buf_add(&w, p, 1);
      }
    } else if (*p == '\'') {
      for (p++; *p && *p != '\''; p++)
        buf_add(&w, p, 1);
    } else {
      if (*p == '\\' && p[1])
        p++;
      buf_add(&w, p, 1);
      continue;
    }
    if (*p == '\0') {
      free(w.s);
      strv_free(v);
      return -EINVAL; /* unterminated quote */
    }
    if (!w.s)
      buf_add(&w, "", 0); /* "" is an empty word */
  }
  free(w.s);
  *out = v;
  return 0;
}

static const char *base_name(const char *s)
{
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

/* The program an Exec line starts: the first word, looking through `env
 * VAR=value ...` wrappers. */
static const char *exec_program(char **argv)
{
  size_t i = 0;
  if (argv[0] && strcmp(base_name(argv[0]), "env") == 0)
    for (i = 1; argv[i] && (argv[i][0] == '-' || strchr(argv[i], '=')); i++)
      ;
  return argv[i];
}

/* One word of our prefix, as it must appear in the file: quoted by the Exec
 * rules when it holds a reserved character, then string-escaped.  '%' and
 * control characters are refused: launchers disagree on field codes inside
 * quotes, and nothing we write needs them. */
static int exec_word(struct buf *b, const char *word, const char *what)
{
  static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";
  bool quote = word[0] == '\0';
  for (const char *c = word; *c; c++) {
    if (*c == '%' || (unsigned char)*c < 0x20 || *c == 0x7f)
      return log_fail(EINVAL, "%s \"%s\" contains '%%' or a control character, which cannot be written in an Exec line",
                      what, word);
    quote |= strchr(reserved, *c) != NULL;
  }
  if (!quote) {
    buf_puts(b, word);
    return 0;
  }
  buf_puts(b, "\"");
  for (const char *c = word; *c; c++) {
    if (strchr("\"`$\\", *c))
      buf_puts(b, "\\\\"); /* the quoting backslash, string-escaped */
    if (*c == '\\')
      buf_puts(b, "\\\\");
    else
      buf_add(b, c, 1);
  }
  buf_puts(b, "\"");
  return 0;
}

/* A string value for our marker keys: string-escaped, one line. */
static int string_value(struct buf *b, const char *s, const char *what)
{
  for (const char *c = s; *c; c++) {
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return log_fail(EINVAL, "%s \"%s\" contains a control character", what, s);
    if (*c == '\\')
      buf_puts(b, "\\\\");
    else
      buf_add(b, c, 1);
  }
  return 0;
}

/* ---------------------------------------------------- the rewrite */

struct source {
  char *path;      /* the original .desktop file */
  char *data;      /* its contents */
  char *main_exec; /* [Desktop Entry] Exec, unescaped */
};

static void source_clear(struct source *s)
{
  free(s->path);
  free(s->data);
  free(s->main_exec);
}

/* Check the original is an application entry we can wrap and find its
 * main Exec line. */
static int source_check(struct source *src)
{
  size_t pos = 0, len;
  const char *line;
  int group = 0; /* 0 before any group, 1 [Desktop Entry], 2 another */
  bool seen_main = false;
  while (next_line(src->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP) {
      bool is_main = pl.name_len == 13 && memcmp(pl.name, "Desktop Entry", 13) == 0;
      if (!seen_main && !is_main)
        break;
      seen_main |= is_main;
      group = is_main ? 1 : 2;
      continue;
    }
    if (pl.kind != LINE_KEY || group != 1)
      continue;
    if (name_is(&pl, "Type") && !value_is(&pl, "Application"))
      return log_fail(EINVAL, "%s: Type=%.*s: only applications (Type=Application) can run through sbx", src->path,
                      (int)pl.value_len, pl.value);
    if (name_is(&pl, "Hidden") && value_is(&pl, "true"))
      return log_fail(EINVAL, "%s: the entry is Hidden=true (deleted); nothing to install", src->path);
    if (name_is(&pl, "Exec") && !src->main_exec)
      src->main_exec = unescape_string(pl.value, pl.value_len);
  }
  if (!seen_main)
    return log_fail(EINVAL, "%s: not a desktop entry (the first group must be [Desktop Entry])", src->path);
  if (!src->main_exec)
    return log_fail(EINVAL, "%s: no Exec line (an app started only over D-Bus cannot be run through sbx)", src->path);
  return 0;
}

/* The original with our changes (see the top of this file). */
static int rewrite(const struct source *src, const char *exec_prefix, const char *profile_value, struct buf *out)
{
  size_t pos = 0, len;
  const char *line;
  int group = 0; /* 0 none, 1 [Desktop Entry], 2 [Desktop Action ...], 3 other */
  buf_puts(out, "# Written by sbx --desktop-install: a per-user copy of the entry whose\n"
                "# Exec lines run the app in its sandbox.  Remove it with\n"
                "# sbx --desktop-remove; sbx overwrites or removes only files marked\n"
                "# with X-Sbx-Profile.\n");
  while (next_line(src->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP) {
      group = pl.name_len == 13 && memcmp(pl.name, "Desktop Entry", 13) == 0 ? 1
              : pl.name_len > 15 && memcmp(pl.name, "Desktop Action ", 15) == 0 ? 2
                                                                                 : 3;
      buf_add(out, line, len);
      buf_puts(out, "\n");
      if (group == 1) {
        buf_puts(out, MARK_PROFILE "=");
        int r = string_value(out, profile_value, "the profile");
        if (r < 0)
          return r;
        buf_puts(out, "\n" MARK_ORIGINAL "=");
        if ((r = string_value(out, src->path, "the original's path")) < 0)
          return r;
        buf_puts(out, "\n");
      }
      continue;
    }
    if (pl.kind == LINE_KEY && group == 1 && pl.name_len > 6 && memcmp(pl.name, "X-Sbx-", 6) == 0)
      continue; /* ours, if the original carried any */
    if (pl.kind == LINE_KEY && (group == 1 || group == 2) && name_is(&pl, "Exec")) {
      _cleanup_free_ char *value = unescape_string(pl.value, pl.value_len);
      _cleanup_strv_ char **argv = NULL;
      if (exec_split(value, &argv) < 0 || !argv[0])
        return log_fail(EINVAL, "%s: %.*s: not a valid command line (empty, or an unterminated quote)", src->path,
                        (int)len, line);
      buf_puts(out, "Exec=");
      buf_puts(out, exec_prefix);
      buf_add(out, pl.value, pl.value_len);
      buf_puts(out, "\n");
      continue;
    }
    if (pl.kind == LINE_KEY && group == 1 && name_is(&pl, "DBusActivatable")) {
      if (value_is(&pl, "true"))
        buf_puts(out, "# sbx: DBusActivatable=true removed: with it the session starts the app\n"
                      "# by activating its D-Bus name, which never reads Exec and so never\n"
                      "# runs sbx.  Without it, launchers run Exec, which goes through sbx.\n");
      else {
        buf_add(out, line, len);
        buf_puts(out, "\n");
      }
      continue;
    }
    buf_add(out, line, len);
    buf_puts(out, "\n");
  }
  return 0;
}

/* ------------------------------------------------------ profiles */

/* The value for --profile in the Exec lines: the profile's name when a
 * launcher (which has none of our development environment) finds the same
 * file by that name; else its absolute path.  *shown is the name. */
static int resolve_profile(const char *requested, const char *program, char **value, char **shown)
{
  struct vars vars;
  struct profile_paths pp;
  int r = 0;
  vars_init(&vars, NULL);
  profile_paths_init(&pp, &vars);
  _cleanup_free_ char *path = NULL;
  if (requested) {
    path = profile_find(&pp, requested);
    if (!path)
      r = log_fail(ENOENT, "no profile \"%s\" (looked for %s%s in the profile path)", requested, requested,
                   strchr(requested, '/') ? "" : ".profile");
  } else {
    path = profile_find(&pp, program);
    if (!path)
      path = profile_find(&pp, "default");
    if (!path)
      r = log_fail(ENOENT, "no profile for \"%s\" and no default.profile in the profile path", program);
  }
  if (r == 0) {
    /* Does it load?  Better to say so now than when the menu entry is clicked. */
    struct policy pol;
    policy_init(&pol);
    _cleanup_free_ char *name = profile_name_of(path);
    vars_set(&vars, "PROFILE", name);
    r = profile_load(&pol, &vars, &pp, path);
    policy_free(&pol);
    if (r == 0) {
      _cleanup_free_ char *abs = realpath(path, NULL);
      _cleanup_free_ char *by_name = NULL;
      if (!strchr(requested ? requested : "", '/')) {
        /* What would a launcher without $SBX_PROFILE_PATH find? */
        _cleanup_free_ char *saved = getenv("SBX_PROFILE_PATH") ? xstrdup(getenv("SBX_PROFILE_PATH")) : NULL;
        struct profile_paths plain;
        unsetenv("SBX_PROFILE_PATH");
        profile_paths_init(&plain, &vars);
        if (saved)
          setenv("SBX_PROFILE_PATH", saved, 1);
        _cleanup_free_ char *found = profile_find(&plain, name);
        _cleanup_free_ char *found_abs = found ? realpath(found, NULL) : NULL;
        if (found_abs && abs && strcmp(found_abs, abs) == 0)
          by_name = xstrdup(name);
        profile_paths_free(&plain);
      }
      if (!by_name && !abs)
        r = log_errno(errno, "Can't resolve %s", path);
      else {
        *value = by_name ? steal_ptr(&by_name) : steal_ptr(&abs);
        *shown = steal_ptr(&name);
      }
    }
  }
  profile_paths_free(&pp);
  vars_free(&vars);
  return r;
}

/* ------------------------------------------------- writing files */

/* Create the missing directories of path (0700, as the basedir spec asks);
 * record the ones we made so a failure can take them back. */
static int mkdir_parents(const char *dir, char ***made)
{
  struct stat st;
  if (stat(dir, &st) == 0)
    return S_ISDIR(st.st_mode) ? 0 : log_fail(ENOTDIR, "%s is not a directory", dir);
  _cleanup_free_ char *parent = xstrdup(dir);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) {
    *slash = '\0';
    int r = mkdir_parents(parent, made);
    if (r < 0)
      return r;
  }
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return log_errno(errno, "Can't create %s", dir);
  size_t n = 0;
  while (*made && (*made)[n])
    n++;
  *made = xrealloc(*made, (n + 2) * sizeof(char *));
  (*made)[n] = xstrdup(dir);
  (*made)[n + 1] = NULL;
  return 0;
}

static void rmdir_made(char **made)
{
  size_t n = 0;
  while (made && made[n])
    n++;
  while (n--)
    rmdir(made[n]);
}

/* Write data to dir/name atomically: a temporary file beside it, renamed
 * over it, so readers (the menu, a file watcher) see the old or the new. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
  _cleanup_free_ char *tmp = xasprintf("%s/.%s.sbx-XXXXXX", dir, name);
  _cleanup_free_ char *dest = xasprintf("%s/%s", dir, name);
  _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0)
    return log_errno(errno, "Can't create a temporary file in %s", dir);
  int r = 0;
  if (fchmod(fd, 0644) < 0)
    r = log_errno(errno, "Can't set the mode of %s", tmp);
  else if ((r = write_all(fd, data, len)) < 0)
    log_errno(-r, "Can't write %s", tmp);
  else if (fsync(fd) < 0)
    r = log_errno(errno, "Can't write %s", tmp);
  else if (rename(tmp, dest) < 0)
    r = log_errno(errno, "Can't rename %s to %s", tmp, dest);
  if (r < 0)
    unlink(tmp);
  return r;
}

/* ------------------------------------------------- the commands */

static int find_source(const char *id, const char *dest, struct source *src)
{
  _cleanup_strv_ char **dirs = app_dirs();
  for (size_t i = 0; dirs[i]; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], id);
    bool is_dest = strcmp(path, dest) == 0;
    struct stat st;
    if ((is_dest ? lstat(path, &st) : stat(path, &st)) < 0)
      continue;
    int r = written_by_sbx(path, !is_dest, NULL, NULL);
    if (r == 1)
      continue; /* our own copy: the original is further down the path */
    if (is_dest)
      return log_fail(EEXIST, "%s exists and was not written by sbx (no %s key); not overwriting it "
                              "(move it away to install a sandboxed copy)", path, MARK_PROFILE);
    if (r < 0)
      return log_errno(r == -EISDIR ? EINVAL : -r, "Can't read %s", path);
    r = read_desktop(path, true, &src->data);
    if (r < 0)
      return log_errno(-r, "Can't read %s", path);
    src->path = steal_ptr(&path);
    return 0;
  }
  _cleanup_free_ char *searched = NULL;
  for (size_t i = 0; dirs[i]; i++) {
    char *s = xasprintf("%s%s%s", searched ? searched : "", i ? ", " : "", dirs[i]);
    free(searched);
    searched = s;
  }
  return log_fail(ENOENT, "no %s in %s", id, searched ? searched : "(no applications directories)");
}

static char *self_path(void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
    return NULL;
  return xstrdup(buf);
}

int desktop_file_install(const char *app, const char *profile)
{
  _cleanup_free_ char *id = NULL, *home = data_home(), *sbx = self_path();
  int r = desktop_id(app, &id);
  if (r < 0)
    return r;
  if (!home)
    return log_fail(EINVAL, "neither XDG_DATA_HOME nor HOME is set to an absolute path");
  if (!sbx)
    return log_fail(ENOENT, "Can't find sbx's own path (/proc/self/exe)");
  _cleanup_free_ char *dir = xasprintf("%s/applications", home);
  _cleanup_free_ char *dest = xasprintf("%s/%s", dir, id);

  struct source src = { 0 };
  _cleanup_free_ char *value = NULL, *shown = NULL;
  _cleanup_strv_ char **argv = NULL;
  struct buf prefix = { 0 }, out = { 0 };
  char **made = NULL;
  if ((r = find_source(id, dest, &src)) < 0 || (r = source_check(&src)) < 0)
    goto out;
  if (exec_split(src.main_exec, &argv) < 0 || !exec_program(argv)) {
    r = log_fail(EINVAL, "%s: Exec=%s: not a valid command line", src.path, src.main_exec);
    goto out;
  }
  const char *program = base_name(exec_program(argv));
  if (strcmp(program, "sbx") == 0 || strcmp(program, "bwrap") == 0) {
    r = log_fail(EINVAL, "%s already runs %s; nothing to do", src.path, program);
    goto out;
  }
  if ((r = resolve_profile(profile, program, &value, &shown)) < 0)
    goto out;
  if ((r = exec_word(&prefix, sbx, "sbx's path")) < 0)
    goto out;
  buf_puts(&prefix, " --profile ");
  if ((r = exec_word(&prefix, value, "the profile")) < 0)
    goto out;
  buf_puts(&prefix, " -- ");
  if ((r = rewrite(&src, prefix.s, value, &out)) < 0)
    goto out;
  if ((r = mkdir_parents(dir, &made)) < 0 || (r = write_atomic(dir, id, out.s, out.n)) < 0) {
    rmdir_made(made);
    goto out;
  }
  printf("%s: runs %s with profile %s (from %s)\n", dest, program, shown, src.path);
out:
  strv_free(made);
  free(prefix.s);
  free(out.s);
  source_clear(&src);
  return r;
}

int desktop_file_remove(const char *app)
{
  _cleanup_free_ char *id = NULL, *home = data_home();
  int r = desktop_id(app, &id);
  if (r < 0)
    return r;
  if (!home)
    return log_fail(EINVAL, "neither XDG_DATA_HOME nor HOME is set to an absolute path");
  _cleanup_free_ char *dest = xasprintf("%s/applications/%s", home, id);
  r = written_by_sbx(dest, false, NULL, NULL);
  if (r == -ENOENT)
    return log_fail(ENOENT, "no %s: sbx has not installed %s", dest, id);
  if (r < 0)
    return log_errno(r == -EISDIR ? EINVAL : -r, "Can't read %s", dest);
  if (r == 0)
    return log_fail(EPERM, "%s was not written by sbx (no %s key); not removing it", dest, MARK_PROFILE);
  if (unlink(dest) < 0)
    return log_errno(errno, "Can't remove %s", dest);
  printf("removed %s\n", dest);
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int desktop_file_list(void)
{
  _cleanup_free_ char *home = data_home();
  if (!home)
    return log_fail(EINVAL, "neither XDG_DATA_HOME nor HOME is set to an absolute path");
  _cleanup_free_ char *dir = xasprintf("%s/applications", home);
  DIR *d = opendir(dir);
  if (!d)
    return errno == ENOENT ? 0 : log_errno(errno, "Can't read %s", dir);
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len <= 8 || strcmp(de->d_name + len - 8, ".desktop") != 0)
      continue;
    names = xrealloc(names, (n + 1) * sizeof(char *));
    names[n++] = xstrdup(de->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof(char *), cmp_str);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
    _cleanup_free_ char *profile = NULL, *original = NULL;
    if (written_by_sbx(path, false, &profile, &original) == 1)
      printf("%s\t%s\t%s\n", names[i], profile, original ? original : "?");
    free(names[i]);
  }
  free(names);
  return 0;
}
