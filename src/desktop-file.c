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
 * Dropping DBusActivatable only changes what launchers do.  Anything else
 * that activates the app's bus name (a portal, a notification, a plain
 * method call to it) makes the session bus run the Exec line of the app's
 * D-Bus service file, bypassing us.  The bus reads
 * $XDG_DATA_HOME/dbus-1/services before $XDG_DATA_DIRS/dbus-1/services, so
 * for a DBusActivatable app we also write a per-user service file for the
 * same name: the original's keys, but Exec going through sbx with the same
 * profile, and no SystemdService (with it the bus asks systemd to start
 * that unit instead of running Exec).  It is marked by "# X-Sbx-Profile="
 * and "# X-Sbx-Original=" comment lines (the keys of a service file are
 * dbus-daemon's to define).  The two files are written, replaced and
 * removed together.
 *
 * References: Desktop Entry Specification 1.5, "Recognized desktop entry
 * keys", "The Exec key" and "D-Bus Activation" (the desktop file ID minus
 * .desktop is the bus name); the D-Bus Specification, "Message Bus Starting
 * Services (Activation)"; dbus-daemon(1), <standard_session_servicedirs/>. */
#include "desktop-file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

/* DIR/sub for every DIR of $XDG_DATA_DIRS (default /usr/local/share and
 * /usr/share; relative entries are ignored), in lookup order, after the
 * data home's when with_home is set. */
static char **data_dirs(const char *sub, bool with_home)
{
  const char *env = getenv("XDG_DATA_DIRS");
  _cleanup_free_ char *list = xstrdup(env && *env ? env : "/usr/local/share:/usr/share");
  _cleanup_free_ char *home = with_home ? data_home() : NULL;
  size_t n = 0;
  char **v = xcalloc(2, sizeof(char *));
  if (home)
    v[n++] = xasprintf("%s/%s", home, sub);
  char *save = NULL;
  for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    if (d[0] != '/')
      continue;
    v = xrealloc(v, (n + 2) * sizeof(char *));
    v[n++] = xasprintf("%s/%s", d, sub);
    v[n] = NULL;
  }
  return v;
}

/* The applications directories in lookup order, data home first. */
static char **app_dirs(void) { return data_dirs("applications", true); }

