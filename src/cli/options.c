/* The bubblewrap-compatible command line.  Each option appends to the plan;
 * the grammar follows bubblewrap: only "--opt value" (no "--opt=value"), the
 * first non-option word or the word after "--" starts the command, and
 * "--args FD" splices NUL-separated words in place. */
#include "cli/options.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "policy/directives.h"
#include "util/util.h"

#define MAX_ARGS 9000

struct parser {
  struct plan *plan;
  struct cli_extra *extra;
  int word_index;
  enum cli_action *action;
  int total_args;
  int pending_perms;     /* --perms for the next op, or -1 */
  uint64_t pending_size; /* --size for the next --tmpfs, or 0 */
  char **overlay_srcs;   /* --overlay-src words waiting for their overlay */
  size_t n_overlay_srcs, cap_overlay_srcs;
  bool seen_chdir;
};

enum arg_kind { A_NONE, A_PATH, A_FD, A_STR, A_OCTAL };

struct option_def {
  const char *name;
  int nargs;
  int (*handle)(struct parser *ps, const struct option_def *def, char **args);
  int tag; /* per-handler meaning */
};

static int need_fd(const char *opt, const char *s, int *fd)
{
  if (parse_fd(s, fd) < 0 || !fd_is_valid(*fd))
    return log_fail(EBADF, "Invalid fd: %s", s);
  return 0;
}

