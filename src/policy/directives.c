#include "policy/directives.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "policy/keys.h"
#include "policy/limits.h"
#include "policy/query.h"
#include "plan/plan.h"
#include "util/util.h"

static bool in_list(const char *const *list, const char *s)
{
  for (size_t i = 0; list[i]; i++)
    if (strcmp(list[i], s) == 0)
      return true;
  return false;
}

#define bad(loc, ...) log_fail(EINVAL, "%s:%d: " FIRST(__VA_ARGS__), (loc).file, (loc).line REST(__VA_ARGS__))
#define FIRST(a, ...) a
#define REST(a, ...) , ##__VA_ARGS__

/* Absolute, no "." or ".." components, no trailing slash, no "//". */
static char *normalize_path(const char *in)
{
  if (in[0] != '/')
    return NULL;
  char *out = xmalloc(strlen(in) + 2);
  size_t n = 0;
  const char *p = in;
  while (*p) {
    while (*p == '/')
      p++;
    const char *start = p;
    while (*p && *p != '/')
      p++;
    size_t len = (size_t)(p - start);
    if (len == 0)
      break;
    if ((len == 1 && start[0] == '.') || (len == 2 && start[0] == '.' && start[1] == '.')) {
      free(out);
      return NULL;
    }
    out[n++] = '/';
    memcpy(out + n, start, len);
    n += len;
  }
  if (n == 0)
    out[n++] = '/';
  out[n] = '\0';
  return out;
}

static int apply_path(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  _cleanup_free_ char *path = normalize_path(arg);
  if (!path)
    return bad(loc, "%s: \"%s\" is not an absolute path without \".\" or \"..\" components", d->name, arg);
  if (strcmp(path, "/") == 0 && strcmp(d->name, "ro") != 0)
    return bad(loc, "%s: the root directory can only be made visible read-only", d->name);
  _cleanup_free_ char *key = xasprintf(KEY_PATH "%s", path);
  return policy_set(pol, key, d->name, loc);
}

static int apply_named(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  bool socket = strstr(d->name, "socket") != NULL;
  if ((socket ? socket_from_name(arg) : device_from_name(arg)) < 0) {
    char list[256] = "";
    for (int i = 0; i < (socket ? N_SOCKETS : N_DEVICES); i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
               socket ? socket_name((enum policy_socket)i) : device_name((enum policy_device)i));
    return bad(loc, "%s: unknown %s \"%s\" (known: %s)", d->name, socket ? "socket" : "device group", arg, list);
  }
  _cleanup_free_ char *key = xasprintf("%s%s", socket ? KEY_SOCKET : KEY_DEVICE, arg);
  return policy_set(pol, key, strncmp(d->name, "no-", 3) == 0 ? "off" : "on", loc);
}

static int apply_choice(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  static const char *const network[] = { "none", "host", "private", NULL };
  static const char *const bus[] = { "none", "filter", "full", NULL };
  static const char *const filter[] = { "default", "allowlist", "none", NULL };
  static const char *const landlock[] = { "off", "on", "required", NULL };
  static const char *const on_off[] = { "on", "off", NULL };
  static const char *const egress[] = { "open", "deny-local", "deny-all", NULL };
  const char *const *choices = strcmp(d->name, "network") == 0          ? network
                               : strcmp(d->name, "egress") == 0         ? egress
                               : strcmp(d->name, "syscall-filter") == 0 ? filter
                               : strcmp(d->name, "landlock") == 0       ? landlock
                               : strcmp(d->name, "landlock-scope") == 0 ? on_off
                               : strcmp(d->name, "cgroup-namespace") == 0 ? on_off
                                                                        : bus;
  if (!in_list(choices, arg)) {
    char list[64] = "";
    for (size_t i = 0; choices[i]; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", choices[i]);
    return bad(loc, "%s: \"%s\" is not one of %s", d->name, arg, list);
  }
  return policy_set(pol, d->name, arg, loc);
}

/* A D-Bus name: dotted elements of [A-Za-z0-9_-], optionally ending in ".*". */
static bool valid_bus_name(const char *s, size_t len)
{
  if (len >= 2 && s[len - 2] == '.' && s[len - 1] == '*')
    len -= 2;
  if (len == 0 || len > 255 || s[0] == '.' || s[0] == ':')
    return false;
  int dots = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '.') {
      if (i + 1 == len || s[i + 1] == '.')
        return false;
      dots++;
    } else if (!isalnum((unsigned char)c) && c != '_' && c != '-') {
      return false;
    }
  }
  return dots >= 1;
}

