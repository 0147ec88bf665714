/* The sandbox plan: plain data that every front end (the bubblewrap-compatible
 * command line today, profiles later) appends to, and that the engine
 * executes.  Nothing in here performs a system call. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/util.h"

enum op_kind {
  OP_BIND,          /* src dest: recursive bind (access says rw/ro/dev) */
  OP_REMOUNT_RO,    /* dest */
  OP_PROC,          /* dest */
  OP_DEV,           /* dest */
  OP_TMPFS,         /* dest, perms, size */
  OP_MQUEUE,        /* dest */
  OP_DIR,           /* dest, perms */
  OP_SYMLINK,       /* src (link target) dest */
  OP_FILE,          /* fd dest, perms: copy fd's data into a new file */
  OP_BIND_DATA,     /* fd dest, perms: data in a hidden file, bound (access rw/ro) */
  OP_CHMOD,         /* dest perms */
  OP_OVERLAY,       /* overlay_srcs upper work dest */
  OP_TMP_OVERLAY,   /* overlay_srcs dest: upper/work on sbx's private tmpfs */
  OP_RO_OVERLAY,    /* overlay_srcs dest */
};

enum bind_access { ACCESS_RW, ACCESS_RO, ACCESS_DEV };

enum {
  OPF_TRY = 1u << 0,     /* -try: a missing source is not an error */
  OPF_FROM_FD = 1u << 1, /* --bind-fd: source is plan_op.fd */
};

struct plan_op {
  enum op_kind kind;
  enum bind_access access;
  unsigned flags;
  char *src;
  char *dest;
  int fd;          /* -1 unless the op reads from / binds an fd */
  char *data;      /* OP_FILE, OP_BIND_DATA without an fd: the content */
  size_t data_len;
  int perms;       /* -1: the op's default */
  uint64_t size;   /* 0: the default (tmpfs) */
  char **overlay_srcs; /* lower layers, in command-line order */
  size_t n_overlay_srcs;
  char *upper, *work;  /* OP_OVERLAY */
};

struct seccomp_prog {
  void *data; /* struct sock_filter[] */
  size_t len; /* in bytes, a multiple of 8 */
};
/* At most two programs (the rules, the allowlist) per architecture a
 * process here can enter through (x86_64: native, i386, x32). */
#define SECCOMP_MAX_ARCH_PROGS 8

/* sbx's own system call policy (profiles, compile/syscalls.c): each rule
 * refuses one system call, or the uses of it whose argument `arg`
 * matches, with an errno.  The engine compiles the list with libseccomp
 * (a deny list: whatever no rule names is allowed) and installs it as the
 * last step of setup, just before any caller-supplied program (which may
 * refuse seccomp(2) itself).  Rules for the same call are alternatives:
 * any one that matches refuses the call. */
enum syscall_cmp {
  SYSCALL_ANY,       /* every call */
  SYSCALL_MASKED_EQ, /* (argument & mask) == value */
  SYSCALL_EQ,        /* argument == value (all 64 bits) */
  SYSCALL_GE,        /* argument >= value (unsigned, all 64 bits) */
  SYSCALL_GT,        /* argument > value */
};
struct syscall_rule {
  const char *name; /* the system call as libseccomp names it */
  enum syscall_cmp cmp;
  unsigned arg;     /* which argument, from 0 (not for SYSCALL_ANY) */
  uint64_t mask, value;
  int error;         /* the errno the call fails with */
  const char *group; /* "@mount"...; NULL: a syscall-deny of its own */
  const char *why;   /* for --explain */
};

