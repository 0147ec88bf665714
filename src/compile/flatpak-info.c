/* /.flatpak-info for sandboxes with an app-id.
 *
 * What goes in, and why each value is truthful for an sbx sandbox:
 *
 *   [Application] name          the policy's app-id
 *   [Instance] instance-id      the services' instance id (also the name of
 *                               $XDG_RUNTIME_DIR/.flatpak/ID and sbx/ID)
 *              session-bus-proxy / system-bus-proxy
 *                               true when that bus goes through the proxy
 *   [Context] shared            "network" when the policy shares the host
 *                               network; never "ipc" (sbx always unshares it)
 *             sockets           x11, wayland, pulseaudio, cups, ssh-auth
 *                               (socket ssh-agent), session-bus / system-bus
 *                               (dbus-* full); pipewire has no Flatpak name
 *             devices           dri, input, all; sound/video/u2f have no
 *                               Flatpak name and are not listed
 *             filesystems       every ro/rw/persist path rule under $HOME
 *                               ("home" for $HOME itself, else "~/REL"), and
 *                               every rw/persist rule elsewhere ("/ABS");
 *                               ":ro" marks read-only.  Read-only system
 *                               paths (/usr, /etc, ...) play the part of a
 *                               Flatpak runtime and are not listed.  Paths
 *                               with ':' can't be written in this syntax and
 *                               are left out (an under-statement).
 *   [Session Bus Policy] / [System Bus Policy]
 *                               NAME=see|talk|own from the dbus-see/talk/own
 *                               rules of a filtered bus (the strongest one
 *                               per name); call/broadcast rules have no
 *                               keyfile form and are left out.
 */
#include "compile/flatpak-info.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/query.h"
#include "util/util.h"

/* One element of a GKeyFile string list. */
static void buf_add_list_item(struct buf *b, const char *item)
{
  for (const char *c = item; *c; c++) {
    switch (*c) {
    case '\\': buf_printf(b, "\\\\"); break;
    case ';': buf_printf(b, "\\;"); break;
    case '\n': buf_printf(b, "\\n"); break;
    case '\t': buf_printf(b, "\\t"); break;
    case '\r': buf_printf(b, "\\r"); break;
    case ' ': buf_printf(b, c == item ? "\\s" : " "); break;
    default: buf_add(b, c, 1);
    }
  }
  buf_printf(b, ";");
}

static void filesystems(const struct compile_ctx *cc, struct buf *b)
{
  const char *home = cc->home;
  size_t hlen = strlen(home);
  bool have_home = hlen > 1 && home[0] == '/';
  size_t it = 0;
  struct path_rule rule;
  buf_printf(b, "filesystems=");
  while (policy_next_path(cc->pol, &it, &rule)) {
    const char *path = rule.path;
    bool ro = rule.access == PATH_RO;
    if (!path_access_shows_host(rule.access))
      continue;
    if (strchr(path, ':'))
      continue;
    const char *suffix = ro ? ":ro" : "";
    _cleanup_free_ char *item = NULL;
    if (have_home && strcmp(path, home) == 0)
      item = xasprintf("home%s", suffix);
    else if (have_home && strncmp(path, home, hlen) == 0 && path[hlen] == '/')
      item = xasprintf("~/%s%s", path + hlen + 1, suffix);
    else if (!ro)
      item = xasprintf("%s", path);
    if (item)
      buf_add_list_item(b, item);
  }
  buf_printf(b, "\n");
}

static void bus_policy(const struct compile_ctx *cc, struct buf *b, bool system)
{
  static const enum bus_verb levels[] = { BUS_SEE, BUS_TALK, BUS_OWN };
  /* Rules come ordered by verb, then name, so collect (name, strongest
   * level). */
  struct { const char *name; int level; } *names = NULL;
  size_t n = 0, cap = 0;
  for (int level = 0; level < 3; level++) {
    size_t it = 0;
    struct bus_rule rule;
    while (policy_next_bus_rule(cc->pol, system, &it, &rule)) {
      if (rule.verb != levels[level])
        continue;
      const char *name = rule.arg;
      size_t i;
      for (i = 0; i < n && strcmp(names[i].name, name) != 0; i++)
        ;
      if (i == n)
        ARRAY_PUSH(names, n, cap)->name = name;
      names[i].level = level;
    }
  }
  if (n > 0) {
    buf_printf(b, "\n[%s Bus Policy]\n", system ? "System" : "Session");
    for (size_t i = 0; i < n; i++)
      buf_printf(b, "%s=%s\n", names[i].name, bus_verb_name(levels[names[i].level]));
  }
  free(names);
}