static int apply_bus_rule(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  /* d->name is dbus-[system-]VERB */
  bool system = strncmp(d->name, "dbus-system-", 12) == 0;
  const char *verb = d->name + (system ? 12 : 5);
  bool with_rule = strcmp(verb, "call") == 0 || strcmp(verb, "broadcast") == 0;
  const char *eq = strchr(arg, '=');
  size_t name_len = with_rule && eq ? (size_t)(eq - arg) : strlen(arg);
  if (with_rule && !eq)
    return bad(loc, "%s: expected NAME=RULE (RULE is [METHOD][@PATH]), got \"%s\"", d->name, arg);
  if (!with_rule && eq)
    return bad(loc, "%s: \"%s\" is not a bus name", d->name, arg);
  if (!valid_bus_name(arg, name_len))
    return bad(loc, "%s: \"%.*s\" is not a valid well-known bus name", d->name, (int)name_len, arg);
  _cleanup_free_ char *key = xasprintf("%s:%s:%s", system ? KEY_DBUS_SYSTEM : KEY_DBUS_SESSION, verb, arg);
  return policy_set(pol, key, "on", loc);
}

static int apply_string(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  if (strcmp(d->name, "hostname") == 0) {
    size_t len = strlen(arg);
    if (len == 0 || len > 64)
      return bad(loc, "hostname: \"%s\" must be 1 to 64 characters", arg);
    for (size_t i = 0; i < len; i++)
      if (!isalnum((unsigned char)arg[i]) && arg[i] != '-' && arg[i] != '.')
        return bad(loc, "hostname: \"%s\" may only contain letters, digits, '-' and '.'", arg);
  } else if (strcmp(d->name, "app-id") == 0) {
    if (!valid_bus_name(arg, strlen(arg)) || strchr(arg, '*') || strchr(arg, '-'))
      return bad(loc, "app-id: \"%s\" is not a reverse-DNS application id (e.g. org.mozilla.firefox)", arg);
  } else if (strcmp(d->name, "name") == 0) {
    for (const char *c = arg; *c; c++)
      if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
        return bad(loc, "name: \"%s\" may only contain letters, digits, '-', '_' and '.'", arg);
    if (!*arg)
      return bad(loc, "name: empty");
  }
  return policy_set(pol, d->name, arg, loc);
}

static bool valid_env_name(const char *s, size_t len)
{
  if (len == 0 || isdigit((unsigned char)s[0]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '_')
      return false;
  return true;
}

static int apply_env(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  bool unset = strcmp(d->name, "unsetenv") == 0;
  const char *eq = strchr(arg, '=');
  size_t len = unset ? strlen(arg) : (eq ? (size_t)(eq - arg) : 0);
  if (!unset && !eq)
    return bad(loc, "env: expected NAME=VALUE, got \"%s\"", arg);
  if (!valid_env_name(arg, len))
    return bad(loc, "%s: \"%.*s\" is not a valid variable name", d->name, (int)len, arg);
  _cleanup_free_ char *key = xasprintf(KEY_ENV "%.*s", (int)len, arg);
  _cleanup_free_ char *val = unset ? xstrdup("unset") : xasprintf("set:%s", eq + 1);
  return policy_set(pol, key, val, loc);
}

static int apply_cap(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  cap_value_t v;
  if (strcmp(arg, "ALL") != 0 && (strncasecmp(arg, "cap_", 4) != 0 || cap_from_name(arg, &v) < 0))
    return bad(loc, "%s: \"%s\" is not a capability name (e.g. CAP_NET_RAW) or ALL", d->name, arg);
  _cleanup_free_ char *key = xasprintf(KEY_CAP "%s", arg);
  for (char *c = key + strlen(KEY_CAP); *c; c++)
    *c = (char)toupper((unsigned char)*c);
  return policy_set(pol, key, strcmp(d->name, "cap-add") == 0 ? "add" : "drop", loc);
}

/* syscall-deny / syscall-allow NAME|@GROUP; allow-debugging yes|no is
 * "syscall-allow @debug" / "syscall-deny @debug" (the same setting, so the
 * two spellings in one layer conflict like any other).  A system call must
 * be one libseccomp knows on this architecture, a group one of the table's. */
static int apply_syscall(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  bool debugging = strcmp(d->name, "allow-debugging") == 0;
  bool allow;
  if (debugging) {
    if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0)
      return bad(loc, "allow-debugging: \"%s\" is not one of yes, no", arg);
    allow = strcmp(arg, "yes") == 0;
    arg = syscall_group_name(SYSGROUP_DEBUG);
  } else {
    allow = strcmp(d->name, "syscall-allow") == 0;
  }
  if (arg[0] == '@' && syscall_group_from_name(arg) < 0) {
    char list[512] = "";
    for (int i = 0; i < N_SYSCALL_GROUPS; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
               syscall_group_name((enum syscall_group)i));
    return bad(loc, "%s: unknown system call group \"%s\" (known: %s)", d->name, arg, list);
  }
  if (arg[0] != '@' && seccomp_syscall_resolve_name(arg) == __NR_SCMP_ERROR)
    return bad(loc, "%s: \"%s\" is not a system call this system knows", d->name, arg);
  _cleanup_free_ char *key = xasprintf(KEY_SYSCALL "%s", arg);
  return policy_set(pol, key, allow ? "allow" : "deny", loc);
}

