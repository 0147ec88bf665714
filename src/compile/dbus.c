/* D-Bus access.  "full" binds the real bus socket; "filter" goes through
 * xdg-dbus-proxy (see launch/dbus-proxy.c; started by launch/launch.c); "none" (the
 * default) gives no bus.  Then /.flatpak-info (flatpak-info.c), which says
 * which buses are proxied. */
#include <string.h>
#include <sys/stat.h>

#include "compile/desktop.h"
#include "compile/flatpak-info.h"
#include "policy/query.h"
#include "util/bus-address.h"
#include "util/util.h"

/* Abstract Unix sockets belong to the network namespace, not to the file
 * system: with the host's network shared, the host bus is reachable from
 * inside by its name (it shows in /proc/net/unix), unfiltered, whatever
 * "dbus-session none|filter" says.  Nothing in the mount plan can hide it;
 * say so loudly, as the X11 module does for its abstract socket. */
static void warn_abstract_bus(struct compile_ctx *cc, bool system, enum bus_mode mode, const char *address)
{
  _cleanup_free_ char *name = bus_address_abstract(address);
  if (!cc->share_net || !name || mode == BUS_FULL)
    return;
  if (cc->abstract_scoped) {
    notes_add(cc->notes, "dbus %s bus: the host bus's abstract socket @%s is closed to the sandbox (Landlock scope)",
              system ? "system" : "session", name);
    return;
  }
  const char *what = system ? "system" : "session";
  log_warn("dbus: the sandbox shares the host's network namespace, so the %s bus's abstract socket (@%s) is "
           "reachable from inside, unfiltered, regardless of \"dbus-%s %s\" (use \"network none\")",
           what, name, what, bus_mode_name(mode));
  notes_add(cc->notes, "dbus %s bus: WARNING: shared network namespace: the host bus's abstract socket @%s is "
            "reachable unfiltered despite \"dbus-%s %s\"", what, name, what, bus_mode_name(mode));
}

static size_t count_rules(const struct compile_ctx *cc, bool system)
{
  return policy_count_bus_rules(cc->pol, system);
}

/* The sandbox gets no bus.  For the system bus that is the variable's
 * absence: clients then try /run/dbus/system_bus_socket, which the sandbox
 * does not have, and fail at once.  The session bus needs more: with
 * DBUS_SESSION_BUS_ADDRESS unset, GLib's GDBus and libdbus try
 * $XDG_RUNTIME_DIR/bus and then "autolaunch" -- with DISPLAY set they run
 * dbus-launch, which starts a private dbus-daemon inside the sandbox, and
 * the app then waits on it (Firefox for ~25 s: the D-Bus call timeout, as
 * the portal it asks for is activated there and never answers).  So name
 * the address the bus would have inside, in the app's private runtime dir,
 * where no socket is: both libraries fail the connect with ENOENT at once,
 * as on a host whose bus is not running.  ("disabled:" would fail at once
 * too -- GLib 2.74 and libdbus 1.14 reject it as an unknown transport --
 * but the error then reads like a broken address.)  DISPLAY stays: X11
 * apps need it. */
static void no_bus(struct compile_ctx *cc, bool system)
{
  if (system) {
    plan_unsetenv(cc->plan, "DBUS_SYSTEM_BUS_ADDRESS");
    return;
  }
  _cleanup_free_ char *absent = xasprintf("unix:path=%s/bus", cc->sandbox_runtime_dir);
  plan_setenv(cc->plan, "DBUS_SESSION_BUS_ADDRESS", absent);
  notes_add(cc->notes, "dbus session bus: DBUS_SESSION_BUS_ADDRESS=%s, where no socket is: clients fail at once "
            "instead of autolaunching a bus of their own", absent);
}

/* The policy's rules for one bus as xdg-dbus-proxy arguments on b; app_id
 * (or NULL) may own its name and names below it on the session bus. */
static void add_proxy_rules(const struct compile_ctx *cc, struct plan_bus *b, const char *app_id)
{
  strv_add(&b->rules, "--filter");
  /* Like Flatpak: the app may own its id and names below it (MPRIS-style
   * APPID.Instance123, APPID.Sandboxed...) on the session bus. */
  if (!b->system && app_id) {
    strv_addf(&b->rules, "--own=%s", app_id);
    strv_addf(&b->rules, "--own=%s.*", app_id);
  }
  size_t it = 0;
  struct bus_rule rule;
  /* call/broadcast keep their "NAME=RULE" argument as one word. */
  while (policy_next_bus_rule(cc->pol, b->system, &it, &rule))
    strv_addf(&b->rules, "--%s=%s", bus_verb_name(rule.verb), rule.arg);
}

