/* Resolving paths inside the sandbox root under construction.
 *
 * A bound directory may be writable by the sandboxed app, which may have
 * planted a symlink in it during an earlier run ("Downloads -> /etc").  If
 * setup followed that link while creating a mount point or a file, it would
 * write wherever the app pleased.  So resolution happens relative to the new
 * root's fd and clamps ".." and absolute links to that root, and a symlink is
 * only followed when the app cannot have put it there: it lives on a
 * filesystem sbx created during this setup (the root tmpfs, --tmpfs, --dev),
 * on a filesystem read-only as a whole, or in a directory the app's host
 * identity may not write.  Anything else is refused with ELOOP. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "engine/engine.h"
#include "engine/syscalls.h"
#include "util/util.h"

#define MAX_LINKS 40
#define MAX_DEPTH 256

void setup_trust_fd(struct setup *s, int fd)
{
  struct stat st;
  if (fstat(fd, &st) == 0 && s->n_trusted < MAX_TRUSTED_DEVS)
    s->trusted_devs[s->n_trusted++] = st.st_dev;
}

char *fd_proc_path(const struct setup *s, int fd)
{
  (void)s;
  /* Before the first pivot the host /proc is at /proc, after it at
   * /oldroot/proc; try the one that exists. */
  if (access("/oldroot/proc/self/fd", F_OK) == 0)
    return xasprintf("/oldroot/proc/self/fd/%d", fd);
  return xasprintf("/proc/self/fd/%d", fd);
}

FILE *proc_fopen(const struct setup *s, const char *name)
{
  int fd = RETRY(openat(s->proc_fd, name, O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return NULL;
  FILE *f = fdopen(fd, "re");
  if (!f) {
    int e = errno;
    close(fd);
    errno = e;
  }
  return f;
}

/* The id of the mount `fd` is on, from /proc/self/fdinfo (any kernel). */
int fd_mount_id(const struct setup *s, int fd)
{
  char name[64], line[256];
  snprintf(name, sizeof name, "self/fdinfo/%d", fd);
  FILE *f = proc_fopen(s, name);
  if (!f)
    return -errno;
  int id = -ENOENT;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "mnt_id: %d", &id) == 1)
      break;
  fclose(f);
  return id;
}

/* Is the filesystem (the superblock, not the mount) of `fd` read-only?
 * statfs() mixes the mount's flags in; mountinfo has the super options. */
static bool superblock_readonly(const struct setup *s, int fd)
{
  int id = fd_mount_id(s, fd);
  struct mount_entry *e = NULL;
  size_t n = 0;
  if (id < 0 || mountinfo_read(s, &e, &n) < 0)
    return false;
  bool ro = false;
  for (size_t i = 0; i < n; i++)
    if (e[i].id == id)
      ro = e[i].super_ro;
  mountinfo_free(e, n);
  return ro;
}

/* Could the sandboxed app, in any run, have written the directory `st`?
 * It acts as the caller's host uid (or as root, when root runs sbx: then
 * anything).  Files of the caller show here with our own (mapped) uid, all
 * others with other uids.  Group bits also carry an ACL's mask, so a
 * directory writable only by its owner is writable by no ACL entry. */
static bool dir_writable_by_app(const struct setup *s, const struct stat *st)
{
  return s->host_uid == 0 || st->st_uid == getuid() || (st->st_mode & (S_IWGRP | S_IWOTH));
}

/* May a symlink in the directory `dirfd` be followed?  Only if the app can
 * not have put it there: it is on a filesystem sbx created during this
 * setup, on a filesystem that is read-only as a whole, or in a directory
 * only someone else may write (/lib64 -> usr/lib64 of a host view, for a
 * caller who is not root).  Whether the *mount* it is reached through is
 * read-only proves nothing: the same directory may be writable through
 * another bind, in this sandbox or in an earlier run of the app. */
static bool symlink_trusted(const struct setup *s, int dirfd)
{
  struct stat st;
  if (fstat(dirfd, &st) < 0)
    return false;
  for (size_t i = 0; i < s->n_trusted; i++)
    if (s->trusted_devs[i] == st.st_dev)
      return true;
  return !dir_writable_by_app(s, &st) || superblock_readonly(s, dirfd);
}

struct walk {
  int stack[MAX_DEPTH]; /* fds of the directories walked through; [0] is root */
  size_t depth;
};

