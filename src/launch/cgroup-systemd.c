/* A transient systemd scope for sbx: see cgroup-systemd.h. */
#include "launch/cgroup-systemd.h"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/bus-probe.h"
#include "util/util.h"

/* ---- the limits as unit properties -------------------------------------- */

/* The plan holds each limit as the line for its cgroup file (policy/
 * limits.c made it): these turn those lines into the unit properties
 * systemd writes the same files from (systemd.resource-control(5); the
 * D-Bus types as `busctl --user introspect` shows them on systemd 252). */

void scope_props_free(struct scope_props *p)
{
  for (size_t i = 0; i < p->n; i++)
    free(p->v[i].mask);
  free(p->v);
  memset(p, 0, sizeof *p);
}

static struct scope_prop *push_prop(struct scope_props *out, const char *name, const char *type, uint64_t num)
{
  struct scope_prop *p = ARRAY_PUSH(out->v, out->n, out->cap);
  p->name = name;
  p->type = type;
  p->num = num;
  return p;
}

/* A number, or the kernel's "max": systemd's "infinity", UINT64_MAX on
 * the bus. */
static int limit_number(const char *s, uint64_t *out)
{
  unsigned long long v;
  if (strcmp(s, "max") == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  if (parse_uint(s, &v) < 0)
    return -EINVAL;
  *out = v;
  return 0;
}

/* cpu.max is "QUOTA PERIOD" in microseconds; CPUQuotaPerSecUSec is the
 * quota per second of wall clock, which systemd writes over its default
 * period (CPUQuotaPeriodSec unset: 100 ms, the period of the plan's line),
 * so "50000 100000" comes back as the same line. */
static int cpu_quota(const char *value, uint64_t *out)
{
  char quota[32];
  unsigned long long period, q;
  if (sscanf(value, "%31s %llu", quota, &period) != 2 || period == 0)
    return -EINVAL;
  if (strcmp(quota, "max") == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  if (parse_uint(quota, &q) < 0 || q > UINT64_MAX / 1000000)
    return -EINVAL;
  *out = q * 1000000 / period;
  return 0;
}

/* More CPUs than any machine sbx runs on has; the kernel refuses a CPU
 * that isn't there, systemd just sends it on. */
#define MAX_CPUS 65536

/* cpuset.cpus "0-1,3" as AllowedCPUs' mask: bit C%8 of byte C/8 is CPU C. */
static int cpu_mask(const char *list, struct scope_prop *p)
{
  _cleanup_free_ char *copy = xstrdup(list);
  char *save = NULL;
  for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
    unsigned long long lo, hi;
    char *dash = strchr(w, '-');
    if (dash)
      *dash = '\0';
    if (parse_uint(w, &lo) < 0 || parse_uint(dash ? dash + 1 : w, &hi) < 0 || hi < lo || hi >= MAX_CPUS)
      return -EINVAL;
    if (hi / 8 + 1 > p->mask_len) {
      p->mask = xrealloc(p->mask, hi / 8 + 1);
      memset(p->mask + p->mask_len, 0, hi / 8 + 1 - p->mask_len);
      p->mask_len = hi / 8 + 1;
    }
    for (unsigned long long c = lo; c <= hi; c++)
      p->mask[c / 8] |= (uint8_t)(1u << (c % 8));
  }
  return p->mask_len ? 0 : -EINVAL;
}

/* io.max "MAJ:MIN rbps=N wbps=N riops=N wiops=N" (any of the four): one
 * property each, for the device by its path (systemd finds the disk it is
 * or is on, as compile did for MAJ:MIN). */
static int io_max_props(const struct plan_limit *l, struct scope_props *out)
{
  static const struct { const char *key, *prop; } keys[] = {
    { "rbps", "IOReadBandwidthMax" }, { "wbps", "IOWriteBandwidthMax" },
    { "riops", "IOReadIOPSMax" },     { "wiops", "IOWriteIOPSMax" },
  };
  const char *sp = strchr(l->value, ' ');
  if (!l->device || !sp)
    return -EINVAL;
  _cleanup_free_ char *copy = xstrdup(sp + 1);
  char *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    char *eq = strchr(w, '=');
    uint64_t v;
    size_t k;
    if (!eq)
      return -EINVAL;
    *eq = '\0';
    for (k = 0; k < 4 && strcmp(w, keys[k].key) != 0; k++)
      ;
    if (k == 4 || limit_number(eq + 1, &v) < 0)
      return -EINVAL;
    push_prop(out, keys[k].prop, "a(st)", v)->path = l->device;
  }
  return 0;
}

