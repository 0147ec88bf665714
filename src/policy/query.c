#include "policy/query.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "policy/keys.h"
#include "policy/limits.h"
#include "util/util.h"

#define POLICY_NAME_(id, name) [id] = name,
static const char *const socket_names[N_SOCKETS] = { POLICY_SOCKETS(POLICY_NAME_) };
static const char *const device_names[N_DEVICES] = { POLICY_DEVICES(POLICY_NAME_) };
static const char *const syscall_group_names[N_SYSCALL_GROUPS] = { POLICY_SYSCALL_GROUPS(POLICY_NAME_) };

const char *socket_name(enum policy_socket s)
{
  return (unsigned)s < N_SOCKETS ? socket_names[s] : "?";
}

const char *device_name(enum policy_device d)
{
  return (unsigned)d < N_DEVICES ? device_names[d] : "?";
}

const char *syscall_group_name(enum syscall_group g)
{
  return (unsigned)g < N_SYSCALL_GROUPS ? syscall_group_names[g] : "?";
}

static const char *const scalars[N_SCALARS] = {
  [SCALAR_APP_ID] = "app-id", [SCALAR_NAME] = "name", [SCALAR_NETWORK] = "network", [SCALAR_HOSTNAME] = "hostname",
  [SCALAR_LANDLOCK] = "landlock", [SCALAR_LANDLOCK_SCOPE] = "landlock-scope",
  [SCALAR_TCP_CONNECT] = "tcp-connect", [SCALAR_TCP_BIND] = "tcp-bind",
  [SCALAR_CGROUP_NAMESPACE] = "cgroup-namespace", [SCALAR_EGRESS] = "egress",
};

static int index_of(const char *const *names, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return i;
  return -1;
}

int socket_from_name(const char *name)
{
  return index_of(socket_names, N_SOCKETS, name);
}

int device_from_name(const char *name)
{
  return index_of(device_names, N_DEVICES, name);
}

int syscall_group_from_name(const char *name)
{
  return index_of(syscall_group_names, N_SYSCALL_GROUPS, name);
}

static bool is_on(const struct policy *pol, const char *prefix, const char *name)
{
  _cleanup_free_ char *key = xasprintf("%s%s", prefix, name);
  const char *v = policy_value(pol, key);
  return v && strcmp(v, "on") == 0;
}

bool policy_socket_on(const struct policy *pol, enum policy_socket s)
{
  return is_on(pol, KEY_SOCKET, socket_name(s));
}

bool policy_device_on(const struct policy *pol, enum policy_device d)
{
  return is_on(pol, KEY_DEVICE, device_name(d));
}

static enum path_access access_of(const char *v)
{
  static const char *const words[] = {
    [PATH_RO] = "ro", [PATH_RW] = "rw", [PATH_PERSIST] = "persist", [PATH_HIDE] = "hide", [PATH_PRIVATE] = "private",
  };
  for (size_t i = PATH_RO; v && i < sizeof words / sizeof words[0]; i++)
    if (strcmp(v, words[i]) == 0)
      return (enum path_access)i;
  return PATH_NO_RULE;
}

bool policy_next_path(const struct policy *pol, size_t *iter, struct path_rule *out)
{
  const struct setting *s = policy_next(pol, KEY_PATH, iter);
  if (!s)
    return false;
  *out = (struct path_rule){ s->key + strlen(KEY_PATH), access_of(s->value), s };
  return true;
}

bool policy_path_rule(const struct policy *pol, const char *path, struct path_rule *out)
{
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (;;) {
    _cleanup_free_ char *key = xasprintf(KEY_PATH "%s", buf);
    const struct setting *s = policy_get(pol, key);
    if (s) {
      *out = (struct path_rule){ s->key + strlen(KEY_PATH), access_of(s->value), s };
      return true;
    }
    if (strcmp(buf, "/") == 0 || !strchr(buf, '/'))
      return false;
    char *slash = strrchr(buf, '/');
    if (slash == buf)
      slash[1] = '\0';
    else
      *slash = '\0';
  }
}

enum path_access policy_path_access(const struct policy *pol, const char *path)
{
  struct path_rule rule;
  return policy_path_rule(pol, path, &rule) ? rule.access : PATH_NO_RULE;
}

bool path_access_shows_host(enum path_access a)
{
  return a == PATH_RO || a == PATH_RW || a == PATH_PERSIST;
}

bool path_access_writable(enum path_access a)
{
  return a == PATH_RW || a == PATH_PERSIST;
}

enum network_mode policy_network(const struct policy *pol)
{
  const char *v = policy_value(pol, scalars[SCALAR_NETWORK]);
  if (!v)
    return NETWORK_UNSET;
  if (strcmp(v, "private") == 0)
    return NETWORK_PRIVATE;
  return strcmp(v, "host") == 0 ? NETWORK_HOST : NETWORK_NONE;
}

