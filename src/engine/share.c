/* Live sharing: a host path mounted into a running sandbox, and taken out
 * again, while its app runs (sbx --share / --unshare, run.h).
 *
 * The mount is made on the host side and moved in: a child of sbx enters
 * the user namespace that owns the sandbox's mount namespace (its owner
 * may, from outside, hold every capability there), makes itself a private
 * copy of the host's mount table, clones the source's mount from it with
 * open_tree (a detached tree nobody else sees), marks it read-only, nosuid
 * and nodev as asked, then enters the sandbox's mount namespace and moves
 * the tree onto the destination.  sbx's own process never changes
 * namespace, and the app never sees a half-made mount.
 *
 * Both paths are resolved without following any symlink: the source may
 * lie in a directory the app can write through another bind (a link it
 * planted there would otherwise hand it ~/.ssh), and the destination is
 * the app's to arrange.  A link anywhere on either path is refused. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/run.h"
#include "engine/syscalls.h"
#include "util/util.h"
#include "util/walk.h"

/* The child's exit status on failure (after its message). */
enum { SHARE_FAILED = 1 };

static bool same_ns(int a, int b)
{
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* The mount namespace of `target`, and the user namespace that owns it.
 * Its pidfd, opened before and still alive after, proves the namespace is
 * that process's and not one of a process that reused its pid. */
static int open_target_ns(int pidfd, pid_t target, int *mntns, int *userns)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)target);
  _cleanup_close_ int fd = RETRY(open(path, O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open %s", path);
  if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    return log_errno(errno, "The sandbox's process %d is gone", (int)target);
  int owner = ioctl(fd, NS_GET_USERNS);
  if (owner < 0)
    return log_errno(errno, "Can't find the owner of the sandbox's mount namespace (NS_GET_USERNS)");
  *mntns = steal_fd(&fd);
  *userns = owner;
  return 0;
}

/* Enter the user namespace `userns` unless we are in it already: it owns
 * the sandbox's mounts, and its owner holds every capability in it. */
static int enter_owner(int userns)
{
  _cleanup_close_ int mine = RETRY(open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
  if (mine >= 0 && same_ns(mine, userns))
    return 0;
  if (setns(userns, CLONE_NEWUSER) < 0)
    return log_errno(errno, "Can't enter the sandbox's user namespace");
  return 0;
}

/* `path` (absolute) below the current root, with no symlink followed.
 * flags: util/walk.h's. */
static int resolve_nofollow(const char *path, unsigned flags, int *out_fd, char **last)
{
  _cleanup_close_ int root = RETRY(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root < 0)
    return -errno;
  struct walk_opts o = { .flags = flags | WALK_NOFOLLOW, .mode = 0755 };
  struct walk_out out = { 0 };
  int r = walk_at(root, path, &o, out_fd, &out);
  if (last)
    *last = steal_ptr(&out.last);
  walk_out_clear(&out);
  return r;
}

static const char *resolve_error(int r)
{
  return r == -ELOOP ? "a symbolic link is on the way (give the real path)" : strerror(-r);
}

/* The source as a detached mount tree, cloned from our private copy of
 * the host's mounts (never from the host's own table), with the
 * attributes every shared path gets. */
static int clone_source(const char *src, bool ro, int *tree, struct stat *st)
{
  if (unshare(CLONE_NEWNS) < 0)
    return log_errno(errno, "Can't make a private copy of the host's mounts");
  _cleanup_close_ int fd = -1;
  int r = resolve_nofollow(src, 0, &fd, NULL);
  if (r < 0)
    return log_fail(-r, "Can't share %s: %s", src, resolve_error(r));
  if (fstat(fd, st) < 0)
    return log_errno(errno, "Can't stat %s", src);
  if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
    return log_fail(EINVAL, "Can't share %s: only directories and regular files can be shared", src);
  int t = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (t < 0)
    return log_errno(errno, "Can't clone the mount of %s (open_tree, Linux 5.2)", src);
  /* Host mounts below it may still appear (slave), nothing flows back. */
  uint64_t set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0);
  if (sys_mount_setattr_prop(t, "", AT_EMPTY_PATH | AT_RECURSIVE, set, 0, MS_SLAVE) < 0) {
    int e = errno;
    close(t);
    return log_errno(e, "Can't set the attributes of %s's mount (mount_setattr, Linux 5.12)", src);
  }
  *tree = t;
  return 0;
}

/* The mount point at dest in the sandbox (after setns): an existing entry
 * of the source's kind, or one made now (missing parents too).  *made says
 * whether this call created the last component. */
static int mount_point(const char *dest, const struct stat *src, int *out_fd, bool *made)
{
  _cleanup_close_ int dir = -1;
  _cleanup_free_ char *last = NULL;
  int r = resolve_nofollow(dest, WALK_PARENT | WALK_MKDIR, &dir, &last);
  if (r < 0)
    return log_fail(-r, "Can't reach %s in the sandbox: %s", dest, resolve_error(r));
  struct stat st;
  *made = false;
  if (fstatat(dir, last, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT)
      return log_errno(errno, "Can't stat %s in the sandbox", dest);
    int fd = S_ISDIR(src->st_mode) ? mkdirat(dir, last, 0755)
                                   : RETRY(openat(dir, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (fd < 0)
      return log_errno(errno, "Can't create the mount point %s in the sandbox", dest);
    if (!S_ISDIR(src->st_mode))
      close(fd);
    *made = true;
  }
  int fd = RETRY(openat(dir, last, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open %s in the sandbox", dest);
  if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode) != S_ISDIR(src->st_mode)) {
    close(fd);
    return log_fail(EEXIST, "Can't share onto %s in the sandbox: it is a %s, the source is not", dest,
                    S_ISLNK(st.st_mode) ? "symbolic link" : S_ISDIR(st.st_mode) ? "directory" : "file");
  }
  *out_fd = fd;
  return 0;
}

_noreturn_ static void share_child(int pidfd, pid_t target, const char *src, const char *dest, bool ro, int report)
{
  int mntns = -1, userns = -1, tree = -1, point = -1;
  struct stat st;
  bool made = false;
  if (open_target_ns(pidfd, target, &mntns, &userns) < 0 || enter_owner(userns) < 0 ||
      clone_source(src, ro, &tree, &st) < 0)
    _exit(SHARE_FAILED);
  if (setns(mntns, CLONE_NEWNS) < 0) {
    log_errno(errno, "Can't enter the sandbox's mount namespace");
    _exit(SHARE_FAILED);
  }
  if (mount_point(dest, &st, &point, &made) < 0)
    _exit(SHARE_FAILED);
  if (sys_move_mount(tree, "", point, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    log_errno(errno, "Can't mount %s on %s in the sandbox (move_mount)", src, dest);
    _exit(SHARE_FAILED);
  }
  /* What --unshare checks it takes out: the file the mount shows. */
  struct share_result res = { .made_point = made, .dev = st.st_dev, .ino = st.st_ino };
  _exit(write(report, &res, sizeof res) == (ssize_t)sizeof res ? 0 : SHARE_FAILED);
}

/* Take out the mount at dest that shows the file (dev, ino), then its
 * mount point if sbx made it.  Unmounted through our own /proc/self/fd
 * (the host's procfs, opened before entering: the sandbox's /proc does
 * not show us), so no path is looked up twice. */
_noreturn_ static void unshare_child(int pidfd, pid_t target, const char *dest, dev_t dev, ino_t ino,
                                     bool remove_point)
{
  int mntns = -1, userns = -1;
  _cleanup_close_ int fds = RETRY(open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fds < 0 || open_target_ns(pidfd, target, &mntns, &userns) < 0 || enter_owner(userns) < 0)
    _exit(SHARE_FAILED);
  if (setns(mntns, CLONE_NEWNS) < 0) {
    log_errno(errno, "Can't enter the sandbox's mount namespace");
    _exit(SHARE_FAILED);
  }
  _cleanup_close_ int dir = -1;
  _cleanup_free_ char *last = NULL;
  int r = resolve_nofollow(dest, WALK_PARENT, &dir, &last);
  int fd = r < 0 ? r : RETRY(openat(dir, last, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != dev || st.st_ino != ino) {
    log_fail(ENOENT, "%s in the sandbox is no longer the shared path (%s)", dest,
             r < 0 ? resolve_error(r) : fd < 0 ? strerror(errno) : "something else is there");
    _exit(SHARE_FAILED);
  }
  char name[32];
  snprintf(name, sizeof name, "%d", fd);
  if (fchdir(fds) < 0 || umount2(name, MNT_DETACH) < 0) {
    log_errno(errno, "Can't unmount %s in the sandbox", dest);
    _exit(SHARE_FAILED);
  }
  close(fd);
  if (remove_point && unlinkat(dir, last, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
    log_warn("the mount point %s stays in the sandbox: %s", dest, strerror(errno));
  _exit(0);
}

/* Run fn in a child (its namespace changes stay there): 0 if it exited
 * 0, else -EIO (it said why) or -errno. */
static int in_child(void (*run)(void *), void *arg)
{
  pid_t pid = fork();
  if (pid < 0)
    return log_errno(errno, "fork");
  if (pid == 0)
    run(arg);
  int st;
  if (RETRY(waitpid(pid, &st, 0)) < 0)
    return log_errno(errno, "waitpid");
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

struct share_args {
  int pidfd;
  pid_t target;
  const char *src, *dest;
  bool ro;
  int report;
  const struct share_result *made;
};

static void run_share(void *a)
{
  struct share_args *s = a;
  share_child(s->pidfd, s->target, s->src, s->dest, s->ro, s->report);
}

static void run_unshare(void *a)
{
  struct share_args *s = a;
  unshare_child(s->pidfd, s->target, s->dest, s->made->dev, s->made->ino, s->made->made_point);
}

int sbx_share(int pidfd, pid_t target, const char *src, const char *dest, bool ro, struct share_result *out)
{
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return log_errno(errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  struct share_args a = { .pidfd = pidfd, .target = target, .src = src, .dest = dest, .ro = ro, .report = pipefd[1] };
  int r = in_child(run_share, &a);
  close(pipefd[1]);
  if (r == 0 && read(rd, out, sizeof *out) != (ssize_t)sizeof *out)
    r = log_fail(EIO, "The process that shared %s did not report", src);
  return r;
}

int sbx_unshare(int pidfd, pid_t target, const char *dest, const struct share_result *made)
{
  struct share_args a = { .pidfd = pidfd, .target = target, .dest = dest, .made = made };
  return in_child(run_unshare, &a);
}