static void walk_reset(struct walk *w)
{
  for (size_t i = 1; i < w->depth; i++)
    close(w->stack[i]);
  w->depth = 1;
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
static int follow_magic_link(int dirfd, const char *name, int *out_fd)
{
  struct statfs sf;
  if (fstatfs(dirfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
    return 0;
  int fd = RETRY(openat(dirfd, name, O_PATH | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  *out_fd = fd;
  return 1;
}

/* The walk proper.  `path` is consumed component by component below `root`
 * (".." stops there, absolute links restart there); a followed symlink's
 * target is spliced in front of what remains.  WALK_HOST follows every
 * symlink: the host's paths are the caller's, as trusted as its sources. */
static int walk_path(struct setup *s, int root, const char *path, unsigned flags, bool stop_at_parent,
                     int *out_fd, char **last)
{
  struct walk w = { .stack = { root }, .depth = 1 };
  char *buf = xstrdup(path);
  const char *p = buf;
  int links = 0, r = 0;
  char linkbuf[PATH_MAX];

  for (;;) {
    size_t len = next_component(&p);
    const char *comp = p - len;
    if (len == 0) {
      /* Path ended (or was "/"): the current directory is the answer. */
      if (stop_at_parent) {
        r = -EINVAL; /* no last component */
        goto out;
      }
      break;
    }
    const char *rest = p;
    while (*rest == '/')
      rest++;
    bool is_last = *rest == '\0';
    char name[NAME_MAX + 1];
    if (len > NAME_MAX) {
      r = -ENAMETOOLONG;
      goto out;
    }
    memcpy(name, comp, len);
    name[len] = '\0';

    if (is_last && stop_at_parent) {
      /* Hand back the parent and the final name. */
      if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
        r = -EINVAL;
        goto out;
      }
      *last = xstrdup(name);
      break;
    }
    if (strcmp(name, ".") == 0)
      continue;
    if (strcmp(name, "..") == 0) {
      if (w.depth > 1)
        close(w.stack[--w.depth]);
      continue;
    }

    int dirfd = w.stack[w.depth - 1];
    int fd = RETRY(openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (fd < 0 && errno == ENOENT && (flags & WALK_MKDIR) && !is_last) {
      if (mkdirat(dirfd, name, s->parent_mode ? s->parent_mode : 0755) < 0 && errno != EEXIST) {
        r = -errno;
        goto out;
      }
      fd = RETRY(openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    }
    if (fd < 0) {
      r = -errno;
      goto out;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
      r = -errno;
      close(fd);
      goto out;
    }
    if (S_ISLNK(st.st_mode) && (flags & WALK_HOST)) {
      int followed = -1;
      r = follow_magic_link(dirfd, name, &followed);
      if (r != 0) {
        close(fd);
        if (r < 0)
          goto out;
        r = 0;
        fd = followed;
        if (fstat(fd, &st) < 0) {
          r = -errno;
          close(fd);
          goto out;
        }
      }
    }
    if (S_ISLNK(st.st_mode) && !(is_last && (flags & WALK_NOFOLLOW_LAST))) {
      if (!((flags & WALK_HOST) || symlink_trusted(s, dirfd)) || ++links > MAX_LINKS) {
        close(fd);
        r = -ELOOP;
        goto out;
      }
      ssize_t n = readlinkat(fd, "", linkbuf, sizeof linkbuf - 1);
      close(fd);
      if (n < 0) {
        r = -errno;
        goto out;
      }
      linkbuf[n] = '\0';
      char *spliced = xasprintf("%s/%s", linkbuf, rest);
      if (linkbuf[0] == '/')
        walk_reset(&w);
      free(buf);
      buf = spliced;
      p = buf;
      continue;
    }
    if (is_last) {
      *out_fd = fd;
      fd = -1;
      goto done;
    }
    if (!S_ISDIR(st.st_mode)) {
      close(fd);
      r = -ENOTDIR;
      goto out;
    }
    if (w.depth == MAX_DEPTH) {
      close(fd);
      r = -ENAMETOOLONG;
      goto out;
    }
    w.stack[w.depth++] = fd;
  }

  /* The answer is the current directory. */
  {
    int cur = w.stack[w.depth - 1];
    if (w.depth == 1) {
      *out_fd = RETRY(fcntl(cur, F_DUPFD_CLOEXEC, 3));
      if (*out_fd < 0)
        r = -errno;
    } else {
      *out_fd = cur;
      w.depth--;
    }
  }
done:
out:
  walk_reset(&w);
  free(buf);
  if (r < 0 && last) {
    free(*last);
    *last = NULL;
  }
  return r;
}

int root_resolve(struct setup *s, const char *path, unsigned flags, int *out_fd)
{
  if (s->openat2_ok && !(flags & WALK_MKDIR)) {
    /* Fast path: no symlink anywhere on the way. */
    uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    int fd = sys_openat2(s->root_fd, path, O_PATH | O_CLOEXEC | ((flags & WALK_NOFOLLOW_LAST) ? O_NOFOLLOW : 0), 0, resolve);
    if (fd >= 0) {
      *out_fd = fd;
      return 0;
    }
    if (errno == ENOENT || errno == ENOTDIR)
      return -errno;
    if (errno == ENOSYS || errno == EPERM)
      s->openat2_ok = false;
    /* ELOOP: a symlink is involved; the walk decides whether it may be
     * followed.  EAGAIN (a ".." met while something was renamed or mounted
     * on the system): the walk has no such race. */
  }
  return walk_path(s, s->root_fd, path, flags, false, out_fd, NULL);
}

int root_resolve_parent(struct setup *s, const char *path, unsigned flags, int *out_dirfd, char **last)
{
  *last = NULL;
  return walk_path(s, s->root_fd, path, flags, true, out_dirfd, last);
}

/* openat2 answers EAGAIN when a ".." was met (in the path or in a link's
 * target: /etc/os-release -> ../usr/lib/os-release) while any rename or
 * mount happened anywhere on the system, because it can then not prove the
 * ".." stayed inside the root.  The kernel asks us to retry; on a busy
 * system every retry can lose the same race, so after a few the walk does
 * the lookup itself (its ".." is clamped by construction, no race). */
#define OPENAT2_RETRIES 8

int host_resolve(struct setup *s, const char *path, int *out_fd)
{
  if (s->openat2_ok) {
    for (int i = 0; i < OPENAT2_RETRIES; i++) {
      int fd = sys_openat2(s->oldroot_fd, path, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
      if (fd >= 0) {
        *out_fd = fd;
        return 0;
      }
      if (errno != EAGAIN)
        break;
    }
    /* ELOOP: RESOLVE_IN_ROOT refuses magic links, which the walk follows. */
    if (errno != EAGAIN && errno != ELOOP && errno != EXDEV && errno != ENOSYS && errno != EPERM)
      return -errno;
  }
  return walk_path(s, s->oldroot_fd, path, WALK_HOST, false, out_fd, NULL);
}
