/* /.flatpak-info: how portals, GLib, GTK, PipeWire and Firefox learn that a
 * program is sandboxed, its app id and what it may do. */
#pragma once

#include "compile/ctx.h"

struct flatpak_info_in {
  const char *app_id;
  const char *instance_id;
  bool session_bus_proxy, system_bus_proxy;
};

/* The GKeyFile text for the policy in cc (see flatpak-info.c for what each
 * key says); caller frees. */
char *flatpak_info_build(const struct compile_ctx *cc, const struct flatpak_info_in *in, size_t *len);

/* With an app-id: /.flatpak-info (read-only) and its /run/user/UID/flatpak-info
 * link in the sandbox, and the same text for the proxy's sandbox and
 * $XDG_RUNTIME_DIR/.flatpak/ID/info (services).  Without one: nothing, and a
 * note saying so. */
int desktop_flatpak_info(struct compile_ctx *cc, bool session_bus_proxy, bool system_bus_proxy);
