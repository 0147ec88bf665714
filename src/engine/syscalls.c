#include "engine/syscalls.h"

#include <errno.h>

int sys_open_tree(int dirfd, const char *path, unsigned flags)
{
  return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags)
{
  return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int sys_mount_setattr_prop(int dirfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr,
                           uint64_t propagation)
{
  struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr, .propagation = propagation };
  return (int)syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof attr);
}

int sys_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr)
{
  return sys_mount_setattr_prop(dirfd, path, flags, attr_set, attr_clr, 0);
}

int sys_fsopen(const char *fsname, unsigned flags)
{
  return (int)syscall(SYS_fsopen, fsname, flags);
}

int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
  return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

int sys_fsmount(int fd, unsigned flags, unsigned attr_flags)
{
  return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}
