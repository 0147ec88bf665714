/* D-Bus access.  "full" binds the real bus socket; "filter" goes through
 * xdg-dbus-proxy (see launch/dbus-proxy.c; started by launch/services.c); "none" (the
 * default) gives no bus.  Then /.flatpak-info (flatpak-info.c), which says
 * which buses are proxied. */
#include <string.h>
#include <sys/stat.h>

#include "launch/dbus-proxy.h"
#include "desktop/desktop.h"
#include "desktop/flatpak-info.h"
#include "launch/services.h"
#include "util/util.h"

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

/* The abstract socket name in a D-Bus address list ("unix:abstract=NAME",
 * what dbus-launch and many desktop sessions use), or NULL. */
static char *abstract_name_of(const char *address)
{
  for (const char *a = address; a && *a; a += strcspn(a, ";"), a += *a == ';') {
    size_t len = strcspn(a, ";");
    if (strncmp(a, "unix:", 5) != 0)
      continue;
    for (const char *kv = a + 5; kv < a + len; kv += strcspn(kv, ",;"), kv += *kv == ',') {
      if (strncmp(kv, "abstract=", 9) == 0)
        return xasprintf("%.*s", (int)strcspn(kv + 9, ",;"), kv + 9);
    }
  }
  return NULL;
}

/* Abstract Unix sockets belong to the network namespace, not to the file
 * system: with the host's network shared, the host bus is reachable from
 * inside by its name (it shows in /proc/net/unix), unfiltered, whatever
 * "dbus-session none|filter" says.  Nothing in the mount plan can hide it;
 * say so loudly, as the X11 module does for its abstract socket. */
static void warn_abstract_bus(struct compile_ctx *cc, bool system, const char *mode, const char *address)
{
  _cleanup_free_ char *name = abstract_name_of(address);
  if (!cc->share_net || !name || strcmp(mode, "full") == 0)
    return;
  const char *what = system ? "system" : "session";
  log_warn("dbus: the sandbox shares the host's network namespace, so the %s bus's abstract socket (@%s) is "
           "reachable from inside, unfiltered, regardless of \"dbus-%s %s\" (use \"network none\")",
           what, name, what, mode);
  notes_add(cc->notes, "dbus %s bus: WARNING: shared network namespace: the host bus's abstract socket @%s is "
            "reachable unfiltered despite \"dbus-%s %s\"", what, name, what, mode);
}

static size_t count_rules(const struct compile_ctx *cc, bool system)
{
  size_t it = 0, n = 0;
  while (policy_next(cc->pol, system ? "dbus-system:" : "dbus-session:", &it))
    n++;
  return n;
}

