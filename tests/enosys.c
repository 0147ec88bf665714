/* enosys: run a command with the new mount API (and openat2) unavailable.
 *
 *   enosys [--block CALL[,CALL...]] COMMAND [ARGS...]
 *   enosys [--block CALL[,CALL...]] --selftest
 *
 * Installs a seccomp filter that makes open_tree, move_mount,
 * mount_setattr, fsopen, fsconfig, fsmount, fspick and openat2 (or only the
 * CALLs named with --block: e.g. mount_setattr alone, what kernels 5.2-5.11
 * lack) fail with ENOSYS -- what an old kernel would say -- sets
 * no_new_privs and execs COMMAND.  The filter is inherited by everything
 * COMMAND starts, so an sbx run under it must take its classic mount(2)
 * fallback paths.  --selftest checks, after installing the filter, that the
 * blocked calls really fail with ENOSYS.
 *
 * landlock_create_ruleset is blocked only when named (--block
 * landlock_create_ruleset): a kernel without Landlock, for the Landlock
 * tests' best-effort and "required" paths.  clone3 likewise (--block
 * clone3): a kernel before 5.3, for the cgroup tests' fallback. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif

static const struct {
  const char *name;
  int nr;
  int only_named; /* not in the default set */
} calls[] = {
  { "open_tree", __NR_open_tree }, { "move_mount", __NR_move_mount },
  { "mount_setattr", __NR_mount_setattr }, { "fsopen", __NR_fsopen },
  { "fsconfig", __NR_fsconfig }, { "fsmount", __NR_fsmount },
  { "fspick", __NR_fspick }, { "openat2", __NR_openat2 },
  { "landlock_create_ruleset", __NR_landlock_create_ruleset, 1 },
  { "clone3", __NR_clone3, 1 },
};
#define N_CALLS (sizeof calls / sizeof calls[0])

/* Mark the calls named in the comma-separated `list`; -1 on an unknown name. */
static int parse_block(const char *list, int *blocked)
{
  char *copy = strdup(list), *save = NULL;
  if (copy == NULL)
    return -1;
  for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
    size_t i;
    for (i = 0; i < N_CALLS && strcmp(calls[i].name, name) != 0; i++)
      ;
    if (i == N_CALLS) {
      fprintf(stderr, "enosys: unknown call %s\n", name);
      free(copy);
      return -1;
    }
    blocked[i] = 1;
  }
  free(copy);
  return 0;
}

static int install(const int *blocked)
{
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < N_CALLS; i++) {
    if (!blocked[i])
      continue;
    int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), calls[i].nr, 0);
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

static int selftest(const int *blocked)
{
  int bad = 0;
  /* Arguments that are invalid for every call: a blocked one says ENOSYS,
   * one left alone says something else (EFAULT, EINVAL, EBADF...). */
  for (size_t i = 0; i < N_CALLS; i++) {
    errno = 0;
    long r = syscall(calls[i].nr, -1, NULL, NULL, NULL, NULL);
    if (blocked[i] != (r == -1 && errno == ENOSYS)) {
      fprintf(stderr, "%s %s (errno %d)\n", calls[i].name, blocked[i] ? "not blocked" : "blocked", errno);
      bad = 1;
    }
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
  int blocked[N_CALLS];
  int a = 1;
  for (size_t i = 0; i < N_CALLS; i++)
    blocked[i] = !calls[i].only_named;
  if (argc > 2 && strcmp(argv[1], "--block") == 0) {
    memset(blocked, 0, sizeof blocked);
    if (parse_block(argv[2], blocked) < 0)
      return 2;
    a = 3;
  }
  if (argc <= a) {
    fprintf(stderr, "usage: %s [--block CALL[,CALL...]] COMMAND [ARGS...] | --selftest\n", argv[0]);
    return 2;
  }
  int r = install(blocked);
  if (r < 0) {
    fprintf(stderr, "enosys: installing seccomp filter: %s\n", strerror(-r));
    return 1;
  }
  if (strcmp(argv[a], "--selftest") == 0)
    return selftest(blocked);
  execvp(argv[a], argv + a);
  fprintf(stderr, "enosys: exec %s: %s\n", argv[a], strerror(errno));
  return 127;
}
