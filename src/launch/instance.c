/* Instance directories: see instance.h. */
#include "launch/instance.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* Open a parent of instance directories without following a symlink there
 * ($XDG_RUNTIME_DIR itself is the session's and trusted).  owned: it is one
 * of ours (sbx/, .flatpak/): created 0700 if missing (create), and it must
 * belong to us and be writable by nobody else.  /tmp is not owned. */
static int open_parent(const char *parent, bool owned, bool create)
{
  if (create && mkdir(parent, 0700) < 0 && errno != EEXIST)
    return log_errno(errno, "Can't create %s", parent);
  int fd = RETRY(open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  struct stat st;
  if (owned && (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 022))) {
    close(fd);
    return log_fail(EPERM, "%s is not a directory of uid %u that only it can write; refusing to use it", parent,
                    (unsigned)getuid());
  }
  return fd;
}

/* parent/name in the open parent pfd, made with mkdir(2), which fails on
 * anything already there (symlinks included).  Returns an fd on the new
 * directory. */
static int make_dir_at(int pfd, const char *parent, const char *name)
{
  if (mkdirat(pfd, name, 0700) < 0)
    return log_errno(errno, "Can't create the instance directory %s/%s", parent, name);
  int fd = RETRY(openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open %s/%s", parent, name);
  return fd;
}

int make_instance_dir(const char *parent, bool owned, const char *name)
{
  _cleanup_close_ int pfd = open_parent(parent, owned, true);
  if (pfd < 0)
    return pfd == -EPERM ? pfd : log_errno(-pfd, "Can't open %s", parent);
  return make_dir_at(pfd, parent, name);
}

/* Everything we put in an instance directory is a plain entry at its top
 * (files, sockets) or in a directory there (a bus's socket), so two levels
 * of unlinkat are all it takes.  Every step is relative to a directory fd
 * opened without following symlinks, so a symlink planted in the runtime
 * dir can't point the removal elsewhere. */
static void remove_dir_at(int pfd, const char *parent, const char *name, int depth)
{
  int fd = RETRY(openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0) {
    if (errno != ENOENT)
      log_errno(errno, "Can't open %s/%s to remove it", parent, name);
    return;
  }
  _cleanup_free_ char *path = xasprintf("%s/%s", parent, name);
  int dfd = dup(fd);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d && dfd >= 0)
    close(dfd);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
      continue;
    if (errno == EISDIR && depth > 1)
      remove_dir_at(fd, path, de->d_name, depth - 1);
    else
      log_errno(errno, "Can't remove %s/%s", path, de->d_name);
  }
  if (d)
    closedir(d);
  close(fd);
  if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    log_errno(errno, "Can't remove %s/%s", parent, name);
}

static void remove_instance_dir_at(int pfd, const char *parent, const char *name)
{
  remove_dir_at(pfd, parent, name, 2);
}

void remove_instance_dir(const char *parent, bool owned, const char *name)
{
  _cleanup_close_ int pfd = open_parent(parent, owned, false);
  if (pfd >= 0)
    remove_instance_dir_at(pfd, parent, name);
}

static bool all_digits(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

/* An sbx killed outright (SIGKILL, or --die-with-parent when its parent
 * died) can't clean up; its proxy dies with it, its files stay.  Each live
 * instance holds an flock on sbx/ID/lock (the monitor, and the sandbox's
 * pid 1, which inherits the fd), so an instance whose lock can be taken is
 * gone: remove its directories.
 *
 * An instance directory has no lock for a moment after its mkdir and
 * before its rmdir.  Those moments hold a shared flock on sbx/ itself
 * (make_locked_instance_dir, remove_locked_instance_dir), and the sweep
 * runs only under an exclusive one, taken without waiting: a busy parent
 * is swept by a later start.  So under it, a directory without a held lock (none, or
 * only lock.new, or a "lock" nobody holds) belongs to an sbx that died. */
static bool instance_is_gone(int ifd)
{
  _cleanup_close_ int lfd = RETRY(openat(ifd, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (lfd < 0)
    return errno == ENOENT;
  return flock(lfd, LOCK_EX | LOCK_NB) == 0;
}

void remove_stale_instances(const struct plan_services *s)
{
  _cleanup_close_ int pfd = open_parent(s->runtime_parent, true, false);
  if (pfd < 0 || flock(pfd, LOCK_EX | LOCK_NB) < 0)
    return;
  int dfd = dup(pfd);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    if (dfd >= 0)
      close(dfd);
    return;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!all_digits(de->d_name))
      continue;
    _cleanup_close_ int ifd = RETRY(openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (ifd < 0 || !instance_is_gone(ifd))
      continue;
    if (s->flatpak_parent)
      remove_instance_dir(s->flatpak_parent, true, de->d_name);
    remove_instance_dir_at(pfd, s->runtime_parent, de->d_name);
  }
  closedir(d);
}

/* The lock that says "this instance is alive" (see above).  It only gets
 * its name once it is locked: a "lock" that exists unlocked for a moment
 * would let a concurrent sbx take it and sweep this live instance. */
static int take_instance_lock(const struct plan_services *s, int dirfd)
{
  _cleanup_close_ int fd = RETRY(openat(dirfd, "lock.new", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd < 0)
    return log_errno(errno, "Can't create %s/lock.new", s->runtime_dir);
  if (flock(fd, LOCK_EX) < 0)
    return log_errno(errno, "Can't lock %s/lock.new", s->runtime_dir);
  if (renameat(dirfd, "lock.new", dirfd, "lock") < 0)
    return log_errno(errno, "Can't rename %s/lock.new", s->runtime_dir);
  return steal_fd(&fd);
}

int make_locked_instance_dir(const struct plan_services *s, int *lock_fd)
{
  *lock_fd = -1;
  _cleanup_close_ int pfd = open_parent(s->runtime_parent, true, true);
  if (pfd < 0)
    return pfd == -EPERM ? pfd : log_errno(-pfd, "Can't open %s", s->runtime_parent);
  /* Shared: starts may make theirs at once; a sweep waits for none. */
  if (flock(pfd, LOCK_SH) < 0)
    return log_errno(errno, "Can't lock %s", s->runtime_parent);
  const char *name = strrchr(s->runtime_dir, '/') + 1;
  int dfd = make_dir_at(pfd, s->runtime_parent, name);
  if (dfd < 0)
    return dfd;
  int fd = take_instance_lock(s, dfd);
  if (fd < 0) {
    close(dfd);
    remove_instance_dir_at(pfd, s->runtime_parent, name);
    return fd;
  }
  *lock_fd = fd;
  return dfd;
}

void remove_locked_instance_dir(const struct plan_services *s)
{
  _cleanup_close_ int pfd = open_parent(s->runtime_parent, true, false);
  if (pfd < 0)
    return;
  /* Shared, as while it was made: a sweep never sees the directory half
   * removed; only an sbx killed meanwhile leaves it so. */
  (void)flock(pfd, LOCK_SH);
  remove_instance_dir_at(pfd, s->runtime_parent, strrchr(s->runtime_dir, '/') + 1);
}
