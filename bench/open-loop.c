/* An open/close loop for bench/learn.sh: every open is a call --learn's
 * filter stops and the monitor records, so the loop's time per call shows
 * the notification path's cost.  Usage: open-loop N [PATH] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  long n = argc > 1 ? atol(argv[1]) : 10000;
  const char *path = argc > 2 ? argv[2] : "/etc/hostname";
  for (long i = 0; i < n; i++) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return 1;
    close(fd);
  }
  return 0;
}
