/* Thin wrappers for the system calls glibc may not wrap on every distribution
 * we build on, plus run-time detection of the new mount API. */
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

int sys_open_tree(int dirfd, const char *path, unsigned flags);
int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags);
int sys_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr);
/* The same, also changing the propagation (MS_SLAVE, MS_PRIVATE, ...; 0: unchanged). */
int sys_mount_setattr_prop(int dirfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr,
                           uint64_t propagation);
int sys_fsopen(const char *fsname, unsigned flags);
int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned flags, unsigned attr_flags);
int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int sys_pivot_root(const char *new_root, const char *put_old);
