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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "engine/syscalls.h"
#include "util/util.h"
#include "util/walk.h"

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

static bool may_follow_in_root(void *ctx, int dirfd, const char *dir)
{
  (void)dir;
  return symlink_trusted(ctx, dirfd);
}

/* The walk (util/walk.c) below `root`: ".." stops there, absolute links
 * restart there.  In the new root a symlink is followed only when trusted;
 * WALK_MKDIR makes missing parents with the current op's mode. */
static int walk_in_root(struct setup *s, const char *path, unsigned flags, int *out_fd, char **last)
{
  struct walk_opts o = {
    .flags = flags, .mode = s->parent_mode ? s->parent_mode : 0755, .may_follow = may_follow_in_root, .ctx = s,
  };
  struct walk_out out;
  int r = walk_at(s->root_fd, path, &o, out_fd, &out);
  if (last)
    *last = steal_ptr(&out.last);
  walk_out_clear(&out);
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
  return walk_in_root(s, path, flags, out_fd, NULL);
}

int root_resolve_parent(struct setup *s, const char *path, unsigned flags, int *out_dirfd, char **last)
{
  *last = NULL;
  return walk_in_root(s, path, flags | WALK_PARENT, out_dirfd, last);
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
  /* The host's paths are the caller's, as trusted as its sources: every
   * symlink is followed, magic links by the kernel. */
  struct walk_opts o = { .flags = WALK_MAGIC_LINKS };
  return walk_at(s->oldroot_fd, path, &o, out_fd, NULL);
}
