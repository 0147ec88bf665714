/* nouserns: run a command under a seccomp filter that refuses to create
 * user namespaces, as a container runtime's default profile does.
 *
 *   nouserns [--errno EPERM|ENOSYS] COMMAND [ARGS...]
 *
 * clone(2) and unshare(2) with CLONE_NEWUSER in their flags fail with the
 * given errno (EPERM by default: Docker's profile; ENOSYS: some CI
 * sandboxes); clone3(2), whose flags sit in memory a filter can't read,
 * fails with ENOSYS so that callers fall back to clone(2).  Everything else
 * is allowed.  Sets no_new_privs and execs COMMAND; the filter is inherited
 * by everything it starts. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static int install(int err)
{
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL)
    return -ENOMEM;
  int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(unshare), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  /* clone's flags are its first argument on every architecture sbx's
   * tests run on (x86-64, aarch64). */
  if (r == 0)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (r == 0)
    r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), __NR_clone3, 0);
  if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    r = -errno;
  if (r == 0)
    r = seccomp_load(ctx);
  seccomp_release(ctx);
  return r;
}

int main(int argc, char **argv)
{
  int err = EPERM;
  if (argc > 2 && strcmp(argv[1], "--errno") == 0) {
    if (strcmp(argv[2], "ENOSYS") == 0)
      err = ENOSYS;
    else if (strcmp(argv[2], "EPERM") != 0) {
      fprintf(stderr, "nouserns: --errno takes EPERM or ENOSYS\n");
      return 2;
    }
    argv += 2;
    argc -= 2;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: nouserns [--errno EPERM|ENOSYS] COMMAND [ARGS...]\n");
    return 2;
  }
  int r = install(err);
  if (r < 0) {
    fprintf(stderr, "nouserns: can't install the filter: %s\n", strerror(-r));
    return 1;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "nouserns: %s: %s\n", argv[1], strerror(errno));
  return 127;
}
