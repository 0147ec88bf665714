/* Building the sandbox's mount tree.
 *
 * Every mount is made through file descriptors with the new mount API when
 * the kernel has it: the source tree is cloned detached (open_tree), its
 * flags are set on the whole detached tree in one call (mount_setattr with
 * AT_RECURSIVE, so the cost does not depend on how many mounts the host
 * has), and it is attached onto a mount point resolved safely inside the new
 * root (move_mount between fds).  Each of those calls is detected on its own
 * the first time it is needed (kernels 5.2-5.11 have open_tree and fsopen
 * but not mount_setattr); a missing one is replaced by mount(2) on
 * /proc/self/fd paths, and recursive flags are then applied by walking
 * /proc/self/mountinfo. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/syscalls.h"
#include "util/util.h"

#define BASE_DIR "/tmp"

/* Report a failure to resolve or create a destination.  ELOOP from the
 * resolver means it met a symlink it will not follow; say so plainly. */
#define dest_errno(r, fmt, ...)                                                                     \
  ((r) == -ELOOP ? log_fail(ELOOP, fmt ": the path leads through a symlink in a directory the "     \
                                       "sandboxed app may write (through this or another mount), "  \
                                       "and sbx does not follow links it could have planted",       \
                            ##__VA_ARGS__)                                                          \
                 : log_errno(r, fmt, ##__VA_ARGS__))

static bool api_missing(int err)
{
  /* ENOSYS: old kernel; EPERM: a seccomp policy (ours in tests, or a
   * container runtime's) that forbids the new calls. */
  return err == ENOSYS || err == EPERM;
}

/* ---- mount flags ------------------------------------------------------ */

static uint64_t access_attrs(enum bind_access a)
{
  uint64_t attrs = MOUNT_ATTR_NOSUID;
  if (a != ACCESS_DEV)
    attrs |= MOUNT_ATTR_NODEV;
  if (a == ACCESS_RO)
    attrs |= MOUNT_ATTR_RDONLY;
  return attrs;
}

static unsigned long attrs_to_ms(uint64_t attrs)
{
  unsigned long ms = 0;
  if (attrs & MOUNT_ATTR_RDONLY) ms |= MS_RDONLY;
  if (attrs & MOUNT_ATTR_NOSUID) ms |= MS_NOSUID;
  if (attrs & MOUNT_ATTR_NODEV) ms |= MS_NODEV;
  if (attrs & MOUNT_ATTR_NOEXEC) ms |= MS_NOEXEC;
  return ms;
}

static bool path_at_or_below(const char *path, const char *top)
{
  size_t len = strlen(top);
  if (len == 1)
    return path[0] == '/';
  return strncmp(path, top, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

/* A mount listed later on the same mount point or on one above it covers
 * entry i: the sandbox cannot reach it, so its flags do not matter. */
static bool entry_covered(const struct mount_entry *e, size_t n, size_t i)
{
  for (size_t j = i + 1; j < n; j++)
    if (path_at_or_below(e[i].mp, e[j].mp))
      return true;
  return false;
}

/* Open an absolute path one component at a time (mountinfo's paths may be
 * longer than PATH_MAX), following no symlink.  Returns an fd, or -1 with
 * errno set. */
static int open_components(const char *path)
{
  _cleanup_close_ int root = RETRY(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root < 0)
    return -1;
  struct walk_opts o = { .flags = WALK_NOFOLLOW | WALK_NOFOLLOW_LAST };
  int fd = -1, r = walk_at(root, path, &o, &fd, NULL);
  if (r < 0)
    errno = -r;
  return r < 0 ? -1 : fd;
}

/* Add `add` to the flags of mountinfo entry i.  The mount point is opened
 * and must be that very mount (its mnt_id), which is then remounted
 * through the fd, not by its path a second time.  A submount we cannot
 * reach is skipped, as bubblewrap skips it; the mount an operation made
 * (`top`) must get its flags. */
static int remount_entry(struct setup *s, const struct mount_entry *e, size_t n, size_t i, unsigned long add,
                         bool top)
{
  if ((e[i].ms & add) == add)
    return 0;
  _cleanup_close_ int fd = open_components(e[i].mp);
  if (fd < 0 && !top && (errno == EACCES || errno == EPERM))
    return 0;
  if (fd < 0 || fd_mount_id(s, fd) != e[i].id) {
    if (entry_covered(e, n, i))
      return 0;
    return fd < 0 ? -errno : -EBUSY;
  }
  _cleanup_free_ char *path = fd_proc_path(s, fd);
  if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | e[i].ms | add, NULL) < 0)
    return -errno;
  return 0;
}

/* Fallback only (MS_REMOUNT has no fd form): add `add` to the mount at
 * `top` and, when `recursive`, to every mount below it, each keeping its
 * own flags as mountinfo lists them.  (statfs would ask the filesystem, and
 * some refuse: the document portal's FUSE daemon answers EPERM, a dead FUSE
 * daemon ENOTCONN.) */
static int remount_legacy(struct setup *s, const char *top, unsigned long add, bool recursive)
{
  struct mount_entry *e = NULL;
  size_t n = 0;
  int r = mountinfo_read(s, &e, &n);
  if (r < 0)
    return r;
  bool found = false;
  for (size_t i = 0; i < n && r == 0; i++) {
    bool at_top = strcmp(e[i].mp, top) == 0;
    if (at_top ? !entry_covered(e, n, i) : recursive && path_at_or_below(e[i].mp, top)) {
      found |= at_top;
      r = remount_entry(s, e, n, i, add, at_top);
    }
  }
  mountinfo_free(e, n);
  return r == 0 && !found ? -ENOENT : r;
}

/* ---- primitives ------------------------------------------------------- */

/* Make a fresh filesystem of `type` and attach it on `target_fd`. */
static int mount_fresh(struct setup *s, const char *type, const char *source, const char *const *opts,
                       uint64_t attrs, int target_fd)
{
  if (!s->no_fsopen) {
    _cleanup_close_ int fs = sys_fsopen(type, FSOPEN_CLOEXEC);
    if (fs < 0 && !api_missing(errno))
      return -errno;
    if (fs < 0) {
      s->no_fsopen = true;
      goto classic;
    }
    if (source)
      (void)sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0);
    for (size_t i = 0; opts && opts[i]; i += 2) {
      int r = opts[i + 1] ? sys_fsconfig(fs, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0)
                          : sys_fsconfig(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
      if (r < 0)
        return -errno;
    }
    if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
      return -errno;
    _cleanup_close_ int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
    if (mnt < 0)
      return -errno;
    if (sys_move_mount(mnt, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return -errno;
    return 0;
  }

classic:;
  char data[1024] = "";
  size_t n = 0;
  for (size_t i = 0; opts && opts[i]; i += 2)
    n += snprintf(data + n, sizeof data - n, "%s%s%s%s", n ? "," : "", opts[i],
                  opts[i + 1] ? "=" : "", opts[i + 1] ? opts[i + 1] : "");
  if (n >= sizeof data)
    return -E2BIG;
  _cleanup_free_ char *target = fd_proc_path(s, target_fd);
  if (mount(source ? source : type, target, type, attrs_to_ms(attrs), data) < 0)
    return -errno;
  return 0;
}

/* Add `attrs` to the mount(s) now on `target_fd`, with mount(2): by path,
 * since MS_REMOUNT takes no fd. */
static int remount_attached(struct setup *s, int target_fd, uint64_t attrs, bool recursive)
{
  /* Re-resolve the target: the magic link now leads to the new mount. */
  _cleanup_free_ char *target = fd_proc_path(s, target_fd);
  _cleanup_close_ int fd = RETRY(open(target, O_PATH | O_CLOEXEC));
  if (fd < 0)
    return -errno;
  char real[PATH_MAX];
  _cleanup_free_ char *link = fd_proc_path(s, fd);
  ssize_t n = readlink(link, real, sizeof real - 1);
  if (n < 0)
    return -errno;
  real[n] = '\0';
  return remount_legacy(s, real, attrs_to_ms(attrs), recursive);
}

/* Bind with the new API: clone the tree detached, set its flags while no
 * one can see it, attach it.  Returns 1 when open_tree is missing (the
 * caller falls back); *attrs_left says what mount_setattr could not set. */
static int bind_fd_detached(struct setup *s, int src_fd, int target_fd, uint64_t attrs, bool recursive,
                            uint64_t *attrs_left)
{
  _cleanup_close_ int tree = sys_open_tree(src_fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                       (recursive ? AT_RECURSIVE : 0));
  if (tree < 0 && api_missing(errno)) {
    s->no_open_tree = true;
    return 1;
  }
  if (tree < 0)
    return -errno;
  *attrs_left = attrs;
  if (attrs && !s->no_mount_setattr) {
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attrs, 0) == 0)
      *attrs_left = 0;
    else if (api_missing(errno))
      s->no_mount_setattr = true;
    else
      return -errno;
  }
  if (sys_move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return -errno;
  return 0;
}

/* Bind `src_fd` (any O_PATH fd) onto `target_fd` with `attrs` added on the
 * whole tree (or just the top mount when !recursive). */
static int bind_fd(struct setup *s, int src_fd, int target_fd, uint64_t attrs, bool recursive)
{
  if (!s->no_open_tree) {
    uint64_t left = attrs;
    int r = bind_fd_detached(s, src_fd, target_fd, attrs, recursive, &left);
    if (r < 0)
      return r;
    if (r == 0)
      return left ? remount_attached(s, target_fd, left, recursive) : 0;
  }

  _cleanup_free_ char *src = fd_proc_path(s, src_fd);
  _cleanup_free_ char *target = fd_proc_path(s, target_fd);
  if (mount(src, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return -errno;
  return attrs ? remount_attached(s, target_fd, attrs, recursive) : 0;
}

/* ---- mount points ----------------------------------------------------- */

/* The directory that will contain `dest` (created with its parents as
 * needed), opened for *at() calls, and the name `dest` has in it. */
static int open_parent_dir(struct setup *s, const char *dest, int *pdir, char **name)
{
  _cleanup_close_ int parent = -1;
  int r = root_resolve_parent(s, dest, WALK_MKDIR, &parent, name);
  if (r < 0)
    return r;
  *pdir = RETRY(openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (*pdir < 0) {
    r = -errno;
    free(*name);
    *name = NULL;
    return r;
  }
  return 0;
}

/* Create (if needed) the mount point for `dest`: a directory when the source
 * is one, else a file.  Modes follow bubblewrap: 0755 dirs, 0444 files. */
static int make_mount_point(struct setup *s, const char *dest, bool dir, int *out_fd)
{
  _cleanup_close_ int pdir = -1;
  _cleanup_free_ char *name = NULL;
  int r = root_resolve(s, dest, 0, out_fd);
  if (r == 0)
    return 0;
  if (r != -ENOENT)
    return r;
  r = open_parent_dir(s, dest, &pdir, &name);
  if (r < 0)
    return r;
  if (dir) {
    if (mkdirat(pdir, name, 0755) < 0 && errno != EEXIST)
      return -errno;
  } else {
    int fd = RETRY(openat(pdir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444));
    if (fd < 0 && errno != EEXIST)
      return -errno;
    if (fd >= 0)
      close(fd);
  }
  /* Whatever is there now (also when someone raced us) is checked again. */
  return root_resolve(s, dest, 0, out_fd);
}

static int open_dir_at(int parent, const char *name, mode_t mode, int *out)
{
  if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
    return -errno;
  *out = RETRY(openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  return *out < 0 ? -errno : 0;
}

/* Lookups that start at an fd do not cross mounts stacked on that very
 * directory, so after a mount on the root itself (--bind / /) the root must
 * be re-opened to stand on the top-most mount. */
static int refresh_root(struct setup *s)
{
  int fd = RETRY(open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd < 0)
    return log_errno(errno, "Can't open the new root");
  close(s->root_fd);
  s->root_fd = fd;
  return 0;
}

/* ---- operations ------------------------------------------------------- */

static int op_bind(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int src = -1, target = -1;
  struct stat st_src, st_after;
  int r;

  if (op->flags & OPF_FROM_FD) {
    /* The fd names an object in the host's mount namespace; mounts can only
     * be cloned from our own copy of it.  Find the same object there by the
     * fd's path, and insist it is the same inode (a swap in between is
     * refused, not followed). */
    struct stat st_fd, st_found;
    char fdpath[64], fdtarget[PATH_MAX];
    if (fstat(op->fd, &st_fd) < 0)
      return log_errno(errno, "Can't use fd %d for %s", op->fd, op->dest);
    snprintf(fdpath, sizeof fdpath, "/oldroot/proc/self/fd/%d", op->fd);
    ssize_t n = readlink(fdpath, fdtarget, sizeof fdtarget - 1);
    if (n < 0)
      return log_errno(errno, "Can't find the path of fd %d", op->fd);
    fdtarget[n] = '\0';
    r = host_resolve(s, fdtarget, &src);
    if (r < 0)
      return log_errno(r, "Can't find %s (from fd %d)", fdtarget, op->fd);
    if (fstat(src, &st_found) < 0 || st_found.st_dev != st_fd.st_dev || st_found.st_ino != st_fd.st_ino)
      return log_fail(EXDEV, "%s changed while setting up the bind of fd %d on %s", fdtarget, op->fd, op->dest);
  } else {
    r = host_resolve(s, op->src, &src);
    if (r == -ENOENT && (op->flags & OPF_TRY))
      return 0;
    if (r < 0)
      return log_errno(r, "Can't find source path %s", op->src);
  }
  if (fstat(src, &st_src) < 0)
    return log_errno(errno, "Can't stat source %s", op->src ? op->src : "fd");

  r = make_mount_point(s, op->dest, S_ISDIR(st_src.st_mode), &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);
  r = bind_fd(s, src, target, access_attrs(op->access), true);
  if (r < 0)
    return log_errno(r, "Can't bind mount %s on %s", op->src ? op->src : "fd", op->dest);

  if (op->flags & OPF_FROM_FD) {
    /* The mount must show what the fd named, not whatever the path turned into. */
    _cleanup_close_ int check = -1;
    if ((r = refresh_root(s)) < 0)
      return r;
    r = root_resolve(s, op->dest, 0, &check);
    if (r < 0 || fstat(check, &st_after) < 0)
      return log_errno(r < 0 ? r : errno, "Can't check bind mount on %s", op->dest);
    if (st_after.st_dev != st_src.st_dev || st_after.st_ino != st_src.st_ino)
      return log_fail(EXDEV, "Bind of fd %d on %s shows a different file after mounting", op->fd, op->dest);
  }
  return 0;
}

static int op_remount_ro(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int fd = -1;
  int r = root_resolve(s, op->dest, 0, &fd);
  if (r < 0)
    return dest_errno(r, "Can't find %s to remount read-only", op->dest);
  if (!s->no_mount_setattr) {
    if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0) == 0)
      return 0;
    if (!api_missing(errno))
      return log_errno(errno, "Can't remount %s read-only", op->dest);
    s->no_mount_setattr = true;
  }
  _cleanup_free_ char *path = fd_proc_path(s, fd);
  char real[PATH_MAX];
  ssize_t n = readlink(path, real, sizeof real - 1);
  if (n < 0)
    return log_errno(errno, "Can't remount %s read-only", op->dest);
  real[n] = '\0';
  r = remount_legacy(s, real, MS_RDONLY, false);
  return r < 0 ? log_errno(r, "Can't remount %s read-only", op->dest) : 0;
}

static int make_dir_op(struct setup *s, const char *dest, int perms, int *out)
{
  _cleanup_close_ int pdir = -1;
  _cleanup_free_ char *name = NULL;
  int r = open_parent_dir(s, dest, &pdir, &name);
  if (r == -EINVAL) /* "/" or ".." at the end: the directory exists */
    return root_resolve(s, dest, 0, out);
  if (r < 0)
    return r;
  /* --perms is the mode of a directory we create, never a chmod of one
   * that exists (it may be the host's, through a bind), as in bubblewrap.
   * Setup runs with umask 0, so mkdirat() gives exactly this mode; like
   * mkdir(2) it drops setuid and leaves setgid to the parent's. */
  mode_t mode = perms >= 0 ? (mode_t)perms : 0755;
  if (mkdirat(pdir, name, mode) < 0 && errno != EEXIST)
    return -errno;
  int fd = RETRY(openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0) {
    if (errno == ELOOP) {
      /* An existing symlink: follow it only if trusted. */
      return root_resolve(s, dest, 0, out);
    }
    return -errno;
  }
  *out = fd;
  return 0;
}

static int op_dir(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int fd = -1;
  int r = make_dir_op(s, op->dest, op->perms, &fd);
  return r < 0 ? dest_errno(r, "Can't mkdir %s", op->dest) : 0;
}

static int op_tmpfs(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int target = -1;
  char mode[16], size[32];
  int r = make_dir_op(s, op->dest, -1, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);
  snprintf(mode, sizeof mode, "0%o", op->perms >= 0 ? (unsigned)op->perms : 0755u);
  snprintf(size, sizeof size, "%llu", (unsigned long long)op->size);
  _cleanup_free_ char *ctx = label_mount_opt(s->plan->file_label);
  const char *opts[] = { "mode", mode, op->size ? "size" : NULL, size, NULL, NULL, NULL, NULL };
  if (ctx) {
    size_t i = op->size ? 4 : 2;
    opts[i] = "context";
    opts[i + 1] = ctx;
  }
  r = mount_fresh(s, "tmpfs", "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, target);
  if (r < 0)
    return log_errno(r, "Can't mount tmpfs on %s", op->dest);
  _cleanup_close_ int check = -1;
  if (root_resolve(s, op->dest, 0, &check) == 0)
    setup_trust_fd(s, check);
  return 0;
}

static int op_mqueue(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int target = -1;
  int r = make_dir_op(s, op->dest, -1, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);
  r = mount_fresh(s, "mqueue", "mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, target);
  return r < 0 ? log_errno(r, "Can't mount mqueue on %s", op->dest) : 0;
}

static int op_proc(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int target = -1;
  int r = make_dir_op(s, op->dest, -1, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);

  /* A proc shows the pid namespace of the process that mounts it: ours when
   * we created one or joined one with --pidns (the sandbox was cloned into
   * it), and then it must be a fresh proc, as bubblewrap mounts; the host's
   * /proc would show every host process. */
  if ((s->plan->unshare & CLONE_NEWPID) || s->plan->pidns_fd >= 0) {
    r = mount_fresh(s, "proc", "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, target);
  } else {
    /* No pid namespace of our own: show the host's (a fresh proc would need
     * privileges over the host's pid namespace). */
    _cleanup_close_ int src = -1;
    r = host_resolve(s, "/proc", &src);
    if (r == 0)
      r = bind_fd(s, src, target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, true);
  }
  if (r < 0)
    return log_errno(r, "Can't mount proc on %s", op->dest);

  /* Knobs that reach beyond the sandbox stay read-only. */
  static const char *const covered[] = { "sys", "sysrq-trigger", "irq", "bus" };
  _cleanup_close_ int proc = -1;
  r = root_resolve(s, op->dest, 0, &proc);
  if (r < 0)
    return dest_errno(r, "Can't open %s", op->dest);
  for (size_t i = 0; i < sizeof covered / sizeof covered[0]; i++) {
    _cleanup_close_ int sub = RETRY(openat(proc, covered[i], O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (sub < 0)
      continue;
    r = bind_fd(s, sub, sub, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, true);
    if (r < 0 && r != -EACCES && r != -EPERM)
      return log_errno(r, "Can't make %s/%s read-only", op->dest, covered[i]);
  }
  return 0;
}

static int op_dev(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int target = -1, dev = -1, dev_rw = -1;
  int r = make_dir_op(s, op->dest, -1, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);
  const char *opts[] = { "mode", "0755", NULL, NULL, NULL, NULL };
  _cleanup_free_ char *ctx = label_mount_opt(s->plan->file_label);
  if (ctx) {
    opts[2] = "context";
    opts[3] = ctx;
  }
  /* nodev: a device node made later in this tmpfs (by an app given
   * CAP_MKNOD) must not open.  The nodes below are bind mounts of the
   * host's, each its own mount without nodev, so they keep working. */
  r = mount_fresh(s, "tmpfs", "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, target);
  if (r < 0)
    return log_errno(r, "Can't mount tmpfs on %s", op->dest);
  r = root_resolve(s, op->dest, 0, &dev);
  if (r < 0)
    return dest_errno(r, "Can't open %s", op->dest);
  setup_trust_fd(s, dev);
  dev_rw = RETRY(openat(dev, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dev_rw < 0)
    return log_errno(errno, "Can't open %s", op->dest);

  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    _cleanup_close_ int host = -1, node = -1;
    _cleanup_free_ char *hp = xasprintf("/dev/%s", nodes[i]);
    r = host_resolve(s, hp, &host);
    if (r < 0)
      return log_errno(r, "Can't find %s", hp);
    int fd = RETRY(openat(dev_rw, nodes[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444));
    if (fd < 0)
      return log_errno(errno, "Can't create %s/%s", op->dest, nodes[i]);
    close(fd);
    node = RETRY(openat(dev_rw, nodes[i], O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (node < 0)
      return log_errno(errno, "Can't open %s/%s", op->dest, nodes[i]);
    r = bind_fd(s, host, node, MOUNT_ATTR_NOSUID, false);
    if (r < 0)
      return log_errno(r, "Can't bind %s into %s", hp, op->dest);
  }

  static const char *const links[][2] = {
    { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
    { "/proc/self/fd", "fd" }, { "/proc/kcore", "core" }, { "pts/ptmx", "ptmx" },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i][0], dev_rw, links[i][1]) < 0)
      return log_errno(errno, "Can't create symlink %s/%s", op->dest, links[i][1]);

  _cleanup_close_ int shm = -1, pts = -1;
  r = open_dir_at(dev_rw, "shm", 0755, &shm);
  if (r == 0)
    r = open_dir_at(dev_rw, "pts", 0755, &pts);
  if (r < 0)
    return log_errno(r, "Can't create directories in %s", op->dest);
  const char *pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "620", NULL, NULL };
  r = mount_fresh(s, "devpts", "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, pts);
  if (r < 0)
    return log_errno(r, "Can't mount devpts on %s/pts", op->dest);

  /* A terminal on stdout becomes the console, as in bubblewrap. */
  if (s->console) {
    _cleanup_close_ int host = -1, node = -1;
    int fd = RETRY(openat(dev_rw, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444));
    if (fd >= 0)
      close(fd);
    node = RETRY(openat(dev_rw, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (node >= 0 && host_resolve(s, s->console, &host) == 0) {
      r = bind_fd(s, host, node, MOUNT_ATTR_NOSUID, false);
      if (r < 0)
        return log_errno(r, "Can't bind %s on %s/console", s->console, op->dest);
    }
  }
  return 0;
}

static int op_symlink(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int pdir = -1;
  _cleanup_free_ char *name = NULL;
  int r = open_parent_dir(s, op->dest, &pdir, &name);
  if (r < 0)
    return dest_errno(r, "Can't make symlink at %s", op->dest);
  if (symlinkat(op->src, pdir, name) == 0)
    return 0;
  if (errno != EEXIST)
    return log_errno(errno, "Can't make symlink at %s", op->dest);
  /* Idempotent for an identical link. */
  char existing[PATH_MAX];
  ssize_t n = readlinkat(pdir, name, existing, sizeof existing - 1);
  if (n >= 0) {
    existing[n] = '\0';
    if (strcmp(existing, op->src) == 0)
      return 0;
    return log_fail(EEXIST, "Can't make symlink at %s: existing destination is %s", op->dest, existing);
  }
  return log_fail(EEXIST, "Can't make symlink at %s: existing destination is not a symlink", op->dest);
}

static int copy_fd_to(int from, int to)
{
  char buf[65536];
  for (;;) {
    ssize_t n = RETRY(read(from, buf, sizeof buf));
    if (n < 0)
      return -errno;
    if (n == 0)
      return 0;
    int r = write_all(to, buf, (size_t)n);
    if (r < 0)
      return r;
  }
}

static int op_file(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int pdir = -1, fd = -1;
  _cleanup_free_ char *name = NULL;
  int r = open_parent_dir(s, op->dest, &pdir, &name);
  if (r < 0)
    return dest_errno(r, "Can't create file at %s", op->dest);
  mode_t mode = op->perms >= 0 ? (mode_t)op->perms : 0666;
  fd = RETRY(openat(pdir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd < 0)
    return log_errno(errno, "Can't create file at %s", op->dest);
  r = op->fd >= 0 ? copy_fd_to(op->fd, fd) : write_all(fd, op->data, op->data_len);
  if (r < 0)
    return log_errno(r, "Can't write data to file %s", op->dest);
  if (op->perms >= 0 && fchmod(fd, mode) < 0)
    return log_errno(errno, "Can't chmod %s", op->dest);
  return 0;
}

static int op_bind_data(struct setup *s, const struct plan_op *op)
{
  char name[32];
  snprintf(name, sizeof name, "data%u", s->scratch_seq++);
  mode_t mode = op->perms >= 0 ? (mode_t)op->perms : 0600;
  _cleanup_close_ int fd = RETRY(openat(s->scratch_fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd < 0)
    return log_errno(errno, "Can't create data file for %s", op->dest);
  int r = op->fd >= 0 ? copy_fd_to(op->fd, fd) : write_all(fd, op->data, op->data_len);
  if (r < 0)
    return log_errno(r, "Can't write data to %s", op->dest);
  if (fchmod(fd, mode) < 0)
    return log_errno(errno, "Can't chmod data file for %s", op->dest);
  _cleanup_close_ int target = -1;
  r = make_mount_point(s, op->dest, false, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);
  r = bind_fd(s, fd, target, access_attrs(op->access), false);
  return r < 0 ? log_errno(r, "Can't bind data on %s", op->dest) : 0;
}

static int op_chmod(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int fd = -1;
  int r = root_resolve(s, op->dest, 0, &fd);
  if (r < 0)
    return dest_errno(r, "Can't chmod %#o %s", op->perms, op->dest);
  _cleanup_free_ char *path = fd_proc_path(s, fd);
  if (chmod(path, (mode_t)op->perms) < 0)
    return log_errno(errno, "Can't chmod %#o %s", op->perms, op->dest);
  return 0;
}

/* overlayfs takes its layers as one string; ':' ',' and '\' in a path must
 * be escaped with a backslash. */
static void append_escaped(struct buf *b, const char *s)
{
  for (; *s; s++) {
    if (*s == ':' || *s == ',' || *s == '\\')
      buf_puts(b, "\\");
    buf_add(b, s, 1);
  }
}

static char *host_full_path(const char *p)
{
  return xasprintf("/oldroot%s%s", p[0] == '/' ? "" : "/", p);
}

static int op_overlay(struct setup *s, const struct plan_op *op)
{
  _cleanup_close_ int target = -1;
  _cleanup_free_ char *upper = NULL, *work = NULL;
  _cleanup_buf_ struct buf lower = { 0 }, upper_e = { 0 }, work_e = { 0 };
  int r = make_dir_op(s, op->dest, -1, &target);
  if (r < 0)
    return dest_errno(r, "Can't create mount point %s", op->dest);

  /* The last --overlay-src is the top-most lower layer. */
  for (size_t i = op->n_overlay_srcs; i-- > 0;) {
    _cleanup_free_ char *full = host_full_path(op->overlay_srcs[i]);
    if (access(full, F_OK) < 0)
      return log_errno(errno, "Can't find overlay source %s", op->overlay_srcs[i]);
    if (lower.n)
      buf_puts(&lower, ":");
    append_escaped(&lower, full);
  }
  if (op->kind == OP_OVERLAY) {
    upper = host_full_path(op->upper);
    work = host_full_path(op->work);
  } else if (op->kind == OP_TMP_OVERLAY) {
    char name[32];
    snprintf(name, sizeof name, "overlay%u", s->scratch_seq++);
    _cleanup_close_ int dir = -1, u = -1, w = -1;
    if ((r = open_dir_at(s->scratch_fd, name, 0755, &dir)) < 0 ||
        (r = open_dir_at(dir, "upper", 0755, &u)) < 0 || (r = open_dir_at(dir, "work", 0755, &w)) < 0)
      return log_errno(r, "Can't create overlay scratch space for %s", op->dest);
    upper = xasprintf("/.scratch/%s/upper", name);
    work = xasprintf("/.scratch/%s/work", name);
  }
  if (upper) {
    append_escaped(&upper_e, upper);
    append_escaped(&work_e, work);
  }
  const char *opts[12];
  size_t n = 0;
  opts[n++] = "lowerdir";
  opts[n++] = lower.s;
  if (upper) {
    opts[n++] = "upperdir";
    opts[n++] = upper_e.s;
    opts[n++] = "workdir";
    opts[n++] = work_e.s;
  }
  if (s->in_userns) {
    opts[n++] = "userxattr";
    opts[n++] = NULL;
  }
  opts[n++] = NULL;
  opts[n++] = NULL;
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (op->kind == OP_RO_OVERLAY ? MOUNT_ATTR_RDONLY : 0);
  r = mount_fresh(s, "overlay", "overlay", opts, attrs, target);
  return r < 0 ? log_errno(r, "Can't make overlay mount on %s", op->dest) : 0;
}

/* ---- the whole tree --------------------------------------------------- */

int setup_build_root(struct setup *s)
{
  /* Mounts we make must never propagate back to the host.  A mount namespace
   * created together with a user namespace already turned shared mounts into
   * slaves; as root without one we must do it (it walks every mount). */
  if (!s->in_userns && mount(NULL, "/", NULL, MS_SLAVE | MS_REC | MS_SILENT, NULL) < 0)
    return log_errno(errno, "Failed to make / slave");

  s->proc_fd = RETRY(open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (s->proc_fd < 0)
    return log_errno(errno, "Can't open /proc");
  /* ttyname() needs /proc, which is only at /proc before the pivot. */
  char tty[PATH_MAX];
  if (isatty(STDOUT_FILENO) && ttyname_r(STDOUT_FILENO, tty, sizeof tty) == 0)
    s->console = xstrdup(tty);

  _cleanup_close_ int base = RETRY(open(BASE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (base < 0)
    return log_errno(errno, "Can't open %s", BASE_DIR);

  const char *base_opts[] = { "mode", "0755", NULL, NULL };
  int r = mount_fresh(s, "tmpfs", "tmpfs", base_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, base);
  if (r < 0)
    return log_errno(r, "Failed to mount tmpfs");
  if (chdir(BASE_DIR) < 0)
    return log_errno(errno, "Can't chdir to the setup tmpfs");

  if (mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0 || mkdir(".scratch", 0700) < 0)
    return log_errno(errno, "Can't create directories on the setup tmpfs");
  _cleanup_close_ int newroot = RETRY(open("newroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (newroot < 0)
    return log_errno(errno, "Can't open newroot");
  const char *root_opts[] = { "mode", "0755", NULL, NULL, NULL, NULL };
  _cleanup_free_ char *ctx = label_mount_opt(s->plan->file_label);
  if (ctx) {
    root_opts[2] = "context";
    root_opts[3] = ctx;
  }
  r = mount_fresh(s, "tmpfs", "tmpfs", root_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, newroot);
  if (r < 0)
    return log_errno(r, "Failed to mount the new root");

  if (sys_pivot_root(".", "oldroot") < 0)
    return log_errno(errno, "pivot_root");
  if (chdir("/") < 0)
    return log_errno(errno, "chdir /");

  s->oldroot_fd = RETRY(open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
  s->root_fd = RETRY(open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
  s->scratch_fd = RETRY(open("/.scratch", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (s->oldroot_fd < 0 || s->root_fd < 0 || s->scratch_fd < 0)
    return log_errno(errno, "Can't open the setup directories");
  setup_trust_fd(s, s->root_fd);

  /* Probe openat2 once. */
  int probe = sys_openat2(s->root_fd, ".", O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
  s->openat2_ok = probe >= 0;
  if (probe >= 0)
    close(probe);
  return 0;
}

int setup_run_ops(struct setup *s)
{
  const struct plan *p = s->plan;
  for (size_t i = 0; i < p->n_ops; i++) {
    const struct plan_op *op = &p->ops[i];
    int r;
    /* Missing parents are 0755, except that a --perms which closes group
     * or other access closes it on the new parents too (bubblewrap's rule). */
    s->parent_mode = 0755;
    if (op->perms >= 0 && op->kind != OP_CHMOD) {
      if (!(op->perms & 070))
        s->parent_mode &= ~070;
      if (!(op->perms & 07))
        s->parent_mode &= ~07;
    }
    switch (op->kind) {
    case OP_BIND: r = op_bind(s, op); break;
    case OP_REMOUNT_RO: r = op_remount_ro(s, op); break;
    case OP_PROC: r = op_proc(s, op); break;
    case OP_DEV: r = op_dev(s, op); break;
    case OP_TMPFS: r = op_tmpfs(s, op); break;
    case OP_MQUEUE: r = op_mqueue(s, op); break;
    case OP_DIR: r = op_dir(s, op); break;
    case OP_SYMLINK: r = op_symlink(s, op); break;
    case OP_FILE: r = op_file(s, op); break;
    case OP_BIND_DATA: r = op_bind_data(s, op); break;
    case OP_CHMOD: r = op_chmod(s, op); break;
    case OP_OVERLAY:
    case OP_TMP_OVERLAY:
    case OP_RO_OVERLAY: r = op_overlay(s, op); break;
    default: r = log_fail(EINVAL, "Unknown operation %d", (int)op->kind); break;
    }
    if (r < 0)
      return r;
    if (op->fd >= 0)
      close(op->fd); /* the app must not inherit the integrator's fds */
    /* An op may have mounted on the root itself (--bind / /). */
    if ((op->kind == OP_BIND || op->kind == OP_TMPFS || op->kind >= OP_OVERLAY) && (r = refresh_root(s)) < 0)
      return r;
  }
  return 0;
}

int setup_enter_root(struct setup *s)
{
  /* Drop the host: nothing of it stays reachable from the sandbox. */
  close(s->oldroot_fd);
  s->oldroot_fd = -1;
  if (umount2("/oldroot", MNT_DETACH) < 0)
    return log_errno(errno, "Can't unmount the old root");
  if (chdir("/newroot") < 0)
    return log_errno(errno, "Can't chdir to the new root");
  /* Second pivot: the setup tmpfs (scratch space) goes under the new root
   * and is then detached, so /tmp/oldroot, /tmp/newroot are gone. */
  if (sys_pivot_root(".", ".") < 0)
    return log_errno(errno, "pivot_root into the new root");
  if (umount2(".", MNT_DETACH) < 0)
    return log_errno(errno, "Can't unmount the setup tmpfs");
  if (chdir("/") < 0)
    return log_errno(errno, "chdir /");
  close(s->scratch_fd);
  close(s->root_fd);
  s->scratch_fd = s->root_fd = -1;
  return 0;
}
