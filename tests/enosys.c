/* enosys: run a command with the new mount API (and openat2) unavailable.
 *
 *   enosys COMMAND [ARGS...]
 *   enosys --selftest
 *
 * Installs a seccomp filter that makes open_tree, move_mount,
 * mount_setattr, fsopen, fsconfig, fsmount, fspick and openat2 fail with
 * ENOSYS -- what an old kernel would say -- sets no_new_privs and execs
 * COMMAND.  The filter is inherited by everything COMMAND starts, so an
 * sbx run under it must take its classic mount(2) fallback paths.
 * --selftest checks, after installing the filter, that the calls really
 * fail with ENOSYS. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int blocked[] = {
  __NR_open_tree, __NR_move_mount, __NR_mount_setattr, __NR_fsopen,
  __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_openat2,
};

static int install(void)
{
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++) {
    int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), blocked[i], 0);
    if (r < 0) {
      seccomp_release(ctx);
      return r;
    }
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -errno;
  int r = seccomp_load(ctx);
  seccomp_release(ctx);
  return r;
}

static int selftest(void)
{
  int bad = 0;
  errno = 0;
  if (syscall(__NR_open_tree, AT_FDCWD, "/", 0) != -1 || errno != ENOSYS) {
    fprintf(stderr, "open_tree not blocked (errno %d)\n", errno);
    bad = 1;
  }
  errno = 0;
  if (syscall(__NR_fsopen, "tmpfs", 0) != -1 || errno != ENOSYS) {
    fprintf(stderr, "fsopen not blocked (errno %d)\n", errno);
    bad = 1;
  }
  errno = 0;
  if (syscall(__NR_mount_setattr, AT_FDCWD, "/", 0, NULL, 0) != -1 || errno != ENOSYS) {
    fprintf(stderr, "mount_setattr not blocked (errno %d)\n", errno);
    bad = 1;
  }
  errno = 0;
  if (syscall(__NR_openat2, AT_FDCWD, "/", NULL, 0) != -1 || errno != ENOSYS) {
    fprintf(stderr, "openat2 not blocked (errno %d)\n", errno);
    bad = 1;
  }
  errno = 0;
  if (syscall(__NR_getpid) <= 0) {
    fprintf(stderr, "getpid broken\n");
    bad = 1;
  }
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
    fprintf(stderr, "no_new_privs not set\n");
    bad = 1;
  }
  if (!bad)
    printf("enosys: selftest ok\n");
  return bad;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s COMMAND [ARGS...] | --selftest\n", argv[0]);
    return 2;
  }
  int r = install();
  if (r < 0) {
    fprintf(stderr, "enosys: installing seccomp filter: %s\n", strerror(-r));
    return 1;
  }
  if (strcmp(argv[1], "--selftest") == 0)
    return selftest();
  execvp(argv[1], argv + 1);
  fprintf(stderr, "enosys: exec %s: %s\n", argv[1], strerror(errno));
  return 127;
}