/* Landlock: filesystem rights per sandbox path, derived from the ops
 * (plan_landlock_derive), so that a mistake in mount setup is still
 * contained.  The rights are the kernel's LANDLOCK_ACCESS_FS_* bits (the
 * engine passes them through, masked to the ABI the kernel has). */
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_REMOVE_DIR (1ULL << 4)
#define LL_REMOVE_FILE (1ULL << 5)
#define LL_MAKE_CHAR (1ULL << 6)
#define LL_MAKE_DIR (1ULL << 7)
#define LL_MAKE_REG (1ULL << 8)
#define LL_MAKE_SOCK (1ULL << 9)
#define LL_MAKE_FIFO (1ULL << 10)
#define LL_MAKE_BLOCK (1ULL << 11)
#define LL_MAKE_SYM (1ULL << 12)
#define LL_REFER (1ULL << 13)     /* ABI 2 */
#define LL_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_ALL_FS ((1ULL << 16) - 1)
/* The rights the kernel accepts on a rule for a file (not a directory). */
#define LL_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
/* What the modes imply. */
#define LL_READ (LL_READ_FILE | LL_READ_DIR)
#define LL_RO (LL_READ | LL_EXECUTE)
#define LL_RW (LL_ALL_FS & ~LL_IOCTL_DEV)
#define LL_DEV (LL_READ | LL_WRITE_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define LL_PROC (LL_READ | LL_WRITE_FILE | LL_TRUNCATE)
#define LL_WRITES (LL_ALL_FS & ~(LL_RO | LL_IOCTL_DEV))

/* off: none (a bubblewrap-style command line's default); on: best effort
 * (a profile's default; a kernel without Landlock gets a warning);
 * required: no Landlock, no sandbox. */
enum landlock_mode { LANDLOCK_OFF, LANDLOCK_ON, LANDLOCK_REQUIRED };

struct landlock_rule {
  char *path;      /* in the sandbox */
  uint64_t access; /* LL_*, before masking to the ABI */
  enum op_kind from; /* the op whose mount the rule follows */
};

struct landlock_ports {
  bool restricted;
  uint16_t *port; /* sorted; none at all: no port */
  size_t n;
};

struct plan_landlock {
  enum landlock_mode mode;
  /* ABI 6: abstract unix sockets, and signals, scoped to the sandbox
   * (landlock-scope; the X11 module may leave abstract sockets open). */
  bool scope_abstract, scope_signal;
  struct landlock_rule *rules; /* in op order; at most one per path */
  size_t n_rules, cap_rules;
  /* ABI 4: the TCP ports the app may connect to and bind (tcp-connect,
   * tcp-bind); not restricted unless said. */
  struct landlock_ports tcp_connect, tcp_bind;
};


enum env_verb { ENV_SET, ENV_UNSET, ENV_CLEAR };
struct env_edit {
  enum env_verb verb;
  char *name, *value;
};

enum cap_verb { CAP_VERB_ADD, CAP_VERB_DROP };
struct cap_change {
  enum cap_verb verb;
  uint64_t mask;
};

/* ---- side services, as data ------------------------------------------
 * What compile decided must run or exist beside the sandbox, for launch/
 * to start (launch/launch.h says when and where).  Plain data: paths and
 * rules, and handles (indexes into plan->ops) to the ops launch fills in
 * or takes out; the runtime state (pids, fds, the lock) is launch's. */

/* Not an index: the op is gone (plan_remove_op). */
#define PLAN_NO_OP ((size_t)-1)

/* One bus behind the filtering D-Bus proxy. */
struct plan_bus {
  bool system;
  char *address;      /* the real bus, as xdg-dbus-proxy takes it */
  const char *subdir; /* its directory in the instance dir (a literal) */
  char *dir;          /* that directory on the host: bound into the sandbox,
                       * so the socket may appear after the sandbox is built */
  char *socket;       /* the proxy's listening socket on the host, in dir */
  struct strv rules;  /* --filter, --own=..., ... */
};

/* The app's Wayland socket: the compositor's, or (when it offers
 * wp_security_context_v1) a listener of the sandbox's own. */
struct plan_wayland {
  char *host_socket; /* the compositor's socket */
  char *inside;      /* /run/user/UID/NAME, where the app finds it */
  char *listener;    /* ours, if used: <instance dir>/wayland */
  char *app_id;      /* or NULL */
  size_t op;         /* the bind of host_socket at inside, or PLAN_NO_OP */
  size_t note;       /* index of compile's note, refined by --explain */
};

/* network private: the sandbox's network namespace, connected to the
 * host's by a user-mode helper (slirp4netns or pasta, launch/net.c) that
 * turns the sandbox's packets into ordinary sockets of its own on the
 * host.  The addressing inside is fixed here, whichever helper runs, so
 * the plan (and the sandbox's /etc/resolv.conf) does not depend on what is
 * installed: slirp4netns's defaults, which pasta is told to copy. */
