/* Typed questions to a resolved policy.
 *
 * The policy stores settings under string keys ("path:/home/u",
 * "socket:x11", "dbus-session:see:org.a.B"); only src/policy/ knows that
 * spelling.  The compiler and --explain ask here and get enums and small
 * structs back, so a key's format can change in one place, and a misspelt
 * key is a compile error instead of a silently false answer.
 *
 * The sockets and device groups are X-macro tables: each is the one list
 * the enum, the names, the directives' argument help and the error
 * messages come from.  The shell completions list the same words as plain
 * files; tests/check-completion-words.sh fails when they drift. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

/* X(ENUM, "name"), in the order the compiler connects them. */
#define POLICY_SOCKETS(X)            \
  X(SOCKET_X11, "x11")               \
  X(SOCKET_WAYLAND, "wayland")       \
  X(SOCKET_PULSEAUDIO, "pulseaudio") \
  X(SOCKET_PIPEWIRE, "pipewire")     \
  X(SOCKET_SSH_AGENT, "ssh-agent")   \
  X(SOCKET_CUPS, "cups")

/* X(ENUM, "name"); "all" (all of the host's /dev) last. */
#define POLICY_DEVICES(X)      \
  X(DEVICE_DRI, "dri")         \
  X(DEVICE_SOUND, "sound")     \
  X(DEVICE_VIDEO, "video")     \
  X(DEVICE_INPUT, "input")     \
  X(DEVICE_U2F, "u2f")         \
  X(DEVICE_ALL, "all")

/* X(ENUM, "@name"): the named groups of system calls that syscall-deny
 * and syscall-allow take; the rules of each are compile/syscalls.c's
 * table. */
#define POLICY_SYSCALL_GROUPS(X)             \
  X(SYSGROUP_NAMESPACES, "@namespaces")      \
  X(SYSGROUP_MOUNT, "@mount")                \
  X(SYSGROUP_KEYRING, "@keyring")            \
  X(SYSGROUP_MODULE, "@module")              \
  X(SYSGROUP_REBOOT, "@reboot")              \
  X(SYSGROUP_SWAP, "@swap")                  \
  X(SYSGROUP_SYSTEM, "@system")              \
  X(SYSGROUP_BPF, "@bpf")                    \
  X(SYSGROUP_DEBUG, "@debug")                \
  X(SYSGROUP_USERFAULTFD, "@userfaultfd")    \
  X(SYSGROUP_IO_URING, "@io-uring")          \
  X(SYSGROUP_NUMA, "@numa")                  \
  X(SYSGROUP_CPU_EMULATION, "@cpu-emulation") \
  X(SYSGROUP_OBSOLETE, "@obsolete")          \
  X(SYSGROUP_TTY, "@tty")                    \
  X(SYSGROUP_SOCKET_FAMILIES, "@socket-families") \
  X(SYSGROUP_BLUETOOTH, "@bluetooth")        \
  X(SYSGROUP_CAN, "@can")

#define POLICY_ENUM_(id, name) id,
enum policy_socket { POLICY_SOCKETS(POLICY_ENUM_) N_SOCKETS };
enum policy_device { POLICY_DEVICES(POLICY_ENUM_) N_DEVICES };
enum syscall_group { POLICY_SYSCALL_GROUPS(POLICY_ENUM_) N_SYSCALL_GROUPS };

/* "x11|wayland|...": the argument of the socket and device directives, as
 * their help shows it.  (Every name gets a leading "|"; [1] drops the
 * first.) */
#define POLICY_ALT_(id, name) "|" name
#define SOCKET_CHOICES (&POLICY_SOCKETS(POLICY_ALT_)[1])
#define DEVICE_CHOICES (&POLICY_DEVICES(POLICY_ALT_)[1])

const char *socket_name(enum policy_socket s);
const char *device_name(enum policy_device d);
/* The enum value of a name, or -1 if there is no such socket/device. */
int socket_from_name(const char *name);
int device_from_name(const char *name);
const char *syscall_group_name(enum syscall_group g); /* "@mount" */
int syscall_group_from_name(const char *name);        /* with the '@' */