/* tcp-connect / tcp-bind: any, none, or ports and ranges (a bind may ask
 * for port 0: any port the kernel picks). */
static int apply_tcp_ports(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  _cleanup_free_ uint16_t *ports = NULL;
  size_t n;
  unsigned min = strcmp(d->name, "tcp-bind") == 0 ? 0 : 1;
  if (strcmp(arg, "any") != 0 && parse_port_list(arg, min, &ports, &n) < 0)
    return bad(loc, "%s: \"%s\" is not any, none or a list of ports and ranges from %u to 65535 "
                    "(e.g. 80,443,8000-8080; at most %d ports)",
               d->name, arg, min, MAX_PORTS);
  return policy_set(pol, d->name, arg, loc);
}

/* A port number 1-65535, all digits; 0 if it is not one. */
static unsigned port_of(const char *s)
{
  unsigned long v = 0;
  if (!*s || strlen(s) > 5)
    return 0;
  for (const char *c = s; *c; c++) {
    if (!isdigit((unsigned char)*c))
      return 0;
    v = v * 10 + (unsigned long)(*c - '0');
  }
  return v <= 65535 ? (unsigned)v : 0;
}

/* forward-port PROTO:[ADDR:]HOSTPORT:SANDBOXPORT, PROTO tcp or udp, ADDR
 * an IPv4 address of the host (default 127.0.0.1: only this machine may
 * connect).  Keyed by what it listens on, so two forwards may not claim
 * one host port. */
static int apply_forward_port(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  _cleanup_free_ char *copy = xstrdup(arg);
  char *field[5] = { 0 };
  size_t n = 0;
  for (char *save = NULL, *f = strtok_r(copy, ":", &save); f && n < 5; f = strtok_r(NULL, ":", &save))
    field[n++] = f;
  const char *addr = n == 4 ? field[1] : "127.0.0.1";
  struct in_addr a;
  if ((n != 3 && n != 4) || (strcmp(field[0], "tcp") != 0 && strcmp(field[0], "udp") != 0) ||
      inet_pton(AF_INET, addr, &a) != 1 || !port_of(field[n - 2]) || !port_of(field[n - 1]))
    return bad(loc, "%s: \"%s\" is not PROTO:[ADDRESS:]HOSTPORT:SANDBOXPORT (PROTO tcp or udp, ADDRESS an IPv4 "
                    "address of the host, default 127.0.0.1; ports 1-65535; e.g. tcp:8080:80)",
               d->name, arg);
  _cleanup_free_ char *key = xasprintf(KEY_FORWARD "%s:%s:%u", field[0], addr, port_of(field[n - 2]));
  _cleanup_free_ char *value = xasprintf("%u", port_of(field[n - 1]));
  return policy_set(pol, key, value, loc);
}

/* allow-host-port tcp:PORT: the host's loopback service on PORT, shown to
 * the sandbox on its own loopback. */
static int apply_host_port(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  if (strncmp(arg, "tcp:", 4) != 0 || !port_of(arg + 4))
    return bad(loc, "%s: \"%s\" is not tcp:PORT (a port 1-65535 of the host's loopback, e.g. tcp:5432)", d->name,
               arg);
  _cleanup_free_ char *key = xasprintf(KEY_HOST_PORT "tcp:%u", port_of(arg + 4));
  return policy_set(pol, key, "on", loc);
}

/* egress-allow DEST[@PROTO:PORTS]...: checked here (plan_egress_parse, the
 * parser compile uses too), keyed by the argument, so a line given twice
 * is one rule. */
