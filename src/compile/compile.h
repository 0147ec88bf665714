/* Compiling a resolved policy into plan operations.  Used for profiles and
 * for sbx's own high-level options alike (they share the policy). */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "policy/policy.h"

/* Things --explain reports that are not plan operations. */
struct notes {
  char **lines;
  size_t n;
};
void notes_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *n);

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
  /* Ops built here, put in front of the command line's own ops. */
  struct plan_op *ops;
  size_t n_ops, cap_ops;
};

/* Compile pol into p (whose command-line parts are already parsed).
 * Returns 0 or a negative errno after a message. */
int policy_compile(const struct policy *pol, struct plan *p, struct notes *notes);

/* The directive options a bubblewrap-style command line allows
 * (directive.bwrap_plan: network, env, name), applied to its plan without
 * anything of a profile's sandbox.  Returns 0 or -errno after a message. */
int policy_compile_bwrap(const struct policy *pol, struct plan *p);

/* Create the "persist" directories the plan needs on the host. */
int compile_create_host_dirs(const struct plan *p);

/* Op builders for the compiler and the desktop modules. */
struct plan_op *cc_op(struct compile_ctx *cc, enum op_kind kind, const char *src, const char *dest);
void cc_bind(struct compile_ctx *cc, enum bind_access access, const char *src, const char *dest, bool try_);
void cc_data(struct compile_ctx *cc, const char *dest, const char *data, size_t len, int perms, bool ro);
void cc_dir(struct compile_ctx *cc, const char *dest, int perms);
void cc_tmpfs(struct compile_ctx *cc, const char *dest, int perms);
void cc_symlink(struct compile_ctx *cc, const char *target, const char *dest);
/* Is host `path` visible in the sandbox (ro, rw or persist by the closest
 * path rule at or above it)? */
bool cc_path_visible(const struct compile_ctx *cc, const char *path);
