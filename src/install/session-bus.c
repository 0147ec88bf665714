/* Telling the session bus about a changed service override.
 *
 * The session bus picks up a change in a service directory it watches,
 * but it watches only those that existed when it started -- and
 * ~/.local/share/dbus-1/services often did not.  So after changing our
 * override, ask the bus to reload (org.freedesktop.DBus.ReloadConfig, which
 * any client may call; through dbus-send, which waits for the answer, so
 * the override is in force when we return).  Without a session bus there
 * is nothing to do: the next one reads the directory when it starts.
 * Failing to reload is a warning, not an error: the files are in place. */
#include "install/session-bus.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util/util.h"

/* "unix:path=" + path, escaped as D-Bus addresses want (every byte but
 * [-0-9A-Za-z_/.\*] as %XX). */
static char *unix_address(const char *path)
{
  char *a = xmalloc(strlen("unix:path=") + 3 * strlen(path) + 1);
  char *o = stpcpy(a, "unix:path=");
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
    if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || strchr("-_/.\\*", *c))
      *o++ = (char)*c;
    else
      o += sprintf(o, "%%%02x", *c);
  }
  *o = '\0';
  return a;
}

/* --bus=ADDRESS for dbus-send, or NULL when there is no session bus. */
static char *bus_option(void)
{
  const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
  if (addr && *addr)
    return xasprintf("--bus=%s", addr);
  /* libdbus's default: $XDG_RUNTIME_DIR/bus (never its X11 autolaunch,
   * which could start a new bus). */
  const char *rt = getenv("XDG_RUNTIME_DIR");
  _cleanup_free_ char *sock = rt && rt[0] == '/' ? xasprintf("%s/bus", rt) : NULL;
  struct stat st;
  if (!sock || stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
    return NULL;
  _cleanup_free_ char *a = unix_address(sock);
  return xasprintf("--bus=%s", a);
}

void reload_session_bus(const char *service_file)
{
  _cleanup_free_ char *bus = bus_option();
  if (!bus)
    return;
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
