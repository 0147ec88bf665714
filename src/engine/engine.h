/* The engine: executes a plan.  It knows nothing of profiles or option
 * syntax, and is the only code that calls mount(2)-family system calls. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/walk.h"

#define MAX_TRUSTED_DEVS 64

/* State of the process that builds the sandbox (inside the new namespaces). */
struct setup {
  const struct plan *plan;
  /* Calls of the new mount API found missing, each on its own: kernels
   * 5.2-5.11 have fsopen and open_tree but not mount_setattr (5.12), and a
   * seccomp policy may refuse any of them.  Each falls back to mount(2). */
  bool no_fsopen;        /* fsopen, fsconfig, fsmount (+ move_mount) */
  bool no_open_tree;     /* open_tree (+ move_mount) */
  bool no_mount_setattr;
  bool openat2_ok;   /* openat2 works (else: our own component walk) */
  int proc_fd;       /* the host's /proc, opened before the first pivot */
  int oldroot_fd;    /* the host's root, at /oldroot after the first pivot */
  int root_fd;       /* the sandbox's root being built, at /newroot */
  int scratch_fd;    /* a directory on sbx's private tmpfs, never visible */
  unsigned scratch_seq;
  /* Filesystems sbx itself created during this setup: symlinks found on them
   * can only have come from the plan, so they are safe to follow. */
  dev_t trusted_devs[MAX_TRUSTED_DEVS];
  size_t n_trusted;
  bool in_userns;    /* we created or joined a user namespace */
  uid_t host_uid;    /* the caller's uid outside (the app's identity on the host) */
  mode_t parent_mode; /* for missing parent directories of the current op */
  char *console;     /* the terminal on stdout, found before the host goes away */
};

/* paths.c: resolution inside the new root without trusting its symlinks. */
/* Resolve `path` (absolute, in sandbox terms) to an O_PATH fd.  flags:
 * WALK_MKDIR (missing directories made with setup.parent_mode) and
 * WALK_NOFOLLOW_LAST of util/walk.h. */
int root_resolve(struct setup *s, const char *path, unsigned flags, int *out_fd);
/* Resolve the parent of `path` (creating it with WALK_MKDIR), returning an
 * O_PATH fd of it and the last component (allocated; the caller frees). */
int root_resolve_parent(struct setup *s, const char *path, unsigned flags, int *out_dirfd, char **last);
/* Resolve a host source `path` below the host's root (/oldroot), as the
 * caller meant it: absolute links and ".." stay inside it; every symlink is
 * followed, as with bubblewrap (the caller is trusted with its sources),
 * /proc/self/... magic links included. */
int host_resolve(struct setup *s, const char *path, int *out_fd);
void setup_trust_fd(struct setup *s, int fd);
char *fd_proc_path(const struct setup *s, int fd); /* "/.../proc/self/fd/N" for mount(2) */
int fd_mount_id(const struct setup *s, int fd);    /* the mnt_id of fdinfo, or -errno */
FILE *proc_fopen(const struct setup *s, const char *name); /* "self/mountinfo" of s->proc_fd; NULL + errno */

/* mountinfo.c: /proc/self/mountinfo, one entry a line, in the kernel's
 * order (a mount is listed after the one it covers). */
struct mount_entry {
  int id;
  char *mp;           /* mount point, unescaped */
  unsigned long ms;   /* its per-mount flags (MS_RDONLY, MS_NOSUID, ...) */
  bool super_ro;      /* the filesystem itself is read-only */
};
int mountinfo_read(const struct setup *s, struct mount_entry **out, size_t *n_out);
void mountinfo_free(struct mount_entry *e, size_t n);

/* mounts.c */
int setup_build_root(struct setup *s);     /* first pivot: host at /oldroot, empty new root */
int setup_run_ops(struct setup *s);        /* every plan op, in order */
int setup_enter_root(struct setup *s);     /* drop the host, pivot into the new root */

/* namespaces.c */
int ns_write_id_maps(int proc_fd, const char *pid, uid_t inner_uid, uid_t outer_uid,
                     gid_t inner_gid, gid_t outer_gid, bool deny_setgroups);
