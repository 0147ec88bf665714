/* File changes for --desktop-install/--desktop-remove.
 *
 * A change to one file is a write (a temporary file beside it, then renamed
 * over it, so readers -- the menu, the bus, a file watcher -- see the old
 * file or the new, never half of one) or a removal.  A command prepares its
 * changes, then commits them one after another; when one fails, those
 * before it are undone, so its files (an entry and its service override)
 * all change or none do.  renameat2(RENAME_EXCHANGE) keeps the old file at
 * the temporary name, so an undo can swap it back. */
#include "install/change.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

/* 0700, as the basedir spec asks for the directories it names. */
int mkdir_parents(const char *dir, struct strv *made)
{
  struct stat st;
  if (stat(dir, &st) == 0)
    return S_ISDIR(st.st_mode) ? 0 : log_fail(ENOTDIR, "%s is not a directory", dir);
  _cleanup_free_ char *parent = xstrdup(dir);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) {
    *slash = '\0';
    int r = mkdir_parents(parent, made);
    if (r < 0)
      return r;
  }
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return log_errno(errno, "Can't create %s", dir);
  strv_add(made, dir);
  return 0;
}

void rmdir_made(const struct strv *made)
{
  for (size_t n = made->n; n-- > 0;)
    rmdir(made->v[n]);
}

/* A temporary name beside dest: ".NAME.sbx-XXXXXX", which neither menus
 * (*.desktop) nor the bus (*.service) read.  Returns an open fd. */
static int temp_beside(const char *dest, char **tmp)
{
  const char *slash = strrchr(dest, '/');
  *tmp = xasprintf("%.*s/.%s.sbx-XXXXXX", (int)(slash - dest), dest, slash + 1);
  int fd = mkostemp(*tmp, O_CLOEXEC);
  if (fd < 0) {
    int r = log_errno(errno, "Can't create a temporary file beside %s", dest);
    free(*tmp);
    *tmp = NULL;
    return r;
  }
  return fd;
}

/* fsync before the rename: after a crash the name points at the whole new
 * file or at the old one. */
int change_write(struct change *c, const char *dir, const char *name, const char *data, size_t len)
{
  c->dest = xasprintf("%s/%s", dir, name);
  _cleanup_close_ int fd = temp_beside(c->dest, &c->tmp);
  if (fd < 0)
    return fd;
  int r = 0;
  if (fchmod(fd, 0644) < 0)
    r = log_errno(errno, "Can't set the mode of %s", c->tmp);
  else if ((r = write_all(fd, data, len)) < 0)
    log_errno(-r, "Can't write %s", c->tmp);
  else if (fsync(fd) < 0)
    r = log_errno(errno, "Can't write %s", c->tmp);
  if (r < 0) {
    unlink(c->tmp);
    free(c->tmp);
    c->tmp = NULL;
  }
  return r;
}

void change_remove(struct change *c, const char *dest) { c->dest = xstrdup(dest); }

/* A removal: move the file aside, so that an undo can bring it back. */
static int change_commit_removal(struct change *c)
{
  int fd = temp_beside(c->dest, &c->tmp);
  if (fd < 0)
    return fd;
  close(fd);
  if (rename(c->dest, c->tmp) < 0) {
    int r = log_errno(errno, "Can't remove %s", c->dest);
    unlink(c->tmp);
    free(steal_ptr(&c->tmp));
    return r;
  }
  c->state = CH_MOVED_ASIDE;
  return 0;
}

static int change_commit(struct change *c)
{
  if (!c->tmp)
    return change_commit_removal(c);
  /* Swap the new file with the old one, which an undo can swap back. */
  if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dest, RENAME_EXCHANGE) == 0) {
    c->state = CH_SWAPPED;
    return 0;
  }
  if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
    return log_errno(errno, "Can't rename %s to %s", c->tmp, c->dest);
  /* No old file (ENOENT), or a file system without exchange. */
  struct stat st;
  bool existed = errno != ENOENT && lstat(c->dest, &st) == 0;
  if (rename(c->tmp, c->dest) < 0)
    return log_errno(errno, "Can't rename %s to %s", c->tmp, c->dest);
  free(steal_ptr(&c->tmp));
  c->state = existed ? CH_OVERWRITTEN : CH_CREATED;
  return 0;
}

/* Best effort, on a path that is already failing: say what could not be
 * put back and where it is. */
static void change_undo(struct change *c)
{
  switch (c->state) {
  case CH_SWAPPED:
    if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dest, RENAME_EXCHANGE) < 0) {
      log_errno(errno, "Can't put %s back (the old one is at %s)", c->dest, c->tmp);
      free(steal_ptr(&c->tmp)); /* keep it */
    }
    break; /* else change_finish removes the new file, now at tmp */
  case CH_CREATED:
    unlink(c->dest);
    break;
  case CH_MOVED_ASIDE:
    if (rename(c->tmp, c->dest) < 0)
      log_errno(errno, "Can't put %s back (it is at %s)", c->dest, c->tmp);
    else
      free(steal_ptr(&c->tmp));
    break;
  case CH_OVERWRITTEN: /* the old contents are gone; the new file stays */
  case CH_PREPARED:
    break;
  }
  c->state = CH_PREPARED;
}

/* An uncommitted or undone write leaves the new contents at tmp, a
 * committed one the old file. */
void change_finish(struct change *c)
{
  if (c->tmp)
    unlink(c->tmp);
  free(c->tmp);
  free(c->dest);
  c->tmp = c->dest = NULL;
}

int commit_all(struct change *changes, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    int r = change_commit(&changes[i]);
    if (r < 0) {
      while (i--)
        change_undo(&changes[i]);
      return r;
    }
  }
  return 0;
}
