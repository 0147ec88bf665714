/* What every compile module (compile.c and the desktop modules) works on:
 * the policy being compiled, the plan it goes into, and the ops built so
 * far (they go in front of the command line's own ops). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan/builder.h"
#include "plan/plan.h"
#include "policy/policy.h"

struct compile_ctx {
  struct plan *plan;
  const struct policy *pol;
  struct notes *notes;
  uid_t uid;
  gid_t gid;
  const char *home;
  const char *host_runtime_dir;    /* the caller's $XDG_RUNTIME_DIR */
  char *sandbox_runtime_dir;       /* /run/user/UID inside */
  bool share_net;
  bool abstract_scoped; /* Landlock keeps abstract sockets outside out of reach */
  struct plan_builder ops;
};

/* Is host `path` visible in the sandbox (ro, rw or persist by the closest
 * path rule at or above it)? */
bool cc_path_visible(const struct compile_ctx *cc, const char *path);

/* The plan's side services, created on first use with a fresh instance id
 * and the runtime paths derived from the caller's $XDG_RUNTIME_DIR (a
 * /tmp fallback without one).  Only recorded: launch/ makes them. */
struct plan_services *cc_services(struct compile_ctx *cc);
