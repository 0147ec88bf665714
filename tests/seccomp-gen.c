/* seccomp-gen: write a cBPF seccomp program (the format --seccomp and
 * --add-seccomp-fd take) to stdout.
 *
 *   seccomp-gen SYSCALL:ERRNO [SYSCALL:ERRNO...]
 *
 * Every listed syscall fails with ERRNO (a number or EPERM/ENOSYS/EACCES);
 * everything else is allowed.  The tests use it to make e.g. mkdir fail
 * inside the sandbox and observe that from the sandboxed shell. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_errno(const char *s)
{
  if (strcmp(s, "EPERM") == 0) return EPERM;
  if (strcmp(s, "ENOSYS") == 0) return ENOSYS;
  if (strcmp(s, "EACCES") == 0) return EACCES;
  if (strcmp(s, "EXDEV") == 0) return EXDEV;
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v <= 0 || v > 4095) return -1;
  return (int) v;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s SYSCALL:ERRNO...\n", argv[0]);
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) {
    fprintf(stderr, "seccomp_init failed\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    char *spec = strdup(argv[i]);
    char *colon = strchr(spec, ':');
    if (colon == NULL) {
      fprintf(stderr, "bad rule '%s' (want SYSCALL:ERRNO)\n", argv[i]);
      return 2;
    }
    *colon = '\0';
    int nr = seccomp_syscall_resolve_name(spec);
    int err = parse_errno(colon + 1);
    if (nr == __NR_SCMP_ERROR || err < 0) {
      fprintf(stderr, "unknown syscall or errno in '%s'\n", argv[i]);
      return 2;
    }
    int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
    if (r < 0) {
      fprintf(stderr, "seccomp_rule_add(%s): %s\n", spec, strerror(-r));
      return 1;
    }
    free(spec);
  }
  int r = seccomp_export_bpf(ctx, 1);
  if (r < 0) {
    fprintf(stderr, "seccomp_export_bpf: %s\n", strerror(-r));
    return 1;
  }
  seccomp_release(ctx);
  return 0;
}
