/* sysprobe: try system calls a sandboxed app should not be able to make,
 * one attempt per argument, and print one line per attempt:
 *   NAME ok          the call worked
 *   NAME ERRNONAME   it failed with that errno
 * For tests/test-seccomp.sh, which runs it inside and outside sandboxes
 * and compares.  Each attempt runs in a child process of its own.  "all" runs every one. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PER_BSD
#define PER_BSD 0x0006
#endif

/* A child made by a raw clone: exit at once; the parent reaps it. */
static long reap(long pid)
{
  if (pid == 0)
    _exit(0);
  if (pid > 0)
    waitpid((pid_t)pid, NULL, 0);
  return pid < 0 ? -1 : 0;
}

static long t_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static long t_clone_newuser(void) { return reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)); }
static long t_clone_newns(void) { return reap(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0)); }
static long t_clone_plain(void) { return reap(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)); }
static long t_clone3(void)
{
  struct clone_args args = { .exit_signal = SIGCHLD };
  return reap(syscall(SYS_clone3, &args, sizeof args));
}
static long t_keyctl(void) { return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0); }
static long t_add_key(void) { return syscall(SYS_add_key, "user", "sbx-probe", "x", 1, -2 /* process keyring */); }
static long t_perf_event_open(void)
{
  struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof a, .config = PERF_COUNT_SW_TASK_CLOCK,
                               .disabled = 1, .exclude_kernel = 1, .exclude_hv = 1 };
  long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  if (fd >= 0)
    close((int)fd);
  return fd < 0 ? -1 : 0;
}
static long t_userfaultfd(void)
{
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  if (fd >= 0)
    close((int)fd);
  return fd < 0 ? -1 : 0;
}
static long t_io_uring_setup(void)
{
  char params[120] = { 0 }; /* struct io_uring_params, zeroed */
  long fd = syscall(SYS_io_uring_setup, 4, params);
  if (fd >= 0)
    close((int)fd);
  return fd < 0 ? -1 : 0;
}
static long t_bpf(void)
{
  uint32_t attr[16] = { 2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1 };
  long fd = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
  if (fd >= 0)
    close((int)fd);
  return fd < 0 ? -1 : 0;
}
static long t_mount(void) { return mount("sbx-probe", "/tmp", "tmpfs", 0, NULL); }
static long t_pivot_root(void) { return syscall(SYS_pivot_root, "/", "/"); }
static long t_chroot(void) { return chroot("/"); }
static long t_ptrace(void)
{
  /* PTRACE_TRACEME in a child, so nothing here is traced. */
  pid_t pid = fork();
  if (pid == 0)
    _exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno);
  int st;
  waitpid(pid, &st, 0);
  errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
  return errno ? -1 : 0;
}
static long t_personality_bsd(void)
{
  long old = syscall(SYS_personality, PER_BSD);
  if (old >= 0)
    syscall(SYS_personality, old);
  return old < 0 ? -1 : 0;
}
static long t_personality_query(void) { return syscall(SYS_personality, 0xffffffffUL) < 0 ? -1 : 0; }
static long t_personality_linux(void) { return syscall(SYS_personality, PER_LINUX) < 0 ? -1 : 0; }
static long sock(long family)
{
  long fd = syscall(SYS_socket, family, SOCK_DGRAM, 0);
  if (fd >= 0)
    close((int)fd);
  return fd < 0 ? -1 : 0;
}
static long t_socket_packet(void) { return sock(AF_PACKET); }
static long t_socket_packet_high(void) { return sock((long)((1ULL << 32) | AF_PACKET)); }
static long t_socket_bluetooth(void) { return sock(AF_BLUETOOTH); }
static long t_socket_unix(void) { return sock(AF_UNIX); }
static long t_socket_inet(void) { return sock(AF_INET); }
static long t_tiocsti(void)
{
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
    return -1;
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  if (s < 0)
    return -1;
  char c = 'x';
  long r = ioctl(s, TIOCSTI, &c);
  int e = errno;
  close(s);
  close(m);
  errno = e;
  return r;
}

/* sysfs(2): an obsolete call that still works (option 3: how many file
 * system types the kernel has), in no list of sbx's but the allowlist's
 * left-out ones. */
static long t_sysfs(void)
{
#ifdef SYS_sysfs
  return syscall(SYS_sysfs, 3);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static const struct {
  const char *name;
  long (*fn)(void);
} attempts[] = {
  { "unshare-user", t_unshare_user },
  { "clone-newuser", t_clone_newuser },
  { "clone-newns", t_clone_newns },
  { "clone-plain", t_clone_plain },
  { "clone3", t_clone3 },
  { "keyctl", t_keyctl },
  { "add_key", t_add_key },
  { "perf_event_open", t_perf_event_open },
  { "userfaultfd", t_userfaultfd },
  { "io_uring_setup", t_io_uring_setup },
  { "bpf", t_bpf },
  { "mount", t_mount },
  { "pivot_root", t_pivot_root },
  { "chroot", t_chroot },
  { "ptrace", t_ptrace },
  { "personality-bsd", t_personality_bsd },
  { "personality-query", t_personality_query },
  { "personality-linux", t_personality_linux },
  { "socket-packet", t_socket_packet },
  { "socket-packet-high", t_socket_packet_high },
  { "socket-bluetooth", t_socket_bluetooth },
  { "socket-unix", t_socket_unix },
  { "socket-inet", t_socket_inet },
  { "tiocsti", t_tiocsti },
  { "sysfs", t_sysfs },
};

/* Each attempt in a child of its own: one that works (unshare) must not
 * change what the next one can do. */
static void run(size_t i)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    errno = 0;
    long r = attempts[i].fn();
    const char *e = strerrorname_np(errno);
    printf("%s %s\n", attempts[i].name, r >= 0 ? "ok" : e ? e : "?");
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
  size_t n = sizeof attempts / sizeof attempts[0];
  for (int a = 1; a < argc; a++) {
    bool found = false;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(argv[a], "all") == 0 || strcmp(argv[a], attempts[i].name) == 0) {
        run(i);
        found = true;
      }
    }
    if (!found) {
      fprintf(stderr, "sysprobe: no attempt %s\n", argv[a]);
      return 2;
    }
  }
  return 0;
}