#define PLAN_NET_ADDRESS "10.0.2.100" /* the sandbox's tap0 */
#define PLAN_NET_PREFIX 24
#define PLAN_NET_GATEWAY "10.0.2.2"
#define PLAN_NET_DNS "10.0.2.3"       /* forwarded to the host's resolver */
#define PLAN_NET_DNS6 "fd00::3"       /* forwarded to the host's IPv6 resolver */
#define PLAN_NET_IFNAME "tap0"
#define PLAN_NET_MTU 65520
/* IPv6 (slirp4netns's prefix): the sandbox sets the address and the route
 * itself, without waiting for router advertisements (engine,
 * ns_tap_create). */
#define PLAN_NET_ADDRESS6 "fd00::100"
#define PLAN_NET_PREFIX6 64
#define PLAN_NET_GATEWAY6 "fd00::2"
/* forward-port: the host listens on host_addr:host_port (proto), and what
 * connects there reaches the sandbox's port. */
struct plan_forward {
  char proto[4];      /* "tcp" or "udp" */
  char host_addr[16]; /* IPv4, dotted */
  uint16_t host_port, port;
};
struct plan_net_addr6 {
  uint8_t a[16];
};
/* egress (launch/net-egress.c): which destinations the app may reach
 * through the helper.  open: every one; deny-local: not the local network
 * (RFC 1918, link-local, ULA, CGNAT) nor the host (its loopback, its own
 * addresses); deny-all: none.  The allow rules are the exceptions to
 * either, whatever their order. */
enum plan_egress { PLAN_EGRESS_OPEN, PLAN_EGRESS_DENY_LOCAL, PLAN_EGRESS_DENY_ALL };
struct plan_egress_rule {
  char *name;       /* a host name, resolved when the sandbox starts, or NULL */
  int family;       /* AF_INET or AF_INET6; 0 while name is unresolved */
  uint8_t addr[16]; /* network order (IPv4 in the first 4 bytes) */
  unsigned prefix;  /* bits of addr that count */
  int proto;        /* IPPROTO_TCP, IPPROTO_UDP, or 0 for both */
  uint16_t lo, hi;  /* the ports, inclusive (0-65535: any) */
};
/* egress-allow DEST[@PROTO:PORTS]...: one rule per (protocol, port range)
 * into *v (ARRAY_PUSH on *n, *cap).  DEST: an IPv4 or IPv6 address,
 * optionally /PREFIX, or a host name; PROTO tcp or udp; PORTS a list of
 * ports and ranges (80,443,8000-8080); no @PROTO:PORTS: every port of
 * both.  One word, as every directive's argument ("@" is in no address
 * or name).  Returns 0, or -EINVAL with *why set (v untouched). */
int plan_egress_parse(const char *arg, struct plan_egress_rule **v, size_t *n, size_t *cap, const char **why);
/* The rule as text ("10.0.0.0/8@tcp:443", "example.org@udp:53-54"). */
char *plan_egress_rule_text(const struct plan_egress_rule *r);
const char *plan_egress_name(enum plan_egress e);
struct plan_net;
/* May the app reach addr (family AF_INET or AF_INET6, network order), port,
 * by proto (IPPROTO_TCP, IPPROTO_UDP; another, such as ICMP: only rules
 * for every port count) under net's egress policy?  An IPv4-mapped IPv6
 * address is judged as the IPv4 one. */
bool plan_egress_permits(const struct plan_net *net, int family, const uint8_t *addr, uint16_t port, int proto);
/* A socket call's destination as the network helper makes it, judged:
 * connect() (is_connect) or sendto() to ss (len bytes, as the caller gave
 * them) on a socket of domain and protocol.  0: make the call;
 * ECONNREFUSED: the destination is refused (*dest says which; its addr
 * points into ss); EPERM: a unix socket (not the policy's, and its path
 * would be looked up where the answerer is); EAFNOSUPPORT: an address
 * that is not judged, so not made (AF_UNSPEC but to dissolve a connect,
 * too short for its family). */