static uint64_t all_caps_mask(void)
{
  int last = cap_max_bits() - 1;
  return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static int parse_cap(const char *name, uint64_t *mask)
{
  cap_value_t v;
  if (strcasecmp(name, "ALL") == 0) {
    *mask = all_caps_mask();
    return 0;
  }
  /* libcap accepts "cap_net_admin"; bubblewrap takes "CAP_NET_ADMIN". */
  if (strncasecmp(name, "cap_", 4) != 0 || cap_from_name(name, &v) < 0 || v < 0 || v > 63)
    return log_fail(EINVAL, "%s is not a valid capability", name);
  *mask = 1ULL << v;
  return 0;
}

/* --- handlers ----------------------------------------------------------- */

enum {
  T_UNSHARE_USER, T_UNSHARE_USER_TRY, T_UNSHARE_IPC, T_UNSHARE_PID, T_UNSHARE_NET,
  T_UNSHARE_UTS, T_UNSHARE_CGROUP, T_UNSHARE_CGROUP_TRY, T_UNSHARE_ALL, T_SHARE_NET,
  T_DISABLE_USERNS, T_ASSERT_USERNS_DISABLED, T_AS_PID_1, T_NEW_SESSION,
  T_DIE_WITH_PARENT, T_CLEARENV, T_LEVEL_PREFIX, T_HELP, T_VERSION,
};

static int h_flag(struct parser *ps, const struct option_def *def, char **a)
{
  struct plan *p = ps->plan;
  switch (def->tag) {
  case T_UNSHARE_USER: p->unshare |= CLONE_NEWUSER; break;
  case T_UNSHARE_USER_TRY: p->unshare_user_try = true; break;
  case T_UNSHARE_IPC: p->unshare |= CLONE_NEWIPC; break;
  case T_UNSHARE_PID: p->unshare |= CLONE_NEWPID; break;
  case T_UNSHARE_NET: p->unshare |= CLONE_NEWNET; break;
  case T_UNSHARE_UTS: p->unshare |= CLONE_NEWUTS; break;
  case T_UNSHARE_CGROUP: p->unshare |= CLONE_NEWCGROUP; break;
  case T_UNSHARE_CGROUP_TRY: p->unshare_cgroup_try = true; break;
  case T_UNSHARE_ALL:
    p->unshare_user_try = true;
    p->unshare_cgroup_try = true;
    p->unshare |= CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNET;
    break;
  case T_SHARE_NET: p->unshare &= ~(unsigned long)CLONE_NEWNET; break;
  case T_DISABLE_USERNS: p->disable_userns = true; break;
  case T_ASSERT_USERNS_DISABLED: p->assert_userns_disabled = true; break;
  case T_AS_PID_1: p->as_pid_1 = true; break;
  case T_NEW_SESSION: p->new_session = true; break;
  case T_DIE_WITH_PARENT: p->die_with_parent = true; break;
  case T_CLEARENV: plan_edit_env(p, ENV_CLEAR, NULL, NULL); break;
  case T_LEVEL_PREFIX: log_set_level_prefix(true); break;
  case T_HELP: *ps->action = CLI_HELP; break;
  case T_VERSION: *ps->action = CLI_VERSION; break;
  default: return -EINVAL;
  }
  return 0;
}

/* /proc/self/fd/N (also /dev/fd/N, /dev/stdin, /proc/thread-self/fd/N)
 * names one of the caller's fds.  Looked up in the sandbox, such a magic
 * link leads into the caller's mount namespace, from which no mount can be
 * cloned (EINVAL).  bubblewrap realpath()s every source in the caller, which
 * turns the link into the path the fd was opened by; sbx does the same for
 * sources under /proc and /dev (--bind-fd binds the object itself). */
static bool may_be_magic_link(const char *src)
{
  return strncmp(src, "/proc/", 6) == 0 || strncmp(src, "/dev/", 5) == 0;
}

/* A relative source names a path in the caller's working directory, as in
 * bubblewrap, which realpath()s every source before it does anything else.
 * The engine looks sources up from the host's root, so a relative one is
 * made absolute here, as the caller and in the caller's directory.  Other
 * absolute sources are left to the engine, which resolves them in the host
 * tree at setup time.  A missing source of a -try option stays missing:
 * a relative one becomes CWD/SOURCE, which the engine skips as it does any
 * missing -try source (never the host's /SOURCE). */
static int resolve_source(const char *src, bool may_be_missing, char **out)
{
  if (src[0] == '/' && !may_be_magic_link(src)) {
    *out = xstrdup(src);
    return 0;
  }
  *out = realpath(src, NULL);
  if (*out)
    return 0;
  int e = errno;
  char cwd[PATH_MAX];
  if (e == ENOENT && may_be_missing && src[0] == '/') {
    *out = xstrdup(src);
    return 0;
  }
  if (e == ENOENT && may_be_missing && getcwd(cwd, sizeof cwd)) {
    *out = xasprintf("%s/%s", cwd, src);
    return 0;
  }
  return log_errno(e, "Can't find source path %s", src);
}

enum { T_BIND, T_BIND_TRY, T_DEV_BIND, T_DEV_BIND_TRY, T_RO_BIND, T_RO_BIND_TRY };

static int h_bind(struct parser *ps, const struct option_def *def, char **a)
{
  static const enum bind_access access[] = {
    [T_BIND] = ACCESS_RW, [T_BIND_TRY] = ACCESS_RW, [T_DEV_BIND] = ACCESS_DEV,
    [T_DEV_BIND_TRY] = ACCESS_DEV, [T_RO_BIND] = ACCESS_RO, [T_RO_BIND_TRY] = ACCESS_RO,
  };
  bool try = def->tag == T_BIND_TRY || def->tag == T_DEV_BIND_TRY || def->tag == T_RO_BIND_TRY;
  _cleanup_free_ char *src = NULL;
  int r = resolve_source(a[0], try, &src);
  if (r < 0)
    return r;
  struct plan_op *op = plan_add_op(ps->plan, OP_BIND, src, a[1]);
  op->access = access[def->tag];
  if (try)
    op->flags |= OPF_TRY;
  return 0;
}

static int h_bind_fd(struct parser *ps, const struct option_def *def, char **a)
{
  int fd, r = need_fd(def->name, a[0], &fd);
  if (r < 0)
    return r;
  struct plan_op *op = plan_add_op(ps->plan, OP_BIND, NULL, a[1]);
  op->access = def->tag ? ACCESS_RO : ACCESS_RW;
  op->flags |= OPF_FROM_FD;
  op->fd = fd;
  return 0;
}

static int h_dest_only(struct parser *ps, const struct option_def *def, char **a)
{
  struct plan_op *op = plan_add_op(ps->plan, (enum op_kind)def->tag, NULL, a[0]);
  if (op->kind == OP_TMPFS || op->kind == OP_DIR) {
    op->perms = ps->pending_perms;
    ps->pending_perms = -1;
  }
  if (op->kind == OP_TMPFS) {
    op->size = ps->pending_size;
    ps->pending_size = 0;
  }
  return 0;
}

static int h_symlink(struct parser *ps, const struct option_def *def, char **a)
{
  plan_add_op(ps->plan, OP_SYMLINK, a[0], a[1]);
  return 0;
}

static int h_fd_dest(struct parser *ps, const struct option_def *def, char **a)
{
  int fd, r = need_fd(def->name, a[0], &fd);
  if (r < 0)
    return r;
  struct plan_op *op = plan_add_op(ps->plan, def->tag == 0 ? OP_FILE : OP_BIND_DATA, NULL, a[1]);
  op->access = def->tag == 2 ? ACCESS_RO : ACCESS_RW;
  op->fd = fd;
  op->perms = ps->pending_perms;
  ps->pending_perms = -1;
  return 0;
}

static int h_chmod(struct parser *ps, const struct option_def *def, char **a)
{
  unsigned mode;
  if (parse_octal_mode(a[0], &mode) < 0)
    return log_fail(EINVAL, "--chmod takes an octal argument <= 07777, not \"%s\"", a[0]);
  struct plan_op *op = plan_add_op(ps->plan, OP_CHMOD, NULL, a[1]);
  op->perms = (int)mode;
  return 0;
}

static int h_perms(struct parser *ps, const struct option_def *def, char **a)
{
  unsigned mode;
  if (ps->pending_perms >= 0)
    return log_fail(EINVAL, "--perms given twice for the same action");
  if (parse_octal_mode(a[0], &mode) < 0)
    return log_fail(EINVAL, "--perms takes an octal argument <= 07777, not \"%s\"", a[0]);
  ps->pending_perms = (int)mode;
  return 0;
}

static int h_size(struct parser *ps, const struct option_def *def, char **a)
{
  unsigned long long v;
  if (ps->pending_size)
    return log_fail(EINVAL, "--size given twice for the same action");
  int r = parse_c_uint(a[0], &v);
  if (r < 0 || v == 0)
    return log_fail(EINVAL, "--size takes a non-zero number of bytes, not \"%s\"", a[0]);
  /* The kernel's tmpfs takes a signed 64-bit size. */
  if (v > (unsigned long long)INT64_MAX)
    return log_fail(EINVAL, "--size (for tmpfs) is limited to %lld", (long long)INT64_MAX);
  ps->pending_size = v;
  return 0;
}

static int h_overlay_src(struct parser *ps, const struct option_def *def, char **a)
{
  char *src;
  int r = resolve_source(a[0], false, &src);
  if (r < 0)
    return r;
  *ARRAY_PUSH(ps->overlay_srcs, ps->n_overlay_srcs, ps->cap_overlay_srcs) = src;
  return 0;
}

static int h_overlay(struct parser *ps, const struct option_def *def, char **a)
{
  enum op_kind kind = (enum op_kind)def->tag;
  size_t need = kind == OP_RO_OVERLAY ? 2 : 1;
  if (ps->n_overlay_srcs < need)
    return log_fail(EINVAL, "%s requires at least %s --overlay-src", def->name,
                    need == 2 ? "two" : "one");
  const char *dest = kind == OP_OVERLAY ? a[2] : a[0];
  _cleanup_free_ char *upper = NULL, *work = NULL;
  if (kind == OP_OVERLAY) {
    int r = resolve_source(a[0], false, &upper);
    if (r == 0)
      r = resolve_source(a[1], false, &work);
    if (r < 0)
      return r;
  }
  struct plan_op *op = plan_add_op(ps->plan, kind, NULL, dest);
  if (kind == OP_OVERLAY) {
    op->upper = steal_ptr(&upper);
    op->work = steal_ptr(&work);
  }
  op->overlay_srcs = ps->overlay_srcs;
  op->n_overlay_srcs = ps->n_overlay_srcs;
  ps->overlay_srcs = NULL;
  ps->n_overlay_srcs = ps->cap_overlay_srcs = 0;
  return 0;
}

enum { T_USERNS, T_USERNS2, T_PIDNS, T_USERNS_BLOCK, T_INFO, T_JSON, T_SYNC, T_BLOCK, T_SECCOMP };

static int h_fd_opt(struct parser *ps, const struct option_def *def, char **a)
{
  struct plan *p = ps->plan;
  int fd, r = need_fd(def->name, a[0], &fd);
  if (r < 0)
    return r;
  switch (def->tag) {
  case T_USERNS: p->userns_fd = fd; break;
  case T_USERNS2: p->userns2_fd = fd; break;
  case T_PIDNS: p->pidns_fd = fd; break;
  case T_USERNS_BLOCK: p->userns_block_fd = fd; break;
  case T_INFO: p->info_fd = fd; break;
  case T_JSON: p->json_status_fd = fd; break;
  case T_SYNC: p->sync_fd = fd; break;
  case T_BLOCK: p->block_fd = fd; break;
  case T_SECCOMP:
    if (p->n_seccomp_progs > 0)
      return log_fail(EINVAL, "--seccomp cannot be combined with --add-seccomp-fd");
    if (p->seccomp_fd >= 0)
      return log_fail(EINVAL, "--seccomp may only be given once");
    p->seccomp_fd = fd;
    break;
  default: return -EINVAL;
  }
  return 0;
}

static int h_add_seccomp(struct parser *ps, const struct option_def *def, char **a)
{
  struct plan *p = ps->plan;
  int fd, r = need_fd(def->name, a[0], &fd);
  if (r < 0)
    return r;
  if (p->seccomp_fd >= 0)
    return log_fail(EINVAL, "--add-seccomp-fd cannot be combined with --seccomp");
  char *data;
  size_t len;
  r = read_all_fd(fd, &data, &len);
  if (r < 0)
    return log_errno(r, "Can't read seccomp data");
  close(fd);
  if (len == 0 || len % 8 != 0) {
    free(data);
    return log_fail(EINVAL, "Invalid seccomp data, must be multiple of 8");
  }
  if (len / 8 > 4096) {
    free(data);
    return log_fail(EINVAL, "Invalid seccomp data, more than 4096 instructions");
  }
  *ARRAY_PUSH(p->seccomp_progs, p->n_seccomp_progs, p->cap_seccomp_progs) = (struct seccomp_prog){ data, len };
  return 0;
}

enum { T_UID, T_GID };

static int h_id(struct parser *ps, const struct option_def *def, char **a)
{
  unsigned long long v;
  if (parse_uint(a[0], &v) < 0 || v >= (uid_t)-1)
    return log_fail(EINVAL, "Invalid %s: %s", def->tag == T_UID ? "uid" : "gid", a[0]);
  if (def->tag == T_UID) {
    ps->plan->uid_set = true;
    ps->plan->uid = (uid_t)v;
  } else {
    ps->plan->gid_set = true;
    ps->plan->gid = (gid_t)v;
  }
  return 0;
}

enum { T_HOSTNAME, T_CHDIR, T_ARGV0, T_EXEC_LABEL, T_FILE_LABEL, T_LOCK_FILE };

static int h_string(struct parser *ps, const struct option_def *def, char **a)
{
  struct plan *p = ps->plan;
  char **slot = NULL;
  switch (def->tag) {
  case T_HOSTNAME: slot = &p->hostname; break;
  case T_CHDIR:
    if (ps->seen_chdir)
      log_warn("Only the last --chdir option will take effect");
    ps->seen_chdir = true;
    slot = &p->chdir;
    break;
  case T_ARGV0:
    if (p->argv0)
      return log_fail(EINVAL, "--argv0 takes only one argument");
    slot = &p->argv0;
    break;
  case T_EXEC_LABEL: slot = &p->exec_label; break;
  case T_FILE_LABEL: slot = &p->file_label; break;
  case T_LOCK_FILE:
    *ARRAY_PUSH(p->lock_files, p->n_lock_files, p->cap_lock_files) = xstrdup(a[0]);
    return 0;
  default: return -EINVAL;
  }
  free(*slot);
  *slot = xstrdup(a[0]);
  return 0;
}

static int h_setenv(struct parser *ps, const struct option_def *def, char **a)
{
  if (!*a[0] || strchr(a[0], '='))
    return log_fail(EINVAL, "Invalid environment variable name: \"%s\"", a[0]);
  if (def->tag)
    plan_edit_env(ps->plan, ENV_UNSET, a[0], NULL);
  else
    plan_edit_env(ps->plan, ENV_SET, a[0], a[1]);
  return 0;
}

static int h_cap(struct parser *ps, const struct option_def *def, char **a)
{
  uint64_t mask = 0;
  int r = parse_cap(a[0], &mask);
  if (r < 0)
    return r;
  struct plan *p = ps->plan;
  *ARRAY_PUSH(p->caps, p->n_caps, p->cap_caps) = (struct cap_change){ def->tag ? CAP_VERB_DROP : CAP_VERB_ADD, mask };
  return 0;
}

enum { T_PROFILE, T_NOPROFILE, T_CHECK, T_EXPLAIN, T_JSON_OUT, T_DESKTOP_INSTALL, T_DESKTOP_REMOVE, T_DESKTOP_LIST,
       T_LIST, T_STOP, T_FREEZE, T_THAW, T_STATS, T_WATCH, T_JOIN, T_DOCTOR, T_SHARE, T_UNSHARE, T_SHARE_AS,
       T_LEARN, T_OUTPUT, T_EXPLAIN_DENIALS };

/* --watch's SECONDS: a number of seconds, decimals allowed, from 0.1 to a
 * day, as milliseconds; 0 when word is not such a number. */
static unsigned watch_interval_ms(const char *w)
{
  size_t digits = strspn(w, "0123456789");
  if (digits == 0 || (w[digits] && (w[digits] != '.' || !w[digits + 1] ||
                                    strspn(w + digits + 1, "0123456789") != strlen(w + digits + 1))))
    return 0;
  double v = strtod(w, NULL);
  return v >= 0.1 && v <= 86400 ? (unsigned)(v * 1000 + 0.5) : 0;
}

/* --share's paths are the caller's: a relative one is made absolute
 * against its directory, by text only (the engine refuses any symlink). */
static char *absolute_path(const char *path)
{
  char cwd[PATH_MAX];
  if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
    return xstrdup(path);
  return xasprintf("%s/%s", cwd, path);
}

static int h_sbx(struct parser *ps, const struct option_def *def, char **a)
{
  struct cli_extra *x = ps->extra;
  switch (def->tag) {
  case T_PROFILE:
  case T_CHECK:
    if (x->profile)
      return log_fail(EINVAL, "%s: a profile was already given (%s)", def->name, x->profile);
    x->profile = xstrdup(a[0]);
    if (def->tag == T_CHECK)
      *ps->action = CLI_CHECK;
    break;
  case T_NOPROFILE: x->noprofile = true; break;
  case T_EXPLAIN: *ps->action = CLI_EXPLAIN; break;
  case T_JSON_OUT: x->json = true; break;
  case T_DESKTOP_INSTALL:
  case T_DESKTOP_REMOVE:
    free(x->desktop_app);
    x->desktop_app = xstrdup(a[0]);
    *ps->action = def->tag == T_DESKTOP_INSTALL ? CLI_DESKTOP_INSTALL : CLI_DESKTOP_REMOVE;
    break;
  case T_DESKTOP_LIST: *ps->action = CLI_DESKTOP_LIST; break;
  case T_DOCTOR: *ps->action = CLI_DOCTOR; break;
  case T_SHARE:
  case T_UNSHARE:
    free(x->target);
    free(x->share_path);
    x->target = xstrdup(a[0]);
    x->share_path = absolute_path(a[1]);
    *ps->action = def->tag == T_SHARE ? CLI_SHARE : CLI_UNSHARE;
    break;
  case T_SHARE_AS:
    if (a[0][0] != '/')
      return log_fail(EINVAL, "--as %s: the destination in the sandbox must be an absolute path", a[0]);
    free(x->share_as);
    x->share_as = xstrdup(a[0]);
    break;
  case T_LEARN:
    free(x->learn_name);
    x->learn_name = xstrdup(a[0]);
    *ps->action = CLI_LEARN;
    break;
  case T_EXPLAIN_DENIALS: x->explain_denials = true; break;
  case T_OUTPUT:
    free(x->learn_output);
    x->learn_output = absolute_path(a[0]);
    break;
  case T_LIST: *ps->action = CLI_LIST; break;
  case T_STATS: *ps->action = CLI_STATS; break;
  case T_WATCH: x->watch_ms = 2000; break; /* SECONDS: parse_words */
  case T_STOP:
  case T_FREEZE:
  case T_THAW:
  case T_JOIN:
    free(x->target);
    x->target = xstrdup(a[0]);
    *ps->action = def->tag == T_STOP ? CLI_STOP : def->tag == T_FREEZE ? CLI_FREEZE : def->tag == T_THAW ? CLI_THAW : CLI_JOIN;
    break;
  default: return -EINVAL;
  }
  return 0;
}

static int parse_words(struct parser *ps, int argc, char **argv, bool in_args_file, int *consumed_to_cmd);

/* --seccomp-default: "--syscall-filter default", sbx's default system call
 * policy for a bubblewrap-style command line (which otherwise keeps
 * bubblewrap's behaviour: no filter but the caller's). */
static int h_seccomp_default(struct parser *ps, const struct option_def *def, char **a)
{
  (void)def;
  (void)a;
  struct cli_extra *x = ps->extra;
  /* ARRAY_PUSH, as for the other directive options: growing the array by
   * hand left cap_directives stale, and the next push wrote past the end. */
  *ARRAY_PUSH(x->directives, x->n_directives, x->cap_directives) =
    (struct cli_directive){ directive_find("syscall-filter"), xstrdup("default"), ps->word_index };
  return 0;
}

static int h_args(struct parser *ps, const struct option_def *def, char **a);

static const struct option_def options[] = {
  { "--help", 0, h_flag, T_HELP },
  { "--version", 0, h_flag, T_VERSION },
  { "--args", 1, h_args, 0 },
  { "--argv0", 1, h_string, T_ARGV0 },
  { "--level-prefix", 0, h_flag, T_LEVEL_PREFIX },
  { "--unshare-all", 0, h_flag, T_UNSHARE_ALL },
  { "--share-net", 0, h_flag, T_SHARE_NET },
  { "--unshare-user", 0, h_flag, T_UNSHARE_USER },
  { "--unshare-user-try", 0, h_flag, T_UNSHARE_USER_TRY },
  { "--unshare-ipc", 0, h_flag, T_UNSHARE_IPC },
  { "--unshare-pid", 0, h_flag, T_UNSHARE_PID },
  { "--unshare-net", 0, h_flag, T_UNSHARE_NET },
  { "--unshare-uts", 0, h_flag, T_UNSHARE_UTS },
  { "--unshare-cgroup", 0, h_flag, T_UNSHARE_CGROUP },
  { "--unshare-cgroup-try", 0, h_flag, T_UNSHARE_CGROUP_TRY },
  { "--userns", 1, h_fd_opt, T_USERNS },
  { "--userns2", 1, h_fd_opt, T_USERNS2 },
  { "--disable-userns", 0, h_flag, T_DISABLE_USERNS },
  { "--assert-userns-disabled", 0, h_flag, T_ASSERT_USERNS_DISABLED },
  { "--pidns", 1, h_fd_opt, T_PIDNS },
  { "--uid", 1, h_id, T_UID },
  { "--gid", 1, h_id, T_GID },
  { "--hostname", 1, h_string, T_HOSTNAME },
  { "--chdir", 1, h_string, T_CHDIR },
  { "--clearenv", 0, h_flag, T_CLEARENV },
  { "--setenv", 2, h_setenv, 0 },
  { "--unsetenv", 1, h_setenv, 1 },
  { "--lock-file", 1, h_string, T_LOCK_FILE },
  { "--sync-fd", 1, h_fd_opt, T_SYNC },
  { "--bind", 2, h_bind, T_BIND },
  { "--bind-try", 2, h_bind, T_BIND_TRY },
  { "--dev-bind", 2, h_bind, T_DEV_BIND },
  { "--dev-bind-try", 2, h_bind, T_DEV_BIND_TRY },
  { "--ro-bind", 2, h_bind, T_RO_BIND },
  { "--ro-bind-try", 2, h_bind, T_RO_BIND_TRY },
  { "--bind-fd", 2, h_bind_fd, 0 },
  { "--ro-bind-fd", 2, h_bind_fd, 1 },
  { "--remount-ro", 1, h_dest_only, OP_REMOUNT_RO },
  { "--overlay-src", 1, h_overlay_src, 0 },
  { "--overlay", 3, h_overlay, OP_OVERLAY },
  { "--tmp-overlay", 1, h_overlay, OP_TMP_OVERLAY },
  { "--ro-overlay", 1, h_overlay, OP_RO_OVERLAY },
  { "--exec-label", 1, h_string, T_EXEC_LABEL },
  { "--file-label", 1, h_string, T_FILE_LABEL },
  { "--proc", 1, h_dest_only, OP_PROC },
  { "--dev", 1, h_dest_only, OP_DEV },
  { "--tmpfs", 1, h_dest_only, OP_TMPFS },
  { "--mqueue", 1, h_dest_only, OP_MQUEUE },
  { "--dir", 1, h_dest_only, OP_DIR },
  { "--file", 2, h_fd_dest, 0 },
  { "--bind-data", 2, h_fd_dest, 1 },
  { "--ro-bind-data", 2, h_fd_dest, 2 },
  { "--symlink", 2, h_symlink, 0 },
  { "--chmod", 2, h_chmod, 0 },
  { "--perms", 1, h_perms, 0 },
  { "--size", 1, h_size, 0 },
  { "--seccomp", 1, h_fd_opt, T_SECCOMP },
  { "--add-seccomp-fd", 1, h_add_seccomp, 0 },
  { "--block-fd", 1, h_fd_opt, T_BLOCK },
  { "--userns-block-fd", 1, h_fd_opt, T_USERNS_BLOCK },
  { "--info-fd", 1, h_fd_opt, T_INFO },
  { "--json-status-fd", 1, h_fd_opt, T_JSON },
  { "--new-session", 0, h_flag, T_NEW_SESSION },
  { "--die-with-parent", 0, h_flag, T_DIE_WITH_PARENT },
  { "--as-pid-1", 0, h_flag, T_AS_PID_1 },
  { "--cap-add", 1, h_cap, 0 },
  { "--cap-drop", 1, h_cap, 1 },
  /* sbx's own */
  { "--profile", 1, h_sbx, T_PROFILE },
  { "--noprofile", 0, h_sbx, T_NOPROFILE },
  { "--check", 1, h_sbx, T_CHECK },
  { "--explain", 0, h_sbx, T_EXPLAIN },
  { "--json", 0, h_sbx, T_JSON_OUT },
  { "--desktop-install", 1, h_sbx, T_DESKTOP_INSTALL },
  { "--desktop-remove", 1, h_sbx, T_DESKTOP_REMOVE },
  { "--desktop-list", 0, h_sbx, T_DESKTOP_LIST },
  { "--doctor", 0, h_sbx, T_DOCTOR },
  { "--list", 0, h_sbx, T_LIST },
  { "--stop", 1, h_sbx, T_STOP },
  { "--freeze", 1, h_sbx, T_FREEZE },
  { "--thaw", 1, h_sbx, T_THAW },
  { "--stats", 0, h_sbx, T_STATS },
  { "--watch", 0, h_sbx, T_WATCH },
  { "--join", 1, h_sbx, T_JOIN },
  { "--share", 2, h_sbx, T_SHARE },
  { "--unshare", 2, h_sbx, T_UNSHARE },
  { "--as", 1, h_sbx, T_SHARE_AS },
  { "--learn", 1, h_sbx, T_LEARN },
  { "--output", 1, h_sbx, T_OUTPUT },
  { "--explain-denials", 0, h_sbx, T_EXPLAIN_DENIALS },
  { "--seccomp-default", 0, h_seccomp_default, 0 },
};

static int h_args(struct parser *ps, const struct option_def *def, char **a)
{
  int fd, r = need_fd(def->name, a[0], &fd);
  if (r < 0)
    return r;
  char *data;
  size_t len;
  r = read_all_fd(fd, &data, &len);
  if (r < 0)
    return log_errno(r, "Can't read --args data");
  close(fd); /* read once; the app must not inherit it */
  /* Split on NUL; the last word needs no terminator.  The buffer lives as
   * long as the plan does not copy from it, so keep it: plans copy. */
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (data[i] == '\0')
      n++;
  if (len > 0 && data[len - 1] != '\0')
    n++;
  char **words = xcalloc(n + 1, sizeof(char *));
  size_t w = 0;
  for (size_t i = 0; i < len && w < n; w++) {
    words[w] = data + i;
    i += strlen(data + i) + 1;
  }
  int cmd_at = -1;
  r = parse_words(ps, (int)n, words, true, &cmd_at);
  if (r == 0 && cmd_at >= 0) {
    /* The args file may carry the command itself (Flatpak puts "--" and the
     * command on its real argv, but either works). */
    size_t ncmd = n - cmd_at;
    char **cmd = xcalloc(ncmd + 1, sizeof(char *));
    for (size_t i = 0; i < ncmd; i++)
      cmd[i] = xstrdup(words[cmd_at + i]);
    ps->plan->argv = cmd;
  }
  free(words);
  free(data);
  return r;
}

static const struct option_def *find_option(const char *name)
{
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
    if (strcmp(options[i].name, name) == 0)
      return &options[i];
  return NULL;
}

/* Parse words until the command starts; *cmd_at gets its index (or -1). */
static int parse_words(struct parser *ps, int argc, char **argv, bool in_args_file, int *cmd_at)
{
  *cmd_at = -1;
  ps->total_args += argc;
  if (ps->total_args > MAX_ARGS)
    return log_fail(E2BIG, "Exceeded maximum number of arguments %d", MAX_ARGS);

  for (int i = 0; i < argc; i++) {
    const char *w = argv[i];
    if (strcmp(w, "--") == 0) {
      *cmd_at = i + 1;
      return 0;
    }
    if (w[0] != '-') {
      *cmd_at = i;
      return 0;
    }
    /* After --share, --ro is its flag; elsewhere the directive "--ro PATH". */
    if (*ps->action == CLI_SHARE && strcmp(w, "--ro") == 0) {
      ps->extra->share_ro = true;
      continue;
    }
    const struct option_def *def = find_option(w);
    if (!def) {
      /* A profile directive spelled as an option ("--ro PATH"). */
      const struct directive *d = strncmp(w, "--", 2) == 0 ? directive_find(w + 2) : NULL;
      if (!d || d->bwrap_option)
        return log_fail(EINVAL, "Unknown option %s", w);
      if (i + 1 >= argc)
        return log_fail(EINVAL, "%s takes 1 argument", w);
      struct cli_extra *x = ps->extra;
      *ARRAY_PUSH(x->directives, x->n_directives, x->cap_directives) =
          (struct cli_directive){ d, xstrdup(argv[i + 1]), ps->word_index + i + 1 };
      i++;
      continue;
    }
    if (def->handle == h_bind || def->handle == h_bind_fd || def->handle == h_dest_only ||
        def->handle == h_fd_dest || def->handle == h_symlink || def->handle == h_overlay ||
        (def->handle == h_flag && def->tag <= T_SHARE_NET))
      ps->extra->shapes_sandbox = true;
    if (in_args_file && def->handle == h_args)
      return log_fail(EINVAL, "--args not supported in arguments file");
    if (i + def->nargs >= argc)
      return log_fail(EINVAL, "%s takes %d argument%s", w, def->nargs, def->nargs == 1 ? "" : "s");

    /* Modifiers must be followed by what they modify; --perms and --size
     * both modify a --tmpfs, so they may come in either order before it
     * (bubblewrap accepts both orders). */
    bool modifier = def->handle == h_perms || def->handle == h_size || def->handle == h_args;
    bool takes_perms = def->handle == h_fd_dest ||
                       (def->handle == h_dest_only && (def->tag == OP_DIR || def->tag == OP_TMPFS));
    bool takes_size = def->handle == h_dest_only && def->tag == OP_TMPFS;
    if (ps->pending_perms >= 0 && !modifier && !takes_perms)
      return log_fail(EINVAL, "--perms must be followed by an option that creates a file");
    if (ps->pending_size && !modifier && !takes_size)
      return log_fail(EINVAL, "--size must be followed by --tmpfs");
    if (ps->n_overlay_srcs && def->handle != h_overlay && def->handle != h_overlay_src &&
        def->handle != h_args)
      return log_fail(EINVAL, "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay");

    int r = def->handle(ps, def, argv + i + 1);
    if (r < 0)
      return r;
    /* --watch [SECONDS]: a number right after it is its interval (so
     * "--watch 5 NAME"; a sandbox whose id is a number comes after one). */
    if (def->handle == h_sbx && def->tag == T_WATCH && i + 1 < argc && watch_interval_ms(argv[i + 1])) {
      ps->extra->watch_ms = watch_interval_ms(argv[++i]);
      continue;
    }
    if (*ps->action == CLI_HELP || *ps->action == CLI_VERSION)
      return 0;
    i += def->nargs;
    if (def->handle == h_args && ps->plan->argv) {
      /* The command came from the args file; nothing may follow it. */
      if (i + 1 < argc)
        return log_fail(EINVAL, "Unexpected argument after the command from --args: %s", argv[i + 1]);
      return 0;
    }
  }
  return 0;
}

void cli_extra_free(struct cli_extra *x)
{
  free(x->profile);
  free(x->desktop_app);
  free(x->target);
  free(x->share_path);
  free(x->share_as);
  free(x->learn_name);
  free(x->learn_output);
  for (size_t i = 0; i < x->n_directives; i++)
    free(x->directives[i].arg);
  free(x->directives);
  memset(x, 0, sizeof *x);
}

int cli_parse(struct plan *p, struct cli_extra *x, const char *prog, int argc, char **argv, enum cli_action *action)
{
  struct parser ps = { .plan = p, .extra = x, .action = action, .pending_perms = -1 };
  int cmd_at = -1;

  *action = CLI_RUN;
  int r = parse_words(&ps, argc, argv, false, &cmd_at);
  if (r == 0 && *action == CLI_RUN) {
    if (ps.pending_perms >= 0)
      r = log_fail(EINVAL, "--perms must be followed by an option that creates a file");
    else if (ps.pending_size)
      r = log_fail(EINVAL, "--size must be followed by --tmpfs");
    else if (ps.n_overlay_srcs)
      r = log_fail(EINVAL, "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay");
  }
  for (size_t i = 0; i < ps.n_overlay_srcs; i++)
    free(ps.overlay_srcs[i]);
  free(ps.overlay_srcs);
  if (r == 0 && x->watch_ms && *action != CLI_STATS)
    return log_fail(EINVAL, "--watch goes with --stats");
  if (r == 0 && x->share_as && *action != CLI_SHARE)
    r = log_fail(EINVAL, "--as goes with --share NAME PATH");
  if (r == 0 && x->learn_output && *action != CLI_LEARN)
    r = log_fail(EINVAL, "--output goes with --learn NAME");
  if (r == 0 && x->explain_denials && *action != CLI_RUN)
    r = log_fail(EINVAL, "--explain-denials goes with a sandbox that runs a command");
  if (r == 0 && *action == CLI_LEARN && (cmd_at < 0 || cmd_at >= argc))
    r = log_fail(EINVAL, "--learn %s needs the command to learn", x->learn_name);
  if (r == 0 && (*action == CLI_SHARE || *action == CLI_UNSHARE) && cmd_at >= 0 && cmd_at < argc)
    r = log_fail(EINVAL, "%s takes NAME and PATH, and no command (%s)", *action == CLI_SHARE ? "--share" : "--unshare",
                 argv[cmd_at]);
  if (r == 0 && (*action == CLI_STATS || *action == CLI_JOIN) && cmd_at >= 0 && cmd_at < argc) {
    /* --stats NAME, --join NAME CMD...: the words after the options. */
    if (*action == CLI_STATS) {
      x->target = xstrdup(argv[cmd_at]);
      return cmd_at + 1 < argc ? log_fail(EINVAL, "--stats takes at most one NAME") : 0;
    }
  } else if (r < 0 || (*action != CLI_RUN && *action != CLI_EXPLAIN && *action != CLI_LEARN)) {
    return r; /* the other actions run no command */
  }

  if (cmd_at >= 0 && cmd_at < argc) {
    if (p->argv)
      return log_fail(EINVAL, "A command was given both in --args and on the command line");
    size_t n = argc - cmd_at;
    p->argv = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
      p->argv[i] = xstrdup(argv[cmd_at + i]);
  }
  if ((!p->argv || !p->argv[0]) && *action == CLI_EXPLAIN && (x->profile || x->noprofile))
    return 0; /* explaining a profile needs no command */
  if ((!p->argv || !p->argv[0]) && *action == CLI_JOIN)
    return 0; /* --join NAME: a shell */
  if (!p->argv || !p->argv[0]) {
    /* As bubblewrap: no command means the usage text, on stderr. */
    cli_print_usage(prog, STDERR_FILENO);
    return -EINVAL;
  }
  return 0;
}

int cli_validate(struct plan *p)
{
  bool root = getuid() == 0;
  struct stat st;

  if (p->unshare_user_try && stat("/proc/self/ns/user", &st) == 0)
    p->unshare |= CLONE_NEWUSER;
  if (p->unshare_cgroup_try && stat("/proc/self/ns/cgroup", &st) == 0)
    p->unshare |= CLONE_NEWCGROUP;

  if (p->userns_fd >= 0 && (p->unshare & CLONE_NEWUSER))
    return log_fail(EINVAL, "--userns not compatible --unshare-user");
  /* These need a user namespace asked for, not just the implied one. */
  if (p->userns_block_fd >= 0 && !(p->unshare & CLONE_NEWUSER))
    return log_fail(EINVAL, "--userns-block-fd requires --unshare-user");
  if (p->disable_userns && !(p->unshare & CLONE_NEWUSER))
    return log_fail(EINVAL, "--disable-userns requires --unshare-user");
  /* Without privileges nothing but a user namespace lets us mount. */
  if (!root && p->userns_fd < 0)
    p->unshare |= CLONE_NEWUSER;

  bool userns = (p->unshare & CLONE_NEWUSER) || p->userns_fd >= 0;
  if ((p->uid_set || p->gid_set) && !userns)
    return log_fail(EINVAL, "Specifying --%s requires --unshare-user or --userns", p->uid_set ? "uid" : "gid");
  if (p->userns_block_fd >= 0 && p->info_fd < 0)
    return log_fail(EINVAL, "--userns-block-fd requires --info-fd");
  if (p->disable_userns && p->userns_block_fd >= 0)
    return log_fail(EINVAL, "--disable-userns is not compatible with --userns-block-fd");
  if (p->userns2_fd >= 0 && !userns)
    return log_fail(EINVAL, "--userns2 requires --unshare-user or --userns");
  if (p->as_pid_1 && !(p->unshare & CLONE_NEWPID))
    return log_fail(EINVAL, "Specifying --as-pid-1 requires --unshare-pid");
  if (p->as_pid_1 && p->n_lock_files > 0)
    return log_fail(EINVAL, "Specifying --as-pid-1 and --lock-file is not permitted");
  if (p->hostname && !(p->unshare & CLONE_NEWUTS))
    return log_fail(EINVAL, "Specifying --hostname requires --unshare-uts");
  if (!root && !userns)
    return log_fail(EPERM, "No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces");
  return 0;
}

void cli_print_usage(const char *argv0, int fd)
{
  static const char *const lines[][2] = {
    { "--help", "show this text and exit" },
    { "--version", "show the version and exit" },
    { "--args FD", "read more options, NUL-separated, from FD" },
    { "--argv0 VALUE", "run COMMAND with argv[0] set to VALUE" },
    { "--level-prefix", "start diagnostics with a syslog level such as <3>" },
    { "", "Namespaces" },
    { "--unshare-all", "new user (if possible), ipc, pid, net, uts and cgroup (if possible) namespaces" },
    { "--share-net", "keep the host network (after --unshare-all)" },
    { "--unshare-user", "new user namespace (implied for non-root callers)" },
    { "--unshare-user-try", "new user namespace where the kernel allows one" },
    { "--unshare-ipc", "new IPC namespace" },
    { "--unshare-pid", "new pid namespace; sbx runs as pid 1 in it" },
    { "--unshare-net", "new network namespace with only loopback, up" },
    { "--unshare-uts", "new UTS namespace (hostname)" },
    { "--unshare-cgroup", "new cgroup namespace" },
    { "--unshare-cgroup-try", "new cgroup namespace where the kernel allows one" },
    { "--userns FD", "enter this user namespace instead of creating one" },
    { "--userns2 FD", "switch to this user namespace once setup is done" },
    { "--disable-userns", "the sandbox cannot create further user namespaces" },
    { "--assert-userns-disabled", "fail unless user namespaces are already disabled" },
    { "--pidns FD", "enter this pid namespace (the parent of a new one with --unshare-pid)" },
    { "", "Identity" },
    { "--uid UID", "uid inside (needs a user namespace)" },
    { "--gid GID", "gid inside (needs a user namespace)" },
    { "--hostname NAME", "hostname inside (needs --unshare-uts)" },
    { "", "Filesystem" },
    { "--bind SRC DEST", "bind host SRC on DEST, writable" },
    { "--bind-try SRC DEST", "as --bind; a missing SRC is skipped" },
    { "--dev-bind SRC DEST", "as --bind, device nodes usable" },
    { "--dev-bind-try SRC DEST", "as --dev-bind; a missing SRC is skipped" },
    { "--ro-bind SRC DEST", "bind host SRC on DEST read-only, with every mount below it" },
    { "--ro-bind-try SRC DEST", "as --ro-bind; a missing SRC is skipped" },
    { "--bind-fd FD DEST", "bind the file or directory open on FD" },
    { "--ro-bind-fd FD DEST", "as --bind-fd, read-only" },
    { "--remount-ro DEST", "make the mount at DEST read-only (not its submounts)" },
    { "--overlay-src SRC", "a lower layer for the next overlay (later ones on top)" },
    { "--overlay RWSRC WORKDIR DEST", "overlayfs on DEST, changes written to host RWSRC" },
    { "--tmp-overlay DEST", "overlayfs on DEST, changes kept in memory and lost" },
    { "--ro-overlay DEST", "read-only overlayfs on DEST (two or more sources)" },
    { "--proc DEST", "a procfs for the sandbox's pid namespace on DEST" },
    { "--dev DEST", "a minimal /dev on DEST: null zero full random urandom tty, pts, shm" },
    { "--tmpfs DEST", "an empty tmpfs on DEST" },
    { "--mqueue DEST", "a POSIX message queue filesystem on DEST" },
    { "--dir DEST", "create directory DEST" },
    { "--file FD DEST", "create file DEST with the data read from FD" },
    { "--bind-data FD DEST", "bind a private file holding FD's data on DEST" },
    { "--ro-bind-data FD DEST", "as --bind-data, read-only" },
    { "--symlink TARGET DEST", "create symlink DEST pointing to TARGET" },
    { "--chmod OCTAL PATH", "change the mode of an existing PATH" },
    { "--perms OCTAL", "mode of the next --dir, --file, --tmpfs or --[ro-]bind-data" },
    { "--size BYTES", "size of the next --tmpfs" },
    { "--lock-file DEST", "hold a read lock on DEST while the sandbox runs" },
    { "--file-label LABEL", "SELinux label of files sbx creates" },
    { "", "Process" },
    { "--chdir DIR", "working directory of COMMAND" },
    { "--setenv VAR VALUE", "set VAR in COMMAND's environment" },
    { "--unsetenv VAR", "remove VAR from COMMAND's environment" },
    { "--clearenv", "start COMMAND with an empty environment" },
    { "--new-session", "run COMMAND in a new session (no controlling terminal)" },
    { "--die-with-parent", "kill the sandbox when sbx's parent dies" },
    { "--as-pid-1", "COMMAND itself is pid 1 (no sbx reaper; needs --unshare-pid)" },
    { "--exec-label LABEL", "SELinux label COMMAND runs with" },
    { "", "Privileges" },
    { "--cap-add CAP", "keep capability CAP (or ALL) in the sandbox" },
    { "--cap-drop CAP", "remove capability CAP (or ALL)" },
    { "--seccomp FD", "load one seccomp BPF program from FD, just before COMMAND" },
    { "--add-seccomp-fd FD", "load a seccomp BPF program from FD (repeatable)" },
    { "", "For integrators" },
    { "--info-fd FD", "write a JSON object with the child pid and namespace ids to FD" },
    { "--json-status-fd FD", "write that object, then the exit code, as JSON lines to FD" },
    { "--sync-fd FD", "keep FD open inside until the sandbox ends" },
    { "--block-fd FD", "wait for a byte on FD before running COMMAND" },
    { "--userns-block-fd FD", "wait for a byte on FD while an outside tool writes the id maps" },
    { "", "Running sandboxes (sbx)" },
    { "--list [--json]", "list the running sandboxes of this user" },
    { "--stop NAME", "SIGTERM, then kill what is left in its cgroup ($SBX_STOP_GRACE s later, default 10)" },
    { "--freeze NAME", "freeze every process of the sandbox (cgroup.freeze)" },
    { "--thaw NAME", "thaw it again" },
    { "--stats [--json] [NAME]", "CPU time, memory, processes and I/O from the sandboxes' cgroups" },
    { "--watch [SECONDS]", "with --stats: show it again every SECONDS (default 2)" },
    { "--join NAME [COMMAND]", "run COMMAND (a shell) inside a running sandbox, under its policy" },
    { "--share NAME PATH", "mount host PATH into a running sandbox (--ro: read-only; --as DEST: there)" },
    { "--unshare NAME PATH", "take a shared PATH out of it again" },
    { "", "Writing a profile (sbx)" },
    { "--learn NAME COMMAND", "run COMMAND permissively, record the paths it uses, propose NAME.profile" },
    { "--output FILE", "with --learn: write the profile to FILE (never over an existing file)" },
    { "--explain-denials", "run as usual; report each access the sandbox refuses, and the rule that did" },
  };
  FILE *f = fdopen(dup(fd), "w");
  if (!f)
    return;
  fprintf(f, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n", argv0);
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    if (!lines[i][0][0])
      fprintf(f, "\n%s:\n", lines[i][1]);
    else
      fprintf(f, "    %-30s %s\n", lines[i][0], lines[i][1]);
  }
  fclose(f);
}
