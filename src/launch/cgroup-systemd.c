/* A transient systemd scope for sbx: see cgroup-systemd.h. */
#include "launch/cgroup-systemd.h"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/bus-probe.h"
#include "util/util.h"

#if HAVE_SYSTEMD
#include <dlfcn.h>
#include <sys/random.h>
#include <time.h>
#include <systemd/sd-bus.h>

static const char no_manager[] = "there is no systemd user manager on the user bus to ask for a delegated scope";

/* The sd-bus calls used, from libsystemd.so.0 (dlopen: linking libsystemd
 * costs every sbx start its many dependencies). */
struct sdbus_api {
  int (*open_user)(sd_bus **);
  int (*new_bus)(sd_bus **);
  int (*set_address)(sd_bus *, const char *);
  int (*start)(sd_bus *);
  int (*new_method_call)(sd_bus *, sd_bus_message **, const char *, const char *, const char *, const char *);
  int (*append)(sd_bus_message *, const char *, ...);
  int (*open_container)(sd_bus_message *, char, const char *);
  int (*close_container)(sd_bus_message *);
  int (*call)(sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, sd_bus_message **);
  int (*read)(sd_bus_message *, const char *, ...);
  int (*match_signal)(sd_bus *, sd_bus_slot **, const char *, const char *, const char *, const char *,
                      sd_bus_message_handler_t, void *);
  int (*process)(sd_bus *, sd_bus_message **);
  int (*wait)(sd_bus *, uint64_t);
  sd_bus_message *(*message_unref)(sd_bus_message *);
  sd_bus *(*flush_close_unref)(sd_bus *);
  sd_bus_slot *(*slot_unref)(sd_bus_slot *);
  void (*error_free)(sd_bus_error *);
};

static const struct sdbus_api *sdbus_load(void)
{
  static struct sdbus_api api;
  static int state; /* 0 not tried, 1 loaded, -1 absent */
  if (state)
    return state > 0 ? &api : NULL;
  state = -1;
  void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return NULL;
  struct { void **slot; const char *name; } syms[] = {
    { (void **)&api.open_user, "sd_bus_open_user" },
    { (void **)&api.new_bus, "sd_bus_new" },
    { (void **)&api.set_address, "sd_bus_set_address" },
    { (void **)&api.start, "sd_bus_start" },
    { (void **)&api.new_method_call, "sd_bus_message_new_method_call" },
    { (void **)&api.append, "sd_bus_message_append" },
    { (void **)&api.open_container, "sd_bus_message_open_container" },
    { (void **)&api.close_container, "sd_bus_message_close_container" },
    { (void **)&api.call, "sd_bus_call" },
    { (void **)&api.read, "sd_bus_message_read" },
    { (void **)&api.match_signal, "sd_bus_match_signal" },
    { (void **)&api.process, "sd_bus_process" },
    { (void **)&api.wait, "sd_bus_wait" },
    { (void **)&api.message_unref, "sd_bus_message_unref" },
    { (void **)&api.flush_close_unref, "sd_bus_flush_close_unref" },
    { (void **)&api.slot_unref, "sd_bus_slot_unref" },
    { (void **)&api.error_free, "sd_bus_error_free" },
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if (!(*syms[i].slot = dlsym(h, syms[i].name)))
      return NULL;
  state = 1;
  return &api;
}

/* How long systemd may take to start the scope (its job). */
#define SCOPE_JOB_TIMEOUT_USEC (10ULL * 1000 * 1000)

struct job_wait {
  const struct sdbus_api *api;
  const char *job; /* the job's object path, once StartTransientUnit said it */
  char result[32]; /* "done", "failed"...; empty while waiting */
};

/* JobRemoved(u id, o job, s unit, s result): ours ends the wait. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
  (void)err;
  struct job_wait *w = userdata;
  uint32_t id;
  const char *job, *unit, *result;
  if (w->job && w->api->read(m, "uoss", &id, &job, &unit, &result) >= 0 && strcmp(job, w->job) == 0)
    snprintf(w->result, sizeof w->result, "%s", result);
  return 0;
}

/* StartTransientUnit(name, "fail", properties, no aux units): the scope
 * takes sbx (PIDs), is delegated (Delegate: sbx may make child cgroups and
 * enable controllers there), and is collected once it is empty.  PID 0 is
 * the caller as systemd sees it (the peer's credentials): getpid() is
 * another process's number outside a pid namespace sbx runs in (seen:
 * "Process 2 is a kernel thread, refusing"). */
static int start_scope(const struct sdbus_api *api, sd_bus *bus, const char *unit, sd_bus_message **reply,
                       sd_bus_error *error)
{
  sd_bus_message *m = NULL;
  int r = api->new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartTransientUnit");
  if (r >= 0)
    r = api->append(m, "ss", unit, "fail");
  if (r >= 0)
    r = api->open_container(m, 'a', "(sv)");
  if (r >= 0)
    r = api->append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", "sbx sandbox", "PIDs", "au", 1, (uint32_t)0,
                    "Delegate", "b", 1, "CollectMode", "s", "inactive-or-failed", "Slice", "s", "app.slice");
  if (r >= 0)
    r = api->close_container(m);
  if (r >= 0)
    r = api->append(m, "a(sa(sv))", 0);
  if (r >= 0)
    r = api->call(bus, m, SCOPE_JOB_TIMEOUT_USEC, error, reply);
  if (m)
    api->message_unref(m);
  return r;
}