struct plan_egress_dest {
  int family;
  const uint8_t *addr;
  uint16_t port;
};
struct sockaddr_storage;
int plan_egress_check(const struct plan_net *net, bool is_connect, int domain, int protocol,
                      const struct sockaddr_storage *ss, size_t len, struct plan_egress_dest *dest);

struct plan_net {
  /* The host's loopback and its own addresses are never reachable through
   * the helper.  The loopback the helper refuses itself; the host's own
   * addresses (IPv4 in network order, IPv6; launch lists them when it
   * starts the helper) the sandbox refuses with routes of its own
   * (engine: ns_reject_routes). */
  uint32_t *host_addrs;
  size_t n_host_addrs;
  struct plan_net_addr6 *host_addrs6;
  size_t n_host_addrs6;
  /* The exceptions: allow-host-port (TCP ports of the host's loopback,
   * relayed from the sandbox's own loopback) and forward-port. */
  uint16_t *host_ports;
  size_t n_host_ports;
  struct plan_forward *forwards;
  size_t n_forwards;
  /* egress: the policy, its exceptions (launch adds the host names'
   * addresses and, with egress_dns, the host's resolvers on port 53). */
  enum plan_egress egress;
  struct plan_egress_rule *allow;
  size_t n_allow, cap_allow;
  bool egress_dns; /* names work: the helper's DNS forwarder may reach the host's resolvers */
};

struct plan_services {
  char *instance_id;    /* also [Instance] instance-id of /.flatpak-info */
  char *runtime_parent; /* $XDG_RUNTIME_DIR/sbx, or NULL (the /tmp fallback) */
  char *runtime_dir;    /* the instance dir: proxy sockets, listener, lock */
  char *flatpak_parent; /* $XDG_RUNTIME_DIR/.flatpak, or NULL */
  char *flatpak_dir;    /* $XDG_RUNTIME_DIR/.flatpak/ID, or NULL */
  char *app_info;       /* the /.flatpak-info text, or NULL without an app-id */
  size_t app_info_len;
  struct plan_bus buses[2];
  size_t n_buses;
  struct plan_wayland *wayland; /* or NULL */
  struct plan_net *net;         /* network private, or NULL */
};

/* Add a bus to proxy (at most one session and one system bus); the caller
 * adds its rules with strv_add/strv_addf on ->rules. */
struct plan_bus *plan_services_add_bus(struct plan_services *s, bool system, const char *address);
void plan_services_free(struct plan_services *s);

/* ---- resources: the sandbox's own cgroup, as data --------------------
 * Compile (compile/resources.c) decides whether the sandbox gets a cgroup
 * of its own and with which limits; launch/cgroup.c creates it just before
 * the sandbox starts (and removes it after), handing the engine an fd on it
 * (plan->cgroup_fd) so the sandbox's first process is born inside it. */

/* One limit: the cgroup v2 file and what is written to it, worked out by
 * compile from the directive's argument (memory-max 512M -> memory.max
 * 536870912). */
struct plan_limit {
  const char *directive;  /* "memory-max"... (a literal) */
  char *arg;              /* the argument as given, for --explain */
  const char *controller; /* "memory", "cpu", "cpuset", "pids", "io" (a literal) */
  const char *file;       /* "memory.max"... (a literal) */
  char *value;            /* the line written to it */
  char *device;           /* io-max, io-weight: the PATH as given (systemd takes a device by path), or NULL */
};

struct plan_cgroup {
  char *name;      /* NAME of the cgroup sbx-NAME-ID (ID: sbx's pid) */
  bool ns;         /* the app gets a cgroup namespace rooted at it */
  char *where;     /* --explain only: where launch would make it, and how */
  bool named;      /* the name was given (name directive): it must be unique */
  char *profile;   /* the profile's name, or NULL, for the registry */
  struct plan_limit *limits;
  size_t n_limits, cap_limits;
};
void plan_cgroup_free(struct plan_cgroup *c);

/* Things --explain reports that are not plan operations. */
struct notes {
  char **lines;
  size_t n, cap;
};
void notes_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *n);

struct plan {
  /* Filesystem operations, executed in order. */
  struct plan_op *ops;
  size_t n_ops, cap_ops;

  /* Namespaces: CLONE_NEW* bits to create. */
  unsigned long unshare;
  bool unshare_user_try, unshare_cgroup_try;
  int userns_fd, userns2_fd, pidns_fd; /* -1: unset */
  bool disable_userns, assert_userns_disabled;

