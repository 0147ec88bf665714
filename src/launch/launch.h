/* Launch: everything the host must have or run for exactly as long as a
 * sandbox runs, started just before it and ended right after it.  Today
 * that is the "persist" directories, the filtering D-Bus proxy, the
 * Flatpak-style instance files portals read, and the sandbox's own Wayland
 * socket (wp_security_context_v1, launch/wayland.h).
 *
 * Compile (compile/dbus.c, flatpak-info.c, wayland.c) only *records* what
 * is needed, as plain data in plan->services and plan->host_dirs; nothing
 * is created or started then, so `sbx --explain` and a policy that fails to
 * compile leave no trace.  The runtime state (pids, fds, the lock) lives in
 * struct launch, which main() owns: launch_start() just before sbx_run(),
 * launch_stop() right after it (and on every path after a start).
 *
 * The sandbox's own cgroup (plan->cgroup, launch/cgroup.h) comes first of
 * all: a limit that can't be had fails before anything else is started.
 *
 * Host layout of one instance (ID is a random 64-bit number, also the
 * [Instance] instance-id of /.flatpak-info):
 *
 *   $XDG_RUNTIME_DIR/sbx/ID/             0700, a directory per proxied bus
 *                                        holding only its socket
 *                                        (session-bus/bus,
 *                                        system-bus/system_bus_socket), the
 *                                        Wayland listener (wayland) and
 *                                        `lock`, flock'ed while the instance
 *                                        lives; without XDG_RUNTIME_DIR:
 *                                        /tmp/sbx-UID-ID/ (sockets only)
 *   $XDG_RUNTIME_DIR/.flatpak/ID/        only with an app-id: info (the
 *                                        app's /.flatpak-info), bwrapinfo.json
 *                                        (child-pid, as Flatpak's bwrap writes)
 *
 * Instance directories are made with mkdir(2), which fails if anything
 * already exists at the (unguessable) name, so a planted file or symlink is
 * refused, not followed.  Both are removed by launch_stop(); the parents
 * (sbx/, .flatpak/) stay, as Flatpak leaves .flatpak/ and .dbus-proxy/.
 * An sbx killed outright leaves its directories; the next start removes
 * every instance whose lock is free or missing (instance.h: sbx/ itself is
 * flocked around the moments an instance has no lock yet or any more).
 *
 * The proxy is started, not waited for: the app's sandbox is built while
 * it starts.  Its --fd pipe's read end is plan->ready_fd: the process that
 * execs the app waits for the proxy's byte on it, and the sandbox's pid 1
 * holds it for the sandbox's lifetime; the proxy exits when the last read
 * end closes.  Only the proxy holds the write end, so EOF there means it
 * died before it was ready.  A second pipe tells the compositor (close_fd)
 * that the sandbox ended: its read end is plan->sync_fd, also held by
 * pid 1. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "engine/supervisor.h"
#include "launch/dbus-proxy.h"
#include "launch/net.h"
#include "launch/cgroup.h"
#include "launch/wayland.h"
#include "plan/plan.h"

/* An fd launch hands to the plan (plan->ready_fd, sync_fd, info_fd): sbx_run
 * closes those at some point, so launch closes its copy only if the number
 * still names the very file it opened. */
struct launch_fd {
  int fd;
  dev_t dev;
  ino_t ino;
};

struct launch {
  char *proxy_binary;       /* xdg-dbus-proxy, found when starting */
  struct helper proxy;      /* the proxy's sandbox */
  bool runtime_made, flatpak_made;
  int lock_fd;              /* sbx/ID/lock, flock'ed while the instance lives */
  struct launch_fd ready;   /* the proxy's pipe, handed over as ready_fd */
  struct launch_fd sync;    /* read end handed to the sandbox as sync_fd */
  struct launch_fd info;    /* bwrapinfo.json, handed over as info_fd */
  struct wayland_conn wayland;
  struct net_state net;          /* network private: the helper (launch/net.h) */
  struct launch_fd started;      /* its starter's pipe, handed over as started_fd */
  struct launch_fd net_ready;    /* its ready pipe, handed over as net_ready_fd */
  struct cgroup_scope cgroup; /* the sandbox's own cgroup (launch/cgroup.h) */
  char *registry_id;          /* its entry in the registry (launch/registry.h) */
  /* --explain-denials: set before launch_start, the proxy runs with --log
   * and a reader process reports what it filtered (launch/dbus-proxy.h);
   * NULL: no log. */
  bus_denial_fn *bus_denied;
  void *bus_denied_ctx;
  struct helper bus_log_reader;
  /* --learn: the proxy runs with --log into this file, read after the run
   * (-1: no log). */
  int bus_log_fd;
  int registry_lock;          /* the entry, flock'ed while the sandbox lives */
  int registry_pid;           /* the entry again, handed over as plan->pid_fd */
};

void launch_init(struct launch *l);

/* Create the persist directories and the instance files, start the proxy
 * (the sandbox waits for it: plan->ready_fd), give the compositor the
 * sandbox's Wayland socket (or take Wayland out of the plan, with a
 * warning, if that fails); hand the sync pipe to the plan (plan->sync_fd)
 * and the bwrapinfo.json file to plan->info_fd (when the caller gave
 * neither).  A sandbox with a cgroup of its own (plan->cgroup) gets it
 * first, then an entry in the registry (sbx_argv: sbx's command line,
 * what --join rebuilds the policy from).  Side services come first: if one cannot start, no persist
 * directory has been made yet.  On failure everything already started is
 * undone.  Returns 0 or a negative errno after a message. */
int launch_start(struct launch *l, struct plan *p, char **sbx_argv);

/* --explain: what starting would do where that depends on the host now
 * (which proxy binary; does the compositor offer wp_security_context_v1?):
 * asked read-only, shown in the plan and the notes.  Creates nothing. */
void launch_explain(struct plan *p, struct notes *notes);

/* After the sandbox ended (or when it never ran): make sure the proxy has
 * exited, remove the instance files, free l's state.  Idempotent. */
void launch_stop(struct launch *l, struct plan *p);
