/* Desktop integration: the sockets, devices and identity files a desktop
 * app needs, compiled into plan operations from the resolved policy. */
#pragma once
#include "compile/ctx.h"

int desktop_compile(struct compile_ctx *cc);

/* x11.c: only the current display's socket and an Xauthority file holding
 * only that display's cookies. */
int desktop_x11(struct compile_ctx *cc);
/* Filter an Xauthority file's entries down to display `display` on this
 * host; returns the new file's bytes (caller frees) or NULL if none. */
char *xauth_filter(const char *data, size_t len, const char *display, const char *hostname, size_t *out_len);

/* wayland.c: the compositor's socket bound at /run/user/UID/$WAYLAND_DISPLAY
 * and its spec (plan->services->wayland) for launch, which may swap in a
 * socket of the sandbox's own (launch/wayland.h).  No compositor: nothing,
 * and a note. */
int desktop_wayland(struct compile_ctx *cc);

/* dbus.c: session/system bus access (none, filtered through
 * xdg-dbus-proxy, or the real socket). */
int desktop_dbus(struct compile_ctx *cc);