char *flatpak_info_build(const struct compile_ctx *cc, const struct flatpak_info_in *in, size_t *len)
{
  struct buf b = { 0 };
  buf_printf(&b, "[Application]\nname=%s\n\n", in->app_id);
  buf_printf(&b, "[Instance]\ninstance-id=%s\n", in->instance_id);
  buf_printf(&b, "session-bus-proxy=%s\n", in->session_bus_proxy ? "true" : "false");
  buf_printf(&b, "system-bus-proxy=%s\n\n", in->system_bus_proxy ? "true" : "false");

  buf_printf(&b, "[Context]\nshared=%s\n", cc->share_net ? "network;" : "");
  /* Flatpak's names, in Flatpak's order. */
  static const struct { enum policy_socket sbx; const char *flatpak; } sockets[] = {
    { SOCKET_X11, "x11" }, { SOCKET_WAYLAND, "wayland" }, { SOCKET_PULSEAUDIO, "pulseaudio" },
    { SOCKET_CUPS, "cups" }, { SOCKET_SSH_AGENT, "ssh-auth" },
  };
  buf_printf(&b, "sockets=");
  for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
    if (policy_socket_on(cc->pol, sockets[i].sbx))
      buf_add_list_item(&b, sockets[i].flatpak);
  if (policy_bus_mode(cc->pol, false) == BUS_FULL)
    buf_add_list_item(&b, "session-bus");
  if (policy_bus_mode(cc->pol, true) == BUS_FULL)
    buf_add_list_item(&b, "system-bus");
  buf_printf(&b, "\ndevices=");
  static const enum policy_device devices[] = { DEVICE_DRI, DEVICE_INPUT, DEVICE_ALL };
  for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
    if (policy_device_on(cc->pol, devices[i]))
      buf_add_list_item(&b, device_name(devices[i]));
  buf_printf(&b, "\n");
  filesystems(cc, &b);

  if (in->session_bus_proxy)
    bus_policy(cc, &b, false);
  if (in->system_bus_proxy)
    bus_policy(cc, &b, true);
  *len = b.n;
  return b.s;
}

int desktop_flatpak_info(struct compile_ctx *cc, bool session_bus_proxy, bool system_bus_proxy)
{
  const char *app_id = policy_app_id(cc->pol);
  if (!app_id) {
    notes_add(cc->notes, "/.flatpak-info: none (no app-id); portals treat the app%s as a host program",
              session_bus_proxy || system_bus_proxy ? " (through its D-Bus proxy)" : "");
    return 0;
  }
  struct plan_services *s = cc_services(cc);
  struct flatpak_info_in in = { app_id, s->instance_id, session_bus_proxy, system_bus_proxy };
  size_t len;
  char *text = flatpak_info_build(cc, &in, &len);
  pb_data(&cc->ops, "/.flatpak-info", text, len, 0444, true);
  _cleanup_free_ char *link = xasprintf("%s/flatpak-info", cc->sandbox_runtime_dir);
  pb_symlink(&cc->ops, "../../../.flatpak-info", link);
  free(s->app_info);
  s->app_info = text;
  s->app_info_len = len;

  notes_add(cc->notes, "/.flatpak-info: app %s, instance %s (read-only; also %s)", app_id, s->instance_id, link);
  if (s->flatpak_dir) {
    if (cc->plan->info_fd >= 0)
      notes_add(cc->notes, "flatpak instance: %s/info (no bwrapinfo.json: --info-fd takes the sandbox's JSON)",
                s->flatpak_dir);
    else
      notes_add(cc->notes, "flatpak instance: %s/{info,bwrapinfo.json}, removed when the sandbox ends", s->flatpak_dir);
  } else {
    notes_add(cc->notes, "flatpak instance: none ($XDG_RUNTIME_DIR unset); portals that need bwrapinfo.json won't find it");
  }
  return 0;
}
