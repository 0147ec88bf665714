/* The .desktop entry sbx writes for --desktop-install.
 *
 * The copy is the original, line for line, except:
 *   - every Exec= (main group and [Desktop Action ...] groups) becomes
 *     `Exec=SBX --profile PROFILE -- ORIGINAL-VALUE` (see exec.c);
 *   - DBusActivatable=true is dropped (with a comment saying why): the session
 *     would start the app by activating its bus name, never reading Exec;
 *   - X-Sbx-Profile= and X-Sbx-Original= are added after [Desktop Entry];
 *     they mark the file as ours: we overwrite or remove only marked files.
 * TryExec is kept: it names the real program, so the entry still disappears
 * when the app is uninstalled.
 *
 * References: Desktop Entry Specification 1.5, "Recognized desktop entry
 * keys" and "D-Bus Activation". */
#include "install/entry.h"

#include <string.h>
#include <sys/stat.h>

#include "install/exec.h"
#include "install/xdg.h"
#include "util/util.h"

void source_clear(struct source *s)
{
  free(s->path);
  free(s->data);
  free(s->main_exec);
}

char *main_group_value(const char *data, const char *key) { return group_value(data, "Desktop Entry", key); }

int entry_written_by_sbx(const char *path, bool follow, char **profile, char **original)
{
  _cleanup_free_ char *data = NULL;
  int r = keyfile_read(path, follow, &data);
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

/* Our own copy (at dest, or another data dir named in $XDG_DATA_DIRS) is
 * skipped: the original is further down the path.  At dest, symlinks are
 * not followed: a link there is not ours to replace. */
int find_source(const char *id, const char *dest, struct source *src)
{
  _cleanup_strv_ char **dirs = data_dirs("applications", true);
  for (size_t i = 0; dirs[i]; i++) {
    _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], id);
    bool is_dest = strcmp(path, dest) == 0;
    struct stat st;
    if ((is_dest ? lstat(path, &st) : stat(path, &st)) < 0)
      continue;
    int r = entry_written_by_sbx(path, !is_dest, NULL, NULL);
    if (r == 1)
      continue;
    if (is_dest)
      return log_fail(EEXIST, "%s exists and was not written by sbx (no %s key); not overwriting it "
                              "(move it away to install a sandboxed copy)", path, MARK_PROFILE);
    if (r < 0)
      return log_errno(r == -EISDIR ? EINVAL : -r, "Can't read %s", path);
    r = keyfile_read(path, true, &src->data);
    if (r < 0)
      return log_errno(-r, "Can't read %s", path);
    src->path = steal_ptr(&path);
    return 0;
  }
  _cleanup_free_ char *searched = join_dirs(dirs);
  return log_fail(ENOENT, "no %s in %s", id, searched);
}

static bool is_group(const struct parsed_line *pl, const char *name, size_t len)
{
  return pl->name_len == len && memcmp(pl->name, name, len) == 0;
}

/* One key of [Desktop Entry]: refuse what can't be wrapped, keep Exec. */
static int source_check_key(struct source *src, const struct parsed_line *pl)
{
  if (name_is(pl, "Type") && !value_is(pl, "Application"))
    return log_fail(EINVAL, "%s: Type=%.*s: only applications (Type=Application) can run through sbx", src->path,
                    (int)pl->value_len, pl->value);
  if (name_is(pl, "Hidden") && value_is(pl, "true"))
    return log_fail(EINVAL, "%s: the entry is Hidden=true (deleted); nothing to install", src->path);
  if (name_is(pl, "Exec") && !src->main_exec)
    src->main_exec = unescape_string(pl->value, pl->value_len);
  return 0;
}

int source_check(struct source *src)
{
  size_t pos = 0, len;
  const char *line;
  int group = 0; /* 0 before any group, 1 [Desktop Entry], 2 another */
  bool seen_main = false;
  while (next_line(src->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP) {
      bool is_main = is_group(&pl, "Desktop Entry", 13);
      if (!seen_main && !is_main)
        break;
      seen_main |= is_main;
      group = is_main ? 1 : 2;
      continue;
    }
    if (pl.kind != LINE_KEY || group != 1)
      continue;
    int r = source_check_key(src, &pl);
    if (r < 0)
      return r;
  }
  if (!seen_main)
    return log_fail(EINVAL, "%s: not a desktop entry (the first group must be [Desktop Entry])", src->path);
  if (!src->main_exec)
    return log_fail(EINVAL, "%s: no Exec line (an app started only over D-Bus cannot be run through sbx)", src->path);
  return 0;
}

/* A group line, copied; after [Desktop Entry], our markers. */
static int put_group(struct buf *out, const struct source *src, const char *line, size_t len, bool is_main,
                     const char *profile_value)
{
  buf_add(out, line, len);
  buf_puts(out, "\n");
  if (!is_main)
    return 0;
  buf_puts(out, MARK_PROFILE "=");
  int r = string_value(out, profile_value, "the profile");
  if (r < 0)
    return r;
  buf_puts(out, "\n" MARK_ORIGINAL "=");
  if ((r = string_value(out, src->path, "the original's path")) < 0)
    return r;
  buf_puts(out, "\n");
  return 0;
}

/* DBusActivatable=true becomes a comment saying why it went, then what
 * became of the app's D-Bus service (dbus_note). */
static void put_dbus_activatable(struct buf *out, const struct parsed_line *pl, const char *line, size_t len,
                                 const char *dbus_note)
{
  if (!value_is(pl, "true")) {
    buf_add(out, line, len);
    buf_puts(out, "\n");
    return;
  }
  buf_puts(out, "# sbx: DBusActivatable=true removed: with it the session starts the app\n"
                "# by activating its D-Bus name, which never reads Exec and so never\n"
                "# runs sbx.  Without it, launchers run Exec, which goes through sbx.\n");
  buf_puts(out, dbus_note);
}

int entry_rewrite(const struct source *src, const char *exec_prefix, const char *profile_value,
                  const char *dbus_note, struct buf *out)
{
  size_t pos = 0, len;
  const char *line;
  int group = 0, r = 0; /* 0 none, 1 [Desktop Entry], 2 [Desktop Action ...], 3 other */
  buf_puts(out, "# Written by sbx --desktop-install: a per-user copy of the entry whose\n"
                "# Exec lines run the app in its sandbox.  Remove it with\n"
                "# sbx --desktop-remove; sbx overwrites or removes only files marked\n"
                "# with X-Sbx-Profile.\n");
  while (r == 0 && next_line(src->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_GROUP) {
      group = is_group(&pl, "Desktop Entry", 13)                                 ? 1
              : pl.name_len > 15 && memcmp(pl.name, "Desktop Action ", 15) == 0 ? 2
                                                                                 : 3;
      r = put_group(out, src, line, len, group == 1, profile_value);
    } else if (pl.kind == LINE_KEY && group == 1 && pl.name_len > 6 && memcmp(pl.name, "X-Sbx-", 6) == 0) {
      continue; /* ours, if the original carried any */
    } else if (pl.kind == LINE_KEY && (group == 1 || group == 2) && name_is(&pl, "Exec")) {
      r = exec_through_sbx(out, &pl, exec_prefix, src->path, line, len);
    } else if (pl.kind == LINE_KEY && group == 1 && name_is(&pl, "DBusActivatable")) {
      put_dbus_activatable(out, &pl, line, len, dbus_note);
    } else {
      buf_add(out, line, len);
      buf_puts(out, "\n");
    }
  }
  return r;
}