static int wait_job(const struct sdbus_api *api, sd_bus *bus, struct job_wait *w)
{
  for (int rounds = 0; !w->result[0] && rounds < 100; rounds++) {
    int r = api->process(bus, NULL);
    if (r < 0)
      return r;
    if (r == 0 && (r = api->wait(bus, SCOPE_JOB_TIMEOUT_USEC / 100)) < 0)
      return r;
  }
  return w->result[0] ? 0 : -ETIMEDOUT;
}

/* Is systemd on this bus?  NameHasOwner, which activates nothing: a bus
 * without a user manager may still have a .service file for it (Debian
 * ships one that fails), and calling it would start that instead. */
static bool manager_present(const struct sdbus_api *api, sd_bus *bus)
{
  sd_bus_message *m = NULL, *reply = NULL;
  int owned = 0;
  int r = api->new_method_call(bus, &m, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner");
  if (r >= 0)
    r = api->append(m, "s", "org.freedesktop.systemd1");
  if (r >= 0)
    r = api->call(bus, m, SCOPE_JOB_TIMEOUT_USEC, NULL, &reply);
  if (r >= 0)
    r = api->read(reply, "b", &owned);
  if (m)
    api->message_unref(m);
  if (reply)
    api->message_unref(reply);
  return r >= 0 && owned;
}

/* A D-Bus address value: bytes other than [-0-9A-Za-z_/.] as %XX. */
static char *address_escape(const char *path)
{
  struct buf b = { 0 };
  buf_printf(&b, "unix:path=");
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || strchr("-_/.", *p))
      buf_printf(&b, "%c", *p);
    else
      buf_printf(&b, "%%%02x", *p);
  return b.s;
}

/* The manager's own socket, $XDG_RUNTIME_DIR/systemd/private, as
 * systemctl --user and podman use it: a direct connection to systemd.
 * The user bus is not enough alone: on a fresh session dbus.socket starts
 * the bus for its first client, and the manager joins it only a moment
 * later, so a first sbx asking NameHasOwner there found no manager
 * (tests/test-systemd.sh, its first check). */