static int apply_egress_allow(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  struct plan_egress_rule *v = NULL;
  size_t n = 0, cap = 0;
  const char *why = "";
  int r = plan_egress_parse(arg, &v, &n, &cap, &why);
  for (size_t i = 0; i < n; i++)
    free(v[i].name);
  free(v);
  if (r < 0)
    return bad(loc, "%s: \"%s\": %s (DEST[@PROTO:PORTS], DEST an address, ADDRESS/PREFIX or host name, "
                    "e.g. 10.0.0.0/8@tcp:443)",
               d->name, arg, why);
  _cleanup_free_ char *key = xasprintf(KEY_EGRESS_ALLOW "%s", arg);
  return policy_set(pol, key, "on", loc);
}

static int apply_syscall_errno(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  if (errno_from_name(arg) == 0)
    return bad(loc, "%s: \"%s\" is not an errno name (e.g. EPERM, EACCES, ENOSYS)", d->name, arg);
  return policy_set(pol, d->name, arg, loc);
}

/* memory-max, cpu-max...: checked here (a bad size is an error at its
 * line), converted by compile; a device limit is keyed by its device, so
 * two disks can each have one. */
static int apply_limit(struct policy *pol, const struct directive *d, const char *arg, struct src_loc loc)
{
  const struct limit_kind *k = limit_kind_find(d->name);
  _cleanup_free_ char *value = NULL, *device = NULL;
  const char *why = "";
  if (limit_parse(k, arg, &value, &device, &why) < 0)
    return bad(loc, "%s: \"%s\": %s", d->name, arg, why);
  _cleanup_free_ char *path = device ? normalize_path(device) : NULL;
  if (device && !path)
    return bad(loc, "%s: \"%s\" is not an absolute path without \".\" or \"..\" components", d->name, device);
  _cleanup_free_ char *key = path ? xasprintf(KEY_LIMIT "%s:%s", d->name, path) : xasprintf(KEY_LIMIT "%s", d->name);
  return policy_set(pol, key, arg, loc);
}

