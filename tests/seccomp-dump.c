/* seccomp-dump PID: print, for each seccomp filter of process PID (newest
 * first, as the kernel numbers them), one line:
 *   filter N: INSNS insns, jeq: K1 K2 ...
 * listing the constants of its "jump if equal" instructions (architecture
 * tokens, system call numbers, argument values).  For test-seccomp.sh,
 * which checks the i386 filter on machines that cannot run i386 code.
 * Needs CAP_SYS_ADMIN (root): PTRACE_SECCOMP_GET_FILTER. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: seccomp-dump PID\n");
    return 2;
  }
  pid_t pid = (pid_t)atoi(argv[1]);
  if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 || ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
    fprintf(stderr, "seccomp-dump: attach %d: %s\n", pid, strerror(errno));
    return 1;
  }
  waitpid(pid, NULL, __WALL);
  for (long i = 0;; i++) {
    long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
    if (n < 0)
      break;
    struct sock_filter *insns = calloc((size_t)n, sizeof *insns);
    if (!insns || ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, insns) != n) {
      fprintf(stderr, "seccomp-dump: filter %ld: %s\n", i, strerror(errno));
      return 1;
    }
    printf("filter %ld: %ld insns, jeq:", i, n);
    for (long j = 0; j < n; j++)
      if (insns[j].code == (BPF_JMP | BPF_JEQ | BPF_K))
        printf(" %#x", insns[j].k);
    printf("\n");
    free(insns);
  }
  ptrace(PTRACE_DETACH, pid, NULL, NULL);
  return 0;
}