bool policy_next_forward(const struct policy *pol, size_t *iter, struct port_forward *out)
{
  const struct setting *st = policy_next(pol, KEY_FORWARD, iter);
  if (!st)
    return false;
  /* forward-port:PROTO:ADDR:PORT, as directives.c wrote it. */
  const char *rest = st->key + strlen(KEY_FORWARD);
  const char *colon1 = strchr(rest, ':');
  const char *colon2 = strrchr(rest, ':');
  *out = (struct port_forward){ .host_port = (unsigned)atoi(colon2 + 1), .sandbox_port = (unsigned)atoi(st->value),
                                .setting = st };
  snprintf(out->proto, sizeof out->proto, "%.*s", (int)(colon1 - rest), rest);
  snprintf(out->host_addr, sizeof out->host_addr, "%.*s", (int)(colon2 - colon1 - 1), colon1 + 1);
  return true;
}

bool policy_next_host_port(const struct policy *pol, size_t *iter, unsigned *port, const struct setting **setting)
{
  const struct setting *st = policy_next(pol, KEY_HOST_PORT "tcp:", iter);
  if (!st)
    return false;
  *port = (unsigned)atoi(st->key + strlen(KEY_HOST_PORT "tcp:"));
  *setting = st;
  return true;
}

const struct setting *policy_egress(const struct policy *pol)
{
  return policy_get(pol, scalars[SCALAR_EGRESS]);
}

bool policy_next_egress_allow(const struct policy *pol, size_t *iter, const char **arg, const struct setting **setting)
{
  const struct setting *st = policy_next(pol, KEY_EGRESS_ALLOW, iter);
  if (!st)
    return false;
  *arg = st->key + strlen(KEY_EGRESS_ALLOW);
  *setting = st;
  return true;
}

enum policy_landlock policy_landlock(const struct policy *pol)
{
  const char *v = policy_value(pol, scalars[SCALAR_LANDLOCK]);
  if (!v)
    return POLICY_LANDLOCK_UNSET;
  if (strcmp(v, "required") == 0)
    return POLICY_LANDLOCK_REQUIRED;
  return strcmp(v, "on") == 0 ? POLICY_LANDLOCK_ON : POLICY_LANDLOCK_OFF;
}

bool policy_landlock_scope(const struct policy *pol)
{
  const char *v = policy_value(pol, scalars[SCALAR_LANDLOCK_SCOPE]);
  return !v || strcmp(v, "off") != 0;
}

const struct setting *policy_tcp_ports(const struct policy *pol, bool bind)
{
  return policy_get(pol, scalars[bind ? SCALAR_TCP_BIND : SCALAR_TCP_CONNECT]);
}

const char *policy_app_id(const struct policy *pol)
{
  return policy_value(pol, scalars[SCALAR_APP_ID]);
}

const char *policy_hostname(const struct policy *pol)
{
  return policy_value(pol, scalars[SCALAR_HOSTNAME]);
}

static const char *const bus_modes[] = { [BUS_NONE] = "none", [BUS_FILTER] = "filter", [BUS_FULL] = "full" };
static const char *const bus_verbs[] = {
  [BUS_SEE] = "see", [BUS_TALK] = "talk", [BUS_OWN] = "own", [BUS_CALL] = "call", [BUS_BROADCAST] = "broadcast",
};

const char *bus_mode_name(enum bus_mode m)
{
  return (unsigned)m < sizeof bus_modes / sizeof bus_modes[0] ? bus_modes[m] : "?";
}

const char *bus_verb_name(enum bus_verb v)
{
  return (unsigned)v < sizeof bus_verbs / sizeof bus_verbs[0] ? bus_verbs[v] : "?";
}

enum bus_mode policy_bus_mode(const struct policy *pol, bool system)
{
  const char *v = policy_value(pol, system ? KEY_DBUS_SYSTEM : KEY_DBUS_SESSION);
  int i = v ? index_of(bus_modes, sizeof bus_modes / sizeof bus_modes[0], v) : -1;
  return i < 0 ? BUS_NONE : (enum bus_mode)i;
}

const struct setting *policy_bus_mode_setting(const struct policy *pol, bool system)
{
  return policy_get(pol, system ? KEY_DBUS_SYSTEM : KEY_DBUS_SESSION);
}

bool policy_next_bus_rule(const struct policy *pol, bool system, size_t *iter, struct bus_rule *out)
{
  const char *prefix = system ? KEY_DBUS_SYSTEM ":" : KEY_DBUS_SESSION ":";
  size_t plen = strlen(prefix);
  const struct setting *s;
  while ((s = policy_next(pol, prefix, iter))) {
    /* PREFIX VERB:ARG; ARG may hold further ':' (a call rule's path) */
    const char *verb = s->key + plen;
    const char *colon = strchr(verb, ':');
    if (!colon || strcmp(s->value, "on") != 0)
      continue;
    for (size_t i = 0; i < sizeof bus_verbs / sizeof bus_verbs[0]; i++) {
      if (strlen(bus_verbs[i]) == (size_t)(colon - verb) && strncmp(bus_verbs[i], verb, colon - verb) == 0) {
        *out = (struct bus_rule){ (enum bus_verb)i, colon + 1, s };
        return true;
      }
    }
  }
  return false;
}