/* Returns 1 when the bus goes through the proxy, 0 when not, < 0 on error. */
static int one_bus(struct compile_ctx *cc, bool system)
{
  const char *what = system ? "system" : "session";
  enum bus_mode mode = policy_bus_mode(cc->pol, system);
  warn_abstract_bus(cc, system, mode,
                    plan_getenv(cc->plan, system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS"));
  size_t n_rules = count_rules(cc, system);
  if (n_rules > 0 && mode != BUS_FILTER)
    notes_add(cc->notes, "dbus %s bus: %zu dbus-%s rule(s) ignored: they apply only with \"dbus-%s filter\"", what,
              n_rules, system ? "system-*" : "see/talk/own/call/broadcast", what);
  if (mode == BUS_NONE) {
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
  _cleanup_free_ char *host = bus_address_first_path(addr);
  _cleanup_free_ char *inside = system ? xstrdup("/run/dbus/system_bus_socket")
                                       : xasprintf("%s/bus", cc->sandbox_runtime_dir);
  _cleanup_free_ char *env = xasprintf("unix:path=%s", inside);
  const char *env_name = system ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS";
  struct stat st;
  /* A path socket must exist; other addresses (abstract, tcp) can only be
   * reached through the proxy, which keeps the host network namespace. */
  bool reachable = host ? stat(host, &st) == 0 && S_ISSOCK(st.st_mode) : (addr && mode == BUS_FILTER);
  if (!reachable) {
    notes_add(cc->notes, "dbus %s bus: no socket for address %s; not connected", what, addr ? addr : "(unset)");
    no_bus(cc, system);
    return 0;
  }
  if (mode == BUS_FULL) {
    pb_bind(&cc->ops, ACCESS_RO, host, inside, false);
    plan_setenv(cc->plan, env_name, env);
    notes_add(cc->notes, "dbus %s bus: full, unfiltered access to %s", what, host);
    return 0;
  }

  /* filter */
  struct plan_bus *b = plan_services_add_bus(cc_services(cc), system, addr);
  add_proxy_rules(cc, b, system ? NULL : policy_app_id(cc->pol));
  /* The socket's directory, not the socket: a bind pins the inode it is
   * given, so binding the socket would need it to exist when the sandbox
   * is built.  A directory shows what is created in it later, so the
   * sandbox is built while the proxy starts (the app waits for it:
   * plan->ready_fd).  The directory holds nothing but the socket.  The
   * system bus's is /run/dbus itself; the session bus's sits beside the
   * usual $XDG_RUNTIME_DIR/bus, which links to the socket in it. */
  _cleanup_free_ char *inside_dir = system ? xstrdup("/run/dbus")
                                           : xasprintf("%s/.dbus-proxy", cc->sandbox_runtime_dir);
  pb_bind(&cc->ops, ACCESS_RO, b->dir, inside_dir, false);
  if (!system)
    pb_symlink(&cc->ops, ".dbus-proxy/bus", inside);
  if (system)
    notes_add(cc->notes, "dbus %s bus: filtered by xdg-dbus-proxy: %s -> %s -> %s (its directory %s is bound at %s, "
              "so the socket may appear after the sandbox is built; the app starts once the proxy is ready)",
              what, addr, b->socket, inside, b->dir, inside_dir);
  else
    notes_add(cc->notes, "dbus %s bus: filtered by xdg-dbus-proxy: %s -> %s -> %s (a link to %s/bus; its directory "
              "%s is bound at %s, so the socket may appear after the sandbox is built; the app starts once the "
              "proxy is ready)", what, addr, b->socket, inside, inside_dir, b->dir, inside_dir);
  /* Last: addr may point into the variable this replaces. */
  plan_setenv(cc->plan, env_name, env);
  size_t len = 0;
  for (size_t i = 0; i < b->rules.n; i++)
    len += strlen(b->rules.v[i]) + 1;
  char *rules = xcalloc(len + 1, 1);
  for (size_t i = 0; i < b->rules.n; i++) {
    strcat(rules, i ? " " : "");
    strcat(rules, b->rules.v[i]);
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
  /* The proxy's own notes (which binary, its command) are launch's:
   * launch_explain. */
  return 0;
}
