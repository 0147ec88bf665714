/* Walking a path component by component (see walk.h for why). */
#include "util/walk.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "util/util.h"

#define MAX_LINKS 40 /* the kernel's budget (MAXSYMLINKS) */

/* One directory walked through: its fd and where its name starts in the
 * real path (so ".." can take it off again). */
struct level {
  int fd;
  size_t len;
};

struct walker {
  int root;
  const struct walk_opts *o;
  struct walk_out *out;
  struct level *stack; /* [0] is root (not ours to close) */
  size_t depth, cap;
  struct buf real;
  char *path; /* what is left to walk, with followed links spliced in */
  int links;
};

static int top(const struct walker *k) { return k->stack[k->depth - 1].fd; }

static void push(struct walker *k, int fd, const char *name)
{
  *ARRAY_PUSH(k->stack, k->depth, k->cap) = (struct level){ fd, k->real.n };
  buf_printf(&k->real, "/%s", name);
}

static void pop(struct walker *k)
{
  if (k->depth == 1)
    return; /* ".." at the root stays there */
  struct level *l = &k->stack[--k->depth];
  close(l->fd);
  k->real.n = l->len;
  if (k->real.s)
    k->real.s[k->real.n] = '\0';
}

static void back_to_root(struct walker *k)
{
  while (k->depth > 1)
    pop(k);
}

/* Split the next component off *p; returns its length (0 at the end). */
static size_t next_component(const char **p)
{
  while (**p == '/')
    (*p)++;
  const char *start = *p;
  while (**p && **p != '/')
    (*p)++;
  return (size_t)(*p - start);
}

/* A magic link of procfs (/proc/self/fd/N, .../cwd) names an object, not
 * a path: its readlink text cannot be walked.  Let the kernel follow it. */
static int follow_magic_link(int dirfd, const char *name, int *fd)
{
  struct statfs sf;
  if (fstatfs(dirfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
    return 0;
  int f = RETRY(openat(dirfd, name, O_PATH | O_CLOEXEC));
  if (f < 0)
    return -errno;
  close(*fd);
  *fd = f;
  return 1;
}

/* Open one component (creating it when asked), never following it. */
static int open_component(struct walker *k, const char *name, bool is_last, int *fd, struct stat *st)
{
  unsigned flags = k->o->flags;
  int dirfd = top(k);
  *fd = RETRY(openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  bool create = is_last ? (flags & WALK_MKDIR_LAST) : (flags & (WALK_MKDIR | WALK_MKDIR_LAST));
  if (*fd < 0 && errno == ENOENT && create) {
    if (mkdirat(dirfd, name, k->o->mode) < 0 && errno != EEXIST)
      return -errno;
    *fd = RETRY(openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  }
  if (*fd < 0)
    return -errno;
  if (fstat(*fd, st) < 0)
    return -errno;
  if (S_ISLNK(st->st_mode) && (flags & WALK_MAGIC_LINKS)) {
    int r = follow_magic_link(dirfd, name, fd);
    if (r > 0 && fstat(*fd, st) < 0)
      return -errno;
    if (r < 0)
      return r;
  }
  return 0;
}

/* The symlink `fd` (in the current directory) was met with
 * `rest` still to walk: splice its target in front of rest, if it may be
 * followed. */
static int follow_link(struct walker *k, int fd, const char *rest)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
  if (n < 0)
    return -errno;
  if (++k->links > MAX_LINKS)
    return -ELOOP;
  const char *dir = k->real.n ? k->real.s : "/";
  if ((k->o->flags & WALK_NOFOLLOW) || (k->o->may_follow && !k->o->may_follow(k->o->ctx, top(k), dir))) {
    if (k->out)
      k->out->refused = true;
    return -ELOOP;
  }
  target[n] = '\0';
  char *spliced = xasprintf("%s/%s", target, rest);
  if (target[0] == '/')
    back_to_root(k);
  free(k->path);
  k->path = spliced;
  return 0;
}

/* The answer when the path ends at a directory already walked into. */
static int answer_current(struct walker *k, int *out_fd)
{
  if (k->depth > 1) {
    *out_fd = k->stack[--k->depth].fd;
    return 0;
  }
  *out_fd = RETRY(fcntl(k->root, F_DUPFD_CLOEXEC, 3));
  return *out_fd < 0 ? -errno : 0;
}

/* One component: 1 to go on, 0 when *out_fd holds the answer, or -errno. */
static int step(struct walker *k, const char **p, int *out_fd)
{
  unsigned flags = k->o->flags;
  size_t len = next_component(p);
  if (len == 0)
    return flags & WALK_PARENT ? -EINVAL : answer_current(k, out_fd); /* "/" has no last component */
  const char *comp = *p - len, *rest = *p;
  while (*rest == '/')
    rest++;
  bool is_last = *rest == '\0';
  if (len > NAME_MAX)
    return -ENAMETOOLONG;
  char name[NAME_MAX + 1];
  memcpy(name, comp, len);
  name[len] = '\0';

  if (is_last && (flags & WALK_PARENT)) {
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      return -EINVAL;
    k->out->last = xstrdup(name);
    return answer_current(k, out_fd);
  }
  if (strcmp(name, ".") == 0)
    return 1;
  if (strcmp(name, "..") == 0) {
    pop(k);
    return 1;
  }
  _cleanup_close_ int fd = -1;
  struct stat st;
  int r = open_component(k, name, is_last, &fd, &st);
  if (r < 0)
    return r;
  if (S_ISLNK(st.st_mode) && !(is_last && (flags & WALK_NOFOLLOW_LAST))) {
    r = follow_link(k, fd, rest);
    *p = k->path;
    return r < 0 ? r : 1;
  }
  if (is_last && !(flags & WALK_MKDIR_LAST)) {
    buf_printf(&k->real, "/%s", name);
    *out_fd = steal_fd(&fd);
    return 0;
  }
  if (!S_ISDIR(st.st_mode))
    return -ENOTDIR;
  push(k, steal_fd(&fd), name);
  return is_last ? answer_current(k, out_fd) : 1;
}

int walk_at(int root, const char *path, const struct walk_opts *opts, int *out_fd, struct walk_out *out)
{
  struct walker k = { .root = root, .o = opts, .out = out, .path = xstrdup(path) };
  if (out)
    *out = (struct walk_out){ 0 };
  *ARRAY_PUSH(k.stack, k.depth, k.cap) = (struct level){ root, 0 }; /* its real path is "" */
  const char *p = k.path;
  int r;
  do {
    const char *before = p;
    r = step(&k, &p, out_fd);
    if (r < 0 && out) {
      /* Name the component the walk stopped at, and what followed it. */
      const char *at = before;
      size_t len = next_component(&at);
      out->stop = xasprintf("%.*s", (int)len, at - len);
      out->rest = xstrdup(at);
    }
  } while (r > 0);
  if (out) {
    out->real = buf_steal(&k.real);
    if (r < 0) {
      free(out->last);
      out->last = NULL;
    }
  }
  buf_free(&k.real);
  while (k.depth > 1)
    close(k.stack[--k.depth].fd);
  free(k.stack);
  free(k.path);
  return r;
}

void walk_out_clear(struct walk_out *out)
{
  free(out->real);
  free(out->stop);
  free(out->rest);
  free(out->last);
  *out = (struct walk_out){ 0 };
}