/* "socket NAME" / "device NAME" in effect (and not taken back by no-). */
bool policy_socket_on(const struct policy *pol, enum policy_socket s);
bool policy_device_on(const struct policy *pol, enum policy_device d);

/* Path rules: the directive that made the rule. */
enum path_access { PATH_NO_RULE, PATH_RO, PATH_RW, PATH_PERSIST, PATH_HIDE, PATH_PRIVATE };
struct path_rule {
  const char *path; /* normalized, absolute */
  enum path_access access;
  const struct setting *setting; /* where it was said */
};
/* The rules in key order (strcmp of the paths: a directory before
 * anything below it).  Start with *iter = 0; false at the end.  The other
 * iterators below work the same way. */
bool policy_next_path(const struct policy *pol, size_t *iter, struct path_rule *out);
/* The access the closest rule at or above host `path` gives, or
 * PATH_NO_RULE when no rule covers it. */
enum path_access policy_path_access(const struct policy *pol, const char *path);
/* Which rule governs host `path`: the closest at or above it, into *out
 * (with its setting, for its file:line).  false when none does. */
bool policy_path_rule(const struct policy *pol, const char *path, struct path_rule *out);
/* ro, rw or persist: the host's file shows. */
bool path_access_shows_host(enum path_access a);
/* rw or persist: the app can write to the host's file. */
bool path_access_writable(enum path_access a);

/* private: a network namespace of the sandbox's own, connected to the
 * outside by a user-mode helper (launch/net.c). */
enum network_mode { NETWORK_UNSET, NETWORK_NONE, NETWORK_HOST, NETWORK_PRIVATE };
enum network_mode policy_network(const struct policy *pol);
/* forward-port, ordered by protocol, address, host port. */
struct port_forward {
  char proto[4];      /* "tcp" or "udp" */
  char host_addr[16]; /* IPv4, dotted */
  unsigned host_port, sandbox_port;
  const struct setting *setting;
};
bool policy_next_forward(const struct policy *pol, size_t *iter, struct port_forward *out);
/* allow-host-port: the TCP ports of the host's loopback, ordered as the
 * keys (by text). */
bool policy_next_host_port(const struct policy *pol, size_t *iter, unsigned *port, const struct setting **setting);
/* egress open|deny-local|deny-all (network private's egress policy); NULL
 * when not given (open). */
const struct setting *policy_egress(const struct policy *pol);
/* egress-allow: each argument as given, ordered by text;
 * plan_egress_parse reads it. */
bool policy_next_egress_allow(const struct policy *pol, size_t *iter, const char **arg, const struct setting **setting);

/* landlock off|on|required; UNSET when not given (the caller's default:
 * on for a profile, off for a bubblewrap-style command line). */
enum policy_landlock { POLICY_LANDLOCK_UNSET, POLICY_LANDLOCK_OFF, POLICY_LANDLOCK_ON, POLICY_LANDLOCK_REQUIRED };
enum policy_landlock policy_landlock(const struct policy *pol);
/* landlock-scope on|off: false only when "off" was said. */
bool policy_landlock_scope(const struct policy *pol);
/* The tcp-connect (or, with bind, tcp-bind) setting: its value is any,
 * none or a port list (parse_port_list); NULL when not given. */
const struct setting *policy_tcp_ports(const struct policy *pol, bool bind);

/* The app-id, hostname directives, or NULL. */
const char *policy_app_id(const struct policy *pol);
const char *policy_hostname(const struct policy *pol);

/* D-Bus.  `system` picks the system bus (dbus-system*), else the session
 * bus (dbus-session, dbus-see...). */
enum bus_mode { BUS_NONE, BUS_FILTER, BUS_FULL };
const char *bus_mode_name(enum bus_mode m); /* "none", "filter", "full" */
/* The dbus-session / dbus-system directive; BUS_NONE when not given. */
enum bus_mode policy_bus_mode(const struct policy *pol, bool system);
/* Where that mode was said; NULL when not given. */
const struct setting *policy_bus_mode_setting(const struct policy *pol, bool system);