static void no_bus(struct compile_ctx *cc, bool system)
{
  plan_unsetenv(cc->plan, system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS");
}

static void note_argv(struct compile_ctx *cc, const struct services *s)
{
  char **argv = dbus_proxy_argv(s, -1, -1, true);
  size_t len = 0;
  for (size_t i = 0; argv[i]; i++)
    len += strlen(argv[i]) + 1;
  char *line = xmalloc(len + 1);
  line[0] = '\0';
  for (size_t i = 0; argv[i]; i++) {
    strcat(line, i ? " " : "");
    strcat(line, argv[i]);
  }
  notes_add(cc->notes, "dbus proxy command: %s", line);
  free(line);
  strv_free(argv);
}

/* Returns 1 when the bus goes through the proxy, 0 when not, < 0 on error. */
static int one_bus(struct compile_ctx *cc, bool system)
{
  const char *what = system ? "system" : "session";
  const char *mode = policy_value(cc->pol, system ? "dbus-system" : "dbus-session");
  if (!mode)
    mode = "none";
  warn_abstract_bus(cc, system, mode,
                    plan_getenv(cc->plan, system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS"));
  size_t n_rules = count_rules(cc, system);
  if (n_rules > 0 && strcmp(mode, "filter") != 0)
    notes_add(cc->notes, "dbus %s bus: %zu dbus-%s rule(s) ignored: they apply only with \"dbus-%s filter\"", what,
              n_rules, system ? "system-*" : "see/talk/own/call/broadcast", what);
  if (strcmp(mode, "none") == 0) {
    notes_add(cc->notes, "dbus %s bus: none", what);
    no_bus(cc, system);
    return 0;
  }
  const char *addr = plan_getenv(cc->plan, system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS");
  _cleanup_free_ char *fallback = NULL;
  if (!addr || !*addr) {
    if (system)
      addr = "unix:path=/run/dbus/system_bus_socket";
    else if (cc->host_runtime_dir)
      addr = fallback = xasprintf("unix:path=%s/bus", cc->host_runtime_dir);
    else
      addr = NULL;
  }
  _cleanup_free_ char *host = unix_path_of(addr);
  _cleanup_free_ char *inside = system ? xstrdup("/run/dbus/system_bus_socket")
                                       : xasprintf("%s/bus", cc->sandbox_runtime_dir);
  _cleanup_free_ char *env = xasprintf("unix:path=%s", inside);
  const char *env_name = system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS";
  struct stat st;
  /* A path socket must exist; other addresses (abstract, tcp) can only be
   * reached through the proxy, which keeps the host network namespace. */
  bool reachable = host ? stat(host, &st) == 0 && S_ISSOCK(st.st_mode) : (addr && strcmp(mode, "filter") == 0);
  if (!reachable) {
    notes_add(cc->notes, "dbus %s bus: no socket for address %s; not connected", what, addr ? addr : "(unset)");
    no_bus(cc, system);
    return 0;
  }
  if (strcmp(mode, "full") == 0) {
    cc_bind(cc, ACCESS_RO, host, inside, false);
    plan_setenv(cc->plan, env_name, env);
    notes_add(cc->notes, "dbus %s bus: full, unfiltered access to %s", what, host);
    return 0;
  }

  /* filter */
  struct services *s = services_get(cc->plan, cc->host_runtime_dir);
  if (!s->proxy_binary)
    s->proxy_binary = dbus_proxy_find_binary(getenv("PATH"));
  struct service_bus *b = services_add_bus(s, system, addr);
  dbus_proxy_add_rules(cc, b, system ? NULL : policy_value(cc->pol, "app-id"));
  cc_bind(cc, ACCESS_RO, b->socket, inside, false);
  /* Before plan_setenv: addr may be the environment entry it replaces. */
  notes_add(cc->notes, "dbus %s bus: filtered by xdg-dbus-proxy: %s -> %s -> %s", what, addr, b->socket, inside);
  plan_setenv(cc->plan, env_name, env);
  size_t len = 0;
  for (size_t i = 0; i < b->n_rules; i++)
    len += strlen(b->rules[i]) + 1;
  char *rules = xcalloc(len + 1, 1);
  for (size_t i = 0; i < b->n_rules; i++) {
    strcat(rules, i ? " " : "");
    strcat(rules, b->rules[i]);
  }
  notes_add(cc->notes, "dbus %s bus rules: %s (everything else is invisible)", what, rules);
  free(rules);
  return 1;
}

int desktop_dbus(struct compile_ctx *cc)
{
  /* Set by dbus-daemon for a service it activated: they name the host's bus,
   * which the sandbox either cannot reach or must not reach unfiltered; the
   * sandbox's buses are in DBUS_SESSION/SYSTEM_BUS_ADDRESS. */
  plan_unsetenv(cc->plan, "DBUS_STARTER_ADDRESS");
  plan_unsetenv(cc->plan, "DBUS_STARTER_BUS_TYPE");
  int session = one_bus(cc, false);
  if (session < 0)
    return session;
  int system = one_bus(cc, true);
  if (system < 0)
    return system;
  int r = desktop_flatpak_info(cc, session > 0, system > 0);
  if (r < 0)
    return r;
  struct services *s = cc->plan->services;
  if (s && s->n_buses > 0) {
    notes_add(cc->notes, "dbus proxy: %s, in its own sandbox; sockets in %s (mode 0700), removed when the sandbox ends",
              s->proxy_binary ? s->proxy_binary : "xdg-dbus-proxy (NOT FOUND: the sandbox would fail to start)",
              s->runtime_dir);
    note_argv(cc, s);
  }
  return 0;
}
