/* A system-call-heavy loop for bench/seccomp.sh: each round makes the
 * calls a busy desktop app makes most (read and write on a pipe, a stat,
 * an open and close, getpid, clock_gettime through the vDSO-less
 * syscall, a futex wake with no waiter), so the filter's cost per call
 * shows against the calls' own cost.  Usage: syscall-loop ROUNDS */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  long rounds = argc > 1 ? atol(argv[1]) : 200000;
  int p[2];
  if (pipe(p) < 0)
    return 1;
  char c = 'x';
  int word = 0;
  struct stat st;
  struct timespec ts;
  for (long i = 0; i < rounds; i++) {
    if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
      return 1;
    (void)stat("/usr/bin", &st);
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
      close(fd);
    (void)syscall(SYS_getpid);
    (void)syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    (void)syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  }
  return 0;
}