size_t policy_count_bus_rules(const struct policy *pol, bool system)
{
  size_t it = 0, n = 0;
  while (policy_next(pol, system ? KEY_DBUS_SYSTEM ":" : KEY_DBUS_SESSION ":", &it))
    n++;
  return n;
}

bool policy_next_cap(const struct policy *pol, size_t *iter, struct cap_rule *out)
{
  /* Names are "ALL" or upper-case "CAP_..." (directives.c), and "ALL" sorts
   * before "CAP_": key order is the order the changes must apply in. */
  const struct setting *s = policy_next(pol, KEY_CAP, iter);
  if (!s)
    return false;
  *out = (struct cap_rule){ s->key + strlen(KEY_CAP), strcmp(s->value, "add") == 0 };
  return true;
}

bool policy_next_env(const struct policy *pol, size_t *iter, struct env_rule *out)
{
  const struct setting *s = policy_next(pol, KEY_ENV, iter);
  if (!s)
    return false;
  *out = (struct env_rule){ s->key + strlen(KEY_ENV), strncmp(s->value, "set:", 4) == 0 ? s->value + 4 : NULL };
  return true;
}

int errno_from_name(const char *name)
{
  for (int e = 1; e < 4096; e++) {
    const char *n = strerrorname_np(e);
    if (n && strcmp(n, name) == 0)
      return e;
  }
  return 0;
}

enum syscall_filter policy_syscall_filter(const struct policy *pol)
{
  const char *v = policy_value(pol, "syscall-filter");
  if (!v)
    return SYSCALL_FILTER_UNSET;
  return strcmp(v, "none") == 0        ? SYSCALL_FILTER_NONE
         : strcmp(v, "allowlist") == 0 ? SYSCALL_FILTER_ALLOWLIST
                                       : SYSCALL_FILTER_DEFAULT;
}

int policy_syscall_errno(const struct policy *pol)
{
  const char *v = policy_value(pol, "syscall-errno");
  return v ? errno_from_name(v) : 0;
}

bool policy_next_syscall(const struct policy *pol, size_t *iter, struct syscall_choice *out)
{
  const struct setting *s = policy_next(pol, KEY_SYSCALL, iter);
  if (!s)
    return false;
  *out = (struct syscall_choice){ s->key + strlen(KEY_SYSCALL), strcmp(s->value, "allow") == 0, s };
  return true;
}

const struct setting *policy_next_in_group(const struct policy *pol, enum setting_group g, size_t *iter)
{
  /* The bus groups have no ':': the mode's key is the bare prefix. */
  static const char *const prefixes[] = {
    [GROUP_SOCKETS] = KEY_SOCKET,         [GROUP_DEVICES] = KEY_DEVICE, [GROUP_DBUS_SESSION] = KEY_DBUS_SESSION,
    [GROUP_DBUS_SYSTEM] = KEY_DBUS_SYSTEM, [GROUP_ENV] = KEY_ENV,       [GROUP_CAPS] = KEY_CAP,
    [GROUP_SYSCALLS] = "syscall",
  };
  return policy_next(pol, prefixes[g], iter);
}

const char *policy_scalar_name(enum policy_scalar k)
{
  return (unsigned)k < N_SCALARS ? scalars[k] : "?";
}

const struct setting *policy_scalar(const struct policy *pol, enum policy_scalar k)
{
  return policy_get(pol, policy_scalar_name(k));
}

bool policy_next_limit(const struct policy *pol, size_t *iter, struct limit_setting *out)
{
  const struct setting *s;
  while ((s = policy_next(pol, KEY_LIMIT, iter))) {
    const char *name = s->key + strlen(KEY_LIMIT);
    const char *colon = strchr(name, ':');
    _cleanup_free_ char *directive = colon ? xasprintf("%.*s", (int)(colon - name), name) : xstrdup(name);
    const struct limit_kind *k = limit_kind_find(directive);
    if (!k)
      continue;
    *out = (struct limit_setting){ k, s->value, colon ? colon + 1 : NULL, s };
    return true;
  }
  return false;
}

enum policy_switch policy_cgroup_namespace(const struct policy *pol)
{
  const char *v = policy_value(pol, "cgroup-namespace");
  return !v ? POLICY_SWITCH_UNSET : strcmp(v, "on") == 0 ? POLICY_SWITCH_ON : POLICY_SWITCH_OFF;
}

const char *policy_name(const struct policy *pol)
{
  return policy_value(pol, "name");
}