/* io.weight "default N" (IOWeight) or "MAJ:MIN N" (IODeviceWeight). */
static int io_weight_prop(const struct plan_limit *l, struct scope_props *out)
{
  const char *sp = strchr(l->value, ' ');
  uint64_t v;
  if (!sp || limit_number(sp + 1, &v) < 0 || v == UINT64_MAX)
    return -EINVAL;
  if (strncmp(l->value, "default ", 8) == 0) {
    push_prop(out, "IOWeight", "t", v);
    return 0;
  }
  if (!l->device)
    return -EINVAL;
  push_prop(out, "IODeviceWeight", "a(st)", v)->path = l->device;
  return 0;
}

static int limit_prop(const struct plan_limit *l, struct scope_props *out)
{
  static const struct { const char *file, *prop; } numbers[] = {
    { "memory.max", "MemoryMax" }, { "memory.high", "MemoryHigh" }, { "memory.swap.max", "MemorySwapMax" },
    { "cpu.weight", "CPUWeight" }, { "pids.max", "TasksMax" },
  };
  uint64_t v;
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    if (strcmp(l->file, numbers[i].file) != 0)
      continue;
    if (limit_number(l->value, &v) < 0)
      return -EINVAL;
    push_prop(out, numbers[i].prop, "t", v);
    return 0;
  }
  if (strcmp(l->file, "cpu.max") == 0) {
    if (cpu_quota(l->value, &v) < 0)
      return -EINVAL;
    push_prop(out, "CPUQuotaPerSecUSec", "t", v);
    return 0;
  }
  if (strcmp(l->file, "cpuset.cpus") == 0)
    return cpu_mask(l->value, push_prop(out, "AllowedCPUs", "ay", 0));
  if (strcmp(l->file, "io.max") == 0)
    return io_max_props(l, out);
  if (strcmp(l->file, "io.weight") == 0)
    return io_weight_prop(l, out);
  return -EINVAL; /* a limit this table doesn't know yet */
}

/* Without a message: --explain asks too. */
static const struct plan_limit *convert_limits(const struct plan_cgroup *pc, struct scope_props *out)
{
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < pc->n_limits; i++)
    if (limit_prop(&pc->limits[i], out) < 0) {
      scope_props_free(out);
      return &pc->limits[i];
    }
  return NULL;
}

int systemd_limit_props(const struct plan_cgroup *pc, struct scope_props *out)
{
  const struct plan_limit *bad = convert_limits(pc, out);
  if (bad)
    return log_fail(EINVAL, "%s %s: \"%s\" (for %s) has no systemd unit property sbx knows to give it as", bad->directive,
                    bad->arg, bad->value, bad->file);
  return 0;
}

/* AllowedCPUs' mask back as a list, "0-1,3", as systemctl show prints it. */
static void print_mask(struct buf *b, const struct scope_prop *p)
{
  size_t bits = p->mask_len * 8;
  bool first = true;
  for (size_t c = 0; c < bits; c++) {
    if (!(p->mask[c / 8] & (1u << (c % 8))))
      continue;
    size_t end = c;
    while (end + 1 < bits && (p->mask[(end + 1) / 8] & (1u << ((end + 1) % 8))))
      end++;
    buf_printf(b, end > c ? "%s%zu-%zu" : "%s%zu", first ? "" : ",", c, end);
    first = false;
    c = end;
  }
}

char *systemd_limits_text(const struct plan_cgroup *pc)
{
  struct scope_props props;
  if (pc->n_limits == 0 || convert_limits(pc, &props))
    return NULL;
  struct buf b = { 0 };
  for (size_t i = 0; i < props.n; i++) {
    const struct scope_prop *p = &props.v[i];
    buf_printf(&b, "%s%s=", i ? ", " : "", p->name);
    if (p->mask)
      print_mask(&b, p);
    else if (p->path)
      buf_printf(&b, "%s ", p->path);
    if (!p->mask && p->num == UINT64_MAX)
      buf_printf(&b, "infinity");
    else if (!p->mask)
      buf_printf(&b, "%llu", (unsigned long long)p->num);
  }
  scope_props_free(&props);
  return buf_steal(&b);
}

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
  int (*append_array)(sd_bus_message *, char, const void *, size_t);
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
    { (void **)&api.append_array, "sd_bus_message_append_array" },
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