  /* Identity inside. */
  bool uid_set, gid_set;
  uid_t uid;
  gid_t gid;
  char *hostname;
  int userns_block_fd;

  /* The process. */
  char **argv; /* NULL-terminated */
  char *argv0;
  char *chdir;
  struct strv env; /* the final environment; env.v is never NULL */
  /* --setenv/--unsetenv/--clearenv as given, so a profile's environment can
   * be applied underneath them (the command line wins). */
  struct env_edit *env_edits;
  size_t n_env_edits, cap_env_edits;
  bool new_session, die_with_parent, as_pid_1;
  /* The sandbox ends when sbx itself dies (profiles): pid 1 keeps its
   * parent-death signal, but sbx is not tied to its own caller, which for
   * a desktop launcher or D-Bus activation is gone within moments. */
  bool die_with_sbx;
  /* pid 1 (sbx) is not dumpable (profiles): the app, same uid, can then
   * neither read /proc/1/environ (the caller's whole environment), write
   * /proc/1/mem, nor take a handle on /proc/1/exe -- sbx's own binary,
   * writable by the user when sbx lives in ~/bin (runc's CVE-2019-5736).
   * A bubblewrap-style sandbox keeps bubblewrap's dumpable pid 1:
   * integrators read /proc/PID/root and ns/ of its child-pid. */
  bool pid1_undumpable;

  /* Privileges and security. */
  struct cap_change *caps;
  size_t n_caps, cap_caps;
  char *exec_label, *file_label;
  struct seccomp_prog *seccomp_progs; /* --add-seccomp-fd, loaded at parse time */
  size_t n_seccomp_progs, cap_seccomp_progs;
  int seccomp_fd; /* --seccomp, read just before exec */
  struct syscall_rule *syscall_rules;
  size_t n_syscall_rules, cap_syscall_rules;
  /* The strings rules point to that are not string literals (the names
   * in a profile's syscall-deny): owned here. */
  struct strv syscall_strings;
  /* syscall-filter allowlist: the only calls allowed at all (a second
   * filter beside the rules; any other call fails with ENOSYS).  Names
   * as libseccomp spells them, static or in syscall_strings; none: no
   * allowlist. */
  const char **syscall_allowlist;
  size_t n_syscall_allowlist, cap_syscall_allowlist;
  /* The rules compiled to BPF, one program per architecture, native first
   * (launch/seccomp-cache.c, before the sandbox starts); pid 1 and the
   * app install them. */
  struct seccomp_prog policy_progs[SECCOMP_MAX_ARCH_PROGS];
  size_t n_policy_progs;
  struct plan_landlock landlock; /* off unless compile said otherwise */

  /* Integrator fds. */
  int info_fd, json_status_fd, sync_fd, block_fd;
  /* A side service the app needs (launch/: the D-Bus proxy) is started
   * beside the sandbox, not before it: ready_fd (-1: none) is the read end
   * of the pipe it writes one byte to once it serves.  The process that
   * execs the app reads that byte first (EOF: the service died; no byte
   * within ready_timeout_ms: it hangs; either way the app does not run and
   * the error names ready_what), and pid 1 holds the read end for the
   * sandbox's lifetime, as it holds sync_fd: the service ends when it
   * closes. */
  int ready_fd;
  char *ready_what;
  int ready_timeout_ms;
  /* The network helper (network private) the same way: the app waits for
   * its byte too; -1: none.  net_ready_on_carrier: or, first, for tap0's
   * carrier (the helper has attached its queue, and what the app sends
   * waits there for it), when nothing else must be done before the app
   * (no forward-port, no allow-host-port); EOF before either still fails,
   * and pid 1 stops the app at an EOF before the byte. */
  int net_ready_fd;
  char *net_ready_what;
  int net_ready_timeout_ms;
  bool net_ready_on_carrier;
  /* A side service that needs the sandbox's namespaces (the network
   * helper joins its network namespace): a unix socket (SOCK_SEQPACKET) on
   * which the sandbox's first process sends one byte with an fd of its
   * network namespace (SCM_RIGHTS) once its namespaces are usable (id maps
   * written, loopback up); EOF without it means the sandbox failed.  The
   * sandbox's user namespace then maps uid 0 (the app runs one namespace
   * down), as the helper needs; -1: nobody asks. */
  int started_fd;
  char **lock_files;
  size_t n_lock_files, cap_lock_files;

