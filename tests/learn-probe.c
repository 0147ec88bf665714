/* learn-probe: the small program tests/test-learn.sh learns a profile for.
 * It reads one file, writes another, runs /bin/true and connects to a
 * unix socket, each with a plain system call (no library that might take
 * another path), and optionally reads a secret.
 *
 *   learn-probe [--strict] READ WRITE SOCKET [SECRET]
 *   learn-probe --serve SOCKET    (the socket to connect to: listens, accepts)
 *   learn-probe --openat DIR NAME (reads NAME relative to an fd of DIR)
 *
 * Each step prints "STEP ok" or "STEP failed: ERROR".  Under --learn the
 * home is a scratch one, so reads there fail: without --strict the probe
 * exits 0 all the same; with --strict (under the learned profile) any
 * failure of the first four steps exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void report(const char *step, int ok)
{
  if (ok)
    printf("%s ok\n", step);
  else {
    printf("%s failed: %s\n", step, strerror(errno));
    failures++;
  }
}

static int read_file(const char *path)
{
  char buf[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n >= 0;
}

static int write_file(const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return 0;
  ssize_t n = write(fd, "learned\n", 8);
  close(fd);
  return n == 8;
}

static int run_true(void)
{
  pid_t pid = fork();
  if (pid < 0)
    return 0;
  if (pid == 0) {
    char *argv[] = { "true", NULL };
    execv("/bin/true", argv);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0)
    return 0;
  errno = ECHILD;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int connect_unix(const char *path)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sun.sun_path) {
    errno = ENAMETOOLONG;
    return 0;
  }
  strcpy(sun.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  int r = connect(fd, (struct sockaddr *)&sun, sizeof sun);
  close(fd);
  return r == 0;
}

/* Listen on path and accept (and drop) connections until killed. */
static int serve(const char *path)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || strlen(path) >= sizeof sun.sun_path)
    return 1;
  strcpy(sun.sun_path, path);
  if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(fd, 16) < 0) {
    perror(path);
    return 1;
  }
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c >= 0)
      close(c);
  }
}

int main(int argc, char **argv)
{
  if (argc == 3 && strcmp(argv[1], "--serve") == 0)
    return serve(argv[2]);
  if (argc == 4 && strcmp(argv[1], "--openat") == 0) {
    int dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd = dir < 0 ? -1 : openat(dir, argv[3], O_RDONLY | O_CLOEXEC);
    return fd < 0;
  }
  int strict = argc > 1 && strcmp(argv[1], "--strict") == 0;
  argv += strict;
  argc -= strict;
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: learn-probe [--strict] READ WRITE SOCKET [SECRET]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  report("read", read_file(argv[1]));
  report("write", write_file(argv[2]));
  report("exec", run_true());
  report("connect", connect_unix(argv[3]));
  int essential = failures;
  if (argc == 5)
    report("secret", read_file(argv[4]));
  return strict && essential ? 1 : 0;
}