static char *private_socket(void)
{
  const char *rt = getenv("XDG_RUNTIME_DIR");
  _cleanup_free_ char *path = rt && rt[0] == '/' ? xasprintf("%s/systemd/private", rt) : NULL;
  struct stat st;
  /* Ours only: root with a user's XDG_RUNTIME_DIR (sudo) must not put
   * itself in that user's scope. */
  if (!path || stat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
    return NULL;
  return steal_ptr(&path);
}

/* Connect to the user manager: its private socket, else the user bus if
 * the manager is on it.  *direct: no bus in between (messages there carry
 * no sender to match).  0, or -ENOTCONN with *why. */
static int open_manager(const struct sdbus_api *api, sd_bus **bus, bool *direct, char **why)
{
  _cleanup_free_ char *sock = private_socket();
  if (sock) {
    _cleanup_free_ char *address = address_escape(sock);
    int r = api->new_bus(bus);
    if (r >= 0 && (r = api->set_address(*bus, address)) >= 0 && (r = api->start(*bus)) >= 0) {
      *direct = true;
      return 0;
    }
    if (*bus)
      api->flush_close_unref(*bus);
    *bus = NULL;
  }
  *direct = false;
  int r = api->open_user(bus);
  if (r < 0) {
    *why = xasprintf("can't connect to the user bus: %s", strerror(-r));
    return -ENOTCONN;
  }
  if (!manager_present(api, *bus)) {
    *why = xstrdup(no_manager);
    api->flush_close_unref(*bus);
    *bus = NULL;
    return -ENOTCONN;
  }
  return 0;
}

/* No manager's socket, and the user bus says no manager is on it: the
 * common case off a systemd desktop, answered without libsystemd
 * (bus-probe.c).  A bus that can't say is asked again through sd-bus. */
static bool surely_no_manager(void)
{
  _cleanup_free_ char *sock = private_socket();
  return !sock && bus_name_has_owner(getenv("DBUS_SESSION_BUS_ADDRESS"), "org.freedesktop.systemd1") == 0;
}

int systemd_enter_scope(const char *name, char **why)
{
  *why = NULL;
  if (surely_no_manager()) {
    *why = xstrdup(no_manager);
    return -ENOTCONN;
  }
  const struct sdbus_api *api = sdbus_load();
  if (!api) {
    *why = xstrdup("libsystemd.so.0 can't be loaded");
    return -ENOSYS;
  }
  sd_bus *bus = NULL;
  sd_bus_slot *slot = NULL;
  sd_bus_message *reply = NULL;
  sd_bus_error error = SD_BUS_ERROR_NULL;
  struct job_wait w = { .api = api };
  /* A unit name has at most 255 characters, a sandbox's name no limit:
   * the scope's name carries the first 200 (it is a label: the registry
   * keeps the whole name). */
  _cleanup_free_ char *unit = xasprintf("app-sbx-%.200s-%d.scope", name, (int)getpid());
  bool direct;
  int r = open_manager(api, &bus, &direct, why);
  if (r < 0)
    return r;
  r = api->match_signal(bus, &slot, direct ? NULL : "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
  if (r >= 0)
    r = start_scope(api, bus, unit, &reply, &error);
  /* The name is taken when sbx runs in a pid namespace where another sbx
   * had the same pid and name: a random suffix makes it unique. */
  for (int tries = 0; r < 0 && error.name && strcmp(error.name, "org.freedesktop.systemd1.UnitExists") == 0 &&
                      tries < 3; tries++) {
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) < 0)
      rnd = (uint32_t)time(NULL) ^ (uint32_t)tries;
    free(unit);
    unit = xasprintf("app-sbx-%.200s-%d-%08x.scope", name, (int)getpid(), rnd);
    api->error_free(&error);
    r = start_scope(api, bus, unit, &reply, &error);
  }
  if (r < 0) {
    r = log_fail(-r, "systemd could not start the scope %s: %s", unit, error.message ? error.message : strerror(-r));
  } else if ((r = api->read(reply, "o", &w.job)) < 0 || (r = wait_job(api, bus, &w)) < 0) {
    r = log_errno(-r, "waiting for systemd to start the scope %s", unit);
  } else if (strcmp(w.result, "done") != 0) {
    r = log_fail(EIO, "systemd could not start the scope %s (job result: %s)", unit, w.result);
  }
  api->error_free(&error);
  if (reply)
    api->message_unref(reply);
  if (slot)
    api->slot_unref(slot);
  api->flush_close_unref(bus);
  return r;
}

bool systemd_scope_possible(void)
{
  _cleanup_free_ char *sock = private_socket();
  if (sock || getenv("DBUS_SESSION_BUS_ADDRESS"))
    return true;
  const char *rt = getenv("XDG_RUNTIME_DIR");
  _cleanup_free_ char *bus = rt && rt[0] == '/' ? xasprintf("%s/bus", rt) : NULL;
  return bus && is_socket(bus);
}

#else /* !HAVE_SYSTEMD */

bool systemd_scope_possible(void)
{
  return false;
}

int systemd_enter_scope(const char *name, char **why)
{
  (void)name;
  *why = xstrdup("sbx was built without sd-bus");
  return -ENOSYS;
}

#endif