/* "a, b, c" */
static char *join_dirs(char **dirs)
{
  struct buf b = { 0 };
  for (size_t i = 0; dirs[i]; i++) {
    buf_puts(&b, i ? ", " : "");
    buf_puts(&b, dirs[i]);
  }
  return b.s ? b.s : xstrdup("(none)");
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

/* The first value of KEY in the first GROUP (allocated, string escapes not
 * undone -- our markers and bus names never need them), or NULL. */
static char *group_value(const char *data, const char *group, const char *key)
{
  size_t pos = 0, len;
  const char *line;
  int state = 0; /* 0 before GROUP, 1 in it, 2 after it */
  while (state < 2 && next_line(data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP)
      state = state == 0 && name_is(&pl, group) ? 1 : state == 1 ? 2 : 0;
    else if (pl.kind == LINE_KEY && state == 1 && name_is(&pl, key))
      return xasprintf("%.*s", (int)pl.value_len, pl.value);
  }
  return NULL;
}

static char *main_group_value(const char *data, const char *key)
{
  return group_value(data, "Desktop Entry", key);
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

/* The original with our changes (see the top of this file).  dbus_note
 * ends the comment that replaces DBusActivatable=true: what became of the
 * app's D-Bus service. */
/* Exec=ORIGINAL becomes Exec=PREFIX ORIGINAL (PREFIX runs sbx with the
 * profile; the original value is kept byte for byte, so its quoting and
 * field codes mean what they meant).  The original must be a command line. */
static int put_exec_through_sbx(struct buf *out, const struct parsed_line *pl, const char *exec_prefix,
                                const char *file, const char *line, size_t len)
{
  _cleanup_free_ char *value = unescape_string(pl->value, pl->value_len);
  _cleanup_strv_ char **argv = NULL;
  if (exec_split(value, &argv) < 0 || !argv[0])
    return log_fail(EINVAL, "%s: %.*s: not a valid command line (empty, or an unterminated quote)", file, (int)len,
                    line);
  buf_puts(out, "Exec=");
  buf_puts(out, exec_prefix);
  buf_add(out, pl->value, pl->value_len);
  buf_puts(out, "\n");
  return 0;
}

static int rewrite(const struct source *src, const char *exec_prefix, const char *profile_value,
                   const char *dbus_note, struct buf *out)
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
      int r = put_exec_through_sbx(out, &pl, exec_prefix, src->path, line, len);
      if (r < 0)
        return r;
      continue;
    }
    if (pl.kind == LINE_KEY && group == 1 && name_is(&pl, "DBusActivatable")) {
      if (value_is(&pl, "true")) {
        buf_puts(out, "# sbx: DBusActivatable=true removed: with it the session starts the app\n"
                      "# by activating its D-Bus name, which never reads Exec and so never\n"
                      "# runs sbx.  Without it, launchers run Exec, which goes through sbx.\n");
        buf_puts(out, dbus_note);
      } else {
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

/* ---------------------------------------------- the D-Bus service */

#define SERVICE_GROUP "D-BUS Service"
#define SERVICE_MARK_PROFILE "# " MARK_PROFILE "="
#define SERVICE_MARK_ORIGINAL "# " MARK_ORIGINAL "="

/* A well-known bus name (D-Bus Specification, "Bus names"): two or more
 * dot-separated elements of [A-Za-z0-9_-], none empty or starting with a
 * digit, at most 255 characters. */
static bool is_bus_name(const char *s)
{
  size_t len = strlen(s), elements = 1, elem_len = 0;
  if (len == 0 || len > 255)
    return false;
  for (const char *c = s; *c; c++) {
    if (*c == '.') {
      if (elem_len == 0)
        return false;
      elements++;
      elem_len = 0;
    } else if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '_' || *c == '-' ||
               (*c >= '0' && *c <= '9' && elem_len > 0)) {
      elem_len++;
    } else {
      return false;
    }
  }
  return elem_len > 0 && elements >= 2;
}

/* The value after a marker line's prefix, or NULL when line isn't one. */
static char *marker_line(const char *line, size_t len, const char *prefix)
{
  size_t plen = strlen(prefix);
  if (len && line[len - 1] == '\r')
    len--;
  if (len < plen || memcmp(line, prefix, plen) != 0)
    return NULL;
  return xasprintf("%.*s", (int)(len - plen), line + plen);
}

/* Is the service file at path one sbx wrote (it has our "# X-Sbx-Profile="
 * line)?  1 yes, 0 no (a symlink is never ours), < 0 error (-ENOENT when
 * absent). */
static int service_written_by_sbx(const char *path, char **profile, char **original)
{
  _cleanup_free_ char *data = NULL;
  int r = read_desktop(path, false, &data);
  if (r < 0)
    return r == -ELOOP ? 0 : r;
  _cleanup_free_ char *p = NULL, *o = NULL;
  size_t pos = 0, len;
  const char *line;
  while (next_line(data, &pos, &line, &len)) {
    char *v;
    if (!p && (v = marker_line(line, len, SERVICE_MARK_PROFILE)))
      p = v;
    else if (!o && (v = marker_line(line, len, SERVICE_MARK_ORIGINAL)))
      o = v;
  }
  if (!p)
    return 0;
  if (profile)
    *profile = steal_ptr(&p);
  if (original)
    *original = steal_ptr(&o);
  return 1;
}

/* Does the service file at path (symlinks followed) declare Name=bus?  Its
 * contents go to *data (when data is given) if it does.  An override of
 * ours never does: when $XDG_DATA_DIRS names the data home too, the
 * original is further down the path. */
static bool service_declares(const char *path, const char *bus, char **data)
{
  _cleanup_free_ char *d = NULL;
  if (read_desktop(path, true, &d) < 0)
    return false;
  size_t pos = 0, len;
  const char *line;
  while (next_line(d, &pos, &line, &len)) {
    _cleanup_free_ char *mark = marker_line(line, len, SERVICE_MARK_PROFILE);
    if (mark)
      return false;
  }
  _cleanup_free_ char *name = group_value(d, SERVICE_GROUP, "Name");
  if (!name || strcmp(name, bus) != 0)
    return false;
  if (data)
    *data = steal_ptr(&d);
  return true;
}

/* The *.service files in dir, sorted; NULL when it can't be read. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static char **service_files(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d)
    return NULL;
  char **v = xcalloc(1, sizeof(char *));
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len <= 8 || strcmp(de->d_name + len - 8, ".service") != 0)
      continue;
    v = xrealloc(v, (n + 2) * sizeof(char *));
    v[n++] = xstrdup(de->d_name);
    v[n] = NULL;
  }
  closedir(d);
  qsort(v, n, sizeof(char *), cmp_str);
  return v;
}

struct service {
  char *path; /* the original service file */
  char *data; /* its contents */
};

static void service_clear(struct service *s)
{
  free(s->path);
  free(s->data);
}

/* The service file the session bus would use for bus, in the first of dirs
 * that has one: BUS.service when it declares the name, else any *.service
 * there that does.  1 found (in *svc), 0 not. */
static int find_service(char **dirs, const char *bus, struct service *svc)
{
  for (size_t i = 0; dirs[i]; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s.service", dirs[i], bus);
    if (service_declares(path, bus, &svc->data)) {
      svc->path = steal_ptr(&path);
      return 1;
    }
    _cleanup_strv_ char **names = service_files(dirs[i]);
    for (size_t j = 0; names && names[j]; j++) {
      _cleanup_free_ char *other = xasprintf("%s/%s", dirs[i], names[j]);
      if (service_declares(other, bus, &svc->data)) {
        svc->path = steal_ptr(&other);
        return 1;
      }
    }
  }
  return 0;
}

/* Before writing dir/BUS.service: a file there that sbx did not write is
 * refused, and so is any other file in dir declaring the same name (the
 * bus would pick one of the two, arbitrarily).  Sets *ours when an
 * earlier override of ours is there. */
static int check_service_dest(const char *dir, const char *bus, const char *dest, bool *ours)
{
  int r = service_written_by_sbx(dest, NULL, NULL);
  *ours = r == 1;
  if (r == 0)
    return log_fail(EEXIST, "%s exists and was not written by sbx (no \"" SERVICE_MARK_PROFILE "\" line); "
                            "not overwriting it (move it away to install a sandboxed copy)", dest);
  if (r < 0 && r != -ENOENT)
    return log_errno(r == -EISDIR ? EINVAL : -r, "Can't read %s", dest);
  _cleanup_strv_ char **names = service_files(dir);
  for (size_t j = 0; names && names[j]; j++) {
    _cleanup_free_ char *other = xasprintf("%s/%s", dir, names[j]);
    if (strcmp(other, dest) != 0 && service_declares(other, bus, NULL))
      return log_fail(EEXIST, "%s declares Name=%s too, and the session bus would pick it or sbx's %s "
                              "arbitrarily; move it away to install a sandboxed copy", other, bus, dest);
  }
  return 0;
}

/* The override: a header with our marker lines, then the original line for
 * line, except that Exec runs through sbx and SystemdService is dropped. */
static int rewrite_service(const struct service *svc, const char *exec_prefix, const char *profile_value,
                           struct buf *out)
{
  buf_puts(out, "# Written by sbx --desktop-install: overrides the D-Bus service of the\n"
                "# same name in $XDG_DATA_DIRS, so that activating the name runs the app in\n"
                "# its sandbox.  Remove it with sbx --desktop-remove; sbx overwrites or\n"
                "# removes only service files with the " MARK_PROFILE " line below.\n"
                SERVICE_MARK_PROFILE);
  int r = string_value(out, profile_value, "the profile");
  if (r < 0)
    return r;
  buf_puts(out, "\n" SERVICE_MARK_ORIGINAL);
  if ((r = string_value(out, svc->path, "the service file's path")) < 0)
    return r;
  buf_puts(out, "\n");
  size_t pos = 0, len;
  const char *line;
  bool in_service = false, seen_exec = false;
  while (next_line(svc->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_OTHER && len >= 8 && memcmp(line, "# X-Sbx-", 8) == 0)
      continue; /* markers of ours, if the original carried any */
    if (pl.kind == LINE_GROUP)
      in_service = name_is(&pl, SERVICE_GROUP);
    if (pl.kind == LINE_KEY && in_service && name_is(&pl, "Exec")) {
      r = put_exec_through_sbx(out, &pl, exec_prefix, svc->path, line, len);
      if (r < 0)
        return r;
      seen_exec = true;
      continue;
    }
    if (pl.kind == LINE_KEY && in_service && name_is(&pl, "SystemdService")) {
      buf_puts(out, "# sbx: SystemdService=");
      buf_add(out, pl.value, pl.value_len);
      buf_puts(out, " removed: with it the bus asks\n"
                    "# systemd to start that unit instead of running Exec, and the app\n"
                    "# would start outside its sandbox.\n");
      continue;
    }
    buf_add(out, line, len);
    buf_puts(out, "\n");
  }
  if (!seen_exec)
    return log_fail(EINVAL, "%s: no Exec line in [" SERVICE_GROUP "]: sbx can't run the service, and leaving it "
                            "would let D-Bus activation start the app outside its sandbox", svc->path);
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

/* A change to one file: a write (a temporary file beside it, then renamed
 * over it, so readers -- the menu, the bus, a file watcher -- see the old
 * file or the new, never half of one) or a removal.  A command prepares its
 * changes, then commits them one after another; when one fails, those
 * before it are undone, so its files all change or none do. */
struct change {
  char *dest;
  char *tmp; /* before the commit, the new contents (NULL for a removal);
              * after it, the old file, until change_finish */
  enum { CH_PREPARED, CH_CREATED, CH_SWAPPED, CH_OVERWRITTEN, CH_MOVED_ASIDE } state;
};

/* A temporary name beside dest: ".NAME.sbx-XXXXXX", which neither menus
 * (*.desktop) nor the bus (*.service) read.  Returns an open fd. */
static int temp_beside(const char *dest, char **tmp)
{
  const char *slash = strrchr(dest, '/');
  *tmp = xasprintf("%.*s/.%s.sbx-XXXXXX", (int)(slash - dest), dest, slash + 1);
  int fd = mkostemp(*tmp, O_CLOEXEC);
  if (fd < 0) {
    int r = log_errno(errno, "Can't create a temporary file beside %s", dest);
    free(*tmp);
    *tmp = NULL;
    return r;
  }
  return fd;
}

static int change_write(struct change *c, const char *dir, const char *name, const char *data, size_t len)
{
  c->dest = xasprintf("%s/%s", dir, name);
  _cleanup_close_ int fd = temp_beside(c->dest, &c->tmp);
  if (fd < 0)
    return fd;
  int r = 0;
  if (fchmod(fd, 0644) < 0)
    r = log_errno(errno, "Can't set the mode of %s", c->tmp);
  else if ((r = write_all(fd, data, len)) < 0)
    log_errno(-r, "Can't write %s", c->tmp);
  else if (fsync(fd) < 0)
    r = log_errno(errno, "Can't write %s", c->tmp);
  if (r < 0) {
    unlink(c->tmp);
    free(c->tmp);
    c->tmp = NULL;
  }
  return r;
}

static void change_remove(struct change *c, const char *dest) { c->dest = xstrdup(dest); }

static int change_commit(struct change *c)
{
  if (!c->tmp) {
    /* A removal: move the file aside, so that an undo can bring it back. */
    int fd = temp_beside(c->dest, &c->tmp);
    if (fd < 0)
      return fd;
    close(fd);
    if (rename(c->dest, c->tmp) < 0) {
      int r = log_errno(errno, "Can't remove %s", c->dest);
      unlink(c->tmp);
      free(steal_ptr(&c->tmp));
      return r;
    }
    c->state = CH_MOVED_ASIDE;
    return 0;
  }
  /* Swap the new file with the old one, which an undo can swap back. */
  if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dest, RENAME_EXCHANGE) == 0) {
    c->state = CH_SWAPPED;
    return 0;
  }
  if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
    return log_errno(errno, "Can't rename %s to %s", c->tmp, c->dest);
  /* No old file (ENOENT), or a file system without exchange. */
  struct stat st;
  bool existed = errno != ENOENT && lstat(c->dest, &st) == 0;
  if (rename(c->tmp, c->dest) < 0)
    return log_errno(errno, "Can't rename %s to %s", c->tmp, c->dest);
  free(steal_ptr(&c->tmp));
  c->state = existed ? CH_OVERWRITTEN : CH_CREATED;
  return 0;
}

