/* Landlock rules as plain data: which rights each path of the sandbox gets,
 * derived from the plan's ops.  The mounts already say what the app may
 * do; the rules say it a second time, in terms the kernel checks on every
 * access no matter how the mount tree came out, so a mistake in setup (a
 * bind that ended up writable, a path left visible that no op meant to
 * show) is still contained.
 *
 * How the kernel reads the rules decides their shape: a rule binds rights
 * to an inode, and an access is allowed when a rule on the file or on any
 * directory above it (as seen in the sandbox) grants it.  Rights below a
 * path can therefore only add to those above it, never take away; so a
 * read-only bind below a writable one is read-only by its mount flag
 * alone.  A later mount at or above a path hides what was there, so its
 * rule replaces the rules at and below that path. */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "util/util.h"

/* "/a//b/" -> "/a/b": the spelling the rules are compared in. */
static char *clean_path(const char *in)
{
  char *out = xmalloc(strlen(in) + 2);
  size_t n = 0;
  for (const char *c = in; *c; c++)
    if (*c != '/' || n == 0 || out[n - 1] != '/')
      out[n++] = *c;
  if (n > 1 && out[n - 1] == '/')
    n--;
  if (n == 0)
    out[n++] = '/';
  out[n] = '\0';
  return out;
}

/* Is `path` `top` or below it? */
static bool at_or_below(const char *path, const char *top)
{
  size_t n = strlen(top);
  if (strcmp(top, "/") == 0)
    return true;
  return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void drop_rules_under(struct plan_landlock *ll, const char *top)
{
  size_t kept = 0;
  for (size_t i = 0; i < ll->n_rules; i++) {
    if (at_or_below(ll->rules[i].path, top))
      free(ll->rules[i].path);
    else
      ll->rules[kept++] = ll->rules[i];
  }
  ll->n_rules = kept;
}

static bool covered(const struct plan_landlock *ll, const char *path)
{
  for (size_t i = 0; i < ll->n_rules; i++)
    if (at_or_below(path, ll->rules[i].path))
      return true;
  return false;
}

static void add_rule(struct plan_landlock *ll, const char *path, uint64_t access, enum op_kind from)
{
  drop_rules_under(ll, path);
  struct landlock_rule *r = ARRAY_PUSH(ll->rules, ll->n_rules, ll->cap_rules);
  r->path = xstrdup(path);
  r->access = access;
  r->from = from;
}

/* remount-ro: the mounts at and below `top` lose their write rights; an
 * empty tmpfs made read-only (how a profile hides a directory) is left
 * with reading only. */
static void make_read_only(struct plan_landlock *ll, const char *top)
{
  for (size_t i = 0; i < ll->n_rules; i++) {
    struct landlock_rule *r = &ll->rules[i];
    if (!at_or_below(r->path, top))
      continue;
    r->access &= r->from == OP_TMPFS ? LL_READ : ~LL_WRITES;
  }
}

/* The rights the mount an op makes implies, or 0 for ops that make none. */
static uint64_t op_rights(const struct plan_op *op)
{
  switch (op->kind) {
  case OP_BIND:
    return op->access == ACCESS_RO ? LL_RO : op->access == ACCESS_DEV ? LL_RW | LL_IOCTL_DEV : LL_RW;
  case OP_BIND_DATA:
    return op->access == ACCESS_RO ? LL_READ_FILE : LL_READ_FILE | LL_WRITE_FILE | LL_TRUNCATE;
  case OP_PROC:
    /* Reading, and writing the files programs write (oom_score_adj,
     * comm, attr/current; a shell's "> file" also truncates).  Nothing can be
     * created or removed in procfs anyway, and what must stay read-only
     * in it is by its mount flags. */
    return LL_PROC;
  case OP_DEV:
    return LL_DEV;
  case OP_TMPFS:
  case OP_MQUEUE:
  case OP_DIR:
  case OP_FILE:
  case OP_OVERLAY:
  case OP_TMP_OVERLAY:
    return LL_RW;
  case OP_RO_OVERLAY:
    return LL_RO;
  case OP_REMOUNT_RO:
  case OP_SYMLINK:
  case OP_CHMOD:
    break;
  }
  return 0;
}

static void derive_op(struct plan_landlock *ll, const struct plan_op *op)
{
  if (!op->dest)
    return;
  _cleanup_free_ char *dest = clean_path(op->dest);
  switch (op->kind) {
  case OP_REMOUNT_RO:
    make_read_only(ll, dest);
    return;
  case OP_SYMLINK:
  case OP_CHMOD:
    /* A symlink is followed to where a rule may be; a mode is not a mount. */
    return;
  case OP_DIR:
    /* A directory made on the root's tmpfs is writable there, as its
     * mount is; one made inside a mount has that mount's rights (a
     * --dir inside a read-only bind must not make it writable). */
    if (!covered(ll, dest))
      add_rule(ll, dest, LL_RW, op->kind);
    return;
  case OP_DEV: {
    add_rule(ll, dest, LL_DEV, op->kind);
    /* POSIX shared memory: shm_open creates and removes files here, and
     * nothing is ever run from it (a writable, executable place every
     * sandbox has is an attacker's first stop). */
    _cleanup_free_ char *shm = xasprintf("%s/shm", strcmp(dest, "/") == 0 ? "" : dest);
    add_rule(ll, shm, LL_RW & ~LL_EXECUTE, OP_TMPFS);
    return;
  }
  default:
    add_rule(ll, dest, op_rights(op), op->kind);
  }
}

void plan_landlock_derive(struct plan *p)
{
  plan_landlock_free_rules(&p->landlock);
  for (size_t i = 0; i < p->n_ops; i++)
    derive_op(&p->landlock, &p->ops[i]);
}

uint64_t landlock_fs_rights_for_abi(int abi)
{
  if (abi < 1)
    return 0;
  uint64_t r = LL_ALL_FS & ~(LL_REFER | LL_TRUNCATE | LL_IOCTL_DEV);
  if (abi >= 2)
    r |= LL_REFER;
  if (abi >= 3)
    r |= LL_TRUNCATE;
  if (abi >= 5)
    r |= LL_IOCTL_DEV;
  return r;
}

const char *landlock_rights_str(uint64_t access, char *buf, size_t size)
{
  static const char *const names[] = {
    "execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_char", "make_dir",
    "make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev",
  };
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if ((access & (1ULL << i)) && n < size)
      n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", names[i]);
  if (n == 0)
    snprintf(buf, size, "none");
  return buf;
}

const char *landlock_mode_name(enum landlock_mode m)
{
  switch (m) {
  case LANDLOCK_OFF: return "off";
  case LANDLOCK_ON: return "on";
  case LANDLOCK_REQUIRED: return "required";
  }
  return "?";
}

uint64_t landlock_scope_for_abi(int abi, const struct plan_landlock *ll)
{
  if (abi < 6)
    return 0;
  return (ll->scope_abstract ? LL_SCOPE_ABSTRACT_UNIX_SOCKET : 0) | (ll->scope_signal ? LL_SCOPE_SIGNAL : 0);
}
