/* Side services: processes and host files a sandbox needs next to it, for
 * exactly as long as it runs.  Today that is the filtering D-Bus proxy,
 * the Flatpak-style instance files portals read, and the sandbox's own
 * Wayland socket (wp_security_context_v1, desktop/wayland.h).
 *
 * The compiler (desktop/dbus.c, desktop/flatpak-info.c, desktop/wayland.c)
 * only *records* what
 * is needed, as plain data in plan->services; nothing is created or started
 * then, so `sbx --explain` and a policy that fails to compile leave no
 * trace.  main() calls services_start() just before sbx_run() and
 * services_stop() right after it (and on every path after a start).
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
 * refused, not followed.  Both are removed by services_stop(); the parents
 * (sbx/, .flatpak/) stay, as Flatpak leaves .flatpak/ and .dbus-proxy/.
 * An sbx killed outright leaves its directories; the next start removes
 * every instance whose lock is free.
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
#include <stddef.h>
#include <sys/types.h>

struct plan;
struct notes;
struct wayland_service;

/* One bus behind the proxy. */
struct service_bus {
  bool system;
  char *address;   /* the real bus, as xdg-dbus-proxy takes it */
  const char *subdir; /* its directory in the instance dir (a literal) */
  char *dir;       /* that directory on the host: bound into the sandbox, so
                    * the socket may appear after the sandbox is built */
  char *socket;    /* the proxy's listening socket on the host, in dir */
  char **rules;    /* --filter, --own=..., ...; NULL-terminated */
  size_t n_rules;
};

struct services {
  char *instance_id;
  char *runtime_parent; /* $XDG_RUNTIME_DIR/sbx, or NULL (the /tmp fallback) */
  char *runtime_dir;    /* where proxy sockets live */
  char *flatpak_parent; /* $XDG_RUNTIME_DIR/.flatpak, or NULL */
  char *flatpak_dir;    /* $XDG_RUNTIME_DIR/.flatpak/ID, or NULL */
  char *app_info;       /* the /.flatpak-info text, or NULL without an app-id */
  size_t app_info_len;
  char *proxy_binary;   /* xdg-dbus-proxy, or NULL if not found */
  struct service_bus buses[2];
  size_t n_buses;
  struct wayland_service *wayland; /* socket wayland with a compositor, or NULL */

  /* Run-time state (services_start/services_stop). */
  bool runtime_made, flatpak_made;
  pid_t proxy_pid;
  int proxy_pidfd;
  int sync_rd;              /* read end handed to the sandbox as sync_fd */
  dev_t sync_dev;
  ino_t sync_ino;
  int ready_rd;             /* the proxy's pipe, handed over as ready_fd */
  dev_t ready_dev;
  ino_t ready_ino;
  int lock_fd;              /* sbx/ID/lock, flock'ed while the instance lives */
  int info_fd;              /* bwrapinfo.json, handed over as info_fd */
  dev_t info_dev;
  ino_t info_ino;
};

/* The plan's services, created (with a fresh instance id and the runtime
 * paths derived from host_runtime_dir, the caller's $XDG_RUNTIME_DIR or
 * NULL) on first use. */
struct services *services_get(struct plan *p, const char *host_runtime_dir);

/* Add a bus to proxy; returns it so the caller can add rules. */
struct service_bus *services_add_bus(struct services *s, bool system, const char *address);
void service_bus_add_rule(struct service_bus *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free a NULL-terminated string vector. */

/* Create the instance files, start the proxy (the sandbox waits for it:
 * plan->ready_fd), give the compositor the sandbox's Wayland socket (or take Wayland out of
 * the plan, with a warning, if that fails); hand the sync pipe to the plan
 * (plan->sync_fd) and the bwrapinfo.json
 * file to plan->info_fd (when the caller gave neither).  On failure
 * everything already done is undone.  Returns 0 or a negative errno after
 * a message.  Without services, does nothing. */
int services_start(struct plan *p);

/* --explain: what starting would do where that depends on the host now
 * (does the compositor offer wp_security_context_v1?): asked read-only,
 * shown in the plan and the notes.  Creates nothing. */
void services_explain(struct plan *p, struct notes *notes);

/* After the sandbox ended (or when it never ran): make sure the proxy has
 * exited, remove the instance files, free plan->services.  Idempotent. */
void services_stop(struct plan *p);
