/* Wayland, compile half: the compositor's socket, bound where the app
 * looks for it, and a spec (plan->services->wayland) for launch/wayland.c,
 * which asks the compositor when the sandbox starts whether it offers
 * wp_security_context_v1 and then binds a socket of the sandbox's own
 * instead, or takes Wayland out (see launch/wayland.h for the cases). */
#include <string.h>

#include "compile/desktop.h"
#include "policy/query.h"
#include "util/util.h"

int desktop_wayland(struct compile_ctx *cc)
{
  /* A WAYLAND_SOCKET fd is a connection the caller made for one client;
   * the sandbox gets its own way in or none. */
  plan_unsetenv(cc->plan, "WAYLAND_SOCKET");
  const char *name = plan_getenv(cc->plan, "WAYLAND_DISPLAY");
  if (!name || !*name)
    name = "wayland-0";
  _cleanup_free_ char *host = NULL;
  if (name[0] == '/')
    host = xstrdup(name);
  else if (cc->host_runtime_dir)
    host = xasprintf("%s/%s", cc->host_runtime_dir, name);
  if (!host || !is_socket(host)) {
    notes_add(cc->notes, "wayland: no compositor socket (%s); not connected", host ? host : name);
    /* Toolkits then go straight to X11 instead of trying a socket that
     * isn't there. */
    plan_unsetenv(cc->plan, "WAYLAND_DISPLAY");
    return 0;
  }
  const char *base = strrchr(host, '/') + 1;
  struct plan_services *s = cc_services(cc);
  struct plan_wayland *w = xcalloc(1, sizeof *w);
  w->host_socket = xstrdup(host);
  w->inside = xasprintf("%s/%s", cc->sandbox_runtime_dir, base);
  w->listener = xasprintf("%s/wayland", s->runtime_dir);
  const char *app_id = policy_app_id(cc->pol);
  w->app_id = app_id ? xstrdup(app_id) : NULL;
  s->wayland = w;

  /* The compositor's socket for now: a run replaces it with ours if the
   * compositor offers wp_security_context_v1 (wayland_attach), or takes it
   * out if that fails. */
  w->op = cc->ops.n; /* its index in the plan once compiled */
  pb_bind(&cc->ops, ACCESS_RO, host, w->inside, false);
  plan_setenv(cc->plan, "WAYLAND_DISPLAY", base);
  notes_add(cc->notes, "wayland: %s -> %s, or a socket of the sandbox's own if the compositor offers "
                       "wp_security_context_v1 (asked when the sandbox starts)", host, w->inside);
  w->note = cc->notes->n - 1;
  return 0;
}