int ns_loopback_up(void);
int ns_reject_routes(const uint32_t *addrs, size_t n);
/* The same for IPv6 addresses (16 bytes each). */
int ns_reject_routes6(const struct plan_net_addr6 *addrs, size_t n);
/* network private: tap0, persistent and configured (PLAN_NET_*: its
 * addresses, routes and MTU), for the helper to attach to. */
int ns_tap_create(void);
/* tap0's carrier (the network helper has attached its queue: what is
 * sent now waits there for it).  watch: a netlink socket that will tell
 * (poll it for POLLIN), or -errno; read: 1 on, 0 not yet, -errno; both
 * after a message. */
int ns_tap_carrier_watch(void);
int ns_tap_carrier_read(int nl);
int ns_nested_userns(struct setup *s, uid_t uid, gid_t gid, bool disable_userns);
int ns_check_userns_disabled(void);

/* userns-diag.c: why creating a user namespace failed with `err` (an
 * errno), as "what is restricted; how to lift it" (allocated), or NULL
 * when none of the known restrictions applies.  Reads only /proc files. */
char *ns_restriction_explain(int err);
/* The monitor's one message after clone(CLONE_NEWUSER...) failed with
 * err: the restriction and its remedy, or the generic message.  -err. */
int ns_explain_clone_failure(int err);
/* Inside a new user namespace: are we in AppArmor's capability-less
 * "unprivileged_userns" profile (Ubuntu 24.04's default for programs
 * without a profile granting userns)?  Then -EPERM after one message. */
bool ns_apparmor_confined(void);
char *ns_apparmor_confinement_explain(void); /* what and the remedy, allocated */
int ns_check_apparmor_confinement(void);
/* Does a seccomp filter apply to this process (Seccomp: 2)? */
bool ns_seccomp_filtered(void);

#define KERNEL_PROBE_PRESENT (-2)
/* sbx --doctor: the kernel's side, tried in a throw-away child.  Each
 * field: 0 worked, an errno, or -1 not tried (a step before it failed). */
struct kernel_probe {
  int userns;            /* unshare(CLONE_NEWUSER) */
  bool apparmor_confined; /* ...landed in AppArmor's unprivileged_userns */
  int id_maps;           /* setgroups, uid_map, gid_map from inside */
  int mntns;             /* unshare(CLONE_NEWNS) */
  /* Tried for real in the child's mount namespace; where that was not
   * possible, KERNEL_PROBE_PRESENT: asked with an invalid fd, it exists. */
  int open_tree, move_mount, mount_setattr, fsopen, fsconfig, fsmount;
  int openat2;           /* openat2(RESOLVE_NO_SYMLINKS) */
};
/* 0, or -errno after a message (the child could not be run). */
int kernel_probe_run(struct kernel_probe *k);

/* caps.c */
int caps_read_effective(uint64_t *mask);
int caps_read_permitted(uint64_t *mask);
int caps_apply(uint64_t keep, bool via_ambient);
int caps_drop_all(void);

/* landlock.c */
/* Restrict the calling process (and what it forks) by the plan's rules,
 * masked to the kernel's ABI.  Off: nothing; no Landlock: a warning, or an
 * error when required.  0 or -errno after a message. */
int landlock_apply(const struct plan_landlock *ll);

/* seccomp.c */
int seccomp_read_fd(int fd, struct seccomp_prog *prog);
int seccomp_apply(const struct seccomp_prog *progs, size_t n);
/* sbx's own policy compiled once with libseccomp: the rules
 * (plan.syscall_rules) into one program per architecture, native first,
 * then the allowlist (plan.syscall_allowlist) likewise; *n_progs 0 without
 * either.  pid 1 and the app install the same programs.  progs holds
 * SECCOMP_MAX_ARCH_PROGS.  Returns 0 or -errno after a message. */
int seccomp_compile_policy(const struct plan *p, struct seccomp_prog *progs, size_t *n_progs);
/* One rule of that policy added to ctx (a libseccomp scmp_filter_ctx of
 * the native architecture) with `action` instead of its errno: the
 * notifying filter of --explain-denials (notify.c) matches exactly what
 * the native program would refuse.  Returns 0 or -errno after a message. */
int seccomp_add_policy_rule(void *ctx, uint32_t action, const struct syscall_rule *rule);

/* selinux.c */
int label_exec(const char *label);
int label_create_files(const char *label); /* setfscreatecon for setup */
char *label_mount_opt(const char *label); /* "context=..." or NULL */
