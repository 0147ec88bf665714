/* syscall-filter allowlist: the default rules, plus a second filter that
 * allows only the system calls named here, so that a call this list does
 * not know (one a newer kernel added, or an old one nothing uses) fails
 * with ENOSYS, "not implemented", which is what callers already handle.
 *
 * The list is what programs on a desktop use: glibc and musl, the dynamic
 * loader, threads, GLib/GTK and Qt, Mesa (kcmp, the DRM ioctls go through
 * ioctl), PulseAudio/PipeWire clients, Firefox and Chromium with their own
 * sandboxes (seccomp, landlock, prctl, the pidfd calls), Python and
 * shells; each architecture's own names are listed too (i386's
 * socketcall, stat64 and *_time64 calls, ARM's private ones) and a name
 * an architecture lacks is skipped there.  Left out on purpose, with no
 * use in an app and a kernel of its own to attack: the host's clock
 * (settimeofday, clock_settime, adjtimex, clock_adjtime), the hostname
 * (sethostname, setdomainname), direct port I/O (iopl, ioperm),
 * vhangup, file handles (name_to_handle_at, open_by_handle_at: the
 * "Shocker" escape), fanotify, remap_file_pages, lookup_dcookie,
 * memfd_secret, process_mrelease, quotactl_fd, set_mempolicy_home_node,
 * and every call that is only a stub (create_module, get_kernel_syms,
 * query_module, nfsservctl, getpmsg, putpmsg, afs_syscall, tuxcall,
 * security, vserver, _sysctl, sysfs, ustat, epoll_ctl_old,
 * epoll_wait_old).  The calls the default rules refuse are allowed here:
 * those rules (and the profile's syscall-allow) decide them. */
#include "compile/syscalls.h"

#include <string.h>

#include "policy/query.h"

static const char *const allowlist[] = {
  /* files and directories */
  "read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "lseek", "_llseek",
  "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2", "stat", "fstat",
  "lstat", "newfstatat", "statx", "stat64", "fstat64", "lstat64", "fstatat64", "statfs", "fstatfs",
  "statfs64", "fstatfs64", "access", "faccessat", "faccessat2", "getdents", "getdents64", "getcwd",
  "chdir", "fchdir", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "link", "linkat",
  "unlink", "unlinkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod", "fchmod", "fchmodat",
  "fchmodat2", "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32", "umask",
  "truncate", "ftruncate", "truncate64", "ftruncate64", "fallocate", "fsync", "fdatasync", "sync",
  "syncfs", "sync_file_range", "sync_file_range2", "fadvise64", "fadvise64_64", "arm_fadvise64_64",
  "readahead", "utime", "utimes", "futimesat", "utimensat", "utimensat_time64", "mknod", "mknodat",
  "dup", "dup2", "dup3", "fcntl", "fcntl64", "flock", "sendfile", "sendfile64", "splice", "tee",
  "vmsplice", "copy_file_range", "setxattr", "lsetxattr", "fsetxattr", "getxattr", "lgetxattr",
  "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
  "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "cachestat", "memfd_create",
  /* pipes, polling, events */
  "pipe", "pipe2", "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll",
  "ppoll_time64", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
  "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
  "timerfd_gettime", "timerfd_settime64", "timerfd_gettime64",
  /* memory */
  "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "msync", "mincore", "madvise",
  "process_madvise", "mlock", "mlock2", "munlock", "mlockall", "munlockall", "membarrier",
  "pkey_mprotect", "pkey_alloc", "pkey_free", "map_shadow_stack",
  /* processes and threads */
  "clone", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
  "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "set_tid_address",
  "set_robust_list", "get_robust_list", "rseq", "futex", "futex_time64", "futex_waitv", "futex_wake",
  "futex_wait", "futex_requeue", "sched_yield", "sched_setaffinity", "sched_getaffinity",
  "sched_setparam", "sched_getparam", "sched_setscheduler", "sched_getscheduler", "sched_setattr",
  "sched_getattr", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
  "sched_rr_get_interval_time64", "getpriority", "setpriority", "ioprio_get", "ioprio_set", "prctl",
  "arch_prctl", "set_thread_area", "get_thread_area", "getcpu", "getrlimit", "ugetrlimit", "setrlimit",
  "prlimit64", "getrusage", "times", "sysinfo", "uname", "olduname", "capget", "capset", "seccomp", "personality",
  "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "pidfd_open",
  "pidfd_send_signal", "pidfd_getfd", "kcmp", "restart_syscall", "cacheflush", "breakpoint",
  "set_tls", "get_tls", "riscv_flush_icache",
  /* identity (changes fail without capabilities) */
  "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "setuid", "setgid",
  "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid", "getuid32",
  "geteuid32", "getgid32", "getegid32", "getresuid32", "getresgid32", "getgroups32", "setuid32",
  "setgid32", "setreuid32", "setregid32", "setresuid32", "setresgid32", "setgroups32", "setfsuid32",
  "setfsgid32",
  /* signals */
  "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
  "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend",
  "sigaltstack", "sigaction", "sigprocmask", "sigreturn", "sigpending", "sigsuspend", "signal", "pause",
  /* time */
  "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
  "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "alarm", "getitimer", "setitimer",
  "timer_create", "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64",
  "timer_getoverrun", "timer_delete",
  /* sockets */
  "socket", "socketpair", "socketcall", "bind", "listen", "accept", "accept4", "connect",
  "getsockname", "getpeername", "sendto", "recvfrom", "send", "recv", "sendmsg", "recvmsg", "sendmmsg",
  "recvmmsg", "recvmmsg_time64", "shutdown", "setsockopt", "getsockopt",
  /* System V and POSIX IPC (the sandbox's own IPC namespace) */
  "ipc", "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64",
  "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
  "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
  /* asynchronous I/O (io_uring is a group of the default rules) */
  "io_setup", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_submit",
  "io_cancel",
  /* devices and terminals: the requests are the default rules' and the
   * device nodes the profile's */
  "ioctl", "getrandom",
};

static bool listed(const struct plan *p, const char *name)
{
  for (size_t i = 0; i < p->n_syscall_allowlist; i++)
    if (strcmp(p->syscall_allowlist[i], name) == 0)
      return true;
  return false;
}

void syscalls_allowlist_add(struct plan *p, const char *name)
{
  if (!listed(p, name))
    *ARRAY_PUSH(p->syscall_allowlist, p->n_syscall_allowlist, p->cap_syscall_allowlist) = name;
}

void syscalls_allowlist(const struct policy *pol, struct plan *p)
{
  for (size_t i = 0; i < sizeof allowlist / sizeof allowlist[0]; i++)
    syscalls_allowlist_add(p, allowlist[i]);
  /* The profile's own syscall-allow (a call the list may not have); the
   * default rules' calls are added by syscalls_compile. */
  size_t it = 0;
  struct syscall_choice c;
  while (policy_next_syscall(pol, &it, &c))
    if (c.allow && c.name[0] != '@')
      syscalls_allowlist_add(p, plan_syscall_string(p, c.name));
}
