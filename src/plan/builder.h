/* Building a run of plan operations apart from the plan, to be put in
 * front of the ops already there: how compile/ (profiles, desktop
 * modules) adds what a policy implies underneath what a bubblewrap-style
 * command line said itself.  An op's index in the builder is its index in
 * the plan once prepended: a handle the plan's service specs keep. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

struct plan_builder {
  struct plan_op *ops;
  size_t n, cap;
};

struct plan_op *pb_op(struct plan_builder *b, enum op_kind kind, const char *src, const char *dest);
void pb_bind(struct plan_builder *b, enum bind_access access, const char *src, const char *dest, bool try_);
/* A file of `data` (copied) bound read-only (ro) or writable. */
void pb_data(struct plan_builder *b, const char *dest, const char *data, size_t len, int perms, bool ro);
void pb_dir(struct plan_builder *b, const char *dest, int perms);
void pb_tmpfs(struct plan_builder *b, const char *dest, int perms);
void pb_symlink(struct plan_builder *b, const char *target, const char *dest);

/* Move the built ops in front of p's (in their order); b is left empty. */
void pb_prepend_to(struct plan_builder *b, struct plan *p);
/* Drop whatever is left (ops never handed over: their fds close). */
void pb_free(struct plan_builder *b);
