/* The filtering D-Bus proxy: xdg-dbus-proxy, run in a small sandbox of
 * its own so that portals, which identify a caller by the bus peer's
 * /proc/PID/root/.flatpak-info, see the app's /.flatpak-info (the peer on
 * the bus is the proxy, not the app). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "engine/supervisor.h"
#include "plan/plan.h"

/* The xdg-dbus-proxy executable: $SBX_DBUS_PROXY if set, else the first in
 * $PATH (then /usr/bin).  NULL if there is none. */
char *dbus_proxy_find_binary(const char *path_env);

/* The proxy's sandbox as a bubblewrap-style command line, for --explain
 * (the top level of the host in one word, the fd as "FD").  Free it. */
char *dbus_proxy_describe(const struct plan_services *s, const char *binary);

/* How long the app's sandbox waits for the proxy's sockets (its byte on
 * plan->ready_fd).  Generous: a loaded machine is not an error. */
#define DBUS_PROXY_READY_TIMEOUT_MS 30000
/* How long the proxy may take to exit after the sandbox ended before sbx
 * kills it. */
#define DBUS_PROXY_EXIT_TIMEOUT_MS 5000

/* Start the proxy; do not wait for it.  ready_wr: the write end of its
 * --fd pipe (close-on-exec; the caller keeps it and must close it so the
 * proxy holds the only copy): the proxy writes one byte once its sockets
 * listen, and lives as long as someone holds the read end.  log_wr >= 0:
 * with --log (--explain-denials, --learn), the proxy prints every message
 * it relays, and what it filtered, on its stdout, which is log_wr; -1: no
 * log.  Returns 0 or a negative errno after a message; *out is the started
 * process. */
int dbus_proxy_spawn(const struct plan_services *s, const char *binary, int ready_wr, int log_wr,
                     struct helper *out);

/* ---- what the proxy's log says it refused ----------------------------------
 * xdg-dbus-proxy --log prints one line per message ("C3: -> NAME call
 * IFACE.METHOD at PATH"), followed, when the filter dropped the call, by
 * "*HIDDEN*..." (the name is not visible to the app) or "*DENIED*..." (seen,
 * but not talked to); a call to the bus itself that names a bus name the
 * app may not use (GetNameOwner, RequestName...) gives "Filtering message
 * due to arg0 NAME, policy: P (required R)", where 1 is see, 2 talk, 3
 * own.  One proxy serves both buses and the log does not say which. */
enum bus_need { BUS_NEED_SEE = 1, BUS_NEED_TALK = 2, BUS_NEED_OWN = 3 };
struct bus_denial {
  const char *name;   /* the bus name */
  enum bus_need need; /* what the app tried needs */
  const char *what;   /* the message: "call IFACE.METHOD at PATH" */
};
typedef void bus_denial_fn(void *ctx, const struct bus_denial *d);

struct bus_log {
  char *last;       /* the message the next line may be about */
  struct strv seen; /* "NEED NAME", each reported once */
  /* Learning (an unfiltered proxy): report every well-known name called,
   * as BUS_NEED_TALK, instead of the refusals. */
  bool calls;
};
void bus_log_free(struct bus_log *bl);
/* One line of the log (no newline); report(ctx, denial) for a refusal not
 * seen before. */
void bus_log_line(struct bus_log *bl, const char *line, bus_denial_fn *report, void *ctx);
/* Each line of f, till its end, as bus_log_line. */
void bus_log_read(struct bus_log *bl, FILE *f, bus_denial_fn *report, void *ctx);

/* A process of its own that reads the log from rd (till EOF: the proxy
 * exited) and reports, as bus_log_line does; it holds no other fd of
 * sbx's (a copy of the proxy's --fd pipe would keep the proxy alive) and
 * dies with sbx.  rd is closed here.  Returns 0 or -errno after a message. */
int bus_log_reader_start(int rd, bus_denial_fn *report, void *ctx, struct helper *out);
