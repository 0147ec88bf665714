#include "plan/builder.h"

#include <string.h>

#include "util/util.h"

struct plan_op *pb_op(struct plan_builder *b, enum op_kind kind, const char *src, const char *dest)
{
  struct plan_op *op = ARRAY_PUSH(b->ops, b->n, b->cap);
  plan_op_init(op, kind, src, dest);
  return op;
}

void pb_bind(struct plan_builder *b, enum bind_access access, const char *src, const char *dest, bool try_)
{
  struct plan_op *op = pb_op(b, OP_BIND, src, dest);
  op->access = access;
  if (try_)
    op->flags |= OPF_TRY;
}

void pb_data(struct plan_builder *b, const char *dest, const char *data, size_t len, int perms, bool ro)
{
  struct plan_op *op = pb_op(b, OP_BIND_DATA, NULL, dest);
  op->access = ro ? ACCESS_RO : ACCESS_RW;
  op->data = xmalloc(len + 1);
  memcpy(op->data, data, len);
  op->data[len] = '\0';
  op->data_len = len;
  op->perms = perms;
}

void pb_dir(struct plan_builder *b, const char *dest, int perms)
{
  pb_op(b, OP_DIR, NULL, dest)->perms = perms;
}

void pb_tmpfs(struct plan_builder *b, const char *dest, int perms)
{
  pb_op(b, OP_TMPFS, NULL, dest)->perms = perms;
}

void pb_symlink(struct plan_builder *b, const char *target, const char *dest)
{
  pb_op(b, OP_SYMLINK, target, dest);
}

void pb_prepend_to(struct plan_builder *b, struct plan *p)
{
  plan_prepend_ops(p, b->ops, b->n);
  free(b->ops);
  *b = (struct plan_builder){ 0 };
}

void pb_free(struct plan_builder *b)
{
  for (size_t i = 0; i < b->n; i++)
    plan_op_clear(&b->ops[i]);
  free(b->ops);
  *b = (struct plan_builder){ 0 };
}