enum bus_verb { BUS_SEE, BUS_TALK, BUS_OWN, BUS_CALL, BUS_BROADCAST };
const char *bus_verb_name(enum bus_verb v); /* "see", ... as xdg-dbus-proxy spells them */
struct bus_rule {
  enum bus_verb verb;
  const char *arg; /* NAME, or NAME=RULE for call and broadcast */
  const struct setting *setting; /* where it was said */
};
/* The rules for one bus, ordered by verb name, then argument. */
bool policy_next_bus_rule(const struct policy *pol, bool system, size_t *iter, struct bus_rule *out);
size_t policy_count_bus_rules(const struct policy *pol, bool system);

/* cap-add / cap-drop.  "ALL" comes before any single capability, so that
 * "cap-drop ALL" + "cap-add CAP_X" keeps CAP_X. */
struct cap_rule {
  const char *name; /* "ALL" or "CAP_..." (upper case) */
  bool add;
};
bool policy_next_cap(const struct policy *pol, size_t *iter, struct cap_rule *out);

/* env / unsetenv, ordered by name. */
struct env_rule {
  const char *name;
  const char *value; /* NULL: unset */
};
bool policy_next_env(const struct policy *pol, size_t *iter, struct env_rule *out);

/* sbx's own system call filter.  SYSCALL_FILTER_UNSET: the sandbox's
 * kind decides (a profile sandbox gets the default policy, a
 * bubblewrap-style command line none). */
enum syscall_filter { SYSCALL_FILTER_UNSET, SYSCALL_FILTER_DEFAULT, SYSCALL_FILTER_ALLOWLIST, SYSCALL_FILTER_NONE };
enum syscall_filter policy_syscall_filter(const struct policy *pol);
/* "EPERM" -> EPERM; 0 for a name that is no errno. */
int errno_from_name(const char *name);
/* syscall-errno: the errno denials use; 0 when not given. */
int policy_syscall_errno(const struct policy *pol);
/* syscall-deny / syscall-allow (and allow-debugging, which is
 * "syscall-allow @debug"), ordered by name: groups ("@...") first. */
struct syscall_choice {
  const char *name; /* a system call, or a group with its '@' */
  bool allow;
  const struct setting *setting;
};
bool policy_next_syscall(const struct policy *pol, size_t *iter, struct syscall_choice *out);

/* Resource limits (memory-max, cpu-max..., policy/limits.h), ordered by
 * directive, then device. */
struct limit_setting {
  const struct limit_kind *kind;
  const char *arg;    /* as given */
  const char *device; /* io-max/io-weight PATH (normalized), or NULL */
  const struct setting *setting;
};
bool policy_next_limit(const struct policy *pol, size_t *iter, struct limit_setting *out);
/* cgroup-namespace on|off; UNSET when not given (the sandbox's kind decides). */
enum policy_switch { POLICY_SWITCH_UNSET, POLICY_SWITCH_ON, POLICY_SWITCH_OFF };
enum policy_switch policy_cgroup_namespace(const struct policy *pol);
/* The name directive, or NULL. */
const char *policy_name(const struct policy *pol);

/* For --explain, which shows settings as the policy holds them: the
 * settings of one group, in key order. */
enum setting_group {
  GROUP_SOCKETS,
  GROUP_DEVICES,
  GROUP_DBUS_SESSION, /* the mode and the rules */
  GROUP_DBUS_SYSTEM,
  GROUP_ENV,
  GROUP_CAPS,
  GROUP_SYSCALLS, /* syscall-deny/allow, syscall-errno, syscall-filter */
};
const struct setting *policy_next_in_group(const struct policy *pol, enum setting_group g, size_t *iter);

/* The one-word settings --explain lists at the end, in this order. */
enum policy_scalar {
  SCALAR_APP_ID, SCALAR_NAME, SCALAR_NETWORK, SCALAR_HOSTNAME, SCALAR_LANDLOCK, SCALAR_LANDLOCK_SCOPE,
  SCALAR_TCP_CONNECT, SCALAR_TCP_BIND, SCALAR_CGROUP_NAMESPACE, SCALAR_EGRESS, N_SCALARS
};
const char *policy_scalar_name(enum policy_scalar k); /* the directive: "app-id"... */
const struct setting *policy_scalar(const struct policy *pol, enum policy_scalar k);
