/* D-Bus access.  "full" binds the real bus socket; "filter" goes through
 * xdg-dbus-proxy (see dbus-proxy.c); "none" (the default) gives no bus. */
#include <string.h>
#include <sys/stat.h>

#include "desktop/desktop.h"
#include "util.h"

/* unix:path=/run/user/1000/bus[,guid=...] -> /run/user/1000/bus */
static char *unix_path_of(const char *address)
{
  if (!address || strncmp(address, "unix:", 5) != 0)
    return NULL;
  const char *p = strstr(address, "path=");
  if (!p)
    return NULL;
  p += 5;
  return xasprintf("%.*s", (int)strcspn(p, ",;"), p);
}

static int one_bus(struct compile_ctx *cc, bool system)
{
  const char *mode = policy_value(cc->pol, system ? "dbus-system" : "dbus-session");
  if (!mode || strcmp(mode, "none") == 0) {
    notes_add(cc->notes, "dbus %s bus: none", system ? "system" : "session");
    if (!system)
      plan_unsetenv(cc->plan, "DBUS_SESSION_BUS_ADDRESS");
    return 0;
  }
  const char *addr = system ? plan_getenv(cc->plan, "DBUS_SYSTEM_BUS_ADDRESS") : plan_getenv(cc->plan, "DBUS_SESSION_BUS_ADDRESS");
  _cleanup_free_ char *fallback = NULL;
  if (!addr) {
    if (system)
      addr = "unix:path=/run/dbus/system_bus_socket";
    else if (cc->host_runtime_dir)
      addr = fallback = xasprintf("unix:path=%s/bus", cc->host_runtime_dir);
  }
  _cleanup_free_ char *host = unix_path_of(addr);
  const char *inside = system ? "/run/dbus/system_bus_socket" : NULL;
  _cleanup_free_ char *inside_session = system ? NULL : xasprintf("%s/bus", cc->sandbox_runtime_dir);
  if (!inside)
    inside = inside_session;
  struct stat st;
  if (!host || stat(host, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    notes_add(cc->notes, "dbus %s bus: no socket for address %s; not connected", system ? "system" : "session",
              addr ? addr : "(unset)");
    if (!system)
      plan_unsetenv(cc->plan, "DBUS_SESSION_BUS_ADDRESS");
    return 0;
  }
  _cleanup_free_ char *env = xasprintf("unix:path=%s", inside);
  if (strcmp(mode, "full") == 0) {
    cc_bind(cc, ACCESS_RO, host, inside, false);
    plan_setenv(cc->plan, system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS", env);
    notes_add(cc->notes, "dbus %s bus: full, unfiltered access to %s", system ? "system" : "session", host);
    return 0;
  }
  return log_fail(ENOTSUP, "dbus-%s filter: the filtering proxy is not available in this build yet",
                  system ? "system" : "session");
}

int desktop_dbus(struct compile_ctx *cc)
{
  int r = one_bus(cc, false);
  return r < 0 ? r : one_bus(cc, true);
}
