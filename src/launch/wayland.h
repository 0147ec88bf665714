/* Wayland: the compositor's socket, or one of the sandbox's own.
 *
 * Where the compositor offers the global wp_security_context_manager_v1
 * (wlroots >= 0.17, KWin 6, Mutter >= 47...), sbx does what Flatpak does:
 * when the sandbox starts (launch/launch.c; compile/wayland.c only records
 * the compositor's socket in plan->services->wayland) it creates a
 * listening socket in the instance directory, hands it to the compositor
 * with create_listener(listen_fd, close_fd), tags it with the sandbox
 * engine "org.sbx", the app id and the instance id, and binds that socket,
 * not the compositor's own, at /run/user/UID/$WAYLAND_DISPLAY.  close_fd
 * is the write end of the pipe whose read end the sandbox's pid 1 holds
 * (plan->sync_fd, the same pipe the D-Bus proxy watches), so the
 * compositor stops accepting on it when the sandbox ends.  Every client
 * the compositor accepts there carries the tags, and the compositor may
 * restrict what it offers them (no screen capture, no global shortcuts...).
 *
 *   offered, set up       the sandbox gets its own socket
 *   offered, setup fails  no Wayland at all, with a warning: never the
 *                         compositor's own socket instead (fail closed)
 *   not offered           the compositor's own socket, as before
 *   no answer             no Wayland (the app couldn't use it either)
 *
 * sbx speaks the wire protocol itself (no libwayland): little-endian
 * 32-bit words, a header of object id and (size << 16 | opcode), strings
 * as length (with the NUL) + bytes padded to 4, fds as SCM_RIGHTS on the
 * message that carries the request.
 *
 * `sbx --explain` connects to the compositor too, read-only (get_registry
 * and a sync, nothing created), to say which of the cases applies. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"

/* The sandbox engine name the compositor sees. */
#define WAYLAND_SANDBOX_ENGINE "org.sbx"
/* How long the compositor may take to answer before sbx gives up on it. */
#define WAYLAND_TIMEOUT_MS 5000

/* ---- the wire protocol (exposed for the unit test) ---------------------- */

struct wayland_wire {
  int fd;
  int timeout_ms;
  uint32_t next_id;   /* the next client object id (1 is wl_display) */
  uint32_t registry;  /* the wl_registry's id once asked for, else 0 */
  uint32_t manager, context; /* our security-context objects, else 0 */
  long long deadline; /* CLOCK_MONOTONIC ms: when the current call gives up */
  uint8_t in[8192];   /* received bytes not yet parsed */
  size_t in_len;
  char error[256];    /* why the last call failed */
};

/* What a registry listing found. */
struct wayland_globals {
  bool offered;                  /* wp_security_context_manager_v1 */
  uint32_t manager_name, manager_version;
  size_t n_globals;
};

void wayland_wire_init(struct wayland_wire *ww, int fd, int timeout_ms);
/* get_registry + sync; reads every global until the sync's done. */
int wayland_wire_globals(struct wayland_wire *ww, struct wayland_globals *g);
/* bind the manager, create_listener(listen_fd, close_fd), set the tags
 * (app_id may be NULL), commit, destroy both objects, and a sync to learn
 * of protocol errors.  Returns 0, or -errno with ww->error set (-EPROTO:
 * the compositor sent wl_display.error). */
int wayland_wire_create_listener(struct wayland_wire *ww, const struct wayland_globals *g, int listen_fd,
                                 int close_fd, const char *engine, const char *app_id, const char *instance_id);


/* ---- start time (launch/launch.c) --------------------------------------
 * Each works on p->services->wayland (compile's spec) and edits the plan
 * through its handle: the bind's source becomes the listener, or the bind
 * and WAYLAND_DISPLAY go (fail closed). */

/* The conversation with the compositor while the sandbox starts. */
struct wayland_conn {
  struct wayland_wire wire; /* wire.fd -1: not connected */
  struct wayland_globals globals;
};
void wayland_conn_init(struct wayland_conn *c);
/* Close the connection, if open. */
void wayland_disconnect(struct wayland_conn *c);

enum wayland_probe { WAYLAND_NOT_OFFERED, WAYLAND_OFFERED, WAYLAND_FAILED };

/* Connect to the compositor and read its globals.  WAYLAND_OFFERED keeps
 * the connection open for wayland_attach(); WAYLAND_FAILED has warned and
 * taken Wayland out of the plan. */
enum wayland_probe wayland_probe(struct wayland_conn *c, struct plan *p);

/* Create the listening socket (in the instance directory dirfd) and
 * register it with the compositor, close_fd being the pipe's write end.
 * On success the plan binds the listener instead of the compositor's
 * socket; on failure Wayland is taken out of the plan with a warning (fail
 * closed) and the socket removed.  Returns 0 or -errno; the connection is
 * closed either way. */
int wayland_attach(struct wayland_conn *c, struct plan *p, int dirfd, int close_fd);

/* Why an offered wp_security_context_v1 can't be used with this plan
 * (--sync-fd, --as-pid-1: no pid 1 of ours holds the pipe), or NULL. */
const char *wayland_blocker(const struct plan *p);

/* Offered, but sbx can't give the compositor a pipe the sandbox holds
 * (why: e.g. "--sync-fd was given"): warn and fail closed. */
void wayland_give_up(struct wayland_conn *c, struct plan *p, const char *why);

/* --explain: probe read-only, show in the plan what a run would do and
 * say why in compile's note. */
void wayland_explain(struct plan *p, struct notes *notes);