static const struct directive directives[] = {
  { "ro", "PATH", "make host PATH visible, read-only", apply_path, false },
  { "rw", "PATH", "make host PATH visible and writable", apply_path, false },
  { "persist", "PATH", "like rw; PATH is created on the host first, so app state persists", apply_path, false },
  { "hide", "PATH", "make PATH invisible (an empty, read-only directory or an unreadable file)", apply_path, false },
  { "private", "PATH", "an empty private directory (tmpfs) at PATH, gone when the sandbox ends", apply_path, false },
  { "device", DEVICE_CHOICES, "give access to a group of device nodes", apply_named, false },
  { "no-device", DEVICE_CHOICES, "take back a device group an include gave", apply_named, false },
  { "socket", SOCKET_CHOICES, "connect the app to a desktop service", apply_named, false },
  { "no-socket", SOCKET_CHOICES, "take back a socket an include gave", apply_named, false },
  { "network", "none|host|private", "no network (loopback only), the host's network, or a private one reaching out through a user-mode helper", apply_choice, false, true },
  { "forward-port", "PROTO:[ADDRESS:]HOSTPORT:PORT", "network private: forward the host's HOSTPORT (on 127.0.0.1 unless ADDRESS) to the sandbox's PORT; PROTO tcp or udp", apply_forward_port, false, true },
  { "allow-host-port", "tcp:PORT", "network private: the host's loopback service on PORT, reachable on the sandbox's own loopback (127.0.0.1 and ::1)", apply_host_port, false, true },
  { "egress", "open|deny-local|deny-all", "network private: which destinations the app may reach: all, not the local network and the host, or none (egress-allow makes exceptions)", apply_choice, false, true },
  { "egress-allow", "DEST[@PROTO:PORTS]", "network private: an exception to egress deny-local or deny-all: an address, ADDRESS/PREFIX or host name (resolved when the sandbox starts), optionally only these ports (example.org@tcp:80,443, 10.0.0.0/8@udp:53)", apply_egress_allow, false, true },
  { "dbus-session", "none|filter|full", "session bus access: none, through a filtering proxy, or unfiltered", apply_choice, false },
  { "dbus-system", "none|filter|full", "system bus access", apply_choice, false },
  { "dbus-see", "NAME", "session bus: NAME is visible", apply_bus_rule, false },
  { "dbus-talk", "NAME", "session bus: the app may call and receive signals from NAME", apply_bus_rule, false },
  { "dbus-own", "NAME", "session bus: the app may own NAME", apply_bus_rule, false },
  { "dbus-call", "NAME=RULE", "session bus: only these calls to NAME (RULE is [METHOD][@PATH])", apply_bus_rule, false },
  { "dbus-broadcast", "NAME=RULE", "session bus: receive these broadcasts from NAME", apply_bus_rule, false },
  { "dbus-system-see", "NAME", "system bus: NAME is visible", apply_bus_rule, false },
  { "dbus-system-talk", "NAME", "system bus: talk to NAME", apply_bus_rule, false },
  { "dbus-system-own", "NAME", "system bus: own NAME", apply_bus_rule, false },
  { "dbus-system-call", "NAME=RULE", "system bus: only these calls to NAME", apply_bus_rule, false },
  { "dbus-system-broadcast", "NAME=RULE", "system bus: receive these broadcasts from NAME", apply_bus_rule, false },
  { "landlock", "off|on|required", "Landlock file-system rules derived from the sandbox's mounts: on (best effort), required, or off", apply_choice, false, true },
  { "landlock-scope", "on|off", "Landlock (kernel ABI 6+): keep abstract unix sockets and signals inside the sandbox", apply_choice, false, true },
  { "tcp-connect", "any|none|PORTS", "Landlock (kernel ABI 4+): the TCP ports the app may connect to", apply_tcp_ports, false, true },
  { "tcp-bind", "any|none|PORTS", "Landlock (kernel ABI 4+): the TCP ports the app may listen on", apply_tcp_ports, false, true },
  { "hostname", "NAME", "the hostname inside", apply_string, true },
  { "env", "NAME=VALUE", "set an environment variable", apply_env, false, true },
  { "unsetenv", "NAME", "remove an environment variable", apply_env, true },
  { "cap-add", "CAP", "keep a capability (none are kept by default)", apply_cap, true },
  { "cap-drop", "CAP", "drop a capability", apply_cap, true },
  { "app-id", "ID", "the application id (reverse DNS) portals and the D-Bus policy see", apply_string, false },
  { "name", "NAME", "the sandbox's name", apply_string, false, true },
  { "syscall-filter", "default|allowlist|none", "sbx's system call policy: the default (profiles), the default plus an allowlist of calls, or none (bubblewrap-style)", apply_choice, false, true },
  { "syscall-deny", "NAME|@GROUP", "refuse a system call, or a group of them", apply_syscall, false, true },
  { "syscall-allow", "NAME|@GROUP", "take a system call or group out of the default policy", apply_syscall, false, true },
  { "syscall-errno", "ERRNO", "the errno refused calls fail with (default EPERM)", apply_syscall_errno, false, true },
  { "cgroup-namespace", "on|off", "a cgroup namespace rooted at the sandbox's own cgroup (default on for profiles)", apply_choice, false, true },
  { "memory-max", "SIZE|max", "memory limit (cgroup memory.max; sizes take K, M, G)", apply_limit, false, true },
  { "memory-high", "SIZE|max", "memory throttle (cgroup memory.high)", apply_limit, false, true },
  { "memory-swap-max", "SIZE|max", "swap limit (cgroup memory.swap.max)", apply_limit, false, true },
  { "cpu-max", "CPUS|max", "CPU limit as a number of CPUs, e.g. 0.5 (cgroup cpu.max)", apply_limit, false, true },
  { "cpu-weight", "1-10000", "CPU share against other cgroups (cgroup cpu.weight)", apply_limit, false, true },
  { "cpus", "LIST", "the CPUs the sandbox may use, e.g. 0-1 (cgroup cpuset.cpus)", apply_limit, false, true },
  { "pids-max", "N|max", "most processes and threads at once (cgroup pids.max)", apply_limit, false, true },
  { "io-max", "PATH rbps=N wbps=N riops=N wiops=N", "I/O limits for the disk PATH is (or is on) (cgroup io.max)", apply_limit, false, true },
  { "io-weight", "[PATH] N", "I/O share, 1-10000, for every disk or one (cgroup io.weight)", apply_limit, false, true },
  { "allow-debugging", "yes|no", "let the app trace and profile its own processes (syscall-allow @debug)", apply_syscall, false, true },
};

const struct directive *directive_table(size_t *n)
{
  *n = sizeof directives / sizeof directives[0];
  return directives;
}

const struct directive *directive_find(const char *name)
{
  for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
    if (strcmp(directives[i].name, name) == 0)
      return &directives[i];
  return NULL;
}

int directive_apply(struct policy *pol, const struct vars *v, const struct directive *d, const char *raw,
                    struct src_loc loc)
{
  char *badvar = NULL;
  _cleanup_free_ char *arg = vars_expand(v, raw, &badvar);
  if (!arg) {
    int r = bad(loc, "%s: undefined variable ${%s}", d->name, badvar);
    free(badvar);
    return r;
  }
  return d->apply(pol, d, arg, loc);
}
