/* The D-Bus service override of --desktop-install.
 *
 * Dropping DBusActivatable from the .desktop copy only changes what
 * launchers do.  Anything else that activates the app's bus name (a portal,
 * a notification, a plain method call to it) makes the session bus run the
 * Exec line of the app's D-Bus service file, bypassing us.  The bus reads
 * $XDG_DATA_HOME/dbus-1/services before $XDG_DATA_DIRS/dbus-1/services, so
 * for a DBusActivatable app we also write a per-user service file for the
 * same name: the original's keys, but Exec going through sbx with the same
 * profile, and no SystemdService (with it the bus asks systemd to start
 * that unit instead of running Exec).  It is marked by "# X-Sbx-Profile="
 * and "# X-Sbx-Original=" comment lines (the keys of a service file are
 * dbus-daemon's to define).
 *
 * References: the D-Bus Specification, "Bus names" and "Message Bus
 * Starting Services (Activation)"; dbus-daemon(1),
 * <standard_session_servicedirs/>. */
#include "install/service.h"

#include <string.h>

#include "install/exec.h"
#include "install/xdg.h"
#include "util/util.h"

#define SERVICE_GROUP "D-BUS Service"
#define SERVICE_MARK_PROFILE "# " MARK_PROFILE "="
#define SERVICE_MARK_ORIGINAL "# " MARK_ORIGINAL "="

void service_clear(struct service *s)
{
  free(s->path);
  free(s->data);
}

/* Two or more dot-separated elements of [A-Za-z0-9_-], none empty or
 * starting with a digit, at most 255 characters. */
bool is_bus_name(const char *s)
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

/* Ours when it has our "# X-Sbx-Profile=" line; a symlink never is. */
int service_written_by_sbx(const char *path, char **profile, char **original)
{
  _cleanup_free_ char *data = NULL;
  int r = keyfile_read(path, false, &data);
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
  if (keyfile_read(path, true, &d) < 0)
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

char **service_files(const char *dir)
{
  char **v = NULL;
  return dir_files(dir, ".service", &v) < 0 ? NULL : v;
}

/* BUS.service when it declares the name, else any *.service in the same
 * directory that does (the bus reads them all). */
int find_service(char **dirs, const char *bus, struct service *svc)
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

/* A file at dest that sbx did not write is refused, and so is any other
 * file in dir declaring the same name (the bus would pick one of the two,
 * arbitrarily). */
int check_service_dest(const char *dir, const char *bus, const char *dest, bool *ours)
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

static int put_service_header(struct buf *out, const struct service *svc, const char *profile_value)
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
  return 0;
}

static void put_no_systemd_service(struct buf *out, const struct parsed_line *pl)
{
  buf_puts(out, "# sbx: SystemdService=");
  buf_add(out, pl->value, pl->value_len);
  buf_puts(out, " removed: with it the bus asks\n"
                "# systemd to start that unit instead of running Exec, and the app\n"
                "# would start outside its sandbox.\n");
}

/* The header with our marker lines, then the original line for line,
 * except that Exec runs through sbx and SystemdService is dropped. */
int service_rewrite(const struct service *svc, const char *exec_prefix, const char *profile_value, struct buf *out)
{
  int r = put_service_header(out, svc, profile_value);
  size_t pos = 0, len;
  const char *line;
  bool in_service = false, seen_exec = false;
  while (r == 0 && next_line(svc->data, &pos, &line, &len)) {
    struct parsed_line pl = parse_line(line, len);
    if (pl.kind == LINE_OTHER && len >= 8 && memcmp(line, "# X-Sbx-", 8) == 0)
      continue; /* markers of ours, if the original carried any */
    if (pl.kind == LINE_GROUP)
      in_service = name_is(&pl, SERVICE_GROUP);
    if (pl.kind == LINE_KEY && in_service && name_is(&pl, "Exec")) {
      r = exec_through_sbx(out, &pl, exec_prefix, svc->path, line, len);
      seen_exec = true;
    } else if (pl.kind == LINE_KEY && in_service && name_is(&pl, "SystemdService")) {
      put_no_systemd_service(out, &pl);
    } else {
      buf_add(out, line, len);
      buf_puts(out, "\n");
    }
  }
  if (r == 0 && !seen_exec)
    return log_fail(EINVAL, "%s: no Exec line in [" SERVICE_GROUP "]: sbx can't run the service, and leaving it "
                            "would let D-Bus activation start the app outside its sandbox", svc->path);
  return r;
}