static void change_undo(struct change *c)
{
  switch (c->state) {
  case CH_SWAPPED:
    if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dest, RENAME_EXCHANGE) < 0) {
      log_errno(errno, "Can't put %s back (the old one is at %s)", c->dest, c->tmp);
      free(steal_ptr(&c->tmp)); /* keep it */
    }
    break; /* else change_finish removes the new file, now at tmp */
  case CH_CREATED:
    unlink(c->dest);
    break;
  case CH_MOVED_ASIDE:
    if (rename(c->tmp, c->dest) < 0)
      log_errno(errno, "Can't put %s back (it is at %s)", c->dest, c->tmp);
    else
      free(steal_ptr(&c->tmp));
    break;
  case CH_OVERWRITTEN: /* the old contents are gone; the new file stays */
  case CH_PREPARED:
    break;
  }
  c->state = CH_PREPARED;
}

/* Remove what is left at tmp (the new contents of an uncommitted or undone
 * write, the old file of a committed one) and free. */
static void change_finish(struct change *c)
{
  if (c->tmp)
    unlink(c->tmp);
  free(c->tmp);
  free(c->dest);
  c->tmp = c->dest = NULL;
}

static int commit_all(struct change *changes, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    int r = change_commit(&changes[i]);
    if (r < 0) {
      while (i--)
        change_undo(&changes[i]);
      return r;
    }
  }
  return 0;
}