  /* Host directories to create (as the user) just before the sandbox
   * starts, so an app's state persists ("persist" rules). */
  char **host_dirs;
  size_t n_host_dirs, cap_host_dirs;

  /* Side services (launch/: the D-Bus proxy, instance files, the Wayland
   * listener) as compile described them; NULL: none.  Owned by the plan. */
  struct plan_services *services;

  /* The sandbox's own cgroup (compile), or NULL: none (a bare
   * bubblewrap-style command line, as bubblewrap).  cgroup_fd: an fd on
   * the cgroup's directory once launch made it (-1: none); the engine
   * starts the sandbox's first process in it (clone3 CLONE_INTO_CGROUP,
   * or by writing cgroup.procs first thing where clone3 is refused). */
  struct plan_cgroup *cgroup;
  int cgroup_fd;
  /* launch's registry: the monitor writes "pid=N\n" (the sandbox's first
   * process, in sbx's pid namespace) to this file once the sandbox runs,
   * then closes it; -1: nobody asks. */
  int pid_fd;
};

void plan_init(struct plan *p, char **environ_copy);
void plan_free(struct plan *p);
struct plan_op *plan_add_op(struct plan *p, enum op_kind kind, const char *src, const char *dest);
/* Free what an op owns (strings, data, overlay layers) and close its fd;
 * the op is left empty (fd -1).  Every op that is dropped goes through it. */
void plan_op_clear(struct plan_op *op);
/* Drop p->ops[i] (cleared) and close the gap; later ops keep their order,
 * and the handles in p->services follow them. */
void plan_remove_op(struct plan *p, size_t i);
/* Initialise a fresh op (fd -1, perms -1, copies of src and dest). */
void plan_op_init(struct plan_op *op, enum op_kind kind, const char *src, const char *dest);

/* Environment editing (last write wins, like setenv(3)). */
void plan_setenv(struct plan *p, const char *name, const char *value);
void plan_unsetenv(struct plan *p, const char *name);
void plan_clearenv(struct plan *p);
/* The command line's edits: applied now and remembered (see env_edits). */
void plan_edit_env(struct plan *p, enum env_verb verb, const char *name, const char *value);
/* Re-apply the remembered command-line edits on top of the current env. */
void plan_replay_env_edits(struct plan *p);
/* Insert ops (taking ownership of their contents) before the existing ones. */
void plan_prepend_ops(struct plan *p, struct plan_op *ops, size_t n);
const char *plan_getenv(const struct plan *p, const char *name);

void plan_add_syscall_rule(struct plan *p, const struct syscall_rule *rule);
/* A copy of s that lives as long as the plan (for a rule's name). */
const char *plan_syscall_string(struct plan *p, const char *s);

/* The rules the ops of p imply, replacing p->landlock.rules.  A path that
 * no op covers gets nothing: the sandbox's root is sbx's own tmpfs. */
void plan_landlock_derive(struct plan *p);
void plan_landlock_free_rules(struct plan_landlock *ll);
/* The fs rights a kernel with Landlock ABI `abi` knows (0: none). */
uint64_t landlock_fs_rights_for_abi(int abi);
/* The LANDLOCK_SCOPE_* bits ll's ruleset gets on ABI `abi` (0 below ABI 6). */
uint64_t landlock_scope_for_abi(int abi, const struct plan_landlock *ll);
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
/* "read_file,read_dir,..." for --explain, in buf (256 bytes hold them all). */
const char *landlock_rights_str(uint64_t access, char *buf, size_t size);
const char *landlock_mode_name(enum landlock_mode m);
/* Every fd the plan refers to (integrator fds, namespaces, ops that read
 * from or bind an fd), -1 where unset; *n gets the count.  Freed by the
 * caller. */
int *plan_fds(const struct plan *p, size_t *n);

bool plan_needs_reaper(const struct plan *p);
const char *op_kind_name(const struct plan_op *op);