/* One (sv) of a type sd_bus_message_append can't take in one go: the
 * AllowedCPUs mask (ay), or every (path, number) given for an IO property
 * (a(st): one array per property, the limits of each device in it). */
static int append_container_prop(const struct sdbus_api *api, sd_bus_message *m, const struct scope_props *props,
                                 size_t i)
{
  const struct scope_prop *p = &props->v[i];
  int r = api->open_container(m, 'r', "sv");
  if (r >= 0)
    r = api->append(m, "s", p->name);
  if (r >= 0)
    r = api->open_container(m, 'v', p->type);
  if (r >= 0 && p->mask)
    r = api->append_array(m, 'y', p->mask, p->mask_len);
  if (r >= 0 && !p->mask) {
    r = api->open_container(m, 'a', "(st)");
    for (size_t j = i; r >= 0 && j < props->n; j++)
      if (strcmp(props->v[j].name, p->name) == 0)
        r = api->append(m, "(st)", props->v[j].path, props->v[j].num);
    if (r >= 0)
      r = api->close_container(m);
  }
  if (r >= 0)
    r = api->close_container(m);
  if (r >= 0)
    r = api->close_container(m);
  return r;
}

/* The limits, each property once (the a(st) ones carry all their devices
 * at their first appearance). */
static int append_limit_props(const struct sdbus_api *api, sd_bus_message *m, const struct scope_props *props)
{
  int r = 0;
  for (size_t i = 0; r >= 0 && i < props->n; i++) {
    const struct scope_prop *p = &props->v[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(props->v[j].name, p->name) == 0;
    if (seen)
      continue;
    if (strcmp(p->type, "t") == 0)
      r = api->append(m, "(sv)", p->name, "t", p->num);
    else
      r = append_container_prop(api, m, props, i);
  }
  return r;
}

/* StartTransientUnit(name, "fail", properties, no aux units): the scope
 * takes sbx (PIDs), is delegated (Delegate: sbx may make child cgroups and
 * enable controllers there), is collected once it is empty, and carries
 * the limits.  PID 0 is the caller as systemd sees it (the peer's
 * credentials): getpid() is another process's number outside a pid
 * namespace sbx runs in (seen: "Process 2 is a kernel thread, refusing").
 * A property systemd doesn't know or won't take fails the call: no scope. */
static int start_scope(const struct sdbus_api *api, sd_bus *bus, const char *unit, const struct scope_props *props,
                       sd_bus_message **reply, sd_bus_error *error)
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
    r = append_limit_props(api, m, props);
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

int systemd_enter_scope(const struct plan_cgroup *pc, char **why)
{
  const char *name = pc->name;
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
  /* A limit that can't be a property fails before systemd is asked. */
  _cleanup_(scope_props_free) struct scope_props props = { 0 };
  int r = systemd_limit_props(pc, &props);
  if (r < 0)
    return r;
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
  r = open_manager(api, &bus, &direct, why);
  if (r < 0)
    return r;
  r = api->match_signal(bus, &slot, direct ? NULL : "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
  if (r >= 0)
    r = start_scope(api, bus, unit, &props, &reply, &error);
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
    r = start_scope(api, bus, unit, &props, &reply, &error);
  }
  if (r < 0) {
    /* Refused properties are the limits (the rest are fixed): name them. */
    _cleanup_free_ char *limits = systemd_limits_text(pc);
    r = log_fail(-r, "systemd could not start the scope %s: %s%s%s%s", unit,
                 error.message ? error.message : strerror(-r), limits ? " (the limits were its properties: " : "",
                 limits ? limits : "", limits ? ")" : "");
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

int systemd_enter_scope(const struct plan_cgroup *pc, char **why)
{
  (void)pc;
  *why = xstrdup("sbx was built without sd-bus");
  return -ENOSYS;
}

#endif
