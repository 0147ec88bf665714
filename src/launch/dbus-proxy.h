/* The filtering D-Bus proxy: xdg-dbus-proxy, run in a small sandbox of
 * its own so that portals, which identify a caller by the bus peer's
 * /proc/PID/root/.flatpak-info, see the app's /.flatpak-info (the peer on
 * the bus is the proxy, not the app). */
#pragma once

#include <stdbool.h>

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
 * listen, and lives as long as someone holds the read end.  Returns 0 or
 * a negative errno after a message; *out is the started process. */
int dbus_proxy_spawn(const struct plan_services *s, const char *binary, int ready_wr, struct helper *out);