/* ------------------------------------------ telling the session bus */

/* "unix:path=" + path, escaped as D-Bus addresses want (every byte but
 * [-0-9A-Za-z_/.\*] as %XX). */
static char *unix_address(const char *path)
{
  struct buf b = { 0 };
  buf_puts(&b, "unix:path=");
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
    if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || strchr("-_/.\\*", *c)) {
      buf_add(&b, (const char *)c, 1);
    } else {
      char hex[4];
      snprintf(hex, sizeof hex, "%%%02x", *c);
      buf_puts(&b, hex);
    }
  }
  return b.s;
}

/* The session bus picks up a change in a service directory it watches,
 * but it watches only those that existed when it started -- and
 * ~/.local/share/dbus-1/services often did not.  So after changing our
 * override, ask the bus to reload (org.freedesktop.DBus.ReloadConfig, which
 * any client may call; through dbus-send, which waits for the answer, so
 * the override is in force when we return).  Without a session bus there
 * is nothing to do: the next one reads the directory when it starts. */
static void reload_session_bus(const char *service_file)
{
  const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
  _cleanup_free_ char *bus = NULL;
  if (addr && *addr) {
    bus = xasprintf("--bus=%s", addr);
  } else {
    /* libdbus's default: $XDG_RUNTIME_DIR/bus (never its X11 autolaunch,
     * which could start a new bus). */
    const char *rt = getenv("XDG_RUNTIME_DIR");
    _cleanup_free_ char *sock = rt && rt[0] == '/' ? xasprintf("%s/bus", rt) : NULL;
    struct stat st;
    if (!sock || stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
      return;
    _cleanup_free_ char *a = unix_address(sock);
    bus = xasprintf("--bus=%s", a);
  }
  char *argv[] = { "dbus-send", bus, "--print-reply", "--reply-timeout=5000", "--type=method_call",
                   "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ReloadConfig", NULL };
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd <= 2; fd++)
    posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
  pid_t pid;
  int r = posix_spawnp(&pid, "dbus-send", &fa, NULL, argv, environ), status = 0;
  posix_spawn_file_actions_destroy(&fa);
  if (r == 0 && RETRY(waitpid(pid, &status, 0)) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return;
  log_warn("could not ask the session bus to reload its service files (%s%s); until it does (at the next "
           "login, or after: dbus-send --session --type=method_call --dest=org.freedesktop.DBus / "
           "org.freedesktop.DBus.ReloadConfig) it may not see the change to %s",
           r ? "can't run dbus-send: " : "dbus-send failed", r ? strerror(r) : "", service_file);
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
  _cleanup_free_ char *searched = join_dirs(dirs);
  return log_fail(ENOENT, "no %s in %s", id, searched);
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

/* The bus name a desktop file ID stands for: the ID without ".desktop". */
static char *bus_name_of(const char *id) { return xasprintf("%.*s", (int)(strlen(id) - 8), id); }

/* Where our override of bus's service goes. */
static char *service_dir(const char *home) { return xasprintf("%s/dbus-1/services", home); }

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
  _cleanup_free_ char *bus = bus_name_of(id), *sdir = service_dir(home);
  _cleanup_free_ char *sname = xasprintf("%s.service", bus);
  _cleanup_free_ char *sdest = xasprintf("%s/%s", sdir, sname);

  struct source src = { 0 };
  struct service svc = { 0 };
  _cleanup_free_ char *value = NULL, *shown = NULL, *activatable = NULL, *missing = NULL;
  _cleanup_strv_ char **argv = NULL;
  struct buf prefix = { 0 }, out = { 0 }, sout = { 0 }, note = { 0 };
  struct change changes[2] = { 0 };
  size_t n_changes = 0;
  char **made = NULL;
  bool found = false, old_override = false;
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

  /* The D-Bus service: overridden for a DBusActivatable app, and kept up
   * to date (or removed with the original) once we have overridden it. */
  activatable = main_group_value(src.data, "DBusActivatable");
  bool dbus_activatable = activatable && strcmp(activatable, "true") == 0;
  if (is_bus_name(bus)) {
    old_override = service_written_by_sbx(sdest, NULL, NULL) == 1;
    if (dbus_activatable || old_override) {
      if ((r = check_service_dest(sdir, bus, sdest, &old_override)) < 0)
        goto out;
      _cleanup_strv_ char **sdirs = data_dirs("dbus-1/services", false);
      found = find_service(sdirs, bus, &svc) == 1;
      if (!found && dbus_activatable) {
        _cleanup_free_ char *searched = join_dirs(sdirs);
        missing = xasprintf("no D-Bus service file for %s in %s, nothing to override", bus, searched);
      }
    }
  } else if (dbus_activatable) {
    missing = xasprintf("%s is not a D-Bus name, so no service file can start it", bus);
  }
  if (found) {
    if ((r = rewrite_service(&svc, prefix.s, value, &sout)) < 0)
      goto out;
    buf_puts(&note, "# Activating the name stays sandboxed too: sbx also wrote\n# ../dbus-1/services/");
    buf_puts(&note, sname);
    buf_puts(&note, ", a D-Bus service file whose Exec runs\n"
                    "# the app through sbx, and which the session bus reads before the app's.\n");
  } else if (dbus_activatable && is_bus_name(bus)) {
    buf_puts(&note, "# No D-Bus service file for ");
    buf_puts(&note, bus);
    buf_puts(&note, " was found when this was written,\n"
                    "# so none is overridden; if the app gets one, run sbx --desktop-install\n"
                    "# again.\n");
  } else if (dbus_activatable) {
    buf_puts(&note, "# (The file name is not a D-Bus name, so nothing can activate the app.)\n");
  }
  if ((r = rewrite(&src, prefix.s, value, note.s ? note.s : "", &out)) < 0)
    goto out;

  /* Prepare both files, then put them in place together. */
  if (found) {
    if ((r = mkdir_parents(sdir, &made)) < 0 ||
        (r = change_write(&changes[n_changes++], sdir, sname, sout.s, sout.n)) < 0)
      goto out;
  } else if (old_override) {
    change_remove(&changes[n_changes++], sdest);
  }
  if ((r = mkdir_parents(dir, &made)) < 0 || (r = change_write(&changes[n_changes++], dir, id, out.s, out.n)) < 0 ||
      (r = commit_all(changes, n_changes)) < 0)
    goto out;
  printf("%s: runs %s with profile %s (from %s)%s%s\n", dest, program, shown, src.path,
         missing ? "; DBusActivatable=true, but " : "", missing ? missing : "");
  if (found)
    printf("%s: D-Bus activation of %s runs it with profile %s too (from %s)\n", sdest, bus, shown, svc.path);
  else if (old_override)
    printf("removed %s: %s has no D-Bus service any more\n", sdest, bus);
  fflush(stdout);
  if (found || old_override)
    reload_session_bus(sdest);
out:
  for (size_t i = 0; i < n_changes; i++)
    change_finish(&changes[i]);
  if (r < 0)
    rmdir_made(made);
  strv_free(made);
  free(prefix.s);
  free(out.s);
  free(sout.s);
  free(note.s);
  source_clear(&src);
  service_clear(&svc);
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
  _cleanup_free_ char *bus = bus_name_of(id), *sdir = service_dir(home);
  _cleanup_free_ char *sdest = xasprintf("%s/%s.service", sdir, bus);
  int desktop = written_by_sbx(dest, false, NULL, NULL);
  if (desktop < 0 && desktop != -ENOENT)
    return log_errno(desktop == -EISDIR ? EINVAL : -desktop, "Can't read %s", dest);
  if (desktop == 0)
    return log_fail(EPERM, "%s was not written by sbx (no %s key); not removing it", dest, MARK_PROFILE);
  /* The service override: ours goes too; anything else there is left. */
  int service = is_bus_name(bus) ? service_written_by_sbx(sdest, NULL, NULL) : -ENOENT;
  if (service < 0 && service != -ENOENT)
    return log_errno(service == -EISDIR ? EINVAL : -service, "Can't read %s", sdest);
  if (desktop != 1 && service != 1)
    return log_fail(ENOENT, "no %s: sbx has not installed %s", dest, id);

  struct change changes[2] = { 0 };
  size_t n = 0;
  if (service == 1)
    change_remove(&changes[n++], sdest);
  if (desktop == 1)
    change_remove(&changes[n++], dest);
  r = commit_all(changes, n);
  for (size_t i = 0; i < n; i++) {
    if (r == 0)
      printf("removed %s\n", changes[i].dest);
    change_finish(&changes[i]);
  }
  if (r == 0 && service == 0)
    printf("kept %s: not written by sbx\n", sdest);
  fflush(stdout);
  if (r == 0 && service == 1)
    reload_session_bus(sdest);
  return r;
}

/* The line for one of our files: NAME, profile, original, and the service
 * override of an entry ("-" when there is none). */
static void list_line(const char *name, const char *profile, const char *original, const char *service)
{
  printf("%s\t%s\t%s\t%s\n", name, profile, original ? original : "?", service ? service : "-");
}

int desktop_file_list(void)
{
  _cleanup_free_ char *home = data_home();
  if (!home)
    return log_fail(EINVAL, "neither XDG_DATA_HOME nor HOME is set to an absolute path");
  _cleanup_free_ char *dir = xasprintf("%s/applications", home), *sdir = service_dir(home);
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0;
  if (!d && errno != ENOENT)
    return log_errno(errno, "Can't read %s", dir);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len <= 8 || strcmp(de->d_name + len - 8, ".desktop") != 0)
      continue;
    names = xrealloc(names, (n + 1) * sizeof(char *));
    names[n++] = xstrdup(de->d_name);
  }
  if (d)
    closedir(d);
  if (n)
    qsort(names, n, sizeof(char *), cmp_str);
  /* The entries, each with its service override. */
  _cleanup_strv_ char **listed = xcalloc(1, sizeof(char *));
  size_t n_listed = 0;
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
    _cleanup_free_ char *profile = NULL, *original = NULL, *bus = bus_name_of(names[i]);
    if (written_by_sbx(path, false, &profile, &original) == 1) {
      _cleanup_free_ char *spath = xasprintf("%s/%s.service", sdir, bus);
      bool svc = is_bus_name(bus) && service_written_by_sbx(spath, NULL, NULL) == 1;
      list_line(names[i], profile, original, svc ? spath : NULL);
      if (svc) {
        listed = xrealloc(listed, (n_listed + 2) * sizeof(char *));
        listed[n_listed++] = xasprintf("%s.service", bus);
        listed[n_listed] = NULL;
      }
    }
    free(names[i]);
  }
  free(names);
  /* Overrides whose entry is gone (removed by hand): --desktop-remove still
   * takes them away. */
  _cleanup_strv_ char **snames = service_files(sdir);
  for (size_t i = 0; snames && snames[i]; i++) {
    bool seen = false;
    for (size_t j = 0; j < n_listed && !seen; j++)
      seen = strcmp(listed[j], snames[i]) == 0;
    _cleanup_free_ char *spath = xasprintf("%s/%s", sdir, snames[i]);
    _cleanup_free_ char *profile = NULL, *original = NULL;
    if (!seen && service_written_by_sbx(spath, &profile, &original) == 1)
      list_line(snames[i], profile, original, spath);
  }
  return 0;
}
